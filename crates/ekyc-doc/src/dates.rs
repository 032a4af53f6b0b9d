//! The date formats printed on Korean ID documents, read to ISO dates:
//! `2020. 1. 15.` (resident card), `2015.07.01` (licence, alien card),
//! `01 JAN 1990` (passport, optionally with the Korean month:
//! `01 1월/JAN 1990`), and periods `2025.01.01 ~ 2025.12.31` (licence
//! renewal), whose end is the expiry date.

use chrono::{Datelike, NaiveDate};

/// Years a date printed on a document can fall in: holders' birth dates
/// and issue and expiry dates of documents in use. A reading outside them
/// (`20024`, `1024`) is a misread digit, never a date.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// A date in any of the printed formats, within [`YEARS`].
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    dotted(text)
        .or_else(|| passport_style(text))
        .filter(in_range)
}

/// Whether `date` falls in [`YEARS`].
pub fn in_range(date: &NaiveDate) -> bool {
    YEARS.contains(&date.year())
}

/// The end of a `start ~ end` period (or the single date printed).
pub fn period_end(text: &str) -> Option<NaiveDate> {
    let end = text.rsplit(['~', '∼', '〜']).next()?;
    parse_date(end)
}

/// `YYYY. M. D.` and `YYYY.MM.DD`, also with `-` or `/` (or none between
/// a two-digit month and day).
fn dotted(text: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text
        .split(['.', '-', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let (year, month, day) = match parts[..] {
        [year, month, day] => (year, month, day),
        // `2025.0127`: the period between month and day lost under a seal.
        [year, month_day] if month_day.len() == 4 && month_day.is_ascii() => {
            (year, &month_day[..2], &month_day[2..])
        }
        _ => return None,
    };
    if year.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

/// `DD MON YYYY`, ignoring a Korean month name before a slash.
fn passport_style(text: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [day, month, year] = words[..] else {
        return None;
    };
    let month = month.rsplit('/').next()?.to_ascii_uppercase();
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    if year.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month, day.parse().ok()?)
}

/// A passport date whose Korean month OCR mangled (`15 1OI/JAN 2030`, as
/// read in capitals only): the day is the first number, the month the first
/// English month name, the year the last four digits.
pub fn loose_passport_date(text: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = text.split([' ', '/']).filter(|w| !w.is_empty()).collect();
    let day: u32 = words.first()?.parse().ok()?;
    let (at, month) = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| Some((i, MONTHS.iter().position(|m| w.contains(m))?)))?;
    // The year follows the month; the detector may join the next column's
    // text (the issuing authority) after it.
    let year: i32 = words[at + 1..]
        .iter()
        .find(|w| w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))?
        .parse()
        .ok()?;
    NaiveDate::from_ymd_opt(year, month as u32 + 1, day).filter(in_range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn passport_dates_with_a_lost_korean_month() {
        let date = NaiveDate::from_ymd_opt(2030, 1, 15);
        assert_eq!(loose_passport_date("15 1OI/JAN 2030"), date);
        assert_eq!(loose_passport_date("15 JAN 2030"), date);
        assert_eq!(loose_passport_date("15 XYZ 2030"), None);
        assert_eq!(
            loose_passport_date("15 1월/JAN 2030 MINISTRY OF FOREIGN AFFAIRS"),
            date
        );
    }

    #[test]
    fn every_printed_format() {
        assert_eq!(parse_date("2020. 1. 15."), ymd(2020, 1, 15));
        assert_eq!(parse_date("2015.07.01"), ymd(2015, 7, 1));
        assert_eq!(parse_date("2025.0127"), ymd(2025, 1, 27));
        assert_eq!(parse_date("01 JAN 1990"), ymd(1990, 1, 1));
        assert_eq!(parse_date("15 1월/JAN 2030"), ymd(2030, 1, 15));
        assert_eq!(period_end("2025.01.01 ~ 2025.12.31"), ymd(2025, 12, 31));
        assert_eq!(period_end("2025.12.31"), ymd(2025, 12, 31));
    }

    #[test]
    fn impossible_dates_are_refused() {
        assert_eq!(parse_date("2021.02.29"), None);
        assert_eq!(parse_date("20.01.15"), None);
        assert_eq!(parse_date("2025.127"), None);
        assert_eq!(parse_date("2025.1327"), None);
        assert_eq!(parse_date("32 JAN 1990"), None);
        assert_eq!(parse_date("01 JANUARY 1990"), None);
    }

    #[test]
    fn years_outside_any_document_are_refused() {
        // A digit OCR doubled: the answer once held "+20024-04-12".
        assert_eq!(parse_date("12 APR 20024"), None);
        assert_eq!(parse_date("12 4월/APR 20024"), None);
        assert_eq!(parse_date("1024.04.12"), None);
        assert_eq!(parse_date("2999.04.12"), None);
        assert_eq!(loose_passport_date("12 APR 2924"), None);
        assert_eq!(parse_date("12 APR 2024"), ymd(2024, 4, 12));
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,30}") {
            let _ = parse_date(&text);
            let _ = period_end(&text);
        }

        #[test]
        fn dotted_round_trip(y in 1900i32..2100, m in 1u32..=12, d in 1u32..=28) {
            prop_assert_eq!(parse_date(&format!("{y}. {m}. {d}.")), ymd(y, m, d));
            prop_assert_eq!(parse_date(&format!("{y}.{m:02}.{d:02}")), ymd(y, m, d));
        }
    }
}
