//! Security API tests on the real server: the audit trail, the verify
//! lockout, rate limits, the admin API, tenant isolation, hostile input
//! and logs free of secrets.

mod common;

use std::io::{Read, Write};

use common::*;
use serde_json::{json, Value};

fn get(server: &Server, path: &str, headers: &[(&'static str, String)]) -> Answer {
    server.call("GET", path, &as_refs(headers), None)
}

fn post(server: &Server, path: &str, headers: &[(&'static str, String)], body: &Value) -> Answer {
    server.post(path, &as_refs(headers), &body.to_string())
}

fn trx(answer: &Answer) -> String {
    answer.body["trxId"].as_str().unwrap().to_owned()
}

#[test]
fn every_request_is_audited_for_its_own_tenant_only() {
    let server = Server::start();
    let (a, b) = (server.create_tenant("a"), server.create_tenant("b"));
    let (headers_a, headers_b) = (authed(&server, &a), authed(&server, &b));
    let (enrol, same, _) = same_and_other();
    let register = post(
        &server,
        "/v1/fr/register",
        &headers_a,
        &json!({"userCode": "user-1", "image": b64(&enrol)}),
    );
    assert_eq!(register.status, 200, "{}", register.body);
    let verify = post(
        &server,
        "/v1/fr/verify",
        &headers_a,
        &json!({"userCode": "user-1", "image": b64(&same)}),
    );
    assert_eq!(verify.status, 200, "{}", verify.body);
    let unknown = post(
        &server,
        "/v1/fr/verify",
        &headers_a,
        &json!({"userCode": "nobody", "image": b64(&same)}),
    );
    assert_eq!(unknown.code(), "40915");

    let record = get(&server, &format!("/v1/audit/{}", trx(&verify)), &headers_a);
    assert_eq!(record.status, 200, "{}", record.body);
    let entry = &record.body["record"];
    assert_eq!(entry["endpoint"], "/v1/fr/verify");
    assert_eq!(
        (entry["status"].as_u64(), entry["code"].as_str()),
        (Some(200), Some("0"))
    );
    assert_eq!(entry["decision"], "match");
    assert_eq!(entry["engine"], verify.body["engine"]);
    assert!(
        (entry["score"].as_f64().unwrap() - verify.body["score"].as_f64().unwrap()).abs() < 1e-3
    );
    assert_eq!(entry["accessKey"], a.access_key.as_str());
    let failed = get(&server, &format!("/v1/audit/{}", trx(&unknown)), &headers_a);
    assert_eq!(failed.body["record"]["code"], "40915");
    assert_eq!(failed.body["record"]["status"], 409);

    let by_b = get(&server, &format!("/v1/audit/{}", trx(&verify)), &headers_b);
    assert_eq!((by_b.status, by_b.code()), (404, "40404"));
    let listed_by_b = get(&server, "/v1/audit?limit=500", &headers_b);
    let listed_text = listed_by_b.body.to_string();
    assert!(!listed_text.contains(&trx(&verify)) && !listed_text.contains(&a.access_key));

    let first = get(&server, "/v1/audit?limit=2", &headers_a);
    let records = first.body["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    let before = first.body["nextBefore"].as_i64().unwrap();
    let rest = get(
        &server,
        &format!("/v1/audit?limit=500&before={before}"),
        &headers_a,
    );
    let trx_ids: Vec<&str> = rest.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["trxId"].as_str().unwrap())
        .collect();
    assert!(trx_ids.contains(&trx(&register).as_str()), "{trx_ids:?}");
    assert!(rest.body["nextBefore"].is_null());
    assert_eq!(
        get(&server, "/v1/audit?limit=0", &headers_a).code(),
        "40000"
    );
    assert_eq!(
        get(&server, "/v1/audit?before=x", &headers_a).code(),
        "40000"
    );
    let everything = get(&server, "/v1/audit?limit=500", &headers_a)
        .body
        .to_string();
    assert!(
        !everything.contains("user-1"),
        "no user codes or payloads in the trail"
    );
}

#[test]
fn the_same_user_code_in_two_tenants_is_two_people() {
    let server = Server::start();
    let (a, b) = (server.create_tenant("a"), server.create_tenant("b"));
    let (headers_a, headers_b) = (authed(&server, &a), authed(&server, &b));
    let (enrol, same, other) = same_and_other();
    for (headers, face) in [(&headers_a, &enrol), (&headers_b, &other)] {
        let body = json!({"userCode": "user-1", "image": b64(face)});
        assert_eq!(post(&server, "/v1/fr/register", headers, &body).status, 200);
    }
    let probe = json!({"userCode": "user-1", "image": b64(&same), "context": "monitoring"});
    let as_a = post(&server, "/v1/fr/verify", &headers_a, &probe);
    let as_b = post(&server, "/v1/fr/verify", &headers_b, &probe);
    assert_eq!(as_a.body["isMatch"], true, "{}", as_a.body);
    assert_eq!(as_b.body["isMatch"], false, "{}", as_b.body);
}

#[test]
fn verification_locks_after_five_consecutive_mismatches() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let (enrol, same, other) = same_and_other();
    for user in ["user-1", "user-2"] {
        let body = json!({"userCode": user, "image": b64(&enrol)});
        assert_eq!(
            post(&server, "/v1/fr/register", &headers, &body).status,
            200
        );
    }
    let impostor = json!({"userCode": "user-1", "image": b64(&other), "context": "monitoring"});
    for attempt in 1..=5 {
        let answer = post(&server, "/v1/fr/verify", &headers, &impostor);
        assert_eq!(
            (answer.status, &answer.body["isMatch"]),
            (200, &json!(false)),
            "attempt {attempt}"
        );
    }
    let genuine = json!({"userCode": "user-1", "image": b64(&same)});
    let locked = post(&server, "/v1/fr/verify", &headers, &genuine);
    assert_eq!(
        (locked.status, locked.code()),
        (429, "42900"),
        "{}",
        locked.body
    );
    let wait: u64 = locked.retry_after.as_deref().unwrap().parse().unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    let other_user = json!({"userCode": "user-2", "image": b64(&same)});
    assert_eq!(
        post(&server, "/v1/fr/verify", &headers, &other_user).status,
        200
    );
}

/// 32 mismatching verifications of one user sent at once: the lockout
/// reserves each attempt in the database before its comparison, so no
/// more than `lockout_after_failures` (5) are compared, counted from the
/// answers and from the audit trail's decisions alike.
#[test]
fn parallel_guesses_get_no_more_comparisons_than_the_lockout_allows() {
    let server = Server::start_with(&[("EKYC_TENANT_MAX_CONCURRENT", "64")]);
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let (enrol, _, other) = same_and_other();
    let body = json!({"userCode": "user-1", "image": b64(&enrol)});
    assert_eq!(
        post(&server, "/v1/fr/register", &headers, &body).status,
        200
    );
    let impostor = json!({"userCode": "user-1", "image": b64(&other), "context": "monitoring"});
    let start = std::sync::Barrier::new(32);
    let answers: Vec<Answer> = std::thread::scope(|scope| {
        let racing: Vec<_> = (0..32)
            .map(|_| {
                scope.spawn(|| {
                    start.wait();
                    post(&server, "/v1/fr/verify", &headers, &impostor)
                })
            })
            .collect();
        racing.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let compared = answers.iter().filter(|a| a.status == 200).count();
    for answer in answers.iter().filter(|a| a.status != 200) {
        assert_eq!(
            (answer.status, answer.code()),
            (429, "42900"),
            "{}",
            answer.body
        );
        assert!(answer.retry_after.is_some());
    }
    let trail = get(&server, "/v1/audit?limit=500", &headers);
    let decided = trail.body["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["endpoint"] == "/v1/fr/verify" && r["decision"] == "mismatch")
        .count();
    eprintln!(
        "32 parallel mismatching verifies: {compared} compared, {decided} mismatches audited"
    );
    assert!((1..=5).contains(&compared), "{compared} comparisons");
    assert_eq!(decided, compared);
}

/// User codes (phone numbers, e-mail addresses) are stored only as keyed
/// hashes and sealed copies: after registrations, failed verifications, a
/// refused duplicate, a search and a deletion, no database file holds one
/// in plain, and identify and dedupe still name the right user.
#[test]
fn user_codes_are_never_stored_in_plain() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let (enrol, same, other) = same_and_other();
    let (phone, email, duplicate) = ("01012345678", "kim.minsu@bank.example", "lee@bank.example");
    for (code, face) in [(phone, &enrol), (email, &other)] {
        let body = json!({"userCode": code, "image": b64(face)});
        assert_eq!(
            post(&server, "/v1/fr/register", &headers, &body).status,
            200
        );
    }
    let mismatch = json!({"userCode": phone, "image": b64(&other), "context": "monitoring"});
    assert_eq!(
        post(&server, "/v1/fr/verify", &headers, &mismatch).body["isMatch"],
        false
    );
    let unknown = json!({"userCode": "01099999999", "image": b64(&same)});
    assert_eq!(
        post(&server, "/v1/fr/verify", &headers, &unknown).code(),
        "40915"
    );
    let dedupe = json!({"userCode": duplicate, "image": b64(&same), "dedupe": true});
    let refused = post(&server, "/v1/fr/register", &headers, &dedupe);
    assert_eq!(refused.code(), "40925", "{}", refused.body);
    assert_eq!(refused.body["matchedUserCode"], phone);
    let found = post(
        &server,
        "/v1/fr/identify",
        &headers,
        &json!({"image": b64(&same)}),
    );
    assert_eq!(
        found.body["candidates"][0]["userCode"], phone,
        "{}",
        found.body
    );
    let deleted = server.call(
        "DELETE",
        &format!("/v1/fr/register/{email}"),
        &as_refs(&headers),
        None,
    );
    assert_eq!(deleted.status, 200);
    assert_eq!(
        post(
            &server,
            "/v1/fr/verify",
            &headers,
            &json!({"userCode": phone, "image": b64(&same)})
        )
        .status,
        200
    );

    if on_postgres() {
        eprintln!("database files not checked: the database is PostgreSQL");
        return;
    }
    for entry in std::fs::read_dir(server.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if !path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("ekyc.db")
        {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        for code in [phone, email, duplicate, "01099999999"] {
            assert!(
                !bytes.windows(code.len()).any(|w| w == code.as_bytes()),
                "{} holds {code}",
                path.display()
            );
        }
    }
}

#[test]
fn request_rates_and_token_attempts_are_limited() {
    let server = Server::start_with(&[
        ("EKYC_RATE_LIMIT_PER_SECOND", "1"),
        ("EKYC_RATE_LIMIT_BURST", "3"),
        ("EKYC_TOKEN_ATTEMPTS_PER_MINUTE", "4"),
    ]);
    let tenant = server.create_tenant("bank");
    let second = server.cli_json(&["key", "create", "--tenant", &tenant.tenant_id, "--json"]);
    let headers = authed(&server, &tenant);
    for _ in 0..3 {
        assert_eq!(get(&server, "/v1/audit", &headers).status, 200);
    }
    let limited = get(&server, "/v1/audit", &headers);
    assert_eq!((limited.status, limited.code()), (429, "42900"));
    assert!(limited.retry_after.is_some());

    let second_tenant = Tenant {
        access_key: second["accessKey"].as_str().unwrap().to_owned(),
        secret_key: second["secretKey"].as_str().unwrap().to_owned(),
        ..tenant
    };
    let other_key = authed(&server, &second_tenant);
    assert_eq!(
        get(&server, "/v1/audit", &other_key).status,
        200,
        "limits are per key"
    );

    let guess = json!({"accessKey": second_tenant.access_key, "secretKey": "SKguess"});
    let answers: Vec<Answer> = (0..3)
        .map(|_| post(&server, "/v1/auth/token", &[], &guess))
        .collect();
    assert_eq!(answers[0].code(), "40104");
    let throttled = answers.last().unwrap();
    assert_eq!(
        (throttled.status, throttled.code()),
        (429, "42900"),
        "{}",
        throttled.body
    );
    assert!(throttled.retry_after.is_some());
}

#[test]
fn admin_api_mirrors_the_cli_and_is_off_by_default() {
    let plain = Server::start();
    let absent = get(&plain, "/admin/v1/tenants", &[]);
    assert_eq!((absent.status, absent.code()), (404, "40400"));
    drop(plain);

    let token = "admin-token-for-tests-0123456789abcdef";
    let server = Server::start_with(&[("EKYC_ADMIN_TOKEN", token)]);
    let admin = vec![("Authorization", format!("Bearer {token}"))];
    let wrong = vec![("Authorization", "Bearer not-the-admin-token".to_owned())];
    assert_eq!(get(&server, "/admin/v1/tenants", &wrong).code(), "40100");
    assert_eq!(get(&server, "/admin/v1/tenants", &[]).code(), "40100");

    let created = post(
        &server,
        "/admin/v1/tenants",
        &admin,
        &json!({"name": "bank"}),
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let field = |v: &Value, k: &str| v[k].as_str().unwrap().to_owned();
    let tenant = Tenant {
        tenant_id: field(&created.body, "tenantId"),
        tenant_token: field(&created.body, "tenantToken"),
        access_key: field(&created.body, "accessKey"),
        secret_key: field(&created.body, "secretKey"),
    };
    let tenant_bearer = vec![("Authorization", format!("Bearer {}", tenant.tenant_token))];
    assert_eq!(
        get(&server, "/admin/v1/tenants", &tenant_bearer).code(),
        "40100"
    );
    let listed = get(&server, "/admin/v1/tenants", &admin).body.to_string();
    assert!(listed.contains(&tenant.tenant_id));

    let first_headers = authed(&server, &tenant);
    assert_eq!(get(&server, "/v1/audit", &first_headers).status, 200);
    let key_path = format!("/admin/v1/tenants/{}/keys", tenant.tenant_id);
    let second = post(&server, &key_path, &admin, &json!({}));
    let second = Tenant {
        access_key: field(&second.body, "accessKey"),
        secret_key: field(&second.body, "secretKey"),
        ..tenant
    };
    let second_headers = authed(&server, &second);

    let revoked = server.call(
        "DELETE",
        &format!("/admin/v1/keys/{}", second.access_key),
        &as_refs(&admin),
        None,
    );
    assert_eq!(revoked.status, 200);
    assert_eq!(
        get(&server, "/v1/audit", &second_headers).code(),
        "40102",
        "at once"
    );
    assert_eq!(get(&server, "/v1/audit", &first_headers).status, 200);

    let tokens = format!("/admin/v1/tenants/{}/tokens", second.tenant_id);
    assert_eq!(
        post(&server, &format!("{tokens}/revoke"), &admin, &json!({})).status,
        200
    );
    assert_eq!(get(&server, "/v1/audit", &first_headers).code(), "40107");
    let reissued = post(&server, &tokens, &admin, &json!({}));
    let access = server.access_token(&second_tenant_with_first_key(&second, &created.body));
    let fresh = auth_headers(&access, reissued.body["tenantToken"].as_str().unwrap());
    assert_eq!(get(&server, "/v1/audit", &fresh).status, 200);

    let tenant_path = format!("/admin/v1/tenants/{}", second.tenant_id);
    let deleted = server.call("DELETE", &tenant_path, &as_refs(&admin), None);
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(get(&server, "/v1/audit", &fresh).code(), "40102");
    let again = server.call("DELETE", &tenant_path, &as_refs(&admin), None);
    assert_eq!((again.status, again.code()), (404, "40406"));
    assert_eq!(post(&server, &key_path, &admin, &json!({})).code(), "40406");
    assert!(!get(&server, "/admin/v1/tenants", &admin)
        .body
        .to_string()
        .contains(&second.tenant_id));
}

/// Admin tokens cannot be guessed without limit: after as many wrong ones
/// from an address as token attempts allow in a minute (30), that address
/// is refused with 42900 and Retry-After, the right token included.
#[test]
fn wrong_admin_tokens_are_rate_limited_per_address() {
    let token = "admin-token-for-guessing-0123456789abcdef";
    let server = Server::start_with(&[("EKYC_ADMIN_TOKEN", token)]);
    let answers: Vec<Answer> = (0..40)
        .map(|i| {
            let guess = vec![("Authorization", format!("Bearer guess-{i:032}"))];
            get(&server, "/admin/v1/tenants", &guess)
        })
        .collect();
    assert!(answers[..30].iter().all(|a| a.code() == "40100"));
    for refused in &answers[30..] {
        assert_eq!(
            (refused.status, refused.code()),
            (429, "42900"),
            "{}",
            refused.body
        );
        let wait: u64 = refused.retry_after.as_deref().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait));
    }
    let right = vec![("Authorization", format!("Bearer {token}"))];
    assert_eq!(
        get(&server, "/admin/v1/tenants", &right).code(),
        "42900",
        "a hit cannot be told from a miss while the address is blocked"
    );
}

/// The tenant's first key pair, as the admin API created it.
fn second_tenant_with_first_key(tenant: &Tenant, created: &Value) -> Tenant {
    Tenant {
        tenant_id: tenant.tenant_id.clone(),
        tenant_token: tenant.tenant_token.clone(),
        access_key: created["accessKey"].as_str().unwrap().to_owned(),
        secret_key: created["secretKey"].as_str().unwrap().to_owned(),
    }
}

#[test]
fn deleting_a_tenant_from_the_cli_erases_its_users() {
    let server = Server::start();
    let (a, b) = (server.create_tenant("a"), server.create_tenant("b"));
    let headers_b = authed(&server, &b);
    let (enrol, same, _) = same_and_other();
    for headers in [authed(&server, &a), headers_b.clone()] {
        let body = json!({"userCode": "user-1", "image": b64(&enrol)});
        assert_eq!(
            post(&server, "/v1/fr/register", &headers, &body).status,
            200
        );
    }
    let output = server.cli(&["tenant", "delete", "--tenant", &a.tenant_id]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let gone = server.post(
        "/v1/auth/token",
        &[],
        &json!({"accessKey": a.access_key, "secretKey": a.secret_key}).to_string(),
    );
    assert_eq!(gone.code(), "40102");
    let verify = json!({"userCode": "user-1", "image": b64(&same)});
    assert_eq!(
        post(&server, "/v1/fr/verify", &headers_b, &verify).status,
        200,
        "B untouched"
    );
    assert!(!server
        .cli(&["tenant", "delete", "--tenant", &a.tenant_id])
        .status
        .success());
}

#[test]
fn hostile_input_gets_clean_errors() {
    let server = Server::start();
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let refs = as_refs(&headers);

    for user_code in [
        "' OR '1'='1",
        "user-1; DROP TABLE face_users; --",
        "../../etc/passwd",
        "%00",
    ] {
        let body = json!({"userCode": user_code, "image": "x"}).to_string();
        assert_eq!(
            server.post("/v1/fr/verify", &refs, &body).code(),
            "40000",
            "{user_code}"
        );
    }
    let injected = server.call("DELETE", "/v1/fr/register/x'%20OR%20'1'='1", &refs, None);
    assert_eq!(injected.code(), "40000");

    let invalid_utf8 = raw_request(
        &server,
        "/v1/fr/count",
        &headers,
        b"{\"image\": \"\xff\xfe\xfd\"}",
    );
    assert!(invalid_utf8.starts_with("HTTP/1.1 400"), "{invalid_utf8}");
    assert!(invalid_utf8.contains("\"40000\""));

    let mut html_as_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    html_as_jpeg.extend_from_slice(b"<html><script>alert(1)</script></html>");
    assert_eq!(
        server
            .post("/v1/fr/count", &refs, &image_json(&html_as_jpeg))
            .code(),
        "40001"
    );

    let (enrol, _, _) = same_and_other();
    let photo = image::load_from_memory(&enrol).unwrap().into_rgb8();
    let mut png_with_zip = encode(&photo, image::ImageFormat::Png);
    png_with_zip.extend_from_slice(b"PK\x03\x04polyglot zip member follows");
    let polyglot = server.post("/v1/fr/count", &refs, &image_json(&png_with_zip));
    assert_eq!(
        polyglot.status, 200,
        "only the image part is read: {}",
        polyglot.body
    );

    let chunked = chunked_flood(&server, &headers, 100);
    assert!(chunked.starts_with("HTTP/1.1 413"), "{chunked}");
}

/// Sends `body` with the auth headers over a raw connection.
fn raw_request(
    server: &Server,
    path: &str,
    headers: &[(&'static str, String)],
    body: &[u8],
) -> String {
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

/// Streams up to `mib` MiB of chunked body, without a length, and returns
/// the answer: the server must stop reading at its limit.
fn chunked_flood(server: &Server, headers: &[(&'static str, String)], mib: usize) -> String {
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut head =
        format!("POST /v1/fr/count HTTP/1.1\r\nHost: {address}\r\nTransfer-Encoding: chunked\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'A'; 1024 * 1024];
    for _ in 0..mib {
        let sent = stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .and_then(|_| stream.write_all(&chunk))
            .and_then(|_| stream.write_all(b"\r\n"));
        if sent.is_err() {
            break;
        }
    }
    read_answer(&mut stream)
}

#[test]
fn logs_carry_no_secrets_tokens_images_or_user_codes() {
    let admin_token = "admin-token-for-log-test-0123456789abcdef";
    let server = Server::start_with(&[("EKYC_ADMIN_TOKEN", admin_token)]);
    let tenant = server.create_tenant("bank");
    let access = server.access_token(&tenant);
    let headers = auth_headers(&access, &tenant.tenant_token);
    let (enrol, same, other) = same_and_other();
    let user_code = "customer-8812-secret-code";
    post(
        &server,
        "/v1/fr/register",
        &headers,
        &json!({"userCode": user_code, "image": b64(&enrol)}),
    );
    post(
        &server,
        "/v1/fr/verify",
        &headers,
        &json!({"userCode": user_code, "image": b64(&same)}),
    );
    post(
        &server,
        "/v1/fr/verify",
        &headers,
        &json!({"userCode": user_code, "image": b64(&other), "context": "login"}),
    );
    post(
        &server,
        "/v1/fr/compare",
        &headers,
        &json!({"image1": b64(&enrol), "image2": b64(&other)}),
    );
    post(
        &server,
        "/v1/auth/token",
        &[],
        &json!({"accessKey": tenant.access_key, "secretKey": "SKwrong-guess-123"}),
    );
    post(
        &server,
        "/v1/fr/count",
        &headers,
        &json!({"image": 12345, "secret": tenant.secret_key}),
    );
    let admin = vec![("Authorization", format!("Bearer {admin_token}"))];
    get(&server, "/admin/v1/tenants", &admin);
    server.call(
        "DELETE",
        &format!("/v1/fr/register/{user_code}"),
        &as_refs(&headers),
        None,
    );

    let log = server.log();
    assert!(log.contains("request"), "the server did log");
    let master_key = b64(&MASTER_KEY);
    let signing_key = b64(&SIGNING_KEY);
    let image_start = &b64(&enrol)[100..160];
    for (what, secret) in [
        ("secret key", tenant.secret_key.as_str()),
        ("wrong secret", "SKwrong-guess-123"),
        ("access token", access.as_str()),
        ("tenant token", tenant.tenant_token.as_str()),
        ("admin token", admin_token),
        ("master key", master_key.as_str()),
        ("signing key", signing_key.as_str()),
        ("image data", image_start),
        ("user code", user_code),
    ] {
        assert!(!log.contains(secret), "the log contains the {what}");
    }
}

#[test]
fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    let guess = |server: &Server, key: &str, forwarded: &str| {
        let body = json!({"accessKey": key, "secretKey": "SKguess"}).to_string();
        server
            .post("/v1/auth/token", &[("X-Forwarded-For", forwarded)], &body)
            .code()
            .to_owned()
    };
    let limits = [("EKYC_TOKEN_ATTEMPTS_PER_MINUTE", "2")];
    let direct = Server::start_with(&limits);
    assert_eq!(guess(&direct, "AK1", "192.0.2.1"), "40102");
    assert_eq!(guess(&direct, "AK2", "192.0.2.2"), "40102");
    assert_eq!(
        guess(&direct, "AK3", "192.0.2.3"),
        "42900",
        "a forged X-Forwarded-For does not buy more attempts"
    );

    let proxied = Server::start_with(&[limits[0], ("EKYC_TRUST_FORWARDED_FOR", "true")]);
    assert_eq!(guess(&proxied, "AK1", "10.0.0.9, 192.0.2.1"), "40102");
    assert_eq!(guess(&proxied, "AK2", "192.0.2.1"), "40102");
    assert_eq!(guess(&proxied, "AK3", "192.0.2.1"), "42900");
    assert_eq!(
        guess(&proxied, "AK4", "192.0.2.2"),
        "40102",
        "another client"
    );
}
