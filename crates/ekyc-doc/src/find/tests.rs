//! The finder on drawn cards: exact outlines on plain and faint backgrounds.

use super::*;
use image::Rgb;
use imageproc::drawing::draw_polygon_mut;
use imageproc::point::Point;

fn photo_with_card(corners: Quad) -> RgbImage {
    let mut photo = RgbImage::from_pixel(800, 600, Rgb([90, 60, 40]));
    let polygon: Vec<Point<i32>> = corners
        .iter()
        .map(|c| Point::new(c[0] as i32, c[1] as i32))
        .collect();
    draw_polygon_mut(&mut photo, &polygon, Rgb([235, 235, 240]));
    photo
}

#[test]
fn finds_a_tilted_card_within_a_few_pixels() {
    let truth = [
        [150.0, 120.0],
        [620.0, 170.0],
        [590.0, 470.0],
        [130.0, 420.0],
    ];
    let found = find_card(&photo_with_card(truth)).expect("a card");
    assert!(max_corner_gap(&found.corners, &truth) < 6.0, "{found:?}");
    assert!(found.support > 0.8);
}

#[test]
fn a_card_standing_on_its_short_side_still_starts_on_a_long_side() {
    let truth = [[300.0, 60.0], [580.0, 60.0], [580.0, 520.0], [300.0, 520.0]];
    let found = find_card(&photo_with_card(truth)).expect("a card");
    assert!(found.aspect() > 1.4, "{found:?}");
    let c = found.corners;
    assert!(distance(c[0], c[1]) > distance(c[1], c[2]));
}

#[test]
fn two_card_shapes_are_two_distinct_outlines() {
    let left = [[40.0, 150.0], [360.0, 150.0], [360.0, 350.0], [40.0, 350.0]];
    let right = [
        [430.0, 180.0],
        [760.0, 180.0],
        [760.0, 390.0],
        [430.0, 390.0],
    ];
    let mut photo = photo_with_card(left);
    let polygon: Vec<Point<i32>> = right
        .iter()
        .map(|c| Point::new(c[0] as i32, c[1] as i32))
        .collect();
    draw_polygon_mut(&mut photo, &polygon, Rgb([200, 220, 235]));
    let found = find_cards(&photo, 4);
    let near = |truth: &Quad| {
        found
            .iter()
            .filter(|f| max_corner_gap(&f.corners, truth) < 6.0)
            .count()
    };
    assert_eq!((near(&left), near(&right)), (1, 1), "{found:?}");
    for (i, a) in found.iter().enumerate() {
        for b in &found[i + 1..] {
            assert!(max_corner_gap(&a.corners, &b.corners) > 10.0);
        }
    }
}

#[test]
fn an_empty_photo_has_no_card() {
    let photo = RgbImage::from_pixel(640, 480, Rgb([120, 120, 120]));
    assert!(find_card(&photo).is_none());
}

#[test]
fn a_square_is_not_a_card() {
    let square = [
        [200.0, 100.0],
        [500.0, 100.0],
        [500.0, 400.0],
        [200.0, 400.0],
    ];
    assert!(find_card(&photo_with_card(square)).is_none());
}

#[test]
fn a_card_ten_grey_levels_off_a_pale_bed_is_found() {
    let truth = [
        [160.0, 130.0],
        [610.0, 160.0],
        [595.0, 450.0],
        [145.0, 420.0],
    ];
    let mut photo = RgbImage::from_pixel(800, 600, Rgb([236, 236, 234]));
    let polygon: Vec<Point<i32>> = truth
        .iter()
        .map(|c| Point::new(c[0] as i32, c[1] as i32))
        .collect();
    draw_polygon_mut(&mut photo, &polygon, Rgb([246, 245, 244]));
    // A portrait's frame: a strong outline the faint card must outrank.
    draw_polygon_mut(
        &mut photo,
        &[
            Point::new(440, 230),
            Point::new(560, 238),
            Point::new(552, 390),
            Point::new(432, 382),
        ],
        Rgb([120, 110, 100]),
    );
    let found = find_cards(&photo, 4);
    let first = found.first().expect("an outline");
    assert!(max_corner_gap(&first.corners, &truth) < 6.0, "{found:?}");
}
