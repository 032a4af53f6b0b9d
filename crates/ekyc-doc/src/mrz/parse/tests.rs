//! Every MRZ here is written from the ICAO 9303 rules for made-up holders,
//! its check digits computed by the helpers below.

use super::*;
use crate::mrz::check_digit;
use proptest::prelude::*;

fn digit(field: &str) -> char {
    char::from_digit(check_digit(field).expect("MRZ characters"), 10).expect("a digit")
}

/// `text` padded with fillers to `length`.
fn pad(text: &str, length: usize) -> String {
    format!("{text:<<length$}")
}

/// The fields the helpers write into each format.
struct Holder<'a> {
    code: &'a str,
    state: &'a str,
    name: &'a str,
    number: &'a str,
    nationality: &'a str,
    birth: &'a str,
    sex: char,
    expiry: &'a str,
    optional: &'a str,
}

const HOLDER: Holder<'static> = Holder {
    code: "P<",
    state: "NZL",
    name: "SMITH<<JANE<ANN",
    number: "LA0123456",
    nationality: "NZL",
    birth: "850314",
    sex: 'F',
    expiry: "310630",
    optional: "",
};

/// A two-line MRZ (TD2, TD3, MRV-A or MRV-B) of `length`, with the
/// composite digit (and TD3's optional-data digit) where the format has
/// them.
fn two_lines(h: &Holder<'_>, length: usize, composite: bool) -> [String; 2] {
    let line1 = pad(&format!("{}{}{}", h.code, h.state, h.name), length);
    let number = pad(h.number, 9);
    let head = format!(
        "{number}{}{}{}{}{}{}{}",
        digit(&number),
        h.nationality,
        h.birth,
        digit(h.birth),
        h.sex,
        h.expiry,
        digit(h.expiry)
    );
    let line2 = match (length, composite) {
        (44, true) => {
            let optional = pad(h.optional, 14);
            let body = format!("{head}{optional}{}", digit(&optional));
            let covered = [&body[0..10], &body[13..20], &body[21..43]].concat();
            format!("{body}{}", digit(&covered))
        }
        (36, true) => {
            let body = format!("{head}{}", pad(h.optional, 7));
            let covered = [&body[0..10], &body[13..20], &body[21..35]].concat();
            format!("{body}{}", digit(&covered))
        }
        _ => pad(&format!("{head}{}", h.optional), length),
    };
    [line1, line2]
}

fn td3(h: &Holder<'_>) -> [String; 2] {
    two_lines(h, 44, true)
}

/// A TD1 MRZ; `optional` goes in line 1's optional data, `extra` in line
/// 2's. A number longer than nine characters overflows into line 1's
/// optional data, as ICAO 9303 part 5 says.
fn td1(h: &Holder<'_>, extra: &str) -> [String; 3] {
    let number_part = if h.number.len() > 9 {
        format!(
            "{}<{}{}{}",
            &h.number[..9],
            &h.number[9..],
            digit(h.number),
            h.optional
        )
    } else {
        let number = pad(h.number, 9);
        format!("{number}{}{}", digit(&number), h.optional)
    };
    let line1 = pad(&format!("{}{}{number_part}", h.code, h.state), 30);
    let body = format!(
        "{}{}{}{}{}{}{}",
        h.birth,
        digit(h.birth),
        h.sex,
        h.expiry,
        digit(h.expiry),
        h.nationality,
        pad(extra, 11)
    );
    let covered = [&line1[5..30], &body[0..7], &body[8..15], &body[18..29]].concat();
    let line2 = format!("{body}{}", digit(&covered));
    [line1, line2, pad(h.name, 30)]
}

fn refs<const N: usize>(lines: &[String; N]) -> [&str; N] {
    lines.each_ref().map(String::as_str)
}

