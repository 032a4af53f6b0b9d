//! `POST /v1/auth/token`: a key pair for an access token.

use axum::extract::State;
use axum::Json;
use ekyc_core::ErrorCode;
use ekyc_store::AccessKey;
use serde::{Deserialize, Serialize};

use super::{success, Envelope};
use crate::audit;
use crate::error::ApiError;
use crate::extract::{ApiJson, ClientAddress};
use crate::openapi::error_responses;
use crate::AppState;

/// Issued access keys are 20 characters; anything much longer is not one
/// and is not worth remembering in the rate limiter.
const MAX_ACCESS_KEY_LEN: usize = 64;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenRequest {
    #[schema(min_length = 1, example = "AKEXAMPLE0000000000A")]
    access_key: String,
    #[schema(min_length = 1, example = "SKexample-secret-key-shown-once")]
    secret_key: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenResponse {
    access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// Seconds until the access token expires.
    expires_in: u64,
}

error_responses!(
    /// Bad JSON or empty keys, unknown or revoked key, wrong secret, too
    /// many attempts for the key or from the address.
    TokenErrors: &[
        ErrorCode::BadRequest,
        ErrorCode::InvalidAccessKey,
        ErrorCode::InvalidSecretKey,
        ErrorCode::RateLimited,
    ]
);

/// Exchanges an access key and secret key for a Bearer access token.
#[utoipa::path(post, path = "/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses((status = 200, description = "An access token", body = Envelope<TokenResponse>), TokenErrors))]
pub(crate) async fn issue_token(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Json<Envelope<TokenResponse>>, ApiError> {
    if request.access_key.is_empty() || request.secret_key.is_empty() {
        return Err(ApiError::bad_request(
            "accessKey and secretKey are required",
        ));
    }
    if request.access_key.len() > MAX_ACCESS_KEY_LEN {
        return Err(ApiError::new(ErrorCode::InvalidAccessKey));
    }
    audit::note(|facts| facts.access_key = Some(request.access_key.clone()));
    state.limits.token_attempt(&request.access_key, client)?;
    let access_key = AccessKey::new(request.access_key);
    let issued = state
        .auth
        .issue_access_token(&access_key, &request.secret_key)
        .await?;
    audit::note(|facts| facts.tenant_id = Some(issued.tenant_id.to_string()));
    Ok(success(TokenResponse {
        access_token: issued.token,
        token_type: "Bearer",
        expires_in: issued.expires_in,
    }))
}
