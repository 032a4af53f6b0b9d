//! Every store test runs on SQLite and on a real PostgreSQL server.

use std::future::Future;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ekyc_test_support::{SmallFilesystem, TestPostgres};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqlitePool};

use super::*;
use crate::migrations::migrations;

/// Runs `check` on a fresh SQLite file, then on a fresh PostgreSQL database.
async fn on_every_backend<F, Fut>(check: F)
where
    F: Fn(SqlStore) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    check(SqlStore::sqlite(&dir.path().join("ekyc.db")).await.unwrap()).await;
    let postgres = TestPostgres::start();
    check(
        SqlStore::postgres(&postgres.fresh_database())
            .await
            .unwrap(),
    )
    .await;
}

fn tid(id: &str) -> TenantId {
    TenantId::new(id)
}

/// A user key as the vault would make it (any text here).
fn ukey(key: &str) -> UserKey {
    UserKey::new(key)
}

/// What the vault would store as a user's sealed code (opaque here).
const SEALED_CODE: &[u8] = b"sealed user code";

fn tenant(id: &str) -> Tenant {
    Tenant {
        id: tid(id),
        name: format!("{id} bank"),
        token_epoch: 0,
        created_at: 1,
    }
}

fn user(code: &str, engines: &[&str]) -> EnrolledUser<UserKey> {
    EnrolledUser {
        user_code: ukey(code),
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
    on_every_backend(|store| async move {
        store.create_tenant(&tenant("a")).await.unwrap();
        assert!(matches!(
            store.create_tenant(&tenant("a")).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.bump_token_epoch(&tid("a")).await.unwrap(), 1);
        assert_eq!(
            store.tenant(&tid("a")).await.unwrap().unwrap().token_epoch,
            1
        );
        assert!(matches!(
            store.bump_token_epoch(&tid("zz")).await,
            Err(StoreError::UnknownTenant(_))
        ));
        assert_eq!(store.tenants().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn keys_revoke_once() {
    on_every_backend(|store| async move {
        store.create_tenant(&tenant("a")).await.unwrap();
        let key = AccessKeyRecord {
            access_key: "AK1".into(),
            tenant_id: "a".into(),
            secret_hash: "h".into(),
            created_at: 5,
            revoked_at: None,
        };
        store.create_key(&key).await.unwrap();
        assert_eq!(
            store.key(&AccessKey::from("AK1")).await.unwrap(),
            Some(key.clone())
        );
        assert!(store.revoke_key(&AccessKey::from("AK1"), 9).await.unwrap());
        assert!(!store.revoke_key(&AccessKey::from("AK1"), 10).await.unwrap());
        assert_eq!(
            store
                .key(&AccessKey::from("AK1"))
                .await
                .unwrap()
                .unwrap()
                .revoked_at,
            Some(9)
        );
        let orphan = AccessKeyRecord {
            tenant_id: "missing".into(),
            access_key: "AK2".into(),
            ..key
        };
        assert!(store.create_key(&orphan).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn enrolment_replaces_and_is_tenant_scoped() {
    on_every_backend(|store| async move {
        store.create_tenant(&tenant("a")).await.unwrap();
        store.create_tenant(&tenant("b")).await.unwrap();
        store
            .enrol(
                &tid("a"),
                &user("u1", &["ezway", "applemango"]),
                SEALED_CODE,
                1,
            )
            .await
            .unwrap();
        store
            .enrol(&tid("a"), &user("u1", &["applemango"]), SEALED_CODE, 2)
            .await
            .unwrap();
        let got = store
            .enrolled(&tid("a"), &ukey("u1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.preferred_engine, "applemango");
        assert_eq!(got.templates.len(), 1);
        assert_eq!(store.enrolled(&tid("b"), &ukey("u1")).await.unwrap(), None);
        assert!(!store.delete_user(&tid("b"), &ukey("u1")).await.unwrap());
        assert!(store.delete_user(&tid("a"), &ukey("u1")).await.unwrap());
        assert_eq!(store.enrolled(&tid("a"), &ukey("u1")).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn deleting_a_tenant_erases_everything_it_owns() {
    on_every_backend(|store| async move {
        store.create_tenant(&tenant("a")).await.unwrap();
        store.create_tenant(&tenant("b")).await.unwrap();
        let key = WrappedKey {
            kek_id: "k1".into(),
            wrapped: vec![1, 2, 3],
        };
        for id in ["a", "b"] {
            assert!(store.insert_tenant_key(&tid(id), &key, 1).await.unwrap());
            store
                .enrol(&tid(id), &user("u1", &["ezway"]), SEALED_CODE, 1)
                .await
                .unwrap();
        }
        assert!(!store.insert_tenant_key(&tid("a"), &key, 2).await.unwrap());
        assert!(store.delete_tenant(&tid("a")).await.unwrap());
        assert!(!store.delete_tenant(&tid("a")).await.unwrap());
        assert_eq!(store.tenant_key(&tid("a")).await.unwrap(), None);
        assert_eq!(store.enrolled(&tid("a"), &ukey("u1")).await.unwrap(), None);
        assert!(store
            .enrolled(&tid("b"), &ukey("u1"))
            .await
            .unwrap()
            .is_some());
        assert_eq!(store.tenant_keys().await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn rewrap_only_replaces_the_expected_key() {
    on_every_backend(|store| async move {
        store.create_tenant(&tenant("a")).await.unwrap();
        let old = WrappedKey {
            kek_id: "old".into(),
            wrapped: vec![1],
        };
        let new = WrappedKey {
            kek_id: "new".into(),
            wrapped: vec![2],
        };
        store.insert_tenant_key(&tid("a"), &old, 1).await.unwrap();
        assert!(!store
            .rewrap_tenant_key(&tid("a"), "other", &new)
            .await
            .unwrap());
        assert!(store
            .rewrap_tenant_key(&tid("a"), "old", &new)
            .await
            .unwrap());
        assert_eq!(store.tenant_key(&tid("a")).await.unwrap(), Some(new));
    })
    .await;
}

#[tokio::test]
async fn verify_failures_count_lock_once_and_clear() {
    on_every_backend(|store| async move {
        store.create_tenant(&tenant("a")).await.unwrap();
        for expected in 1..=3 {
            let counted = store
                .count_verify_failure(&tid("a"), &ukey("u1"))
                .await
                .unwrap();
            assert_eq!(counted.failures, expected);
        }
        assert_eq!(
            store.verify_attempts(&tid("a"), &ukey("u2")).await.unwrap(),
            VerifyAttempts::default()
        );
        assert!(store
            .lock_verify(&tid("a"), &ukey("u1"), 0, 99)
            .await
            .unwrap());
        // A second request that saw the same count does not lock again.
        assert!(!store
            .lock_verify(&tid("a"), &ukey("u1"), 0, 199)
            .await
            .unwrap());
        let locked = VerifyAttempts {
            failures: 0,
            lockouts: 1,
            locked_until: 99,
        };
        assert_eq!(
            store.verify_attempts(&tid("a"), &ukey("u1")).await.unwrap(),
            locked
        );
        assert_eq!(
            store
                .count_verify_failure(&tid("a"), &ukey("u1"))
                .await
                .unwrap(),
            VerifyAttempts {
                failures: 1,
                ..locked
            }
        );
        store
            .clear_verify_attempts(&tid("a"), &ukey("u1"))
            .await
            .unwrap();
        assert_eq!(
            store.verify_attempts(&tid("a"), &ukey("u1")).await.unwrap(),
            VerifyAttempts::default()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn verify_reservations_admit_no_more_than_the_limit_at_once() {
    on_every_backend(|store| async move {
        store.create_tenant(&tenant("a")).await.unwrap();
        let (now, stale_before) = (1000, 900);
        let attempts: Vec<_> = (0..32)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .reserve_verify_attempt(&tid("a"), &ukey("u1"), 5, now, stale_before)
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut granted = 0;
        for attempt in attempts {
            granted += usize::from(attempt.await.unwrap().is_some());
        }
        assert_eq!(granted, 5, "32 at once, 5 admitted");
        let (a, u1) = (tid("a"), ukey("u1"));
        store.release_verify_attempt(&a, &u1).await.unwrap();
        let again = store.reserve_verify_attempt(&a, &u1, 5, now, stale_before);
        assert!(
            again.await.unwrap().is_some(),
            "a released one is free again"
        );
        let failed = store.count_verify_failure(&a, &u1).await.unwrap();
        assert_eq!(failed.failures, 1);
        let refused = store.reserve_verify_attempt(&a, &u1, 5, now, stale_before);
        assert!(
            refused.await.unwrap().is_none(),
            "1 failure + 4 in progress"
        );
        let later = store.reserve_verify_attempt(&a, &u1, 5, now + 200, now + 100);
        assert!(
            later.await.unwrap().is_some(),
            "reservations of dead requests expire"
        );
        assert!(store.lock_verify(&a, &u1, 0, now + 500).await.unwrap());
        let locked = store.reserve_verify_attempt(&a, &u1, 5, now + 300, now + 250);
        assert!(
            locked.await.unwrap().is_none(),
            "no reservation while locked"
        );
        store.clear_verify_attempts(&a, &u1).await.unwrap();
        let cleared = store.reserve_verify_attempt(&a, &u1, 5, now + 300, now + 250);
        assert!(cleared.await.unwrap().is_some());
    })
    .await;
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
    on_every_backend(|store| async move {
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
        let got = store.audit_record(&tid("a"), "t3").await.unwrap().unwrap();
        assert_eq!((got.status, got.score), (200, Some(0.9)));
        assert_eq!(store.audit_record(&tid("a"), "tb").await.unwrap(), None);
        let first = store.audit_page(&tid("a"), None, 2).await.unwrap();
        let trx: Vec<_> = first.iter().map(|r| r.trx_id.as_str()).collect();
        assert_eq!(trx, ["t4", "t3"]);
        let next = store
            .audit_page(&tid("a"), Some(first[1].seq), 10)
            .await
            .unwrap();
        assert_eq!(next.len(), 3);
        assert_eq!(store.purge_audit(2500).await.unwrap(), 5);
        assert_eq!(
            store.audit_page(&tid("a"), None, 10).await.unwrap().len(),
            2
        );
    })
    .await;
}

#[tokio::test]
async fn reopening_keeps_data_and_does_not_remigrate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ekyc.db");
    let postgres = TestPostgres::start();
    let url = postgres.fresh_database();
    for open in [
        Box::pin(SqlStore::sqlite(&path)) as std::pin::Pin<Box<dyn Future<Output = _>>>,
        Box::pin(SqlStore::postgres(&url)),
    ] {
        let store = open.await.unwrap();
        store.create_tenant(&tenant("a")).await.unwrap();
    }
    for reopened in [
        SqlStore::sqlite(&path).await,
        SqlStore::postgres(&url).await,
    ] {
        assert!(reopened.unwrap().tenant(&tid("a")).await.unwrap().is_some());
    }
}

#[test]
fn placeholders_are_numbered_for_postgres() {
    assert_eq!(
        number_placeholders("UPDATE t SET a = ? WHERE b = ? AND c = ?"),
        "UPDATE t SET a = $1 WHERE b = $2 AND c = $3"
    );
}

/// Schema 1 only ever existed on SQLite.
#[tokio::test]
async fn templates_of_schema_1_come_back_as_unsealed_until_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ekyc.db");
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .unwrap()
        .create_if_missing(true);
    let old = SqlitePool::connect_with(options).await.unwrap();
    sqlx::raw_sql(migrations(false)[0].1.as_ref())
        .execute(&old)
        .await
        .unwrap();
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

    let store = SqlStore::sqlite(&path).await.unwrap();
    let legacy = store.unsealed_templates().await.unwrap();
    assert_eq!(legacy.len(), 1);
    assert_eq!(legacy[0].template.template, vec![1, 2]);
    assert!(store
        .enrolled(&tid("a"), &ukey("u1"))
        .await
        .unwrap()
        .unwrap()
        .templates
        .is_empty());
    let sealed = FaceTemplate {
        template: vec![9, 9, 9],
        ..legacy[0].template.clone()
    };
    store
        .seal_template(&tid("a"), &UserCode::from("u1"), &sealed)
        .await
        .unwrap();
    assert!(store.unsealed_templates().await.unwrap().is_empty());
    let user = store
        .enrolled(&tid("a"), &ukey("u1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.templates, vec![sealed]);
}

#[tokio::test]
async fn concurrent_enrolments_of_one_user_all_succeed() {
    on_every_backend(|store| async move {
        store.create_tenant(&tenant("a")).await.unwrap();
        let attempts = (0..8).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let engines: &[&str] = if i % 2 == 0 {
                    &["ezway"]
                } else {
                    &["ezway", "applemango"]
                };
                store
                    .enrol(&tid("a"), &user("u1", engines), SEALED_CODE, i)
                    .await
            })
        });
        for attempt in attempts.collect::<Vec<_>>() {
            attempt
                .await
                .unwrap()
                .expect("no enrolment fails on a race");
        }
        let enrolled = store
            .enrolled(&tid("a"), &ukey("u1"))
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(enrolled.templates.len(), 1 | 2));
        assert_eq!(store.enrolment_epoch(&tid("a")).await.unwrap(), 8);
    })
    .await;
}

/// Audit records alternate between missing and present optional values
/// (a 401 has no tenant, a verify has a score); both must store. (The
/// PostgreSQL failure this guards against, a cached statement typed by
/// an earlier NULL, showed in the API tests on PostgreSQL.)
#[tokio::test]
async fn optional_values_bind_after_nulls() {
    on_every_backend(|store| async move {
        let empty = AuditRecord {
            tenant_id: None,
            access_key: None,
            score: None,
            decision: None,
            engine: None,
            ..audit("t-null", None, 1)
        };
        for i in 0..3 {
            store
                .append_audit(&AuditRecord {
                    trx_id: format!("t-null-{i}"),
                    ..empty.clone()
                })
                .await
                .unwrap();
            store
                .append_audit(&audit(&format!("t-full-{i}"), Some("a"), 2))
                .await
                .expect("a value after a NULL in the same position");
        }
        let record = store
            .audit_record(&tid("a"), "t-full-2")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(record.score, Some(0.9));
    })
    .await;
}

/// What a full-database round expects to find after a restart.
#[derive(Default)]
struct Acknowledged {
    enrolled: std::collections::BTreeSet<String>,
    deleted: std::collections::BTreeSet<String>,
    audited: Vec<String>,
}

/// A SQLite store whose file cannot grow past `limit` pages: SQLite then
/// answers `SQLITE_FULL` exactly as on a full disk, without root.
async fn capped_sqlite(path: &Path, limit: Arc<AtomicI64>) -> SqlStore {
    let session: SessionSql =
        Arc::new(move || format!("PRAGMA max_page_count = {}", limit.load(Ordering::SeqCst)));
    SqlStore::sqlite_with_session(path, Some(session))
        .await
        .unwrap()
}

/// Moves the cap of every pooled connection (and of those opened later).
async fn set_page_cap(store: &SqlStore, limit: &AtomicI64, pages: i64) {
    limit.store(pages, Ordering::SeqCst);
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut connection = store.pool.acquire().await.unwrap();
        sqlx::raw_sql(&format!("PRAGMA max_page_count = {pages}"))
            .execute(&mut *connection)
            .await
            .unwrap();
        held.push(connection);
    }
}

async fn page_count(store: &SqlStore) -> i64 {
    sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(&store.pool)
        .await
        .unwrap()
}

fn big_user(code: &str) -> EnrolledUser<UserKey> {
    EnrolledUser {
        user_code: ukey(code),
        preferred_engine: "ezway".to_owned(),
        templates: vec![FaceTemplate {
            engine: "ezway".to_owned(),
            model_version: "v1".to_owned(),
            template: vec![7; 3000],
        }],
    }
}

/// An enrolment whose template insert makes SQLite end the transaction by
/// itself, as it may on `SQLITE_FULL` (`RAISE(ROLLBACK)` in a trigger).
const ROLLED_BACK_ENGINE: &str = "rolled-back";

async fn inject_self_rollback(store: &SqlStore) {
    sqlx::raw_sql(&format!(
        "CREATE TRIGGER inject_self_rollback BEFORE INSERT ON face_templates
         WHEN NEW.engine = '{ROLLED_BACK_ENGINE}'
         BEGIN SELECT RAISE(ROLLBACK, 'injected: SQLite ended the transaction'); END;"
    ))
    .execute(&store.pool)
    .await
    .unwrap();
}

/// Every write either commits or answers an error while the database is
/// full, reads keep answering, writes work again once there is room, and
/// a restart finds every acknowledged write, in 5 rounds of fill and free.
/// Each round starts with a transaction that SQLite rolls back by itself
/// (as on a full disk), then the file's page cap answers `SQLITE_FULL`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ekyc.db");
    let limit = Arc::new(AtomicI64::new(1_000_000));
    let store = capped_sqlite(&path, limit.clone()).await;
    store.create_tenant(&tenant("a")).await.unwrap();
    inject_self_rollback(&store).await;
    let mut acknowledged = Acknowledged::default();
    let mut next = 0;
    for round in 0..5 {
        let rolled_back = EnrolledUser {
            preferred_engine: ROLLED_BACK_ENGINE.to_owned(),
            ..user("rolled-back", &[ROLLED_BACK_ENGINE])
        };
        assert!(store
            .enrol(&tid("a"), &rolled_back, SEALED_CODE, 0)
            .await
            .is_err());
        let cap = page_count(&store).await + 6;
        set_page_cap(&store, &limit, cap).await;
        let mut failures = 0;
        while failures < 12 {
            next += 1;
            let code = format!("u{next}");
            match store
                .enrol(&tid("a"), &big_user(&code), SEALED_CODE, next)
                .await
            {
                Ok(()) => {
                    acknowledged.enrolled.insert(code);
                }
                Err(StoreError::Database(_)) => failures += 1,
                Err(other) => panic!("round {round}: {other}"),
            }
            if let Some(earlier) = acknowledged.enrolled.iter().next().cloned() {
                if next % 3 == 0 {
                    if let Ok(true) = store.delete_user(&tid("a"), &ukey(&earlier)).await {
                        acknowledged.enrolled.remove(&earlier);
                        acknowledged.deleted.insert(earlier);
                    }
                }
            }
            let trx = format!("r{round}-{next}");
            if store
                .append_audit(&audit(&trx, Some("a"), next))
                .await
                .is_ok()
            {
                acknowledged.audited.push(trx);
            }
            let _ = store.count_verify_failure(&tid("a"), &ukey("u1")).await;
        }
        let known = acknowledged.enrolled.iter().next().unwrap();
        let read = tokio::time::timeout(
            Duration::from_secs(2),
            store.enrolled(&tid("a"), &ukey(known)),
        )
        .await;
        assert!(
            matches!(read, Ok(Ok(Some(_)))),
            "round {round}: reads answer while full"
        );

        set_page_cap(&store, &limit, 1_000_000).await;
        let freed = Instant::now();
        next += 1;
        let code = format!("u{next}");
        while store
            .enrol(&tid("a"), &big_user(&code), SEALED_CODE, next)
            .await
            .is_err()
        {
            assert!(
                freed.elapsed() < Duration::from_secs(5),
                "round {round}: writes did not come back"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        acknowledged.enrolled.insert(code);
    }
    store.pool.close().await;

    let reopened = SqlStore::sqlite(&path).await.unwrap();
    for code in &acknowledged.enrolled {
        assert!(
            reopened
                .enrolled(&tid("a"), &ukey(code))
                .await
                .unwrap()
                .is_some(),
            "acknowledged enrolment {code} lost"
        );
    }
    for code in &acknowledged.deleted {
        assert!(
            reopened
                .enrolled(&tid("a"), &ukey(code))
                .await
                .unwrap()
                .is_none(),
            "acknowledged deletion of {code} undone"
        );
    }
    for trx in &acknowledged.audited {
        assert!(
            reopened
                .audit_record(&tid("a"), trx)
                .await
                .unwrap()
                .is_some(),
            "acknowledged audit record {trx} lost"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_filesystem_loses_no_acknowledged_write() {
    let Some(fs) = SmallFilesystem::mount(4 << 20) else {
        return;
    };
    let path = fs.path().join("ekyc.db");
    let store = SqlStore::sqlite(&path).await.unwrap();
    store.create_tenant(&tenant("a")).await.unwrap();
    let mut acknowledged = Acknowledged::default();
    let mut next = 0;
    let mut errors = 0;
    for round in 0..5 {
        for _ in 0..5 {
            next += 1;
            store
                .enrol(&tid("a"), &big_user(&format!("u{next}")), SEALED_CODE, next)
                .await
                .unwrap();
            acknowledged.enrolled.insert(format!("u{next}"));
        }
        fs.fill();
        for _ in 0..20 {
            next += 1;
            let code = format!("u{next}");
            match store
                .enrol(&tid("a"), &big_user(&code), SEALED_CODE, next)
                .await
            {
                Ok(()) => {
                    acknowledged.enrolled.insert(code);
                }
                Err(e) => {
                    errors += 1;
                    eprintln!("round {round}: {e}");
                }
            }
            if next % 3 == 0 {
                let earlier = acknowledged.enrolled.iter().next().cloned().unwrap();
                if let Ok(true) = store.delete_user(&tid("a"), &ukey(&earlier)).await {
                    acknowledged.enrolled.remove(&earlier);
                    acknowledged.deleted.insert(earlier);
                }
            }
            let trx = format!("r{round}-{next}");
            if store
                .append_audit(&audit(&trx, Some("a"), next))
                .await
                .is_ok()
            {
                acknowledged.audited.push(trx);
            }
        }
        let known = acknowledged.enrolled.iter().next().unwrap();
        let read = tokio::time::timeout(
            Duration::from_secs(2),
            store.enrolled(&tid("a"), &ukey(known)),
        )
        .await;
        assert!(
            matches!(read, Ok(Ok(Some(_)))),
            "round {round}: reads answer while full: {read:?}"
        );
        fs.free();
        let freed = Instant::now();
        next += 1;
        let code = format!("u{next}");
        while let Err(e) = store
            .enrol(&tid("a"), &big_user(&code), SEALED_CODE, next)
            .await
        {
            assert!(
                freed.elapsed() < Duration::from_secs(5),
                "round {round}: writes did not come back: {e}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        acknowledged.enrolled.insert(code);
    }
    eprintln!("{errors} writes refused while full");
    assert!(errors > 0, "the filesystem was never full");
    store.pool.close().await;

    let reopened = SqlStore::sqlite(&path).await.unwrap();
    for code in &acknowledged.enrolled {
        assert!(
            reopened
                .enrolled(&tid("a"), &ukey(code))
                .await
                .unwrap()
                .is_some(),
            "acknowledged enrolment {code} lost"
        );
    }
    for code in &acknowledged.deleted {
        assert!(
            reopened
                .enrolled(&tid("a"), &ukey(code))
                .await
                .unwrap()
                .is_none(),
            "acknowledged deletion of {code} undone"
        );
    }
    for trx in &acknowledged.audited {
        assert!(
            reopened
                .audit_record(&tid("a"), trx)
                .await
                .unwrap()
                .is_some(),
            "acknowledged audit record {trx} lost"
        );
    }
}

/// Turns the whole cluster read-only (or back) from an administrator's
/// session of its own; the store's sessions pick it up between statements.
async fn set_read_only(url: &str, read_only: bool) {
    let mut admin = sqlx::postgres::PgConnection::connect(url).await.unwrap();
    let setting = if read_only {
        "ALTER SYSTEM SET default_transaction_read_only = on"
    } else {
        "ALTER SYSTEM RESET default_transaction_read_only"
    };
    for statement in [
        "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
        setting,
        "SELECT pg_reload_conf()",
    ] {
        sqlx::raw_sql(statement).execute(&mut admin).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// On PostgreSQL, a database that stops taking writes (read-only here;
/// a full disk fails the same statements) answers every write with an
/// error, keeps answering reads, and takes writes again afterwards.
#[tokio::test]
async fn a_read_only_postgres_acknowledges_no_write() {
    let postgres = TestPostgres::start();
    let url = postgres.fresh_database();
    let store = SqlStore::postgres(&url).await.unwrap();
    store.create_tenant(&tenant("a")).await.unwrap();
    store
        .enrol(&tid("a"), &big_user("kept"), SEALED_CODE, 1)
        .await
        .unwrap();
    for round in 0..5 {
        set_read_only(&url, true).await;
        let code = format!("refused-{round}");
        assert!(store
            .enrol(&tid("a"), &big_user(&code), SEALED_CODE, 2)
            .await
            .is_err());
        assert!(store.delete_user(&tid("a"), &ukey("kept")).await.is_err());
        assert!(store
            .append_audit(&audit(&code, Some("a"), 2))
            .await
            .is_err());
        assert!(store
            .count_verify_failure(&tid("a"), &ukey("kept"))
            .await
            .is_err());
        assert!(store
            .enrolled(&tid("a"), &ukey("kept"))
            .await
            .unwrap()
            .is_some());
        assert!(store
            .enrolled(&tid("a"), &ukey(&code))
            .await
            .unwrap()
            .is_none());

        set_read_only(&url, false).await;
        let freed = Instant::now();
        let code = format!("accepted-{round}");
        while store
            .enrol(&tid("a"), &big_user(&code), SEALED_CODE, 3)
            .await
            .is_err()
        {
            assert!(freed.elapsed() < Duration::from_secs(5), "round {round}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(store
            .enrolled(&tid("a"), &ukey(&code))
            .await
            .unwrap()
            .is_some());
    }
}

/// Rows written before user codes were hashed (schema 4) come back as
/// legacy codes, and sealing one moves its row, templates and attempts to
/// the key, leaving the plain code nowhere.
#[tokio::test]
async fn plain_user_codes_of_schema_4_move_to_their_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ekyc.db");
    let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .unwrap()
        .create_if_missing(true);
    let old = SqlitePool::connect_with(options).await.unwrap();
    sqlx::raw_sql("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
        .execute(&old)
        .await
        .unwrap();
    for (version, sql) in migrations(false).iter().filter(|(v, _)| *v <= 4) {
        sqlx::raw_sql(sql.as_ref()).execute(&old).await.unwrap();
        sqlx::raw_sql(&format!("INSERT INTO schema_migrations VALUES ({version})"))
            .execute(&old)
            .await
            .unwrap();
    }
    sqlx::raw_sql(
        "INSERT INTO tenants VALUES ('a', 'a', 0, 1, 0);
         INSERT INTO face_users VALUES ('a', 'plain-01012345678', 'ezway', 1);
         INSERT INTO face_templates VALUES ('a', 'plain-01012345678', 'ezway', 'v1', x'0102', 1);
         INSERT INTO verify_attempts VALUES ('a', 'plain-01012345678', 2, 0, 0, 0, 0);
         INSERT INTO verify_attempts VALUES ('a', 'plain-never-enrolled', 1, 0, 0, 0, 0);",
    )
    .execute(&old)
    .await
    .unwrap();
    old.close().await;

    let store = SqlStore::sqlite(&path).await.unwrap();
    let legacy = store.legacy_user_codes().await.unwrap();
    assert_eq!(
        legacy,
        [LegacyUser {
            tenant_id: tid("a"),
            user_code: UserCode::from("plain-01012345678"),
        }]
    );
    store
        .seal_user_code(
            &tid("a"),
            &UserCode::from("plain-01012345678"),
            &ukey("key-1"),
            b"sealed",
        )
        .await
        .unwrap();
    assert!(store.legacy_user_codes().await.unwrap().is_empty());
    let moved = store
        .enrolled(&tid("a"), &ukey("key-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.templates[0].template, vec![1, 2]);
    assert_eq!(
        store
            .verify_attempts(&tid("a"), &ukey("key-1"))
            .await
            .unwrap()
            .failures,
        2
    );
    let gallery = store
        .tenant_templates(&tid("a"), "ezway", "v1")
        .await
        .unwrap();
    assert_eq!(
        gallery,
        [GalleryRow {
            user_key: "key-1".into(),
            sealed_user_code: b"sealed".to_vec(),
            template: vec![1, 2],
        }]
    );
    for table in ["face_users", "face_templates", "verify_attempts"] {
        let plain: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE user_code LIKE 'plain-%'"
        ))
        .fetch_one(&store.pool)
        .await
        .unwrap();
        assert_eq!(plain, 0, "{table} keeps a plain user code");
    }
}
