//! Fields several documents print alike: the registration number, the
//! name above it, dates, the issuer, the address and the card serial.

use super::dated::find_date;
use super::labels;
use super::rules::{checked_confidence, CORRECTED};
use super::Sheet;
use crate::admin::{self, Office, Verdict};
use crate::fields::FieldName;
use crate::kind::hangul_name;
use crate::licence::LICENCE_TYPES;
use crate::recognise::Script;
use crate::registration::{self, RegistrationNumber};
use crate::DocError;
use crate::{hanja_readings, romanise, surnames};

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
                registration::parse(&line.text)
                    .or_else(|| registration::find(&line.text))
                    .map(|n| (n, line.confidence))
            });
        let Some((number, read_confidence)) = parsed else {
            continue;
        };
        let fits = number.fits(foreigner) && number.birth_date_plausible(sheet.today);
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

/// Below this confidence a line near the number is more likely a small
/// label read as syllables than the name, printed large.
const UNSURE_NAME: f32 = 0.8;

/// The name: the nearest line above the registration number that is a
/// Hangul name (Hanja after it is dropped), its label (`성명`, `성 명`)
/// stripped. A line that may be a misread label (`성영`) or a partly read
/// title (`주민등`), or that the recogniser was unsure of (small labels
/// in a column of their own read as syllables: `뾰옴`), is taken only when
/// no other line is a name. The number's own row holds its label, never
/// the name.
pub(super) fn name_above(
    sheet: &mut Sheet<'_>,
    number_line: usize,
    after: Option<usize>,
) -> Result<(), DocError> {
    let top = after.map_or(0.0, |t| sheet.lines[t].area.bottom() - 1.0);
    let number = sheet.lines[number_line].area;
    let limit = number.y + number.h * 0.3;
    let candidates: Vec<(usize, String, f32, u8)> = sheet
        .lines
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            Some(*i) != after && l.area.centre_y() > top && l.area.bottom() < limit + l.area.h
        })
        .filter(|(i, l)| *i != number_line && l.area.centre_y() < number.y)
        .rev()
        .filter_map(|(i, l)| {
            let name = leading_name(&labels::strip_leading(&l.text))?;
            let label_like = labels::is_label(&name) || labels::is_title_part(&name);
            let suspicion = u8::from(label_like) + 2 * u8::from(l.confidence < UNSURE_NAME);
            Some((i, name, l.confidence, suspicion))
        })
        .collect();
    // The least suspect, nearest first: a name that reads like a label
    // (`성숙`, one syllable from 성명) before a line the recogniser was
    // unsure of.
    let Some((index, name, confidence, _)) = candidates.into_iter().min_by_key(|c| c.3) else {
        return Ok(());
    };
    let (name, confidence) = likelier_name(sheet, index, name, confidence)?;
    sheet.set(FieldName::Name, name, confidence);
    Ok(())
}

/// `name`, read off line `index` with `confidence`, or, where it is
/// unlike a Korean name, the line's first runner-up reading that is more
/// like one and differs from it only where it is unlike, trusted less for
/// being a runner-up: a name that begins with no surname (`흥용춘`) takes
/// one that does (`홍용춘`), a given-name syllable that no Hanja reads
/// (`심재테`) one that some Hanja does (`심재태`).
fn likelier_name(
    sheet: &mut Sheet<'_>,
    index: usize,
    name: String,
    confidence: f32,
) -> Result<(String, f32), DocError> {
    let unlike = unlike_places(&name);
    if unlike.is_empty() {
        return Ok((name, confidence));
    }
    let likeness = unlike.len();
    // With a surname read, every unlike place lies in the given name.
    let in_given_name = surnames::surname_length(&name).is_some();
    let readings = sheet.ranked(index, Script::Korean, NAME_READINGS)?;
    let first = readings.first().map_or(confidence, |r| r.confidence);
    // Of runner-ups equally fit, the one that keeps the consonants: a
    // heavy face's look-alikes are mostly vowels (`졍` for `정`, not `경`).
    let runner_up = readings
        .iter()
        .skip(1)
        .filter_map(|r| {
            let other = leading_name(&labels::strip_leading(&r.text))?;
            let differs_where_unlike = other.chars().count() == name.chars().count()
                && name
                    .chars()
                    .zip(other.chars())
                    .enumerate()
                    .all(|(place, (a, b))| a == b || unlike.contains(&place));
            // The line's confidence is its characters' mean probability,
            // so this is how much surer the first reading was of the
            // syllables the runner-up replaces.
            let surer_by = (first - r.confidence) * r.text.chars().count() as f32;
            let given_name_kept = in_given_name && surer_by > NATIVE_SYLLABLE;
            (differs_where_unlike && !given_name_kept && unlike_places(&other).len() < likeness)
                .then_some((other, r.confidence))
        })
        .min_by_key(|(other, _)| consonants_changed(&name, other));
    Ok(match runner_up {
        Some((other, other_confidence)) => (other, other_confidence.min(confidence) * CORRECTED),
        None => (name, confidence),
    })
}

