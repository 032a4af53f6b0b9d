//! From recognised lines to a document's fields.
//!
//! Layouts vary by issue year, so fields are found by what they look like
//! (a registration number's shape, a date, a licence type) and by the label
//! printed above them, never by fixed positions. Lines that hold a field of
//! known alphabet are read again with that alphabet, and the field's format
//! (check digits, region and type vocabularies, real dates) picks or repairs
//! the reading.
//!
//! Each document's layout has its own module; what several print (the
//! registration number, the issuer, the address, …) is in `shared`, and
//! the rules every reading must keep, whatever its layout, in `rules`.

mod dated;
mod driver;
mod foreign;
mod labels;
mod passport;
mod resident;
mod rules;
mod shared;
mod sheet;
mod stay;
#[cfg(test)]
mod testing;
mod types;
mod zone;

use chrono::Utc;
use image::GrayImage;

use crate::fields::{FieldName, Fields};
use crate::kind::DocumentKind;
use crate::mrz::Mrz;
use crate::reading::{Checks, ReadError};
use crate::recognise::LineRecogniser;
use crate::registration::RegistrationNumber;

pub(crate) use sheet::Line;
use sheet::Sheet;
pub(crate) use zone::may_hold_mrz;

/// A registration number as read, with its confidence.
type IdNumber = Option<(RegistrationNumber, f32)>;

/// Everything a page's lines tell about its document: the fields, checked
/// against the document's rules. Where the page lay in the photo is the
/// reader's to add.
#[derive(Debug, Clone)]
pub(crate) struct Assembled {
    /// The layout the lines were read as.
    pub kind: DocumentKind,
    /// The fields found, their confidences lowered where a rule broke.
    pub fields: Fields,
    /// The registration number (all but the passport).
    pub id_number: IdNumber,
    /// The passport's MRZ, only when it is valid (see [`crate::Reading::mrz`]).
    pub mrz: Option<Mrz>,
    /// Every check but `id_type_matches`, which only the reader can tell.
    pub checks: Checks,
    /// See [`crate::Reading::confidence`].
    pub confidence: f32,
}

impl Assembled {
    /// Whether the document's key is read (its ID number, or a passport's
    /// MRZ) and its issue date, which every type prints near the bottom:
    /// an outline that cut the card short (at the portrait's lower edge,
    /// on a card that fills the photo) still shows the key.
    pub fn is_complete(&self) -> bool {
        let key = match self.kind {
            DocumentKind::Passport => self.mrz.is_some(),
            _ => self.id_number.is_some(),
        };
        key && self.fields.contains_key(&FieldName::IssueDate)
    }

    /// Whether a key field keeps its document's rules: a registration
    /// number with a seventh digit that fits and a real birth date, a
    /// licence number with a known region, or a valid MRZ.
    pub fn has_valid_key(&self) -> bool {
        self.checks.id_number_format == Some(true)
            || self.checks.licence_number == Some(true)
            || self.mrz.is_some()
    }
}

/// Reads `lines` (of the upright page `gray`) as a document of `kind`,
/// re-reading lines with `recogniser` where a field's alphabet is known.
/// Fewer than two fields is no reading.
pub(crate) fn assemble(
    kind: DocumentKind,
    lines: &[Line],
    gray: &GrayImage,
    recogniser: &mut dyn LineRecogniser,
) -> Result<Assembled, ReadError> {
    let today = Utc::now().date_naive();
    let mut sheet = Sheet::new(lines, gray, recogniser, today);
    let mut checks = Checks::default();
    let mut id_number = None;
    let mut mrz = None;
    match kind {
        DocumentKind::Resident => id_number = resident::read(&mut sheet)?,
        DocumentKind::Driver => id_number = driver::read(&mut sheet, &mut checks)?,
        DocumentKind::Foreign => id_number = foreign::read(&mut sheet)?,
        DocumentKind::Passport => mrz = passport::read(&mut sheet, &mut checks)?,
    }
    let mut fields = sheet.into_fields();
    if let Some((number, confidence)) = &mut id_number {
        checks.id_number_format = Some(rules::keep_number_rules(
            kind,
            number,
            confidence,
            &mut fields,
            today,
        ));
        checks.id_number_checksum = Some(number.checksum_holds());
    }
    if let Some(reading) = &mrz {
        checks.mrz_check_digits = Some(reading.check_digits_hold);
    }
    rules::keep_date_rules(&mut fields, today);
    checks.expired = rules::date(&fields, FieldName::ExpiryDate).map(|expiry| expiry < today);
    if fields.len() + usize::from(id_number.is_some()) < 2 {
        return Err(ReadError::Unreadable);
    }
    let confidence = rules::document_confidence(kind, &fields, id_number.as_ref().map(|n| n.1));
    Ok(Assembled {
        kind,
        fields,
        id_number,
        mrz: mrz.filter(|m| m.valid),
        checks,
        confidence,
    })
}
