//! Parsing one TD3 reading: the check digits make OCR errors correctable:
//! a position that must be a digit but reads as a look-alike letter (`O`,
//! `I`, `B`, …) is mapped to its digit, and the document number, which may
//! hold letters, is accepted only in the reading whose check digit holds.
//! Positions that must be letters (line 1 and the nationality) get the
//! letter of a digit look-alike.

use chrono::{Datelike, NaiveDate};

/// Line length of a TD3 (passport) MRZ.
pub const TD3_LINE: usize = 44;

/// Why an MRZ could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MrzError {
    /// Not two lines of 44 characters of `A-Z`, `0-9` and `<`.
    Shape,
}

/// A TD3 MRZ, read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassportMrz {
    /// Line 1 as read after repairs (document code, issuing state, name).
    pub line1: String,
    /// Line 2 as read after repairs; it holds the optional data, which on
    /// Korean passports is personal and must be masked before it leaves.
    pub line2: String,
    /// The document code (`P<`, or `PM`, `PS`, … on Korean passports).
    pub document_type: String,
    /// The issuing state's ICAO code.
    pub issuing_country: String,
    /// The primary identifier, fillers turned to spaces.
    pub surname: String,
    /// The secondary identifier, fillers turned to spaces.
    pub given_names: String,
    /// The document number, fillers dropped.
    pub document_number: String,
    /// The holder's nationality as an ICAO code.
    pub nationality: String,
    /// `None` when the six digits are no date.
    pub birth_date: Option<NaiveDate>,
    /// `M` or `F`; `None` for `<` (unspecified).
    pub sex: Option<char>,
    /// `None` when the six digits are no date.
    pub expiry_date: Option<NaiveDate>,
    /// Positions 29–42 of line 2, fillers dropped.
    pub optional_data: String,
    /// How many of the five check digits (document number, birth date,
    /// expiry date, optional data, composite) hold.
    pub checks_holding: usize,
    /// Every check digit holds.
    pub check_digits_hold: bool,
    /// The fields no check digit covers are well-formed: a passport
    /// document code, issuing state and nationality from the ICAO list,
    /// and on a Korean passport a document code and number of its shapes.
    pub format_holds: bool,
    /// Every check digit holds and the format too: only such an MRZ is
    /// handed on as read.
    pub valid: bool,
}

/// Every issuing state and nationality a TD3 may carry, sorted (so that
/// [`known_state`] can search it, and a test checks it stays so): the ISO
/// 3166-1 alpha-3 codes (from Debian's iso-codes) with the codes ICAO 9303
/// part 3 adds: Germany's `D`, the British nationality classes (`GBD`,
/// `GBN`, `GBO`, `GBP`, `GBS`), the EU (`EUE`), the United Nations and its
/// agencies (`UNA`, `UNK`, `UNO`), the other international organisations
/// (`XBA`, `XCC`, `XCE`, `XCO`, `XDC`, `XEC`, `XES`, `XIM`, `XMP`, `XOM`,
/// `XPO`), refugees and stateless persons (`XXA`–`XXC`, `XXX`), Kosovo
/// (`RKS`), and `UTO`, the state of the ICAO specimens.
static STATES: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "D", "DEU", "DJI", "DMA", "DNK", "DOM", "DZA",
    "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "EUE", "FIN", "FJI", "FLK", "FRA", "FRO",
    "FSM", "GAB", "GBD", "GBN", "GBO", "GBP", "GBR", "GBS", "GEO", "GGY", "GHA", "GIB", "GIN",
    "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL", "GTM", "GUF", "GUM", "GUY", "HKG", "HMD",
    "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR",
    "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT",
    "LAO", "LBN", "LBR", "LBY", "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF",
    "MAR", "MCO", "MDA", "MDG", "MDV", "MEX", "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG",
    "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI", "MYS", "MYT", "NAM", "NCL", "NER", "NFK",
    "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER",
    "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "RKS",
    "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP", "SGS", "SHN", "SJM", "SLB", "SLE", "SLV",
    "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR", "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC",
    "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TON", "TTO", "TUN", "TUR",
    "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "UNA", "UNK", "UNO", "URY", "USA", "UTO", "UZB",
    "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "XBA", "XCC", "XCE", "XCO",
    "XDC", "XEC", "XES", "XIM", "XMP", "XOM", "XPO", "XXA", "XXB", "XXC", "XXX", "YEM", "ZAF",
    "ZMB", "ZWE",
];

