//! Phone photos of a flat card: a background, the card placed in
//! perspective, a thumb over its edge, light, blur, noise and JPEG.

use std::ops::Range;

use ab_glyph::PxScale;
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage, Rgba, RgbaImage};
use imageproc::drawing::{
    draw_filled_ellipse_mut, draw_filled_rect_mut, draw_line_segment_mut, draw_text_mut,
};
use imageproc::filter::gaussian_blur_f32;
use imageproc::geometric_transformations::{warp_into, Interpolation, Projection};
use imageproc::noise::gaussian_noise_mut;
use imageproc::rect::Rect;
use rand::Rng;

use crate::fonts::CardFonts;
use crate::GeneratorError;

/// The card's four corners in the photo, clockwise from the card's own
/// top-left (which may be anywhere once the card is rotated).
pub type Corners = [[f32; 2]; 4];

/// A blank photo background: a wooden desk, cloth, or clutter.
pub fn background(rng: &mut impl Rng, width: u32, height: u32, fonts: &CardFonts<'_>) -> RgbImage {
    match rng.gen_range(0..3) {
        0 => wood(rng, width, height),
        1 => cloth(rng, width, height),
        _ => clutter(rng, width, height, fonts),
    }
}

fn wood(rng: &mut impl Rng, width: u32, height: u32) -> RgbImage {
    let base = [
        rng.gen_range(110..190) as f32,
        rng.gen_range(70..130) as f32,
        rng.gen_range(30..80) as f32,
    ];
    let frequency = rng.gen_range(0.02..0.08f32);
    let wobble = rng.gen_range(5.0..30.0f32);
    RgbImage::from_fn(width, height, |x, y| {
        let grain = ((y as f32 + wobble * (x as f32 * 0.01).sin()) * frequency).sin();
        let shade = 0.85 + 0.15 * grain;
        Rgb(base.map(|c| (c * shade).clamp(0.0, 255.0) as u8))
    })
}

fn cloth(rng: &mut impl Rng, width: u32, height: u32) -> RgbImage {
    let base = [
        rng.gen_range(20..240u8),
        rng.gen_range(20..240u8),
        rng.gen_range(20..240u8),
    ];
    let mut image = RgbImage::from_pixel(width, height, Rgb(base));
    gaussian_noise_mut(&mut image, 0.0, 10.0, rng.gen());
    image
}

fn clutter(rng: &mut impl Rng, width: u32, height: u32, fonts: &CardFonts<'_>) -> RgbImage {
    let mut image = cloth(rng, width, height);
    let colour = |rng: &mut dyn rand::RngCore| Rgb([rng.gen(), rng.gen(), rng.gen()]);
    for _ in 0..rng.gen_range(5..25) {
        let (x, y) = (
            rng.gen_range(0..width as i32),
            rng.gen_range(0..height as i32),
        );
        let (w, h) = (
            rng.gen_range(10..width / 3 + 11),
            rng.gen_range(10..height / 3 + 11),
        );
        let c = colour(rng);
        match rng.gen_range(0..4) {
            0 => draw_filled_rect_mut(&mut image, Rect::at(x, y).of_size(w, h), c),
            1 => draw_filled_ellipse_mut(&mut image, (x, y), w as i32 / 2, h as i32 / 2, c),
            2 => draw_line_segment_mut(
                &mut image,
                (x as f32, y as f32),
                ((x + w as i32) as f32, (y - h as i32) as f32),
                c,
            ),
            _ => draw_text_mut(
                &mut image,
                c,
                x,
                y,
                PxScale::from(rng.gen_range(14.0..60.0)),
                fonts.body,
                "SALE 50% 할인 쿠폰",
            ),
        }
    }
    image
}

/// Where the card goes: its corners in the photo.
pub struct Placement {
    /// The card's corners in the photo, clockwise from its top-left.
    pub corners: Corners,
    /// The photo's width and height.
    pub canvas: (u32, u32),
}

/// How a card lies in a photo: its size, how far it is turned and
/// tilted, and how much desk shows around it.
pub struct Pose {
    /// The card's width in the photo, in pixels.
    pub widths: Range<f32>,
    /// Whether the card may lie a quarter, half or three-quarter turn
    /// round (on a tenth of the photos each).
    pub quarter_turns: bool,
    /// The largest rotation either way, in degrees.
    pub angle: f32,
    /// How far each corner may move for perspective, as a share of the
    /// card's width.
    pub tilt: f32,
    /// The margin on each axis, as a share of the card's extent on it.
    pub margins: Range<f32>,
}

