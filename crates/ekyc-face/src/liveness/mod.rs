//! Passive liveness from one image: is the face in front of the camera a
//! live, uncovered, unmanipulated face?
//!
//! Each [`Check`] the contract names (photo attack, covering, deepfake) is
//! answered by one or more [`AttackScorer`]s. A scorer gives an attack
//! score in [0, 1] and the operator sets its threshold, so a better model
//! can replace any one of them without touching the others. A check
//! detects an attack when any of its scorers reaches its threshold.
//! Reported scores are rescaled so that 0.5 is the decision point whatever
//! the threshold: a client comparing scores across checks compares like
//! with like.

mod deepfake;
mod mask;
mod pattern;
mod photo;

pub use deepfake::{chroma_detail, face_view, ChromaDetailScorer};
pub use mask::{covering_score, lower_face_contrast, LowerFaceContrast, MaskClassifier, MARGINS};
pub use pattern::PeriodicPatternScorer;
pub use photo::{CropFit, FasNet, FasNetPair};

use std::path::Path;

use ekyc_runtime::{load_session, Manifest};
use image::RgbImage;

use crate::{Face, LoadError};

/// Thresholds and crop rules of the liveness scorers; see the README for
/// how each default was measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LivenessOptions {
    /// MiniFASNet pair attack score at which a photo attack is detected
    /// (default 0.97: at most 1 % of the NUAA live frames and 3 % of the
    /// genuine photos of `../shared/data/faces` rejected).
    pub photo_threshold: f32,
    /// Periodic-pattern score at which a screen or print is detected
    /// (default 0.05: as low as keeps those rejection rates).
    pub pattern_threshold: f32,
    /// Covering score at which a mask is detected (default 0.52: at most
    /// 2 % of bare faces flagged).
    pub mask_threshold: f32,
    /// Chroma-detail score at which a generated face is detected (default
    /// 0.77: genuine photos rarely flagged; a weak cue, see the README).
    pub deepfake_threshold: f32,
    /// How MiniFASNet's enlarged face box is fitted to the image.
    pub crop_fit: CropFit,
    /// When no face is found at the usual detection score, the image is
    /// searched again (padded, for close-ups) down to this score: covered
    /// faces score low.
    pub covered_face_min_score: f32,
}

impl Default for LivenessOptions {
    fn default() -> Self {
        Self {
            photo_threshold: 0.97,
            pattern_threshold: 0.05,
            mask_threshold: 0.52,
            deepfake_threshold: 0.77,
            crop_fit: CropFit::Shrink,
            covered_face_min_score: 0.3,
        }
    }
}

/// The liveness models themselves, for benchmarks that compare their
/// settings.
pub struct LivenessModels {
    /// The photo-attack pair.
    pub fasnet: FasNetPair,
    /// The covering classifier.
    pub mask: MaskClassifier,
}

impl LivenessModels {
    /// Loads the two MiniFASNets (with the face-box scales they were
    /// trained on) and the mask classifier from the verified model folder.
    pub fn load(
        manifest: &Manifest,
        model_dir: &Path,
        options: &LivenessOptions,
    ) -> Result<Self, LoadError> {
        let fasnet = |id: &str, scale: f32| -> Result<FasNet, LoadError> {
            Ok(FasNet::new(
                load_session(&manifest.path(model_dir, id)?)?,
                scale,
            ))
        };
        let pair = vec![
            fasnet("minifasnet_v2", 2.7)?,
            fasnet("minifasnet_v1se", 4.0)?,
        ];
        let mask = load_session(&manifest.path(model_dir, "mask_classifier")?)?;
        Ok(Self {
            fasnet: FasNetPair::new(pair, options.crop_fit),
            mask: MaskClassifier::new(mask),
        })
    }

