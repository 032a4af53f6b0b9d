use image::GrayImage;

use super::*;
use crate::assemble::testing::*;
use crate::assemble::{assemble, Line};
use crate::fields::Field;
use crate::kind::DocumentKind;
use crate::recognise::{LineReading, LineRecogniser};

/// A recogniser whose ranked readings of any line are `ranked`.
struct Ranked(Vec<&'static str>);

impl LineRecogniser for Ranked {
    fn read(&mut self, _: &GrayImage, _: Script) -> Result<LineReading, DocError> {
        Err(DocError::Inference("this step reads no line once".into()))
    }

    fn readings(
        &mut self,
        _: &GrayImage,
        _: Script,
        n: usize,
    ) -> Result<Vec<LineReading>, DocError> {
        Ok(self
            .0
            .iter()
            .take(n)
            .map(|text| LineReading {
                text: (*text).to_owned(),
                confidence: 0.5,
            })
            .collect())
    }
}

/// The passport MRZ of `surname` and `given` (line 2 is left blank).
fn mrz_of(surname: &str, given: &str) -> Mrz {
    let line1 = format!("PMKOR{surname}<<{given}<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<");
    mrz::parse_td3(&line1[..mrz::TD3_LINE], &"<".repeat(mrz::TD3_LINE)).unwrap()
}

fn korean_name_of(lines: &[Line], mrz: &Mrz, ranked: Vec<&'static str>) -> Option<Field> {
    let gray = GrayImage::new(1250, 880);
    let mut recogniser = Ranked(ranked);
    let mut sheet = sheet_of(lines, &gray, &mut recogniser);
    korean_name(&mut sheet, Some(mrz)).unwrap();
    sheet.fields.remove(&FieldName::Name)
}

#[test]
fn the_korean_name_is_the_hangul_line_on_the_given_names_row() {
    let lines = [
        line("CHOI", 420.0, 214.0, 0.9),
        line("함정떵", 940.0, 250.0, 0.3),
        line("HYUN JAE", 420.0, 294.0, 0.9),
        line("최현재", 940.0, 296.0, 0.7),
    ];
    let name = korean_name_of(&lines, &mrz_of("CHOI", "HYUNJAE"), vec![]).unwrap();
    assert_eq!(
        (name.value.as_text(), name.confidence),
        (Some("최현재"), FITS_MRZ)
    );
    // The given names misread: the most confident candidate, which
    // no longer fits them and loses half its confidence.
    let name = korean_name_of(&lines, &mrz_of("CHOI", "HYUNJAY"), vec![]).unwrap();
    assert_eq!(
        (name.value.as_text(), name.confidence),
        (Some("최현재"), 0.35)
    );
}

#[test]
fn a_misread_korean_name_gives_way_to_a_reading_that_fits_the_mrz() {
    let lines = [
        line("HYUN JAE", 420.0, 294.0, 0.9),
        line("최헌재", 940.0, 296.0, 0.8),
    ];
    let ranked = vec!["최헌재", "최헌제", "최현재"];
    let name = korean_name_of(&lines, &mrz_of("CHOI", "HYUNJAE"), ranked).unwrap();
    assert_eq!(
        (name.value.as_text(), name.confidence),
        (Some("최현재"), FITS_MRZ)
    );
}

#[test]
fn the_line_that_spells_the_mrz_is_the_name_however_unsure() {
    let lines = [
        line("대한민증", 60.0, 30.0, 0.81),
        line("최현재", 400.0, 300.0, 0.6),
    ];
    let (gray, mut recogniser) = painted(&lines, (1250, 880));
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    korean_name(&mut sheet, Some(&mrz_of("CHOI", "HYUNJAE"))).unwrap();
    assert_eq!(
        sheet.fields[&FieldName::Name].value.as_text(),
        Some("최현재")
    );
}

/// Reads the upper of two rows as `upper` and every other row as
/// `lower` (the rows of `mrz_rows` differ in height).
struct MrzRows {
    upper: &'static str,
    lower: &'static str,
}

impl LineRecogniser for MrzRows {
    fn read(&mut self, line: &GrayImage, _: Script) -> Result<LineReading, DocError> {
        let text = if line.height() < 60 {
            self.upper
        } else {
            self.lower
        };
        Ok(LineReading {
            text: text.to_owned(),
            confidence: 0.9,
        })
    }
}

fn mrz_rows() -> [Line; 2] {
    let mut lower = line("", 60.0, 780.0, 0.9);
    lower.area.h = 56.0;
    [line("", 60.0, 700.0, 0.9), lower]
}

#[test]
fn an_mrz_failing_its_check_digits_is_not_returned() {
    let gray = GrayImage::new(1250, 880);
    let upper = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    let mut valid = MrzRows {
        upper,
        lower: "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
    };
    let reading = assemble(DocumentKind::Passport, &mrz_rows(), &gray, &mut valid).unwrap();
    assert!(reading.mrz.is_some_and(|m| m.valid));
    assert_eq!(reading.checks.mrz_check_digits, Some(true));
    assert_eq!(reading.fields[&FieldName::PassportNumber].confidence, 0.99);

    // One digit of the document number misread: its check digit fails.
    let mut misread = MrzRows {
        upper,
        lower: "L898907C36UTO7408122F1204159ZE184226B<<<<<10",
    };
    let reading = assemble(DocumentKind::Passport, &mrz_rows(), &gray, &mut misread).unwrap();
    assert!(reading.mrz.is_none());
    assert_eq!(reading.checks.mrz_check_digits, Some(false));
    assert_eq!(reading.fields[&FieldName::PassportNumber].confidence, 0.5);
}

#[test]
fn a_passport_mrz_of_the_wrong_format_is_withheld() {
    let gray = GrayImage::new(1250, 880);
    // Check digits hold, but `PP`, `ICO` and `M094EG599` cannot be.
    let mut rows = MrzRows {
        upper: "PPICOHONG<<GILDONG<<<<<<<<<<<<<<<<<<<<<<<<<<",
        lower: "M094EG5990KOR7408122F1204159<<<<<<<<<<<<<<<0",
    };
    let parsed = mrz::parse_td3(rows.upper, rows.lower).unwrap();
    assert!(parsed.check_digits_hold, "{parsed:?}");
    let reading = assemble(DocumentKind::Passport, &mrz_rows(), &gray, &mut rows).unwrap();
    assert!(reading.mrz.is_none());
    assert_eq!(reading.checks.mrz_check_digits, Some(true));
    assert!(!reading.fields.contains_key(&FieldName::IssuingCountry));
    assert!(reading.fields[&FieldName::PassportNumber].confidence <= 0.5);
    assert!(reading.confidence < 0.6, "{}", reading.confidence);
}

/// A page printing `birth` under its label, the issue and expiry dates,
/// and the ICAO specimen's MRZ (born 12 AUG 1974, expiring 15 APR 2012).
fn page_printing_birth(birth: &str) -> Vec<Line> {
    vec![
        line("생년월일/Date of birth", 420.0, 430.0, 0.9),
        line(birth, 420.0, 474.0, 0.9),
        line("15 APR 2007", 420.0, 560.0, 0.9),
        line("15 APR 2012", 420.0, 610.0, 0.9),
        line(
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
            60.0,
            700.0,
            0.9,
        ),
        line(
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
            60.0,
            780.0,
            0.9,
        ),
    ]
}

#[test]
fn a_date_before_the_birth_is_no_issue_date() {
    let mut lines = page_printing_birth("12 AUG 1974");
    lines.remove(0);
    lines[0] = line("12 AUG 1904", 420.0, 474.0, 0.9);
    let (gray, mut recogniser) = painted(&lines, (1250, 880));
    let reading = assemble(DocumentKind::Passport, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(
        reading.fields[&FieldName::IssueDate].value.as_text(),
        Some("2007-04-15")
    );
}

#[test]
fn the_printed_birth_date_is_checked_against_the_mrzs() {
    let lines = page_printing_birth("12 AUG 1974");
    let (gray, mut recogniser) = painted(&lines, (1250, 880));
    let reading = assemble(DocumentKind::Passport, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(reading.checks.birth_date_consistent, Some(true));
    let birth = &reading.fields[&FieldName::BirthDate];
    assert_eq!(
        (birth.value.as_text(), birth.confidence),
        (Some("1974-08-12"), 0.99)
    );
    assert_eq!(
        reading.fields[&FieldName::IssueDate].value.as_text(),
        Some("2007-04-15")
    );

    // The printed year misread (or the MRZ's, past its check digit):
    // which is wrong cannot be told, so the birth date is not trusted, and
    // the printed one is not taken for the issue date either.
    let lines = page_printing_birth("12 AUG 1979");
    let (gray, mut recogniser) = painted(&lines, (1250, 880));
    let reading = assemble(DocumentKind::Passport, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(reading.checks.birth_date_consistent, Some(false));
    let birth = &reading.fields[&FieldName::BirthDate];
    assert_eq!(
        (birth.value.as_text(), birth.confidence),
        (Some("1974-08-12"), BROKEN_RULE)
    );
    assert_eq!(
        reading.fields[&FieldName::IssueDate].value.as_text(),
        Some("2007-04-15")
    );

    // No printed birth date read: nothing to compare.
    let mut lines = page_printing_birth("");
    lines.remove(1);
    let (gray, mut recogniser) = painted(&lines, (1250, 880));
    let reading = assemble(DocumentKind::Passport, &lines, &gray, &mut recogniser).unwrap();
    assert_eq!(reading.checks.birth_date_consistent, None);
}

#[test]
fn a_printed_issue_date_after_the_mrzs_expiry_date_is_not_trusted() {
    let mut lines = page_printing_birth("12 AUG 1974");
    lines[2] = line("15 APR 2013", 420.0, 560.0, 0.9);
    let (gray, mut recogniser) = painted(&lines, (1250, 880));
    let reading = assemble(DocumentKind::Passport, &lines, &gray, &mut recogniser).unwrap();
    for name in [FieldName::IssueDate, FieldName::ExpiryDate] {
        assert_eq!(reading.fields[&name].confidence, BROKEN_RULE, "{name}");
    }
    assert_eq!(reading.fields[&FieldName::BirthDate].confidence, 0.99);
}