/// Whether `code` (its filler `<` trimmed) is an issuing state or
/// nationality ICAO knows.
pub fn known_state(code: &str) -> bool {
    STATES.binary_search(&code).is_ok()
}

/// Document codes of Korean passports: multiple (`PM`) and single (`PS`)
/// journey, official (`PO`), diplomatic (`PD`) and residence (`PR`).
const KOREAN_CODES: [&str; 5] = ["PM", "PS", "PO", "PD", "PR"];

/// Whether a TD3's document code, states and number are well-formed: the
/// code is `P` and a letter or filler, both states are known, and a Korean
/// passport has a Korean code and number shape.
fn format_holds(code: &str, state: &str, nationality: &str, number: &str) -> bool {
    let mut chars = code.chars();
    let passport_code = chars.next() == Some('P')
        && chars.next().is_none_or(|c| c.is_ascii_uppercase())
        && chars.next().is_none();
    let korean = state == "KOR";
    passport_code
        && known_state(state)
        && known_state(nationality)
        && (!korean || (KOREAN_CODES.contains(&code) && korean_passport_number(number)))
}

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

fn as_digit(c: char) -> char {
    DIGIT_LOOKALIKES
        .iter()
        .find(|(letter, _)| *letter == c)
        .map_or(c, |&(_, digit)| digit)
}

fn as_letter(c: char) -> char {
    DIGIT_LOOKALIKES
        .iter()
        .find(|(_, digit)| *digit == c)
        .map_or(c, |&(letter, _)| letter)
}

