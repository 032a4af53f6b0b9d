//! Face recognition routes (contract section 3): count, register,
//! verify, compare and delete. Handlers check and parse the request, call
//! the face service and shape its answer; the use cases are the service's.

use axum::extract::State;
use axum::Json;
use ekyc_core::{ErrorCode, Lang};
use ekyc_face::{Decision, EngineId, Face, Policy, QualityIssue};
use ekyc_face_service::{FaceServiceError, Matched, Registration};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::ObjectBuilder;

use super::{check_choice, success, validate_user_code, Envelope};
use crate::audit;
use crate::context::RequestContext;
use crate::error::ApiError;
use crate::extract::{ApiPath, AuthedJson, Caller};
use crate::openapi::{self, error_responses, AUTHENTICATED, IMAGE_BODY, ONE_FACE};
use crate::AppState;

const ENGINES: [&str; 2] = ["ezway", "applemango"];
const CONTEXTS: [&str; 3] = ["login", "monitoring", "general"];

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegisterRequest {
    #[schema(schema_with = openapi::user_code)]
    user_code: String,
    #[schema(schema_with = openapi::image)]
    image: String,
    #[schema(schema_with = engine_choice)]
    engine: Option<String>,
    /// *(ext)* Refuse (40925) a face already enrolled under another
    /// userCode of the tenant, by 1:N search.
    dedupe: Option<bool>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VerifyRequest {
    #[schema(schema_with = openapi::user_code)]
    user_code: String,
    #[schema(schema_with = openapi::image)]
    image: String,
    #[schema(schema_with = context_choice)]
    context: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CompareRequest {
    #[schema(schema_with = reference_image)]
    image1: String,
    #[schema(schema_with = probe_image)]
    image2: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CountRequest {
    #[schema(schema_with = openapi::image)]
    image: String,
}

fn engine_choice() -> ObjectBuilder {
    openapi::optional_choice(
        &ENGINES,
        "The user's preferred engine; the server's default when omitted.",
    )
}

fn context_choice() -> ObjectBuilder {
    openapi::optional_choice(
        &CONTEXTS,
        "The policy whose threshold decides: `login` (strictest; a mismatch is `40924`), \
         `monitoring` or `general` (default).",
    )
}

fn reference_image() -> ObjectBuilder {
    openapi::image_with("The reference, e.g. an ID card: its largest face is used")
}

fn probe_image() -> ObjectBuilder {
    openapi::image_with("The probe, e.g. a selfie: exactly one face")
}

/// One detected face, in original-image pixels.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct FaceBox {
    /// `[x, y, width, height]`.
    #[serde(rename = "box")]
    bbox: [f64; 4],
    /// Detection confidence in [0, 1].
    score: f64,
    /// Right eye, left eye, nose tip, right and left mouth corner (as seen).
    landmarks: [[f64; 2]; 5],
}

impl From<&Face> for FaceBox {
    fn from(face: &Face) -> Self {
        // Hundredths of a pixel are plenty; more digits are float noise.
        let pixels = |v: f32| (f64::from(v) * 100.0).round() / 100.0;
        Self {
            bbox: face.bbox.to_array().map(pixels),
            score: (f64::from(face.score) * 10_000.0).round() / 10_000.0,
            landmarks: face.landmarks.map(|p| p.map(pixels)),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CountResponse {
    count: usize,
    /// *(ext)* every face, highest score first.
    faces: Vec<FaceBox>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct DeleteResponse {
    message: &'static str,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct RegisterResponse {
    message: &'static str,
    /// *(ext)* The user's preferred engine.
    engine: &'static str,
    /// *(ext)* Every engine that stored a template.
    engines: Vec<&'static str>,
}

/// A calibrated comparison: `score` in [0, 1] means the same false-match
/// rate on either engine.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MatchResponse {
    score: f64,
    is_match: bool,
    threshold: f64,
    /// The engine that actually produced the result.
    engine: &'static str,
    /// *(ext)* Estimated false-match rate at this score.
    fmr: f64,
    /// *(ext)* Quality issues of the probe face that did not refuse it
    /// (`overexposed`, `tooDark`, `blurred`): they lower genuine scores, so
    /// a mismatch with any of them is worth retrying in better light.
    quality_issues: Vec<&'static str>,
    /// *(ext)* compare only: quality issues of `image1`'s face.
    #[serde(skip_serializing_if = "Option::is_none")]
    reference_quality_issues: Option<Vec<&'static str>>,
}

impl MatchResponse {
    fn new(matched: &Matched, with_reference: bool) -> Self {
        let round = |v: f32| (f64::from(v) * 10_000.0).round() / 10_000.0;
        let d = &matched.decision;
        Self {
            score: round(d.score),
            is_match: d.is_match,
            threshold: round(d.threshold),
            engine: d.engine.name(),
            fmr: f64::from(d.fmr),
            quality_issues: issue_names(&matched.issues),
            reference_quality_issues: with_reference
                .then(|| issue_names(&matched.reference_issues)),
        }
    }

    /// A verification's answer.
    pub(crate) fn verified(matched: &Matched) -> Self {
        Self::new(matched, false)
    }
}

pub(crate) fn issue_names(issues: &[QualityIssue]) -> Vec<&'static str> {
    issues.iter().map(|issue| issue.name()).collect()
}

fn parse_engine(value: Option<&str>) -> Result<Option<EngineId>, ApiError> {
    value
        .map(|v| {
            v.parse().map_err(|_| {
                ApiError::bad_request(format!("engine must be one of {}", ENGINES.join(", ")))
            })
        })
        .transpose()
}

fn parse_context(value: Option<&str>) -> Result<Policy, ApiError> {
    check_choice("context", value, &CONTEXTS)?;
    value.map_or(Ok(Policy::General), |v| {
        v.parse().map_err(ApiError::bad_request)
    })
}

fn localized(ko: &'static str, en: &'static str) -> &'static str {
    match RequestContext::current().lang {
        Lang::Ko => ko,
        Lang::En => en,
    }
}

error_responses!(
    /// What counting can answer: zero faces is a count, not an error.
    CountErrors: AUTHENTICATED,
    IMAGE_BODY
);

/// Counts the faces in an image.
#[utoipa::path(post, path = "/v1/fr/count", tag = "face", request_body = CountRequest,
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "The faces found, highest score first", body = Envelope<CountResponse>),
              CountErrors))]
