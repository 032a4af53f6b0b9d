//! `ekyc bench quality`: what each rule of the quality gate buys.
//!
//! A rule is worth a refusal only where refusing improves the decision.
//! The photos of `../shared/data/faces` (identities with two or more) are
//! probed as they are and as a camera might have taken them instead:
//! brighter without losing detail, overexposed with highlights clipped,
//! darker, shadows crushed, out of focus. Each probe goes through the
//! served detection, alignment and embedding, and is compared with the
//! untouched photos of the same and of other identities at the `general`
//! policy. For every condition the benchmark reports how often each rule
//! refuses, and TAR and FMR on the probes it accepts and on those it
//! refuses; then the failure-to-acquire (FTA) of each rule's threshold
//! on the untouched photos and the live NUAA frames.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use ekyc_core::Settings;
use ekyc_face::{
    threshold_for_fmr, Calibration, EngineId, FaceModels, FaceUse, QualityReport,
    QualityThresholds, Template,
};
use ekyc_image::{decode_image_bytes, RgbImage};
use ekyc_runtime::InferencePool;

use crate::fr::cosine_for_score;
use crate::report::print_machine;
use crate::Wiring;

/// The flags of `ekyc bench quality`.
#[derive(Args)]
pub struct QualityBench {
    /// Folder holding faces/ and liveness/.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// LFW photos probed at most (identities with two or more photos, in
    /// labels.csv order); every East-Asian one is.
    #[arg(long, default_value_t = 800)]
    lfw_photos: usize,
}

/// How a probe differs from the photo as taken.
#[derive(Debug, Clone, Copy)]
enum Condition {
    AsTaken,
    /// Gamma 0.5 into 0..245: much brighter, nothing clipped.
    BrightUnclipped,
    /// Every level multiplied and clipped at 255.
    Overexposed(f32),
    /// Every level multiplied down: dark, little crushed.
    Dark(f32),
    /// Levels below `0` of the 0..255 range crushed to black.
    Crushed(u8),
    /// Gaussian blur of this sigma (pixels of the photo).
    Defocused(f32),
}

const CONDITIONS: [Condition; 10] = [
    Condition::AsTaken,
    Condition::BrightUnclipped,
    Condition::Overexposed(1.6),
    Condition::Overexposed(2.2),
    Condition::Overexposed(3.0),
    Condition::Dark(0.35),
    Condition::Crushed(70),
    Condition::Crushed(120),
    Condition::Defocused(1.5),
    Condition::Defocused(3.0),
];

impl Condition {
    fn name(self) -> String {
        match self {
            Self::AsTaken => "as taken".into(),
            Self::BrightUnclipped => "bright, unclipped (gamma 0.5)".into(),
            Self::Overexposed(k) => format!("overexposed ×{k}"),
            Self::Dark(k) => format!("dark ×{k}"),
            Self::Crushed(level) => format!("shadows < {level} crushed"),
            Self::Defocused(sigma) => format!("defocused σ {sigma}"),
        }
    }

    fn apply(self, image: &RgbImage) -> RgbImage {
        let map = |f: &dyn Fn(f32) -> f32| {
            let mut out = image.clone();
            out.pixels_mut()
                .for_each(|p| p.0 = p.0.map(|c| f(f32::from(c)).round().clamp(0.0, 255.0) as u8));
            out
        };
        match self {
            Self::AsTaken => image.clone(),
            Self::BrightUnclipped => map(&|v| 245.0 * (v / 255.0).sqrt()),
            Self::Overexposed(k) => map(&|v| v * k),
            Self::Dark(k) => map(&|v| v * k),
            Self::Crushed(level) => {
                let level = f32::from(level);
                map(&|v| (v - level) * 255.0 / (255.0 - level))
            }
            Self::Defocused(sigma) => image::imageops::blur(image, sigma),
        }
    }
}

struct Photo {
    identity: String,
    east_asian: bool,
    file: PathBuf,
}

/// One probe through the served pipeline: `None` when no face was found.
type Probe = Option<(QualityReport, Vec<Template>)>;

