//! Fields several documents print alike: the registration number, the
//! name above it, dates, the issuer, the address and the card serial.

use chrono::Utc;

use super::rules::checked_confidence;
use super::Sheet;
use crate::admin::{self, Office};
use crate::dates::parse_date;
use crate::fields::FieldName;
use crate::kind::hangul_name;
use crate::recognise::Script;
use crate::registration::{self, RegistrationNumber};
use crate::DocError;

/// The registration number: the line that parses as one after a digits-only
/// reading, preferring a real birth date and the expected kind.
pub(super) fn registration_line(
    sheet: &mut Sheet<'_>,
    foreigner: bool,
) -> Result<Option<(usize, RegistrationNumber, f32)>, DocError> {
    let mut best: Option<(usize, RegistrationNumber, f32)> = None;
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        if line.digits() < 9 || line.text.chars().filter(|c| *c == '-').count() > 1 {
            continue;
        }
        let reading = sheet.reread(index, Script::Digits)?;
        let parsed = registration::parse(&reading.text)
            .map(|n| (n, reading.confidence))
            .or_else(|| {
                let line = &sheet.lines[index];
                registration::parse(&line.text).map(|n| (n, line.confidence))
            });
        let Some((number, read_confidence)) = parsed else {
            continue;
        };
        let fits = number.fits(foreigner) && number.birth_date_plausible(Utc::now().date_naive());
        // A holding check digit is a one-in-ten coincidence for a misread
        // number: stronger evidence than the recogniser's own confidence.
        let confidence = match (fits, number.checksum_holds()) {
            (true, true) => read_confidence.max(0.97),
            (true, false) => read_confidence,
            (false, _) => read_confidence * 0.5,
        };
        if best.as_ref().is_none_or(|b| confidence > b.2) {
            best = Some((index, number, confidence));
        }
    }
    Ok(best)
}

/// The name: the nearest line above the registration number that is a
/// Hangul name (Hanja after it is dropped).
pub(super) fn name_above(sheet: &mut Sheet<'_>, number_line: usize, after: Option<usize>) {
    let top = after.map_or(0.0, |t| sheet.lines[t].area.bottom() - 1.0);
    let limit = sheet.lines[number_line].area.y + sheet.lines[number_line].area.h * 0.3;
    let found = sheet
        .lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            Some(*i) != after && l.area.centre_y() > top && l.area.bottom() < limit + l.area.h
        })
        .filter(|(i, _)| *i != number_line)
        .rev()
        .find_map(|(_, l)| leading_name(&l.text).map(|name| (name, l.confidence)));
    if let Some((name, confidence)) = found {
        sheet.set(FieldName::Name, name, confidence);
    }
}

/// The first run of Hangul in `text`, if it is a name.
pub(super) fn leading_name(text: &str) -> Option<String> {
    let start = text.find(|c: char| ('가'..='힣').contains(&c))?;
    let run: String = text[start..]
        .chars()
        .take_while(|c| ('가'..='힣').contains(c) || *c == ' ')
        .collect();
    hangul_name(&run)
}

/// The first line below `after` holding a single date.
pub(super) fn date_line(
    sheet: &mut Sheet<'_>,
    after: f32,
    exclude: &[Option<usize>],
) -> Result<Option<usize>, DocError> {
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        if exclude.contains(&Some(index))
            || line.area.y < after - 1.0
            || line.digits() < 4
            || line.text.contains('~')
        {
            continue;
        }
        let reading = sheet.reread(index, Script::Digits)?;
        if let Some(date) =
            parse_date(&reading.text).or_else(|| parse_date(&sheet.lines[index].text))
        {
            sheet.set_date(FieldName::IssueDate, date, reading.confidence);
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// The issuing authority: the first line below `after` ending in 장
/// (구청장, 시장, 경찰청장, 외국인청장…) or 군수, checked against the
/// real offices of the kind that issues the document.
pub(super) fn issuer_line(sheet: &mut Sheet<'_>, after: f32, office: Office) -> Option<usize> {
    let index = sheet.lines.iter().position(|l| {
        let hangul = hangul_words(&l.text);
        l.area.y >= after - 1.0 && (hangul.ends_with('장') || hangul.ends_with("군수"))
    })?;
    let issuer = issuer_title(hangul_words(&sheet.lines[index].text));
    let checked = admin::check_issuer(office, &issuer);
    let confidence = checked_confidence(checked.verdict, sheet.lines[index].confidence);
    sheet.set(FieldName::Issuer, checked.text, confidence);
    Some(index)
}

/// The text's Hangul words (and the middle dot of 출입국·외국인청), with
/// anything else (seal marks, stray symbols) dropped.
pub(super) fn hangul_words(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| ('가'..='힣').contains(c) || *c == '·')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The head of a district (구) is its 구청장: a 청 lost under the seal
/// printed over the title's end (`유성구장`) is put back.
fn issuer_title(issuer: String) -> String {
    match issuer.strip_suffix("구장") {
        Some(district) => format!("{district}구청장"),
        None => issuer,
    }
}

/// The address: the Hangul lines between two fields (a line without Hangul
/// there is a misread date or number, not part of the address), its
/// leading 시/도 and 시/군/구 checked against the real ones.
pub(super) fn address(sheet: &mut Sheet<'_>, top: f32, bottom: f32, exclude: &[Option<usize>]) {
    let mut indices = sheet.text_between(top, bottom, exclude);
    indices.retain(|i| {
        sheet.lines[*i]
            .text
            .chars()
            .any(|c| ('가'..='힣').contains(&c))
    });
    let parts: Vec<&str> = indices
        .iter()
        .map(|i| sheet.lines[*i].text.as_str())
        .collect();
    let text = address_commas(
        &parts
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    );
    if indices.is_empty() {
        return;
    }
    let confidence = indices
        .iter()
        .map(|i| sheet.lines[*i].confidence)
        .fold(1.0, f32::min);
    let checked = admin::check_address(&text);
    let confidence = checked_confidence(checked.verdict, confidence);
    sheet.set(FieldName::Address, checked.text, confidence);
}

/// Korean addresses print commas (`테헤란로 123, 101동`) and never a
/// period: a period before a space is a comma the recogniser misread.
fn address_commas(text: &str) -> String {
    text.replace(". ", ", ")
}

/// The card serial: a short line without Hangul that reads, in capitals
/// and digits only, as exactly `length` characters.
pub(super) fn serial(sheet: &mut Sheet<'_>, length: usize) -> Result<(), DocError> {
    let width = sheet.gray.width() as f32;
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        let hangul = line
            .text
            .chars()
            .filter(|c| ('가'..='힣').contains(c))
            .count();
        if line.area.w > 0.35 * width || hangul > 2 || line.text.contains(['.', '-', '~']) {
            continue;
        }
        let reading = sheet.reread(index, Script::Latin)?;
        // Any capitals and digits: nothing in the documents' facts leaves
        // out I, O or Q, so they are kept as read.
        let code: String = reading.text.trim().to_owned();
        if code.len() == length && code.chars().all(|c| c.is_ascii_alphanumeric()) {
            sheet.set(FieldName::SerialNumber, code, reading.confidence);
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
