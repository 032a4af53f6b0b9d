//! The embedded default: one SQLite file in the data dir.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::{AccessKeyRecord, EnrolledUser, FaceTemplate, Store, StoreError, Tenant};

/// Schema versions, applied in order, each once, inside a transaction.
const MIGRATIONS: &[(i64, &str)] = &[(
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
)];

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
                "INSERT INTO face_templates (tenant_id, user_code, engine, model_version, template) VALUES (?, ?, ?, ?, ?)",
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
            "SELECT engine, model_version, template FROM face_templates WHERE tenant_id = ? AND user_code = ? ORDER BY engine",
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
        Ok(result.rows_affected() == 1)
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
}
