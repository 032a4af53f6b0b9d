//! Where the time of one request went, measured inside the served path
//! itself: the benchmarks report these, so their stage figures describe
//! exactly what the server does.

use std::time::{Duration, Instant};

/// Wall time of each stage of one face request. Stages a use case does
/// not have stay zero.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stages {
    /// Base64 and image decoding (every image of the request).
    pub decode: Duration,
    /// Face detection.
    pub detect: Duration,
    /// Alignment and the quality gate.
    pub align: Duration,
    /// Embedding with every engine the request needed.
    pub embed: Duration,
    /// Calibration and the policy decision.
    pub decide: Duration,
}

impl Stages {
    /// The stages' names and times, in pipeline order.
    pub fn named(&self) -> [(&'static str, Duration); 5] {
        [
            ("decode", self.decode),
            ("detect", self.detect),
            ("align + gate", self.align),
            ("embed", self.embed),
            ("decide", self.decide),
        ]
    }
}

/// Laps of one inference job, each credited to the stage it ended.
pub(crate) struct Stopwatch {
    lap: Instant,
    stages: Stages,
}

impl Stopwatch {
    pub(crate) fn start() -> Self {
        Self {
            lap: Instant::now(),
            stages: Stages::default(),
        }
    }

    /// The time since the last lap.
    pub(crate) fn lap(&mut self) -> Duration {
        let now = Instant::now();
        let elapsed = now - self.lap;
        self.lap = now;
        elapsed
    }

    pub(crate) fn decoded(&mut self) {
        let lap = self.lap();
        self.stages.decode += lap;
    }

    pub(crate) fn detected(&mut self) {
        let lap = self.lap();
        self.stages.detect += lap;
    }

    pub(crate) fn aligned(&mut self) {
        let lap = self.lap();
        self.stages.align += lap;
    }

    pub(crate) fn embedded(&mut self) {
        let lap = self.lap();
        self.stages.embed += lap;
    }

    pub(crate) fn stages(&self) -> Stages {
        self.stages
    }
}
