//! The key hierarchy: master keys (from the operator, never stored) wrap
//! one random data key per tenant; data keys seal the templates.
//!
//! Losing a tenant's wrapped data key makes its templates unreadable for
//! good, which is what deleting a tenant relies on (crypto-shredding).

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::VaultError;

pub(crate) const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;
/// First byte of every sealed value: the format, so it can evolve.
const FORMAT_V1: u8 = 1;

/// A 256-bit key that is wiped from memory when dropped.
pub(crate) type SecretKey = Zeroizing<[u8; KEY_BYTES]>;

/// One master key and the public id that wrapped keys record.
pub(crate) struct MasterKey {
    pub id: String,
    pub key: SecretKey,
}

impl MasterKey {
    fn parse(base64_text: &str, what: &str) -> Result<Self, VaultError> {
        // The decoder's error is not kept: it quotes the offending byte,
        // a byte of the key.
        let bytes = Zeroizing::new(
            STANDARD
                .decode(base64_text.trim())
                .map_err(|_| VaultError::Config(format!("{what} is not valid Base64")))?,
        );
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        if bytes.len() != KEY_BYTES {
            return Err(VaultError::Config(format!(
                "{what} must be {KEY_BYTES} bytes, got {}",
                bytes.len()
            )));
        }
        key.copy_from_slice(&bytes);
        Ok(Self {
            id: key_id(&key),
            key,
        })
    }
}

/// The id of a master key: a hash prefix, which tells keys apart without
/// revealing them.
fn key_id(key: &[u8; KEY_BYTES]) -> String {
    let digest = Sha256::new()
        .chain_update(b"ekyc master key id\0")
        .chain_update(key)
        .finalize();
    hex::encode(&digest[..8])
}

/// Where the master key comes from, as the operator configured it.
#[derive(Debug, Clone, Default)]
pub struct MasterKeySource {
    /// Base64 of 32 bytes.
    pub key: Option<String>,
    /// A file holding the Base64 key, outside the data dir.
    pub key_file: Option<PathBuf>,
    /// Earlier master keys, still accepted for unwrapping while
    /// `ekyc keys rewrap` moves every tenant key to the current one.
    pub previous: Vec<String>,
}

/// The current master key, which wraps new data keys, and earlier ones
/// that can still unwrap.
pub struct MasterKeys {
    pub(crate) current: MasterKey,
    pub(crate) previous: Vec<MasterKey>,
}

impl MasterKeys {
    /// Reads the configured keys. A key file inside `data_dir` is refused:
    /// a copy of the data must not carry the key that opens it.
    pub fn load(source: &MasterKeySource, data_dir: &Path) -> Result<Self, VaultError> {
        let current = match (&source.key, &source.key_file) {
            (Some(text), _) => MasterKey::parse(text, "master_key")?,
            (None, Some(path)) => {
                MasterKey::parse(&read_key_file(path, data_dir)?, "master_key_file")?
            }
            (None, None) => {
                return Err(VaultError::Config(
                    "no master key: set master_key (EKYC_MASTER_KEY) or master_key_file".to_owned(),
                ))
            }
        };
        let previous = source
            .previous
            .iter()
            .map(|text| MasterKey::parse(text, "previous_master_keys"))
            .collect::<Result<_, _>>()?;
        Ok(Self { current, previous })
    }

    /// The id of the key that wraps new data keys.
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    pub(crate) fn find(&self, id: &str) -> Option<&MasterKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
    }
}

fn read_key_file(path: &Path, data_dir: &Path) -> Result<Zeroizing<String>, VaultError> {
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
    if absolute(path).starts_with(absolute(data_dir)) {
        return Err(VaultError::Config(format!(
            "master_key_file {} is inside the data dir: keep it elsewhere",
            path.display()
        )));
    }
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|source| VaultError::KeyFile {
            path: path.to_owned(),
            source,
        })
}

/// A fresh random key, e.g. a tenant's data key.
pub(crate) fn random_key() -> SecretKey {
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    OsRng.fill_bytes(key.as_mut_slice());
    key
}

/// A fresh master key in Base64, for `ekyc keys generate`.
pub fn generate_master_key() -> String {
    STANDARD.encode(random_key().as_slice())
}

/// Encrypts `plain` with XChaCha20-Poly1305 under a random nonce, bound
/// to `context` (authenticated, not stored): a value moved to another
/// row does not decrypt.
pub(crate) fn seal(
    key: &[u8; KEY_BYTES],
    context: &[u8],
    plain: &[u8],
) -> Result<Vec<u8>, VaultError> {
    let mut nonce = [0u8; NONCE_BYTES];
    OsRng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(key.into());
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: context,
            },
        )
        .map_err(|_| VaultError::Crypto)?;
    let mut out = Vec::with_capacity(1 + NONCE_BYTES + sealed.len());
    out.push(FORMAT_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Reverses [`seal`]; any change to the value, the key or the context fails.
pub(crate) fn open(
    key: &[u8; KEY_BYTES],
    context: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let Some((&FORMAT_V1, rest)) = sealed.split_first() else {
        return Err(VaultError::Crypto);
    };
    if rest.len() < NONCE_BYTES {
        return Err(VaultError::Crypto);
    }
    let (nonce, body) = rest.split_at(NONCE_BYTES);
    XChaCha20Poly1305::new(key.into())
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: context,
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| VaultError::Crypto)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(key: &str) -> MasterKeySource {
        MasterKeySource {
            key: Some(key.to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn sealing_binds_key_and_context() {
        let key = random_key();
        let sealed = seal(&key, b"tenant a", b"template").unwrap();
        assert_eq!(
            open(&key, b"tenant a", &sealed).unwrap().as_slice(),
            b"template"
        );
        assert!(open(&key, b"tenant b", &sealed).is_err());
        assert!(open(&random_key(), b"tenant a", &sealed).is_err());
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(open(&key, b"tenant a", &flipped).is_err());
        assert!(open(&key, b"tenant a", &sealed[..10]).is_err());
        assert!(open(&key, b"tenant a", &[]).is_err());
    }

    #[test]
    fn master_keys_are_checked_and_named() {
        let dir = tempfile::tempdir().unwrap();
        let text = generate_master_key();
        let keys = MasterKeys::load(&source(&text), dir.path()).unwrap();
        assert_eq!(keys.current_id().len(), 16);
        assert!(keys.find(keys.current_id()).is_some());
        assert!(MasterKeys::load(&source("c2hvcnQ="), dir.path()).is_err());
        assert!(MasterKeys::load(&source("not base64!"), dir.path()).is_err());
        assert!(MasterKeys::load(&MasterKeySource::default(), dir.path()).is_err());
    }

    #[test]
    fn key_file_must_live_outside_the_data_dir() {
        let data = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let text = generate_master_key();
        for dir in [data.path(), elsewhere.path()] {
            std::fs::write(dir.join("master.key"), &text).unwrap();
        }
        let from = |dir: &Path| MasterKeySource {
            key_file: Some(dir.join("master.key")),
            ..Default::default()
        };
        assert!(MasterKeys::load(&from(data.path()), data.path()).is_err());
        assert!(MasterKeys::load(&from(elsewhere.path()), data.path()).is_ok());
    }
}
