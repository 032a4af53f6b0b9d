//! Print and screen attacks: the MiniFASNet pair of Silent-Face-Anti-
//! Spoofing (MiniFASNetV2 on the face box ×2.7, MiniFASNetV1SE on ×4.0),
//! fused by averaging their softmaxes as the original does.

use ekyc_image::{crop_resize, Outside, Rect};
use image::RgbImage;
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

use super::{AttackScorer, Check, LivenessError};
use crate::Face;

const INPUT_SIDE: u32 = 80;
/// Softmax index of the "live" class; 0 and 2 are attack types.
const LIVE_CLASS: usize = 1;

/// How a scaled face box that does not fit in the image is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CropFit {
    /// The original's rule: reduce the scale until the box fits, then shift
    /// it inside. Close-ups then get a tighter crop than the model was
    /// trained on, and read as attacks far more often.
    Shrink,
    /// Keep the scale and fill the part outside the image with its edge
    /// pixels, so the face keeps the size the model expects.
    Pad,
}

/// One MiniFASNet model and the box scale it was trained with.
pub struct FasNet {
    session: Session,
    scale: f32,
}

impl FasNet {
    /// Wraps a loaded MiniFASNet session; `scale` is the factor the face
    /// box is enlarged by, as the model was trained (2.7 for V2, 4.0 for
    /// V1SE).
    pub fn new(session: Session, scale: f32) -> Self {
        Self { session, scale }
    }

    /// The softmax of the three classes for one face.
    fn softmax(
        &mut self,
        image: &RgbImage,
        face: &Face,
        fit: CropFit,
    ) -> Result<[f32; 3], LivenessError> {
        let crop = scaled_crop(image, face.bbox, self.scale, fit);
        let input = bgr_tensor(&crop);
        let outputs = self
            .session
            .run(ort::inputs!["input" => TensorRef::from_array_view(&input)?])?;
        let (_, logits) = outputs["logits"].try_extract_tensor::<f32>()?;
        let logits: [f32; 3] =
            logits
                .get(..3)
                .and_then(|l| l.try_into().ok())
                .ok_or(LivenessError::Output {
                    model: "minifasnet",
                })?;
        Ok(softmax(logits))
    }
}

/// The fused pair; its attack score is one minus the mean live probability.
pub struct FasNetPair {
    models: Vec<FasNet>,
    fit: CropFit,
}

impl FasNetPair {
    /// The models whose live probabilities are averaged, and the crop
    /// rule [`AttackScorer::score`] uses.
    pub fn new(models: Vec<FasNet>, fit: CropFit) -> Self {
        Self { models, fit }
    }

    /// The attack score with a given crop rule (benchmarks compare them).
    pub fn attack_score(
        &mut self,
        image: &RgbImage,
        face: &Face,
        fit: CropFit,
    ) -> Result<f32, LivenessError> {
        let mut live = 0.0;
        for model in &mut self.models {
            live += model.softmax(image, face, fit)?[LIVE_CLASS];
        }
        Ok(1.0 - live / self.models.len().max(1) as f32)
    }
}

impl AttackScorer for FasNetPair {
    fn name(&self) -> &'static str {
        "minifasnet"
    }

    fn check(&self) -> Check {
        Check::Photo
    }

    fn score(&mut self, image: &RgbImage, face: &Face) -> Result<f32, LivenessError> {
        self.attack_score(image, face, self.fit)
    }
}

/// The face box scaled about its centre, fitted to the image per `fit`,
/// cropped and resized to the model's input.
fn scaled_crop(image: &RgbImage, bbox: Rect, scale: f32, fit: CropFit) -> RgbImage {
    let [x, y, w, h] = bbox.to_array();
    let (w, h) = (w.max(1.0), h.max(1.0));
    let (image_w, image_h) = (image.width() as f32, image.height() as f32);
    let (centre_x, centre_y) = (x + w / 2.0, y + h / 2.0);
    let rect = match fit {
        CropFit::Pad => {
            let (new_w, new_h) = (w * scale, h * scale);
            [centre_x - new_w / 2.0, centre_y - new_h / 2.0, new_w, new_h]
        }
        CropFit::Shrink => {
            let scale = scale
                .min((image_h - 1.0) / h)
                .min((image_w - 1.0) / w)
                .max(0.0);
            let (new_w, new_h) = (w * scale, h * scale);
            let left = shift_inside(centre_x - new_w / 2.0, new_w, image_w - 1.0).trunc();
            let top = shift_inside(centre_y - new_h / 2.0, new_h, image_h - 1.0).trunc();
            let right = (left + new_w).min(image_w - 1.0).trunc();
            let bottom = (top + new_h).min(image_h - 1.0).trunc();
            [left, top, right - left + 1.0, bottom - top + 1.0]
        }
    };
    crop_resize(image, rect, INPUT_SIDE, INPUT_SIDE, Outside::Replicate)
}

/// The start of a span of `length` moved to lie within [0, limit].
fn shift_inside(start: f32, length: f32, limit: f32) -> f32 {
    if start < 0.0 {
        0.0
    } else if start + length > limit {
        (limit - length).max(0.0)
    } else {
        start
    }
}

/// NCHW float BGR 0..255, unnormalised: the original's ToTensor does not
/// divide by 255.
fn bgr_tensor(crop: &RgbImage) -> Array4<f32> {
    let side = INPUT_SIDE as usize;
    let mut tensor = Array4::<f32>::zeros((1, 3, side, side));
    for (x, y, pixel) in crop.enumerate_pixels() {
        for (channel, source) in [2, 1, 0].into_iter().enumerate() {
            tensor[[0, channel, y as usize, x as usize]] = f32::from(pixel[source]);
        }
    }
    tensor
}

fn softmax(logits: [f32; 3]) -> [f32; 3] {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp = logits.map(|l| (l - max).exp());
    let sum: f32 = exp.iter().sum();
    exp.map(|e| e / sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrink_keeps_the_crop_inside_the_image() {
        let image = RgbImage::from_fn(100, 100, |x, _| image::Rgb([x as u8, 0, 0]));
        // A centred 60 px face cannot be scaled by 2.7 in a 100 px image.
        let shrunk = scaled_crop(
            &image,
            Rect::new(20.0, 20.0, 60.0, 60.0),
            2.7,
            CropFit::Shrink,
        );
        let padded = scaled_crop(&image, Rect::new(20.0, 20.0, 60.0, 60.0), 2.7, CropFit::Pad);
        // Shrinking spans the whole width; padding repeats the edge pixels.
        assert!(shrunk.get_pixel(0, 40)[0] <= 1);
        assert!(shrunk.get_pixel(79, 40)[0] >= 98);
        assert_eq!(padded.get_pixel(0, 40)[0], 0);
        assert_eq!(padded.get_pixel(5, 40)[0], 0);
        assert!(padded.get_pixel(40, 40)[0] > 40);
    }

    #[test]
    fn shift_moves_spans_inside() {
        assert_eq!(shift_inside(-5.0, 10.0, 99.0), 0.0);
        assert_eq!(shift_inside(95.0, 10.0, 99.0), 89.0);
        assert_eq!(shift_inside(30.0, 10.0, 99.0), 30.0);
    }

    #[test]
    fn softmax_sums_to_one() {
        let p = softmax([1.0, 2.0, 3.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[2] > p[1] && p[1] > p[0]);
    }
}
