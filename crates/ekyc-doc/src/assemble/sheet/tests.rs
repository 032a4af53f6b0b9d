use super::*;
use crate::assemble::testing::*;

#[test]
fn a_date_outside_the_printed_years_is_withheld() {
    let gray = GrayImage::new(1012, 638);
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&[], &gray, &mut recogniser);
    // A doubled digit once reached the answer as "+20024-04-12".
    for (year, name) in [(20024, FieldName::IssueDate), (1024, FieldName::BirthDate)] {
        let date = NaiveDate::from_ymd_opt(year, 4, 12).unwrap();
        sheet.set_date(name, date, 0.9);
    }
    assert!(sheet.fields.is_empty(), "{:?}", sheet.fields);
    let date = NaiveDate::from_ymd_opt(2024, 4, 12).unwrap();
    sheet.set_date(FieldName::IssueDate, date, 0.9);
    assert_eq!(
        sheet.fields[&FieldName::IssueDate].value.as_text(),
        Some("2024-04-12")
    );
}
