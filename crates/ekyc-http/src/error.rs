//! The error envelope: `{"success": false, "code", "message", "trxId"}`
//! with the HTTP status of the contract, plus an optional English `detail`
//! *(ext)* that says which field or limit was at fault. Details never
//! carry request data.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use ekyc_auth::{AuthError, Limited, LockoutError};
use ekyc_core::ErrorCode;
use ekyc_face::liveness::LivenessError;
use ekyc_face::{CalibrationError, FaceError};
use ekyc_face_service::FaceServiceError;
use ekyc_image::IntakeError;
use ekyc_runtime::PoolError;
use ekyc_store::StoreError;
use ekyc_vault::VaultError;
use serde::Serialize;

use crate::context::RequestContext;

/// An error answer of the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    code: ErrorCode,
    detail: Option<String>,
    retry_after_secs: Option<u64>,
    fields: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    /// Always `false`.
    success: bool,
    /// The contract's error code, always a string (e.g. `"4040A"`).
    code: &'static str,
    /// Korean by default, English when `Accept-Language` prefers it.
    message: &'static str,
    /// *(ext)* Which field or limit was at fault, in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    /// Result fields some errors still carry (a refused login's score).
    #[serde(flatten)]
    #[schema(ignore)]
    fields: serde_json::Map<String, serde_json::Value>,
    #[serde(rename = "trxId")]
    trx_id: String,
}

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        Self {
            code,
            detail: None,
            retry_after_secs: None,
            fields: serde_json::Map::new(),
        }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest).with_detail(detail)
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Adds result fields to the error body.
    pub fn with_fields(mut self, fields: impl Serialize) -> Self {
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(fields) {
            self.fields = map;
        }
        self
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let context = RequestContext::current();
        let status = StatusCode::from_u16(self.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = ErrorBody {
            success: false,
            code: self.code.code(),
            message: self.code.message(context.lang),
            detail: self.detail,
            fields: self.fields,
            trx_id: context.trx_id.to_string(),
        };
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(self.code);
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        let code = match e {
            IntakeError::Empty => ErrorCode::BadRequest,
            IntakeError::TooLarge { .. } => ErrorCode::TooLarge,
            _ => ErrorCode::BadImage,
        };
        Self::new(code).with_detail(e.to_string())
    }
}

/// Logs a failure that the client only sees as a code, with its whole
/// source chain: here, at the edge, once.
fn log_failure(error: &(dyn std::error::Error + 'static), what: &str) {
    tracing::error!(error, "{what}");
}

impl From<FaceError> for ApiError {
    fn from(e: FaceError) -> Self {
        match e {
            FaceError::NoFace => Self::new(ErrorCode::NoFace),
            FaceError::MultipleFaces => Self::new(ErrorCode::MultipleFaces),
            FaceError::Unusable(issue) => {
                Self::new(ErrorCode::FaceUnusable).with_detail(issue.to_string())
            }
            FaceError::NoEngine => Self::new(ErrorCode::EngineUnavailable),
            FaceError::Detection(source) => {
                log_failure(&source, "face detection failed");
                Self::new(ErrorCode::Internal)
            }
        }
    }
}

impl From<ekyc_doc::ReadError> for ApiError {
    fn from(e: ekyc_doc::ReadError) -> Self {
        match e {
            ekyc_doc::ReadError::NoDocument => Self::new(ErrorCode::NoDocument),
            ekyc_doc::ReadError::Unreadable => Self::new(ErrorCode::OcrFailed),
            ekyc_doc::ReadError::Model(source) => {
                log_failure(&source, "document reading failed");
                Self::new(ErrorCode::OcrFailed)
            }
        }
    }
}

impl From<LivenessError> for ApiError {
    fn from(e: LivenessError) -> Self {
        log_failure(&e, "liveness scoring failed");
        Self::new(ErrorCode::Internal)
    }
}

impl From<CalibrationError> for ApiError {
    fn from(e: CalibrationError) -> Self {
        log_failure(&e, "no calibration for a template's model");
        Self::new(ErrorCode::EngineUnavailable)
    }
}

impl From<PoolError> for ApiError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::Busy => Self::new(ErrorCode::Unavailable)
                .with_detail("inference queue is full")
                .with_retry_after(1),
            PoolError::Closed => {
                Self::new(ErrorCode::Unavailable).with_detail("server is shutting down")
            }
            PoolError::JobPanicked => Self::new(ErrorCode::Internal),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        log_failure(&e, "store failure");
        match e {
            StoreError::Database(_) => {
                Self::new(ErrorCode::Unavailable).with_detail("database unavailable")
            }
            _ => Self::new(ErrorCode::Internal),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidAccessKey => Self::new(ErrorCode::InvalidAccessKey),
            AuthError::InvalidSecretKey => Self::new(ErrorCode::InvalidSecretKey),
            AuthError::AccessTokenExpired => Self::new(ErrorCode::AccessTokenExpired),
            AuthError::TenantTokenExpired => Self::new(ErrorCode::TenantTokenExpired),
            AuthError::Unauthorized(why) => Self::new(ErrorCode::Unauthorized).with_detail(why),
            AuthError::UnknownTenant(_) => Self::new(ErrorCode::Unauthorized),
            AuthError::Store(store) => store.into(),
            AuthError::SigningKeyEncoding(_)
            | AuthError::SigningKeyTooShort { .. }
            | AuthError::SigningKeyRead { .. }
            | AuthError::SigningKeyWrite { .. }
            | AuthError::Hashing(_)
            | AuthError::Signing(_)
            | AuthError::HashingClosed(_)
            | AuthError::HashingTask(_) => {
                log_failure(&e, "auth failure");
                Self::new(ErrorCode::Internal)
            }
        }
    }
}

