use image::GrayImage;

use super::*;
use crate::assemble::assemble;
use crate::assemble::rules::BROKEN_RULE;
use crate::assemble::testing::*;
use crate::kind::DocumentKind;

#[test]
fn a_status_of_stay_on_its_labels_line_is_found() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("체류자격 영주(F-5)", 300.0, 380.0, 0.9),
        line("2020.01.15", 300.0, 460.0, 0.9),
    ];
    let mut recogniser = Echo("Status F-5");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    labelled_visa(&mut sheet).unwrap();
    assert_eq!(
        sheet.fields[&FieldName::VisaType].value.as_text(),
        Some("F-5")
    );
}

#[test]
fn a_country_printed_in_korean_is_the_nationality() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("국가/지역", 300.0, 280.0, 0.9),
        line("베트남", 300.0, 305.0, 0.8),
    ];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    korean_country(&mut sheet);
    assert_eq!(
        sheet.fields[&FieldName::Nationality].value.as_text(),
        Some("VIET NAM")
    );
    let lines = [line("중국인 식당", 300.0, 280.0, 0.9)];
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    korean_country(&mut sheet);
    assert!(sheet.fields.is_empty());
}

#[test]
fn a_wrapped_name_above_a_country_on_its_labels_line_is_whole() {
    let lines = [
        line("990816-6813225", 480.0, 100.0, 0.9),
        line("WIJAYA SITI", 480.0, 170.0, 0.9),
        line("NURHALIZA", 480.0, 215.0, 0.9),
        line("국가/지역 INDONESIA", 290.0, 270.0, 0.9),
        line("E-9", 480.0, 350.0, 0.9),
        line("2023.07.20", 480.0, 410.0, 0.9),
    ];
    let (gray, mut recogniser) = painted(&lines, (1012, 638));
    let reading = assemble(DocumentKind::Foreign, &lines, &gray, &mut recogniser).unwrap();
    let text = |name| reading.fields[&name].value.as_text();
    assert_eq!(text(FieldName::Name), Some("WIJAYA SITI NURHALIZA"));
    assert_eq!(text(FieldName::Nationality), Some("INDONESIA"));
}

#[test]
fn a_korean_country_cut_short_is_read_again_wider() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("국가/지역 Country", 300.0, 250.0, 0.9),
        line("중", 487.0, 248.0, 0.9),
    ];
    let mut recogniser = Echo("중국");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    korean_country(&mut sheet);
    assert!(sheet.fields.is_empty());
    cut_korean_country(&mut sheet).unwrap();
    assert_eq!(
        sheet.fields[&FieldName::Nationality].value.as_text(),
        Some("CHINA")
    );
}

#[test]
fn an_issue_date_before_the_numbers_birth_date_is_not_trusted() {
    let lines = [
        line("840807-5062544", 300.0, 200.0, 0.9),
        line("HONG GILDONG", 300.0, 250.0, 0.9),
        line("CHINA", 300.0, 300.0, 0.9),
        line("E-9", 300.0, 350.0, 0.9),
        line("1980.01.15", 300.0, 400.0, 0.9),
    ];
    let (gray, mut recogniser) = painted(&lines, (1012, 638));
    let reading = assemble(DocumentKind::Foreign, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(
        reading.fields[&FieldName::BirthDate].value.as_text(),
        Some("1984-08-07")
    );
    for name in [FieldName::BirthDate, FieldName::IssueDate] {
        assert_eq!(reading.fields[&name].confidence, BROKEN_RULE, "{name}");
    }
}

#[test]
fn a_status_without_its_code_is_known_by_name() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("체류자격", 300.0, 380.0, 0.9),
        line("결혼이민 (F6)", 300.0, 405.0, 0.8),
    ];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    named_visa(&mut sheet);
    assert_eq!(
        sheet.fields[&FieldName::VisaType].value.as_text(),
        Some("F-6")
    );
}

