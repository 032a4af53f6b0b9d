//! The promises of the module docs, checked on a real SQLite file.

use std::path::{Path, PathBuf};

use ekyc_store::{SqlStore, Tenant};

use super::*;

struct Fixture {
    dir: tempfile::TempDir,
    store: Arc<SqlStore>,
    master: String,
}

impl Fixture {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqlStore::sqlite(&dir.path().join("ekyc.db")).await.unwrap());
        for id in ["a", "b"] {
            store
                .create_tenant(&Tenant {
                    id: id.into(),
                    name: id.into(),
                    token_epoch: 0,
                    created_at: 0,
                })
                .await
                .unwrap();
        }
        Self {
            dir,
            store,
            master: generate_master_key(),
        }
    }

    fn db_path(&self) -> PathBuf {
        self.dir.path().join("ekyc.db")
    }

    fn vault(&self) -> Vault {
        vault_over(self.store.clone(), &self.master, &[])
    }

    /// A user's row as the store holds it.
    async fn stored(
        &self,
        vault: &Vault,
        tenant_id: &str,
        user_code: &str,
    ) -> EnrolledUser<UserKey> {
        let tenant_id = tn(tenant_id);
        let key = vault.user_key(&tenant_id, &uc(user_code)).await.unwrap();
        self.store
            .enrolled(&tenant_id, &key)
            .await
            .unwrap()
            .unwrap()
    }
}

fn tn(id: &str) -> TenantId {
    TenantId::new(id)
}

fn uc(code: &str) -> UserCode {
    UserCode::new(code)
}

fn vault_over(store: Arc<dyn Store>, master: &str, previous: &[&str]) -> Vault {
    let source = MasterKeySource {
        key: Some(master.to_owned()),
        key_file: None,
        previous: previous.iter().map(|s| s.to_string()).collect(),
    };
    Vault::new(
        store,
        MasterKeys::load(&source, Path::new("/nonexistent")).unwrap(),
    )
}

/// A recognisable plain template: 128 floats whose bytes would show up
/// verbatim in the file if stored unencrypted.
fn plain_template() -> Vec<u8> {
    (0..128u32)
        .flat_map(|i| (0.01 * i as f32 + 0.123).to_le_bytes())
        .collect()
}

