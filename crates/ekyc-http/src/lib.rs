//! The HTTP face of the server: routes of the v1 contract, the error
//! envelope, authentication of callers and the OpenAPI document.
//!
//! This crate holds no vision logic: each handler checks its input, asks a
//! domain crate, and shapes the answer. The web console it serves is static
//! files that call the same API.

mod audit;
mod console;
mod context;
mod error;
mod extract;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod metrics;
mod openapi;
mod routes;
mod server;
mod state;

pub use routes::admin_token_digest;
pub use server::ConnectionLimits;
pub use state::{AppState, Metrics};

use std::future::Future;

use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::Router;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;

/// Two 10 MiB images in Base64 (×4/3) plus line breaks and JSON.
pub(crate) const BODY_LIMIT_BYTES: usize = 30 * 1024 * 1024;

/// The whole application: every route with its middleware.
pub fn router(state: AppState) -> Router {
    let (api, document) = routes::api().split_for_parts();
    let api = api
        .fallback(routes::route_not_found)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    context::request_context,
                ))
                .layer(middleware::from_fn(context::refuse_oversized_body))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    context::request_timeout,
                ))
                .layer(CatchPanicLayer::custom(context::panic_response)),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(state);
    api.merge(openapi::docs(openapi::finish(document)))
        .merge(console::router())
}

/// The OpenAPI document the server serves at `/openapi.json`, as JSON.
pub fn openapi_json() -> Result<String, serde_json::Error> {
    let (_, document) = routes::api().split_for_parts();
    openapi::finish(document).to_pretty_json()
}

/// Serves until `shutdown` resolves, then finishes requests in flight,
/// holding slow clients to `limits` (see the `server` module).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let metrics = state.metrics.clone();
    server::serve(listener, router(state), limits, metrics, shutdown).await
}
