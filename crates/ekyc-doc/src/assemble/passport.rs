//! 여권, the passport's data page: the MRZ holds nearly every field, with
//! check digits; the visual zone adds the Korean name and the issue date,
//! which the MRZ lacks. Other MRZ documents (ID cards, visas, foreign
//! passports) are read here too, for what their MRZ says.

use chrono::NaiveDate;

use super::rules::BROKEN_RULE;
use super::shared::leading_name;
use super::{zone, Sheet};
use crate::dates::{self, parse_date};
use crate::fields::FieldName;
use crate::mrz::{self, Mrz};
use crate::reading::Checks;
use crate::recognise::Script;
use crate::romanise;
use crate::DocError;

/// Reads a passport page; its MRZ (whether or not it is valid) is
/// returned beside the fields it gave, and whether the birth date printed
/// in the visual zone agrees with the MRZ's goes in `checks`.
pub(super) fn read(sheet: &mut Sheet<'_>, checks: &mut Checks) -> Result<Option<Mrz>, DocError> {
    let mrz = zone::machine_readable_zone(sheet)?;
    korean_name(sheet, mrz.as_ref())?;
    let Some(reading) = mrz else {
        return Ok(None);
    };
    let printed_birth = visual_dates(sheet, &reading)?;
    let confidence = if reading.valid { 0.99 } else { 0.5 };
    // A Korean number of neither shape is misread, whatever the check
    // digit says; a state ICAO does not know is withheld.
    let number_confidence = if reading.issuing_country == "KOR"
        && !mrz::korean_passport_number(&reading.document_number)
    {
        BROKEN_RULE
    } else {
        confidence
    };
    sheet.set(
        FieldName::PassportNumber,
        reading.document_number.clone(),
        number_confidence,
    );
    sheet.set(FieldName::Surname, reading.surname.clone(), confidence);
    sheet.set(
        FieldName::DocumentCode,
        reading.document_type.clone(),
        confidence,
    );
    sheet.set(
        FieldName::GivenNames,
        reading.given_names.clone(),
        confidence,
    );
    for (name, state) in [
        (FieldName::Nationality, &reading.nationality),
        (FieldName::IssuingCountry, &reading.issuing_country),
    ] {
        if mrz::known_state(state) {
            sheet.set(name, state.clone(), confidence);
        }
    }
    if let Some(sex) = reading.sex {
        sheet.set(FieldName::Sex, sex.to_string(), confidence);
    }
    if let Some(date) = reading.birth_date {
        sheet.set_date(FieldName::BirthDate, date, confidence);
    }
    if let Some(date) = reading.expiry_date {
        sheet.set_date(FieldName::ExpiryDate, date, confidence);
    }
    if !sheet.fields.contains_key(&FieldName::Name) {
        let name = format!("{} {}", reading.surname, reading.given_names);
        sheet.set(FieldName::Name, name.trim(), confidence);
    }
    if let (Some(printed), Some(coded)) = (printed_birth, reading.birth_date) {
        checks.birth_date_consistent = Some(printed == coded);
        // Which of the two is misread cannot be told: the birth date
        // answered (the MRZ's) is not trusted.
        if printed != coded {
            if let Some(birth) = sheet.fields.get_mut(&FieldName::BirthDate) {
                birth.confidence = birth.confidence.min(BROKEN_RULE);
            }
        }
    }
    Ok(Some(reading))
}

/// Words of the passport page that look like names but are not.
const PASSPORT_WORDS: [&str; 3] = ["여권", "대한민국", "한글"];

