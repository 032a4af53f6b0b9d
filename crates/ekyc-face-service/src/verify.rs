//! Verification: a selfie against one user's enrolment, within the
//! lockout, engine by engine in the user's fallback order.

use ekyc_face::{Decision, FaceUse, MatchPair, Policy, QualityIssue, Template};
use ekyc_store::{TenantId, UserCode};

use crate::stages::{Stage, Stages, Stopwatch};
use crate::templates::opened;
use crate::{engine_order, unix_now, usable_face, FaceService, FaceServiceError};

/// A 1:1 decision (verify or compare) and where its time went.
#[derive(Debug, Clone)]
pub struct Matched {
    /// Match or not under the policy, with the engine, score, threshold
    /// and estimated false-match rate it was decided on.
    pub decision: Decision,
    /// Quality issues of the probe that did not refuse it.
    pub issues: Vec<QualityIssue>,
    /// Quality issues of compare's reference image (never refused).
    pub reference_issues: Vec<QualityIssue>,
    /// Where the request's time went.
    pub stages: Stages,
}

impl FaceService {
    /// Verifies a selfie against a user's enrolment under a policy. A
    /// mismatch under `login` is an error that still carries the decision.
    pub async fn verify(
        &self,
        tenant_id: &TenantId,
        user_code: &UserCode,
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
        let every = self.matcher.wants_every_engine(policy);
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

    /// The decision on the embedded pairs, its time added to `stages`.
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
}
