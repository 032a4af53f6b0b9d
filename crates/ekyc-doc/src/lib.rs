//! The document pipeline: find the card in a photo, rectify it, detect and
//! recognise its text lines, and turn them into the fields of the four
//! Korean ID documents, validated and ready to mask.
//!
//! The text end (`dates`, `kind`, `licence`, `mrz`, `registration`,
//! `romanise`) reads no pixels: the recogniser hands over text, and those
//! parsers decide what it says, using each field's format to correct OCR.

mod admin;
mod assemble;
pub mod crnn;
pub mod dates;
mod edit;
mod fields;
pub mod find;
mod hanja_readings;
pub mod kind;
mod layout;
pub mod licence;
pub mod mrz;
mod page;
mod reader;
mod reading;
pub mod recognise;
pub mod registration;
pub mod romanise;
mod surnames;
pub mod textdet;

pub use fields::{Field, FieldName, FieldValue, Fields};
pub use page::line_crop;
pub use reader::DocumentModels;
pub use reading::{Checks, ReadError, Reading, StageTimings};

/// Failures of the models themselves (not of a photo).
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    /// ONNX Runtime failed while running a model, or a model answered in
    /// a shape the pipeline does not expect: either way the model, not the
    /// photo, is at fault.
    #[error("document model inference failed: {0}")]
    Inference(String),
    /// Tesseract could not be loaded or read a line.
    #[error(transparent)]
    Tesseract(#[from] ekyc_tesseract::TesseractError),
    /// A model file is missing or not the one the manifest pins.
    #[error(transparent)]
    Manifest(#[from] ekyc_runtime::ManifestError),
    /// A model could not be loaded into a session.
    #[error(transparent)]
    Onnx(#[from] ekyc_runtime::OnnxError),
}

impl From<ort::Error> for DocError {
    fn from(e: ort::Error) -> Self {
        Self::Inference(e.to_string())
    }
}
