//! Identify: who in the tenant a face belongs to (1:N), searched in the
//! vault's gallery of the probe's engine and model. Registration's
//! duplicate check searches the same way.

use ekyc_face::{Candidate, EngineId, FaceUse, QualityIssue, Template};
use ekyc_store::TenantId;

use crate::{engine_order, usable_face, FaceService, FaceServiceError};

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
    /// Finds who in the tenant this face belongs to: at most
    /// `max_results` candidates under the 1:N rule.
    pub async fn identify(
        &self,
        tenant_id: &TenantId,
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

    /// Searches the tenant's gallery of the probe's engine and model; the
    /// scan runs off the async runtime (a million rows take tens of ms).
    pub(crate) async fn candidates(
        &self,
        tenant_id: &TenantId,
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
        .map_err(FaceServiceError::SearchFailed)?;
        let hits: Vec<(String, f32)> = hits
            .into_iter()
            .map(|h| (h.user_code.into_string(), h.cosine))
            .collect();
        let candidates = self
            .matcher
            .identify(probe, &hits, size, self.settings.fpir)?;
        Ok((candidates, size))
    }
}
