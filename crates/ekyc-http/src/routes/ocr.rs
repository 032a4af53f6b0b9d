//! `POST /v1/ocr/recognize` (contract section 4): input checks today, the
//! document pipeline in its own release.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::{check_choice, Envelope};
use crate::error::ApiError;
use crate::extract::AuthedJson;
use crate::AppState;

const ID_TYPES: [&str; 4] = ["RESIDENT", "DRIVER", "PASSPORT", "FOREIGN"];

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OcrRequest {
    image: String,
    /// `RESIDENT`, `DRIVER`, `PASSPORT` or `FOREIGN`; detected when omitted.
    id_type: Option<String>,
}

/// Reads a Korean ID document.
#[utoipa::path(post, path = "/v1/ocr/recognize", tag = "ocr", request_body = OcrRequest,
    security(("bearer" = []), ("tenant" = [])),
    responses((status = 503, description = "50300 until the document pipeline is installed", body = crate::error::ErrorBody)))]
pub(crate) async fn recognize(
    State(state): State<AppState>,
    AuthedJson { body: request, .. }: AuthedJson<OcrRequest>,
) -> Result<Json<Envelope<()>>, ApiError> {
    check_choice("idType", request.id_type.as_deref(), &ID_TYPES)?;
    let limits = state.intake;
    let image = request.image;
    state
        .faces
        .run(move |_| ekyc_image::decode_base64_image(&image, &limits).map(|_| ()))
        .await??;
    Err(ApiError::not_available("ID document OCR"))
}
