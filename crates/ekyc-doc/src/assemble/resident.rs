//! 주민등록증: the name, then the registration number, the address, the
//! issue date and the issuing head of district, top to bottom.

use super::shared::{address, date_line, issuer_line, name_above, registration_line};
use super::{IdNumber, Sheet};
use crate::admin::Office;
use crate::DocError;

/// Reads a resident card: the number anchors the layout, the name is
/// above it and the address below it, up to the issue date or the issuer,
/// whichever comes first (layouts print either first, or beside each
/// other).
pub(super) fn read(sheet: &mut Sheet<'_>) -> Result<IdNumber, DocError> {
    // The title itself, not the number's label `주민등록번호`, which a
    // misread title would leave as the first line holding `주민등록`.
    let title = sheet.label(&["주민등록증"]);
    let number = registration_line(sheet, false)?;
    let number_line = number.as_ref().map(|n| n.0);
    if let Some((index, _, _)) = number {
        name_above(sheet, index, title)?;
    }
    let below_number = number_line.map_or(0.0, |i| sheet.lines[i].area.bottom());
    let issue = match date_line(sheet, below_number, &[number_line])? {
        Some(index) => Some(index),
        None => date_line(sheet, 0.0, &[number_line])?,
    };
    let issuer = issuer_line(sheet, below_number, Office::DistrictHead);
    let address_end = [issue, issuer]
        .into_iter()
        .flatten()
        .map(|i| sheet.lines[i].area.y)
        .filter(|y| *y > below_number - 1.0)
        .fold(f32::MAX, f32::min);
    address(
        sheet,
        below_number - 1.0,
        address_end,
        &[number_line, issue, issuer],
    );
    Ok(number.map(|(_, number, confidence)| (number, confidence)))
}

#[cfg(test)]
mod tests;
