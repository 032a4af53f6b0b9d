//! 외국인등록증 (the residence card): values under small bilingual labels,
//! found by their shapes in the registration number's column.

use super::rules::CORRECTED;
use super::shared::{date_line, hangul_words, issuer_line, registration_line, serial};
use super::{stay, IdNumber, Sheet};
use crate::admin::Office;
use crate::edit::edit_distance;
use crate::fields::FieldName;
use crate::recognise::{LineReading, Script};
use crate::DocError;

/// The residence card prints its values under tiny bilingual labels that
/// a phone photo often blurs past reading, so values are found by shape in
/// the text column under the registration number: the date and the status
/// of stay by their formats, then, read in capitals, the name (the first
/// line of words) and the country (`CHINA / 중국`, the line after it).
pub(super) fn read(sheet: &mut Sheet<'_>) -> Result<IdNumber, DocError> {
    let number = registration_line(sheet, true)?;
    let column = number
        .as_ref()
        .map(|(index, _, _)| value_column(sheet, *index))
        .unwrap_or_default();
    let date = column
        .iter()
        .copied()
        .find(|i| sheet.lines[*i].digits() >= 6 && sheet.lines[*i].text.contains('.'));
    let visa = column.iter().copied().find(|i| {
        let text = &sheet.lines[*i].text;
        sheet.lines[*i].digits() <= 2
            && text
                .chars()
                .zip(text.chars().skip(1))
                .any(|(a, b)| a == '-' && b.is_ascii_digit())
    });
    if let Some(index) = visa {
        let reading = sheet.reread(index, Script::Latin)?;
        if let Some(visa) =
            stay::code_in(&reading.text).or_else(|| stay::code_in(&sheet.lines[index].text))
        {
            set_visa(sheet, index, visa, reading.confidence);
        }
    }
    if !sheet.fields.contains_key(&FieldName::VisaType) {
        labelled_visa(sheet)?;
    }
    if !sheet.fields.contains_key(&FieldName::VisaType) {
        named_visa(sheet);
    }
    if let Some(index) = date {
        if let Some((date, confidence)) = sheet.read_date(index)? {
            let (date, confidence) = sheet.past_date(index, date, confidence)?;
            sheet.set_date(FieldName::IssueDate, date, confidence);
        }
    }
    if !sheet.fields.contains_key(&FieldName::IssueDate) {
        // Printed after its label, out of the column (`발급일자 Issue
        // Date 2024.09.18`).
        let number_line = number.as_ref().map(|(index, _, _)| *index);
        let below = number_line.map_or(0.0, |index| sheet.lines[index].area.bottom());
        date_line(sheet, below, &[number_line])?;
    }
    let words_end = [date, visa]
        .iter()
        .flatten()
        .map(|i| sheet.lines[*i].area.y)
        .fold(f32::MAX, f32::min);
    let mut words = Vec::new();
    for index in column
        .into_iter()
        .filter(|i| sheet.lines[*i].area.y < words_end)
    {
        let reading = sheet.reread(index, Script::Latin)?;
        let letters = reading
            .text
            .chars()
            .filter(char::is_ascii_uppercase)
            .count();
        // A name's second line may be one short word (`LAN`): after a
        // first line, a line of capitals alone counts from two letters.
        let continues = !words.is_empty()
            && letters >= 2
            && reading
                .text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c == ' ');
        if letters >= 4 || continues {
            words.push((index, reading));
        }
    }
    name_and_country(sheet, &words);
    if !sheet.fields.contains_key(&FieldName::Nationality) {
        labelled_country(sheet)?;
    }
    if !sheet.fields.contains_key(&FieldName::Nationality) {
        korean_country(sheet);
    }
    if !sheet.fields.contains_key(&FieldName::Nationality) {
        cut_korean_country(sheet)?;
    }
    issuer_line(sheet, 0.0, Office::Immigration);
    serial(sheet, 9)?;
    Ok(number.map(|(_, number, confidence)| (number, confidence)))
}

/// The status of stay where the column search missed it: printed on its
/// label's line (`체류자격 영주(F-5)`) or out of the number's column. Any
/// line whose Korean reading holds a code shape is read again in capitals.
fn labelled_visa(sheet: &mut Sheet<'_>) -> Result<(), DocError> {
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        if line.digits() > 3 || stay::code_in(&line.text).is_none() {
            continue;
        }
        let reading = sheet.reread(index, Script::Latin)?;
        let code = stay::code_in(&reading.text)
            .filter(|code| stay::code_in(&sheet.lines[index].text) == Some(*code))
            .or_else(|| stay::code_in(&sheet.lines[index].text));
        if let Some(code) = code {
            let confidence = reading.confidence.min(sheet.lines[index].confidence);
            set_visa(sheet, index, code, confidence);
            return Ok(());
        }
    }
    Ok(())
}

