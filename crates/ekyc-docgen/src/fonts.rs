//! The Debian fonts the cards are printed in.
//!
//! Real cards use several typefaces across issue years; varying the body
//! font per card keeps the reader from learning one font's shapes.

use std::path::{Path, PathBuf};

use ab_glyph::FontVec;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::GeneratorError;

/// Debian packages `fonts-nanum`, `fonts-unfonts-core` and `fonts-ocr-b`.
const FONT_ROOT: &str = "/usr/share/fonts";

/// Font files, relative to a font folder, that cards are printed with.
pub struct FontSet {
    /// Regular faces of the text.
    pub body: &'static [&'static str],
    /// Bold faces of names and titles.
    pub bold: &'static [&'static str],
    /// The OCR-B face of the MRZ.
    pub mrz: &'static str,
}

/// The cards' fonts. All body fonts carry Hanja, which names print after
/// the Hangul.
pub const CARD_FONTS: FontSet = FontSet {
    body: &[
        "truetype/nanum/NanumGothic.ttf",
        "truetype/nanum/NanumBarunGothic.ttf",
        "truetype/unfonts-core/UnDotum.ttf",
        "truetype/unfonts-core/UnBatang.ttf",
    ],
    bold: &[
        "truetype/nanum/NanumGothicBold.ttf",
        "truetype/nanum/NanumMyeongjoBold.ttf",
        "truetype/unfonts-core/UnDotumBold.ttf",
    ],
    mrz: "opentype/ocr-b/OCRB.otf",
};

/// The loaded fonts a card's faces are picked from.
pub struct Fonts {
    body: Vec<FontVec>,
    bold: Vec<FontVec>,
    /// The MRZ face.
    pub mrz: FontVec,
}

/// The fonts one card is printed with.
pub struct CardFonts<'a> {
    /// The regular face of the text.
    pub body: &'a FontVec,
    /// The bold face of names and titles.
    pub bold: &'a FontVec,
    /// The OCR-B face of the MRZ.
    pub mrz: &'a FontVec,
}

impl Fonts {
    /// The [`CARD_FONTS`] from the system's font folder.
    pub fn load() -> Result<Self, GeneratorError> {
        Self::installed(&CARD_FONTS)
    }

    /// The fonts of `set` from the system's font folder.
    pub fn installed(set: &FontSet) -> Result<Self, GeneratorError> {
        Self::load_set(Path::new(FONT_ROOT), set)
    }

    /// The fonts of `set`, relative to `root`.
    pub fn load_set(root: &Path, set: &FontSet) -> Result<Self, GeneratorError> {
        let load = |relative: &str| read_font(&root.join(relative));
        Ok(Self {
            body: set.body.iter().map(|f| load(f)).collect::<Result<_, _>>()?,
            bold: set.bold.iter().map(|f| load(f)).collect::<Result<_, _>>()?,
            mrz: load(set.mrz)?,
        })
    }

    /// One regular and one bold face, picked at random, with the MRZ face.
    pub fn pick(&self, rng: &mut impl Rng) -> CardFonts<'_> {
        CardFonts {
            body: self.body.choose(rng).unwrap_or(&self.body[0]),
            bold: self.bold.choose(rng).unwrap_or(&self.bold[0]),
            mrz: &self.mrz,
        }
    }
}

fn read_font(path: &PathBuf) -> Result<FontVec, GeneratorError> {
    let missing = || GeneratorError::Font(path.display().to_string());
    let bytes = std::fs::read(path).map_err(|_| missing())?;
    FontVec::try_from_vec(bytes).map_err(|_| missing())
}
