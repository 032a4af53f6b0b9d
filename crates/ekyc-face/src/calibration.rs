//! From raw cosine similarity to the contract's `score`.
//!
//! Each engine's cosines mean something different, so each is mapped
//! through its measured impostor distribution to an estimated false-match
//! rate (FMR), and the score is `−log10(FMR) / 6` clamped to [0, 1]: a
//! score of 0.5 means FMR 1e-3 and 0.667 means 1e-4 on either engine, so
//! one policy threshold means the same risk whichever engine answered.
//! The knots come from `ekyc bench fr` (see the README) and are compiled in.

use serde::Deserialize;

const CALIBRATION_TOML: &str = include_str!("../calibration.toml");
/// FMR 1e-6 is score 1.0.
const DECADES: f32 = 6.0;

/// Why a calibration cannot be read or is missing.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// The file is not TOML of the calibration's shape.
    #[error("invalid calibration file")]
    Parse(#[source] toml::de::Error),
    /// An engine's knots could not map cosines to a false-match rate:
    /// fewer than two, out of order, or out of range.
    #[error("invalid calibration file: knots of {engine} must be sorted, cosines in [-1, 1], log10 FMR in [-30, 0]")]
    Knots {
        /// The calibration's engine name.
        engine: String,
    },
    /// No calibration was measured for a model version in use: its scores
    /// would mean an unknown false-match rate, so the server refuses to
    /// start (or a request its engine).
    #[error("no calibration for engine {engine} model {model_version}: rerun `ekyc bench fr --write-calibration`")]
    Missing {
        /// The engine name (`ezway`, `applemango`) or [`FUSION`](crate::FUSION).
        engine: String,
        /// The model version the templates are tagged with.
        model_version: String,
    },
}

/// Cosine → log10(FMR) knots of one engine's model.
#[derive(Debug, Clone, Deserialize)]
pub struct Calibration {
    /// The engine name (`ezway`, `applemango`) or [`FUSION`](crate::FUSION).
    pub engine: String,
    /// The model version it was measured on (see
    /// [`model_version`](crate::model_version)); another version's cosines
    /// mean other rates.
    pub model_version: String,
    /// `[cosine, log10(FMR)]`, cosine increasing, log10(FMR) decreasing.
    pub knots: Vec<[f32; 2]>,
}

#[derive(Debug, Deserialize)]
struct CalibrationFile {
    calibration: Vec<Calibration>,
}

/// The score of a comparison and the FMR it stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The contract's score in [0, 1]: `−log10(fmr) / 6`, clamped.
    pub score: f32,
    /// The estimated false-match rate in (0, 1] at this cosine.
    pub fmr: f32,
}

impl Calibration {
    /// All calibrations compiled into the binary.
    pub fn builtin() -> Result<Vec<Calibration>, CalibrationError> {
        Self::parse(CALIBRATION_TOML)
    }

    /// Reads a calibration file (the format `ekyc bench fr
    /// --write-calibration` writes), refusing knots that could not map
    /// cosines to a false-match rate.
    pub fn parse(text: &str) -> Result<Vec<Calibration>, CalibrationError> {
        let file: CalibrationFile = toml::from_str(text).map_err(CalibrationError::Parse)?;
        for c in &file.calibration {
            let ordered = c
                .knots
                .windows(2)
                .all(|w| w[0][0] < w[1][0] && w[0][1] >= w[1][1]);
            let in_range = c.knots.iter().all(|[cosine, log_fmr]| {
                (-1.0..=1.0).contains(cosine) && (-30.0..=0.0).contains(log_fmr)
            });
            if c.knots.len() < 2 || !ordered || !in_range {
                return Err(CalibrationError::Knots {
                    engine: c.engine.clone(),
                });
            }
        }
        Ok(file.calibration)
    }

    /// Estimated FMR at a cosine: log-linear between knots, the end
    /// slopes carried beyond them.
    pub fn score(&self, cosine: f32) -> Scored {
        let knots = &self.knots;
        let segment = knots
            .windows(2)
            .position(|w| cosine < w[1][0])
            .unwrap_or(knots.len() - 2);
        let ([c0, l0], [c1, l1]) = (knots[segment], knots[segment + 1]);
        let log_fmr = (l0 + (l1 - l0) * (cosine - c0) / (c1 - c0)).min(0.0);
        Scored {
            score: (-log_fmr / DECADES).clamp(0.0, 1.0),
            fmr: 10f32.powf(log_fmr),
        }
    }
}

/// The score threshold that stands for a target FMR, on every engine.
pub fn threshold_for_fmr(target_fmr: f64) -> f32 {
    ((-target_fmr.log10()) as f32 / DECADES).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calibration() -> Calibration {
        Calibration {
            engine: "e".into(),
            model_version: "v".into(),
            knots: vec![[0.0, 0.0], [0.3, -3.0], [0.5, -5.0]],
        }
    }

    #[test]
    fn scores_follow_the_fmr() {
        let c = calibration();
        let at = c.score(0.3);
        assert!((at.score - 0.5).abs() < 1e-6 && (at.fmr - 1e-3).abs() < 1e-7);
        assert!((c.score(0.4).score - 4.0 / 6.0).abs() < 1e-5);
        assert_eq!(c.score(-0.5).score, 0.0);
        assert_eq!(
            c.score(0.9).score,
            1.0,
            "beyond the last knot the slope continues"
        );
        assert!(c.score(0.55).score > c.score(0.5).score);
    }

    #[test]
    fn thresholds_are_engine_independent() {
        assert!((threshold_for_fmr(1e-4) - 4.0 / 6.0).abs() < 1e-6);
        assert!((threshold_for_fmr(1e-3) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn builtin_file_parses() {
        assert!(Calibration::builtin().is_ok());
        assert!(Calibration::parse(
            "[[calibration]]\nengine='e'\nmodel_version='v'\nknots=[[0.5,-1.0],[0.1,-2.0]]"
        )
        .is_err());
    }
}
