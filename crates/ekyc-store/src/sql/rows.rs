//! Rows read back into the store's records.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{AuditRecord, FaceTemplate, Tenant, TenantId, VerifyAttempts};

pub(super) fn template_from_row(row: &AnyRow, engine: String) -> Result<FaceTemplate, sqlx::Error> {
    Ok(FaceTemplate {
        engine,
        model_version: row.try_get("model_version")?,
        template: row.try_get("template")?,
    })
}

pub(super) fn audit_from_row(row: &AnyRow) -> Result<AuditRecord, sqlx::Error> {
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        trx_id: row.try_get("trx_id")?,
        at_ms: row.try_get("at_ms")?,
        tenant_id: row.try_get("tenant_id")?,
        access_key: row.try_get("access_key")?,
        method: row.try_get("method")?,
        endpoint: row.try_get("endpoint")?,
        status: row.try_get::<i64, _>("status")? as u16,
        code: row.try_get("code")?,
        score: row.try_get("score")?,
        decision: row.try_get("decision")?,
        engine: row.try_get("engine")?,
        latency_ms: row.try_get("latency_ms")?,
    })
}

pub(super) fn attempts_from_row(row: &AnyRow) -> Result<VerifyAttempts, sqlx::Error> {
    Ok(VerifyAttempts {
        failures: row.try_get::<i64, _>("failures")? as u32,
        lockouts: row.try_get::<i64, _>("lockouts")? as u32,
        locked_until: row.try_get("locked_until")?,
    })
}

pub(super) fn tenant_from_row(row: &AnyRow) -> Result<Tenant, sqlx::Error> {
    Ok(Tenant {
        id: TenantId::new(row.try_get::<String, _>("id")?),
        name: row.try_get("name")?,
        token_epoch: row.try_get("token_epoch")?,
        created_at: row.try_get("created_at")?,
    })
}
