//! API tests: the real server on a loopback port, called over HTTP, with
//! credentials made by the real CLI and images from ../shared/data.

mod common;

use std::io::Cursor;
use std::thread;

use common::*;
use image::RgbImage;
use serde_json::json;

fn mint(claims: serde_json::Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&SIGNING_KEY),
    )
    .unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn lfw_photo() -> Vec<u8> {
    std::fs::read(&lfw(1)[0]).unwrap()
}

#[test]
fn token_endpoint_error_codes() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let token = |access: &str, secret: &str| {
        server.post(
            "/v1/auth/token",
            &[],
            &json!({"accessKey": access, "secretKey": secret}).to_string(),
        )
    };
    let ok = token(&tenant.access_key, &tenant.secret_key);
    assert_eq!(
        (
            ok.status,
            ok.body["tokenType"].as_str(),
            ok.body["expiresIn"].as_u64()
        ),
        (200, Some("Bearer"), Some(3600))
    );
    assert_eq!(token("AKUNKNOWN", &tenant.secret_key).code(), "40102");
    let wrong = token(&tenant.access_key, "SKwrong");
    assert_eq!((wrong.status, wrong.code()), (401, "40104"));
    assert_eq!(
        server
            .post("/v1/auth/token", &[], r#"{"accessKey": "x"}"#)
            .code(),
        "40000"
    );
    assert_eq!(
        server.post("/v1/auth/token", &[], "{not json").code(),
        "40000"
    );

    let revoke = server.cli(&["key", "revoke", &tenant.access_key]);
    assert!(revoke.status.success());
    assert_eq!(
        token(&tenant.access_key, &tenant.secret_key).code(),
        "40102"
    );
}

#[test]
fn every_auth_error_code_on_a_protected_call() {
    let server = Server::start();
    let a = server.create_tenant("a");
    let b = server.create_tenant("b");
    let body = image_json(&lfw_photo());
    let count = |headers: &[(&str, &str)]| server.post("/v1/fr/count", headers, &body);
    let access = server.access_token(&a);

    assert_eq!(count(&[]).code(), "40100");
    assert_eq!(
        count(&[
            ("Authorization", "Bearer not.a.token"),
            ("X-Tenant-Token", &a.tenant_token)
        ])
        .code(),
        "40100"
    );
    let bearer = format!("Bearer {access}");
    assert_eq!(count(&[("Authorization", &bearer)]).code(), "40100");
    assert_eq!(
        count(&[
            ("Authorization", &bearer),
            ("X-Tenant-Token", &b.tenant_token)
        ])
        .code(),
        "40100"
    );
    assert_eq!(
        count(&[
            ("Authorization", &bearer),
            ("X-Tenant-Token", &a.tenant_token)
        ])
        .status,
        200
    );

    let expired_access = mint(
        json!({"typ": "access", "tid": a.tenant_id, "sub": a.access_key, "iat": now() - 7200, "exp": now() - 3600}),
    );
    let answer = count(&[
        ("Authorization", &format!("Bearer {expired_access}")),
        ("X-Tenant-Token", &a.tenant_token),
    ]);
    assert_eq!((answer.status, answer.code()), (401, "40105"));

    let expired_tenant = server.cli_json(&[
        "tenant",
        "token",
        "--tenant",
        &a.tenant_id,
        "--expires",
        "2020-01-01",
        "--json",
    ]);
    let answer = count(&[
        ("Authorization", &bearer),
        (
            "X-Tenant-Token",
            expired_tenant["tenantToken"].as_str().unwrap(),
        ),
    ]);
    assert_eq!((answer.status, answer.code()), (401, "40107"));

    // A token signed with another key is not ours, expired or not.
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &json!({"typ": "access", "tid": a.tenant_id, "sub": a.access_key, "iat": now(), "exp": now() + 60}),
        &jsonwebtoken::EncodingKey::from_secret(b"another key of at least 32 bytes!!"),
    )
    .unwrap();
    assert_eq!(
        count(&[
            ("Authorization", &format!("Bearer {forged}")),
            ("X-Tenant-Token", &a.tenant_token)
        ])
        .code(),
        "40100"
    );

    assert!(server
        .cli(&["tenant", "revoke-tokens", "--tenant", &a.tenant_id])
        .status
        .success());
    assert_eq!(
        count(&[
            ("Authorization", &bearer),
            ("X-Tenant-Token", &a.tenant_token)
        ])
        .code(),
        "40107"
    );
    let fresh = server.cli_json(&["tenant", "token", "--tenant", &a.tenant_id, "--json"]);
    let fresh_token = fresh["tenantToken"].as_str().unwrap();
    assert_eq!(
        count(&[("Authorization", &bearer), ("X-Tenant-Token", fresh_token)]).status,
        200
    );

    let second_key = server.cli_json(&["key", "create", "--tenant", &a.tenant_id, "--json"]);
    assert!(server
        .cli(&["key", "revoke", &a.access_key])
        .status
        .success());
    assert_eq!(
        count(&[("Authorization", &bearer), ("X-Tenant-Token", fresh_token)]).code(),
        "40102"
    );
    let other = server.post(
        "/v1/auth/token",
        &[],
        &json!({"accessKey": second_key["accessKey"], "secretKey": second_key["secretKey"]})
            .to_string(),
    );
    assert_eq!(
        other.status, 200,
        "a second key of the tenant keeps working"
    );

    let log = server.log();
    assert!(log.contains("request"), "the server logs each request");
    for secret in [a.secret_key.as_str(), &access, &a.tenant_token, fresh_token] {
        assert!(!log.contains(secret), "a credential reached the log");
    }
}