/// The Korean name: under its label when the label is legible, else the
/// first line of the page that can be read as the MRZ's Latin name, else
/// the only line that is a Hangul name, else the one printed on the row of
/// the given names (from the MRZ), else the one read most confidently. It
/// is then checked against the MRZ's Latin name.
fn korean_name(sheet: &mut Sheet<'_>, mrz: Option<&Mrz>) -> Result<(), DocError> {
    let labelled = sheet
        .label(&["한글성명"])
        .and_then(|l| sheet.below(l))
        .filter(|i| leading_name(&sheet.lines[*i].text).is_some());
    let candidates: Vec<usize> = (0..sheet.lines.len())
        .filter(|i| {
            let text = &sheet.lines[*i].text;
            leading_name(text).is_some_and(|n| !PASSPORT_WORDS.iter().any(|w| n.contains(w)))
                && text
                    .chars()
                    .all(|c| ('가'..='힣').contains(&c) || c.is_whitespace())
        })
        .collect();
    let spelled = match (labelled, mrz) {
        (None, Some(mrz)) => spelling_the_mrz(sheet, &candidates, mrz)?,
        _ => None,
    };
    let chosen = labelled
        .or(spelled)
        .or_else(|| match candidates.as_slice() {
            [only] => Some(*only),
            _ => mrz
                .and_then(|m| on_row_of(sheet, &candidates, &m.given_names))
                .or_else(|| most_confident(sheet, &candidates)),
        });
    let Some(index) = chosen else {
        return Ok(());
    };
    let line = &sheet.lines[index];
    let Some(name) = leading_name(&line.text) else {
        return Ok(());
    };
    let (name, confidence) = match mrz {
        Some(mrz) => romanised_as(sheet, index, mrz, (name, line.confidence))?,
        None => (name, line.confidence),
    };
    sheet.set(FieldName::Name, name, confidence);
    Ok(())
}

/// Readings of the Korean name line searched for one that fits the MRZ.
const RANKED_NAMES: usize = 12;
/// Confidence in a Hangul name that fits the MRZ's Latin name: two
/// readings of different print agree.
const FITS_MRZ: f32 = 0.95;

/// The Hangul name checked against the MRZ's Latin name: the first reading
/// (`read`) if it fits, else the recogniser's most likely reading that
/// does; if none does, the first reading with half its confidence.
fn romanised_as(
    sheet: &mut Sheet<'_>,
    index: usize,
    mrz: &Mrz,
    read: (String, f32),
) -> Result<(String, f32), DocError> {
    if spells_mrz(&read.0, mrz) {
        return Ok((read.0, read.1.max(FITS_MRZ)));
    }
    Ok(match reading_that_spells(sheet, index, mrz)? {
        Some(name) => (name, FITS_MRZ),
        None => (read.0, read.1 * 0.5),
    })
}