/// Every photo probed under every condition through the served pipeline,
/// then each rule's refusals and their effect on the decision.
pub(crate) async fn run(
    wiring: &dyn Wiring,
    settings: &Settings,
    bench: &QualityBench,
) -> anyhow::Result<()> {
    let pool = Arc::new(wiring.start_face_pool(settings)?);
    print_machine(pool.threads());
    let served = wiring.face_options(settings).quality;
    let photos = photos(&bench.data.join("faces"), bench.lfw_photos)?;
    println!(
        "probes: {} photos × {} conditions",
        photos.len(),
        CONDITIONS.len()
    );
    let probes = probe_all(&pool, settings, &photos).await?;
    let thresholds = general_thresholds()?;
    for (engine_index, engine) in EngineId::ALL.into_iter().enumerate() {
        println!(
            "\n== {engine}: general policy (cos ≥ {:.4}), probes against the untouched photos ==",
            thresholds[engine_index]
        );
        for (c, condition) in CONDITIONS.iter().enumerate() {
            report_condition(
                &photos,
                &probes,
                c,
                engine_index,
                thresholds[engine_index],
                &served,
                &condition.name(),
            );
        }
    }
    let live = live_frames(&pool, settings, &bench.data.join("liveness")).await?;
    report_sweeps(&photos, &probes, &live, &thresholds, &served);
    Ok(())
}

/// Photos of identities with at least two, so each has a genuine pair.
fn photos(faces: &Path, lfw_limit: usize) -> anyhow::Result<Vec<Photo>> {
    let labels = std::fs::read_to_string(faces.join("labels.csv"))
        .with_context(|| format!("no labels.csv in {}", faces.display()))?;
    let rows: Vec<(String, String)> = labels
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split(',');
            Some((fields.next()?.to_owned(), fields.next()?.to_owned()))
        })
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, identity) in &rows {
        *counts.entry(identity).or_default() += 1;
    }
    let mut lfw = 0;
    let mut photos = Vec::new();
    for (path, identity) in &rows {
        if counts[identity.as_str()] < 2 {
            continue;
        }
        let east_asian = !identity.starts_with("lfw:");
        if !east_asian {
            if lfw >= lfw_limit {
                continue;
            }
            lfw += 1;
        }
        photos.push(Photo {
            identity: identity.clone(),
            east_asian,
            file: faces.join(path),
        });
    }
    Ok(photos)
}

/// Every photo under every condition, through the served detection,
/// alignment and embedding (no gate: the benchmark applies the rules).
async fn probe_all(
    pool: &Arc<InferencePool<FaceModels>>,
    settings: &Settings,
    photos: &[Photo],
) -> anyhow::Result<Vec<Vec<Probe>>> {
    let limits = settings.server.intake();
    let mut jobs = Vec::new();
    for photo in photos {
        let (bytes, pool) = (std::fs::read(&photo.file)?, pool.clone());
        jobs.push(tokio::spawn(async move {
            run_until_queued(&pool, move |models| {
                let image = decode_image_bytes(&bytes, &limits).ok()?.rgb;
                Some(
                    CONDITIONS
                        .iter()
                        .map(|c| probe(models, &c.apply(&image)))
                        .collect::<Vec<Probe>>(),
                )
            })
            .await
        }));
    }
    let mut probes = Vec::new();
    for job in jobs {
        probes.push(job.await??.unwrap_or_else(|| vec![None; CONDITIONS.len()]));
    }
    Ok(probes)
}

fn probe(models: &mut FaceModels, image: &RgbImage) -> Probe {
    let face = models.presenter_face(image).ok()?;
    let aligned = models.align(image, face);
    let templates = models.embed_all(&aligned.aligned);
    (templates.len() == EngineId::ALL.len()).then_some((aligned.quality, templates))
}

/// Runs a job on the pool, waiting while its queue is full.
async fn run_until_queued<R: Send + 'static>(
    pool: &InferencePool<FaceModels>,
    job: impl FnOnce(&mut FaceModels) -> R + Send + Clone + 'static,
) -> anyhow::Result<R> {
    loop {
        match pool.run(job.clone()).await {
            Err(ekyc_runtime::PoolError::Busy) => {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await
            }
            other => return Ok(other?),
        }
    }
}

/// The quality of the presenter's face on every live NUAA frame.
async fn live_frames(
    pool: &Arc<InferencePool<FaceModels>>,
    settings: &Settings,
    liveness: &Path,
) -> anyhow::Result<Vec<Option<QualityReport>>> {
    let labels = std::fs::read_to_string(liveness.join("labels.csv"))
        .with_context(|| format!("no labels.csv in {}", liveness.display()))?;
    let limits = settings.server.intake();
    let mut jobs = Vec::new();
    for line in labels.lines().skip(1).filter(|l| l.contains(",live,")) {
        let Some(path) = line.split(',').next() else {
            continue;
        };
        let (bytes, pool) = (std::fs::read(liveness.join(path))?, pool.clone());
        jobs.push(tokio::spawn(async move {
            run_until_queued(&pool, move |models| {
                let image = decode_image_bytes(&bytes, &limits).ok()?.rgb;
                let face = models.presenter_face(&image).ok()?;
                Some(models.align(&image, face).quality)
            })
            .await
        }));
    }
    let mut reports = Vec::new();
    for job in jobs {
        reports.push(job.await??);
    }
    Ok(reports)
}

