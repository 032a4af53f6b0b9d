//! Parsing one reading of an MRZ, in any of its formats: the check digits
//! make OCR errors correctable: a position that must be a digit but reads
//! as a look-alike letter (`O`, `I`, `B`, …) is mapped to its digit, and
//! the document number, which may hold letters, is accepted only in the
//! reading whose check digit holds. Positions that must be letters (the
//! document code, the states and the name) get the letter of a digit
//! look-alike.

use chrono::NaiveDate;

use super::check::{as_digit, as_letter, digit_holds, mrz_date};
use super::format::{Layout, MrzFormat, Span};
use super::states::known_state;

/// Line length of a TD3 (passport) MRZ.
pub const TD3_LINE: usize = 44;

/// Why an MRZ could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MrzError {
    /// Not the format's number of lines, each of its length, of `A-Z`,
    /// `0-9` and `<`.
    Shape,
}

/// An MRZ, read and checked. Passports (TD3) are the contract's; the other
/// formats (ID cards, visas) fill the same fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mrz {
    /// Which of the ICAO 9303 formats it is.
    pub format: MrzFormat,
    /// Line 1 as read after repairs.
    pub line1: String,
    /// Line 2 as read after repairs; on TD3 it holds the optional data,
    /// which on Korean passports is personal and must be masked before it
    /// leaves (see [`Mrz::masked_lines`]).
    pub line2: String,
    /// Line 3 (TD1 only: the name), after repairs.
    pub line3: Option<String>,
    /// The document code (`P<`, `PM`, `I<`, `V<`, …), fillers dropped.
    pub document_type: String,
    /// The issuing state's ICAO code.
    pub issuing_country: String,
    /// The primary identifier, fillers turned to spaces.
    pub surname: String,
    /// The secondary identifier, fillers turned to spaces.
    pub given_names: String,
    /// The document number, fillers dropped (a TD1 or TD2 number longer
    /// than nine characters included whole).
    pub document_number: String,
    /// The holder's nationality as an ICAO code.
    pub nationality: String,
    /// `None` when the six digits are no date.
    pub birth_date: Option<NaiveDate>,
    /// `M` or `F`; `None` for `<` or `X` (unspecified).
    pub sex: Option<char>,
    /// `None` when the six digits are no date.
    pub expiry_date: Option<NaiveDate>,
    /// The optional data, fillers dropped (TD1's two fields joined by a
    /// space).
    pub optional_data: String,
    /// How many of the format's check digits hold (TD3 has five: document
    /// number, birth date, expiry date, optional data, composite; TD1 and
    /// TD2 four, the visas three).
    pub checks_holding: usize,
    /// Every check digit holds.
    pub check_digits_hold: bool,
    /// The fields no check digit covers are well-formed: a document code
    /// of the format, issuing state and nationality from the ICAO list,
    /// and on a Korean passport a document code and number of its shapes.
    pub format_holds: bool,
    /// Every check digit holds and the format too: only such an MRZ is
    /// handed on as read.
    pub valid: bool,
}

/// The characters of a line, or `None` when it is not `length` of the MRZ
/// alphabet (case is forgiven).
fn clean(line: &str, length: usize) -> Option<Vec<char>> {
    let chars: Vec<char> = line
        .trim()
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let allowed = |c: &char| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<';
    (chars.len() == length && chars.iter().all(allowed)).then_some(chars)
}

/// The zone's characters, line by line.
type Grid = Vec<Vec<char>>;

fn text(grid: &Grid, span: Span) -> String {
    grid[span.line][span.start..span.end].iter().collect()
}

fn char_at(grid: &Grid, span: Span) -> char {
    grid[span.line][span.start]
}

/// Reads a TD3 (passport) MRZ; see [`parse`].
pub fn parse_td3(line1: &str, line2: &str) -> Result<Mrz, MrzError> {
    parse(MrzFormat::Td3, &[line1, line2])
}

