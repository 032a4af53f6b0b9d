//! The liveness benchmark's report: APCER, BPCER, AUC and EER per check
//! and attack type, failures to acquire, latency and the per-image CSV.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use ekyc_face::liveness::Check;
use ekyc_face::FaceModels;
use ekyc_image::RgbImage;

use super::{Results, Row};
use crate::metrics::{auc, eer, share_at_or_above, threshold_for_bpcer};
use crate::report::summarize;

/// The `score` of every row of `sets` that is (or is not) an attack.
fn collect(rows: &[Row], sets: &[&str], score: &str, attack: bool) -> Vec<f32> {
    rows.iter()
        .filter(|r| sets.contains(&r.set) && r.attack == attack)
        .filter_map(|r| r.scores.get(score).copied())
        .collect()
}

/// A fraction as a percentage with two decimals.
fn pct(v: f64) -> String {
    format!("{:.2} %", v * 100.0)
}

/// The share of `scores` at or above `threshold` (or below it, for a miss
/// rate), as a percentage; `n/a` for a set with no scores, which `--only`
/// leaves out: a rate over nothing would print as 0 % or 100 % and read
/// as a result.
fn rate(scores: &[f32], threshold: f32, below: bool) -> String {
    if scores.is_empty() {
        return "n/a".to_owned();
    }
    let above = share_at_or_above(scores, threshold);
    pct(if below { 1.0 - above } else { above })
}

/// Failures to acquire a face per set, and how many faces only the
/// second pass found or came with others.
pub(super) fn report_failures(bench: &Results) {
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

/// The photo check and its variants: NUAA AUC, EER, APCER and BPCER at
/// BPCER 1 %, and at the served threshold.
pub(super) fn report_photo(rows: &[Row]) {
    println!("\n== photo (print / screen): threshold at BPCER 1 % on NUAA live");
    if collect(rows, &["nuaa"], "served_photo", false).is_empty() {
        println!("  not run: the thresholds are set on the NUAA live frames (--only nuaa)");
        return;
    }
    for score in ["photo_pad", "photo_shrink", "pattern", "served_photo"] {
        let live = collect(rows, &["nuaa"], score, false);
        let spoof = collect(rows, &["nuaa"], score, true);
        let threshold = threshold_for_bpcer(&live, 0.01);
        let faces = collect(rows, &["faces"], score, false);
        let mut line = format!(
            "  {score}: NUAA AUC {:.4}, EER {}, threshold {threshold:.4}: APCER {}, BPCER {}; faces rejected {}",
            auc(&spoof, &live),
            pct(eer(&spoof, &live)),
            rate(&spoof, threshold, true),
            rate(&live, threshold, false),
            rate(&faces, threshold, false),
        );
        for set in ["screen", "print"] {
            let attacks = collect(rows, &[set], score, true);
            let _ = write!(line, "; {set} APCER {}", rate(&attacks, threshold, true));
        }
        println!("{line}");
        if score == "served_photo" {
            println!(
                "    served threshold (0.5): faces rejected {}",
                rate(&faces, 0.5, false)
            );
            for set in ["nuaa", "screen", "print"] {
                let attacks = collect(rows, &[set], score, true);
                println!(
                    "    served threshold: {set} APCER {}",
                    rate(&attacks, 0.5, true)
                );
            }
            println!(
                "    served threshold: NUAA BPCER {}",
                rate(&live, 0.5, false)
            );
        }
    }
    per_subject(rows, "served_photo");
}

/// APCER and BPCER per NUAA subject at the served threshold: whether a
/// few people carry the errors.
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

/// The covering check and its variants on the mask set.
pub(super) fn report_mask(rows: &[Row]) {
    println!("\n== mask: accuracy on ../shared/data/mask");
    if rows.iter().all(|r| r.set != "mask") {
        println!("  not run (--only mask)");
        return;
    }
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
            rate(&bare, 0.5, false),
            pct(accuracy(at_2pct)),
            rate(&masked, at_2pct, false),
            rate(&collect(rows, &["faces", "nuaa"], score, false), 0.5, false),
        );
    }
}

