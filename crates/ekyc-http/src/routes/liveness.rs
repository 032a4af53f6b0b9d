//! `POST /v1/liveness/detect` (contract section 5). A detected attack is a
//! normal answer (`isReal: false`), never an error.

use axum::extract::State;
use axum::Json;
use ekyc_core::ErrorCode;
use ekyc_face::liveness::{Check, CheckOutcome, LivenessReport};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::ObjectBuilder;

use super::{check_choice, success, Envelope};
use crate::audit;
use crate::error::ApiError;
use crate::extract::AuthedJson;
use crate::openapi::{self, error_responses, AUTHENTICATED, IMAGE_BODY};
use crate::AppState;

const CHECK_TYPES: [&str; 4] = ["deepfake", "photo", "mask", "all"];

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LivenessRequest {
    #[schema(schema_with = openapi::image)]
    image: String,
    #[schema(schema_with = check_type_choice)]
    check_type: Option<String>,
}

fn check_type_choice() -> ObjectBuilder {
    openapi::optional_choice(&CHECK_TYPES, "The attacks to look for; `all` when omitted.")
}

/// Per check: `true` when that attack was detected, `null` when the check
/// was not requested.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LivenessChecks<T> {
    deepfake: Option<T>,
    photo_attack: Option<T>,
    mask: Option<T>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LivenessResponse {
    /// No requested check detected an attack.
    is_real: bool,
    /// Probability-like confidence that the face is real, live and
    /// uncovered for the requested checks (above 0.5 exactly when `isReal`).
    confidence: f32,
    checks: LivenessChecks<bool>,
    /// *(ext)* Attack score per check, rescaled so that 0.5 is the
    /// decision threshold.
    scores: LivenessChecks<f32>,
}

error_responses!(
    /// One face is required; a detected attack is a 200 answer.
    LivenessErrors: AUTHENTICATED,
    IMAGE_BODY,
    &[ErrorCode::NoFace, ErrorCode::MultipleFaces]
);

/// Tells a live face from presentation attacks.
#[utoipa::path(post, path = "/v1/liveness/detect", tag = "liveness", request_body = LivenessRequest,
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "The verdict of each requested check", body = Envelope<LivenessResponse>),
        LivenessErrors))]
pub(crate) async fn detect_liveness(
    State(state): State<AppState>,
    AuthedJson { body: request, .. }: AuthedJson<LivenessRequest>,
) -> Result<Json<Envelope<LivenessResponse>>, ApiError> {
    check_choice("checkType", request.check_type.as_deref(), &CHECK_TYPES)?;
    let checks = requested_checks(request.check_type.as_deref());
    let report = state.faces.liveness(request.image, checks).await?;
    let response = LivenessResponse::from(&report);
    audit::note(|facts| {
        facts.score = Some(f64::from(response.confidence));
        facts.decision = Some(if response.is_real { "real" } else { "attack" });
    });
    Ok(success(response))
}

fn requested_checks(check_type: Option<&str>) -> Vec<Check> {
    match check_type {
        Some("deepfake") => vec![Check::Deepfake],
        Some("photo") => vec![Check::Photo],
        Some("mask") => vec![Check::Mask],
        _ => Check::ALL.to_vec(),
    }
}

impl<T> LivenessChecks<T> {
    /// `value` of each check's outcome; `None` for checks not requested.
    fn from_report(report: &LivenessReport, value: impl Fn(&CheckOutcome) -> T) -> Self {
        let of = |check| report.outcome(check).map(&value);
        Self {
            deepfake: of(Check::Deepfake),
            photo_attack: of(Check::Photo),
            mask: of(Check::Mask),
        }
    }
}

impl From<&LivenessReport> for LivenessResponse {
    fn from(report: &LivenessReport) -> Self {
        Self {
            is_real: report.is_real(),
            confidence: report.confidence(),
            checks: LivenessChecks::from_report(report, |o| o.detected),
            scores: LivenessChecks::from_report(report, |o| o.score),
        }
    }
}
