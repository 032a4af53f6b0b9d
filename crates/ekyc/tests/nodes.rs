//! Several stateless nodes on one PostgreSQL: what one node writes
//! (enrolments, deletions, revocations) the others see at once, 1:N
//! galleries included; a database outage fails requests fast with 50300,
//! and the nodes recover by themselves when it is back.

mod common;

use std::time::{Duration, Instant};

use common::*;
use ekyc_test_support::TestPostgres;
use serde_json::json;

fn post(
    server: &Server,
    path: &str,
    headers: &[(&'static str, String)],
    body: &serde_json::Value,
) -> Answer {
    server.post(path, &as_refs(headers), &body.to_string())
}

#[test]
fn two_nodes_share_users_deletions_and_revocations() {
    let postgres = TestPostgres::start();
    let url = postgres.fresh_database();
    let database = [("EKYC_DATABASE_URL", url.as_str())];
    let node1 = Server::start_with(&database);
    let node2 = Server::start_with(&database);
    let tenant = node1.create_tenant("bank");
    let on1 = authed(&node1, &tenant);
    let on2 = authed(&node2, &tenant);
    let (enrol, same, _) = same_and_other();

    let register = json!({"userCode": "user-1", "image": b64(&enrol)});
    assert_eq!(post(&node1, "/v1/fr/register", &on1, &register).status, 200);
    let verify = json!({"userCode": "user-1", "image": b64(&same)});
    let verified = post(&node2, "/v1/fr/verify", &on2, &verify);
    assert_eq!(
        (verified.status, &verified.body["isMatch"]),
        (200, &json!(true)),
        "{}",
        verified.body
    );

    let probe = json!({"image": b64(&same)});
    let found = post(&node2, "/v1/fr/identify", &on2, &probe);
    assert_eq!(
        found.body["candidates"][0]["userCode"], "user-1",
        "{}",
        found.body
    );

    let deleted = node1.call("DELETE", "/v1/fr/register/user-1", &as_refs(&on1), None);
    assert_eq!(deleted.status, 200);
    assert_eq!(
        post(&node2, "/v1/fr/verify", &on2, &verify).code(),
        "40915",
        "gone on node 2 at once"
    );
    let after = post(&node2, "/v1/fr/identify", &on2, &probe);
    assert_eq!(
        after.body["candidates"],
        json!([]),
        "node 2's gallery follows node 1's deletion"
    );

    let trx = verified.body["trxId"].as_str().unwrap();
    let audit = node1.call("GET", &format!("/v1/audit/{trx}"), &as_refs(&on1), None);
    assert_eq!(
        audit.status,
        200,
        "node 2's audit record is visible through node 1: {} {}",
        audit.body,
        node2.log()
    );

    let revoked = node2.cli(&["key", "revoke", &tenant.access_key]);
    assert!(revoked.status.success());
    for (node, headers) in [(&node1, &on1), (&node2, &on2)] {
        let refused = node.call("GET", "/v1/audit", &as_refs(headers), None);
        assert_eq!(refused.code(), "40102", "a revoked key stops on every node");
    }
}

#[test]
fn a_database_outage_fails_fast_and_heals() {
    let mut postgres = TestPostgres::start();
    let url = postgres.fresh_database();
    let server = Server::start_with(&[("EKYC_DATABASE_URL", url.as_str())]);
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let (enrol, _, _) = same_and_other();
    let register = json!({"userCode": "user-1", "image": b64(&enrol)});
    assert_eq!(
        post(&server, "/v1/fr/register", &headers, &register).status,
        200
    );

    postgres.pause();
    let started = Instant::now();
    let during = post(&server, "/v1/fr/register", &headers, &register);
    assert_eq!(
        (during.status, during.code()),
        (503, "50300"),
        "{}",
        during.body
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "no hang: {:?}",
        started.elapsed()
    );
    let ready = server.call("GET", "/readyz", &[], None);
    assert_eq!(ready.status, 503);

    postgres.resume();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let after = post(&server, "/v1/fr/register", &headers, &register);
        if after.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "did not recover: {}", after.body);
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(server.call("GET", "/readyz", &[], None).status, 200);
}
