//! Registration: a face enrolled with every engine that can embed it,
//! after the optional check that it is not someone else's already.

use ekyc_face::{EngineId, FaceUse, Template};
use ekyc_store::{EnrolledUser, TenantId, UserCode};

use crate::stages::{Stage, Stages};
use crate::templates::stored_form;
use crate::{unix_now, usable_face, FaceService, FaceServiceError};

/// A registration request.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Whom the face is enrolled for.
    pub user_code: UserCode,
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
    /// The engine the user's verifications try first.
    pub preferred: EngineId,
    /// Every engine that stored a template.
    pub engines: Vec<EngineId>,
    /// Where the request's time went.
    pub stages: Stages,
}

impl FaceService {
    /// Enrols a user's face with a template of every engine that works,
    /// replacing an earlier enrolment.
    pub async fn register(
        &self,
        tenant_id: &TenantId,
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

    /// 40925 when the face is already enrolled under another user code.
    async fn refuse_duplicate(
        &self,
        tenant_id: &TenantId,
        user_code: &UserCode,
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
        match candidates
            .into_iter()
            .find(|c| c.user_code != user_code.as_str())
        {
            Some(other) => Err(FaceServiceError::Duplicate {
                matched_user_code: UserCode::new(other.user_code),
                score: other.score,
            }),
            None => Ok(()),
        }
    }
}