#[test]
fn reads_a_passport() {
    let holder = Holder {
        optional: "ZX1234",
        ..HOLDER
    };
    let [line1, line2] = td3(&holder);
    let mrz = parse_td3(&line1, &line2).unwrap();
    assert!(mrz.valid, "{line2}");
    assert_eq!(mrz.format, MrzFormat::Td3);
    assert_eq!(mrz.checks_holding, 5);
    assert_eq!(mrz.document_type, "P");
    assert_eq!(mrz.issuing_country, "NZL");
    assert_eq!(mrz.surname, "SMITH");
    assert_eq!(mrz.given_names, "JANE ANN");
    assert_eq!(mrz.document_number, "LA0123456");
    assert_eq!(mrz.birth_date, NaiveDate::from_ymd_opt(1985, 3, 14));
    assert_eq!(mrz.expiry_date, NaiveDate::from_ymd_opt(2031, 6, 30));
    assert_eq!(mrz.sex, Some('F'));
    assert_eq!(mrz.optional_data, "ZX1234");
    assert_eq!(mrz.line3, None);
}

#[test]
fn reads_an_id_card_of_three_lines() {
    let holder = Holder {
        code: "I<",
        name: "MULLER<<ANNA",
        state: "D<<",
        nationality: "D<<",
        number: "T22000129",
        ..HOLDER
    };
    let lines = td1(&holder, "");
    let mrz = parse(MrzFormat::Td1, &refs(&lines)).unwrap();
    assert!(mrz.valid, "{lines:?}");
    assert_eq!(mrz.checks_holding, 4);
    assert_eq!(
        (mrz.document_type.as_str(), mrz.issuing_country.as_str()),
        ("I", "D")
    );
    assert_eq!(
        (mrz.surname.as_str(), mrz.given_names.as_str()),
        ("MULLER", "ANNA")
    );
    assert_eq!(mrz.document_number, "T22000129");
    assert_eq!(mrz.nationality, "D");
    assert_eq!(mrz.birth_date, NaiveDate::from_ymd_opt(1985, 3, 14));
    assert_eq!(mrz.line3.as_deref(), Some(lines[2].as_str()));
}

#[test]
fn a_long_id_card_number_runs_on_into_the_optional_data() {
    let holder = Holder {
        code: "ID",
        number: "AB123456789012",
        optional: "<XY",
        ..HOLDER
    };
    let lines = td1(&holder, "Q7");
    let mrz = parse(MrzFormat::Td1, &refs(&lines)).unwrap();
    assert!(mrz.valid, "{lines:?}");
    assert_eq!(mrz.document_number, "AB123456789012");
    assert_eq!(mrz.optional_data, "XY Q7");
    let masked = mrz.masked_lines();
    // The number and its check digit stay; the optional data goes.
    assert_eq!(&masked[0][..21], &lines[0][..21]);
    assert!(masked[0][21..].chars().all(|c| c == '<'));
    assert!(masked[1][18..29].chars().all(|c| c == '<'));
    assert_eq!(masked[2], lines[2]);
}

#[test]
fn the_composite_ties_an_id_cards_lines_together() {
    let lines = td1(
        &Holder {
            code: "I<",
            ..HOLDER
        },
        "",
    );
    // An optional-data character no field digit covers: only the
    // composite sees it.
    let altered = format!("{}7{}", &lines[0][..20], &lines[0][21..]);
    let mrz = parse(MrzFormat::Td1, &[&altered, &lines[1], &lines[2]]).unwrap();
    assert_eq!(mrz.checks_holding, 3);
    assert!(!mrz.valid);
}

