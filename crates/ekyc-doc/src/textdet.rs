//! Text lines on a rectified card: PP-OCRv4's DBNet detector, and PP-OCR's
//! direction classifier to tell an upright card from one upside down.
//!
//! The detector sees the card at a fixed size per document class, so the
//! session never re-plans for a new shape. Its probability map is cut at
//! 0.3, each connected region becomes an axis-aligned box (the card is
//! already upright), and the box is grown back by DBNet's unclip ratio:
//! the network marks a shrunken core of each line.

use ekyc_image::resize_bilinear;
use image::{GrayImage, Luma, RgbImage};
use imageproc::region_labelling::{connected_components, Connectivity};
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

use crate::DocError;

const PIXEL_THRESHOLD: f32 = 0.3;
/// Mean probability a region needs to count as text (rapidocr's 0.5).
const BOX_THRESHOLD: f32 = 0.5;
const UNCLIP_RATIO: f32 = 1.6;
/// Regions thinner than this (in detector pixels) are noise.
const MIN_SIDE: u32 = 3;
/// The classifier's input: 48 × 192, text left-aligned, padded.
const CLS_SIZE: (u32, u32) = (192, 48);

/// A detected text line in card pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
    /// The detector's mean probability of text inside the box.
    pub score: f32,
}

impl TextBox {
    /// The bottom edge (`y + h`).
    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }

    /// The right edge (`x + w`).
    pub fn right(&self) -> f32 {
        self.x + self.w
    }

    /// The vertical centre: lines are matched to rows and labels by it,
    /// since their heights differ.
    pub fn centre_y(&self) -> f32 {
        self.y + self.h / 2.0
    }

    /// The same box on the card turned by 180°.
    pub fn turned(&self, width: f32, height: f32) -> TextBox {
        TextBox {
            x: width - self.right(),
            y: height - self.bottom(),
            ..*self
        }
    }
}

/// PP-OCR's text detector (DB): the lines of a rectified card as boxes.
pub struct TextDetector {
    session: Session,
}

impl TextDetector {
    /// Wraps a loaded `ppocr_det` session.
    pub fn new(session: Session) -> Self {
        Self { session }
    }

    /// Finds text lines on `card`, which is resized to `input` (multiples
    /// of 32) for the network.
    pub fn detect(&mut self, card: &RgbImage, input: (u32, u32)) -> Result<Vec<TextBox>, DocError> {
        let resized = resize_bilinear(card, input.0, input.1);
        let tensor = normalised_bgr(&resized);
        let outputs = self
            .session
            .run(ort::inputs![TensorRef::from_array_view(tensor.view())?])?;
        let (shape, probabilities) = outputs[0].try_extract_tensor::<f32>()?;
        let (h, w) = (shape[2] as u32, shape[3] as u32);
        if probabilities.len() != (w * h) as usize {
            return Err(DocError::Inference("unexpected detector output".into()));
        }
        let scale = (
            card.width() as f32 / w as f32,
            card.height() as f32 / h as f32,
        );
        Ok(boxes_from_map(probabilities, w, h)
            .into_iter()
            .map(|b| TextBox {
                x: b.x * scale.0,
                y: b.y * scale.1,
                w: b.w * scale.0,
                h: b.h * scale.1,
                score: b.score,
            })
            .collect())
    }
}

/// `(x/255 − 0.5) / 0.5` in BGR channel order, as PaddleOCR trains.
fn normalised_bgr(image: &RgbImage) -> Array4<f32> {
    let (w, h) = image.dimensions();
    let mut tensor = Array4::<f32>::zeros((1, 3, h as usize, w as usize));
    for (x, y, pixel) in image.enumerate_pixels() {
        for c in 0..3 {
            tensor[[0, 2 - c, y as usize, x as usize]] = pixel.0[c] as f32 / 127.5 - 1.0;
        }
    }
    tensor
}

