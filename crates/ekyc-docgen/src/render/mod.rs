//! Flat card faces: the four documents' layouts after ID-DOCUMENTS.md,
//! drawn at a canonical size with their ground truth.
//!
//! Positions move a little from card to card and between the older and
//! newer layouts, so a reader that keyed on fixed pixels would fail.
//!
//! `canvas` is the blank card and how things are drawn on it, `cards` lays
//! out the four documents, `strip` prints the recogniser's training lines
//! and `look_alike` the photos of things that are not documents.

mod canvas;
mod cards;
mod look_alike;
mod strip;

use std::collections::BTreeMap;

use ekyc_doc::kind::DocumentKind;
use image::RgbImage;
use rand::Rng;

use crate::fonts::CardFonts;

pub use look_alike::{face_print, look_alike, LookAlike};
pub use strip::strip;

/// ID-1 (85.6 × 54 mm) at about 11.8 px/mm.
pub const ID1_SIZE: (u32, u32) = (1012, 638);
/// The passport data page (ID-3, 125 × 88 mm) at 10 px/mm.
pub const ID3_SIZE: (u32, u32) = (1250, 880);

/// What a generated card says, keyed by the answer's field names
/// (`idNum` unmasked).
pub type Truth = BTreeMap<&'static str, String>;

/// A flat card and what is printed on it.
pub struct FlatCard {
    /// The card face at its canonical size ([`ID1_SIZE`] or [`ID3_SIZE`]).
    pub image: RgbImage,
    /// What the card says.
    pub truth: Truth,
    /// The portrait's `[x, y, width, height]` on the flat card.
    pub portrait: [u32; 4],
    /// Every string drawn, in drawing order.
    pub printed: Vec<PrintedText>,
}

/// One string drawn on a card and where: the recogniser's training lines
/// are cut from photos of cards at these boxes.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintedText {
    /// The string drawn.
    pub text: String,
    /// `[x, y, width, height]` of the text's layout box on the flat card.
    pub area: [f32; 4],
}

/// How a line's text is set: wider or narrower than its font draws it,
/// and letter-spaced. Typefaces differ in both; training lines set in
/// varied shapes teach the recogniser to read fonts it has never seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineShape {
    /// Horizontal scale of the glyphs (1 = as designed).
    pub stretch: f32,
    /// Extra space after each character, in ems.
    pub tracking: f32,
}

impl LineShape {
    /// The text as its font sets it.
    pub const PLAIN: Self = Self {
        stretch: 1.0,
        tracking: 0.0,
    };
}

/// The flat card of `kind`, its layout and contents drawn from `rng`.
pub fn render(kind: DocumentKind, rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    match kind {
        DocumentKind::Resident => cards::resident(rng, fonts),
        DocumentKind::Driver => cards::driver(rng, fonts),
        DocumentKind::Foreign => cards::foreign(rng, fonts),
        DocumentKind::Passport => cards::passport(rng, fonts),
    }
}

/// Asserts that no two strings of `card` overlap and none leaves it:
/// overlapping strings would be unreadable on the card and mislabel the
/// training lines cut from it. `which` names the card in the message.
#[cfg(test)]
pub(crate) fn assert_laid_out(card: &FlatCard, which: &str) {
    let apart = |a: &[f32; 4], b: &[f32; 4]| {
        a[0] + a[2] <= b[0] || b[0] + b[2] <= a[0] || a[1] + a[3] <= b[1] || b[1] + b[3] <= a[1]
    };
    let (width, height) = card.image.dimensions();
    for (i, a) in card.printed.iter().enumerate() {
        let [x, y, w, h] = a.area;
        assert!(
            x >= 0.0 && y >= 0.0 && x + w <= width as f32 && y + h <= height as f32,
            "{which}: {a:?} leaves the card"
        );
        for b in &card.printed[i + 1..] {
            assert!(apart(&a.area, &b.area), "{which}: {a:?} overlaps {b:?}");
        }
    }
}
