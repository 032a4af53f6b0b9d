//! The second style's drawing surface: text set in the card's fonts with
//! every string's box recorded, security-print backgrounds, seals and a
//! stand-in portrait.

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{Rgb, RgbImage};
use imageproc::drawing::{
    draw_filled_ellipse_mut, draw_filled_rect_mut, draw_hollow_rect_mut, draw_text_mut,
};
use imageproc::rect::Rect;
use rand::Rng;

use crate::fonts::CardFonts;
use crate::render::PrintedText;

/// Which of the card's fonts a string is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Face {
    /// The regular face: values and labels.
    Body,
    /// The bold face: titles, names, issuers.
    Bold,
    /// OCR-B: the passport's MRZ.
    Mrz,
}

/// Ink colours of the second style.
pub(super) const INK: Rgb<u8> = Rgb([28, 30, 36]);
/// Grey-blue of small labels.
pub(super) const LABEL: Rgb<u8> = Rgb([70, 84, 110]);
/// The red of seals.
pub(super) const SEAL: Rgb<u8> = Rgb([200, 40, 45]);

/// A card face being drawn, and the strings drawn on it so far.
pub(super) struct Sheet<'a> {
    /// The card face.
    pub image: RgbImage,
    /// Every string drawn, with its box.
    pub printed: Vec<PrintedText>,
    fonts: CardFonts<'a>,
}

impl<'a> Sheet<'a> {
    /// A blank card of `size` in `paper`.
    pub fn new(size: (u32, u32), paper: Rgb<u8>, fonts: CardFonts<'a>) -> Self {
        Self {
            image: RgbImage::from_pixel(size.0, size.1, paper),
            printed: Vec::new(),
            fonts,
        }
    }

    /// A copy to lay text out on without touching this sheet: to measure
    /// a block before spacing it.
    pub fn scratch(&self) -> Self {
        Self {
            image: self.image.clone(),
            printed: Vec::new(),
            fonts: CardFonts {
                body: self.fonts.body,
                bold: self.fonts.bold,
                mrz: self.fonts.mrz,
            },
        }
    }

