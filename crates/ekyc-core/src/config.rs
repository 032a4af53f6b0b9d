//! Server settings: defaults, then an optional TOML file, then `EKYC_*`
//! environment variables (later sources win), then command-line flags,
//! which the CLI applies on top.

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

/// Everything an operator can set. Each field `name` can also be given as
/// the environment variable `EKYC_NAME` (upper case).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Settings {
    /// Where the database, the signing key and (by default) the models live.
    pub data_dir: PathBuf,
    /// `postgres://user:password@host/db` to share one PostgreSQL between
    /// nodes; unset: the embedded SQLite file `<data_dir>/ekyc.db`.
    pub database_url: Option<String>,
    /// Where verified model files are kept; `<data_dir>/models` when unset.
    pub model_dir: Option<PathBuf>,
    /// Folder holding the model files that no package registry ships.
    pub model_mirror: PathBuf,
    /// Address the HTTP server binds to.
    pub listen: String,
    /// Base64 of the token-signing secret (at least 32 bytes). When unset a
    /// random one is generated on first start and kept in the data dir.
    pub signing_key: Option<String>,
    /// Base64 of the 32-byte master key that wraps each tenant's template
    /// key. Give it from a secret manager; never store it in the data dir.
    pub master_key: Option<String>,
    /// A file holding the master key instead (outside the data dir).
    pub master_key_file: Option<PathBuf>,
    /// Earlier master keys, still accepted while `ekyc keys rewrap` runs.
    pub previous_master_keys: Vec<String>,
    /// Requests per second each access key may make (sustained)...
    pub rate_limit_per_second: u32,
    /// ...and in a burst.
    pub rate_limit_burst: u32,
    /// `POST /v1/auth/token` attempts per minute, per access key and per
    /// client address: secret guessing is slow by construction.
    pub token_attempts_per_minute: u32,
    /// Behind a reverse proxy: take the client address (for token-attempt
    /// limits) from the last `X-Forwarded-For` entry. Only when every
    /// request comes through a proxy that sets it.
    pub trust_forwarded_for: bool,
    /// Image requests one tenant may have in progress at once.
    pub tenant_max_concurrent: usize,
    /// Consecutive mismatches of one user that lock its verification...
    pub lockout_after_failures: u32,
    /// ...for this long, doubling with each further lock...
    pub lockout_secs: u64,
    /// ...up to this.
    pub lockout_max_secs: u64,
    /// Days audit records are kept; older ones are purged.
    pub audit_retention_days: u32,
    /// Bearer token of the operator's admin API (`/admin/v1/...`), at
    /// least 32 characters. Unset: the admin API does not exist.
    pub admin_token: Option<String>,
    /// Lifetime of access tokens issued by `POST /v1/auth/token`.
    pub access_token_ttl_secs: u64,
    /// A request that takes longer is answered with 50300.
    pub request_timeout_secs: u64,
    /// Slow clients. Seconds a client has to send a request's headers,
    /// counted from when the server starts waiting for them (a new
    /// connection, or the end of the previous answer); then it is closed...
    pub http_header_timeout_secs: u64,
    /// ...seconds a keep-alive connection may sit idle between requests
    /// (no request in progress, no byte either way)...
    pub http_idle_timeout_secs: u64,
    /// ...connections open at once; more are closed as they arrive...
    pub http_max_connections: usize,
    /// ...and from one client address (the peer's: behind a proxy, the
    /// proxy's, so raise it to the proxy's connection pool).
    pub http_max_connections_per_address: usize,
    /// Threads doing CPU inference; 0 means one per core.
    pub inference_workers: usize,
    /// Inference jobs allowed to wait for a worker; beyond that, 50300.
    pub inference_queue: usize,
    /// Largest decoded image accepted, in bytes.
    pub max_image_bytes: usize,
    /// Largest image accepted, in pixels (checked from the header).
    pub max_image_pixels: u64,
    /// Largest image side accepted, in pixels.
    pub max_image_side: u32,
    /// Engine of a registration that names none: `ezway` or `applemango`.
    pub default_engine: String,
    /// Target false-match rate of each verify policy; the score threshold
    /// is derived from it through each engine's calibration.
    pub fmr_login: f64,
    pub fmr_general: f64,
    pub fmr_monitoring: f64,
    pub fmr_compare: f64,
    /// Target false-positive identification rate of 1:N search
    /// (`/v1/fr/identify`, `dedupe` on register).
    pub fpir_identify: f64,
    /// Verify and compare with both engines and decide on the calibrated
    /// mean of their cosines (more accurate, slower); a single engine
    /// answers when the other fails.
    pub fusion: bool,
    /// A calibration file (from `ekyc bench fr --write-calibration`) to
    /// use instead of the built-in one.
    pub calibration_file: Option<PathBuf>,
    /// Another face makes an image "several faces" (40923) only when at
    /// least this fraction of the main face's width.
    pub other_face_min_ratio: f32,
    /// Long side, in pixels, of the image the presenter's face is searched
    /// in (register, verify, the probe of compare, liveness).
    pub presenter_detect_side: u32,
    /// Detect a face again at full resolution when the detector saw it
    /// small (a printed ID portrait): better landmarks, better matches.
    pub refine_small_faces: bool,
    /// Quality gate: smallest eye distance in pixels.
    pub quality_min_eye_distance: f32,
    /// Quality gate of an enrolment (a probe beyond it is answered with
    /// the issue reported): smallest fine detail relative to the face's
    /// contrast, and largest fractions of the face centre's pixels with
    /// highlights blown out (a channel ≥ 250) or shadows crushed to black
    /// (every channel ≤ 10).
    pub quality_min_sharpness: f32,
    pub quality_max_clipped: f32,
    pub quality_max_crushed: f32,
    /// Quality gate of a probe (verify, compare, identify): refused past these.
    pub quality_probe_min_sharpness: f32,
    pub quality_probe_max_clipped: f32,
    pub quality_probe_max_crushed: f32,
    /// Quality gate: largest nose offset from the eye midpoint, in eye distances.
    pub quality_max_yaw: f32,
    /// Liveness: attack-score thresholds of the print/screen scorer, the
    /// covering classifier and the generated-face cue (see the README).
    pub liveness_photo_threshold: f32,
    /// Liveness: threshold of the screen/print periodic-pattern cue.
    pub liveness_pattern_threshold: f32,
    pub liveness_mask_threshold: f32,
    pub liveness_deepfake_threshold: f32,
    /// Liveness: lowest detection score of the second search for a face
    /// (covered faces and close-ups) when the first finds none.
    pub liveness_covered_face_min_score: f32,
    /// OCR: the Tesseract 5 shared library (a soname or a path).
    pub tesseract_library: String,
    /// OCR: what reads the text lines: `crnn` (the project's own
    /// recogniser, the default) or `tesseract` (Tesseract's `kor` model).
    /// The MRZ is read by Tesseract's OCR-B model either way.
    pub ocr_recogniser: String,
    /// OCR: how `idNum` is shown: `all` (`******-*******`, the default),
    /// `birth` (`YYMMDD-G******`) or `none` (unmasked; only when the
    /// operator needs it and says so here).
    pub ocr_id_masking: String,
    /// Fault injection for tests: engines that fail on purpose. Keep empty.
    pub fault_failing_engines: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            database_url: None,
            model_dir: None,
            model_mirror: PathBuf::from("../shared/models"),
            listen: "0.0.0.0:8080".to_owned(),
            signing_key: None,
            master_key: None,
            master_key_file: None,
            previous_master_keys: Vec::new(),
            rate_limit_per_second: 50,
            rate_limit_burst: 100,
            token_attempts_per_minute: 30,
            trust_forwarded_for: false,
            tenant_max_concurrent: 16,
            lockout_after_failures: 5,
            lockout_secs: 30,
            lockout_max_secs: 3600,
            audit_retention_days: 90,
            admin_token: None,
            access_token_ttl_secs: 3600,
            request_timeout_secs: 30,
            http_header_timeout_secs: 10,
            http_idle_timeout_secs: 5,
            http_max_connections: 1024,
            http_max_connections_per_address: 128,
            inference_workers: 0,
            inference_queue: 64,
            max_image_bytes: 10 * 1024 * 1024,
            max_image_pixels: 40_000_000,
            max_image_side: 12_000,
            default_engine: "ezway".to_owned(),
            fmr_login: 1e-5,
            fmr_general: 1e-4,
            fmr_monitoring: 1e-3,
            fmr_compare: 1e-4,
            fpir_identify: 1e-3,
            fusion: false,
            calibration_file: None,
            other_face_min_ratio: 0.5,
            presenter_detect_side: 320,
            quality_min_eye_distance: 16.0,
            quality_min_sharpness: 15.0,
            refine_small_faces: true,
            quality_max_clipped: 0.5,
            quality_max_crushed: 0.3,
            quality_probe_min_sharpness: 2.0,
            quality_probe_max_clipped: 0.7,
            quality_probe_max_crushed: 0.5,
            quality_max_yaw: 0.6,
            liveness_photo_threshold: 0.97,
            liveness_pattern_threshold: 0.05,
            liveness_mask_threshold: 0.52,
            liveness_deepfake_threshold: 0.77,
            liveness_covered_face_min_score: 0.3,
            tesseract_library: "libtesseract.so.5".to_owned(),
            ocr_recogniser: "crnn".to_owned(),
            ocr_id_masking: "all".to_owned(),
            fault_failing_engines: Vec::new(),
        }
    }
}

