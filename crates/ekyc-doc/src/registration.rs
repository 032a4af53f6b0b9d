//! Resident (주민등록번호) and foreigner (외국인등록번호) registration
//! numbers: `YYMMDD-GNNNNNN`.
//!
//! The seventh digit gives the century and sex, and tells residents (0–4,
//! 9) from foreigners (5–8). Numbers issued before October 2020 end in a
//! check digit; newer ones do not, so a failed checksum is a signal and
//! never a reason to refuse a card.

use chrono::{Datelike, NaiveDate};

/// A registration number as printed, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationNumber {
    digits: [u8; 13],
    /// The first six digits with the century the seventh gives; `None`
    /// when they are no date (a misread number).
    pub birth_date: Option<NaiveDate>,
    /// From the seventh digit, odd for men and even for women.
    pub sex: Option<Sex>,
    /// The seventh digit is 5–8: a foreigner's number.
    pub foreigner: bool,
}

/// The holder's sex as the seventh digit encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// Odd seventh digits (1, 3, 5, 7, 9).
    Male,
    /// Even seventh digits (0, 2, 4, 6, 8).
    Female,
}

/// How a registration number is shown in answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Masking {
    /// `******-*******`: the contract's default.
    #[default]
    All,
    /// `YYMMDD-G******`.
    KeepBirthDateAndGender,
    /// The full number: only when the operator turns it on explicitly.
    None,
}

/// Reads `YYMMDD-GNNNNNN` (the hyphen may be missing or be a space, an en
/// dash or a tilde, as OCR often sees it); `None` unless 13 digits remain.
pub fn parse(text: &str) -> Option<RegistrationNumber> {
    let separators = ['-', '–', '—', '~', ' ', '.'];
    let digits: Vec<u8> = text
        .trim()
        .chars()
        .filter(|c| !separators.contains(c))
        .map(|c| c.to_digit(10).map(|d| d as u8))
        .collect::<Option<_>>()?;
    let digits: [u8; 13] = digits.try_into().ok()?;
    let gender = digits[6];
    let century = match gender {
        9 | 0 => 1800,
        1 | 2 | 5 | 6 => 1900,
        3 | 4 | 7 | 8 => 2000,
        _ => return None,
    };
    let two = |i: usize| u32::from(digits[i]) * 10 + u32::from(digits[i + 1]);
    let birth_date = NaiveDate::from_ymd_opt(century + two(0) as i32, two(2), two(4));
    Some(RegistrationNumber {
        digits,
        birth_date,
        sex: Some(if gender % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }),
        foreigner: (5..=8).contains(&gender),
    })
}

/// The number printed within a line (`주민등록번호 810218-1548245`, as a
/// detector boxes a label and its value together): six digits, a dash,
/// seven digits, with no digit either side.
pub fn find(text: &str) -> Option<RegistrationNumber> {
    let chars: Vec<char> = text.chars().collect();
    let digit_run = |from: usize, count: usize| {
        chars
            .get(from..from + count)
            .is_some_and(|run| run.iter().all(char::is_ascii_digit))
    };
    (0..chars.len()).find_map(|start| {
        if start > 0 && chars[start - 1].is_ascii_digit() || !digit_run(start, 6) {
            return None;
        }
        let mut at = start + 6;
        at += chars[at..].iter().take_while(|c| **c == ' ').count();
        if !matches!(chars.get(at), Some('-' | '–' | '—')) {
            return None;
        }
        at += 1;
        at += chars[at..].iter().take_while(|c| **c == ' ').count();
        let closed = chars.get(at + 7).is_none_or(|c| !c.is_ascii_digit());
        (digit_run(at, 7) && closed)
            .then(|| parse(&chars[start..at + 7].iter().collect::<String>()))
            .flatten()
    })
}

impl RegistrationNumber {
    /// The check digit holds (`(11 − Σ wᵢdᵢ mod 11) mod 10`, weights 2–9,
    /// 2–5; 13 instead of 11 for foreigners). Numbers issued since
    /// October 2020 fail it legitimately.
    pub fn checksum_holds(&self) -> bool {
        const WEIGHTS: [u32; 12] = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
        let sum: u32 = self
            .digits
            .iter()
            .zip(WEIGHTS)
            .map(|(&d, w)| u32::from(d) * w)
            .sum();
        let base = if self.foreigner { 13 } else { 11 };
        (base - sum % 11) % 10 == u32::from(self.digits[12])
    }

    /// The birth date part is a real date.
    pub fn date_is_valid(&self) -> bool {
        self.birth_date.is_some()
    }

