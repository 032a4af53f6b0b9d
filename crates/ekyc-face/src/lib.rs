//! The face pipeline: detection (YuNet), alignment to the ArcFace
//! template, the quality gate, two embedding engines and calibrated
//! decisions. Nothing here knows about HTTP.

mod align;
mod calibration;
mod detector;
mod embedder;
pub mod liveness;
mod quality;
mod recognition;

pub use align::{align_face, ALIGNED_SIZE};
pub use calibration::{threshold_for_fmr, Calibration, CalibrationError, Scored};
pub use detector::{DetectorError, Face, FaceDetector, DEFAULT_MAX_SIDE};
pub use embedder::{cosine, EmbedError, Embedder, EmbedderKind};
pub use quality::{FaceUse, ImageLimits, QualityIssue, QualityReport, QualityThresholds};
pub use recognition::{
    fusion_version, identify_max_fmr, Candidate, Decision, Engine, EngineId, FusedPolicies,
    MatchPair, Matcher, Policy, PolicyTargets, Template, FUSION,
};

use std::path::Path;

use ekyc_image::Rect;
use ekyc_runtime::{load_session, Manifest, ManifestError, OnnxError};
use image::RgbImage;
use liveness::{Liveness, LivenessModels, LivenessOptions};

/// Why the face models could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A model is missing from the manifest (a manifest and code out of
    /// step).
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// ONNX Runtime could not load a model file.
    #[error(transparent)]
    Onnx(#[from] OnnxError),
}

/// Why a face request cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    /// The detector found no face (the contract's `4040A`).
    #[error("no face in the image")]
    NoFace,
    /// Another face is comparable in size to the presenter's, so whose
    /// face it is cannot be told (`40923`).
    #[error("more than one face in the image")]
    MultipleFaces,
    /// The face fails the quality gate for its use (`40910`).
    #[error("{0}")]
    Unusable(QualityIssue),
    /// Every engine asked for failed, or none holds a template of the
    /// current model version (`40901`).
    #[error("no recognition engine could serve the request")]
    NoEngine,
    /// The detector's inference itself failed: a server fault, not the
    /// image's.
    #[error(transparent)]
    Detection(#[from] DetectorError),
}

/// Run-time choices of the face pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceOptions {
    /// Limits of the quality gate.
    pub quality: QualityThresholds,
    /// Another face counts (40923) only when at least this fraction of the
    /// main face's width: people far behind the user do not.
    pub other_face_min_ratio: f32,
    /// Long side the image is shrunk to for the first look for a face to
    /// recognise ([`FaceModels::presenter_candidates`]): it only has to
    /// find the face, whose landmarks come from a crop around it. At 256
    /// rather than 320 a verify on a 640×480 frame is 1 ms faster; the
    /// photos of `ekyc bench fr` and `bench id-photo` are no larger, so
    /// their figures do not move.
    pub recognition_detect_side: u32,
    /// Long side the image is shrunk to when looking for the face of the
    /// person presenting for liveness, whose crops take the box as found
    /// (at 256, print-rescan APCER rose 8.3 → 10.7 % and mask accuracy fell
    /// 97.0 → 96.0 % in `ekyc bench liveness`), and when confirming a
    /// second face before refusing.
    pub presenter_detect_side: u32,
    /// Detect the largest face of a reference image again at full
    /// resolution when it was seen small (see [`FaceDetector::refine`]);
    /// the presenter's face always is ([`FaceModels::located`]).
    pub refine_small_faces: bool,
    /// Engines made to fail on purpose (fault injection for tests).
    pub failing_engines: Vec<EngineId>,
    /// Thresholds and crop rules of the liveness checks.
    pub liveness: LivenessOptions,
}

impl Default for FaceOptions {
    fn default() -> Self {
        Self {
            quality: QualityThresholds::default(),
            other_face_min_ratio: 0.5,
            recognition_detect_side: 256,
            presenter_detect_side: 320,
            refine_small_faces: true,
            failing_engines: Vec::new(),
            liveness: LivenessOptions::default(),
        }
    }
}

