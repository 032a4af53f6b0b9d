//! The quality gate: what makes a face unreliable to recognise, and which
//! of it refuses the face (`40910`) where.
//!
//! Exposure is judged by what the camera lost, not by the mean: a face
//! that is bright but keeps its detail (a fair-skinned face in an evenly
//! lit office) recognises as well as any, while a face whose pixels sit
//! at the sensor's limits has lost the detail recognition needs. Focus is
//! judged relative to the light on the face, so that a dim but sharp face
//! is not taken for a blurred one.
//!
//! `ekyc bench quality` measured what refusing buys: blown highlights,
//! crushed shadows and defocus lower the genuine scores of a face, but no
//! degradation raised false matches. So each has two limits: an enrolment,
//! compared for years, must meet the first; a probe is refused only past
//! the second, where most genuine comparisons would fail anyway, and
//! between the two it is answered with the issue reported, so the client
//! can explain a mismatch. A face too small or turned away is refused
//! everywhere, since its alignment itself is wrong.

use image::RgbImage;

use crate::Face;

/// Measurements of one face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityReport {
    /// Distance between the eye centres, in original-image pixels.
    pub eye_distance: f32,
    /// Variance of the Laplacian of the aligned crop's grey centre over its
    /// squared mean grey, ×10⁴: fine detail relative to the light on the
    /// face, so that a dim but sharp face is not taken for a blurred one
    /// (about the old absolute measure's value at mid-grey).
    pub sharpness: f32,
    /// Mean grey level of the aligned crop's centre (reported, not gated).
    pub brightness: f32,
    /// Fraction of the centre's pixels with a channel at the top of the
    /// range (≥ 250): highlights blown out.
    pub clipped: f32,
    /// Fraction of the centre's pixels with every channel at the bottom
    /// of the range (≤ 10): shadows crushed to black.
    pub crushed: f32,
    /// Nose offset from the eyes' midpoint, in eye distances (0 = frontal).
    pub yaw: f32,
}

/// Limits of the gate; see the README for how they were set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityThresholds {
    /// Fewest original-image pixels between the eye centres (default 16):
    /// below it the landmarks, and so the alignment, are unreliable.
    pub min_eye_distance: f32,
    /// Largest |[`QualityReport::yaw`]|, in eye distances (default 0.6):
    /// beyond it the face is turned too far for a frontal alignment.
    pub max_yaw: f32,
    /// What an enrolment must meet; a probe outside is reported.
    pub enrolment: ImageLimits,
    /// Where a probe is refused.
    pub probe: ImageLimits,
}

/// Limits of exposure and focus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImageLimits {
    /// Largest fraction, in [0, 1], of the crop centre's pixels blown out
    /// (see [`QualityReport::clipped`]).
    pub max_clipped: f32,
    /// Largest fraction, in [0, 1], of the crop centre's pixels crushed
    /// to black (see [`QualityReport::crushed`]).
    pub max_crushed: f32,
    /// Least [`QualityReport::sharpness`] (relative Laplacian variance,
    /// ×10⁴).
    pub min_sharpness: f32,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        Self {
            min_eye_distance: 16.0,
            max_yaw: 0.6,
            enrolment: ImageLimits {
                max_clipped: 0.5,
                max_crushed: 0.3,
                min_sharpness: 15.0,
            },
            probe: ImageLimits {
                max_clipped: 0.7,
                max_crushed: 0.5,
                min_sharpness: 2.0,
            },
        }
    }
}

/// What a face is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceUse {
    /// A template that is kept and compared for years.
    Enrolment,
    /// A face compared once: verify, identify, compare.
    Probe,
}

/// What makes a face unreliable to recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QualityIssue {
    /// The eyes are closer than [`QualityThresholds::min_eye_distance`].
    #[error("face too small")]
    TooSmall,
    /// Sharpness is under [`ImageLimits::min_sharpness`].
    #[error("face too blurred")]
    Blurred,
    /// More pixels are crushed than [`ImageLimits::max_crushed`] allows.
    #[error("face too dark: shadows crushed to black")]
    TooDark,
    /// More pixels are clipped than [`ImageLimits::max_clipped`] allows.
    #[error("face overexposed: highlights blown out")]
    Overexposed,
    /// The yaw is past [`QualityThresholds::max_yaw`].
    #[error("face turned too far from the camera")]
    ExtremePose,
}

impl QualityIssue {
    /// A short name for answers and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::TooSmall => "tooSmall",
            Self::Blurred => "blurred",
            Self::TooDark => "tooDark",
            Self::Overexposed => "overexposed",
            Self::ExtremePose => "extremePose",
        }
    }
}

