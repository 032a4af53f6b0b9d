//! The two recognition engines and the decisions made with them.
//!
//! `ezway` is SFace and `applemango` is EdgeFace-XS: different models, so
//! that one failing (or being withdrawn) leaves the other. A template is
//! kept per engine and model version, and never compared across either.

use std::fmt;
use std::str::FromStr;

use crate::calibration::{threshold_for_fmr, Calibration, CalibrationError};
use crate::embedder::{cosine, Embedder, EmbedderKind};

/// A recognition engine of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngineId {
    /// SFace (OpenCV Zoo), 128-d; its templates average the mirror image.
    Ezway,
    /// EdgeFace-XS, 512-d.
    Applemango,
}

impl EngineId {
    /// Every engine, in the order models load and the fusion's version
    /// lists them.
    pub const ALL: [EngineId; 2] = [EngineId::Ezway, EngineId::Applemango];

    /// The contract's name of the engine, as requests and answers spell it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ezway => "ezway",
            Self::Applemango => "applemango",
        }
    }

    /// The model that embeds for the engine.
    pub fn embedder(self) -> EmbedderKind {
        match self {
            Self::Ezway => EmbedderKind::SFace,
            Self::Applemango => EmbedderKind::EdgeFace,
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
    /// Which engine this is.
    pub id: EngineId,
    /// The tag of its templates (see [`model_version`](crate::model_version)).
    pub model_version: String,
    /// The loaded model.
    pub embedder: Embedder,
}

/// One engine's embedding of one face.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The engine that made it.
    pub engine: EngineId,
    /// The model version it was made with: templates of another version
    /// are never compared with it.
    pub model_version: String,
    /// The L2-normalised embedding (128 values for ezway, 512 for
    /// applemango).
    pub vector: Vec<f32>,
}

/// The contract's decision policies, strictest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// `login`, the strictest: a mismatch is a refused login, `40924`
    /// (target FMR 1e-5 by default).
    Login,
    /// `general`, verify's default `context` (1e-4).
    General,
    /// `monitoring`, the most lenient: a mismatch is answered, not
    /// refused (1e-3).
    Monitoring,
    /// `compare`: an ID photo against a selfie, across an age gap and
    /// print quality (1e-4).
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
    /// Target FMR of [`Policy::Login`], in (0, 1].
    pub login: f64,
    /// Target FMR of [`Policy::General`].
    pub general: f64,
    /// Target FMR of [`Policy::Monitoring`].
    pub monitoring: f64,
    /// Target FMR of [`Policy::Compare`].
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
    /// The engine that answered (the first of a fusion's pairs).
    pub engine: EngineId,
    /// The calibrated score in [0, 1] (see [`Scored`](crate::Scored)).
    pub score: f32,
    /// The policy's score threshold, the same on every engine.
    pub threshold: f32,
    /// `score >= threshold`.
    pub is_match: bool,
    /// Estimated false-match rate at this score.
    pub fmr: f32,
}

/// A gallery entry that passed the 1:N rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The enrolled user's code.
    pub user_code: String,
    /// The calibrated 1:1 score of the pair, as verify would give it.
    pub score: f32,
    /// Estimated false-match rate of the pair.
    pub fmr: f32,
}

/// The calibration name of the two-engine fusion (mean of the engines'
/// cosines), which measured better than either engine alone.
pub const FUSION: &str = "fusion";

/// The version tag of the fusion: the engines' versions in engine order.
pub fn fusion_version(versions: &[(EngineId, String)]) -> String {
    EngineId::ALL
        .iter()
        .filter_map(|e| {
            versions
                .iter()
                .find(|(id, _)| id == e)
                .map(|(_, v)| v.as_str())
        })
        .collect::<Vec<_>>()
        .join("+")
}

/// A probe and the enrolled reference of the same engine and version.
pub type MatchPair = (Template, Vec<f32>);

/// Turns cosines into calibrated scores and policy decisions.
pub struct Matcher {
    calibrations: Vec<Calibration>,
    targets: PolicyTargets,
    /// The fusion's version when some policy decides on it.
    fusion: Option<String>,
    /// Which policies decide on the fusion.
    fused: FusedPolicies,
}

