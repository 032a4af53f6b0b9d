//! *(ext)* The operator's admin API, mirroring the CLI: tenants, keys and
//! tenant tokens. It exists only when `admin_token` is configured, and
//! takes that token, never a tenant's credentials.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::Json;
use ekyc_auth::AuthError;
use ekyc_core::ErrorCode;
use ekyc_store::{AccessKey, TenantId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::openapi::schema::{ObjectBuilder, Type};

use super::{success, Envelope};
use crate::audit;
use crate::error::ApiError;
use crate::extract::{bearer_token, ApiJson, ApiPath, ClientAddress};
use crate::openapi::error_responses;
use crate::AppState;

/// The operator, proven by the admin token.
pub(crate) struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(expected) = state.admin_token_digest else {
            return Err(ApiError::new(ErrorCode::RouteNotFound));
        };
        let Ok(ClientAddress(client)) = ClientAddress::from_request_parts(parts, state).await;
        state.limits.admin_attempt(client)?;
        // Digests are compared, not tokens: timing can only reveal a
        // prefix of a hash, which says nothing about the token.
        let given = bearer_token(&parts.headers).map(|t| <[u8; 32]>::from(Sha256::digest(t)));
        if given != Some(expected) {
            state.limits.admin_failure(client);
            return Err(ApiError::new(ErrorCode::Unauthorized).with_detail("admin token required"));
        }
        audit::note(|facts| facts.access_key = Some("admin".to_owned()));
        Ok(Operator)
    }
}

/// The digest the admin API compares with, from the configured token.
pub fn admin_token_digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.trim()).into()
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NewTenantRequest {
    #[schema(schema_with = tenant_name)]
    name: String,
    /// Unix seconds when the tenant token expires; one year when omitted.
    #[schema(example = 1830000000)]
    #[serde(default, deserialize_with = "super::whole_number")]
    expires_at: Option<i64>,
}

/// The characters `str::trim` strips (Unicode `White_Space`), in a
/// regular expression's character class.
const WHITE_SPACE: &str =
    r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";

/// A tenant's name: 1–200 characters once trimmed, as `create_tenant`
/// checks it.
fn tenant_name() -> ObjectBuilder {
    let (space, other) = (format!("[{WHITE_SPACE}]"), format!("[^{WHITE_SPACE}]"));
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!(
            "^{space}*{other}(?:[\\s\\S]{{0,198}}{other})?{space}*$"
        )))
        .description(Some("1–200 characters once trimmed"))
        .examples(["Demo Bank"])
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TenantTokenRequest {
    /// Unix seconds when the tenant token expires; one year when omitted.
    #[schema(example = 1830000000)]
    #[serde(default, deserialize_with = "super::whole_number")]
    expires_at: Option<i64>,
}

/// What the operator's routes answer before their own work: `40400` when
/// the admin API is not enabled, `40100` without the admin token.
/// Every admin call: no admin API, a wrong token, or too many wrong
/// tokens from the caller's address.
const OPERATOR_CODES: &[ErrorCode] = &[
    ErrorCode::RouteNotFound,
    ErrorCode::Unauthorized,
    ErrorCode::RateLimited,
];

error_responses!(
    /// A name outside its bounds or a bad body.
    CreateTenantErrors: OPERATOR_CODES,
    &[ErrorCode::BadRequest]
);

error_responses!(
    /// Only the operator's own.
    ListTenantsErrors: OPERATOR_CODES
);

error_responses!(
    /// No such tenant or key.
    TargetErrors: OPERATOR_CODES,
    &[ErrorCode::AdminTargetNotFound]
);

error_responses!(
    /// No such tenant, or a bad body.
    TenantTokenErrors: OPERATOR_CODES,
    &[ErrorCode::BadRequest, ErrorCode::AdminTargetNotFound]
);

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Credentials {
    tenant_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tenant_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_key: Option<String>,
    /// Shown only in this answer; stored only as a slow hash.
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_key: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TenantEntry {
    tenant_id: String,
    name: String,
    created_at: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TenantList {
    tenants: Vec<TenantEntry>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct Done {
    message: &'static str,
}

fn not_found_for_unknown(e: AuthError) -> ApiError {
    match e {
        AuthError::UnknownTenant(_) => ApiError::new(ErrorCode::AdminTargetNotFound),
        other => other.into(),
    }
}

/// Creates a tenant with its first key pair and tenant token.
#[utoipa::path(post, path = "/admin/v1/tenants", tag = "admin", request_body = NewTenantRequest,
    security(("admin" = [])),
    responses((status = 200, description = "The tenant's credentials, the secret shown only here", body = Envelope<Credentials>),
              CreateTenantErrors))]
pub(crate) async fn create_tenant(
    State(state): State<AppState>,
    _: Operator,
    ApiJson(request): ApiJson<NewTenantRequest>,
) -> Result<Json<Envelope<Credentials>>, ApiError> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::bad_request("name must be 1-200 characters"));
    }
    let created = state.auth.create_tenant(name, request.expires_at).await?;
    audit::note(|facts| facts.tenant_id = Some(created.tenant_id.to_string()));
    Ok(success(Credentials {
        tenant_id: created.tenant_id.into_string(),
        tenant_token: Some(created.tenant_token),
        access_key: Some(created.access_key.into_string()),
        secret_key: Some(created.secret_key),
    }))
}

