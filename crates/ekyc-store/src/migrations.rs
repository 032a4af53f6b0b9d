//! The schema, version by version. A version is applied once, in a
//! transaction; a change to the schema is a new version, never an edit of
//! an applied one. It is written once, in SQLite's dialect; PostgreSQL's
//! is derived from it by [`postgres_dialect`], so the two cannot drift.

use std::borrow::Cow;

/// The migrations for PostgreSQL (`true`) or SQLite.
pub(crate) fn migrations(postgres: bool) -> Vec<(i64, Cow<'static, str>)> {
    SQLITE
        .iter()
        .map(|(version, sql)| {
            let sql = if postgres {
                Cow::Owned(postgres_dialect(sql))
            } else {
                Cow::Borrowed(*sql)
            };
            (*version, sql)
        })
        .collect()
}

/// SQLite's column types as PostgreSQL spells them: 64-bit integers
/// everywhere (SQLite's INTEGER is 64-bit), a sequence for the one
/// autoincrement key, BYTEA for blobs and 8-byte floats.
fn postgres_dialect(sqlite: &str) -> String {
    sqlite
        .replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
        .replace("INTEGER", "BIGINT")
        .replace("BLOB", "BYTEA")
        .replace("REAL", "DOUBLE PRECISION")
}

const SQLITE: &[(i64, &str)] = &[
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
    (
        3,
        "ALTER TABLE tenants ADD COLUMN enrolment_epoch INTEGER NOT NULL DEFAULT 0;",
    ),
    (
        4,
        "ALTER TABLE verify_attempts ADD COLUMN pending INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE verify_attempts ADD COLUMN reserved_at INTEGER NOT NULL DEFAULT 0;",
    ),
    (
        // User codes are kept as keyed hashes with a sealed copy; the
        // vault converts the rows written before at start, user by user
        // (rows with no sealed copy). Attempts of no enrolled user are
        // dropped now, while every code is still plain.
        5,
        "ALTER TABLE face_users ADD COLUMN user_code_sealed BLOB;
    DELETE FROM verify_attempts WHERE NOT EXISTS (SELECT 1 FROM face_users u
        WHERE u.tenant_id = verify_attempts.tenant_id AND u.user_code = verify_attempts.user_code);",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_gets_its_own_types() {
        let sql =
            postgres_dialect("a INTEGER PRIMARY KEY AUTOINCREMENT, b INTEGER, c BLOB, d REAL");
        assert_eq!(
            sql,
            "a BIGSERIAL PRIMARY KEY, b BIGINT, c BYTEA, d DOUBLE PRECISION"
        );
    }
}
