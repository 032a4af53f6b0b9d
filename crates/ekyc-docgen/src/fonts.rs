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
/// Body fonts; all of them carry Hanja, which names print after the Hangul.
const BODY: [&str; 4] = [
    "truetype/nanum/NanumGothic.ttf",
    "truetype/nanum/NanumBarunGothic.ttf",
    "truetype/unfonts-core/UnDotum.ttf",
    "truetype/unfonts-core/UnBatang.ttf",
];
const BOLD: [&str; 3] = [
    "truetype/nanum/NanumGothicBold.ttf",
    "truetype/nanum/NanumMyeongjoBold.ttf",
    "truetype/unfonts-core/UnDotumBold.ttf",
];
const MRZ: &str = "opentype/ocr-b/OCRB.otf";

pub struct Fonts {
    body: Vec<FontVec>,
    bold: Vec<FontVec>,
    pub mrz: FontVec,
}

/// The fonts one card is printed with.
pub struct CardFonts<'a> {
    pub body: &'a FontVec,
    pub bold: &'a FontVec,
    pub mrz: &'a FontVec,
}

impl Fonts {
    pub fn load() -> Result<Self, GeneratorError> {
        Self::load_from(Path::new(FONT_ROOT))
    }

    pub fn load_from(root: &Path) -> Result<Self, GeneratorError> {
        let load = |relative: &str| read_font(&root.join(relative));
        Ok(Self {
            body: BODY.iter().map(|f| load(f)).collect::<Result<_, _>>()?,
            bold: BOLD.iter().map(|f| load(f)).collect::<Result<_, _>>()?,
            mrz: load(MRZ)?,
        })
    }

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
