//! Why a face use case could not be served. The HTTP layer maps each case
//! to the contract's code; the sources are kept for the log.

use std::fmt;

use ekyc_auth::LockoutError;
use ekyc_face::liveness::LivenessError;
use ekyc_face::{CalibrationError, FaceError};
use ekyc_image::IntakeError;
use ekyc_runtime::PoolError;
use ekyc_store::{StoreError, UserCode};
use ekyc_vault::VaultError;

/// Which image of a two-image request (compare) an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSlot {
    /// `image1`: the reference, e.g. an ID card.
    Reference,
    /// `image2`: the probe, e.g. a selfie.
    Probe,
}

impl ImageSlot {
    /// The request field that carried the image.
    pub fn field(self) -> &'static str {
        match self {
            Self::Reference => "image1",
            Self::Probe => "image2",
        }
    }
}

impl fmt::Display for ImageSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

/// Why a face use case gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum FaceServiceError {
    /// An image was refused before any face was looked for: not Base64,
    /// not an image, too large.
    #[error("the image could not be used")]
    Image {
        /// Which image, in a two-image request.
        slot: Option<ImageSlot>,
        /// Why it was refused.
        #[source]
        source: IntakeError,
    },
    /// No usable face: none, several, or one that fails the quality gate.
    #[error("the face could not be used")]
    Face {
        /// Which image, in a two-image request.
        slot: Option<ImageSlot>,
        /// What was wrong with the face.
        #[source]
        source: FaceError,
    },
    /// Verify names a user with no enrolment.
    #[error("the user is not registered")]
    NotRegistered,
    /// Delete names a user with no enrolment.
    #[error("no such user")]
    UserNotFound,
    /// Registration with the duplicate check found the face enrolled
    /// under another user code.
    #[error("the face is enrolled under another user code")]
    Duplicate {
        /// The user the face is enrolled for.
        matched_user_code: UserCode,
        /// The calibrated score of the two faces.
        score: f32,
    },
    /// A mismatch under the `login` policy; the decision is still answered.
    #[error("the faces do not match")]
    LoginMismatch(Box<crate::Matched>),
    /// The user is locked after failed verifications, or has too many in
    /// progress; or the lockout's state could not be read or written.
    #[error("verification of this user is locked")]
    Lockout(#[from] LockoutError),
    /// The inference pool is full or shutting down, or a job panicked.
    #[error("inference is unavailable")]
    Pool(#[from] PoolError),
    /// The store failed.
    #[error("storage failed")]
    Store(#[from] StoreError),
    /// Sealing or opening templates failed, or the store beneath it.
    #[error("the template vault failed")]
    Vault(#[from] VaultError),
    /// A template's model has no calibration, so no score can be given.
    #[error("no calibration for the template's model")]
    Calibration(#[from] CalibrationError),
    /// The liveness models failed.
    #[error("liveness scoring failed")]
    Liveness(#[from] LivenessError),
    /// The 1:N scan's blocking task panicked or was cancelled.
    #[error("the gallery search failed")]
    SearchFailed(#[source] tokio::task::JoinError),
}

impl FaceServiceError {
    pub(crate) fn face(slot: Option<ImageSlot>, source: FaceError) -> Self {
        Self::Face { slot, source }
    }
}