#[test]
fn image_intake_errors() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let headers = as_refs(&headers);
    let count = |body: &str| server.post("/v1/fr/count", &headers, body);

    let not_base64 = count(r#"{"image": "this is not base64 ###"}"#);
    assert_eq!((not_base64.status, not_base64.code()), (400, "40001"));
    assert_eq!(
        count(&image_json(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")).code(),
        "40001"
    );

    let mut eleven_mib = vec![0xFF, 0xD8, 0xFF];
    eleven_mib.resize(11 * 1024 * 1024, 7);
    let too_large = count(&image_json(&eleven_mib));
    assert_eq!((too_large.status, too_large.code()), (413, "41300"));

    let bomb = count(&image_json(&png_bomb(30_000, 30_000)));
    assert_eq!((bomb.status, bomb.code()), (400, "40001"), "{}", bomb.body);

    let photo = lfw_photo();
    let truncated = count(&image_json(&photo[..photo.len() * 6 / 10]));
    assert_eq!((truncated.status, truncated.code()), (400, "40001"));
    let end_put_back = [&photo[..photo.len() / 2], [0xFF, 0xD9].as_slice()].concat();
    let half = count(&image_json(&end_put_back));
    assert_eq!(
        (half.status, half.code()),
        (400, "40001"),
        "half a JPEG with its end marker put back: {}",
        half.body
    );

    assert_eq!(count(r#"{"image": 5}"#).code(), "40000");
    assert_eq!(count(r#"{"picture": "x"}"#).code(), "40000");
    assert_eq!(count("").code(), "40000");
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(count(&nested).code(), "40000");

    let (status, body) = announce_huge_body(&server, "/v1/fr/count", 100 * 1024 * 1024);
    assert_eq!(status, 413);
    assert!(body.contains("\"41300\""), "{body}");
}

/// Announces a body of `length` bytes, sends none of it, and reads the
/// answer: the server must refuse from the header alone.
fn announce_huge_body(server: &Server, path: &str, length: usize) -> (u16, String) {
    use std::io::Write;
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{\"image\": \""
    )
    .unwrap();
    let text = read_answer(&mut stream);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

/// A real, valid 1-bit PNG of the given size: a few hundred kilobytes that
/// would decode to gigabytes.
fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(Cursor::new(&mut out), width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().unwrap();
    let mut stream = writer.stream_writer().unwrap();
    let row = vec![0u8; width.div_ceil(8) as usize];
    for _ in 0..height {
        std::io::Write::write_all(&mut stream, &row).unwrap();
    }
    stream.finish().unwrap();
    drop(writer);
    out
}

/// A JPEG whose EXIF says "rotate 90° clockwise to display".
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut app1 = b"Exif\0\0II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
    app1.extend_from_slice(&orientation.to_le_bytes());
    app1.extend_from_slice(&[0; 6]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn count_on_real_photos() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let headers = as_refs(&headers);

    let single = server.post("/v1/fr/count", &headers, &image_json(&lfw_photo()));
    assert_eq!(single.status, 200, "{}", single.body);
    assert_eq!(single.body["count"], 1);
    assert_eq!(single.body["success"], true);
    let face = &single.body["faces"][0];
    assert_eq!(face["box"].as_array().unwrap().len(), 4);
    assert_eq!(face["landmarks"].as_array().unwrap().len(), 5);
    assert!(face["score"].as_f64().unwrap() > 0.6);

    let crops: Vec<RgbImage> = lfw(5)
        .iter()
        .map(|p| {
            image::imageops::crop_imm(&image::open(p).unwrap().into_rgb8(), 60, 50, 130, 160)
                .to_image()
        })
        .collect();
    let group = ekyc_test_support::tile(&crops, 5, 24);
    let answer = server.post(
        "/v1/fr/count",
        &headers,
        &image_json(&encode(&group, image::ImageFormat::Jpeg)),
    );
    assert_eq!(answer.body["count"], 5, "{}", answer.body);

    let blank = RgbImage::from_pixel(320, 240, image::Rgb([90, 120, 150]));
    let webp = encode(&blank, image::ImageFormat::WebP);
    let prefixed = json!({"image": format!("data:image/webp;base64,{}", b64(&webp))}).to_string();
    let answer = server.post("/v1/fr/count", &headers, &prefixed);
    assert_eq!(
        (answer.status, answer.body["count"].as_u64()),
        (200, Some(0)),
        "{}",
        answer.body
    );

    let image_fragment = &b64(&lfw_photo())[200..260];
    assert!(
        !server.log().contains(image_fragment),
        "image data reached the log"
    );
}

#[test]
fn exif_orientation_is_applied_before_detection() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let upright = image::open(&lfw(1)[0]).unwrap().into_rgb8();
    // Store the photo lying on its side, as a phone does, with the tag that
    // tells viewers to turn it upright.
    let sideways = image::imageops::rotate270(&upright);
    let jpeg = with_exif_orientation(&encode(&sideways, image::ImageFormat::Jpeg), 6);
    let answer = server.post("/v1/fr/count", &as_refs(&headers), &image_json(&jpeg));
    assert_eq!(answer.body["count"], 1, "{}", answer.body);
    let points = answer.body["faces"][0]["landmarks"].as_array().unwrap();
    let y = |i: usize| points[i][1].as_f64().unwrap();
    let eyes = (y(0) + y(1)) / 2.0;
    let mouth = (y(3) + y(4)) / 2.0;
    assert!(
        mouth - eyes > 20.0,
        "face should be upright: eyes at {eyes}, mouth at {mouth}"
    );
}

/// Two photos of one LFW identity and one photo of someone else.
fn group_of_two() -> String {
    let crops: Vec<RgbImage> = lfw(2)
        .iter()
        .map(|p| {
            image::imageops::crop_imm(&image::open(p).unwrap().into_rgb8(), 60, 50, 130, 160)
                .to_image()
        })
        .collect();
    b64(&encode(
        &ekyc_test_support::tile(&crops, 2, 24),
        image::ImageFormat::Png,
    ))
}

#[test]
fn register_verify_compare_delete() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let headers = as_refs(&headers);
    let (enrol, same, other) = same_and_other();
    let post = |path: &str, body: serde_json::Value| server.post(path, &headers, &body.to_string());

    let registered = post(
        "/v1/fr/register",
        json!({"userCode": "user-1", "image": b64(&enrol)}),
    );
    assert_eq!(registered.status, 200, "{}", registered.body);
    assert_eq!(registered.body["message"], "등록 완료");
    assert_eq!(registered.body["engine"], "ezway");
    assert_eq!(registered.body["engines"], json!(["ezway", "applemango"]));

    for context in ["login", "general", "monitoring"] {
        let answer = post(
            "/v1/fr/verify",
            json!({"userCode": "user-1", "image": b64(&same), "context": context}),
        );
        assert_eq!(answer.status, 200, "{context}: {}", answer.body);
        assert_eq!(answer.body["isMatch"], true, "{context}: {}", answer.body);
        assert_eq!(answer.body["engine"], "ezway");
        assert!(
            answer.body["score"].as_f64().unwrap() >= answer.body["threshold"].as_f64().unwrap()
        );
    }
    let login = post(
        "/v1/fr/verify",
        json!({"userCode": "user-1", "image": b64(&other), "context": "login"}),
    );
    assert_eq!(
        (login.status, login.code()),
        (409, "40924"),
        "{}",
        login.body
    );
    assert_eq!(login.body["isMatch"], false);
    assert!(login.body["score"].as_f64().unwrap() < login.body["threshold"].as_f64().unwrap());
    assert_eq!(login.body["engine"], "ezway");
    let monitoring = post(
        "/v1/fr/verify",
        json!({"userCode": "user-1", "image": b64(&other), "context": "monitoring"}),
    );
    assert_eq!(
        (monitoring.status, &monitoring.body["isMatch"]),
        (200, &json!(false))
    );
    let general = post(
        "/v1/fr/verify",
        json!({"userCode": "user-1", "image": b64(&other)}),
    );
    assert_eq!(
        (general.status, &general.body["isMatch"]),
        (200, &json!(false))
    );
    let thresholds: Vec<f64> = [&login, &general, &monitoring]
        .iter()
        .map(|a| a.body["threshold"].as_f64().unwrap())
        .collect();
    assert!(
        thresholds[0] > thresholds[1] && thresholds[1] > thresholds[2],
        "login strictest: {thresholds:?}"
    );

    let compared = post(
        "/v1/fr/compare",
        json!({"image1": b64(&enrol), "image2": b64(&same)}),
    );
    assert_eq!(
        (compared.status, &compared.body["isMatch"]),
        (200, &json!(true)),
        "{}",
        compared.body
    );
    let strangers = post(
        "/v1/fr/compare",
        json!({"image1": b64(&enrol), "image2": b64(&other)}),
    );
    assert_eq!(
        (strangers.status, &strangers.body["isMatch"]),
        (200, &json!(false)),
        "{}",
        strangers.body
    );

    // Re-registering replaces: now the other person is user-1.
    let replaced = post(
        "/v1/fr/register",
        json!({"userCode": "user-1", "image": b64(&other), "engine": "applemango"}),
    );
    assert_eq!(replaced.status, 200);
    let verified = post(
        "/v1/fr/verify",
        json!({"userCode": "user-1", "image": b64(&other)}),
    );
    assert_eq!(
        (&verified.body["isMatch"], &verified.body["engine"]),
        (&json!(true), &json!("applemango"))
    );

    let deleted = server.call("DELETE", "/v1/fr/register/user-1", &headers, None);
    assert_eq!(
        (deleted.status, &deleted.body["message"]),
        (200, &json!("삭제 완료"))
    );
    assert_eq!(
        post(
            "/v1/fr/verify",
            json!({"userCode": "user-1", "image": b64(&same)})
        )
        .code(),
        "40915"
    );
    assert_eq!(
        server
            .call("DELETE", "/v1/fr/register/user-1", &headers, None)
            .code(),
        "40402"
    );
}

/// A Gaussian blur that leaves a face detectable but past recognition.
const SMEARED_SIGMA: f32 = 6.0;

/// `enrol` with every channel mapped through `tone`.
fn retoned(photo: &[u8], tone: impl Fn(f32) -> f32) -> String {
    let mut image = image::load_from_memory(photo).unwrap().into_rgb8();
    for channel in image.iter_mut() {
        *channel = tone(f32::from(*channel)).clamp(0.0, 255.0) as u8;
    }
    b64(&encode(&image, image::ImageFormat::Png))
}

/// Exposure is judged by clipped highlights over the face, not by mean
/// brightness: a brightly lit face registers, a blown-out one is refused
/// as a template and answered with the issue named as a probe.
#[test]
fn bright_faces_register_and_blown_out_ones_do_not() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let headers = as_refs(&headers);
    let (enrol, probe, _) = same_and_other();
    let post = |path: &str, body: serde_json::Value| server.post(path, &headers, &body.to_string());

    let bright = retoned(&enrol, |v| 255.0 * (v / 255.0).powf(0.45));
    let registered = post(
        "/v1/fr/register",
        json!({"userCode": "bright", "image": bright}),
    );
    assert_eq!(registered.status, 200, "{}", registered.body);

    let blown_out = retoned(&enrol, |v| v * 2.2 + 40.0);
    let refused = post(
        "/v1/fr/register",
        json!({"userCode": "blown", "image": blown_out}),
    );
    assert_eq!(
        (refused.status, refused.code()),
        (409, "40910"),
        "{}",
        refused.body
    );
    assert_eq!(
        refused.body["detail"],
        "face overexposed: highlights blown out"
    );

    let bright_probe = retoned(&probe, |v| 255.0 * (v / 255.0).powf(0.45));
    let verified = post(
        "/v1/fr/verify",
        json!({"userCode": "bright", "image": bright_probe}),
    );
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(verified.body["isMatch"], true, "{}", verified.body);
    assert_eq!(verified.body["qualityIssues"], json!([]));
}

#[test]
fn face_rules_and_validation() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let headers = as_refs(&headers);
    let (enrol, _, _) = same_and_other();
    let photo = b64(&enrol);
    let blank = b64(&encode(
        &RgbImage::from_pixel(200, 200, image::Rgb([128, 128, 128])),
        image::ImageFormat::Png,
    ));
    let pair = group_of_two();
    let blurred_by = |sigma: f32| {
        let sharp = image::load_from_memory(&enrol).unwrap().into_rgb8();
        b64(&encode(
            &image::imageops::blur(&sharp, sigma),
            image::ImageFormat::Png,
        ))
    };
    let blurred = blurred_by(3.0);
    let post = |path: &str, body: serde_json::Value| server.post(path, &headers, &body.to_string());

    assert_eq!(
        post(
            "/v1/fr/register",
            json!({"userCode": "bad code!", "image": photo})
        )
        .code(),
        "40000"
    );
    assert_eq!(
        post(
            "/v1/fr/register",
            json!({"userCode": "u1", "image": photo, "engine": "other"})
        )
        .code(),
        "40000"
    );
    let no_face = post("/v1/fr/register", json!({"userCode": "u1", "image": blank}));
    assert_eq!((no_face.status, no_face.code()), (404, "4040A"));
    let two_faces = post("/v1/fr/register", json!({"userCode": "u1", "image": pair}));
    assert_eq!((two_faces.status, two_faces.code()), (409, "40923"));
    let unusable = post(
        "/v1/fr/register",
        json!({"userCode": "u1", "image": blurred}),
    );
    assert_eq!(
        (unusable.status, unusable.code()),
        (409, "40910"),
        "{}",
        unusable.body
    );
    assert_eq!(unusable.body["detail"], "face too blurred");

    assert_eq!(
        post("/v1/fr/register", json!({"userCode": "u1", "image": photo})).status,
        200
    );
    assert_eq!(
        post(
            "/v1/fr/verify",
            json!({"userCode": "u1", "image": photo, "context": "party"})
        )
        .code(),
        "40000"
    );
    assert_eq!(
        post(
            "/v1/fr/verify",
            json!({"userCode": "nobody", "image": photo})
        )
        .code(),
        "40915"
    );
    assert_eq!(
        post("/v1/fr/verify", json!({"userCode": "u1", "image": blank})).code(),
        "4040A"
    );
    assert_eq!(
        post("/v1/fr/verify", json!({"userCode": "u1", "image": pair})).code(),
        "40923"
    );
    // A soft probe is still compared, and the answer says why a mismatch
    // may be worth a retry; one too blurred to recognise is refused.
    let soft = post("/v1/fr/verify", json!({"userCode": "u1", "image": blurred}));
    assert_eq!(soft.status, 200, "{}", soft.body);
    assert_eq!(soft.body["qualityIssues"], json!(["blurred"]));
    let smeared = post(
        "/v1/fr/verify",
        json!({"userCode": "u1", "image": blurred_by(SMEARED_SIGMA)}),
    );
    assert_eq!(
        (smeared.status, smeared.code()),
        (409, "40910"),
        "{}",
        smeared.body
    );
    assert_eq!(
        post("/v1/fr/compare", json!({"image1": blank, "image2": photo})).code(),
        "4040A"
    );
    assert_eq!(
        post("/v1/fr/compare", json!({"image1": photo, "image2": pair})).code(),
        "40923"
    );
    // A small face far behind the user does not make it a group photo.
    let crop = |bytes: &[u8]| {
        image::imageops::crop_imm(
            &image::load_from_memory(bytes).unwrap().into_rgb8(),
            60,
            50,
            130,
            160,
        )
        .to_image()
    };
    let (_, _, other) = same_and_other();
    let mut scene = image::imageops::resize(
        &crop(&enrol),
        260,
        320,
        image::imageops::FilterType::Triangle,
    );
    let bystander =
        image::imageops::resize(&crop(&other), 52, 64, image::imageops::FilterType::Triangle);
    image::imageops::replace(&mut scene, &bystander, 4, 4);
    let scene = b64(&encode(&scene, image::ImageFormat::Png));
    assert_eq!(
        post("/v1/fr/count", json!({"image": scene})).body["count"],
        2
    );
    assert_eq!(
        post("/v1/fr/register", json!({"userCode": "u2", "image": scene})).status,
        200
    );

    // The reference may hold several faces (an ID card's ghost portrait): the largest counts.
    assert_eq!(
        post("/v1/fr/compare", json!({"image1": pair, "image2": photo})).status,
        200
    );
}

#[test]
fn engine_fallback_and_40901() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let (enrol, same, _) = same_and_other();
    let register = |server: &Server, user: &str| {
        let headers = authed(server, &tenant);
        server.post(
            "/v1/fr/register",
            &as_refs(&headers),
            &json!({"userCode": user, "image": b64(&enrol)}).to_string(),
        )
    };
    let verify = |server: &Server, user: &str| {
        let headers = authed(server, &tenant);
        server.post(
            "/v1/fr/verify",
            &as_refs(&headers),
            &json!({"userCode": user, "image": b64(&same)}).to_string(),
        )
    };
    assert_eq!(
        register(&server, "both").body["engines"],
        json!(["ezway", "applemango"])
    );

    let ezway_down = server.sibling(&[("EKYC_FAULT_FAILING_ENGINES", r#"["ezway"]"#)]);
    let answer = verify(&ezway_down, "both");
    assert_eq!(
        (
            answer.status,
            &answer.body["engine"],
            &answer.body["isMatch"]
        ),
        (200, &json!("applemango"), &json!(true)),
        "{}",
        answer.body
    );
    let partial = register(&ezway_down, "applemango-only");
    assert_eq!(
        (&partial.body["engine"], &partial.body["engines"]),
        (&json!("ezway"), &json!(["applemango"]))
    );
    assert_eq!(
        verify(&server, "applemango-only").body["engine"],
        "applemango",
        "served by the engine that has a template"
    );

    let fused = server.sibling(&[("EKYC_FUSION", "true")]);
    let answer = verify(&fused, "both");
    assert_eq!(
        (
            answer.status,
            &answer.body["engine"],
            &answer.body["isMatch"]
        ),
        (200, &json!("ezway"), &json!(true))
    );
    let fused_ezway_down = server.sibling(&[
        ("EKYC_FUSION", "true"),
        ("EKYC_FAULT_FAILING_ENGINES", r#"["ezway"]"#),
    ]);
    assert_eq!(
        verify(&fused_ezway_down, "both").body["engine"],
        "applemango",
        "fusion falls back to one engine"
    );

    let all_down = server.sibling(&[("EKYC_FAULT_FAILING_ENGINES", r#"["ezway", "applemango"]"#)]);
    let answer = verify(&all_down, "both");
    assert_eq!((answer.status, answer.code()), (409, "40901"));
    assert_eq!(register(&all_down, "nobody").code(), "40901");
}

#[test]
fn tenants_cannot_see_each_others_users() {
    let server = Server::start();
    let a = server.create_tenant("a");
    let b = server.create_tenant("b");
    let headers_a = authed(&server, &a);
    let headers_b = authed(&server, &b);
    let (enrol, same, _) = same_and_other();
    let register = json!({"userCode": "user-1", "image": b64(&enrol)}).to_string();
    let verify = json!({"userCode": "user-1", "image": b64(&same)}).to_string();

    assert_eq!(
        server
            .post("/v1/fr/register", &as_refs(&headers_a), &register)
            .status,
        200
    );
    assert_eq!(
        server
            .post("/v1/fr/verify", &as_refs(&headers_b), &verify)
            .code(),
        "40915"
    );
    assert_eq!(
        server
            .post("/v1/fr/verify", &as_refs(&headers_a), &verify)
            .status,
        200
    );
    let deleted_by_b = server.call(
        "DELETE",
        "/v1/fr/register/user-1",
        &as_refs(&headers_b),
        None,
    );
    assert_eq!((deleted_by_b.status, deleted_by_b.code()), (404, "40402"));
    assert_eq!(
        server
            .post("/v1/fr/verify", &as_refs(&headers_a), &verify)
            .status,
        200,
        "B's delete must not touch A"
    );
    let deleted_by_a = server.call(
        "DELETE",
        "/v1/fr/register/user-1",
        &as_refs(&headers_a),
        None,
    );
    assert_eq!(deleted_by_a.status, 200, "{}", deleted_by_a.body);
}

#[test]
fn envelope_request_ids_languages_and_service_endpoints() {
    let server = Server::start();
    let client_id = "0b6f3a52-1d1f-4e4c-9a57-7c1c1f0f2b10";
    let answer = server.post("/v1/auth/token", &[("X-Request-Id", client_id)], "{}");
    assert_eq!(answer.request_id.as_deref(), Some(client_id));
    assert_eq!(answer.body["trxId"], client_id);
    assert_eq!(answer.body["success"], false);
    assert!(answer.body["code"].is_string());
    assert_eq!(answer.body["message"], "요청 형식이 올바르지 않습니다");

    let answer = server.post(
        "/v1/auth/token",
        &[
            ("X-Request-Id", "not-a-uuid"),
            ("Accept-Language", "en-US,en;q=0.9"),
        ],
        "{}",
    );
    let generated = answer.request_id.unwrap();
    assert_ne!(generated, "not-a-uuid");
    assert_eq!(answer.body["trxId"], generated.as_str());
    assert_eq!(answer.body["message"], "Malformed request or invalid field");

    let wrong_method = server.call("GET", "/v1/fr/count", &[], None);
    assert_eq!((wrong_method.status, wrong_method.code()), (405, "40500"));
    let unknown = server.call("GET", "/v2/anything", &[], None);
    assert_eq!((unknown.status, unknown.code()), (404, "40400"));
    assert!(unknown.request_id.is_some());

    assert_eq!(
        server.call("GET", "/healthz", &[], None).body["status"],
        "ok"
    );
    assert_eq!(
        server.call("GET", "/readyz", &[], None).body["status"],
        "ready"
    );
    let openapi = server.call("GET", "/openapi.json", &[], None).body;
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(
        openapi == committed_openapi(),
        "the served /openapi.json is not crates/ekyc-http/openapi.json; regenerate it: \
         EKYC_UPDATE_OPENAPI=1 cargo test -p ekyc-http openapi"
    );
    let docs = server.call("GET", "/docs/", &[], None);
    assert_eq!(docs.status, 200);
    assert!(docs.body.as_str().unwrap().contains("swagger"));
    let metrics = server.call("GET", "/metrics", &[], None).body;
    assert!(metrics.as_str().unwrap().contains(
        "ekyc_requests_total{method=\"POST\",route=\"/v1/auth/token\",status=\"400\"} 2"
    ));
}

/// Every rejection, by the framework or by the code, is the contract's
/// envelope with a trxId that matches `X-Request-Id`: bad UTF-8 in a
/// path, bad queries, wrong methods, bad or mistyped bodies, missing and
/// oversized lengths, unknown routes.
#[test]
fn every_rejection_is_in_the_envelope() {
    let admin_token = "admin-token-for-probes-0123456789abcdef";
    let server = Server::start_with(&[("EKYC_ADMIN_TOKEN", admin_token)]);
    let tenant = server.create_tenant("bank");
    let auth: String = auth_headers(&server.access_token(&tenant), &tenant.tenant_token)
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    let admin = format!("Authorization: Bearer {admin_token}\r\n");
    let huge = 64 * 1024 * 1024;
    let probes: Vec<(&str, String, u16, &str)> = vec![
        ("bad UTF-8 in a path", format!("DELETE /v1/fr/register/%FF%FE HTTP/1.1\r\n{auth}"), 400, "40000"),
        ("bad UTF-8 in a trxId", format!("GET /v1/audit/%FF HTTP/1.1\r\n{auth}"), 400, "40000"),
        ("bad UTF-8 in an admin path", format!("DELETE /admin/v1/keys/%C3%28 HTTP/1.1\r\n{admin}"), 400, "40000"),
        ("bad UTF-8 in a query", format!("GET /v1/audit?limit=%FF HTTP/1.1\r\n{auth}"), 400, "40000"),
        ("a query of the wrong type", format!("GET /v1/audit?before=soon HTTP/1.1\r\n{auth}"), 400, "40000"),
        ("a repeated query field", format!("GET /v1/audit?limit=1&limit=2 HTTP/1.1\r\n{auth}"), 400, "40000"),
        ("a wrong method", format!("PATCH /v1/fr/count HTTP/1.1\r\n{auth}"), 405, "40500"),
        ("an unknown method", format!("BREW /v1/audit HTTP/1.1\r\n{auth}"), 405, "40500"),
        ("an unknown route", "GET /v1/%FF HTTP/1.1\r\n".to_owned(), 404, "40400"),
        ("malformed JSON", format!("POST /v1/fr/count HTTP/1.1\r\n{auth}Content-Type: application/json\r\nContent-Length: 5\r\n\r\n{{nope"), 400, "40000"),
        ("JSON of the wrong shape", "POST /v1/auth/token HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]".to_owned(), 400, "40000"),
        ("a form body", format!("POST /v1/fr/count HTTP/1.1\r\n{auth}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\n{{\"image\":\"x\"}}"), 400, "40000"),
        ("a plain-text token request", "POST /v1/auth/token HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}".to_owned(), 400, "40000"),
        ("no body and no length", format!("POST /v1/fr/count HTTP/1.1\r\n{auth}Content-Type: application/json\r\n"), 400, "40000"),
        ("an empty body", format!("POST /v1/fr/count HTTP/1.1\r\n{auth}Content-Length: 0\r\n"), 400, "40000"),
        ("an oversized length", format!("POST /v1/fr/count HTTP/1.1\r\n{auth}Content-Type: application/json\r\nContent-Length: {huge}\r\n"), 413, "41300"),
    ];
    for (what, head, status, code) in probes {
        let request = match head.split_once("\r\n\r\n") {
            Some((head, body)) => format!("{head}\r\nConnection: close\r\n\r\n{body}"),
            None => format!("{head}Connection: close\r\n\r\n"),
        };
        let answer = raw_exchange(&server, request.as_bytes());
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{what}: {}",
            answer.body
        );
        assert_eq!(answer.body["success"], false, "{what}");
        assert!(answer.body["message"].is_string(), "{what}");
        let trx_id = answer.body["trxId"].as_str().unwrap_or_default();
        assert_eq!(Some(trx_id), answer.request_id.as_deref(), "{what}");
    }
}

/// The OpenAPI document in the repository, the one clients generate from.
fn committed_openapi() -> serde_json::Value {
    serde_json::from_str(include_str!("../../ekyc-http/openapi.json")).unwrap()
}

/// Every operation of the committed document exists on the server and,
/// called without credentials or body, answers a status the document
/// lists for it; and the document lists every route the server serves.
#[test]
fn every_documented_operation_is_served_as_documented() {
    let server = Server::start_with(&[(
        "EKYC_ADMIN_TOKEN",
        "admin-token-of-the-api-tests-0123456789",
    )]);
    let document = committed_openapi();
    let paths = document["paths"].as_object().unwrap();
    let mut operations = 0;
    for (template, item) in paths {
        // Path parameters get a value of the right syntax.
        let path = template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, operation) in item.as_object().unwrap() {
            let method = method.to_uppercase();
            let body = (method == "POST").then_some("");
            let answer = server.call(&method, &path, &[], body);
            let documented = operation["responses"].as_object().unwrap();
            assert!(
                documented.contains_key(&answer.status.to_string()),
                "{method} {template} answered {} ({}), documented: {:?}",
                answer.status,
                answer.body,
                documented.keys().collect::<Vec<_>>()
            );
            assert!(
                !["40400", "40500"].contains(&answer.code()),
                "{method} {template} is not served: {}",
                answer.body
            );
            let secured = operation.get("security").is_some();
            assert_eq!(
                answer.status == 401,
                secured,
                "{method} {template}: {}",
                answer.body
            );
            operations += 1;
        }
    }
    // Every route of `routes::api`, one operation each.
    assert_eq!(operations, 21, "{:?}", paths.keys().collect::<Vec<_>>());
}

#[test]
fn full_inference_queue_answers_503_with_retry_after() {
    let server = Server::start_with(&[
        ("EKYC_INFERENCE_WORKERS", "1"),
        ("EKYC_INFERENCE_QUEUE", "0"),
    ]);
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let big: Vec<RgbImage> = lfw(8)
        .iter()
        .map(|p| image::open(p).unwrap().into_rgb8())
        .collect();
    let body = image_json(&encode(
        &ekyc_test_support::tile(&big, 4, 0),
        image::ImageFormat::Png,
    ));
    let answers: Vec<Answer> = thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| server.post("/v1/fr/count", &as_refs(&headers), &body)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let busy: Vec<&Answer> = answers.iter().filter(|a| a.status == 503).collect();
    assert!(answers.iter().any(|a| a.status == 200));
    assert!(
        !busy.is_empty(),
        "eight simultaneous requests on one worker without a queue"
    );
    assert!(busy
        .iter()
        .all(|a| a.code() == "50300" && a.retry_after.as_deref() == Some("1")));
}

#[test]
fn server_refuses_to_start_without_verified_models() {
    let data = tempfile::tempdir().unwrap();
    let empty_models = tempfile::tempdir().unwrap();
    let output = ekyc(
        data.path(),
        &[(
            "EKYC_MODEL_DIR".into(),
            empty_models.path().display().to_string(),
        )],
    )
    .args(["serve", "--listen", "127.0.0.1:0"])
    .output()
    .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("yunet_s_dynamic.onnx is missing"),
        "{stderr}"
    );
    assert!(stderr.contains("ekyc models fetch"), "{stderr}");
}

/// Every line the server logs while it serves a request carries that
/// request's trxId: the middleware's, the handlers', the store's and the
/// inference threads' (the liveness scores at debug level, the injected
/// engine failure at warn). Only the start-up lines, before the first
/// request, carry none.
#[test]
fn every_log_line_of_a_request_carries_its_trx_id() {
    let server = Server::start_with(&[
        (
            "RUST_LOG",
            "debug,sqlx=warn,ort=warn,hyper=info,hyper_util=info",
        ),
        ("EKYC_FAULT_FAILING_ENGINES", r#"["applemango"]"#),
    ]);
    let tenant = server.create_tenant("bank");
    let token = server.post(
        "/v1/auth/token",
        &[],
        &json!({"accessKey": tenant.access_key, "secretKey": tenant.secret_key}).to_string(),
    );
    let access = token.body["accessToken"].as_str().unwrap();
    let headers = auth_headers(access, &tenant.tenant_token);
    let headers = as_refs(&headers);
    let (enrol, same, _) = same_and_other();
    let answers = [
        server.post("/v1/fr/count", &headers, &image_json(&lfw_photo())),
        server.post(
            "/v1/fr/register",
            &headers,
            &json!({"userCode": "u1", "image": b64(&enrol)}).to_string(),
        ),
        server.post(
            "/v1/fr/verify",
            &headers,
            &json!({"userCode": "u1", "image": b64(&same)}).to_string(),
        ),
        server.post("/v1/liveness/detect", &headers, &image_json(&same)),
        server.post("/v1/fr/count", &headers, r#"{"image": "not base64"}"#),
    ];
    let trx_ids: Vec<String> = std::iter::once(&token)
        .chain(&answers)
        .map(|answer| answer.body["trxId"].as_str().unwrap().to_owned())
        .collect();

    let log = server.log();
    let served: Vec<&str> = log
        .lines()
        .skip_while(|line| !line.contains("eKYC server ready"))
        .skip(1)
        .collect();
    let carrying = |needle: &str| served.iter().filter(|l| l.contains(needle)).count();
    assert!(
        carrying("liveness score") > 0,
        "inference threads logged: {log}"
    );
    assert!(
        carrying("fault injection") > 0,
        "inference threads logged: {log}"
    );
    for line in &served {
        assert!(
            trx_ids
                .iter()
                .any(|id| line.contains(&format!("trx_id={id}"))),
            "a line without its request's trxId: {line}"
        );
    }
    for id in &trx_ids {
        assert!(carrying(id) > 0, "nothing logged for {id}");
    }
}
