//! `ekyc bench ocr`: the document reader on generated cards of every type,
//! on photos without a document, and on the MRZ specimens of
//! `../shared/data/documents`.
//!
//! Reports field exact-match rates per type, address character error rate,
//! MRZ validity, `4040B` rates, how well field confidence is calibrated,
//! and latency split by stage. Cards are generated in memory from seeds, so
//! the same command always measures the same cards.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use ekyc_core::Settings;
use ekyc_doc::kind::DocumentKind;
use ekyc_doc::{DocumentModels, FieldValue, ReadError, Reading, StageTimings};
use ekyc_docgen::{Generator, Truth, KINDS};
use ekyc_image::{decode_image_bytes, RgbImage};

use crate::bench::{collect_images, print_machine, summarize};
use crate::progress;
use crate::serve::{load_document_models, loaded_models};

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
}

/// One card's outcome.
struct Outcome {
    kind: DocumentKind,
    seed: u64,
    truth: Truth,
    result: Result<Reading, String>,
    wall: Duration,
}

pub fn run(settings: &Settings, bench: &OcrBench) -> anyhow::Result<()> {
    let (manifest, model_dir) = loaded_models(settings)?;
    let generator = Generator::new()?;
    let recogniser = match bench.recogniser.as_deref() {
        Some(name) => name
            .parse()
            .map_err(|e: String| anyhow::anyhow!("--recogniser: {e}"))?,
        None => settings.documents.ocr_recogniser,
    };
    let load = || load_document_models(settings, &manifest, &model_dir, recogniser);
    print_machine(bench.threads);
    println!(
        "cards: {} per type from seed {}, {} generated negatives; lines read by {recogniser}",
        bench.cards, bench.seed, bench.negatives
    );
    let jobs: Vec<(DocumentKind, u64)> = KINDS
        .iter()
        .filter(|kind| {
            bench.kinds.is_empty()
                || bench
                    .kinds
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(kind.id_type()))
        })
        .flat_map(|kind| (0..bench.cards).map(move |i| (*kind, i)))
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
                        let (kind, i) = jobs[index];
                        let outcome = read_card(&mut models, generator, kind, bench.seed + i)?;
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

/// The filled 주민등록증 examples, which fill their whole frame: name,
/// number and issue date against their labels.
fn report_filled_cards(
    models: &mut DocumentModels,
    folder: &Path,
    settings: &Settings,
) -> anyhow::Result<()> {
    println!(
        "
filled resident card examples ({}):",
        folder.display()
    );
    let labels = std::fs::read_to_string(folder.join("labels.csv")).context("example labels")?;
    for line in labels.lines().skip(1) {
        let columns: Vec<&str> = line.split(',').collect();
        let [file, name, number, _, issued, ..] = columns[..] else {
            continue;
        };
        let image = load(&folder.join(file), settings)?;
        let outcome = match models.read(&image, None) {
            Ok(reading) => {
                let read = |field: &str| value(&reading, field).unwrap_or_default();
                let right = |field: &str, truth: &str| {
                    let mark = if read(field).replace('-', ".") == truth.replace('-', ".") {
                        "exact"
                    } else {
                        "wrong"
                    };
                    format!("{field} {mark} ({})", read(field))
                };
                format!(
                    "{}, {}, {}, {}, confidence {:.2}",
                    reading.kind.id_type(),
                    right("name", name),
                    right("idNum", number),
                    right("issueDate", issued),
                    reading.confidence
                )
            }
            Err(e) => e.to_string(),
        };
        println!("  {file}: {outcome}");
    }
    Ok(())
}

