//! `ekyc bench ocr`: the document reader on generated cards of every type,
//! on photos without a document, and on the MRZ specimens of
//! `../shared/data/documents`.
//!
//! Reports field exact-match rates per type, address character error rate,
//! MRZ validity, `4040B` rates, how well field confidence is calibrated,
//! and latency split by stage. Cards are generated in memory from seeds, so
//! the same command always measures the same cards.
//!
//! The cards are read here; [`accuracy`] reports on them, [`capture`]
//! compares the ways they were captured and [`other_images`] reports on
//! the images that are not generated cards.

mod accuracy;
mod capture;
mod other_images;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ekyc_core::Settings;
use ekyc_doc::kind::DocumentKind;
use ekyc_doc::{DocumentModels, FieldValue, ReadError, Reading};
use ekyc_docgen::{Capture, Corners, Fonts, Generator, Style, Truth, KINDS};

use crate::progress;
use crate::report::print_machine;
use crate::Wiring;
use accuracy::{
    report_calibration, report_document_confidence, report_failures, report_fields, report_latency,
};
use other_images::{report_filled_cards, report_look_alikes, report_negatives, report_specimens};

/// Fields compared per type (the answer's names; `idNum` unmasked).
const FIELDS: [&str; 17] = [
    "name",
    "idNum",
    "birthDate",
    "address",
    "issueDate",
    "expiryDate",
    "issuer",
    "licenseNo",
    "licenseType",
    "licenseTypes",
    "serialNo",
    "passportNo",
    "surname",
    "givenNames",
    "nationality",
    "visaType",
    "mrz",
];

/// The flags of `ekyc bench ocr`.
#[derive(clap::Args)]
pub struct OcrBench {
    /// Cards per document type.
    #[arg(long, default_value_t = 500)]
    pub cards: u64,
    /// First card seed (the tests use seeds below 1000).
    #[arg(long, default_value_t = 900_000)]
    pub seed: u64,
    /// Generated photos without a document.
    #[arg(long, default_value_t = 200)]
    pub negatives: u64,
    /// Folder holding faces/ and documents/.
    #[arg(long, default_value = "../shared/data")]
    pub data: PathBuf,
    /// Reader threads (each owns its models; latency is per thread).
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Print this many wrong fields.
    #[arg(long, default_value_t = 0)]
    pub failures: usize,
    /// Only these document types (RESIDENT, DRIVER, FOREIGN, PASSPORT).
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<String>,
    /// What reads the lines: `crnn` or `tesseract` (default: the
    /// `ocr_recogniser` setting). Run once with each to compare them.
    #[arg(long)]
    pub recogniser: Option<String>,
    /// A CRNN file to read the lines instead of the shipped `ko_crnn`
    /// (not checked against the manifest): a model trained on one card
    /// style, to measure it on the other.
    #[arg(long)]
    pub crnn_model: Option<PathBuf>,
    /// How the cards are captured: `all`, or some of phone, frame-filling,
    /// cut-crop, flat-scan, pale-background, small-card, glare, defocus,
    /// motion-blur, thumb, rotated-90, rotated-180, rotated-270. With
    /// more than one, each is also reported apart.
    #[arg(long, value_delimiter = ',', default_value = "phone")]
    pub capture: Vec<String>,
    /// Card style: `own` (the generator the reader was developed on) or
    /// `second` (written independently of it, to measure how far the
    /// reader generalises).
    #[arg(long, default_value = "own")]
    pub style: Style,
    /// Typefaces the cards are printed in: `cards` (the generator's own,
    /// which the recogniser trained on) or `held-out` (NanumSquare and
    /// Baekmuk Gulim/Headline, which it never saw).
    #[arg(long, default_value = "cards")]
    pub fonts: Typefaces,
}

/// The typefaces of `ekyc bench ocr --fonts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Typefaces {
    /// The cards' own fonts (`ekyc_docgen::CARD_FONTS`).
    Cards,
    /// Fonts kept out of the recogniser's training
    /// (`ekyc_docgen::lines::HELD_OUT_FONTS`).
    HeldOut,
}

