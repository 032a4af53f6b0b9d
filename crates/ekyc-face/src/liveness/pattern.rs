//! Screens and prints seen through a camera: a periodic pattern over the
//! face.
//!
//! An LCD is a grid of sub-pixel stripes and a print a lattice of halftone
//! dots; photographed, either leaves a fine periodic texture (or its moiré)
//! on the face. Skin does not: its spectrum falls off smoothly. So the
//! cue is the strongest isolated peak of the power spectrum of a window on
//! the face at full resolution, relative to the median power at the same
//! spatial frequency. Frequencies of the JPEG 8×8 block grid are left out:
//! every compressed photo has them.

use std::sync::Arc;

use image::RgbImage;
use rustfft::num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

use super::{AttackScorer, Check, LivenessError};
use crate::Face;

/// Window side, in pixels, for faces at least this wide...
const LARGE_WINDOW: usize = 128;
/// ...and for smaller faces; below this nothing is measured.
const SMALL_WINDOW: usize = 64;
/// Only periods shorter than about 13 pixels (radius relative to Nyquist).
const MIN_RADIUS: f32 = 0.15;
/// Radial rings the median power is taken over.
const RINGS: usize = 24;
/// Log10 peak ratio mapped to a score of one half...
const CENTRE: f32 = 3.0;
/// ...and the change that moves it from 0.27 to 0.73.
const WIDTH: f32 = 0.3;

/// Scores the periodic texture over a face.
pub struct PeriodicPatternScorer {
    large: Arc<dyn Fft<f32>>,
    small: Arc<dyn Fft<f32>>,
}

impl Default for PeriodicPatternScorer {
    fn default() -> Self {
        let mut planner = FftPlanner::new();
        Self {
            large: planner.plan_fft_forward(LARGE_WINDOW),
            small: planner.plan_fft_forward(SMALL_WINDOW),
        }
    }
}

impl PeriodicPatternScorer {
    /// The log10 ratio of the strongest spectral peak to its ring's median,
    /// on a window centred between the eyes and the mouth; `None` when the
    /// face or the image is too small to measure.
    pub fn peak_ratio(&self, image: &RgbImage, face: &Face) -> Option<f32> {
        let (side, fft) = if face.bbox.width >= LARGE_WINDOW as f32 {
            (LARGE_WINDOW, &self.large)
        } else {
            (SMALL_WINDOW, &self.small)
        };
        let (width, height) = (image.width() as usize, image.height() as usize);
        if width < side || height < side {
            return None;
        }
        let centre = face.landmarks.iter().fold([0.0, 0.0], |acc, p| {
            [acc[0] + p[0] / 5.0, acc[1] + p[1] / 5.0]
        });
        let place = |c: f32, limit: usize| {
            ((c - side as f32 / 2.0).round().max(0.0) as usize).min(limit - side)
        };
        let (left, top) = (place(centre[0], width), place(centre[1], height));
        let mut spectrum = windowed_grey(image, left, top, side);
        fft_2d(&mut spectrum, side, fft.as_ref());
        Some(peak_ratio(&spectrum, side))
    }
}

impl AttackScorer for PeriodicPatternScorer {
    fn name(&self) -> &'static str {
        "periodic-pattern"
    }

    fn check(&self) -> Check {
        Check::Photo
    }

    fn score(&mut self, image: &RgbImage, face: &Face) -> Result<f32, LivenessError> {
        Ok(self
            .peak_ratio(image, face)
            .map_or(0.0, |ratio| 1.0 / (1.0 + (-(ratio - CENTRE) / WIDTH).exp())))
    }
}

/// Grey levels of a `side` × `side` window, mean removed, Hann-windowed.
fn windowed_grey(image: &RgbImage, left: usize, top: usize, side: usize) -> Vec<Complex32> {
    let hann: Vec<f32> = (0..side)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / side as f32).cos())
        .collect();
    let mut values: Vec<f32> = Vec::with_capacity(side * side);
    for y in 0..side {
        for x in 0..side {
            let [r, g, b] = image.get_pixel((left + x) as u32, (top + y) as u32).0;
            values.push(0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b));
        }
    }
    let mean = values.iter().sum::<f32>() / values.len() as f32;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| Complex32::new((v - mean) * hann[i / side] * hann[i % side], 0.0))
        .collect()
}

