//! Where the card lies in the image: an upload cropped to the card, a
//! crop that cuts into it, a flatbed scan, a photo turned a quarter turn.

use image::{Rgb, RgbImage};
use imageproc::filter::gaussian_blur_f32;
use imageproc::noise::gaussian_noise_mut;
use rand::Rng;

use crate::fonts::Fonts;
use crate::scene::{self, Corners};
use crate::GeneratorError;

/// The card `width` px wide, turned up to `angle` degrees either way and
/// each corner moved up to `tilt` of its width for perspective, centred on
/// the origin.
fn tight(rng: &mut impl Rng, card: (u32, u32), width: f32, angle: f32, tilt: f32) -> Corners {
    let h = card.1 as f32 * width / card.0 as f32;
    let (sin, cos) = rng.gen_range(-angle..angle).to_radians().sin_cos();
    let tilt = tilt * width;
    let mut jitter = || {
        if tilt > 0.0 {
            rng.gen_range(-tilt..tilt)
        } else {
            0.0
        }
    };
    [
        [-width / 2.0, -h / 2.0],
        [width / 2.0, -h / 2.0],
        [width / 2.0, h / 2.0],
        [-width / 2.0, h / 2.0],
    ]
    .map(|[x, y]| {
        let (x, y) = (x + jitter(), y + jitter());
        [x * cos - y * sin, y * cos + x * sin]
    })
}

/// The smallest and largest x and y of the corners.
fn bounds(corners: &Corners) -> ([f32; 2], [f32; 2]) {
    let low = [0, 1].map(|axis| corners.iter().map(|c| c[axis]).fold(f32::MAX, f32::min));
    let high = [0, 1].map(|axis| corners.iter().map(|c| c[axis]).fold(f32::MIN, f32::max));
    (low, high)
}

/// The card drawn into an image whose edges lie `inset` (left, top,
/// right, bottom) inside its bounding box: positive cuts into the card,
/// negative leaves that much desk. The desk is a phone background.
fn framed(
    rng: &mut impl Rng,
    card: &RgbImage,
    fonts: &Fonts,
    corners: Corners,
    inset: [f32; 4],
) -> Result<(RgbImage, Corners), GeneratorError> {
    let (low, high) = bounds(&corners);
    let origin = [low[0] + inset[0], low[1] + inset[1]];
    let width = (high[0] - inset[2] - origin[0]).ceil().max(1.0) as u32;
    let height = (high[1] - inset[3] - origin[1]).ceil().max(1.0) as u32;
    let corners = corners.map(|[x, y]| [x - origin[0], y - origin[1]]);
    let picked = fonts.pick(rng);
    let mut photo = scene::background(rng, width, height, &picked);
    scene::place_card(&mut photo, card, &corners)?;
    Ok((scene::degrade(rng, photo)?, corners))
}

/// An upload the client cropped to the card: 400–1100 px wide, turned at
/// most 1.5°, a trace of perspective, 0–6 px of desk on each side.
pub fn frame_filling(
    rng: &mut impl Rng,
    card: &RgbImage,
    fonts: &Fonts,
) -> Result<(RgbImage, Corners), GeneratorError> {
    let width = rng.gen_range(400.0..1100.0f32);
    let corners = tight(rng, card.dimensions(), width, 1.5, 0.01);
    let inset = [0; 4].map(|_| -(rng.gen_range(0..=6) as f32));
    framed(rng, card, fonts, corners, inset)
}

/// A crop that cuts 2–8 % of the card away on one side or two, and leaves
/// 2–30 px of desk on the others: 500–1100 px wide, turned at most 2°.
pub fn cut_crop(
    rng: &mut impl Rng,
    card: &RgbImage,
    fonts: &Fonts,
) -> Result<(RgbImage, Corners), GeneratorError> {
    let width = rng.gen_range(500.0..1100.0f32);
    let corners = tight(rng, card.dimensions(), width, 2.0, 0.02);
    let (low, high) = bounds(&corners);
    let first = rng.gen_range(0..4usize);
    let second = rng.gen_bool(0.5).then(|| (first + rng.gen_range(1..4)) % 4);
    let inset = [0, 1, 2, 3].map(|side| {
        let extent = high[side % 2] - low[side % 2];
        if side == first || Some(side) == second {
            extent * rng.gen_range(0.02..0.08)
        } else {
            -rng.gen_range(2.0..30.0f32)
        }
    });
    framed(rng, card, fonts, corners, inset)
}

/// A flatbed scan: the card 650–1300 px wide, square to the bed within 2°
/// and without perspective, on a white or light-grey bed that shows round
/// it, the lid's faint shadow along its edges, even light, a little
/// softness and sensor noise, JPEG at quality 75–95.
pub fn flat_scan(
    rng: &mut impl Rng,
    card: &RgbImage,
) -> Result<(RgbImage, Corners), GeneratorError> {
    let width = rng.gen_range(650.0..1300.0f32);
    let corners = tight(rng, card.dimensions(), width, 2.0, 0.0);
    let (low, high) = bounds(&corners);
    let extent = [high[0] - low[0], high[1] - low[1]];
    let bed = [
        extent[0] * rng.gen_range(1.15..2.2),
        extent[1] * rng.gen_range(1.2..2.6),
    ];
    let offset = [0, 1].map(|axis| rng.gen_range(0.0..bed[axis] - extent[axis]) - low[axis]);
    let corners = corners.map(|[x, y]| [x + offset[0], y + offset[1]]);
    let grey: u8 = if rng.gen_bool(0.5) {
        rng.gen_range(240..=255)
    } else {
        rng.gen_range(205..240)
    };
    let colour = Rgb([0, 1, 2].map(|_| grey.saturating_sub(rng.gen_range(0..4))));
    let mut image = RgbImage::from_pixel(bed[0].ceil() as u32, bed[1].ceil() as u32, colour);
    let shade = rng.gen_range(20..60u8);
    let shadow = RgbImage::from_pixel(
        card.width(),
        card.height(),
        Rgb(colour.0.map(|c| c.saturating_sub(shade))),
    );
    let shift = [rng.gen_range(-3.0..3.0f32), rng.gen_range(-3.0..3.0f32)];
    scene::place_card(
        &mut image,
        &shadow,
        &corners.map(|[x, y]| [x + shift[0], y + shift[1]]),
    )?;
    scene::place_card(&mut image, card, &corners)?;
    let mut image = gaussian_blur_f32(&image, rng.gen_range(0.3..0.8));
    gaussian_noise_mut(&mut image, 0.0, rng.gen_range(0.0..2.5), rng.gen());
    Ok((scene::jpeg(&image, rng.gen_range(75..=95))?, corners))
}

/// `image` turned `quarters` quarter turns clockwise, and the corners with
/// it (still clockwise from the card's own top-left).
pub fn turn(image: RgbImage, corners: Corners, quarters: u8) -> (RgbImage, Corners) {
    let (w, h) = (image.width() as f32, image.height() as f32);
    match quarters % 4 {
        1 => (
            image::imageops::rotate90(&image),
            corners.map(|[x, y]| [h - y, x]),
        ),
        2 => (
            image::imageops::rotate180(&image),
            corners.map(|[x, y]| [w - x, h - y]),
        ),
        3 => (
            image::imageops::rotate270(&image),
            corners.map(|[x, y]| [y, w - x]),
        ),
        _ => (image, corners),
    }
}
