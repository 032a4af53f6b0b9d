//! `ekyc bench liveness`: ISO/IEC 30107-3 style figures for each liveness
//! check on ../shared/data ({liveness, faces, mask, deepfake}) and on the
//! screen replays and print-rescans made from its live photos, plus the
//! latency of `checkType: all`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use ekyc_core::Settings;
use ekyc_face::liveness::{
    chroma_detail, covering_score, face_view, lower_face_contrast,
    simulation::{print_rescan, screen_replay},
    AttackScorer, Check, CropFit, LivenessModels, PeriodicPatternScorer, MARGINS,
};
use ekyc_face::{Face, FaceError, FaceModels};
use ekyc_image::{decode_image_bytes, resize_bilinear, IntakeLimits, RgbImage};

use crate::bench::{print_machine, summarize};
use crate::progress;
use crate::serve::{face_options, loaded_models};

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

/// The models of one benchmark thread.
struct Scorer {
    models: FaceModels,
    variants: LivenessModels,
    pattern: PeriodicPatternScorer,
    /// The configured presenter detection side, for multi-face images.
    detect_side: u32,
}

/// What the benchmark found: scored rows and failures to acquire a face.
#[derive(Default)]
struct Results {
    rows: Vec<Row>,
    missed: BTreeMap<(&'static str, bool), usize>,
}

pub fn run(
    settings: &Settings,
    data: &Path,
    dump: Option<PathBuf>,
    only: &[String],
) -> anyhow::Result<()> {
    let threads = settings.server.inference_threads();
    print_machine(threads);
    let (manifest, model_dir) = loaded_models(settings)?;
    let options = face_options(settings);
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
        std::fs::write(&path, dump_csv(&results.rows))
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

/// Scores the jobs on one thread per scorer.
fn score_all(scorers: Vec<Scorer>, jobs: Vec<Job>) -> Results {
    let threads = scorers.len().max(1);
    let bar = progress::steps(jobs.len() as u64, "images");
    let mut shares: Vec<Vec<Job>> = (0..threads).map(|_| Vec::new()).collect();
    for (index, job) in jobs.into_iter().enumerate() {
        shares[index % threads].push(job);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = scorers
            .into_iter()
            .zip(shares)
            .map(|(mut scorer, share)| {
                let bar = bar.clone();
                scope.spawn(move || {
                    let mut results = Results::default();
                    for job in share {
                        scorer.score(job, &mut results);
                        bar.inc(1);
                    }
                    results
                })
            })
            .collect();
        let mut all = Results::default();
        for handle in handles {
            if let Ok(part) = handle.join() {
                all.rows.extend(part.rows);
                for (key, count) in part.missed {
                    *all.missed.entry(key).or_default() += count;
                }
            }
        }
        bar.finish_and_clear();
        all
    })
}

impl Scorer {
    fn score(&mut self, job: Job, results: &mut Results) {
        let image = &job.image;
        let found = match self.models.sole_face(image) {
            Ok(face) => Some((face, false, false)),
            Err(FaceError::NoFace) => self
                .models
                .presented_face(image)
                .ok()
                .map(|f| (f, true, false)),
            Err(FaceError::MultipleFaces) => self.largest_face(image).map(|f| (f, false, true)),
            Err(_) => None,
        };
        let scored = found.and_then(|(face, second_pass, several)| {
            let scores = self.variant_scores(job.set, image, &face).ok()?;
            Some((scores, face, second_pass, several))
        });
        match scored {
            Some((scores, face, second_pass, several)) => results.rows.push(Row {
                set: job.set,
                path: job.path,
                attack: job.attack,
                group: job.group,
                second_pass,
                several,
                face,
                scores,
            }),
            None => *results.missed.entry((job.set, job.attack)).or_default() += 1,
        }
    }

    fn largest_face(&mut self, image: &RgbImage) -> Option<Face> {
        let faces = self
            .models
            .detector
            .detect_at(image, self.detect_side)
            .ok()?;
        faces
            .into_iter()
            .max_by(|a, b| a.bbox.width.total_cmp(&b.bbox.width))
    }

