//! `--capture`: the same cards captured in several ways, each way reported
//! apart, so a reader that only reads phone photos shows where it fails.
//!
//! A card not found (`4040B`) and a card found but unreadable (`40904`)
//! are counted apart from fields read wrong: the first two point at the
//! finder, the last at the recogniser or the parsers.

use std::time::Duration;

use anyhow::Context;
use ekyc_docgen::{Capture, KINDS};

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

/// One row of the table: the cards of one condition (and one type, or all).
struct Row {
    cards: usize,
    not_found: usize,
    unreadable: usize,
    found: usize,
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
        unreadable: failed("40904"),
        found: outcomes.iter().filter(|o| o.result.is_ok()).count(),
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
    println!(
        "  {condition:<16}{kind:<10}{:>6}{:>7}{:>7}{:>8}{:>8}{:>8}{:>9}{:>9}{:>8}{:>8}",
        row.cards,
        row.not_found,
        row.unreadable,
        rate(row.found, row.cards),
        rate(row.key, row.cards),
        rate(row.name.0, row.name.1),
        rate(row.address.0, row.address.1),
        cer,
        rate(row.all, row.cards),
        median
    );
}

/// A table per capture condition: for all types and each type, the cards
/// not found and unreadable, the rates (in %) of cards found, key fields
/// all exact (number and dates), Hangul name exact, address exact and its
/// CER, every field exact, and the median latency.
pub(super) fn report_captures(outcomes: &[Outcome], conditions: &[Capture]) {
    println!(
        "\nper capture condition (the same cards in each; rates in %, \
         key = ID/licence/passport number, birth date and dates all exact):"
    );
    println!(
        "  {:<16}{:<10}{:>6}{:>7}{:>7}{:>8}{:>8}{:>8}{:>9}{:>9}{:>8}{:>8}",
        "condition",
        "type",
        "cards",
        "4040B",
        "40904",
        "found",
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
            result: Err(code.to_owned()),
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
        assert_eq!((row.found, row.key, row.all), (0, 0, 0));
        assert_eq!(row.name, (0, 3));
        assert_eq!(row.address.1, 0);
        assert_eq!(row.median, Some(Duration::from_millis(20)));
    }

    #[test]
    fn names_in_hangul_are_told_from_latin_ones() {
        assert!(is_hangul("김민수"));
        assert!(!is_hangul("XIAO MARIA WANG"));
    }
}
