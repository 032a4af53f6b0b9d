//! The quality gate: a face too small, blurred, dark, overexposed or
//! turned away gives unreliable templates, so enrolment and verification
//! refuse it (`40910`) and say why.

use image::RgbImage;

use crate::Face;

/// Measurements of one face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityReport {
    /// Distance between the eye centres, in original-image pixels.
    pub eye_distance: f32,
    /// Variance of the Laplacian of the aligned crop's centre (grey levels²).
    pub sharpness: f32,
    /// Mean grey level of the aligned crop's centre.
    pub brightness: f32,
    /// Nose offset from the eyes' midpoint, in eye distances (0 = frontal).
    pub yaw: f32,
}

/// Limits of the gate; see the README for how they were set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QualityThresholds {
    pub min_eye_distance: f32,
    pub min_sharpness: f32,
    pub min_brightness: f32,
    pub max_brightness: f32,
    pub max_yaw: f32,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        Self {
            min_eye_distance: 16.0,
            min_sharpness: 15.0,
            min_brightness: 40.0,
            max_brightness: 225.0,
            max_yaw: 0.6,
        }
    }
}

/// Why a face was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QualityIssue {
    #[error("face too small")]
    TooSmall,
    #[error("face too blurred")]
    Blurred,
    #[error("face too dark")]
    TooDark,
    #[error("face overexposed")]
    Overexposed,
    #[error("face turned too far from the camera")]
    ExtremePose,
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
        let (sharpness, brightness) = centre_statistics(aligned);
        Self {
            eye_distance,
            sharpness,
            brightness,
            yaw: along / eye_distance.max(1e-3),
        }
    }

    /// The first limit this face breaks, if any.
    pub fn check(&self, limits: &QualityThresholds) -> Result<(), QualityIssue> {
        if self.eye_distance < limits.min_eye_distance {
            Err(QualityIssue::TooSmall)
        } else if self.yaw.abs() > limits.max_yaw {
            Err(QualityIssue::ExtremePose)
        } else if self.brightness < limits.min_brightness {
            Err(QualityIssue::TooDark)
        } else if self.brightness > limits.max_brightness {
            Err(QualityIssue::Overexposed)
        } else if self.sharpness < limits.min_sharpness {
            Err(QualityIssue::Blurred)
        } else {
            Ok(())
        }
    }
}

/// Laplacian variance and mean of the grey centre (eyes to mouth) of an
/// aligned crop, where background and hair cannot dominate.
fn centre_statistics(aligned: &RgbImage) -> (f32, f32) {
    let grey = |x: u32, y: u32| {
        let [r, g, b] = aligned.get_pixel(x, y).0;
        0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b)
    };
    let (x0, x1, y0, y1) = (28, 84, 36, 100);
    let mut sum = 0.0;
    let mut laplacians = Vec::with_capacity(((x1 - x0) * (y1 - y0)) as usize);
    for y in y0..y1 {
        for x in x0..x1 {
            let centre = grey(x, y);
            sum += centre;
            laplacians.push(
                grey(x - 1, y) + grey(x + 1, y) + grey(x, y - 1) + grey(x, y + 1) - 4.0 * centre,
            );
        }
    }
    let count = laplacians.len() as f32;
    let mean_laplacian = laplacians.iter().sum::<f32>() / count;
    let variance = laplacians
        .iter()
        .map(|l| (l - mean_laplacian).powi(2))
        .sum::<f32>()
        / count;
    (variance, sum / count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn face(eye_distance: f32, nose_shift: f32) -> Face {
        Face {
            bbox: [0.0, 0.0, 100.0, 100.0],
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
            QualityReport::measure(&face(40.0, 0.0), &checker(112, 10, 5)).check(&limits),
            Err(QualityIssue::TooDark)
        );
        assert_eq!(
            QualityReport::measure(&face(40.0, 0.0), &checker(112, 10, 240)).check(&limits),
            Err(QualityIssue::Overexposed)
        );
        let flat = RgbImage::from_pixel(112, 112, Rgb([120, 120, 120]));
        assert_eq!(
            QualityReport::measure(&face(40.0, 0.0), &flat).check(&limits),
            Err(QualityIssue::Blurred)
        );
    }
}
