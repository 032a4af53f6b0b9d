//! `POST /v1/ocr/recognize` (contract section 4): the document pipeline's
//! reading as the contract's `data`, masked, with the *(ext)* confidences,
//! checks, corners and portrait box.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use ekyc_core::ErrorCode;
use ekyc_doc::kind::DocumentKind;
use ekyc_doc::registration::Masking;
use ekyc_doc::{Checks, FieldName, FieldValue, Reading};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::ObjectBuilder;

use super::{check_choice, success, Envelope};
use crate::audit;
use crate::error::ApiError;
use crate::extract::AuthedJson;
use crate::openapi::{self, error_responses, AUTHENTICATED, IMAGE_BODY};
use crate::AppState;

const ID_TYPES: [&str; 4] = ["RESIDENT", "DRIVER", "PASSPORT", "FOREIGN"];

/// Fields that go in `data` itself; the rest of a reading goes in `details`.
const TOP_LEVEL: [FieldName; 2] = [FieldName::Name, FieldName::BirthDate];

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OcrRequest {
    #[schema(schema_with = document_image)]
    image: String,
    #[schema(schema_with = id_type_choice)]
    id_type: Option<String>,
}

fn document_image() -> ObjectBuilder {
    openapi::image_with("The photo or scan of the document")
}

fn id_type_choice() -> ObjectBuilder {
    openapi::optional_choice(
        &ID_TYPES,
        "주민등록증, 운전면허증, 여권 or 외국인등록증; detected when omitted.",
    )
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OcrResponse {
    data: DocumentData,
    /// Mean of the field confidences, in [0, 1].
    confidence: f32,
    /// *(ext)* Per field (`idNum`, `name`, `licenseNo`, …), in [0, 1]; on
    /// the benchmark, fields at 0.9 or more are right at least 90 % of the
    /// time.
    field_confidence: BTreeMap<String, f32>,
    /// *(ext)* Validation results; `null` where a check does not apply.
    checks: OcrChecks,
    /// *(ext)* The document's corners in the image, clockwise from its
    /// printed top-left.
    corners: [[f32; 2]; 4],
    /// *(ext)* The ID photo's `[x, y, width, height]` in the image, for
    /// `/v1/fr/compare`.
    portrait_box: Option<[f32; 4]>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DocumentData {
    id_type: &'static str,
    name: Option<String>,
    /// Masked as the operator configured (`******-*******` by default).
    id_num: Option<String>,
    birth_date: Option<String>,
    /// Per type, as the contract lists: `address`, `issueDate`, `issuer`,
    /// `licenseNo`, `licenseType`, `licenseTypes`, `expiryDate`,
    /// `passportNo`, `mrz`, `nationality`, `visaType`, `serialNo`, …
    #[schema(value_type = Object)]
    details: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OcrChecks {
    id_number_format: Option<bool>,
    /// A failed checksum is a signal only: numbers since October 2020 have
    /// no valid check digit.
    id_number_checksum: Option<bool>,
    // The contract spells it the American way; the code, `licence`.
    #[serde(rename = "licenseNumber")]
    licence_number: Option<bool>,
    #[serde(rename = "licenseTypes")]
    licence_types: Option<bool>,
    mrz_check_digits: Option<bool>,
    birth_date_consistent: Option<bool>,
    expired: Option<bool>,
    /// `false` when `idType` was given and the card is clearly another
    /// type; the answer then describes the card as it is.
    id_type_matches: Option<bool>,
}

impl From<&Checks> for OcrChecks {
    fn from(c: &Checks) -> Self {
        Self {
            id_number_format: c.id_number_format,
            id_number_checksum: c.id_number_checksum,
            licence_number: c.licence_number,
            licence_types: c.licence_types,
            mrz_check_digits: c.mrz_check_digits,
            birth_date_consistent: c.birth_date_consistent,
            expired: c.expired,
            id_type_matches: c.id_type_matches,
        }
    }
}

error_responses!(
    /// No document found, or its fields unreadable.
    OcrErrors: AUTHENTICATED,
    IMAGE_BODY,
    &[ErrorCode::NoDocument, ErrorCode::OcrFailed]
);

/// Reads a Korean ID document.
#[utoipa::path(post, path = "/v1/ocr/recognize", tag = "ocr", request_body = OcrRequest,
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "The document's fields, `idNum` masked", body = Envelope<OcrResponse>),
        OcrErrors))]
