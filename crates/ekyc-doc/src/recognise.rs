//! Reading one text line: the [`LineRecogniser`] trait and its two
//! implementations.
//!
//! No registry ships a Korean neural recogniser, so the project trains its
//! own ([`crate::crnn`], the default); Tesseract 5 (Debian's `kor` model)
//! is kept as the alternative and reads the MRZ for both. Fields with a
//! known alphabet are re-read with that alphabet only, which removes most
//! confusions (`O`/`0`, `l`/`1`, Hangul look-alikes of digits) before the
//! parsers see the text.

use std::path::Path;

use ekyc_tesseract::{LineEngine, Tesseract, DEBIAN_TESSDATA};
use image::GrayImage;

use crate::DocError;

/// What a line is expected to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Script {
    /// Anything: Hangul, Hanja, Latin, digits (titles, names, addresses).
    Korean,
    /// Digits and the separators of numbers and dates.
    Digits,
    /// Latin capitals, digits and the punctuation of names and codes.
    Latin,
    /// A passport MRZ line: `A-Z`, `0-9`, `<` in OCR-B.
    Mrz,
}

/// A line as read.
#[derive(Debug, Clone, PartialEq)]
pub struct LineReading {
    /// The line's text, in the alphabet of the script it was read in.
    pub text: String,
    /// The recogniser's own confidence in [0, 1].
    pub confidence: f32,
}

/// Which recogniser reads the Hangul, digit and Latin lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecogniserKind {
    /// The project's CRNN (`ko_crnn` in the manifest): the default, it
    /// reads the cards better than Tesseract (see the README).
    #[default]
    Crnn,
    /// Tesseract 5's `kor` and `eng` models.
    Tesseract,
}

impl std::fmt::Display for RecogniserKind {
    /// The name [`FromStr`](std::str::FromStr) reads.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Crnn => "crnn",
            Self::Tesseract => "tesseract",
        })
    }
}

impl std::str::FromStr for RecogniserKind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "crnn" => Ok(Self::Crnn),
            "tesseract" => Ok(Self::Tesseract),
            other => Err(format!(
                "the recogniser is crnn or tesseract, not {other:?}"
            )),
        }
    }
}

/// Reads one cropped line in a given script. A trait so that the CRNN and
/// Tesseract can be swapped (and compared on the benchmark), and tests can
/// answer without a model; `Send` because each inference thread owns one.
pub trait LineRecogniser: Send {
    /// Reads `line` (dark text on a light background, one line).
    fn read(&mut self, line: &GrayImage, script: Script) -> Result<LineReading, DocError>;

    /// Up to `n` readings of `line`, the most likely first, for a caller
    /// that knows more than the recogniser (check digits, the romanised
    /// name) and can pick the one that fits. A recogniser that cannot rank
    /// alternatives gives its one reading.
    fn readings(
        &mut self,
        line: &GrayImage,
        script: Script,
        _n: usize,
    ) -> Result<Vec<LineReading>, DocError> {
        Ok(vec![self.read(line, script)?])
    }
}

/// The characters of a digit field (numbers and dates).
pub(crate) const DIGITS: &str = "0123456789-.~ ";
/// The characters of a Latin field (names in capitals and codes).
pub(crate) const LATIN: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/ ";
/// The characters of an MRZ line (OCR-B capitals, digits and fillers).
pub(crate) const MRZ: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";

/// Tesseract's OCR-B model (`mrz.traineddata`), which reads the MRZ for
/// both recognisers.
pub struct MrzReader {
    engine: LineEngine,
}

impl MrzReader {
    /// `library`: the Tesseract shared library; `mrz_model`: the path of
    /// `mrz.traineddata` (from the model folder).
    pub fn open(library: &str, mrz_model: &Path) -> Result<Self, DocError> {
        let tesseract = Tesseract::open(library)?;
        let mrz_dir = mrz_model.parent().unwrap_or(Path::new("."));
        let mut engine = tesseract.engine(mrz_dir, "mrz")?;
        engine.set_whitelist(MRZ)?;
        Ok(Self { engine })
    }

    /// Reads an MRZ line with the OCR-B alphabet only.
    pub fn read(&mut self, line: &GrayImage) -> Result<LineReading, DocError> {
        read_with(&mut self.engine, line)
    }
}

/// Tesseract engines, one per script, owned by one inference thread.
pub struct TesseractRecogniser {
    korean: LineEngine,
    digits: LineEngine,
    latin: LineEngine,
    mrz: MrzReader,
}

impl TesseractRecogniser {
    /// `library`: the Tesseract shared library; `mrz_model`: the path of
    /// `mrz.traineddata` (from the model folder).
    pub fn open(library: &str, mrz_model: &Path) -> Result<Self, DocError> {
        let tesseract = Tesseract::open(library)?;
        let system = Path::new(DEBIAN_TESSDATA);
        let mut digits = tesseract.engine(system, "eng")?;
        digits.set_whitelist(DIGITS)?;
        let mut latin = tesseract.engine(system, "eng")?;
        latin.set_whitelist(LATIN)?;
        Ok(Self {
            korean: tesseract.engine(system, "kor")?,
            digits,
            latin,
            mrz: MrzReader::open(library, mrz_model)?,
        })
    }
}

impl LineRecogniser for TesseractRecogniser {
    fn read(&mut self, line: &GrayImage, script: Script) -> Result<LineReading, DocError> {
        let engine = match script {
            Script::Korean => &mut self.korean,
            Script::Digits => &mut self.digits,
            Script::Latin => &mut self.latin,
            Script::Mrz => return self.mrz.read(line),
        };
        read_with(engine, line)
    }
}

fn read_with(engine: &mut LineEngine, line: &GrayImage) -> Result<LineReading, DocError> {
    let reading = engine.read_line(line.as_raw(), line.width(), line.height())?;
    Ok(LineReading {
        text: reading.text,
        confidence: reading.confidence,
    })
}