impl Settings {
    /// Loads defaults, then `config_file` if given, then `EKYC_*` variables.
    pub fn load(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(path) = config_file {
            if !path.is_file() {
                return Err(ConfigError::MissingFile(path.to_owned()));
            }
            figment = figment.merge(Toml::file(path));
        }
        figment
            .merge(Env::prefixed("EKYC_").ignore(&["config"]))
            .extract()
            .map_err(|e| ConfigError::Invalid(e.to_string()))
    }

    /// The folder holding verified model files.
    pub fn model_dir(&self) -> PathBuf {
        self.model_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("models"))
    }

    /// Number of inference threads, resolving 0 to the number of cores.
    pub fn inference_threads(&self) -> usize {
        match self.inference_workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

#[cfg(test)]
// figment's Jail API fixes the closure's error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "ekyc.toml",
                "listen = \"127.0.0.1:9\"\ninference_queue = 3\n",
            )?;
            jail.set_env("EKYC_INFERENCE_QUEUE", "7");
            jail.set_env("EKYC_DATA_DIR", "/srv/ekyc");
            let settings =
                Settings::load(Some(Path::new("ekyc.toml"))).map_err(|e| e.to_string())?;
            assert_eq!(settings.listen, "127.0.0.1:9");
            assert_eq!(settings.inference_queue, 7);
            assert_eq!(settings.data_dir, PathBuf::from("/srv/ekyc"));
            Ok(())
        });
    }

    #[test]
    fn models_default_to_the_data_dir() {
        let settings = Settings {
            data_dir: PathBuf::from("/srv/ekyc"),
            ..Settings::default()
        };
        assert_eq!(settings.model_dir(), PathBuf::from("/srv/ekyc/models"));
        let settings = Settings {
            model_dir: Some(PathBuf::from("/opt/m")),
            ..settings
        };
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
}