/// How many initial and final consonants differ between the syllables
/// of `a` and `b`, read in step.
fn consonants_changed(a: &str, b: &str) -> usize {
    a.chars()
        .zip(b.chars())
        .map(|(x, y)| match (romanise::jamo(x), romanise::jamo(y)) {
            (Some((i, _, f)), Some((j, _, g))) => usize::from(i != j) + usize::from(f != g),
            _ => usize::from(x != y),
        })
        .sum()
}

/// The places in `name` that are unlike a Korean name's: its first two
/// syllables where they begin with no surname, and each syllable of the
/// given name that is no Hanja's reading.
fn unlike_places(name: &str) -> Vec<usize> {
    let Some(surname) = surnames::surname_length(name) else {
        return vec![0, 1];
    };
    name.chars()
        .enumerate()
        .skip(surname)
        .filter(|(_, syllable)| !hanja_readings::is_hanja_reading(*syllable))
        .map(|(place, _)| place)
        .collect()
}

/// How much surer the first reading of a given name must be of the
/// syllables no Hanja reads than the runner-up is of its own for them to
/// stand: names in native Korean (`다솜`, `새롬`, `빛나`) are read at
/// 0.88–1.0 surer than their runner-ups (`다늠`), misread vowels
/// (`재테`, `졍복`, `셩아`) at 0.1–0.8 on the second style's development
/// cards.
const NATIVE_SYLLABLE: f32 = 0.85;

/// Readings of a name line searched for one more like a Korean name: a
/// look-alike vowel is mostly among the first runner-ups.
const NAME_READINGS: usize = 4;

/// The first run of Hangul in `text`, if it is a name. A run glued to a
/// digit before it is a licence type or a unit (`1종보통`, `4층`), never
/// a name; nor is a licence type whose digit was not read (`종소형`).
pub(super) fn leading_name(text: &str) -> Option<String> {
    let start = text.find(|c: char| ('가'..='힣').contains(&c))?;
    if text[..start].ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let run: String = text[start..]
        .chars()
        .take_while(|c| ('가'..='힣').contains(c) || *c == ' ')
        .collect();
    hangul_name(&run).filter(|name| !LICENCE_TYPES.iter().any(|t| t.ends_with(name.as_str())))
}

/// The first line below `after` holding a single date, also after its
/// label (`발급일 2020. 1. 15.`).
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
        if let Some((date, confidence)) = sheet.read_date(index)? {
            let (date, confidence) = sheet.past_date(index, date, confidence)?;
            sheet.set_date(FieldName::IssueDate, date, confidence);
            return Ok(Some(index));
        }
    }
    Ok(None)
}

/// The issuing authority: a line below `after` ending in 장 (구청장,
/// 시장, 경찰청장, 외국인청장…) or 군수, joined to the line printed just
/// left of it on its row, checked against the real offices of the kind
/// that issues the document. The first candidate that names a real
/// office wins (a `…장` line may be something else: a misread floor
/// `2층`); then the card's last Hangul line, if it names a real office
/// once the title lost under the seal is put back; else the first
/// candidate, as read.
pub(super) fn issuer_line(sheet: &mut Sheet<'_>, after: f32, office: Office) -> Option<usize> {
    let mut first = None;
    for index in 0..sheet.lines.len() {
        // An issuer holds no digit: a `…장` line with one is an address
        // whose floor (`2층`) was misread.
        if sheet.lines[index].area.y < after - 1.0 || digits_inside(&sheet.lines[index].text) {
            continue;
        }
        let text = without_seal_mark(labels::strip_leading(&with_left_neighbour(sheet, index)));
        if !titled(&text) {
            continue;
        }
        let checked = admin::check_issuer(office, &issuer_title(text));
        let confidence = checked_confidence(checked.verdict, sheet.lines[index].confidence);
        if checked.verdict != Verdict::Unmatched {
            sheet.set(FieldName::Issuer, checked.text, confidence);
            return Some(index);
        }
        first.get_or_insert((index, checked.text, confidence));
    }
    if let Some(index) = untitled_issuer(sheet, after, office) {
        return Some(index);
    }
    let (index, text, confidence) = first?;
    sheet.set(FieldName::Issuer, text, confidence);
    Some(index)
}