    fn font(&self, face: Face) -> &'a FontVec {
        match face {
            Face::Body => self.fonts.body,
            Face::Bold => self.fonts.bold,
            Face::Mrz => self.fonts.mrz,
        }
    }

    /// Whether `face` draws every character of `text`: not all faces
    /// carry Hanja, and some map it to empty glyphs.
    pub fn covers(&self, face: Face, text: &str) -> bool {
        let font = self.font(face);
        text.chars().all(|c| {
            let id = font.glyph_id(c);
            c.is_whitespace() || (id.0 != 0 && font.outline_glyph(id.with_scale(20.0)).is_some())
        })
    }

    /// The advance width of `text` at `size` px, laid out as
    /// `imageproc` draws it.
    pub fn width(&self, face: Face, size: f32, text: &str) -> f32 {
        let font = self.font(face).as_scaled(PxScale::from(size));
        let mut width = 0.0;
        let mut last = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            width += font.h_advance(id);
            if font.outline_glyph(id.with_scale(size)).is_some() {
                if let Some(last) = last {
                    width += font.kern(id, last);
                }
                last = Some(id);
            }
        }
        width
    }

    /// The height of a line of `face` at `size` px.
    pub fn height(&self, face: Face, size: f32) -> f32 {
        let font = self.font(face).as_scaled(PxScale::from(size));
        font.ascent() - font.descent()
    }

    /// Draws `text` with its box's top-left at (`x`, `y`) and records it;
    /// returns the box `[x, y, width, height]`.
    pub fn write(
        &mut self,
        face: Face,
        x: f32,
        y: f32,
        size: f32,
        colour: Rgb<u8>,
        text: &str,
    ) -> [f32; 4] {
        let font = self.font(face);
        draw_text_mut(
            &mut self.image,
            colour,
            x.round() as i32,
            y.round() as i32,
            PxScale::from(size),
            font,
            text,
        );
        let area = [
            x.round(),
            y.round(),
            self.width(face, size, text),
            self.height(face, size),
        ];
        self.printed.push(PrintedText {
            text: text.to_owned(),
            area,
        });
        area
    }

    /// The largest size up to `size` at which `text` fits in `width`.
    pub fn fitting(&self, face: Face, size: f32, width: f32, text: &str) -> f32 {
        let natural = self.width(face, size, text);
        if natural <= width {
            size
        } else {
            size * width / natural
        }
    }

    /// `text` broken at spaces into lines no wider than `width` (a word
    /// wider than that stands alone on its line).
    pub fn wrap(&self, face: Face, size: f32, width: f32, text: &str) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for word in text.split_whitespace() {
            match lines.last_mut() {
                Some(line) if self.width(face, size, &format!("{line} {word}")) <= width => {
                    line.push(' ');
                    line.push_str(word);
                }
                _ => lines.push(word.to_owned()),
            }
        }
        lines
    }

    /// Fills a rectangle.
    pub fn fill(&mut self, x: i32, y: i32, w: u32, h: u32, colour: Rgb<u8>) {
        draw_filled_rect_mut(
            &mut self.image,
            Rect::at(x, y).of_size(w.max(1), h.max(1)),
            colour,
        );
    }

    /// Outlines a rectangle.
    pub fn frame(&mut self, x: i32, y: i32, w: u32, h: u32, colour: Rgb<u8>) {
        draw_hollow_rect_mut(
            &mut self.image,
            Rect::at(x, y).of_size(w.max(1), h.max(1)),
            colour,
        );
    }

    /// Blends `colour` into the pixel at (`x`, `y`) by `amount` (0–1).
    fn tint(&mut self, x: i32, y: i32, colour: Rgb<u8>, amount: f32) {
        let (w, h) = self.image.dimensions();
        if x < 0 || y < 0 || x as u32 >= w || y as u32 >= h {
            return;
        }
        let pixel = self.image.get_pixel_mut(x as u32, y as u32);
        for (p, c) in pixel.0.iter_mut().zip(colour.0) {
            *p = (*p as f32 * (1.0 - amount) + c as f32 * amount).round() as u8;
        }
    }

    /// A vertical wash from the paper colour to `to`.
    pub fn wash(&mut self, to: Rgb<u8>, strength: f32) {
        let (w, h) = self.image.dimensions();
        for y in 0..h {
            let amount = strength * y as f32 / h as f32;
            for x in 0..w {
                self.tint(x as i32, y as i32, to, amount);
            }
        }
    }

    /// Guilloche: bundles of fine sine curves across the card, as security
    /// printing draws them.
    pub fn guilloche(&mut self, rng: &mut impl Rng, colour: Rgb<u8>) {
        let (w, h) = self.image.dimensions();
        let curves = rng.gen_range(8..20);
        let period = rng.gen_range(120.0..380.0f32);
        let amplitude = rng.gen_range(12.0..50.0f32);
        let spacing = h as f32 / curves as f32;
        for curve in 0..curves {
            let phase = curve as f32 * rng.gen_range(0.2..0.6f32);
            let base = spacing * (curve as f32 + 0.5);
            for x in 0..w {
                let t = x as f32 / period * std::f32::consts::TAU;
                let y = base + amplitude * (t + phase).sin() * (0.5 * t).cos();
                self.tint(x as i32, y.round() as i32, colour, 0.35);
            }
        }
    }

    /// Concentric rings round (`cx`, `cy`): an emblem's rosette.
    pub fn rosette(&mut self, cx: i32, cy: i32, radius: i32, colour: Rgb<u8>) {
        for r in (radius / 6..radius).step_by(6) {
            let steps = (std::f32::consts::TAU * r as f32) as i32;
            for step in 0..steps {
                let angle = step as f32 / r as f32;
                let (x, y) = (
                    cx + (r as f32 * angle.cos()).round() as i32,
                    cy + (r as f32 * angle.sin()).round() as i32,
                );
                self.tint(x, y, colour, 0.4);
            }
        }
    }

    /// A fine dot screen over the whole card.
    pub fn dots(&mut self, step: u32, colour: Rgb<u8>) {
        let (w, h) = self.image.dimensions();
        for y in (0..h).step_by(step as usize) {
            let shift = if (y / step) % 2 == 0 { 0 } else { step / 2 };
            for x in (shift..w).step_by(step as usize) {
                self.tint(x as i32, y as i32, colour, 0.5);
            }
        }
    }

    /// A red official seal without legible text: a square of double
    /// lines with a lattice inside, half transparent over what is under it.
    pub fn seal(&mut self, x: i32, y: i32, size: i32) {
        for inset in [0, 3, size / 5] {
            let side = size - 2 * inset;
            for i in 0..side {
                for (px, py) in [
                    (x + inset + i, y + inset),
                    (x + inset + i, y + inset + side - 1),
                    (x + inset, y + inset + i),
                    (x + inset + side - 1, y + inset + i),
                ] {
                    self.tint(px, py, SEAL, 0.7);
                }
            }
        }
        let inner = size / 5;
        for k in 1..4 {
            let offset = inner + k * (size - 2 * inner) / 4;
            for i in inner..size - inner {
                self.tint(x + offset, y + i, SEAL, 0.6);
                self.tint(x + i, y + offset, SEAL, 0.6);
            }
        }
    }

    /// A stand-in portrait: a plain backdrop with a head and shoulders.
    /// Returns its `[x, y, w, h]`.
    pub fn portrait(&mut self, rng: &mut impl Rng, x: i32, y: i32, w: u32, h: u32) -> [u32; 4] {
        let backdrop = Rgb([
            rng.gen_range(200..245),
            rng.gen_range(205..245),
            rng.gen_range(210..250),
        ]);
        let skin = Rgb([
            rng.gen_range(170..230),
            rng.gen_range(130..190),
            rng.gen_range(100..160),
        ]);
        let cloth = Rgb([
            rng.gen_range(20..90),
            rng.gen_range(20..90),
            rng.gen_range(30..110),
        ]);
        // Drawn on its own image so the shoulders end at the frame.
        let mut photo = RgbImage::from_pixel(w, h, backdrop);
        let (cx, w_i, h_i) = (w as i32 / 2, w as i32, h as i32);
        draw_filled_ellipse_mut(
            &mut photo,
            (cx, h_i * 95 / 100),
            w_i * 45 / 100,
            h_i * 28 / 100,
            cloth,
        );
        draw_filled_ellipse_mut(
            &mut photo,
            (cx, h_i * 40 / 100),
            w_i * 24 / 100,
            h_i * 24 / 100,
            skin,
        );
        draw_filled_ellipse_mut(
            &mut photo,
            (cx, h_i * 24 / 100),
            w_i * 25 / 100,
            h_i * 11 / 100,
            Rgb([30, 25, 22]),
        );
        image::imageops::replace(&mut self.image, &photo, i64::from(x), i64::from(y));
        self.frame(x, y, w, h, Rgb([150, 150, 150]));
        [x as u32, y as u32, w, h]
    }

    /// A faint copy of the region `from` drawn at (`x`, `y`) scaled to
    /// `width`: the small ghost portrait of newer cards.
    pub fn ghost(&mut self, from: [u32; 4], x: i32, y: i32, width: u32) {
        let source =
            image::imageops::crop_imm(&self.image, from[0], from[1], from[2], from[3]).to_image();
        let height = (from[3] * width / from[2].max(1)).max(1);
        let small = image::imageops::resize(
            &source,
            width,
            height,
            image::imageops::FilterType::Triangle,
        );
        for (sx, sy, pixel) in small.enumerate_pixels() {
            let gray = (pixel.0.iter().map(|c| u32::from(*c)).sum::<u32>() / 3) as u8;
            self.tint(x + sx as i32, y + sy as i32, Rgb([gray, gray, gray]), 0.3);
        }
    }
}

/// A light paper colour: ivory, pale blue, pale green or pale pink.
pub(super) fn paper(rng: &mut impl Rng) -> Rgb<u8> {
    let tints = [
        [246, 243, 232],
        [232, 240, 248],
        [234, 244, 236],
        [248, 236, 238],
        [240, 240, 244],
    ];
    let [r, g, b] = tints[rng.gen_range(0..tints.len())];
    let jitter = |c: i32, rng: &mut dyn rand::RngCore| (c + rng.gen_range(-6..=6)).clamp(0, 255);
    Rgb([
        jitter(r, rng) as u8,
        jitter(g, rng) as u8,
        jitter(b, rng) as u8,
    ])
}

/// A pale pattern colour: the paper darkened towards a hue.
pub(super) fn pattern(rng: &mut impl Rng) -> Rgb<u8> {
    let hues = [
        [120, 150, 200],
        [150, 190, 150],
        [210, 160, 170],
        [190, 170, 120],
    ];
    Rgb(hues[rng.gen_range(0..hues.len())])
}
