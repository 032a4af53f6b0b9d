//! The blank card and what is drawn on it: text that records where its
//! ink went, the guilloche under it, the portrait and the seal.

use ab_glyph::{point, Font, FontVec, PxScale, ScaleFont};
use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_ellipse_mut, draw_hollow_rect_mut, draw_text_mut, text_size};
use imageproc::rect::Rect;
use rand::Rng;

use super::{LineShape, PrintedText};
use crate::fonts::CardFonts;

/// A card being drawn: its pixels, its fonts and ink, and every string
/// drawn so far.
pub(super) struct Canvas<'a> {
    pub(super) image: RgbImage,
    pub(super) fonts: CardFonts<'a>,
    pub(super) ink: Rgb<u8>,
    pub(super) printed: Vec<PrintedText>,
}

impl<'a> Canvas<'a> {
    /// Draws `text` and records where its ink went, which it returns.
    fn draw(
        &mut self,
        font: &'a FontVec,
        colour: Rgb<u8>,
        at: (i32, i32),
        size: f32,
        text: &str,
    ) -> PrintedText {
        self.draw_shaped(font, colour, at, size, LineShape::PLAIN, text)
    }

    /// `draw` with the glyphs stretched and letter-spaced by `shape`.
    pub(super) fn draw_shaped(
        &mut self,
        font: &'a FontVec,
        colour: Rgb<u8>,
        at: (i32, i32),
        size: f32,
        shape: LineShape,
        text: &str,
    ) -> PrintedText {
        let scale = PxScale {
            x: size * shape.stretch,
            y: size,
        };
        let area = if shape.tracking == 0.0 {
            draw_text_mut(&mut self.image, colour, at.0, at.1, scale, font, text);
            let [x, y, width, height] = ink_box(font, scale, text);
            [at.0 as f32 + x, at.1 as f32 + y, width, height]
        } else {
            self.draw_spaced(font, colour, at, scale, shape.tracking * size, text)
        };
        let printed = PrintedText {
            text: text.to_owned(),
            area,
        };
        self.printed.push(printed.clone());
        printed
    }

    /// Draws `text` a character at a time, `gap` px apart beyond the
    /// font's advance, and returns the box of its ink.
    fn draw_spaced(
        &mut self,
        font: &FontVec,
        colour: Rgb<u8>,
        at: (i32, i32),
        scale: PxScale,
        gap: f32,
        text: &str,
    ) -> [f32; 4] {
        let scaled = font.as_scaled(scale);
        let (mut pen, mut low, mut high) = (at.0 as f32, [f32::MAX; 2], [f32::MIN; 2]);
        for c in text.chars() {
            let glyph = c.to_string();
            draw_text_mut(
                &mut self.image,
                colour,
                pen as i32,
                at.1,
                scale,
                font,
                &glyph,
            );
            let [x, y, width, height] = ink_box(font, scale, &glyph);
            if width > 0.0 {
                low = [low[0].min(pen.floor() + x), low[1].min(at.1 as f32 + y)];
                high = [
                    high[0].max(pen.floor() + x + width),
                    high[1].max(at.1 as f32 + y + height),
                ];
            }
            pen += scaled.h_advance(scaled.glyph_id(c)) + gap;
        }
        if low[0] > high[0] {
            return [at.0 as f32, at.1 as f32, 0.0, 0.0];
        }
        [low[0], low[1], high[0] - low[0], high[1] - low[1]]
    }

    pub(super) fn text(&mut self, x: i32, y: i32, size: f32, text: &str) {
        self.draw(self.fonts.body, self.ink, (x, y), size, text);
    }

    pub(super) fn bold(&mut self, x: i32, y: i32, size: f32, text: &str) {
        self.draw(self.fonts.bold, self.ink, (x, y), size, text);
    }

    pub(super) fn label(&mut self, x: i32, y: i32, size: f32, text: &str) {
        self.draw(self.fonts.body, Rgb([90, 90, 110]), (x, y), size, text);
    }

    pub(super) fn mrz(&mut self, x: i32, y: i32, size: f32, text: &str) {
        self.draw(self.fonts.mrz, Rgb([20, 20, 20]), (x, y), size, text);
    }

    pub(super) fn width_of(&self, font: &FontVec, size: f32, text: &str) -> i32 {
        text_size(PxScale::from(size), font, text).0 as i32
    }
}

/// Where `draw_text_mut` puts ink for `text`, relative to the point it is
/// drawn at: the same glyph layout, keeping each glyph's pixel bounds
/// (imageproc's `text_size` only gives the tallest glyph's height).
fn ink_box(font: &FontVec, scale: PxScale, text: &str) -> [f32; 4] {
    let scaled = font.as_scaled(scale);
    let (mut advance, mut last) = (0.0f32, None);
    let (mut low, mut high) = ([f32::MAX; 2], [f32::MIN; 2]);
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        let glyph = id.with_scale_and_position(scale, point(advance, scaled.ascent()));
        advance += scaled.h_advance(id);
        if let Some(outline) = scaled.outline_glyph(glyph) {
            if let Some(last) = last {
                advance += scaled.kern(id, last);
            }
            last = Some(id);
            let bounds = outline.px_bounds();
            low = [low[0].min(bounds.min.x), low[1].min(bounds.min.y)];
            high = [high[0].max(bounds.max.x), high[1].max(bounds.max.y)];
        }
    }
    if low[0] > high[0] {
        return [0.0, 0.0, 0.0, 0.0];
    }
    [low[0], low[1], high[0] - low[0], high[1] - low[1]]
}

