//! `ekyc`: the eKYC server and its operator commands.

mod admin;
mod bench;
mod models;
mod serve;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ekyc_core::Settings;

#[derive(Parser)]
#[command(
    name = "ekyc",
    version,
    about = "Self-hosted eKYC server: face recognition, liveness, Korean ID OCR"
)]
struct Cli {
    /// Data folder (database, signing key, models); overrides EKYC_DATA_DIR.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// TOML configuration file; every setting can also be an EKYC_* variable.
    #[arg(long, global = true, env = "EKYC_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080 (port 0 picks a free port).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Manage tenants and their tenant tokens.
    #[command(subcommand)]
    Tenant(admin::TenantCommand),
    /// Manage access keys.
    #[command(subcommand)]
    Key(admin::KeyCommand),
    /// Generate a master key or re-wrap tenant keys under a new one.
    #[command(subcommand)]
    MasterKey(admin::MasterKeyCommand),
    /// Fetch and verify model files.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Measure latency and throughput on local images.
    #[command(subcommand)]
    Bench(ekyc_eval::BenchCommand),
}

fn main() -> ExitCode {
    keep_large_allocations_returnable();
    single_threaded_tesseract();
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    if let Some(dir) = cli.data_dir {
        settings.store.data_dir = dir;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Serve { listen } => {
            if let Some(listen) = listen {
                settings.server.listen = listen;
            }
            runtime.block_on(serve::serve(settings))
        }
        Command::Tenant(command) => runtime.block_on(admin::tenant(&settings, command)),
        Command::Key(command) => runtime.block_on(admin::key(&settings, command)),
        Command::MasterKey(command) => runtime.block_on(admin::master_key(&settings, command)),
        Command::Models(command) => models::run(&settings, command),
        Command::Bench(command) => {
            runtime.block_on(ekyc_eval::run(&bench::ServerWiring, &settings, command))
        }
    }
}

/// glibc raises its mmap threshold each time a large block is freed, after
/// which Argon2's 19 MiB blocks and decoded images are carved from
/// per-thread heaps that never shrink: under a burst of token requests
/// the server kept ~460 MiB. A fixed 1 MiB threshold keeps such blocks
/// mmapped, so they go back to the system when freed.
fn keep_large_allocations_returnable() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Tesseract's OpenMP threads spin against the inference pool's own
/// threads: on two cores a line took three times longer with them. The
/// pool already runs one job per core, so each Tesseract call gets one
/// thread. libgomp reads the variable when Tesseract is loaded, later.
fn single_threaded_tesseract() {
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        // SAFETY: called first thing in main, before any other thread
        // exists, so nothing can read the environment concurrently.
        unsafe { std::env::set_var("OMP_THREAD_LIMIT", "1") };
    }
}

/// Logs go to stderr (stdout carries command output); `RUST_LOG` filters.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,ort=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
