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
use ekyc_core::{Secret, Settings};
use ekyc_face::{EngineId, FaceModels, Policy};
use ekyc_face_service::{FaceService, FaceServiceError, Registration, Spent, Stage, Stages};
use ekyc_runtime::InferencePool;
use ekyc_store::{SqlStore, TenantId, UserCode};
use ekyc_vault::{generate_master_key, Vault};

use crate::admin::{open_auth, open_vault};
use crate::progress;
use crate::serve::{face_service, start_face_pool};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Recognition accuracy, calibration, quality gate and stage latency
    /// on an identity-labelled face set.
    Fr {
        /// Folder with labels.csv (path,identity,population).
        #[arg(long, default_value = "../shared/data/faces")]
        data: PathBuf,
        /// Write the measured calibration here (TOML).
        #[arg(long)]
        write_calibration: Option<PathBuf>,
    },
    /// End-to-end verify (decode, detect, gate, align, embed, decide) per
    /// engine on 640×480 photos.
    Verify {
        #[arg(long, default_value = "../shared/data/liveness/nuaa/ClientRaw")]
        images: PathBuf,
        #[arg(long, default_value_t = 200)]
        requests: usize,
    },
    /// Exact 1:N search latency over synthetic galleries.
    Identify {
        /// Gallery sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "10000,100000,1000000")]
        sizes: Vec<usize>,
        /// Template dimension: 128 for ezway (SFace), 512 for applemango.
        #[arg(long, default_value_t = 128)]
        dim: usize,
        #[arg(long, default_value_t = 50)]
        queries: usize,
    },
    /// Liveness checks: APCER/BPCER, AUC, EER per attack type on
    /// ../shared/data and on simulated screen replays and prints; latency.
    Liveness {
        /// Folder holding liveness/, faces/, mask/ and deepfake/.
        #[arg(long, default_value = "../shared/data")]
        data: PathBuf,
        /// Write every image's scores here (CSV).
        #[arg(long)]
        dump: Option<PathBuf>,
        /// Only these sets (nuaa, screen, print, faces, mask, gan, ciplab).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
    },
    /// ID photo against selfie: faces printed as card portraits and
    /// photographed, compared with other photos of the same and of other
    /// people, through the served compare.
    IdPhoto(crate::bench_idphoto::IdPhotoBench),
    /// What each rule of the face quality gate buys: refusals, and TAR and
    /// FMR of accepted and refused probes, under exposure and focus changes.
    Quality(crate::bench_quality::QualityBench),
    /// ID document OCR on generated cards of every type, photos without a
    /// document and the MRZ specimens: field accuracy, 4040B, latency.
    Ocr(crate::bench_ocr::OcrBench),
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
    match command {
        BenchCommand::Count {
            images,
            requests,
            concurrency,
        } => count(settings, &images, requests, concurrency).await,
        BenchCommand::Fr {
            data,
            write_calibration,
        } => crate::bench_fr::run(settings, &data, write_calibration).await,
        BenchCommand::Liveness { data, dump, only } => {
            crate::bench_liveness::run(settings, &data, dump, &only)
        }
        BenchCommand::Ocr(bench) => crate::bench_ocr::run(settings, &bench),
        BenchCommand::IdPhoto(bench) => crate::bench_idphoto::run(settings, &bench).await,
        BenchCommand::Quality(bench) => crate::bench_quality::run(settings, &bench).await,
        BenchCommand::Verify { images, requests } => verify(settings, &images, requests).await,
        BenchCommand::Identify {
            sizes,
            dim,
            queries,
        } => {
            crate::bench_identify::run(&sizes, dim, queries);
            Ok(())
        }
    }
}

