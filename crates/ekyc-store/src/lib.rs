//! Persistent storage behind one trait, [`Store`], so that the server runs
//! on the embedded SQLite default or on a shared PostgreSQL database
//! without any caller changing.
//!
//! Times are Unix seconds (`i64`) to keep the schema portable.
//!
//! User codes (often phone numbers or e-mail addresses) never reach the
//! store in plain: the vault hands it a keyed hash, the *user key*, to
//! find rows by, and a sealed copy where a code must be given back.

mod audit_trail;
mod ids;
mod migrations;
mod records;
mod sql;
mod vector;

pub use audit_trail::{Appended, AuditTrail, SpoolFull, AUDIT_SPOOL_CAPACITY};
pub use ids::{AccessKey, TenantId, UserCode, UserKey};
pub use records::{
    AccessKeyRecord, AuditRecord, EnrolledUser, FaceTemplate, GalleryRow, LegacyUser, Tenant,
    TenantKey, UnsealedTemplate, VerifyAttempts, WrappedKey,
};
pub use sql::SqlStore;
pub use vector::{vector_from_bytes, vector_to_bytes};

use async_trait::async_trait;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or could not be reached.
    #[error("database error")]
    Database(#[source] sqlx::Error),
    /// The configured database URL names no backend the store has.
    #[error("database error: database_url must start with postgres:// or sqlite://")]
    UnsupportedUrl,
    /// A row with that key exists (a unique constraint).
    #[error("{0} already exists")]
    Conflict(String),
    /// A row names a tenant that does not exist (a foreign key).
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
            _ => Self::Database(e),
        }
    }
}

/// The storage every part of the server goes through.
#[async_trait]
pub trait Store: Send + Sync {
    /// Answers when the database is reachable.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Adds a tenant.
    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    /// The tenant `id`, if it exists.
    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>, StoreError>;
    /// Every tenant.
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;
    /// Bumps the tenant's token epoch and returns the new one.
    async fn bump_token_epoch(&self, tenant_id: &TenantId) -> Result<i64, StoreError>;
    /// Erases a tenant with its keys, users, templates and data key, so
    /// that nothing of it can be decrypted again; false when there was none.
    async fn delete_tenant(&self, tenant_id: &TenantId) -> Result<bool, StoreError>;

    /// The tenant's wrapped data key, if one was made.
    async fn tenant_key(&self, tenant_id: &TenantId) -> Result<Option<WrappedKey>, StoreError>;
    /// Stores a tenant's first data key; false (and nothing changed) when
    /// another node stored one first.
    async fn insert_tenant_key(
        &self,
        tenant_id: &TenantId,
        key: &WrappedKey,
        at: i64,
    ) -> Result<bool, StoreError>;
    /// Every tenant's wrapped key, for re-wrapping under a new master key.
    async fn tenant_keys(&self) -> Result<Vec<TenantKey>, StoreError>;
    /// Replaces a wrapped key if it is still the one wrapped under
    /// `previous_kek_id`; false when it changed meanwhile.
    async fn rewrap_tenant_key(
        &self,
        tenant_id: &TenantId,
        previous_kek_id: &str,
        key: &WrappedKey,
    ) -> Result<bool, StoreError>;

    /// Stores a new key pair's record.
    async fn create_key(&self, key: &AccessKeyRecord) -> Result<(), StoreError>;
    /// The record of `access_key`, revoked or not.
    async fn key(&self, access_key: &AccessKey) -> Result<Option<AccessKeyRecord>, StoreError>;
    /// Marks a key revoked; false when there was no such active key.
    async fn revoke_key(&self, access_key: &AccessKey, at: i64) -> Result<bool, StoreError>;

