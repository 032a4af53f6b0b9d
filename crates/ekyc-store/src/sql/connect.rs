//! Connecting to SQLite or PostgreSQL, the per-connection settings, the
//! pool's rules and the schema migrations: everything about the database
//! before the first query, and the one dialect difference of the queries.

use std::path::Path;
use std::time::Duration;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};

use super::{Backend, SqlStore};
use crate::migrations::migrations;
use crate::StoreError;

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
                None => Err(StoreError::UnsupportedUrl),
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

    pub(super) async fn migrated(pool: AnyPool, backend: Backend) -> Result<Self, StoreError> {
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    /// SQLite takes `?` placeholders, PostgreSQL `$1, $2…`: statements are
    /// written once, with `?`.
    pub(super) fn sql(&self, statement: &str) -> String {
        match self.backend {
            Backend::Sqlite => statement.to_owned(),
            Backend::Postgres => number_placeholders(statement),
        }
    }

    pub(super) async fn migrate(&self) -> Result<(), StoreError> {
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
    pub(super) async fn erase_deleted(&self, tenant_deleted: bool) {
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

/// Rewrites `?` placeholders as `$1, $2…` (no statement here has a `?`
/// inside a string literal).
pub(super) fn number_placeholders(statement: &str) -> String {
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