fn user(code: &str) -> EnrolledUser {
    EnrolledUser {
        user_code: code.into(),
        preferred_engine: "ezway".into(),
        templates: vec![FaceTemplate {
            engine: "ezway".into(),
            model_version: "v1".into(),
            template: plain_template(),
        }],
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The database file and its write-ahead log, as a thief would copy them.
fn file_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    if let Ok(wal) = std::fs::read(db.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    bytes
}

#[tokio::test]
async fn round_trip_is_tenant_scoped() {
    let f = Fixture::new().await;
    let vault = f.vault();
    vault.enrol(&tn("a"), &user("u1"), 1).await.unwrap();
    let back = vault.enrolled(&tn("a"), &uc("u1")).await.unwrap().unwrap();
    assert_eq!(back.templates[0].template, plain_template());
    assert_eq!(vault.enrolled(&tn("b"), &uc("u1")).await.unwrap(), None);
    let stored = f.stored(&vault, "a", "u1").await;
    assert_ne!(stored.templates[0].template, plain_template());
}

#[tokio::test]
async fn a_copied_database_yields_no_template_without_the_master_key() {
    let f = Fixture::new().await;
    f.vault().enrol(&tn("a"), &user("u1"), 1).await.unwrap();
    let bytes = file_bytes(&f.db_path());
    assert!(!contains(&bytes, &plain_template()[..32]));

    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("ekyc.db");
    std::fs::copy(f.db_path(), &copy).unwrap();
    let _ = std::fs::copy(
        f.db_path().with_extension("db-wal"),
        copy.with_extension("db-wal"),
    );
    let stolen: Arc<dyn Store> = Arc::new(SqlStore::sqlite(&copy).await.unwrap());

    let wrong_key = vault_over(stolen.clone(), &generate_master_key(), &[]);
    assert!(matches!(
        wrong_key.enrolled(&tn("a"), &uc("u1")).await,
        Err(VaultError::UnknownMasterKey(_))
    ));
    let right_key = vault_over(stolen, &f.master, &[]);
    let opened = right_key
        .enrolled(&tn("a"), &uc("u1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(opened.templates[0].template, plain_template());
}

#[tokio::test]
async fn a_deleted_tenant_cannot_be_decrypted_even_with_the_master_key() {
    let f = Fixture::new().await;
    let vault = f.vault();
    vault.enrol(&tn("a"), &user("u1"), 1).await.unwrap();
    vault.enrol(&tn("b"), &user("u1"), 1).await.unwrap();
    // Whatever survives elsewhere (a stale replica, a row read before the
    // deletion) is what an attacker holding the master key would have.
    let surviving = f.stored(&vault, "a", "u1").await;
    let wrapped = f.store.tenant_key(&tn("a")).await.unwrap().unwrap();

    assert!(vault.delete_tenant(&tn("a")).await.unwrap());

    assert!(!contains(&file_bytes(&f.db_path()), &wrapped.wrapped));
    assert!(!contains(
        &file_bytes(&f.db_path()),
        &surviving.templates[0].template
    ));
    assert_eq!(f.store.tenant_key(&tn("a")).await.unwrap(), None);
    let fresh = f.vault();
    let key = fresh.existing_data_key(&tn("a")).await.unwrap();
    assert!(key.is_none(), "no key for a deleted tenant");
    assert_eq!(
        fresh
            .enrolled(&tn("b"), &uc("u1"))
            .await
            .unwrap()
            .unwrap()
            .templates[0]
            .template,
        plain_template()
    );
}

#[tokio::test]
async fn sealed_values_do_not_open_in_another_row() {
    let f = Fixture::new().await;
    let vault = f.vault();
    vault.enrol(&tn("a"), &user("u1"), 1).await.unwrap();
    vault.enrol(&tn("a"), &user("u2"), 1).await.unwrap();
    let mut u1 = f.stored(&vault, "a", "u1").await;
    u1.user_code = vault.user_key(&tn("a"), &uc("u2")).await.unwrap();
    f.store.enrol(&tn("a"), &u1, b"any", 2).await.unwrap();
    assert!(matches!(
        vault.enrolled(&tn("a"), &uc("u2")).await,
        Err(VaultError::Crypto)
    ));
}

#[tokio::test]
async fn rewrap_moves_every_tenant_to_the_new_master_key() {
    let f = Fixture::new().await;
    f.vault().enrol(&tn("a"), &user("u1"), 1).await.unwrap();
    f.vault().enrol(&tn("b"), &user("u1"), 1).await.unwrap();
    let new_master = generate_master_key();
    let rotating = vault_over(f.store.clone(), &new_master, &[&f.master]);
    assert_eq!(
        rotating.rewrap().await.unwrap(),
        RewrapReport {
            rewrapped: 2,
            already_current: 0
        }
    );
    assert_eq!(rotating.rewrap().await.unwrap().already_current, 2);
    let only_new = vault_over(f.store.clone(), &new_master, &[]);
    assert!(only_new
        .enrolled(&tn("a"), &uc("u1"))
        .await
        .unwrap()
        .is_some());
    let only_old = vault_over(f.store.clone(), &f.master, &[]);
    assert!(matches!(
        only_old.enrolled(&tn("b"), &uc("u1")).await,
        Err(VaultError::UnknownMasterKey(_))
    ));
}

#[tokio::test]
async fn user_codes_are_stored_only_hashed_and_sealed() {
    let f = Fixture::new().await;
    let vault = f.vault();
    let codes = ["01012345678", "kim.minsu@bank.example"];
    for code in codes {
        vault.enrol(&tn("a"), &user(code), 1).await.unwrap();
    }
    let bytes = file_bytes(&f.db_path());
    for code in codes {
        assert!(!contains(&bytes, code.as_bytes()), "{code} in the file");
        assert!(vault.enrolled(&tn("a"), &uc(code)).await.unwrap().is_some());
        assert_eq!(vault.enrolled(&tn("b"), &uc(code)).await.unwrap(), None);
    }
    let gallery = vault.gallery(&tn("a"), "ezway", "v1").await.unwrap();
    let found: Vec<String> = gallery
        .search(&vector_from_bytes(&plain_template()).unwrap(), 5)
        .into_iter()
        .map(|hit| hit.user_code.into_string())
        .collect();
    assert_eq!(found.len(), 2);
    assert!(codes.iter().all(|c| found.contains(&c.to_string())));
    assert!(vault.delete_user(&tn("a"), &uc(codes[0])).await.unwrap());
    assert!(!vault.delete_user(&tn("a"), &uc(codes[0])).await.unwrap());
    assert!(!vault.delete_user(&tn("b"), &uc(codes[1])).await.unwrap());
}

/// Users stored before codes were hashed: their rows, templates and
/// attempts move to the user key at start, and they verify and are found
/// by 1:N search as before.
#[tokio::test]
async fn plain_user_codes_written_before_are_hashed_at_start() {
    let f = Fixture::new().await;
    let vault = f.vault();
    vault
        .enrol(&tn("a"), &user("already-hashed"), 1)
        .await
        .unwrap();
    let key = vault.data_key(&tn("a"), 1).await.unwrap();
    let legacy_code = "legacy-01098765432";
    let sealed = seal_template(
        &key,
        &tn("a"),
        &uc(legacy_code),
        &user(legacy_code).templates[0],
    )
    .unwrap();
    let old_server = sqlx::SqlitePool::connect(&format!("sqlite://{}", f.db_path().display()))
        .await
        .unwrap();
    sqlx::query("INSERT INTO face_users VALUES ('a', ?, 'ezway', 1, NULL)")
        .bind(legacy_code)
        .execute(&old_server)
        .await
        .unwrap();
    sqlx::query("INSERT INTO face_templates VALUES ('a', ?, 'ezway', 'v1', ?, 1)")
        .bind(legacy_code)
        .bind(&sealed.template)
        .execute(&old_server)
        .await
        .unwrap();
    sqlx::query("INSERT INTO verify_attempts VALUES ('a', ?, 3, 0, 0, 0, 0)")
        .bind(legacy_code)
        .execute(&old_server)
        .await
        .unwrap();
    old_server.close().await;

    assert_eq!(vault.seal_legacy_user_codes(2).await.unwrap(), 1);
    assert_eq!(vault.seal_legacy_user_codes(3).await.unwrap(), 0, "once");
    let migrated = vault
        .enrolled(&tn("a"), &uc(legacy_code))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(migrated.templates[0].template, plain_template());
    let stored_as = vault.user_key(&tn("a"), &uc(legacy_code)).await.unwrap();
    assert_eq!(
        f.store
            .verify_attempts(&tn("a"), &stored_as)
            .await
            .unwrap()
            .failures,
        3
    );
    let gallery = vault.gallery(&tn("a"), "ezway", "v1").await.unwrap();
    let hits = gallery.search(&vector_from_bytes(&plain_template()).unwrap(), 5);
    assert!(hits.iter().any(|h| h.user_code.as_str() == legacy_code));
    assert!(!contains(&file_bytes(&f.db_path()), legacy_code.as_bytes()));
}
