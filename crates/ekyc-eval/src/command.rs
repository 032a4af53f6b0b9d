//! `ekyc bench <sub>`: the sub-commands, their flags and which benchmark
//! each one runs.

use clap::Subcommand;
use ekyc_core::Settings;

use crate::count::CountBench;
use crate::fr::FrBench;
use crate::id_photo::IdPhotoBench;
use crate::identify::IdentifyBench;
use crate::liveness::LivenessBench;
use crate::ocr::OcrBench;
use crate::quality::QualityBench;
use crate::verify::VerifyBench;
use crate::Wiring;

/// One benchmark and its flags; the doc comments are the CLI's help.
#[derive(Subcommand)]
pub enum BenchCommand {
    /// Recognition accuracy, calibration, quality gate and stage latency
    /// on an identity-labelled face set.
    Fr(FrBench),
    /// End-to-end verify (decode, detect, gate, align, embed, decide) per
    /// engine on 640×480 photos.
    Verify(VerifyBench),
    /// Exact 1:N search latency over synthetic galleries.
    Identify(IdentifyBench),
    /// Liveness checks: APCER/BPCER, AUC, EER per attack type on
    /// ../shared/data and on simulated screen replays and prints; latency.
    Liveness(LivenessBench),
    /// ID photo against selfie: faces printed as card portraits and
    /// photographed, compared with other photos of the same and of other
    /// people, through the served compare.
    IdPhoto(IdPhotoBench),
    /// What each rule of the face quality gate buys: refusals, and TAR and
    /// FMR of accepted and refused probes, under exposure and focus changes.
    Quality(QualityBench),
    /// ID document OCR on generated cards of every type, photos without a
    /// document and the MRZ specimens: field accuracy, 4040B, latency.
    Ocr(OcrBench),
    /// Decode + detect on the photos of a folder (e.g. 640×480 NUAA frames).
    Count(CountBench),
}

/// Runs one benchmark over the server's `wiring`, printing its figures on
/// stdout (progress bars, when stderr is a terminal, go there).
pub async fn run(
    wiring: &dyn Wiring,
    settings: &Settings,
    command: BenchCommand,
) -> anyhow::Result<()> {
    match command {
        BenchCommand::Count(bench) => crate::count::run(wiring, settings, &bench).await,
        BenchCommand::Fr(bench) => crate::fr::run(wiring, settings, &bench).await,
        BenchCommand::Liveness(bench) => crate::liveness::run(wiring, settings, &bench),
        BenchCommand::Ocr(bench) => crate::ocr::run(wiring, settings, &bench),
        BenchCommand::IdPhoto(bench) => crate::id_photo::run(wiring, settings, &bench).await,
        BenchCommand::Quality(bench) => crate::quality::run(wiring, settings, &bench).await,
        BenchCommand::Verify(bench) => crate::verify::run(wiring, settings, &bench).await,
        BenchCommand::Identify(bench) => {
            crate::identify::run(&bench);
            Ok(())
        }
    }
}
