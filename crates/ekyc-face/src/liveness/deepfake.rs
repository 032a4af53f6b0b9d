//! Generated faces: a measure of fine colour detail.
//!
//! A camera's sensor noise and demosaicing leave pixel-level chroma
//! variation everywhere in a photo; GAN generators reproduce the
//! luminance of skin and hair well but little of that chroma texture
//! (their spectra fall off at high frequencies). The energy of the
//! Laplacian of the two chroma planes, on a fixed-size view around the
//! face, is therefore lower for generated faces. This is a weak, honest
//! cue: it says nothing about face swaps or edited photos, and heavy
//! compression or smoothing filters make real photos look generated.

use image::imageops::{self, FilterType};
use image::RgbImage;

use super::{AttackScorer, Check, LivenessError};
use crate::Face;

/// Side of the square view the measure is taken on; smaller views are
/// measured as they are (enlarging would smooth away the very detail
/// measured).
pub const VIEW_SIDE: u32 = 256;
/// The view spans this many face-box widths around the face centre.
const VIEW_SCALE: f32 = 2.2;
/// Log chroma energy mapped to a score of one half...
const CENTRE: f32 = 0.9;
/// ...and the log-energy change that moves the score from 0.27 to 0.73.
const WIDTH: f32 = 0.25;

/// Scores faces by their lack of fine chroma detail.
pub struct ChromaDetailScorer;

impl AttackScorer for ChromaDetailScorer {
    fn name(&self) -> &'static str {
        "chroma-detail"
    }

    fn check(&self) -> Check {
        Check::Deepfake
    }

    fn score(&mut self, image: &RgbImage, face: &Face) -> Result<f32, LivenessError> {
        Ok(
            chroma_detail(&face_view(image, face)).map_or(0.0, |detail| {
                1.0 / (1.0 + ((detail - CENTRE) / WIDTH).exp())
            }),
        )
    }
}

/// A square around the face, shifted (and if need be shrunk) to lie in
/// the image, shrunk with an anti-aliasing filter to at most
/// `VIEW_SIDE`.
pub fn face_view(image: &RgbImage, face: &Face) -> RgbImage {
    let [x, y, w, h] = face.bbox.to_array();
    let (image_w, image_h) = image.dimensions();
    let side = (w.max(h) * VIEW_SCALE)
        .min(image_w.min(image_h) as f32)
        .max(1.0);
    let place = |centre: f32, limit: u32| {
        (centre - side / 2.0)
            .clamp(0.0, (limit as f32 - side).max(0.0))
            .round() as u32
    };
    let left = place(x + w / 2.0, image_w);
    let top = place(y + h / 2.0, image_h);
    let side = side as u32;
    let view = imageops::crop_imm(image, left, top, side, side).to_image();
    if side <= VIEW_SIDE {
        return view;
    }
    imageops::resize(&view, VIEW_SIDE, VIEW_SIDE, FilterType::Triangle)
}

/// The natural log of the mean squared Laplacian of the Cb and Cr planes
/// (JPEG's YCbCr), summed; `None` for views too small to measure.
pub fn chroma_detail(view: &RgbImage) -> Option<f32> {
    let (width, height) = (view.width() as usize, view.height() as usize);
    if width < 3 || height < 3 {
        return None;
    }
    let chroma: Vec<[f32; 2]> = view.pixels().map(|p| super::chroma(p.0)).collect();
    let laplacian = |at: usize, c: usize| {
        4.0 * chroma[at][c]
            - chroma[at - 1][c]
            - chroma[at + 1][c]
            - chroma[at - width][c]
            - chroma[at + width][c]
    };
    let mut energy = 0.0f64;
    for y in 1..height - 1 {
        for x in 1..width - 1 {
            let at = y * width + x;
            let (cb, cr) = (laplacian(at, 0), laplacian(at, 1));
            energy += f64::from(cb * cb + cr * cr);
        }
    }
    let count = ((width - 2) * (height - 2)) as f64;
    Some((energy / count).max(1e-9).ln() as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(side: f32) -> Face {
        Face {
            bbox: ekyc_image::Rect::new(side / 4.0, side / 4.0, side / 2.0, side / 2.0),
            score: 1.0,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn grey_images_have_no_chroma_detail_and_score_as_generated() {
        let grey = RgbImage::from_fn(300, 300, |x, y| {
            let v = ((x * 7 + y * 13) % 255) as u8;
            image::Rgb([v, v, v])
        });
        assert!(chroma_detail(&grey).unwrap() < -10.0);
        assert!(ChromaDetailScorer.score(&grey, &face(300.0)).unwrap() > 0.99);
    }

    #[test]
    fn chroma_noise_scores_as_a_camera_photo() {
        let mut state = 12345u32;
        let noisy = RgbImage::from_fn(300, 300, |_, _| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let n = (state >> 24) as u8 / 16;
            image::Rgb([120 + n, 110, 100 + (15 - n)])
        });
        assert!(ChromaDetailScorer.score(&noisy, &face(300.0)).unwrap() < 0.1);
    }

    #[test]
    fn views_are_shrunk_never_enlarged() {
        let small = face_view(&RgbImage::new(100, 60), &face(60.0));
        assert_eq!(small.dimensions(), (60, 60));
        let large = face_view(&RgbImage::new(1000, 800), &face(800.0));
        assert_eq!(large.dimensions(), (VIEW_SIDE, VIEW_SIDE));
    }
}