#[test]
fn a_name_wrapping_to_a_second_line_is_not_the_country() {
    let lines = [
        line("840807-5062544", 300.0, 200.0, 0.9),
        line("NGUYEN THI", 300.0, 250.0, 0.9),
        line("MINH ANH", 300.0, 290.0, 0.9),
        line("VIET NAM / 베트남", 300.0, 340.0, 0.9),
        line("E-9", 300.0, 390.0, 0.9),
        line("2020.01.15", 300.0, 440.0, 0.9),
    ];
    let (gray, mut recogniser) = painted(&lines, (1012, 638));
    let reading = assemble(DocumentKind::Foreign, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(
        reading.fields[&FieldName::Name].value.as_text(),
        Some("NGUYEN THI MINH ANH")
    );
    assert_eq!(
        reading.fields[&FieldName::Nationality].value.as_text(),
        Some("VIET NAM")
    );
}

#[test]
fn a_name_printed_a_word_a_line_is_whole() {
    let lines = [
        line("841212-6571118", 300.0, 100.0, 0.9),
        line("FERNANDO", 300.0, 175.0, 0.9),
        line("CHAMINDA", 300.0, 215.0, 0.9),
        line("PRIYANTHA", 300.0, 255.0, 0.9),
        line("SRI LANKA / 스리랑카", 300.0, 320.0, 0.9),
        line("E-7", 300.0, 390.0, 0.9),
        line("2024.03.03", 300.0, 465.0, 0.9),
    ];
    let (gray, mut recogniser) = painted(&lines, (1012, 638));
    let reading = assemble(DocumentKind::Foreign, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(
        reading.fields[&FieldName::Name].value.as_text(),
        Some("FERNANDO CHAMINDA PRIYANTHA")
    );
    assert_eq!(
        reading.fields[&FieldName::Nationality].value.as_text(),
        Some("SRI LANKA")
    );
}

#[test]
fn a_short_second_line_of_the_name_is_kept() {
    let lines = [
        line("840807-5062544", 300.0, 200.0, 0.9),
        line("HOANG THI", 300.0, 250.0, 0.9),
        line("LAN", 300.0, 290.0, 0.9),
        line("VIET NAM", 300.0, 340.0, 0.9),
        line("E-9", 300.0, 390.0, 0.9),
        line("2020.01.15", 300.0, 440.0, 0.9),
    ];
    let (gray, mut recogniser) = painted(&lines, (1012, 638));
    let reading = assemble(DocumentKind::Foreign, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(
        reading.fields[&FieldName::Name].value.as_text(),
        Some("HOANG THI LAN")
    );
    assert_eq!(
        reading.fields[&FieldName::Nationality].value.as_text(),
        Some("VIET NAM")
    );
}

#[test]
fn a_country_in_hangul_alone_ends_a_wrapped_name() {
    let lines = [
        line("840807-5062544", 300.0, 200.0, 0.9),
        line("TAMANG ANITA", 300.0, 250.0, 0.9),
        line("KUMARI", 300.0, 290.0, 0.9),
        line("네팔", 300.0, 340.0, 0.9),
        line("E-9", 300.0, 390.0, 0.9),
        line("2020.01.15", 300.0, 440.0, 0.9),
    ];
    let (gray, mut recogniser) = painted(&lines, (1012, 638));
    let reading = assemble(DocumentKind::Foreign, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(
        reading.fields[&FieldName::Name].value.as_text(),
        Some("TAMANG ANITA KUMARI")
    );
    assert_eq!(
        reading.fields[&FieldName::Nationality].value.as_text(),
        Some("NEPAL")
    );
}

#[test]
fn a_status_named_in_hangul_outweighs_its_misread_code() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("방문동거(-1)", 300.0, 380.0, 0.9),
        line("E-1", 300.0, 440.0, 0.9),
    ];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    set_visa(&mut sheet, 0, "E-1", 0.95);
    let field = &sheet.fields[&FieldName::VisaType];
    assert_eq!(field.value.as_text(), Some("F-1"));
    assert!((field.confidence - 0.9 * CORRECTED).abs() < 1e-6);
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    set_visa(&mut sheet, 1, "E-1", 0.95);
    assert_eq!(
        sheet.fields[&FieldName::VisaType].value.as_text(),
        Some("E-1")
    );
}

#[test]
fn a_country_on_its_labels_line_is_the_nationality() {
    let gray = GrayImage::new(1012, 638);
    let lines = [line(
        "국가/지역 Country/Regin KAZAKHSTAN",
        260.0,
        230.0,
        0.9,
    )];
    let mut recogniser = Echo("Country/Regin KAZAKHSTAN");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    labelled_country(&mut sheet).unwrap();
    assert_eq!(
        sheet.fields[&FieldName::Nationality].value.as_text(),
        Some("KAZAKHSTAN")
    );
}

#[test]
fn an_issue_date_after_its_label_out_of_the_column_is_found() {
    let lines = [
        line("601004-6209009", 490.0, 100.0, 0.9),
        line("TAMANG ANITA", 490.0, 170.0, 0.9),
        line("네팔", 490.0, 280.0, 0.9),
        line("F-2(거주)", 490.0, 350.0, 0.9),
        line("발급일자 Issue Date 2024.09.18", 290.0, 410.0, 0.9),
    ];
    let (gray, mut recogniser) = painted(&lines, (1012, 638));
    let reading = assemble(DocumentKind::Foreign, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(
        reading.fields[&FieldName::IssueDate].value.as_text(),
        Some("2024-09-18")
    );
}
