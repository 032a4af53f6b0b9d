//! The embedded default: one SQLite file in the data dir.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::{
    AccessKeyRecord, AuditRecord, EnrolledUser, FaceTemplate, Store, StoreError, Tenant,
    VerifyAttempts, WrappedKey,
};

/// Schema versions, applied in order, each once, inside a transaction.
const MIGRATIONS: &[(i64, &str)] = &[
    (
    1,
    "CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_epoch INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE access_keys (
        access_key TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        secret_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    );
    CREATE INDEX access_keys_tenant ON access_keys(tenant_id);
    CREATE TABLE face_users (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_code TEXT NOT NULL,
        preferred_engine TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, user_code)
    );
    CREATE TABLE face_templates (
        tenant_id TEXT NOT NULL,
        user_code TEXT NOT NULL,
        engine TEXT NOT NULL,
        model_version TEXT NOT NULL,
        template BLOB NOT NULL,
        PRIMARY KEY (tenant_id, user_code, engine),
        FOREIGN KEY (tenant_id, user_code) REFERENCES face_users(tenant_id, user_code) ON DELETE CASCADE
    );",
    ),
    (
        2,
        "CREATE TABLE tenant_keys (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        kek_id TEXT NOT NULL,
        wrapped BLOB NOT NULL,
        created_at INTEGER NOT NULL
    );
    ALTER TABLE face_templates ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE verify_attempts (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_code TEXT NOT NULL,
        failures INTEGER NOT NULL,
        lockouts INTEGER NOT NULL,
        locked_until INTEGER NOT NULL,
        PRIMARY KEY (tenant_id, user_code)
    );
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        trx_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        tenant_id TEXT,
        access_key TEXT,
        method TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        status INTEGER NOT NULL,
        code TEXT NOT NULL,
        score REAL,
        decision TEXT,
        engine TEXT,
        latency_ms REAL NOT NULL
    );
    CREATE INDEX audit_log_tenant ON audit_log(tenant_id, seq);
    CREATE INDEX audit_log_trx ON audit_log(trx_id);
    CREATE INDEX audit_log_time ON audit_log(at_ms);",
    ),
];

const AUDIT_COLUMNS: &str = "seq, trx_id, at_ms, tenant_id, access_key, method, endpoint, status, code, score, decision, engine, latency_ms";

/// SQLite-backed [`Store`].
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and migrates it.
    ///
    /// `secure_delete` makes SQLite overwrite deleted rows, so an erased
    /// face template does not linger in free pages of the file.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma("secure_delete", "ON");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        let store = Self { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
            .execute(&mut *tx)
            .await?;
        let current: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                .fetch_one(&mut *tx)
                .await?;
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version) VALUES (?)")
                .bind(version)
                .execute(&mut *tx)
                .await?;
            tracing::info!(version, "applied schema migration");
        }
        tx.commit().await?;
        Ok(())
    }

    /// Moves the write-ahead log into the main file and empties it, so that
    /// pages that `secure_delete` overwrote leave no older copy behind.
    async fn checkpoint(&self) {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "WAL checkpoint after an erasure failed");
        }
    }
}

fn audit_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<AuditRecord, sqlx::Error> {
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        trx_id: row.try_get("trx_id")?,
        at_ms: row.try_get("at_ms")?,
        tenant_id: row.try_get("tenant_id")?,
        access_key: row.try_get("access_key")?,
        method: row.try_get("method")?,
        endpoint: row.try_get("endpoint")?,
        status: row.try_get("status")?,
        code: row.try_get("code")?,
        score: row.try_get("score")?,
        decision: row.try_get("decision")?,
        engine: row.try_get("engine")?,
        latency_ms: row.try_get("latency_ms")?,
    })
}

