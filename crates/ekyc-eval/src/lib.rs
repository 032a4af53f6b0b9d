//! The benchmarks behind the README's figures, run as `ekyc bench <sub>`,
//! and the metrics they report.
//!
//! Every benchmark measures the served path: the binary lends its own
//! wiring ([`Wiring`]), so the face service, inference pools and document
//! reader measured here are the ones `ekyc serve` builds. What only
//! evaluation needs (the simulated attacks of [`attacks`], generated ID
//! cards, seeded galleries) lives here and nowhere in the served crates.
//!
//! One module per sub-command: `fr`, `verify`, `identify`, `liveness`,
//! `id_photo`, `quality`, `ocr` and `count`; [`metrics`] holds the error
//! rates they share.

pub mod attacks;
mod command;
mod count;
mod fr;
mod id_photo;
mod identify;
mod liveness;
pub mod metrics;
mod ocr;
mod photos;
mod population;
pub mod progress;
mod quality;
mod report;
mod served;
mod verify;
mod wiring;

pub use command::{run, BenchCommand};
pub use count::CountBench;
pub use fr::FrBench;
pub use id_photo::IdPhotoBench;
pub use identify::IdentifyBench;
pub use liveness::LivenessBench;
pub use ocr::OcrBench;
pub use quality::QualityBench;
pub use verify::VerifyBench;
pub use wiring::{Wiring, WiringFuture};
