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

// Public items not yet documented one by one (issue 22, item 7): the
// workspace warns on `missing_docs`; this crate opts out until then.
#![allow(missing_docs)]

mod error;
mod stages;

pub use error::{FaceServiceError, ImageSlot};
pub use stages::{Spent, Stage, Stages};

use std::sync::Arc;

use ekyc_auth::Lockout;
use ekyc_face::liveness::{Check, LivenessReport};
use ekyc_face::{
    AlignedFace, Candidate, Decision, EngineId, Face, FaceModels, FaceUse, MatchPair, Matcher,
    Policy, QualityIssue, Template,
};
use ekyc_image::{decode_base64_image, IntakeLimits, RgbImage};
use ekyc_runtime::InferencePool;
use ekyc_store::{EnrolledUser, FaceTemplate};
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

/// A registration request.
#[derive(Debug, Clone)]
pub struct Registration {
    pub user_code: String,
    /// Base64 image, as the API carries it.
    pub image: String,
    /// The user's preferred engine; the default when `None`.
    pub engine: Option<EngineId>,
    /// Refuse a face already enrolled under another user code.
    pub dedupe: bool,
}

/// An enrolment made.
#[derive(Debug, Clone)]
pub struct Registered {
    pub preferred: EngineId,
    /// Every engine that stored a template.
    pub engines: Vec<EngineId>,
    pub stages: Stages,
}

/// A 1:1 decision (verify or compare) and where its time went.
#[derive(Debug, Clone)]
pub struct Matched {
    pub decision: Decision,
    /// Quality issues of the probe that did not refuse it.
    pub issues: Vec<QualityIssue>,
    /// Quality issues of compare's reference image (never refused).
    pub reference_issues: Vec<QualityIssue>,
    pub stages: Stages,
}

/// One image of a comparison, embedded: what [`FaceService::compare`]
/// decides on.
#[derive(Debug, Clone)]
pub struct CompareSide {
    /// In the engines' fallback order.
    pub templates: Vec<Template>,
    /// Quality issues of the face that did not refuse it.
    pub issues: Vec<QualityIssue>,
    pub stages: Stages,
}

/// The outcome of a 1:N search.
#[derive(Debug, Clone)]
pub struct Identified {
    /// Best first; empty when nobody matches.
    pub candidates: Vec<Candidate>,
    /// The engine that searched.
    pub engine: EngineId,
    /// Templates searched.
    pub gallery_size: usize,
    /// The largest pair FMR accepted.
    pub max_fmr: f64,
    /// Quality issues of the probe that did not refuse it.
    pub issues: Vec<QualityIssue>,
}

impl FaceService {
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

    /// Enrols a user's face with a template of every engine that works,
    /// replacing an earlier enrolment.
    pub async fn register(
        &self,
        tenant_id: &str,
        registration: Registration,
    ) -> Result<Registered, FaceServiceError> {
        let preferred = registration.engine.unwrap_or(self.settings.default_engine);
        let (templates, stages) = self
            .with_image(registration.image, |models, image, clock| {
                let face = usable_face(models, image, clock, FaceUse::Enrolment)?;
                let templates = models.embed_all(&face.aligned);
                clock.lap(Stage::Embed);
                Ok((templates, clock.stages()))
            })
            .await?;
        if templates.is_empty() {
            return Err(FaceServiceError::face(None, ekyc_face::FaceError::NoEngine));
        }
        if registration.dedupe {
            self.refuse_duplicate(tenant_id, &registration.user_code, &templates, preferred)
                .await?;
        }
        let user = EnrolledUser {
            user_code: registration.user_code,
            preferred_engine: preferred.name().to_owned(),
            templates: templates.iter().map(stored_form).collect(),
        };
        self.vault.enrol(tenant_id, &user, unix_now()).await?;
        Ok(Registered {
            preferred,
            engines: templates.iter().map(|t| t.engine).collect(),
            stages,
        })
    }

