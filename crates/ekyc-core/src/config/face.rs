//! The face pipeline's and the face use cases' settings. Their defaults
//! are the face crates' own: [`FaceOptions`], [`QualityThresholds`],
//! [`PolicyTargets`], [`LivenessOptions`] and [`ServiceSettings`].

use std::path::PathBuf;

use ekyc_face::liveness::LivenessOptions;
use ekyc_face::{
    EngineId, FaceOptions, FusedPolicies, ImageLimits, PolicyTargets, QualityThresholds,
};
use ekyc_face_service::ServiceSettings;
use serde::Deserialize;

use super::parsed;

/// Recognition, its policies and the quality gate.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct FaceSettings {
    /// Engine of a registration that names none: `ezway` or `applemango`.
    #[serde(deserialize_with = "parsed::one")]
    pub default_engine: EngineId,
    /// Target false-match rate of the `login` verify policy; the score
    /// threshold is derived from it through each engine's calibration.
    pub fmr_login: f64,
    /// Target false-match rate of the `general` verify policy.
    pub fmr_general: f64,
    /// Target false-match rate of the `monitoring` verify policy.
    pub fmr_monitoring: f64,
    /// Target false-match rate of compare.
    pub fmr_compare: f64,
    /// Target false-positive identification rate of 1:N search
    /// (`/v1/fr/identify`, `dedupe` on register).
    pub fpir_identify: f64,
    /// Verify and compare with both engines and decide on the calibrated
    /// mean of their cosines (more accurate, slower); a single engine
    /// answers when the other fails.
    pub fusion: bool,
    /// Compare (ID photo against selfie) with both engines, as `fusion`
    /// does, even when verify uses one: `ekyc bench id-photo` measured
    /// TAR at the `compare` policy LFW 78.2 → 83.0 %, CASIA 95.5 → 97.7 %,
    /// East-Asian 32.5 → 34.1 % (ezway alone → fused), FMR within target,
    /// for about 9 ms more per compare.
    pub compare_fusion: bool,
    /// A calibration file (from `ekyc bench fr --write-calibration`) to
    /// use instead of the built-in one.
    pub calibration_file: Option<PathBuf>,
    /// Another face makes an image "several faces" (40923) only when at
    /// least this fraction of the main face's width.
    pub other_face_min_ratio: f32,
    /// Long side, in pixels, of the image the face to recognise is first
    /// searched in (register, verify, the probe of compare); its
    /// landmarks come from a crop around it.
    pub recognition_detect_side: u32,
    /// Long side, in pixels, of the image the presenter's face is searched
    /// in for liveness (whose crops take the box as found), and where a
    /// second face is confirmed before an image is refused.
    pub presenter_detect_side: u32,
    /// Detect the reference face of compare (a printed ID portrait) again
    /// at full resolution when the detector saw it small: better
    /// landmarks, better matches. The presenter's face always is.
    pub refine_small_faces: bool,
    /// Quality gate: smallest eye distance in pixels.
    pub quality_min_eye_distance: f32,
    /// Quality gate: largest nose offset from the eye midpoint, in eye
    /// distances.
    pub quality_max_yaw: f32,
    /// Quality gate of an enrolment (a probe beyond it is answered with
    /// the issue reported): smallest fine detail relative to the face's
    /// contrast...
    pub quality_min_sharpness: f32,
    /// ...largest fraction of the face centre's pixels with highlights
    /// blown out (a channel ≥ 250)...
    pub quality_max_clipped: f32,
    /// ...and with shadows crushed to black (every channel ≤ 10).
    pub quality_max_crushed: f32,
    /// Quality gate of a probe (verify, compare, identify): refused below
    /// this sharpness...
    pub quality_probe_min_sharpness: f32,
    /// ...or past this fraction of clipped pixels...
    pub quality_probe_max_clipped: f32,
    /// ...or of crushed pixels.
    pub quality_probe_max_crushed: f32,
    /// Fault injection for tests: engines that fail on purpose. Keep empty.
    #[serde(deserialize_with = "parsed::list")]
    pub fault_failing_engines: Vec<EngineId>,
}

