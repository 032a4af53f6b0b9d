//! Several stateless nodes on one PostgreSQL: what one node writes
//! (enrolments, deletions, revocations) the others see at once, 1:N
//! galleries included; a database outage fails requests fast with 50300,
//! and the nodes recover by themselves when it is back. And a full disk
//! under the SQLite store: nothing acknowledged is lost; and slow clients:
//! they cannot hold connections.

mod common;

use std::time::{Duration, Instant};

use common::*;
use ekyc_test_support::{SmallFilesystem, TestPostgres};
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

/// What the server answered 200 to while its disk was full.
#[derive(Default)]
struct Acknowledged {
    enrolled: std::collections::BTreeSet<String>,
    deleted: std::collections::BTreeSet<String>,
    trx_ids: Vec<String>,
}

/// Only a success or 50300 is acceptable while the disk is full.
fn success_or_unavailable(answer: &Answer, what: &str) -> bool {
    match (answer.status, answer.code()) {
        (200, _) => true,
        (503, "50300") => false,
        _ => panic!("{what}: {} {}", answer.status, answer.body),
    }
}

fn trx(answer: &Answer) -> String {
    answer.body["trxId"].as_str().unwrap().to_owned()
}

/// The SQLite database on a real 8 MiB filesystem, filled to the last
/// byte and freed again, 5 times: every write answers 200 (and is kept)
/// or 50300, reads and image requests keep answering 200, writes work
/// again within 5 s of space returning, and after a restart every
/// acknowledged enrolment, deletion and audit record is there.
#[test]
fn a_full_disk_loses_no_acknowledged_write() {
    let Some(disk) = SmallFilesystem::mount(8 << 20) else {
        return;
    };
    let url = format!("sqlite://{}", disk.path().join("ekyc.db").display());
    let server = Server::start_with(&[("EKYC_DATABASE_URL", url.as_str())]);
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);
    let (enrol, same, _) = same_and_other();
    let register = |code: &str| {
        post(
            &server,
            "/v1/fr/register",
            &headers,
            &json!({"userCode": code, "image": b64(&enrol)}),
        )
    };
    let mut acknowledged = Acknowledged::default();
    for i in 0..4 {
        let code = format!("kept-{i}");
        assert_eq!(register(&code).status, 200);
        acknowledged.enrolled.insert(code);
    }
    let earlier = trx(&register("kept-0"));
    let (mut refused, mut verified, mut next) = (0, 0, 0);
    for round in 0..5 {
        disk.fill();
        for _ in 0..6 {
            next += 1;
            let code = format!("user-{next}");
            let answer = register(&code);
            if success_or_unavailable(&answer, "register") {
                acknowledged.enrolled.insert(code);
                acknowledged.trx_ids.push(trx(&answer));
            } else {
                refused += 1;
            }
            let victim = acknowledged
                .enrolled
                .iter()
                .find(|c| c.starts_with("user-"))
                .cloned();
            if let Some(victim) = victim {
                let path = format!("/v1/fr/register/{victim}");
                let answer = server.call("DELETE", &path, &as_refs(&headers), None);
                if success_or_unavailable(&answer, "delete") {
                    acknowledged.enrolled.remove(&victim);
                    acknowledged.deleted.insert(victim);
                    acknowledged.trx_ids.push(trx(&answer));
                }
            }
            let count = post(
                &server,
                "/v1/fr/count",
                &headers,
                &json!({"image": b64(&same)}),
            );
            assert_eq!(
                count.status, 200,
                "round {round}: count while full: {}",
                count.body
            );
            acknowledged.trx_ids.push(trx(&count));
            let lookup = server.call(
                "GET",
                &format!("/v1/audit/{earlier}"),
                &as_refs(&headers),
                None,
            );
            assert_eq!(
                lookup.status, 200,
                "round {round}: audit read while full: {}",
                lookup.body
            );
            let verify = post(
                &server,
                "/v1/fr/verify",
                &headers,
                &json!({"userCode": "kept-1", "image": b64(&same)}),
            );
            // A verify writes its lockout reservation first: it compares
            // when that write fits (it usually does), else answers 50300.
            if success_or_unavailable(&verify, "verify") {
                verified += 1;
            }
        }
        disk.free();
        let freed = Instant::now();
        next += 1;
        let code = format!("user-{next}");
        loop {
            let answer = register(&code);
            if answer.status == 200 {
                acknowledged.enrolled.insert(code);
                break;
            }
            assert!(
                freed.elapsed() < Duration::from_secs(5),
                "round {round}: writes did not come back: {}",
                answer.body
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    assert!(refused > 0, "the disk was never full");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server
        .call("GET", "/metrics", &[], None)
        .body
        .as_str()
        .is_some_and(|m| m.contains("ekyc_audit_spooled 0"))
    {
        assert!(
            Instant::now() < deadline,
            "spooled audit records not written"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let restarted = server.sibling(&[]);
    drop(server);
    let headers = authed(&restarted, &tenant);
    for code in &acknowledged.enrolled {
        let verify = post(
            &restarted,
            "/v1/fr/verify",
            &headers,
            &json!({"userCode": code, "image": b64(&same)}),
        );
        assert_eq!(
            verify.status, 200,
            "acknowledged enrolment {code} lost: {}",
            verify.body
        );
    }
    for code in &acknowledged.deleted {
        let verify = post(
            &restarted,
            "/v1/fr/verify",
            &headers,
            &json!({"userCode": code, "image": b64(&same)}),
        );
        assert_eq!(
            verify.code(),
            "40915",
            "acknowledged deletion of {code} undone"
        );
    }
    for trx_id in &acknowledged.trx_ids {
        let record = restarted.call(
            "GET",
            &format!("/v1/audit/{trx_id}"),
            &as_refs(&headers),
            None,
        );
        assert_eq!(record.status, 200, "audit record of {trx_id} lost");
    }
    eprintln!(
        "full disk: {refused} writes refused, {verified} of 30 verifies answered, {} enrolments and {} deletions acknowledged, {} audited answers kept",
        acknowledged.enrolled.len(),
        acknowledged.deleted.len(),
        acknowledged.trx_ids.len()
    );
}

/// A connection to the server from `source` (any address of 127.0.0.0/8),
/// so that tests can play many clients.
fn connect_from(server: &Server, source: std::net::Ipv4Addr) -> std::net::TcpStream {
    use socket2::{Domain, Socket, Type};
    let target: std::net::SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket
        .bind(&std::net::SocketAddr::from((source, 0)).into())
        .unwrap();
    socket.connect(&target.into()).unwrap();
    socket.into()
}

/// Whether the server has closed the connection (without waiting).
fn closed_by_server(stream: &mut std::net::TcpStream) -> bool {
    use std::io::Read;
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 512];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    }
}

/// Slow clients: 500 connections that send their headers a byte at a time
/// are each closed within the header timeout, while another client's
/// requests are answered meanwhile (p99 printed); an idle keep-alive
/// connection is closed after the idle timeout; and one address cannot
/// open more connections than its limit.
#[test]
fn slow_clients_are_cut_off_and_others_answered() {
    use std::io::Write;
    use std::net::Ipv4Addr;
    let header_timeout = Duration::from_secs(3);
    let server = Server::start_with(&[
        ("EKYC_HTTP_HEADER_TIMEOUT_SECS", "3"),
        ("EKYC_HTTP_IDLE_TIMEOUT_SECS", "2"),
        ("EKYC_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "16"),
        ("EKYC_RATE_LIMIT_PER_SECOND", "1000"),
        ("EKYC_RATE_LIMIT_BURST", "1000"),
    ]);
    let tenant = server.create_tenant("bank");
    let headers = authed(&server, &tenant);

    let crowd = Ipv4Addr::new(127, 0, 2, 1);
    let held: Vec<_> = (0..16).map(|_| connect_from(&server, crowd)).collect();
    let mut over = connect_from(&server, crowd);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        closed_by_server(&mut over),
        "the 17th connection of one address is closed"
    );
    drop(held);

    let slow: Vec<(std::net::TcpStream, Instant)> = (0..500)
        .map(|i| {
            let source = Ipv4Addr::new(127, 0, 1, 1 + (i / 10) as u8);
            let mut stream = connect_from(&server, source);
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            (stream, Instant::now())
        })
        .collect();
    let dripping = std::thread::spawn(move || {
        let mut open: Vec<(std::net::TcpStream, Instant)> = slow;
        let mut lived = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !open.is_empty() && Instant::now() < deadline {
            open.retain_mut(|(stream, opened)| {
                let _ = stream.write_all(b"a");
                if closed_by_server(stream) {
                    lived.push(opened.elapsed());
                    return false;
                }
                true
            });
            std::thread::sleep(Duration::from_millis(250));
        }
        (lived, open.len())
    });

    let mut latencies: Vec<Duration> = (0..200)
        .map(|_| {
            let started = Instant::now();
            let answer = server.call("GET", "/v1/audit?limit=1", &as_refs(&headers), None);
            assert_eq!(answer.status, 200, "{}", answer.body);
            started.elapsed()
        })
        .collect();
    latencies.sort();
    let (lived, still_open) = dripping.join().unwrap();
    assert_eq!(still_open, 0, "slow connections left open");
    let longest = lived.iter().max().copied().unwrap_or_default();
    eprintln!(
        "500 slow-header connections closed after at most {longest:?} (header timeout {header_timeout:?}); \
         meanwhile 200 audit requests: p50 {:?}, p99 {:?}, max {:?}",
        latencies[100], latencies[197], latencies[199]
    );
    assert!(
        longest >= header_timeout - Duration::from_millis(500),
        "{longest:?}"
    );
    assert!(
        longest < header_timeout + Duration::from_secs(5),
        "{longest:?}"
    );

    let mut keep_alive = connect_from(&server, Ipv4Addr::LOCALHOST);
    keep_alive
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let answered = Instant::now();
    assert!(
        !closed_by_server(&mut keep_alive),
        "answered and kept alive"
    );
    while !closed_by_server(&mut keep_alive) {
        assert!(
            answered.elapsed() < Duration::from_secs(10),
            "idle connection kept"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let idle = answered.elapsed();
    eprintln!("idle keep-alive connection closed after {idle:?} (idle timeout 2 s)");
    assert!(idle >= Duration::from_millis(1500), "{idle:?}");
}

/// Stopping (SIGTERM) stops accepting but finishes the requests in
/// flight: a request whose body is still arriving gets its answer.
#[test]
fn shutdown_finishes_requests_in_flight() {
    use std::io::{Read, Write};
    let mut server = Server::start();
    let mut stream = connect_from(&server, std::net::Ipv4Addr::LOCALHOST);
    let body = br#"{"accessKey":"AKnobody","secretKey":"SKnothing"}"#;
    write!(
        stream,
        "POST /v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let stopping = std::thread::spawn(move || {
        let started = Instant::now();
        let status = server.terminate();
        (status, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(500));
    stream.write_all(&body[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.contains("\"40102\""), "{answer}");
    let (status, took) = stopping.join().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}
