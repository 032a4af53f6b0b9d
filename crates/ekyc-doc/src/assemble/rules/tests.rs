use std::collections::BTreeMap;

use super::*;
use crate::registration;

fn field(value: &str, confidence: f32) -> Field {
    Field {
        value: FieldValue::Text(value.to_owned()),
        confidence,
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
}

#[test]
fn an_issue_date_after_the_expiry_date_is_not_trusted() {
    let mut fields = BTreeMap::from([
        (FieldName::BirthDate, field("1990-01-01", 0.95)),
        (FieldName::IssueDate, field("2024-04-12", 0.95)),
        (FieldName::ExpiryDate, field("2023-12-31", 0.95)),
    ]);
    keep_date_rules(&mut fields, today());
    assert_eq!(fields[&FieldName::BirthDate].confidence, 0.95);
    assert_eq!(fields[&FieldName::IssueDate].confidence, BROKEN_RULE);
    assert_eq!(fields[&FieldName::ExpiryDate].confidence, BROKEN_RULE);

    let mut fields = BTreeMap::from([
        (FieldName::BirthDate, field("1990-01-01", 0.95)),
        (FieldName::IssueDate, field("2027-04-12", 0.95)),
    ]);
    keep_date_rules(&mut fields, today());
    assert_eq!(fields[&FieldName::IssueDate].confidence, BROKEN_RULE);
    let mut fields = BTreeMap::from([
        (FieldName::BirthDate, field("2021-01-01", 0.95)),
        (FieldName::IssueDate, field("2020-04-12", 0.95)),
        (FieldName::ExpiryDate, field("2030-04-12", 0.95)),
    ]);
    keep_date_rules(&mut fields, today());
    assert_eq!(fields[&FieldName::BirthDate].confidence, BROKEN_RULE);
    assert_eq!(fields[&FieldName::ExpiryDate].confidence, 0.95);
}

#[test]
fn a_foreigners_number_gives_no_birth_date_from_the_1800s() {
    let mut fields = BTreeMap::new();
    // The 5 of a foreigner's number misread as 0: born in 1884.
    let misread = registration::parse("840807-0062544").unwrap();
    let mut confidence = 0.9;
    let kept = keep_number_rules(
        DocumentKind::Foreign,
        &misread,
        &mut confidence,
        &mut fields,
        today(),
    );
    assert!(!kept && fields.is_empty());
    assert_eq!(confidence, BROKEN_RULE);

    let number = registration::parse("840807-5062544").unwrap();
    let mut confidence = 0.9;
    assert!(keep_number_rules(
        DocumentKind::Foreign,
        &number,
        &mut confidence,
        &mut fields,
        today(),
    ));
    assert_eq!(
        fields[&FieldName::BirthDate].value.as_text(),
        Some("1984-08-07")
    );
    assert_eq!(confidence, 0.9);
    // A foreigner's number on a Korean document breaks its rule too.
    let mut confidence = 0.9;
    assert!(!keep_number_rules(
        DocumentKind::Resident,
        &number,
        &mut confidence,
        &mut BTreeMap::new(),
        today(),
    ));
}

#[test]
fn missing_fields_lower_the_documents_confidence() {
    let full: Fields = expected_fields(DocumentKind::Resident)
        .iter()
        .map(|name| (*name, field("x", 1.0)))
        .collect();
    let whole = document_confidence(DocumentKind::Resident, &full, Some(1.0));
    assert_eq!(whole, 1.0);
    let mut partial = full.clone();
    for name in [FieldName::Address, FieldName::IssueDate, FieldName::Issuer] {
        partial.remove(&name);
    }
    let gaps = document_confidence(DocumentKind::Resident, &partial, Some(1.0));
    assert!(gaps <= 0.5, "{gaps}");
    let without_number = document_confidence(DocumentKind::Resident, &full, None);
    assert!(without_number < 0.9, "{without_number}");
}

/// A residence card read without its issuer and serial, or a licence
/// without its serial, is not whole: its confidence says so.
#[test]
fn a_missing_issuer_or_serial_keeps_a_card_below_confident() {
    for kind in [DocumentKind::Foreign, DocumentKind::Driver] {
        let mut fields: Fields = expected_fields(kind)
            .iter()
            .map(|name| (*name, field("x", 1.0)))
            .collect();
        fields.remove(&FieldName::SerialNumber);
        if kind == DocumentKind::Foreign {
            fields.remove(&FieldName::Issuer);
        }
        let confidence = document_confidence(kind, &fields, Some(1.0));
        assert!(confidence < 0.95, "{kind:?}: {confidence}");
    }
}

#[test]
fn dates_outside_a_holders_or_a_documents_years_are_not_trusted() {
    let mut fields = BTreeMap::from([
        (FieldName::BirthDate, field("1899-12-31", 0.95)),
        (FieldName::IssueDate, field("2024-04-12", 0.95)),
        // Twenty years and a day after today: no document runs so long.
        (FieldName::ExpiryDate, field("2046-12-07", 0.95)),
    ]);
    keep_date_rules(&mut fields, today());
    assert_eq!(fields[&FieldName::BirthDate].confidence, BROKEN_RULE);
    assert_eq!(fields[&FieldName::IssueDate].confidence, 0.95);
    assert_eq!(fields[&FieldName::ExpiryDate].confidence, BROKEN_RULE);

    let mut fields = BTreeMap::from([
        (FieldName::BirthDate, field("1900-01-01", 0.95)),
        (FieldName::ExpiryDate, field("2046-12-06", 0.95)),
    ]);
    keep_date_rules(&mut fields, today());
    assert_eq!(fields[&FieldName::BirthDate].confidence, 0.95);
    assert_eq!(fields[&FieldName::ExpiryDate].confidence, 0.95);
}