impl QualityReport {
    /// Measures a face from its landmarks and its aligned crop.
    pub fn measure(face: &Face, aligned: &RgbImage) -> Self {
        let [right_eye, left_eye, nose, _, _] = face.landmarks;
        let eye_distance = (left_eye[0] - right_eye[0]).hypot(left_eye[1] - right_eye[1]);
        let eye_mid = [
            (left_eye[0] + right_eye[0]) / 2.0,
            (left_eye[1] + right_eye[1]) / 2.0,
        ];
        // Project the nose offset on the eye axis: rolled faces stay frontal.
        let axis = [
            (left_eye[0] - right_eye[0]) / eye_distance.max(1e-3),
            (left_eye[1] - right_eye[1]) / eye_distance.max(1e-3),
        ];
        let along = (nose[0] - eye_mid[0]) * axis[0] + (nose[1] - eye_mid[1]) * axis[1];
        let centre = centre_statistics(aligned);
        Self {
            eye_distance,
            sharpness: centre.sharpness,
            brightness: centre.brightness,
            clipped: centre.clipped,
            crushed: centre.crushed,
            yaw: along / eye_distance.max(1e-3),
        }
    }

    /// Every limit of an enrolment this face breaks, those of its
    /// geometry first.
    pub fn issues(&self, limits: &QualityThresholds) -> Vec<QualityIssue> {
        self.broken(limits, &limits.enrolment)
    }

    /// The first limit of an enrolment this face breaks, if any.
    pub fn check(&self, limits: &QualityThresholds) -> Result<(), QualityIssue> {
        match self.issues(limits).first() {
            Some(issue) => Err(*issue),
            None => Ok(()),
        }
    }

    /// The gate for a face used as `face_use`: the first limit that
    /// refuses it, else the issues to report with the answer.
    pub fn gate(
        &self,
        limits: &QualityThresholds,
        face_use: FaceUse,
    ) -> Result<Vec<QualityIssue>, QualityIssue> {
        let refusing = match face_use {
            FaceUse::Enrolment => &limits.enrolment,
            FaceUse::Probe => &limits.probe,
        };
        match self.broken(limits, refusing).first() {
            Some(refusal) => Err(*refusal),
            None => Ok(self.issues(limits)),
        }
    }

    fn broken(&self, limits: &QualityThresholds, image: &ImageLimits) -> Vec<QualityIssue> {
        [
            (
                self.eye_distance < limits.min_eye_distance,
                QualityIssue::TooSmall,
            ),
            (self.yaw.abs() > limits.max_yaw, QualityIssue::ExtremePose),
            (self.crushed > image.max_crushed, QualityIssue::TooDark),
            (self.clipped > image.max_clipped, QualityIssue::Overexposed),
            (self.sharpness < image.min_sharpness, QualityIssue::Blurred),
        ]
        .into_iter()
        .filter_map(|(broken, issue)| broken.then_some(issue))
        .collect()
    }
}

/// What the centre of an aligned crop shows.
struct Centre {
    sharpness: f32,
    brightness: f32,
    clipped: f32,
    crushed: f32,
}

/// Channel level at or above which a pixel's highlight is blown out.
const CLIPPED_LEVEL: u8 = 250;
/// Channel level at or below which (in every channel) a pixel is black.
const CRUSHED_LEVEL: u8 = 10;