    /// Every scorer with its threshold from `options`.
    pub fn into_liveness(self, options: &LivenessOptions) -> Liveness {
        Liveness::new(vec![
            ThresholdedScorer {
                scorer: Box::new(self.fasnet),
                threshold: options.photo_threshold,
            },
            ThresholdedScorer {
                scorer: Box::new(PeriodicPatternScorer::default()),
                threshold: options.pattern_threshold,
            },
            ThresholdedScorer {
                scorer: Box::new(self.mask),
                threshold: options.mask_threshold,
            },
            ThresholdedScorer {
                scorer: Box::new(ChromaDetailScorer),
                threshold: options.deepfake_threshold,
            },
        ])
    }
}

/// The attacks the contract asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// A printed photo or a screen shown to the camera.
    Photo,
    /// A covered face: a worn mask, a hand, a 3D or paper mask.
    Mask,
    /// A manipulated or generated face.
    Deepfake,
}

impl Check {
    /// Every check, in the order `checkType: "all"` runs and reports them.
    pub const ALL: [Check; 3] = [Check::Deepfake, Check::Photo, Check::Mask];
}

/// Why a liveness scorer could not score: a server fault, never a verdict
/// on the face.
#[derive(Debug, thiserror::Error)]
pub enum LivenessError {
    /// ONNX Runtime could not run a model or hand back its output.
    #[error("liveness inference failed")]
    Inference(#[from] ort::Error),
    /// A model's output lacks what its scorer reads (a model file other
    /// than the manifest's).
    #[error("liveness inference failed: {model} output has the wrong shape")]
    Output {
        /// The model, as [`AttackScorer::name`] names its scorer.
        model: &'static str,
    },
}

/// One way of detecting one kind of attack.
pub trait AttackScorer: Send {
    /// A short name for logs and benchmarks.
    fn name(&self) -> &'static str;
    /// The check this scorer answers.
    fn check(&self) -> Check;
    /// The attack score in [0, 1] for the face `face` of `image`: higher
    /// means more likely an attack.
    fn score(&mut self, image: &RgbImage, face: &Face) -> Result<f32, LivenessError>;
}

/// A scorer with the threshold at which it detects an attack.
pub struct ThresholdedScorer {
    /// The scorer.
    pub scorer: Box<dyn AttackScorer>,
    /// Raw attack score, in [0, 1], from which it detects an attack.
    pub threshold: f32,
}

/// The outcome of one requested check.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CheckOutcome {
    /// The check answered.
    pub check: Check,
    /// Attack score rescaled so that 0.5 is the threshold.
    pub score: f32,
    /// Whether a scorer of the check reached its threshold.
    pub detected: bool,
}

/// The outcome of the requested checks for one face.
#[derive(Debug, Clone, PartialEq)]
pub struct LivenessReport {
    /// One outcome per requested check (its highest-scoring scorer's), in
    /// the order requested.
    pub outcomes: Vec<CheckOutcome>,
}

impl LivenessReport {
    /// No requested check detected an attack.
    pub fn is_real(&self) -> bool {
        self.outcomes.iter().all(|o| !o.detected)
    }

    /// How sure the face is real for the requested checks: one minus the
    /// highest rescaled attack score (above 0.5 exactly when `is_real`).
    pub fn confidence(&self) -> f32 {
        1.0 - self.outcomes.iter().map(|o| o.score).fold(0.0, f32::max)
    }

    /// The outcome of `check`; `None` when it was not requested.
    pub fn outcome(&self, check: Check) -> Option<&CheckOutcome> {
        self.outcomes.iter().find(|o| o.check == check)
    }
}

/// The liveness scorers of one inference thread.
pub struct Liveness {
    scorers: Vec<ThresholdedScorer>,
}

impl Liveness {
    /// The scorers to run, each with its threshold; a check with no
    /// scorer here is reported as nothing.
    pub fn new(scorers: Vec<ThresholdedScorer>) -> Self {
        Self { scorers }
    }

