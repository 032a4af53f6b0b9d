//! The face use cases as `serve` builds them, for the benchmarks that go
//! through the served path, storage included.

use std::sync::Arc;

use anyhow::bail;
use ekyc_core::{Secret, Settings};
use ekyc_face::{EngineId, FaceModels};
use ekyc_face_service::{FaceService, Registration};
use ekyc_runtime::InferencePool;
use ekyc_store::{SqlStore, TenantId, UserCode};
use ekyc_vault::{generate_master_key, Vault};

use crate::Wiring;

/// The served face use cases over a throwaway SQLite store and master
/// key, with one tenant.
pub(crate) struct ServedFaces {
    /// The face use cases, as the HTTP handlers call them.
    pub service: Arc<FaceService>,
    /// The one tenant the benchmark enrols and verifies under.
    pub tenant_id: TenantId,
    pool: Arc<InferencePool<FaceModels>>,
    store: Arc<SqlStore>,
    vault: Arc<Vault>,
    settings: Settings,
    _data: tempfile::TempDir,
}

impl ServedFaces {
    /// Builds the service as `serve` does, over a fresh data folder with
    /// its own master key, and creates the tenant.
    pub async fn start(wiring: &dyn Wiring, settings: &Settings) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let mut settings = settings.clone();
        settings.server.model_dir = Some(settings.model_dir());
        settings.store.data_dir = data.path().to_owned();
        settings.store.database_url = None;
        settings.store.master_key = Some(Secret::new(generate_master_key()));
        settings.store.master_key_file = None;
        // A benchmark verifies one enrolment against strangers hundreds
        // of times; the lockout would refuse all but the first few.
        settings.auth.lockout_after_failures = u32::MAX;
        let pool = Arc::new(wiring.start_face_pool(&settings)?);
        let (store, auth) = wiring.open_auth(&settings).await?;
        let vault = Arc::new(wiring.open_vault(&settings, store.clone())?);
        let tenant = auth.create_tenant("benchmark", None).await?;
        Ok(Self {
            service: Arc::new(wiring.face_service(
                &settings,
                pool.clone(),
                store.clone(),
                vault.clone(),
            )?),
            tenant_id: tenant.tenant_id,
            pool,
            store,
            vault,
            settings,
            _data: data,
        })
    }

    /// Another way of serving (engine, fusion, compare's fusion) over the same threads and
    /// store: only the service's own settings of `settings` count.
    pub fn service_with(
        &self,
        wiring: &dyn Wiring,
        settings: &Settings,
    ) -> anyhow::Result<FaceService> {
        let mut served = self.settings.clone();
        served.face.default_engine = settings.face.default_engine;
        served.face.fusion = settings.face.fusion;
        served.face.compare_fusion = settings.face.compare_fusion;
        wiring.face_service(
            &served,
            self.pool.clone(),
            self.store.clone(),
            self.vault.clone(),
        )
    }

    /// Registers the first photo the service accepts as `user_code`, with
    /// `engine` preferred.
    pub async fn enrol_first_usable(
        &self,
        photos: &[Arc<String>],
        user_code: &UserCode,
        engine: EngineId,
    ) -> anyhow::Result<()> {
        for photo in photos {
            let registration = Registration {
                user_code: user_code.clone(),
                image: photo.to_string(),
                engine: Some(engine),
                dedupe: false,
            };
            if self
                .service
                .register(&self.tenant_id, registration)
                .await
                .is_ok()
            {
                return Ok(());
            }
        }
        bail!("no photo with exactly one usable face")
    }
}
