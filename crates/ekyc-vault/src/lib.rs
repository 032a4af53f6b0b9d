//! Face templates encrypted at rest.
//!
//! Each tenant gets a random 256-bit data key, stored only wrapped
//! (encrypted) under the operator's master key, which is never stored
//! beside the data. Templates are sealed with XChaCha20-Poly1305 under the
//! tenant's key and bound to their tenant, user, engine and model, so the
//! database file alone reveals no template and a sealed value copied to
//! another row does not open. Deleting a tenant deletes its wrapped key:
//! whatever copy of its templates survives can no longer be decrypted.
//!
//! User codes (phone numbers, e-mail addresses: personal information) are
//! not stored in plain either: rows are found by a keyed hash of the code
//! (see the `user_codes` module), and where a code must be given back (1:N search)
//! it is sealed like a template.

mod gallery;
mod keys;
mod user_codes;

pub use gallery::{Gallery, Hit};
pub use keys::{generate_master_key, MasterKeySource, MasterKeys};

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use ekyc_store::{
    vector_from_bytes, EnrolledUser, FaceTemplate, GalleryRow, LegacyUser, Store, StoreError,
    TenantId, TenantKey, UnsealedTemplate, UserCode, UserKey, WrappedKey,
};

use keys::{open, random_key, seal, SecretKey, KEY_BYTES};
use user_codes::{open_user_code, seal_user_code, user_key};