pub(crate) async fn recognize(
    State(state): State<AppState>,
    AuthedJson { body: request, .. }: AuthedJson<OcrRequest>,
) -> Result<Json<Envelope<OcrResponse>>, ApiError> {
    check_choice("idType", request.id_type.as_deref(), &ID_TYPES)?;
    let expected = request
        .id_type
        .as_deref()
        .and_then(|id_type| id_type.parse::<DocumentKind>().ok());
    let limits = state.intake;
    let image = request.image;
    let reading = state
        .documents
        .run(move |models| {
            let decoded = ekyc_image::decode_base64_image(&image, &limits)?;
            Ok::<_, ApiError>(models.read(&decoded.rgb, expected)?)
        })
        .await??;
    let response = OcrResponse::new(&reading, state.id_masking);
    audit::note(|facts| {
        facts.score = Some(f64::from(response.confidence));
        facts.decision = Some(reading.kind.id_type());
    });
    Ok(success(response))
}

impl OcrResponse {
    fn new(reading: &Reading, masking: Masking) -> Self {
        let mut details: BTreeMap<String, serde_json::Value> = reading
            .fields
            .iter()
            .filter(|(name, _)| !TOP_LEVEL.contains(name))
            .map(|(name, field)| (name.as_str().to_owned(), json_value(&field.value)))
            .collect();
        if let Some(mrz) = &reading.mrz {
            // Every format's optional data is masked (a TD1 card's starts
            // on line 1, and other states put personal numbers there too);
            // `format` tells a passport (TD3) from an ID card or a visa,
            // and only TD1 has a line 3.
            let mut lines = mrz.masked_lines().into_iter();
            let mut zone = serde_json::json!({
                "line1": lines.next(),
                "line2": lines.next(),
                "valid": mrz.valid,
                "format": mrz.format.as_str(),
            });
            if let Some(line3) = lines.next() {
                zone["line3"] = line3.into();
            }
            details.insert("mrz".to_owned(), zone);
        }
        let mut field_confidence: BTreeMap<String, f32> = reading
            .fields
            .iter()
            .map(|(name, field)| (name.as_str().to_owned(), rounded(field.confidence)))
            .collect();
        if let Some((_, confidence)) = &reading.id_number {
            field_confidence.insert("idNum".to_owned(), rounded(*confidence));
        }
        let text = |name: FieldName| {
            reading
                .fields
                .get(&name)
                .and_then(|f| f.value.as_text())
                .map(str::to_owned)
        };
        Self {
            data: DocumentData {
                id_type: reading.kind.id_type(),
                name: text(FieldName::Name),
                id_num: reading
                    .id_number
                    .as_ref()
                    .map(|(number, _)| number.masked(masking)),
                birth_date: text(FieldName::BirthDate),
                details,
            },
            confidence: rounded(reading.confidence),
            field_confidence,
            checks: OcrChecks::from(&reading.checks),
            corners: reading.corners.map(|c| c.map(tenth)),
            portrait_box: reading.portrait.map(|b| b.map(tenth)),
        }
    }
}

/// A field's value as the answer gives it: a string, or an array of them
/// (the licence types).
fn json_value(value: &FieldValue) -> serde_json::Value {
    match value {
        FieldValue::Text(text) => serde_json::json!(text),
        FieldValue::List(items) => serde_json::json!(items),
    }
}

fn rounded(value: f32) -> f32 {
    (value * 1000.0).round() / 1000.0
}

fn tenth(value: f32) -> f32 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use ekyc_doc::{Field, StageTimings};

    use super::*;

    fn field(value: FieldValue) -> Field {
        Field {
            value,
            confidence: 0.9,
        }
    }

    #[test]
    fn licence_types_are_a_json_array_and_the_name_is_top_level() {
        let text = |t: &str| field(FieldValue::Text(t.to_owned()));
        let reading = Reading {
            kind: DocumentKind::Driver,
            fields: BTreeMap::from([
                (FieldName::Name, text("홍길동")),
                (FieldName::LicenceType, text("1종보통")),
                (
                    FieldName::LicenceTypes,
                    field(FieldValue::List(vec![
                        "1종보통".to_owned(),
                        "2종소형".to_owned(),
                    ])),
                ),
            ]),
            id_number: None,
            mrz: None,
            checks: Checks::default(),
            corners: [[0.0; 2]; 4],
            portrait: None,
            confidence: 0.9,
            timings: StageTimings::default(),
        };
        let json = serde_json::to_value(OcrResponse::new(&reading, Masking::All)).unwrap();
        let data = &json["data"];
        assert_eq!(data["name"], "홍길동");
        assert_eq!(
            data["details"],
            serde_json::json!({"licenseType": "1종보통", "licenseTypes": ["1종보통", "2종소형"]})
        );
        assert!(json["fieldConfidence"]["licenseTypes"].is_number());
    }
}