/// The status of stay `code` read off line `index`, unless the status's
/// Korean name printed beside it (`방문동거(F-1)`) names another: the
/// Hangul, printed larger, reads better than the small code.
fn set_visa(sheet: &mut Sheet<'_>, index: usize, code: &'static str, confidence: f32) {
    let line = &sheet.lines[index];
    match stay::status_by_name(&hangul_words(&line.text)) {
        Some(named) if named != code => {
            let confidence = line.confidence * CORRECTED;
            sheet.set(FieldName::VisaType, named, confidence);
        }
        _ => sheet.set(FieldName::VisaType, code, confidence),
    }
}

/// The most lines a Latin name is printed on.
const NAME_LINES: usize = 3;

/// The name and the country from the column's lines of capitals, top to
/// bottom: the country is the first line that names a known one (in
/// Latin or Korean), the name the lines above it (a long name wraps, or
/// prints a word a line: `FERNANDO / CHAMINDA / PRIYANTHA`). Where no
/// line of capitals names a known country, the name is the lines above
/// one that names it in Hangul, else the first line, and the country the
/// next, as printed.
fn name_and_country(sheet: &mut Sheet<'_>, words: &[(usize, LineReading)]) {
    let known = words.iter().position(|(index, reading)| {
        latin_country(&reading.text).is_some()
            || korean_country_of(&sheet.lines[*index].text).is_some()
    });
    let (name_lines, country) = match known {
        Some(at) if at > 0 => (&words[..at.min(NAME_LINES)], words.get(at)),
        Some(_) => (&words[..0], words.first()),
        // `CHINA / 중국` is no name, even of an unknown country.
        None if words.first().is_some_and(|(_, r)| r.text.contains('/')) => {
            (&words[..0], words.first())
        }
        // A country printed in Hangul alone (`네팔`) reads as no line of
        // capitals, nor one printed on its label's line (`국가/지역
        // Country/Region INDONESIA`), out of the column: the name is every
        // line above it.
        None => match korean_country_line(sheet).or_else(|| country_label_line(sheet)) {
            Some(y) => {
                let above = words
                    .iter()
                    .take_while(|(index, _)| sheet.lines[*index].area.centre_y() < y)
                    .count();
                (&words[..above.min(NAME_LINES)], None)
            }
            None => (&words[..words.len().min(1)], words.get(1)),
        },
    };
    if let Some(confidence) = name_lines
        .iter()
        .map(|(_, r)| r.confidence)
        .reduce(f32::min)
    {
        let name = name_lines
            .iter()
            .map(|(_, r)| latin_words(&r.text))
            .collect::<Vec<_>>()
            .join(" ");
        sheet.set(FieldName::Name, name, confidence);
    }
    if let Some((index, reading)) = country {
        let text = latin_country(&reading.text)
            .or_else(|| korean_country_of(&sheet.lines[*index].text))
            .map(str::to_owned)
            .or_else(|| reading.text.split('/').next().map(latin_words))
            .unwrap_or_default();
        sheet.set(FieldName::Nationality, text, reading.confidence);
    }
}

/// The country printed on its label's line (`국가/지역 Country/Region
/// KAZAKHSTAN`): the last words of the line, read in capitals, that name a
/// known country.
fn labelled_country(sheet: &mut Sheet<'_>) -> Result<(), DocError> {
    for index in 0..sheet.lines.len() {
        if !is_country_label(&sheet.lines[index].text) {
            continue;
        }
        let reading = sheet.reread(index, Script::Latin)?;
        let words: Vec<&str> = reading.text.split_whitespace().collect();
        let country = (1..=words.len().min(3))
            .find_map(|n| latin_country(&words[words.len() - n..].join(" ")));
        if let Some(country) = country {
            sheet.set(FieldName::Nationality, country, reading.confidence);
            return Ok(());
        }
    }
    Ok(())
}

/// The known country whose Latin name `text` prints (before a slash, one
/// letter off at most).
fn latin_country(text: &str) -> Option<&'static str> {
    let read: Vec<char> = latin_words(text.split('/').next()?).chars().collect();
    if read.len() < 4 {
        return None;
    }
    COUNTRIES.iter().map(|(_, latin)| *latin).find(|latin| {
        let latin: Vec<char> = latin.chars().collect();
        edit_distance(&read, &latin) <= 1
    })
}

/// The known country a Hangul word of `text` names, by its Latin name.
fn korean_country_of(text: &str) -> Option<&'static str> {
    hangul_words(text)
        .split([' ', '/', '·'])
        .find_map(|word| COUNTRIES.iter().find(|(korean, _)| *korean == word))
        .map(|(_, latin)| *latin)
}

/// The status of stay by its Korean name, where no code was read.
fn named_visa(sheet: &mut Sheet<'_>) {
    let found = sheet.lines.iter().find_map(|line| {
        stay::status_by_name(&hangul_words(&line.text)).map(|code| (code, line.confidence))
    });
    if let Some((code, confidence)) = found {
        sheet.set(FieldName::VisaType, code, confidence);
    }
}

