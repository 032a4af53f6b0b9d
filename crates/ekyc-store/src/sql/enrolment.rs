//! Enrolled users and their templates, by user key, and the epoch that
//! tells every node's 1:N gallery when they changed.

use sqlx::Row;

use super::rows::template_from_row;
use super::SqlStore;
use crate::{EnrolledUser, GalleryRow, StoreError, TenantId, UserKey};

pub(super) async fn enrol(
    store: &SqlStore,
    tenant_id: &TenantId,
    user: &EnrolledUser<UserKey>,
    sealed_user_code: &[u8],
    at: i64,
) -> Result<(), StoreError> {
    // Upsert first: the user's row lock then orders concurrent
    // enrolments of one user (on any node) instead of failing one on a
    // duplicate key.
    let mut tx = store.pool.begin().await?;
    sqlx::query(&store.sql(
        "INSERT INTO face_users (tenant_id, user_code, preferred_engine, updated_at, user_code_sealed) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, user_code)
         DO UPDATE SET preferred_engine = excluded.preferred_engine, updated_at = excluded.updated_at,
            user_code_sealed = excluded.user_code_sealed",
    ))
    .bind(tenant_id.as_str())
    .bind(user.user_code.as_str())
    .bind(&user.preferred_engine)
    .bind(at)
    .bind(sealed_user_code)
    .execute(&mut *tx)
    .await?;
    sqlx::query(&store.sql("DELETE FROM face_templates WHERE tenant_id = ? AND user_code = ?"))
        .bind(tenant_id.as_str())
        .bind(user.user_code.as_str())
        .execute(&mut *tx)
        .await?;
    for template in &user.templates {
        sqlx::query(&store.sql("INSERT INTO face_templates (tenant_id, user_code, engine, model_version, template, sealed) VALUES (?, ?, ?, ?, ?, 1)"),
        )
            .bind(tenant_id.as_str())
            .bind(user.user_code.as_str())
            .bind(&template.engine)
            .bind(&template.model_version)
            .bind(&template.template)
            .execute(&mut *tx)
            .await?;
    }
    bump_enrolment_epoch(store, &mut tx, tenant_id).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn enrolled(
    store: &SqlStore,
    tenant_id: &TenantId,
    user_key: &UserKey,
) -> Result<Option<EnrolledUser<UserKey>>, StoreError> {
    // One statement, so one snapshot: a concurrent re-enrolment is
    // seen whole or not at all.
    let rows = sqlx::query(&store.sql(
        "SELECT u.preferred_engine, t.engine, t.model_version, t.template
         FROM face_users u LEFT JOIN face_templates t
           ON t.tenant_id = u.tenant_id AND t.user_code = u.user_code AND t.sealed = 1
         WHERE u.tenant_id = ? AND u.user_code = ? ORDER BY t.engine",
    ))
    .bind(tenant_id.as_str())
    .bind(user_key.as_str())
    .fetch_all(&store.pool)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let preferred_engine: String = first.try_get("preferred_engine")?;
    let mut templates = Vec::with_capacity(rows.len());
    for row in &rows {
        let Some(engine) = row.try_get::<Option<String>, _>("engine")? else {
            continue;
        };
        templates.push(template_from_row(row, engine)?);
    }
    Ok(Some(EnrolledUser {
        user_code: user_key.clone(),
        preferred_engine,
        templates,
    }))
}

pub(super) async fn delete_user(
    store: &SqlStore,
    tenant_id: &TenantId,
    user_key: &UserKey,
) -> Result<bool, StoreError> {
    let mut tx = store.pool.begin().await?;
    let result =
        sqlx::query(&store.sql("DELETE FROM face_users WHERE tenant_id = ? AND user_code = ?"))
            .bind(tenant_id.as_str())
            .bind(user_key.as_str())
            .execute(&mut *tx)
            .await?;
    sqlx::query(&store.sql("DELETE FROM verify_attempts WHERE tenant_id = ? AND user_code = ?"))
        .bind(tenant_id.as_str())
        .bind(user_key.as_str())
        .execute(&mut *tx)
        .await?;
    if result.rows_affected() == 1 {
        bump_enrolment_epoch(store, &mut tx, tenant_id).await?;
    }
    tx.commit().await?;
    store.erase_deleted(false).await;
    Ok(result.rows_affected() == 1)
}

pub(super) async fn enrolment_epoch(
    store: &SqlStore,
    tenant_id: &TenantId,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(&store.sql("SELECT enrolment_epoch FROM tenants WHERE id = ?"))
        .bind(tenant_id.as_str())
        .fetch_optional(&store.pool)
        .await?
        .ok_or_else(|| StoreError::UnknownTenant(tenant_id.to_string()))
}

pub(super) async fn tenant_templates(
    store: &SqlStore,
    tenant_id: &TenantId,
    engine: &str,
    model_version: &str,
) -> Result<Vec<GalleryRow>, StoreError> {
    let rows = sqlx::query(&store.sql(
        "SELECT t.user_code, u.user_code_sealed, t.template
         FROM face_templates t JOIN face_users u ON u.tenant_id = t.tenant_id AND u.user_code = t.user_code
         WHERE t.tenant_id = ? AND t.engine = ? AND t.model_version = ? AND t.sealed = 1
           AND u.user_code_sealed IS NOT NULL
         ORDER BY t.user_code",
    ))
    .bind(tenant_id.as_str())
    .bind(engine)
    .bind(model_version)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(GalleryRow {
                user_key: UserKey::new(row.try_get::<String, _>("user_code")?),
                sealed_user_code: row.try_get("user_code_sealed")?,
                template: row.try_get("template")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

/// Marks the tenant's enrolments as changed, in the same transaction as
/// the change, so every node's 1:N gallery knows to reload.
pub(super) async fn bump_enrolment_epoch(
    store: &SqlStore,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant_id: &TenantId,
) -> Result<(), StoreError> {
    sqlx::query(
        &store.sql("UPDATE tenants SET enrolment_epoch = enrolment_epoch + 1 WHERE id = ?"),
    )
    .bind(tenant_id.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
