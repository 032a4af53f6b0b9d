//! Helpers for tests that need the real models and the shared evaluation
//! images. The test command fetches the models first (`scripts/test.sh`);
//! a test that finds them missing fails loudly instead of skipping.

mod postgres;
mod small_fs;

pub use postgres::TestPostgres;
pub use small_fs::SmallFilesystem;

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

/// One array of a NumPy `.npz` file: its shape and raw little-endian data.
pub struct NpyArray {
    /// Length of each dimension.
    pub shape: Vec<usize>,
    /// NumPy's type string (`<f4` for little-endian float32).
    pub descr: String,
    /// The array's bytes, in C order.
    pub data: Vec<u8>,
}

impl NpyArray {
    /// The data as float32s; panics on another type.
    pub fn f32s(&self) -> Vec<f32> {
        assert_eq!(self.descr, "<f4", "not float32");
        self.data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    /// Fixed-width Unicode strings (`<U…`, UTF-32LE), padding removed.
    pub fn strings(&self) -> Vec<String> {
        let width: usize = self
            .descr
            .trim_start_matches("<U")
            .parse()
            .expect("a <U descr");
        self.data
            .chunks_exact(width * 4)
            .map(|s| {
                s.chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .filter(|&c| c != 0)
                    .filter_map(char::from_u32)
                    .collect()
            })
            .collect()
    }
}

/// Reads array `name` of a `.npz` file (NumPy format 1.0/2.0, C order).
pub fn read_npz(path: &Path, name: &str) -> NpyArray {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut archive = zip::ZipArchive::new(file).expect("npz is a zip archive");
    let mut member = archive
        .by_name(&format!("{name}.npy"))
        .expect("array in npz");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut member, &mut bytes).expect("npy readable");
    assert_eq!(&bytes[..6], b"\x93NUMPY", "npy magic");
    let (header_len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        _ => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
    };
    let header = std::str::from_utf8(&bytes[start..start + header_len]).expect("npy header");
    assert!(
        header.contains("'fortran_order': False"),
        "C-order arrays only"
    );
    let descr = header
        .split("'descr': '")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .expect("descr")
        .to_owned();
    let shape = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .expect("shape")
        .split(',')
        .filter_map(|d| d.trim().parse().ok())
        .collect();
    NpyArray {
        shape,
        descr,
        data: bytes[start + header_len..].to_vec(),
    }
}

/// The parity file of a model in the model mirror's `parity/` folder.
pub fn parity_file(name: &str) -> PathBuf {
    let mirror = std::env::var_os("EKYC_MODEL_MIRROR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/models"));
    mirror.join("parity").join(name)
}
