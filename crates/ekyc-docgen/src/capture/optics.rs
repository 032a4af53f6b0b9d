//! What spoils a phone photo of a card: a desk of the card's own colour,
//! specular glare, defocus and camera shake, a thumb over the edge.

use image::{Rgb, RgbImage};
use imageproc::noise::gaussian_noise_mut;
use rand::Rng;

use super::UPRIGHT;
use crate::scene::{self, Corners, Pose};
use crate::GeneratorError;

/// A photo taken from afar: the card 450–600 px wide in a photo 1.6–2.6
/// times its size.
pub const FAR: Pose = Pose {
    widths: 450.0..600.0,
    quarter_turns: false,
    angle: 20.0,
    tilt: 0.07,
    margins: 0.3..0.8,
};

/// The card about 1000 px wide, the scale the blur conditions are stated
/// at.
pub const NEAR: Pose = Pose {
    widths: 900.0..1100.0,
    quarter_turns: false,
    angle: 20.0,
    tilt: 0.07,
    margins: 0.08..0.3,
};

/// A phone photo of the card on white paper or on a pale desk within a
/// dozen levels of the card's own colour: the card's edge hardly stands
/// out, which is what a reader that looks for the card's outline misses.
pub fn pale_background(
    rng: &mut impl Rng,
    card: &RgbImage,
) -> Result<(RgbImage, Corners), GeneratorError> {
    let placement = scene::posed(rng, card.dimensions(), &UPRIGHT);
    let (width, height) = placement.canvas;
    let desk = if rng.gen_bool(0.5) {
        let white = rng.gen_range(236..=252u8);
        [0, 1, 2].map(|_| white.saturating_sub(rng.gen_range(0..5)))
    } else {
        edge_colour(card).map(|c| (c as i32 + rng.gen_range(-12..=12)).clamp(0, 255) as u8)
    };
    let mut photo = RgbImage::from_pixel(width, height, Rgb(desk));
    gaussian_noise_mut(&mut photo, 0.0, rng.gen_range(2.0..5.0), rng.gen());
    scene::place_card(&mut photo, card, &placement.corners)?;
    Ok((scene::degrade(rng, photo)?, placement.corners))
}

/// The card's mean colour along its border, 3 % in from each edge and
/// clear of the rounded corners.
fn edge_colour(card: &RgbImage) -> [u8; 3] {
    let (w, h) = card.dimensions();
    let (near_x, far_x) = (w * 3 / 100, w - 1 - w * 3 / 100);
    let (near_y, far_y) = (h * 3 / 100, h - 1 - h * 3 / 100);
    let along_x = (w / 10..w - w / 10).flat_map(|x| [(x, near_y), (x, far_y)]);
    let along_y = (h / 10..h - h / 10).flat_map(|y| [(near_x, y), (far_x, y)]);
    let mut sum = [0u64; 3];
    let mut count = 0u64;
    for (x, y) in along_x.chain(along_y) {
        for (s, v) in sum.iter_mut().zip(card.get_pixel(x, y).0) {
            *s += u64::from(v);
        }
        count += 1;
    }
    sum.map(|s| (s / count.max(1)) as u8)
}

/// The point at `u` across and `v` down the card.
fn on_card(corners: &Corners, u: f32, v: f32) -> [f32; 2] {
    let [a, b, c, d] = *corners;
    [0, 1].map(|i| {
        let top = a[i] + (b[i] - a[i]) * u;
        let bottom = d[i] + (c[i] - d[i]) * u;
        top + (bottom - top) * v
    })
}

fn distance(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt()
}

