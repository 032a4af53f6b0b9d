//! Face coverings: a MobileNetV2 mask classifier on two crops of the face
//! box, averaged (the classifier's errors on odd framings rarely agree
//! across crops; mirrored views added nothing measurable), then shifted by
//! how unlike the person's own skin the lower face looks. The lower face
//! (between nose and mouth, and the chin) is compared with the skin above
//! it (under the eyes and the forehead): its distance in chroma, and how
//! much less red it is. Comparing with the same face's skin, rather than
//! with a fixed skin colour, keeps the cue fair across skin tones.

use ekyc_image::{crop_resize, Outside};
use image::RgbImage;
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

use super::{AttackScorer, Check, LivenessError};
use crate::Face;

const INPUT_SIDE: u32 = 224;
/// Softmax index of "mask"; 1 is "without mask".
const MASK_CLASS: usize = 0;
/// The face box grown by these factors about its centre: the tight crop
/// and a looser one.
pub const MARGINS: [f32; 2] = [1.0, 1.4];
/// Log-odds added per Cb/Cr level of chroma distance between the lower
/// and the upper face...
const CHROMA_WEIGHT: f32 = 0.1;
/// ...and per level the lower face is less red (Cr) than the upper.
const REDNESS_GAP_WEIGHT: f32 = 0.1;

/// The MobileNetV2 mask classifier (the manifest's `mask_classifier`,
/// 224×224 NHWC input), scoring the mask check with the lower-face
/// colour contrast.
pub struct MaskClassifier {
    session: Session,
}

impl MaskClassifier {
    /// Wraps a loaded session of the classifier.
    pub fn new(session: Session) -> Self {
        Self { session }
    }

    /// The classifier's mean covering probability over crops with the
    /// given margins, each also mirrored if asked (benchmarks compare).
    pub fn probability(
        &mut self,
        image: &RgbImage,
        face: &Face,
        margins: &[f32],
        mirrored_too: bool,
    ) -> Result<f32, LivenessError> {
        let crops: Vec<RgbImage> = margins
            .iter()
            .map(|&margin| square_crop(image, face, margin))
            .collect();
        let input = nhwc_tensor(&crops, mirrored_too);
        let views = input.shape()[0];
        let outputs = self
            .session
            .run(ort::inputs!["input" => TensorRef::from_array_view(&input)?])?;
        let (_, probabilities) = outputs[0].try_extract_tensor::<f32>()?;
        let mask: Vec<f32> = probabilities
            .chunks_exact(2)
            .map(|p| p[MASK_CLASS])
            .collect();
        if mask.len() != views || views == 0 {
            return Err(LivenessError::Output {
                model: "mask-mobilenetv2",
            });
        }
        Ok(mask.iter().sum::<f32>() / views as f32)
    }
}

/// How the lower face's colour differs from the skin above it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LowerFaceContrast {
    /// Distance in the (Cb, Cr) plane between the two regions' means.
    pub chroma_distance: f32,
    /// Upper minus lower mean Cr: positive when the lower face is less red.
    pub redness_gap: f32,
}

/// Combines the classifier's probability with the colour contrast.
pub fn covering_score(probability: f32, contrast: LowerFaceContrast) -> f32 {
    let p = probability.clamp(1e-4, 1.0 - 1e-4);
    let log_odds = (p / (1.0 - p)).ln()
        + CHROMA_WEIGHT * contrast.chroma_distance
        + REDNESS_GAP_WEIGHT * contrast.redness_gap;
    1.0 / (1.0 + (-log_odds).exp())
}

