//! What every MRZ field shares: the check digit, the OCR look-alikes that
//! the format's fixed alphabets correct, and the six-digit dates.

use chrono::{Datelike, NaiveDate};

/// The ICAO 9303 check digit: weights 7, 3, 1 repeating; `<` counts 0,
/// digits their value, `A`–`Z` 10–35. `None` for any other character.
pub fn check_digit(field: &str) -> Option<u32> {
    let mut sum = 0;
    for (index, c) in field.chars().enumerate() {
        let value = match c {
            '<' => 0,
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return None,
        };
        sum += value * [7, 3, 1][index % 3];
    }
    Some(sum % 10)
}

/// Whether `digit` is the check digit of `field`.
pub(crate) fn digit_holds(field: &str, digit: char) -> bool {
    check_digit(field).and_then(|d| char::from_digit(d, 10)) == Some(digit)
}

/// Letters OCR confuses with digits, and the digit each stands for.
const DIGIT_LOOKALIKES: [(char, char); 9] = [
    ('O', '0'),
    ('Q', '0'),
    ('D', '0'),
    ('I', '1'),
    ('L', '1'),
    ('Z', '2'),
    ('S', '5'),
    ('G', '6'),
    ('B', '8'),
];

/// The digit a letter look-alike stands for (other characters unchanged).
pub(crate) fn as_digit(c: char) -> char {
    DIGIT_LOOKALIKES
        .iter()
        .find(|(letter, _)| *letter == c)
        .map_or(c, |&(_, digit)| digit)
}

/// The letter a digit look-alike stands for (other characters unchanged).
pub(crate) fn as_letter(c: char) -> char {
    DIGIT_LOOKALIKES
        .iter()
        .find(|(_, digit)| *digit == c)
        .map_or(c, |&(letter, _)| letter)
}

/// `YYMMDD` as a date. Birth dates take the latest century that does not
/// put them in the future; expiry dates are in 2000–2099.
pub(crate) fn mrz_date(text: &str, expiry: bool) -> Option<NaiveDate> {
    let digits: Vec<u32> = text
        .chars()
        .map(|c| c.to_digit(10))
        .collect::<Option<_>>()?;
    let [y1, y2, m1, m2, d1, d2] = digits[..] else {
        return None;
    };
    let (yy, month, day) = (y1 * 10 + y2, m1 * 10 + m2, d1 * 10 + d2);
    let this_year = chrono::Utc::now().year().rem_euclid(100) as u32;
    let century = if expiry || yy <= this_year {
        2000
    } else {
        1900
    };
    NaiveDate::from_ymd_opt((century + yy) as i32, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_of_known_fields() {
        assert_eq!(check_digit("L898902C3"), Some(6));
        assert_eq!(check_digit("740812"), Some(2));
        assert_eq!(check_digit("120415"), Some(9));
        assert_eq!(check_digit("ab"), None);
        assert!(digit_holds("740812", '2'));
        assert!(!digit_holds("740812", '<'));
    }

    #[test]
    fn lookalikes_map_both_ways() {
        assert_eq!(
            (as_digit('O'), as_digit('B'), as_digit('X')),
            ('0', '8', 'X')
        );
        assert_eq!(
            (as_letter('0'), as_letter('1'), as_letter('7')),
            ('O', 'I', '7')
        );
    }

    #[test]
    fn dates_take_their_century() {
        assert_eq!(
            mrz_date("740812", false),
            NaiveDate::from_ymd_opt(1974, 8, 12)
        );
        assert_eq!(
            mrz_date("120415", true),
            NaiveDate::from_ymd_opt(2012, 4, 15)
        );
        assert_eq!(mrz_date("741312", false), None);
        assert_eq!(mrz_date("74O812", false), None);
    }
}
