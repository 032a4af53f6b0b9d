//! How well the generated cards are read: field exact match and character
//! error rate per type, confidence calibration, latency per stage, and the
//! wrong fields themselves.

use std::collections::BTreeMap;
use std::time::Duration;

use ekyc_doc::kind::DocumentKind;
use ekyc_doc::{Reading, StageTimings};
use ekyc_docgen::{Capture, KINDS};

use super::{as_truth, pct, truth_value, value, Outcome, FIELDS};
use crate::report::summarize;

/// Per type: cards read, type right, and each printed field's exact-match
/// rate (with CER for addresses and Korean names); MRZ validity.
pub(super) fn report_fields(outcomes: &[Outcome]) {
    println!("\nfield exact match (right / cards that print the field):");
    for kind in KINDS {
        let of_kind: Vec<&Outcome> = outcomes.iter().filter(|o| o.kind == kind).collect();
        let read = of_kind.iter().filter(|o| o.result.is_ok()).count();
        let typed = of_kind
            .iter()
            .filter(|o| o.result.as_ref().is_ok_and(|r| r.kind == kind))
            .count();
        println!(
            "  {}: {} cards, read {} ({}), type right {}",
            kind.id_type(),
            of_kind.len(),
            read,
            pct(read, of_kind.len()),
            pct(typed, of_kind.len())
        );
        for field in FIELDS {
            let printed: Vec<(&Outcome, String)> = of_kind
                .iter()
                .filter_map(|o| truth_value(&o.truth, field).map(|t| (*o, t)))
                .collect();
            if printed.is_empty() {
                continue;
            }
            let right = printed
                .iter()
                .filter(|(o, t)| {
                    o.result
                        .as_ref()
                        .ok()
                        .and_then(|r| value(r, field))
                        .as_ref()
                        == Some(t)
                })
                .count();
            let mut line = format!(
                "    {field:<13} {:>7} ({right}/{})",
                pct(right, printed.len()),
                printed.len()
            );
            if field == "address" {
                line.push_str(&format!(", CER {:.2} %", 100.0 * cer(&printed, field)));
            }
            if field == "name" && kind != DocumentKind::Foreign {
                line.push_str(&format!(", CER {:.2} %", 100.0 * cer(&printed, field)));
            }
            println!("{line}");
        }
        if kind == DocumentKind::Passport {
            let readings: Vec<&Reading> = of_kind
                .iter()
                .filter_map(|o| o.result.as_ref().ok())
                .collect();
            let returned: Vec<bool> = readings
                .iter()
                .filter_map(|r| r.mrz.as_ref().map(|m| m.valid))
                .collect();
            let valid = returned.iter().filter(|v| **v).count();
            let withheld = readings
                .iter()
                .filter(|r| r.mrz.is_none() && r.checks.mrz_check_digits == Some(false))
                .count();
            println!(
                "    MRZ returned {} of {}; check digits pass on {} of those; complete (valid) {}; \
                 withheld for failing check digits {}",
                returned.len(),
                of_kind.len(),
                valid,
                pct(valid, of_kind.len()),
                withheld
            );
        }
    }
}

/// Character error rate: edit distance over truth length, summed over cards
/// (a card read without the field counts every character wrong).
pub(super) fn cer(printed: &[(&Outcome, String)], field: &str) -> f64 {
    let mut errors = 0;
    let mut total = 0;
    for (outcome, truth) in printed {
        let read = outcome
            .result
            .as_ref()
            .ok()
            .and_then(|r| value(r, field))
            .unwrap_or_default();
        let truth: Vec<char> = truth.chars().collect();
        let read: Vec<char> = read.chars().collect();
        errors += edit_distance(&truth, &read);
        total += truth.len();
    }
    errors as f64 / total.max(1) as f64
}

/// Levenshtein distance between two strings of characters.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Whether the document's confidence means something: how often a reading
/// that claims ≥ 0.95 has every printed field right, and what readings
/// with a printed field missing claim.
pub(super) fn report_document_confidence(outcomes: &[Outcome]) {
    let mut confident = (0, 0);
    let mut gaps = Vec::new();
    for outcome in outcomes {
        let Ok(reading) = &outcome.result else {
            continue;
        };
        let printed: Vec<(&str, String)> = FIELDS
            .iter()
            .filter_map(|f| truth_value(&outcome.truth, f).map(|t| (*f, t)))
            .collect();
        let all_right = printed
            .iter()
            .all(|(f, t)| value(reading, f).as_ref() == Some(t));
        if reading.confidence >= 0.95 {
            confident.0 += usize::from(all_right);
            confident.1 += 1;
        }
        if printed.iter().any(|(f, _)| value(reading, f).is_none()) {
            gaps.push(reading.confidence);
        }
    }
    gaps.sort_by(f32::total_cmp);
    println!(
        "\ndocument confidence: readings at >= 0.95 with every field right {} ({} of {}); \
         readings missing a printed field: {}, highest confidence {:.2}",
        pct(confident.0, confident.1),
        confident.0,
        confident.1,
        gaps.len(),
        gaps.last().copied().unwrap_or(0.0)
    );
}