/// Why a template or a key could not be sealed, opened or stored.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The master key configuration is missing or malformed.
    #[error("invalid key configuration: {0}")]
    Config(String),
    /// Decryption failed: the wrong master key or altered data.
    #[error("a stored value could not be decrypted: wrong master key or altered data")]
    Crypto,
    /// A tenant key names a master key that is not configured.
    #[error("tenant key {0} is wrapped by a master key that is not configured")]
    UnknownMasterKey(String),
    /// A template opened, so it is the one that was sealed, but its bytes
    /// are not a vector: it was written wrong.
    #[error("a stored template of {engine} {model_version} is not a vector")]
    MalformedTemplate {
        /// The template's engine.
        engine: String,
        /// The template's model version.
        model_version: String,
    },
    /// The master key file could not be read.
    #[error("invalid key configuration: cannot read {}", path.display())]
    KeyFile {
        /// The configured file.
        path: std::path::PathBuf,
        /// Why it could not be read.
        #[source]
        source: std::io::Error,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What `ekyc keys rewrap` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RewrapReport {
    /// Tenant keys now wrapped by the current master key.
    pub rewrapped: usize,
    /// Tenant keys that already were.
    pub already_current: usize,
}

/// Enrolments through encryption: the only way templates reach the store.
pub struct Vault {
    store: Arc<dyn Store>,
    masters: MasterKeys,
    /// Unwrapped data keys, so that a verify costs no unwrap. Keys never
    /// change for a tenant's lifetime, so the cache is never stale.
    data_keys: RwLock<HashMap<TenantId, Arc<SecretKey>>>,
    /// 1:N galleries by (tenant, engine, model), with the enrolment epoch
    /// they were built at; a changed epoch (on any node) means reload.
    galleries: Mutex<HashMap<GalleryKey, (i64, Arc<Gallery>)>>,
}

/// A gallery's tenant, engine and model version.
type GalleryKey = (TenantId, String, String);

impl Vault {
    /// A vault over `store`, with `masters` wrapping the tenants' data keys.
    pub fn new(store: Arc<dyn Store>, masters: MasterKeys) -> Self {
        Self {
            store,
            masters,
            data_keys: RwLock::default(),
            galleries: Mutex::default(),
        }
    }

    /// Seals and stores a user's templates, replacing earlier ones.
    pub async fn enrol(
        &self,
        tenant_id: &TenantId,
        user: &EnrolledUser,
        at: i64,
    ) -> Result<(), VaultError> {
        let key = self.data_key(tenant_id, at).await?;
        let templates = user
            .templates
            .iter()
            .map(|t| seal_template(&key, tenant_id, &user.user_code, t))
            .collect::<Result<_, _>>()?;
        let stored = EnrolledUser {
            user_code: user_key(&key, &user.user_code)?,
            templates,
            preferred_engine: user.preferred_engine.clone(),
        };
        let sealed_code = seal_user_code(&key, tenant_id, &stored.user_code, &user.user_code)?;
        Ok(self
            .store
            .enrol(tenant_id, &stored, &sealed_code, at)
            .await?)
    }

    /// A user's templates, decrypted.
    pub async fn enrolled(
        &self,
        tenant_id: &TenantId,
        user_code: &UserCode,
    ) -> Result<Option<EnrolledUser>, VaultError> {
        let Some(key) = self.existing_data_key(tenant_id).await? else {
            return Ok(None);
        };
        let stored_as = user_key(&key, user_code)?;
        let Some(user) = self.store.enrolled(tenant_id, &stored_as).await? else {
            return Ok(None);
        };
        let templates = user
            .templates
            .iter()
            .map(|t| open_template(&key, tenant_id, user_code, t))
            .collect::<Result<_, _>>()?;
        Ok(Some(EnrolledUser {
            user_code: user_code.clone(),
            templates,
            preferred_engine: user.preferred_engine,
        }))
    }

    /// Erases a user and all its templates; false when there was none.
    pub async fn delete_user(
        &self,
        tenant_id: &TenantId,
        user_code: &UserCode,
    ) -> Result<bool, VaultError> {
        let Some(key) = self.existing_data_key(tenant_id).await? else {
            return Ok(false);
        };
        Ok(self
            .store
            .delete_user(tenant_id, &user_key(&key, user_code)?)
            .await?)
    }

    /// The key a user's rows are stored under (for the verify lockout);
    /// the tenant must have enrolled someone already.
    pub async fn user_key(
        &self,
        tenant_id: &TenantId,
        user_code: &UserCode,
    ) -> Result<UserKey, VaultError> {
        let key = self
            .existing_data_key(tenant_id)
            .await?
            .ok_or(VaultError::Crypto)?;
        user_key(&key, user_code)
    }

    /// The tenant's current gallery of one engine and model: cached, and
    /// rebuilt when an enrolment or deletion (on any node) changed it.
    pub async fn gallery(
        &self,
        tenant_id: &TenantId,
        engine: &str,
        model_version: &str,
    ) -> Result<Arc<Gallery>, VaultError> {
        let epoch = self.store.enrolment_epoch(tenant_id).await?;
        let key = (
            tenant_id.clone(),
            engine.to_owned(),
            model_version.to_owned(),
        );
        if let Some((built_at, gallery)) = self.lock_galleries().get(&key) {
            if *built_at == epoch {
                return Ok(gallery.clone());
            }
        }
        let rows = self
            .store
            .tenant_templates(tenant_id, engine, model_version)
            .await?;
        let gallery = Arc::new(if rows.is_empty() {
            Gallery::new(Vec::new())
        } else {
            let data_key = self
                .existing_data_key(tenant_id)
                .await?
                .ok_or(VaultError::Crypto)?;
            let vectors = rows
                .into_iter()
                .map(|row: GalleryRow| {
                    let user_code =
                        open_user_code(&data_key, tenant_id, &row.user_key, &row.sealed_user_code)?;
                    let template = FaceTemplate {
                        engine: engine.to_owned(),
                        model_version: model_version.to_owned(),
                        template: row.template,
                    };
                    let plain = open_template(&data_key, tenant_id, &user_code, &template)?;
                    let vector = vector_from_bytes(&plain.template).ok_or_else(|| {
                        VaultError::MalformedTemplate {
                            engine: plain.engine.clone(),
                            model_version: plain.model_version.clone(),
                        }
                    })?;
                    Ok((user_code, vector))
                })
                .collect::<Result<Vec<_>, VaultError>>()?;
            Gallery::new(vectors)
        });
        self.lock_galleries().insert(key, (epoch, gallery.clone()));
        Ok(gallery)
    }

    fn lock_galleries(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<GalleryKey, (i64, Arc<Gallery>)>> {
        self.galleries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Deletes a tenant and its data key (crypto-shredding).
    pub async fn delete_tenant(&self, tenant_id: &TenantId) -> Result<bool, VaultError> {
        self.forget(tenant_id);
        self.lock_galleries()
            .retain(|(tenant, _, _), _| tenant != tenant_id);
        let deleted = self.store.delete_tenant(tenant_id).await?;
        self.forget(tenant_id);
        Ok(deleted)
    }

    /// Re-wraps every tenant key under the current master key. Servers
    /// keep running: each still has the earlier key among its previous
    /// ones, and a key changes in one atomic update.
    pub async fn rewrap(&self) -> Result<RewrapReport, VaultError> {
        let mut report = RewrapReport::default();
        for TenantKey {
            tenant_id,
            key: wrapped,
        } in self.store.tenant_keys().await?
        {
            if wrapped.kek_id == self.masters.current_id() {
                report.already_current += 1;
                continue;
            }
            let key = self.unwrap(&tenant_id, &wrapped)?;
            let rewrapped = self.wrap(&tenant_id, &key)?;
            if self
                .store
                .rewrap_tenant_key(&tenant_id, &wrapped.kek_id, &rewrapped)
                .await?
            {
                report.rewrapped += 1;
            }
        }
        Ok(report)
    }

    /// Seals templates stored before encryption existed (schema 1).
    pub async fn seal_legacy_templates(&self, at: i64) -> Result<usize, VaultError> {
        let legacy = self.store.unsealed_templates().await?;
        for UnsealedTemplate {
            tenant_id,
            user_code,
            template,
        } in &legacy
        {
            let key = self.data_key(tenant_id, at).await?;
            let sealed = seal_template(&key, tenant_id, user_code, template)?;
            self.store
                .seal_template(tenant_id, user_code, &sealed)
                .await?;
        }
        if !legacy.is_empty() {
            tracing::info!(
                templates = legacy.len(),
                "sealed templates stored before encryption"
            );
        }
        Ok(legacy.len())
    }

    /// Moves users stored with a plain user code (before codes were
    /// hashed) to their key and sealed code. Run after
    /// [`Vault::seal_legacy_templates`], whose rows carry plain codes.
    pub async fn seal_legacy_user_codes(&self, at: i64) -> Result<usize, VaultError> {
        let legacy = self.store.legacy_user_codes().await?;
        for LegacyUser {
            tenant_id,
            user_code: plain,
        } in &legacy
        {
            let key = self.data_key(tenant_id, at).await?;
            let stored_as = user_key(&key, plain)?;
            let sealed = seal_user_code(&key, tenant_id, &stored_as, plain)?;
            self.store
                .seal_user_code(tenant_id, plain, &stored_as, &sealed)
                .await?;
        }
        if !legacy.is_empty() {
            self.store.erase_traces().await;
            tracing::info!(
                users = legacy.len(),
                "user codes stored in plain now hashed and sealed"
            );
        }
        Ok(legacy.len())
    }

    /// The tenant's data key, created on first use.
    async fn data_key(&self, tenant_id: &TenantId, at: i64) -> Result<Arc<SecretKey>, VaultError> {
        if let Some(key) = self.existing_data_key(tenant_id).await? {
            return Ok(key);
        }
        let key = random_key();
        let created = self
            .store
            .insert_tenant_key(tenant_id, &self.wrap(tenant_id, &key)?, at)
            .await?;
        if created {
            return Ok(self.remember(tenant_id, key));
        }
        // Another request or node stored one first: everyone uses that one.
        self.existing_data_key(tenant_id)
            .await?
            .ok_or(VaultError::Crypto)
    }

    async fn existing_data_key(
        &self,
        tenant_id: &TenantId,
    ) -> Result<Option<Arc<SecretKey>>, VaultError> {
        if let Some(key) = self.cached(tenant_id) {
            return Ok(Some(key));
        }
        let Some(wrapped) = self.store.tenant_key(tenant_id).await? else {
            return Ok(None);
        };
        let key = self.unwrap(tenant_id, &wrapped)?;
        Ok(Some(self.remember(tenant_id, key)))
    }

    fn wrap(&self, tenant_id: &TenantId, key: &SecretKey) -> Result<WrappedKey, VaultError> {
        Ok(WrappedKey {
            kek_id: self.masters.current.id.clone(),
            wrapped: seal(
                &self.masters.current.key,
                &wrap_context(tenant_id),
                key.as_slice(),
            )?,
        })
    }

    fn unwrap(&self, tenant_id: &TenantId, wrapped: &WrappedKey) -> Result<SecretKey, VaultError> {
        let master = self
            .masters
            .find(&wrapped.kek_id)
            .ok_or_else(|| VaultError::UnknownMasterKey(wrapped.kek_id.clone()))?;
        let plain = open(&master.key, &wrap_context(tenant_id), &wrapped.wrapped)?;
        let mut key = SecretKey::new([0u8; KEY_BYTES]);
        if plain.len() != KEY_BYTES {
            return Err(VaultError::Crypto);
        }
        key.copy_from_slice(&plain);
        Ok(key)
    }

    fn cached(&self, tenant_id: &TenantId) -> Option<Arc<SecretKey>> {
        self.data_keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(tenant_id)
            .cloned()
    }

    fn remember(&self, tenant_id: &TenantId, key: SecretKey) -> Arc<SecretKey> {
        let key = Arc::new(key);
        self.data_keys
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(tenant_id.clone(), key.clone());
        key
    }

    fn forget(&self, tenant_id: &TenantId) {
        self.data_keys
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(tenant_id);
    }
}

fn wrap_context(tenant_id: &TenantId) -> Vec<u8> {
    [
        b"ekyc tenant key v1\0".as_slice(),
        tenant_id.as_str().as_bytes(),
    ]
    .concat()
}

fn template_context(
    tenant_id: &TenantId,
    user_code: &UserCode,
    template: &FaceTemplate,
) -> Vec<u8> {
    [
        b"ekyc template v1".as_slice(),
        tenant_id.as_str().as_bytes(),
        user_code.as_str().as_bytes(),
        template.engine.as_bytes(),
        template.model_version.as_bytes(),
    ]
    .join(&0u8)
}

fn seal_template(
    key: &SecretKey,
    tenant_id: &TenantId,
    user_code: &UserCode,
    template: &FaceTemplate,
) -> Result<FaceTemplate, VaultError> {
    let context = template_context(tenant_id, user_code, template);
    Ok(FaceTemplate {
        template: seal(key, &context, &template.template)?,
        ..template.clone()
    })
}

fn open_template(
    key: &SecretKey,
    tenant_id: &TenantId,
    user_code: &UserCode,
    template: &FaceTemplate,
) -> Result<FaceTemplate, VaultError> {
    let context = template_context(tenant_id, user_code, template);
    Ok(FaceTemplate {
        template: open(key, &context, &template.template)?.to_vec(),
        ..template.clone()
    })
}

#[cfg(test)]
mod tests;
