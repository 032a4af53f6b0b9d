//! ONNX Runtime, loaded from the verified shared library at start.

use std::path::Path;

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;

/// Why ONNX Runtime or a model could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    /// The shared library could not be loaded.
    #[error("ONNX Runtime could not be initialised from {path}")]
    Init {
        /// The library's path.
        path: String,
        /// What ONNX Runtime said.
        #[source]
        source: ort::Error,
    },
    /// A model could not be loaded into a session.
    #[error("model {path} could not be loaded")]
    Load {
        /// The model's path.
        path: String,
        /// What ONNX Runtime said.
        #[source]
        source: ort::Error,
    },
}

/// Loads the ONNX Runtime library. Must run once, before any session.
pub fn init_onnx_runtime(library: &Path) -> Result<(), OnnxError> {
    let path = library.display().to_string();
    ort::init_from(&path)
        .with_name("ekyc")
        .commit()
        .map(|_| ())
        .map_err(|source| OnnxError::Init { path, source })
}

/// Builds a session for one inference thread: parallelism comes from the
/// pool's threads, so each session uses a single intra-op thread and never
/// competes with its siblings for cores.
///
/// QDQ fusion is off: ONNX Runtime then folds the dequantisation of
/// constant weights once at load instead of keeping it for int8 kernels.
/// Our one quantised model (SFace, block-quantised weights with float
/// activations) has no int8 kernel to gain, and dequantising its weights
/// on every run made it 3× slower. Models without QDQ nodes are unaffected.
pub fn load_session(model: &Path) -> Result<Session, OnnxError> {
    let load_error = |source: ort::Error| OnnxError::Load {
        path: model.display().to_string(),
        source,
    };
    Session::builder()
        .and_then(|b| b.with_optimization_level(GraphOptimizationLevel::Level3))
        .and_then(|b| b.with_intra_threads(1))
        .and_then(|b| b.with_inter_threads(1))
        .and_then(|b| b.with_quant_qdq(false))
        .and_then(|b| b.commit_from_file(model))
        .map_err(load_error)
}