    /// Runs the scorers of the requested checks on one face.
    pub fn assess(
        &mut self,
        image: &RgbImage,
        face: &Face,
        checks: &[Check],
    ) -> Result<LivenessReport, LivenessError> {
        let mut outcomes = Vec::with_capacity(checks.len());
        for &check in checks {
            let mut worst: Option<CheckOutcome> = None;
            for entry in self
                .scorers
                .iter_mut()
                .filter(|s| s.scorer.check() == check)
            {
                let raw = entry.scorer.score(image, face)?;
                let outcome = CheckOutcome {
                    check,
                    score: rescale(raw, entry.threshold),
                    detected: raw >= entry.threshold,
                };
                tracing::debug!(scorer = entry.scorer.name(), raw, "liveness score");
                if worst.is_none_or(|w| outcome.score > w.score) {
                    worst = Some(outcome);
                }
            }
            outcomes.extend(worst);
        }
        Ok(LivenessReport { outcomes })
    }
}

/// The (Cb, Cr) chroma of an RGB pixel (JPEG's YCbCr, 0 = grey): the
/// colour cues of the mask and deepfake checks.
fn chroma(pixel: [u8; 3]) -> [f32; 2] {
    let [r, g, b] = pixel.map(f32::from);
    [
        -0.168_736 * r - 0.331_264 * g + 0.5 * b,
        0.5 * r - 0.418_688 * g - 0.081_312 * b,
    ]
}

/// Maps [0, threshold] onto [0, 0.5] and [threshold, 1] onto [0.5, 1].
fn rescale(score: f32, threshold: f32) -> f32 {
    let score = score.clamp(0.0, 1.0);
    let threshold = threshold.clamp(1e-6, 1.0 - 1e-6);
    if score < threshold {
        0.5 * score / threshold
    } else {
        0.5 + 0.5 * (score - threshold) / (1.0 - threshold)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Check, f32);

    impl AttackScorer for Fixed {
        fn name(&self) -> &'static str {
            "fixed"
        }
        fn check(&self) -> Check {
            self.0
        }
        fn score(&mut self, _: &RgbImage, _: &Face) -> Result<f32, LivenessError> {
            Ok(self.1)
        }
    }

    fn liveness(scores: &[(Check, f32, f32)]) -> Liveness {
        Liveness::new(
            scores
                .iter()
                .map(|&(check, score, threshold)| ThresholdedScorer {
                    scorer: Box::new(Fixed(check, score)),
                    threshold,
                })
                .collect(),
        )
    }

    fn face() -> Face {
        Face {
            bbox: ekyc_image::Rect::new(0.0, 0.0, 10.0, 10.0),
            score: 1.0,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn rescaling_puts_the_threshold_at_one_half() {
        assert_eq!(rescale(0.2, 0.2), 0.5);
        assert_eq!(rescale(0.1, 0.2), 0.25);
        assert_eq!(rescale(0.6, 0.2), 0.75);
        assert_eq!(rescale(1.5, 0.2), 1.0);
    }

    #[test]
    fn any_scorer_of_a_check_can_detect_it() {
        let mut live = liveness(&[
            (Check::Photo, 0.1, 0.5),
            (Check::Photo, 0.9, 0.8),
            (Check::Mask, 0.1, 0.5),
        ]);
        let image = RgbImage::new(4, 4);
        let report = live
            .assess(&image, &face(), &[Check::Photo, Check::Mask])
            .unwrap();
        assert!(report.outcome(Check::Photo).unwrap().detected);
        assert!(!report.outcome(Check::Mask).unwrap().detected);
        assert!(report.outcome(Check::Deepfake).is_none());
        assert!(!report.is_real());
        assert!(report.confidence() < 0.5);
    }

    #[test]
    fn unrequested_checks_are_not_run() {
        let mut live = liveness(&[(Check::Photo, 0.9, 0.5), (Check::Mask, 0.1, 0.5)]);
        let report = live
            .assess(&RgbImage::new(4, 4), &face(), &[Check::Mask])
            .unwrap();
        assert!(report.is_real());
        assert!(report.confidence() > 0.5);
        assert_eq!(report.outcomes.len(), 1);
    }
}