/// Which decisions take the calibrated mean of both engines' cosines
/// rather than the preferred engine's alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FusedPolicies {
    /// Verify's policies (`login`, `general`, `monitoring`).
    pub verify: bool,
    /// `compare` (ID photo against selfie).
    pub compare: bool,
}

impl FusedPolicies {
    fn covers(self, policy: Policy) -> bool {
        match policy {
            Policy::Compare => self.compare,
            _ => self.verify,
        }
    }
}

impl Matcher {
    /// Checks that every engine's current model has a calibration.
    pub fn new(
        calibrations: Vec<Calibration>,
        targets: PolicyTargets,
        versions: &[(EngineId, String)],
        fused: FusedPolicies,
    ) -> Result<Self, CalibrationError> {
        let matcher = Self {
            calibrations,
            targets,
            fusion: (fused.verify || fused.compare).then(|| fusion_version(versions)),
            fused,
        };
        for (engine, version) in versions {
            matcher.calibration(engine.name(), version)?;
        }
        if let Some(version) = &matcher.fusion {
            matcher.calibration(FUSION, version)?;
        }
        Ok(matcher)
    }

    fn calibration(&self, name: &str, version: &str) -> Result<&Calibration, CalibrationError> {
        self.calibrations
            .iter()
            .find(|c| c.engine == name && c.model_version == version)
            .ok_or_else(|| CalibrationError::Missing {
                engine: name.to_owned(),
                model_version: version.to_owned(),
            })
    }

    /// Whether a decision under `policy` wants every engine's embedding.
    pub fn wants_every_engine(&self, policy: Policy) -> bool {
        self.fused.covers(policy)
    }

    /// Decides from probe/reference pairs given in fallback order: the
    /// fusion of all engines when `policy` is fused and every engine answered,
    /// otherwise the first pair. `engine` names the first pair's engine.
    pub fn decide_pairs(
        &self,
        pairs: &[MatchPair],
        policy: Policy,
    ) -> Result<Decision, CalibrationError> {
        let (first, first_reference) = pairs.first().ok_or_else(|| CalibrationError::Missing {
            engine: "any".to_owned(),
            model_version: String::new(),
        })?;
        let versions: Vec<(EngineId, String)> = pairs
            .iter()
            .map(|(p, _)| (p.engine, p.model_version.clone()))
            .collect();
        match &self.fusion {
            Some(fused)
                if self.wants_every_engine(policy)
                    && pairs.len() == EngineId::ALL.len()
                    && fusion_version(&versions) == *fused =>
            {
                let mean = pairs.iter().map(|(p, r)| cosine(&p.vector, r)).sum::<f32>()
                    / pairs.len() as f32;
                let scored = self.calibration(FUSION, fused)?.score(mean);
                Ok(self.decision(first.engine, scored, policy))
            }
            _ => self.decide(first, first_reference, policy),
        }
    }

    fn decision(&self, engine: EngineId, scored: crate::Scored, policy: Policy) -> Decision {
        let threshold = self.threshold(policy);
        Decision {
            engine,
            score: scored.score,
            threshold,
            is_match: scored.score >= threshold,
            fmr: scored.fmr,
        }
    }

    /// The score threshold of a policy (the same on every engine).
    pub fn threshold(&self, policy: Policy) -> f32 {
        threshold_for_fmr(self.targets.target(policy))
    }

    /// The 1:N rule: a search over `gallery_size` templates returns a
    /// wrong person with probability about `gallery_size × FMR`, so a hit
    /// is a candidate only when its FMR is at most `fpir / gallery_size`
    /// (NIST's false-positive identification rate). Hits come best first
    /// as (user code, cosine) of `probe`'s engine and version.
    pub fn identify(
        &self,
        probe: &Template,
        hits: &[(String, f32)],
        gallery_size: usize,
        fpir: f64,
    ) -> Result<Vec<Candidate>, CalibrationError> {
        let calibration = self.calibration(probe.engine.name(), &probe.model_version)?;
        let max_fmr = identify_max_fmr(gallery_size, fpir);
        Ok(hits
            .iter()
            .map(|(user_code, cosine)| (user_code, calibration.score(*cosine)))
            .filter(|(_, scored)| f64::from(scored.fmr) <= max_fmr)
            .map(|(user_code, scored)| Candidate {
                user_code: user_code.clone(),
                score: scored.score,
                fmr: scored.fmr,
            })
            .collect())
    }

