//! Rows written by earlier versions, brought up to date at start-up:
//! templates stored before encryption existed and user codes stored
//! before they were hashed. Each carries its user's code in plain.

use sqlx::Row;

use super::enrolment::bump_enrolment_epoch;
use super::rows::template_from_row;
use super::SqlStore;
use crate::{FaceTemplate, LegacyUser, StoreError, TenantId, UnsealedTemplate, UserCode, UserKey};

pub(super) async fn unsealed_templates(
    store: &SqlStore,
) -> Result<Vec<UnsealedTemplate>, StoreError> {
    let rows = sqlx::query(&store.sql("SELECT tenant_id, user_code, engine, model_version, template FROM face_templates WHERE sealed = 0"),
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(UnsealedTemplate {
                tenant_id: TenantId::new(row.try_get::<String, _>("tenant_id")?),
                user_code: UserCode::new(row.try_get::<String, _>("user_code")?),
                template: template_from_row(row, row.try_get("engine")?)?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

pub(super) async fn seal_template(
    store: &SqlStore,
    tenant_id: &TenantId,
    user_code: &UserCode,
    sealed: &FaceTemplate,
) -> Result<(), StoreError> {
    sqlx::query(&store.sql("UPDATE face_templates SET template = ?, sealed = 1 WHERE tenant_id = ? AND user_code = ? AND engine = ? AND model_version = ? AND sealed = 0"),
    )
    .bind(&sealed.template)
    .bind(tenant_id.as_str())
    .bind(user_code.as_str())
    .bind(&sealed.engine)
    .bind(&sealed.model_version)
    .execute(&store.pool)
    .await?;
    Ok(())
}

pub(super) async fn legacy_user_codes(store: &SqlStore) -> Result<Vec<LegacyUser>, StoreError> {
    let rows = sqlx::query(&store.sql(
        "SELECT tenant_id, user_code FROM face_users WHERE user_code_sealed IS NULL ORDER BY tenant_id, user_code",
    ))
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(LegacyUser {
                tenant_id: TenantId::new(row.try_get::<String, _>("tenant_id")?),
                user_code: UserCode::new(row.try_get::<String, _>("user_code")?),
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

pub(super) async fn seal_user_code(
    store: &SqlStore,
    tenant_id: &TenantId,
    plain_user_code: &UserCode,
    user_key: &UserKey,
    sealed_user_code: &[u8],
) -> Result<(), StoreError> {
    // The new row first, so the templates' foreign key always holds.
    let mut tx = store.pool.begin().await?;
    sqlx::query(&store.sql(
        "INSERT INTO face_users (tenant_id, user_code, preferred_engine, updated_at, user_code_sealed)
         SELECT tenant_id, ?, preferred_engine, updated_at, ? FROM face_users
         WHERE tenant_id = ? AND user_code = ? AND user_code_sealed IS NULL",
    ))
    .bind(user_key.as_str())
    .bind(sealed_user_code)
    .bind(tenant_id.as_str())
    .bind(plain_user_code.as_str())
    .execute(&mut *tx)
    .await?;
    for table in ["face_templates", "verify_attempts"] {
        sqlx::query(&store.sql(&format!(
            "UPDATE {table} SET user_code = ? WHERE tenant_id = ? AND user_code = ?"
        )))
        .bind(user_key.as_str())
        .bind(tenant_id.as_str())
        .bind(plain_user_code.as_str())
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(&store.sql(
        "DELETE FROM face_users WHERE tenant_id = ? AND user_code = ? AND user_code_sealed IS NULL",
    ))
    .bind(tenant_id.as_str())
    .bind(plain_user_code.as_str())
    .execute(&mut *tx)
    .await?;
    bump_enrolment_epoch(store, &mut tx, tenant_id).await?;
    tx.commit().await?;
    Ok(())
}
