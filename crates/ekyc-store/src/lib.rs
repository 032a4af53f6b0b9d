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
mod migrations;
mod sql;

pub use audit_trail::{Appended, AuditTrail, SpoolFull, AUDIT_SPOOL_CAPACITY};
pub use sql::SqlStore;

use async_trait::async_trait;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Database(String),
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
            _ => Self::Database(e.to_string()),
        }
    }
}

/// A customer organisation; every other record belongs to exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// Its `tn_…` id.
    pub id: String,
    /// The operator's name for it.
    pub name: String,
    /// Tenant tokens carry the epoch they were issued in; bumping it
    /// revokes every tenant token issued before.
    pub token_epoch: i64,
    /// Unix seconds.
    pub created_at: i64,
}

/// A key pair's stored half: the secret only as a slow hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyRecord {
    /// The public `AK…` half.
    pub access_key: String,
    /// The tenant it acts for.
    pub tenant_id: String,
    /// Argon2 hash of the secret half.
    pub secret_hash: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of revocation; a revoked key gets no more tokens.
    pub revoked_at: Option<i64>,
}

/// One engine's template of one user.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceTemplate {
    /// The engine's contract name (`ezway`, `applemango`).
    pub engine: String,
    /// The exact model that made it; templates of other versions are
    /// never compared with it.
    pub model_version: String,
    /// The vault's sealed vector.
    pub template: Vec<u8>,
}

/// A tenant's data key, encrypted ("wrapped") under a master key that is
/// never stored. `kek_id` names that master key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Names the master key that wrapped it.
    pub kek_id: String,
    /// The data key, sealed.
    pub wrapped: Vec<u8>,
}

/// Consecutive failed verifications of one user, for the lockout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifyAttempts {
    /// Mismatches since the last match or lock.
    pub failures: u32,
    /// Locks so far without a match in between; each lasts longer.
    pub lockouts: u32,
    /// Unix seconds until which verification is refused (0: not locked).
    pub locked_until: i64,
}

/// One request as the audit trail keeps it: who, what, the outcome,
/// never the payload.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// Order of insertion; the cursor of paged listings. Ignored on append.
    pub seq: i64,
    /// The request's transaction id.
    pub trx_id: String,
    /// Unix milliseconds.
    pub at_ms: i64,
    /// The calling tenant, once authenticated.
    pub tenant_id: Option<String>,
    /// The calling access key, once authenticated.
    pub access_key: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Route template, never the path with its ids.
    pub endpoint: String,
    /// HTTP status.
    pub status: u16,
    /// The contract's code: "0" on success.
    pub code: String,
    /// The face score, when the request compared faces.
    pub score: Option<f64>,
    /// The decision (`match`, `no match`, ...), when one was made.
    pub decision: Option<String>,
    /// The engine that answered, when one did.
    pub engine: Option<String>,
    /// Time to answer.
    pub latency_ms: f64,
}

/// Everything stored for one enrolled user.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolledUser {
    /// The plain user code to the vault's callers; the user key in the store.
    pub user_code: String,
    /// The engine a probe is compared with first.
    pub preferred_engine: String,
    /// One template per engine that could enrol the face.
    pub templates: Vec<FaceTemplate>,
}

/// One template of a tenant's 1:N gallery, with its user's sealed code.
#[derive(Debug, Clone, PartialEq)]
pub struct GalleryRow {
    /// Keyed hash of the user code.
    pub user_key: String,
    /// The user code sealed, to give back in 1:N answers.
    pub sealed_user_code: Vec<u8>,
    /// The sealed template.
    pub template: Vec<u8>,
}

/// The storage every part of the server goes through.
#[async_trait]
pub trait Store: Send + Sync {
    /// Answers when the database is reachable.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Adds a tenant.
    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError>;
    /// The tenant `id`, if it exists.
    async fn tenant(&self, id: &str) -> Result<Option<Tenant>, StoreError>;
    /// Every tenant.
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;
    /// Bumps the tenant's token epoch and returns the new one.
    async fn bump_token_epoch(&self, tenant_id: &str) -> Result<i64, StoreError>;
    /// Erases a tenant with its keys, users, templates and data key, so
    /// that nothing of it can be decrypted again; false when there was none.
    async fn delete_tenant(&self, tenant_id: &str) -> Result<bool, StoreError>;

    /// The tenant's wrapped data key, if one was made.
    async fn tenant_key(&self, tenant_id: &str) -> Result<Option<WrappedKey>, StoreError>;
    /// Stores a tenant's first data key; false (and nothing changed) when
    /// another node stored one first.
    async fn insert_tenant_key(
        &self,
        tenant_id: &str,
        key: &WrappedKey,
        at: i64,
    ) -> Result<bool, StoreError>;
    /// Every tenant's wrapped key, for re-wrapping under a new master key.
    async fn tenant_keys(&self) -> Result<Vec<(String, WrappedKey)>, StoreError>;
    /// Replaces a wrapped key if it is still the one wrapped under
    /// `previous_kek_id`; false when it changed meanwhile.
    async fn rewrap_tenant_key(
        &self,
        tenant_id: &str,
        previous_kek_id: &str,
        key: &WrappedKey,
    ) -> Result<bool, StoreError>;