/// Each engine's cosine at the `general` policy's score threshold.
fn general_thresholds() -> anyhow::Result<Vec<f32>> {
    let calibrations = Calibration::builtin()?;
    let manifest = ekyc_runtime::Manifest::builtin()?;
    let score = threshold_for_fmr(1e-4);
    EngineId::ALL
        .into_iter()
        .map(|engine| {
            let version = ekyc_face::model_version(&manifest, engine)?;
            let calibration = calibrations
                .iter()
                .find(|c| c.engine == engine.name() && c.model_version == version)
                .context("no calibration for the engine's model")?;
            Ok(cosine_for_score(calibration, score))
        })
        .collect()
}

/// Matches and trials of genuine and impostor comparisons.
#[derive(Default, Clone, Copy)]
struct Tally {
    genuine: (usize, usize),
    impostor: (usize, usize),
    /// The genuine pairs again, with each probe as taken.
    as_taken: (usize, usize),
}

impl Tally {
    fn add(&mut self, genuine: bool, matched: bool) {
        let slot = if genuine {
            &mut self.genuine
        } else {
            &mut self.impostor
        };
        slot.0 += usize::from(matched);
        slot.1 += 1;
    }

    fn rates(&self) -> String {
        let rate = |(hits, total): (usize, usize)| hits as f64 / total.max(1) as f64;
        format!(
            "TAR {:6.2} % ({:>5}; as taken {:6.2} %) FMR {:.1e} ({} pairs)",
            100.0 * rate(self.genuine),
            self.genuine.1,
            100.0 * rate(self.as_taken),
            rate(self.impostor),
            self.impostor.1
        )
    }
}

/// Tallies of probes under `condition` against the untouched photos,
/// split by `accept` (the gate under test).
fn tallies(
    photos: &[Photo],
    probes: &[Vec<Probe>],
    condition: usize,
    engine: usize,
    threshold: f32,
    accept: &dyn Fn(&QualityReport) -> bool,
) -> (Tally, Tally) {
    let (mut accepted, mut refused) = (Tally::default(), Tally::default());
    for (i, probe) in probes.iter().enumerate() {
        let Some((quality, templates)) = &probe[condition] else {
            continue;
        };
        let tally = if accept(quality) {
            &mut accepted
        } else {
            &mut refused
        };
        for (j, reference) in probes.iter().enumerate() {
            let Some((_, references)) = &reference[0] else {
                continue;
            };
            if i == j {
                continue;
            }
            let cosine = ekyc_face::cosine(&templates[engine].vector, &references[engine].vector);
            let genuine = photos[i].identity == photos[j].identity;
            tally.add(genuine, cosine >= threshold);
            // The same genuine pair with the probe as taken: what the
            // condition itself cost these probes, whatever their population.
            if let (true, Some((_, as_taken))) = (genuine, &probe[0]) {
                let cosine =
                    ekyc_face::cosine(&as_taken[engine].vector, &references[engine].vector);
                tally.as_taken.0 += usize::from(cosine >= threshold);
                tally.as_taken.1 += 1;
            }
        }
    }
    (accepted, refused)
}

