//! Helpers for tests that need the real models and the shared evaluation
//! images. The test command fetches the models first (`scripts/test.sh`);
//! a test that finds them missing fails loudly instead of skipping.

use std::path::{Path, PathBuf};
use std::sync::Once;

use ekyc_runtime::{check_models, init_onnx_runtime, Manifest};
use image::RgbImage;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The verified model folder: `EKYC_MODEL_DIR`, else `.cache/models`.
pub fn model_dir() -> PathBuf {
    let dir = std::env::var_os("EKYC_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".cache/models"));
    let problems = check_models(&Manifest::builtin().expect("manifest"), &dir);
    assert!(
        problems.is_empty(),
        "models missing for tests (run scripts/test.sh, or `ekyc models fetch` with EKYC_MODEL_DIR={}): {:?}",
        dir.display(),
        problems.iter().map(ToString::to_string).collect::<Vec<_>>()
    );
    dir
}

/// The shared evaluation data: `EKYC_SHARED_DATA`, else `../shared/data`.
pub fn shared_data() -> PathBuf {
    let dir = std::env::var_os("EKYC_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/data"));
    assert!(
        dir.is_dir(),
        "shared evaluation data not found at {}",
        dir.display()
    );
    dir
}

/// Loads ONNX Runtime from the model folder once per test process.
pub fn init_runtime() -> PathBuf {
    static INIT: Once = Once::new();
    let dir = model_dir();
    INIT.call_once(|| {
        let manifest = Manifest::builtin().expect("manifest");
        let library = manifest.path(&dir, "onnxruntime").expect("runtime entry");
        init_onnx_runtime(&library).expect("ONNX Runtime loads");
    });
    dir
}

/// The first `count` single-face photos of distinct LFW identities.
pub fn lfw_faces(count: usize) -> Vec<PathBuf> {
    let data = shared_data().join("faces");
    let labels = std::fs::read_to_string(data.join("labels.csv")).expect("faces/labels.csv");
    let mut seen = std::collections::HashSet::new();
    labels
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split(',');
            let path = fields.next()?;
            let identity = fields.next()?;
            (path.starts_with("lfw/") && seen.insert(identity.to_owned())).then(|| data.join(path))
        })
        .take(count)
        .collect()
}

/// A "group photo": the given photos tiled in a grid on a grey canvas.
pub fn tile(photos: &[RgbImage], columns: u32, gap: u32) -> RgbImage {
    let cell_w = photos.iter().map(|p| p.width()).max().unwrap_or(0) + gap;
    let cell_h = photos.iter().map(|p| p.height()).max().unwrap_or(0) + gap;
    let rows = (photos.len() as u32).div_ceil(columns);
    let mut canvas = RgbImage::from_pixel(
        cell_w * columns + gap,
        cell_h * rows + gap,
        image::Rgb([128, 128, 128]),
    );
    for (i, photo) in photos.iter().enumerate() {
        let (col, row) = (i as u32 % columns, i as u32 / columns);
        image::imageops::replace(
            &mut canvas,
            photo,
            i64::from(gap + col * cell_w),
            i64::from(gap + row * cell_h),
        );
    }
    canvas
}
