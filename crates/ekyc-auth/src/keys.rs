//! The server's token-signing secret and the generation and hashing of
//! key pairs.

use std::fs;
use std::io::Write;
use std::path::Path;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};

use crate::AuthError;

const SIGNING_KEY_FILE: &str = "signing.key";
const MIN_SECRET_BYTES: usize = 32;
const ACCESS_KEY_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// The token-signing secret: the configured one (Base64), or the one kept
/// in `data_dir/signing.key`, generated on first use with owner-only
/// permissions.
pub fn signing_secret(configured: Option<&str>, data_dir: &Path) -> Result<Vec<u8>, AuthError> {
    if let Some(text) = configured {
        let secret = STANDARD
            .decode(text.trim())
            .map_err(AuthError::SigningKeyEncoding)?;
        if secret.len() < MIN_SECRET_BYTES {
            return Err(AuthError::SigningKeyTooShort {
                min_bytes: MIN_SECRET_BYTES,
            });
        }
        return Ok(secret);
    }
    let path = data_dir.join(SIGNING_KEY_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => signing_secret(Some(&text), data_dir),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_signing_key(&path),
        Err(source) => Err(AuthError::SigningKeyRead { path, source }),
    }
}

fn create_signing_key(path: &Path) -> Result<Vec<u8>, AuthError> {
    let io_error = |source| AuthError::SigningKeyWrite {
        path: path.to_owned(),
        source,
    };
    let mut secret = vec![0u8; MIN_SECRET_BYTES];
    OsRng.fill_bytes(&mut secret);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_error)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(STANDARD.encode(&secret).as_bytes())
                .map_err(io_error)?;
            tracing::info!(path = %path.display(), "generated a new token-signing key");
            Ok(secret)
        }
        // Another process (CLI and server) created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = fs::read_to_string(path).map_err(io_error)?;
            signing_secret(Some(&text), Path::new(""))
        }
        Err(e) => Err(io_error(e)),
    }
}

/// A fresh public access key: "AK" and 18 unambiguous characters.
pub(crate) fn new_access_key() -> String {
    let mut rng = OsRng;
    let body: String = (0..18)
        .map(|_| ACCESS_KEY_ALPHABET[rng.gen_range(0..ACCESS_KEY_ALPHABET.len())] as char)
        .collect();
    format!("AK{body}")
}

/// A fresh secret key: 256 random bits, URL-safe Base64.
pub(crate) fn new_secret_key() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("SK{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A fresh tenant id.
pub(crate) fn new_tenant_id() -> String {
    format!("tn_{}", uuid::Uuid::new_v4().simple())
}

/// Argon2id hash of a secret, in PHC string form (salt included).
pub(crate) fn hash_secret(secret: &str) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AuthError::Hashing)
}

/// Checks a secret against its stored hash in constant time.
pub(crate) fn secret_matches(secret: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(secret.as_bytes(), &hash)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_key_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = signing_secret(None, dir.path()).unwrap();
        let second = signing_secret(None, dir.path()).unwrap();
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(SIGNING_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0);
        }
    }

    #[test]
    fn configured_key_must_be_long_base64() {
        let dir = tempfile::tempdir().unwrap();
        assert!(signing_secret(Some("short"), dir.path()).is_err());
        assert!(signing_secret(Some(&STANDARD.encode([1u8; 8])), dir.path()).is_err());
        assert_eq!(
            signing_secret(Some(&STANDARD.encode([7u8; 32])), dir.path()).unwrap(),
            vec![7u8; 32]
        );
    }

    #[test]
    fn secrets_hash_and_verify() {
        let secret = new_secret_key();
        let hash = hash_secret(&secret).unwrap();
        assert!(!hash.contains(&secret));
        assert!(secret_matches(&secret, &hash));
        assert!(!secret_matches("SKwrong", &hash));
        assert!(!secret_matches(&secret, "not a hash"));
    }

    #[test]
    fn generated_ids_look_right() {
        let key = new_access_key();
        assert_eq!(key.len(), 20);
        assert!(key.starts_with("AK"));
        assert_ne!(new_secret_key(), new_secret_key());
        assert!(new_tenant_id().starts_with("tn_"));
    }
}
