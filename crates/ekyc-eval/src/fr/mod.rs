//! `ekyc bench fr`: recognition accuracy per engine and population on
//! ../shared/data/faces, the calibration that turns cosines into scores,
//! the quality gate's refusal rate, and latency per stage.
//!
//! Every photo goes through the served detection, alignment and
//! embedding once; the pairs are then scored per engine and fused, and
//! [`calibration`] turns the impostor scores into the served calibration.

mod calibration;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use ekyc_core::Settings;
use ekyc_face::{
    fusion_version, Calibration, EngineId, FaceModels, FaceUse, QualityReport, QualityThresholds,
    Template, FUSION,
};
use ekyc_image::decode_image_bytes;
use ekyc_runtime::InferencePool;

use crate::metrics::{eer, share_at_or_above, threshold_at_fmr};
use crate::population::Population;
use crate::progress;
use crate::report::{print_machine, summarize};
use crate::Wiring;
pub(crate) use calibration::cosine_for_score;
use calibration::{calibrate, calibration_toml, report_policies};

/// The flags of `ekyc bench fr`.
#[derive(Args)]
pub struct FrBench {
    /// Folder with labels.csv (path,identity,population).
    #[arg(long, default_value = "../shared/data/faces")]
    data: PathBuf,
    /// Write the measured calibration here (TOML).
    #[arg(long)]
    write_calibration: Option<PathBuf>,
}

/// One evaluation photo after the pipeline.
struct Sample {
    identity: String,
    population: Population,
    quality: QualityReport,
    /// Each engine's served template (what `register` stores).
    templates: Vec<Template>,
    /// Each engine's served probe embedding (what `verify` compares): the
    /// crop alone, which the variants that are not served also use.
    probes: Vec<Template>,
    /// Each engine's embedding of the crop's mirror image alone, for the
    /// variants that are not served.
    mirrored: Vec<Vec<f32>>,
    stages: Stages,
}

#[derive(Default, Clone, Copy)]
struct Stages {
    decode: Duration,
    detect: Duration,
    align: Duration,
    embed: [Duration; 2],
}

/// Similarities of one engine, split by pair kind.
#[derive(Default)]
struct Scores {
    genuine: Vec<(f32, Population)>,
    impostor_lfw: Vec<f32>,
    impostor_east_asian: Vec<f32>,
    impostor_casia: Vec<f32>,
    impostor_all: Vec<f32>,
}

/// Embeds the dataset once, then reports accuracy and calibration per
/// engine and fused, on every photo and on those the gate accepts.
pub(crate) async fn run(
    wiring: &dyn Wiring,
    settings: &Settings,
    bench: &FrBench,
) -> anyhow::Result<()> {
    let FrBench {
        data,
        write_calibration,
    } = bench;
    let pool = Arc::new(wiring.start_face_pool(settings)?);
    print_machine(pool.threads());
    let (samples, failed) = embed_dataset(&pool, settings, data).await?;
    println!(
        "images: {} embedded, {} failed to enrol (no face found)",
        samples.len(),
        failed
    );
    report_quality(&samples, &wiring.face_options(settings).quality);
    report_stages(&samples);

    let mut calibrations = Vec::new();
    for (index, engine) in EngineId::ALL.into_iter().enumerate() {
        let served = served_vectors(&samples, index);
        let version = samples[0].templates[index].model_version.clone();
        calibrations.push(evaluate(engine.name(), version, &samples, &served));
    }
    let versions: Vec<(EngineId, String)> = samples[0]
        .templates
        .iter()
        .map(|t| (t.engine, t.model_version.clone()))
        .collect();
    let fused = fused_vectors(&samples);
    calibrations.push(evaluate(
        FUSION,
        fusion_version(&versions),
        &samples,
        &fused,
    ));
    report_variants(&samples);
    if let Some(path) = write_calibration {
        std::fs::write(path, calibration_toml(&calibrations))
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("calibration written to {}", path.display());
    }
    let limits = wiring.face_options(settings).quality;
    report_gated(
        samples
            .into_iter()
            .filter(|s| s.quality.check(&limits).is_ok())
            .collect(),
    );
    Ok(())
}

/// Accuracy on the photos the quality gate accepts, as the server meets
/// them: a refused photo is answered 40910 and never enrolled or compared
/// (the refusal rate is reported above).
fn report_gated(accepted: Vec<Sample>) {
    for (index, engine) in EngineId::ALL.into_iter().enumerate() {
        let (templates, probes) = served_vectors(&accepted, index);
        let name = format!("{}, photos the quality gate accepts", engine.name());
        report_accuracy(
            &name,
            &asymmetric_pair_scores(&accepted, &templates, &probes),
        );
    }
    report_variants(&accepted);
}

