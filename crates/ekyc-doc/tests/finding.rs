//! Finding and outlining generated cards photographed at an angle, on
//! desks, cloth and clutter (seeds below 1000 are the tests').

use ekyc_doc::find::{find_cards, max_corner_gap, FoundCard};
use ekyc_docgen::{Generator, KINDS};

fn distance(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

#[test]
fn card_outlines_are_found_within_three_percent_of_their_width() {
    let generator = Generator::new().expect("scripts/setup.sh installs the card fonts");
    let (mut not_first, mut not_offered) = (Vec::new(), Vec::new());
    for seed in 0..48u64 {
        let kind = KINDS[(seed % 4) as usize];
        let sample = generator.photo(kind, seed).expect("a photo");
        let tolerance = 0.03 * distance(sample.corners[0], sample.corners[1]);
        let outlines = find_cards(&sample.image, 4);
        let right =
            |found: &FoundCard| max_corner_gap(&found.corners, &sample.corners) <= tolerance;
        if !outlines.first().is_some_and(right) {
            not_first.push((kind, seed));
        }
        if !outlines.iter().any(right) {
            not_offered.push((kind, seed));
        }
    }
    // Wood grain sometimes lends a straight stripe to the best-scored
    // outline; the reader then tries the next ones. The benchmark measures
    // the rates on 2,000 photos.
    assert!(not_first.len() <= 2, "{not_first:?}");
    assert!(not_offered.is_empty(), "{not_offered:?}");
}
