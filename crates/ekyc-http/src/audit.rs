//! The audit trail: one record per request (who, which endpoint, the
//! outcome, a decision's score and engine, the latency), never payloads.
//!
//! Handlers add what only they know (the caller, a decision) to the
//! request's [`AuditFacts`]; the request middleware writes the record once
//! the response exists, before it is sent, so a client that holds a
//! `trxId` can always look it up.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ekyc_core::ErrorCode;
use ekyc_store::AuditRecord;
use uuid::Uuid;

use crate::AppState;

/// What the handlers learnt about a request.
#[derive(Debug, Default, Clone)]
pub(crate) struct AuditFacts {
    pub tenant_id: Option<String>,
    pub access_key: Option<String>,
    pub score: Option<f64>,
    pub decision: Option<&'static str>,
    pub engine: Option<&'static str>,
}

tokio::task_local! {
    static FACTS: Arc<Mutex<AuditFacts>>;
}

/// Runs `future` with an empty set of facts and returns them with its output.
pub(crate) async fn collecting<F: std::future::Future>(future: F) -> (F::Output, AuditFacts) {
    let facts = Arc::new(Mutex::new(AuditFacts::default()));
    let output = FACTS.scope(facts.clone(), future).await;
    let collected = facts
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    (output, collected)
}

/// Adds to the current request's facts (nothing outside a request).
pub(crate) fn note(update: impl FnOnce(&mut AuditFacts)) {
    let _ = FACTS.try_with(|facts| update(&mut facts.lock().unwrap_or_else(|p| p.into_inner())));
}

/// Routes that are not part of the API proper: probes and documentation.
pub(crate) fn is_audited(route: &str) -> bool {
    !matches!(route, "/healthz" | "/readyz" | "/metrics")
}

pub(crate) struct Outcome<'a> {
    pub trx_id: Uuid,
    pub method: &'a str,
    pub route: &'a str,
    pub status: u16,
    pub code: Option<ErrorCode>,
    pub elapsed: Duration,
}

/// Writes the record, or spools it while the database refuses it. The
/// answer goes out either way: the work it reports has already happened.
/// Only when the spool is full (and new requests are being refused) is a
/// record dropped, logged and counted.
pub(crate) async fn write(state: &AppState, outcome: Outcome<'_>, facts: AuditFacts) {
    let record = AuditRecord {
        seq: 0,
        trx_id: outcome.trx_id.to_string(),
        at_ms: unix_millis(),
        tenant_id: facts.tenant_id,
        access_key: facts.access_key,
        method: outcome.method.to_owned(),
        endpoint: outcome.route.to_owned(),
        status: outcome.status,
        code: outcome.code.map_or("0", ErrorCode::code).to_owned(),
        score: facts.score,
        decision: facts.decision.map(str::to_owned),
        engine: facts.engine.map(str::to_owned),
        latency_ms: (outcome.elapsed.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
    };
    if let Err(e) = state.audit.append(record).await {
        state.metrics.count_audit_failure();
        tracing::error!(trx_id = %outcome.trx_id, error = %e, "audit record not written");
    }
}

fn unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
