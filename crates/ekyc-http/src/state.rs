//! What every handler can reach.

use std::sync::Arc;
use std::time::Duration;

use ekyc_auth::Auth;
use ekyc_face::FaceModels;
use ekyc_image::IntakeLimits;
use ekyc_runtime::InferencePool;
use ekyc_store::Store;

use crate::metrics::Metrics;

/// Shared, cheaply cloned application state.
#[derive(Clone)]
pub struct AppState {
    pub auth: Arc<Auth>,
    pub store: Arc<dyn Store>,
    pub faces: Arc<InferencePool<FaceModels>>,
    pub intake: IntakeLimits,
    pub request_timeout: Duration,
    pub(crate) metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(
        auth: Arc<Auth>,
        store: Arc<dyn Store>,
        faces: Arc<InferencePool<FaceModels>>,
        intake: IntakeLimits,
        request_timeout: Duration,
    ) -> Self {
        Self {
            auth,
            store,
            faces,
            intake,
            request_timeout,
            metrics: Arc::new(Metrics::default()),
        }
    }
}
