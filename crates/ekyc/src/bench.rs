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
use ekyc_face::{Decision, EngineId, FaceModels, Matcher, Policy, Template};
use ekyc_image::{decode_base64_image, IntakeLimits};
use ekyc_runtime::InferencePool;

use crate::progress;
use crate::serve::{intake_limits, start_face_pool};

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
    let pool = Arc::new(start_face_pool(settings)?);
    let limits = intake_limits(settings);
    print_machine(pool.threads());
    println!("images: {} files from {}", photos.len(), images.display());

    for photo in photos.iter().take(5) {
        count_once(&pool, photo.clone(), limits).await?;
    }
    let mut latencies = Vec::with_capacity(requests);
    let mut faces = 0;
    let bar = progress::steps(requests as u64, "one client");
    for photo in photos.iter().cycle().take(requests) {
        let started = Instant::now();
        faces += count_once(&pool, photo.clone(), limits).await?;
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
        let (pool, photos, bar) = (pool.clone(), photos.clone(), bar.clone());
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

/// The template of the first photo with exactly one usable face.
async fn enrol_first_usable(
    pool: &InferencePool<FaceModels>,
    photos: &[Arc<String>],
    engine: EngineId,
    limits: IntakeLimits,
) -> anyhow::Result<Template> {
    for photo in photos {
        let photo = photo.clone();
        let template = pool
            .run(move |models| {
                let image = decode_base64_image(&photo, &limits).ok()?;
                let face = models.single_usable_face(&image.rgb).ok()?;
                models.embed_first(&[engine], &face.aligned).ok()
            })
            .await?;
        if let Some(template) = template {
            return Ok(template);
        }
    }
    bail!("no photo with exactly one usable face")
}

/// Verify latency per engine: the first usable photo is enrolled, every
/// photo is then verified against it, all on one inference thread.
async fn verify(settings: &Settings, images: &Path, requests: usize) -> anyhow::Result<()> {
    let photos = load_photos(images, requests)?;
    let single = Settings {
        inference_workers: 1,
        ..settings.clone()
    };
    let pool = start_face_pool(&single)?;
    let matcher = Arc::new(crate::serve::matcher(settings)?);
    let limits = intake_limits(settings);
    print_machine(pool.threads());
    for engine in EngineId::ALL {
        let template = enrol_first_usable(&pool, &photos, engine, limits).await?;
        let mut latencies = Vec::new();
        let mut stages: [Vec<Duration>; 4] = Default::default();
        let mut matches = 0;
        let mut refusals: std::collections::BTreeMap<String, usize> = Default::default();
        let bar = progress::steps(requests as u64, engine.name());
        for photo in photos.iter().cycle().take(requests) {
            let started = Instant::now();
            let outcome = verify_once(&pool, photo, &template, &matcher, limits).await?;
            latencies.push(started.elapsed());
            bar.inc(1);
            match outcome {
                Ok((decision, marks)) => {
                    matches += usize::from(decision.is_match);
                    for (stage, mark) in stages.iter_mut().zip(marks) {
                        stage.push(mark);
                    }
                }
                Err(reason) => *refusals.entry(reason).or_default() += 1,
            }
        }
        bar.finish_and_clear();
        println!(
            "verify {engine}: {requests} requests, {} ({matches} matched the first photo; refused: {refusals:?})",
            summarize(&mut latencies)
        );
        for (name, stage) in ["decode", "detect", "align + gate", "embed + decide"]
            .iter()
            .zip(stages.iter_mut())
        {
            println!("  {name:<15} {}", summarize(stage));
        }
    }
    verify_throughput(settings, &photos, requests, &matcher).await
}

/// Verifies from two concurrent clients on the default pool (one thread
/// per core) and reports the throughput per engine.
async fn verify_throughput(
    settings: &Settings,
    photos: &[Arc<String>],
    requests: usize,
    matcher: &Arc<Matcher>,
) -> anyhow::Result<()> {
    let pool = Arc::new(start_face_pool(settings)?);
    let limits = intake_limits(settings);
    for engine in EngineId::ALL {
        let template = Arc::new(enrol_first_usable(&pool, photos, engine, limits).await?);
        let started = Instant::now();
        let mut clients = Vec::new();
        let bar = progress::steps((requests / 2 * 2) as u64, &format!("{engine} x2"));
        for client in 0..2 {
            let (pool, matcher, template, bar) =
                (pool.clone(), matcher.clone(), template.clone(), bar.clone());
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
                    let _outcome = verify_once(&pool, photo, &template, &matcher, limits).await?;
                    latencies.push(t.elapsed());
                    bar.inc(1);
                }
                anyhow::Ok(latencies)
            }));
        }
        let mut all = Vec::new();
        for client in clients {
            all.extend(client.await??);
        }
        bar.finish_and_clear();
        let total = all.len();
        report(
            &format!(
                "verify {engine}, 2 concurrent clients, {} threads",
                pool.threads()
            ),
            &mut all,
            total,
            Some(started.elapsed()),
        );
    }
    Ok(())
}

/// Stage times of one verify: decode, detect, align + gate, embed + decide.
type StageMarks = [Duration; 4];

async fn verify_once(
    pool: &InferencePool<FaceModels>,
    photo: &Arc<String>,
    template: &Template,
    matcher: &Arc<Matcher>,
    limits: IntakeLimits,
) -> anyhow::Result<Result<(Decision, StageMarks), String>> {
    let (photo, reference, matcher, engine) = (
        photo.clone(),
        template.vector.clone(),
        matcher.clone(),
        template.engine,
    );
    Ok(pool
        .run(move |models| {
            let mut marks = [Duration::ZERO; 4];
            let mut lap = Instant::now();
            let mut split = |i: usize| {
                marks[i] = lap.elapsed();
                lap = Instant::now();
            };
            let image = decode_base64_image(&photo, &limits).map_err(|e| e.to_string())?;
            split(0);
            let face = models.sole_face(&image.rgb).map_err(|e| e.to_string())?;
            split(1);
            let face = models.usable(&image.rgb, face).map_err(|e| e.to_string())?;
            split(2);
            let probe = models
                .embed_first(&[engine], &face.aligned)
                .map_err(|e| e.to_string())?;
            let decision = matcher
                .decide(&probe, &reference, Policy::General)
                .map_err(|e| e.to_string())?;
            split(3);
            Ok((decision, marks))
        })
        .await?)
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
