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

use ekyc_store::{TenantId, UserCode, UserKey};

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
pub(crate) fn user_key(data_key: &SecretKey, user_code: &UserCode) -> Result<UserKey, VaultError> {
    let lookup = keyed(data_key.as_slice(), b"ekyc user code lookup v1")?;
    Ok(UserKey::new(hex::encode(keyed(
        &lookup,
        user_code.as_str().as_bytes(),
    )?)))
}

fn context(tenant_id: &TenantId, user_key: &UserKey) -> Vec<u8> {
    [
        b"ekyc user code v1".as_slice(),
        tenant_id.as_str().as_bytes(),
        user_key.as_str().as_bytes(),
    ]
    .join(&0u8)
}

pub(crate) fn seal_user_code(
    data_key: &SecretKey,
    tenant_id: &TenantId,
    user_key: &UserKey,
    user_code: &UserCode,
) -> Result<Vec<u8>, VaultError> {
    seal(
        data_key,
        &context(tenant_id, user_key),
        user_code.as_str().as_bytes(),
    )
}

pub(crate) fn open_user_code(
    data_key: &SecretKey,
    tenant_id: &TenantId,
    user_key: &UserKey,
    sealed: &[u8],
) -> Result<UserCode, VaultError> {
    let plain = open(data_key, &context(tenant_id, user_key), sealed)?;
    String::from_utf8(plain.to_vec())
        .map(UserCode::new)
        .map_err(|_| VaultError::Crypto)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_per_tenant_key_and_reveal_nothing() {
        let (a, b) = (SecretKey::new([1; 32]), SecretKey::new([2; 32]));
        let key =
            |k: &SecretKey, code: &str| user_key(k, &UserCode::from(code)).unwrap().into_string();
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
        let (a, b) = (TenantId::from("a"), TenantId::from("b"));
        let kim = UserCode::from("kim@bank.kr");
        let stored_as = user_key(&key, &kim).unwrap();
        let sealed = seal_user_code(&key, &a, &stored_as, &kim).unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("kim@bank.kr"));
        assert_eq!(
            open_user_code(&key, &a, &stored_as, &sealed)
                .unwrap()
                .as_str(),
            "kim@bank.kr"
        );
        assert!(open_user_code(&key, &b, &stored_as, &sealed).is_err());
        let other = user_key(&key, &UserCode::from("lee@bank.kr")).unwrap();
        assert!(open_user_code(&key, &a, &other, &sealed).is_err());
    }
}