pub(crate) async fn count(
    State(state): State<AppState>,
    AuthedJson { body: request, .. }: AuthedJson<CountRequest>,
) -> Result<Json<Envelope<CountResponse>>, ApiError> {
    let faces = state.faces.count(request.image).await?;
    Ok(success(CountResponse {
        count: faces.len(),
        faces: faces.iter().map(FaceBox::from).collect(),
    }))
}

error_responses!(
    /// One usable face is required; with `dedupe`, `40925` (the body adds
    /// `matchedUserCode` and `score`) when it is enrolled under another code.
    RegisterErrors: AUTHENTICATED,
    IMAGE_BODY,
    ONE_FACE,
    &[ErrorCode::DuplicateFace]
);

/// Enrols a user's face (replacing an earlier enrolment), with a template
/// for every available engine so that either can verify later.
#[utoipa::path(post, path = "/v1/fr/register", tag = "face", request_body = RegisterRequest,
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "Enrolled", body = Envelope<RegisterResponse>),
              RegisterErrors))]
pub(crate) async fn register(
    State(state): State<AppState>,
    AuthedJson {
        caller,
        body: request,
        ..
    }: AuthedJson<RegisterRequest>,
) -> Result<Json<Envelope<RegisterResponse>>, ApiError> {
    let user_code = validate_user_code(&request.user_code)?;
    let registration = Registration {
        engine: parse_engine(request.engine.as_deref())?,
        user_code,
        image: request.image,
        dedupe: request.dedupe == Some(true),
    };
    let registered = state
        .faces
        .register(&caller.tenant_id, registration)
        .await?;
    Ok(success(RegisterResponse {
        message: localized("등록 완료", "Registered"),
        engine: registered.preferred.name(),
        engines: registered.engines.iter().map(|e| e.name()).collect(),
    }))
}