/// Whether an issuer's title ends `text`.
fn titled(text: &str) -> bool {
    text.ends_with('장') || text.ends_with("군수")
}

/// Whether `text` holds a digit before its last Hangul: a digit after it
/// is the seal printed over the title's end (`달성군4`), not a number.
fn digits_inside(text: &str) -> bool {
    text.trim_end_matches(|c: char| !('가'..='힣').contains(&c))
        .chars()
        .any(|c| c.is_ascii_digit())
}

/// The issuer without a lone syllable after its title (`평창군수 급`):
/// the seal beside it read as one.
fn without_seal_mark(text: String) -> String {
    match text.rsplit_once(' ') {
        Some((issuer, mark)) if mark.chars().count() == 1 && titled(issuer) => issuer.to_owned(),
        _ => text,
    }
}

/// The issuer whose title is lost (under the seal printed over it, or to
/// the recogniser): the last line with Hangul words, if it names a real
/// office once its title is put back (`강화군` → `강화군수`), or, for
/// an immigration office, by its middle part (`출입국`).
fn untitled_issuer(sheet: &mut Sheet<'_>, after: f32, office: Office) -> Option<usize> {
    let index = (0..sheet.lines.len())
        .filter(|i| {
            let line = &sheet.lines[*i];
            let hangul = hangul_words(&line.text);
            line.area.y >= after - 1.0
                && !digits_inside(&line.text)
                && hangul.chars().count() >= 3
                && (office != Office::Immigration || immigration_words(&hangul))
        })
        .max_by(|a, b| {
            let centre = |i: &usize| sheet.lines[*i].area.centre_y();
            centre(a).total_cmp(&centre(b))
        })?;
    let text = labels::strip_leading(&with_left_neighbour(sheet, index));
    let restored = match office {
        Office::DistrictHead if text.ends_with('군') => format!("{text}수"),
        Office::DistrictHead if text.ends_with(['구', '시']) || text.ends_with("구청") => {
            format!("{text}장")
        }
        Office::Police if text.ends_with("경찰청") => format!("{text}장"),
        Office::Immigration => text,
        _ => return None,
    };
    let checked = admin::check_issuer(office, &issuer_title(restored));
    if checked.verdict == Verdict::Unmatched {
        return None;
    }
    let confidence = checked_confidence(Verdict::Corrected, sheet.lines[index].confidence);
    sheet.set(FieldName::Issuer, checked.text, confidence);
    Some(index)
}

/// The line's Hangul words, after those of a line ending just left of it
/// on the same row: a long title is sometimes found as two lines.
fn with_left_neighbour(sheet: &Sheet<'_>, index: usize) -> String {
    let area = sheet.lines[index].area;
    let left = sheet.lines.iter().find(|l| {
        (l.area.centre_y() - area.centre_y()).abs() < area.h * 0.4
            && l.area.right() <= area.x + area.h * 0.5
            && l.area.right() > area.x - area.h * 3.0
    });
    let own = hangul_words(&sheet.lines[index].text);
    match left.map(|l| hangul_words(&l.text)) {
        Some(before) if !before.is_empty() && !labels::is_label(&before) => {
            format!("{before} {own}")
        }
        _ => own,
    }
}

