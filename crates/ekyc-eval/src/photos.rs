//! The photos a benchmark reads from a folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use base64::Engine as _;

/// Up to `limit` photos of `folder`, spread evenly over its sorted files
/// and Base64-encoded as a request carries them.
pub(crate) fn load_photos(folder: &Path, limit: usize) -> anyhow::Result<Vec<Arc<String>>> {
    let mut files = Vec::new();
    collect_images(folder, &mut files)
        .with_context(|| format!("cannot read {}", folder.display()))?;
    files.sort();
    if files.is_empty() {
        bail!("no images in {}", folder.display());
    }
    let step = (files.len() / limit.max(1)).max(1);
    files
        .iter()
        .step_by(step)
        .take(limit)
        .map(|f| {
            Ok(Arc::new(
                base64::engine::general_purpose::STANDARD.encode(std::fs::read(f)?),
            ))
        })
        .collect()
}

/// Every .jpg, .jpeg and .png file under `folder`, at any depth, in the
/// order the file system lists them.
pub(crate) fn collect_images(folder: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_images(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_found_at_any_depth_whatever_the_case() -> std::io::Result<()> {
        let root = tempfile::tempdir()?;
        std::fs::create_dir_all(root.path().join("a/b"))?;
        for name in [
            "top.JPG",
            "a/b/deep.png",
            "a/x.jpeg",
            "a/notes.txt",
            "a/b/raw",
        ] {
            std::fs::write(root.path().join(name), b"")?;
        }
        let mut found = Vec::new();
        collect_images(root.path(), &mut found)?;
        found.sort();
        let expected: Vec<PathBuf> = ["a/b/deep.png", "a/x.jpeg", "top.JPG"]
            .iter()
            .map(|name| root.path().join(name))
            .collect();
        assert_eq!(found, expected);
        Ok(())
    }

    #[test]
    fn photos_are_spread_over_the_folder() -> anyhow::Result<()> {
        let root = tempfile::tempdir()?;
        for index in 0..10 {
            std::fs::write(root.path().join(format!("{index}.jpg")), [index])?;
        }
        let photos = load_photos(root.path(), 3)?;
        let engine = base64::engine::general_purpose::STANDARD;
        // Ten files, three wanted: every third, from the first.
        let expected: Vec<String> = [0u8, 3, 6].iter().map(|b| engine.encode([*b])).collect();
        assert_eq!(
            photos.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            expected
        );
        assert!(load_photos(&root.path().join("missing"), 3).is_err());
        Ok(())
    }
}
