//! The rules every reading keeps, whatever the layout found it: the
//! registration number's, the dates' order, and what the document's
//! confidence counts. A field that breaks a rule is kept but not trusted.

use chrono::{Months, NaiveDate};

use crate::admin::Verdict;
use crate::dates;
use crate::fields::{Field, FieldName, FieldValue, Fields};
use crate::kind::DocumentKind;
use crate::registration::RegistrationNumber;

/// How dates are written in the answer.
pub(super) const ISO_DATE: &str = "%Y-%m-%d";

/// The most a field that breaks one of its document's rules may claim:
/// low enough that no client threshold takes it for read.
pub(super) const BROKEN_RULE: f32 = 0.3;

/// How much of its reading's confidence a field put right keeps: the
/// correction is a guess, likelier right than the misread but not sure,
/// and a calibrated client must see less certainty.
pub(super) const CORRECTED: f32 = 0.9;

/// A field's confidence after checking it against what it may say: kept
/// when it was valid as read, lowered by [`CORRECTED`] when it was put
/// right, and at most [`BROKEN_RULE`] when it fits nothing that exists.
pub(super) fn checked_confidence(verdict: Verdict, confidence: f32) -> f32 {
    match verdict {
        Verdict::Valid => confidence,
        Verdict::Corrected => confidence * CORRECTED,
        Verdict::Unmatched => confidence.min(BROKEN_RULE),
    }
}

/// The fields every card of a kind prints (besides the registration
/// number, which all but the passport print). A licence's condition is
/// optional and left out. Serials came to the licence and the residence
/// card around 2011; both are renewed within ten years, so every card in
/// use carries one, and a reading without it is not whole.
fn expected_fields(kind: DocumentKind) -> &'static [FieldName] {
    match kind {
        DocumentKind::Resident => &[
            FieldName::Name,
            FieldName::BirthDate,
            FieldName::Address,
            FieldName::IssueDate,
            FieldName::Issuer,
        ],
        DocumentKind::Driver => &[
            FieldName::Name,
            FieldName::BirthDate,
            FieldName::LicenceNumber,
            FieldName::LicenceType,
            FieldName::Address,
            FieldName::IssueDate,
            FieldName::ExpiryDate,
            FieldName::Issuer,
            FieldName::SerialNumber,
        ],
        DocumentKind::Foreign => &[
            FieldName::Name,
            FieldName::BirthDate,
            FieldName::Nationality,
            FieldName::VisaType,
            FieldName::IssueDate,
            FieldName::Issuer,
            FieldName::SerialNumber,
        ],
        DocumentKind::Passport => &[
            FieldName::Name,
            FieldName::BirthDate,
            FieldName::PassportNumber,
            FieldName::Surname,
            FieldName::GivenNames,
            FieldName::Nationality,
            FieldName::Sex,
            FieldName::IssueDate,
            FieldName::ExpiryDate,
            FieldName::IssuingCountry,
        ],
    }
}

/// The document's confidence: the mean over the fields it should show and
/// those it does, a field expected but missing or withheld counting 0, so
/// that an answer with gaps never claims to be whole.
pub(super) fn document_confidence(
    kind: DocumentKind,
    fields: &Fields,
    id_number: Option<f32>,
) -> f32 {
    let expected = expected_fields(kind);
    let missing = expected
        .iter()
        .filter(|name| !fields.contains_key(*name))
        .count();
    let id_expected = kind != DocumentKind::Passport;
    let mut sum: f32 = fields.values().map(|f| f.confidence).sum();
    let mut count = fields.len() + missing;
    if id_expected || id_number.is_some() {
        sum += id_number.unwrap_or(0.0);
        count += 1;
    }
    sum / count.max(1) as f32
}

/// The registration number's rules: a seventh digit that fits the
/// document and the birth date of a living holder. A number that breaks
/// them is misread somewhere: it is kept (it may be printed so) but not
/// trusted, and no birth date is taken from it. Returns whether it keeps
/// them.
pub(super) fn keep_number_rules(
    kind: DocumentKind,
    number: &RegistrationNumber,
    confidence: &mut f32,
    fields: &mut Fields,
    today: NaiveDate,
) -> bool {
    let fits = number.fits(kind == DocumentKind::Foreign) && number.birth_date_plausible(today);
    match number.birth_date {
        Some(birth) if fits => {
            fields.insert(
                FieldName::BirthDate,
                Field {
                    value: FieldValue::Text(birth.format(ISO_DATE).to_string()),
                    confidence: *confidence,
                },
            );
        }
        _ => *confidence = confidence.min(BROKEN_RULE),
    }
    fits
}

/// How many years ahead an expiry date may lie: no Korean document runs
/// longer (a passport ten years, a licence's renewal period ten).
const LONGEST_VALIDITY: Months = Months::new(20 * 12);

/// The rules every document's dates keep: each a date of the holder's or
/// of a document in use (from 1900 on; birth and issue no later than
/// today; expiry no more than [`LONGEST_VALIDITY`] ahead), born no later
/// than issued, and issued before it expires. A date that breaks one is
/// misread somewhere: the dates involved keep at most [`BROKEN_RULE`]
/// confidence, since which of them is wrong cannot be told.
pub(super) fn keep_date_rules(fields: &mut Fields, today: NaiveDate) {
    let (birth, issue, expiry) = (
        date(fields, FieldName::BirthDate),
        date(fields, FieldName::IssueDate),
        date(fields, FieldName::ExpiryDate),
    );
    let mut broken: Vec<FieldName> = Vec::new();
    let latest_expiry = today.checked_add_months(LONGEST_VALIDITY);
    for (name, date, latest) in [
        (FieldName::BirthDate, birth, Some(today)),
        (FieldName::IssueDate, issue, Some(today)),
        (FieldName::ExpiryDate, expiry, latest_expiry),
    ] {
        let outside = |d: NaiveDate| !dates::in_range(&d) || latest.is_some_and(|l| d > l);
        if date.is_some_and(outside) {
            broken.push(name);
        }
    }
    if let (Some(b), Some(i)) = (birth, issue) {
        if i < b {
            broken.extend([FieldName::BirthDate, FieldName::IssueDate]);
        }
    }
    if let (Some(i), Some(e)) = (issue, expiry) {
        if e <= i {
            broken.extend([FieldName::IssueDate, FieldName::ExpiryDate]);
        }
    }
    if let (Some(b), Some(e)) = (birth, expiry) {
        if e <= b {
            broken.extend([FieldName::BirthDate, FieldName::ExpiryDate]);
        }
    }
    for name in broken {
        if let Some(field) = fields.get_mut(&name) {
            field.confidence = field.confidence.min(BROKEN_RULE);
        }
    }
}

/// The date field `name` holds, if it holds one.
pub(super) fn date(fields: &Fields, name: FieldName) -> Option<NaiveDate> {
    fields
        .get(&name)
        .and_then(|f| f.value.as_text())
        .and_then(|text| NaiveDate::parse_from_str(text, ISO_DATE).ok())
}

#[cfg(test)]
mod tests;
