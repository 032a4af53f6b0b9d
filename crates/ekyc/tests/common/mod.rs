//! A real `ekyc` server process on a loopback port, with its own data dir,
//! and a small HTTP client for it.
//!
//! Shared by several test crates, each of which uses only part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Cursor};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

/// The signing key the test servers use, so tests can mint tokens.
pub const SIGNING_KEY: [u8; 32] = [42u8; 32];
/// The master key the test servers seal templates under.
pub const MASTER_KEY: [u8; 32] = [7u8; 32];

pub struct Server {
    child: Child,
    /// The PostgreSQL this server stores into, when the tests run on it
    /// (`EKYC_TEST_BACKEND=postgres`); shared with its siblings.
    postgres: Option<Arc<ekyc_test_support::TestPostgres>>,
    pub base: String,
    data_dir: PathBuf,
    /// Removes the data dir when the server that created it goes.
    _owned_dir: Option<tempfile::TempDir>,
    extra_env: Vec<(String, String)>,
}

/// Credentials of one tenant, as `ekyc tenant create --json` prints them.
pub struct Tenant {
    pub tenant_id: String,
    pub tenant_token: String,
    pub access_key: String,
    pub secret_key: String,
}

/// One HTTP answer.
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub request_id: Option<String>,
    pub retry_after: Option<String>,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

impl Server {
    pub fn start() -> Server {
        Self::start_with(&[])
    }

    /// A server with extra environment. Unless it names its own
    /// `EKYC_DATABASE_URL`, it stores into SQLite, or into a PostgreSQL
    /// of its own when `EKYC_TEST_BACKEND=postgres`.
    pub fn start_with(env: &[(&str, &str)]) -> Server {
        let owned = tempfile::tempdir().unwrap();
        let names_database = env.iter().any(|(k, _)| *k == "EKYC_DATABASE_URL");
        let postgres = (!names_database && on_postgres())
            .then(|| Arc::new(ekyc_test_support::TestPostgres::start()));
        let mut env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(postgres) = &postgres {
            env.push(("EKYC_DATABASE_URL".into(), postgres.fresh_database()));
        }
        let mut server = Self::start_in(owned.path(), env);
        server._owned_dir = Some(owned);
        server.postgres = postgres;
        server
    }

    /// A second server process on the same data dir and database.
    pub fn sibling(&self, env: &[(&str, &str)]) -> Server {
        let mut all = self.extra_env.clone();
        all.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut sibling = Self::start_in(&self.data_dir, all);
        sibling.postgres = self.postgres.clone();
        sibling
    }

