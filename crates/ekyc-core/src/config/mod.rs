//! Server settings: defaults, then an optional TOML file, then `EKYC_*`
//! environment variables (later sources win), then command-line flags,
//! which the CLI applies on top.
//!
//! Each part belongs to a domain ([`FaceSettings`], [`LivenessSettings`],
//! [`DocumentSettings`], [`AuthSettings`], [`StoreSettings`],
//! [`ServerSettings`]) and takes its defaults from that domain's own
//! types, so a default is written once. The keys stay flat (`listen`,
//! `quality_min_sharpness`, `EKYC_FMR_LOGIN`): every part is read from
//! the same merged sources, each picking its own keys.

mod auth;
mod documents;
mod face;
mod parsed;
mod secret;
mod server;
mod store;

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::Figment;

pub use auth::AuthSettings;
pub use documents::DocumentSettings;
pub use face::{FaceSettings, LivenessSettings};
pub use secret::Secret;
pub use server::ServerSettings;
pub use store::StoreSettings;

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The `--config` file named does not exist.
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    /// A value has the wrong type or names no known choice; the message
    /// names the key and where it was set (and is the whole story: not
    /// also given as a source, or `{:#}` would print it twice).
    #[error("invalid configuration: {0}")]
    Invalid(Box<figment::Error>),
}

/// Everything an operator can set. Each key `name` of a part can also be
/// given as the environment variable `EKYC_NAME` (upper case).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// Listening, connections, inference threads, models.
    pub server: ServerSettings,
    /// Data folder, database, master keys, audit retention.
    pub store: StoreSettings,
    /// Token signing, rate limits, lockout.
    pub auth: AuthSettings,
    /// Recognition, policies, quality gate.
    pub face: FaceSettings,
    /// Liveness thresholds.
    pub liveness: LivenessSettings,
    /// The document reader.
    pub documents: DocumentSettings,
}

impl Settings {
    /// Loads defaults, then `config_file` if given, then `EKYC_*` variables.
    pub fn load(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::new();
        if let Some(path) = config_file {
            if !path.is_file() {
                return Err(ConfigError::MissingFile(path.to_owned()));
            }
            figment = figment.merge(Toml::file(path));
        }
        let figment = figment.merge(Env::prefixed("EKYC_").ignore(&["config"]));
        let invalid = |e| ConfigError::Invalid(Box::new(e));
        Ok(Self {
            server: figment.extract().map_err(invalid)?,
            store: figment.extract().map_err(invalid)?,
            auth: figment.extract().map_err(invalid)?,
            face: figment.extract().map_err(invalid)?,
            liveness: figment.extract().map_err(invalid)?,
            documents: figment.extract().map_err(invalid)?,
        })
    }

    /// The folder holding verified model files.
    pub fn model_dir(&self) -> PathBuf {
        self.server
            .model_dir
            .clone()
            .unwrap_or_else(|| self.store.data_dir.join("models"))
    }
}

#[cfg(test)]
// figment's Jail API fixes the closure's error type.
#[allow(clippy::result_large_err)]
mod tests {
    use ekyc_auth::{LimitSettings, LockoutPolicy};
    use ekyc_doc::recognise::RecogniserKind;
    use ekyc_doc::registration::Masking;
    use ekyc_face::liveness::LivenessOptions;
    use ekyc_face::{EngineId, FaceOptions, PolicyTargets};
    use ekyc_face_service::ServiceSettings;
    use ekyc_image::IntakeLimits;

    use super::*;

    /// Every part of the default settings is its domain's own default:
    /// nothing is written twice, so nothing can disagree.
    #[test]
    fn defaults_are_the_domains() {
        let settings = Settings::default();
        assert_eq!(settings.server, ServerSettings::default());
        assert_eq!(settings.store, StoreSettings::default());
        assert_eq!(settings.auth, AuthSettings::default());
        assert_eq!(settings.face, FaceSettings::default());
        assert_eq!(settings.liveness, LivenessSettings::default());
        assert_eq!(settings.documents, DocumentSettings::default());

        assert_eq!(
            settings.face.options(&settings.liveness),
            FaceOptions::default()
        );
        assert_eq!(settings.liveness.options(), LivenessOptions::default());
        assert_eq!(settings.face.policy_targets(), PolicyTargets::default());
        let service = ServiceSettings::default();
        assert_eq!(settings.face.default_engine, service.default_engine);
        assert_eq!(settings.face.fpir_identify, service.fpir);
        assert_eq!(settings.server.intake(), IntakeLimits::default());
        assert_eq!(settings.server.intake(), service.intake);
        assert_eq!(settings.auth.limits(), LimitSettings::default());
        let lockout = LockoutPolicy::default();
        assert_eq!(settings.auth.lockout(lockout.reservation_ttl), lockout);
        assert_eq!(settings.documents.ocr_recogniser, RecogniserKind::default());
        assert_eq!(settings.documents.ocr_id_masking, Masking::default());
    }

