//! Training lines: one string printed alone on card background.

use ab_glyph::PxScale;
use image::{Rgb, RgbImage};
use imageproc::drawing::text_size;
use rand::Rng;

use super::canvas::blank;
use super::{LineShape, PrintedText};
use crate::fonts::CardFonts;

/// `text` alone on a strip of card background, in the body or bold face
/// at `size` px and set as `shape` says, with the box it was printed in.
pub fn strip(
    rng: &mut impl Rng,
    fonts: CardFonts<'_>,
    text: &str,
    size: f32,
    shape: LineShape,
) -> (RgbImage, PrintedText) {
    let font = if rng.gen_bool(0.25) {
        fonts.bold
    } else {
        fonts.body
    };
    let scale = PxScale {
        x: size * shape.stretch,
        y: size,
    };
    let (width, height) = text_size(scale, font, text);
    let spacing = (shape.tracking * size * text.chars().count() as f32) as u32;
    let margin = size as u32;
    let mut card = blank(
        (width + spacing + 2 * margin, height + 2 * margin),
        rng,
        fonts,
    );
    let ink = if rng.gen_bool(0.2) {
        Rgb([90, 90, 110])
    } else {
        card.ink
    };
    let at = (margin as i32, margin as i32);
    let printed = card.draw_shaped(font, ink, at, size, shape, text);
    (card.image, printed)
}