    fn start_in(data_dir: &Path, extra_env: Vec<(String, String)>) -> Server {
        let mut command = ekyc(data_dir, &extra_env);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let log = std::fs::File::create(data_dir.join(format!("server-{nanos}.log"))).unwrap();
        command
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(log);
        let mut child = command.spawn().unwrap();
        let mut first_line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first_line)
            .unwrap();
        let address = first_line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("server did not start: {first_line:?}"))
            .to_owned();
        Server {
            child,
            postgres: None,
            base: format!("http://{address}"),
            data_dir: data_dir.to_owned(),
            _owned_dir: None,
            extra_env,
        }
    }

    /// Asks the server to stop (SIGTERM) and waits for it to exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        // SAFETY: signalling our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        self.child.wait().unwrap()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// What the servers on this data dir have logged so far.
    pub fn log(&self) -> String {
        std::fs::read_dir(&self.data_dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect()
    }

    /// Runs an `ekyc` CLI command against this server's data dir.
    pub fn cli(&self, args: &[&str]) -> std::process::Output {
        ekyc(&self.data_dir, &self.extra_env)
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs a CLI command that prints one JSON object.
    pub fn cli_json(&self, args: &[&str]) -> Value {
        let output = self.cli(args);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    pub fn create_tenant(&self, name: &str) -> Tenant {
        let created = self.cli_json(&["tenant", "create", "--name", name, "--json"]);
        let field = |k: &str| created[k].as_str().unwrap().to_owned();
        Tenant {
            tenant_id: field("tenantId"),
            tenant_token: field("tenantToken"),
            access_key: field("accessKey"),
            secret_key: field("secretKey"),
        }
    }

    pub fn access_token(&self, tenant: &Tenant) -> String {
        let answer = self.post(
            "/v1/auth/token",
            &[],
            &json!({"accessKey": tenant.access_key, "secretKey": tenant.secret_key}).to_string(),
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body["accessToken"].as_str().unwrap().to_owned()
    }

    pub fn post(&self, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        self.call("POST", path, headers, Some(body))
    }

    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(120))
            .build();
        let mut request = agent.request(method, &format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.set(name, value);
        }
        let result = match body {
            Some(body) => request
                .set("Content-Type", "application/json")
                .send_string(body),
            None => request.call(),
        };
        let response = match result {
            Ok(response) => response,
            Err(ureq::Error::Status(_, response)) => response,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let status = response.status();
        let request_id = response.header("x-request-id").map(str::to_owned);
        let retry_after = response.header("retry-after").map(str::to_owned);
        let text = response.into_string().unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            body,
            request_id,
            retry_after,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether the API tests run on PostgreSQL (`EKYC_TEST_BACKEND=postgres`).
pub fn on_postgres() -> bool {
    std::env::var("EKYC_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// The `ekyc` binary with a data dir, the verified models and the test key.
pub fn ekyc(data_dir: &Path, extra_env: &[(String, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ekyc"));
    command
        .env("EKYC_DATA_DIR", data_dir)
        .env("EKYC_MODEL_DIR", ekyc_test_support::model_dir())
        .env("EKYC_SIGNING_KEY", STANDARD.encode(SIGNING_KEY))
        .env("EKYC_MASTER_KEY", STANDARD.encode(MASTER_KEY))
        .env("RUST_LOG", "info");
    for (k, v) in extra_env {
        command.env(k, v);
    }
    command
}

/// Reads a raw HTTP answer until its JSON body is complete (or the
/// connection ends), for tests that write requests by hand.
pub fn read_answer(stream: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buffer) {
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buffer[..n]);
        if response.windows(9).any(|w| w == b"\"trxId\":\"") && response.ends_with(b"}") {
            break;
        }
    }
    String::from_utf8_lossy(&response).into_owned()
}

/// Sends `request` as written (for requests no HTTP client would form)
/// on a connection of its own, and parses the answer.
pub fn raw_exchange(server: &Server, request: &[u8]) -> Answer {
    use std::io::{Read, Write};
    let address = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.trim().to_owned())
    };
    Answer {
        status: head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        body: serde_json::from_str(body).unwrap_or(Value::String(body.to_owned())),
        request_id: header("x-request-id"),
        retry_after: header("retry-after"),
    }
}

/// Headers of an authenticated call.
pub fn auth_headers(access_token: &str, tenant_token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Authorization", format!("Bearer {access_token}")),
        ("X-Tenant-Token", tenant_token.to_owned()),
    ]
}

pub fn as_refs<'a>(headers: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    headers.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn image_json(bytes: &[u8]) -> String {
    json!({"image": b64(bytes)}).to_string()
}

pub fn encode(image: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// Two photos of one person and one of another.
pub fn same_and_other() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let data = ekyc_test_support::shared_data().join("faces");
    let read = |p: &str| std::fs::read(data.join(p)).unwrap();
    (
        read("lfw/Abdullah/Abdullah_0001.jpg"),
        read("lfw/Abdullah/Abdullah_0002.jpg"),
        read("lfw/Aaron_Guiel/Aaron_Guiel_0001.jpg"),
    )
}

/// Headers of a call by a fresh access token of `tenant`.
pub fn authed(server: &Server, tenant: &Tenant) -> Vec<(&'static str, String)> {
    auth_headers(&server.access_token(tenant), &tenant.tenant_token)
}

pub fn lfw(count: usize) -> Vec<PathBuf> {
    ekyc_test_support::lfw_faces(count)
}