error_responses!(
    /// `40924` is a refused login: its body keeps `score`, `isMatch`,
    /// `threshold`, `engine` and `fmr`; `42900` also when the user's
    /// verification is locked after consecutive mismatches.
    VerifyErrors: AUTHENTICATED,
    IMAGE_BODY,
    ONE_FACE,
    &[ErrorCode::UserNotRegistered, ErrorCode::FaceMismatch]
);

/// Verifies a selfie against a user's enrolled face under a policy.
#[utoipa::path(post, path = "/v1/fr/verify", tag = "face", request_body = VerifyRequest,
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "The decision; a mismatch outside `login` is `isMatch: false`", body = Envelope<MatchResponse>),
              VerifyErrors))]
pub(crate) async fn verify(
    State(state): State<AppState>,
    AuthedJson {
        caller,
        body: request,
        ..
    }: AuthedJson<VerifyRequest>,
) -> Result<Json<Envelope<MatchResponse>>, ApiError> {
    let user_code = validate_user_code(&request.user_code)?;
    let policy = parse_context(request.context.as_deref())?;
    let verified = state
        .faces
        .verify(&caller.tenant_id, &user_code, request.image, policy)
        .await;
    // A mismatch at login is answered as an error that keeps the decision;
    // the audit trail records the decision either way.
    if let Err(FaceServiceError::LoginMismatch(matched)) = &verified {
        note_decision(&matched.decision);
    }
    let verified = verified?;
    note_decision(&verified.decision);
    Ok(success(MatchResponse::verified(&verified)))
}

fn note_decision(decision: &Decision) {
    audit::note(|facts| {
        facts.score = Some(f64::from(decision.score));
        facts.decision = Some(if decision.is_match {
            "match"
        } else {
            "mismatch"
        });
        facts.engine = Some(decision.engine.name());
    });
}

error_responses!(
    /// `detail` names the image at fault (`image1` or `image2`).
    CompareErrors: AUTHENTICATED,
    IMAGE_BODY,
    ONE_FACE
);

/// Compares the largest face of an ID photo with a selfie (policy `compare`).
#[utoipa::path(post, path = "/v1/fr/compare", tag = "face", request_body = CompareRequest,
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "The decision", body = Envelope<MatchResponse>),
              CompareErrors))]
pub(crate) async fn compare(
    State(state): State<AppState>,
    AuthedJson { body: request, .. }: AuthedJson<CompareRequest>,
) -> Result<Json<Envelope<MatchResponse>>, ApiError> {
    let compared = state.faces.compare(request.image1, request.image2).await?;
    note_decision(&compared.decision);
    Ok(success(MatchResponse::new(&compared, true)))
}

/// The user a path names.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub(crate) struct UserPath {
    #[serde(rename = "userCode")]
    #[param(rename = "userCode", schema_with = openapi::user_code)]
    user_code: String,
}

error_responses!(
    /// `40000` for a malformed userCode.
    DeleteErrors: AUTHENTICATED,
    &[ErrorCode::BadRequest, ErrorCode::UserNotFound]
);

/// Erases every template of a user in this tenant.
#[utoipa::path(delete, path = "/v1/fr/register/{userCode}", tag = "face", params(UserPath),
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "Erased", body = Envelope<DeleteResponse>), DeleteErrors))]
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(UserPath { user_code }): ApiPath<UserPath>,
) -> Result<Json<Envelope<DeleteResponse>>, ApiError> {
    let user_code = validate_user_code(&user_code)?;
    state
        .faces
        .delete_user(&caller.tenant_id, &user_code)
        .await?;
    Ok(success(DeleteResponse {
        message: localized("삭제 완료", "Deleted"),
    }))
}
