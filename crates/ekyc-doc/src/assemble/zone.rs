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
    let mut readings = Vec::new();
    for row in bottom.iter().rev().take(2) {
        readings.insert(0, read_row(sheet, row)?);
    }
    let mut best = best_of(&readings, &[]);
    if best.as_ref().is_some_and(|m| m.valid) {
        return Ok(best);
    }
    if let Some(row) = bottom.iter().rev().nth(2) {
        readings.insert(0, read_row(sheet, row)?);
        best = better(best, best_of(&readings, &[MrzFormat::Td1]));
        if best.as_ref().is_some_and(|m| m.valid) {
            return Ok(best);
        }
    }
    Ok(better(best, search(sheet, &rows)?))
}

/// Every row of MRZ shape on the page read, and each run of two or three
/// of them that read long enough tried as an MRZ: the valid one, if any.
fn search(sheet: &mut Sheet<'_>, rows: &[TextBox]) -> Result<Option<Mrz>, DocError> {
    let mut wide: Vec<TextBox> = rows
        .iter()
        .filter(|r| r.w >= LINE_ASPECT * r.h)
        .copied()
        .collect();
    wide.sort_by(|a, b| b.w.total_cmp(&a.w));
    wide.truncate(SEARCHED_ROWS);
    wide.sort_by(|a, b| a.y.total_cmp(&b.y));
    let mut read: Vec<Option<Vec<String>>> = Vec::new();
    for row in &wide {
        let readings = read_row(sheet, row)?;
        let long = readings.iter().any(|r| r.len() >= MIN_CHARACTERS);
        read.push(long.then_some(readings));
    }
    let mut best = None;
    for size in [2, 3] {
        for window in read.windows(size) {
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

/// A row read with the OCR-B model, spaces dropped.
fn read_row(sheet: &mut Sheet<'_>, row: &TextBox) -> Result<Vec<String>, DocError> {
    let readings =
        sheet
            .recogniser
            .readings(&line_crop(sheet.gray, row), Script::Mrz, MRZ_READINGS)?;
    Ok(readings
        .into_iter()
        .map(|r| r.text.chars().filter(|c| !c.is_whitespace()).collect())
        .collect())
}

/// The page's lines joined into rows (a row detected in pieces is one
/// MRZ line), top to bottom.
pub(super) fn rows_of(lines: impl Iterator<Item = TextBox>) -> Vec<TextBox> {
    let mut rows: Vec<TextBox> = Vec::new();
    for line in lines {
        match rows
            .iter_mut()
            .find(|r| (r.centre_y() - line.centre_y()).abs() < r.h.min(line.h) / 2.0)
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
            TextBox {
                y: top.max(row.y),
                h: bottom.min(row.bottom()) - top.max(row.y),
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
