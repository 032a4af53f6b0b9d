//! `--capture`: the same cards captured in several ways, each way reported
//! apart, so a reader that only reads phone photos shows where it fails.
//!
//! A card not found (`4040B`) and a card found but unreadable (`40904`)
//! are counted apart from fields read wrong: the first two point at the
//! finder, the last at the recogniser or the parsers. For cards not found,
//! the finder's outlines are checked against the card's own, to tell an
//! outline never found from one found and then rejected; for cards read,
//! the reading's corners are, to tell fields misread on the right card
//! from fields read off a wrong outline.

use std::time::Duration;

use anyhow::Context;
use ekyc_doc::find::find_cards;
use ekyc_docgen::{Capture, Corners, KINDS};
use image::RgbImage;

use super::accuracy::cer;
use super::{truth_value, value, Outcome, FIELDS};

/// The fields a KYC decision rests on: the document's number and dates.
const KEY_FIELDS: [&str; 6] = [
    "idNum",
    "birthDate",
    "licenseNo",
    "passportNo",
    "issueDate",
    "expiryDate",
];

/// The conditions `--capture` names, in the order given, each once;
/// `all` names every one.
pub(super) fn conditions(names: &[String]) -> anyhow::Result<Vec<Capture>> {
    let mut conditions: Vec<Capture> = Vec::new();
    for name in names {
        let named = if name.trim().eq_ignore_ascii_case("all") {
            Capture::ALL.to_vec()
        } else {
            vec![name.parse::<Capture>().context("--capture")?]
        };
        for capture in named {
            if !conditions.contains(&capture) {
                conditions.push(capture);
            }
        }
    }
    anyhow::ensure!(!conditions.is_empty(), "--capture names no condition");
    Ok(conditions)
}

/// The finder's outlines checked for the card's own, as many as the reader
/// opens.
const OUTLINES: usize = 4;

/// An outline within this share of the card's diagonal of the card's own
/// corners, at each corner, is the card's.
const OUTLINE_TOLERANCE: f32 = 0.06;

