//! The face use cases of the API, in one place: register (with the
//! duplicate check), verify (lockout, engine fallback, model versions,
//! policy), compare, count, identify, delete and liveness.
//!
//! The HTTP handlers parse requests and shape answers; the benchmarks and
//! the tests call these same functions, so what a benchmark measures is
//! exactly what the server serves. Images arrive as the API carries them
//! (Base64) and are decoded once, on an inference thread.

mod error;
mod stages;

pub use error::{FaceServiceError, ImageSlot};
pub use stages::Stages;

use std::sync::Arc;

use ekyc_auth::Lockout;
use ekyc_face::liveness::{Check, LivenessReport};
use ekyc_face::{
    AlignedFace, Candidate, Decision, EngineId, Face, FaceModels, MatchPair, Matcher, Policy,
    Template,
};
use ekyc_image::{decode_base64_image, IntakeLimits, RgbImage};
use ekyc_runtime::InferencePool;
use ekyc_store::{EnrolledUser, FaceTemplate, Store};
use ekyc_vault::Vault;

use stages::Stopwatch;

/// The choices of the face use cases that are not the models'.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSettings {
    /// Engine of a registration that names none, and the first engine of
    /// compare and identify.
    pub default_engine: EngineId,
    /// Target false-positive identification rate of 1:N search.
    pub fpir: f64,
    pub intake: IntakeLimits,
}

/// What the face use cases work with.
pub struct FaceService {
    pool: Arc<InferencePool<FaceModels>>,
    store: Arc<dyn Store>,
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
}

impl FaceService {
    pub fn new(
        pool: Arc<InferencePool<FaceModels>>,
        store: Arc<dyn Store>,
        vault: Arc<Vault>,
        lockout: Arc<Lockout>,
        matcher: Arc<Matcher>,
        settings: ServiceSettings,
    ) -> Self {
        Self {
            pool,
            store,
            vault,
            lockout,
            matcher,
            settings,
        }
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
                let face = usable_face(models, image, clock)?;
                let templates = models.embed_all(&face.aligned);
                clock.embedded();
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
        self.vault.enroll(tenant_id, &user, unix_now()).await?;
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
        self.lockout.check(tenant_id, user_code, unix_now()).await?;
        let enrolled = self
            .vault
            .enrolled(tenant_id, user_code)
            .await?
            .ok_or(FaceServiceError::NotRegistered)?;
        let preferred = enrolled
            .preferred_engine
            .parse()
            .unwrap_or(self.settings.default_engine);
        let references: Vec<Template> = enrolled.templates.iter().filter_map(opened).collect();
        let every = self.matcher.wants_every_engine();
        let (pairs, mut stages) = self
            .with_image(image, move |models, image, clock| {
                let face = usable_face(models, image, clock)?;
                let pairs = models
                    .embed_against(&engine_order(preferred), &references, &face.aligned, every)
                    .map_err(|e| FaceServiceError::face(None, e))?;
                clock.embedded();
                Ok((pairs, clock.stages()))
            })
            .await?;
        let decision = self.decide(&pairs, policy, &mut stages)?;
        self.lockout
            .record(tenant_id, user_code, decision.is_match, unix_now())
            .await?;
        if policy == Policy::Login && !decision.is_match {
            return Err(FaceServiceError::LoginMismatch(decision));
        }
        Ok(Matched { decision, stages })
    }

    /// Compares the largest face of a reference image (an ID card, say)
    /// with the one face of a probe (a selfie), under policy `compare`.
    pub async fn compare(
        &self,
        reference: String,
        probe: String,
    ) -> Result<Matched, FaceServiceError> {
        let limits = self.settings.intake;
        let order = engine_order(self.settings.default_engine);
        let every = self.matcher.wants_every_engine();
        let (pairs, mut stages) = self
            .pool
            .run(move |models| {
                let mut clock = Stopwatch::start();
                let reference = decode(&reference, &limits, Some(ImageSlot::Reference))?;
                let probe = decode(&probe, &limits, Some(ImageSlot::Probe))?;
                clock.decoded();
                let reference = models
                    .largest_face(&reference)
                    .map_err(|e| FaceServiceError::face(Some(ImageSlot::Reference), e))?;
                let probe_face = models
                    .presenter_face(&probe)
                    .map_err(|e| FaceServiceError::face(Some(ImageSlot::Probe), e))?;
                clock.detected();
                let probe = models
                    .usable(&probe, probe_face)
                    .map_err(|e| FaceServiceError::face(Some(ImageSlot::Probe), e))?;
                clock.aligned();
                let pairs = models
                    .embed_pairs(&order, &probe.aligned, &reference.aligned, every)
                    .map_err(|e| FaceServiceError::face(None, e))?;
                clock.embedded();
                Ok::<_, FaceServiceError>((pairs, clock.stages()))
            })
            .await??;
        let decision = self.decide(&pairs, Policy::Compare, &mut stages)?;
        Ok(Matched { decision, stages })
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
        let probe = self
            .with_image(image, move |models, image, clock| {
                let face = usable_face(models, image, clock)?;
                models
                    .embed_first(&order, &face.aligned)
                    .map_err(|e| FaceServiceError::face(None, e))
            })
            .await?;
        let (candidates, gallery_size) = self.candidates(tenant_id, &probe, max_results).await?;
        Ok(Identified {
            candidates,
            engine: probe.engine,
            gallery_size,
            max_fmr: ekyc_face::identify_max_fmr(gallery_size, self.settings.fpir),
        })
    }

    /// Erases every template of a user in the tenant.
    pub async fn delete_user(
        &self,
        tenant_id: &str,
        user_code: &str,
    ) -> Result<(), FaceServiceError> {
        if self.store.delete_user(tenant_id, user_code).await? {
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
        let limits = self.settings.intake;
        self.pool
            .run(move |models| {
                let mut clock = Stopwatch::start();
                let decoded = decode(&image, &limits, None)?;
                clock.decoded();
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
        stages.decide = clock.lap();
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
        let hits = tokio::task::spawn_blocking(move || gallery.search(&vector, max_results))
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
fn usable_face(
    models: &mut FaceModels,
    image: &RgbImage,
    clock: &mut Stopwatch,
) -> Result<AlignedFace, FaceServiceError> {
    let face = models
        .presenter_face(image)
        .map_err(|e| FaceServiceError::face(None, e))?;
    clock.detected();
    let aligned = models
        .usable(image, face)
        .map_err(|e| FaceServiceError::face(None, e))?;
    clock.aligned();
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
