//! The OpenAPI document, generated from the handlers' annotations, and the
//! Swagger UI that renders it from assets compiled into the binary.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::routes::*;

#[derive(OpenApi)]
#[openapi(
    info(title = "eKYC server", description = "Face recognition, liveness and Korean ID OCR: contract v1"),
    paths(issue_token, count, register, verify, compare, delete_user, identify, recognize, detect_liveness,
        audit_record, audit_list, create_tenant, list_tenants, delete_tenant, create_key, revoke_key,
        issue_tenant_token, revoke_tenant_tokens, healthz, readyz),
    components(schemas(TokenRequest, CountRequest, CountResponse, FaceBox, RegisterRequest, VerifyRequest,
        CompareRequest, DeleteResponse, RegisterResponse, MatchResponse, OcrRequest, LivenessRequest, LivenessResponse, StatusResponse, IdentifyRequest, IdentifyResponse, CandidateEntry, AuditEntry, AuditResponse, AuditPage,
        NewTenantRequest, TenantTokenRequest, Credentials, TenantEntry, TenantList, Done, crate::error::ErrorBody)),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "tenant",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Tenant-Token"))),
        );
    }
}

/// `/openapi.json` and `/docs`.
pub(crate) fn docs() -> SwaggerUi {
    SwaggerUi::new("/docs").url("/openapi.json", ApiDoc::openapi())
}
