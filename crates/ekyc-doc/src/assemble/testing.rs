//! What the layouts' tests share: lines placed by hand and recognisers
//! that answer without a model.

use image::{GrayImage, Luma};

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
    Sheet::new(lines, gray, recogniser, chrono::Utc::now().date_naive())
}

/// A page of `size` on which each of `lines` is painted its own shade, and
/// the recogniser that reads each line by its shade as that line's text,
/// in every script: for layouts that read several lines again.
pub(super) fn painted(lines: &[Line], size: (u32, u32)) -> (GrayImage, ByShade) {
    let mut page = GrayImage::from_pixel(size.0, size.1, Luma([u8::MAX]));
    for (shade, line) in lines.iter().enumerate() {
        let shade = u8::try_from(shade).expect("fewer lines than shades");
        let area = &line.area;
        for y in area.y as u32..(area.bottom() as u32).min(size.1) {
            for x in area.x as u32..(area.right() as u32).min(size.0) {
                page.put_pixel(x, y, Luma([shade]));
            }
        }
    }
    let texts = lines.iter().map(|line| line.text.clone()).collect();
    (page, ByShade(texts))
}

/// Reads a line of a [`painted`] page as the text of the line painted in
/// its shade.
pub(super) struct ByShade(Vec<String>);

impl LineRecogniser for ByShade {
    fn read(&mut self, line: &GrayImage, _: Script) -> Result<LineReading, DocError> {
        let shade = line.get_pixel(line.width() / 2, line.height() / 2).0[0];
        Ok(LineReading {
            text: self.0.get(usize::from(shade)).cloned().unwrap_or_default(),
            confidence: 0.9,
        })
    }
}
