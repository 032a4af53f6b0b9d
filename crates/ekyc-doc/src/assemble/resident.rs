//! 주민등록증: the name, then the registration number, the address, the
//! issue date and the issuing head of district, top to bottom.

use super::shared::{address, date_line, issuer_line, name_above, registration_line};
use super::{IdNumber, Sheet};
use crate::admin::Office;
use crate::DocError;

/// Reads a resident card: the number anchors the layout, the name is
/// above it and the address between it and the issue date.
pub(super) fn read(sheet: &mut Sheet<'_>) -> Result<IdNumber, DocError> {
    let title = sheet.label(&["주민등록"]);
    let number = registration_line(sheet, false)?;
    let number_line = number.as_ref().map(|n| n.0);
    if let Some((index, _, _)) = number {
        name_above(sheet, index, title);
    }
    let below_number = number_line.map_or(0.0, |i| sheet.lines[i].area.bottom());
    let issue = date_line(sheet, below_number, &[number_line])?;
    let issuer = issuer_line(
        sheet,
        issue.map_or(below_number, |i| sheet.lines[i].area.y),
        Office::DistrictHead,
    );
    let address_end = issue.or(issuer).map_or(f32::MAX, |i| sheet.lines[i].area.y);
    address(
        sheet,
        below_number - 1.0,
        address_end,
        &[number_line, issue, issuer],
    );
    Ok(number.map(|(_, number, confidence)| (number, confidence)))
}