/// A detected face, aligned and measured.
pub struct AlignedFace {
    /// The detection, in the original image's pixels.
    pub face: Face,
    /// The [`ALIGNED_SIZE`]² crop the engines embed.
    pub aligned: RgbImage,
    /// What the gate measured, reported whether or not it refused.
    pub quality: QualityReport,
    /// The quality issues the face has and that did not refuse it, to
    /// report with the answer.
    pub issues: Vec<QualityIssue>,
}

/// The face models one inference thread owns.
pub struct FaceModels {
    /// YuNet, for the searches the methods below do not cover (counting
    /// faces, benchmarks).
    pub detector: FaceDetector,
    /// The liveness scorers, run on a face found by
    /// [`presented_face`](Self::presented_face).
    pub liveness: Liveness,
    engines: Vec<Engine>,
    options: FaceOptions,
}

/// The version tag of an engine's templates: the model's id and digest
/// prefix, and `-mirror` where the embedding averages the mirror image,
/// so a template is never compared with one made another way.
pub fn model_version(manifest: &Manifest, engine: EngineId) -> Result<String, ManifestError> {
    let entry = manifest.entry(engine.model_id())?;
    let views = if engine.embedder().averages_mirror() {
        "-mirror"
    } else {
        ""
    };
    Ok(format!("{}-{}{views}", entry.id, &entry.sha256[..12]))
}

impl FaceModels {
    /// Loads every face model from the verified model folder.
    pub fn load(
        manifest: &Manifest,
        model_dir: &Path,
        options: FaceOptions,
    ) -> Result<Self, LoadError> {
        let detector = FaceDetector::new(load_session(&manifest.path(model_dir, "yunet")?)?);
        let engines = EngineId::ALL
            .into_iter()
            .map(|id| {
                let session = load_session(&manifest.path(model_dir, id.model_id())?)?;
                Ok(Engine {
                    id,
                    model_version: model_version(manifest, id)?,
                    embedder: Embedder::new(id.embedder(), session),
                })
            })
            .collect::<Result<Vec<_>, LoadError>>()?;
        let liveness = LivenessModels::load(manifest, model_dir, &options.liveness)?
            .into_liveness(&options.liveness);
        Ok(Self {
            detector,
            liveness,
            engines,
            options,
        })
    }

    /// The face of the person presenting: the largest one, provided no
    /// other face is comparable in size.
    pub fn sole_face(&mut self, image: &RgbImage) -> Result<Face, FaceError> {
        let faces = self
            .detector
            .detect_at(image, self.options.presenter_detect_side)?;
        self.presenter(faces)
    }

    fn presenter(&self, mut faces: Vec<Face>) -> Result<Face, FaceError> {
        faces.sort_by(|a, b| b.bbox.width.total_cmp(&a.bbox.width));
        let mut faces = faces.into_iter();
        let main = faces.next().ok_or(FaceError::NoFace)?;
        let min_width = main.bbox.width * self.options.other_face_min_ratio;
        if faces.any(|other| other.bbox.width >= min_width) {
            return Err(FaceError::MultipleFaces);
        }
        Ok(main)
    }

    /// The face presented for a liveness check. Covered faces and close-ups
    /// are where the detector fails, and a spoof must be answered, not
    /// refused: when no face is found, the image is searched again with a
    /// border around it (so a face filling the frame is whole) and down to
    /// a lower detection score.
    pub fn presented_face(&mut self, image: &RgbImage) -> Result<Face, FaceError> {
        match self.sole_face(image) {
            Err(FaceError::NoFace) => {}
            found => return found,
        }
        let (padded, border) = detector::framed(image);
        // Thumbnails are enlarged: a face of a few dozen pixels is at the
        // detector's lower limit.
        let side = self.options.presenter_detect_side;
        let enlarge = (side as f32 / padded.width().max(padded.height()) as f32).max(1.0);
        let searched = if enlarge > 1.0 {
            ekyc_image::resize_bilinear(
                &padded,
                (padded.width() as f32 * enlarge).round() as u32,
                (padded.height() as f32 * enlarge).round() as u32,
            )
        } else {
            padded
        };
        let min_score = self.options.liveness.covered_face_min_score;
        let face = self
            .detector
            .detect_with(&searched, side, min_score)?
            .into_iter()
            .min_by(|a, b| b.score.total_cmp(&a.score))
            .ok_or(FaceError::NoFace)?;
        let shift = border as f32;
        let to_original = |v: f32, offset: f32| v / enlarge - offset;
        let found = face.bbox;
        Ok(Face {
            bbox: Rect::new(
                to_original(found.x, shift),
                to_original(found.y, shift),
                found.width / enlarge,
                found.height / enlarge,
            ),
            score: face.score,
            landmarks: face
                .landmarks
                .map(|[px, py]| [to_original(px, shift), to_original(py, shift)]),
        })
    }

