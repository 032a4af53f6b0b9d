//! Voting between readings of the MRZ: the recognisers give more than one
//! reading of each line, and each misreads different characters. The check
//! digits say which reading, or which mix of two readings, holds.

use std::cmp::Reverse;

use super::format::{Layout, MrzFormat, Span};
use super::parse::{korean_passport_number, parse, Mrz};

/// The lines (one list of readings per line of `format`) that make the
/// best MRZ: the most check digits holding, then a well-formed code, states
/// and number, then the fewest characters out of place (see [`faults`]);
/// the recogniser's order breaks ties. A line that holds check digits is
/// also tried as every mix of its first two readings, so that each
/// reading's errors can be outvoted by the other's characters where the
/// check digits say so.
pub(crate) fn best_mrz(format: MrzFormat, readings: &[Vec<String>]) -> Option<Mrz> {
    if readings.len() != format.lines() || readings.iter().any(Vec::is_empty) {
        return None;
    }
    let layout = format.layout();
    let checked = checked_lines(&layout);
    let mix_positions = MIX_POSITIONS / checked.len().max(1);
    let candidates: Vec<Vec<String>> = readings
        .iter()
        .enumerate()
        .map(|(line, texts)| {
            let fitted: Vec<String> = texts
                .iter()
                .map(|t| fit_mrz_line(t, format.line_length()))
                .collect();
            match &fitted[..] {
                [first, second, ..] if checked.contains(&line) => {
                    mixes(first, second, mix_positions)
                }
                _ => fitted,
            }
        })
        .collect();
    let nationality_of = |lines: &[String]| {
        let span = layout.nationality;
        lines[span.line]
            .get(span.start..span.end)
            .map(str::to_owned)
    };
    let mut best: Option<(Mrz, MrzScore)> = None;
    for lines in product(&candidates) {
        let mut lines = lines;
        if let Some(nationality) = nationality_of(&lines) {
            lines[0] = fit_mrz_line(
                &realign_line1(&lines[0], &nationality),
                format.line_length(),
            );
        }
        let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
        let Ok(parsed) = parse(format, &texts) else {
            continue;
        };
        let score = (
            parsed.checks_holding,
            parsed.format_holds,
            Reverse(faults(&layout, &lines, &parsed)),
        );
        if best.as_ref().is_none_or(|(_, s)| score > *s) {
            best = Some((parsed, score));
        }
    }
    best.map(|(parsed, _)| parsed)
}

/// How good a reading is: check digits holding, then a well-formed code,
/// states and number, then the fewest characters out of place.
type MrzScore = (usize, bool, Reverse<usize>);

/// Most differing positions whose mixes are tried, shared among the lines
/// that hold check digits (2^8 parses at most).
const MIX_POSITIONS: usize = 8;

/// The lines that hold a check digit.
fn checked_lines(layout: &Layout) -> Vec<usize> {
    let mut lines: Vec<usize> = layout.digits().iter().map(|s| s.line).collect();
    lines.push(layout.number_check.line);
    lines.sort_unstable();
    lines.dedup();
    lines
}

/// Every choice of one candidate per line, the first candidates first.
fn product(candidates: &[Vec<String>]) -> Vec<Vec<String>> {
    candidates.iter().fold(vec![Vec::new()], |chosen, options| {
        chosen
            .iter()
            .flat_map(|head| {
                options.iter().map(move |option| {
                    let mut lines = head.clone();
                    lines.push(option.clone());
                    lines
                })
            })
            .collect()
    })
}

/// Characters out of place in a reading (as read, before repairs), which
/// no check digit sees: digits where only letters go (the code, the states,
/// the name), a code the format does not carry, no `<<` between surname
/// and given names, an issuing state other than the nationality (they are
/// the same on national documents, and a reading that shifted the line
/// shows here; visas are issued to foreigners), and a Korean passport
/// number of neither shape.
fn faults(layout: &Layout, lines: &[String], parsed: &Mrz) -> usize {
    let span_text = |span: Span| {
        lines[span.line]
            .get(span.start..span.end)
            .unwrap_or_default()
    };
    let digits = layout
        .letters()
        .iter()
        .map(|span| {
            span_text(*span)
                .chars()
                .filter(char::is_ascii_digit)
                .count()
        })
        .sum::<usize>();
    let code = usize::from(
        !span_text(layout.document_code)
            .chars()
            .next()
            .is_some_and(|c| parsed.format.allows_code(c)),
    );
    let separator = usize::from(!span_text(layout.name).trim_end_matches('<').contains("<<"));
    let visa = matches!(parsed.format, MrzFormat::MrvA | MrzFormat::MrvB);
    let state = usize::from(
        !visa && span_text(layout.issuing_state).trim_end_matches('<') != parsed.nationality,
    );
    let korean = usize::from(
        parsed.format == MrzFormat::Td3
            && parsed.issuing_country == "KOR"
            && !korean_passport_number(&parsed.document_number),
    );
    digits + code + separator + state + korean
}

/// `first` and `second` (lines of one length), and the lines that take
/// some of the positions where they differ from `second`, fewest first.
/// Lines that differ in more than `most` places are not mixed.
fn mixes(first: &str, second: &str, most: usize) -> Vec<String> {
    let (a, b): (Vec<char>, Vec<char>) = (first.chars().collect(), second.chars().collect());
    let differ: Vec<usize> = (0..a.len().min(b.len()))
        .filter(|&i| a[i] != b[i])
        .collect();
    if a.len() != b.len() || differ.len() > most {
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

/// Line 1 has no check digit over its state, so a character OCR adds
/// before the issuing state would shift the rest unnoticed. The state is
/// three letters at positions 3–5; on national documents it equals the
/// nationality, which finds it when it moved.
fn realign_line1(line1: &str, nationality: &str) -> String {
    if !nationality.chars().all(|c| c.is_ascii_uppercase()) || nationality.len() != 3 {
        return line1.to_owned();
    }
    if line1.get(2..5) == Some(nationality) {
        return line1.to_owned();
    }
    match line1.get(..8).and_then(|head| head.find(nationality)) {
        Some(at) if at >= 2 => format!("{}{}", &line1[..2], &line1[at..]),
        Some(1) => format!("{}<{}", &line1[..1], &line1[1..]),
        _ => line1.to_owned(),
    }
}

/// OCR drops or adds filler `<` at the end of a line: the line fitted to
/// `length`, extra characters cut from its end. Only ASCII is kept (no
/// MRZ character is anything else), so that the line can be cut anywhere.
fn fit_mrz_line(text: &str, length: usize) -> String {
    let mut line: String = text.chars().filter(|c| c.is_ascii_graphic()).collect();
    line.truncate(length);
    while line.len() < length {
        line.push('<');
    }
    line
}

#[cfg(test)]
mod tests;