pub(super) fn blank<'a>(size: (u32, u32), rng: &mut impl Rng, fonts: CardFonts<'a>) -> Canvas<'a> {
    let tint = [
        rng.gen_range(225..250),
        rng.gen_range(228..250),
        rng.gen_range(230..252),
    ];
    let mut image = RgbImage::from_pixel(size.0, size.1, Rgb(tint));
    guilloche(&mut image, rng);
    let shade = rng.gen_range(0..40);
    Canvas {
        image,
        fonts,
        ink: Rgb([shade, shade, shade + rng.gen_range(0..20)]),
        printed: Vec::new(),
    }
}

/// The fine wavy security pattern that real cards print under the text.
fn guilloche(image: &mut RgbImage, rng: &mut impl Rng) {
    let (width, height) = image.dimensions();
    let colour = [
        rng.gen_range(150..230),
        rng.gen_range(170..230),
        rng.gen_range(190..240),
    ];
    let waves = rng.gen_range(6..14);
    let strength = rng.gen_range(0.15..0.45);
    for wave in 0..waves {
        let period = rng.gen_range(60.0..260.0f32);
        let amplitude = rng.gen_range(8.0..40.0f32);
        let base = height as f32 * (wave as f32 + 0.5) / waves as f32;
        let phase = rng.gen_range(0.0..std::f32::consts::TAU);
        for x in 0..width {
            let y = base + amplitude * (x as f32 / period * std::f32::consts::TAU + phase).sin();
            if y >= 0.0 && (y as u32) < height {
                let pixel = image.get_pixel_mut(x, y as u32);
                for (channel, target) in pixel.0.iter_mut().zip(colour) {
                    *channel =
                        (*channel as f32 * (1.0 - strength) + target as f32 * strength) as u8;
                }
            }
        }
    }
}

/// A drawn head-and-shoulders portrait: enough for a face detector to find
/// a face-like blob and for the reader to skip the region.
pub(super) fn portrait(
    canvas: &mut Canvas<'_>,
    rng: &mut impl Rng,
    x: i32,
    y: i32,
    w: u32,
    h: u32,
) -> [u32; 4] {
    let photo = portrait_photo(rng, w, h);
    image::imageops::overlay(&mut canvas.image, &photo, x.into(), y.into());
    draw_hollow_rect_mut(
        &mut canvas.image,
        Rect::at(x, y).of_size(w, h),
        Rgb([120, 120, 120]),
    );
    [x as u32, y as u32, w, h]
}

pub(super) fn portrait_photo(rng: &mut impl Rng, w: u32, h: u32) -> RgbImage {
    let backdrop = Rgb([
        rng.gen_range(180..235),
        rng.gen_range(190..235),
        rng.gen_range(200..245),
    ]);
    let mut photo = RgbImage::from_pixel(w, h, backdrop);
    let skin = Rgb([
        rng.gen_range(190..235),
        rng.gen_range(150..195),
        rng.gen_range(120..170),
    ]);
    let hair = Rgb([
        rng.gen_range(10..60),
        rng.gen_range(10..50),
        rng.gen_range(10..40),
    ]);
    let shirt = Rgb([
        rng.gen_range(20..120),
        rng.gen_range(20..120),
        rng.gen_range(40..140),
    ]);
    let (cx, w, h) = (w as i32 / 2, w as i32, h as i32);
    draw_filled_ellipse_mut(&mut photo, (cx, h), w / 2, h / 4, shirt);
    draw_filled_ellipse_mut(&mut photo, (cx, h * 2 / 5), w / 3, h * 3 / 10, hair);
    draw_filled_ellipse_mut(&mut photo, (cx, h * 9 / 20), w * 3 / 11, h * 3 / 11, skin);
    let eye = Rgb([30, 25, 25]);
    for side in [-1, 1] {
        draw_filled_ellipse_mut(
            &mut photo,
            (cx + side * w / 9, h * 2 / 5),
            w / 28,
            h / 60,
            eye,
        );
    }
    draw_filled_ellipse_mut(
        &mut photo,
        (cx, h * 11 / 20),
        w / 14,
        h / 70,
        Rgb([150, 70, 70]),
    );
    photo
}

pub(super) fn seal(canvas: &mut Canvas<'_>, x: i32, y: i32, size: u32) {
    let red = Rgb([200, 60, 60]);
    for inset in 0..4 {
        let rect = Rect::at(x + inset, y + inset)
            .of_size(size - 2 * inset as u32, size - 2 * inset as u32);
        draw_hollow_rect_mut(&mut canvas.image, rect, red);
    }
}