/// The first candidate line that one of its likely readings makes the
/// MRZ's Latin name: a name read unsurely (`꽉녀` for `곽녀`) is still the
/// name, and a misread title (`대한민증`) spells no one.
fn spelling_the_mrz(
    sheet: &mut Sheet<'_>,
    candidates: &[usize],
    mrz: &Mrz,
) -> Result<Option<usize>, DocError> {
    for &index in candidates {
        if reading_that_spells(sheet, index, mrz)?.is_some() {
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// The most likely reading of line `index` that is a Hangul name spelling
/// the MRZ's Latin name.
fn reading_that_spells(
    sheet: &mut Sheet<'_>,
    index: usize,
    mrz: &Mrz,
) -> Result<Option<String>, DocError> {
    Ok(sheet
        .ranked(index, Script::Korean, RANKED_NAMES)?
        .into_iter()
        .find_map(|r| leading_name(&r.text).filter(|name| spells_mrz(name, mrz))))
}

fn spells_mrz(hangul: &str, mrz: &Mrz) -> bool {
    romanise::name_fits(hangul, &mrz.surname, &mrz.given_names)
}

/// The candidate line on the row of the line that spells `text` (spaces
/// ignored), if any is.
fn on_row_of(sheet: &Sheet<'_>, candidates: &[usize], text: &str) -> Option<usize> {
    let wanted: String = text.split_whitespace().collect();
    if wanted.is_empty() {
        return None;
    }
    let row = sheet
        .lines
        .iter()
        .find(|l| l.compact().to_uppercase().contains(&wanted))?
        .area;
    candidates
        .iter()
        .copied()
        .filter(|i| (sheet.lines[*i].area.centre_y() - row.centre_y()).abs() < row.h)
        .min_by(|a, b| {
            let distance = |i: &usize| (sheet.lines[*i].area.centre_y() - row.centre_y()).abs();
            distance(a).total_cmp(&distance(b))
        })
}

fn most_confident(sheet: &Sheet<'_>, candidates: &[usize]) -> Option<usize> {
    candidates
        .iter()
        .copied()
        .filter(|i| sheet.lines[*i].confidence >= 0.5)
        .max_by(|a, b| {
            sheet.lines[*a]
                .confidence
                .total_cmp(&sheet.lines[*b].confidence)
        })
}

/// The visual zone prints three dates (birth, issue, expiry); the MRZ
/// holds two of them, so the issue date is the one it does not hold, and
/// comes after the birth. The printed birth date is returned, to be
/// checked against the MRZ's: a
/// date that equals it, else the one on or under its label, which is then
/// not taken for the issue date (it is the birth date misread).
fn visual_dates(sheet: &mut Sheet<'_>, mrz: &Mrz) -> Result<Option<NaiveDate>, DocError> {
    let labelled = birth_date_line(sheet)?;
    let mut matched = false;
    let mut others: Vec<(usize, NaiveDate, f32)> = Vec::new();
    for index in 0..sheet.lines.len() {
        if matched && !others.is_empty() {
            break;
        }
        let Some((date, confidence)) = visual_date(sheet, index)? else {
            continue;
        };
        // A passport is issued after its holder's birth: an earlier date
        // is the birth date misread (`1905` for `1995`), never the issue
        // date. (One after the expiry is left to the rules, which mark it.)
        let after_birth = mrz.birth_date.is_none_or(|birth| date > birth);
        if Some(date) == mrz.birth_date {
            matched = true;
        } else if after_birth && Some(date) != mrz.expiry_date {
            others.push((index, date, confidence));
        }
    }
    let printed_birth = if matched {
        mrz.birth_date
    } else {
        labelled.map(|(_, date)| date)
    };
    let issue = others
        .into_iter()
        .find(|(index, _, _)| matched || labelled.is_none_or(|(line, _)| line != *index));
    if let Some((_, date, confidence)) = issue {
        sheet.set_date(FieldName::IssueDate, date, confidence);
    }
    Ok(printed_birth)
}

/// Labels of the printed birth date (`생년월일/Date of birth`), compared
/// as [`Sheet::label`] does.
const BIRTH_LABELS: [&str; 2] = ["생년월일", "DATEOFBIRTH"];

/// The line that prints the birth date and the date it reads as: its
/// label's own line when the date follows the label there, else the line
/// under the label.
fn birth_date_line(sheet: &mut Sheet<'_>) -> Result<Option<(usize, NaiveDate)>, DocError> {
    let Some(label) = sheet.label(&BIRTH_LABELS) else {
        return Ok(None);
    };
    for index in [Some(label), sheet.below(label)].into_iter().flatten() {
        if let Some((date, _)) = visual_date(sheet, index)? {
            return Ok(Some((index, date)));
        }
    }
    Ok(None)
}

/// Line `index` as a date of the visual zone (above the MRZ, four to ten
/// digits), read again in capitals, with the reading's confidence.
fn visual_date(sheet: &mut Sheet<'_>, index: usize) -> Result<Option<(NaiveDate, f32)>, DocError> {
    let line = &sheet.lines[index];
    if line.digits() < 4
        || line.digits() > 10
        || line.area.centre_y() > 0.72 * sheet.gray.height() as f32
    {
        return Ok(None);
    }
    let reading = sheet.reread(index, Script::Latin)?;
    let date = parse_date(&reading.text).or_else(|| dates::loose_passport_date(&reading.text));
    Ok(date.map(|date| (date, reading.confidence)))
}

#[cfg(test)]
mod tests;
