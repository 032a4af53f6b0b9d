//! `ekyc bench id-photo`: an ID photo against a selfie, the contract's
//! headline use of `/v1/fr/compare`.
//!
//! For every identity of `../shared/data/faces` with two or more photos,
//! its first photo is printed as the portrait of a generated card
//! (`ekyc_docgen::Generator::id_photo`: printed, the card photographed on
//! a desk at 1280×960, the portrait 120–250 px wide), and each of its
//! other photos is a selfie. Genuine pairs: a card against the selfies of
//! its identity; impostor pairs: a card against every selfie of the other
//! identities of its population. Each image goes through the served
//! compare path once (`FaceService::compare_reference` and
//! `compare_probe`), and every pair is decided by `decide_compare`, the
//! very decision of `compare`, for each way of serving it (ezway,
//! applemango, fusion). A card whose face is not found, or a selfie the
//! gate refuses, fails its genuine pairs: TAR is end to end.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use base64::Engine as _;
use clap::Args;
use ekyc_core::Settings;
use ekyc_doc::kind::DocumentKind;
use ekyc_face::{EngineId, Policy};
use ekyc_face_service::{CompareSide, FaceService, FaceServiceError};

use crate::metrics::threshold_at_fmr;
use crate::population::Population;
use crate::report::print_machine;
use crate::served::ServedFaces;
use crate::Wiring;

/// The flags of `ekyc bench id-photo`.
#[derive(Args)]
pub struct IdPhotoBench {
    /// Folder with labels.csv (path,identity,population).
    #[arg(long, default_value = "../shared/data/faces")]
    data: PathBuf,
    /// Identities of LFW used at most (in labels.csv order); every
    /// East-Asian identity is used.
    #[arg(long, default_value_t = 10_000)]
    lfw_identities: usize,
}

struct Person {
    population: Population,
    card_photo: PathBuf,
    selfies: Vec<PathBuf>,
}

/// A side of the comparison, or why compare would have refused it.
type Side = Result<CompareSide, String>;

/// Each way of serving compare: one engine alone (`compare_fusion` off)
/// and fusion (the default).
struct Variant {
    name: &'static str,
    service: FaceService,
}

/// Every card and selfie through the served compare once, then every pair
/// decided per way of serving.
pub(crate) async fn run(
    wiring: &dyn Wiring,
    settings: &Settings,
    bench: &IdPhotoBench,
) -> anyhow::Result<()> {
    let people = people(&bench.data, bench.lfw_identities)?;
    // Under fusion every engine embeds both sides, so one pass serves
    // every variant's decision.
    let mut fused = settings.clone();
    fused.face.fusion = true;
    let served = ServedFaces::start(wiring, &fused).await?;
    print_machine(served.service.threads());
    let variants = [
        ("ezway", EngineId::Ezway, false),
        ("applemango", EngineId::Applemango, false),
        ("fusion", EngineId::Ezway, true),
    ]
    .into_iter()
    .map(|(name, engine, fusion)| {
        let mut settings = settings.clone();
        settings.face.default_engine = engine;
        settings.face.fusion = fusion;
        settings.face.compare_fusion = fusion;
        Ok(Variant {
            name,
            service: served.service_with(wiring, &settings)?,
        })
    })
    .collect::<anyhow::Result<Vec<_>>>()?;

    let selfie_count: usize = people.iter().map(|p| p.selfies.len()).sum();
    println!(
        "identities: {} ({} LFW, {} East-Asian), cards: {}, selfies: {selfie_count}",
        people.len(),
        people
            .iter()
            .filter(|p| p.population == Population::Lfw)
            .count(),
        people.iter().filter(|p| p.population.east_asian()).count(),
        people.len()
    );
    let cards = card_sides(&served.service, &people).await?;
    let selfies = selfie_sides(&served.service, &people).await?;
    report_acquisition(&people, &cards, &selfies);
    for variant in &variants {
        println!("\n== {} ==", variant.name);
        let outcomes = decide_all(&variant.service, &people, &cards, &selfies);
        report(&outcomes);
        report_card_threshold(&outcomes);
    }
    Ok(())
}