/// Reads a TD3 MRZ, repairing digit look-alikes where the format demands a
/// digit and, in the document number, choosing the reading whose check
/// digit holds.
pub fn parse_td3(line1: &str, line2: &str) -> Result<PassportMrz, MrzError> {
    let clean = |line: &str| -> Option<Vec<char>> {
        let chars: Vec<char> = line
            .trim()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let allowed = |c: &char| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '<';
        (chars.len() == TD3_LINE && chars.iter().all(allowed)).then_some(chars)
    };
    let (Some(mut first), Some(mut second)) = (clean(line1), clean(line2)) else {
        return Err(MrzError::Shape);
    };
    // Positions that are always letters (or `<`): line 1 and the nationality.
    for c in first.iter_mut().chain(&mut second[10..13]) {
        *c = as_letter(*c);
    }
    // Positions that are always digits (or `<`): check digits and dates.
    for index in [
        9, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 24, 25, 26, 27, 42, 43,
    ] {
        second[index] = as_digit(second[index]);
    }
    repair_document_number(&mut second);
    let text = |chars: &[char]| chars.iter().collect::<String>();
    let field = |from: usize, to: usize| text(&second[from..to]);
    let digit_holds = |from: usize, to: usize, at: usize| {
        check_digit(&field(from, to)).and_then(|d| char::from_digit(d, 10)) == Some(second[at])
    };
    let optional_holds = digit_holds(28, 42, 42) || (field(28, 43).chars().all(|c| c == '<'));
    let composite: String = [field(0, 10), field(13, 20), field(21, 43)].concat();
    let composite_holds =
        check_digit(&composite).and_then(|d| char::from_digit(d, 10)) == Some(second[43]);
    let checks_holding = [
        digit_holds(0, 9, 9),
        digit_holds(13, 19, 19),
        digit_holds(21, 27, 27),
        optional_holds,
        composite_holds,
    ]
    .into_iter()
    .filter(|holds| *holds)
    .count();
    let document_type = text(&first[0..2]).trim_end_matches('<').to_owned();
    let issuing_country = text(&first[2..5]).trim_end_matches('<').to_owned();
    let document_number = field(0, 9).trim_end_matches('<').to_owned();
    let nationality = field(10, 13).trim_end_matches('<').to_owned();
    let format_holds = format_holds(
        &document_type,
        &issuing_country,
        &nationality,
        &document_number,
    );
    let names = text(&first[5..]);
    let (surname, given) = names.split_once("<<").unwrap_or((names.as_str(), ""));
    let words = |s: &str| {
        s.split('<')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    Ok(PassportMrz {
        line1: text(&first),
        line2: text(&second),
        document_type,
        issuing_country,
        surname: words(surname),
        given_names: words(given),
        document_number,
        nationality,
        birth_date: mrz_date(&field(13, 19), false),
        sex: match second[20] {
            'M' | 'F' => Some(second[20]),
            _ => None,
        },
        expiry_date: mrz_date(&field(21, 27), true),
        optional_data: field(28, 42).trim_end_matches('<').to_owned(),
        checks_holding,
        check_digits_hold: checks_holding == 5,
        format_holds,
        valid: checks_holding == 5 && format_holds,
    })
}

/// Characters of a TD3 line 1 (as read, before repairs) out of place: a
/// document code not starting with `P`, digits (line 1 has none), no `<<`
/// between surname and given names, an issuing state other than
/// `nationality` (they are the same on national passports, and a reading
/// that shifted the line shows here). Line 1 has no check digit, so this
/// is what tells a better reading from a worse one.
pub fn td3_line1_faults(line1: &str, nationality: &str) -> usize {
    let digits = line1.chars().filter(char::is_ascii_digit).count();
    let code = usize::from(!line1.starts_with('P'));
    let separator = usize::from(
        !line1
            .get(5..)
            .is_some_and(|names| names.trim_end_matches('<').contains("<<")),
    );
    let state = usize::from(
        line1
            .get(2..5)
            .is_none_or(|state| state.trim_end_matches('<') != nationality),
    );
    digits + code + separator + state
}

/// Whether `number` has the shape of a Korean passport number: a letter
/// and eight digits, or (since December 2021) a letter, three digits, a
/// letter and four digits. The check digit cannot see every misreading of
/// the first letter: `M`/`W` and `S`/`8` weigh the same modulo 10 there.
pub fn korean_passport_number(number: &str) -> bool {
    let chars: Vec<char> = number.chars().collect();
    let letter_at = |i: usize| chars[i].is_ascii_uppercase();
    let digits = |range: std::ops::Range<usize>| chars[range].iter().all(char::is_ascii_digit);
    chars.len() == 9
        && letter_at(0)
        && digits(1..4)
        && (chars[4].is_ascii_digit() || letter_at(4))
        && digits(5..9)
}

/// Tries the document number as read, then with look-alikes swapped one
/// position at a time, keeping the first reading whose check digit holds.
fn repair_document_number(second: &mut [char]) {
    let expected = second[9].to_digit(10);
    let holds = |chars: &[char]| {
        check_digit(&chars[0..9].iter().collect::<String>()) == expected && expected.is_some()
    };
    if holds(second) {
        return;
    }
    for index in 0..9 {
        let original = second[index];
        for candidate in [as_digit(original), as_letter(original)] {
            if candidate == original {
                continue;
            }
            second[index] = candidate;
            if holds(second) {
                return;
            }
        }
        second[index] = original;
    }
}

/// `YYMMDD` as a date. Birth dates take the latest century that does not
/// put them in the future; expiry dates are in 2000–2099.
fn mrz_date(text: &str, expiry: bool) -> Option<NaiveDate> {
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

/// Line 2 with the optional data (positions 29–42), which on Korean
/// passports issued before December 2020 holds the back part of the
/// resident registration number, replaced by `<`, and its check digit too.
pub fn mask_optional_data(line2: &str) -> String {
    line2
        .chars()
        .enumerate()
        .map(|(index, c)| if (28..43).contains(&index) { '<' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // The specimen of ICAO Doc 9303 part 4.
    const LINE1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    const LINE2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    #[test]
    fn reads_the_icao_specimen() {
        let mrz = parse_td3(LINE1, LINE2).unwrap();
        assert!(mrz.valid);
        assert_eq!(mrz.document_type, "P");
        assert_eq!(mrz.issuing_country, "UTO");
        assert_eq!(mrz.surname, "ERIKSSON");
        assert_eq!(mrz.given_names, "ANNA MARIA");
        assert_eq!(mrz.document_number, "L898902C3");
        assert_eq!(mrz.birth_date, NaiveDate::from_ymd_opt(1974, 8, 12));
        assert_eq!(mrz.expiry_date, NaiveDate::from_ymd_opt(2012, 4, 15));
        assert_eq!(mrz.sex, Some('F'));
        assert_eq!(mrz.optional_data, "ZE184226B");
    }

    #[test]
    fn check_digits_of_known_fields() {
        assert_eq!(check_digit("L898902C3"), Some(6));
        assert_eq!(check_digit("740812"), Some(2));
        assert_eq!(check_digit("120415"), Some(9));
        assert_eq!(check_digit("ab"), None);
    }

    #[test]
    fn repairs_digit_lookalikes_with_the_check_digits() {
        // O for 0 in the birth date and I for 1 in the expiry date; then an
        // O for 0 inside the document number, which may hold letters.
        let misread = "L898902C36UTO74O8122FI204159ZE184226B<<<<<10";
        let mrz = parse_td3(LINE1, misread).unwrap();
        assert!(mrz.valid, "{}", mrz.line2);
        assert_eq!(mrz.line2, LINE2);
        let number_misread = "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10";
        assert_eq!(parse_td3(LINE1, number_misread).unwrap().line2, LINE2);
    }

    #[test]
    fn letter_positions_get_the_letters_of_digit_lookalikes() {
        let line1 = "P<UT0ERIKSS0N<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<";
        let line2 = "L898902C36UT07408122F1204159ZE184226B<<<<<10";
        let mrz = parse_td3(line1, line2).unwrap();
        assert_eq!((mrz.line1.as_str(), mrz.line2.as_str()), (LINE1, LINE2));
        assert_eq!(mrz.issuing_country, "UTO");
        assert_eq!(mrz.nationality, "UTO");
    }

    #[test]
    fn line_one_faults_count_what_is_out_of_place() {
        assert_eq!(td3_line1_faults(LINE1, "UTO"), 0);
        let shifted = "PP<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<";
        assert_eq!(td3_line1_faults(shifted, "UTO"), 1);
        let misread = "P<UT0ERIKSSON<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<<";
        assert_eq!(td3_line1_faults(misread, "UTO"), 4);
    }

    #[test]
    fn korean_passport_numbers_have_two_shapes() {
        assert!(korean_passport_number("M12345678"));
        assert!(korean_passport_number("M123A4567"));
        assert!(!korean_passport_number("812345678"));
        assert!(!korean_passport_number("M1234567B"));
        assert!(!korean_passport_number("M1234567"));
    }

    /// A TD3 line 2 for `number`, `nationality` and the specimen's dates,
    /// every check digit holding.
    fn line2_of(number: &str, nationality: &str) -> String {
        let digit = check_digit(number).unwrap();
        let body = format!("{number}{digit}{nationality}7408122F1204159<<<<<<<<<<<<<<<");
        let composite: String = [&body[0..10], &body[13..20], &body[21..43]].concat();
        format!("{body}{}", check_digit(&composite).unwrap())
    }

    #[test]
    fn check_digits_alone_do_not_make_an_mrz_valid() {
        // What a misread Korean passport once passed as valid: code `PP`,
        // state `ICO`, and a number neither Korean shape allows.
        let line1 = "PPICOHONG<<GILDONG<<<<<<<<<<<<<<<<<<<<<<<<<<";
        let mrz = parse_td3(line1, &line2_of("M094EG599", "KOR")).unwrap();
        assert!(mrz.check_digits_hold);
        assert!(!mrz.format_holds && !mrz.valid);

        let korean = "PMKORHONG<<GILDONG<<<<<<<<<<<<<<<<<<<<<<<<<<";
        assert!(
            parse_td3(korean, &line2_of("M123A4567", "KOR"))
                .unwrap()
                .valid
        );
        assert!(
            !parse_td3(korean, &line2_of("M094EG599", "KOR"))
                .unwrap()
                .valid
        );
        let wrong_code = "PPKORHONG<<GILDONG<<<<<<<<<<<<<<<<<<<<<<<<<<";
        assert!(
            !parse_td3(wrong_code, &line2_of("M123A4567", "KOR"))
                .unwrap()
                .valid
        );
        // Another state's numbers have their own shapes.
        let british = "P<GBRPUDARSAN<<HENERT<<<<<<<<<<<<<<<<<<<<<<<";
        assert!(
            parse_td3(british, &line2_of("707797979", "GBR"))
                .unwrap()
                .valid
        );
        let unknown_nationality = parse_td3(LINE1, &line2_of("L898902C3", "ICO")).unwrap();
        assert!(!unknown_nationality.valid);
    }

    #[test]
    fn the_states_are_sorted_once_each_icaos_own_included() {
        assert!(STATES.windows(2).all(|pair| pair[0] < pair[1]));
        for code in [
            "D", "EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "UNA", "UNK", "UNO", "XBA", "XIM",
            "XCC", "XCO", "XEC", "XPO", "XES", "XMP", "XOM", "XDC", "XXA", "XXB", "XXC", "XXX",
            "UTO",
        ] {
            assert!(known_state(code), "{code}");
        }
    }

    #[test]
    fn icao_codes_beside_iso_ones() {
        for code in ["KOR", "GBR", "D", "UTO", "XXX", "UNO"] {
            assert!(known_state(code), "{code}");
        }
        for code in ["ICO", "K0R", "", "KORE"] {
            assert!(!known_state(code), "{code}");
        }
    }

    #[test]
    fn a_wrong_digit_fails_validation() {
        let altered = "L898902C36UTO7408132F1204159ZE184226B<<<<<10";
        let mrz = parse_td3(LINE1, altered).unwrap();
        assert!(!mrz.valid);
        // The birth date's own digit and the composite fail.
        assert_eq!(mrz.checks_holding, 3);
    }

    #[test]
    fn refuses_other_shapes() {
        assert_eq!(parse_td3("P<UTO", LINE2), Err(MrzError::Shape));
        assert_eq!(
            parse_td3(LINE1, &LINE2.replace('<', "«")),
            Err(MrzError::Shape)
        );
    }

    #[test]
    fn masking_hides_the_optional_data() {
        let masked = mask_optional_data(LINE2);
        assert_eq!(masked, "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<<0");
    }

    proptest! {
        #[test]
        fn never_panics(a in "\\PC{0,60}", b in "[A-Z0-9<]{44}") {
            let _ = parse_td3(&a, &b);
            let _ = parse_td3(&b, &b);
        }

        #[test]
        fn any_document_number_with_its_check_digit_is_valid(number in "[A-Z0-9]{9}") {
            let digit = check_digit(&number).unwrap();
            let body = format!("{number}{digit}UTO7408122F1204159<<<<<<<<<<<<<<<");
            let composite: String = [&body[0..10], &body[13..20], &body[21..43]].concat();
            let line2 = format!("{body}{}", check_digit(&composite).unwrap());
            let mrz = parse_td3(LINE1, &line2).unwrap();
            prop_assert!(mrz.valid);
            prop_assert_eq!(mrz.document_number, number);
        }
    }
}