fn report_condition(
    photos: &[Photo],
    probes: &[Vec<Probe>],
    condition: usize,
    engine: usize,
    threshold: f32,
    served: &QualityThresholds,
    name: &str,
) {
    let found: Vec<&QualityReport> = probes
        .iter()
        .filter_map(|p| p[condition].as_ref().map(|(q, _)| q))
        .collect();
    let mut issues: BTreeMap<&str, usize> = BTreeMap::new();
    for quality in &found {
        for issue in quality.issues(served) {
            *issues.entry(issue.name()).or_default() += 1;
        }
    }
    let refusal_rate = |face_use| {
        let refused = found
            .iter()
            .filter(|q| q.gate(served, face_use).is_err())
            .count();
        100.0 * refused as f64 / found.len().max(1) as f64
    };
    let everything = tallies(photos, probes, condition, engine, threshold, &|_| true).0;
    let clean = tallies(photos, probes, condition, engine, threshold, &|q| {
        q.check(served).is_ok()
    })
    .0;
    let (answered, refused) = tallies(photos, probes, condition, engine, threshold, &|q| {
        q.gate(served, FaceUse::Probe).is_ok()
    });
    let reported = tallies(photos, probes, condition, engine, threshold, &|q| {
        q.gate(served, FaceUse::Probe)
            .is_ok_and(|issues| !issues.is_empty())
    })
    .0;
    println!(
        "  {name:<30} face found {:5.1} %; the gate refuses {:5.1} % as enrolments, {:5.1} % as probes; issues {issues:?}",
        100.0 * found.len() as f64 / probes.len() as f64,
        refusal_rate(FaceUse::Enrolment),
        refusal_rate(FaceUse::Probe),
    );
    println!("    every probe:           {}", everything.rates());
    println!("    without an issue:      {}", clean.rates());
    println!("    answered, issue noted: {}", reported.rates());
    println!("    answered, all:         {}", answered.rates());
    println!("    refused as probes:     {}", refused.rates());
}

/// One rule's threshold: how it splits every probe and what it costs on
/// the photos as taken and on live webcam frames.
fn report_sweeps(
    photos: &[Photo],
    probes: &[Vec<Probe>],
    live: &[Option<QualityReport>],
    thresholds: &[f32],
    served: &QualityThresholds,
) {
    println!("\n== each rule alone: FTA on the untouched sets, TAR/FMR of every condition's probes it refuses (ezway) ==");
    let as_taken: Vec<QualityReport> = probes
        .iter()
        .filter_map(|p| p[0].as_ref().map(|(q, _)| *q))
        .collect();
    let live: Vec<QualityReport> = live.iter().flatten().copied().collect();
    let east_asian: Vec<QualityReport> = probes
        .iter()
        .zip(photos)
        .filter(|(_, photo)| photo.east_asian)
        .filter_map(|(p, _)| p[0].as_ref().map(|(q, _)| *q))
        .collect();
    type Rule = (&'static str, Vec<f32>, fn(&QualityReport, f32) -> bool);
    let rules: [Rule; 5] = [
        (
            "max clipped",
            vec![0.02, 0.05, 0.1, 0.2, 0.3, 0.5],
            |q, t| q.clipped <= t,
        ),
        (
            "max crushed",
            vec![0.02, 0.05, 0.1, 0.2, 0.3, 0.5],
            |q, t| q.crushed <= t,
        ),
        (
            "min sharpness",
            vec![1.0, 2.0, 4.0, 8.0, 15.0, 30.0],
            |q, t| q.sharpness >= t,
        ),
        ("old min brightness", vec![40.0], |q, t| q.brightness >= t),
        ("old max brightness", vec![225.0], |q, t| q.brightness <= t),
    ];
    for (rule, values, accepts) in rules {
        for value in values {
            let fta = |set: &[QualityReport]| {
                100.0 * set.iter().filter(|q| !accepts(q, value)).count() as f64
                    / set.len().max(1) as f64
            };
            let mut refused = Tally::default();
            for condition in 0..CONDITIONS.len() {
                let (_, r) = tallies(photos, probes, condition, 0, thresholds[0], &|q| {
                    accepts(q, value)
                });
                refused.genuine.0 += r.genuine.0;
                refused.genuine.1 += r.genuine.1;
                refused.impostor.0 += r.impostor.0;
                refused.impostor.1 += r.impostor.1;
                refused.as_taken.0 += r.as_taken.0;
                refused.as_taken.1 += r.as_taken.1;
            }
            println!(
                "  {rule:<18} {value:>6}: FTA as taken {:5.2} % (East-Asian {:5.2} %), live NUAA {:5.2} %; refused probes: {}",
                fta(&as_taken),
                fta(&east_asian),
                fta(&live),
                refused.rates()
            );
        }
    }
    for face_use in [FaceUse::Enrolment, FaceUse::Probe] {
        let served_fta = |set: &[QualityReport]| {
            100.0
                * set
                    .iter()
                    .filter(|q| q.gate(served, face_use).is_err())
                    .count() as f64
                / set.len().max(1) as f64
        };
        println!(
            "  served gate, {face_use:?}: FTA as taken {:.2} % (East-Asian {:.2} %), live NUAA {:.2} % ({} frames with a face)",
            served_fta(&as_taken),
            served_fta(&east_asian),
            served_fta(&live),
            live.len()
        );
    }
}