    /// The birth date is a real date of someone alive on `today`: born in
    /// 1900 or later (the seventh digits 9 and 0 of the 1800s are valid
    /// numbers, but nobody holding a card in use was born then) and not
    /// after `today`.
    pub fn birth_date_plausible(&self, today: NaiveDate) -> bool {
        self.birth_date
            .is_some_and(|birth| birth.year() >= 1900 && birth <= today)
    }

    /// The seventh digit fits the document: 5–8 on a foreigner's card,
    /// 0–4 or 9 on a Korean one.
    pub fn fits(&self, foreign_document: bool) -> bool {
        self.foreigner == foreign_document
    }

    /// The number as it may be shown under `masking`.
    pub fn masked(&self, masking: Masking) -> String {
        let text: String = self.digits.iter().map(|d| char::from(b'0' + d)).collect();
        match masking {
            Masking::All => "******-*******".to_owned(),
            Masking::KeepBirthDateAndGender => format!("{}-{}******", &text[..6], &text[6..7]),
            Masking::None => format!("{}-{}", &text[..6], &text[6..]),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_number_is_found_after_its_label() {
        let found = find("주민등록번호 810218-1548245").unwrap();
        assert_eq!(found.digits, parse("8102181548245").unwrap().digits);
        assert!(find("주민등록번호 810218 - 1548245").is_some());
        assert!(find("9810218-1548245").is_none());
        assert!(find("810218-15482451").is_none());
        assert!(find("발급일 2020. 1. 15.").is_none());
    }

    use super::*;
    use proptest::prelude::*;

    /// A number with a valid check digit, built from its first 12 digits.
    fn with_check_digit(first12: &str, foreigner: bool) -> String {
        let weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
        let sum: u32 = first12
            .chars()
            .zip(weights)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        let base = if foreigner { 13 } else { 11 };
        format!(
            "{}-{}{}",
            &first12[..6],
            &first12[6..],
            (base - sum % 11) % 10
        )
    }

    #[test]
    fn reads_residents_and_foreigners() {
        let resident = parse(&with_check_digit("900101123456", false)).unwrap();
        assert_eq!(resident.birth_date, NaiveDate::from_ymd_opt(1990, 1, 1));
        assert_eq!(resident.sex, Some(Sex::Male));
        assert!(!resident.foreigner && resident.checksum_holds());

        let foreigner = parse(&with_check_digit("050229823456", true)).unwrap();
        assert!(foreigner.foreigner && foreigner.checksum_holds());
        assert_eq!(foreigner.sex, Some(Sex::Female));
        // 2005 was not a leap year: the date is flagged, the number kept.
        assert!(!foreigner.date_is_valid());
    }

    #[test]
    fn the_seventh_digit_must_fit_the_document_and_a_living_holder() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        // A foreigner's 5 misread as 0: a Korean number of someone born
        // in 1884, which no foreigner's card may carry.
        let misread = parse("840807-0062544").unwrap();
        assert!(!misread.fits(true) && misread.fits(false));
        assert!(!misread.birth_date_plausible(today));
        let foreigner = parse("840807-5062544").unwrap();
        assert!(foreigner.fits(true) && !foreigner.fits(false));
        assert!(foreigner.birth_date_plausible(today));
        let unborn = parse("271201-3062544").unwrap();
        assert!(!unborn.birth_date_plausible(today));
    }

    #[test]
    fn a_failed_checksum_is_only_a_signal() {
        let number = parse("900101-1234560").unwrap();
        assert!(!number.checksum_holds());
        assert!(number.date_is_valid());
    }

    #[test]
    fn ocr_separators_and_bad_lengths() {
        assert!(parse("900101 1234568").is_some());
        assert!(parse("900101–1234568").is_some());
        assert!(parse("900101-123456").is_none());
        assert!(parse("9001O1-1234568").is_none());
    }

    #[test]
    fn masking() {
        let number = parse("900101-1234568").unwrap();
        assert_eq!(number.masked(Masking::All), "******-*******");
        assert_eq!(
            number.masked(Masking::KeepBirthDateAndGender),
            "900101-1******"
        );
        assert_eq!(number.masked(Masking::None), "900101-1234568");
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,30}") {
            let _ = parse(&text).map(|n| (n.checksum_holds(), n.masked(Masking::All)));
        }

        #[test]
        fn generated_numbers_round_trip(first in "[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[1-8][0-9]{5}") {
            let foreigner = matches!(first.as_bytes()[6], b'5'..=b'8');
            let number = parse(&with_check_digit(&first, foreigner)).unwrap();
            prop_assert!(number.checksum_holds());
            prop_assert!(number.date_is_valid());
            prop_assert_eq!(number.foreigner, foreigner);
        }
    }
}