/// A phone photo of a card on a desk: 500–1600 px wide, turned by a
/// multiple of 90° now and then plus up to ±20°, tilted, with a margin on
/// every side. The generator's photos have always been drawn this way, so
/// it keeps the benchmark's seeds naming the same photos.
pub const PHONE: Pose = Pose {
    widths: 500.0..1600.0,
    quarter_turns: true,
    angle: 20.0,
    tilt: 0.07,
    margins: 0.08..0.3,
};

/// Places the card as a phone photo does ([`PHONE`]).
pub fn placement(rng: &mut impl Rng, card: (u32, u32)) -> Placement {
    posed(rng, card, &PHONE)
}

/// Places the card as `pose` says, in a canvas that holds the whole card.
pub fn posed(rng: &mut impl Rng, card: (u32, u32), pose: &Pose) -> Placement {
    let card_width = rng.gen_range(pose.widths.clone());
    let scale = card_width / card.0 as f32;
    let (w, h) = (card.0 as f32 * scale, card.1 as f32 * scale);
    let quarter = if pose.quarter_turns {
        match rng.gen_range(0..10) {
            0 => 1,
            1 => 2,
            2 => 3,
            _ => 0,
        }
    } else {
        0
    };
    let angle = rng.gen_range(-pose.angle..pose.angle).to_radians()
        + quarter as f32 * std::f32::consts::FRAC_PI_2;
    let tilt = pose.tilt * w;
    let local = [
        [-w / 2.0, -h / 2.0],
        [w / 2.0, -h / 2.0],
        [w / 2.0, h / 2.0],
        [-w / 2.0, h / 2.0],
    ];
    let (sin, cos) = angle.sin_cos();
    let turned = local.map(|[x, y]| {
        let (x, y) = (
            x + rng.gen_range(-tilt..tilt),
            y + rng.gen_range(-tilt..tilt),
        );
        [x * cos - y * sin, y * cos + x * sin]
    });
    let low = [0, 1].map(|axis| turned.iter().map(|c| c[axis]).fold(f32::MAX, f32::min));
    let high = [0, 1].map(|axis| turned.iter().map(|c| c[axis]).fold(f32::MIN, f32::max));
    let margin = [0, 1].map(|axis| (high[axis] - low[axis]) * rng.gen_range(pose.margins.clone()));
    let canvas = [0, 1].map(|axis| high[axis] - low[axis] + 2.0 * margin[axis]);
    let offset = [0, 1].map(|axis| margin[axis] * rng.gen_range(0.3..1.7) - low[axis]);
    Placement {
        corners: turned.map(|[x, y]| [x + offset[0], y + offset[1]]),
        canvas: (canvas[0].ceil() as u32, canvas[1].ceil() as u32),
    }
}

/// Draws the flat card onto the background at `corners`, with rounded
/// corners as real cards have.
pub fn place_card(
    background: &mut RgbImage,
    card: &RgbImage,
    corners: &Corners,
) -> Result<(), GeneratorError> {
    let (w, h) = card.dimensions();
    let radius = w as f32 * 0.04;
    let rgba = RgbaImage::from_fn(w, h, |x, y| {
        let [r, g, b] = card.get_pixel(x, y).0;
        let alpha = if inside_rounded(x as f32, y as f32, w as f32, h as f32, radius) {
            255
        } else {
            0
        };
        Rgba([r, g, b, alpha])
    });
    let from = [
        (0.0, 0.0),
        (w as f32, 0.0),
        (w as f32, h as f32),
        (0.0, h as f32),
    ];
    let to = corners.map(|[x, y]| (x, y));
    let projection = Projection::from_control_points(from, to).ok_or(GeneratorError::Geometry)?;
    let mut warped = RgbaImage::new(background.width(), background.height());
    warp_into(
        &rgba,
        &projection,
        Interpolation::Bilinear,
        Rgba([0, 0, 0, 0]),
        &mut warped,
    );
    for (target, source) in background.pixels_mut().zip(warped.pixels()) {
        let alpha = source.0[3] as f32 / 255.0;
        for c in 0..3 {
            target.0[c] = (target.0[c] as f32 * (1.0 - alpha) + source.0[c] as f32 * alpha) as u8;
        }
    }
    Ok(())
}

fn inside_rounded(x: f32, y: f32, w: f32, h: f32, r: f32) -> bool {
    let cx = x.clamp(r, w - r);
    let cy = y.clamp(r, h - r);
    (x - cx).powi(2) + (y - cy).powi(2) <= r * r
}

