//! YuNet face detection (libfacedetection): boxes, scores and five
//! landmarks, in the coordinates of the image it was given.

use std::borrow::Cow;

use ekyc_image::{crop_resize, resize_bilinear, Outside, Rect};
use image::{Rgb, RgbImage};
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

/// YuNet is trained on faces of about 10–300 px: larger inputs are shrunk
/// so that their long side is at most this many pixels, which keeps the
/// small faces of a group photo detectable.
pub const DEFAULT_MAX_SIDE: u32 = 640;
/// A face the detector saw narrower than this many pixels of its input is
/// detected again at a resolution where it is [`REFINED_WIDTH`] wide.
pub const REFINE_BELOW: f32 = 96.0;
/// The face's width in the crop it is detected again in.
const REFINED_WIDTH: f32 = 128.0;
/// The crop's side, in face widths: a margin that YuNet wants. Two face
/// widths would save about 3 ms a verify, but cost card portraits
/// (`ekyc bench id-photo`, ezway at `compare`): LFW TAR 77.97 → 76.76 %,
/// CASIA 93.18 → 90.91 %, East-Asian FMR 1.0e-4 → 1.5e-4.
const REFINE_CROP_FACES: f32 = 3.0;
/// The network downsamples by up to 32: inputs are padded to multiples.
const STRIDE_ALIGN: u32 = 32;
const STRIDES: [u32; 3] = [8, 16, 32];
const SCORE_THRESHOLD: f32 = 0.6;
const NMS_IOU: f32 = 0.3;

/// Why the detector could not look for faces: a server fault, never the
/// image's (an image without faces is an empty answer).
#[derive(Debug, thiserror::Error)]
pub enum DetectorError {
    /// ONNX Runtime could not run YuNet or hand back one of its outputs.
    #[error("face detector inference failed")]
    Inference(#[from] ort::Error),
}

/// One detected face, in original-image pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Face {
    /// The face box.
    pub bbox: Rect,
    /// Detection confidence in [0, 1].
    pub score: f32,
    /// Right eye, left eye, nose tip, right and left mouth corner, as seen
    /// in the image ("right eye" is on the image's left).
    pub landmarks: [[f32; 2]; 5],
}

impl Face {
    fn shifted(mut self, dx: f32, dy: f32) -> Face {
        self.bbox = self.bbox.shifted(dx, dy);
        self.landmarks = self.landmarks.map(|[x, y]| [x + dx, y + dy]);
        self
    }

    fn scaled(mut self, factor: f32, width: f32, height: f32) -> Face {
        self.bbox = self.bbox.scaled(factor).clipped(width, height);
        self.landmarks = self.landmarks.map(|p| p.map(|v| v * factor));
        self
    }
}

/// A YuNet session; owned by one inference thread.
pub struct FaceDetector {
    session: Session,
}

impl FaceDetector {
    /// Wraps a loaded YuNet session (the manifest's `yunet`).
    pub fn new(session: Session) -> Self {
        Self { session }
    }

    /// Detects faces, highest score first, looking for small faces too.
    pub fn detect(&mut self, image: &RgbImage) -> Result<Vec<Face>, DetectorError> {
        self.detect_at(image, DEFAULT_MAX_SIDE)
    }

    /// Detects faces on the image shrunk to at most `max_side` pixels
    /// (never enlarged); boxes and landmarks are in original pixels.
    pub fn detect_at(
        &mut self,
        image: &RgbImage,
        max_side: u32,
    ) -> Result<Vec<Face>, DetectorError> {
        self.detect_with(image, max_side, SCORE_THRESHOLD)
    }

    /// [`detect_at`](Self::detect_at) on the image framed by a grey border
    /// a quarter of its long side wide. YuNet places the five landmarks
    /// markedly better on a face that fills much of the frame when it
    /// sees it with a margin: on ../shared/data/faces (`ekyc bench fr`),
    /// LFW TAR at FMR 1e-4 rose from 97.93 to 98.50 % (ezway) and
    /// 98.28 to 98.44 % (applemango), CASIA TAR at 1e-3 from 95.0 to
    /// 97.3 % (ezway), and fusion's East-Asian TAR at 1e-3 from 46.8 to
    /// 51.9 %. `max_side` bounds the image, not the frame, so the face is
    /// as large in the detector's input as without.
    pub fn detect_framed(
        &mut self,
        image: &RgbImage,
        max_side: u32,
    ) -> Result<Vec<Face>, DetectorError> {
        let (width, height) = image.dimensions();
        let (fitted, scale) = fitted(image, max_side);
        let (framed, border) = framed(&fitted);
        let shift = -(border as f32);
        Ok(self
            .detect_with(&framed, u32::MAX, SCORE_THRESHOLD)?
            .into_iter()
            .map(|face| {
                face.shifted(shift, shift)
                    .scaled(1.0 / scale, width as f32, height as f32)
            })
            .collect())
    }

