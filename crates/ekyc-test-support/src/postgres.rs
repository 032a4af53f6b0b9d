//! A real PostgreSQL server for tests: Debian's `postgresql` binaries,
//! a fresh cluster in a temporary directory, on a free loopback port,
//! stopped when dropped. As root (CI containers), the server runs as the
//! `postgres` user, since PostgreSQL refuses to run as root.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const USER: &str = "ekyc";

/// A throwaway PostgreSQL server of the test's own, stopped on drop.
pub struct TestPostgres {
    child: Option<Child>,
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    run_as: Option<(u32, u32)>,
}

/// The newest installed `/usr/lib/postgresql/<version>/bin`.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|bin| bin.join("initdb").is_file());
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop().unwrap_or_else(|| {
        panic!("PostgreSQL is not installed (scripts/setup.sh installs the `postgresql` package)")
    })
}

fn postgres_ids() -> (u32, u32) {
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .expect("id");
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .expect("the postgres user exists")
    };
    (id("-u"), id("-g"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl TestPostgres {
    /// Creates and starts a cluster; panics with the reason if it cannot.
    pub fn start() -> TestPostgres {
        let bin = bin_dir();
        let dir = tempfile::tempdir().expect("temp dir");
        // SAFETY: geteuid has no preconditions.
        let run_as = (unsafe { libc::geteuid() } == 0).then(postgres_ids);
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown");
        }
        let mut server = TestPostgres {
            child: None,
            bin,
            dir,
            port: free_port(),
            run_as,
        };
        let data = server.data_dir();
        let status = server
            .command("initdb")
            .args(["-A", "trust", "-U", USER, "-E", "UTF8", "--no-sync", "-D"])
            .arg(&data)
            .stdout(Stdio::null())
            .status()
            .expect("initdb runs");
        assert!(status.success(), "initdb failed");
        server.resume();
        server
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        match self.run_as {
            Some((uid, gid)) => {
                let mut command = Command::new("setpriv");
                command
                    .arg(format!("--reuid={uid}"))
                    .arg(format!("--regid={gid}"))
                    .arg("--clear-groups")
                    .arg(path);
                command
            }
            None => Command::new(path),
        }
    }

    /// Starts the server (again) and waits until it accepts connections.
    pub fn resume(&mut self) {
        let socket_dir = self.dir.path();
        let child = self
            .command("postgres")
            .arg("-D")
            .arg(self.data_dir())
            .args([
                "-p",
                &self.port.to_string(),
                "-c",
                "listen_addresses=127.0.0.1",
            ])
            .arg("-k")
            .arg(socket_dir)
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(socket_dir.join("postgres.log")).expect("log file"))
            .spawn()
            .expect("postgres starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.is_ready() {
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not start: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A client program of the cluster, pointed at this server.
    fn client(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        command.args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER]);
        command
    }

    fn is_ready(&self) -> bool {
        self.client("pg_isready")
            .arg("-q")
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Stops the server (fast shutdown) and waits for it to exit.
    pub fn pause(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: signalling our own child process.
            unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
            let _ = child.wait();
        }
    }

    /// A new, empty database and its URL.
    pub fn fresh_database(&self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "ekyc_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let status = self
            .client("createdb")
            .arg(&name)
            .status()
            .expect("createdb runs");
        assert!(status.success(), "createdb failed");
        format!("postgres://{USER}@127.0.0.1:{}/{name}", self.port)
    }

    /// What the server logged, for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("postgres.log")).unwrap_or_default()
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
