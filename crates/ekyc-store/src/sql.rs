//! One implementation of the store for SQLite and PostgreSQL, through
//! sqlx's runtime-chosen driver: the same statements, the same
//! migrations (in each dialect), the same tests.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::any::{install_default_drivers, AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Connection, Executor, Row};

use crate::migrations::migrations;
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

/// Per connection: write-ahead logging, enforced foreign keys, and
/// `secure_delete` so that erased rows are overwritten in the file.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
    PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA secure_delete = ON;";

/// Per PostgreSQL session: a statement stuck behind a lock or a slow
/// server fails (and is answered 50300) instead of holding the request.
const POSTGRES_SESSION: &str = "SET statement_timeout = '5s'";

/// How long a request waits for a database connection before it fails
/// (and is answered 50300): a database that is down must not hang callers.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// SQL run on each new connection, computed when it connects.
pub(crate) type SessionSql = std::sync::Arc<dyn Fn() -> String + Send + Sync>;

/// The pool of either backend: bounded waits, and no connection goes back
/// into the pool with a transaction still open on it.
///
/// SQLite rolls a transaction back by itself on some errors (`SQLITE_FULL`
/// among them); the `ROLLBACK` that sqlx then sends fails, and sqlx still
/// counts the transaction as open. Reused, such a connection would turn
/// the next `BEGIN` into a `SAVEPOINT` and its `COMMIT` into a `RELEASE`
/// that commits nothing: writes answered as done but never saved, and a
/// write lock held until restart. Such a connection is closed instead.
fn pool_options(max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_release(|connection, _| {
            Box::pin(async move {
                // The rollback of a dropped transaction is queued, not yet
                // run: a round trip lets it finish before the state is read.
                connection.ping().await?;
                let clean = !connection.is_in_transaction();
                if !clean {
                    tracing::warn!(
                        "closing a database connection left inside a failed transaction"
                    );
                }
                Ok(clean)
            })
        })
}

impl SqlStore {
    /// Opens `database_url` when given (`postgres://…` or `sqlite://…`),
    /// else the SQLite file at `default_sqlite`.
    pub async fn open(
        database_url: Option<&str>,
        default_sqlite: &Path,
    ) -> Result<Self, StoreError> {
        match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Self::postgres(url).await
            }
            Some(url) => match url.strip_prefix("sqlite://") {
                Some(path) => Self::sqlite(Path::new(path)).await,
                None => Err(StoreError::Database(
                    "database_url must start with postgres:// or sqlite://".to_owned(),
                )),
            },
            None => Self::sqlite(default_sqlite).await,
        }
    }

    /// Opens (creating if needed) a SQLite file and migrates it.
    pub async fn sqlite(path: &Path) -> Result<Self, StoreError> {
        Self::sqlite_with_session(path, None).await
    }

    /// [`SqlStore::sqlite`], with `extra_session` run on every new
    /// connection after the pragmas (the tests' fault injection).
    pub(crate) async fn sqlite_with_session(
        path: &Path,
        extra_session: Option<SessionSql>,
    ) -> Result<Self, StoreError> {
        install_default_drivers();
        let pool = pool_options(4)
            .after_connect(move |connection, _| {
                let extra = extra_session.as_ref().map(|sql| sql());
                Box::pin(async move {
                    connection.execute(SQLITE_PRAGMAS).await?;
                    if let Some(extra) = extra {
                        connection.execute(extra.as_str()).await?;
                    }
                    Ok(())
                })
            })
            .connect(&format!("sqlite://{}?mode=rwc", path.display()))
            .await?;
        Self::migrated(pool, Backend::Sqlite).await
    }

    /// Connects to PostgreSQL and migrates the schema (one node at a time).
    pub async fn postgres(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let pool = pool_options(16)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    connection.execute(POSTGRES_SESSION).await?;
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        Self::migrated(pool, Backend::Postgres).await
    }

    async fn migrated(pool: AnyPool, backend: Backend) -> Result<Self, StoreError> {
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    /// SQLite takes `?` placeholders, PostgreSQL `$1, $2…`: statements are
    /// written once, with `?`.
    fn sql(&self, statement: &str) -> String {
        match self.backend {
            Backend::Sqlite => statement.to_owned(),
            Backend::Postgres => number_placeholders(statement),
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            // Nodes starting together: one migrates, the others wait.
            sqlx::raw_sql("SELECT pg_advisory_xact_lock(727465)")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)")
            .execute(&mut *tx)
            .await?;
        let current: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                .fetch_one(&mut *tx)
                .await?;
        for (version, statements) in migrations(self.backend == Backend::Postgres)
            .iter()
            .filter(|(v, _)| *v > current)
        {
            sqlx::raw_sql(statements.as_ref()).execute(&mut *tx).await?;
            sqlx::query(&self.sql("INSERT INTO schema_migrations (version) VALUES (?)"))
                .bind(version)
                .execute(&mut *tx)
                .await?;
            tracing::info!(version, "applied schema migration");
        }
        tx.commit().await?;
        Ok(())
    }

    /// Leaves no readable copy of rows just erased. SQLite: `secure_delete`
    /// overwrote them; moving the write-ahead log into the file and
    /// emptying it removes the older page images. PostgreSQL keeps dead
    /// rows until vacuumed: when a tenant goes, its (small) key table is
    /// rewritten at once, so the wrapped key is gone from the data files.
    async fn erase_deleted(&self, tenant_deleted: bool) {
        let statement = match self.backend {
            Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
            Backend::Postgres if tenant_deleted => "VACUUM FULL tenant_keys",
            Backend::Postgres => return,
        };
        if let Err(e) = sqlx::raw_sql(statement).execute(&self.pool).await {
            tracing::warn!(error = %e, "erasing traces of deleted rows failed");
        }
    }
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

/// Rewrites `?` placeholders as `$1, $2…` (no statement here has a `?`
/// inside a string literal).
fn number_placeholders(statement: &str) -> String {
    let mut out = String::with_capacity(statement.len() + 8);
    let mut n = 0;
    for c in statement.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

fn template_from_row(row: &AnyRow, engine: String) -> Result<FaceTemplate, sqlx::Error> {
    Ok(FaceTemplate {
        engine,
        model_version: row.try_get("model_version")?,
        template: row.try_get("template")?,
    })
}

fn audit_from_row(row: &AnyRow) -> Result<AuditRecord, sqlx::Error> {
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

fn attempts_from_row(row: &AnyRow) -> Result<VerifyAttempts, sqlx::Error> {
    Ok(VerifyAttempts {
        failures: row.try_get::<i64, _>("failures")? as u32,
        lockouts: row.try_get::<i64, _>("lockouts")? as u32,
        locked_until: row.try_get("locked_until")?,
    })
}

fn tenant_from_row(row: &AnyRow) -> Result<Tenant, sqlx::Error> {
    Ok(Tenant {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        token_epoch: row.try_get("token_epoch")?,
        created_at: row.try_get("created_at")?,
    })
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
