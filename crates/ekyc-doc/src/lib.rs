//! The document pipeline's text end: the formats of the fields printed on
//! Korean ID documents, how to validate them, how to use those formats to
//! correct OCR, and how to mask them. Nothing here reads pixels: the
//! recogniser hands over text, and these parsers decide what it says.

pub mod dates;
pub mod kind;
pub mod licence;
pub mod mrz;
pub mod registration;