/// The deepfake check and its variants per generated set.
pub(super) fn report_deepfake(rows: &[Row]) {
    println!("\n== deepfake: AUC and TPR at 5 % FPR per subset");
    for score in ["chroma_face", "chroma_whole", "served_deepfake"] {
        for set in ["gan", "ciplab"] {
            let fake = collect(rows, &[set], score, true);
            let real = collect(rows, &[set], score, false);
            if fake.is_empty() || real.is_empty() {
                println!("  {score} {set}: not run (--only {set})");
                continue;
            }
            let threshold = threshold_for_bpcer(&real, 0.05);
            println!(
                "  {score} {set}: AUC {:.4}, TPR {} at FPR 5 % (threshold {threshold:.4}); at served threshold: TPR {}, FPR {}",
                auc(&fake, &real),
                rate(&fake, threshold, false),
                rate(&fake, 0.5, false),
                rate(&real, 0.5, false),
            );
        }
        let faces = collect(rows, &["faces", "nuaa"], score, false);
        println!(
            "  {score}: genuine faces + NUAA live flagged at 0.5: {}",
            rate(&faces, 0.5, false)
        );
    }
}

/// `checkType: all` on 640×480 frames, one thread: detection plus every
/// scorer, as the endpoint runs it.
pub(super) fn report_latency(models: &mut FaceModels, frames: &[RgbImage]) {
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

/// Every row with every score, for `--dump`.
pub(super) fn dump_csv(rows: &[Row]) -> String {
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
    use ekyc_face::Face;
    use ekyc_image::Rect;

    use super::*;

    fn row(path: &str, attack: bool, scores: &[(&'static str, f32)]) -> Row {
        Row {
            set: "nuaa",
            path: path.to_owned(),
            attack,
            group: "0001".to_owned(),
            second_pass: false,
            several: attack,
            face: Face {
                bbox: Rect {
                    x: 1.0,
                    y: 2.0,
                    width: 30.0,
                    height: 40.0,
                },
                score: 0.9,
                landmarks: [[5.0, 6.0]; 5],
            },
            scores: scores.iter().copied().collect(),
        }
    }

    #[test]
    fn csv_has_a_column_per_score_any_row_has() {
        let rows = [
            row("live.jpg", false, &[("pattern", 0.25)]),
            row("a \"quoted\" one.jpg", true, &[("served_photo", 0.75)]),
        ];
        let geometry = "1.0 2.0 30.0 40.0 5.0 6.0 5.0 6.0 5.0 6.0 5.0 6.0 5.0 6.0";
        assert_eq!(
            dump_csv(&rows),
            format!(
                "set,path,attack,group,second_pass,several,face,pattern,served_photo\n\
                 nuaa,\"live.jpg\",false,0001,false,false,{geometry},0.250000,\n\
                 nuaa,\"a \"\"quoted\"\" one.jpg\",true,0001,false,true,{geometry},,0.750000\n"
            )
        );
    }

    #[test]
    fn a_rate_over_a_set_that_was_not_run_is_not_a_figure() {
        assert_eq!(rate(&[], 0.5, true), "n/a");
        assert_eq!(rate(&[], 0.5, false), "n/a");
        assert_eq!(rate(&[0.2, 0.6, 0.9, 0.4], 0.5, false), "50.00 %");
        assert_eq!(rate(&[0.2, 0.6, 0.9, 0.4], 0.5, true), "50.00 %");
        assert_eq!(rate(&[0.2, 0.6, 0.9], 0.5, true), "33.33 %");
    }

    #[test]
    fn scores_are_collected_by_set_and_label() {
        let rows = [
            row("live.jpg", false, &[("pattern", 0.25)]),
            row("spoof.jpg", true, &[("pattern", 0.5)]),
            row("other.jpg", true, &[("served_photo", 0.75)]),
        ];
        assert_eq!(collect(&rows, &["nuaa"], "pattern", true), [0.5]);
        assert_eq!(collect(&rows, &["nuaa"], "pattern", false), [0.25]);
        assert!(collect(&rows, &["mask"], "pattern", true).is_empty());
        assert_eq!(pct(0.0123), "1.23 %");
    }
}
