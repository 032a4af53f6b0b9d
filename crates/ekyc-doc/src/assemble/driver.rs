//! 운전면허증: the licence types under the title, the licence and
//! registration numbers, the address, the renewal period, the issue date
//! and the licence's condition and serial.

use chrono::NaiveDate;

use super::shared::{address, date_line, issuer_line, name_above, registration_line, serial};
use super::types::licence_types;
use super::{IdNumber, Sheet};
use crate::admin::Office;
use crate::dates::{in_range, period_end};
use crate::fields::FieldName;
use crate::licence::{self, REGIONS};
use crate::reading::Checks;
use crate::recognise::Script;
use crate::DocError;

/// Reads a licence; what its numbers and types say of their own rules goes
/// in `checks`.
pub(super) fn read(sheet: &mut Sheet<'_>, checks: &mut Checks) -> Result<IdNumber, DocError> {
    let title = sheet.label(&["운전면허", "면허증"]);
    let licence_line = licence_number(sheet, checks)?;
    let number = registration_line(sheet, false)?;
    let number_line = number.as_ref().map(|n| n.0);
    if let Some((index, _, _)) = number {
        name_above(sheet, index, title.max(licence_line))?;
    }
    // Types print above or below the licence number: anywhere under the
    // title.
    let start = title.map_or(0.0, |t| sheet.lines[t].area.bottom());
    licence_types(sheet, start, f32::MAX, checks);

    let period_label = sheet.label(&["갱신기간", "적성검사", "기간"]);
    let period = period_line(sheet)?;
    let address_start = number_line.map_or(0.0, |i| sheet.lines[i].area.bottom());
    let address_end = period_label
        .or(period)
        .map_or(f32::MAX, |i| sheet.lines[i].area.y);
    address(
        sheet,
        address_start - 1.0,
        address_end,
        &[number_line, licence_line, period, period_label],
    );
    let after_period = period.map_or(address_end, |i| sheet.lines[i].area.bottom());
    let issue = date_line(sheet, after_period, &[period, number_line, licence_line])?;
    issuer_line(
        sheet,
        issue.map_or(after_period, |i| sheet.lines[i].area.y),
        Office::Police,
    );
    condition(sheet)?;
    serial(sheet, 6)?;
    Ok(number.map(|(_, number, confidence)| (number, confidence)))
}

/// The licence number, in either printed form. The pre-2014 form starts
/// with a region name that the digits-only reading cannot see, so the
/// region comes from the Korean reading and the digits from the other.
fn licence_number(sheet: &mut Sheet<'_>, checks: &mut Checks) -> Result<Option<usize>, DocError> {
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        if line.digits() < 8 || line.text.chars().filter(|c| *c == '-').count() < 2 {
            continue;
        }
        let region = REGIONS
            .iter()
            .filter(|(_, name)| line.compact().starts_with(name))
            .max_by_key(|(_, name)| name.len())
            .map(|(_, name)| *name);
        let reading = sheet.reread(index, Script::Digits)?;
        let digits: String = reading.text.chars().filter(char::is_ascii_digit).collect();
        let wanted = if region.is_some() { 10 } else { 12 };
        if digits.len() < wanted {
            continue;
        }
        let tail = &digits[digits.len() - wanted..];
        let printed = match region {
            Some(name) => format!("{name} {}-{}-{}", &tail[..2], &tail[2..8], &tail[8..]),
            None => format!(
                "{}-{}-{}-{}",
                &tail[..2],
                &tail[2..4],
                &tail[4..10],
                &tail[10..]
            ),
        };
        let parsed = licence::parse(&printed);
        checks.licence_number = Some(parsed.is_some());
        if let Some(number) = parsed {
            sheet.set(
                FieldName::LicenceNumber,
                number.code_form,
                reading.confidence,
            );
            if let Some(region) = number.printed_region {
                sheet.set(FieldName::LicenceRegion, region, reading.confidence);
            }
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// The renewal period (적성검사 / 갱신기간): the line holding two dates,
/// whose end is the expiry date.
fn period_line(sheet: &mut Sheet<'_>) -> Result<Option<usize>, DocError> {
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        if line.digits() < 12 || !line.text.contains(['~', '-', '∼']) && line.digits() < 16 {
            continue;
        }
        let reading = sheet.reread(index, Script::Digits)?;
        let end = two_dates(&reading.text).or_else(|| two_dates(&sheet.lines[index].text));
        if let Some(end) = end {
            sheet.set_date(FieldName::ExpiryDate, end, reading.confidence);
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// The end of a `YYYY.MM.DD ~ YYYY.MM.DD` period, also when OCR lost the
/// tilde: the last eight digits are the end date, within the years any
/// printed date falls in.
fn two_dates(text: &str) -> Option<NaiveDate> {
    if let Some(end) = period_end(text).filter(|_| text.contains(['~', '∼'])) {
        return Some(end);
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 16)
        .then(|| NaiveDate::parse_from_str(&digits[8..], "%Y%m%d").ok())?
        .filter(in_range)
}

/// The 조건 code (one or two capitals) printed right of its label.
fn condition(sheet: &mut Sheet<'_>) -> Result<(), DocError> {
    let Some(label) = sheet.label(&["조건"]) else {
        return Ok(());
    };
    let after_label: String = sheet.lines[label]
        .compact()
        .split("조건")
        .nth(1)
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_uppercase)
        .collect();
    if !after_label.is_empty() {
        let confidence = sheet.lines[label].confidence;
        sheet.set(FieldName::Condition, after_label, confidence);
        return Ok(());
    }
    let area = sheet.lines[label].area;
    let beside = sheet.lines.iter().position(|l| {
        l.area.x > area.right()
            && l.area.x < area.right() + area.h * 4.0
            && (l.area.centre_y() - area.centre_y()).abs() < area.h
    });
    if let Some(index) = beside {
        let reading = sheet.reread(index, Script::Latin)?;
        let code: String = reading
            .text
            .chars()
            .filter(char::is_ascii_uppercase)
            .collect();
        sheet.set(FieldName::Condition, code, reading.confidence);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
