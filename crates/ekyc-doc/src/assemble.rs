//! From recognised lines to a document's fields.
//!
//! Layouts vary by issue year, so fields are found by what they look like
//! (a registration number's shape, a date, a licence type) and by the label
//! printed above them, never by fixed positions. Lines that hold a field of
//! known alphabet are read again with that alphabet, and the field's format
//! (check digits, region and type vocabularies, real dates) picks or repairs
//! the reading.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use image::GrayImage;

use crate::dates::{self, parse_date, period_end};
use crate::kind::{hangul_name, DocumentKind};
use crate::licence::{self, LICENCE_TYPES, REGIONS};
use crate::mrz::{self, PassportMrz};
use crate::reader::{line_crop, Checks, Field, ReadError, Reading, StageTimings};
use crate::recognise::{LineReading, LineRecogniser, Script};
use crate::registration::{self, RegistrationNumber};
use crate::romanise;
use crate::textdet::TextBox;
use crate::DocError;

/// A detected line and its first (Korean) reading.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub area: TextBox,
    pub text: String,
    pub confidence: f32,
}

impl Line {
    fn compact(&self) -> String {
        self.text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn digits(&self) -> usize {
        self.text.chars().filter(char::is_ascii_digit).count()
    }
}

/// The lines of one page and the means to read any of them again.
struct Sheet<'a> {
    lines: &'a [Line],
    gray: &'a GrayImage,
    recogniser: &'a mut dyn LineRecogniser,
    fields: BTreeMap<&'static str, Field>,
    /// Readings already made: several fields look at the same line with
    /// the same alphabet (a licence number, the registration number and
    /// the renewal period are all candidates of each other's searches).
    rereads: BTreeMap<(usize, Script), LineReading>,
}

impl Sheet<'_> {
    fn reread(&mut self, index: usize, script: Script) -> Result<LineReading, DocError> {
        if let Some(reading) = self.rereads.get(&(index, script)) {
            return Ok(reading.clone());
        }
        let reading = self
            .recogniser
            .read(&line_crop(self.gray, &self.lines[index].area), script)?;
        self.rereads.insert((index, script), reading.clone());
        Ok(reading)
    }

    fn set(&mut self, name: &'static str, value: impl Into<String>, confidence: f32) {
        let value = value.into();
        if !value.is_empty() {
            self.fields.insert(
                name,
                Field {
                    value,
                    confidence: confidence.clamp(0.0, 1.0),
                },
            );
        }
    }

    fn set_date(&mut self, name: &'static str, date: NaiveDate, confidence: f32) {
        self.set(name, date.format("%Y-%m-%d").to_string(), confidence);
    }

    /// The first line (top to bottom) whose compact text contains any of
    /// `labels`.
    fn label(&self, labels: &[&str]) -> Option<usize> {
        self.lines.iter().position(|l| {
            let compact = l.compact().to_uppercase();
            labels.iter().any(|label| compact.contains(label))
        })
    }

    /// The nearest line under `label` that overlaps it horizontally.
    fn below(&self, label: usize) -> Option<usize> {
        let over = &self.lines[label].area;
        self.lines
            .iter()
            .enumerate()
            .filter(|(i, l)| {
                *i != label
                    && l.area.centre_y() > over.bottom() - over.h * 0.3
                    && l.area.y < over.bottom() + over.h * 2.0
                    && l.area.x < over.right()
                    && l.area.right() > over.x
            })
            .min_by(|a, b| a.1.area.y.total_cmp(&b.1.area.y))
            .map(|(i, _)| i)
    }

    fn text_between(&self, top: f32, bottom: f32, exclude: &[Option<usize>]) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|i| !exclude.contains(&Some(*i)))
            .filter(|i| {
                let centre = self.lines[*i].area.centre_y();
                centre > top && centre < bottom
            })
            .collect()
    }
}

pub(crate) fn assemble(
    kind: DocumentKind,
    lines: &[Line],
    gray: &GrayImage,
    recogniser: &mut dyn LineRecogniser,
) -> Result<Reading, ReadError> {
    let mut sheet = Sheet {
        lines,
        gray,
        recogniser,
        fields: BTreeMap::new(),
        rereads: BTreeMap::new(),
    };
    let mut checks = Checks::default();
    let mut id_number = None;
    let mut mrz = None;
    match kind {
        DocumentKind::Resident => id_number = resident(&mut sheet)?,
        DocumentKind::Driver => id_number = driver(&mut sheet, &mut checks)?,
        DocumentKind::Foreign => id_number = foreign(&mut sheet)?,
        DocumentKind::Passport => mrz = passport(&mut sheet)?,
    }
    let today = Utc::now().date_naive();
    if let Some((number, confidence)) = &mut id_number {
        checks.id_number_format = Some(keep_number_rules(
            kind,
            number,
            confidence,
            &mut sheet.fields,
            today,
        ));
        checks.id_number_checksum = Some(number.checksum_holds());
    }
    if let Some(reading) = &mrz {
        checks.mrz_check_digits = Some(reading.check_digits_hold);
    }
    keep_date_rules(&mut sheet.fields, today);
    checks.expired = sheet
        .fields
        .get("expiryDate")
        .and_then(|f| NaiveDate::parse_from_str(&f.value, "%Y-%m-%d").ok())
        .map(|expiry| expiry < today);
    if sheet.fields.len() + usize::from(id_number.is_some()) < 2 {
        return Err(ReadError::Unreadable);
    }
    let confidence = document_confidence(kind, &sheet.fields, id_number.as_ref().map(|n| n.1));
    Ok(Reading {
        kind,
        fields: sheet.fields,
        id_number,
        mrz: mrz.filter(|m| m.valid),
        checks,
        corners: [[0.0; 2]; 4],
        portrait: None,
        confidence,
        timings: StageTimings::default(),
    })
}

/// The most a field that breaks one of its document's rules may claim:
/// low enough that no client threshold takes it for read.
const BROKEN_RULE: f32 = 0.3;