/// Countries whose nationals most often hold residence cards, by the
/// Korean name cards print and the Latin name they print beside it.
const COUNTRIES: [(&str, &str); 30] = [
    ("중국", "CHINA"),
    ("베트남", "VIET NAM"),
    ("태국", "THAILAND"),
    ("필리핀", "PHILIPPINES"),
    ("우즈베키스탄", "UZBEKISTAN"),
    ("미국", "UNITED STATES"),
    ("인도네시아", "INDONESIA"),
    ("네팔", "NEPAL"),
    ("캄보디아", "CAMBODIA"),
    ("몽골", "MONGOLIA"),
    ("러시아", "RUSSIA"),
    ("일본", "JAPAN"),
    ("미얀마", "MYANMAR"),
    ("스리랑카", "SRI LANKA"),
    ("방글라데시", "BANGLADESH"),
    ("파키스탄", "PAKISTAN"),
    ("카자흐스탄", "KAZAKHSTAN"),
    ("키르기스스탄", "KYRGYZSTAN"),
    ("캐나다", "CANADA"),
    ("인도", "INDIA"),
    ("대만", "TAIWAN"),
    ("라오스", "LAOS"),
    ("동티모르", "TIMOR-LESTE"),
    ("호주", "AUSTRALIA"),
    ("영국", "UNITED KINGDOM"),
    ("프랑스", "FRANCE"),
    ("독일", "GERMANY"),
    ("뉴질랜드", "NEW ZEALAND"),
    ("말레이시아", "MALAYSIA"),
    ("싱가포르", "SINGAPORE"),
];

/// The nationality printed in Korean only (`중국`): a Hangul word of the
/// card that is a country's name, answered by its Latin name.
/// Where the first line naming a known country in Hangul is printed.
fn korean_country_line(sheet: &Sheet<'_>) -> Option<f32> {
    sheet
        .lines
        .iter()
        .find(|line| korean_country_of(&line.text).is_some())
        .map(|line| line.area.y)
}

/// The country printed in Hangul beside or under its label, where the
/// detector's box stopped short of its last syllable (`중` of `중국`): the
/// short line read again with room to its right, trusted less for it.
fn cut_korean_country(sheet: &mut Sheet<'_>) -> Result<(), DocError> {
    let Some(label) = sheet.label(&COUNTRY_LABELS) else {
        return Ok(());
    };
    let Some(value) = sheet.beside(label).or_else(|| sheet.below(label)) else {
        return Ok(());
    };
    let hangul = hangul_words(&sheet.lines[value].text);
    if hangul.is_empty() || hangul.chars().count() > CUT_COUNTRY_SYLLABLES {
        return Ok(());
    }
    let reading = sheet.read_widened(value, CUT_COUNTRY_WIDTH, Script::Korean)?;
    if let Some(latin) = korean_country_of(&reading.text) {
        sheet.set(
            FieldName::Nationality,
            latin,
            reading.confidence * CORRECTED,
        );
    }
    Ok(())
}

/// The longest Hangul reading taken for a country's name cut short.
const CUT_COUNTRY_SYLLABLES: usize = 2;

/// How far right of a cut country's name, in line heights, its missing
/// syllables may lie.
const CUT_COUNTRY_WIDTH: f32 = 2.0;

/// The top of the country's label line (`국가/지역`), where one was read.
fn country_label_line(sheet: &Sheet<'_>) -> Option<f32> {
    sheet
        .lines
        .iter()
        .find(|line| is_country_label(&line.text))
        .map(|line| line.area.y)
}

/// The Hangul words of the country's label, `국가/지역`.
const COUNTRY_LABELS: [&str; 2] = ["국가", "지역"];

/// Whether `text` holds the country's label in Hangul.
fn is_country_label(text: &str) -> bool {
    let hangul = hangul_words(text);
    COUNTRY_LABELS.iter().any(|label| hangul.contains(label))
}

fn korean_country(sheet: &mut Sheet<'_>) {
    let found = sheet
        .lines
        .iter()
        .find_map(|line| korean_country_of(&line.text).map(|latin| (latin, line.confidence)));
    if let Some((latin, confidence)) = found {
        sheet.set(FieldName::Nationality, latin, confidence);
    }
}

/// The residence card's labels, whose Hangul half reads well even when the
/// small print is blurred.
const FOREIGN_LABELS: [&str; 6] = ["성명", "국가", "지역", "체류", "자격", "발급"];

/// Value lines under `first` in its column: left-aligned with it, neither
/// a label nor the issuer.
fn value_column(sheet: &Sheet<'_>, first: usize) -> Vec<usize> {
    let anchor = sheet.lines[first].area;
    (0..sheet.lines.len())
        .filter(|i| {
            let line = &sheet.lines[*i];
            let hangul = hangul_words(&line.text);
            line.area.y > anchor.bottom() - anchor.h * 0.3
                && (line.area.x - anchor.x).abs() < anchor.h
                && !FOREIGN_LABELS.iter().any(|label| hangul.contains(label))
                && !hangul.ends_with('장')
        })
        .collect()
}

/// Capital words: `HONG GILDONG`.
fn latin_words(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_uppercase())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
