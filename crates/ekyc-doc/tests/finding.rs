//! Finding and outlining generated cards photographed at an angle, on
//! desks, cloth and clutter (seeds below 1000 are the tests').

use ekyc_doc::find::find_card;
use ekyc_docgen::{Generator, KINDS};

fn distance(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

#[test]
fn card_outlines_are_found_within_three_percent_of_their_width_on_all_but_one_in_24() {
    let generator = Generator::new().expect("scripts/setup.sh installs the card fonts");
    let mut misses = Vec::new();
    for seed in 0..24u64 {
        let kind = KINDS[(seed % 4) as usize];
        let sample = generator.photo(kind, seed).expect("a photo");
        let width = distance(sample.corners[0], sample.corners[1]);
        let error = find_card(&sample.image).map(|found| {
            (0..4)
                .map(|shift| {
                    (0..4)
                        .map(|i| distance(found.corners[i], sample.corners[(i + shift) % 4]))
                        .fold(0.0, f32::max)
                })
                .fold(f32::MAX, f32::min)
        });
        if error.is_none_or(|e| e > 0.03 * width) {
            misses.push((kind, seed, error));
        }
    }
    // Wood grain sometimes lends a straight stripe to an outline (seen on
    // one photo in 24); the benchmark measures the rate on 2,000.
    assert!(misses.len() <= 1, "{misses:?}");
}