    /// Verifies a selfie against a user's enrolment under a policy. A
    /// mismatch under `login` is an error that still carries the decision.
    pub async fn verify(
        &self,
        tenant_id: &str,
        user_code: &str,
        image: String,
        policy: Policy,
    ) -> Result<Matched, FaceServiceError> {
        let enrolled = self
            .vault
            .enrolled(tenant_id, user_code)
            .await?
            .ok_or(FaceServiceError::NotRegistered)?;
        // The attempt is reserved in the database before the comparison,
        // so parallel guesses cannot outrun the lockout; one dropped
        // without an outcome (no face, a bad image) is given back.
        let user_key = self.vault.user_key(tenant_id, user_code).await?;
        let attempt = self
            .lockout
            .reserve(tenant_id, &user_key, unix_now())
            .await?;
        let preferred = enrolled
            .preferred_engine
            .parse()
            .unwrap_or(self.settings.default_engine);
        let references: Vec<Template> = enrolled.templates.iter().filter_map(opened).collect();
        let every = self.matcher.wants_every_engine();
        let (pairs, issues, mut stages) = self
            .with_image(image, move |models, image, clock| {
                let face = usable_face(models, image, clock, FaceUse::Probe)?;
                let pairs = models
                    .embed_against(&engine_order(preferred), &references, &face.aligned, every)
                    .map_err(|e| FaceServiceError::face(None, e))?;
                clock.lap(Stage::Embed);
                Ok((pairs, face.issues, clock.stages()))
            })
            .await?;
        let decision = self.decide(&pairs, policy, &mut stages)?;
        attempt.record(decision.is_match, unix_now()).await?;
        let matched = Matched {
            decision,
            issues,
            reference_issues: Vec::new(),
            stages,
        };
        if policy == Policy::Login && !matched.decision.is_match {
            return Err(FaceServiceError::LoginMismatch(Box::new(matched)));
        }
        Ok(matched)
    }

    /// Compares the largest face of a reference image (an ID card, say)
    /// with the one face of a probe (a selfie), under policy `compare`.
    pub async fn compare(
        &self,
        reference: String,
        probe: String,
    ) -> Result<Matched, FaceServiceError> {
        let reference = self.compare_reference(reference).await?;
        let probe = self.compare_probe(probe).await?;
        let mut clock = Stopwatch::start();
        let decision = self.decide_compare(&reference, &probe)?;
        clock.lap(Stage::Decide);
        let stages = reference.stages.plus(&probe.stages).plus(&clock.stages());
        Ok(Matched {
            decision,
            issues: probe.issues,
            reference_issues: reference.issues,
            stages,
        })
    }

    /// The reference side of [`compare`](Self::compare): the largest face
    /// (an ID card may also carry a small ghost portrait), not gated (ID
    /// photos are small and printed), embedded by the engines compare uses.
    pub async fn compare_reference(&self, image: String) -> Result<CompareSide, FaceServiceError> {
        let (order, every) = self.compare_engines();
        let slot = Some(ImageSlot::Reference);
        self.with_slot_image(image, slot, move |models, image, clock| {
            let face = models
                .largest_face(image)
                .map_err(|e| FaceServiceError::face(slot, e))?;
            clock.lap(Stage::Detect);
            let aligned = models.align(image, face);
            clock.lap(Stage::Align);
            let side = embedded_side(models, aligned, &order, every, FaceUse::Enrolment, clock);
            Ok(side)
        })
        .await
    }

    /// The probe side of [`compare`](Self::compare): the one usable face
    /// of the person presenting, embedded by the engines compare uses.
    pub async fn compare_probe(&self, image: String) -> Result<CompareSide, FaceServiceError> {
        let (order, every) = self.compare_engines();
        let slot = Some(ImageSlot::Probe);
        self.with_slot_image(image, slot, move |models, image, clock| {
            let face = models
                .presenter_face(image)
                .map_err(|e| FaceServiceError::face(slot, e))?;
            clock.lap(Stage::Detect);
            let aligned = models
                .usable(image, face, FaceUse::Probe)
                .map_err(|e| FaceServiceError::face(slot, e))?;
            clock.lap(Stage::Align);
            let side = embedded_side(models, aligned, &order, every, FaceUse::Probe, clock);
            Ok(side)
        })
        .await
    }

    /// The decision of [`compare`](Self::compare) on its two sides: the
    /// first engine (all of them under fusion) that embedded both faces
    /// with the same model.
    pub fn decide_compare(
        &self,
        reference: &CompareSide,
        probe: &CompareSide,
    ) -> Result<Decision, FaceServiceError> {
        let (order, every) = self.compare_engines();
        let mut pairs: Vec<MatchPair> = Vec::new();
        for engine in order {
            let of =
                |side: &CompareSide| side.templates.iter().find(|t| t.engine == engine).cloned();
            if let (Some(p), Some(r)) = (of(probe), of(reference)) {
                if p.model_version == r.model_version {
                    pairs.push((p, r.vector));
                    if !every {
                        break;
                    }
                }
            }
        }
        if pairs.is_empty() {
            return Err(FaceServiceError::face(None, ekyc_face::FaceError::NoEngine));
        }
        Ok(self.matcher.decide_pairs(&pairs, Policy::Compare)?)
    }

    /// The engines compare embeds with, and whether every one of them.
    fn compare_engines(&self) -> (Vec<EngineId>, bool) {
        (
            engine_order(self.settings.default_engine),
            self.matcher.wants_every_engine(),
        )
    }

