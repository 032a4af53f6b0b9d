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
    vault.enroll("a", &user("u1"), 1).await.unwrap();
    let back = vault.enrolled("a", "u1").await.unwrap().unwrap();
    assert_eq!(back.templates[0].template, plain_template());
    assert_eq!(vault.enrolled("b", "u1").await.unwrap(), None);
    let stored = f.store.enrolled("a", "u1").await.unwrap().unwrap();
    assert_ne!(stored.templates[0].template, plain_template());
}

#[tokio::test]
async fn a_copied_database_yields_no_template_without_the_master_key() {
    let f = Fixture::new().await;
    f.vault().enroll("a", &user("u1"), 1).await.unwrap();
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
        wrong_key.enrolled("a", "u1").await,
        Err(VaultError::UnknownMasterKey(_))
    ));
    let right_key = vault_over(stolen, &f.master, &[]);
    let opened = right_key.enrolled("a", "u1").await.unwrap().unwrap();
    assert_eq!(opened.templates[0].template, plain_template());
}

#[tokio::test]
async fn a_deleted_tenant_cannot_be_decrypted_even_with_the_master_key() {
    let f = Fixture::new().await;
    let vault = f.vault();
    vault.enroll("a", &user("u1"), 1).await.unwrap();
    vault.enroll("b", &user("u1"), 1).await.unwrap();
    // Whatever survives elsewhere (a stale replica, a row read before the
    // deletion) is what an attacker holding the master key would have.
    let surviving = f.store.enrolled("a", "u1").await.unwrap().unwrap();
    let wrapped = f.store.tenant_key("a").await.unwrap().unwrap();

    assert!(vault.delete_tenant("a").await.unwrap());

    assert!(!contains(&file_bytes(&f.db_path()), &wrapped.wrapped));
    assert!(!contains(
        &file_bytes(&f.db_path()),
        &surviving.templates[0].template
    ));
    assert_eq!(f.store.tenant_key("a").await.unwrap(), None);
    let fresh = f.vault();
    let key = fresh.existing_data_key("a").await.unwrap();
    assert!(key.is_none(), "no key for a deleted tenant");
    assert_eq!(
        fresh.enrolled("b", "u1").await.unwrap().unwrap().templates[0].template,
        plain_template()
    );
}

#[tokio::test]
async fn sealed_values_do_not_open_in_another_row() {
    let f = Fixture::new().await;
    let vault = f.vault();
    vault.enroll("a", &user("u1"), 1).await.unwrap();
    vault.enroll("a", &user("u2"), 1).await.unwrap();
    let mut u1 = f.store.enrolled("a", "u1").await.unwrap().unwrap();
    u1.user_code = "u2".into();
    f.store.enroll("a", &u1, 2).await.unwrap();
    assert!(matches!(
        vault.enrolled("a", "u2").await,
        Err(VaultError::Crypto)
    ));
}

#[tokio::test]
async fn rewrap_moves_every_tenant_to_the_new_master_key() {
    let f = Fixture::new().await;
    f.vault().enroll("a", &user("u1"), 1).await.unwrap();
    f.vault().enroll("b", &user("u1"), 1).await.unwrap();
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
    assert!(only_new.enrolled("a", "u1").await.unwrap().is_some());
    let only_old = vault_over(f.store.clone(), &f.master, &[]);
    assert!(matches!(
        only_old.enrolled("b", "u1").await,
        Err(VaultError::UnknownMasterKey(_))
    ));
}
