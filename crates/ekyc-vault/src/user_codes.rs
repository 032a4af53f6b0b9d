//! User codes at rest. A code is looked up by its *user key*, an
//! HMAC-SHA256 of the code under a key derived from the tenant's data key:
//! equal codes give equal keys within a tenant (so rows can be found),
//! but the database alone does not reveal a code, nor whether two tenants
//! have the same user. Where a code must be given back (1:N search) it is
//! also kept sealed with XChaCha20-Poly1305 under the tenant's data key,
//! bound to the tenant and the user key. Deleting the tenant's data key
//! makes both useless.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::keys::{open, seal, SecretKey};
use crate::VaultError;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 (which takes keys of any length, so never fails here).
fn keyed(key: &[u8], message: &[u8]) -> Result<[u8; 32], VaultError> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).map_err(|_| VaultError::Crypto)?;
    mac.update(message);
    Ok(mac.finalize().into_bytes().into())
}

/// The key a user's rows are stored and found under (64 hex digits),
/// hashed under a subkey kept apart from the key that seals.
pub(crate) fn user_key(data_key: &SecretKey, user_code: &str) -> Result<String, VaultError> {
    let lookup = keyed(data_key.as_slice(), b"ekyc user code lookup v1")?;
    Ok(hex::encode(keyed(&lookup, user_code.as_bytes())?))
}

fn context(tenant_id: &str, user_key: &str) -> Vec<u8> {
    [
        b"ekyc user code v1".as_slice(),
        tenant_id.as_bytes(),
        user_key.as_bytes(),
    ]
    .join(&0u8)
}

pub(crate) fn seal_user_code(
    data_key: &SecretKey,
    tenant_id: &str,
    user_key: &str,
    user_code: &str,
) -> Result<Vec<u8>, VaultError> {
    seal(
        data_key,
        &context(tenant_id, user_key),
        user_code.as_bytes(),
    )
}

pub(crate) fn open_user_code(
    data_key: &SecretKey,
    tenant_id: &str,
    user_key: &str,
    sealed: &[u8],
) -> Result<String, VaultError> {
    let plain = open(data_key, &context(tenant_id, user_key), sealed)?;
    String::from_utf8(plain.to_vec()).map_err(|_| VaultError::Crypto)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_per_tenant_key_and_reveal_nothing() {
        let (a, b) = (SecretKey::new([1; 32]), SecretKey::new([2; 32]));
        let key = |k: &SecretKey, code: &str| user_key(k, code).unwrap();
        let code = "01012345678";
        assert_eq!(key(&a, code), key(&a, code));
        assert_ne!(key(&a, code), key(&b, code), "other tenant");
        assert_ne!(key(&a, code), key(&a, "01012345679"));
        assert!(!key(&a, code).contains(code));
        assert_eq!(key(&a, code).len(), 64);
    }

    #[test]
    fn a_sealed_code_opens_only_in_its_own_row() {
        let key = SecretKey::new([1; 32]);
        let stored_as = user_key(&key, "kim@bank.kr").unwrap();
        let sealed = seal_user_code(&key, "a", &stored_as, "kim@bank.kr").unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("kim@bank.kr"));
        assert_eq!(
            open_user_code(&key, "a", &stored_as, &sealed).unwrap(),
            "kim@bank.kr"
        );
        assert!(open_user_code(&key, "b", &stored_as, &sealed).is_err());
        let other = user_key(&key, "lee@bank.kr").unwrap();
        assert!(open_user_code(&key, "a", &other, &sealed).is_err());
    }
}
