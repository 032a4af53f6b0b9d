//! The face use cases of the API, in one place: register (with the
//! duplicate check), verify (lockout, engine fallback, model versions,
//! policy), compare, count, identify, delete and liveness, over the vault
//! (which seals templates and user codes on their way to the store), the
//! verify lockout and the inference pool.
//!
//! The HTTP handlers parse requests and shape answers; the benchmarks and
//! the tests call these same functions, so what a benchmark measures is
//! exactly what the server serves. Images arrive as the API carries them
//! (Base64) and are decoded once, on an inference thread.
//!
//! Each use case with more than a few lines has its module: `register`,
//! `verify`, `compare` and `identify`; the templates' stored form is in
//! `templates`.

mod compare;
mod error;
mod identify;
mod register;
mod stages;
mod templates;
mod verify;

pub use compare::CompareSide;
pub use error::{FaceServiceError, ImageSlot};
pub use identify::Identified;
pub use register::{Registered, Registration};
pub use stages::{Spent, Stage, Stages};
pub use verify::Matched;

use std::sync::Arc;

use ekyc_auth::Lockout;
use ekyc_face::liveness::{Check, LivenessReport};
use ekyc_face::{AlignedFace, EngineId, Face, FaceModels, FaceUse, Matcher, Policy};
use ekyc_image::{decode_base64_image, IntakeLimits, RgbImage};
use ekyc_runtime::InferencePool;
use ekyc_store::{TenantId, UserCode};
use ekyc_vault::Vault;

use stages::Stopwatch;

/// The choices of the face use cases that are not the models'.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ServiceSettings {
    /// Engine of a registration that names none, and the first engine of
    /// compare and identify.
    pub default_engine: EngineId,
    /// Target false-positive identification rate of 1:N search.
    pub fpir: f64,
    /// The largest image accepted (file bytes, pixels, side), checked
    /// before any pixel is decoded.
    pub intake: IntakeLimits,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        Self {
            default_engine: EngineId::Ezway,
            fpir: 1e-3,
            intake: IntakeLimits::default(),
        }
    }
}

/// What the face use cases work with.
pub struct FaceService {
    pool: Arc<InferencePool<FaceModels>>,
    vault: Arc<Vault>,
    lockout: Arc<Lockout>,
    matcher: Arc<Matcher>,
    settings: ServiceSettings,
}

impl FaceService {
    /// The use cases over the models of `pool`, the templates of `vault`,
    /// the verify `lockout` and the decisions of `matcher`.
    pub fn new(
        pool: Arc<InferencePool<FaceModels>>,
        vault: Arc<Vault>,
        lockout: Arc<Lockout>,
        matcher: Arc<Matcher>,
        settings: ServiceSettings,
    ) -> Self {
        Self {
            pool,
            vault,
            lockout,
            matcher,
            settings,
        }
    }

    /// The score threshold of a policy.
    pub fn threshold(&self, policy: Policy) -> f32 {
        self.matcher.threshold(policy)
    }

    /// Inference threads serving the use cases.
    pub fn threads(&self) -> usize {
        self.pool.threads()
    }

    /// Every face of an image, highest score first.
    pub async fn count(&self, image: String) -> Result<Vec<Face>, FaceServiceError> {
        self.with_image(image, |models, image, _| {
            models
                .detector
                .detect(image)
                .map_err(|e| FaceServiceError::face(None, e.into()))
        })
        .await
    }

    /// Erases every template of a user in the tenant.
    pub async fn delete_user(
        &self,
        tenant_id: &TenantId,
        user_code: &UserCode,
    ) -> Result<(), FaceServiceError> {
        if self.vault.delete_user(tenant_id, user_code).await? {
            Ok(())
        } else {
            Err(FaceServiceError::UserNotFound)
        }
    }

    /// Runs the requested liveness checks on the face presented.
    pub async fn liveness(
        &self,
        image: String,
        checks: Vec<Check>,
    ) -> Result<LivenessReport, FaceServiceError> {
        self.with_image(image, move |models, image, _| {
            let face = models
                .presented_face(image)
                .map_err(|e| FaceServiceError::face(None, e))?;
            Ok(models.liveness.assess(image, &face, &checks)?)
        })
        .await
    }

    /// Decodes `image` on an inference thread and runs `work` on it there.
    async fn with_image<R: Send + 'static>(
        &self,
        image: String,
        work: impl FnOnce(&mut FaceModels, &RgbImage, &mut Stopwatch) -> Result<R, FaceServiceError>
            + Send
            + 'static,
    ) -> Result<R, FaceServiceError> {
        self.with_slot_image(image, None, work).await
    }

    /// [`with_image`](Self::with_image) for one image of a two-image
    /// request, so that errors name it.
    async fn with_slot_image<R: Send + 'static>(
        &self,
        image: String,
        slot: Option<ImageSlot>,
        work: impl FnOnce(&mut FaceModels, &RgbImage, &mut Stopwatch) -> Result<R, FaceServiceError>
            + Send
            + 'static,
    ) -> Result<R, FaceServiceError> {
        let limits = self.settings.intake;
        self.pool
            .run(move |models| {
                let mut clock = Stopwatch::start();
                let decoded = decode(&image, &limits, slot)?;
                clock.lap(Stage::Decode);
                work(models, &decoded, &mut clock)
            })
            .await?
    }
}

/// The one usable face of a probe or enrolment image, timed.
fn usable_face(
    models: &mut FaceModels,
    image: &RgbImage,
    clock: &mut Stopwatch,
    face_use: FaceUse,
) -> Result<AlignedFace, FaceServiceError> {
    let face = models
        .presenter_face(image)
        .map_err(|e| FaceServiceError::face(None, e))?;
    clock.lap(Stage::Detect);
    let aligned = models
        .usable(image, face, face_use)
        .map_err(|e| FaceServiceError::face(None, e))?;
    clock.lap(Stage::Align);
    Ok(aligned)
}

fn decode(
    image: &str,
    limits: &IntakeLimits,
    slot: Option<ImageSlot>,
) -> Result<RgbImage, FaceServiceError> {
    decode_base64_image(image, limits)
        .map(|decoded| decoded.rgb)
        .map_err(|source| FaceServiceError::Image { slot, source })
}

/// `preferred` first, then the other engines: the fallback order.
fn engine_order(preferred: EngineId) -> Vec<EngineId> {
    let mut order = vec![preferred];
    order.extend(EngineId::ALL.into_iter().filter(|e| *e != preferred));
    order
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_order_starts_with_the_preferred_engine() {
        assert_eq!(
            engine_order(EngineId::Applemango),
            vec![EngineId::Applemango, EngineId::Ezway]
        );
        assert_eq!(
            engine_order(EngineId::Ezway),
            vec![EngineId::Ezway, EngineId::Applemango]
        );
    }
}