/// Statistics of the grey centre (eyes to mouth) of an aligned crop, where
/// background and hair cannot dominate: Laplacian variance relative to the
/// squared mean, the mean, and the fractions of clipped and crushed pixels.
fn centre_statistics(aligned: &RgbImage) -> Centre {
    let grey = |x: u32, y: u32| {
        let [r, g, b] = aligned.get_pixel(x, y).0;
        0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b)
    };
    let (x0, x1, y0, y1) = (28, 84, 36, 100);
    let mut sum = 0.0;
    let (mut clipped, mut crushed) = (0usize, 0usize);
    let mut laplacians = Vec::with_capacity(((x1 - x0) * (y1 - y0)) as usize);
    for y in y0..y1 {
        for x in x0..x1 {
            let pixel = aligned.get_pixel(x, y).0;
            clipped += usize::from(pixel.iter().any(|&c| c >= CLIPPED_LEVEL));
            crushed += usize::from(pixel.iter().all(|&c| c <= CRUSHED_LEVEL));
            let centre = grey(x, y);
            sum += centre;
            laplacians.push(
                grey(x - 1, y) + grey(x + 1, y) + grey(x, y - 1) + grey(x, y + 1) - 4.0 * centre,
            );
        }
    }
    let count = laplacians.len() as f32;
    let mean = sum / count;
    let mean_laplacian = laplacians.iter().sum::<f32>() / count;
    let variance = laplacians
        .iter()
        .map(|l| (l - mean_laplacian).powi(2))
        .sum::<f32>()
        / count;
    Centre {
        sharpness: 10_000.0 * variance / mean.max(1.0).powi(2),
        brightness: mean,
        clipped: clipped as f32 / count,
        crushed: crushed as f32 / count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn face(eye_distance: f32, nose_shift: f32) -> Face {
        Face {
            bbox: ekyc_image::Rect::new(0.0, 0.0, 100.0, 100.0),
            score: 0.9,
            landmarks: [
                [50.0, 50.0],
                [50.0 + eye_distance, 50.0],
                [50.0 + eye_distance / 2.0 + nose_shift, 70.0],
                [55.0, 90.0],
                [75.0, 90.0],
            ],
        }
    }

    fn checker(size: u32, contrast: u8, base: u8) -> RgbImage {
        RgbImage::from_fn(size, size, |x, y| {
            let v = if (x / 2 + y / 2) % 2 == 0 {
                base
            } else {
                base.saturating_add(contrast)
            };
            Rgb([v, v, v])
        })
    }

    #[test]
    fn each_limit_is_reported() {
        let limits = QualityThresholds::default();
        let sharp = checker(112, 60, 100);
        assert_eq!(
            QualityReport::measure(&face(40.0, 0.0), &sharp).check(&limits),
            Ok(())
        );
        assert_eq!(
            QualityReport::measure(&face(8.0, 0.0), &sharp).check(&limits),
            Err(QualityIssue::TooSmall)
        );
        assert_eq!(
            QualityReport::measure(&face(40.0, 35.0), &sharp).check(&limits),
            Err(QualityIssue::ExtremePose)
        );
        assert_eq!(
            QualityReport::measure(&face(40.0, 0.0), &checker(112, 60, 0)).check(&limits),
            Err(QualityIssue::TooDark)
        );
        assert_eq!(
            QualityReport::measure(&face(40.0, 0.0), &checker(112, 5, 250)).check(&limits),
            Err(QualityIssue::Overexposed)
        );
        let flat = RgbImage::from_pixel(112, 112, Rgb([120, 120, 120]));
        assert_eq!(
            QualityReport::measure(&face(40.0, 0.0), &flat).check(&limits),
            Err(QualityIssue::Blurred)
        );
    }

    /// A bright face is not an overexposed one: what counts is detail lost
    /// at the top of the range.
    #[test]
    fn bright_faces_pass_while_clipped_ones_do_not() {
        let limits = QualityThresholds::default();
        let bright = checker(112, 35, 212);
        let report = QualityReport::measure(&face(40.0, 0.0), &bright);
        assert!(report.brightness > 225.0, "{report:?}");
        assert_eq!(report.clipped, 0.0);
        assert_eq!(report.check(&limits), Ok(()));
        let dim = checker(112, 20, 12);
        let report = QualityReport::measure(&face(40.0, 0.0), &dim);
        assert!(report.brightness < 40.0, "{report:?}");
        assert_eq!(report.check(&limits), Ok(()));
    }

    /// Between an enrolment's limit and a probe's, a probe is answered
    /// with the issue reported; past the probe's, it is refused too.
    #[test]
    fn probes_are_refused_only_past_their_own_limits() {
        let limits = QualityThresholds::default();
        let report = |clipped| QualityReport {
            eye_distance: 40.0,
            sharpness: 50.0,
            brightness: 200.0,
            clipped,
            crushed: 0.0,
            yaw: 0.0,
        };
        let between = report(0.6);
        assert_eq!(
            between.gate(&limits, FaceUse::Enrolment),
            Err(QualityIssue::Overexposed)
        );
        assert_eq!(
            between.gate(&limits, FaceUse::Probe),
            Ok(vec![QualityIssue::Overexposed])
        );
        assert_eq!(
            report(0.9).gate(&limits, FaceUse::Probe),
            Err(QualityIssue::Overexposed)
        );
        assert_eq!(report(0.0).gate(&limits, FaceUse::Probe), Ok(vec![]));
        let small = QualityReport {
            eye_distance: 5.0,
            ..report(0.0)
        };
        assert_eq!(
            small.gate(&limits, FaceUse::Probe),
            Err(QualityIssue::TooSmall)
        );
    }
}
