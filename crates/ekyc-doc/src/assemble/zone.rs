//! Finding the MRZ on a page and reading it with the OCR-B model, in
//! whichever ICAO format it is printed.
//!
//! A passport page puts its MRZ at the bottom, so the bottom rows are read
//! first (two rows, then a third for a TD1 card's three). A page of
//! another layout (an ID card's back, a visa, a photo that is no page at
//! all) may put it elsewhere: then every row wide enough to be an MRZ line
//! is read, and each run of two or three such rows is tried.

use std::cmp::Reverse;

use super::Sheet;
use crate::mrz::{self, Mrz, MrzFormat};
use crate::page::line_crop;
use crate::recognise::Script;
use crate::textdet::TextBox;
use crate::DocError;

/// Readings of each MRZ row to choose from (the CRNN recogniser offers
/// Tesseract's OCR-B reading and its own).
const MRZ_READINGS: usize = 2;
/// Share of the page's height above which a passport's MRZ never starts.
const BOTTOM_ZONE: f32 = 0.72;
/// An MRZ line is at least this many times as wide as it is high (30
/// OCR-B characters are about twenty heights wide).
const LINE_ASPECT: f32 = 8.0;
/// Characters an MRZ row's reading needs (the shortest format has 30;
/// OCR drops fillers at the end).
const MIN_CHARACTERS: usize = 20;
/// Rows read in the search for an MRZ anywhere on the page, widest first.
const SEARCHED_ROWS: usize = 12;

/// The MRZ of the page: the bottom rows first, then anywhere.
pub(super) fn machine_readable_zone(sheet: &mut Sheet<'_>) -> Result<Option<Mrz>, DocError> {
    let rows = rows_of(sheet.lines.iter().map(|l| l.area));
    let height = sheet.gray.height() as f32;
    let bottom: Vec<TextBox> = rows
        .iter()
        .filter(|r| r.centre_y() > BOTTOM_ZONE * height)
        .copied()
        .collect();
    let mut read = Vec::new();
    let mut readings = Vec::new();
    for row in bottom.iter().rev().take(2) {
        readings.insert(0, read_row(sheet, row, &mut read)?);
    }
    let mut best = best_of(&readings, &[]);
    if best.as_ref().is_some_and(|m| m.valid) {
        return Ok(best);
    }
    if let Some(row) = bottom.iter().rev().nth(2) {
        readings.insert(0, read_row(sheet, row, &mut read)?);
        best = better(best, best_of(&readings, &[MrzFormat::Td1]));
        if best.as_ref().is_some_and(|m| m.valid) {
            return Ok(best);
        }
    }
    Ok(better(best, search(sheet, &rows, &mut read)?))
}

/// Whether `lines` make at least two rows of an MRZ line's shape: a photo
/// without them is not searched, since reading rows costs more than
/// finding them and most photos without a document have none.
pub(crate) fn may_hold_mrz(lines: &[TextBox]) -> bool {
    rows_of(lines.iter().copied())
        .iter()
        .filter(|r| r.w >= LINE_ASPECT * r.h)
        .count()
        >= 2
}

/// Every row of MRZ shape on the page read, and each run of two or three
/// of them that read long enough tried as an MRZ: the valid one, if any.
fn search(
    sheet: &mut Sheet<'_>,
    rows: &[TextBox],
    read: &mut Vec<(TextBox, Vec<String>)>,
) -> Result<Option<Mrz>, DocError> {
    let mut wide: Vec<TextBox> = rows
        .iter()
        .filter(|r| r.w >= LINE_ASPECT * r.h)
        .copied()
        .collect();
    wide.sort_by(|a, b| b.w.total_cmp(&a.w));
    wide.truncate(SEARCHED_ROWS);
    wide.sort_by(|a, b| a.y.total_cmp(&b.y));
    let mut long_rows: Vec<Option<Vec<String>>> = Vec::new();
    for row in &wide {
        let readings = read_row(sheet, row, read)?;
        let long = readings.iter().any(|r| r.len() >= MIN_CHARACTERS);
        long_rows.push(long.then_some(readings));
    }
    let mut best = None;
    for size in [2, 3] {
        for window in long_rows.windows(size) {
            let Some(lines) = window.iter().cloned().collect::<Option<Vec<_>>>() else {
                continue;
            };
            best = better(best, best_of(&lines, &[]));
        }
    }
    Ok(best.filter(|m| m.valid))
}

/// The best MRZ the lines make in any format of their count (or only in
/// `only`, when given). Formats of one line count and code differ in
/// length only (MRV-A and MRV-B), and a visa has no check digit over its
/// optional data: of two valid readings, the format that cuts off fewer of
/// the characters read wins.
fn best_of(lines: &[Vec<String>], only: &[MrzFormat]) -> Option<Mrz> {
    MrzFormat::ALL
        .into_iter()
        .filter(|f| f.lines() == lines.len() && (only.is_empty() || only.contains(f)))
        .filter_map(|format| {
            let cut = cut_off(lines, format.line_length());
            mrz::best_mrz(format, lines).map(|mrz| (mrz, cut))
        })
        .max_by_key(|(mrz, cut)| {
            (
                mrz.valid,
                Reverse(*cut),
                mrz.format_holds,
                mrz.checks_holding,
            )
        })
        .map(|(mrz, _)| mrz)
}

/// Characters other than fillers that lines of `length` leave out of the
/// first reading of each line.
fn cut_off(lines: &[Vec<String>], length: usize) -> usize {
    lines
        .iter()
        .filter_map(|readings| readings.first())
        .map(|line| line.chars().skip(length).filter(|c| *c != '<').count())
        .sum()
}

