//! The v1 routes. Each module is one section of the contract.

mod admin;
mod audit;
mod auth;
mod face;
mod identify;
mod liveness;
mod ocr;
mod service;

use axum::routing::{delete, get, post};
use axum::Router;
use ekyc_core::ErrorCode;
use serde::Serialize;

use crate::context::RequestContext;
use crate::error::ApiError;
use crate::AppState;

pub use admin::admin_token_digest;
pub(crate) use admin::{
    __path_create_key, __path_create_tenant, __path_delete_tenant, __path_issue_tenant_token,
    __path_list_tenants, __path_revoke_key, __path_revoke_tenant_tokens, Credentials, Done,
    NewTenantRequest, TenantEntry, TenantList, TenantTokenRequest,
};
pub(crate) use audit::{
    __path_audit_list, __path_audit_record, AuditEntry, AuditPage, AuditResponse,
};
pub(crate) use auth::TokenRequest;
pub(crate) use face::{
    CompareRequest, CountRequest, CountResponse, DeleteResponse, FaceBox, MatchResponse,
    RegisterRequest, RegisterResponse, VerifyRequest,
};
pub(crate) use identify::{__path_identify, CandidateEntry, IdentifyRequest, IdentifyResponse};
pub(crate) use liveness::{LivenessRequest, LivenessResponse};
pub(crate) use ocr::OcrRequest;
pub(crate) use service::StatusResponse;

pub(crate) use auth::__path_issue_token;
pub(crate) use face::{
    __path_compare, __path_count, __path_delete_user, __path_register, __path_verify,
};
pub(crate) use liveness::__path_detect_liveness;
pub(crate) use ocr::__path_recognize;
pub(crate) use service::{__path_healthz, __path_readyz};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/auth/token", post(auth::issue_token))
        .route("/v1/fr/register", post(face::register))
        .route("/v1/fr/register/{userCode}", delete(face::delete_user))
        .route("/v1/fr/verify", post(face::verify))
        .route("/v1/fr/compare", post(face::compare))
        .route("/v1/fr/count", post(face::count))
        .route("/v1/fr/identify", post(identify::identify))
        .route("/v1/ocr/recognize", post(ocr::recognize))
        .route("/v1/liveness/detect", post(liveness::detect_liveness))
        .route("/v1/audit", get(audit::audit_list))
        .route("/v1/audit/{trxId}", get(audit::audit_record))
        .route(
            "/admin/v1/tenants",
            get(admin::list_tenants).post(admin::create_tenant),
        )
        .route("/admin/v1/tenants/{tenantId}", delete(admin::delete_tenant))
        .route("/admin/v1/tenants/{tenantId}/keys", post(admin::create_key))
        .route(
            "/admin/v1/tenants/{tenantId}/tokens",
            post(admin::issue_tenant_token),
        )
        .route(
            "/admin/v1/tenants/{tenantId}/tokens/revoke",
            post(admin::revoke_tenant_tokens),
        )
        .route("/admin/v1/keys/{accessKey}", delete(admin::revoke_key))
        .route("/healthz", get(service::healthz))
        .route("/readyz", get(service::readyz))
        .route("/metrics", get(service::metrics))
}

/// Unknown paths get the envelope too.
pub(crate) async fn route_not_found() -> ApiError {
    ApiError::new(ErrorCode::RouteNotFound)
}

/// Known paths called with the wrong method.
pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed)
}

/// The success envelope's fixed fields, flattened into each response.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Envelope<T> {
    /// Always `true`.
    pub success: bool,
    #[serde(flatten)]
    pub body: T,
    #[serde(rename = "trxId")]
    pub trx_id: String,
}

pub(crate) fn success<T>(body: T) -> axum::Json<Envelope<T>> {
    axum::Json(Envelope {
        success: true,
        body,
        trx_id: RequestContext::current().trx_id.to_string(),
    })
}

/// An optional field that must be one of `allowed` when present.
pub(crate) fn check_choice(
    field: &str,
    value: Option<&str>,
    allowed: &[&str],
) -> Result<(), ApiError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(ApiError::bad_request(format!(
            "{field} must be one of {}",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    }
}

/// `userCode`: 1–64 characters of `[A-Za-z0-9._@:-]`.
pub(crate) fn validate_user_code(user_code: &str) -> Result<(), ApiError> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "._@:-".contains(c);
    if (1..=64).contains(&user_code.len()) && user_code.chars().all(valid_char) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "userCode must be 1-64 characters of [A-Za-z0-9._@:-]",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes() {
        assert!(validate_user_code("user-01@bank.kr:x_y").is_ok());
        assert!(validate_user_code("user-01@bank.kr:x.y").is_ok());
        assert!(validate_user_code("").is_err());
        assert!(validate_user_code(&"a".repeat(65)).is_err());
        assert!(validate_user_code("' OR 1=1 --").is_err());
        assert!(validate_user_code("홍길동").is_err());
    }
}
