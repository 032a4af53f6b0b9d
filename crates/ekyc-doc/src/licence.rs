//! Driver's licence numbers: `RR-YY-SSSSSS-CD` (region, year, serial,
//! check). Cards issued before June 2014 print the region's name instead
//! of its code (`서울 20-123456-78`); both read to the code form.

/// Region codes and the names older cards print (27 is unused).
pub const REGIONS: [(&str, &str); 17] = [
    ("11", "서울"),
    ("12", "부산"),
    ("13", "경기"),
    ("14", "강원"),
    ("15", "충북"),
    ("16", "충남"),
    ("17", "전북"),
    ("18", "전남"),
    ("19", "경북"),
    ("20", "경남"),
    ("21", "제주"),
    ("22", "대구"),
    ("23", "인천"),
    ("24", "광주"),
    ("25", "대전"),
    ("26", "울산"),
    ("28", "경기북부"),
];

/// Licence types as printed, in the order of the law.
pub const LICENCE_TYPES: [&str; 9] = [
    "1종대형",
    "1종보통",
    "1종소형",
    "대형견인차",
    "구난차",
    "소형견인차",
    "2종보통",
    "2종소형",
    "2종원동기장치자전거",
];

/// A licence number, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenceNumber {
    /// `RR-YY-SSSSSS-CD`.
    pub code_form: String,
    /// The region's name, when the card printed it instead of the code.
    pub printed_region: Option<&'static str>,
}

/// Reads a licence number in either form; `None` when it has neither
/// shape or names an unknown region.
pub fn parse(text: &str) -> Option<LicenceNumber> {
    let text = text.trim();
    let (region_code, printed_region, rest) = match REGIONS
        .iter()
        // Longest name first: 경기북부 before 경기.
        .filter(|(_, name)| text.starts_with(name))
        .max_by_key(|(_, name)| name.len())
    {
        Some(&(code, name)) => (code, Some(name), &text[name.len()..]),
        None => ("", None, text),
    };
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let stray = rest
        .chars()
        .any(|c| !(c.is_ascii_digit() || matches!(c, '-' | ' ' | '–' | '.')));
    if stray {
        return None;
    }
    let splits: &[usize] = if printed_region.is_some() {
        &[2, 8]
    } else {
        &[2, 4, 10]
    };
    if !grouped_as_printed(rest, splits) {
        return None;
    }
    let digits = match printed_region {
        Some(_) if digits.len() == 10 => format!("{region_code}{digits}"),
        None if digits.len() == 12 => digits,
        _ => return None,
    };
    if !REGIONS.iter().any(|(code, _)| *code == &digits[..2]) {
        return None;
    }
    Some(LicenceNumber {
        code_form: format!(
            "{}-{}-{}-{}",
            &digits[..2],
            &digits[2..4],
            &digits[4..10],
            &digits[10..]
        ),
        printed_region,
    })
}

/// Whether the digit groups of `text` split where a licence number's do
/// (after `splits` digits; a group may hold several of the number's): a
/// card or membership number of twelve digits in fours (`1234-5678-9012`)
/// is no licence number. Hyphens and dots are printed, so where there are
/// any they decide; spaces count only without them, since the recogniser
/// sometimes reads a space into a run of digits.
fn grouped_as_printed(text: &str, splits: &[usize]) -> bool {
    let printed = text.contains(['-', '–', '.']);
    let mut count = 0;
    let mut boundaries = Vec::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            count += 1;
        } else if (printed && c != ' ') || (!printed && c == ' ') {
            boundaries.push(count);
        }
    }
    boundaries
        .into_iter()
        .filter(|&at| at > 0 && at < count)
        .all(|at| splits.contains(&at))
}

/// The licence type a text names, tolerating spaces OCR inserts.
pub fn licence_type(text: &str) -> Option<&'static str> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    LICENCE_TYPES.iter().copied().find(|t| compact == *t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn code_and_region_name_forms() {
        let new = parse("11-20-123456-78").unwrap();
        assert_eq!(new.code_form, "11-20-123456-78");
        assert_eq!(new.printed_region, None);
        let old = parse("서울 20-123456-78").unwrap();
        assert_eq!(old.code_form, "11-20-123456-78");
        assert_eq!(old.printed_region, Some("서울"));
        let north = parse("경기북부 09-123456-01").unwrap();
        assert_eq!(north.code_form, "28-09-123456-01");
    }

    #[test]
    fn unknown_regions_and_shapes_are_refused() {
        assert!(parse("27-20-123456-78").is_none());
        assert!(parse("11-20-12345-78").is_none());
        assert!(parse("부천 20-123456-78").is_none());
        assert!(parse("11-2O-123456-78").is_none());
    }

    #[test]
    fn other_numbers_of_twelve_digits_are_refused() {
        assert!(parse("1234-5678-9012").is_none());
        assert!(parse("1234 5678 9012").is_none());
        assert!(parse("112-012-345-678").is_none());
        assert!(parse("서울 2012-3456-78").is_none());
        assert_eq!(
            parse("11-20 123456-78").unwrap().code_form,
            "11-20-123456-78"
        );
        assert_eq!(
            parse("1120 123456 78").unwrap().code_form,
            "11-20-123456-78"
        );
        assert_eq!(parse("112012345678").unwrap().code_form, "11-20-123456-78");
    }

    #[test]
    fn licence_types() {
        assert_eq!(licence_type("1종 보통"), Some("1종보통"));
        assert_eq!(
            licence_type("2종원동기장치자전거"),
            Some("2종원동기장치자전거")
        );
        assert_eq!(licence_type("3종보통"), None);
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,30}") {
            let _ = parse(&text);
            let _ = licence_type(&text);
        }

        #[test]
        fn every_region_reads_both_ways(index in 0usize..17, rest in "[0-9]{2}-[0-9]{6}-[0-9]{2}") {
            let (code, name) = REGIONS[index];
            let coded = parse(&format!("{code}-{rest}")).unwrap();
            let named = parse(&format!("{name} {rest}")).unwrap();
            prop_assert_eq!(coded.code_form, named.code_form);
        }
    }
}
