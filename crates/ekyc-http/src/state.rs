//! What every handler can reach.

use std::sync::Arc;
use std::time::Duration;

use ekyc_auth::Auth;
use ekyc_face::{EngineId, FaceModels, Matcher};
use ekyc_image::IntakeLimits;
use ekyc_runtime::InferencePool;
use ekyc_store::Store;

pub use crate::metrics::Metrics;

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    pub auth: Arc<Auth>,
    pub store: Arc<dyn Store>,
    pub faces: Arc<InferencePool<FaceModels>>,
    pub matcher: Arc<Matcher>,
    pub default_engine: EngineId,
    pub intake: IntakeLimits,
    pub request_timeout: Duration,
    pub metrics: Arc<Metrics>,
}