/// Reads an MRZ of `format`, repairing digit look-alikes where the format
/// demands a digit and letter look-alikes where it demands a letter, and,
/// in the document number, choosing the reading whose check digit holds.
pub fn parse(format: MrzFormat, lines: &[&str]) -> Result<Mrz, MrzError> {
    if lines.len() != format.lines() {
        return Err(MrzError::Shape);
    }
    let mut grid: Grid = lines
        .iter()
        .map(|line| clean(line, format.line_length()))
        .collect::<Option<_>>()
        .ok_or(MrzError::Shape)?;
    let layout = format.layout();
    for span in layout.letters() {
        for c in &mut grid[span.line][span.start..span.end] {
            *c = as_letter(*c);
        }
    }
    for span in layout.digits() {
        for c in &mut grid[span.line][span.start..span.end] {
            *c = as_digit(*c);
        }
    }
    repair_document_number(&mut grid, &layout);
    let (document_number, number_holds, overflow) = document_number(format, &grid, &layout);
    let checks = [
        number_holds,
        digit_holds(
            &text(&grid, layout.birth),
            char_at(&grid, layout.birth_check),
        ),
        digit_holds(
            &text(&grid, layout.expiry),
            char_at(&grid, layout.expiry_check),
        ),
    ];
    let optional_holds = layout.optional_check.map(|check| {
        let field = text(&grid, layout.optional[0]);
        digit_holds(&field, char_at(&grid, check))
            || (field.chars().all(|c| c == '<') && char_at(&grid, check) == '<')
    });
    let composite_holds = layout.composite.map(|(check, spans)| {
        let covered: String = spans.iter().map(|s| text(&grid, *s)).collect();
        digit_holds(&covered, char_at(&grid, check))
    });
    let checks_holding = checks
        .into_iter()
        .chain(optional_holds)
        .chain(composite_holds)
        .filter(|holds| *holds)
        .count();
    let trimmed = |span: Span| text(&grid, span).trim_end_matches('<').to_owned();
    let document_type = trimmed(layout.document_code);
    let issuing_country = trimmed(layout.issuing_state);
    let nationality = trimmed(layout.nationality);
    let format_holds = format_holds(
        format,
        &document_type,
        [&issuing_country, &nationality],
        &document_number,
    );
    let names = text(&grid, layout.name);
    let (surname, given) = names.split_once("<<").unwrap_or((names.as_str(), ""));
    let words = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let optional_data = optional_spans(&layout, overflow)
        .map(|span| text(&grid, span).trim_matches('<').to_owned())
        .filter(|data| !data.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let check_digits_hold = checks_holding == format.check_digits();
    let mut lines = grid.iter().map(|line| line.iter().collect::<String>());
    Ok(Mrz {
        format,
        line1: lines.next().unwrap_or_default(),
        line2: lines.next().unwrap_or_default(),
        line3: lines.next(),
        document_type,
        issuing_country,
        surname: words(surname),
        given_names: words(given),
        document_number,
        nationality,
        birth_date: mrz_date(&text(&grid, layout.birth), false),
        sex: Some(char_at(&grid, layout.sex)).filter(|c| matches!(c, 'M' | 'F')),
        expiry_date: mrz_date(&text(&grid, layout.expiry), true),
        optional_data,
        checks_holding,
        check_digits_hold,
        format_holds,
        valid: check_digits_hold && format_holds,
    })
}

/// Reads `lines` as whichever format fits their number and length best:
/// the valid reading, else the one with the most check digits holding.
/// The lines are taken as read (no fillers added or dropped).
pub fn parse_any(lines: &[&str]) -> Option<Mrz> {
    MrzFormat::ALL
        .into_iter()
        .filter_map(|format| parse(format, lines).ok())
        .max_by_key(|mrz| (mrz.valid, mrz.format_holds, mrz.checks_holding))
}

/// The document number and whether its check digit holds. TD1 and TD2
/// numbers longer than nine characters put a filler where the check digit
/// would be and go on in the optional data, whose next filler ends them
/// after their check digit; the characters they took there are returned
/// too, so that they are not counted as optional data.
fn document_number(format: MrzFormat, grid: &Grid, layout: &Layout) -> (String, bool, usize) {
    let number = text(grid, layout.number);
    let check = char_at(grid, layout.number_check);
    if check == '<' && matches!(format, MrzFormat::Td1 | MrzFormat::Td2) {
        let rest = text(grid, layout.optional[0]);
        let tail = rest.split('<').next().unwrap_or_default();
        if let Some(digit) = tail.chars().last() {
            let whole = format!("{number}{}", &tail[..tail.len() - 1]);
            let holds = digit_holds(&whole, digit);
            return (whole.trim_end_matches('<').to_owned(), holds, tail.len());
        }
    }
    (
        number.trim_end_matches('<').to_owned(),
        digit_holds(&number, check),
        0,
    )
}

/// The optional-data spans less the first `overflow` characters (a long
/// document number's) of the first.
fn optional_spans(layout: &Layout, overflow: usize) -> impl Iterator<Item = Span> + '_ {
    layout
        .optional
        .iter()
        .enumerate()
        .map(move |(i, span)| Span {
            start: if i == 0 {
                (span.start + overflow).min(span.end)
            } else {
                span.start
            },
            ..*span
        })
}

