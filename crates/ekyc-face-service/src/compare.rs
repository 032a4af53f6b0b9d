//! Compare: two images, neither enrolled, e.g. an ID card's portrait
//! and a selfie. Each side is embedded on its own (the benchmarks reuse
//! embedded sides), then decided under the `compare` policy.

use ekyc_face::{
    AlignedFace, Decision, EngineId, FaceModels, FaceUse, MatchPair, Policy, QualityIssue, Template,
};

use crate::stages::{Stage, Stages, Stopwatch};
use crate::verify::Matched;
use crate::{engine_order, FaceService, FaceServiceError, ImageSlot};

/// One image of a comparison, embedded: what [`FaceService::compare`]
/// decides on.
#[derive(Debug, Clone)]
pub struct CompareSide {
    /// In the engines' fallback order.
    pub templates: Vec<Template>,
    /// Quality issues of the face that did not refuse it.
    pub issues: Vec<QualityIssue>,
    /// Where the side's time went.
    pub stages: Stages,
}

impl FaceService {
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
            self.matcher.wants_every_engine(Policy::Compare),
        )
    }
}

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
