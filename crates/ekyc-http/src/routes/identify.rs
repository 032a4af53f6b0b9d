//! *(ext)* 1:N search within the caller's tenant: `POST /v1/fr/identify`,
//! and the duplicate check of `register` with `"dedupe": true`.

use axum::extract::State;
use axum::Json;
use ekyc_face::Candidate;
use serde::{Deserialize, Serialize};

use super::{success, Envelope};
use crate::audit;
use crate::error::ApiError;
use crate::extract::AuthedJson;
use crate::openapi::{self, error_responses, AUTHENTICATED, IMAGE_BODY, ONE_FACE};
use crate::AppState;

const MAX_RESULTS: usize = 50;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentifyRequest {
    #[schema(schema_with = openapi::image)]
    image: String,
    /// Candidates to return at most, 1–50 (default 5).
    #[schema(minimum = 1, maximum = 50, example = 5)]
    #[serde(default, deserialize_with = "super::whole_number")]
    max_results: Option<usize>,
}

/// An enrolled user whose face matches under the 1:N rule.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CandidateEntry {
    user_code: String,
    /// The calibrated score of the pair, as verify gives it.
    score: f64,
    /// Estimated false-match rate of the pair.
    fmr: f64,
}

impl From<Candidate> for CandidateEntry {
    fn from(c: Candidate) -> Self {
        Self {
            user_code: c.user_code,
            score: (f64::from(c.score) * 10_000.0).round() / 10_000.0,
            fmr: f64::from(c.fmr),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IdentifyResponse {
    /// Best first; empty when nobody matches.
    candidates: Vec<CandidateEntry>,
    /// The engine that searched.
    engine: &'static str,
    /// Templates searched (the tenant's, of that engine and model).
    gallery_size: usize,
    /// The largest pair FMR accepted: `fpir / gallerySize`.
    max_fmr: f64,
    /// *(ext)* Quality issues of the probe face that did not refuse it.
    quality_issues: Vec<&'static str>,
}

error_responses!(
    /// One usable face is required; nobody matching is an empty list.
    IdentifyErrors: AUTHENTICATED,
    IMAGE_BODY,
    ONE_FACE
);

/// Finds who in the tenant this face belongs to.
#[utoipa::path(post, path = "/v1/fr/identify", tag = "face", request_body = IdentifyRequest,
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "The candidates, best first", body = Envelope<IdentifyResponse>),
              IdentifyErrors))]
pub(crate) async fn identify(
    State(state): State<AppState>,
    AuthedJson {
        caller,
        body: request,
        ..
    }: AuthedJson<IdentifyRequest>,
) -> Result<Json<Envelope<IdentifyResponse>>, ApiError> {
    let max_results = request.max_results.unwrap_or(5);
    if !(1..=MAX_RESULTS).contains(&max_results) {
        return Err(ApiError::bad_request(format!(
            "maxResults must be 1-{MAX_RESULTS}"
        )));
    }
    let identified = state
        .faces
        .identify(&caller.tenant_id, request.image, max_results)
        .await?;
    audit::note(|facts| {
        facts.score = identified.candidates.first().map(|c| f64::from(c.score));
        facts.decision = Some(if identified.candidates.is_empty() {
            "none"
        } else {
            "identified"
        });
        facts.engine = Some(identified.engine.name());
    });
    Ok(success(IdentifyResponse {
        candidates: identified
            .candidates
            .into_iter()
            .map(CandidateEntry::from)
            .collect(),
        engine: identified.engine.name(),
        gallery_size: identified.gallery_size,
        max_fmr: identified.max_fmr,
        quality_issues: super::face::issue_names(&identified.issues),
    }))
}