    /// The face of the person presenting a probe or enrolment image, its
    /// landmarks from a second look at it ([`located`](Self::located));
    /// [`usable`](Self::usable) then aligns and gates it.
    ///
    /// A second face comparable in size is confirmed on the framed image
    /// before the image is refused (`40923`): without a frame, YuNet
    /// extends the box of a face cut by the image's edge past that edge,
    /// so a sliver of a bystander can look half the presenter's size. On
    /// the 3,563 LFW photos of ../shared/data/faces, 476 showed several
    /// faces unframed, 447 framed, 421 both ways.
    pub fn presenter_face(&mut self, image: &RgbImage) -> Result<Face, FaceError> {
        let faces = self.presenter_candidates(image)?;
        let face = match self.presenter(faces) {
            Err(FaceError::MultipleFaces) => {
                let side = self.options.presenter_detect_side;
                let framed = self.detector.detect_framed(image, side)?;
                self.presenter(framed)?
            }
            found => found?,
        };
        self.located(image, face)
    }

    /// Every face of a probe or enrolment image, as the first, coarse
    /// look of [`presenter_face`](Self::presenter_face) finds them: on the
    /// image shrunk to `recognition_detect_side`, and only when that finds
    /// none, on the framed image at the detector's full size (a face
    /// filling the frame is found only with a margin around it, a small
    /// face in a large photo only with more pixels). Framing every image
    /// cost twice the pixels for landmarks that [`located`](Self::located)
    /// takes anyway: on the faces of `ekyc bench fr` the accuracy is the
    /// same, and a verify 3.6 ms faster.
    pub fn presenter_candidates(&mut self, image: &RgbImage) -> Result<Vec<Face>, FaceError> {
        let faces = self
            .detector
            .detect_at(image, self.options.recognition_detect_side)?;
        if !faces.is_empty() {
            return Ok(faces);
        }
        Ok(self.detector.detect_framed(image, DEFAULT_MAX_SIDE)?)
    }

    /// `face` detected again in a crop around it, at a size made for its
    /// landmarks (see [`FaceDetector::refine`]): the crop gives the face a
    /// margin whether or not it fills the image, and enough pixels
    /// whatever the coarse look's scale. The coarse detection stands when
    /// the crop shows no face.
    pub fn located(&mut self, image: &RgbImage, face: Face) -> Result<Face, FaceError> {
        Ok(self.detector.refine(image, &face)?.unwrap_or(face))
    }

    /// Aligns a face and passes it through the quality gate for its use.
    pub fn usable(
        &self,
        image: &RgbImage,
        face: Face,
        face_use: FaceUse,
    ) -> Result<AlignedFace, FaceError> {
        let mut aligned = self.align(image, face);
        aligned.issues = aligned
            .quality
            .gate(&self.options.quality, face_use)
            .map_err(FaceError::Unusable)?;
        Ok(aligned)
    }

    /// The largest face of a reference image (an ID card may also carry a
    /// small ghost portrait), found in the framed image.
    pub fn largest_face(&mut self, image: &RgbImage) -> Result<Face, FaceError> {
        let face = self
            .detector
            .detect_framed(image, DEFAULT_MAX_SIDE)?
            .into_iter()
            .max_by(|a, b| a.bbox.area().total_cmp(&b.bbox.area()))
            .ok_or(FaceError::NoFace)?;
        self.refined(image, face, DEFAULT_MAX_SIDE)
    }

