//! `POST /v1/liveness/detect` over HTTP: every check type on live, printed,
//! replayed, covered, generated and multi-face images. An attack is a 200
//! answer with `isReal: false`, never an error.

mod common;

use common::*;
use ekyc_eval::attacks::screen_replay;
use image::RgbImage;
use serde_json::{json, Value};

fn data(path: &str) -> Vec<u8> {
    std::fs::read(ekyc_test_support::shared_data().join(path)).unwrap()
}

/// A live NUAA webcam frame (640×480) and a printed-photo attack.
const LIVE: &str = "liveness/nuaa/ClientRaw/0001/0001_00_00_01_297.jpg";
const PRINT: &str = "liveness/nuaa/ImposterRaw/0001/0001_00_00_01_36.jpg";

struct Client {
    server: Server,
    headers: Vec<(&'static str, String)>,
}

impl Client {
    fn start() -> Self {
        let server = Server::start();
        let tenant = server.create_tenant("bank");
        let headers = authed(&server, &tenant);
        Self { server, headers }
    }

    fn detect(&self, image: &[u8], check_type: Option<&str>) -> Answer {
        let mut body = json!({"image": b64(image)});
        if let Some(check_type) = check_type {
            body["checkType"] = json!(check_type);
        }
        self.server.post(
            "/v1/liveness/detect",
            &as_refs(&self.headers),
            &body.to_string(),
        )
    }

    /// A 200 answer's body.
    fn verdict(&self, image: &[u8], check_type: Option<&str>) -> Value {
        let answer = self.detect(image, check_type);
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body
    }
}

fn assert_consistent(body: &Value) {
    let confidence = body["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence), "{body}");
    assert_eq!(
        body["isReal"].as_bool().unwrap(),
        confidence > 0.5,
        "{body}"
    );
    for check in ["deepfake", "photoAttack", "mask"] {
        match body["checks"][check].as_bool() {
            Some(detected) => {
                let score = body["scores"][check].as_f64().unwrap();
                assert_eq!(detected, score >= 0.5, "{check}: {body}");
            }
            None => assert!(body["scores"][check].is_null(), "{body}"),
        }
    }
}

#[test]
fn a_live_face_passes_every_check() {
    let client = Client::start();
    let body = client.verdict(&data(LIVE), None);
    assert_consistent(&body);
    assert_eq!(body["isReal"], true, "{body}");
    assert_eq!(
        body["checks"],
        json!({"deepfake": false, "photoAttack": false, "mask": false})
    );
    assert!(body["trxId"].is_string());
    assert_eq!(client.verdict(&data(LIVE), Some("all"))["isReal"], true);
}

#[test]
fn printed_and_replayed_photos_are_photo_attacks() {
    let client = Client::start();
    let printed = client.verdict(&data(PRINT), Some("photo"));
    assert_consistent(&printed);
    assert_eq!(printed["isReal"], false, "{printed}");
    assert_eq!(
        printed["checks"],
        json!({"deepfake": null, "photoAttack": true, "mask": null})
    );

    let live = image::load_from_memory(&data(LIVE)).unwrap().into_rgb8();
    let replay = encode(&screen_replay(&live, 7), image::ImageFormat::Png);
    let replayed = client.verdict(&replay, Some("photo"));
    assert_consistent(&replayed);
    assert_eq!(replayed["checks"]["photoAttack"], true, "{replayed}");
}

#[test]
fn covered_faces_are_found_and_flagged() {
    let client = Client::start();
    // The second is a thumbnail the detector finds only on its second,
    // covered-face pass.
    for path in [
        "mask/with_mask/0_1_6.jpg",
        "mask/with_mask/with_mask497.jpg",
    ] {
        let body = client.verdict(&data(path), Some("mask"));
        assert_consistent(&body);
        assert_eq!(body["checks"]["mask"], true, "{path}: {body}");
        assert_eq!(body["isReal"], false);
        assert!(body["checks"]["photoAttack"].is_null());
    }
    let bare = client.verdict(&data(LIVE), Some("mask"));
    assert_eq!(bare["checks"]["mask"], false, "{bare}");
}

#[test]
fn faces_without_camera_colour_detail_are_flagged_as_generated() {
    let client = Client::start();
    let live = image::load_from_memory(&data(LIVE)).unwrap();
    // A render with no sensor chroma at all: the extreme the cue catches.
    let rendered = encode(&live.grayscale().into_rgb8(), image::ImageFormat::Png);
    let generated = client.verdict(&rendered, Some("deepfake"));
    assert_consistent(&generated);
    assert_eq!(
        generated["checks"],
        json!({"deepfake": true, "photoAttack": null, "mask": null}),
        "{generated}"
    );
    let camera = client.verdict(&data(LIVE), Some("deepfake"));
    assert_eq!(camera["checks"]["deepfake"], false, "{camera}");
}

#[test]
fn face_rules_and_bad_requests() {
    let client = Client::start();
    let blank = encode(
        &RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128])),
        image::ImageFormat::Png,
    );
    assert_eq!(client.detect(&blank, None).code(), "4040A");
    let faces: Vec<RgbImage> = lfw(2)
        .iter()
        .map(|p| image::open(p).unwrap().into_rgb8())
        .collect();
    let group = encode(
        &ekyc_test_support::tile(&faces, 2, 24),
        image::ImageFormat::Png,
    );
    assert_eq!(client.detect(&group, Some("photo")).code(), "40923");
    let vibes = client.detect(&data(LIVE), Some("vibes"));
    assert_eq!((vibes.status, vibes.code()), (400, "40000"));
}

#[test]
fn large_and_small_selfies_work() {
    let client = Client::start();
    let live = image::load_from_memory(&data(LIVE)).unwrap().into_rgb8();
    for width in [320u32, 4000] {
        let height = width * 3 / 4;
        let resized =
            image::imageops::resize(&live, width, height, image::imageops::FilterType::Triangle);
        let body = client.verdict(&encode(&resized, image::ImageFormat::Jpeg), Some("photo"));
        assert_consistent(&body);
        assert_eq!(body["checks"]["photoAttack"], false, "{width} px: {body}");
    }
}