/// A specular reflection on the card's laminate: a round blob or a band
/// across the card, washing to white at its core (the text under it is
/// gone) and fading at its rim. Centred on the inner 60 % of the card.
pub fn glare(rng: &mut impl Rng, image: &mut RgbImage, corners: &Corners) {
    let centre = on_card(corners, rng.gen_range(0.2..0.8), rng.gen_range(0.2..0.8));
    let card_width = distance(corners[0], corners[1]);
    let strength = rng.gen_range(0.75..1.0f32);
    let (direction, radius, band) = if rng.gen_bool(0.5) {
        ([1.0, 0.0], card_width * rng.gen_range(0.06..0.18), false)
    } else {
        let angle = rng.gen_range(0.0..std::f32::consts::PI);
        (
            [angle.cos(), angle.sin()],
            card_width * rng.gen_range(0.03..0.1),
            true,
        )
    };
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let d = [x as f32 - centre[0], y as f32 - centre[1]];
        let reach = if band {
            (d[0] * direction[1] - d[1] * direction[0]).abs()
        } else {
            (d[0] * d[0] + d[1] * d[1]).sqrt()
        };
        let washed = strength * (-(reach / radius).powi(4)).exp();
        if washed > 1e-3 {
            pixel.0 = pixel
                .0
                .map(|v| (v as f32 + (255.0 - v as f32) * washed) as u8);
        }
    }
}

/// The camera moving while the shutter is open: each pixel the mean of
/// `length` pixels along a line at `angle` (radians) through it.
pub fn motion_blur(image: &RgbImage, length: u32, angle: f32) -> RgbImage {
    let (dx, dy) = (angle.cos(), angle.sin());
    let middle = (length as f32 - 1.0) / 2.0;
    let offsets: Vec<(i64, i64)> = (0..length)
        .map(|i| {
            let t = i as f32 - middle;
            ((t * dx).round() as i64, (t * dy).round() as i64)
        })
        .collect();
    let (w, h) = (i64::from(image.width()), i64::from(image.height()));
    let count = offsets.len().max(1) as u32;
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        let mut sum = [0u32; 3];
        for (ox, oy) in &offsets {
            let sx = (i64::from(x) + ox).clamp(0, w - 1) as u32;
            let sy = (i64::from(y) + oy).clamp(0, h - 1) as u32;
            for (s, v) in sum.iter_mut().zip(image.get_pixel(sx, sy).0) {
                *s += u32::from(v);
            }
        }
        Rgb(sum.map(|s| (s / count) as u8))
    })
}

/// A thumb holding the card: a long shaded ellipse coming from outside the
/// card across one edge, 16–24 % of the card's long side wide, reaching
/// 4–10 % of its short side in, so the card's outline is broken there.
pub fn thumb(rng: &mut impl Rng, image: &mut RgbImage, corners: &Corners) {
    let edge = rng.gen_range(0..4);
    let (a, b, c) = (
        corners[edge],
        corners[(edge + 1) % 4],
        corners[(edge + 2) % 4],
    );
    let (length, across) = (distance(a, b), distance(b, c));
    let tangent = [(b[0] - a[0]) / length, (b[1] - a[1]) / length];
    let outward = [tangent[1], -tangent[0]];
    let t = rng.gen_range(0.15..0.85f32);
    let point = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    let half_width = length.max(across) * rng.gen_range(0.08..0.12);
    let half_length = half_width * 2.5;
    let reach = length.min(across) * rng.gen_range(0.04..0.1);
    let centre = [0, 1].map(|i| point[i] + outward[i] * (half_length - reach));
    let skin = [
        rng.gen_range(170..230u8),
        rng.gen_range(120..175u8),
        rng.gen_range(95..145u8),
    ];
    let (w, h) = (image.width() as f32, image.height() as f32);
    let x_range =
        (centre[0] - half_length).max(0.0) as u32..(centre[0] + half_length).clamp(0.0, w) as u32;
    let y_range =
        (centre[1] - half_length).max(0.0) as u32..(centre[1] + half_length).clamp(0.0, h) as u32;
    for y in y_range {
        for x in x_range.clone() {
            let d = [x as f32 - centre[0], y as f32 - centre[1]];
            let u = (d[0] * tangent[0] + d[1] * tangent[1]) / half_width;
            let v = (d[0] * outward[0] + d[1] * outward[1]) / half_length;
            let r2 = u * u + v * v;
            if r2 >= 1.0 {
                continue;
            }
            let shade = 0.7 + 0.3 * (1.0 - r2).sqrt();
            let alpha = ((1.0 - r2) / 0.08).min(1.0);
            let pixel = image.get_pixel_mut(x, y);
            for (v, s) in pixel.0.iter_mut().zip(skin) {
                *v = (*v as f32 * (1.0 - alpha) + s as f32 * shade * alpha) as u8;
            }
        }
    }
}
