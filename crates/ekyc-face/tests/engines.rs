//! Golden tests of the recognition engines against the reference outputs
//! in the model mirror's parity files (8 real face chips each), and of our
//! alignment against the reference chips.

use ekyc_face::{align_face, cosine, Embedder, EmbedderKind, FaceDetector, FaceUse};
use ekyc_runtime::{load_session, Manifest};
use ekyc_test_support::{init_runtime, parity_file, read_npz, shared_data};
use image::RgbImage;
use ndarray::Array4;

const CHIP: usize = 112 * 112 * 3;

fn embedder(model_id: &str, kind: EmbedderKind) -> Embedder {
    let dir = init_runtime();
    let path = Manifest::builtin().unwrap().path(&dir, model_id).unwrap();
    Embedder::new(kind, load_session(&path).unwrap())
}

fn chips(parity: &str) -> Vec<RgbImage> {
    let aligned = read_npz(&parity_file(parity), "aligned_rgb");
    assert_eq!(aligned.shape, vec![8, 112, 112, 3]);
    aligned
        .data
        .chunks_exact(CHIP)
        .map(|c| RgbImage::from_raw(112, 112, c.to_vec()).unwrap())
        .collect()
}

fn check_engine(model_id: &str, kind: EmbedderKind, parity: &str) {
    let mut embedder = embedder(model_id, kind);
    let file = parity_file(parity);
    let inputs = read_npz(&file, "input").f32s();
    let outputs = read_npz(&file, "output");
    let width = outputs.shape[1];
    let expected = outputs.f32s();
    for (i, chip) in chips(parity).iter().enumerate() {
        let ours = embedder.input_tensor(chip);
        let reference = &inputs[i * CHIP..(i + 1) * CHIP];
        let input_diff = ours
            .iter()
            .zip(reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(
            input_diff <= 1e-6,
            "{model_id} chip {i}: preprocessing differs by {input_diff}"
        );
        let tensor = Array4::from_shape_vec((1, 3, 112, 112), reference.to_vec()).unwrap();
        let output = embedder.raw_output(&tensor).unwrap();
        let diff = output
            .iter()
            .zip(&expected[i * width..(i + 1) * width])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(
            diff <= 1e-4,
            "{model_id} chip {i}: output differs by {diff}"
        );
    }
}

#[test]
fn sface_matches_reference_outputs() {
    check_engine("sface", EmbedderKind::SFace, "sface_parity.npz");
}

#[test]
fn edgeface_matches_reference_outputs() {
    check_engine("edgeface", EmbedderKind::EdgeFace, "edgeface_xs_parity.npz");
}

#[test]
fn alignment_matches_reference_chips() {
    let dir = init_runtime();
    let manifest = Manifest::builtin().unwrap();
    let mut detector =
        FaceDetector::new(load_session(&manifest.path(&dir, "yunet").unwrap()).unwrap());
    let names = read_npz(&parity_file("sface_parity.npz"), "images").strings();
    for (name, reference) in names.iter().zip(chips("sface_parity.npz")) {
        let path = shared_data()
            .join("faces")
            .join(name.replace("lfw-deepfunneled/", ""));
        let image = image::open(&path).unwrap().into_rgb8();
        let faces = detector.detect(&image).unwrap();
        let face = faces
            .iter()
            .max_by(|a, b| a.bbox.area().total_cmp(&b.bbox.area()))
            .unwrap();
        let ours = align_face(&image, &face.landmarks);
        let mean_diff = ours
            .as_raw()
            .iter()
            .zip(reference.as_raw())
            .map(|(a, b)| f32::from(a.abs_diff(*b)))
            .sum::<f32>()
            / CHIP as f32;
        assert!(
            mean_diff < 3.0,
            "{name}: aligned chip differs by {mean_diff} grey levels on average"
        );
    }
}

/// SFace's templates average the crop and its mirror image, so a selfie
/// camera that mirrors its picture makes the same template; a probe is the
/// crop alone.
#[test]
fn sface_templates_do_not_depend_on_mirroring() {
    let mut sface = embedder("sface", EmbedderKind::SFace);
    for chip in chips("sface_parity.npz") {
        let mirrored = image::imageops::flip_horizontal(&chip);
        let served = cosine(
            &sface.embed(&chip, FaceUse::Enrolment).unwrap(),
            &sface.embed(&mirrored, FaceUse::Enrolment).unwrap(),
        );
        assert_eq!(
            sface.embed(&chip, FaceUse::Probe).unwrap(),
            sface.embed_view(&chip).unwrap()
        );
        let single = cosine(
            &sface.embed_view(&chip).unwrap(),
            &sface.embed_view(&mirrored).unwrap(),
        );
        assert!(served > 0.9999, "served embeddings differ: cosine {served}");
        assert!(
            single < 0.999,
            "one view is already mirror-invariant: {single}"
        );
    }
}