/// Whether Hangul words are part of an immigration office's name (and
/// not the card's title, 외국인등록증).
fn immigration_words(hangul: &str) -> bool {
    ["출입", "입국", "외국인청", "관리사무", "사무소"]
        .iter()
        .any(|part| hangul.contains(part))
        && !hangul.contains("등록")
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
/// printed over the title's end (`유성구장`) is put back, a 장 read twice
/// (`남구청장장`) once.
fn issuer_title(issuer: String) -> String {
    // No title ends in 장장: the seal's edge read as one more 장.
    let issuer = match issuer.strip_suffix("장장") {
        Some(head) => format!("{head}장"),
        None => issuer,
    };
    match issuer.strip_suffix("구장") {
        Some(district) => format!("{district}구청장"),
        None => issuer,
    }
}

/// The address: the Hangul lines between two fields (a line without Hangul
/// there is a misread date or number, not part of the address), its
/// label (`주소`) dropped, joined in order and stopped at the next label
/// or date (`발급일 2020. 1. 15.`); its leading 시/도 and 시/군/구 checked
/// against the real ones.
pub(super) fn address(sheet: &mut Sheet<'_>, top: f32, bottom: f32, exclude: &[Option<usize>]) {
    let mut parts = Vec::new();
    let mut used: Vec<usize> = Vec::new();
    for index in sheet.text_between(top, bottom, exclude) {
        let line = &sheet.lines[index];
        let text = &line.text;
        let hangul = text.chars().any(|c| ('가'..='힣').contains(&c));
        let continued = used
            .last()
            .is_some_and(|&above| number_below(&sheet.lines[above], line));
        if !hangul && !continued {
            continue;
        }
        if find_date(text).is_some() {
            break;
        }
        let value = labels::strip_leading(text);
        let words: Vec<&str> = value.split_whitespace().collect();
        let cut = labels::label_inside(&value);
        let kept = &words[..cut.unwrap_or(words.len())];
        if !kept.is_empty() {
            parts.push(kept.join(" "));
            used.push(index);
        }
        if cut.is_some() {
            break;
        }
    }
    if used.is_empty() {
        return;
    }
    let text = neighbourhood_units(&floors_without_title(&balanced_brackets(&glued_syllables(
        &address_commas(&parts.join(" ")),
    ))));
    let confidence = used
        .iter()
        .map(|i| sheet.lines[*i].confidence)
        .fold(1.0, f32::min);
    let checked = admin::check_address(&text);
    let confidence = checked_confidence(checked.verdict, confidence);
    sheet.set(FieldName::Address, checked.text, confidence);
}

/// Whether `line` is the number of a lot or road address wrapped onto a
/// line of its own (`420-33`, `171-18,`) right under the address line
/// `above`, at its left edge.
fn number_below(above: &super::Line, line: &super::Line) -> bool {
    let number = line.text.chars().any(|c| c.is_ascii_digit())
        && line.text.chars().count() <= LOT_NUMBER
        && line
            .text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ',' | '.' | ' '));
    number
        && line.area.y > above.area.y
        && line.area.y < above.area.bottom() + above.area.h * 0.5
        && (line.area.x - above.area.x).abs() < above.area.h
}

/// The longest lot or road number with its separators (`1234-5678,`):
/// a registration number is longer.
const LOT_NUMBER: usize = 10;

/// Korean addresses print commas (`테헤란로 123, 101동`), each followed by
/// a space, and never a period or a slash: a period or slash before a
/// space is a comma the recogniser misread.
fn address_commas(text: &str) -> String {
    let text = text.replace(". ", ", ").replace("/ ", ", ");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == ',' && chars.peek().is_some_and(|next| !next.is_whitespace()) {
            out.push(' ');
        }
    }
    out
}

/// Syllables that end a word of an address and never stand alone: the
/// units of places (시, 구, 동, 로, 길…) and of buildings (동, 호, 층).
const WORD_ENDINGS: [&str; 13] = [
    "시", "군", "구", "읍", "면", "동", "리", "로", "길", "가", "호", "층", "반",
];

/// Syllables the recogniser set apart where the print's letter spacing is
/// wide, put back on their word: a unit after it (`서귀포 시`, `아우내순대
/// 길`), any other lone syllable before it (`관 저동`, `흥 덕구`). An
/// address has no word of one syllable.
fn glued_syllables(text: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut lone: Option<&str> = None;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let syllable =
            word.chars().count() == 1 && word.chars().all(|c| ('가'..='힣').contains(&c));
        match words.last_mut() {
            Some(previous)
                if syllable && WORD_ENDINGS.contains(&word) && !previous.ends_with(',') =>
            {
                previous.push_str(word);
                continue;
            }
            _ => {}
        }
        match lone.take() {
            Some(first) => words.push(format!("{first}{word}")),
            None if syllable => lone = Some(word),
            None => words.push(word.to_owned()),
        }
    }
    words.extend(lone.map(str::to_owned));
    words.join(" ")
}