fn read_card(
    models: &mut DocumentModels,
    generator: &Generator,
    kind: DocumentKind,
    seed: u64,
) -> anyhow::Result<Outcome> {
    let sample = generator.photo(kind, seed)?;
    let started = Instant::now();
    let result = models.read(&sample.image, None).map_err(|e| match e {
        ReadError::NoDocument => "4040B".to_owned(),
        ReadError::Unreadable => "40904".to_owned(),
        ReadError::Model(e) => e.to_string(),
    });
    Ok(Outcome {
        kind,
        seed,
        truth: sample.truth,
        result,
        wall: started.elapsed(),
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

fn report_fields(outcomes: &[Outcome]) {
    println!("\nfield exact match (right / cards that print the field):");
    for kind in KINDS {
        let of_kind: Vec<&Outcome> = outcomes.iter().filter(|o| o.kind == kind).collect();
        let read = of_kind.iter().filter(|o| o.result.is_ok()).count();
        let typed = of_kind
            .iter()
            .filter(|o| o.result.as_ref().is_ok_and(|r| r.kind == kind))
            .count();
        println!(
            "  {}: {} cards, read {} ({}), type right {}",
            kind.id_type(),
            of_kind.len(),
            read,
            pct(read, of_kind.len()),
            pct(typed, of_kind.len())
        );
        for field in FIELDS {
            let printed: Vec<(&Outcome, String)> = of_kind
                .iter()
                .filter_map(|o| truth_value(&o.truth, field).map(|t| (*o, t)))
                .collect();
            if printed.is_empty() {
                continue;
            }
            let right = printed
                .iter()
                .filter(|(o, t)| {
                    o.result
                        .as_ref()
                        .ok()
                        .and_then(|r| value(r, field))
                        .as_ref()
                        == Some(t)
                })
                .count();
            let mut line = format!(
                "    {field:<13} {:>7} ({right}/{})",
                pct(right, printed.len()),
                printed.len()
            );
            if field == "address" {
                line.push_str(&format!(", CER {:.2} %", 100.0 * cer(&printed, field)));
            }
            if field == "name" && kind != DocumentKind::Foreign {
                line.push_str(&format!(", CER {:.2} %", 100.0 * cer(&printed, field)));
            }
            println!("{line}");
        }
        if kind == DocumentKind::Passport {
            let readings: Vec<&Reading> = of_kind
                .iter()
                .filter_map(|o| o.result.as_ref().ok())
                .collect();
            let returned: Vec<bool> = readings
                .iter()
                .filter_map(|r| r.mrz.as_ref().map(|m| m.valid))
                .collect();
            let valid = returned.iter().filter(|v| **v).count();
            let withheld = readings
                .iter()
                .filter(|r| r.mrz.is_none() && r.checks.mrz_check_digits == Some(false))
                .count();
            println!(
                "    MRZ returned {} of {}; check digits pass on {} of those; complete (valid) {}; \
                 withheld for failing check digits {}",
                returned.len(),
                of_kind.len(),
                valid,
                pct(valid, of_kind.len()),
                withheld
            );
        }
    }
}

/// Character error rate: edit distance over truth length, summed over cards
/// (a card read without the field counts every character wrong).
fn cer(printed: &[(&Outcome, String)], field: &str) -> f64 {
    let mut errors = 0;
    let mut total = 0;
    for (outcome, truth) in printed {
        let read = outcome
            .result
            .as_ref()
            .ok()
            .and_then(|r| value(r, field))
            .unwrap_or_default();
        let truth: Vec<char> = truth.chars().collect();
        let read: Vec<char> = read.chars().collect();
        errors += edit_distance(&truth, &read);
        total += truth.len();
    }
    errors as f64 / total.max(1) as f64
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// How often fields at each confidence level are right.
/// Whether the document's confidence means something: how often a reading
/// that claims ≥ 0.95 has every printed field right, and what readings
/// with a printed field missing claim.
fn report_document_confidence(outcomes: &[Outcome]) {
    let mut confident = (0, 0);
    let mut gaps = Vec::new();
    for outcome in outcomes {
        let Ok(reading) = &outcome.result else {
            continue;
        };
        let printed: Vec<(&str, String)> = FIELDS
            .iter()
            .filter_map(|f| truth_value(&outcome.truth, f).map(|t| (*f, t)))
            .collect();
        let all_right = printed
            .iter()
            .all(|(f, t)| value(reading, f).as_ref() == Some(t));
        if reading.confidence >= 0.95 {
            confident.0 += usize::from(all_right);
            confident.1 += 1;
        }
        if printed.iter().any(|(f, _)| value(reading, f).is_none()) {
            gaps.push(reading.confidence);
        }
    }
    gaps.sort_by(f32::total_cmp);
    println!(
        "\ndocument confidence: readings at >= 0.95 with every field right {} ({} of {}); \
         readings missing a printed field: {}, highest confidence {:.2}",
        pct(confident.0, confident.1),
        confident.0,
        confident.1,
        gaps.len(),
        gaps.last().copied().unwrap_or(0.0)
    );
}

fn report_calibration(outcomes: &[Outcome]) {
    let mut bins: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for outcome in outcomes {
        let Ok(reading) = &outcome.result else {
            continue;
        };
        let mut scored: Vec<(f32, bool)> = reading
            .fields
            .iter()
            .filter_map(|(name, field)| {
                let truth = truth_value(&outcome.truth, name.as_str())?;
                Some((field.confidence, as_truth(&field.value) == truth))
            })
            .collect();
        if let (Some((number, confidence)), Some(truth)) =
            (&reading.id_number, outcome.truth.get("idNum"))
        {
            let read = number.masked(ekyc_doc::registration::Masking::None);
            scored.push((*confidence, &read == truth));
        }
        for (confidence, right) in scored {
            let bin = ((confidence * 10.0) as usize).min(9);
            let entry = bins.entry(bin).or_default();
            entry.0 += usize::from(right);
            entry.1 += 1;
        }
    }
    println!("\nfield confidence calibration (fields right / fields returned):");
    for (bin, (right, total)) in bins {
        println!(
            "  [{:.1}, {:.1}): {} ({right}/{total})",
            bin as f32 / 10.0,
            (bin + 1) as f32 / 10.0,
            pct(right, total)
        );
    }
}

fn report_latency(outcomes: &[Outcome]) {
    println!("\nlatency per card (one inference thread each):");
    let mut walls: Vec<Duration> = outcomes.iter().map(|o| o.wall).collect();
    println!("  end to end: {}", summarize(&mut walls));
    let stages: Vec<StageTimings> = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok().map(|r| r.timings))
        .collect();
    let stage = |pick: fn(&StageTimings) -> f64| {
        let mut values: Vec<Duration> = stages
            .iter()
            .map(|t| Duration::from_secs_f64(pick(t) / 1000.0))
            .collect();
        summarize(&mut values)
    };
    println!("  finding + rectifying: {}", stage(|t| t.finding));
    println!("  text detection + direction: {}", stage(|t| t.detection));
    println!("  recognition (first pass): {}", stage(|t| t.recognition));
    println!("  parsing (with field re-reads): {}", stage(|t| t.parsing));
}

fn report_failures(outcomes: &[Outcome], limit: usize) {
    if limit == 0 {
        return;
    }
    println!("\nfirst {limit} wrong fields:");
    let mut shown = 0;
    for outcome in outcomes {
        for field in FIELDS {
            let Some(truth) = truth_value(&outcome.truth, field) else {
                continue;
            };
            let read = match &outcome.result {
                Ok(r) => value(r, field).unwrap_or_else(|| "(none)".to_owned()),
                Err(e) => e.clone(),
            };
            if read != truth && shown < limit {
                shown += 1;
                println!(
                    "  {} #{} {field}: {truth:?} read {read:?}",
                    outcome.kind.id_type(),
                    outcome.seed
                );
            }
        }
    }
}

fn report_negatives(
    generated: &[bool],
    models: &mut DocumentModels,
    faces: &Path,
    settings: &Settings,
) -> anyhow::Result<()> {
    let found = generated.iter().filter(|f| **f).count();
    println!(
        "\nnegatives: generated scenes answered 4040B {} ({} of {})",
        pct(generated.len() - found, generated.len()),
        generated.len() - found,
        generated.len()
    );
    let mut photos = Vec::new();
    collect_images(faces, &mut photos).with_context(|| format!("reading {}", faces.display()))?;
    photos.sort();
    photos.truncate(200);
    let mut rejected = 0;
    let bar = progress::steps(photos.len() as u64, "face photos");
    for path in &photos {
        let image = load(path, settings)?;
        rejected += usize::from(matches!(
            models.read(&image, None),
            Err(ReadError::NoDocument)
        ));
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "  face photos ({}) answered 4040B {} ({rejected} of {})",
        faces.display(),
        pct(rejected, photos.len()),
        photos.len()
    );
    Ok(())
}

/// Generated business cards, receipts and membership cards: printed
/// Korean text, names, numbers and dates, but no ID.
fn report_look_alikes(
    generator: &Generator,
    models: &mut DocumentModels,
    bench: &OcrBench,
) -> anyhow::Result<()> {
    let mut answers: BTreeMap<String, usize> = BTreeMap::new();
    let bar = progress::steps(bench.negatives, "look-alikes");
    for i in 0..bench.negatives {
        let photo = generator.look_alike(bench.seed + i)?;
        let answer = match models.read(&photo, None) {
            Ok(reading) => reading.kind.id_type().to_owned(),
            Err(ReadError::NoDocument) => "4040B".to_owned(),
            Err(ReadError::Unreadable) => "40904".to_owned(),
            Err(ReadError::Model(e)) => e.to_string(),
        };
        *answers.entry(answer).or_default() += 1;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let rejected = answers.get("4040B").copied().unwrap_or(0);
    println!(
        "  look-alikes (business cards, receipts, membership cards) answered 4040B {} \
         ({rejected} of {}); all answers: {answers:?}",
        pct(rejected, bench.negatives as usize),
        bench.negatives
    );
    Ok(())
}

/// The ICAO specimens: which MRZs are read and valid (only TD3 passports
/// are in the contract; the others are reported for what they are).
fn report_specimens(
    models: &mut DocumentModels,
    folder: &Path,
    settings: &Settings,
) -> anyhow::Result<()> {
    println!("\nMRZ specimens ({}):", folder.display());
    let labels = std::fs::read_to_string(folder.join("labels.csv")).context("specimen labels")?;
    for line in labels.lines().skip(1) {
        let file = line.split(',').next().unwrap_or_default();
        let image = load(&folder.parent().unwrap_or(folder).join(file), settings)?;
        let outcome = match models.read(&image, Some(DocumentKind::Passport)) {
            Ok(reading) => match (&reading.mrz, reading.checks.mrz_check_digits) {
                (Some(_), _) => "MRZ read, check digits pass".to_owned(),
                (None, Some(false)) => "MRZ read, check digits fail (withheld)".to_owned(),
                (None, _) => "no TD3 MRZ read".to_owned(),
            },
            Err(e) => e.to_string(),
        };
        println!("  {file}: {outcome}");
    }
    Ok(())
}

fn load(path: &Path, settings: &Settings) -> anyhow::Result<RgbImage> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(decode_image_bytes(&bytes, &settings.server.intake())?.rgb)
}

fn pct(part: usize, whole: usize) -> String {
    format!("{:.2} %", 100.0 * part as f64 / whole.max(1) as f64)
}