impl Typefaces {
    fn generator(self) -> Result<Generator, ekyc_docgen::GeneratorError> {
        match self {
            Self::Cards => Generator::new(),
            Self::HeldOut => Ok(Generator::with_fonts(Fonts::installed(
                &ekyc_docgen::lines::HELD_OUT_FONTS,
            )?)),
        }
    }
}

/// One card's outcome.
struct Outcome {
    kind: DocumentKind,
    capture: Capture,
    seed: u64,
    truth: Truth,
    /// The card's corners in the photo.
    corners: Corners,
    result: Result<Reading, String>,
    /// For a card not found, whether the finder outlined it all the same.
    outline: Option<bool>,
    wall: Duration,
}

/// Reads every card and negative on `bench.threads` readers, then reports.
pub(crate) fn run(
    wiring: &dyn Wiring,
    settings: &Settings,
    bench: &OcrBench,
) -> anyhow::Result<()> {
    let (manifest, model_dir) = wiring.loaded_models(settings)?;
    let generator = bench.fonts.generator()?;
    let recogniser = match bench.recogniser.as_deref() {
        Some(name) => name
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--recogniser: {e}"))?,
        None => settings.documents.ocr_recogniser,
    };
    let conditions = capture::conditions(&bench.capture)?;
    let load = || -> anyhow::Result<DocumentModels> {
        let mut models =
            wiring.load_document_models(settings, &manifest, &model_dir, recogniser)?;
        if let Some(file) = &bench.crnn_model {
            models.use_crnn_file(
                file,
                &manifest,
                &model_dir,
                &settings.documents.tesseract_library,
            )?;
        }
        Ok(models)
    };
    print_machine(bench.threads);
    println!(
        "cards: {} per type from seed {} in style {:?}, fonts {:?}, {} generated negatives; \
         lines read by {recogniser}",
        bench.cards, bench.seed, bench.style, bench.fonts, bench.negatives
    );
    if let Some(file) = &bench.crnn_model {
        println!("CRNN file in place of the shipped one: {}", file.display());
    }
    if conditions != [Capture::Phone] {
        let names: Vec<&str> = conditions.iter().map(|c| c.name()).collect();
        println!("captured as: {}", names.join(", "));
    }
    let jobs: Vec<(Capture, DocumentKind, u64)> = KINDS
        .iter()
        .filter(|kind| {
            bench.kinds.is_empty()
                || bench
                    .kinds
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(kind.id_type()))
        })
        .flat_map(|kind| (0..bench.cards).map(move |i| (*kind, i)))
        .flat_map(|(kind, i)| conditions.iter().map(move |c| (*c, kind, i)))
        .collect();
    let outcomes = Mutex::new(Vec::new());
    let negatives = Mutex::new(Vec::new());
    let next = Mutex::new(0usize);
    let bar = progress::steps(jobs.len() as u64 + bench.negatives, "cards");
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let mut workers = Vec::new();
        for _ in 0..bench.threads {
            let mut models = load()?;
            let (generator, jobs, outcomes, negatives, next, bar) =
                (&generator, &jobs, &outcomes, &negatives, &next, &bar);
            workers.push(scope.spawn(move || -> anyhow::Result<()> {
                loop {
                    let index = {
                        let mut next = next.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                        *next += 1;
                        *next - 1
                    };
                    if index < jobs.len() {
                        let (capture, kind, i) = jobs[index];
                        let outcome = read_card(
                            &mut models,
                            generator,
                            bench.style,
                            capture,
                            kind,
                            bench.seed + i,
                        )?;
                        outcomes
                            .lock()
                            .map_err(|_| anyhow::anyhow!("poisoned"))?
                            .push(outcome);
                    } else if index < jobs.len() + bench.negatives as usize {
                        let seed = bench.seed + (index - jobs.len()) as u64;
                        let photo = generator.negative(seed)?;
                        let found =
                            !matches!(models.read(&photo, None), Err(ReadError::NoDocument));
                        negatives
                            .lock()
                            .map_err(|_| anyhow::anyhow!("poisoned"))?
                            .push(found);
                    } else {
                        return Ok(());
                    }
                    bar.inc(1);
                }
            }));
        }
        for worker in workers {
            worker
                .join()
                .map_err(|_| anyhow::anyhow!("a bench thread panicked"))??;
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    let outcomes = outcomes
        .into_inner()
        .map_err(|_| anyhow::anyhow!("poisoned"))?;
    let negatives = negatives
        .into_inner()
        .map_err(|_| anyhow::anyhow!("poisoned"))?;
    report_fields(&outcomes);
    report_calibration(&outcomes);
    report_document_confidence(&outcomes);
    report_latency(&outcomes);
    report_failures(&outcomes, bench.failures);
    if conditions.len() > 1 {
        capture::report_captures(&outcomes, &conditions);
    }
    let mut models = load()?;
    report_negatives(&negatives, &mut models, &bench.data.join("faces"), settings)?;
    report_look_alikes(&generator, &mut models, bench)?;
    report_specimens(
        &mut models,
        &bench.data.join("documents/mrz_specimens"),
        settings,
    )?;
    report_filled_cards(
        &mut models,
        &bench.data.join("documents/kr_idcard_synthetic"),
        settings,
    )
}

