//! A licence's types, in any printing: a line (`1종보통 2종소형`), each
//! held type in its own box, or a grid of every type with the held ones
//! marked (a coloured cell, bold ink against faint print).
//!
//! Types are found wherever they sit (above or below the licence number),
//! matched to the nine of the law with one character of OCR error
//! allowed, and answered in the law's order. Where some types found are
//! printed in clearly stronger ink than the others, the card prints the
//! whole table (whose faint cells are not all read) and only those are
//! held. A card showing five or more types with no such mark standing out
//! has its types not answered at all, rather than every type in the table.

use image::GrayImage;

use super::Sheet;
use crate::edit::edit_distance;
use crate::fields::FieldName;
use crate::licence::LICENCE_TYPES;
use crate::reading::Checks;
use crate::textdet::TextBox;

/// As many types as this, found on one card, are a table of every type.
const TABLE: usize = 5;

/// How much darker (in grey levels, on average) the held types' print
/// must be than the others' for a table's marks to be told apart.
const MARK_CONTRAST: f32 = 30.0;

/// One type as found: where its characters lie, and how confident.
struct Found {
    kind: &'static str,
    area: TextBox,
    confidence: f32,
}

/// Finds the licence types among the lines whose centre lies between
/// `top` and `bottom`, and sets both type fields.
pub(super) fn licence_types(sheet: &mut Sheet<'_>, top: f32, bottom: f32, checks: &mut Checks) {
    let mut found = Vec::new();
    for index in sheet.text_between(top, bottom, &[]) {
        found.extend(in_line(&sheet.lines[index]));
    }
    let mut kinds: Vec<&'static str> = found.iter().map(|f| f.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    if kinds.len() > 1 {
        // Fewer types than a table's are less to go by: their marks must
        // stand out twice as clearly (a dense type's print reads darker
        // than a sparse one's in the same ink).
        let contrast = if kinds.len() >= TABLE {
            MARK_CONTRAST
        } else {
            2.0 * MARK_CONTRAST
        };
        found = match marked(sheet.gray, &found, contrast) {
            Some(held) => found
                .into_iter()
                .zip(held)
                .filter(|(_, h)| *h)
                .map(|(f, _)| f)
                .collect(),
            None if kinds.len() >= TABLE => Vec::new(),
            None => found,
        };
    }
    found.sort_by_key(|f| LICENCE_TYPES.iter().position(|t| *t == f.kind));
    found.dedup_by_key(|f| f.kind);
    let Some(first) = found.first() else {
        return;
    };
    let confidence = found.iter().map(|f| f.confidence).fold(1.0, f32::min);
    sheet.set(FieldName::LicenceType, first.kind, first.confidence);
    let all = found.iter().map(|f| f.kind.to_owned()).collect();
    sheet.set_list(FieldName::LicenceTypes, all, confidence);
    checks.licence_types = Some(true);
}

/// The types in one line, the closer match winning where two could take
/// the same characters; each with the part of the line its characters
/// take, in proportion to their place in the line.
fn in_line(line: &super::Line) -> Vec<Found> {
    let compact: Vec<char> = line.compact().chars().map(repair_type_char).collect();
    let mut taken = vec![false; compact.len()];
    let mut matches: Vec<(usize, usize, usize, &'static str)> = LICENCE_TYPES
        .iter()
        .flat_map(|kind| {
            let pattern: Vec<char> = kind.chars().collect();
            fuzzy_matches(&compact, &pattern)
                .into_iter()
                .map(move |(start, length, errors)| (errors, start, length, *kind))
        })
        .collect();
    matches.sort_by_key(|(errors, _, _, kind)| (*errors, std::cmp::Reverse(kind.chars().count())));
    let mut found = Vec::new();
    for (_, start, length, kind) in matches {
        let span = start..start + length;
        if taken[span.clone()].iter().any(|t| *t) {
            continue;
        }
        taken[span.clone()].iter_mut().for_each(|t| *t = true);
        // Where the type's characters lie, in proportion to their place
        // in the line; only the middle half of that, so that a
        // neighbour's print, where the proportion is off, is left out,
        // and the middle of the line's height, so that a table's rules
        // above and below the cell are.
        let share = line.area.w / compact.len().max(1) as f32;
        let width = share * span.len() as f32;
        found.push(Found {
            kind,
            area: TextBox {
                x: line.area.x + share * span.start as f32 + width * 0.25,
                y: line.area.y + line.area.h * 0.2,
                w: width * 0.5,
                h: line.area.h * 0.6,
                ..line.area
            },
            confidence: line.confidence,
        });
    }
    found
}

/// Which of the types found are printed in stronger ink than the rest:
/// the darkest print of each is compared, and the types split in two
/// where the groups are farthest apart for their sizes (Otsu's
/// threshold). None when the two groups' inks are not `contrast` apart, as
/// on a line or boxes of held types alone.
fn marked(gray: &GrayImage, found: &[Found], contrast: f32) -> Option<Vec<bool>> {
    let inks: Vec<f32> = found.iter().map(|f| ink(gray, &f.area)).collect();
    let mut sorted = inks.clone();
    sorted.sort_by(f32::total_cmp);
    let mean = |part: &[f32]| part.iter().sum::<f32>() / part.len() as f32;
    let (_, apart, threshold) = (1..sorted.len())
        .map(|k| {
            let (dark, faint) = sorted.split_at(k);
            let apart = mean(faint) - mean(dark);
            let weight = (dark.len() * faint.len()) as f32;
            (
                weight * apart * apart,
                apart,
                (dark[dark.len() - 1] + faint[0]) / 2.0,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    (apart >= contrast).then(|| inks.iter().map(|ink| *ink < threshold).collect())
}

/// How dark the print within `area` is: the grey level below which a
/// twentieth of its pixels lie (the strokes, not the paper between them).
fn ink(gray: &GrayImage, area: &TextBox) -> f32 {
    let x0 = area.x.max(0.0) as u32;
    let y0 = area.y.max(0.0) as u32;
    let x1 = (area.right().max(0.0) as u32).min(gray.width());
    let y1 = (area.bottom().max(0.0) as u32).min(gray.height());
    let mut levels: Vec<u8> = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .map(|(x, y)| gray.get_pixel(x, y).0[0])
        .collect();
    if levels.is_empty() {
        return f32::from(u8::MAX);
    }
    levels.sort_unstable();
    f32::from(levels[levels.len() / 20])
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
/// character (none for short patterns), or, for a long one (the moped
/// licence's ten characters), one character left out: the place, the
/// characters it takes and its number of errors.
fn fuzzy_matches(text: &[char], pattern: &[char]) -> Vec<(usize, usize, usize)> {
    let allowed = if pattern.len() >= 4 { 1 } else { 0 };
    let shortened = (pattern.len() >= LONG_TYPE).then(|| pattern.len() - 1);
    let mut matches = Vec::new();
    for length in std::iter::once(pattern.len()).chain(shortened) {
        for start in 0..(text.len() + 1).saturating_sub(length) {
            let window = &text[start..start + length];
            let errors = if length == pattern.len() {
                window.iter().zip(pattern).filter(|(a, b)| a != b).count()
            } else {
                edit_distance(window, pattern)
            };
            if errors <= allowed {
                matches.push((start, length, errors));
            }
        }
    }
    matches
}

/// A type of this many characters or more may be read with one left out.
const LONG_TYPE: usize = 8;

#[cfg(test)]
mod tests;
