//! The v1 routes. Each module is one section of the contract.

pub(crate) mod admin;
pub(crate) mod audit;
pub(crate) mod auth;
pub(crate) mod face;
pub(crate) mod identify;
pub(crate) mod liveness;
pub(crate) mod ocr;
pub(crate) mod service;

use ekyc_core::ErrorCode;
use ekyc_store::UserCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::context::RequestContext;
use crate::error::ApiError;
use crate::AppState;

pub use admin::admin_token_digest;

/// Every route of the API, each declared once: the router and the
/// OpenAPI document both come from this list and the handlers'
/// annotations.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .routes(routes!(auth::issue_token))
        .routes(routes!(face::register))
        .routes(routes!(face::delete_user))
        .routes(routes!(face::verify))
        .routes(routes!(face::compare))
        .routes(routes!(face::count))
        .routes(routes!(identify::identify))
        .routes(routes!(ocr::recognize))
        .routes(routes!(liveness::detect_liveness))
        .routes(routes!(audit::audit_list))
        .routes(routes!(audit::audit_record))
        .routes(routes!(admin::list_tenants, admin::create_tenant))
        .routes(routes!(admin::delete_tenant))
        .routes(routes!(admin::create_key))
        .routes(routes!(admin::issue_tenant_token))
        .routes(routes!(admin::revoke_tenant_tokens))
        .routes(routes!(admin::revoke_key))
        .routes(routes!(service::healthz))
        .routes(routes!(service::readyz))
        .routes(routes!(service::metrics))
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
    #[schema(example = true)]
    pub success: bool,
    #[serde(flatten)]
    pub body: T,
    /// The request's transaction id, also in `X-Request-Id`.
    #[serde(rename = "trxId")]
    #[schema(format = Uuid)]
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

/// An optional integer field of a JSON body. JSON Schema counts `5.0` as
/// the integer 5, and so do clients whose numbers are all doubles
/// (JavaScript's): either form is taken, a fraction or a value out of
/// range is refused.
pub(crate) fn whole_number<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::de::Error;
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let whole = number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|v| v.fract() == 0.0 && v.abs() < 2f64.powi(63))
            .map(|v| v as i64)
    });
    whole
        .and_then(|v| T::try_from(v).ok())
        .map(Some)
        .ok_or_else(|| D::Error::custom("not an integer in range"))
}

/// `userCode`: 1–64 characters of `[A-Za-z0-9._@:-]`, as the use cases
/// take it.
pub(crate) fn validate_user_code(user_code: &str) -> Result<UserCode, ApiError> {
    let valid_char = |c: char| c.is_ascii_alphanumeric() || "._@:-".contains(c);
    if (1..=64).contains(&user_code.len()) && user_code.chars().all(valid_char) {
        Ok(UserCode::new(user_code))
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
    fn integers_may_be_written_as_whole_doubles() {
        #[derive(Deserialize)]
        struct Body {
            #[serde(default, deserialize_with = "whole_number")]
            n: Option<u32>,
        }
        let n = |json: &str| serde_json::from_str::<Body>(json).map(|b| b.n);
        assert_eq!(n(r#"{"n": 22}"#).unwrap(), Some(22));
        assert_eq!(n(r#"{"n": 22.0}"#).unwrap(), Some(22));
        assert_eq!(n(r#"{"n": null}"#).unwrap(), None);
        assert_eq!(n("{}").unwrap(), None);
        assert!(n(r#"{"n": 22.5}"#).is_err());
        assert!(n(r#"{"n": -1}"#).is_err());
        assert!(n(r#"{"n": 1e300}"#).is_err());
        assert!(n(r#"{"n": "22"}"#).is_err());
    }

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