/// Template and probe vectors, one of each per sample.
type Served = (Vec<Vec<f32>>, Vec<Vec<f32>>);

/// Each sample's served template and probe vectors of the engine at
/// `index`: a pair compares the first photo's template with the second's
/// probe, as verify compares a stored template with a new photo.
fn served_vectors(samples: &[Sample], index: usize) -> Served {
    samples
        .iter()
        .map(|s| {
            (
                s.templates[index].vector.clone(),
                s.probes[index].vector.clone(),
            )
        })
        .unzip()
}

/// Both engines' served vectors fused (see [`fused`]).
fn fused_vectors(samples: &[Sample]) -> Served {
    samples
        .iter()
        .map(|s| (fused(&s.templates), fused(&s.probes)))
        .unzip()
}

async fn embed_dataset(
    pool: &Arc<InferencePool<FaceModels>>,
    settings: &Settings,
    data: &Path,
) -> anyhow::Result<(Vec<Sample>, usize)> {
    let labels = std::fs::read_to_string(data.join("labels.csv"))
        .with_context(|| format!("no labels.csv in {}", data.display()))?;
    let limits = settings.server.intake();
    let mut jobs = Vec::new();
    for line in labels.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let [path, identity, _] = fields[..] else {
            continue;
        };
        let population = Population::of(identity);
        let (file, identity, pool) = (data.join(path), identity.to_owned(), pool.clone());
        jobs.push(tokio::spawn(async move {
            let bytes = std::fs::read(&file)?;
            loop {
                let bytes = bytes.clone();
                let identity = identity.clone();
                match pool
                    .run(move |models| embed_one(models, &bytes, &limits, identity, population))
                    .await
                {
                    Err(ekyc_runtime::PoolError::Busy) => {
                        tokio::time::sleep(Duration::from_millis(5)).await
                    }
                    other => return anyhow::Ok(other?),
                }
            }
        }));
    }
    let total = jobs.len();
    let mut samples = Vec::new();
    let bar = progress::steps(total as u64, "faces");
    for job in jobs {
        if let Some(sample) = job.await?? {
            samples.push(sample);
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let failed = total - samples.len();
    Ok((samples, failed))
}

fn embed_one(
    models: &mut FaceModels,
    bytes: &[u8],
    limits: &ekyc_image::IntakeLimits,
    identity: String,
    population: Population,
) -> Option<Sample> {
    let mut stages = Stages::default();
    let t = Instant::now();
    let image = decode_image_bytes(bytes, limits).ok()?.rgb;
    stages.decode = t.elapsed();
    let t = Instant::now();
    let faces = models.presenter_candidates(&image).ok()?;
    let labelled = labelled_face(faces, image.dimensions())?;
    let located = models.located(&image, labelled).ok()?;
    stages.detect = t.elapsed();
    let t = Instant::now();
    let face = models.align(&image, located);
    stages.align = t.elapsed();
    let (mut templates, mut probes) = (Vec::new(), Vec::new());
    for (index, engine) in EngineId::ALL.into_iter().enumerate() {
        templates.push(
            models
                .embed_first(&[engine], &face.aligned, FaceUse::Enrolment)
                .ok()?,
        );
        let t = Instant::now();
        probes.push(
            models
                .embed_first(&[engine], &face.aligned, FaceUse::Probe)
                .ok()?,
        );
        stages.embed[index] = t.elapsed();
    }
    let flipped = image::imageops::flip_horizontal(&face.aligned);
    let mirrored = models.embed_views(&flipped).ok()?;
    Some(Sample {
        identity,
        population,
        quality: face.quality,
        templates,
        probes,
        mirrored,
        stages,
    })
}

/// Accuracy of one served scoring, and its calibration.
fn evaluate(name: &str, version: String, samples: &[Sample], served: &Served) -> Calibration {
    let scores = asymmetric_pair_scores(samples, &served.0, &served.1);
    report_accuracy(name, &scores);
    let calibration = calibrate(name, version, &scores);
    report_policies(&calibration, &scores);
    calibration
}

fn unit(vector: Vec<f32>) -> Vec<f32> {
    let norm = vector
        .iter()
        .map(|x| x * x)
        .sum::<f32>()
        .sqrt()
        .max(f32::EPSILON);
    vector.into_iter().map(|x| x / norm).collect()
}

/// Both engines' unit vectors, concatenated and scaled: the dot product of
/// two is the mean of the engines' cosines, as the server's fusion scores.
fn fused(templates: &[Template]) -> Vec<f32> {
    unit(
        templates
            .iter()
            .flat_map(|t| t.vector.iter().copied())
            .collect(),
    )
}

/// How a variant makes one vector of a sample.
type Embedding<'a> = dyn Fn(&Sample) -> Vec<f32> + 'a;

/// Accuracy of the embedding variants that are not served, to show what
/// mirror averaging does per engine: the crop alone where the engine
/// averages the mirror image, crop and mirror averaged where it does not;
/// fused, with neither engine averaging and with both; and probes
/// averaged like the templates where an engine averages them.
fn report_variants(samples: &[Sample]) {
    let crop = |s: &Sample, e: usize| s.probes[e].vector.clone();
    let averaged = |s: &Sample, e: usize| {
        unit(
            s.probes[e]
                .vector
                .iter()
                .zip(&s.mirrored[e])
                .map(|(a, b)| a + b)
                .collect(),
        )
    };
    let fuse = |a: Vec<f32>, b: Vec<f32>| unit(a.into_iter().chain(b).collect());
    let mut variants: Vec<(String, Box<Embedding<'_>>)> = Vec::new();
    for (index, engine) in EngineId::ALL.into_iter().enumerate() {
        variants.push(if engine.embedder().averages_mirror() {
            (
                format!("{engine}, crop alone"),
                Box::new(move |s| crop(s, index)),
            )
        } else {
            (
                format!("{engine} + mirror"),
                Box::new(move |s| averaged(s, index)),
            )
        });
    }
    variants.push((
        "fusion, crops alone".to_owned(),
        Box::new(move |s| fuse(crop(s, 0), crop(s, 1))),
    ));
    variants.push((
        "fusion, both engines + mirror".to_owned(),
        Box::new(move |s| fuse(averaged(s, 0), averaged(s, 1))),
    ));
    for (name, make) in variants {
        let vectors: Vec<Vec<f32>> = samples.iter().map(make.as_ref()).collect();
        report_accuracy(&name, &pair_scores(samples, &vectors));
    }
    for (index, engine) in EngineId::ALL.into_iter().enumerate() {
        if engine.embedder().averages_mirror() {
            let both: Vec<Vec<f32>> = samples.iter().map(|s| averaged(s, index)).collect();
            report_accuracy(
                &format!("{engine}, probes also crop + mirror"),
                &pair_scores(samples, &both),
            );
        }
    }
}

/// The face the dataset labels: its photos are centred on the person
/// (LFW's background often holds other, sometimes larger, faces), so the
/// detected face nearest the centre.
fn labelled_face(
    faces: Vec<ekyc_face::Face>,
    (width, height): (u32, u32),
) -> Option<ekyc_face::Face> {
    let centre = [width as f32 / 2.0, height as f32 / 2.0];
    let distance = |f: &ekyc_face::Face| {
        let [x, y] = f.bbox.centre();
        (x - centre[0]).hypot(y - centre[1])
    };
    faces
        .into_iter()
        .min_by(|a, b| distance(a).total_cmp(&distance(b)))
}

fn pair_scores(samples: &[Sample], vectors: &[Vec<f32>]) -> Scores {
    asymmetric_pair_scores(samples, vectors, vectors)
}

/// Every pair's cosine between the first photo's `enrolled` vector and the
/// second's `probes` vector: how a stored template meets a probe made
/// another way.
fn asymmetric_pair_scores(
    samples: &[Sample],
    enrolled: &[Vec<f32>],
    probes: &[Vec<f32>],
) -> Scores {
    let mut scores = Scores::default();
    for (i, a) in samples.iter().enumerate() {
        for (j, b) in samples.iter().enumerate().skip(i + 1) {
            let cos = ekyc_face::cosine(&enrolled[i], &probes[j]);
            if a.identity == b.identity {
                scores.genuine.push((cos, a.population));
                continue;
            }
            scores.impostor_all.push(cos);
            match (a.population, b.population) {
                (Population::Lfw, Population::Lfw) => scores.impostor_lfw.push(cos),
                (x, y) if x.east_asian() && y.east_asian() => {
                    scores.impostor_east_asian.push(cos);
                    if x == Population::Casia && y == Population::Casia {
                        scores.impostor_casia.push(cos);
                    }
                }
                _ => {}
            }
        }
    }
    for list in [
        &mut scores.impostor_lfw,
        &mut scores.impostor_east_asian,
        &mut scores.impostor_casia,
        &mut scores.impostor_all,
    ] {
        list.sort_by(f32::total_cmp);
    }
    scores
}

fn genuine_of(scores: &Scores, population: &[Population]) -> Vec<f32> {
    scores
        .genuine
        .iter()
        .filter(|(_, p)| population.contains(p))
        .map(|(c, _)| *c)
        .collect()
}

fn report_accuracy(name: &str, scores: &Scores) {
    println!("\n== {name}: TAR at FMR (threshold = cosine), EER ==");
    let sets: [(&str, Vec<f32>, &[f32]); 3] = [
        (
            "LFW",
            genuine_of(scores, &[Population::Lfw]),
            &scores.impostor_lfw,
        ),
        (
            "CASIA (East-Asian)",
            genuine_of(scores, &[Population::Casia]),
            &scores.impostor_casia,
        ),
        (
            "East-Asian all (CASIA+RMFD)",
            genuine_of(scores, &[Population::Casia, Population::Rmfd]),
            &scores.impostor_east_asian,
        ),
    ];
    for (name, genuine, impostors) in sets {
        let mut line = format!(
            "  {name:<28} {} genuine / {} impostor pairs:",
            genuine.len(),
            impostors.len()
        );
        for fmr in [1e-3, 1e-4, 1e-5] {
            let t = threshold_at_fmr(impostors, fmr).unwrap_or(f32::MIN);
            let _ = write!(
                line,
                "  TAR@{fmr:.0e} {:.2} % (cos {t:.3})",
                100.0 * share_at_or_above(&genuine, t)
            );
        }
        let _ = write!(line, "  EER {:.2} %", 100.0 * eer(&genuine, impostors));
        println!("{line}");
    }
}

fn report_quality(samples: &[Sample], limits: &QualityThresholds) {
    let refused = samples
        .iter()
        .filter(|s| s.quality.check(limits).is_err())
        .count();
    println!(
        "quality gate: {refused} of {} detected faces refused ({:.2} %)",
        samples.len(),
        100.0 * refused as f64 / samples.len() as f64
    );
    println!(
        "  eye distance px: {}",
        percentiles(samples.iter().map(|s| s.quality.eye_distance).collect())
    );
    println!(
        "  sharpness:       {}",
        percentiles(samples.iter().map(|s| s.quality.sharpness).collect())
    );
    println!(
        "  brightness:      {}",
        percentiles(samples.iter().map(|s| s.quality.brightness).collect())
    );
    println!(
        "  |yaw|:           {}",
        percentiles(samples.iter().map(|s| s.quality.yaw.abs()).collect())
    );
}

/// The 0.5th, 1st, 5th, 50th and 99th percentiles of a quality measure
/// (the sample at or below each rank): where the gate's limits fall in the
/// dataset. `values` must not be empty.
fn percentiles(mut values: Vec<f32>) -> String {
    values.sort_by(f32::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q) as usize];
    format!(
        "p0.5 {:.1}, p1 {:.1}, p5 {:.1}, p50 {:.1}, p99 {:.1}",
        at(0.005),
        at(0.01),
        at(0.05),
        at(0.5),
        at(0.99)
    )
}

/// Median and p95 of each step of the served pipeline on the dataset.
fn report_stages(samples: &[Sample]) {
    println!("latency per stage on the dataset photos (median / p95, one inference thread each):");
    let stage = |name: &str, f: &dyn Fn(&Stages) -> Duration| {
        let mut values: Vec<Duration> = samples.iter().map(|s| f(&s.stages)).collect();
        println!("  {name:<18} {}", summarize(&mut values));
    };
    stage("decode", &|s| s.decode);
    stage("detect", &|s| s.detect);
    stage("align", &|s| s.align);
    stage("embed ezway", &|s| s.embed[0]);
    stage("embed applemango", &|s| s.embed[1]);
}

#[cfg(test)]
mod tests {
    use ekyc_face::Face;
    use ekyc_image::Rect;

    use super::*;

    #[test]
    fn percentiles_take_the_sample_at_or_below_each_rank() {
        // 1..=200 in reverse: rank q of 199 steps, rounded down.
        let values: Vec<f32> = (1..=200).rev().map(|v| v as f32).collect();
        assert_eq!(
            percentiles(values),
            "p0.5 1.0, p1 2.0, p5 10.0, p50 100.0, p99 198.0"
        );
    }

    #[test]
    fn the_labelled_face_is_the_one_nearest_the_centre() {
        let face = |x: f32, width: f32| Face {
            bbox: Rect {
                x,
                y: 40.0,
                width,
                height: width,
            },
            score: 0.9,
            landmarks: [[0.0; 2]; 5],
        };
        // In a 200×200 photo: a large face at the edge, the person in the
        // middle, a small one beside them.
        let faces = vec![face(0.0, 90.0), face(80.0, 40.0), face(150.0, 20.0)];
        let found = labelled_face(faces, (200, 200)).map(|f| f.bbox.x);
        assert_eq!(found, Some(80.0));
        assert!(labelled_face(Vec::new(), (200, 200)).is_none());
    }
}