    /// Stores a new key pair's record.
    async fn create_key(&self, key: &AccessKeyRecord) -> Result<(), StoreError>;
    /// The record of `access_key`, revoked or not.
    async fn key(&self, access_key: &str) -> Result<Option<AccessKeyRecord>, StoreError>;
    /// Marks a key revoked; false when there was no such active key.
    async fn revoke_key(&self, access_key: &str, at: i64) -> Result<bool, StoreError>;

    /// Stores a user's templates, replacing whatever the user had.
    /// Templates arrive sealed, the user code as its key and sealed copy:
    /// the store never sees a plain one.
    async fn enrol(
        &self,
        tenant_id: &str,
        user: &EnrolledUser,
        sealed_user_code: &[u8],
        at: i64,
    ) -> Result<(), StoreError>;
    /// The user and its templates, if enrolled.
    async fn enrolled(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<Option<EnrolledUser>, StoreError>;
    /// Erases a user and all its templates; false when there was none.
    async fn delete_user(&self, tenant_id: &str, user_code: &str) -> Result<bool, StoreError>;
    /// A counter that changes with every enrolment or deletion in the
    /// tenant: a cached 1:N gallery is current while it is unchanged.
    async fn enrolment_epoch(&self, tenant_id: &str) -> Result<i64, StoreError>;
    /// Every sealed template of one engine and model in the tenant, with
    /// its user: the 1:N gallery.
    async fn tenant_templates(
        &self,
        tenant_id: &str,
        engine: &str,
        model_version: &str,
    ) -> Result<Vec<GalleryRow>, StoreError>;
    /// Templates written before encryption existed, with their owners.
    async fn unsealed_templates(&self) -> Result<Vec<(String, String, FaceTemplate)>, StoreError>;
    /// Replaces one unsealed template by its sealed form.
    async fn seal_template(
        &self,
        tenant_id: &str,
        user_code: &str,
        sealed: &FaceTemplate,
    ) -> Result<(), StoreError>;

    /// Users whose code is still stored in plain (written before user
    /// codes were hashed), as (tenant, plain code).
    async fn legacy_user_codes(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// Moves a legacy user (its row, templates and verify attempts) from
    /// its plain code to its key and sealed copy, in one transaction.
    async fn seal_user_code(
        &self,
        tenant_id: &str,
        plain_user_code: &str,
        user_key: &str,
        sealed_user_code: &[u8],
    ) -> Result<(), StoreError>;
    /// Leaves no readable copy of rows just erased or rewritten.
    async fn erase_traces(&self);

    /// The user's failures and lock, for the lockout.
    async fn verify_attempts(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<VerifyAttempts, StoreError>;
    /// Reserves one verification of the user before its comparison, in a
    /// single statement (so requests on any node cannot all slip through
    /// at once): granted while the user is not locked at `now` and its
    /// failures plus the verifications in progress stay under `limit`.
    /// Reservations last made before `stale_before` belong to requests
    /// that died and no longer count. `None` when refused.
    async fn reserve_verify_attempt(
        &self,
        tenant_id: &str,
        user_code: &str,
        limit: u32,
        now: i64,
        stale_before: i64,
    ) -> Result<Option<VerifyAttempts>, StoreError>;
    /// Gives a reservation back unused (no comparison took place).
    async fn release_verify_attempt(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<(), StoreError>;
    /// Counts one more failed verification and gives its reservation
    /// back, in a single statement (two nodes or requests failing at once
    /// must both count); returns the attempts as they are after it.
    async fn count_verify_failure(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<VerifyAttempts, StoreError>;
    /// Locks the user until `locked_until` and starts the failure count
    /// afresh, provided no other request has locked them since it saw
    /// `seen_lockouts` locks. Returns whether this call locked.
    async fn lock_verify(
        &self,
        tenant_id: &str,
        user_code: &str,
        seen_lockouts: u32,
        locked_until: i64,
    ) -> Result<bool, StoreError>;
    /// Forgets the user's failures and locks and gives the matching
    /// verification's reservation back.
    async fn clear_verify_attempts(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<(), StoreError>;

    /// Appends one audit record.
    async fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError>;
    /// The tenant's latest record with this transaction id.
    async fn audit_record(
        &self,
        tenant_id: &str,
        trx_id: &str,
    ) -> Result<Option<AuditRecord>, StoreError>;
    /// The tenant's records, newest first, those before `before_seq` when given.
    async fn audit_page(
        &self,
        tenant_id: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError>;
    /// Deletes records older than `before_ms`; returns how many.
    async fn purge_audit(&self, before_ms: i64) -> Result<u64, StoreError>;
}