fn tenant_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Tenant, sqlx::Error> {
    Ok(Tenant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        token_epoch: row.try_get("token_epoch")?,
        created_at: row.try_get("created_at")?,
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn create_tenant(&self, tenant: &Tenant) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO tenants (id, name, token_epoch, created_at) VALUES (?, ?, ?, ?)")
            .bind(&tenant.id)
            .bind(&tenant.name)
            .bind(tenant.token_epoch)
            .bind(tenant.created_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn tenant(&self, id: &str) -> Result<Option<Tenant>, StoreError> {
        let row = sqlx::query("SELECT id, name, token_epoch, created_at FROM tenants WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(tenant_from_row).transpose()?)
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, token_epoch, created_at FROM tenants ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(tenant_from_row).collect::<Result<_, _>>()?)
    }

    async fn bump_token_epoch(&self, tenant_id: &str) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "UPDATE tenants SET token_epoch = token_epoch + 1 WHERE id = ? RETURNING token_epoch",
        )
        .bind(tenant_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::UnknownTenant(tenant_id.to_owned()))
    }

    async fn delete_tenant(&self, tenant_id: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM tenants WHERE id = ?")
            .bind(tenant_id)
            .execute(&self.pool)
            .await?;
        self.checkpoint().await;
        Ok(result.rows_affected() == 1)
    }

    async fn tenant_key(&self, tenant_id: &str) -> Result<Option<WrappedKey>, StoreError> {
        let row = sqlx::query("SELECT kek_id, wrapped FROM tenant_keys WHERE tenant_id = ?")
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
        let result = sqlx::query(
            "INSERT INTO tenant_keys (tenant_id, kek_id, wrapped, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING",
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
        let rows =
            sqlx::query("SELECT tenant_id, kek_id, wrapped FROM tenant_keys ORDER BY tenant_id")
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
        let result = sqlx::query(
            "UPDATE tenant_keys SET kek_id = ?, wrapped = ? WHERE tenant_id = ? AND kek_id = ?",
        )
        .bind(&key.kek_id)
        .bind(&key.wrapped)
        .bind(tenant_id)
        .bind(previous_kek_id)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn create_key(&self, key: &AccessKeyRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO access_keys (access_key, tenant_id, secret_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)",
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
        let row = sqlx::query(
            "SELECT access_key, tenant_id, secret_hash, created_at, revoked_at FROM access_keys WHERE access_key = ?",
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
        let result = sqlx::query(
            "UPDATE access_keys SET revoked_at = ? WHERE access_key = ? AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(access_key)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn enroll(
        &self,
        tenant_id: &str,
        user: &EnrolledUser,
        at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM face_users WHERE tenant_id = ? AND user_code = ?")
            .bind(tenant_id)
            .bind(&user.user_code)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO face_users (tenant_id, user_code, preferred_engine, updated_at) VALUES (?, ?, ?, ?)")
            .bind(tenant_id)
            .bind(&user.user_code)
            .bind(&user.preferred_engine)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        for template in &user.templates {
            sqlx::query(
                "INSERT INTO face_templates (tenant_id, user_code, engine, model_version, template, sealed) VALUES (?, ?, ?, ?, ?, 1)",
            )
                .bind(tenant_id)
                .bind(&user.user_code)
                .bind(&template.engine)
                .bind(&template.model_version)
                .bind(&template.template)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn enrolled(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<Option<EnrolledUser>, StoreError> {
        let preferred: Option<String> = sqlx::query_scalar(
            "SELECT preferred_engine FROM face_users WHERE tenant_id = ? AND user_code = ?",
        )
        .bind(tenant_id)
        .bind(user_code)
        .fetch_optional(&self.pool)
        .await?;
        let Some(preferred_engine) = preferred else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT engine, model_version, template FROM face_templates WHERE tenant_id = ? AND user_code = ? AND sealed = 1 ORDER BY engine",
        )
        .bind(tenant_id)
        .bind(user_code)
        .fetch_all(&self.pool)
        .await?;
        let templates = rows
            .iter()
            .map(|row| {
                Ok(FaceTemplate {
                    engine: row.try_get("engine")?,
                    model_version: row.try_get("model_version")?,
                    template: row.try_get("template")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(Some(EnrolledUser {
            user_code: user_code.to_owned(),
            preferred_engine,
            templates,
        }))
    }

    async fn delete_user(&self, tenant_id: &str, user_code: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM face_users WHERE tenant_id = ? AND user_code = ?")
            .bind(tenant_id)
            .bind(user_code)
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM verify_attempts WHERE tenant_id = ? AND user_code = ?")
            .bind(tenant_id)
            .bind(user_code)
            .execute(&self.pool)
            .await?;
        self.checkpoint().await;
        Ok(result.rows_affected() == 1)
    }

    async fn unsealed_templates(&self) -> Result<Vec<(String, String, FaceTemplate)>, StoreError> {
        let rows = sqlx::query(
            "SELECT tenant_id, user_code, engine, model_version, template FROM face_templates WHERE sealed = 0",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok((
                    row.try_get("tenant_id")?,
                    row.try_get("user_code")?,
                    FaceTemplate {
                        engine: row.try_get("engine")?,
                        model_version: row.try_get("model_version")?,
                        template: row.try_get("template")?,
                    },
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
        sqlx::query(
            "UPDATE face_templates SET template = ?, sealed = 1 WHERE tenant_id = ? AND user_code = ? AND engine = ? AND model_version = ? AND sealed = 0",
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

    async fn verify_attempts(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<VerifyAttempts, StoreError> {
        let row = sqlx::query(
            "SELECT failures, lockouts, locked_until FROM verify_attempts WHERE tenant_id = ? AND user_code = ?",
        )
        .bind(tenant_id)
        .bind(user_code)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(VerifyAttempts::default());
        };
        Ok(VerifyAttempts {
            failures: row.try_get("failures")?,
            lockouts: row.try_get("lockouts")?,
            locked_until: row.try_get("locked_until")?,
        })
    }

    async fn set_verify_attempts(
        &self,
        tenant_id: &str,
        user_code: &str,
        attempts: &VerifyAttempts,
    ) -> Result<(), StoreError> {
        if *attempts == VerifyAttempts::default() {
            sqlx::query("DELETE FROM verify_attempts WHERE tenant_id = ? AND user_code = ?")
                .bind(tenant_id)
                .bind(user_code)
                .execute(&self.pool)
                .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO verify_attempts (tenant_id, user_code, failures, lockouts, locked_until) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (tenant_id, user_code) DO UPDATE SET failures = excluded.failures, lockouts = excluded.lockouts, locked_until = excluded.locked_until",
        )
        .bind(tenant_id)
        .bind(user_code)
        .bind(attempts.failures)
        .bind(attempts.lockouts)
        .bind(attempts.locked_until)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn append_audit(&self, record: &AuditRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (trx_id, at_ms, tenant_id, access_key, method, endpoint, status, code, score, decision, engine, latency_ms)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&record.trx_id)
        .bind(record.at_ms)
        .bind(&record.tenant_id)
        .bind(&record.access_key)
        .bind(&record.method)
        .bind(&record.endpoint)
        .bind(record.status)
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
        let row = sqlx::query(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE tenant_id = ? AND trx_id = ? ORDER BY seq DESC LIMIT 1"
        ))
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
        let rows = sqlx::query(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE tenant_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?"
        ))
        .bind(tenant_id)
        .bind(before_seq.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(audit_from_row).collect::<Result<_, _>>()?)
    }

    async fn purge_audit(&self, before_ms: i64) -> Result<u64, StoreError> {
        let result = sqlx::query("DELETE FROM audit_log WHERE at_ms < ?")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("ekyc.db"))
            .await
            .unwrap();
        (dir, store)
    }

    fn tenant(id: &str) -> Tenant {
        Tenant {
            id: id.to_owned(),
            name: format!("{id} bank"),
            token_epoch: 0,
            created_at: 1,
        }
    }

    fn user(code: &str, engines: &[&str]) -> EnrolledUser {
        EnrolledUser {
            user_code: code.to_owned(),
            preferred_engine: engines[0].to_owned(),
            templates: engines
                .iter()
                .map(|e| FaceTemplate {
                    engine: (*e).to_owned(),
                    model_version: "v1".to_owned(),
                    template: e.as_bytes().to_vec(),
                })
                .collect(),
        }
    }

    #[tokio::test]
    async fn tenants_and_epochs() {
        let (_dir, store) = store().await;
        store.create_tenant(&tenant("a")).await.unwrap();
        assert!(matches!(
            store.create_tenant(&tenant("a")).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.bump_token_epoch("a").await.unwrap(), 1);
        assert_eq!(store.tenant("a").await.unwrap().unwrap().token_epoch, 1);
        assert!(matches!(
            store.bump_token_epoch("zz").await,
            Err(StoreError::UnknownTenant(_))
        ));
        assert_eq!(store.tenants().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn keys_revoke_once() {
        let (_dir, store) = store().await;
        store.create_tenant(&tenant("a")).await.unwrap();
        let key = AccessKeyRecord {
            access_key: "AK1".into(),
            tenant_id: "a".into(),
            secret_hash: "h".into(),
            created_at: 5,
            revoked_at: None,
        };
        store.create_key(&key).await.unwrap();
        assert_eq!(store.key("AK1").await.unwrap(), Some(key.clone()));
        assert!(store.revoke_key("AK1", 9).await.unwrap());
        assert!(!store.revoke_key("AK1", 10).await.unwrap());
        assert_eq!(store.key("AK1").await.unwrap().unwrap().revoked_at, Some(9));
        let orphan = AccessKeyRecord {
            tenant_id: "missing".into(),
            access_key: "AK2".into(),
            ..key
        };
        assert!(store.create_key(&orphan).await.is_err());
    }

    #[tokio::test]
    async fn enrolment_replaces_and_is_tenant_scoped() {
        let (_dir, store) = store().await;
        store.create_tenant(&tenant("a")).await.unwrap();
        store.create_tenant(&tenant("b")).await.unwrap();
        store
            .enroll("a", &user("u1", &["ezway", "applemango"]), 1)
            .await
            .unwrap();
        store
            .enroll("a", &user("u1", &["applemango"]), 2)
            .await
            .unwrap();
        let got = store.enrolled("a", "u1").await.unwrap().unwrap();
        assert_eq!(got.preferred_engine, "applemango");
        assert_eq!(got.templates.len(), 1);
        assert_eq!(store.enrolled("b", "u1").await.unwrap(), None);
        assert!(!store.delete_user("b", "u1").await.unwrap());
        assert!(store.delete_user("a", "u1").await.unwrap());
        assert_eq!(store.enrolled("a", "u1").await.unwrap(), None);
    }

    #[tokio::test]
    async fn reopening_keeps_data_and_does_not_remigrate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ekyc.db");
        SqliteStore::open(&path)
            .await
            .unwrap()
            .create_tenant(&tenant("a"))
            .await
            .unwrap();
        let reopened = SqliteStore::open(&path).await.unwrap();
        assert!(reopened.tenant("a").await.unwrap().is_some());
    }

    #[tokio::test]
    async fn deleting_a_tenant_erases_everything_it_owns() {
        let (_dir, store) = store().await;
        store.create_tenant(&tenant("a")).await.unwrap();
        store.create_tenant(&tenant("b")).await.unwrap();
        let key = WrappedKey {
            kek_id: "k1".into(),
            wrapped: vec![1, 2, 3],
        };
        for id in ["a", "b"] {
            assert!(store.insert_tenant_key(id, &key, 1).await.unwrap());
            store.enroll(id, &user("u1", &["ezway"]), 1).await.unwrap();
        }
        assert!(!store.insert_tenant_key("a", &key, 2).await.unwrap());
        assert!(store.delete_tenant("a").await.unwrap());
        assert!(!store.delete_tenant("a").await.unwrap());
        assert_eq!(store.tenant_key("a").await.unwrap(), None);
        assert_eq!(store.enrolled("a", "u1").await.unwrap(), None);
        assert!(store.enrolled("b", "u1").await.unwrap().is_some());
        assert_eq!(store.tenant_keys().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn rewrap_only_replaces_the_expected_key() {
        let (_dir, store) = store().await;
        store.create_tenant(&tenant("a")).await.unwrap();
        let old = WrappedKey {
            kek_id: "old".into(),
            wrapped: vec![1],
        };
        let new = WrappedKey {
            kek_id: "new".into(),
            wrapped: vec![2],
        };
        store.insert_tenant_key("a", &old, 1).await.unwrap();
        assert!(!store.rewrap_tenant_key("a", "other", &new).await.unwrap());
        assert!(store.rewrap_tenant_key("a", "old", &new).await.unwrap());
        assert_eq!(store.tenant_key("a").await.unwrap(), Some(new));
    }

    #[tokio::test]
    async fn verify_attempts_are_per_user_and_cleared_by_default() {
        let (_dir, store) = store().await;
        store.create_tenant(&tenant("a")).await.unwrap();
        let locked = VerifyAttempts {
            failures: 0,
            lockouts: 2,
            locked_until: 99,
        };
        store.set_verify_attempts("a", "u1", &locked).await.unwrap();
        assert_eq!(store.verify_attempts("a", "u1").await.unwrap(), locked);
        assert_eq!(
            store.verify_attempts("a", "u2").await.unwrap(),
            VerifyAttempts::default()
        );
        store
            .set_verify_attempts("a", "u1", &VerifyAttempts::default())
            .await
            .unwrap();
        assert_eq!(
            store.verify_attempts("a", "u1").await.unwrap(),
            VerifyAttempts::default()
        );
    }

    fn audit(trx: &str, tenant: Option<&str>, at_ms: i64) -> AuditRecord {
        AuditRecord {
            seq: 0,
            trx_id: trx.into(),
            at_ms,
            tenant_id: tenant.map(str::to_owned),
            access_key: Some("AK1".into()),
            method: "POST".into(),
            endpoint: "/v1/fr/verify".into(),
            status: 200,
            code: "0".into(),
            score: Some(0.9),
            decision: Some("match".into()),
            engine: Some("ezway".into()),
            latency_ms: 12.5,
        }
    }

    #[tokio::test]
    async fn audit_is_tenant_scoped_paged_and_purged() {
        let (_dir, store) = store().await;
        for i in 0..5 {
            store
                .append_audit(&audit(&format!("t{i}"), Some("a"), i * 1000))
                .await
                .unwrap();
        }
        store
            .append_audit(&audit("tb", Some("b"), 0))
            .await
            .unwrap();
        store.append_audit(&audit("tn", None, 0)).await.unwrap();
        let got = store.audit_record("a", "t3").await.unwrap().unwrap();
        assert_eq!((got.status, got.score), (200, Some(0.9)));
        assert_eq!(store.audit_record("a", "tb").await.unwrap(), None);
        let first = store.audit_page("a", None, 2).await.unwrap();
        let trx: Vec<_> = first.iter().map(|r| r.trx_id.as_str()).collect();
        assert_eq!(trx, ["t4", "t3"]);
        let next = store.audit_page("a", Some(first[1].seq), 10).await.unwrap();
        assert_eq!(next.len(), 3);
        assert_eq!(store.purge_audit(2500).await.unwrap(), 5);
        assert_eq!(store.audit_page("a", None, 10).await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn templates_of_schema_1_come_back_as_unsealed_until_sealed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ekyc.db");
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .unwrap()
            .create_if_missing(true);
        let old = SqlitePool::connect_with(options).await.unwrap();
        sqlx::raw_sql(MIGRATIONS[0].1).execute(&old).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY);
             INSERT INTO schema_migrations VALUES (1);
             INSERT INTO tenants VALUES ('a', 'a', 0, 1);
             INSERT INTO face_users VALUES ('a', 'u1', 'ezway', 1);
             INSERT INTO face_templates VALUES ('a', 'u1', 'ezway', 'v1', x'0102');",
        )
        .execute(&old)
        .await
        .unwrap();
        old.close().await;

        let store = SqliteStore::open(&path).await.unwrap();
        let legacy = store.unsealed_templates().await.unwrap();
        assert_eq!(legacy.len(), 1);
        assert_eq!(legacy[0].2.template, vec![1, 2]);
        assert!(store
            .enrolled("a", "u1")
            .await
            .unwrap()
            .unwrap()
            .templates
            .is_empty());
        let sealed = FaceTemplate {
            template: vec![9, 9, 9],
            ..legacy[0].2.clone()
        };
        store.seal_template("a", "u1", &sealed).await.unwrap();
        assert!(store.unsealed_templates().await.unwrap().is_empty());
        let user = store.enrolled("a", "u1").await.unwrap().unwrap();
        assert_eq!(user.templates, vec![sealed]);
    }
}
