//! Capture conditions the generator's desk photos do not cover: a flat
//! card on a background of nearly its own colour (white paper, a pale
//! desk, a scanner bed), where its edges barely show.

mod common;

use ekyc_docgen::{Generator, KINDS};
use image::{imageops, Rgb, RgbImage};

/// `card` scanned flat on a pale bed of `bed` colour, with a margin of a
/// fifth of its width around it.
fn on_pale_bed(card: &RgbImage, bed: [u8; 3]) -> RgbImage {
    let margin = card.width() / 5;
    let mut scan = RgbImage::from_pixel(
        card.width() + 2 * margin,
        card.height() + 2 * margin,
        Rgb(bed),
    );
    imageops::overlay(&mut scan, card, margin.into(), margin.into());
    scan
}

#[test]
fn flat_scans_on_a_pale_bed_are_read() {
    let generator = Generator::new().expect("scripts/setup.sh installs the card fonts");
    let mut models = common::models();
    let mut unread = Vec::new();
    for (seed, bed) in [[246, 246, 244], [238, 240, 236]].iter().enumerate() {
        for kind in KINDS {
            let (card, _) = generator.flat(kind, 100 + seed as u64);
            let scan = on_pale_bed(&card, *bed);
            match models.read(&scan, None) {
                Ok(reading) if reading.kind == kind => {}
                other => {
                    unread.push((kind, seed, other.map(|r| r.kind).map_err(|e| e.to_string())))
                }
            }
        }
    }
    assert!(unread.is_empty(), "{unread:?}");
}
