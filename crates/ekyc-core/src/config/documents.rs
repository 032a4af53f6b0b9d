//! The document reader's settings; the defaults are `ekyc-doc`'s and
//! `ekyc-tesseract`'s.

use ekyc_doc::recognise::RecogniserKind;
use ekyc_doc::registration::Masking;
use serde::{Deserialize, Deserializer};

use super::parsed;

/// What reads the cards and how their numbers are shown.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct DocumentSettings {
    /// The Tesseract 5 shared library (a soname or a path).
    pub tesseract_library: String,
    /// What reads the text lines: `crnn` (the project's own recogniser)
    /// or `tesseract` (Tesseract's `kor` model). The MRZ is read by
    /// Tesseract's OCR-B model either way.
    #[serde(deserialize_with = "parsed::one")]
    pub ocr_recogniser: RecogniserKind,
    /// How `idNum` is shown: `all` (`******-*******`), `birth`
    /// (`YYMMDD-G******`) or `none` (unmasked; only when the operator
    /// needs it and says so here).
    #[serde(deserialize_with = "masking")]
    pub ocr_id_masking: Masking,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self {
            tesseract_library: ekyc_tesseract::DEFAULT_LIBRARY.to_owned(),
            ocr_recogniser: RecogniserKind::default(),
            ocr_id_masking: Masking::default(),
        }
    }
}

/// The operator's names of the maskings.
fn masking<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Masking, D::Error> {
    match String::deserialize(deserializer)?.as_str() {
        "all" => Ok(Masking::All),
        "birth" => Ok(Masking::KeepBirthDateAndGender),
        "none" => Ok(Masking::None),
        other => Err(serde::de::Error::custom(format!(
            "the masking is all, birth or none, not {other:?}"
        ))),
    }
}
