//! The operations on tenants, keys and tokens that the CLI and the HTTP
//! layer share.

use std::path::PathBuf;
use std::sync::Arc;

use ekyc_store::{AccessKey, AccessKeyRecord, Store, StoreError, Tenant, TenantId};
use tokio::sync::Semaphore;

use crate::keys::{hash_secret, new_access_key, new_secret_key, new_tenant_id, secret_matches};
use crate::tokens::{Claims, TokenKind, TokenRejection, TokenSigner};

/// Tenant tokens issued without an explicit expiry last one year.
const DEFAULT_TENANT_TOKEN_SECS: i64 = 365 * 24 * 3600;

/// Lifetime of an access token unless the operator sets another: an hour
/// bounds what a leaked token can do without making clients log in often.
pub const DEFAULT_ACCESS_TOKEN_TTL_SECS: u64 = 3600;

/// Why an auth operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The access key does not exist or was revoked.
    #[error("unknown or revoked access key")]
    InvalidAccessKey,
    /// The secret does not match the access key.
    #[error("wrong secret key")]
    InvalidSecretKey,
    /// The access token's lifetime is over.
    #[error("access token expired")]
    AccessTokenExpired,
    /// The tenant token expired or its epoch was bumped.
    #[error("tenant token expired or revoked")]
    TenantTokenExpired,
    /// A token is missing, malformed, forged or of the wrong kind.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// The tenant named does not exist.
    #[error("no such tenant {0}")]
    UnknownTenant(String),
    /// The configured signing key is not Base64.
    #[error("invalid auth configuration: signing_key is not valid Base64")]
    SigningKeyEncoding(#[source] base64::DecodeError),
    /// The configured signing key is too short to resist guessing.
    #[error("invalid auth configuration: signing_key must be at least {min_bytes} bytes")]
    SigningKeyTooShort {
        /// The fewest bytes accepted.
        min_bytes: usize,
    },
    /// The signing key file exists but cannot be read.
    #[error("invalid auth configuration: cannot read {}", path.display())]
    SigningKeyRead {
        /// The key file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A new signing key could not be written.
    #[error("invalid auth configuration: cannot write {}", path.display())]
    SigningKeyWrite {
        /// The key file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// Argon2 failed to hash a secret.
    #[error("hashing failed")]
    Hashing(#[source] argon2::password_hash::Error),
    /// A token could not be signed.
    #[error("token signing failed")]
    Signing(#[source] jsonwebtoken::errors::Error),
    /// The hashing semaphore was closed.
    #[error("hashing closed")]
    HashingClosed(#[source] tokio::sync::AcquireError),
    /// The blocking hashing task panicked or was cancelled.
    #[error("blocking task failed")]
    HashingTask(#[source] tokio::task::JoinError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `tenant create` hands the operator, once.
#[derive(Debug, Clone)]
pub struct NewTenant {
    /// The new tenant's id.
    pub tenant_id: TenantId,
    /// Its long-lived tenant token.
    pub tenant_token: String,
    /// Its first key pair's public half.
    pub access_key: AccessKey,
    /// Its first key pair's secret half, shown only now.
    pub secret_key: String,
}

/// A new key pair; the secret is never retrievable again.
#[derive(Debug, Clone)]
pub struct NewKey {
    /// The public half.
    pub access_key: AccessKey,
    /// The secret half, shown only now.
    pub secret_key: String,
}

/// The answer to `POST /v1/auth/token`.
#[derive(Debug, Clone)]
pub struct IssuedAccessToken {
    /// The tenant the key acts for.
    pub tenant_id: TenantId,
    /// The signed token.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// Who is calling: established from both tokens on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The tenant whose tenant token came with the call.
    pub tenant_id: TenantId,
    /// The key whose access token came with it.
    pub access_key: AccessKey,
}

/// Tenants, keys and tokens over a [`Store`].
pub struct Auth {
    store: Arc<dyn Store>,
    signer: TokenSigner,
    access_token_ttl_secs: u64,
    /// Argon2 runs take ~19 MiB and tens of milliseconds each: at most one
    /// per core at a time, so that a burst of token requests queues
    /// instead of multiplying memory.
    hashing: Semaphore,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Auth {
    /// Tenants, keys and tokens over `store`, tokens signed with
    /// `signing_secret` and access tokens living `access_token_ttl_secs`.
    pub fn new(store: Arc<dyn Store>, signing_secret: &[u8], access_token_ttl_secs: u64) -> Self {
        Self {
            store,
            signer: TokenSigner::new(signing_secret),
            access_token_ttl_secs,
            hashing: Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get())),
        }
    }

    /// Creates a tenant with its first key pair and tenant token.
    /// `expires_at` (Unix seconds) ends the tenant token's validity.
    pub async fn create_tenant(
        &self,
        name: &str,
        expires_at: Option<i64>,
    ) -> Result<NewTenant, AuthError> {
        let tenant = Tenant {
            id: TenantId::new(new_tenant_id()),
            name: name.to_owned(),
            token_epoch: 0,
            created_at: now(),
        };
        self.store.create_tenant(&tenant).await?;
        let key = self.create_key(&tenant.id).await?;
        let tenant_token = self.sign_tenant_token(&tenant, expires_at)?;
        tracing::info!(tenant = %tenant.id, "tenant created");
        Ok(NewTenant {
            tenant_id: tenant.id,
            tenant_token,
            access_key: key.access_key,
            secret_key: key.secret_key,
        })
    }

    /// Every tenant.
    pub async fn tenants(&self) -> Result<Vec<Tenant>, AuthError> {
        Ok(self.store.tenants().await?)
    }

    /// Adds a key pair to a tenant.
    pub async fn create_key(&self, tenant_id: &TenantId) -> Result<NewKey, AuthError> {
        self.existing_tenant(tenant_id).await?;
        let secret_key = new_secret_key();
        let secret_hash = self
            .run_hashing({
                let secret = secret_key.clone();
                move || hash_secret(&secret)
            })
            .await?;
        let record = AccessKeyRecord {
            access_key: AccessKey::new(new_access_key()),
            tenant_id: tenant_id.clone(),
            secret_hash,
            created_at: now(),
            revoked_at: None,
        };
        self.store.create_key(&record).await?;
        Ok(NewKey {
            access_key: record.access_key,
            secret_key,
        })
    }

    /// Revokes a key: its secret and its access tokens stop working at once.
    pub async fn revoke_key(&self, access_key: &AccessKey) -> Result<bool, AuthError> {
        Ok(self.store.revoke_key(access_key, now()).await?)
    }

    /// Issues a new tenant token; earlier ones stay valid until they expire
    /// or [`Auth::revoke_tenant_tokens`] is called.
    pub async fn issue_tenant_token(
        &self,
        tenant_id: &TenantId,
        expires_at: Option<i64>,
    ) -> Result<String, AuthError> {
        let tenant = self.existing_tenant(tenant_id).await?;
        self.sign_tenant_token(&tenant, expires_at)
    }

    /// Revokes every tenant token issued so far for this tenant.
    pub async fn revoke_tenant_tokens(&self, tenant_id: &TenantId) -> Result<(), AuthError> {
        self.store
            .bump_token_epoch(tenant_id)
            .await
            .map_err(|e| match e {
                StoreError::UnknownTenant(id) => AuthError::UnknownTenant(id),
                other => other.into(),
            })?;
        Ok(())
    }

    /// Exchanges a key pair for an access token.
    pub async fn issue_access_token(
        &self,
        access_key: &AccessKey,
        secret_key: &str,
    ) -> Result<IssuedAccessToken, AuthError> {
        let record = self
            .store
            .key(access_key)
            .await?
            .filter(|k| k.revoked_at.is_none())
            .ok_or(AuthError::InvalidAccessKey)?;
        let matches = self
            .run_hashing({
                let secret = secret_key.to_owned();
                move || Ok(secret_matches(&secret, &record.secret_hash))
            })
            .await?;
        if !matches {
            return Err(AuthError::InvalidSecretKey);
        }
        let issued_at = now();
        let claims = Claims {
            typ: TokenKind::Access,
            tid: record.tenant_id.as_str().to_owned(),
            sub: Some(record.access_key.into_string()),
            ep: None,
            iat: issued_at,
            exp: issued_at + self.access_token_ttl_secs as i64,
        };
        Ok(IssuedAccessToken {
            tenant_id: record.tenant_id,
            token: self.sign(&claims)?,
            expires_in: self.access_token_ttl_secs,
        })
    }

    /// Establishes the caller from the access token and the tenant token.
    pub async fn authenticate(
        &self,
        access_token: Option<&str>,
        tenant_token: Option<&str>,
    ) -> Result<Principal, AuthError> {
        let access_token =
            access_token.ok_or(AuthError::Unauthorized("missing bearer access token"))?;
        let access = self
            .signer
            .verify(access_token, TokenKind::Access)
            .map_err(|r| match r {
                TokenRejection::Expired => AuthError::AccessTokenExpired,
                TokenRejection::Invalid => AuthError::Unauthorized("invalid access token"),
            })?;
        let access_key = AccessKey::new(
            access
                .sub
                .ok_or(AuthError::Unauthorized("invalid access token"))?,
        );
        let key_is_active = self
            .store
            .key(&access_key)
            .await?
            .is_some_and(|k| k.revoked_at.is_none() && k.tenant_id.as_str() == access.tid);
        if !key_is_active {
            return Err(AuthError::InvalidAccessKey);
        }
        let tenant_token = tenant_token.ok_or(AuthError::Unauthorized("missing tenant token"))?;
        let tenant_claims = self
            .signer
            .verify(tenant_token, TokenKind::Tenant)
            .map_err(|r| match r {
                TokenRejection::Expired => AuthError::TenantTokenExpired,
                TokenRejection::Invalid => AuthError::Unauthorized("invalid tenant token"),
            })?;
        if tenant_claims.tid != access.tid {
            return Err(AuthError::Unauthorized(
                "tenant token belongs to another tenant",
            ));
        }
        let tenant_id = TenantId::new(tenant_claims.tid);
        let tenant = self.store.tenant(&tenant_id).await?;
        if tenant.is_none_or(|t| Some(t.token_epoch) != tenant_claims.ep) {
            return Err(AuthError::TenantTokenExpired);
        }
        Ok(Principal {
            tenant_id,
            access_key,
        })
    }

    async fn existing_tenant(&self, tenant_id: &TenantId) -> Result<Tenant, AuthError> {
        self.store
            .tenant(tenant_id)
            .await?
            .ok_or_else(|| AuthError::UnknownTenant(tenant_id.to_string()))
    }

    fn sign_tenant_token(
        &self,
        tenant: &Tenant,
        expires_at: Option<i64>,
    ) -> Result<String, AuthError> {
        let issued_at = now();
        self.sign(&Claims {
            typ: TokenKind::Tenant,
            tid: tenant.id.as_str().to_owned(),
            sub: None,
            ep: Some(tenant.token_epoch),
            iat: issued_at,
            exp: expires_at.unwrap_or(issued_at + DEFAULT_TENANT_TOKEN_SECS),
        })
    }

    fn sign(&self, claims: &Claims) -> Result<String, AuthError> {
        self.signer.sign(claims).map_err(AuthError::Signing)
    }
}

impl Auth {
    /// Runs an Argon2 job off the async runtime, one per core at a time.
    async fn run_hashing<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AuthError> + Send + 'static,
    ) -> Result<T, AuthError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(AuthError::HashingClosed)?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(work))
            .await
            .map_err(AuthError::HashingTask)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ekyc_store::SqlStore;

    async fn auth() -> (tempfile::TempDir, Auth) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqlStore::sqlite(&dir.path().join("db")).await.unwrap();
        (dir, Auth::new(Arc::new(store), &[9u8; 32], 3600))
    }

    #[tokio::test]
    async fn full_flow_and_error_codes() {
        let (_dir, auth) = auth().await;
        let tenant = auth.create_tenant("bank", None).await.unwrap();
        assert!(matches!(
            auth.issue_access_token(&AccessKey::from("AKNOPE"), &tenant.secret_key)
                .await,
            Err(AuthError::InvalidAccessKey)
        ));
        assert!(matches!(
            auth.issue_access_token(&tenant.access_key, "SKwrong").await,
            Err(AuthError::InvalidSecretKey)
        ));
        let access = auth
            .issue_access_token(&tenant.access_key, &tenant.secret_key)
            .await
            .unwrap();
        let principal = auth
            .authenticate(Some(&access.token), Some(&tenant.tenant_token))
            .await
            .unwrap();
        assert_eq!(principal.tenant_id, tenant.tenant_id);
        assert!(matches!(
            auth.authenticate(Some(&access.token), None).await,
            Err(AuthError::Unauthorized(_))
        ));
        assert!(matches!(
            auth.authenticate(Some(&tenant.tenant_token), Some(&tenant.tenant_token))
                .await,
            Err(AuthError::Unauthorized(_))
        ));
    }

    #[tokio::test]
    async fn tenant_tokens_do_not_cross_tenants_and_can_be_revoked() {
        let (_dir, auth) = auth().await;
        let a = auth.create_tenant("a", None).await.unwrap();
        let b = auth.create_tenant("b", None).await.unwrap();
        let access_a = auth
            .issue_access_token(&a.access_key, &a.secret_key)
            .await
            .unwrap();
        assert!(matches!(
            auth.authenticate(Some(&access_a.token), Some(&b.tenant_token))
                .await,
            Err(AuthError::Unauthorized(_))
        ));
        auth.revoke_tenant_tokens(&a.tenant_id).await.unwrap();
        assert!(matches!(
            auth.authenticate(Some(&access_a.token), Some(&a.tenant_token))
                .await,
            Err(AuthError::TenantTokenExpired)
        ));
        let reissued = auth.issue_tenant_token(&a.tenant_id, None).await.unwrap();
        assert!(auth
            .authenticate(Some(&access_a.token), Some(&reissued))
            .await
            .is_ok());
    }

    #[tokio::test]
    async fn revoked_key_stops_its_tokens() {
        let (_dir, auth) = auth().await;
        let t = auth.create_tenant("a", None).await.unwrap();
        let access = auth
            .issue_access_token(&t.access_key, &t.secret_key)
            .await
            .unwrap();
        assert!(auth.revoke_key(&t.access_key).await.unwrap());
        assert!(matches!(
            auth.authenticate(Some(&access.token), Some(&t.tenant_token))
                .await,
            Err(AuthError::InvalidAccessKey)
        ));
        assert!(matches!(
            auth.issue_access_token(&t.access_key, &t.secret_key).await,
            Err(AuthError::InvalidAccessKey)
        ));
    }

    #[tokio::test]
    async fn expired_tenant_token() {
        let (_dir, auth) = auth().await;
        let t = auth.create_tenant("a", Some(now() - 3600)).await.unwrap();
        let access = auth
            .issue_access_token(&t.access_key, &t.secret_key)
            .await
            .unwrap();
        assert!(matches!(
            auth.authenticate(Some(&access.token), Some(&t.tenant_token))
                .await,
            Err(AuthError::TenantTokenExpired)
        ));
        assert!(matches!(
            auth.create_key(&TenantId::from("tn_missing")).await,
            Err(AuthError::UnknownTenant(_))
        ));
    }
}
