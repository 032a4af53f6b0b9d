//! The two recognition engines and the decisions made with them.
//!
//! `ezway` is SFace and `applemango` is EdgeFace-XS: different models, so
//! that one failing (or being withdrawn) leaves the other. A template is
//! kept per engine and model version, and never compared across either.

use std::fmt;
use std::str::FromStr;

use crate::calibration::{threshold_for_fmr, Calibration, CalibrationError};
use crate::embedder::{cosine, Embedder};

/// A recognition engine of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngineId {
    Ezway,
    Applemango,
}

impl EngineId {
    pub const ALL: [EngineId; 2] = [EngineId::Ezway, EngineId::Applemango];

    pub fn name(self) -> &'static str {
        match self {
            Self::Ezway => "ezway",
            Self::Applemango => "applemango",
        }
    }

    /// The manifest id of the engine's model.
    pub fn model_id(self) -> &'static str {
        match self {
            Self::Ezway => "sface",
            Self::Applemango => "edgeface",
        }
    }
}

impl fmt::Display for EngineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for EngineId {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| format!("unknown engine {s:?} (ezway or applemango)"))
    }
}

/// An engine's embedder with the version its templates are tagged with.
pub struct Engine {
    pub id: EngineId,
    pub model_version: String,
    pub embedder: Embedder,
}

/// One engine's embedding of one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub engine: EngineId,
    pub model_version: String,
    pub vector: Vec<f32>,
}

impl Template {
    /// Little-endian f32s: the stored form.
    pub fn vector_bytes(&self) -> Vec<u8> {
        self.vector.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// Reads the stored form; `None` for bytes that are not whole f32s.
    pub fn vector_from_bytes(bytes: &[u8]) -> Option<Vec<f32>> {
        if bytes.is_empty() || bytes.len() % 4 != 0 {
            return None;
        }
        Some(
            bytes
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }
}

/// The contract's decision policies, strictest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Login,
    General,
    Monitoring,
    Compare,
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "login" => Ok(Self::Login),
            "general" => Ok(Self::General),
            "monitoring" => Ok(Self::Monitoring),
            "compare" => Ok(Self::Compare),
            _ => Err(format!("unknown policy {s:?}")),
        }
    }
}

/// Target false-match rate of each policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolicyTargets {
    pub login: f64,
    pub general: f64,
    pub monitoring: f64,
    pub compare: f64,
}

impl Default for PolicyTargets {
    fn default() -> Self {
        Self {
            login: 1e-5,
            general: 1e-4,
            monitoring: 1e-3,
            compare: 1e-4,
        }
    }
}

impl PolicyTargets {
    fn target(&self, policy: Policy) -> f64 {
        match policy {
            Policy::Login => self.login,
            Policy::General => self.general,
            Policy::Monitoring => self.monitoring,
            Policy::Compare => self.compare,
        }
    }
}

/// The outcome of comparing two faces.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub engine: EngineId,
    pub score: f32,
    pub threshold: f32,
    pub is_match: bool,
    /// Estimated false-match rate at this score.
    pub fmr: f32,
}

/// Turns cosines into calibrated scores and policy decisions.
pub struct Matcher {
    calibrations: Vec<Calibration>,
    targets: PolicyTargets,
}

impl Matcher {
    /// Checks that every engine's current model has a calibration.
    pub fn new(
        calibrations: Vec<Calibration>,
        targets: PolicyTargets,
        versions: &[(EngineId, String)],
    ) -> Result<Self, CalibrationError> {
        let matcher = Self {
            calibrations,
            targets,
        };
        for (engine, version) in versions {
            matcher.calibration(*engine, version)?;
        }
        Ok(matcher)
    }

    fn calibration(
        &self,
        engine: EngineId,
        version: &str,
    ) -> Result<&Calibration, CalibrationError> {
        self.calibrations
            .iter()
            .find(|c| c.engine == engine.name() && c.model_version == version)
            .ok_or_else(|| CalibrationError::Missing {
                engine: engine.name().to_owned(),
                model_version: version.to_owned(),
            })
    }

    /// The score threshold of a policy (the same on every engine).
    pub fn threshold(&self, policy: Policy) -> f32 {
        threshold_for_fmr(self.targets.target(policy))
    }

    /// Compares a probe with a reference of the same engine and version.
    pub fn decide(
        &self,
        probe: &Template,
        reference: &[f32],
        policy: Policy,
    ) -> Result<Decision, CalibrationError> {
        let scored = self
            .calibration(probe.engine, &probe.model_version)?
            .score(cosine(&probe.vector, reference));
        let threshold = self.threshold(policy);
        Ok(Decision {
            engine: probe.engine,
            score: scored.score,
            threshold,
            is_match: scored.score >= threshold,
            fmr: scored.fmr,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engines_parse_and_print() {
        assert_eq!("ezway".parse::<EngineId>(), Ok(EngineId::Ezway));
        assert!("dlib".parse::<EngineId>().is_err());
        assert_eq!(EngineId::Applemango.to_string(), "applemango");
    }

    #[test]
    fn template_bytes_round_trip() {
        let t = Template {
            engine: EngineId::Ezway,
            model_version: "v".into(),
            vector: vec![0.5, -1.25, 3.0],
        };
        assert_eq!(
            Template::vector_from_bytes(&t.vector_bytes()),
            Some(t.vector.clone())
        );
        assert_eq!(Template::vector_from_bytes(&[1, 2, 3]), None);
    }

    #[test]
    fn decisions_use_the_policy_threshold() {
        let calibration = Calibration {
            engine: "ezway".into(),
            model_version: "v1".into(),
            knots: vec![[0.0, 0.0], [1.0, -6.0]],
        };
        let matcher = Matcher::new(
            vec![calibration],
            PolicyTargets::default(),
            &[(EngineId::Ezway, "v1".into())],
        )
        .unwrap();
        let probe = Template {
            engine: EngineId::Ezway,
            model_version: "v1".into(),
            vector: vec![1.0, 0.0],
        };
        let reference = [0.7f32, (1.0f32 - 0.49).sqrt()];
        let general = matcher.decide(&probe, &reference, Policy::General).unwrap();
        assert!(general.is_match, "{general:?}");
        let login = matcher.decide(&probe, &reference, Policy::Login).unwrap();
        assert!(!login.is_match);
        assert!(login.threshold > general.threshold);
        let stale = Template {
            model_version: "v0".into(),
            ..probe
        };
        assert!(matcher.decide(&stale, &reference, Policy::General).is_err());
        assert!(Matcher::new(
            vec![],
            PolicyTargets::default(),
            &[(EngineId::Ezway, "v1".into())]
        )
        .is_err());
    }
}
