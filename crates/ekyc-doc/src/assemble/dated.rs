//! A date found inside a line, wherever it sits in it.
//!
//! Cards print dates after a label (`발급일 2020. 1. 15.`), with or
//! without zero padding, and a photo turns a period into a comma now and
//! then: the date is whatever reads as a four-digit year, a month and a
//! day apart by such marks, not the whole line.

use chrono::NaiveDate;

use crate::dates::in_range;

/// The first `YYYY. M. D.` inside `text` (marks between the numbers: any
/// of `.`, `,`, `-`, `/` and spaces), if it is a real date in range.
pub(super) fn find_date(text: &str) -> Option<NaiveDate> {
    let chars: Vec<char> = text.chars().collect();
    let mut start = 0;
    while start < chars.len() {
        if let Some(date) = date_at(&chars, start) {
            return Some(date);
        }
        start += 1;
    }
    None
}

/// The date starting exactly at `start`, not inside a longer number.
fn date_at(chars: &[char], start: usize) -> Option<NaiveDate> {
    if start > 0 && chars[start - 1].is_ascii_digit() {
        return None;
    }
    let mut at = start;
    let mut numbers = Vec::with_capacity(3);
    for (part, width) in [(0, 4..=4), (1, 1..=2), (2, 1..=2)] {
        if part > 0 {
            let marks = skip_marks(chars, at);
            if marks == at || marks - at > 3 {
                return None;
            }
            at = marks;
        }
        let digits = chars[at..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !width.contains(&digits) {
            return None;
        }
        let number: String = chars[at..at + digits].iter().collect();
        numbers.push(number.parse::<u32>().ok()?);
        at += digits;
    }
    let year = i32::try_from(numbers[0]).ok()?;
    NaiveDate::from_ymd_opt(year, numbers[1], numbers[2]).filter(in_range)
}

/// The index past the date marks starting at `at`.
fn skip_marks(chars: &[char], at: usize) -> usize {
    at + chars[at..]
        .iter()
        .take_while(|c| matches!(c, '.' | ',' | '-' | '/' | ' '))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn dates_are_found_after_their_label() {
        assert_eq!(find_date("발급일 2020. 1. 15."), day(2020, 1, 15));
        assert_eq!(find_date("2012, 1, 19."), day(2012, 1, 19));
        assert_eq!(find_date("발행일자:2019.01.22"), day(2019, 1, 22));
        assert_eq!(find_date("2019-01-22"), day(2019, 1, 22));
    }

    #[test]
    fn numbers_that_are_not_dates_are_not_dates() {
        assert_eq!(find_date("881212-2242286"), None);
        assert_eq!(find_date("비슬로 179, 110동 2003호"), None);
        assert_eq!(find_date("2020. 13. 40."), None);
        assert_eq!(find_date("12020.1.15"), None);
    }
}
