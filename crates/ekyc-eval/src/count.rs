//! `ekyc bench count`: latency and throughput of decode + detect, the work
//! behind `POST /v1/fr/count`, measured in-process through the same
//! inference pool the server uses (HTTP adds well under a millisecond on
//! loopback and is left out so the figure is about the pipeline).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Args;
use ekyc_core::Settings;

use crate::photos::load_photos;
use crate::progress;
use crate::report::{print_machine, report};
use crate::served::ServedFaces;
use crate::Wiring;

/// The flags of `ekyc bench count`.
#[derive(Args)]
pub struct CountBench {
    /// Folder searched recursively for .jpg/.jpeg/.png files.
    #[arg(long, default_value = "../shared/data/liveness/nuaa")]
    images: PathBuf,
    /// Number of requests per measurement.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Concurrent clients for the throughput measurement.
    #[arg(long, default_value_t = 2)]
    concurrency: usize,
}

/// One client, then `concurrency` clients, counting faces through the
/// served `count`.
pub(crate) async fn run(
    wiring: &dyn Wiring,
    settings: &Settings,
    bench: &CountBench,
) -> anyhow::Result<()> {
    let CountBench {
        images,
        requests,
        concurrency,
    } = bench;
    let (requests, concurrency) = (*requests, *concurrency);
    let photos = load_photos(images, requests)?;
    let served = Arc::new(ServedFaces::start(wiring, settings).await?);
    print_machine(served.service.threads());
    println!("images: {} files from {}", photos.len(), images.display());

    for photo in photos.iter().take(5) {
        served.service.count(photo.to_string()).await?;
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut faces = 0;
    let bar = progress::steps(requests as u64, "one client");
    for photo in photos.iter().cycle().take(requests) {
        let started = Instant::now();
        faces += served.service.count(photo.to_string()).await?.len();
        latencies.push(started.elapsed());
        bar.inc(1);
    }
    bar.finish_and_clear();
    report("single client", &mut latencies, requests, None);
    println!("  faces found: {faces} in {requests} images");

    let started = Instant::now();
    let mut clients = Vec::new();
    let bar = progress::steps(
        (requests / concurrency * concurrency) as u64,
        &format!("{concurrency} clients"),
    );
    for client in 0..concurrency {
        let (served, photos, bar) = (served.clone(), photos.clone(), bar.clone());
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
                served.service.count(photo.to_string()).await?;
                own.push(t.elapsed());
                bar.inc(1);
            }
            anyhow::Ok(own)
        }));
    }
    let mut all = Vec::new();
    for client in clients {
        all.extend(client.await??);
    }
    bar.finish_and_clear();
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