/// Identities with two or more photos: the first becomes the card.
fn people(data: &Path, lfw_limit: usize) -> anyhow::Result<Vec<Person>> {
    let labels = std::fs::read_to_string(data.join("labels.csv"))
        .with_context(|| format!("no labels.csv in {}", data.display()))?;
    let mut photos: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut order = Vec::new();
    for line in labels.lines().skip(1) {
        let mut fields = line.split(',');
        let (Some(path), Some(identity)) = (fields.next(), fields.next()) else {
            continue;
        };
        let entry = photos.entry(identity.to_owned()).or_default();
        if entry.is_empty() {
            order.push(identity.to_owned());
        }
        entry.push(data.join(path));
    }
    let mut lfw = 0;
    let mut people = Vec::new();
    for identity in order {
        let files = &photos[&identity];
        let population = Population::of(&identity);
        if files.len() < 2 || (population == Population::Lfw && lfw >= lfw_limit) {
            continue;
        }
        lfw += usize::from(population == Population::Lfw);
        people.push(Person {
            population,
            card_photo: files[0].clone(),
            selfies: files[1..].to_vec(),
        });
    }
    Ok(people)
}

/// Each person's first photo printed on a card (주민등록증 and 운전면허증
/// in turn) and photographed, then through the reference side of compare.
async fn card_sides(service: &FaceService, people: &[Person]) -> anyhow::Result<Vec<Side>> {
    let generator = Arc::new(ekyc_docgen::Generator::new()?);
    let mut sides = Vec::with_capacity(people.len());
    for (index, person) in people.iter().enumerate() {
        let face = image::open(&person.card_photo)
            .with_context(|| format!("cannot read {}", person.card_photo.display()))?
            .to_rgb8();
        let kind = if index % 2 == 0 {
            DocumentKind::Resident
        } else {
            DocumentKind::Driver
        };
        let generator = generator.clone();
        let seed = 7_000_000 + index as u64;
        let card = tokio::task::spawn_blocking(move || {
            let photo = generator.id_photo(kind, seed, &face)?;
            jpeg_base64(&photo.image)
        })
        .await??;
        sides.push(outcome(service.compare_reference(card).await));
    }
    Ok(sides)
}

/// Every selfie through the probe side of compare.
async fn selfie_sides(service: &FaceService, people: &[Person]) -> anyhow::Result<Vec<Vec<Side>>> {
    let mut sides = Vec::with_capacity(people.len());
    for person in people {
        let mut own = Vec::with_capacity(person.selfies.len());
        for file in &person.selfies {
            let image = base64::engine::general_purpose::STANDARD.encode(std::fs::read(file)?);
            own.push(outcome(service.compare_probe(image).await));
        }
        sides.push(own);
    }
    Ok(sides)
}

fn outcome(side: Result<CompareSide, FaceServiceError>) -> Side {
    side.map_err(|e| match e {
        FaceServiceError::Face { source, .. } => source.to_string(),
        other => other.to_string(),
    })
}

/// A photo as a phone would send it: JPEG at quality 92, in Base64.
fn jpeg_base64(image: &image::RgbImage) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92).encode_image(image)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn report_acquisition(people: &[Person], cards: &[Side], selfies: &[Vec<Side>]) {
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    for side in cards.iter().chain(selfies.iter().flatten()) {
        if let Err(why) = side {
            *refusals.entry(why.clone()).or_default() += 1;
        }
    }
    let cards_found = cards.iter().filter(|c| c.is_ok()).count();
    let selfies_total: usize = people.iter().map(|p| p.selfies.len()).sum();
    let selfies_ok = selfies.iter().flatten().filter(|s| s.is_ok()).count();
    println!(
        "cards with a face: {cards_found} of {}; selfies accepted: {selfies_ok} of {selfies_total}; refusals: {refusals:?}",
        cards.len()
    );
}

/// One population's decisions under one policy.
#[derive(Default)]
struct Outcomes {
    /// Per population and policy: (genuine matched, genuine total,
    /// impostor matched, impostor total).
    counts: BTreeMap<(Population, usize), [usize; 4]>,
    /// Per population: genuine and impostor scores of acquired pairs.
    scores: BTreeMap<Population, (Vec<f32>, Vec<f32>)>,
}

const POLICIES: [(Policy, &str); 4] = [
    (Policy::Login, "login"),
    (Policy::General, "general"),
    (Policy::Monitoring, "monitoring"),
    (Policy::Compare, "compare"),
];

/// Every genuine and same-population impostor pair, decided as compare
/// decides, with the score's threshold per policy.
fn decide_all(
    service: &FaceService,
    people: &[Person],
    cards: &[Side],
    selfies: &[Vec<Side>],
) -> Outcomes {
    let thresholds: Vec<f32> = POLICIES
        .iter()
        .map(|(policy, _)| service.threshold(*policy))
        .collect();
    let mut outcomes = Outcomes::default();
    for (i, (person, card)) in people.iter().zip(cards).enumerate() {
        for (j, (other, other_selfies)) in people.iter().zip(selfies).enumerate() {
            let genuine = i == j;
            if !genuine && person.population.east_asian() != other.population.east_asian() {
                continue;
            }
            for selfie in other_selfies {
                let score = match (card, selfie) {
                    (Ok(card), Ok(selfie)) => service
                        .decide_compare(card, selfie)
                        .ok()
                        .map(|decision| decision.score),
                    _ => None,
                };
                outcomes.add(person.population, genuine, score, &thresholds);
            }
        }
    }
    outcomes
}