    /// Stores a user's templates, replacing whatever the user had.
    /// Templates arrive sealed, the user code as its key and sealed copy:
    /// the store never sees a plain one.
    async fn enrol(
        &self,
        tenant_id: &TenantId,
        user: &EnrolledUser<UserKey>,
        sealed_user_code: &[u8],
        at: i64,
    ) -> Result<(), StoreError>;
    /// The user and its templates, if enrolled.
    async fn enrolled(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<Option<EnrolledUser<UserKey>>, StoreError>;
    /// Erases a user and all its templates; false when there was none.
    async fn delete_user(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<bool, StoreError>;
    /// A counter that changes with every enrolment or deletion in the
    /// tenant: a cached 1:N gallery is current while it is unchanged.
    async fn enrolment_epoch(&self, tenant_id: &TenantId) -> Result<i64, StoreError>;
    /// Every sealed template of one engine and model in the tenant, with
    /// its user: the 1:N gallery.
    async fn tenant_templates(
        &self,
        tenant_id: &TenantId,
        engine: &str,
        model_version: &str,
    ) -> Result<Vec<GalleryRow>, StoreError>;
    /// Templates written before encryption existed, with their owners.
    async fn unsealed_templates(&self) -> Result<Vec<UnsealedTemplate>, StoreError>;
    /// Replaces one unsealed template by its sealed form.
    async fn seal_template(
        &self,
        tenant_id: &TenantId,
        user_code: &UserCode,
        sealed: &FaceTemplate,
    ) -> Result<(), StoreError>;

    /// Users whose code is still stored in plain (written before user
    /// codes were hashed).
    async fn legacy_user_codes(&self) -> Result<Vec<LegacyUser>, StoreError>;
    /// Moves a legacy user (its row, templates and verify attempts) from
    /// its plain code to its key and sealed copy, in one transaction.
    async fn seal_user_code(
        &self,
        tenant_id: &TenantId,
        plain_user_code: &UserCode,
        user_key: &UserKey,
        sealed_user_code: &[u8],
    ) -> Result<(), StoreError>;
    /// Leaves no readable copy of rows just erased or rewritten.
    async fn erase_traces(&self);

    /// The user's failures and lock, for the lockout.
    async fn verify_attempts(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<VerifyAttempts, StoreError>;
    /// Reserves one verification of the user before its comparison, in a
    /// single statement (so requests on any node cannot all slip through
    /// at once): granted while the user is not locked at `now` and its
    /// failures plus the verifications in progress stay under `limit`.
    /// Reservations last made before `stale_before` belong to requests
    /// that died and no longer count. `None` when refused.
    async fn reserve_verify_attempt(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
        limit: u32,
        now: i64,
        stale_before: i64,
    ) -> Result<Option<VerifyAttempts>, StoreError>;
    /// Gives a reservation back unused (no comparison took place).
    async fn release_verify_attempt(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<(), StoreError>;
    /// Counts one more failed verification and gives its reservation
    /// back, in a single statement (two nodes or requests failing at once
    /// must both count); returns the attempts as they are after it.
    async fn count_verify_failure(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<VerifyAttempts, StoreError>;
    /// Locks the user until `locked_until` and starts the failure count
    /// afresh, provided no other request has locked them since it saw
    /// `seen_lockouts` locks. Returns whether this call locked.
    async fn lock_verify(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
        seen_lockouts: u32,
        locked_until: i64,
    ) -> Result<bool, StoreError>;
    /// Forgets the user's failures and locks and gives the matching
    /// verification's reservation back.
    async fn clear_verify_attempts(
        &self,
        tenant_id: &TenantId,
        user_key: &UserKey,
    ) -> Result<(), StoreError>;

    /// Appends one audit record.
    async fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError>;
    /// The tenant's latest record with this transaction id.
    async fn audit_record(
        &self,
        tenant_id: &TenantId,
        trx_id: &str,
    ) -> Result<Option<AuditRecord>, StoreError>;
    /// The tenant's records, newest first, those before `before_seq` when given.
    async fn audit_page(
        &self,
        tenant_id: &TenantId,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError>;
    /// Deletes records older than `before_ms`; returns how many.
    async fn purge_audit(&self, before_ms: i64) -> Result<u64, StoreError>;
}
