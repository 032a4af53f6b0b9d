//! `ekyc bench`: the benchmarks live in `ekyc-eval`; this lends them the
//! server's own wiring, so that they measure what `serve` builds.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ekyc_auth::Auth;
use ekyc_core::Settings;
use ekyc_doc::recognise::RecogniserKind;
use ekyc_doc::DocumentModels;
use ekyc_eval::{Wiring, WiringFuture};
use ekyc_face::{FaceModels, FaceOptions};
use ekyc_face_service::FaceService;
use ekyc_runtime::{InferencePool, Manifest};
use ekyc_store::{SqlStore, Store};
use ekyc_vault::Vault;

use crate::{admin, serve};

/// The functions `serve` and the admin commands build the server with.
pub struct ServerWiring;

impl Wiring for ServerWiring {
    fn loaded_models(&self, settings: &Settings) -> anyhow::Result<(Manifest, PathBuf)> {
        serve::loaded_models(settings)
    }

    fn face_options(&self, settings: &Settings) -> FaceOptions {
        serve::face_options(settings)
    }

    fn start_face_pool(&self, settings: &Settings) -> anyhow::Result<InferencePool<FaceModels>> {
        serve::start_face_pool(settings)
    }

    fn face_service(
        &self,
        settings: &Settings,
        pool: Arc<InferencePool<FaceModels>>,
        store: Arc<dyn Store>,
        vault: Arc<Vault>,
    ) -> anyhow::Result<FaceService> {
        serve::face_service(settings, pool, store, vault)
    }

    fn load_document_models(
        &self,
        settings: &Settings,
        manifest: &Manifest,
        model_dir: &Path,
        recogniser: RecogniserKind,
    ) -> anyhow::Result<DocumentModels> {
        serve::load_document_models(settings, manifest, model_dir, recogniser)
    }

    fn open_auth<'a>(&'a self, settings: &'a Settings) -> WiringFuture<'a, (Arc<SqlStore>, Auth)> {
        Box::pin(admin::open_auth(settings))
    }

    fn open_vault(&self, settings: &Settings, store: Arc<SqlStore>) -> anyhow::Result<Vault> {
        admin::open_vault(settings, store)
    }
}