impl Default for FaceSettings {
    fn default() -> Self {
        let options = FaceOptions::default();
        let quality = options.quality;
        let targets = PolicyTargets::default();
        let service = ServiceSettings::default();
        Self {
            default_engine: service.default_engine,
            fmr_login: targets.login,
            fmr_general: targets.general,
            fmr_monitoring: targets.monitoring,
            fmr_compare: targets.compare,
            fpir_identify: service.fpir,
            fusion: false,
            compare_fusion: true,
            calibration_file: None,
            other_face_min_ratio: options.other_face_min_ratio,
            recognition_detect_side: options.recognition_detect_side,
            presenter_detect_side: options.presenter_detect_side,
            refine_small_faces: options.refine_small_faces,
            quality_min_eye_distance: quality.min_eye_distance,
            quality_max_yaw: quality.max_yaw,
            quality_min_sharpness: quality.enrolment.min_sharpness,
            quality_max_clipped: quality.enrolment.max_clipped,
            quality_max_crushed: quality.enrolment.max_crushed,
            quality_probe_min_sharpness: quality.probe.min_sharpness,
            quality_probe_max_clipped: quality.probe.max_clipped,
            quality_probe_max_crushed: quality.probe.max_crushed,
            fault_failing_engines: options.failing_engines,
        }
    }
}

impl FaceSettings {
    /// The quality gate's limits.
    pub fn quality(&self) -> QualityThresholds {
        QualityThresholds {
            min_eye_distance: self.quality_min_eye_distance,
            max_yaw: self.quality_max_yaw,
            enrolment: ImageLimits {
                max_clipped: self.quality_max_clipped,
                max_crushed: self.quality_max_crushed,
                min_sharpness: self.quality_min_sharpness,
            },
            probe: ImageLimits {
                max_clipped: self.quality_probe_max_clipped,
                max_crushed: self.quality_probe_max_crushed,
                min_sharpness: self.quality_probe_min_sharpness,
            },
        }
    }

    /// The face pipeline's run-time choices, with `liveness`'s.
    pub fn options(&self, liveness: &LivenessSettings) -> FaceOptions {
        FaceOptions {
            quality: self.quality(),
            other_face_min_ratio: self.other_face_min_ratio,
            recognition_detect_side: self.recognition_detect_side,
            presenter_detect_side: self.presenter_detect_side,
            refine_small_faces: self.refine_small_faces,
            failing_engines: self.fault_failing_engines.clone(),
            liveness: liveness.options(),
        }
    }

    /// Which decisions fuse both engines.
    pub fn fused_policies(&self) -> FusedPolicies {
        FusedPolicies {
            verify: self.fusion,
            compare: self.fusion || self.compare_fusion,
        }
    }

    /// The target false-match rate of each verify policy.
    pub fn policy_targets(&self) -> PolicyTargets {
        PolicyTargets {
            login: self.fmr_login,
            general: self.fmr_general,
            monitoring: self.fmr_monitoring,
            compare: self.fmr_compare,
        }
    }
}

/// The liveness scorers' thresholds (see the README for how each was
/// measured).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct LivenessSettings {
    /// Attack-score threshold of the print/screen scorer.
    pub liveness_photo_threshold: f32,
    /// Threshold of the screen/print periodic-pattern cue.
    pub liveness_pattern_threshold: f32,
    /// Threshold of the covering classifier.
    pub liveness_mask_threshold: f32,
    /// Threshold of the generated-face cue.
    pub liveness_deepfake_threshold: f32,
    /// Lowest detection score of the second search for a face (covered
    /// faces and close-ups) when the first finds none.
    pub liveness_covered_face_min_score: f32,
}

impl Default for LivenessSettings {
    fn default() -> Self {
        let options = LivenessOptions::default();
        Self {
            liveness_photo_threshold: options.photo_threshold,
            liveness_pattern_threshold: options.pattern_threshold,
            liveness_mask_threshold: options.mask_threshold,
            liveness_deepfake_threshold: options.deepfake_threshold,
            liveness_covered_face_min_score: options.covered_face_min_score,
        }
    }
}

impl LivenessSettings {
    /// The scorers' options: these thresholds, the rest as measured.
    pub fn options(&self) -> LivenessOptions {
        LivenessOptions {
            photo_threshold: self.liveness_photo_threshold,
            pattern_threshold: self.liveness_pattern_threshold,
            mask_threshold: self.liveness_mask_threshold,
            deepfake_threshold: self.liveness_deepfake_threshold,
            covered_face_min_score: self.liveness_covered_face_min_score,
            ..LivenessOptions::default()
        }
    }
}