/// Measures the lower face against the skin above it, with regions placed
/// from the landmarks in eye distances.
pub fn lower_face_contrast(image: &RgbImage, face: &Face) -> LowerFaceContrast {
    let [right_eye, left_eye, nose, right_mouth, left_mouth] = face.landmarks;
    let eye_distance = (left_eye[0] - right_eye[0])
        .hypot(left_eye[1] - right_eye[1])
        .max(2.0);
    let at = |p: [f32; 2], down: f32| [p[0], p[1] + down * eye_distance];
    let midpoint = |a: [f32; 2], b: [f32; 2]| [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    let mouth = midpoint(right_mouth, left_mouth);
    let lower = mean_chroma(
        image,
        &[(midpoint(nose, mouth), 0.25), (at(mouth, 0.35), 0.2)],
        eye_distance,
    );
    let upper = mean_chroma(
        image,
        &[
            (at(midpoint(right_eye, left_eye), -0.5), 0.2),
            (at(right_eye, 0.25), 0.1),
            (at(left_eye, 0.25), 0.1),
        ],
        eye_distance,
    );
    match (lower, upper) {
        (Some(lower), Some(upper)) => LowerFaceContrast {
            chroma_distance: (lower[0] - upper[0]).hypot(lower[1] - upper[1]),
            redness_gap: upper[1] - lower[1],
        },
        _ => LowerFaceContrast {
            chroma_distance: 0.0,
            redness_gap: 0.0,
        },
    }
}

/// Mean (Cb, Cr) over square patches `(centre, half side in eye
/// distances)`, clipped to the image; `None` when all fall outside.
fn mean_chroma(
    image: &RgbImage,
    patches: &[([f32; 2], f32)],
    eye_distance: f32,
) -> Option<[f32; 2]> {
    let (mut sum, mut count) = ([0.0f32; 2], 0usize);
    for &(centre, half) in patches {
        let half = (half * eye_distance).max(1.0);
        let span = |c: f32, limit: u32| {
            let start = (c - half).floor().max(0.0) as u32;
            let end = ((c + half).ceil().max(0.0) as u32).min(limit);
            start..end
        };
        for y in span(centre[1], image.height()) {
            for x in span(centre[0], image.width()) {
                let [cb, cr] = super::chroma(image.get_pixel(x, y).0);
                sum[0] += cb;
                sum[1] += cr;
                count += 1;
            }
        }
    }
    (count > 0).then(|| sum.map(|v| v / count as f32))
}

fn square_crop(image: &RgbImage, face: &Face, margin: f32) -> RgbImage {
    let [x, y, w, h] = face.bbox.to_array();
    let side = w.max(h) * margin;
    let rect = [
        x + w / 2.0 - side / 2.0,
        y + h / 2.0 - side / 2.0,
        side,
        side,
    ];
    crop_resize(image, rect, INPUT_SIDE, INPUT_SIDE, Outside::Replicate)
}

impl AttackScorer for MaskClassifier {
    fn name(&self) -> &'static str {
        "mask-mobilenetv2"
    }

    fn check(&self) -> Check {
        Check::Mask
    }

    fn score(&mut self, image: &RgbImage, face: &Face) -> Result<f32, LivenessError> {
        let probability = self.probability(image, face, &MARGINS, false)?;
        Ok(covering_score(
            probability,
            lower_face_contrast(image, face),
        ))
    }
}

/// A batch of NHWC float RGB scaled to [-1, 1]: each crop, followed by
/// its mirror image if asked.
fn nhwc_tensor(crops: &[RgbImage], mirrored_too: bool) -> Array4<f32> {
    let side = INPUT_SIDE as usize;
    let per_crop = if mirrored_too { 2 } else { 1 };
    let mut tensor = Array4::<f32>::zeros((crops.len() * per_crop, side, side, 3));
    for (index, crop) in crops.iter().enumerate() {
        let view = index * per_crop;
        for (x, y, pixel) in crop.enumerate_pixels() {
            let (x, y) = (x as usize, y as usize);
            for (channel, &value) in pixel.0.iter().enumerate() {
                let scaled = f32::from(value) / 127.5 - 1.0;
                tensor[[view, y, x, channel]] = scaled;
                if mirrored_too {
                    tensor[[view + 1, y, side - 1 - x, channel]] = scaled;
                }
            }
        }
    }
    tensor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_crop_is_followed_by_its_mirror() {
        let crop = RgbImage::from_fn(INPUT_SIDE, INPUT_SIDE, |x, _| {
            image::Rgb([if x == 0 { 255 } else { 0 }, 0, 0])
        });
        let tensor = nhwc_tensor(&[crop.clone(), crop], true);
        assert_eq!(tensor.shape()[0], 4);
        assert_eq!(tensor[[0, 5, 0, 0]], 1.0);
        assert_eq!(tensor[[1, 5, INPUT_SIDE as usize - 1, 0]], 1.0);
        assert_eq!(tensor[[1, 5, 0, 0]], -1.0);
        assert_eq!(tensor[[2, 5, 0, 0]], 1.0);
    }

    fn face() -> Face {
        Face {
            bbox: ekyc_image::Rect::new(20.0, 20.0, 60.0, 60.0),
            score: 1.0,
            landmarks: [
                [35.0, 40.0],
                [65.0, 40.0],
                [50.0, 55.0],
                [38.0, 70.0],
                [62.0, 70.0],
            ],
        }
    }

    #[test]
    fn a_lower_face_unlike_the_skin_above_raises_the_covering_score() {
        let skin = image::Rgb([200, 140, 120]);
        let bare = RgbImage::from_pixel(100, 100, skin);
        let masked = RgbImage::from_fn(100, 100, |_, y| {
            if y >= 50 {
                image::Rgb([230, 230, 235])
            } else {
                skin
            }
        });
        let (bare, masked) = (
            lower_face_contrast(&bare, &face()),
            lower_face_contrast(&masked, &face()),
        );
        assert!(bare.chroma_distance < 1e-3 && bare.redness_gap.abs() < 1e-3);
        assert!(masked.chroma_distance > 20.0 && masked.redness_gap > 20.0);
        assert!(covering_score(0.3, bare) < 0.5);
        assert!(covering_score(0.3, masked) > 0.9);
    }
}
