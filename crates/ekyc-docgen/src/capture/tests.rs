use ekyc_doc::kind::DocumentKind;

use super::*;
use crate::{Generator, Sample};

fn generator() -> Generator {
    Generator::new().expect("fonts installed by scripts/setup.sh")
}

fn photo(generator: &Generator, kind: DocumentKind, seed: u64, capture: Capture) -> Sample {
    generator
        .photo_captured(kind, seed, capture)
        .unwrap_or_else(|e| panic!("{capture} #{seed}: {e}"))
}

fn length(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((b[0] - a[0]).powi(2) + (b[1] - a[1]).powi(2)).sqrt()
}

/// Twice the signed area of the quad: positive when its corners run
/// clockwise on screen (y down).
fn clockwise_area(corners: &Corners) -> f32 {
    (0..4)
        .map(|i| {
            let (a, b) = (corners[i], corners[(i + 1) % 4]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

#[test]
fn names_parse_back_to_their_condition() {
    for capture in Capture::ALL {
        assert_eq!(capture.name().parse::<Capture>().ok(), Some(capture));
        assert_eq!(capture.to_string(), capture.name());
    }
    assert_eq!("Flat-Scan".parse::<Capture>().ok(), Some(Capture::FlatScan));
    assert!("scanned".parse::<Capture>().is_err());
}

#[test]
fn the_same_seed_gives_the_same_image_in_every_condition() {
    let generator = generator();
    for capture in Capture::ALL {
        let a = photo(&generator, DocumentKind::Driver, 3, capture);
        let b = photo(&generator, DocumentKind::Driver, 3, capture);
        assert!(a.image == b.image, "{capture}: two images from one seed");
        assert_eq!(a.corners, b.corners, "{capture}");
    }
}

#[test]
fn every_condition_prints_the_phone_photos_card() {
    let generator = generator();
    let phone = photo(&generator, DocumentKind::Resident, 5, Capture::Phone);
    assert!(
        phone.image
            == generator
                .photo(DocumentKind::Resident, 5)
                .expect("photo")
                .image
    );
    for capture in Capture::ALL {
        let other = photo(&generator, DocumentKind::Resident, 5, capture);
        assert_eq!(other.truth, phone.truth, "{capture}");
    }
}

/// Whatever the condition, the corners are the card's: a clockwise quad
/// of the card's proportions, inside the image unless the crop cuts it.
#[test]
fn corners_outline_the_card_in_the_image() {
    let generator = generator();
    for capture in Capture::ALL {
        for seed in 0..3 {
            let kind = crate::KINDS[(seed % 4) as usize];
            let sample = photo(&generator, kind, seed, capture);
            let (w, h) = sample.image.dimensions();
            let c = sample.corners;
            assert!(clockwise_area(&c) > 0.0, "{capture} #{seed}: {c:?}");
            let aspect = (length(c[0], c[1]) + length(c[2], c[3]))
                / (length(c[1], c[2]) + length(c[3], c[0]));
            assert!((1.2..1.8).contains(&aspect), "{capture} #{seed}: {aspect}");
            let inside = c.iter().all(|[x, y]| {
                (-1.0..=w as f32 + 1.0).contains(x) && (-1.0..=h as f32 + 1.0).contains(y)
            });
            assert_eq!(
                inside,
                capture != Capture::CutCrop,
                "{capture} #{seed}: {c:?}"
            );
        }
    }
}

#[test]
fn frame_filling_corners_are_the_images_corners() {
    let generator = generator();
    for seed in 0..6 {
        let sample = photo(
            &generator,
            DocumentKind::Resident,
            seed,
            Capture::FrameFilling,
        );
        let (w, h) = sample.image.dimensions();
        assert!((400..1120).contains(&w), "#{seed}: {w} px wide");
        let frame = [
            [0.0, 0.0],
            [w as f32, 0.0],
            [w as f32, h as f32],
            [0.0, h as f32],
        ];
        for (corner, image_corner) in sample.corners.iter().zip(frame) {
            let off = length(*corner, image_corner);
            assert!(off < 0.04 * w as f32, "#{seed}: {corner:?} is {off} px in");
        }
    }
}

#[test]
fn a_cut_crop_cuts_into_the_card_on_one_or_two_sides() {
    let generator = generator();
    for seed in 0..6 {
        let sample = photo(&generator, DocumentKind::Driver, seed, Capture::CutCrop);
        let (w, h) = sample.image.dimensions();
        let c = sample.corners;
        let cut = [
            c.iter().any(|p| p[0] < 0.0),
            c.iter().any(|p| p[1] < 0.0),
            c.iter().any(|p| p[0] > w as f32),
            c.iter().any(|p| p[1] > h as f32),
        ];
        let sides = cut.iter().filter(|c| **c).count();
        assert!((1..=2).contains(&sides), "#{seed}: {c:?} in {w}x{h}");
        let card_width = length(c[0], c[1]);
        let beyond = c
            .iter()
            .map(|p| (-p[0]).max(p[0] - w as f32))
            .fold(0.0, f32::max);
        assert!(
            beyond < 0.1 * card_width,
            "#{seed}: {beyond} px of the card cut"
        );
    }
}

/// A scan has no perspective: opposite sides are equal, and the bed round
/// the card is pale.
#[test]
fn a_flat_scan_is_square_on_a_pale_bed() {
    let generator = generator();
    for seed in 0..4 {
        let sample = photo(&generator, DocumentKind::Foreign, seed, Capture::FlatScan);
        let c = sample.corners;
        assert!(
            (length(c[0], c[1]) - length(c[3], c[2])).abs() < 1.0,
            "#{seed}"
        );
        assert!(
            (length(c[1], c[2]) - length(c[0], c[3])).abs() < 1.0,
            "#{seed}"
        );
        let top_edge = (c[1][1] - c[0][1]).atan2(c[1][0] - c[0][0]).to_degrees();
        assert!(top_edge.abs() <= 2.0, "#{seed}: turned {top_edge}°");
        let (w, h) = sample.image.dimensions();
        let (low, high) = framing_bounds(&c);
        let bed = if low[0] > 20.0 {
            sample.image.get_pixel(low[0] as u32 / 2, h / 2)
        } else {
            sample.image.get_pixel((high[0] as u32 + w) / 2, h / 2)
        };
        assert!(bed.0.iter().all(|v| *v > 190), "#{seed}: bed {bed:?}");
    }
}

fn framing_bounds(c: &Corners) -> ([f32; 2], [f32; 2]) {
    let low = [0, 1].map(|a| c.iter().map(|p| p[a]).fold(f32::MAX, f32::min));
    let high = [0, 1].map(|a| c.iter().map(|p| p[a]).fold(f32::MIN, f32::max));
    (low, high)
}

#[test]
fn a_small_card_is_450_to_600_px_wide() {
    let generator = generator();
    for seed in 0..4 {
        let sample = photo(&generator, DocumentKind::Resident, seed, Capture::SmallCard);
        let c = sample.corners;
        let width = (length(c[0], c[1]) + length(c[3], c[2])) / 2.0;
        assert!((400.0..660.0).contains(&width), "#{seed}: {width} px");
        assert!(sample.image.width() as f32 > 1.5 * width, "#{seed}");
    }
}

/// The turned photos are one upright photo turned: a quarter turn
/// clockwise swaps the image's sides and sends the card's top edge
/// downwards; a half turn more gives the three-quarter turn.
#[test]
fn rotated_photos_turn_the_image_and_the_card() {
    let generator = generator();
    for seed in 0..3 {
        let kind = DocumentKind::Passport;
        let quarter = photo(&generator, kind, seed, Capture::Rotated90);
        let half = photo(&generator, kind, seed, Capture::Rotated180);
        let three = photo(&generator, kind, seed, Capture::Rotated270);
        let (w, h) = quarter.image.dimensions();
        assert_eq!(half.image.dimensions(), (h, w), "#{seed}");
        assert!(
            image::imageops::rotate180(&quarter.image) == three.image,
            "#{seed}"
        );
        let top = |c: &Corners| [c[1][0] - c[0][0], c[1][1] - c[0][1]];
        let down = top(&quarter.corners);
        assert!(down[1] > down[0].abs(), "#{seed}: top edge runs {down:?}");
        let left = top(&half.corners);
        assert!(-left[0] > left[1].abs(), "#{seed}: top edge runs {left:?}");
        let up = top(&three.corners);
        assert!(-up[1] > up[0].abs(), "#{seed}: top edge runs {up:?}");
    }
}

#[test]
fn motion_blur_smears_along_its_direction_only() {
    let mut image = RgbImage::new(41, 41);
    image.put_pixel(20, 20, image::Rgb([255, 255, 255]));
    let smeared = optics::motion_blur(&image, 9, 0.0);
    assert!(smeared.get_pixel(16, 20).0[0] > 0);
    assert!(smeared.get_pixel(24, 20).0[0] > 0);
    assert_eq!(smeared.get_pixel(20, 19).0[0], 0);
    assert_eq!(smeared.get_pixel(26, 20).0[0], 0);
}