fn boxes_from_map(probabilities: &[f32], w: u32, h: u32) -> Vec<TextBox> {
    let mask = GrayImage::from_fn(w, h, |x, y| {
        Luma([u8::from(
            probabilities[(y * w + x) as usize] > PIXEL_THRESHOLD,
        )])
    });
    let labels = connected_components(&mask, Connectivity::Eight, Luma([0u8]));
    let mut regions: Vec<Region> = Vec::new();
    for (x, y, label) in labels.enumerate_pixels() {
        let label = label.0[0] as usize;
        if label == 0 {
            continue;
        }
        if regions.len() < label {
            regions.resize(label, Region::default());
        }
        regions[label - 1].add(x, y, probabilities[(y * w + x) as usize]);
    }
    regions
        .iter()
        .filter(|r| r.pixels > 0)
        .filter_map(|r| r.unclipped(w as f32, h as f32))
        .collect()
}

#[derive(Clone)]
struct Region {
    min: (u32, u32),
    max: (u32, u32),
    pixels: u32,
    probability: f32,
}

impl Default for Region {
    fn default() -> Self {
        Self {
            min: (u32::MAX, u32::MAX),
            max: (0, 0),
            pixels: 0,
            probability: 0.0,
        }
    }
}

impl Region {
    fn add(&mut self, x: u32, y: u32, p: f32) {
        self.min = (self.min.0.min(x), self.min.1.min(y));
        self.max = (self.max.0.max(x), self.max.1.max(y));
        self.pixels += 1;
        self.probability += p;
    }

    fn unclipped(&self, w: f32, h: f32) -> Option<TextBox> {
        let (bw, bh) = (self.max.0 - self.min.0 + 1, self.max.1 - self.min.1 + 1);
        let score = self.probability / self.pixels as f32;
        if bw.min(bh) < MIN_SIDE || score < BOX_THRESHOLD {
            return None;
        }
        let (bw, bh) = (bw as f32, bh as f32);
        let grow = bw * bh * UNCLIP_RATIO / (2.0 * (bw + bh));
        let x0 = (self.min.0 as f32 - grow).max(0.0);
        let y0 = (self.min.1 as f32 - grow).max(0.0);
        let x1 = (self.max.0 as f32 + 1.0 + grow).min(w);
        let y1 = (self.max.1 as f32 + 1.0 + grow).min(h);
        Some(TextBox {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
            score,
        })
    }
}

/// PP-OCR's text direction classifier (0° or 180°).
pub struct DirectionClassifier {
    session: Session,
}

impl DirectionClassifier {
    /// Wraps a loaded `ppocr_cls` session.
    pub fn new(session: Session) -> Self {
        Self { session }
    }

    /// Mean probability that the lines in `boxes` are upside down.
    pub fn upside_down(&mut self, card: &RgbImage, boxes: &[TextBox]) -> Result<f32, DocError> {
        if boxes.is_empty() {
            return Ok(0.0);
        }
        let (cw, ch) = CLS_SIZE;
        let mut batch = Array4::<f32>::zeros((boxes.len(), 3, ch as usize, cw as usize));
        for (index, b) in boxes.iter().enumerate() {
            let width = ((b.w / b.h.max(1.0)) * ch as f32)
                .round()
                .clamp(1.0, cw as f32) as u32;
            let line = ekyc_image::crop_resize(
                card,
                [b.x, b.y, b.w, b.h],
                width,
                ch,
                ekyc_image::Outside::Replicate,
            );
            for (x, y, pixel) in line.enumerate_pixels() {
                for c in 0..3 {
                    batch[[index, 2 - c, y as usize, x as usize]] = pixel.0[c] as f32 / 127.5 - 1.0;
                }
            }
        }
        let outputs = self
            .session
            .run(ort::inputs![TensorRef::from_array_view(batch.view())?])?;
        let (_, probabilities) = outputs[0].try_extract_tensor::<f32>()?;
        let turned: f32 = probabilities
            .chunks(2)
            .map(|p| p.get(1).copied().unwrap_or(0.0))
            .sum();
        Ok(turned / boxes.len() as f32)
    }
}