/// Brackets in an address enclose its reference part (`(연동, 힐스테이트)`):
/// a closing bracket with none open, or right after a comma (a line's
/// edge read as `)`), is no print, and one left open at the end was lost
/// at the line's edge.
fn balanced_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open = 0usize;
    for c in text.chars() {
        match c {
            '(' => open += 1,
            ')' if open == 0 || out.trim_end().ends_with(',') => continue,
            ')' => open -= 1,
            _ => {}
        }
        out.push(c);
    }
    if open > 0 && !out.ends_with(')') {
        out.push(')');
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A floor or a room (`4층`, `303호`) ends a word: a 장 after it is the
/// title of the issuer printed below, read into it.
fn floors_without_title(text: &str) -> String {
    text.split(' ')
        .map(
            |word| match word.strip_suffix("층장").or(word.strip_suffix("호장")) {
                Some(number)
                    if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) =>
                {
                    &word[..word.len() - "장".len()]
                }
                _ => word,
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// A lot-number address ends in its 통 and 반 (`355 8통 6반`), and a
/// number before a 반 is always its 통: a `동` there is a misread 통 (a
/// building's `108동` is followed by a room, `1504호`, not a 반).
fn neighbourhood_units(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let numbered = |word: &str, unit: char| {
        word.strip_suffix(unit)
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let before_ban = words.get(i + 1).is_some_and(|next| numbered(next, '반'));
            if before_ban && numbered(word, '동') {
                format!("{}통", word.trim_end_matches('동'))
            } else {
                (*word).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The card serial: a short line without Hangul that reads, in capitals
/// and digits only, as exactly `length` characters.
pub(super) fn serial(sheet: &mut Sheet<'_>, length: usize) -> Result<(), DocError> {
    let width = sheet.gray.width() as f32;
    // A Latin name's word of the right length (`ELIZABETH`) or the country
    // (`INDONESIA`) is no serial, nor two of the name's words read as one.
    let worded: Vec<String> = [FieldName::Name, FieldName::Nationality]
        .iter()
        .filter_map(|name| sheet.fields.get(name))
        .filter_map(|field| field.value.as_text())
        .map(|text| text.split_whitespace().collect())
        .collect();
    for index in 0..sheet.lines.len() {
        let line = &sheet.lines[index];
        let hangul = line
            .text
            .chars()
            .filter(|c| ('가'..='힣').contains(c))
            .count();
        // A period read inside a serial (`EUWY.JW`) is a speck; a date's
        // are between its numbers.
        let dated = line.text.contains('.') && line.digits() >= 4;
        // Words in small letters (`Driver's License`) read in capitals
        // make a serial's length once their spaces go: a serial's first
        // reading is mostly capitals and digits already.
        let capitals = line
            .text
            .chars()
            .filter(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            .count();
        if line.area.w > 0.35 * width
            || hangul > 2
            || dated
            || capitals * 2 < length
            || line.text.contains('~')
        {
            continue;
        }
        let reading = sheet.reread(index, Script::Latin)?;
        // Any capitals and digits: nothing in the documents' facts leaves
        // out I, O or Q, so they are kept as read. A serial has no space,
        // dash or slash: one read inside it is a gap or a speck between
        // two characters (`W9E-G9FKHN`, `26FWW/1MU7`); the numbers printed
        // with dashes have other lengths once they go.
        let code: String = reading
            .text
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '/'))
            .collect();
        let fits = code.len() == length
            && one_speck_inside(&reading.text)
            && code.chars().all(|c| c.is_ascii_alphanumeric());
        // A word of the name read with a digit in it (`LI J1ANGUO`) is
        // the name too.
        let letters: String = code.chars().filter(char::is_ascii_alphabetic).collect();
        let of_words = letters.len() + 1 >= code.len()
            && letters.len() >= 5
            && worded.iter().any(|words| words.contains(&letters));
        if fits && !of_words {
            sheet.set(FieldName::SerialNumber, code, reading.confidence);
            return Ok(());
        }
    }
    Ok(())
}

/// Whether `text` holds at most one dash or slash, and that one between
/// two letters or digits: a speck inside a code, not a separator printed
/// between words (`THAILAND / 태국`).
fn one_speck_inside(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let specks: Vec<usize> = (0..chars.len())
        .filter(|&i| matches!(chars[i], '-' | '/'))
        .collect();
    let alphanumeric = |i: usize| chars.get(i).is_some_and(char::is_ascii_alphanumeric);
    match specks.as_slice() {
        [] => true,
        [at] => *at > 0 && alphanumeric(at - 1) && alphanumeric(at + 1),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
