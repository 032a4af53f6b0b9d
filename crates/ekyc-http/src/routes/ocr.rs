//! `POST /v1/ocr/recognize` (contract section 4): input checks today, the
//! document pipeline in its own release.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use super::Envelope;
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
    if let Some(id_type) = request.id_type.as_deref() {
        if !ID_TYPES.contains(&id_type) {
            return Err(ApiError::bad_request(format!(
                "idType must be one of {}",
                ID_TYPES.join(", ")
            )));
        }
    }
    let limits = state.intake;
    let image = request.image;
    state
        .faces
        .run(move |_| ekyc_image::decode_base64_image(&image, &limits).map(|_| ()))
        .await??;
    Err(ApiError::not_available("ID document OCR"))
}
