//! `POST /v1/liveness/detect` (contract section 5): face rules today, the
//! liveness scorers in their own release.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::{check_choice, with_image, Envelope};
use crate::error::ApiError;
use crate::extract::AuthedJson;
use crate::AppState;

const CHECK_TYPES: [&str; 4] = ["deepfake", "photo", "mask", "all"];

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LivenessRequest {
    image: String,
    /// `deepfake`, `photo`, `mask` or `all` (default).
    check_type: Option<String>,
}

/// Tells a live face from presentation attacks.
#[utoipa::path(post, path = "/v1/liveness/detect", tag = "liveness", request_body = LivenessRequest,
    security(("bearer" = []), ("tenant" = [])),
    responses((status = 503, description = "50300 until the liveness scorers are installed", body = crate::error::ErrorBody)))]
pub(crate) async fn detect_liveness(
    State(state): State<AppState>,
    AuthedJson { body: request, .. }: AuthedJson<LivenessRequest>,
) -> Result<Json<Envelope<()>>, ApiError> {
    check_choice("checkType", request.check_type.as_deref(), &CHECK_TYPES)?;
    with_image(&state, request.image, |models, image| {
        Ok(models.sole_face(image)?)
    })
    .await?;
    Err(ApiError::not_available("liveness detection"))
}
