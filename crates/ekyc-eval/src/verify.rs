//! `ekyc bench verify`: end-to-end verify latency per engine, stage by
//! stage, and its throughput from two clients, through the served use
//! case.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Args;
use ekyc_core::Settings;
use ekyc_face::{EngineId, Policy};
use ekyc_face_service::{FaceServiceError, Spent, Stage, Stages};
use ekyc_store::UserCode;

use crate::photos::load_photos;
use crate::progress;
use crate::report::{print_machine, report, summarize};
use crate::served::ServedFaces;
use crate::Wiring;

/// The flags of `ekyc bench verify`.
#[derive(Args)]
pub struct VerifyBench {
    #[arg(long, default_value = "../shared/data/liveness/nuaa/ClientRaw")]
    images: PathBuf,
    #[arg(long, default_value_t = 200)]
    requests: usize,
}

/// Verify latency per engine, through the served use case on one
/// inference thread: the first usable photo is registered, every photo is
/// then verified against it.
pub(crate) async fn run(
    wiring: &dyn Wiring,
    settings: &Settings,
    bench: &VerifyBench,
) -> anyhow::Result<()> {
    let requests = bench.requests;
    let photos = load_photos(&bench.images, requests)?;
    let mut single = settings.clone();
    single.server.inference_workers = 1;
    let served = ServedFaces::start(wiring, &single).await?;
    print_machine(served.service.threads());
    for engine in EngineId::ALL {
        let user = UserCode::new(format!("bench-{engine}"));
        served.enrol_first_usable(&photos, &user, engine).await?;
        let mut latencies = Vec::new();
        let mut stages: Vec<Stages> = Vec::new();
        let mut matches = 0;
        let mut refusals: BTreeMap<String, usize> = Default::default();
        let bar = progress::steps(requests as u64, engine.name());
        for photo in photos.iter().cycle().take(requests) {
            let started = Instant::now();
            let outcome = served
                .service
                .verify(&served.tenant_id, &user, photo.to_string(), Policy::General)
                .await;
            latencies.push(started.elapsed());
            bar.inc(1);
            match outcome {
                Ok(matched) => {
                    matches += usize::from(matched.decision.is_match);
                    stages.push(matched.stages);
                }
                Err(e) => *refusals.entry(refusal(&e)).or_default() += 1,
            }
        }
        bar.finish_and_clear();
        println!(
            "verify {engine}: {requests} requests, {} ({matches} matched the first photo; refused: {refusals:?})",
            summarize(&mut latencies)
        );
        report_stages(&stages);
    }
    verify_throughput(wiring, settings, &photos, requests).await
}

/// Median and tail of each stage over the served requests, in wall time
/// and in the inference thread's processor time.
fn report_stages(stages: &[Stages]) {
    let line = |name: &str, spent: &dyn Fn(&Stages) -> Spent| {
        let mut wall: Vec<Duration> = stages.iter().map(|s| spent(s).wall).collect();
        let mut processor: Vec<Duration> = stages.iter().map(|s| spent(s).processor).collect();
        println!(
            "  {name:<13} wall {}\n  {:<13} processor {}",
            summarize(&mut wall),
            "",
            summarize(&mut processor)
        );
    };
    for stage in Stage::ALL {
        line(stage.name(), &|s| s.of(stage));
    }
    line("all stages", &|s| s.total());
}

/// The reason a served request was refused, for the benchmark's tally.
fn refusal(error: &FaceServiceError) -> String {
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        reason = format!("{reason}: {cause}");
        source = cause.source();
    }
    reason
}

/// Verifies from two concurrent clients on the default pool (one thread
/// per core) and reports the throughput per engine.
async fn verify_throughput(
    wiring: &dyn Wiring,
    settings: &Settings,
    photos: &[Arc<String>],
    requests: usize,
) -> anyhow::Result<()> {
    let served = Arc::new(ServedFaces::start(wiring, settings).await?);
    for engine in EngineId::ALL {
        let user = UserCode::new(format!("bench-{engine}"));
        served.enrol_first_usable(photos, &user, engine).await?;
        let started = Instant::now();
        let mut clients = Vec::new();
        let bar = progress::steps((requests / 2 * 2) as u64, &format!("{engine} x2"));
        for client in 0..2 {
            let (served, user, bar) = (served.clone(), user.clone(), bar.clone());
            let mine: Vec<Arc<String>> = photos
                .iter()
                .cycle()
                .skip(client)
                .step_by(2)
                .take(requests / 2)
                .cloned()
                .collect();
            clients.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                for photo in &mine {
                    let t = Instant::now();
                    // A refusal by the face rules is a served request too.
                    let _outcome = served
                        .service
                        .verify(&served.tenant_id, &user, photo.to_string(), Policy::General)
                        .await;
                    latencies.push(t.elapsed());
                    bar.inc(1);
                }
                latencies
            }));
        }
        let mut all = Vec::new();
        for client in clients {
            all.extend(client.await?);
        }
        bar.finish_and_clear();
        let total = all.len();
        report(
            &format!(
                "verify {engine}, 2 concurrent clients, {} threads",
                served.service.threads()
            ),
            &mut all,
            total,
            Some(started.elapsed()),
        );
    }
    Ok(())
}