/// Lists tenants.
#[utoipa::path(get, path = "/admin/v1/tenants", tag = "admin",
    security(("admin" = [])),
    responses((status = 200, description = "Every tenant", body = Envelope<TenantList>), ListTenantsErrors))]
pub(crate) async fn list_tenants(
    State(state): State<AppState>,
    _: Operator,
) -> Result<Json<Envelope<TenantList>>, ApiError> {
    let tenants = state.auth.tenants().await?;
    Ok(success(TenantList {
        tenants: tenants
            .into_iter()
            .map(|t| TenantEntry {
                tenant_id: t.id.into_string(),
                name: t.name,
                created_at: t.created_at,
            })
            .collect(),
    }))
}

/// Deletes a tenant with everything it owns and destroys its data key.
#[utoipa::path(delete, path = "/admin/v1/tenants/{tenantId}", tag = "admin",
    params(("tenantId" = String, Path)), security(("admin" = [])),
    responses((status = 200, description = "Deleted", body = Envelope<Done>), TargetErrors))]
pub(crate) async fn delete_tenant(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(tenant_id): ApiPath<String>,
) -> Result<Json<Envelope<Done>>, ApiError> {
    audit::note(|facts| facts.tenant_id = Some(tenant_id.clone()));
    let tenant_id = TenantId::new(tenant_id);
    if !state.vault.delete_tenant(&tenant_id).await? {
        return Err(ApiError::new(ErrorCode::AdminTargetNotFound));
    }
    tracing::warn!(tenant = %tenant_id, "tenant deleted and its data key destroyed");
    Ok(success(Done { message: "deleted" }))
}

/// Adds a key pair to a tenant.
#[utoipa::path(post, path = "/admin/v1/tenants/{tenantId}/keys", tag = "admin",
    params(("tenantId" = String, Path)), security(("admin" = [])),
    responses((status = 200, description = "The new key pair, the secret shown only here", body = Envelope<Credentials>),
              TargetErrors))]
pub(crate) async fn create_key(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(tenant_id): ApiPath<String>,
) -> Result<Json<Envelope<Credentials>>, ApiError> {
    audit::note(|facts| facts.tenant_id = Some(tenant_id.clone()));
    let key = state
        .auth
        .create_key(&TenantId::new(tenant_id.as_str()))
        .await
        .map_err(not_found_for_unknown)?;
    Ok(success(Credentials {
        tenant_id,
        tenant_token: None,
        access_key: Some(key.access_key.into_string()),
        secret_key: Some(key.secret_key),
    }))
}

/// Revokes an access key: its secret and its tokens stop working at once.
#[utoipa::path(delete, path = "/admin/v1/keys/{accessKey}", tag = "admin",
    params(("accessKey" = String, Path)), security(("admin" = [])),
    responses((status = 200, description = "Revoked", body = Envelope<Done>), TargetErrors))]
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(access_key): ApiPath<String>,
) -> Result<Json<Envelope<Done>>, ApiError> {
    if !state.auth.revoke_key(&AccessKey::new(access_key)).await? {
        return Err(ApiError::new(ErrorCode::AdminTargetNotFound));
    }
    Ok(success(Done { message: "revoked" }))
}

/// Issues another tenant token.
#[utoipa::path(post, path = "/admin/v1/tenants/{tenantId}/tokens", tag = "admin",
    params(("tenantId" = String, Path)), request_body = TenantTokenRequest, security(("admin" = [])),
    responses((status = 200, description = "The new tenant token", body = Envelope<Credentials>), TenantTokenErrors))]
pub(crate) async fn issue_tenant_token(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(tenant_id): ApiPath<String>,
    ApiJson(request): ApiJson<TenantTokenRequest>,
) -> Result<Json<Envelope<Credentials>>, ApiError> {
    audit::note(|facts| facts.tenant_id = Some(tenant_id.clone()));
    let token = state
        .auth
        .issue_tenant_token(&TenantId::new(tenant_id.as_str()), request.expires_at)
        .await
        .map_err(not_found_for_unknown)?;
    Ok(success(Credentials {
        tenant_id,
        tenant_token: Some(token),
        access_key: None,
        secret_key: None,
    }))
}

/// Revokes every tenant token issued so far for the tenant.
#[utoipa::path(post, path = "/admin/v1/tenants/{tenantId}/tokens/revoke", tag = "admin",
    params(("tenantId" = String, Path)), security(("admin" = [])),
    responses((status = 200, description = "Revoked", body = Envelope<Done>), TargetErrors))]
pub(crate) async fn revoke_tenant_tokens(
    State(state): State<AppState>,
    _: Operator,
    ApiPath(tenant_id): ApiPath<String>,
) -> Result<Json<Envelope<Done>>, ApiError> {
    audit::note(|facts| facts.tenant_id = Some(tenant_id.clone()));
    state
        .auth
        .revoke_tenant_tokens(&TenantId::new(tenant_id))
        .await
        .map_err(not_found_for_unknown)?;
    Ok(success(Done { message: "revoked" }))
}