async fn count(
    settings: &Settings,
    images: &Path,
    requests: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    let photos = load_photos(images, requests)?;
    let served = Arc::new(ServedFaces::start(settings).await?);
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

pub(crate) fn collect_images(folder: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
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

/// "median, p95, p99, max" of a set of durations, in milliseconds.
pub(crate) fn summarize(latencies: &mut [Duration]) -> String {
    if latencies.is_empty() {
        return "no samples".to_owned();
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: f64| ms(latencies[((latencies.len() - 1) as f64 * q).round() as usize]);
    format!(
        "median {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.95),
        at(0.99),
        ms(latencies[latencies.len() - 1])
    )
}

fn report(label: &str, latencies: &mut [Duration], requests: usize, wall: Option<Duration>) {
    let wall = wall.unwrap_or_else(|| latencies.iter().sum());
    println!(
        "{label}: {requests} requests, {}, throughput {:.1} req/s",
        summarize(latencies),
        requests as f64 / wall.as_secs_f64()
    );
}

/// The face use cases as `serve` builds them, over a throwaway SQLite
/// store and master key, with one tenant: the benchmarks measure the
/// served path, storage included.
pub(crate) struct ServedFaces {
    pub service: Arc<FaceService>,
    pub tenant_id: TenantId,
    pool: Arc<InferencePool<FaceModels>>,
    store: Arc<SqlStore>,
    vault: Arc<Vault>,
    settings: Settings,
    _data: tempfile::TempDir,
}

impl ServedFaces {
    pub async fn start(settings: &Settings) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let mut settings = settings.clone();
        settings.server.model_dir = Some(settings.model_dir());
        settings.store.data_dir = data.path().to_owned();
        settings.store.database_url = None;
        settings.store.master_key = Some(Secret::new(generate_master_key()));
        settings.store.master_key_file = None;
        // A benchmark verifies one enrolment against strangers hundreds
        // of times; the lockout would refuse all but the first few.
        settings.auth.lockout_after_failures = u32::MAX;
        let pool = Arc::new(start_face_pool(&settings)?);
        let (store, auth) = open_auth(&settings).await?;
        let vault = Arc::new(open_vault(&settings, store.clone())?);
        let tenant = auth.create_tenant("benchmark", None).await?;
        Ok(Self {
            service: Arc::new(face_service(
                &settings,
                pool.clone(),
                store.clone(),
                vault.clone(),
            )?),
            tenant_id: tenant.tenant_id,
            pool,
            store,
            vault,
            settings,
            _data: data,
        })
    }

    /// Another way of serving (engine, fusion) over the same threads and
    /// store: only the service's own settings of `settings` count.
    pub fn service_with(&self, settings: &Settings) -> anyhow::Result<FaceService> {
        let mut served = self.settings.clone();
        served.face.default_engine = settings.face.default_engine;
        served.face.fusion = settings.face.fusion;
        let settings = served;
        face_service(
            &settings,
            self.pool.clone(),
            self.store.clone(),
            self.vault.clone(),
        )
    }

    /// Registers the first photo the service accepts as `user_code`, with
    /// `engine` preferred.
    async fn enrol_first_usable(
        &self,
        photos: &[Arc<String>],
        user_code: &UserCode,
        engine: EngineId,
    ) -> anyhow::Result<()> {
        for photo in photos {
            let registration = Registration {
                user_code: user_code.clone(),
                image: photo.to_string(),
                engine: Some(engine),
                dedupe: false,
            };
            if self
                .service
                .register(&self.tenant_id, registration)
                .await
                .is_ok()
            {
                return Ok(());
            }
        }
        bail!("no photo with exactly one usable face")
    }
}

/// Verify latency per engine, through the served use case on one
/// inference thread: the first usable photo is registered, every photo is
/// then verified against it.
async fn verify(settings: &Settings, images: &Path, requests: usize) -> anyhow::Result<()> {
    let photos = load_photos(images, requests)?;
    let mut single = settings.clone();
    single.server.inference_workers = 1;
    let served = ServedFaces::start(&single).await?;
    print_machine(served.service.threads());
    for engine in EngineId::ALL {
        let user = UserCode::new(format!("bench-{engine}"));
        served.enrol_first_usable(&photos, &user, engine).await?;
        let mut latencies = Vec::new();
        let mut stages: Vec<Stages> = Vec::new();
        let mut matches = 0;
        let mut refusals: std::collections::BTreeMap<String, usize> = Default::default();
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
    verify_throughput(settings, &photos, requests).await
}

/// Median and tail of each stage over the served requests, in wall time
/// and in the inference thread's processor time.
pub(crate) fn report_stages(stages: &[Stages]) {
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
    settings: &Settings,
    photos: &[Arc<String>],
    requests: usize,
) -> anyhow::Result<()> {
    let served = Arc::new(ServedFaces::start(settings).await?);
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

pub(crate) fn print_machine(threads: usize) {
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
