//! The OpenAPI document: the base (title, tags, security schemes) here,
//! each operation from its handler's annotation as `routes::api` declares
//! it, every error answer built from [`ErrorCode`], so that the document
//! states the codes, statuses and messages the server actually answers.
//!
//! The document is committed as `crates/ekyc-http/openapi.json`; a test
//! fails when the generated one drifts from it
//! (`EKYC_UPDATE_OPENAPI=1 cargo test -p ekyc-http openapi` rewrites it).

use std::collections::BTreeMap;

use ekyc_core::{ErrorCode, Lang};
use serde_json::{json, Value};
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{
    AllOfBuilder, ObjectBuilder, Schema, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, KnownFormat, OpenApi as Document, Ref, RefOr, Required, Response,
    ResponseBuilder,
};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ErrorBody;

/// Security requirement of the tenant API: both headers, always together.
pub(crate) const TENANT_CALLER: &str = "bearer";
/// Security requirement of the admin API.
pub(crate) const OPERATOR: &str = "admin";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "eKYC server",
        description = "Face recognition, liveness and Korean ID OCR: contract v1.\n\n\
            Every answer carries `trxId` and the same value in `X-Request-Id`. Errors are \
            `{\"success\": false, \"code\", \"message\", \"trxId\"}` with the HTTP status of the \
            contract; each operation lists the codes it can answer. Messages are Korean unless \
            `Accept-Language` prefers English."
    ),
    tags(
        (name = "auth", description = "Access tokens from a key pair"),
        (name = "face", description = "Face recognition: count, enrol, verify, compare, identify"),
        (name = "liveness", description = "Presentation attack detection"),
        (name = "ocr", description = "Korean ID documents"),
        (name = "audit", description = "The tenant's audit trail"),
        (name = "admin", description = "The operator's API (only with `admin_token` configured)"),
        (name = "service", description = "Probes and metrics")
    ),
    components(schemas(ErrorBody)),
    modifiers(&SecuritySchemes)
)]
struct Base;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut Document) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            TENANT_CALLER,
            bearer("The access token of `POST /v1/auth/token`"),
        );
        components.add_security_scheme(
            "tenant",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Tenant-Token",
                "The tenant token the operator issued",
            ))),
        );
        components.add_security_scheme(OPERATOR, bearer("The operator's admin token"));
    }
}

/// The document's fixed part, before the routes add their operations.
pub(crate) fn base() -> Document {
    Base::openapi()
}

/// Adds what holds for every operation: path parameters are required
/// (utoipa leaves out `required` of a parameter with its own schema
/// function), the `X-Request-Id` header on each answer and `Retry-After` on
/// each 429; then moves each set of error answers to the components, once,
/// so that operations refer to it.
pub(crate) fn finish(mut document: Document) -> Document {
    let mut shared = BTreeMap::new();
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if parameter.parameter_in == ParameterIn::Path {
                    parameter.required = Required::True;
                }
            }
            for (status, response) in operation.responses.responses.iter_mut() {
                let RefOr::T(inline) = response else {
                    continue;
                };
                add_headers(status, inline);
                if let Some(name) = error_set_name(status, inline) {
                    shared.entry(name.clone()).or_insert_with(|| inline.clone());
                    *response = RefOr::Ref(Ref::new(format!("#/components/responses/{name}")));
                }
            }
        }
    }
    let components = document.components.get_or_insert_with(Default::default);
    components
        .responses
        .extend(shared.into_iter().map(|(name, r)| (name, RefOr::T(r))));
    document
}

/// `Error_40000_40001` for the answer of codes 40000 and 40001 (error
/// answers carry one example per code, keyed by the code).
fn error_set_name(status: &str, response: &Response) -> Option<String> {
    if !status.starts_with(['4', '5']) {
        return None;
    }
    let examples = &response.content.get("application/json")?.examples;
    let codes: Vec<&str> = examples.keys().map(String::as_str).collect();
    Some(format!("Error_{}", codes.join("_")))
}

