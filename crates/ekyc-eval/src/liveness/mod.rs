//! `ekyc bench liveness`: ISO/IEC 30107-3 style figures for each liveness
//! check on ../shared/data ({liveness, faces, mask, deepfake}) and on the
//! screen replays and print-rescans made from its live photos, plus the
//! latency of `checkType: all`.
//!
//! The images are read and labelled here, scored by the served checks and
//! the variants under study in [`score`], and reported in [`report`].

mod report;
mod score;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use ekyc_core::Settings;
use ekyc_face::liveness::{LivenessModels, PeriodicPatternScorer};
use ekyc_face::{Face, FaceModels};
use ekyc_image::{decode_image_bytes, IntakeLimits, RgbImage};

use crate::attacks::{print_rescan, screen_replay};
use crate::report::print_machine;
use crate::Wiring;
use report::{
    dump_csv, report_deepfake, report_failures, report_latency, report_mask, report_photo,
};
use score::{score_all, Scorer};

/// The flags of `ekyc bench liveness`.
#[derive(Args)]
pub struct LivenessBench {
    /// Folder holding liveness/, faces/, mask/ and deepfake/.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Write every image's scores here (CSV).
    #[arg(long)]
    dump: Option<PathBuf>,
    /// Only these sets (nuaa, screen, print, faces, mask, gan, ciplab).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// One image and what every measured variant said about it.
struct Row {
    set: &'static str,
    path: String,
    attack: bool,
    group: String,
    /// The face was found only by the second, covered-face pass.
    second_pass: bool,
    /// Several faces (the contract's 40923): scored on the largest.
    several: bool,
    face: Face,
    scores: BTreeMap<&'static str, f32>,
}

/// One image to score.
struct Job {
    set: &'static str,
    path: String,
    attack: bool,
    group: String,
    image: RgbImage,
}

/// What the benchmark found: scored rows and failures to acquire a face.
#[derive(Default)]
struct Results {
    rows: Vec<Row>,
    missed: BTreeMap<(&'static str, bool), usize>,
}

/// Scores every labelled and simulated image on one thread per inference
/// thread, then reports per check.
pub(crate) fn run(
    wiring: &dyn Wiring,
    settings: &Settings,
    bench: &LivenessBench,
) -> anyhow::Result<()> {
    let LivenessBench { data, dump, only } = bench;
    let threads = settings.server.inference_threads();
    print_machine(threads);
    let (manifest, model_dir) = wiring.loaded_models(settings)?;
    let options = wiring.face_options(settings);
    let limits = settings.server.intake();
    let load = || -> anyhow::Result<Scorer> {
        Ok(Scorer {
            models: FaceModels::load(&manifest, &model_dir, options.clone())?,
            variants: LivenessModels::load(&manifest, &model_dir, &options.liveness)?,
            pattern: PeriodicPatternScorer::default(),
            detect_side: options.presenter_detect_side,
        })
    };
    let mut jobs = labelled(data, "liveness", &limits, |f| {
        ("nuaa", f[1] == "spoof", f[3].to_owned())
    })?;
    let live_frames: Vec<RgbImage> = jobs
        .iter()
        .filter(|j| !j.attack)
        .map(|j| j.image.clone())
        .collect();
    jobs.extend(simulated(&live_frames));
    jobs.extend(labelled(data, "faces", &limits, |f| {
        ("faces", false, f[2].to_owned())
    })?);
    jobs.extend(labelled(data, "mask", &limits, |f| {
        ("mask", f[1] == "mask", f[2].to_owned())
    })?);
    jobs.extend(labelled(data, "deepfake", &limits, |f| {
        let set = if f[0].starts_with("gan/") {
            "gan"
        } else {
            "ciplab"
        };
        (set, f[1] == "fake", f[2].to_owned())
    })?);
    if !only.is_empty() {
        jobs.retain(|job| only.iter().any(|set| set == job.set));
    }
    let scorers = (0..threads)
        .map(|_| load())
        .collect::<anyhow::Result<Vec<_>>>()?;
    let results = score_all(scorers, jobs);
    report_failures(&results);
    report_photo(&results.rows);
    report_mask(&results.rows);
    report_deepfake(&results.rows);
    report_latency(&mut load()?.models, &live_frames);
    if let Some(path) = dump {
        std::fs::write(path, dump_csv(&results.rows))
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("per-image scores written to {}", path.display());
    }
    Ok(())
}

/// Every decodable image of `data/folder/labels.csv`, labelled by
/// `label(fields)` as (set, attack, group).
fn labelled(
    data: &Path,
    folder: &str,
    limits: &IntakeLimits,
    label: impl Fn(&[String]) -> (&'static str, bool, String),
) -> anyhow::Result<Vec<Job>> {
    let root = data.join(folder);
    let labels = std::fs::read_to_string(root.join("labels.csv"))
        .with_context(|| format!("no labels.csv in {}", root.display()))?;
    let mut jobs = Vec::new();
    for line in labels.lines().skip(1) {
        let fields = csv_fields(line);
        if fields.len() < 3 {
            continue;
        }
        let (set, attack, group) = label(&fields);
        let decoded = std::fs::read(root.join(&fields[0]))
            .ok()
            .and_then(|bytes| decode_image_bytes(&bytes, limits).ok());
        match decoded {
            Some(decoded) => jobs.push(Job {
                set,
                path: fields[0].clone(),
                attack,
                group,
                image: decoded.rgb,
            }),
            None => eprintln!("skipped unreadable {}", root.join(&fields[0]).display()),
        }
    }
    Ok(jobs)
}

/// The fields of one CSV line, with RFC 4180 quoting.
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// Screen replays and print-rescans of the live frames.
fn simulated(live_frames: &[RgbImage]) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (index, frame) in live_frames.iter().enumerate() {
        let seed = index as u64;
        for (set, image) in [
            ("screen", screen_replay(frame, seed)),
            ("print", print_rescan(frame, seed)),
        ] {
            jobs.push(Job {
                set,
                path: format!("nuaa-live-{index}"),
                attack: true,
                group: set.to_owned(),
                image,
            });
        }
    }
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_honour_quotes() {
        assert_eq!(
            csv_fields(r#"with_mask/"a,b""c".jpg,mask,web"#),
            ["with_mask/a,b\"c.jpg", "mask", "web"]
        );
        assert_eq!(csv_fields("a,,b"), ["a", "", "b"]);
    }
}
