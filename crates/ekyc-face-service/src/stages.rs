//! Where the time of one request went, measured inside the served path
//! itself: the benchmarks report these, so their stage figures describe
//! exactly what the server does.
//!
//! Each stage is timed twice: wall time, which is what a client waits, and
//! the inference thread's processor time, which does not grow while other
//! processes hold the cores, so that a benchmark on a busy machine still
//! tells what the work itself costs.

use std::ops::Add;
use std::time::{Duration, Instant};

/// The stages of a face request, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Base64 and image decoding (every image of the request).
    Decode,
    /// Face detection.
    Detect,
    /// Alignment and the quality gate.
    Align,
    /// Embedding with every engine the request needed.
    Embed,
    /// Calibration and the policy decision.
    Decide,
}

impl Stage {
    /// Every stage, in pipeline order (the order reports list them in).
    pub const ALL: [Stage; 5] = [
        Stage::Decode,
        Stage::Detect,
        Stage::Align,
        Stage::Embed,
        Stage::Decide,
    ];

    /// The stage as reports name it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Decode => "decode",
            Self::Detect => "detect",
            Self::Align => "align + gate",
            Self::Embed => "embed",
            Self::Decide => "decide",
        }
    }
}

/// Wall and processor time of one stage.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Spent {
    /// Elapsed time: what the client waited.
    pub wall: Duration,
    /// The inference thread's processor time: the work itself, whatever
    /// else ran on the machine.
    pub processor: Duration,
}

impl Add for Spent {
    type Output = Spent;

    fn add(self, other: Spent) -> Spent {
        Spent {
            wall: self.wall + other.wall,
            processor: self.processor + other.processor,
        }
    }
}

/// The time of each stage of one face request; stages a use case does not
/// have stay zero.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stages([Spent; 5]);

impl Stages {
    /// The time of one stage.
    pub fn of(&self, stage: Stage) -> Spent {
        self.0[stage as usize]
    }

    /// Every stage together.
    pub fn total(&self) -> Spent {
        self.0
            .iter()
            .fold(Spent::default(), |sum, spent| sum + *spent)
    }

    /// The stages of two jobs of one request, added.
    pub fn plus(&self, other: &Stages) -> Stages {
        Stages(std::array::from_fn(|i| self.0[i] + other.0[i]))
    }

    fn credit(&mut self, stage: Stage, spent: Spent) {
        self.0[stage as usize] = self.0[stage as usize] + spent;
    }
}

/// Laps of one request, each credited to the stage it ended.
pub(crate) struct Stopwatch {
    wall: Instant,
    processor: Duration,
    stages: Stages,
}

impl Stopwatch {
    pub(crate) fn start() -> Self {
        Self {
            wall: Instant::now(),
            processor: thread_processor_time(),
            stages: Stages::default(),
        }
    }

    /// Credits the time since the last lap to `stage`.
    pub(crate) fn lap(&mut self, stage: Stage) {
        let (wall, processor) = (Instant::now(), thread_processor_time());
        self.stages.credit(
            stage,
            Spent {
                wall: wall - self.wall,
                processor: processor.saturating_sub(self.processor),
            },
        );
        (self.wall, self.processor) = (wall, processor);
    }

    pub(crate) fn stages(&self) -> Stages {
        self.stages
    }
}

/// Processor time consumed by the calling thread so far.
fn thread_processor_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to write into, and
    // CLOCK_THREAD_CPUTIME_ID is available on every Linux kernel.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if status != 0 {
        return Duration::ZERO;
    }
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laps_are_credited_to_their_stages() {
        let mut clock = Stopwatch::start();
        let spin = Instant::now();
        while spin.elapsed() < Duration::from_millis(5) {}
        clock.lap(Stage::Detect);
        clock.lap(Stage::Embed);
        let stages = clock.stages();
        assert!(stages.of(Stage::Detect).wall >= Duration::from_millis(5));
        assert!(stages.of(Stage::Detect).processor > Duration::ZERO);
        assert_eq!(stages.of(Stage::Decode), Spent::default());
        let twice = stages.plus(&stages);
        assert_eq!(
            twice.of(Stage::Detect).wall,
            2 * stages.of(Stage::Detect).wall
        );
        assert!(twice.total().wall >= stages.total().wall);
    }
}
