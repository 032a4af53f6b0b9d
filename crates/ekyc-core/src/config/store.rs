//! Where the data is kept and the keys that protect it.

use std::path::PathBuf;

use serde::Deserialize;

use super::Secret;

/// The database, the data folder and the master keys.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct StoreSettings {
    /// Where the database, the signing key and (by default) the models live.
    pub data_dir: PathBuf,
    /// `postgres://user:password@host/db` to share one PostgreSQL between
    /// nodes; unset: the embedded SQLite file `<data_dir>/ekyc.db`. It
    /// may carry a password, so it is kept as a secret.
    pub database_url: Option<Secret>,
    /// Base64 of the 32-byte master key that wraps each tenant's template
    /// key. Give it from a secret manager; never store it in the data dir.
    pub master_key: Option<Secret>,
    /// A file holding the master key instead (outside the data dir).
    pub master_key_file: Option<PathBuf>,
    /// Earlier master keys, still accepted while `ekyc keys rewrap` runs.
    pub previous_master_keys: Vec<Secret>,
    /// Days audit records are kept; older ones are purged.
    pub audit_retention_days: u32,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./data"),
            database_url: None,
            master_key: None,
            master_key_file: None,
            previous_master_keys: Vec::new(),
            audit_retention_days: 90,
        }
    }
}
