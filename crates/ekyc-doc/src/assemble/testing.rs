//! What the layouts' tests share: lines placed by hand and recognisers
//! that answer without a model.

use image::GrayImage;

use super::{Line, Sheet};
use crate::recognise::{LineReading, LineRecogniser, Script};
use crate::textdet::TextBox;
use crate::DocError;

/// A line of `text` with its top-left at (`x`, `y`), 120 × 40.
pub(super) fn line(text: &str, x: f32, y: f32, confidence: f32) -> Line {
    Line {
        area: TextBox {
            x,
            y,
            w: 120.0,
            h: 40.0,
            score: 1.0,
        },
        text: text.to_owned(),
        confidence,
    }
}

/// A recogniser that reads every line as its own Korean text and, in
/// other scripts, as `latin`.
pub(super) struct Echo(pub(super) &'static str);

impl LineRecogniser for Echo {
    fn read(&mut self, _: &GrayImage, _: Script) -> Result<LineReading, DocError> {
        Ok(LineReading {
            text: self.0.to_owned(),
            confidence: 0.9,
        })
    }
}

/// A sheet of `lines`, no field found yet.
pub(super) fn sheet_of<'a>(
    lines: &'a [Line],
    gray: &'a GrayImage,
    recogniser: &'a mut dyn LineRecogniser,
) -> Sheet<'a> {
    Sheet::new(lines, gray, recogniser)
}
