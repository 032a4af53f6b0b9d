//! Face recognition routes (contract section 3): count, register,
//! verify, compare and delete. Handlers check input, run the face pipeline
//! on the inference pool, store or read templates and shape the answer.

use axum::extract::{Path, State};
use axum::Json;
use ekyc_core::{ErrorCode, Lang};
use ekyc_face::{Decision, EngineId, Face, Policy, Template};
use ekyc_image::decode_base64_image;
use ekyc_store::{EnrolledUser, FaceTemplate};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::ObjectBuilder;

use super::identify::find_candidates;
use super::{check_choice, detect_faces, success, validate_user_code, with_image, Envelope};
use crate::audit;
use crate::context::RequestContext;
use crate::error::ApiError;
use crate::extract::{AuthedJson, Caller};
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
            bbox: face.bbox.map(pixels),
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
}

impl From<&Decision> for MatchResponse {
    fn from(d: &Decision) -> Self {
        let round = |v: f32| (f64::from(v) * 10_000.0).round() / 10_000.0;
        Self {
            score: round(d.score),
            is_match: d.is_match,
            threshold: round(d.threshold),
            engine: d.engine.name(),
            fmr: f64::from(d.fmr),
        }
    }
}

fn parse_engine(value: Option<&str>, default: EngineId) -> Result<EngineId, ApiError> {
    value.map_or(Ok(default), |v| {
        v.parse().map_err(|_| {
            ApiError::bad_request(format!("engine must be one of {}", ENGINES.join(", ")))
        })
    })
}

fn parse_context(value: Option<&str>) -> Result<Policy, ApiError> {
    check_choice("context", value, &CONTEXTS)?;
    value.map_or(Ok(Policy::General), |v| {
        v.parse().map_err(ApiError::bad_request)
    })
}

/// `preferred` first, then the other engines: the fallback order.
pub(crate) fn engine_order(preferred: EngineId) -> Vec<EngineId> {
    let mut order = vec![preferred];
    order.extend(EngineId::ALL.into_iter().filter(|e| *e != preferred));
    order
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
    let faces = detect_faces(&state, request.image).await?;
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
    validate_user_code(&request.user_code)?;
    let preferred = parse_engine(request.engine.as_deref(), state.default_engine)?;
    let templates = with_image(&state, request.image, |models, image| {
        let face = models.single_usable_face(image)?;
        Ok(models.embed_all(&face.aligned))
    })
    .await?;
    if templates.is_empty() {
        return Err(ApiError::new(ErrorCode::EngineUnavailable));
    }
    if request.dedupe == Some(true) {
        refuse_duplicate(
            &state,
            &caller.tenant_id,
            &request.user_code,
            &templates,
            preferred,
        )
        .await?;
    }
    let user = EnrolledUser {
        user_code: request.user_code,
        preferred_engine: preferred.name().to_owned(),
        templates: templates
            .iter()
            .map(|t| FaceTemplate {
                engine: t.engine.name().to_owned(),
                model_version: t.model_version.clone(),
                template: t.vector_bytes(),
            })
            .collect(),
    };
    state
        .vault
        .enroll(&caller.tenant_id, &user, unix_now())
        .await?;
    Ok(success(RegisterResponse {
        message: localized("등록 완료", "Registered"),
        engine: preferred.name(),
        engines: templates.iter().map(|t| t.engine.name()).collect(),
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
    validate_user_code(&request.user_code)?;
    let policy = parse_context(request.context.as_deref())?;
    state
        .lockout
        .check(&caller.tenant_id, &request.user_code, unix_now())
        .await?;
    let enrolled = state
        .vault
        .enrolled(&caller.tenant_id, &request.user_code)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UserNotRegistered))?;
    let preferred = enrolled
        .preferred_engine
        .parse()
        .unwrap_or(state.default_engine);
    let references: Vec<Template> = enrolled
        .templates
        .iter()
        .filter_map(stored_template)
        .collect();
    let every = state.matcher.wants_every_engine();
    let pairs = with_image(&state, request.image, move |models, image| {
        let face = models.single_usable_face(image)?;
        Ok(models.embed_against(&engine_order(preferred), &references, &face.aligned, every)?)
    })
    .await?;
    let decision = state.matcher.decide_pairs(&pairs, policy)?;
    note_decision(&decision);
    state
        .lockout
        .record(
            &caller.tenant_id,
            &request.user_code,
            decision.is_match,
            unix_now(),
        )
        .await?;
    let response = MatchResponse::from(&decision);
    if policy == Policy::Login && !decision.is_match {
        return Err(ApiError::new(ErrorCode::FaceMismatch).with_fields(response));
    }
    Ok(success(response))
}

/// 40925 when the face is already enrolled under another userCode.
async fn refuse_duplicate(
    state: &AppState,
    tenant_id: &str,
    user_code: &str,
    templates: &[Template],
    preferred: EngineId,
) -> Result<(), ApiError> {
    let Some(probe) = templates
        .iter()
        .find(|t| t.engine == preferred)
        .or(templates.first())
    else {
        return Ok(());
    };
    let (candidates, _) = find_candidates(state, tenant_id, probe.clone(), 2).await?;
    match candidates.into_iter().find(|c| c.user_code != user_code) {
        Some(other) => Err(ApiError::new(ErrorCode::DuplicateFace).with_fields(
            serde_json::json!({"matchedUserCode": other.user_code, "score": other.score}),
        )),
        None => Ok(()),
    }
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

fn stored_template(stored: &FaceTemplate) -> Option<Template> {
    Some(Template {
        engine: stored.engine.parse().ok()?,
        model_version: stored.model_version.clone(),
        vector: Template::vector_from_bytes(&stored.template)?,
    })
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
    let limits = state.intake;
    let order = engine_order(state.default_engine);
    let every = state.matcher.wants_every_engine();
    let pairs = state
        .faces
        .run(move |models| {
            let first = decode_base64_image(&request.image1, &limits)?;
            let second = decode_base64_image(&request.image2, &limits)?;
            let reference = models
                .largest_face(&first.rgb)
                .map_err(|e| ApiError::from(e).with_detail("image1"))?;
            let probe = models
                .single_usable_face(&second.rgb)
                .map_err(|e| ApiError::from(e).with_detail("image2"))?;
            Ok::<_, ApiError>(models.embed_pairs(
                &order,
                &probe.aligned,
                &reference.aligned,
                every,
            )?)
        })
        .await??;
    let decision = state.matcher.decide_pairs(&pairs, Policy::Compare)?;
    note_decision(&decision);
    Ok(success(MatchResponse::from(&decision)))
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
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
    Path(UserPath { user_code }): Path<UserPath>,
) -> Result<Json<Envelope<DeleteResponse>>, ApiError> {
    validate_user_code(&user_code)?;
    if !state
        .store
        .delete_user(&caller.tenant_id, &user_code)
        .await?
    {
        return Err(ApiError::new(ErrorCode::UserNotFound));
    }
    Ok(success(DeleteResponse {
        message: localized("삭제 완료", "Deleted"),
    }))
}
