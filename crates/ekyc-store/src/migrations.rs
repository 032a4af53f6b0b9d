//! The schema, version by version, in each dialect. A version is applied
//! once, in a transaction; a change to the schema is a new version, never
//! an edit of an applied one. The two lists must describe the same schema.

/// The migrations for PostgreSQL (`true`) or SQLite.
pub(crate) fn migrations(postgres: bool) -> &'static [(i64, &'static str)] {
    if postgres {
        POSTGRES
    } else {
        SQLITE
    }
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
];

const POSTGRES: &[(i64, &str)] = &[
    (
    1,
    "CREATE TABLE tenants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_epoch BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE access_keys (
        access_key TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        secret_hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
    );
    CREATE INDEX access_keys_tenant ON access_keys(tenant_id);
    CREATE TABLE face_users (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_code TEXT NOT NULL,
        preferred_engine TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, user_code)
    );
    CREATE TABLE face_templates (
        tenant_id TEXT NOT NULL,
        user_code TEXT NOT NULL,
        engine TEXT NOT NULL,
        model_version TEXT NOT NULL,
        template BYTEA NOT NULL,
        PRIMARY KEY (tenant_id, user_code, engine),
        FOREIGN KEY (tenant_id, user_code) REFERENCES face_users(tenant_id, user_code) ON DELETE CASCADE
    );",
    ),
    (
        2,
        "CREATE TABLE tenant_keys (
        tenant_id TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        kek_id TEXT NOT NULL,
        wrapped BYTEA NOT NULL,
        created_at BIGINT NOT NULL
    );
    ALTER TABLE face_templates ADD COLUMN sealed BIGINT NOT NULL DEFAULT 0;
    CREATE TABLE verify_attempts (
        tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_code TEXT NOT NULL,
        failures BIGINT NOT NULL,
        lockouts BIGINT NOT NULL,
        locked_until BIGINT NOT NULL,
        PRIMARY KEY (tenant_id, user_code)
    );
    CREATE TABLE audit_log (
        seq BIGSERIAL PRIMARY KEY,
        trx_id TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        tenant_id TEXT,
        access_key TEXT,
        method TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        status BIGINT NOT NULL,
        code TEXT NOT NULL,
        score DOUBLE PRECISION,
        decision TEXT,
        engine TEXT,
        latency_ms DOUBLE PRECISION NOT NULL
    );
    CREATE INDEX audit_log_tenant ON audit_log(tenant_id, seq);
    CREATE INDEX audit_log_trx ON audit_log(trx_id);
    CREATE INDEX audit_log_time ON audit_log(at_ms);",
    ),
    (
        3,
        "ALTER TABLE tenants ADD COLUMN enrolment_epoch BIGINT NOT NULL DEFAULT 0;",
    ),
];