#[test]
fn reads_a_two_line_id_and_both_visas() {
    let card = Holder {
        code: "I<",
        ..HOLDER
    };
    let [line1, line2] = two_lines(&card, 36, true);
    let td2 = parse(MrzFormat::Td2, &[&line1, &line2]).unwrap();
    assert!(td2.valid && td2.checks_holding == 4, "{line2}");

    // A visa's holder is of another nationality than its issuer.
    let visa = Holder {
        code: "V<",
        nationality: "CAN",
        optional: "AB12",
        ..HOLDER
    };
    for (format, length) in [(MrzFormat::MrvA, 44), (MrzFormat::MrvB, 36)] {
        let [line1, line2] = two_lines(&visa, length, false);
        let mrz = parse(format, &[&line1, &line2]).unwrap();
        assert!(mrz.valid, "{format}: {line2}");
        assert_eq!(mrz.checks_holding, 3);
        assert_eq!(
            (mrz.issuing_country.as_str(), mrz.nationality.as_str()),
            ("NZL", "CAN")
        );
        assert_eq!(mrz.optional_data, "AB12");
    }
}

#[test]
fn the_document_code_tells_formats_of_one_shape_apart() {
    let visa = Holder {
        code: "V<",
        ..HOLDER
    };
    let [line1, line2] = two_lines(&visa, 36, false);
    assert!(!parse(MrzFormat::Td2, &[&line1, &line2]).unwrap().valid);
    let read = parse_any(&[&line1, &line2]).unwrap();
    assert_eq!((read.format, read.valid), (MrzFormat::MrvB, true));

    let [line1, line2] = td3(&HOLDER);
    assert_eq!(parse_any(&[&line1, &line2]).unwrap().format, MrzFormat::Td3);
    let lines = td1(
        &Holder {
            code: "A<",
            ..HOLDER
        },
        "",
    );
    assert_eq!(parse_any(&refs(&lines)).unwrap().format, MrzFormat::Td1);
    // A passport's code on an ID card's lines is misread somewhere.
    let lines = td1(&HOLDER, "");
    let read = parse(MrzFormat::Td1, &refs(&lines)).unwrap();
    assert!(read.check_digits_hold && !read.valid);
    assert!(parse_any(&["P<NZL", "123"]).is_none());
}

#[test]
fn repairs_digit_lookalikes_with_the_check_digits() {
    let [line1, line2] = td3(&HOLDER);
    // O for 0 in the number (which may hold letters), S for 5 in the
    // birth date, I for 1 in the expiry date.
    let misread = line2
        .replacen("0123", "O123", 1)
        .replacen("850314", "8S0314", 1)
        .replacen("310630", "3I0630", 1);
    let mrz = parse_td3(&line1, &misread).unwrap();
    assert!(mrz.valid, "{misread}");
    assert_eq!(mrz.line2, line2);

    let lines = td1(
        &Holder {
            code: "I<",
            ..HOLDER
        },
        "",
    );
    let misread = lines[1].replacen("850314", "85O3I4", 1);
    let mrz = parse(MrzFormat::Td1, &[&lines[0], &misread, &lines[2]]).unwrap();
    assert!(mrz.valid, "{misread}");
}

#[test]
fn letter_positions_get_the_letters_of_digit_lookalikes() {
    let holder = Holder {
        name: "BOOTH<<LIAM",
        state: "SWE",
        nationality: "SWE",
        ..HOLDER
    };
    let [line1, line2] = td3(&holder);
    let misread1 = line1
        .replacen("SWE", "5WE", 1)
        .replacen("BOOTH", "B0OTH", 1);
    let misread2 = line2.replacen("SWE", "5WE", 1);
    let mrz = parse_td3(&misread1, &misread2).unwrap();
    assert_eq!(
        (mrz.line1.as_str(), mrz.line2.as_str()),
        (line1.as_str(), line2.as_str())
    );
    assert_eq!(
        (mrz.issuing_country.as_str(), mrz.nationality.as_str()),
        ("SWE", "SWE")
    );
}

#[test]
fn korean_passport_numbers_have_two_shapes() {
    assert!(korean_passport_number("M12345678"));
    assert!(korean_passport_number("M123A4567"));
    assert!(!korean_passport_number("812345678"));
    assert!(!korean_passport_number("M1234567B"));
    assert!(!korean_passport_number("M1234567"));
}

