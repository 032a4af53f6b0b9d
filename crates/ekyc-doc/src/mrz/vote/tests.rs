use super::*;
use crate::mrz::check_digit;

fn digit(field: &str) -> char {
    char::from_digit(check_digit(field).expect("MRZ characters"), 10).expect("a digit")
}

/// A passport's lines for a made-up holder, every check digit holding.
fn passport() -> [String; 2] {
    let line1 = format!("{:<<44}", "P<NZLSMITH<<JANE<ANN");
    let head = format!(
        "LA0123456{}NZL850314{}F310630{}",
        digit("LA0123456"),
        digit("850314"),
        digit("310630")
    );
    let optional = "<".repeat(14);
    let body = format!("{head}{optional}{}", digit(&optional));
    let covered = [&body[0..10], &body[13..20], &body[21..43]].concat();
    [line1, format!("{body}{}", digit(&covered))]
}

#[test]
fn mixed_mrz_readings_outvote_each_others_errors() {
    let [line1, line2] = passport();
    // One reading misreads the birth date, the other the document number
    // and the nationality.
    let first = line2.replacen("850314", "850324", 1);
    let second = line2
        .replacen("LA0123456", "LA0I23456", 1)
        .replacen("NZL", "N2L", 1);
    let readings = [vec![line1], vec![first, second]];
    let mrz = best_mrz(MrzFormat::Td3, &readings).unwrap();
    assert!(mrz.valid);
    assert_eq!(mrz.line2, line2);
}

#[test]
fn an_id_cards_three_lines_are_voted_on_together() {
    let line1 = format!("{:<<30}", format!("I<NZLAB1234567{}", digit("AB1234567")));
    let body = format!(
        "850314{}F310630{}NZL{}",
        digit("850314"),
        digit("310630"),
        "<".repeat(11)
    );
    let covered = [&line1[5..30], &body[0..7], &body[8..15], &body[18..29]].concat();
    let line2 = format!("{body}{}", digit(&covered));
    let line3 = format!("{:<<30}", "SMITH<<JANE");
    let readings = [
        vec![line1.replacen("AB12", "A812", 1), line1.clone()],
        vec![
            line2.replacen("3106", "3I06", 1),
            line2.replacen("8503", "B5O3", 1),
        ],
        vec![line3.clone()],
    ];
    let mrz = best_mrz(MrzFormat::Td1, &readings).unwrap();
    assert!(mrz.valid, "{mrz:?}");
    assert_eq!([mrz.line1, mrz.line2], [line1, line2]);
    assert_eq!(best_mrz(MrzFormat::Td1, &readings[..2]), None);
}

#[test]
fn mixes_keep_the_first_reading_first() {
    assert_eq!(mixes("AB", "AC", 8), ["AB", "AC"]);
    assert_eq!(mixes("AB", "CD", 8), ["AB", "CB", "AD", "CD"]);
    assert_eq!(mixes("ABCDEFGHIJ", "0123456789", 8).len(), 2);
    assert_eq!(mixes("AB", "CD", 1).len(), 2);
}

#[test]
fn an_mrz_first_line_with_an_extra_character_is_realigned() {
    assert_eq!(
        realign_line1("PPRKORCHO<<HYEJUN", "KOR"),
        "PPKORCHO<<HYEJUN"
    );
    assert_eq!(realign_line1("PMKORCHO<<HYEJUN", "KOR"), "PMKORCHO<<HYEJUN");
    assert_eq!(realign_line1("PKORCHO<<HYEJUN", "KOR"), "P<KORCHO<<HYEJUN");
    assert_eq!(realign_line1("PKORCHO<<HYEJUN", "K0R"), "PKORCHO<<HYEJUN");
}

#[test]
fn faults_count_what_is_out_of_place() {
    let [line1, line2] = passport();
    let layout = MrzFormat::Td3.layout();
    let count = |line1: &str| {
        let lines = [line1.to_owned(), line2.clone()];
        let parsed = parse(MrzFormat::Td3, &[line1, &line2]).unwrap();
        faults(&layout, &lines, &parsed)
    };
    assert_eq!(count(&line1), 0);
    let shifted = format!("P{}", &line1[..43]);
    assert_eq!(count(&shifted), 1);
    let misread = line1
        .replacen("NZL", "N2L", 1)
        .replacen("<<JANE<", "<JANE<", 1)
        + "<";
    // A digit in the state, which then differs from the nationality, and
    // no separator.
    assert_eq!(count(&misread[..44]), 3);
}

#[test]
fn mrz_lines_are_fitted_to_their_length() {
    assert_eq!(fit_mrz_line("PMKORHONG<<GILDONG", 44).len(), 44);
    let long = format!("{}<<<<", "A".repeat(44));
    assert_eq!(fit_mrz_line(&long, 44), "A".repeat(44));
    assert_eq!(
        fit_mrz_line("I<UTO 가D23", 30),
        format!("{:<<30}", "I<UTOD23")
    );
}
