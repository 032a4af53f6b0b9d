//! The verify lockout's state: each user's failures, locks and
//! verifications in progress, changed only in single statements so that
//! concurrent requests on any node all count.

use super::rows::attempts_from_row;
use super::SqlStore;
use crate::{StoreError, TenantId, UserKey, VerifyAttempts};

/// Verifications in progress that still count: none once the latest
/// reservation is older than the `stale_before` bound (the requests that
/// made them have died). Takes that bound as its one placeholder.
const LIVE_PENDING: &str =
    "(CASE WHEN verify_attempts.reserved_at < ? THEN 0 ELSE verify_attempts.pending END)";

/// `pending` after one reservation is given back.
const RELEASED: &str =
    "(CASE WHEN verify_attempts.pending > 0 THEN verify_attempts.pending - 1 ELSE 0 END)";

pub(super) async fn verify_attempts(
    store: &SqlStore,
    tenant_id: &TenantId,
    user_key: &UserKey,
) -> Result<VerifyAttempts, StoreError> {
    let row = sqlx::query(&store.sql("SELECT failures, lockouts, locked_until FROM verify_attempts WHERE tenant_id = ? AND user_code = ?"),
    )
    .bind(tenant_id.as_str())
    .bind(user_key.as_str())
    .fetch_optional(&store.pool)
    .await?;
    Ok(match row {
        Some(row) => attempts_from_row(&row)?,
        None => VerifyAttempts::default(),
    })
}

pub(super) async fn reserve_verify_attempt(
    store: &SqlStore,
    tenant_id: &TenantId,
    user_key: &UserKey,
    limit: u32,
    now: i64,
    stale_before: i64,
) -> Result<Option<VerifyAttempts>, StoreError> {
    let row = sqlx::query(&store.sql(&format!(
        "INSERT INTO verify_attempts (tenant_id, user_code, failures, lockouts, locked_until, pending, reserved_at)
         VALUES (?, ?, 0, 0, 0, 1, ?)
         ON CONFLICT (tenant_id, user_code) DO UPDATE SET
           pending = {LIVE_PENDING} + 1, reserved_at = excluded.reserved_at
         WHERE verify_attempts.locked_until <= ? AND verify_attempts.failures + {LIVE_PENDING} < ?
         RETURNING failures, lockouts, locked_until"
    )))
    .bind(tenant_id.as_str())
    .bind(user_key.as_str())
    .bind(now)
    .bind(stale_before)
    .bind(now)
    .bind(stale_before)
    .bind(i64::from(limit))
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.as_ref().map(attempts_from_row).transpose()?)
}

pub(super) async fn release_verify_attempt(
    store: &SqlStore,
    tenant_id: &TenantId,
    user_key: &UserKey,
) -> Result<(), StoreError> {
    sqlx::query(&store.sql(&format!(
        "UPDATE verify_attempts SET pending = {RELEASED} WHERE tenant_id = ? AND user_code = ?"
    )))
    .bind(tenant_id.as_str())
    .bind(user_key.as_str())
    .execute(&store.pool)
    .await?;
    Ok(())
}

pub(super) async fn count_verify_failure(
    store: &SqlStore,
    tenant_id: &TenantId,
    user_key: &UserKey,
) -> Result<VerifyAttempts, StoreError> {
    let row = sqlx::query(&store.sql(&format!("INSERT INTO verify_attempts (tenant_id, user_code, failures, lockouts, locked_until) VALUES (?, ?, 1, 0, 0)
         ON CONFLICT (tenant_id, user_code) DO UPDATE SET failures = verify_attempts.failures + 1, pending = {RELEASED}
         RETURNING failures, lockouts, locked_until")),
    )
    .bind(tenant_id.as_str())
    .bind(user_key.as_str())
    .fetch_one(&store.pool)
    .await?;
    Ok(attempts_from_row(&row)?)
}

pub(super) async fn lock_verify(
    store: &SqlStore,
    tenant_id: &TenantId,
    user_key: &UserKey,
    seen_lockouts: u32,
    locked_until: i64,
) -> Result<bool, StoreError> {
    let result = sqlx::query(&store.sql(
        "UPDATE verify_attempts SET failures = 0, lockouts = lockouts + 1, locked_until = ?
         WHERE tenant_id = ? AND user_code = ? AND lockouts = ?",
    ))
    .bind(locked_until)
    .bind(tenant_id.as_str())
    .bind(user_key.as_str())
    .bind(i64::from(seen_lockouts))
    .execute(&store.pool)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub(super) async fn clear_verify_attempts(
    store: &SqlStore,
    tenant_id: &TenantId,
    user_key: &UserKey,
) -> Result<(), StoreError> {
    sqlx::query(&store.sql(&format!(
        "UPDATE verify_attempts SET failures = 0, lockouts = 0, locked_until = 0, pending = {RELEASED}
         WHERE tenant_id = ? AND user_code = ?"
    )))
    .bind(tenant_id.as_str())
    .bind(user_key.as_str())
    .execute(&store.pool)
    .await?;
    Ok(())
}