fn add_headers(status: &str, response: &mut Response) {
    let uuid = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)));
    response.headers.insert(
        "X-Request-Id".to_owned(),
        HeaderBuilder::new()
            .schema(uuid)
            .description(Some("The request's `trxId`; always present."))
            .build(),
    );
    if status == "429" {
        response.headers.insert(
            "Retry-After".to_owned(),
            HeaderBuilder::new()
                .schema(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(0)),
                )
                .description(Some("Seconds to wait before trying again."))
                .build(),
        );
    }
}

/// `/openapi.json` and `/docs` (Swagger UI from assets in the binary).
pub(crate) fn docs(document: Document) -> SwaggerUi {
    SwaggerUi::new("/docs").url("/openapi.json", document)
}

/// Codes the middleware can answer on any route: a body announced over
/// the limit, a request past its time, a panic.
pub(crate) const ANY_ROUTE: &[ErrorCode] = &[
    ErrorCode::TooLarge,
    ErrorCode::Internal,
    ErrorCode::Unavailable,
];

/// Codes of an authenticated call (`Authorization` and `X-Tenant-Token`),
/// within its access key's request rate.
pub(crate) const AUTHENTICATED: &[ErrorCode] = &[
    ErrorCode::Unauthorized,
    ErrorCode::InvalidAccessKey,
    ErrorCode::AccessTokenExpired,
    ErrorCode::TenantTokenExpired,
    ErrorCode::RateLimited,
];

/// Codes of a JSON body carrying an image.
pub(crate) const IMAGE_BODY: &[ErrorCode] = &[ErrorCode::BadRequest, ErrorCode::BadImage];

/// Codes of finding the one face to recognise and embedding it.
pub(crate) const ONE_FACE: &[ErrorCode] = &[
    ErrorCode::NoFace,
    ErrorCode::MultipleFaces,
    ErrorCode::FaceUnusable,
    ErrorCode::EngineUnavailable,
];

/// The error answers of an operation that can answer `codes` (and what
/// every route can), one per HTTP status: the codes and their messages in
/// the description, the envelope with `code` narrowed to those codes as
/// the schema, and one example per code.
pub(crate) fn responses_of(codes: &[&[ErrorCode]]) -> BTreeMap<String, RefOr<Response>> {
    let mut by_status: BTreeMap<u16, Vec<ErrorCode>> = BTreeMap::new();
    for &code in codes.iter().copied().flatten().chain(ANY_ROUTE) {
        let same_status = by_status.entry(code.http_status()).or_default();
        if !same_status.contains(&code) {
            same_status.push(code);
        }
    }
    by_status
        .into_iter()
        .map(|(status, codes)| (status.to_string(), RefOr::T(error_response(&codes))))
        .collect()
}

fn error_response(codes: &[ErrorCode]) -> Response {
    let description = codes
        .iter()
        .map(|c| format!("`{}`: {}", c.code(), c.message(Lang::En)))
        .collect::<Vec<_>>()
        .join("; ");
    let narrowed = ObjectBuilder::new().property(
        "code",
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(codes.iter().map(|c| c.code()))),
    );
    let schema = AllOfBuilder::new()
        .item(Ref::from_schema_name("ErrorBody"))
        .item(narrowed);
    let examples = codes.iter().map(|code| {
        let example = ExampleBuilder::new()
            .value(Some(error_example(*code)))
            .build();
        (code.code(), example)
    });
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Schema::AllOf(schema.build())))
                .examples_from_iter(examples)
                .build(),
        )
        .build()
}

fn error_example(code: ErrorCode) -> Value {
    json!({
        "success": false,
        "code": code.code(),
        "message": code.message(Lang::Ko),
        "trxId": EXAMPLE_TRX_ID,
    })
}

/// The `trxId` of the examples.
pub(crate) const EXAMPLE_TRX_ID: &str = "1f0c2a9e-6a43-4c1b-9d0e-3b8f5e2a7c41";

