use image::GrayImage;

use super::*;
use crate::assemble::testing::*;
use crate::fields::FieldValue;

#[test]
fn licence_types_tolerate_one_wrong_character() {
    let text: Vec<char> = "1종보퉁2종소형".chars().collect();
    let chars = |t: &str| t.chars().collect::<Vec<_>>();
    assert_eq!(fuzzy_matches(&text, &chars("1종보통")), vec![(0, 1)]);
    assert_eq!(fuzzy_matches(&text, &chars("2종소형")), vec![(4, 0)]);
    assert!(fuzzy_matches(&text, &chars("대형견인차")).is_empty());
}

#[test]
fn periods_end_on_their_second_date() {
    let end = NaiveDate::from_ymd_opt(2025, 12, 31);
    assert_eq!(two_dates("2025.01.01 ~ 2025.12.31"), end);
    assert_eq!(two_dates("2025.01.01 2025.12.31"), end);
    assert_eq!(two_dates("2025.01.01"), None);
}

#[test]
fn licence_types_are_kept_as_a_list_in_print_order() {
    let gray = GrayImage::new(1012, 638);
    let lines = [line("1종보통 2종소형", 300.0, 120.0, 0.8)];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    let mut checks = Checks::default();
    licence_types(&mut sheet, 0.0, f32::MAX, &mut checks);
    assert_eq!(checks.licence_types, Some(true));
    assert_eq!(
        sheet.fields[&FieldName::LicenceTypes].value,
        FieldValue::List(vec!["1종보통".to_owned(), "2종소형".to_owned()])
    );
    assert_eq!(
        sheet.fields[&FieldName::LicenceType].value.as_text(),
        Some("1종보통")
    );
}

#[test]
fn a_period_whose_end_is_no_printed_year_has_no_end() {
    // The tilde lost and the end's 20 read as 00: year 25 is no date.
    assert_eq!(two_dates("2025.01.01 0025.12.31"), None);
}
