//! What every handler can reach.

use std::sync::Arc;
use std::time::Duration;

use ekyc_auth::{Auth, Limits};
use ekyc_doc::registration::Masking;
use ekyc_doc::DocumentModels;
use ekyc_face_service::FaceService;
use ekyc_image::IntakeLimits;
use ekyc_runtime::InferencePool;
use ekyc_store::{AuditTrail, Store};
use ekyc_vault::Vault;

pub use crate::metrics::Metrics;

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    /// Tenants, keys and tokens.
    pub auth: Arc<Auth>,
    /// Storage of everything but the templates' plain bytes.
    pub store: Arc<dyn Store>,
    /// Templates go through it, sealed; never straight to the store.
    pub vault: Arc<Vault>,
    /// Per-node rate and concurrency limits.
    pub limits: Arc<Limits>,
    /// Take the client address from `X-Forwarded-For` (behind a proxy).
    pub trust_forwarded_for: bool,
    /// Every request's record goes through it, spooled while the
    /// database refuses records.
    pub audit: Arc<AuditTrail>,
    /// SHA-256 of the admin API's bearer token; `None`: no admin API.
    pub admin_token_digest: Option<[u8; 32]>,
    /// Audit records older than this are purged.
    pub audit_retention: Duration,
    /// The face use cases (register, verify, compare, count, identify,
    /// delete, liveness).
    pub faces: Arc<FaceService>,
    /// The document reader's own threads: OCR takes far longer per request
    /// than face work, and must not queue face requests behind it.
    pub documents: Arc<InferencePool<DocumentModels>>,
    /// How `idNum` is masked in OCR answers.
    pub id_masking: Masking,
    /// Limits checked before an image is decoded.
    pub intake: IntakeLimits,
    /// A request running longer is answered with 50300.
    pub request_timeout: Duration,
    /// Request counts and latencies for `/metrics`.
    pub metrics: Arc<Metrics>,
}