    /// Detects `face` again in a crop around it, enlarged so that the face
    /// is `REFINED_WIDTH` pixels wide, and returns it in `image`'s
    /// pixels: a face first seen small (a printed ID portrait in a photo
    /// of the card, shrunk for detection) gets its landmarks from the
    /// full resolution. `None` when the crop shows no face where `face` was.
    pub fn refine(&mut self, image: &RgbImage, face: &Face) -> Result<Option<Face>, DetectorError> {
        let Rect {
            x,
            y,
            width: w,
            height: h,
        } = face.bbox;
        let size = w.max(h).max(1.0);
        let side = size * REFINE_CROP_FACES;
        let (cx, cy) = (x + w / 2.0, y + h / 2.0);
        let origin = [cx - side / 2.0, cy - side / 2.0];
        let out = (REFINED_WIDTH * REFINE_CROP_FACES).round() as u32;
        let crop = crop_resize(
            image,
            [origin[0], origin[1], side, side],
            out,
            out,
            Outside::Fill([128, 128, 128]),
        );
        let scale = side / out as f32;
        let expected = Face {
            bbox: Rect::new(
                (x - origin[0]) / scale,
                (y - origin[1]) / scale,
                w / scale,
                h / scale,
            ),
            score: face.score,
            landmarks: face.landmarks,
        };
        let best = self
            .detect_with(&crop, u32::MAX, SCORE_THRESHOLD)?
            .into_iter()
            .map(|found| (found.bbox.iou(&expected.bbox), found))
            .filter(|(overlap, _)| *overlap > 0.3)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        Ok(best.map(|(_, found)| {
            let back = |[px, py]: [f32; 2]| [origin[0] + px * scale, origin[1] + py * scale];
            let [ox, oy] = back([found.bbox.x, found.bbox.y]);
            Face {
                bbox: Rect::new(ox, oy, found.bbox.width * scale, found.bbox.height * scale),
                score: found.score,
                landmarks: found.landmarks.map(back),
            }
        }))
    }

    /// [`detect_at`](Self::detect_at) keeping faces scored at least
    /// `min_score` (covered faces score lower than bare ones).
    pub fn detect_with(
        &mut self,
        image: &RgbImage,
        max_side: u32,
        min_score: f32,
    ) -> Result<Vec<Face>, DetectorError> {
        let (width, height) = image.dimensions();
        let (resized, scale) = fitted(image, max_side);
        let input = bgr_tensor(&resized);
        let input_w = input.shape()[3] as u32;
        let outputs = self
            .session
            .run(ort::inputs!["input" => TensorRef::from_array_view(&input)?])?;

        let mut candidates = Vec::new();
        for stride in STRIDES {
            let cols = input_w / stride;
            let output = |name: &str| -> Result<&[f32], DetectorError> {
                let (_, data) =
                    outputs[format!("{name}_{stride}").as_str()].try_extract_tensor::<f32>()?;
                Ok(data)
            };
            let (cls, obj, bbox, kps) = (
                output("cls")?,
                output("obj")?,
                output("bbox")?,
                output("kps")?,
            );
            for (index, (&c, &o)) in cls.iter().zip(obj).enumerate() {
                let score = (c.clamp(0.0, 1.0) * o.clamp(0.0, 1.0)).sqrt();
                if score < min_score {
                    continue;
                }
                let col = (index as u32 % cols) as f32;
                let row = (index as u32 / cols) as f32;
                candidates.push(decode_cell(
                    score,
                    col,
                    row,
                    stride as f32,
                    &bbox[index * 4..],
                    &kps[index * 10..],
                ));
            }
        }
        let kept = non_maximum_suppression(candidates, NMS_IOU);
        Ok(kept
            .into_iter()
            .map(|face| face.scaled(1.0 / scale, width as f32, height as f32))
            .collect())
    }
}