/// Document codes of Korean passports: multiple (`PM`) and single (`PS`)
/// journey, official (`PO`), diplomatic (`PD`) and residence (`PR`).
const KOREAN_CODES: [&str; 5] = ["PM", "PS", "PO", "PD", "PR"];

/// Whether the fields no check digit covers are well-formed: the code is
/// one of the format's and a letter or filler, both states are known, and
/// a Korean passport has a Korean code and number shape.
fn format_holds(format: MrzFormat, code: &str, states: [&str; 2], number: &str) -> bool {
    let mut chars = code.chars();
    let code_holds = chars.next().is_some_and(|c| format.allows_code(c))
        && chars.next().is_none_or(|c| c.is_ascii_uppercase())
        && chars.next().is_none();
    let korean_passport = format == MrzFormat::Td3 && states[0] == "KOR";
    code_holds
        && states.iter().all(|state| known_state(state))
        && (!korean_passport || (KOREAN_CODES.contains(&code) && korean_passport_number(number)))
}

/// Whether `number` has the shape of a Korean passport number: a letter
/// and eight digits, or (since December 2021) a letter, three digits, a
/// letter and four digits. The check digit cannot see every misreading of
/// the first letter: `M`/`W` and `S`/`8` weigh the same modulo 10 there.
pub fn korean_passport_number(number: &str) -> bool {
    let chars: Vec<char> = number.chars().collect();
    let letter_at = |i: usize| chars[i].is_ascii_uppercase();
    let digits = |range: std::ops::Range<usize>| chars[range].iter().all(char::is_ascii_digit);
    chars.len() == 9
        && letter_at(0)
        && digits(1..4)
        && (chars[4].is_ascii_digit() || letter_at(4))
        && digits(5..9)
}

/// Tries the document number as read, then with look-alikes swapped one
/// position at a time, keeping the first reading whose check digit holds.
fn repair_document_number(grid: &mut Grid, layout: &Layout) {
    let (span, expected) = (layout.number, char_at(grid, layout.number_check));
    if !expected.is_ascii_digit() {
        return;
    }
    let holds = |grid: &Grid| digit_holds(&text(grid, span), expected);
    if holds(grid) {
        return;
    }
    for index in span.start..span.end {
        let original = grid[span.line][index];
        for candidate in [as_digit(original), as_letter(original)] {
            if candidate == original {
                continue;
            }
            grid[span.line][index] = candidate;
            if holds(grid) {
                return;
            }
        }
        grid[span.line][index] = original;
    }
}

impl Mrz {
    /// The lines with the optional data (and its check digit) replaced by
    /// fillers: on Korean passports issued before December 2020 it holds
    /// the back part of the resident registration number, and other states
    /// put personal numbers there too. A long document number's part in it
    /// is kept.
    pub fn masked_lines(&self) -> Vec<String> {
        let layout = self.format.layout();
        // A long number's tail and its check digit.
        let overflow = match self.document_number.len() {
            long @ 10.. => long - 9 + 1,
            _ => 0,
        };
        let mut lines: Vec<Vec<char>> = [Some(&self.line1), Some(&self.line2), self.line3.as_ref()]
            .into_iter()
            .flatten()
            .map(|line| line.chars().collect())
            .collect();
        for span in optional_spans(&layout, overflow).chain(layout.optional_check) {
            if let Some(line) = lines.get_mut(span.line) {
                for c in line.iter_mut().take(span.end).skip(span.start) {
                    *c = '<';
                }
            }
        }
        lines.into_iter().map(String::from_iter).collect()
    }
}

/// TD3 line 2 with the optional data (positions 29–42) and its check digit
/// replaced by `<` (see [`Mrz::masked_lines`]).
pub fn mask_optional_data(line2: &str) -> String {
    line2
        .chars()
        .enumerate()
        .map(|(index, c)| if (28..43).contains(&index) { '<' } else { c })
        .collect()
}

#[cfg(test)]
mod tests;
