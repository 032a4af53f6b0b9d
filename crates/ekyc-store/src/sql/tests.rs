//! Every store test runs on SQLite and on a real PostgreSQL server.

use std::future::Future;
use std::str::FromStr;

use ekyc_test_support::TestPostgres;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::SqlitePool;

use super::*;

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
    on_every_backend(|store| async move {
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
    })
    .await;
}

#[tokio::test]
async fn enrolment_replaces_and_is_tenant_scoped() {
    on_every_backend(|store| async move {
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
        store.insert_tenant_key("a", &old, 1).await.unwrap();
        assert!(!store.rewrap_tenant_key("a", "other", &new).await.unwrap());
        assert!(store.rewrap_tenant_key("a", "old", &new).await.unwrap());
        assert_eq!(store.tenant_key("a").await.unwrap(), Some(new));
    })
    .await;
}

#[tokio::test]
async fn verify_failures_count_lock_once_and_clear() {
    on_every_backend(|store| async move {
        store.create_tenant(&tenant("a")).await.unwrap();
        for expected in 1..=3 {
            let counted = store.count_verify_failure("a", "u1").await.unwrap();
            assert_eq!(counted.failures, expected);
        }
        assert_eq!(
            store.verify_attempts("a", "u2").await.unwrap(),
            VerifyAttempts::default()
        );
        assert!(store.lock_verify("a", "u1", 0, 99).await.unwrap());
        // A second request that saw the same count does not lock again.
        assert!(!store.lock_verify("a", "u1", 0, 199).await.unwrap());
        let locked = VerifyAttempts {
            failures: 0,
            lockouts: 1,
            locked_until: 99,
        };
        assert_eq!(store.verify_attempts("a", "u1").await.unwrap(), locked);
        assert_eq!(
            store.count_verify_failure("a", "u1").await.unwrap(),
            VerifyAttempts {
                failures: 1,
                ..locked
            }
        );
        store.clear_verify_attempts("a", "u1").await.unwrap();
        assert_eq!(
            store.verify_attempts("a", "u1").await.unwrap(),
            VerifyAttempts::default()
        );
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
        assert!(reopened.unwrap().tenant("a").await.unwrap().is_some());
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
                store.enroll("a", &user("u1", engines), i).await
            })
        });
        for attempt in attempts.collect::<Vec<_>>() {
            attempt
                .await
                .unwrap()
                .expect("no enrolment fails on a race");
        }
        let enrolled = store.enrolled("a", "u1").await.unwrap().unwrap();
        assert!(matches!(enrolled.templates.len(), 1 | 2));
        assert_eq!(store.enrolment_epoch("a").await.unwrap(), 8);
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
        let record = store.audit_record("a", "t-full-2").await.unwrap().unwrap();
        assert_eq!(record.score, Some(0.9));
    })
    .await;
}
