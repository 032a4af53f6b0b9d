//! `POST /v1/ocr/recognize` over HTTP, on generated photos of the four
//! documents (test seeds are below 1000; the benchmark uses others) and on
//! photos without a document.

mod common;

use common::*;
use ekyc_doc::kind::DocumentKind;
use ekyc_docgen::{Generator, Sample};
use serde_json::{json, Value};

struct Client {
    server: Server,
    headers: Vec<(&'static str, String)>,
    generator: Generator,
}

impl Client {
    fn start_with(env: &[(&str, &str)]) -> Self {
        let server = Server::start_with(env);
        let tenant = server.create_tenant("bank");
        let headers = authed(&server, &tenant);
        let generator = Generator::new().expect("scripts/setup.sh installs the card fonts");
        Self {
            server,
            headers,
            generator,
        }
    }

    fn photo(&self, kind: DocumentKind, seed: u64) -> Sample {
        self.generator.photo(kind, seed).expect("a generated card")
    }

    fn recognize(&self, image: &[u8], id_type: Option<&str>) -> Answer {
        let mut body = json!({"image": b64(image)});
        if let Some(id_type) = id_type {
            body["idType"] = json!(id_type);
        }
        self.server.post(
            "/v1/ocr/recognize",
            &as_refs(&self.headers),
            &body.to_string(),
        )
    }

    fn read(&self, sample: &Sample, id_type: Option<&str>) -> Value {
        let answer = self.recognize(&encode(&sample.image, image::ImageFormat::Png), id_type);
        assert_eq!(
            answer.status,
            200,
            "{:?}: {}",
            sample.truth.get("idType"),
            answer.body
        );
        answer.body
    }
}

fn truth<'a>(sample: &'a Sample, field: &str) -> &'a str {
    sample
        .truth
        .get(field)
        .map(String::as_str)
        .unwrap_or_default()
}

#[test]
fn every_document_type_is_read_and_its_number_masked() {
    let client = Client::start_with(&[]);
    let cases = [
        (
            DocumentKind::Resident,
            2,
            &["address", "issueDate", "issuer"][..],
        ),
        (
            DocumentKind::Driver,
            1,
            &["licenseNo", "licenseType", "expiryDate", "issueDate"][..],
        ),
        (
            DocumentKind::Foreign,
            1,
            &["nationality", "visaType", "issueDate"][..],
        ),
        (
            DocumentKind::Passport,
            2,
            &["passportNo", "surname", "givenNames", "expiryDate"][..],
        ),
    ];
    for (kind, seed, details) in cases {
        let sample = client.photo(kind, seed);
        let body = client.read(&sample, None);
        let data = &body["data"];
        assert_eq!(data["idType"], kind.id_type(), "{body}");
        assert_eq!(data["name"], truth(&sample, "name"), "{body}");
        assert_eq!(data["birthDate"], truth(&sample, "birthDate"), "{body}");
        for field in details {
            assert_eq!(
                data["details"][field],
                truth(&sample, field),
                "{field}: {body}"
            );
        }
        if kind == DocumentKind::Passport {
            assert_eq!(data["details"]["mrz"]["valid"], true, "{body}");
            assert_eq!(body["checks"]["mrzCheckDigits"], true);
        } else {
            assert_eq!(data["idNum"], "******-*******", "{body}");
            assert_eq!(body["checks"]["idNumberFormat"], true, "{body}");
            assert!(
                body["fieldConfidence"]["idNum"].as_f64().unwrap() > 0.5,
                "{body}"
            );
        }
        let confidence = body["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&confidence), "{body}");
        assert!(body["portraitBox"].is_array(), "{body}");
    }
    let log = client.server.log();
    assert!(!log.contains(truth(&client.photo(DocumentKind::Resident, 2), "idNum")));
}

#[test]
fn a_rotated_card_is_turned_upright() {
    let client = Client::start_with(&[]);
    let sample = client.photo(DocumentKind::Resident, 3);
    let turned = image::imageops::rotate180(&sample.image);
    let body = client.read(
        &Sample {
            image: turned,
            ..sample
        },
        Some("RESIDENT"),
    );
    let sample = client.photo(DocumentKind::Resident, 3);
    assert_eq!(body["data"]["name"], truth(&sample, "name"), "{body}");
    assert_eq!(body["checks"]["idTypeMatches"], true);
}

#[test]
fn the_configured_mask_keeps_birth_date_and_gender() {
    let client = Client::start_with(&[("EKYC_OCR_ID_MASKING", "birth")]);
    let sample = client.photo(DocumentKind::Driver, 3);
    let body = client.read(&sample, Some("DRIVER"));
    let number = truth(&sample, "idNum");
    assert_eq!(
        body["data"]["idNum"],
        format!("{}******", &number[..8]),
        "{body}"
    );
}

#[test]
fn a_card_of_another_type_than_named_says_so() {
    let client = Client::start_with(&[]);
    let sample = client.photo(DocumentKind::Resident, 4);
    let body = client.read(&sample, Some("DRIVER"));
    assert_eq!(body["data"]["idType"], "RESIDENT", "{body}");
    assert_eq!(body["checks"]["idTypeMatches"], false, "{body}");
}

#[test]
fn photos_without_a_document_answer_4040b_and_bad_input_is_refused() {
    let client = Client::start_with(&[]);
    let scene = client.generator.negative(5).expect("a scene");
    let answer = client.recognize(&encode(&scene, image::ImageFormat::Jpeg), None);
    assert_eq!(answer.code(), "4040B", "{}", answer.body);
    let face = std::fs::read(&lfw(1)[0]).expect("an LFW photo");
    assert_eq!(client.recognize(&face, Some("DRIVER")).code(), "4040B");

    assert_eq!(client.recognize(&face, Some("LIBRARY")).code(), "40000");
    let answer = client.server.post(
        "/v1/ocr/recognize",
        &as_refs(&client.headers),
        &json!({"image": "###"}).to_string(),
    );
    assert_eq!(answer.code(), "40001");
}
