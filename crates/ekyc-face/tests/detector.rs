//! The detector on real photos, with the real model.

use ekyc_face::{FaceDetector, FaceModels, FaceOptions};
use ekyc_runtime::{load_session, Manifest};
use ekyc_test_support::{init_runtime, lfw_faces, tile};
use image::RgbImage;

fn detector() -> FaceDetector {
    let dir = init_runtime();
    let manifest = Manifest::builtin().unwrap();
    FaceModels::load(&manifest, &dir, FaceOptions::default())
        .unwrap()
        .detector
}

fn open(path: &std::path::Path) -> RgbImage {
    image::open(path).unwrap().into_rgb8()
}

#[test]
fn one_face_per_lfw_photo() {
    let mut detector = detector();
    for path in lfw_faces(10) {
        let faces = detector.detect(&open(&path)).unwrap();
        let central: Vec<_> = faces
            .iter()
            .filter(|f| {
                let cx = f.bbox.centre()[0];
                (100.0..150.0).contains(&cx) && f.bbox.width > 60.0
            })
            .collect();
        assert_eq!(central.len(), 1, "{}: {faces:?}", path.display());
        let eyes_above_mouth = central[0].landmarks[0][1] < central[0].landmarks[3][1];
        assert!(eyes_above_mouth, "{}", path.display());
    }
}

#[test]
fn tiled_group_photo_has_every_face() {
    let photos: Vec<RgbImage> = lfw_faces(6).iter().map(|p| open(p)).collect();
    // Crop each LFW frame to its centre so that background faces stay out.
    let crops: Vec<RgbImage> = photos
        .iter()
        .map(|p| image::imageops::crop_imm(p, 60, 50, 130, 160).to_image())
        .collect();
    let group = tile(&crops, 3, 20);
    let faces = detector().detect(&group).unwrap();
    assert_eq!(faces.len(), 6, "{faces:?}");
}

#[test]
fn blank_image_has_no_face() {
    let blank = RgbImage::from_pixel(320, 240, image::Rgb([200, 200, 200]));
    assert!(detector().detect(&blank).unwrap().is_empty());
}

#[test]
fn large_photo_is_detected_in_original_coordinates() {
    let path = &lfw_faces(1)[0];
    let small = open(path);
    let mut detector = detector();
    let reference = detector.detect(&small).unwrap()[0].clone();
    let large = image::imageops::resize(&small, 1000, 1000, image::imageops::FilterType::Triangle);
    let found = detector.detect(&large).unwrap()[0].clone();
    let factor = 1000.0 / 250.0;
    for (a, b) in reference.bbox.to_array().iter().zip(found.bbox.to_array()) {
        // Detection at another scale moves boxes by a few percent; a wrong
        // mapping back (640-pixel space) would be off by a third.
        assert!(
            (a * factor - b).abs() < 40.0,
            "{:?} vs {:?}",
            reference.bbox,
            found.bbox
        );
    }
}

/// Framing only adds a margin: faces come back in the image's own
/// pixels, also when the image is shrunk first, and a face cropped
/// tight (as in a web photo) is found with its landmarks inside the crop.
#[test]
fn framed_detection_maps_back_to_the_image() {
    let mut detector = detector();
    for path in lfw_faces(4) {
        let photo = open(&path);
        let central = |faces: Vec<ekyc_face::Face>| {
            faces
                .into_iter()
                .min_by(|a, b| {
                    let off = |f: &ekyc_face::Face| (f.bbox.centre()[0] - 125.0).abs();
                    off(a).total_cmp(&off(b))
                })
                .unwrap()
        };
        let plain = central(detector.detect(&photo).unwrap());
        let framed = central(detector.detect_framed(&photo, 640).unwrap());
        let shrunk = central(detector.detect_framed(&photo, 160).unwrap());
        for (a, (b, c)) in plain
            .landmarks
            .iter()
            .zip(framed.landmarks.iter().zip(&shrunk.landmarks))
        {
            let (db, dc) = (
                (a[0] - b[0]).hypot(a[1] - b[1]),
                (a[0] - c[0]).hypot(a[1] - c[1]),
            );
            assert!(
                db < 8.0 && dc < 12.0,
                "{}: {a:?} {b:?} {c:?}",
                path.display()
            );
        }
        let [x, y, w, h] = plain.bbox.to_array().map(|v| v.round() as u32);
        let tight = image::imageops::crop_imm(&photo, x, y, w, h).to_image();
        let faces = detector.detect_framed(&tight, 640).unwrap();
        assert_eq!(faces.len(), 1, "{}: {faces:?}", path.display());
        assert!(faces[0]
            .landmarks
            .iter()
            .all(|p| (0.0..w as f32).contains(&p[0]) && (0.0..h as f32).contains(&p[1])));
    }
}

#[test]
fn session_loading_reports_missing_file() {
    let err = load_session(std::path::Path::new("/nonexistent/model.onnx"))
        .err()
        .unwrap();
    assert!(err.to_string().contains("/nonexistent/model.onnx"));
}
