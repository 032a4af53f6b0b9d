//! The audit trail's table: appended to, looked up by transaction,
//! paged newest first, purged by age.

use super::rows::audit_from_row;
use super::SqlStore;
use crate::{AuditRecord, StoreError, TenantId};

/// The columns of a record, in [`audit_from_row`]'s terms.
const AUDIT_COLUMNS: &str = "seq, trx_id, at_ms, tenant_id, access_key, method, endpoint, status, code, score, decision, engine, latency_ms";

pub(super) async fn append_audit(store: &SqlStore, record: &AuditRecord) -> Result<(), StoreError> {
    // Not a cached statement: sqlx's runtime-chosen driver (0.8.6)
    // declares a NULL f64 as float4 to PostgreSQL, and a cached
    // statement would then refuse the next real score.
    sqlx::query(&store.sql("INSERT INTO audit_log (trx_id, at_ms, tenant_id, access_key, method, endpoint, status, code, score, decision, engine, latency_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    )
    .persistent(false)
    .bind(&record.trx_id)
    .bind(record.at_ms)
    .bind(&record.tenant_id)
    .bind(&record.access_key)
    .bind(&record.method)
    .bind(&record.endpoint)
    .bind(i64::from(record.status))
    .bind(&record.code)
    .bind(record.score)
    .bind(&record.decision)
    .bind(&record.engine)
    .bind(record.latency_ms)
    .execute(&store.pool)
    .await?;
    Ok(())
}

pub(super) async fn audit_record(
    store: &SqlStore,
    tenant_id: &TenantId,
    trx_id: &str,
) -> Result<Option<AuditRecord>, StoreError> {
    let row = sqlx::query(&store.sql(&format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE tenant_id = ? AND trx_id = ? ORDER BY seq DESC LIMIT 1"
    )))
    .bind(tenant_id.as_str())
    .bind(trx_id)
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.as_ref().map(audit_from_row).transpose()?)
}

pub(super) async fn audit_page(
    store: &SqlStore,
    tenant_id: &TenantId,
    before_seq: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditRecord>, StoreError> {
    let rows = sqlx::query(&store.sql(&format!(
        "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE tenant_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?"
    )))
    .bind(tenant_id.as_str())
    .bind(before_seq.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.iter().map(audit_from_row).collect::<Result<_, _>>()?)
}

pub(super) async fn purge_audit(store: &SqlStore, before_ms: i64) -> Result<u64, StoreError> {
    let result = sqlx::query(&store.sql("DELETE FROM audit_log WHERE at_ms < ?"))
        .bind(before_ms)
        .execute(&store.pool)
        .await?;
    Ok(result.rows_affected())
}