/// Generates the card of `kind` from `seed` in `style`, captured as
/// `capture` says, and reads it, timed.
fn read_card(
    models: &mut DocumentModels,
    generator: &Generator,
    style: Style,
    capture: Capture,
    kind: DocumentKind,
    seed: u64,
) -> anyhow::Result<Outcome> {
    let sample = generator.photo_in(style, kind, seed, capture)?;
    let started = Instant::now();
    let result = models.read(&sample.image, None).map_err(|e| match e {
        ReadError::NoDocument => "4040B".to_owned(),
        ReadError::Unreadable => "40904".to_owned(),
        ReadError::Model(e) => e.to_string(),
    });
    let wall = started.elapsed();
    let outline = matches!(&result, Err(code) if code == "4040B")
        .then(|| capture::outline_found(&sample.image, &sample.corners));
    Ok(Outcome {
        kind,
        capture,
        seed,
        truth: sample.truth,
        corners: sample.corners,
        result,
        outline,
        wall,
    })
}

/// The reading's value for a compared field (`idNum` unmasked, `mrz` both
/// lines joined by a newline).
fn value(reading: &Reading, field: &str) -> Option<String> {
    match field {
        "idNum" => reading
            .id_number
            .as_ref()
            .map(|(n, _)| n.masked(ekyc_doc::registration::Masking::None)),
        "mrz" => reading
            .mrz
            .as_ref()
            .map(|m| format!("{}\n{}", m.line1, m.line2)),
        _ => reading
            .fields
            .iter()
            .find(|(name, _)| name.as_str() == field)
            .map(|(_, f)| as_truth(&f.value)),
    }
}

/// A field's value as the generator's truth spells it: lists joined by
/// commas.
fn as_truth(value: &FieldValue) -> String {
    match value {
        FieldValue::Text(text) => text.clone(),
        FieldValue::List(items) => items.join(","),
    }
}

/// The generator's truth for a compared field, named as in [`value`].
fn truth_value(truth: &Truth, field: &str) -> Option<String> {
    match field {
        "mrz" => Some(format!(
            "{}\n{}",
            truth.get("mrzLine1")?,
            truth.get("mrzLine2")?
        )),
        "nationality" if truth.get("idType").is_some_and(|t| t == "PASSPORT") => {
            truth.get("nationality").cloned()
        }
        _ => truth.get(field).cloned(),
    }
}

/// `part` of `whole` as a percentage with two decimals (0 of none).
fn pct(part: usize, whole: usize) -> String {
    format!("{:.2} %", 100.0 * part as f64 / whole.max(1) as f64)
}
