//! One implementation of the store for SQLite and PostgreSQL, through
//! sqlx's runtime-chosen driver: the same statements, the same
//! migrations (in each dialect), the same tests.

mod connect;
mod rows;

use async_trait::async_trait;
use sqlx::{AnyPool, Row};

#[cfg(test)]
use connect::{number_placeholders, SessionSql};
use rows::{attempts_from_row, audit_from_row, template_from_row, tenant_from_row};

use crate::{
    AccessKeyRecord, AuditRecord, EnrolledUser, FaceTemplate, GalleryRow, Store, StoreError,
    Tenant, VerifyAttempts, WrappedKey,
};

/// Verifications in progress that still count: none once the latest
/// reservation is older than the `stale_before` bound (the requests that
/// made them have died). Takes that bound as its one placeholder.
const LIVE_PENDING: &str =
    "(CASE WHEN verify_attempts.reserved_at < ? THEN 0 ELSE verify_attempts.pending END)";

/// `pending` after one reservation is given back.
const RELEASED: &str =
    "(CASE WHEN verify_attempts.pending > 0 THEN verify_attempts.pending - 1 ELSE 0 END)";

const AUDIT_COLUMNS: &str = "seq, trx_id, at_ms, tenant_id, access_key, method, endpoint, status, code, score, decision, engine, latency_ms";

