//! The records the store keeps and gives back.

use crate::{AccessKey, TenantId, UserCode, UserKey};

/// A customer organisation; every other record belongs to exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// Its `tn_…` id.
    pub id: TenantId,
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
    pub access_key: AccessKey,
    /// The tenant it acts for.
    pub tenant_id: TenantId,
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

/// Everything stored for one enrolled user, found by `C`: the plain
/// [`UserCode`] to the vault's callers, its [`UserKey`] in the store.
#[derive(Debug, Clone, PartialEq)]
pub struct EnrolledUser<C = UserCode> {
    /// Whom the templates belong to.
    pub user_code: C,
    /// The engine a probe is compared with first.
    pub preferred_engine: String,
    /// One template per engine that could enrol the face.
    pub templates: Vec<FaceTemplate>,
}

/// One template of a tenant's 1:N gallery, with its user's sealed code.
#[derive(Debug, Clone, PartialEq)]
pub struct GalleryRow {
    /// Keyed hash of the user code.
    pub user_key: UserKey,
    /// The user code sealed, to give back in 1:N answers.
    pub sealed_user_code: Vec<u8>,
    /// The sealed template.
    pub template: Vec<u8>,
}

/// A tenant's data key, as [`Store::tenant_keys`](crate::Store::tenant_keys)
/// lists them for re-wrapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantKey {
    /// Whose key it is.
    pub tenant_id: TenantId,
    /// The key, wrapped.
    pub key: WrappedKey,
}

/// A template written before encryption existed, still in plain, with
/// its owner (whose code was then stored in plain too).
#[derive(Debug, Clone, PartialEq)]
pub struct UnsealedTemplate {
    /// The tenant of the user.
    pub tenant_id: TenantId,
    /// The user, by plain code.
    pub user_code: UserCode,
    /// The plain template.
    pub template: FaceTemplate,
}

/// A user whose code is still stored in plain (written before user codes
/// were hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyUser {
    /// The tenant of the user.
    pub tenant_id: TenantId,
    /// The code as stored, in plain.
    pub user_code: UserCode,
}
