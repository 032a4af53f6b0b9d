//! OpenAPI conformance: schemathesis, with every one of its checks, runs
//! generated requests (valid and invalid, stateful sequences included)
//! against a live server as a real tenant and as the operator, and fails
//! on any answer the committed document does not describe. The document
//! the server serves is the committed one (see `api.rs`), so this holds
//! the repository's `crates/ekyc-http/openapi.json` to what the server does.
//!
//! schemathesis is pinned in `tests/schemathesis/requirements.txt`;
//! `scripts/test.sh` installs it in `.cache/conformance-venv` (or set
//! `EKYC_SCHEMATHESIS` to its binary). `EKYC_CONFORMANCE_SEED` picks
//! another seed than the fixed one.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::*;

const ADMIN_TOKEN: &str = "conformance-admin-token-0123456789abcdef";
const SEED: &str = "20261206";

fn schemathesis() -> PathBuf {
    let binary = std::env::var_os("EKYC_SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join(".cache/conformance-venv/bin/schemathesis"));
    assert!(
        binary.is_file(),
        "schemathesis not found at {} (scripts/test.sh installs it)",
        binary.display()
    );
    binary
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis")
}

#[test]
fn the_server_answers_as_its_openapi_document_says() {
    let schemathesis = schemathesis();
    // Generous request rates: a 429 is documented, but a run that meets
    // mostly 429s tests little else.
    let server = Server::start_with(&[
        ("EKYC_ADMIN_TOKEN", ADMIN_TOKEN),
        ("EKYC_RATE_LIMIT_PER_SECOND", "1000"),
        ("EKYC_RATE_LIMIT_BURST", "1000"),
    ]);
    let tenant = server.create_tenant("conformance");
    let access_token = server.access_token(&tenant);
    let seed = std::env::var("EKYC_CONFORMANCE_SEED").unwrap_or_else(|_| SEED.to_owned());
    let scratch = tempfile::tempdir().unwrap();
    // The tenant's API first: the operator's run deletes tenants it finds.
    for (part, filter) in [
        ("tenant API", "--exclude-tag=admin"),
        ("admin API", "--include-tag=admin"),
    ] {
        let started = Instant::now();
        let output = Command::new(&schemathesis)
            .current_dir(scratch.path())
            .env("SCHEMATHESIS_HOOKS", config_dir().join("checks.py"))
            .env("EKYC_CONFORMANCE_ACCESS_TOKEN", &access_token)
            .env("EKYC_CONFORMANCE_TENANT_TOKEN", &tenant.tenant_token)
            .env("EKYC_CONFORMANCE_ADMIN_TOKEN", ADMIN_TOKEN)
            .arg("--config-file")
            .arg(config_dir().join("schemathesis.toml"))
            .args(["--no-color", "run"])
            .arg(format!("{}/openapi.json", server.base))
            .args(["--checks=all", filter, &format!("--seed={seed}")])
            // One worker: Python 3.11's parser is not safe for
            // hypothesis's concurrent lambda descriptions.
            .arg("--workers=1")
            .output()
            .expect("schemathesis runs");
        let report = String::from_utf8_lossy(&output.stdout);
        let summary = report
            .lines()
            .filter(|l| l.contains("generated,") || l.starts_with('='))
            .collect::<Vec<_>>()
            .join("\n");
        eprintln!(
            "{part}: {:.0} s\n{summary}",
            started.elapsed().as_secs_f64()
        );
        assert!(
            output.status.success(),
            "{part}: schemathesis found the server and its document at odds:\n{report}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
