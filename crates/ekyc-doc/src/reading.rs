//! What a photo gives: a [`Reading`] of one document, or why there is none.

use ekyc_image::Quad;

use crate::fields::Fields;
use crate::kind::DocumentKind;
use crate::mrz::Mrz;
use crate::registration::RegistrationNumber;
use crate::DocError;

/// Why a photo gave no reading.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// No outline held a document: the contract's `4040B`.
    #[error("no ID document was found in the image")]
    NoDocument,
    /// A document was found but too few of its fields read: `40904`.
    #[error("the document's fields could not be read")]
    Unreadable,
    /// The models failed, which says nothing about the photo.
    #[error(transparent)]
    Model(#[from] DocError),
}

/// Validation results; `None` where a check does not apply or its field
/// was not read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    /// The ID number is 13 digits with the birth date of a living holder
    /// and a century/sex digit that fits the document (5–8 on a residence
    /// card, 0–4 or 9 on a Korean one).
    pub id_number_format: Option<bool>,
    /// The ID number's check digit holds (a signal only).
    pub id_number_checksum: Option<bool>,
    /// The licence number has a known region code.
    pub licence_number: Option<bool>,
    /// Every licence type read is one of the nine.
    pub licence_types: Option<bool>,
    /// Every MRZ check digit holds.
    pub mrz_check_digits: Option<bool>,
    /// The birth date printed in the passport's visual zone agrees with its
    /// MRZ's (the other documents print one birth date only, in the
    /// registration number, so the check does not apply to them).
    pub birth_date_consistent: Option<bool>,
    /// The expiry date has passed.
    pub expired: Option<bool>,
    /// The document is of the type the client named.
    pub id_type_matches: Option<bool>,
}

/// Milliseconds spent in each stage, summed over every outline tried, so
/// that a slow answer shows where its time went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimings {
    /// Finding the card's outlines and rectifying them.
    pub finding: f64,
    /// Detecting the text lines and turning the page upright.
    pub detection: f64,
    /// The first (Korean) reading of the lines.
    pub recognition: f64,
    /// Assembling the fields, with the re-reads of lines it asks for.
    pub parsing: f64,
}

/// What was read from one document.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The document read: the one its title names, else the one its lines
    /// show, else the one the client expected.
    pub kind: DocumentKind,
    /// Fields by name; the ID number and the MRZ are kept apart because
    /// they must be masked.
    pub fields: Fields,
    /// The registration number with its confidence (all but the passport).
    pub id_number: Option<(RegistrationNumber, f32)>,
    /// The passport's MRZ, only when it is valid: every check digit holds,
    /// and the document code, states and (on Korean passports) number have
    /// their shapes. One that is not is misread somewhere, so it is
    /// withheld rather than handed on (its fields keep a low confidence,
    /// and `checks.mrz_check_digits` says whether the digits failed).
    pub mrz: Option<Mrz>,
    /// What the fields' own rules say of them.
    pub checks: Checks,
    /// The document's corners in the input image, clockwise from its
    /// top-left as printed.
    pub corners: Quad,
    /// The portrait's `[x, y, width, height]` in the input image.
    pub portrait: Option<[f32; 4]>,
    /// Mean of the field confidences, a field the document should print
    /// but that was not read counting 0.
    pub confidence: f32,
    /// Where the reading's time went.
    pub timings: StageTimings,
}