/// The fields every card of a kind prints (besides the registration
/// number, which all but the passport print). Optional ones (a licence's
/// condition, a serial only newer cards carry) are left out.
fn expected_fields(kind: DocumentKind) -> &'static [&'static str] {
    match kind {
        DocumentKind::Resident => &["name", "birthDate", "address", "issueDate", "issuer"],
        DocumentKind::Driver => &[
            "name",
            "birthDate",
            "licenseNo",
            "licenseType",
            "address",
            "issueDate",
            "expiryDate",
            "issuer",
        ],
        DocumentKind::Foreign => &["name", "birthDate", "nationality", "visaType", "issueDate"],
        DocumentKind::Passport => &[
            "name",
            "birthDate",
            "passportNo",
            "surname",
            "givenNames",
            "nationality",
            "sex",
            "issueDate",
            "expiryDate",
            "issuingCountry",
        ],
    }
}

/// The document's confidence: the mean over the fields it should show and
/// those it does, a field expected but missing or withheld counting 0, so
/// that an answer with gaps never claims to be whole.
fn document_confidence(
    kind: DocumentKind,
    fields: &BTreeMap<&'static str, Field>,
    id_number: Option<f32>,
) -> f32 {
    let expected = expected_fields(kind);
    let missing = expected
        .iter()
        .filter(|name| !fields.contains_key(*name))
        .count();
    let id_expected = kind != DocumentKind::Passport;
    let mut sum: f32 = fields.values().map(|f| f.confidence).sum();
    let mut count = fields.len() + missing;
    if id_expected || id_number.is_some() {
        sum += id_number.unwrap_or(0.0);
        count += 1;
    }
    sum / count.max(1) as f32
}

/// The registration number's rules: a seventh digit that fits the
/// document and the birth date of a living holder. A number that breaks
/// them is misread somewhere: it is kept (it may be printed so) but not
/// trusted, and no birth date is taken from it. Returns whether it keeps
/// them.
fn keep_number_rules(
    kind: DocumentKind,
    number: &RegistrationNumber,
    confidence: &mut f32,
    fields: &mut BTreeMap<&'static str, Field>,
    today: NaiveDate,
) -> bool {
    let fits = number.fits(kind == DocumentKind::Foreign) && number.birth_date_plausible(today);
    match number.birth_date {
        Some(birth) if fits => {
            fields.insert(
                "birthDate",
                Field {
                    value: birth.format("%Y-%m-%d").to_string(),
                    confidence: *confidence,
                },
            );
        }
        _ => *confidence = confidence.min(BROKEN_RULE),
    }
    fits
}

/// The rules every document's dates keep: born no later than issued,
/// issued no later than today and before it expires. A date that breaks
/// one is misread somewhere: the dates involved keep at most
/// [`BROKEN_RULE`] confidence, since which of them is wrong cannot be told.
fn keep_date_rules(fields: &mut BTreeMap<&'static str, Field>, today: NaiveDate) {
    let date = |fields: &BTreeMap<&'static str, Field>, name: &str| {
        fields
            .get(name)
            .and_then(|f| NaiveDate::parse_from_str(&f.value, "%Y-%m-%d").ok())
    };
    let (birth, issue, expiry) = (
        date(fields, "birthDate"),
        date(fields, "issueDate"),
        date(fields, "expiryDate"),
    );
    let mut broken: Vec<&str> = Vec::new();
    if birth.is_some_and(|b| b > today) {
        broken.push("birthDate");
    }
    if issue.is_some_and(|i| i > today) {
        broken.push("issueDate");
    }
    if let (Some(b), Some(i)) = (birth, issue) {
        if i < b {
            broken.extend(["birthDate", "issueDate"]);
        }
    }
    if let (Some(i), Some(e)) = (issue, expiry) {
        if e <= i {
            broken.extend(["issueDate", "expiryDate"]);
        }
    }
    if let (Some(b), Some(e)) = (birth, expiry) {
        if e <= b {
            broken.extend(["birthDate", "expiryDate"]);
        }
    }
    for name in broken {
        if let Some(field) = fields.get_mut(name) {
            field.confidence = field.confidence.min(BROKEN_RULE);
        }
    }
}

type IdNumber = Option<(RegistrationNumber, f32)>;

fn resident(sheet: &mut Sheet<'_>) -> Result<IdNumber, DocError> {
    let title = sheet.label(&["주민등록"]);
    let number = registration_line(sheet, false)?;
    let number_line = number.as_ref().map(|n| n.0);
    if let Some((index, _, _)) = number {
        name_above(sheet, index, title);
    }
    let below_number = number_line.map_or(0.0, |i| sheet.lines[i].area.bottom());
    let issue = date_line(sheet, below_number, &[number_line])?;
    let issuer = issuer_line(sheet, issue.map_or(below_number, |i| sheet.lines[i].area.y));
    let address_end = issue.or(issuer).map_or(f32::MAX, |i| sheet.lines[i].area.y);
    address(
        sheet,
        below_number - 1.0,
        address_end,
        &[number_line, issue, issuer],
    );
    Ok(number.map(|(_, number, confidence)| (number, confidence)))
}

fn driver(sheet: &mut Sheet<'_>, checks: &mut Checks) -> Result<IdNumber, DocError> {
    let title = sheet.label(&["운전면허", "면허증"]);
    let licence_line = licence_number(sheet, checks)?;
    let number = registration_line(sheet, false)?;
    let number_line = number.as_ref().map(|n| n.0);
    if let Some((index, _, _)) = number {
        name_above(sheet, index, title.max(licence_line));
    }
    let start = title.map_or(0.0, |t| sheet.lines[t].area.bottom());
    let end = licence_line.map_or(f32::MAX, |l| sheet.lines[l].area.y);
    licence_types(sheet, start, end, checks);

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
    issuer_line(sheet, issue.map_or(after_period, |i| sheet.lines[i].area.y));
    condition(sheet)?;
    serial(sheet, 6)?;
    Ok(number.map(|(_, number, confidence)| (number, confidence)))
}