/// Declares a type whose OpenAPI responses are the error answers of the
/// listed code sets, for a handler's `responses(...)`.
macro_rules! error_responses {
    ($(#[$meta:meta])* $name:ident: $($codes:expr),+ $(,)?) => {
        $(#[$meta])*
        pub(crate) struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<
                String,
                utoipa::openapi::RefOr<utoipa::openapi::Response>,
            > {
                $crate::openapi::responses_of(&[$($codes),+])
            }
        }
    };
}
pub(crate) use error_responses;

/// An optional string field that must be one of `values` (or `null`).
pub(crate) fn optional_choice(values: &[&str], description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(
            values
                .iter()
                .map(|v| json!(v))
                .chain(std::iter::once(Value::Null)),
        ))
        .description(Some(description))
}

/// `userCode`'s syntax, as `routes::validate_user_code` enforces it.
const USER_CODE_PATTERN: &str = "^[A-Za-z0-9._@:-]{1,64}$";

/// The schema of a `userCode`.
pub(crate) fn user_code() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(64))
        .pattern(Some(USER_CODE_PATTERN))
        .description(Some(
            "The integrator's id of the person: 1-64 characters of `[A-Za-z0-9._@:-]`; \
             the same code in two tenants is two people.",
        ))
        .examples(["user-0001"])
}

/// An image field holds at least one character once an optional
/// `data:…;base64,` prefix and whitespace are left out (an empty one is
/// `40000`). Whether it decodes to an image no schema can say: that is
/// `40001`.
const IMAGE_PATTERN: &str = r"^(?!\s*data:[^,]*,\s*$)\s*\S";

/// A 1×1 grey PNG: the smallest image the server decodes.
const EXAMPLE_IMAGE: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNoaGgAAAMEAYFL09IQAAAAAElFTkSuQmCC";

/// The schema of an image field, with what the image is for.
pub(crate) fn image_with(purpose: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .pattern(Some(IMAGE_PATTERN))
        .description(Some(format!(
            "{purpose}: JPEG, PNG or WebP in Base64, optionally with a \
             `data:image/…;base64,` prefix and line breaks; at most 10 MiB decoded \
             (`41300`), 40 megapixels and 12,000 px a side (`40001`)."
        )))
        .examples([EXAMPLE_IMAGE])
}

/// The schema of an image field of one face or document.
pub(crate) fn image() -> ObjectBuilder {
    image_with("The photo")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed document is the one the server serves, so that a
    /// change of the API shows in review and clients can be generated
    /// from the repository.
    #[test]
    fn committed_openapi_document_is_current() {
        let generated = crate::openapi_json().unwrap() + "\n";
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
        if std::env::var_os("EKYC_UPDATE_OPENAPI").is_some() {
            std::fs::write(path, &generated).unwrap();
            return;
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "crates/ekyc-http/openapi.json is not the document the server serves; \
             regenerate it: EKYC_UPDATE_OPENAPI=1 cargo test -p ekyc-http openapi"
        );
    }

    #[test]
    fn user_code_pattern_is_what_the_handlers_enforce() {
        let pattern = regex::Regex::new(USER_CODE_PATTERN).unwrap();
        for code in [
            "user-01@bank.kr:x_y",
            "a",
            &"a".repeat(64),
            &"a".repeat(65),
            "",
            "' OR 1=1 --",
            "홍길동",
            "a b",
            "a\n",
        ] {
            assert_eq!(
                pattern.is_match(code),
                crate::routes::validate_user_code(code).is_ok(),
                "{code:?}"
            );
        }
    }

    #[test]
    fn error_answers_are_grouped_by_status_with_every_route_codes() {
        let responses = responses_of(&[&[ErrorCode::NoFace, ErrorCode::BadRequest]]);
        let statuses: Vec<&str> = responses.keys().map(String::as_str).collect();
        assert_eq!(statuses, ["400", "404", "413", "500", "503"]);
        let RefOr::T(not_found) = &responses["404"] else {
            panic!("an inline response")
        };
        assert!(not_found.description.contains("`4040A`"));
    }
}
