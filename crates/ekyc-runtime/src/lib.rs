//! The inference runtime: which model files exist and where they come from
//! (the manifest), getting and verifying them, ONNX Runtime sessions, and
//! the pool of threads that runs CPU inference away from the async runtime.
//!
//! Model loading lives here and nowhere else, so a file is always checked
//! against its pinned sha256 before a session is built from it.

mod fetch;
mod manifest;
mod onnx;
mod onnx_edit;
mod pool;

pub use fetch::{check_models, fetch_models, FetchError, FetchStep, ModelProblem};
pub use manifest::{Manifest, ManifestError, ModelEntry, ModelSource, Transform};
pub use onnx::{init_onnx_runtime, load_session, OnnxError};
pub use onnx_edit::{prune_graph_inputs, EditError};
pub use ort::session::Session;
pub use pool::{InferencePool, PoolError};