/// A thumb over the middle of one of the card's edges, as when the card
/// is held: it covers the edge, not the text.
pub fn thumb(rng: &mut impl Rng, image: &mut RgbImage, corners: &Corners) {
    let edge = rng.gen_range(0..4);
    let (a, b) = (corners[edge], corners[(edge + 1) % 4]);
    let t = rng.gen_range(0.3..0.7f32);
    let point = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    let length = ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt();
    let radius = (length * 0.05).max(8.0) as i32;
    let skin = Rgb([
        rng.gen_range(170..230),
        rng.gen_range(120..175),
        rng.gen_range(95..145),
    ]);
    draw_filled_ellipse_mut(
        image,
        (point[0] as i32, point[1] as i32),
        radius,
        radius * 3 / 4,
        skin,
    );
}

/// Uneven light, glare, defocus, sensor noise and JPEG at quality 40–95.
pub fn degrade<R: Rng>(rng: &mut R, image: RgbImage) -> Result<RgbImage, GeneratorError> {
    degrade_with(rng, image, |rng: &mut R, image| {
        let sigma = rng.gen_range(0.0..1.3f32);
        if sigma > 0.3 {
            gaussian_blur_f32(&image, sigma)
        } else {
            image
        }
    })
}

/// [`degrade`] with the camera's blur replaced by `blur`: the capture
/// conditions that defocus or shake the camera keep the rest of a phone
/// photo's light, noise and JPEG.
pub fn degrade_with<R: Rng>(
    rng: &mut R,
    image: RgbImage,
    blur: impl FnOnce(&mut R, RgbImage) -> RgbImage,
) -> Result<RgbImage, GeneratorError> {
    let image = light(rng, image);
    let mut image = blur(rng, image);
    gaussian_noise_mut(&mut image, 0.0, rng.gen_range(0.0..8.0), rng.gen());
    jpeg(&image, rng.gen_range(40..=95))
}

/// `image` encoded as JPEG at `quality` and decoded again.
pub fn jpeg(image: &RgbImage, quality: u8) -> Result<RgbImage, GeneratorError> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(image)
        .map_err(GeneratorError::Encode)?;
    let decoded = image::load_from_memory(&bytes).map_err(GeneratorError::Encode)?;
    Ok(decoded.to_rgb8())
}

/// A linear light gradient and, on a third of the photos, a soft glare spot.
pub(crate) fn light(rng: &mut impl Rng, mut image: RgbImage) -> RgbImage {
    let (w, h) = (image.width() as f32, image.height() as f32);
    let direction = rng.gen_range(0.0..std::f32::consts::TAU);
    let (dx, dy) = (direction.cos(), direction.sin());
    let (low, high) = (rng.gen_range(0.6..0.95f32), rng.gen_range(0.95..1.1f32));
    let glare = rng.gen_bool(0.33).then(|| {
        let centre = [rng.gen_range(0.0..w), rng.gen_range(0.0..h)];
        let radius = rng.gen_range(0.05..0.2) * w.max(h);
        (centre, radius, rng.gen_range(40.0..90.0f32))
    });
    for (x, y, pixel) in image.enumerate_pixels_mut() {
        let along = ((x as f32 / w - 0.5) * dx + (y as f32 / h - 0.5) * dy + 0.5).clamp(0.0, 1.0);
        let gain = low + (high - low) * along;
        let added = glare.map_or(0.0, |(c, r, strength)| {
            let d2 = (x as f32 - c[0]).powi(2) + (y as f32 - c[1]).powi(2);
            strength * (-d2 / (2.0 * r * r)).exp()
        });
        pixel.0 = pixel
            .0
            .map(|v| (v as f32 * gain + added).clamp(0.0, 255.0) as u8);
    }
    image
}

/// Where the box `[x, y, w, h]` of a flat card of size `card` lands in
/// the photo that placed the card at `corners`.
pub fn project(
    corners: &Corners,
    card: (u32, u32),
    area: [u32; 4],
) -> Result<Corners, GeneratorError> {
    let (w, h) = (card.0 as f32, card.1 as f32);
    let from = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let projection = Projection::from_control_points(from, corners.map(|[x, y]| (x, y)))
        .ok_or(GeneratorError::Geometry)?;
    let [x, y, bw, bh] = area.map(|v| v as f32);
    Ok(
        [(x, y), (x + bw, y), (x + bw, y + bh), (x, y + bh)].map(|(px, py)| {
            let (tx, ty) = projection * (px, py);
            [tx, ty]
        }),
    )
}

/// Maps corners placed on a canvas of `from` size onto one of `to` size.
pub fn fit_corners(corners: &Corners, from: (u32, u32), to: (u32, u32)) -> Corners {
    let scale = (to.0 as f32 / from.0 as f32).min(to.1 as f32 / from.1 as f32);
    corners.map(|[x, y]| [x * scale, y * scale])
}
