//! The bodies of the fuzz targets, one function per target, shared by
//! the coverage-guided `cargo fuzz` targets in `fuzz/` (nightly) and by
//! the bounded in-tree run that CI does on stable (`tests/fuzz.rs`).
//!
//! Each function must never panic, whatever the bytes, and checks the
//! properties that must hold for every input it accepts.

mod seeds;

pub use seeds::seeds;

use ekyc_doc::{dates, kind, licence, mrz, registration};
use ekyc_face::Calibration;
use ekyc_image::{decode_base64_image, decode_image_bytes, IntakeLimits};
use ekyc_runtime::prune_graph_inputs;

/// A target's body: takes any bytes, panics only on a bug.
pub type Target = fn(&[u8]);

/// The targets by name, as `fuzz/fuzz_targets/` and the corpus folders
/// in `fuzz/regressions/` name them.
pub const TARGETS: [(&str, Target); 5] = [
    ("image_intake", image_intake),
    ("request_parts", request_parts),
    ("onnx_model", onnx_model),
    ("calibration", calibration),
    ("document_fields", document_fields),
];

/// Smaller than the server's limits so that each run stays fast; the
/// checks are the same code.
const LIMITS: IntakeLimits = IntakeLimits {
    max_bytes: 2 * 1024 * 1024,
    max_pixels: 4_000_000,
    max_side: 4096,
};

/// Image bytes and Base64 text: whatever decodes respects the limits.
pub fn image_intake(data: &[u8]) {
    if let Ok(decoded) = decode_image_bytes(data, &LIMITS) {
        let (width, height) = decoded.rgb.dimensions();
        assert!(u64::from(width) * u64::from(height) <= LIMITS.max_pixels);
        assert!(width.max(height) <= LIMITS.max_side);
    }
    let _ = decode_base64_image(&String::from_utf8_lossy(data), &LIMITS);
}

/// JSON bodies and header values the HTTP layer parses.
pub fn request_parts(data: &[u8]) {
    ekyc_http::fuzzing::request_parts(data);
}

/// The ONNX protobuf edit: once pruned, a model has nothing left to prune.
pub fn onnx_model(data: &[u8]) {
    if let Ok((pruned, _)) = prune_graph_inputs(data) {
        let (again, removed) =
            prune_graph_inputs(&pruned).expect("a pruned model must parse again");
        assert_eq!(removed, 0, "pruning must be idempotent");
        assert_eq!(again, pruned);
    }
}

/// Calibration files: an accepted one maps every cosine to a valid score.
pub fn calibration(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(calibrations) = Calibration::parse(text) else {
        return;
    };
    for calibration in &calibrations {
        let mut previous = f32::NEG_INFINITY;
        for step in 0..=20 {
            let cosine = -1.0 + step as f32 * 0.1;
            let scored = calibration.score(cosine);
            assert!(
                (0.0..=1.0).contains(&scored.score),
                "score {} at {cosine}",
                scored.score
            );
            assert!(
                scored.score >= previous,
                "scores must not fall as cosine rises"
            );
            previous = scored.score;
        }
    }
}

/// Recognised text of ID-document fields (the first line, and the next
/// two for an MRZ): whatever parses is well formed.
pub fn document_fields(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let all: Vec<&str> = text.lines().collect();
    let first = all.first().copied().unwrap_or_default();
    if let Ok(read) = mrz::parse_td3(first, all.get(1).copied().unwrap_or_default()) {
        assert_eq!(read.line2.chars().count(), mrz::TD3_LINE);
        assert!(read.document_number.chars().count() <= 9);
        assert_eq!(
            mrz::mask_optional_data(&read.line2).chars().count(),
            mrz::TD3_LINE
        );
    }
    for count in [2, 3] {
        if let Some(read) = all.get(..count).and_then(mrz::parse_any) {
            let masked = read.masked_lines();
            assert_eq!(masked.len(), read.format.lines());
            assert!(masked
                .iter()
                .all(|line| line.chars().count() == read.format.line_length()));
        }
    }
    if let Some(number) = registration::parse(first) {
        assert_eq!(number.masked(registration::Masking::All), "******-*******");
        let _ = number.checksum_holds();
    }
    if let Some(number) = licence::parse(first) {
        assert_eq!(number.code_form.len(), 15);
        assert!(licence::parse(&number.code_form).is_some());
    }
    let _ = (dates::parse_date(first), dates::period_end(first));
    let lines: Vec<&str> = text.lines().collect();
    let _ = kind::detect(&lines);
    if let Some(name) = kind::hangul_name(first) {
        assert!(name.chars().all(|c| ('가'..='힣').contains(&c)));
    }
}