/// The residence card prints its values under tiny bilingual labels that
/// a phone photo often blurs past reading, so values are found by shape in
/// the text column under the registration number: the date and the status
/// of stay by their formats, then, read in capitals, the name (the first
/// line of words) and the country (`CHINA / 중국`, the line after it).
fn foreign(sheet: &mut Sheet<'_>) -> Result<IdNumber, DocError> {
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
        if let Some(visa) = visa_code(&reading.text).or_else(|| visa_code(&sheet.lines[index].text))
        {
            sheet.set("visaType", visa, reading.confidence);
        }
    }
    if !sheet.fields.contains_key("visaType") {
        labelled_visa(sheet)?;
    }
    if let Some(index) = date {
        let reading = sheet.reread(index, Script::Digits)?;
        if let Some(date) =
            parse_date(&reading.text).or_else(|| parse_date(&sheet.lines[index].text))
        {
            sheet.set_date("issueDate", date, reading.confidence);
        }
    }
    let words_end = [date, visa]
        .iter()
        .flatten()
        .map(|i| sheet.lines[*i].area.y)
        .fold(f32::MAX, f32::min);
    let mut named = false;
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
        if !named && letters >= 4 && !reading.text.contains('/') {
            sheet.set("name", latin_words(&reading.text), reading.confidence);
            named = true;
        } else if named && letters >= 4 {
            let country = reading
                .text
                .split('/')
                .next()
                .map(latin_words)
                .unwrap_or_default();
            sheet.set("nationality", country, reading.confidence);
            break;
        }
    }
    if !sheet.fields.contains_key("nationality") {
        korean_country(sheet);
    }
    issuer_line(sheet, 0.0);
    serial(sheet, 9)?;
    Ok(number.map(|(_, number, confidence)| (number, confidence)))
}