/// A valid reading first, then the most check digits holding.
fn score(mrz: &Mrz) -> (bool, bool, usize) {
    (mrz.valid, mrz.format_holds, mrz.checks_holding)
}

fn better(a: Option<Mrz>, b: Option<Mrz>) -> Option<Mrz> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if score(&b) > score(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// A row read with the OCR-B model, spaces dropped; `read` keeps the rows
/// read so far, so that the search does not read the bottom rows again.
fn read_row(
    sheet: &mut Sheet<'_>,
    row: &TextBox,
    read: &mut Vec<(TextBox, Vec<String>)>,
) -> Result<Vec<String>, DocError> {
    if let Some((_, texts)) = read.iter().find(|(area, _)| area == row) {
        return Ok(texts.clone());
    }
    let crop = line_crop(sheet.gray, row);
    let texts: Vec<String> = sheet
        .recogniser
        .readings(&crop, Script::Mrz, MRZ_READINGS)?
        .into_iter()
        .map(|r| r.text.chars().filter(|c| !c.is_whitespace()).collect())
        .collect();
    read.push((*row, texts.clone()));
    Ok(texts)
}

/// The page's lines joined into rows (a row detected in pieces is one
/// MRZ line), top to bottom.
pub(super) fn rows_of(lines: impl Iterator<Item = TextBox>) -> Vec<TextBox> {
    let mut rows: Vec<TextBox> = Vec::new();
    for line in lines {
        match rows
            .iter_mut()
            .find(|r| (r.centre_y() - line.centre_y()).abs() < r.h / 2.0)
        {
            Some(row) => *row = union(row, &line),
            None => rows.push(line),
        }
    }
    rows.sort_by(|a, b| a.y.total_cmp(&b.y));
    apart(&rows)
}

/// The rows with their overlaps cut at the middle between centres: the
/// detector grows each line's box, and the two or three lines of an MRZ
/// are set so close that a grown box takes in half of its neighbours,
/// which the OCR-B model then reads into the line.
fn apart(rows: &[TextBox]) -> Vec<TextBox> {
    (0..rows.len())
        .map(|i| {
            let row = rows[i];
            let top = i
                .checked_sub(1)
                .map(|p| rows[p])
                .filter(|above| above.bottom() > row.y)
                .map_or(row.y, |above| (above.centre_y() + row.centre_y()) / 2.0);
            let bottom = rows
                .get(i + 1)
                .filter(|below| below.y < row.bottom())
                .map_or(row.bottom(), |below| {
                    (below.centre_y() + row.centre_y()) / 2.0
                });
            // No cut comes nearer the row's centre than a quarter of its
            // height: rows that nearly share a centre stay whole.
            let top = top.max(row.y).min(row.centre_y() - row.h / 4.0);
            let bottom = bottom.min(row.bottom()).max(row.centre_y() + row.h / 4.0);
            TextBox {
                y: top,
                h: bottom - top,
                ..row
            }
        })
        .collect()
}

/// The box that holds both `a` and `b`.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mrz::check_digit;

    fn area(x: f32, y: f32, w: f32, h: f32) -> TextBox {
        TextBox {
            x,
            y,
            w,
            h,
            score: 0.9,
        }
    }

    #[test]
    fn pieces_of_a_row_are_joined_and_close_rows_cut_apart() {
        // One MRZ line detected in two pieces, and the next line's box
        // grown into it.
        let rows = rows_of(
            [
                area(10.0, 100.0, 300.0, 40.0),
                area(320.0, 102.0, 200.0, 38.0),
                area(10.0, 125.0, 510.0, 40.0),
            ]
            .into_iter(),
        );
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].x, rows[0].right()), (10.0, 520.0));
        // Cut at the middle between the centres (120 and 145).
        assert_eq!(rows[0].bottom(), 132.5);
        assert_eq!(rows[1].y, 132.5);
        assert_eq!(rows[1].bottom(), 165.0);
    }

    #[test]
    fn a_cut_leaves_half_of_each_row() {
        let rows = apart(&[area(0.0, 100.0, 500.0, 40.0), area(0.0, 110.0, 500.0, 40.0)]);
        assert_eq!(rows[0].bottom(), 130.0);
        assert_eq!(rows[1].y, 120.0);
    }

    #[test]
    fn only_two_rows_of_an_mrz_lines_shape_are_worth_a_search() {
        let line = |y: f32| area(10.0, y, 600.0, 30.0);
        assert!(may_hold_mrz(&[line(100.0), line(140.0)]));
        // One such row, and words or a face's edges.
        let words = [line(100.0), area(10.0, 200.0, 120.0, 30.0)];
        assert!(!may_hold_mrz(&words));
        assert!(!may_hold_mrz(&[]));
    }

    fn digit(field: &str) -> char {
        char::from_digit(check_digit(field).expect("MRZ characters"), 10).expect("a digit")
    }

    #[test]
    fn a_visa_is_read_in_the_format_that_keeps_every_character() {
        let line1 = format!("{:<<44}", "V<NZLSMITH<<JANE");
        let head = format!(
            "AB1234567{}CAN850314{}F310630{}",
            digit("AB1234567"),
            digit("850314"),
            digit("310630")
        );
        // MRV-A's optional data runs past MRV-B's 36 characters; OCR
        // dropped the fillers at the end of both lines.
        let line2 = format!("{head}XY12345678");
        let readings = [vec![line1.trim_end_matches('<').to_owned()], vec![line2]];
        let mrz = best_of(&readings, &[]).expect("a visa");
        assert!(mrz.valid);
        assert_eq!(mrz.format, MrzFormat::MrvA);
        assert_eq!(mrz.optional_data, "XY12345678");
        assert_eq!(cut_off(&readings, 36), 2);
        assert_eq!(cut_off(&readings, 44), 0);
    }
}
