//! Per-request context: the transaction id and message language that every
//! response, including errors raised outside handlers, must carry.

use std::any::Any;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ekyc_core::{ErrorCode, Lang};
use tracing::Instrument as _;
use uuid::Uuid;

use crate::audit;
use crate::error::ApiError;
use crate::AppState;

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The transaction id and language of the request being served.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestContext {
    pub trx_id: Uuid,
    pub lang: Lang,
}

tokio::task_local! {
    static CONTEXT: RequestContext;
}

impl RequestContext {
    /// The context of the request this task serves; outside a request
    /// (which only happens in tests) a fresh one.
    pub fn current() -> Self {
        CONTEXT.try_with(|c| *c).unwrap_or_else(|_| RequestContext {
            trx_id: Uuid::new_v4(),
            lang: Lang::Ko,
        })
    }
}

/// Assigns the transaction id (the client's `X-Request-Id` when it is a
/// UUID), runs the request inside that context and inside a `request`
/// span carrying the id (which the inference pool carries onto its
/// threads, so every line logged for the request names it), echoes the id
/// in the response header, writes the audit record and logs one line
/// without any payload.
pub(crate) async fn request_context(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let trx_id = headers
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::parse_str(v.trim()).ok())
        .unwrap_or_else(Uuid::new_v4);
    let span = tracing::info_span!("request", trx_id = %trx_id);
    served(state, request, next, trx_id).instrument(span).await
}

/// The request in its context, once the span is entered.
async fn served(state: AppState, request: Request, next: Next, trx_id: Uuid) -> Response {
    let headers = request.headers();
    let lang = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::Ko, Lang::from_accept_language);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().clone();
    let started = Instant::now();
    let audited = audit::is_audited(&route);
    // No work that could not be audited: while the audit spool is full
    // (the database has refused records for a long while), refuse.
    let spool_full = audited && state.audit.is_full();
    let work = async move {
        if spool_full {
            return ApiError::new(ErrorCode::Unavailable)
                .with_detail("audit trail unavailable")
                .with_retry_after(1)
                .into_response();
        }
        next.run(request).await
    };
    let (mut response, facts) = CONTEXT
        .scope(RequestContext { trx_id, lang }, audit::collecting(work))
        .await;

    if let Ok(value) = HeaderValue::from_str(&trx_id.to_string()) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .record(method.as_str(), &route, status, elapsed);
    if audited {
        let outcome = audit::Outcome {
            trx_id,
            method: method.as_str(),
            route: &route,
            status,
            code: response.extensions().get::<ErrorCode>().copied(),
            elapsed,
        };
        audit::write(&state, outcome, facts).await;
    }
    tracing::info!(
        method = %method,
        route = %route,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Refuses a body announced larger than the limit before reading any of
/// it. (The body extractor also enforces the limit on chunked bodies, but
/// only as it reads.)
pub(crate) async fn refuse_oversized_body(request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|length| length > crate::BODY_LIMIT_BYTES) {
        return ApiError::new(ErrorCode::TooLarge)
            .with_detail("request body too large")
            .into_response();
    }
    next.run(request).await
}

/// Answers 50300 when a request runs past the configured time.
pub(crate) async fn request_timeout(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(state.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(ErrorCode::Unavailable)
            .with_detail("request timed out")
            .into_response(),
    }
}

/// A panic anywhere in a handler becomes a plain 50000: no internals leak.
pub(crate) fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("request handler panicked");
    ApiError::new(ErrorCode::Internal).into_response()
}