/// How often fields at each confidence level are right.
pub(super) fn report_calibration(outcomes: &[Outcome]) {
    let mut bins: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for outcome in outcomes {
        let Ok(reading) = &outcome.result else {
            continue;
        };
        let mut scored: Vec<(f32, bool)> = reading
            .fields
            .iter()
            .filter_map(|(name, field)| {
                let truth = truth_value(&outcome.truth, name.as_str())?;
                Some((field.confidence, as_truth(&field.value) == truth))
            })
            .collect();
        if let (Some((number, confidence)), Some(truth)) =
            (&reading.id_number, outcome.truth.get("idNum"))
        {
            let read = number.masked(ekyc_doc::registration::Masking::None);
            scored.push((*confidence, &read == truth));
        }
        for (confidence, right) in scored {
            let bin = ((confidence * 10.0) as usize).min(9);
            let entry = bins.entry(bin).or_default();
            entry.0 += usize::from(right);
            entry.1 += 1;
        }
    }
    println!("\nfield confidence calibration (fields right / fields returned):");
    for (bin, (right, total)) in bins {
        println!(
            "  [{:.1}, {:.1}): {} ({right}/{total})",
            bin as f32 / 10.0,
            (bin + 1) as f32 / 10.0,
            pct(right, total)
        );
    }
}

/// End-to-end time per card and the reader's own stage timings.
pub(super) fn report_latency(outcomes: &[Outcome]) {
    println!("\nlatency per card (one inference thread each):");
    let mut walls: Vec<Duration> = outcomes.iter().map(|o| o.wall).collect();
    println!("  end to end: {}", summarize(&mut walls));
    let stages: Vec<StageTimings> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok().map(|r| r.timings))
        .collect();
    let stage = |pick: fn(&StageTimings) -> f64| {
        let mut values: Vec<Duration> = stages
            .iter()
            .map(|t| Duration::from_secs_f64(pick(t) / 1000.0))
            .collect();
        summarize(&mut values)
    };
    println!("  finding + rectifying: {}", stage(|t| t.finding));
    println!("  text detection + direction: {}", stage(|t| t.detection));
    println!("  recognition (first pass): {}", stage(|t| t.recognition));
    println!("  parsing (with field re-reads): {}", stage(|t| t.parsing));
}

/// The first `limit` fields read wrong, with what was read.
pub(super) fn report_failures(outcomes: &[Outcome], limit: usize) {
    if limit == 0 {
        return;
    }
    println!("\nfirst {limit} wrong fields:");
    let mut shown = 0;
    for outcome in outcomes {
        for field in FIELDS {
            let Some(truth) = truth_value(&outcome.truth, field) else {
                continue;
            };
            let read = match &outcome.result {
                Ok(r) => value(r, field).unwrap_or_else(|| "(none)".to_owned()),
                Err(e) => e.clone(),
            };
            if read != truth && shown < limit {
                shown += 1;
                let captured = match outcome.capture {
                    Capture::Phone => String::new(),
                    other => format!(" ({other})"),
                };
                println!(
                    "  {} #{}{captured} {field}: {truth:?} read {read:?}",
                    outcome.kind.id_type(),
                    outcome.seed
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(edit_distance(&chars("서울특별시"), &chars("서울특별시")), 0);
        // One Hangul syllable substituted, one dropped.
        assert_eq!(edit_distance(&chars("서울특별시"), &chars("서을특별")), 2);
        assert_eq!(edit_distance(&chars(""), &chars("abc")), 3);
        assert_eq!(edit_distance(&chars("abc"), &chars("")), 3);
    }

    #[test]
    fn percentages_of_nothing_are_zero() {
        assert_eq!(pct(1, 3), "33.33 %");
        assert_eq!(pct(0, 0), "0.00 %");
    }
}
