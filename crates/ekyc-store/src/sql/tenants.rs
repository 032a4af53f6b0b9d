//! Tenants and what authenticates them: their records, their wrapped
//! data keys and their access keys.

use sqlx::Row;

use super::rows::tenant_from_row;
use super::SqlStore;
use crate::{AccessKey, AccessKeyRecord, StoreError, Tenant, TenantId, TenantKey, WrappedKey};

pub(super) async fn create_tenant(store: &SqlStore, tenant: &Tenant) -> Result<(), StoreError> {
    sqlx::query(
        &store.sql("INSERT INTO tenants (id, name, token_epoch, created_at) VALUES (?, ?, ?, ?)"),
    )
    .bind(tenant.id.as_str())
    .bind(&tenant.name)
    .bind(tenant.token_epoch)
    .bind(tenant.created_at)
    .execute(&store.pool)
    .await?;
    Ok(())
}

pub(super) async fn tenant(store: &SqlStore, id: &TenantId) -> Result<Option<Tenant>, StoreError> {
    let row = sqlx::query(
        &store.sql("SELECT id, name, token_epoch, created_at FROM tenants WHERE id = ?"),
    )
    .bind(id.as_str())
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.as_ref().map(tenant_from_row).transpose()?)
}

pub(super) async fn tenants(store: &SqlStore) -> Result<Vec<Tenant>, StoreError> {
    let rows = sqlx::query(
        &store.sql("SELECT id, name, token_epoch, created_at FROM tenants ORDER BY created_at, id"),
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.iter().map(tenant_from_row).collect::<Result<_, _>>()?)
}

pub(super) async fn bump_token_epoch(
    store: &SqlStore,
    tenant_id: &TenantId,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        &store.sql(
            "UPDATE tenants SET token_epoch = token_epoch + 1 WHERE id = ? RETURNING token_epoch",
        ),
    )
    .bind(tenant_id.as_str())
    .fetch_optional(&store.pool)
    .await?
    .ok_or_else(|| StoreError::UnknownTenant(tenant_id.to_string()))
}

pub(super) async fn delete_tenant(
    store: &SqlStore,
    tenant_id: &TenantId,
) -> Result<bool, StoreError> {
    let result = sqlx::query(&store.sql("DELETE FROM tenants WHERE id = ?"))
        .bind(tenant_id.as_str())
        .execute(&store.pool)
        .await?;
    store.erase_deleted(true).await;
    Ok(result.rows_affected() == 1)
}

pub(super) async fn tenant_key(
    store: &SqlStore,
    tenant_id: &TenantId,
) -> Result<Option<WrappedKey>, StoreError> {
    let row =
        sqlx::query(&store.sql("SELECT kek_id, wrapped FROM tenant_keys WHERE tenant_id = ?"))
            .bind(tenant_id.as_str())
            .fetch_optional(&store.pool)
            .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(WrappedKey {
        kek_id: row.try_get("kek_id")?,
        wrapped: row.try_get("wrapped")?,
    }))
}

pub(super) async fn insert_tenant_key(
    store: &SqlStore,
    tenant_id: &TenantId,
    key: &WrappedKey,
    at: i64,
) -> Result<bool, StoreError> {
    let result = sqlx::query(&store.sql("INSERT INTO tenant_keys (tenant_id, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING"),
    )
    .bind(tenant_id.as_str())
    .bind(&key.kek_id)
    .bind(&key.wrapped)
    .bind(at)
    .execute(&store.pool)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub(super) async fn tenant_keys(store: &SqlStore) -> Result<Vec<TenantKey>, StoreError> {
    let rows = sqlx::query(
        &store.sql("SELECT tenant_id, kek_id, wrapped FROM tenant_keys ORDER BY tenant_id"),
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(TenantKey {
                tenant_id: TenantId::new(row.try_get::<String, _>("tenant_id")?),
                key: WrappedKey {
                    kek_id: row.try_get("kek_id")?,
                    wrapped: row.try_get("wrapped")?,
                },
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}

pub(super) async fn rewrap_tenant_key(
    store: &SqlStore,
    tenant_id: &TenantId,
    previous_kek_id: &str,
    key: &WrappedKey,
) -> Result<bool, StoreError> {
    let result =
        sqlx::query(&store.sql(
            "UPDATE tenant_keys SET kek_id = ?, wrapped = ? WHERE tenant_id = ? AND kek_id = ?",
        ))
        .bind(&key.kek_id)
        .bind(&key.wrapped)
        .bind(tenant_id.as_str())
        .bind(previous_kek_id)
        .execute(&store.pool)
        .await?;
    Ok(result.rows_affected() == 1)
}

pub(super) async fn create_key(store: &SqlStore, key: &AccessKeyRecord) -> Result<(), StoreError> {
    sqlx::query(&store.sql("INSERT INTO access_keys (access_key, tenant_id, secret_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)"),
    )
    .bind(key.access_key.as_str())
    .bind(key.tenant_id.as_str())
    .bind(&key.secret_hash)
    .bind(key.created_at)
    .bind(key.revoked_at)
    .execute(&store.pool)
    .await?;
    Ok(())
}

pub(super) async fn key(
    store: &SqlStore,
    access_key: &AccessKey,
) -> Result<Option<AccessKeyRecord>, StoreError> {
    let row = sqlx::query(&store.sql("SELECT access_key, tenant_id, secret_hash, created_at, revoked_at FROM access_keys WHERE access_key = ?"),
    )
    .bind(access_key.as_str())
    .fetch_optional(&store.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(AccessKeyRecord {
        access_key: AccessKey::new(row.try_get::<String, _>("access_key")?),
        tenant_id: TenantId::new(row.try_get::<String, _>("tenant_id")?),
        secret_hash: row.try_get("secret_hash")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    }))
}

pub(super) async fn revoke_key(
    store: &SqlStore,
    access_key: &AccessKey,
    at: i64,
) -> Result<bool, StoreError> {
    let result =
        sqlx::query(&store.sql(
            "UPDATE access_keys SET revoked_at = ? WHERE access_key = ? AND revoked_at IS NULL",
        ))
        .bind(at)
        .bind(access_key.as_str())
        .execute(&store.pool)
        .await?;
    Ok(result.rows_affected() == 1)
}
