//! The fields a document answers with, named by type rather than by
//! spelling: the contract's JSON names are written once, here, so the
//! layouts that fill the fields and the crates that hand them on cannot
//! disagree on one.

use std::collections::BTreeMap;
use std::fmt;

/// A field of the answer other than the ID number and the MRZ, which are
/// kept apart because they must be masked.
///
/// Variants are declared in the order of their JSON names, so that a map of
/// fields iterates (and sums its confidences) in the same order as it did
/// when the fields were keyed by those names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FieldName {
    /// The holder's address (resident card, licence).
    Address,
    /// The holder's birth date, ISO formatted.
    BirthDate,
    /// A licence's 조건 code (one or two capitals).
    Condition,
    /// An MRZ document's code (`P`, `PM`, `I`, `V`, …): what the document
    /// is when it is not a Korean one (an ID card, a visa).
    DocumentCode,
    /// The date the document expires (licence, passport).
    ExpiryDate,
    /// A passport's given names, from its MRZ.
    GivenNames,
    /// The date the document was issued.
    IssueDate,
    /// The issuing authority (구청장, 경찰청장, …).
    Issuer,
    /// A passport's issuing state, from its MRZ.
    IssuingCountry,
    /// A licence's number in its code form.
    LicenceNumber,
    /// The region name a licence issued before June 2014 prints.
    LicenceRegion,
    /// The first licence type printed.
    LicenceType,
    /// Every licence type printed, in print order (a list).
    LicenceTypes,
    /// The holder's name, in Hangul where the document prints it.
    Name,
    /// The holder's nationality (residence card, passport).
    Nationality,
    /// A passport's document number.
    PassportNumber,
    /// The card serial newer licences and residence cards carry.
    SerialNumber,
    /// The holder's sex from a passport's MRZ (`M`, `F`).
    Sex,
    /// A passport's surname, from its MRZ.
    Surname,
    /// A residence card's status of stay (`E-9`, `F-5`, …).
    VisaType,
}

impl FieldName {
    /// Every field, in the order of their JSON names.
    pub const ALL: [FieldName; 20] = [
        Self::Address,
        Self::BirthDate,
        Self::Condition,
        Self::DocumentCode,
        Self::ExpiryDate,
        Self::GivenNames,
        Self::IssueDate,
        Self::Issuer,
        Self::IssuingCountry,
        Self::LicenceNumber,
        Self::LicenceRegion,
        Self::LicenceType,
        Self::LicenceTypes,
        Self::Name,
        Self::Nationality,
        Self::PassportNumber,
        Self::SerialNumber,
        Self::Sex,
        Self::Surname,
        Self::VisaType,
    ];

    /// The field's name in the contract's JSON (which spells licences the
    /// American way).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Address => "address",
            Self::BirthDate => "birthDate",
            Self::Condition => "condition",
            Self::DocumentCode => "documentCode",
            Self::ExpiryDate => "expiryDate",
            Self::GivenNames => "givenNames",
            Self::IssueDate => "issueDate",
            Self::Issuer => "issuer",
            Self::IssuingCountry => "issuingCountry",
            Self::LicenceNumber => "licenseNo",
            Self::LicenceRegion => "licenseRegion",
            Self::LicenceType => "licenseType",
            Self::LicenceTypes => "licenseTypes",
            Self::Name => "name",
            Self::Nationality => "nationality",
            Self::PassportNumber => "passportNo",
            Self::SerialNumber => "serialNo",
            Self::Sex => "sex",
            Self::Surname => "surname",
            Self::VisaType => "visaType",
        }
    }
}

impl fmt::Display for FieldName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a field holds: text, or for the licence types a list, which the
/// answer gives as a JSON array.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A single value as printed (or normalised: dates are ISO).
    Text(String),
    /// Several values of one field, in print order.
    List(Vec<String>),
}

impl FieldValue {
    /// The text of a single-valued field; `None` for a list.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::List(_) => None,
        }
    }
}

/// One field as read, with a confidence in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// What was read, after the field's format corrected it.
    pub value: FieldValue,
    /// How far the reading is to be trusted; a field that breaks one of its
    /// document's rules keeps a low one rather than being dropped.
    pub confidence: f32,
}

/// A document's fields by name.
pub type Fields = BTreeMap<FieldName, Field>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_ordered_as_their_json_names() {
        let names: Vec<&str> = FieldName::ALL.iter().map(|n| n.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        let mut ordered = FieldName::ALL;
        ordered.sort_unstable();
        assert_eq!(ordered, FieldName::ALL);
    }
}
