//! Persistent storage behind one trait, [`Store`], so that the server can
//! run on the embedded SQLite default or, later, on a shared database
//! without any caller changing.
//!
//! Times are Unix seconds (`i64`) to keep the schema portable.

mod sqlite;

pub use sqlite::SqliteStore;

use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("{0} already exists")]
    Conflict(String),
    #[error("no such tenant {0}")]
    UnknownTenant(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict(db.message().to_owned())
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                Self::UnknownTenant(db.message().to_owned())
            }
            _ => Self::Database(e.to_string()),
        }
    }
}

/// A customer organisation; every other record belongs to exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    /// Tenant tokens carry the epoch they were issued in; bumping it
    /// revokes every tenant token issued before.
    pub token_epoch: i64,
    pub created_at: i64,
}

/// A key pair's stored half: the secret only as a slow hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyRecord {
    pub access_key: String,
    pub tenant_id: String,
    pub secret_hash: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// One engine's template of one user.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceTemplate {
    pub engine: String,
    /// The exact model that made it; templates of other versions are
    /// never compared with it.
    pub model_version: String,
    pub template: Vec<u8>,
}

/// Everything stored for one enrolled user.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolledUser {
    pub user_code: String,
    pub preferred_engine: String,
    pub templates: Vec<FaceTemplate>,
}

/// The storage every part of the server goes through.
#[async_trait]
pub trait Store: Send + Sync {
    /// Answers when the database is reachable.
    async fn ping(&self) -> Result<(), StoreError>;

    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    async fn tenant(&self, id: &str) -> Result<Option<Tenant>, StoreError>;
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;
    /// Bumps the tenant's token epoch and returns the new one.
    async fn bump_token_epoch(&self, tenant_id: &str) -> Result<i64, StoreError>;

    async fn create_key(&self, key: &AccessKeyRecord) -> Result<(), StoreError>;
    async fn key(&self, access_key: &str) -> Result<Option<AccessKeyRecord>, StoreError>;
    /// Marks a key revoked; false when there was no such active key.
    async fn revoke_key(&self, access_key: &str, at: i64) -> Result<bool, StoreError>;

    /// Stores a user's templates, replacing whatever the user had.
    async fn enroll(&self, tenant_id: &str, user: &EnrolledUser, at: i64)
        -> Result<(), StoreError>;
    async fn enrolled(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<Option<EnrolledUser>, StoreError>;
    /// Erases a user and all its templates; false when there was none.
    async fn delete_user(&self, tenant_id: &str, user_code: &str) -> Result<bool, StoreError>;
}
