//! *(ext)* The tenant's own audit trail: one record per request.

use axum::extract::State;
use axum::Json;
use ekyc_core::ErrorCode;
use ekyc_store::AuditRecord;
use serde::{Deserialize, Serialize};

use super::{success, Envelope};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery, Caller};
use crate::openapi::{error_responses, AUTHENTICATED};
use crate::AppState;

const MAX_PAGE: u32 = 500;

/// One request as the audit trail keeps it. No payload is ever kept.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuditEntry {
    /// Position in the trail; pass it as `before` for the next page.
    seq: i64,
    /// The audited request's transaction id.
    trx_id: String,
    /// Unix milliseconds when it was answered.
    at_ms: i64,
    access_key: Option<String>,
    method: String,
    /// The route template, e.g. `/v1/fr/register/{userCode}`.
    endpoint: String,
    status: u16,
    /// The contract's code; `"0"` on success.
    code: String,
    score: Option<f64>,
    /// `match` or `mismatch` for verify and compare.
    decision: Option<String>,
    engine: Option<String>,
    latency_ms: f64,
}

impl From<AuditRecord> for AuditEntry {
    fn from(r: AuditRecord) -> Self {
        Self {
            seq: r.seq,
            trx_id: r.trx_id,
            at_ms: r.at_ms,
            access_key: r.access_key,
            method: r.method,
            endpoint: r.endpoint,
            status: r.status,
            code: r.code,
            score: r.score,
            decision: r.decision,
            engine: r.engine,
            latency_ms: r.latency_ms,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct AuditResponse {
    record: AuditEntry,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuditPage {
    /// Newest first.
    records: Vec<AuditEntry>,
    /// `before` for the next page; absent on the last one.
    next_before: Option<i64>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PageQuery {
    /// Only records older than this `seq`.
    before: Option<i64>,
    /// Records per page, 1–500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

error_responses!(
    /// No record of that id in this tenant.
    RecordErrors: AUTHENTICATED,
    &[ErrorCode::BadRequest, ErrorCode::AuditRecordNotFound]
);

/// The audit record of one of the tenant's requests.
#[utoipa::path(get, path = "/v1/audit/{trxId}", tag = "audit",
    params(("trxId" = String, Path, description = "The request's transaction id")),
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "The record", body = Envelope<AuditResponse>), RecordErrors))]
pub(crate) async fn audit_record(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiPath(trx_id): ApiPath<String>,
) -> Result<Json<Envelope<AuditResponse>>, ApiError> {
    let record = state
        .audit
        .record(&caller.tenant_id, trx_id.trim())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::AuditRecordNotFound))?;
    Ok(success(AuditResponse {
        record: record.into(),
    }))
}

error_responses!(
    /// `40000` for a query outside its bounds.
    PageErrors: AUTHENTICATED,
    &[ErrorCode::BadRequest]
);

/// The tenant's audit trail, newest first, page by page.
#[utoipa::path(get, path = "/v1/audit", tag = "audit", params(PageQuery),
    security(("bearer" = [], "tenant" = [])),
    responses((status = 200, description = "One page of records", body = Envelope<AuditPage>), PageErrors))]
pub(crate) async fn audit_list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<Envelope<AuditPage>>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(format!("limit must be 1-{MAX_PAGE}")));
    }
    let records = state
        .store
        .audit_page(&caller.tenant_id, query.before, limit)
        .await?;
    let next_before = (records.len() == limit as usize)
        .then(|| records.last().map(|r| r.seq))
        .flatten();
    Ok(success(AuditPage {
        records: records.into_iter().map(AuditEntry::from).collect(),
        next_before,
    }))
}
