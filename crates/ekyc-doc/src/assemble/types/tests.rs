use image::{GrayImage, Luma};

use super::*;
use crate::assemble::testing::*;
use crate::fields::FieldValue;

#[test]
fn licence_types_tolerate_one_wrong_character() {
    let text: Vec<char> = "1종보퉁2종소형".chars().collect();
    let chars = |t: &str| t.chars().collect::<Vec<_>>();
    assert_eq!(fuzzy_matches(&text, &chars("1종보통")), vec![(0, 4, 1)]);
    assert_eq!(fuzzy_matches(&text, &chars("2종소형")), vec![(4, 4, 0)]);
    assert!(fuzzy_matches(&text, &chars("대형견인차")).is_empty());
    let moped = chars("2종원동기장치자전거");
    let read = chars("1종 2종원기장치자전거");
    assert_eq!(fuzzy_matches(&read, &moped), vec![(3, 9, 1)]);
    assert!(fuzzy_matches(&chars("2종원장치자전거"), &moped).is_empty());
}

#[test]
fn licence_types_are_kept_as_a_list_in_law_order() {
    let gray = GrayImage::new(1012, 638);
    let lines = [line("2종소형 1종보통", 300.0, 120.0, 0.8)];
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
fn types_below_the_licence_number_are_found() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("11-20-123456-78", 300.0, 120.0, 0.9),
        line("[1종대형] [구난차]", 300.0, 180.0, 0.8),
    ];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    licence_types(&mut sheet, 0.0, f32::MAX, &mut Checks::default());
    assert_eq!(
        sheet.fields[&FieldName::LicenceTypes].value,
        FieldValue::List(vec!["1종대형".to_owned(), "구난차".to_owned()])
    );
}

/// A table of all nine types, three a row, on a page where the cells of
/// `held` are printed dark and the others faint.
fn table(held: &[&str]) -> (GrayImage, Vec<crate::assemble::Line>) {
    let mut gray = GrayImage::from_pixel(1012, 638, Luma([255]));
    let mut lines = Vec::new();
    for row in 0..3 {
        let kinds = &LICENCE_TYPES[row * 3..row * 3 + 3];
        let text = kinds.join(" ");
        let mut l = line(&text, 100.0, 100.0 + 50.0 * row as f32, 0.9);
        l.area.w = 600.0;
        let chars = text.chars().filter(|c| !c.is_whitespace()).count() as f32;
        let mut at = 0.0;
        for kind in kinds {
            let len = kind.chars().count() as f32;
            let shade = if held.contains(kind) { 30 } else { 160 };
            let x0 = 100.0 + 600.0 * at / chars;
            let x1 = 100.0 + 600.0 * (at + len) / chars;
            for y in (l.area.y as u32 + 10)..(l.area.y as u32 + 30) {
                for x in (x0 as u32 + 4..x1 as u32 - 4).step_by(3) {
                    gray.put_pixel(x, y, Luma([shade]));
                }
            }
            at += len;
        }
        lines.push(l);
    }
    (gray, lines)
}

#[test]
fn a_table_of_every_type_answers_only_the_marked_ones() {
    let (gray, lines) = table(&["1종대형", "구난차", "소형견인차"]);
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    licence_types(&mut sheet, 0.0, f32::MAX, &mut Checks::default());
    assert_eq!(
        sheet.fields[&FieldName::LicenceTypes].value,
        FieldValue::List(vec![
            "1종대형".to_owned(),
            "구난차".to_owned(),
            "소형견인차".to_owned()
        ])
    );
}

#[test]
fn a_table_without_marks_answers_no_type() {
    let (gray, lines) = table(&[]);
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    let mut checks = Checks::default();
    licence_types(&mut sheet, 0.0, f32::MAX, &mut checks);
    assert!(!sheet.fields.contains_key(&FieldName::LicenceTypes));
    assert_eq!(checks.licence_types, None);
}

#[test]
fn a_table_read_in_part_answers_its_marked_types() {
    let (gray, lines) = table(&["2종보통"]);
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines[2..], &gray, &mut recogniser);
    licence_types(&mut sheet, 0.0, f32::MAX, &mut Checks::default());
    assert_eq!(
        sheet.fields[&FieldName::LicenceTypes].value,
        FieldValue::List(vec!["2종보통".to_owned()])
    );
}
