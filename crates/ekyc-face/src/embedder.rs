//! Face embedders: an aligned 112×112 RGB crop in, a unit vector out.
//! Each model wants its own input scaling; getting it wrong costs points
//! without any error, so it lives here with the model and nowhere else.

use image::RgbImage;
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

use crate::align::ALIGNED_SIZE;
use crate::quality::FaceUse;

/// The embedding models the server knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedderKind {
    /// SFace (OpenCV Zoo): input `data`, RGB 0..255, 128-d.
    SFace,
    /// EdgeFace-XS: input `input`, RGB x/127.5 − 1, 512-d.
    EdgeFace,
}

impl EmbedderKind {
    fn input_name(self) -> &'static str {
        match self {
            Self::SFace => "data",
            Self::EdgeFace => "input",
        }
    }

    /// Whether a template's embedding is the mean of the crop's and its
    /// mirror image's. Measured on ../shared/data/faces (`ekyc bench fr`):
    /// it lifts SFace's LFW TAR at FMR 1e-4 from 98.28 to 98.50 % and its
    /// East-Asian TAR at 1e-3 from 43.6 to 46.1 % for a second run.
    /// EdgeFace gains 0.1–0.2 points, within these sets' noise (and lost
    /// East-Asian points before detection was framed): it embeds once.
    /// A probe embeds its crop alone (see [`Embedder::embed`]).
    pub fn averages_mirror(self) -> bool {
        matches!(self, Self::SFace)
    }

    /// Maps a 0..255 channel value to the model's input range.
    fn scale(self, value: u8) -> f32 {
        match self {
            Self::SFace => f32::from(value),
            Self::EdgeFace => f32::from(value) / 127.5 - 1.0,
        }
    }
}

/// Why an engine could not embed a face; the caller falls back to
/// another engine.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// ONNX Runtime could not run the model or hand back its output.
    #[error("embedding inference failed")]
    Inference(#[from] ort::Error),
    /// The model's output has zero or non-finite length: it has no
    /// direction to compare.
    #[error("embedding inference failed: model returned a zero or invalid embedding")]
    Degenerate,
}

/// One embedding model session, owned by one inference thread.
pub struct Embedder {
    kind: EmbedderKind,
    session: Session,
}

impl Embedder {
    /// Wraps a loaded session of the model `kind` names; the kind sets
    /// the input's name and scaling, which the session cannot tell.
    pub fn new(kind: EmbedderKind, session: Session) -> Self {
        Self { kind, session }
    }

    /// The model input for an aligned crop: NCHW float RGB, 1×3×112×112,
    /// scaled as the model was trained.
    pub fn input_tensor(&self, aligned: &RgbImage) -> Array4<f32> {
        let side = ALIGNED_SIZE as usize;
        let mut tensor = Array4::<f32>::zeros((1, 3, side, side));
        for (x, y, pixel) in aligned.enumerate_pixels() {
            for (channel, &value) in pixel.0.iter().enumerate() {
                tensor[[0, channel, y as usize, x as usize]] = self.kind.scale(value);
            }
        }
        tensor
    }

    /// The served embedding of an aligned crop, L2-normalised. A
    /// template, kept and compared for years, is the mean of the crop's
    /// and its mirror's where the model gains by it; a probe, compared
    /// once, embeds the crop alone: against mirror-averaged templates it
    /// keeps most of the gain for half the time (`ekyc bench fr`,
    /// "enrolment crop + mirror, probe crop alone").
    pub fn embed(&mut self, aligned: &RgbImage, face_use: FaceUse) -> Result<Vec<f32>, EmbedError> {
        let crop = self.embed_view(aligned)?;
        if !self.kind.averages_mirror() || face_use == FaceUse::Probe {
            return Ok(crop);
        }
        let mirror = self.embed_view(&image::imageops::flip_horizontal(aligned))?;
        let sum: Vec<f32> = crop.iter().zip(&mirror).map(|(a, b)| a + b).collect();
        normalised(sum)
    }

    /// The L2-normalised embedding of this one view of a face, never
    /// averaged (benchmarks compare the averaging with it).
    pub fn embed_view(&mut self, aligned: &RgbImage) -> Result<Vec<f32>, EmbedError> {
        let input = self.input_tensor(aligned);
        normalised(self.raw_output(&input)?)
    }

    /// The raw model output for a prepared input (parity tests use this).
    pub fn raw_output(&mut self, input: &Array4<f32>) -> Result<Vec<f32>, EmbedError> {
        let outputs = self
            .session
            .run(ort::inputs![self.kind.input_name() => TensorRef::from_array_view(input)?])?;
        let (_, values) = outputs[0].try_extract_tensor::<f32>()?;
        Ok(values.to_vec())
    }
}

fn normalised(mut vector: Vec<f32>) -> Result<Vec<f32>, EmbedError> {
    let norm = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
    if !norm.is_finite() || norm <= f32::EPSILON {
        return Err(EmbedError::Degenerate);
    }
    vector.iter_mut().for_each(|v| *v /= norm);
    Ok(vector)
}

/// Cosine similarity of two unit vectors, in [-1, 1] (the plain dot
/// product: both are L2-normalised when made); 0 when their lengths
/// differ, as vectors of two different models do.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_scaling_per_model() {
        assert_eq!(EmbedderKind::SFace.scale(255), 255.0);
        assert_eq!(EmbedderKind::EdgeFace.scale(255), 1.0);
        assert_eq!(EmbedderKind::EdgeFace.scale(0), -1.0);
    }

    #[test]
    fn cosine_of_unit_vectors() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[1.0, 0.0], &[0.0, 1.0]), 0.0);
        assert_eq!(cosine(&[1.0], &[1.0, 0.0]), 0.0);
    }
}