    /// `face`, detected again at full resolution when the detector, which
    /// searched `image` shrunk to `detect_side`, saw it smaller than
    /// [`detector::REFINE_BELOW`] pixels.
    fn refined(
        &mut self,
        image: &RgbImage,
        face: Face,
        detect_side: u32,
    ) -> Result<Face, FaceError> {
        let shrink = (detect_side as f32 / image.width().max(image.height()) as f32).min(1.0);
        if face.bbox.width * shrink >= detector::REFINE_BELOW || !self.options.refine_small_faces {
            return Ok(face);
        }
        Ok(self.detector.refine(image, &face)?.unwrap_or(face))
    }

    /// Aligns and measures a face, without the quality gate: every issue
    /// is reported.
    pub fn align(&self, image: &RgbImage, face: Face) -> AlignedFace {
        let aligned = align_face(image, &face.landmarks);
        let quality = QualityReport::measure(&face, &aligned);
        AlignedFace {
            face,
            aligned,
            issues: quality.issues(&self.options.quality),
            quality,
        }
    }

    /// A template from every engine that works now.
    pub fn embed_all(&mut self, aligned: &RgbImage) -> Vec<Template> {
        EngineId::ALL
            .into_iter()
            .filter_map(|id| self.embed_with(id, aligned, FaceUse::Enrolment))
            .collect()
    }

    /// A template from the first engine of `order` that works now: the
    /// automatic fallback of the contract.
    pub fn embed_first(
        &mut self,
        order: &[EngineId],
        aligned: &RgbImage,
        face_use: FaceUse,
    ) -> Result<Template, FaceError> {
        order
            .iter()
            .find_map(|&id| self.embed_with(id, aligned, face_use))
            .ok_or(FaceError::NoEngine)
    }

    /// Embeds a probe with the engines of `order` that work and for which
    /// `references` holds a template of the same model version, each with
    /// its reference: only the first unless `every` (fusion) is asked for.
    pub fn embed_against(
        &mut self,
        order: &[EngineId],
        references: &[Template],
        aligned: &RgbImage,
        every: bool,
    ) -> Result<Vec<MatchPair>, FaceError> {
        let mut pairs = Vec::new();
        for &id in order {
            let current = self
                .engines
                .iter()
                .find(|e| e.id == id)
                .map(|e| e.model_version.clone());
            let Some(reference) = references
                .iter()
                .find(|r| r.engine == id && Some(&r.model_version) == current.as_ref())
            else {
                continue;
            };
            if let Some(probe) = self.embed_with(id, aligned, FaceUse::Probe) {
                pairs.push((probe, reference.vector.clone()));
                if !every {
                    break;
                }
            }
        }
        if pairs.is_empty() {
            return Err(FaceError::NoEngine);
        }
        Ok(pairs)
    }

    /// Embeds a face with the engines of `order` that work: only the
    /// first unless `every` (fusion) is asked for.
    pub fn embed_each(
        &mut self,
        order: &[EngineId],
        aligned: &RgbImage,
        face_use: FaceUse,
        every: bool,
    ) -> Vec<Template> {
        let mut templates = Vec::new();
        for &id in order {
            if let Some(template) = self.embed_with(id, aligned, face_use) {
                templates.push(template);
                if !every {
                    break;
                }
            }
        }
        templates
    }

    /// Each engine's embedding (in `EngineId::ALL` order, as loaded) of this one view
    /// of the face, never mirror-averaged: what the benchmark compares the
    /// served embeddings with.
    pub fn embed_views(&mut self, aligned: &RgbImage) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.engines
            .iter_mut()
            .map(|engine| engine.embedder.embed_view(aligned))
            .collect()
    }

    fn embed_with(
        &mut self,
        id: EngineId,
        aligned: &RgbImage,
        face_use: FaceUse,
    ) -> Option<Template> {
        if self.options.failing_engines.contains(&id) {
            tracing::warn!(engine = %id, "engine failing by fault injection");
            return None;
        }
        let engine = self.engines.iter_mut().find(|e| e.id == id)?;
        match engine.embedder.embed(aligned, face_use) {
            Ok(vector) => Some(Template {
                engine: id,
                model_version: engine.model_version.clone(),
                vector,
            }),
            Err(e) => {
                // Handled here, by falling back to the next engine: logged
                // once, with the source chain.
                let error: &(dyn std::error::Error + 'static) = &e;
                tracing::error!(engine = %id, error, "engine failed");
                None
            }
        }
    }
}
