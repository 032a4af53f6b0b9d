//! Why a face use case could not be served. The HTTP layer maps each case
//! to the contract's code; the sources are kept for the log.

use std::fmt;

use ekyc_auth::LockoutError;
use ekyc_face::liveness::LivenessError;
use ekyc_face::{CalibrationError, FaceError};
use ekyc_image::IntakeError;
use ekyc_runtime::PoolError;
use ekyc_store::StoreError;
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

#[derive(Debug, thiserror::Error)]
pub enum FaceServiceError {
    #[error("the image could not be used")]
    Image {
        slot: Option<ImageSlot>,
        #[source]
        source: IntakeError,
    },
    #[error("the face could not be used")]
    Face {
        slot: Option<ImageSlot>,
        #[source]
        source: FaceError,
    },
    #[error("the user is not registered")]
    NotRegistered,
    #[error("no such user")]
    UserNotFound,
    #[error("the face is enrolled under another user code")]
    Duplicate {
        matched_user_code: String,
        score: f32,
    },
    /// A mismatch under the `login` policy; the decision is still answered.
    #[error("the faces do not match")]
    LoginMismatch(Box<crate::Matched>),
    #[error("verification of this user is locked")]
    Lockout(#[from] LockoutError),
    #[error("inference is unavailable")]
    Pool(#[from] PoolError),
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("the template vault failed")]
    Vault(#[from] VaultError),
    #[error("no calibration for the template's model")]
    Calibration(#[from] CalibrationError),
    #[error("liveness scoring failed")]
    Liveness(#[from] LivenessError),
    #[error("the gallery search failed")]
    SearchFailed,
}

impl FaceServiceError {
    pub(crate) fn face(slot: Option<ImageSlot>, source: FaceError) -> Self {
        Self::Face { slot, source }
    }
}
