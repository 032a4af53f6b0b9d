//! The face pipeline. Today: detection with YuNet, which every face
//! endpoint starts from (count, register, verify, compare, liveness).

mod detector;

pub use detector::{DetectorError, Face, FaceDetector};

use std::path::Path;

use ekyc_runtime::{load_session, Manifest, ManifestError, OnnxError};

/// Why the face models could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error(transparent)]
    Onnx(#[from] OnnxError),
}

/// The face models one inference thread owns.
pub struct FaceModels {
    pub detector: FaceDetector,
}

impl FaceModels {
    /// Loads every face model from the verified model folder.
    pub fn load(manifest: &Manifest, model_dir: &Path) -> Result<Self, LoadError> {
        let detector = FaceDetector::new(load_session(&manifest.path(model_dir, "yunet")?)?);
        Ok(Self { detector })
    }
}
