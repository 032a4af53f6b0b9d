//! The calibration `bench fr` measures: knots that turn a cosine into a
//! score (log10 of the FMR), the file `--write-calibration` writes for the
//! server to read, and the policies' measured rates.

use std::fmt::Write as _;

use ekyc_face::{threshold_for_fmr, Calibration};

use super::{genuine_of, Population, Scores};
use crate::metrics::{share_at_or_above, threshold_at_fmr};

/// Knots every quarter decade of FMR, at the higher of the cosine that the
/// whole impostor set and the East-Asian impostors alone give: where the
/// populations disagree, the stricter one wins.
pub(super) fn calibrate(name: &str, model_version: String, scores: &Scores) -> Calibration {
    let mut knots: Vec<[f32; 2]> = Vec::new();
    for step in 0..=24 {
        let log_fmr = -(step as f32) * 0.25;
        let fmr = 10f64.powf(f64::from(log_fmr));
        let all = threshold_at_fmr(&scores.impostor_all, fmr).unwrap_or(f32::MIN);
        let east_asian = threshold_at_fmr(&scores.impostor_east_asian, fmr).unwrap_or(f32::MIN);
        let mut cosine = all.max(east_asian).max(scores.impostor_all[0]);
        if let Some(last) = knots.last() {
            cosine = cosine.max(last[0] + 1e-4);
        }
        knots.push([cosine, log_fmr]);
    }
    Calibration {
        engine: name.to_owned(),
        model_version,
        knots,
    }
}

/// The cosine at which `calibration` gives `score`: the served score
/// threshold of a policy as a cosine (bisection over [-1, 1.5]).
pub(crate) fn cosine_for_score(calibration: &Calibration, score: f32) -> f32 {
    let (mut low, mut high) = (-1.0f32, 1.5f32);
    for _ in 0..60 {
        let mid = (low + high) / 2.0;
        if calibration.score(mid).score >= score {
            high = mid;
        } else {
            low = mid;
        }
    }
    high
}

/// Each policy's score threshold as a cosine, with the FMR and TAR this
/// dataset measures there.
pub(super) fn report_policies(calibration: &Calibration, scores: &Scores) {
    println!("  calibrated policies (score threshold → cosine): measured FMR and TAR");
    for (policy, target) in [
        ("login", 1e-5),
        ("general", 1e-4),
        ("monitoring", 1e-3),
        ("compare", 1e-4),
    ] {
        let score = threshold_for_fmr(target);
        let cos = cosine_for_score(calibration, score);
        let fmr_lfw = share_at_or_above(&scores.impostor_lfw, cos);
        let fmr_ea = share_at_or_above(&scores.impostor_east_asian, cos);
        let tar = |p: &[Population]| 100.0 * share_at_or_above(&genuine_of(scores, p), cos);
        println!(
            "    {policy:<10} target {target:.0e}: score {score:.4} = cos {cos:.4}; FMR LFW {:.1e} ({} pairs), East-Asian {:.1e} ({} pairs); TAR LFW {:.2} %, CASIA {:.2} %, East-Asian all {:.2} %",
            fmr_lfw,
            scores.impostor_lfw.len(),
            fmr_ea,
            scores.impostor_east_asian.len(),
            tar(&[Population::Lfw]),
            tar(&[Population::Casia]),
            tar(&[Population::Casia, Population::Rmfd]),
        );
    }
}

/// The calibrations as the TOML file the server reads
/// (`face.calibration_file`), with a comment saying where they came from.
pub(super) fn calibration_toml(calibrations: &[Calibration]) -> String {
    let mut out = String::from(
        "# Cosine → log10(FMR) per engine model, written by `ekyc bench fr --write-calibration`\n\
         # from every impostor pair of ../shared/data/faces; at each FMR the stricter of the\n\
         # whole set and its East-Asian part.\n",
    );
    for c in calibrations {
        let knots: Vec<String> = c
            .knots
            .iter()
            .map(|[cos, l]| format!("[{cos:.5}, {l:.2}]"))
            .collect();
        let _ = write!(
            out,
            "\n[[calibration]]\nengine = \"{}\"\nmodel_version = \"{}\"\nknots = [\n  {},\n]\n",
            c.engine,
            c.model_version,
            knots.join(",\n  ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knots_of(calibrations: &[Calibration]) -> Vec<(&str, &str, &[[f32; 2]])> {
        calibrations
            .iter()
            .map(|c| (c.engine.as_str(), c.model_version.as_str(), &c.knots[..]))
            .collect()
    }

    /// What the benchmark writes, the server reads back unchanged.
    #[test]
    fn written_calibrations_parse_back_to_the_same() -> Result<(), ekyc_face::CalibrationError> {
        let written = vec![
            Calibration {
                engine: "ezway".to_owned(),
                model_version: "sface-test-mirror".to_owned(),
                knots: vec![[-0.41049, 0.0], [0.06006, -0.25], [0.5, -6.0]],
            },
            Calibration {
                engine: "fusion".to_owned(),
                model_version: "fusion-of-two".to_owned(),
                knots: vec![[0.1, -1.0], [0.12345, -1.25]],
            },
        ];
        let text = calibration_toml(&written);
        assert!(text.starts_with("# Cosine → log10(FMR) per engine model"));
        assert_eq!(knots_of(&Calibration::parse(&text)?), knots_of(&written));
        // The shipped calibration survives the round trip too.
        let builtin = Calibration::builtin()?;
        let again = Calibration::parse(&calibration_toml(&builtin))?;
        assert_eq!(knots_of(&again), knots_of(&builtin));
        Ok(())
    }

    #[test]
    fn cosine_for_score_inverts_the_calibration() {
        let calibration = Calibration {
            engine: "e".to_owned(),
            model_version: "v".to_owned(),
            knots: vec![[0.0, 0.0], [0.3, -3.0], [0.5, -5.0]],
        };
        for cosine in [0.1f32, 0.3, 0.45] {
            let score = calibration.score(cosine).score;
            let found = cosine_for_score(&calibration, score);
            assert!((found - cosine).abs() < 1e-5, "{cosine}: {found}");
        }
    }
}