    #[test]
    fn file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "ekyc.toml",
                "listen = \"127.0.0.1:9\"\ninference_queue = 3\nquality_max_yaw = 0.4\n\
                 ocr_recogniser = \"tesseract\"\nfault_failing_engines = [\"applemango\"]\n",
            )?;
            jail.set_env("EKYC_INFERENCE_QUEUE", "7");
            jail.set_env("EKYC_DATA_DIR", "/srv/ekyc");
            jail.set_env("EKYC_DEFAULT_ENGINE", "applemango");
            jail.set_env("EKYC_OCR_ID_MASKING", "birth");
            jail.set_env("EKYC_ADMIN_TOKEN", "an-admin-token-of-enough-characters");
            let settings =
                Settings::load(Some(Path::new("ekyc.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(settings.server.listen, "127.0.0.1:9");
            assert_eq!(settings.server.inference_queue, 7);
            assert_eq!(settings.store.data_dir, PathBuf::from("/srv/ekyc"));
            assert_eq!(settings.face.quality_max_yaw, 0.4);
            assert_eq!(settings.face.default_engine, EngineId::Applemango);
            assert_eq!(settings.face.fault_failing_engines, [EngineId::Applemango]);
            assert_eq!(settings.documents.ocr_recogniser, RecogniserKind::Tesseract);
            assert_eq!(
                settings.documents.ocr_id_masking,
                Masking::KeepBirthDateAndGender
            );
            assert_eq!(
                settings.server.admin_token.as_ref().map(Secret::expose),
                Some("an-admin-token-of-enough-characters")
            );
            Ok(())
        });
    }

    #[test]
    fn secrets_are_not_in_the_debug_dump() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("EKYC_MASTER_KEY", "master-key-value");
            jail.set_env("EKYC_SIGNING_KEY", "signing-key-value");
            jail.set_env("EKYC_ADMIN_TOKEN", "admin-token-value");
            jail.set_env("EKYC_DATABASE_URL", "postgres://u:db-password@h/db");
            let dump = format!("{:?}", Settings::load(None).map_err(|e| e.to_string())?);
            for secret in ["master-key-value", "signing-key-value", "admin-token-value"] {
                assert!(!dump.contains(secret), "{secret} in {dump}");
            }
            assert!(!dump.contains("db-password"), "{dump}");
            Ok(())
        });
    }

    #[test]
    fn models_default_to_the_data_dir() {
        let mut settings = Settings::default();
        settings.store.data_dir = PathBuf::from("/srv/ekyc");
        assert_eq!(settings.model_dir(), PathBuf::from("/srv/ekyc/models"));
        settings.server.model_dir = Some(PathBuf::from("/opt/m"));
        assert_eq!(settings.model_dir(), PathBuf::from("/opt/m"));
    }

    #[test]
    fn missing_file_is_an_error() {
        let err = Settings::load(Some(Path::new("/nonexistent/ekyc.toml"))).unwrap_err();
        assert!(matches!(err, ConfigError::MissingFile(_)));
    }

    #[test]
    fn bad_value_is_reported() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("EKYC_INFERENCE_QUEUE", "many");
            assert!(matches!(Settings::load(None), Err(ConfigError::Invalid(_))));
            Ok(())
        });
    }

    /// A misspelt choice stops the start, naming the key.
    #[test]
    fn bad_choice_names_the_key() {
        for (key, value) in [
            ("default_engine", "nonesuch"),
            ("ocr_recogniser", "nonesuch"),
            ("ocr_id_masking", "nonesuch"),
            ("fault_failing_engines", "[ezway, nonesuch]"),
        ] {
            figment::Jail::expect_with(|jail| {
                jail.set_env(format!("EKYC_{}", key.to_uppercase()), value);
                let err = Settings::load(None).unwrap_err();
                assert!(matches!(err, ConfigError::Invalid(_)));
                // Figment names an environment key as it was written.
                let message = err.to_string().to_lowercase();
                assert!(message.contains(key), "{message}");
                assert!(message.contains("nonesuch"), "{message}");
                Ok(())
            });
        }
    }
}
