//! Face recognition routes (contract section 3). Detection is real today;
//! recognition engines arrive with the face-recognition release, and until
//! then register, verify and compare validate everything they can and
//! answer 50300.

use axum::extract::{Path, State};
use axum::Json;
use ekyc_core::{ErrorCode, Lang};
use ekyc_face::Face;
use serde::{Deserialize, Serialize};

use super::{detect_faces, single_face, success, validate_user_code, Envelope};
use crate::context::RequestContext;
use crate::error::ApiError;
use crate::extract::{AuthedJson, Caller};
use crate::AppState;

const ENGINES: [&str; 2] = ["ezway", "applemango"];
const CONTEXTS: [&str; 3] = ["login", "monitoring", "general"];

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegisterRequest {
    user_code: String,
    /// Base64 JPEG, PNG or WebP, optionally with a data-URL prefix.
    image: String,
    /// `ezway` or `applemango`; the server's default when omitted.
    engine: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VerifyRequest {
    user_code: String,
    image: String,
    /// `login`, `monitoring` or `general` (default).
    context: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CompareRequest {
    /// Reference image, e.g. an ID card: its largest face is used.
    image1: String,
    /// Probe image, e.g. a selfie: exactly one face.
    image2: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub(crate) struct CountRequest {
    image: String,
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

fn validate_choice(field: &str, value: Option<&str>, allowed: &[&str]) -> Result<(), ApiError> {
    match value {
        Some(v) if !allowed.contains(&v) => Err(ApiError::bad_request(format!(
            "{field} must be one of {}",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    }
}

/// Counts the faces in an image.
#[utoipa::path(post, path = "/v1/fr/count", tag = "face", request_body = CountRequest,
    security(("bearer" = []), ("tenant" = [])),
    responses((status = 200, body = Envelope<CountResponse>),
              (status = 400, description = "40000 bad body, 40001 bad image", body = crate::error::ErrorBody),
              (status = 413, description = "41300 image too large", body = crate::error::ErrorBody)))]
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

/// Enrols a user's face (replacing an earlier enrolment).
#[utoipa::path(post, path = "/v1/fr/register", tag = "face", request_body = RegisterRequest,
    security(("bearer" = []), ("tenant" = [])),
    responses((status = 503, description = "50300 until recognition engines are installed", body = crate::error::ErrorBody),
              (status = 404, description = "4040A no face", body = crate::error::ErrorBody),
              (status = 409, description = "40923 several faces, 40910 unusable face", body = crate::error::ErrorBody)))]
pub(crate) async fn register(
    State(state): State<AppState>,
    AuthedJson { body: request, .. }: AuthedJson<RegisterRequest>,
) -> Result<Json<Envelope<()>>, ApiError> {
    validate_user_code(&request.user_code)?;
    validate_choice("engine", request.engine.as_deref(), &ENGINES)?;
    single_face(detect_faces(&state, request.image).await?)?;
    Err(ApiError::not_available("face recognition"))
}

/// Verifies a selfie against a user's enrolled face.
#[utoipa::path(post, path = "/v1/fr/verify", tag = "face", request_body = VerifyRequest,
    security(("bearer" = []), ("tenant" = [])),
    responses((status = 503, description = "50300 until recognition engines are installed", body = crate::error::ErrorBody),
              (status = 409, description = "40915 not registered, 40924 mismatch at login", body = crate::error::ErrorBody)))]
pub(crate) async fn verify(
    State(state): State<AppState>,
    AuthedJson {
        caller,
        body: request,
    }: AuthedJson<VerifyRequest>,
) -> Result<Json<Envelope<()>>, ApiError> {
    validate_user_code(&request.user_code)?;
    validate_choice("context", request.context.as_deref(), &CONTEXTS)?;
    if state
        .store
        .enrolled(&caller.tenant_id, &request.user_code)
        .await?
        .is_none()
    {
        return Err(ApiError::new(ErrorCode::UserNotRegistered));
    }
    single_face(detect_faces(&state, request.image).await?)?;
    Err(ApiError::not_available("face recognition"))
}

/// Compares the largest face of an ID photo with a selfie.
#[utoipa::path(post, path = "/v1/fr/compare", tag = "face", request_body = CompareRequest,
    security(("bearer" = []), ("tenant" = [])),
    responses((status = 503, description = "50300 until recognition engines are installed", body = crate::error::ErrorBody)))]
pub(crate) async fn compare(
    State(state): State<AppState>,
    AuthedJson { body: request, .. }: AuthedJson<CompareRequest>,
) -> Result<Json<Envelope<()>>, ApiError> {
    let reference = detect_faces(&state, request.image1).await?;
    if reference.is_empty() {
        return Err(ApiError::new(ErrorCode::NoFace).with_detail("no face in image1"));
    }
    single_face(detect_faces(&state, request.image2).await?)?;
    Err(ApiError::not_available("face recognition"))
}

/// Erases every template of a user in this tenant.
#[utoipa::path(delete, path = "/v1/fr/register/{userCode}", tag = "face",
    params(("userCode" = String, Path, description = "the user to erase")),
    security(("bearer" = []), ("tenant" = [])),
    responses((status = 200, body = Envelope<DeleteResponse>),
              (status = 404, description = "40402 user not found", body = crate::error::ErrorBody)))]
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(user_code): Path<String>,
) -> Result<Json<Envelope<DeleteResponse>>, ApiError> {
    validate_user_code(&user_code)?;
    if !state
        .store
        .delete_user(&caller.tenant_id, &user_code)
        .await?
    {
        return Err(ApiError::new(ErrorCode::UserNotFound));
    }
    let message = match RequestContext::current().lang {
        Lang::Ko => "삭제 완료",
        Lang::En => "Deleted",
    };
    Ok(success(DeleteResponse { message }))
}