    /// Compares a probe with a reference of the same engine and version.
    pub fn decide(
        &self,
        probe: &Template,
        reference: &[f32],
        policy: Policy,
    ) -> Result<Decision, CalibrationError> {
        let scored = self
            .calibration(probe.engine.name(), &probe.model_version)?
            .score(cosine(&probe.vector, reference));
        Ok(self.decision(probe.engine, scored, policy))
    }
}

/// The largest per-pair FMR a 1:N candidate may have.
pub fn identify_max_fmr(gallery_size: usize, fpir: f64) -> f64 {
    fpir / gallery_size.max(1) as f64
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
            FusedPolicies::default(),
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
            &[(EngineId::Ezway, "v1".into())],
            FusedPolicies::default(),
        )
        .is_err());
    }

    fn unit_calibration(name: &str, version: &str) -> Calibration {
        Calibration {
            engine: name.into(),
            model_version: version.into(),
            knots: vec![[0.0, 0.0], [1.0, -6.0]],
        }
    }

    #[test]
    fn fusion_averages_engines_and_falls_back_to_one() {
        let versions = [
            (EngineId::Ezway, "a".to_owned()),
            (EngineId::Applemango, "b".to_owned()),
        ];
        let calibrations = vec![
            unit_calibration("ezway", "a"),
            unit_calibration("applemango", "b"),
            unit_calibration(FUSION, "a+b"),
        ];
        let matcher = Matcher::new(
            calibrations.clone(),
            PolicyTargets::default(),
            &versions,
            FusedPolicies {
                verify: true,
                compare: true,
            },
        )
        .unwrap();
        assert!(matcher.wants_every_engine(Policy::General));
        let template = |engine, version: &str| Template {
            engine,
            model_version: version.into(),
            vector: vec![1.0, 0.0],
        };
        // Cosines 0.9 (ezway) and 0.5 (applemango): fused 0.7.
        let pairs = vec![
            (
                template(EngineId::Applemango, "b"),
                vec![0.5, (0.75f32).sqrt()],
            ),
            (template(EngineId::Ezway, "a"), vec![0.9, (0.19f32).sqrt()]),
        ];
        let fused = matcher.decide_pairs(&pairs, Policy::General).unwrap();
        assert_eq!(
            fused.engine,
            EngineId::Applemango,
            "engine names the primary"
        );
        assert!((fused.score - 0.7).abs() < 1e-4, "{fused:?}");
        let single = matcher.decide_pairs(&pairs[1..], Policy::General).unwrap();
        assert!((single.score - 0.9).abs() < 1e-4);
        assert!(Matcher::new(
            calibrations[..2].to_vec(),
            PolicyTargets::default(),
            &versions,
            FusedPolicies {
                verify: false,
                compare: true,
            },
        )
        .is_err());
        assert_eq!(fusion_version(&versions), "a+b");
        let compare_only = Matcher::new(
            calibrations,
            PolicyTargets::default(),
            &versions,
            FusedPolicies {
                verify: false,
                compare: true,
            },
        )
        .unwrap();
        assert!(compare_only.wants_every_engine(Policy::Compare));
        assert!(!compare_only.wants_every_engine(Policy::General));
        let compared = compare_only.decide_pairs(&pairs, Policy::Compare).unwrap();
        assert!((compared.score - 0.7).abs() < 1e-4, "{compared:?}");
        let verified = compare_only.decide_pairs(&pairs, Policy::General).unwrap();
        assert!((verified.score - 0.5).abs() < 1e-4, "{verified:?}");
    }
}
