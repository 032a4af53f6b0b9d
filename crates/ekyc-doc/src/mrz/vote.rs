//! Voting between readings of the MRZ: the recognisers give more than one
//! reading of each line, and each misreads different characters. The check
//! digits say which reading, or which mix of two readings, holds.

use std::cmp::Reverse;

use super::parse::{korean_passport_number, parse_td3, td3_line1_faults, PassportMrz, TD3_LINE};

/// The pair of row readings that makes the best TD3: line 2 with the most
/// check digits holding, then the fewest characters out of place (in line
/// 1, and a Korean passport number of the wrong shape); the recogniser's
/// order breaks ties. Line 2 is also tried as every mix of its first two
/// readings, so that each reading's errors can be outvoted by the other's
/// characters where the check digits say so.
pub(crate) fn best_td3(line1s: &[String], line2s: &[String]) -> Option<PassportMrz> {
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
            let Ok(parsed) = parse_td3(&line1, line2) else {
                continue;
            };
            let faults = td3_line1_faults(&line1, &parsed.nationality)
                + usize::from(
                    parsed.issuing_country == "KOR"
                        && !korean_passport_number(&parsed.document_number),
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
    if line.len() > TD3_LINE {
        let trimmed = line.trim_end_matches('<').len();
        line.truncate(trimmed.max(TD3_LINE));
        line.truncate(TD3_LINE);
    }
    while line.len() < TD3_LINE {
        line.push('<');
    }
    line
}

#[cfg(test)]
mod tests;