impl Outcomes {
    fn add(
        &mut self,
        population: Population,
        genuine: bool,
        score: Option<f32>,
        thresholds: &[f32],
    ) {
        for (policy, threshold) in thresholds.iter().enumerate() {
            let counts = self.counts.entry((population, policy)).or_default();
            let matched = score.is_some_and(|s| s >= *threshold);
            let slot = if genuine { 0 } else { 2 };
            counts[slot] += usize::from(matched);
            counts[slot + 1] += 1;
        }
        if let Some(score) = score {
            let (genuines, impostors) = self.scores.entry(population).or_default();
            if genuine {
                genuines.push(score);
            } else {
                impostors.push(score);
            }
        }
    }
}

/// What one threshold set on these card-against-selfie impostors would
/// give: the lowest score that holds FMR 1e-4 on LFW and on East-Asian
/// impostors alike, and each population's end-to-end TAR at it (failed
/// acquisitions count as misses).
fn report_card_threshold(outcomes: &Outcomes) {
    let impostors_of = |members: &[Population]| {
        let mut all: Vec<f32> = members
            .iter()
            .filter_map(|p| outcomes.scores.get(p))
            .flat_map(|(_, i)| i.iter().copied())
            .collect();
        all.sort_by(f32::total_cmp);
        all
    };
    let east_asian = [Population::Casia, Population::Rmfd];
    let Some(threshold) = [
        threshold_at_fmr(&impostors_of(&[Population::Lfw]), 1e-4),
        threshold_at_fmr(&impostors_of(&east_asian), 1e-4),
    ]
    .into_iter()
    .flatten()
    .reduce(f32::max) else {
        return;
    };
    let mut line = format!("  one card threshold, score {threshold:.3}:");
    for (name, members) in [
        ("LFW", &[Population::Lfw][..]),
        ("CASIA", &[Population::Casia][..]),
        ("East-Asian all", &east_asian[..]),
    ] {
        let total: usize = members
            .iter()
            .filter_map(|p| outcomes.counts.get(&(*p, 0)))
            .map(|c| c[1])
            .sum();
        let matched: usize = members
            .iter()
            .filter_map(|p| outcomes.scores.get(p))
            .map(|(g, _)| g.iter().filter(|&&s| s >= threshold).count())
            .sum();
        let _ = write!(
            line,
            " {name} TAR {:.2} %",
            100.0 * matched as f64 / total.max(1) as f64
        );
    }
    println!("{line}");
}

fn report(outcomes: &Outcomes) {
    let groups: [(&str, &[Population]); 3] = [
        ("LFW", &[Population::Lfw]),
        ("CASIA", &[Population::Casia]),
        ("East-Asian all", &[Population::Casia, Population::Rmfd]),
    ];
    for (name, members) in groups {
        let mut line = format!("  {name:<15}");
        for (index, (_, policy)) in POLICIES.iter().enumerate() {
            let mut sum = [0usize; 4];
            for population in members {
                if let Some(counts) = outcomes.counts.get(&(*population, index)) {
                    for (s, c) in sum.iter_mut().zip(counts) {
                        *s += c;
                    }
                }
            }
            let _ = write!(
                line,
                " | {policy}: TAR {:.2} % ({}), FMR {:.1e} ({})",
                100.0 * sum[0] as f64 / sum[1].max(1) as f64,
                sum[1],
                sum[2] as f64 / sum[3].max(1) as f64,
                sum[3]
            );
        }
        println!("{line}");
        let (mut genuine, mut impostors) = (Vec::new(), Vec::new());
        for population in members {
            if let Some((g, i)) = outcomes.scores.get(population) {
                genuine.extend_from_slice(g);
                impostors.extend_from_slice(i);
            }
        }
        impostors.sort_by(f32::total_cmp);
        let mut curve = String::new();
        for fmr in [1e-3, 1e-4] {
            if let Some(t) = threshold_at_fmr(&impostors, fmr) {
                let tar = genuine.iter().filter(|&&s| s >= t).count() as f64
                    / genuine.len().max(1) as f64;
                let _ = write!(curve, "  TAR@{fmr:.0e} {:.2} % (score {t:.3})", 100.0 * tar);
            }
        }
        println!(
            "    acquired pairs: {} genuine, {} impostor;{curve}",
            genuine.len(),
            impostors.len()
        );
    }
}