/// The status of stay where the column search missed it: printed on its
/// label's line (`체류자격 영주(F-5)`) or out of the number's column. Any
/// line whose Korean reading holds a code shape is read again in capitals.
fn labelled_visa(sheet: &mut Sheet<'_>) -> Result<(), DocError> {
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        if line.digits() > 3 || visa_code(&line.text).is_none() {
            continue;
        }
        let reading = sheet.reread(index, Script::Latin)?;
        let code = visa_code(&reading.text)
            .filter(|code| visa_code(&sheet.lines[index].text).as_ref() == Some(code))
            .or_else(|| visa_code(&sheet.lines[index].text));
        if let Some(code) = code {
            let confidence = reading.confidence.min(sheet.lines[index].confidence);
            sheet.set("visaType", code, confidence);
            return Ok(());
        }
    }
    Ok(())
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
fn korean_country(sheet: &mut Sheet<'_>) {
    let found = sheet.lines.iter().find_map(|line| {
        hangul_words(&line.text)
            .split([' ', '/', '·'])
            .find_map(|word| COUNTRIES.iter().find(|(korean, _)| *korean == word))
            .map(|(_, latin)| (*latin, line.confidence))
    });
    if let Some((latin, confidence)) = found {
        sheet.set("nationality", latin, confidence);
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

fn passport(sheet: &mut Sheet<'_>) -> Result<Option<PassportMrz>, DocError> {
    let mrz = machine_readable_zone(sheet)?;
    korean_name(sheet, mrz.as_ref())?;
    let Some(reading) = mrz else {
        return Ok(None);
    };
    issue_date(sheet, &reading)?;
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
        "passportNo",
        reading.document_number.clone(),
        number_confidence,
    );
    sheet.set("surname", reading.surname.clone(), confidence);
    sheet.set("givenNames", reading.given_names.clone(), confidence);
    for (name, state) in [
        ("nationality", &reading.nationality),
        ("issuingCountry", &reading.issuing_country),
    ] {
        if mrz::known_state(state) {
            sheet.set(name, state.clone(), confidence);
        }
    }
    if let Some(sex) = reading.sex {
        sheet.set("sex", sex.to_string(), confidence);
    }
    if let Some(date) = reading.birth_date {
        sheet.set_date("birthDate", date, confidence);
    }
    if let Some(date) = reading.expiry_date {
        sheet.set_date("expiryDate", date, confidence);
    }
    if !sheet.fields.contains_key("name") {
        let name = format!("{} {}", reading.surname, reading.given_names);
        sheet.set("name", name.trim(), confidence);
    }
    Ok(Some(reading))
}

/// Words of the passport page that look like names but are not.
const PASSPORT_WORDS: [&str; 3] = ["여권", "대한민국", "한글"];

/// The Korean name: under its label when the label is legible, else the
/// only line of the page that is a Hangul name, else the one printed on the
/// row of the given names (from the MRZ), else the one read most
/// confidently. It is then checked against the MRZ's Latin name.
fn korean_name(sheet: &mut Sheet<'_>, mrz: Option<&PassportMrz>) -> Result<(), DocError> {
    let labelled = sheet.label(&["한글성명"]).and_then(|l| sheet.below(l));
    let candidates: Vec<usize> = (0..sheet.lines.len())
        .filter(|i| {
            let text = &sheet.lines[*i].text;
            leading_name(text).is_some_and(|n| !PASSPORT_WORDS.iter().any(|w| n.contains(w)))
                && text
                    .chars()
                    .all(|c| ('가'..='힣').contains(&c) || c.is_whitespace())
        })
        .collect();
    let chosen = labelled
        .filter(|i| leading_name(&sheet.lines[*i].text).is_some())
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
    sheet.set("name", name, confidence);
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
    mrz: &PassportMrz,
    read: (String, f32),
) -> Result<(String, f32), DocError> {
    let fits = |name: &str| romanise::name_fits(name, &mrz.surname, &mrz.given_names);
    if fits(&read.0) {
        return Ok((read.0, read.1.max(FITS_MRZ)));
    }
    let crop = line_crop(sheet.gray, &sheet.lines[index].area);
    let fitting = sheet
        .recogniser
        .readings(&crop, Script::Korean, RANKED_NAMES)?
        .into_iter()
        .find_map(|r| leading_name(&r.text).filter(|name| fits(name)));
    Ok(match fitting {
        Some(name) => (name, FITS_MRZ),
        None => (read.0, read.1 * 0.5),
    })
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
/// holds two of them, so the issue date is the one it does not hold.
fn issue_date(sheet: &mut Sheet<'_>, mrz: &PassportMrz) -> Result<(), DocError> {
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        if line.digits() < 4
            || line.digits() > 10
            || line.area.centre_y() > 0.72 * sheet.gray.height() as f32
        {
            continue;
        }
        let reading = sheet.reread(index, Script::Latin)?;
        let date = parse_date(&reading.text).or_else(|| dates::loose_passport_date(&reading.text));
        if let Some(date) =
            date.filter(|d| Some(*d) != mrz.birth_date && Some(*d) != mrz.expiry_date)
        {
            sheet.set_date("issueDate", date, reading.confidence);
            return Ok(());
        }
    }
    Ok(())
}

/// The MRZ: the bottom rows of the page, each row's pieces joined, read
/// with the OCR-B model; the two rows that parse as TD3 win.
fn machine_readable_zone(sheet: &mut Sheet<'_>) -> Result<Option<PassportMrz>, DocError> {
    let height = sheet.gray.height() as f32;
    let mut rows: Vec<TextBox> = Vec::new();
    for line in sheet
        .lines
        .iter()
        .filter(|l| l.area.centre_y() > 0.72 * height)
    {
        match rows
            .iter_mut()
            .find(|r| (r.centre_y() - line.area.centre_y()).abs() < r.h / 2.0)
        {
            Some(row) => *row = union(row, &line.area),
            None => rows.push(line.area),
        }
    }
    rows.sort_by(|a, b| a.y.total_cmp(&b.y));
    if rows.len() < 2 {
        return Ok(None);
    }
    let mut texts = Vec::new();
    for row in &rows[rows.len() - 2..] {
        let readings =
            sheet
                .recogniser
                .readings(&line_crop(sheet.gray, row), Script::Mrz, MRZ_READINGS)?;
        texts.push(
            readings
                .into_iter()
                .map(|r| r.text.chars().filter(|c| !c.is_whitespace()).collect())
                .collect::<Vec<String>>(),
        );
    }
    Ok(best_td3(&texts[0], &texts[1]))
}

/// Readings of each MRZ row to choose from (the CRNN recogniser offers
/// Tesseract's OCR-B reading and its own).
const MRZ_READINGS: usize = 2;

/// The pair of row readings that makes the best TD3: line 2 with the most
/// check digits holding, then the fewest characters out of place (in line
/// 1, and a Korean passport number of the wrong shape); the recogniser's
/// order breaks ties. Line 2 is also tried as every mix of its first two
/// readings, so that each reading's errors can be outvoted by the other's
/// characters where the check digits say so.
fn best_td3(line1s: &[String], line2s: &[String]) -> Option<PassportMrz> {
    let line2s: Vec<String> = match line2s {
        [first, second, ..] => mixes(&fit_mrz_line(first), &fit_mrz_line(second)),
        others => others.iter().map(|l| fit_mrz_line(l)).collect(),
    };
    let mut best: Option<(PassportMrz, Td3Score)> = None;
    for line2 in &line2s {
        for line1 in line1s
            .iter()
            .map(|l| fit_mrz_line(&realign_line1(l, line2)))
        {
            let Ok(parsed) = mrz::parse_td3(&line1, line2) else {
                continue;
            };
            let faults = mrz::td3_line1_faults(&line1, &parsed.nationality)
                + usize::from(
                    parsed.issuing_country == "KOR"
                        && !mrz::korean_passport_number(&parsed.document_number),
                );
            let score = (parsed.checks_holding, parsed.format_holds, Reverse(faults));
            if best.as_ref().is_none_or(|(_, s)| score > *s) {
                best = Some((parsed, score));
            }
        }
    }
    best.map(|(parsed, _)| parsed)
}

/// How good a TD3 reading is: check digits holding, then a well-formed
/// code, states and number, then the fewest characters out of place.
type Td3Score = (usize, bool, Reverse<usize>);

/// Most differing positions whose mixes are tried (2^8 parses at most).
const MIX_POSITIONS: usize = 8;

/// `first` and `second` (lines of one length), and the lines that take
/// some of the positions where they differ from `second`, fewest first.
/// Lines that differ in too many places are not mixed.
fn mixes(first: &str, second: &str) -> Vec<String> {
    let (a, b): (Vec<char>, Vec<char>) = (first.chars().collect(), second.chars().collect());
    let differ: Vec<usize> = (0..a.len().min(b.len()))
        .filter(|&i| a[i] != b[i])
        .collect();
    if a.len() != b.len() || differ.len() > MIX_POSITIONS {
        return vec![first.to_owned(), second.to_owned()];
    }
    let mut masks: Vec<u32> = (0..1u32 << differ.len()).collect();
    masks.sort_by_key(|m| m.count_ones());
    masks
        .into_iter()
        .map(|mask| {
            let mut line = a.clone();
            for (bit, &at) in differ.iter().enumerate() {
                if mask & (1 << bit) != 0 {
                    line[at] = b[at];
                }
            }
            line.into_iter().collect()
        })
        .collect()
}

/// Line 1 has no check digit, so a character OCR adds before the issuing
/// state would shift the whole name unnoticed. The state is three letters
/// at positions 3–5; on national passports it equals the nationality in
/// line 2, which finds it when it moved.
fn realign_line1(line1: &str, line2: &str) -> String {
    let Some(nationality) = line2
        .get(10..13)
        .filter(|n| n.chars().all(|c| c.is_ascii_uppercase()))
    else {
        return line1.to_owned();
    };
    if line1.get(2..5) == Some(nationality) {
        return line1.to_owned();
    }
    match line1.get(..8).and_then(|head| head.find(nationality)) {
        Some(at) if at >= 2 => format!("{}{}", &line1[..2], &line1[at..]),
        Some(1) => format!("{}<{}", &line1[..1], &line1[1..]),
        _ => line1.to_owned(),
    }
}

/// OCR drops or adds filler `<` at the end of a line; TD3 lines are 44.
fn fit_mrz_line(text: &str) -> String {
    let mut line: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if line.len() > mrz::TD3_LINE {
        let trimmed = line.trim_end_matches('<').len();
        line.truncate(trimmed.max(mrz::TD3_LINE));
        line.truncate(mrz::TD3_LINE);
    }
    while line.len() < mrz::TD3_LINE {
        line.push('<');
    }
    line
}

fn union(a: &TextBox, b: &TextBox) -> TextBox {
    let x = a.x.min(b.x);
    let y = a.y.min(b.y);
    TextBox {
        x,
        y,
        w: a.right().max(b.right()) - x,
        h: a.bottom().max(b.bottom()) - y,
        score: a.score.min(b.score),
    }
}

/// The registration number: the line that parses as one after a digits-only
/// reading, preferring a real birth date and the expected kind.
fn registration_line(
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
fn name_above(sheet: &mut Sheet<'_>, number_line: usize, after: Option<usize>) {
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
        sheet.set("name", name, confidence);
    }
}

/// The first run of Hangul in `text`, if it is a name.
fn leading_name(text: &str) -> Option<String> {
    let start = text.find(|c: char| ('가'..='힣').contains(&c))?;
    let run: String = text[start..]
        .chars()
        .take_while(|c| ('가'..='힣').contains(c) || *c == ' ')
        .collect();
    hangul_name(&run)
}

/// The first line below `after` holding a single date.
fn date_line(
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
            sheet.set_date("issueDate", date, reading.confidence);
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// The issuing authority: the first line below `after` ending in 장
/// (구청장, 시장, 경찰청장, 외국인청장…) or 군수.
fn issuer_line(sheet: &mut Sheet<'_>, after: f32) -> Option<usize> {
    let index = sheet.lines.iter().position(|l| {
        let hangul = hangul_words(&l.text);
        l.area.y >= after - 1.0 && (hangul.ends_with('장') || hangul.ends_with("군수"))
    })?;
    let issuer = issuer_title(hangul_words(&sheet.lines[index].text));
    let confidence = sheet.lines[index].confidence;
    sheet.set("issuer", issuer, confidence);
    Some(index)
}

/// The text's Hangul words (and the middle dot of 출입국·외국인청), with
/// anything else (seal marks, stray symbols) dropped.
fn hangul_words(text: &str) -> String {
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

/// `E-9`, `F-4`, `D-10`: a capital, a hyphen and one or two digits.
fn visa_code(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).enumerate().find_map(|(i, w)| {
        (w[0].is_ascii_uppercase() && w[1] == '-' && w[2].is_ascii_digit()).then(|| {
            let second = chars.get(i + 3).filter(|c| c.is_ascii_digit());
            format!(
                "{}-{}{}",
                w[0],
                w[2],
                second.map(|c| c.to_string()).unwrap_or_default()
            )
        })
    })
}

/// The address: the Hangul lines between two fields (a line without Hangul
/// there is a misread date or number, not part of the address).
fn address(sheet: &mut Sheet<'_>, top: f32, bottom: f32, exclude: &[Option<usize>]) {
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
    sheet.set("address", text, confidence);
}

/// Korean addresses print commas (`테헤란로 123, 101동`) and never a
/// period: a period before a space is a comma the recogniser misread.
fn address_commas(text: &str) -> String {
    text.replace(". ", ", ")
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
            sheet.set("licenseNo", number.code_form, reading.confidence);
            if let Some(region) = number.printed_region {
                sheet.set("licenseRegion", region, reading.confidence);
            }
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// Licence types printed between the title and the licence number, matched
/// to the nine known types with one character of OCR error allowed; where
/// two types could match the same characters, the closer match wins.
fn licence_types(sheet: &mut Sheet<'_>, top: f32, bottom: f32, checks: &mut Checks) {
    let mut found: Vec<(usize, &'static str, f32)> = Vec::new();
    for index in sheet.text_between(top, bottom, &[]) {
        let line = &sheet.lines[index];
        let compact: Vec<char> = line.compact().chars().map(repair_type_char).collect();
        let mut taken = vec![false; compact.len()];
        let mut matches: Vec<(usize, usize, &'static str)> = LICENCE_TYPES
            .iter()
            .flat_map(|kind| {
                let pattern: Vec<char> = kind.chars().collect();
                fuzzy_matches(&compact, &pattern)
                    .into_iter()
                    .map(move |(start, errors)| (errors, start, *kind))
            })
            .collect();
        matches.sort_by_key(|(errors, _, kind)| (*errors, std::cmp::Reverse(kind.chars().count())));
        for (_, start, kind) in matches {
            let span = start..start + kind.chars().count();
            if taken[span.clone()].iter().any(|t| *t) {
                continue;
            }
            taken[span].iter_mut().for_each(|t| *t = true);
            found.push((index * 1000 + start, kind, line.confidence));
        }
    }
    found.sort_by_key(|f| f.0);
    if let Some(first) = found.first() {
        let confidence = found.iter().map(|f| f.2).fold(1.0, f32::min);
        sheet.set("licenseType", first.1, first.2);
        let all: Vec<&str> = found.iter().map(|f| f.1).collect();
        sheet.set("licenseTypes", all.join(","), confidence);
        checks.licence_types = Some(true);
    }
}

/// `I`, `l` and `|` before 종 are the digit 1 the type starts with.
fn repair_type_char(c: char) -> char {
    match c {
        'I' | 'l' | '|' | 'i' => '1',
        'Z' | 'z' => '2',
        other => other,
    }
}

/// Every place `pattern` occurs in `text` with at most one substituted
/// character (none for short patterns), with its number of errors.
fn fuzzy_matches(text: &[char], pattern: &[char]) -> Vec<(usize, usize)> {
    if text.len() < pattern.len() {
        return Vec::new();
    }
    let allowed = if pattern.len() >= 4 { 1 } else { 0 };
    (0..=text.len() - pattern.len())
        .map(|s| {
            (
                s,
                text[s..s + pattern.len()]
                    .iter()
                    .zip(pattern)
                    .filter(|(a, b)| a != b)
                    .count(),
            )
        })
        .filter(|(_, errors)| *errors <= allowed)
        .collect()
}

fn period_line(sheet: &mut Sheet<'_>) -> Result<Option<usize>, DocError> {
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        if line.digits() < 12 || !line.text.contains(['~', '-', '∼']) && line.digits() < 16 {
            continue;
        }
        let reading = sheet.reread(index, Script::Digits)?;
        let end = two_dates(&reading.text).or_else(|| two_dates(&sheet.lines[index].text));
        if let Some(end) = end {
            sheet.set_date("expiryDate", end, reading.confidence);
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// The end of a `YYYY.MM.DD ~ YYYY.MM.DD` period, also when OCR lost the
/// tilde: the last eight digits are the end date.
fn two_dates(text: &str) -> Option<NaiveDate> {
    if let Some(end) = period_end(text).filter(|_| text.contains(['~', '∼'])) {
        return Some(end);
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    (digits.len() == 16).then(|| NaiveDate::parse_from_str(&digits[8..], "%Y%m%d").ok())?
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
        sheet.set("condition", after_label, confidence);
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
        sheet.set("condition", code, reading.confidence);
    }
    Ok(())
}

/// The card serial: a short line without Hangul that reads, in capitals
/// and digits only, as exactly `length` characters.
fn serial(sheet: &mut Sheet<'_>, length: usize) -> Result<(), DocError> {
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
            sheet.set("serialNo", code, reading.confidence);
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A recogniser whose ranked readings of any line are `ranked`.
    struct Ranked(Vec<&'static str>);

    impl LineRecogniser for Ranked {
        fn read(&mut self, _: &GrayImage, _: Script) -> Result<LineReading, DocError> {
            Err(DocError::Inference("this step reads no line once".into()))
        }

        fn readings(
            &mut self,
            _: &GrayImage,
            _: Script,
            n: usize,
        ) -> Result<Vec<LineReading>, DocError> {
            Ok(self
                .0
                .iter()
                .take(n)
                .map(|text| LineReading {
                    text: (*text).to_owned(),
                    confidence: 0.5,
                })
                .collect())
        }
    }

    fn line(text: &str, x: f32, y: f32, confidence: f32) -> Line {
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

    /// The passport MRZ of `surname` and `given` (line 2 is left blank).
    fn mrz_of(surname: &str, given: &str) -> PassportMrz {
        let line1 = format!("PMKOR{surname}<<{given}<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<");
        mrz::parse_td3(&line1[..mrz::TD3_LINE], &"<".repeat(mrz::TD3_LINE)).unwrap()
    }

    fn korean_name_of(
        lines: &[Line],
        mrz: &PassportMrz,
        ranked: Vec<&'static str>,
    ) -> Option<Field> {
        let gray = GrayImage::new(1250, 880);
        let mut recogniser = Ranked(ranked);
        let mut sheet = Sheet {
            lines,
            gray: &gray,
            recogniser: &mut recogniser,
            fields: BTreeMap::new(),
            rereads: BTreeMap::new(),
        };
        korean_name(&mut sheet, Some(mrz)).unwrap();
        sheet.fields.remove("name")
    }

    #[test]
    fn the_korean_name_is_the_hangul_line_on_the_given_names_row() {
        let lines = [
            line("CHOI", 420.0, 214.0, 0.9),
            line("함정떵", 940.0, 250.0, 0.3),
            line("HYUN JAE", 420.0, 294.0, 0.9),
            line("최현재", 940.0, 296.0, 0.7),
        ];
        let name = korean_name_of(&lines, &mrz_of("CHOI", "HYUNJAE"), vec![]).unwrap();
        assert_eq!((name.value.as_str(), name.confidence), ("최현재", FITS_MRZ));
        // The given names misread: the most confident candidate, which
        // no longer fits them and loses half its confidence.
        let name = korean_name_of(&lines, &mrz_of("CHOI", "HYUNJAY"), vec![]).unwrap();
        assert_eq!((name.value.as_str(), name.confidence), ("최현재", 0.35));
    }

    #[test]
    fn a_misread_korean_name_gives_way_to_a_reading_that_fits_the_mrz() {
        let lines = [
            line("HYUN JAE", 420.0, 294.0, 0.9),
            line("최헌재", 940.0, 296.0, 0.8),
        ];
        let ranked = vec!["최헌재", "최헌제", "최현재"];
        let name = korean_name_of(&lines, &mrz_of("CHOI", "HYUNJAE"), ranked).unwrap();
        assert_eq!((name.value.as_str(), name.confidence), ("최현재", FITS_MRZ));
    }

    /// Reads the upper of two rows as `upper` and every other row as
    /// `lower` (the rows of `mrz_rows` differ in height).
    struct MrzRows {
        upper: &'static str,
        lower: &'static str,
    }

    impl LineRecogniser for MrzRows {
        fn read(&mut self, line: &GrayImage, _: Script) -> Result<LineReading, DocError> {
            let text = if line.height() < 60 {
                self.upper
            } else {
                self.lower
            };
            Ok(LineReading {
                text: text.to_owned(),
                confidence: 0.9,
            })
        }
    }

    fn mrz_rows() -> [Line; 2] {
        let mut lower = line("", 60.0, 780.0, 0.9);
        lower.area.h = 56.0;
        [line("", 60.0, 700.0, 0.9), lower]
    }

    #[test]
    fn an_mrz_failing_its_check_digits_is_not_returned() {
        let gray = GrayImage::new(1250, 880);
        let upper = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
        let mut valid = MrzRows {
            upper,
            lower: "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
        };
        let reading = assemble(DocumentKind::Passport, &mrz_rows(), &gray, &mut valid).unwrap();
        assert!(reading.mrz.is_some_and(|m| m.valid));
        assert_eq!(reading.checks.mrz_check_digits, Some(true));
        assert_eq!(reading.fields["passportNo"].confidence, 0.99);

        // One digit of the document number misread: its check digit fails.
        let mut misread = MrzRows {
            upper,
            lower: "L898907C36UTO7408122F1204159ZE184226B<<<<<10",
        };
        let reading = assemble(DocumentKind::Passport, &mrz_rows(), &gray, &mut misread).unwrap();
        assert!(reading.mrz.is_none());
        assert_eq!(reading.checks.mrz_check_digits, Some(false));
        assert_eq!(reading.fields["passportNo"].confidence, 0.5);
    }

    #[test]
    fn mixed_mrz_readings_outvote_each_others_errors() {
        // The ICAO specimen: one reading misreads the birth date, the other
        // the document number and the nationality.
        let line1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_owned();
        let first = "L898902C36UTO7408132F1204159ZE184226B<<<<<10".to_owned();
        let second = "L898902G36UT47408122F1204159ZE184226B<<<<<10".to_owned();
        let mrz = best_td3(&[line1], &[first, second]).unwrap();
        assert!(mrz.valid);
        assert_eq!(mrz.line2, "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    }

    #[test]
    fn mixes_keep_the_first_reading_first() {
        assert_eq!(mixes("AB", "AC"), ["AB", "AC"]);
        assert_eq!(mixes("AB", "CD"), ["AB", "CB", "AD", "CD"]);
        assert_eq!(mixes("ABCDEFGHIJ", "0123456789").len(), 2);
    }

    #[test]
    fn licence_types_tolerate_one_wrong_character() {
        let text: Vec<char> = "1종보퉁2종소형".chars().collect();
        let chars = |t: &str| t.chars().collect::<Vec<_>>();
        assert_eq!(fuzzy_matches(&text, &chars("1종보통")), vec![(0, 1)]);
        assert_eq!(fuzzy_matches(&text, &chars("2종소형")), vec![(4, 0)]);
        assert!(fuzzy_matches(&text, &chars("대형견인차")).is_empty());
    }

    fn field(value: &str, confidence: f32) -> Field {
        Field {
            value: value.to_owned(),
            confidence,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
    }

    #[test]
    fn an_issue_date_after_the_expiry_date_is_not_trusted() {
        let mut fields = BTreeMap::from([
            ("birthDate", field("1990-01-01", 0.95)),
            ("issueDate", field("2024-04-12", 0.95)),
            ("expiryDate", field("2023-12-31", 0.95)),
        ]);
        keep_date_rules(&mut fields, today());
        assert_eq!(fields["birthDate"].confidence, 0.95);
        assert_eq!(fields["issueDate"].confidence, BROKEN_RULE);
        assert_eq!(fields["expiryDate"].confidence, BROKEN_RULE);

        let mut fields = BTreeMap::from([
            ("birthDate", field("1990-01-01", 0.95)),
            ("issueDate", field("2027-04-12", 0.95)),
        ]);
        keep_date_rules(&mut fields, today());
        assert_eq!(fields["issueDate"].confidence, BROKEN_RULE);
        let mut fields = BTreeMap::from([
            ("birthDate", field("2021-01-01", 0.95)),
            ("issueDate", field("2020-04-12", 0.95)),
            ("expiryDate", field("2030-04-12", 0.95)),
        ]);
        keep_date_rules(&mut fields, today());
        assert_eq!(fields["birthDate"].confidence, BROKEN_RULE);
        assert_eq!(fields["expiryDate"].confidence, 0.95);
    }

    #[test]
    fn a_foreigners_number_gives_no_birth_date_from_the_1800s() {
        let mut fields = BTreeMap::new();
        // The 5 of a foreigner's number misread as 0: born in 1884.
        let misread = registration::parse("840807-0062544").unwrap();
        let mut confidence = 0.9;
        let kept = keep_number_rules(
            DocumentKind::Foreign,
            &misread,
            &mut confidence,
            &mut fields,
            today(),
        );
        assert!(!kept && fields.is_empty());
        assert_eq!(confidence, BROKEN_RULE);

        let number = registration::parse("840807-5062544").unwrap();
        let mut confidence = 0.9;
        assert!(keep_number_rules(
            DocumentKind::Foreign,
            &number,
            &mut confidence,
            &mut fields,
            today(),
        ));
        assert_eq!(fields["birthDate"].value, "1984-08-07");
        assert_eq!(confidence, 0.9);
        // A foreigner's number on a Korean document breaks its rule too.
        let mut confidence = 0.9;
        assert!(!keep_number_rules(
            DocumentKind::Resident,
            &number,
            &mut confidence,
            &mut BTreeMap::new(),
            today(),
        ));
    }

    #[test]
    fn missing_fields_lower_the_documents_confidence() {
        let full: BTreeMap<&'static str, Field> = expected_fields(DocumentKind::Resident)
            .iter()
            .map(|name| (*name, field("x", 1.0)))
            .collect();
        let whole = document_confidence(DocumentKind::Resident, &full, Some(1.0));
        assert_eq!(whole, 1.0);
        let mut partial = full.clone();
        for name in ["address", "issueDate", "issuer"] {
            partial.remove(name);
        }
        let gaps = document_confidence(DocumentKind::Resident, &partial, Some(1.0));
        assert!(gaps <= 0.5, "{gaps}");
        let without_number = document_confidence(DocumentKind::Resident, &full, None);
        assert!(without_number < 0.9, "{without_number}");
    }

    #[test]
    fn a_passport_mrz_of_the_wrong_format_is_withheld() {
        let gray = GrayImage::new(1250, 880);
        // Check digits hold, but `PP`, `ICO` and `M094EG599` cannot be.
        let mut rows = MrzRows {
            upper: "PPICOHONG<<GILDONG<<<<<<<<<<<<<<<<<<<<<<<<<<",
            lower: "M094EG5990KOR7408122F1204159<<<<<<<<<<<<<<<0",
        };
        let parsed = mrz::parse_td3(rows.upper, rows.lower).unwrap();
        assert!(parsed.check_digits_hold, "{parsed:?}");
        let reading = assemble(DocumentKind::Passport, &mrz_rows(), &gray, &mut rows).unwrap();
        assert!(reading.mrz.is_none());
        assert_eq!(reading.checks.mrz_check_digits, Some(true));
        assert!(!reading.fields.contains_key("issuingCountry"));
        assert!(reading.fields["passportNo"].confidence <= 0.5);
        assert!(reading.confidence < 0.6, "{}", reading.confidence);
    }

    #[test]
    fn periods_end_on_their_second_date() {
        let end = NaiveDate::from_ymd_opt(2025, 12, 31);
        assert_eq!(two_dates("2025.01.01 ~ 2025.12.31"), end);
        assert_eq!(two_dates("2025.01.01 2025.12.31"), end);
        assert_eq!(two_dates("2025.01.01"), None);
    }

    /// A recogniser that reads every line as its own Korean text and, in
    /// other scripts, as `latin`.
    struct Echo(&'static str);

    impl LineRecogniser for Echo {
        fn read(&mut self, _: &GrayImage, _: Script) -> Result<LineReading, DocError> {
            Ok(LineReading {
                text: self.0.to_owned(),
                confidence: 0.9,
            })
        }
    }

    fn sheet_of<'a>(
        lines: &'a [Line],
        gray: &'a GrayImage,
        recogniser: &'a mut dyn LineRecogniser,
    ) -> Sheet<'a> {
        Sheet {
            lines,
            gray,
            recogniser,
            fields: BTreeMap::new(),
            rereads: BTreeMap::new(),
        }
    }

    #[test]
    fn a_status_of_stay_on_its_labels_line_is_found() {
        let gray = GrayImage::new(1012, 638);
        let lines = [
            line("체류자격 영주(F-5)", 300.0, 380.0, 0.9),
            line("2020.01.15", 300.0, 460.0, 0.9),
        ];
        let mut recogniser = Echo("Status F-5");
        let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
        labelled_visa(&mut sheet).unwrap();
        assert_eq!(sheet.fields["visaType"].value, "F-5");
    }

    #[test]
    fn a_country_printed_in_korean_is_the_nationality() {
        let gray = GrayImage::new(1012, 638);
        let lines = [
            line("국가/지역", 300.0, 280.0, 0.9),
            line("베트남", 300.0, 305.0, 0.8),
        ];
        let mut recogniser = Echo("");
        let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
        korean_country(&mut sheet);
        assert_eq!(sheet.fields["nationality"].value, "VIET NAM");
        let lines = [line("중국인 식당", 300.0, 280.0, 0.9)];
        let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
        korean_country(&mut sheet);
        assert!(sheet.fields.is_empty());
    }

    #[test]
    fn serials_keep_every_capital() {
        let gray = GrayImage::new(1012, 638);
        let lines = [line("AIOQ12", 60.0, 440.0, 0.9)];
        let mut recogniser = Echo("AIOQ12");
        let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
        serial(&mut sheet, 6).unwrap();
        assert_eq!(sheet.fields["serialNo"].value, "AIOQ12");
    }

    #[test]
    fn address_periods_are_commas() {
        assert_eq!(
            address_commas("서울특별시 강남구 테헤란로 123. 101동 1001호 (역삼동)"),
            "서울특별시 강남구 테헤란로 123, 101동 1001호 (역삼동)"
        );
    }

    #[test]
    fn visa_codes() {
        assert_eq!(visa_code("E-9 (비전문취업)").as_deref(), Some("E-9"));
        assert_eq!(visa_code("D-10 (JOB)").as_deref(), Some("D-10"));
        assert_eq!(visa_code("D-2 8"), Some("D-2".to_owned()));
        assert_eq!(visa_code("E9"), None);
        assert_eq!(visa_code("영주(F-5)").as_deref(), Some("F-5"));
    }

    #[test]
    fn an_mrz_first_line_with_an_extra_character_is_realigned() {
        let line2 = "M12345678<KOR9001011M3001157<<<<<<<<<<<<<<04";
        assert_eq!(
            realign_line1("PPRKORCHO<<HYEJUN", line2),
            "PPKORCHO<<HYEJUN"
        );
        assert_eq!(realign_line1("PMKORCHO<<HYEJUN", line2), "PMKORCHO<<HYEJUN");
        assert_eq!(realign_line1("PKORCHO<<HYEJUN", line2), "P<KORCHO<<HYEJUN");
    }

    #[test]
    fn mrz_lines_are_fitted_to_44_characters() {
        assert_eq!(fit_mrz_line("PMKORHONG<<GILDONG").len(), 44);
        let long = format!("{}<<<<", "A".repeat(44));
        assert_eq!(fit_mrz_line(&long), "A".repeat(44));
    }

    #[test]
    fn names_start_at_the_first_hangul() {
        assert_eq!(leading_name("| 홍길동(洪吉童)").as_deref(), Some("홍길동"));
        assert_eq!(leading_name("김 민 수 金"), Some("김민수".to_owned()));
        assert_eq!(leading_name("840807-1062544"), None);
    }

    #[test]
    fn issuers_keep_only_hangul_words() {
        assert_eq!(
            hangul_words("서울특별시 강남구청장 [印]"),
            "서울특별시 강남구청장"
        );
        assert_eq!(
            hangul_words("서울출입국·외국인청장"),
            "서울출입국·외국인청장"
        );
    }

    #[test]
    fn a_district_head_is_a_gucheongjang() {
        let title = |text: &str| issuer_title(text.to_owned());
        assert_eq!(title("대전광역시 유성구장"), "대전광역시 유성구청장");
        assert_eq!(title("서울특별시 마포구청장"), "서울특별시 마포구청장");
        assert_eq!(title("경기도 성남시장"), "경기도 성남시장");
    }
}