/// The largest distance from a corner of `found` to the matching corner
/// of `truth`, over the card's diagonal. Corners are matched under the
/// best cyclic shift: the finder starts its outline at a long side, not at
/// the card's top-left.
fn outline_error(found: &Corners, truth: &Corners) -> f32 {
    let distance =
        |a: [f32; 2], b: [f32; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    let diagonal = distance(truth[0], truth[2]).max(1.0);
    (0..4)
        .map(|shift| {
            (0..4)
                .map(|i| distance(found[(i + shift) % 4], truth[i]))
                .fold(0.0, f32::max)
        })
        .fold(f32::MAX, f32::min)
        / diagonal
}

/// Whether the finder's outlines of `image` hold the card at `corners`:
/// asked of a card not found, it tells an outline missed from one found
/// and then rejected (no title, too few text lines).
pub(super) fn outline_found(image: &RgbImage, corners: &Corners) -> bool {
    find_cards(image, OUTLINES)
        .iter()
        .any(|found| outline_error(&found.corners, corners) < OUTLINE_TOLERANCE)
}

/// One row of the table: the cards of one condition (and one type, or all).
struct Row {
    cards: usize,
    not_found: usize,
    /// Of the cards not found, those whose outline the finder did find.
    outline_rejected: usize,
    unreadable: usize,
    found: usize,
    /// Of the cards read, those read off an outline that is not the card's.
    off_card: usize,
    key: usize,
    /// Cards whose name is printed in Hangul: (read exactly, printed).
    name: (usize, usize),
    /// Cards that print an address: (read exactly, printed, CER).
    address: (usize, usize, f64),
    all: usize,
    median: Option<Duration>,
}

/// Whether `field` was read exactly on the card; `None` when the card
/// does not print it.
fn exact(outcome: &Outcome, field: &str) -> Option<bool> {
    let truth = truth_value(&outcome.truth, field)?;
    let read = outcome.result.as_ref().ok().and_then(|r| value(r, field));
    Some(read.as_ref() == Some(&truth))
}

/// Every printed field of `fields` read exactly.
fn all_exact(outcome: &Outcome, fields: &[&str]) -> bool {
    fields.iter().all(|f| exact(outcome, f) != Some(false))
}

fn is_hangul(text: &str) -> bool {
    text.chars().any(|c| ('가'..='힣').contains(&c))
}

fn row(outcomes: &[&Outcome]) -> Row {
    let failed = |code: &str| {
        outcomes
            .iter()
            .filter(|o| o.result.as_ref().err().is_some_and(|e| e == code))
            .count()
    };
    let hangul: Vec<&&Outcome> = outcomes
        .iter()
        .filter(|o| o.truth.get("name").is_some_and(|n| is_hangul(n)))
        .collect();
    let addressed: Vec<(&Outcome, String)> = outcomes
        .iter()
        .filter_map(|o| truth_value(&o.truth, "address").map(|t| (*o, t)))
        .collect();
    let mut walls: Vec<Duration> = outcomes.iter().map(|o| o.wall).collect();
    walls.sort();
    Row {
        cards: outcomes.len(),
        not_found: failed("4040B"),
        outline_rejected: outcomes.iter().filter(|o| o.outline == Some(true)).count(),
        unreadable: failed("40904"),
        found: outcomes.iter().filter(|o| o.result.is_ok()).count(),
        off_card: outcomes
            .iter()
            .filter(|o| {
                o.result
                    .as_ref()
                    .is_ok_and(|r| outline_error(&r.corners, &o.corners) >= OUTLINE_TOLERANCE)
            })
            .count(),
        key: outcomes
            .iter()
            .filter(|o| all_exact(o, &KEY_FIELDS))
            .count(),
        name: (
            hangul
                .iter()
                .filter(|o| exact(o, "name") == Some(true))
                .count(),
            hangul.len(),
        ),
        address: (
            addressed
                .iter()
                .filter(|(o, _)| exact(o, "address") == Some(true))
                .count(),
            addressed.len(),
            cer(&addressed, "address"),
        ),
        all: outcomes.iter().filter(|o| all_exact(o, &FIELDS)).count(),
        median: walls.get(walls.len().saturating_sub(1) / 2).copied(),
    }
}

/// `part` of `whole` in percent with one decimal, `-` of none.
fn rate(part: usize, whole: usize) -> String {
    if whole == 0 {
        "-".to_owned()
    } else {
        format!("{:.1}", 100.0 * part as f64 / whole as f64)
    }
}

fn print_row(condition: &str, kind: &str, row: &Row) {
    let cer = if row.address.1 == 0 {
        "-".to_owned()
    } else {
        format!("{:.2}", 100.0 * row.address.2)
    };
    let median = row.median.map_or("-".to_owned(), |d| {
        format!("{:.0}", d.as_secs_f64() * 1000.0)
    });
    let not_found = format!("{} ({})", row.not_found, row.outline_rejected);
    println!(
        "  {condition:<16}{kind:<10}{:>6}{:>9}{:>7}{:>8}{:>5}{:>8}{:>8}{:>9}{:>9}{:>8}{:>8}",
        row.cards,
        not_found,
        row.unreadable,
        rate(row.found, row.cards),
        row.off_card,
        rate(row.key, row.cards),
        rate(row.name.0, row.name.1),
        rate(row.address.0, row.address.1),
        cer,
        rate(row.all, row.cards),
        median
    );
}

/// A table per capture condition: for all types and each type, the cards
/// not found (and of those, how many the finder had outlined) and
/// unreadable, the rate (in %) of cards found and how many of those were
/// read off a wrong outline, the rates of key fields all exact (number and
/// dates), Hangul name exact, address exact and its CER, every field
/// exact, and the median latency.
pub(super) fn report_captures(outcomes: &[Outcome], conditions: &[Capture]) {
    println!(
        "\nper capture condition (the same cards in each; rates in %; 4040B (n): n of them \
         outlined by the finder, then rejected; off: read off an outline that is not the \
         card's; key = ID/licence/passport number, birth date and dates all exact):"
    );
    println!(
        "  {:<16}{:<10}{:>6}{:>9}{:>7}{:>8}{:>5}{:>8}{:>8}{:>9}{:>9}{:>8}{:>8}",
        "condition",
        "type",
        "cards",
        "4040B",
        "40904",
        "found",
        "off",
        "key",
        "name",
        "address",
        "addr CER",
        "all",
        "ms p50"
    );
    for capture in conditions {
        let of_capture: Vec<&Outcome> = outcomes.iter().filter(|o| o.capture == *capture).collect();
        print_row(capture.name(), "all", &row(&of_capture));
        for kind in KINDS {
            let of_kind: Vec<&Outcome> = of_capture
                .iter()
                .copied()
                .filter(|o| o.kind == kind)
                .collect();
            if !of_kind.is_empty() {
                print_row("", kind.id_type(), &row(&of_kind));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ekyc_doc::kind::DocumentKind;
    use ekyc_docgen::Truth;

    use super::*;

    #[test]
    fn all_names_every_condition_once() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            conditions(&names(&["all"])).expect("all"),
            Capture::ALL.to_vec()
        );
        assert_eq!(
            conditions(&names(&["flat-scan", "phone", "flat-scan"])).expect("two"),
            vec![Capture::FlatScan, Capture::Phone]
        );
        assert!(conditions(&names(&["scanner"])).is_err());
        assert!(conditions(&[]).is_err());
    }

    fn failed(code: &str, ms: u64) -> Outcome {
        let mut truth = Truth::new();
        truth.insert("name", "김민수".to_owned());
        truth.insert("idNum", "900101-1234567".to_owned());
        Outcome {
            kind: DocumentKind::Resident,
            capture: Capture::FlatScan,
            seed: 1,
            truth,
            corners: [[0.0, 0.0], [856.0, 0.0], [856.0, 540.0], [0.0, 540.0]],
            result: Err(code.to_owned()),
            outline: (code == "4040B").then_some(ms == 10),
            wall: Duration::from_millis(ms),
        }
    }

    /// A card not found and a card found unreadable are told apart, and
    /// neither counts as found or as read.
    #[test]
    fn cards_not_found_are_counted_apart_from_unreadable_ones() {
        let outcomes = [
            failed("4040B", 10),
            failed("40904", 30),
            failed("4040B", 20),
        ];
        let refs: Vec<&Outcome> = outcomes.iter().collect();
        let row = row(&refs);
        assert_eq!((row.cards, row.not_found, row.unreadable), (3, 2, 1));
        assert_eq!(row.outline_rejected, 1);
        assert_eq!((row.found, row.key, row.all), (0, 0, 0));
        assert_eq!(row.name, (0, 3));
        assert_eq!(row.address.1, 0);
        assert_eq!(row.median, Some(Duration::from_millis(20)));
    }

    /// The finder starts an outline at any corner; a shifted start is the
    /// same outline, a shrunken one is not.
    #[test]
    fn outlines_match_whatever_corner_they_start_at() {
        let card: Corners = [[100.0, 50.0], [956.0, 80.0], [940.0, 620.0], [90.0, 600.0]];
        let shifted = [card[2], card[3], card[0], card[1]];
        assert!(outline_error(&shifted, &card) < 1e-6);
        let inner = card.map(|[x, y]| [x * 0.8 + 100.0, y * 0.8 + 60.0]);
        assert!(outline_error(&inner, &card) > OUTLINE_TOLERANCE);
    }

    #[test]
    fn names_in_hangul_are_told_from_latin_ones() {
        assert!(is_hangul("김민수"));
        assert!(!is_hangul("XIAO MARIA WANG"));
    }
}
