//! 1:N search within a tenant: identify, and register with dedupe.

mod common;

use common::*;
use serde_json::{json, Value};

fn post(server: &Server, path: &str, headers: &[(&'static str, String)], body: &Value) -> Answer {
    server.post(path, &as_refs(headers), &body.to_string())
}

fn third_person() -> Vec<u8> {
    let path =
        ekyc_test_support::shared_data().join("faces/lfw/Aaron_Patterson/Aaron_Patterson_0001.jpg");
    std::fs::read(path).unwrap()
}

fn candidate_codes(answer: &Answer) -> Vec<String> {
    answer.body["candidates"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", answer.body))
        .iter()
        .map(|c| c["userCode"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn identify_finds_the_enrolled_person_in_the_callers_tenant_only() {
    let server = Server::start();
    let (a, b) = (server.create_tenant("a"), server.create_tenant("b"));
    let (headers_a, headers_b) = (authed(&server, &a), authed(&server, &b));
    let (enrol, same, other) = same_and_other();
    for (code, face) in [("user-1", &enrol), ("user-2", &other)] {
        let body = json!({"userCode": code, "image": b64(face)});
        assert_eq!(
            post(&server, "/v1/fr/register", &headers_a, &body).status,
            200
        );
    }

    let probe = json!({"image": b64(&same)});
    let found = post(&server, "/v1/fr/identify", &headers_a, &probe);
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(candidate_codes(&found), ["user-1"]);
    assert_eq!(found.body["gallerySize"], 2);
    assert!(found.body["candidates"][0]["score"].as_f64().unwrap() > 0.6);

    let stranger = post(
        &server,
        "/v1/fr/identify",
        &headers_a,
        &json!({"image": b64(&third_person())}),
    );
    assert!(candidate_codes(&stranger).is_empty(), "{}", stranger.body);
    let elsewhere = post(&server, "/v1/fr/identify", &headers_b, &probe);
    assert!(candidate_codes(&elsewhere).is_empty());
    assert_eq!(elsewhere.body["gallerySize"], 0);

    let bad = post(
        &server,
        "/v1/fr/identify",
        &headers_a,
        &json!({"image": b64(&same), "maxResults": 0}),
    );
    assert_eq!(bad.code(), "40000");

    let deleted = server.call(
        "DELETE",
        "/v1/fr/register/user-1",
        &as_refs(&headers_a),
        None,
    );
    assert_eq!(deleted.status, 200);
    let after = post(&server, "/v1/fr/identify", &headers_a, &probe);
    assert!(
        candidate_codes(&after).is_empty(),
        "the gallery follows deletions: {}",
        after.body
    );
}

#[test]
fn dedupe_refuses_a_face_enrolled_under_another_user_code() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let (enrol, same, other) = same_and_other();
    let first = json!({"userCode": "user-1", "image": b64(&enrol), "dedupe": true});
    assert_eq!(
        post(&server, "/v1/fr/register", &headers, &first).status,
        200
    );

    let duplicate = json!({"userCode": "user-9", "image": b64(&same), "dedupe": true});
    let refused = post(&server, "/v1/fr/register", &headers, &duplicate);
    assert_eq!(
        (refused.status, refused.code()),
        (409, "40925"),
        "{}",
        refused.body
    );
    assert_eq!(refused.body["matchedUserCode"], "user-1");

    let again = json!({"userCode": "user-1", "image": b64(&same), "dedupe": true});
    assert_eq!(
        post(&server, "/v1/fr/register", &headers, &again).status,
        200,
        "re-enrolling oneself"
    );
    let someone_else = json!({"userCode": "user-2", "image": b64(&other), "dedupe": true});
    assert_eq!(
        post(&server, "/v1/fr/register", &headers, &someone_else).status,
        200
    );
    let without = json!({"userCode": "user-9", "image": b64(&same)});
    assert_eq!(
        post(&server, "/v1/fr/register", &headers, &without).status,
        200,
        "dedupe is opt-in"
    );
}