/// The [`Store`] on SQLite (the embedded default) or PostgreSQL (several
/// nodes on one database), with one set of statements for both.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl SqlStore {
    /// Marks the tenant's enrolments as changed, in the same transaction
    /// as the change, so every node's 1:N gallery knows to reload.
    async fn bump_enrolment_epoch(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        tenant_id: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            &self.sql("UPDATE tenants SET enrolment_epoch = enrolment_epoch + 1 WHERE id = ?"),
        )
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query(&self.sql("SELECT 1"))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        sqlx::query(
            &self
                .sql("INSERT INTO tenants (id, name, token_epoch, created_at) VALUES (?, ?, ?, ?)"),
        )
        .bind(&tenant.id)
        .bind(&tenant.name)
        .bind(tenant.token_epoch)
        .bind(tenant.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn tenant(&self, id: &str) -> Result<Option<Tenant>, StoreError> {
        let row = sqlx::query(
            &self.sql("SELECT id, name, token_epoch, created_at FROM tenants WHERE id = ?"),
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(tenant_from_row).transpose()?)
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let rows =
            sqlx::query(&self.sql(
                "SELECT id, name, token_epoch, created_at FROM tenants ORDER BY created_at, id",
            ))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(tenant_from_row).collect::<Result<_, _>>()?)
    }

    async fn bump_token_epoch(&self, tenant_id: &str) -> Result<i64, StoreError> {
        sqlx::query_scalar(&self.sql(
            "UPDATE tenants SET token_epoch = token_epoch + 1 WHERE id = ? RETURNING token_epoch",
        ))
        .bind(tenant_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::UnknownTenant(tenant_id.to_owned()))
    }

    async fn delete_tenant(&self, tenant_id: &str) -> Result<bool, StoreError> {
        let result = sqlx::query(&self.sql("DELETE FROM tenants WHERE id = ?"))
            .bind(tenant_id)
            .execute(&self.pool)
            .await?;
        self.erase_deleted(true).await;
        Ok(result.rows_affected() == 1)
    }

    async fn tenant_key(&self, tenant_id: &str) -> Result<Option<WrappedKey>, StoreError> {
        let row =
            sqlx::query(&self.sql("SELECT kek_id, wrapped FROM tenant_keys WHERE tenant_id = ?"))
                .bind(tenant_id)
                .fetch_optional(&self.pool)
                .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(WrappedKey {
            kek_id: row.try_get("kek_id")?,
            wrapped: row.try_get("wrapped")?,
        }))
    }

    async fn insert_tenant_key(
        &self,
        tenant_id: &str,
        key: &WrappedKey,
        at: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(&self.sql("INSERT INTO tenant_keys (tenant_id, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING"),
        )
        .bind(tenant_id)
        .bind(&key.kek_id)
        .bind(&key.wrapped)
        .bind(at)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn tenant_keys(&self) -> Result<Vec<(String, WrappedKey)>, StoreError> {
        let rows = sqlx::query(
            &self.sql("SELECT tenant_id, kek_id, wrapped FROM tenant_keys ORDER BY tenant_id"),
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("tenant_id")?,
                    WrappedKey {
                        kek_id: row.try_get("kek_id")?,
                        wrapped: row.try_get("wrapped")?,
                    },
                ))
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn rewrap_tenant_key(
        &self,
        tenant_id: &str,
        previous_kek_id: &str,
        key: &WrappedKey,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(&self.sql(
            "UPDATE tenant_keys SET kek_id = ?, wrapped = ? WHERE tenant_id = ? AND kek_id = ?",
        ))
        .bind(&key.kek_id)
        .bind(&key.wrapped)
        .bind(tenant_id)
        .bind(previous_kek_id)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn create_key(&self, key: &AccessKeyRecord) -> Result<(), StoreError> {
        sqlx::query(&self.sql("INSERT INTO access_keys (access_key, tenant_id, secret_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)"),
        )
        .bind(&key.access_key)
        .bind(&key.tenant_id)
        .bind(&key.secret_hash)
        .bind(key.created_at)
        .bind(key.revoked_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn key(&self, access_key: &str) -> Result<Option<AccessKeyRecord>, StoreError> {
        let row = sqlx::query(&self.sql("SELECT access_key, tenant_id, secret_hash, created_at, revoked_at FROM access_keys WHERE access_key = ?"),
        )
        .bind(access_key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(AccessKeyRecord {
            access_key: row.try_get("access_key")?,
            tenant_id: row.try_get("tenant_id")?,
            secret_hash: row.try_get("secret_hash")?,
            created_at: row.try_get("created_at")?,
            revoked_at: row.try_get("revoked_at")?,
        }))
    }

    async fn revoke_key(&self, access_key: &str, at: i64) -> Result<bool, StoreError> {
        let result = sqlx::query(&self.sql(
            "UPDATE access_keys SET revoked_at = ? WHERE access_key = ? AND revoked_at IS NULL",
        ))
        .bind(at)
        .bind(access_key)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn enrol(
        &self,
        tenant_id: &str,
        user: &EnrolledUser,
        sealed_user_code: &[u8],
        at: i64,
    ) -> Result<(), StoreError> {
        // Upsert first: the user's row lock then orders concurrent
        // enrolments of one user (on any node) instead of failing one on a
        // duplicate key.
        let mut tx = self.pool.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO face_users (tenant_id, user_code, preferred_engine, updated_at, user_code_sealed) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (tenant_id, user_code)
             DO UPDATE SET preferred_engine = excluded.preferred_engine, updated_at = excluded.updated_at,
                user_code_sealed = excluded.user_code_sealed",
        ))
        .bind(tenant_id)
        .bind(&user.user_code)
        .bind(&user.preferred_engine)
        .bind(at)
        .bind(sealed_user_code)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&self.sql("DELETE FROM face_templates WHERE tenant_id = ? AND user_code = ?"))
            .bind(tenant_id)
            .bind(&user.user_code)
            .execute(&mut *tx)
            .await?;
        for template in &user.templates {
            sqlx::query(&self.sql("INSERT INTO face_templates (tenant_id, user_code, engine, model_version, template, sealed) VALUES (?, ?, ?, ?, ?, 1)"),
            )
                .bind(tenant_id)
                .bind(&user.user_code)
                .bind(&template.engine)
                .bind(&template.model_version)
                .bind(&template.template)
                .execute(&mut *tx)
                .await?;
        }
        self.bump_enrolment_epoch(&mut tx, tenant_id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn enrolled(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<Option<EnrolledUser>, StoreError> {
        // One statement, so one snapshot: a concurrent re-enrolment is
        // seen whole or not at all.
        let rows = sqlx::query(&self.sql(
            "SELECT u.preferred_engine, t.engine, t.model_version, t.template
             FROM face_users u LEFT JOIN face_templates t
               ON t.tenant_id = u.tenant_id AND t.user_code = u.user_code AND t.sealed = 1
             WHERE u.tenant_id = ? AND u.user_code = ? ORDER BY t.engine",
        ))
        .bind(tenant_id)
        .bind(user_code)
        .fetch_all(&self.pool)
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
            user_code: user_code.to_owned(),
            preferred_engine,
            templates,
        }))
    }

    async fn delete_user(&self, tenant_id: &str, user_code: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let result =
            sqlx::query(&self.sql("DELETE FROM face_users WHERE tenant_id = ? AND user_code = ?"))
                .bind(tenant_id)
                .bind(user_code)
                .execute(&mut *tx)
                .await?;
        sqlx::query(&self.sql("DELETE FROM verify_attempts WHERE tenant_id = ? AND user_code = ?"))
            .bind(tenant_id)
            .bind(user_code)
            .execute(&mut *tx)
            .await?;
        if result.rows_affected() == 1 {
            self.bump_enrolment_epoch(&mut tx, tenant_id).await?;
        }
        tx.commit().await?;
        self.erase_deleted(false).await;
        Ok(result.rows_affected() == 1)
    }

    async fn enrolment_epoch(&self, tenant_id: &str) -> Result<i64, StoreError> {
        sqlx::query_scalar(&self.sql("SELECT enrolment_epoch FROM tenants WHERE id = ?"))
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::UnknownTenant(tenant_id.to_owned()))
    }

    async fn tenant_templates(
        &self,
        tenant_id: &str,
        engine: &str,
        model_version: &str,
    ) -> Result<Vec<GalleryRow>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT t.user_code, u.user_code_sealed, t.template
             FROM face_templates t JOIN face_users u ON u.tenant_id = t.tenant_id AND u.user_code = t.user_code
             WHERE t.tenant_id = ? AND t.engine = ? AND t.model_version = ? AND t.sealed = 1
               AND u.user_code_sealed IS NOT NULL
             ORDER BY t.user_code",
        ))
        .bind(tenant_id)
        .bind(engine)
        .bind(model_version)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(GalleryRow {
                    user_key: row.try_get("user_code")?,
                    sealed_user_code: row.try_get("user_code_sealed")?,
                    template: row.try_get("template")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn unsealed_templates(&self) -> Result<Vec<(String, String, FaceTemplate)>, StoreError> {
        let rows = sqlx::query(&self.sql("SELECT tenant_id, user_code, engine, model_version, template FROM face_templates WHERE sealed = 0"),
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("tenant_id")?,
                    row.try_get("user_code")?,
                    template_from_row(row, row.try_get("engine")?)?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn seal_template(
        &self,
        tenant_id: &str,
        user_code: &str,
        sealed: &FaceTemplate,
    ) -> Result<(), StoreError> {
        sqlx::query(&self.sql("UPDATE face_templates SET template = ?, sealed = 1 WHERE tenant_id = ? AND user_code = ? AND engine = ? AND model_version = ? AND sealed = 0"),
        )
        .bind(&sealed.template)
        .bind(tenant_id)
        .bind(user_code)
        .bind(&sealed.engine)
        .bind(&sealed.model_version)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn legacy_user_codes(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(&self.sql(
            "SELECT tenant_id, user_code FROM face_users WHERE user_code_sealed IS NULL ORDER BY tenant_id, user_code",
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| Ok((row.try_get("tenant_id")?, row.try_get("user_code")?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn seal_user_code(
        &self,
        tenant_id: &str,
        plain_user_code: &str,
        user_key: &str,
        sealed_user_code: &[u8],
    ) -> Result<(), StoreError> {
        // The new row first, so the templates' foreign key always holds.
        let mut tx = self.pool.begin().await?;
        sqlx::query(&self.sql(
            "INSERT INTO face_users (tenant_id, user_code, preferred_engine, updated_at, user_code_sealed)
             SELECT tenant_id, ?, preferred_engine, updated_at, ? FROM face_users
             WHERE tenant_id = ? AND user_code = ? AND user_code_sealed IS NULL",
        ))
        .bind(user_key)
        .bind(sealed_user_code)
        .bind(tenant_id)
        .bind(plain_user_code)
        .execute(&mut *tx)
        .await?;
        for table in ["face_templates", "verify_attempts"] {
            sqlx::query(&self.sql(&format!(
                "UPDATE {table} SET user_code = ? WHERE tenant_id = ? AND user_code = ?"
            )))
            .bind(user_key)
            .bind(tenant_id)
            .bind(plain_user_code)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(&self.sql(
            "DELETE FROM face_users WHERE tenant_id = ? AND user_code = ? AND user_code_sealed IS NULL",
        ))
        .bind(tenant_id)
        .bind(plain_user_code)
        .execute(&mut *tx)
        .await?;
        self.bump_enrolment_epoch(&mut tx, tenant_id).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn erase_traces(&self) {
        self.erase_deleted(false).await;
    }

    async fn verify_attempts(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<VerifyAttempts, StoreError> {
        let row = sqlx::query(&self.sql("SELECT failures, lockouts, locked_until FROM verify_attempts WHERE tenant_id = ? AND user_code = ?"),
        )
        .bind(tenant_id)
        .bind(user_code)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(row) => attempts_from_row(&row)?,
            None => VerifyAttempts::default(),
        })
    }

    async fn reserve_verify_attempt(
        &self,
        tenant_id: &str,
        user_code: &str,
        limit: u32,
        now: i64,
        stale_before: i64,
    ) -> Result<Option<VerifyAttempts>, StoreError> {
        let row = sqlx::query(&self.sql(&format!(
            "INSERT INTO verify_attempts (tenant_id, user_code, failures, lockouts, locked_until, pending, reserved_at)
             VALUES (?, ?, 0, 0, 0, 1, ?)
             ON CONFLICT (tenant_id, user_code) DO UPDATE SET
               pending = {LIVE_PENDING} + 1, reserved_at = excluded.reserved_at
             WHERE verify_attempts.locked_until <= ? AND verify_attempts.failures + {LIVE_PENDING} < ?
             RETURNING failures, lockouts, locked_until"
        )))
        .bind(tenant_id)
        .bind(user_code)
        .bind(now)
        .bind(stale_before)
        .bind(now)
        .bind(stale_before)
        .bind(i64::from(limit))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(attempts_from_row).transpose()?)
    }

    async fn release_verify_attempt(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(&self.sql(&format!(
            "UPDATE verify_attempts SET pending = {RELEASED} WHERE tenant_id = ? AND user_code = ?"
        )))
        .bind(tenant_id)
        .bind(user_code)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn count_verify_failure(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<VerifyAttempts, StoreError> {
        let row = sqlx::query(&self.sql(&format!("INSERT INTO verify_attempts (tenant_id, user_code, failures, lockouts, locked_until) VALUES (?, ?, 1, 0, 0)
             ON CONFLICT (tenant_id, user_code) DO UPDATE SET failures = verify_attempts.failures + 1, pending = {RELEASED}
             RETURNING failures, lockouts, locked_until")),
        )
        .bind(tenant_id)
        .bind(user_code)
        .fetch_one(&self.pool)
        .await?;
        Ok(attempts_from_row(&row)?)
    }

    async fn lock_verify(
        &self,
        tenant_id: &str,
        user_code: &str,
        seen_lockouts: u32,
        locked_until: i64,
    ) -> Result<bool, StoreError> {
        let result = sqlx::query(&self.sql(
            "UPDATE verify_attempts SET failures = 0, lockouts = lockouts + 1, locked_until = ?
             WHERE tenant_id = ? AND user_code = ? AND lockouts = ?",
        ))
        .bind(locked_until)
        .bind(tenant_id)
        .bind(user_code)
        .bind(i64::from(seen_lockouts))
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn clear_verify_attempts(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(&self.sql(&format!(
            "UPDATE verify_attempts SET failures = 0, lockouts = 0, locked_until = 0, pending = {RELEASED}
             WHERE tenant_id = ? AND user_code = ?"
        )))
        .bind(tenant_id)
        .bind(user_code)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        // Not a cached statement: sqlx's runtime-chosen driver (0.8.6)
        // declares a NULL f64 as float4 to PostgreSQL, and a cached
        // statement would then refuse the next real score.
        sqlx::query(&self.sql("INSERT INTO audit_log (trx_id, at_ms, tenant_id, access_key, method, endpoint, status, code, score, decision, engine, latency_ms)
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit_record(
        &self,
        tenant_id: &str,
        trx_id: &str,
    ) -> Result<Option<AuditRecord>, StoreError> {
        let row = sqlx::query(&self.sql(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE tenant_id = ? AND trx_id = ? ORDER BY seq DESC LIMIT 1"
        )))
        .bind(tenant_id)
        .bind(trx_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(audit_from_row).transpose()?)
    }

    async fn audit_page(
        &self,
        tenant_id: &str,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(&self.sql(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE tenant_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?"
        )))
        .bind(tenant_id)
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(audit_from_row).collect::<Result<_, _>>()?)
    }

    async fn purge_audit(&self, before_ms: i64) -> Result<u64, StoreError> {
        let result = sqlx::query(&self.sql("DELETE FROM audit_log WHERE at_ms < ?"))
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }
}

#[cfg(test)]
mod tests;
