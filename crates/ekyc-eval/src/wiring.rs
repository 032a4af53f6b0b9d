//! The server's own wiring, handed in by the binary.
//!
//! A benchmark is only worth its figure if it measures what is served:
//! the same model checks, face options, inference pool, face service,
//! document reader and store that `ekyc serve` builds. Those are built in
//! the binary (next to `serve` and the admin commands), which depends on
//! this crate, so the binary lends them through this trait rather than
//! this crate building its own look-alikes.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use ekyc_auth::Auth;
use ekyc_core::Settings;
use ekyc_doc::recognise::RecogniserKind;
use ekyc_doc::DocumentModels;
use ekyc_face::{FaceModels, FaceOptions};
use ekyc_face_service::FaceService;
use ekyc_runtime::{InferencePool, Manifest};
use ekyc_store::{SqlStore, Store};
use ekyc_vault::Vault;

/// A future the wiring returns, boxed so that the benchmarks can take the
/// wiring as `&dyn Wiring`. Not `Send`: the benchmarks await it on the
/// command's own thread, and the store's futures do not prove `Send` for
/// every lifetime.
pub type WiringFuture<'a, T> = Pin<Box<dyn Future<Output = anyhow::Result<T>> + 'a>>;

/// How `ekyc serve` builds what it serves, step by step; each method is
/// the server's own function for that step.
pub trait Wiring {
    /// Checks every model file and loads ONNX Runtime: the manifest and
    /// the folder of verified models.
    fn loaded_models(&self, settings: &Settings) -> anyhow::Result<(Manifest, PathBuf)>;

    /// The face pipeline's run-time choices (quality gate, liveness,
    /// detection sides) as the server derives them from `settings`.
    fn face_options(&self, settings: &Settings) -> FaceOptions;

    /// The face inference pool: one set of face models per thread.
    fn start_face_pool(&self, settings: &Settings) -> anyhow::Result<InferencePool<FaceModels>>;

    /// The face use cases (register, verify, compare, identify) over a
    /// started pool, a store and a vault.
    fn face_service(
        &self,
        settings: &Settings,
        pool: Arc<InferencePool<FaceModels>>,
        store: Arc<dyn Store>,
        vault: Arc<Vault>,
    ) -> anyhow::Result<FaceService>;

    /// One document reader's models, with `recogniser` reading the lines.
    fn load_document_models(
        &self,
        settings: &Settings,
        manifest: &Manifest,
        model_dir: &Path,
        recogniser: RecogniserKind,
    ) -> anyhow::Result<DocumentModels>;

    /// The store (created if need be) and the tenant authority over it.
    fn open_auth<'a>(&'a self, settings: &'a Settings) -> WiringFuture<'a, (Arc<SqlStore>, Auth)>;

    /// The template vault over `store`, under the configured master keys.
    fn open_vault(&self, settings: &Settings, store: Arc<SqlStore>) -> anyhow::Result<Vault>;
}
