//! Face coverings: a MobileNetV2 mask classifier on two crops of the face
//! box, averaged (the classifier's errors on odd framings rarely agree
//! across crops; mirrored views added nothing measurable), then shifted by how
//! little the lower face looks like skin: the mean red-difference chroma
//! (Cr) between nose and chin, where lips and skin are red and most
//! coverings are not.

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
/// Log-odds added per unit of missing lower-face redness (Cr levels)...
const REDNESS_WEIGHT: f32 = 0.1;
/// ...counted from this Cr, between bare skin (about 25) and most masks
/// (about 0).
const REDNESS_PIVOT: f32 = 12.0;

pub struct MaskClassifier {
    session: Session,
}

impl MaskClassifier {
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
            return Err(LivenessError(
                "mask classifier output has the wrong shape".into(),
            ));
        }
        Ok(mask.iter().sum::<f32>() / views as f32)
    }
}

/// Combines the classifier's probability with the lower face's redness.
pub fn covering_score(probability: f32, redness: f32) -> f32 {
    let p = probability.clamp(1e-4, 1.0 - 1e-4);
    let log_odds = (p / (1.0 - p)).ln() + REDNESS_WEIGHT * (REDNESS_PIVOT - redness);
    1.0 / (1.0 + (-log_odds).exp())
}

/// Mean Cr (red-difference chroma, 0 = grey) between the nose and the
/// mouth and on the chin, located from the landmarks in eye distances.
pub fn lower_face_redness(image: &RgbImage, face: &Face) -> f32 {
    let [right_eye, left_eye, nose, right_mouth, left_mouth] = face.landmarks;
    let eye_distance = (left_eye[0] - right_eye[0])
        .hypot(left_eye[1] - right_eye[1])
        .max(2.0);
    let mouth = [
        (right_mouth[0] + left_mouth[0]) / 2.0,
        (right_mouth[1] + left_mouth[1]) / 2.0,
    ];
    let philtrum = [(nose[0] + mouth[0]) / 2.0, (nose[1] + mouth[1]) / 2.0];
    let chin = [mouth[0], mouth[1] + 0.35 * eye_distance];
    let (mut sum, mut count) = (0.0f32, 0usize);
    for (centre, radius) in [(philtrum, 0.25), (chin, 0.2)] {
        let radius = (radius * eye_distance).max(1.0);
        let x0 = (centre[0] - radius).floor().max(0.0) as u32;
        let y0 = (centre[1] - radius).floor().max(0.0) as u32;
        let x1 = ((centre[0] + radius).ceil().max(0.0) as u32).min(image.width());
        let y1 = ((centre[1] + radius).ceil().max(0.0) as u32).min(image.height());
        for y in y0..y1 {
            for x in x0..x1 {
                let [r, g, b] = image.get_pixel(x, y).0.map(f32::from);
                sum += 0.5 * r - 0.418_688 * g - 0.081_312 * b;
                count += 1;
            }
        }
    }
    if count == 0 {
        return REDNESS_PIVOT;
    }
    sum / count as f32
}

fn square_crop(image: &RgbImage, face: &Face, margin: f32) -> RgbImage {
    let [x, y, w, h] = face.bbox;
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
        Ok(covering_score(probability, lower_face_redness(image, face)))
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
            bbox: [20.0, 20.0, 60.0, 60.0],
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
    fn skin_below_the_nose_lowers_the_covering_score() {
        let skin = RgbImage::from_pixel(100, 100, image::Rgb([200, 140, 120]));
        let white_mask = RgbImage::from_pixel(100, 100, image::Rgb([230, 230, 235]));
        let (bare, covered) = (
            lower_face_redness(&skin, &face()),
            lower_face_redness(&white_mask, &face()),
        );
        assert!(bare > 20.0 && covered.abs() < 3.0);
        assert!(covering_score(0.5, bare) < 0.5);
        assert!(covering_score(0.5, covered) > 0.5);
    }
}