/// In-place 2-D FFT of a row-major square.
fn fft_2d(data: &mut [Complex32], side: usize, fft: &dyn Fft<f32>) {
    fft.process(data);
    let mut column = vec![Complex32::default(); side];
    for x in 0..side {
        for y in 0..side {
            column[y] = data[y * side + x];
        }
        fft.process(&mut column);
        for y in 0..side {
            data[y * side + x] = column[y];
        }
    }
}

/// Log10 of the largest power-to-ring-median ratio above [`MIN_RADIUS`],
/// skipping the JPEG block-grid frequencies (multiples of 1/8 cycle per
/// pixel, and their neighbours, on either axis).
fn peak_ratio(spectrum: &[Complex32], side: usize) -> f32 {
    let frequency = |i: usize| {
        let signed = if i <= side / 2 {
            i as f32
        } else {
            i as f32 - side as f32
        };
        signed / side as f32
    };
    let block_grid = |i: usize| {
        let eighths = frequency(i) * 8.0;
        (eighths - eighths.round()).abs() * side as f32 / 8.0 <= 1.0
    };
    let mut rings: Vec<Vec<f32>> = vec![Vec::new(); RINGS];
    let mut candidates = Vec::new();
    for y in 0..side {
        for x in 0..side {
            let radius = frequency(x).hypot(frequency(y)) / 0.5;
            if !(MIN_RADIUS..=1.0).contains(&radius) || block_grid(x) || block_grid(y) {
                continue;
            }
            let ring = ((radius * RINGS as f32) as usize).min(RINGS - 1);
            let power = spectrum[y * side + x].norm_sqr();
            rings[ring].push(power);
            candidates.push((ring, power));
        }
    }
    let medians: Vec<f32> = rings
        .iter_mut()
        .map(|ring| {
            if ring.is_empty() {
                return f32::INFINITY;
            }
            let middle = ring.len() / 2;
            *ring.select_nth_unstable_by(middle, f32::total_cmp).1
        })
        .collect();
    candidates
        .iter()
        .map(|&(ring, power)| power / medians[ring].max(1e-6))
        .fold(1.0f32, f32::max)
        .log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(size: f32) -> Face {
        let c = size / 2.0;
        Face {
            bbox: ekyc_image::Rect::new(c - 70.0, c - 70.0, 140.0, 140.0),
            score: 1.0,
            landmarks: [
                [c - 20.0, c - 20.0],
                [c + 20.0, c - 20.0],
                [c, c],
                [c - 15.0, c + 20.0],
                [c + 15.0, c + 20.0],
            ],
        }
    }

    /// Smooth random texture: a sum of a few broad waves plus noise.
    fn natural(seed: u32) -> RgbImage {
        let mut state = seed;
        RgbImage::from_fn(200, 200, |x, y| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (state >> 28) as f32;
            let v = 120.0 + 30.0 * ((x as f32) / 17.0).sin() * ((y as f32) / 23.0).cos() + noise;
            image::Rgb([v as u8, v as u8, v as u8])
        })
    }

    #[test]
    fn a_pixel_grid_scores_far_above_a_natural_texture() {
        let mut scorer = PeriodicPatternScorer::default();
        let plain = natural(7);
        let gridded = RgbImage::from_fn(200, 200, |x, y| {
            let p = plain.get_pixel(x, y).0;
            let dark = (x % 3 == 2) || (y % 3 == 2);
            image::Rgb(if dark { p.map(|v| v / 3) } else { p })
        });
        let plain_score = scorer.score(&plain, &face(200.0)).unwrap();
        let grid_score = scorer.score(&gridded, &face(200.0)).unwrap();
        assert!(plain_score < 0.1, "{plain_score}");
        assert!(grid_score > 0.9, "{grid_score}");
    }

    #[test]
    fn jpeg_block_frequencies_are_ignored() {
        let scorer = PeriodicPatternScorer::default();
        let plain = natural(3);
        let blocky = RgbImage::from_fn(200, 200, |x, y| {
            let p = plain.get_pixel(x, y).0;
            let edge = x % 8 == 0 || y % 8 == 0;
            image::Rgb(if edge {
                p.map(|v| v.saturating_sub(12))
            } else {
                p
            })
        });
        let ratio = scorer.peak_ratio(&blocky, &face(200.0)).unwrap();
        assert!(ratio < CENTRE - 0.5, "{ratio}");
    }

    #[test]
    fn tiny_images_are_not_measured() {
        let scorer = PeriodicPatternScorer::default();
        assert_eq!(scorer.peak_ratio(&RgbImage::new(40, 40), &face(40.0)), None);
    }
}
