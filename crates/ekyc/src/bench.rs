//! `ekyc bench count`: latency and throughput of decode + detect, the work
//! behind `POST /v1/fr/count`, measured in-process through the same
//! inference pool the server uses (HTTP adds well under a millisecond on
//! loopback and is left out so the figure is about the pipeline).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use base64::Engine as _;
use clap::Subcommand;
use ekyc_core::Settings;
use ekyc_face::FaceModels;
use ekyc_image::{decode_base64_image, IntakeLimits};
use ekyc_runtime::InferencePool;

use crate::serve::{intake_limits, start_face_pool};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Decode + detect on the photos of a folder (e.g. 640×480 NUAA frames).
    Count {
        /// Folder searched recursively for .jpg/.jpeg/.png files.
        #[arg(long, default_value = "../shared/data/liveness/nuaa")]
        images: PathBuf,
        /// Number of requests per measurement.
        #[arg(long, default_value_t = 200)]
        requests: usize,
        /// Concurrent clients for the throughput measurement.
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
    },
}

pub async fn run(settings: &Settings, command: BenchCommand) -> anyhow::Result<()> {
    let BenchCommand::Count {
        images,
        requests,
        concurrency,
    } = command;
    let photos = load_photos(&images, requests)?;
    let pool = Arc::new(start_face_pool(settings)?);
    let limits = intake_limits(settings);
    print_machine(pool.threads());
    println!("images: {} files from {}", photos.len(), images.display());

    for photo in photos.iter().take(5) {
        count_once(&pool, photo.clone(), limits).await?;
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut faces = 0;
    for photo in photos.iter().cycle().take(requests) {
        let started = Instant::now();
        faces += count_once(&pool, photo.clone(), limits).await?;
        latencies.push(started.elapsed());
    }
    report("single client", &mut latencies, requests, None);
    println!("  faces found: {faces} in {requests} images");

    let started = Instant::now();
    let mut clients = Vec::new();
    for client in 0..concurrency {
        let (pool, photos) = (pool.clone(), photos.clone());
        clients.push(tokio::spawn(async move {
            let mut own = Vec::new();
            for photo in photos
                .iter()
                .cycle()
                .skip(client)
                .step_by(concurrency)
                .take(requests / concurrency)
            {
                let t = Instant::now();
                count_once(&pool, photo.clone(), limits).await?;
                own.push(t.elapsed());
            }
            anyhow::Ok(own)
        }));
    }
    let mut all = Vec::new();
    for client in clients {
        all.extend(client.await??);
    }
    let wall = started.elapsed();
    let total = all.len();
    report(
        &format!("{concurrency} concurrent clients"),
        &mut all,
        total,
        Some(wall),
    );
    Ok(())
}

async fn count_once(
    pool: &InferencePool<FaceModels>,
    image: Arc<String>,
    limits: IntakeLimits,
) -> anyhow::Result<usize> {
    let result = pool
        .run(move |models| {
            let decoded = decode_base64_image(&image, &limits).map_err(|e| e.to_string())?;
            models
                .detector
                .detect(&decoded.rgb)
                .map(|f| f.len())
                .map_err(|e| e.to_string())
        })
        .await?;
    result.map_err(|e| anyhow::anyhow!(e))
}

fn load_photos(folder: &Path, limit: usize) -> anyhow::Result<Vec<Arc<String>>> {
    let mut files = Vec::new();
    collect_images(folder, &mut files)
        .with_context(|| format!("cannot read {}", folder.display()))?;
    files.sort();
    if files.is_empty() {
        bail!("no images in {}", folder.display());
    }
    let step = (files.len() / limit.max(1)).max(1);
    files
        .iter()
        .step_by(step)
        .take(limit)
        .map(|f| {
            Ok(Arc::new(
                base64::engine::general_purpose::STANDARD.encode(std::fs::read(f)?),
            ))
        })
        .collect()
}

fn collect_images(folder: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_images(&path, out)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn report(label: &str, latencies: &mut [Duration], requests: usize, wall: Option<Duration>) {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(latencies[((latencies.len() - 1) as f64 * q).round() as usize]);
    let wall = wall.unwrap_or_else(|| latencies.iter().sum());
    println!(
        "{label}: {requests} requests, median {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms, throughput {:.1} req/s",
        at(0.5),
        at(0.95),
        at(0.99),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
        requests as f64 / wall.as_secs_f64()
    );
}

fn print_machine(threads: usize) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "machine: {cpu}, {cores} cores; inference threads: {threads} (one intra-op thread each)"
    );
}