    /// The served scores and, for the set's own check, the variants.
    fn variant_scores(
        &mut self,
        set: &str,
        image: &RgbImage,
        face: &Face,
    ) -> anyhow::Result<BTreeMap<&'static str, f32>> {
        let mut scores = BTreeMap::new();
        if matches!(set, "nuaa" | "faces" | "screen" | "print") {
            let fasnet = &mut self.variants.fasnet;
            scores.insert("photo_pad", fasnet.attack_score(image, face, CropFit::Pad)?);
            scores.insert(
                "photo_shrink",
                fasnet.attack_score(image, face, CropFit::Shrink)?,
            );
            scores.insert("pattern", self.pattern.score(image, face)?);
        }
        if set == "mask" {
            let mask = &mut self.variants.mask;
            for (name, margin) in [("mask_1.0", 1.0), ("mask_1.2", 1.2), ("mask_1.4", 1.4)] {
                scores.insert(name, mask.probability(image, face, &[margin], false)?);
            }
            scores.insert(
                "mask_pair_mirrored",
                mask.probability(image, face, &MARGINS, true)?,
            );
            let pair = mask.probability(image, face, &MARGINS, false)?;
            scores.insert("mask_pair", pair);
            scores.insert(
                "mask_pair_contrast",
                covering_score(pair, lower_face_contrast(image, face)),
            );
        }
        let detail = |view: &RgbImage| chroma_detail(view).map_or(f32::NAN, |d| -d);
        scores.insert("chroma_face", detail(&face_view(image, face)));
        scores.insert("chroma_whole", detail(&resize_bilinear(image, 256, 256)));
        let report = self.models.liveness.assess(image, face, &Check::ALL)?;
        for (check, name) in [
            (Check::Photo, "served_photo"),
            (Check::Mask, "served_mask"),
            (Check::Deepfake, "served_deepfake"),
        ] {
            if let Some(outcome) = report.outcome(check) {
                scores.insert(name, outcome.score);
            }
        }
        Ok(scores)
    }
}

/// The `score` of every row of `sets` that is (or is not) an attack.
fn collect(rows: &[Row], sets: &[&str], score: &str, attack: bool) -> Vec<f32> {
    rows.iter()
        .filter(|r| sets.contains(&r.set) && r.attack == attack)
        .filter_map(|r| r.scores.get(score).copied())
        .collect()
}

/// Area under the ROC curve (attack scores above bona fide ones).
fn auc(attacks: &[f32], bona_fide: &[f32]) -> f64 {
    let mut sum = 0.0;
    for &a in attacks {
        for &b in bona_fide {
            sum += if a > b {
                1.0
            } else if a == b {
                0.5
            } else {
                0.0
            };
        }
    }
    sum / (attacks.len() * bona_fide.len()).max(1) as f64
}

/// The smallest threshold at which at most `rate` of `bona_fide` score
/// at or above it.
fn threshold_for_bpcer(bona_fide: &[f32], rate: f64) -> f32 {
    let mut sorted = bona_fide.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let allowed = (sorted.len() as f64 * rate).floor() as usize;
    sorted
        .get(allowed)
        .map_or(0.5, |&v| v + v.abs().max(1e-6) * 1e-6)
}

/// Fraction of `values` at or above `threshold`.
fn share_at_or_above(values: &[f32], threshold: f32) -> f64 {
    values.iter().filter(|&&v| v >= threshold).count() as f64 / values.len().max(1) as f64
}