#[test]
fn check_digits_alone_do_not_make_an_mrz_valid() {
    let korean = |code: &'static str, state: &'static str, number: &'static str| Holder {
        code,
        state,
        number,
        nationality: "KOR",
        name: "HONG<<GILDONG",
        ..HOLDER
    };
    // What a misread Korean passport once passed as valid: code `PP`,
    // state `ICO`, and a number neither Korean shape allows.
    let [l1, l2] = td3(&korean("PP", "ICO", "M094EG599"));
    let mrz = parse_td3(&l1, &l2).unwrap();
    assert!(mrz.check_digits_hold);
    assert!(!mrz.format_holds && !mrz.valid);
    let valid = |h: Holder<'_>| {
        let [l1, l2] = td3(&h);
        parse_td3(&l1, &l2).unwrap().valid
    };
    assert!(valid(korean("PM", "KOR", "M123A4567")));
    assert!(!valid(korean("PM", "KOR", "M094EG599")));
    assert!(!valid(korean("PP", "KOR", "M123A4567")));
    // Another state's numbers have their own shapes.
    assert!(valid(Holder {
        number: "707797979",
        ..HOLDER
    }));
    assert!(!valid(Holder {
        nationality: "ICO",
        ..HOLDER
    }));
}

#[test]
fn a_wrong_digit_fails_validation() {
    let [line1, line2] = td3(&HOLDER);
    let altered = line2.replacen("850314", "850315", 1);
    let mrz = parse_td3(&line1, &altered).unwrap();
    assert!(!mrz.valid);
    // The birth date's own digit and the composite fail.
    assert_eq!(mrz.checks_holding, 3);
}

#[test]
fn refuses_other_shapes() {
    let [line1, line2] = td3(&HOLDER);
    assert_eq!(parse_td3("P<NZL", &line2), Err(MrzError::Shape));
    assert_eq!(
        parse_td3(&line1, &line2.replace('<', "«")),
        Err(MrzError::Shape)
    );
    assert_eq!(
        parse(MrzFormat::Td1, &[&line1, &line2]),
        Err(MrzError::Shape)
    );
}

#[test]
fn masking_hides_the_optional_data() {
    let holder = Holder {
        optional: "1234567",
        ..HOLDER
    };
    let [line1, line2] = td3(&holder);
    let masked = mask_optional_data(&line2);
    assert_eq!(&masked[..28], &line2[..28]);
    assert_eq!(&masked[28..43], "<".repeat(15));
    assert_eq!(&masked[43..], &line2[43..]);
    let mrz = parse_td3(&line1, &line2).unwrap();
    assert_eq!(mrz.masked_lines(), [line1, masked]);
}

proptest! {
    #[test]
    fn never_panics(a in "\\PC{0,60}", b in "[A-Z0-9<]{44}", c in "[A-Z0-9<]{30}") {
        let _ = parse_td3(&a, &b);
        let _ = parse_td3(&b, &b);
        let _ = parse(MrzFormat::Td1, &[&c, &c, &c]);
        let _ = parse_any(&[&a, &c]);
        if let Ok(mrz) = parse(MrzFormat::Td1, &[&c, &c, &c]) {
            prop_assert_eq!(mrz.masked_lines().len(), 3);
        }
    }

    #[test]
    fn any_document_number_with_its_check_digit_is_valid(number in "[A-Z0-9]{9}") {
        let holder = Holder { number: &number, ..HOLDER };
        let [line1, line2] = td3(&holder);
        let mrz = parse_td3(&line1, &line2).unwrap();
        prop_assert!(mrz.valid);
        prop_assert_eq!(&mrz.document_number, &number);
        let lines = td1(&Holder { code: "I<", ..holder }, "");
        let mrz = parse(MrzFormat::Td1, &refs(&lines)).unwrap();
        prop_assert!(mrz.valid);
        prop_assert_eq!(mrz.document_number, number);
    }
}
