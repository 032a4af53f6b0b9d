//! Unauthenticated service endpoints: liveness and readiness probes and
//! Prometheus metrics.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use ekyc_core::ErrorCode;
use serde::Serialize;

use crate::error::ApiError;
use crate::openapi::error_responses;
use crate::AppState;

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct StatusResponse {
    status: &'static str,
}

error_responses!(
    /// Only what the middleware answers on any route.
    ServiceErrors: &[]
);

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "Up", body = StatusResponse), ServiceErrors))]
pub(crate) async fn healthz() -> Json<StatusResponse> {
    Json(StatusResponse { status: "ok" })
}

/// Models are loaded (the server does not start otherwise) and the store answers.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses((status = 200, description = "Ready", body = StatusResponse), ServiceErrors))]
pub(crate) async fn readyz(
    State(state): State<AppState>,
) -> Result<Json<StatusResponse>, ApiError> {
    state
        .store
        .ping()
        .await
        .map_err(|_| ApiError::new(ErrorCode::Unavailable).with_detail("database unavailable"))?;
    Ok(Json(StatusResponse { status: "ready" }))
}

/// Request counts and latencies in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain", body = String),
              ServiceErrors))]
pub(crate) async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(state.audit.pending()),
    )
}