    /// Finds who in the tenant this face belongs to: at most
    /// `max_results` candidates under the 1:N rule.
    pub async fn identify(
        &self,
        tenant_id: &str,
        image: String,
        max_results: usize,
    ) -> Result<Identified, FaceServiceError> {
        let order = engine_order(self.settings.default_engine);
        let (probe, issues) = self
            .with_image(image, move |models, image, clock| {
                let face = usable_face(models, image, clock, FaceUse::Probe)?;
                let probe = models
                    .embed_first(&order, &face.aligned, FaceUse::Probe)
                    .map_err(|e| FaceServiceError::face(None, e))?;
                Ok((probe, face.issues))
            })
            .await?;
        let (candidates, gallery_size) = self.candidates(tenant_id, &probe, max_results).await?;
        Ok(Identified {
            candidates,
            engine: probe.engine,
            gallery_size,
            max_fmr: ekyc_face::identify_max_fmr(gallery_size, self.settings.fpir),
            issues,
        })
    }

    /// Erases every template of a user in the tenant.
    pub async fn delete_user(
        &self,
        tenant_id: &str,
        user_code: &str,
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

    fn decide(
        &self,
        pairs: &[MatchPair],
        policy: Policy,
        stages: &mut Stages,
    ) -> Result<Decision, FaceServiceError> {
        let mut clock = Stopwatch::start();
        let decision = self.matcher.decide_pairs(pairs, policy)?;
        clock.lap(Stage::Decide);
        *stages = stages.plus(&clock.stages());
        Ok(decision)
    }

    /// 40925 when the face is already enrolled under another user code.
    async fn refuse_duplicate(
        &self,
        tenant_id: &str,
        user_code: &str,
        templates: &[Template],
        preferred: EngineId,
    ) -> Result<(), FaceServiceError> {
        let Some(probe) = templates
            .iter()
            .find(|t| t.engine == preferred)
            .or(templates.first())
        else {
            return Ok(());
        };
        let (candidates, _) = self.candidates(tenant_id, probe, 2).await?;
        match candidates.into_iter().find(|c| c.user_code != user_code) {
            Some(other) => Err(FaceServiceError::Duplicate {
                matched_user_code: other.user_code,
                score: other.score,
            }),
            None => Ok(()),
        }
    }

    /// Searches the tenant's gallery of the probe's engine and model; the
    /// scan runs off the async runtime (a million rows take tens of ms).
    async fn candidates(
        &self,
        tenant_id: &str,
        probe: &Template,
        max_results: usize,
    ) -> Result<(Vec<Candidate>, usize), FaceServiceError> {
        let gallery = self
            .vault
            .gallery(tenant_id, probe.engine.name(), &probe.model_version)
            .await?;
        let size = gallery.len();
        let vector = probe.vector.clone();
        let span = tracing::Span::current();
        let hits = tokio::task::spawn_blocking(move || {
            span.in_scope(|| gallery.search(&vector, max_results))
        })
        .await
        .map_err(|_| FaceServiceError::SearchFailed)?;
        let hits: Vec<(String, f32)> = hits.into_iter().map(|h| (h.user_code, h.cosine)).collect();
        let candidates = self
            .matcher
            .identify(probe, &hits, size, self.settings.fpir)?;
        Ok((candidates, size))
    }
}

/// The one usable face of a probe or enrolment image, timed.
/// One side of a comparison: `aligned` embedded for its use by the compare
/// engines (`order`, all of them when `every`; see
/// [`FaceService::compare_engines`]).
fn embedded_side(
    models: &mut FaceModels,
    aligned: AlignedFace,
    order: &[EngineId],
    every: bool,
    face_use: FaceUse,
    clock: &mut Stopwatch,
) -> CompareSide {
    let templates = models.embed_each(order, &aligned.aligned, face_use, every);
    clock.lap(Stage::Embed);
    CompareSide {
        templates,
        issues: aligned.issues,
        stages: clock.stages(),
    }
}

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

fn stored_form(template: &Template) -> FaceTemplate {
    FaceTemplate {
        engine: template.engine.name().to_owned(),
        model_version: template.model_version.clone(),
        template: template.vector_bytes(),
    }
}

/// A stored template as the matcher takes it; `None` for an engine this
/// server does not know or bytes that are not a vector.
fn opened(stored: &FaceTemplate) -> Option<Template> {
    Some(Template {
        engine: stored.engine.parse().ok()?,
        model_version: stored.model_version.clone(),
        vector: Template::vector_from_bytes(&stored.template)?,
    })
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

    #[test]
    fn stored_templates_open_again() {
        let template = Template {
            engine: EngineId::Ezway,
            model_version: "sface-1".into(),
            vector: vec![0.25, -0.5],
        };
        assert_eq!(opened(&stored_form(&template)), Some(template));
        let unknown = FaceTemplate {
            engine: "dlib".into(),
            model_version: "x".into(),
            template: vec![0; 8],
        };
        assert_eq!(opened(&unknown), None);
    }
}