impl From<Limited> for ApiError {
    fn from(limited: Limited) -> Self {
        Self::new(ErrorCode::RateLimited)
            .with_detail(limited.reason)
            .with_retry_after(limited.retry_after_secs)
    }
}

impl From<LockoutError> for ApiError {
    fn from(e: LockoutError) -> Self {
        match e {
            LockoutError::Locked(limited) => limited.into(),
            LockoutError::Store(store) => store.into(),
        }
    }
}

impl From<VaultError> for ApiError {
    fn from(e: VaultError) -> Self {
        match e {
            VaultError::Store(store) => store.into(),
            other => {
                log_failure(&other, "template vault failure");
                Self::new(ErrorCode::Internal)
            }
        }
    }
}

impl From<FaceServiceError> for ApiError {
    fn from(e: FaceServiceError) -> Self {
        match e {
            FaceServiceError::Image { slot, source } => {
                let error = Self::from(source);
                match (slot, error.detail.clone()) {
                    (Some(slot), Some(detail)) => error.with_detail(format!("{slot}: {detail}")),
                    _ => error,
                }
            }
            FaceServiceError::Face { slot, source } => {
                let error = Self::from(source);
                match (slot, error.detail.clone()) {
                    (Some(slot), Some(detail)) => error.with_detail(format!("{slot}: {detail}")),
                    (Some(slot), None) => error.with_detail(slot.field()),
                    (None, _) => error,
                }
            }
            FaceServiceError::NotRegistered => Self::new(ErrorCode::UserNotRegistered),
            FaceServiceError::UserNotFound => Self::new(ErrorCode::UserNotFound),
            FaceServiceError::Duplicate {
                matched_user_code,
                score,
            } => Self::new(ErrorCode::DuplicateFace).with_fields(
                serde_json::json!({"matchedUserCode": matched_user_code.as_str(), "score": score}),
            ),
            FaceServiceError::LoginMismatch(matched) => Self::new(ErrorCode::FaceMismatch)
                .with_fields(crate::routes::face::MatchResponse::verified(&matched)),
            FaceServiceError::Lockout(e) => e.into(),
            FaceServiceError::Pool(e) => e.into(),
            FaceServiceError::Store(e) => e.into(),
            FaceServiceError::Vault(e) => e.into(),
            FaceServiceError::Calibration(e) => e.into(),
            FaceServiceError::Liveness(e) => e.into(),
            FaceServiceError::SearchFailed(e) => {
                log_failure(&e, "gallery search failed");
                Self::new(ErrorCode::Internal)
            }
        }
    }
}