/// The image shrunk so that its long side is at most `max_side` (never
/// enlarged), and the factor it was shrunk by.
fn fitted(image: &RgbImage, max_side: u32) -> (Cow<'_, RgbImage>, f32) {
    let (width, height) = image.dimensions();
    let scale = (max_side.max(STRIDE_ALIGN) as f32 / width.max(height) as f32).min(1.0);
    if scale >= 1.0 {
        return (Cow::Borrowed(image), 1.0);
    }
    let shrunk = resize_bilinear(
        image,
        ((width as f32 * scale).round() as u32).max(1),
        ((height as f32 * scale).round() as u32).max(1),
    );
    (Cow::Owned(shrunk), scale)
}

/// The image in the middle of a grey frame a quarter of its long side
/// wide, and that width: a face filling the image then has a margin.
pub fn framed(image: &RgbImage) -> (RgbImage, u32) {
    let border = image.width().max(image.height()) / 4;
    let mut framed = RgbImage::from_pixel(
        image.width() + 2 * border,
        image.height() + 2 * border,
        Rgb([128, 128, 128]),
    );
    image::imageops::replace(&mut framed, image, i64::from(border), i64::from(border));
    (framed, border)
}

fn decode_cell(score: f32, col: f32, row: f32, stride: f32, bbox: &[f32], kps: &[f32]) -> Face {
    let cx = (col + bbox[0]) * stride;
    let cy = (row + bbox[1]) * stride;
    let w = bbox[2].exp() * stride;
    let h = bbox[3].exp() * stride;
    let landmarks =
        std::array::from_fn(|k| [(col + kps[2 * k]) * stride, (row + kps[2 * k + 1]) * stride]);
    Face {
        bbox: Rect::new(cx - w / 2.0, cy - h / 2.0, w, h),
        score,
        landmarks,
    }
}

/// Greedy NMS: keeps the best-scoring face of each overlapping group.
fn non_maximum_suppression(mut candidates: Vec<Face>, max_iou: f32) -> Vec<Face> {
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Face> = Vec::new();
    for face in candidates {
        if kept.iter().all(|k| k.bbox.iou(&face.bbox) <= max_iou) {
            kept.push(face);
        }
    }
    kept
}

/// NCHW float BGR 0..255, zero-padded right and bottom to multiples of 32.
fn bgr_tensor(image: &RgbImage) -> Array4<f32> {
    let (w, h) = image.dimensions();
    let pad = |v: u32| v.div_ceil(STRIDE_ALIGN) * STRIDE_ALIGN;
    let (rows, cols) = (pad(h) as usize, pad(w) as usize);
    let mut tensor = Array4::<f32>::zeros((1, 3, rows, cols));
    let plane = rows * cols;
    if let Some(data) = tensor.as_slice_mut() {
        for (y, row) in image.as_raw().chunks_exact(w as usize * 3).enumerate() {
            for (x, pixel) in row.chunks_exact(3).enumerate() {
                let at = y * cols + x;
                data[at] = f32::from(pixel[2]);
                data[plane + at] = f32::from(pixel[1]);
                data[2 * plane + at] = f32::from(pixel[0]);
            }
        }
    }
    tensor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, score: f32) -> Face {
        Face {
            bbox: Rect::new(x, 0.0, 10.0, 10.0),
            score,
            landmarks: [[0.0; 2]; 5],
        }
    }

    #[test]
    fn nms_keeps_best_of_overlapping_faces() {
        let kept =
            non_maximum_suppression(vec![face(0.0, 0.7), face(1.0, 0.9), face(50.0, 0.8)], 0.3);
        let xs: Vec<f32> = kept.iter().map(|f| f.bbox.x).collect();
        assert_eq!(xs, vec![1.0, 50.0]);
    }

    #[test]
    fn tensor_is_bgr_and_padded() {
        let image = RgbImage::from_pixel(33, 20, image::Rgb([1, 2, 3]));
        let tensor = bgr_tensor(&image);
        assert_eq!(tensor.shape(), &[1, 3, 32, 64]);
        assert_eq!(tensor[[0, 0, 0, 0]], 3.0);
        assert_eq!(tensor[[0, 2, 0, 0]], 1.0);
        assert_eq!(tensor[[0, 0, 0, 40]], 0.0);
    }

    #[test]
    fn scaling_maps_back_and_clips() {
        let f = Face {
            bbox: Rect::new(-5.0, 10.0, 20.0, 20.0),
            score: 1.0,
            landmarks: [[4.0, 6.0]; 5],
        };
        let scaled = f.scaled(2.0, 100.0, 100.0);
        assert_eq!(scaled.bbox, Rect::new(0.0, 20.0, 30.0, 40.0));
        assert_eq!(scaled.landmarks[0], [8.0, 12.0]);
    }
}
