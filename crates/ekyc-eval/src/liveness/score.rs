//! Each image through the served liveness checks and the variants under
//! study, on one thread per set of models.

use std::collections::BTreeMap;

use ekyc_face::liveness::{
    chroma_detail, covering_score, face_view, lower_face_contrast, AttackScorer, Check, CropFit,
    LivenessModels, PeriodicPatternScorer, MARGINS,
};
use ekyc_face::{Face, FaceError, FaceModels};
use ekyc_image::{resize_bilinear, RgbImage};

use super::{Job, Results, Row};
use crate::progress;

/// The models of one benchmark thread.
pub(super) struct Scorer {
    /// The served face models, liveness checks included.
    pub models: FaceModels,
    /// The liveness models under study, loaded apart from the served ones.
    pub variants: LivenessModels,
    /// The periodic-pattern (moiré) scorer, scored on its own.
    pub pattern: PeriodicPatternScorer,
    /// The configured presenter detection side, for multi-face images.
    pub detect_side: u32,
}

/// Scores the jobs on one thread per scorer.
pub(super) fn score_all(scorers: Vec<Scorer>, jobs: Vec<Job>) -> Results {
    let threads = scorers.len().max(1);
    let bar = progress::steps(jobs.len() as u64, "images");
    let mut shares: Vec<Vec<Job>> = (0..threads).map(|_| Vec::new()).collect();
    for (index, job) in jobs.into_iter().enumerate() {
        shares[index % threads].push(job);
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = scorers
            .into_iter()
            .zip(shares)
            .map(|(mut scorer, share)| {
                let bar = bar.clone();
                scope.spawn(move || {
                    let mut results = Results::default();
                    for job in share {
                        scorer.score(job, &mut results);
                        bar.inc(1);
                    }
                    results
                })
            })
            .collect();
        let mut all = Results::default();
        for handle in handles {
            if let Ok(part) = handle.join() {
                all.rows.extend(part.rows);
                for (key, count) in part.missed {
                    *all.missed.entry(key).or_default() += count;
                }
            }
        }
        bar.finish_and_clear();
        all
    })
}

impl Scorer {
    /// Finds the face as the server would (then by the covered-face pass,
    /// or the largest of several) and scores it, or counts a failure to
    /// acquire.
    fn score(&mut self, job: Job, results: &mut Results) {
        let image = &job.image;
        let found = match self.models.sole_face(image) {
            Ok(face) => Some((face, false, false)),
            Err(FaceError::NoFace) => self
                .models
                .presented_face(image)
                .ok()
                .map(|f| (f, true, false)),
            Err(FaceError::MultipleFaces) => self.largest_face(image).map(|f| (f, false, true)),
            Err(_) => None,
        };
        let scored = found.and_then(|(face, second_pass, several)| {
            let scores = self.variant_scores(job.set, image, &face).ok()?;
            Some((scores, face, second_pass, several))
        });
        match scored {
            Some((scores, face, second_pass, several)) => results.rows.push(Row {
                set: job.set,
                path: job.path,
                attack: job.attack,
                group: job.group,
                second_pass,
                several,
                face,
                scores,
            }),
            None => *results.missed.entry((job.set, job.attack)).or_default() += 1,
        }
    }

    /// The widest face, for an image with several (the contract's 40923).
    fn largest_face(&mut self, image: &RgbImage) -> Option<Face> {
        let faces = self
            .models
            .detector
            .detect_at(image, self.detect_side)
            .ok()?;
        faces
            .into_iter()
            .max_by(|a, b| a.bbox.width.total_cmp(&b.bbox.width))
    }

    /// The served scores and, for the set's own check, the variants.
    fn variant_scores(
        &mut self,
        set: &str,
        image: &RgbImage,
        face: &Face,
    ) -> anyhow::Result<BTreeMap<&'static str, f32>> {
        let mut scores = BTreeMap::new();
        if matches!(set, "nuaa" | "faces" | "screen" | "print") {
            let fasnet = &mut self.variants.fasnet;
            scores.insert("photo_pad", fasnet.attack_score(image, face, CropFit::Pad)?);
            scores.insert(
                "photo_shrink",
                fasnet.attack_score(image, face, CropFit::Shrink)?,
            );
            scores.insert("pattern", self.pattern.score(image, face)?);
        }
        if set == "mask" {
            let mask = &mut self.variants.mask;
            for (name, margin) in [("mask_1.0", 1.0), ("mask_1.2", 1.2), ("mask_1.4", 1.4)] {
                scores.insert(name, mask.probability(image, face, &[margin], false)?);
            }
            scores.insert(
                "mask_pair_mirrored",
                mask.probability(image, face, &MARGINS, true)?,
            );
            let pair = mask.probability(image, face, &MARGINS, false)?;
            scores.insert("mask_pair", pair);
            scores.insert(
                "mask_pair_contrast",
                covering_score(pair, lower_face_contrast(image, face)),
            );
        }
        let detail = |view: &RgbImage| chroma_detail(view).map_or(f32::NAN, |d| -d);
        scores.insert("chroma_face", detail(&face_view(image, face)));
        scores.insert("chroma_whole", detail(&resize_bilinear(image, 256, 256)));
        let report = self.models.liveness.assess(image, face, &Check::ALL)?;
        for (check, name) in [
            (Check::Photo, "served_photo"),
            (Check::Mask, "served_mask"),
            (Check::Deepfake, "served_deepfake"),
        ] {
            if let Some(outcome) = report.outcome(check) {
                scores.insert(name, outcome.score);
            }
        }
        Ok(scores)
    }
}
