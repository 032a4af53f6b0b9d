//! Entry points for the fuzz targets (feature `fuzzing`, never in the
//! server): everything the HTTP layer parses from a request, without a
//! server around it.

use axum::http::{header, HeaderMap, HeaderValue};
use ekyc_core::Lang;

use crate::extract::{bearer_token, parse_json};
use crate::routes::admin::{NewTenantRequest, TenantTokenRequest};
use crate::routes::auth::TokenRequest;
use crate::routes::face::{CompareRequest, CountRequest, RegisterRequest, VerifyRequest};
use crate::routes::identify::IdentifyRequest;
use crate::routes::liveness::LivenessRequest;
use crate::routes::ocr::OcrRequest;
use crate::routes::validate_user_code;

/// Parses `data` as every request body and as each parsed header value.
pub fn request_parts(data: &[u8]) {
    let _ = parse_json::<TokenRequest>(data);
    let _ = parse_json::<RegisterRequest>(data);
    let _ = parse_json::<VerifyRequest>(data);
    let _ = parse_json::<CompareRequest>(data);
    let _ = parse_json::<CountRequest>(data);
    let _ = parse_json::<IdentifyRequest>(data);
    let _ = parse_json::<OcrRequest>(data);
    let _ = parse_json::<LivenessRequest>(data);
    let _ = parse_json::<NewTenantRequest>(data);
    let _ = parse_json::<TenantTokenRequest>(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = validate_user_code(text);
    let _ = Lang::from_accept_language(text);
    if let Ok(value) = HeaderValue::from_str(text) {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value);
        let _ = bearer_token(&headers);
    }
}
