//! The reader on images that are not generated cards: scenes and face
//! photos without a document and look-alikes (all should be `4040B`), the
//! ICAO MRZ specimens and the filled resident card examples.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use ekyc_core::Settings;
use ekyc_doc::kind::DocumentKind;
use ekyc_doc::{DocumentModels, ReadError};
use ekyc_docgen::Generator;
use ekyc_image::{decode_image_bytes, RgbImage};

use super::{pct, value, OcrBench};
use crate::photos::collect_images;
use crate::progress;

/// How many generated scenes and face photos without a document are
/// answered `4040B`, as they should be.
pub(super) fn report_negatives(
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
pub(super) fn report_look_alikes(
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
pub(super) fn report_specimens(
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

/// The filled 주민등록증 examples, which fill their whole frame: name,
/// number and issue date against their labels.
pub(super) fn report_filled_cards(
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

/// An image file decoded under the served intake limits.
fn load(path: &Path, settings: &Settings) -> anyhow::Result<RgbImage> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(decode_image_bytes(&bytes, &settings.server.intake())?.rgb)
}