/// The error rate where APCER and BPCER meet (their mean at the
/// threshold where they are closest).
fn equal_error_rate(attacks: &[f32], bona_fide: &[f32]) -> f64 {
    let mut candidates: Vec<f32> = attacks.iter().chain(bona_fide).copied().collect();
    candidates.sort_by(f32::total_cmp);
    candidates
        .iter()
        .map(|&t| {
            let apcer = 1.0 - share_at_or_above(attacks, t);
            let bpcer = share_at_or_above(bona_fide, t);
            ((apcer - bpcer).abs(), (apcer + bpcer) / 2.0)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(0.5, |(_, rate)| rate)
}

fn pct(v: f64) -> String {
    format!("{:.2} %", v * 100.0)
}

fn report_failures(bench: &Results) {
    println!("\n== failure to acquire (no face even after the covered-face pass: 4040A)");
    for ((set, attack), count) in &bench.missed {
        let total = count
            + bench
                .rows
                .iter()
                .filter(|r| r.set == *set && r.attack == *attack)
                .count();
        println!(
            "  {set} {}: {count} of {total}",
            if *attack { "attack" } else { "bona fide" }
        );
    }
    for (set, attack) in [
        ("mask", true),
        ("mask", false),
        ("nuaa", false),
        ("faces", false),
    ] {
        let of = |keep: fn(&Row) -> bool| {
            bench
                .rows
                .iter()
                .filter(|r| r.set == set && r.attack == attack && keep(r))
                .count()
        };
        println!(
            "  {set} {}: {} found only by the second pass; {} with several faces (40923, scored on the largest)",
            if attack { "attack" } else { "bona fide" },
            of(|r| r.second_pass),
            of(|r| r.several),
        );
    }
}

fn report_photo(rows: &[Row]) {
    println!("\n== photo (print / screen): threshold at BPCER 1 % on NUAA live");
    for score in ["photo_pad", "photo_shrink", "pattern", "served_photo"] {
        let live = collect(rows, &["nuaa"], score, false);
        let spoof = collect(rows, &["nuaa"], score, true);
        let threshold = threshold_for_bpcer(&live, 0.01);
        let faces = collect(rows, &["faces"], score, false);
        let mut line = format!(
            "  {score}: NUAA AUC {:.4}, EER {}, threshold {threshold:.4}: APCER {}, BPCER {}; faces rejected {}",
            auc(&spoof, &live),
            pct(equal_error_rate(&spoof, &live)),
            pct(1.0 - share_at_or_above(&spoof, threshold)),
            pct(share_at_or_above(&live, threshold)),
            pct(share_at_or_above(&faces, threshold)),
        );
        for set in ["screen", "print"] {
            let attacks = collect(rows, &[set], score, true);
            let _ = write!(
                line,
                "; {set} APCER {}",
                pct(1.0 - share_at_or_above(&attacks, threshold))
            );
        }
        println!("{line}");
        if score == "served_photo" {
            let faces_rejected = share_at_or_above(&faces, 0.5);
            println!(
                "    served threshold (0.5): faces rejected {}",
                pct(faces_rejected)
            );
            for set in ["nuaa", "screen", "print"] {
                let attacks = collect(rows, &[set], score, true);
                println!(
                    "    served threshold: {set} APCER {}",
                    pct(1.0 - share_at_or_above(&attacks, 0.5))
                );
            }
            println!(
                "    served threshold: NUAA BPCER {}",
                pct(share_at_or_above(&live, 0.5))
            );
        }
    }
    per_subject(rows, "served_photo");
}

fn per_subject(rows: &[Row], score: &str) {
    let mut subjects: BTreeMap<&str, (usize, usize, usize, usize)> = BTreeMap::new();
    for row in rows.iter().filter(|r| r.set == "nuaa") {
        let entry = subjects.entry(&row.group).or_default();
        let detected = row.scores.get(score).is_some_and(|&s| s >= 0.5);
        if row.attack {
            entry.0 += 1;
            entry.1 += usize::from(!detected);
        } else {
            entry.2 += 1;
            entry.3 += usize::from(detected);
        }
    }
    let line: Vec<String> = subjects
        .iter()
        .map(|(s, (a, missed, b, rejected))| {
            format!("{s}: APCER {missed}/{a} BPCER {rejected}/{b}")
        })
        .collect();
    println!("  per subject ({score}): {}", line.join("; "));
}

fn report_mask(rows: &[Row]) {
    println!("\n== mask: accuracy on ../shared/data/mask");
    for score in [
        "mask_1.0",
        "mask_1.2",
        "mask_1.4",
        "mask_pair_mirrored",
        "mask_pair",
        "mask_pair_contrast",
        "served_mask",
    ] {
        let masked = collect(rows, &["mask"], score, true);
        let bare = collect(rows, &["mask"], score, false);
        let at_2pct = threshold_for_bpcer(&bare, 0.02);
        let accuracy = |t: f32| {
            (share_at_or_above(&masked, t) * masked.len() as f64
                + (1.0 - share_at_or_above(&bare, t)) * bare.len() as f64)
                / (masked.len() + bare.len()).max(1) as f64
        };
        println!(
            "  {score}: AUC {:.4}; at 0.5: accuracy {}, false mask {}; at {at_2pct:.4} (false mask ≤ 2 %): accuracy {}, recall {}; faces flagged {}",
            auc(&masked, &bare),
            pct(accuracy(0.5)),
            pct(share_at_or_above(&bare, 0.5)),
            pct(accuracy(at_2pct)),
            pct(share_at_or_above(&masked, at_2pct)),
            pct(share_at_or_above(&collect(rows, &["faces", "nuaa"], score, false), 0.5)),
        );
    }
}

fn report_deepfake(rows: &[Row]) {
    println!("\n== deepfake: AUC and TPR at 5 % FPR per subset");
    for score in ["chroma_face", "chroma_whole", "served_deepfake"] {
        for set in ["gan", "ciplab"] {
            let fake = collect(rows, &[set], score, true);
            let real = collect(rows, &[set], score, false);
            let threshold = threshold_for_bpcer(&real, 0.05);
            println!(
                "  {score} {set}: AUC {:.4}, TPR {} at FPR 5 % (threshold {threshold:.4}); at served threshold: TPR {}, FPR {}",
                auc(&fake, &real),
                pct(share_at_or_above(&fake, threshold)),
                pct(share_at_or_above(&fake, 0.5)),
                pct(share_at_or_above(&real, 0.5)),
            );
        }
        let faces = collect(rows, &["faces", "nuaa"], score, false);
        println!(
            "  {score}: genuine faces + NUAA live flagged at 0.5: {}",
            pct(share_at_or_above(&faces, 0.5))
        );
    }
}

/// `checkType: all` on 640×480 frames, one thread: detection plus every
/// scorer, as the endpoint runs it.
fn report_latency(models: &mut FaceModels, frames: &[RgbImage]) {
    let mut all = Vec::new();
    let mut per_check: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    for frame in frames.iter().take(200) {
        let started = Instant::now();
        let Ok(face) = models.presented_face(frame) else {
            continue;
        };
        let detected = started.elapsed();
        if models.liveness.assess(frame, &face, &Check::ALL).is_err() {
            continue;
        }
        all.push(started.elapsed());
        per_check.entry("detect").or_default().push(detected);
        for (name, check) in [
            ("photo", Check::Photo),
            ("mask", Check::Mask),
            ("deepfake", Check::Deepfake),
        ] {
            let t = Instant::now();
            if models.liveness.assess(frame, &face, &[check]).is_ok() {
                per_check.entry(name).or_default().push(t.elapsed());
            }
        }
    }
    println!("\n== latency, one thread, NUAA 640×480 frames");
    println!(
        "  checkType all (detect + every check): {}",
        summarize(&mut all)
    );
    for (name, latencies) in &mut per_check {
        println!("  {name}: {}", summarize(latencies));
    }
}

fn dump_csv(rows: &[Row]) -> String {
    let names: Vec<&str> = rows
        .iter()
        .flat_map(|r| r.scores.keys().copied())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = format!(
        "set,path,attack,group,second_pass,several,face,{}\n",
        names.join(",")
    );
    for row in rows {
        let values: Vec<String> = names
            .iter()
            .map(|n| {
                row.scores
                    .get(n)
                    .map_or(String::new(), |v| format!("{v:.6}"))
            })
            .collect();
        let geometry: Vec<String> = row
            .face
            .bbox
            .to_array()
            .iter()
            .chain(row.face.landmarks.iter().flatten())
            .map(|v| format!("{v:.1}"))
            .collect();
        let _ = writeln!(
            out,
            "{},\"{}\",{},{},{},{},{},{}",
            row.set,
            row.path.replace('"', "\"\""),
            row.attack,
            row.group,
            row.second_pass,
            row.several,
            geometry.join(" "),
            values.join(",")
        );
    }
    out
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

    #[test]
    fn rates_and_thresholds() {
        let bona_fide: Vec<f32> = (0..100).map(|i| i as f32 / 100.0).collect();
        let threshold = threshold_for_bpcer(&bona_fide, 0.01);
        assert!((share_at_or_above(&bona_fide, threshold) - 0.01).abs() < 1e-9);
        assert_eq!(auc(&[2.0, 3.0], &[0.0, 1.0]), 1.0);
        assert_eq!(auc(&[1.0], &[1.0]), 0.5);
        assert_eq!(equal_error_rate(&[2.0, 3.0], &[0.0, 1.0]), 0.0);
    }
}
