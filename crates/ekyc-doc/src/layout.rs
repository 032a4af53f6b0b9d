//! A card's outline from its text alone, for photos where its edges do not
//! show (a white card on white paper, a scanner bed of its own grey).
//!
//! The card's lines run along its long side and fill most of it, so the
//! rectangle around them, turned as the card is, padded to the card's
//! edges and widened to its aspect, is the card give or take its margins:
//! a rectangle of the card's proportions, so that the page rectified from
//! it is not warped out of shape, as an outline that follows the photo's
//! axes warps a card lying at an angle. The detector's boxes follow the
//! photo's axes whatever the card's angle, so the angle is read from the
//! strokes themselves: Hangul and Latin letters, rules and the portrait's
//! frame run mostly along and across the card.

use ekyc_image::Quad;
use image::{imageops, GrayImage, RgbImage};
use imageproc::gradients::{horizontal_sobel, vertical_sobel};

use crate::find::{clockwise_long_side_first, FoundCard};

/// Share of the text block's height added above and below it to reach the
/// card's edges (a card's text runs from near its top to near its bottom).
const LAYOUT_MARGIN: f32 = 0.08;
/// The strokes' angle is read on a copy whose long side is at most this.
const TILT_SIDE: u32 = 400;
/// Sobel magnitude below which a pixel is no stroke's edge (the
/// guilloche's faint waves, the paper's grain).
const STROKE_GRADIENT: f32 = 60.0;

/// The text block of `boxes` (each a line's four corners, in photo pixels,
/// lines running along `along`, a unit vector) as a card outline of
/// `aspect` (long side over short). `None` without boxes.
pub(crate) fn card_from_text(boxes: &[Quad], along: [f32; 2], aspect: f32) -> Option<FoundCard> {
    let points: Vec<[f32; 2]> = boxes.iter().flatten().copied().collect();
    if points.is_empty() {
        return None;
    }
    let [cos, sin] = along;
    let block = Extent::of(&points, along);
    let pad = LAYOUT_MARGIN * block.across.length();
    let height = (block.across.length() + 2.0 * pad).max(block.along.length() / aspect);
    let width = height * aspect;
    let (centre_u, centre_v) = (block.along.middle(), block.across.middle());
    let point = |u: f32, v: f32| [u * cos - v * sin, u * sin + v * cos];
    let (half_w, half_h) = (width / 2.0, height / 2.0);
    let corners = [
        point(centre_u - half_w, centre_v - half_h),
        point(centre_u + half_w, centre_v - half_h),
        point(centre_u + half_w, centre_v + half_h),
        point(centre_u - half_w, centre_v + half_h),
    ];
    Some(FoundCard {
        corners: clockwise_long_side_first(corners),
        support: 0.0,
    })
}

/// The direction the lines in `boxes` run in `photo`: the strokes' angle
/// within the boxes' bounds (in (−45°, 45°], about the photo's axes; none
/// without strokes), along whichever axis most boxes are longer (a card
/// held upright has its lines running down the photo).
pub(crate) fn lines_direction(photo: &RgbImage, boxes: &[Quad]) -> [f32; 2] {
    let tilt = block_pixels(photo, boxes)
        .and_then(|gray| stroke_tilt(&gray))
        .unwrap_or(0.0);
    let running_across = boxes
        .iter()
        .filter(|b| {
            let e = Extent::of(&b[..], [1.0, 0.0]);
            e.across.length() > e.along.length()
        })
        .count();
    let (sin, cos) = tilt.sin_cos();
    if 2 * running_across > boxes.len() {
        [-sin, cos]
    } else {
        [cos, sin]
    }
}

/// The photo within the boxes' bounds, in grey, its long side at most
/// `TILT_SIDE`. `None` when the bounds hold next to nothing.
fn block_pixels(photo: &RgbImage, boxes: &[Quad]) -> Option<GrayImage> {
    let points: Vec<[f32; 2]> = boxes.iter().flatten().copied().collect();
    let bounds = Extent::of(&points, [1.0, 0.0]);
    let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
    let (x0, x1) = (
        clamp(bounds.along.low, photo.width()),
        clamp(bounds.along.high, photo.width()),
    );
    let (y0, y1) = (
        clamp(bounds.across.low, photo.height()),
        clamp(bounds.across.high, photo.height()),
    );
    if x1 <= x0 + 8 || y1 <= y0 + 8 {
        return None;
    }
    let crop = imageops::crop_imm(photo, x0, y0, x1 - x0, y1 - y0).to_image();
    let scale = (TILT_SIDE as f32 / crop.width().max(crop.height()) as f32).min(1.0);
    let small = imageops::thumbnail(
        &crop,
        ((crop.width() as f32 * scale) as u32).max(1),
        ((crop.height() as f32 * scale) as u32).max(1),
    );
    Some(imageops::grayscale(&small))
}

/// The angle, in radians in (−π/4, π/4], that most of `gray`'s stroke
/// edges make with its axes, modulo a quarter turn: a histogram of their
/// gradients' directions, folded onto 90°, weighted by strength.
fn stroke_tilt(gray: &GrayImage) -> Option<f32> {
    let (gx, gy) = (horizontal_sobel(gray), vertical_sobel(gray));
    let mut bins = [0.0f32; 90];
    for (dx, dy) in gx.pixels().zip(gy.pixels()) {
        let (dx, dy) = (dx.0[0] as f32, dy.0[0] as f32);
        let strength = (dx * dx + dy * dy).sqrt();
        if strength < STROKE_GRADIENT {
            continue;
        }
        let degrees = dy.atan2(dx).to_degrees().rem_euclid(90.0);
        bins[(degrees as usize).min(89)] += strength;
    }
    // Neighbouring degrees pooled: a stroke's direction is not exact.
    let pooled = |i: usize| (0..5).map(|d| bins[(i + 88 + d) % 90]).sum::<f32>();
    let peak = (0..90).max_by(|&a, &b| pooled(a).total_cmp(&pooled(b)))?;
    if pooled(peak) <= 0.0 {
        return None;
    }
    let degrees = if peak > 45 {
        peak as f32 - 90.0
    } else {
        peak as f32
    };
    Some((degrees + 0.5).to_radians())
}

/// Where a set of points lies along one direction and across it.
struct Extent {
    along: Span,
    across: Span,
}

impl Extent {
    fn of(points: &[[f32; 2]], [cos, sin]: [f32; 2]) -> Self {
        let mut along = Span::EMPTY;
        let mut across = Span::EMPTY;
        for &[x, y] in points {
            along.take(x * cos + y * sin);
            across.take(-x * sin + y * cos);
        }
        Self { along, across }
    }
}

/// The smallest interval holding every value taken.
#[derive(Clone, Copy)]
struct Span {
    low: f32,
    high: f32,
}

impl Span {
    const EMPTY: Span = Span {
        low: f32::MAX,
        high: f32::MIN,
    };

    fn take(&mut self, value: f32) {
        self.low = self.low.min(value);
        self.high = self.high.max(value);
    }

    fn length(&self) -> f32 {
        (self.high - self.low).max(0.0)
    }

    fn middle(&self) -> f32 {
        (self.low + self.high) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;
    use imageproc::drawing::draw_polygon_mut;
    use imageproc::point::Point;

    /// Turns a point `degrees` about the origin.
    fn turn(degrees: f32) -> impl Fn([f32; 2]) -> [f32; 2] {
        let (sin, cos) = degrees.to_radians().sin_cos();
        move |[x, y]| [x * cos - y * sin, x * sin + y * cos]
    }

    /// Three lines of a text block 450 wide and 300 high, each line 40
    /// high, turned `degrees` about the origin and moved by (300, 200).
    fn turned_lines(degrees: f32) -> Vec<Quad> {
        let turn = turn(degrees);
        [(0.0, 0.0, 450.0), (0.0, 130.0, 380.0), (0.0, 260.0, 400.0)]
            .iter()
            .map(|&(x, y, w)| {
                [[x, y], [x + w, y], [x + w, y + 40.0], [x, y + 40.0]].map(|p| {
                    let [px, py] = turn(p);
                    [px + 300.0, py + 200.0]
                })
            })
            .collect()
    }

    fn angle_of(corners: &Quad) -> f32 {
        let [a, b, _, _] = *corners;
        (b[1] - a[1]).atan2(b[0] - a[0]).to_degrees()
    }

    #[test]
    fn a_tilted_text_block_gives_a_card_turned_as_it_is() {
        let along = turn(12.0)([1.0, 0.0]);
        let card = card_from_text(&turned_lines(12.0), along, 1.585).expect("an outline");
        assert!(
            (angle_of(&card.corners) - 12.0).abs() < 0.5,
            "{:?}",
            card.corners
        );
        assert!((card.aspect() - 1.585).abs() < 0.01);
        // Three lines 300 high, padded by 8 % above and below.
        let [_, b, c, _] = card.corners;
        let height = ((c[0] - b[0]).powi(2) + (c[1] - b[1]).powi(2)).sqrt();
        assert!((height - 300.0 * 1.16).abs() < 1.0, "{height}");
    }

    #[test]
    fn a_block_wider_than_the_card_s_aspect_grows_in_height() {
        let lines = [[[0.0, 0.0], [1000.0, 0.0], [1000.0, 100.0], [0.0, 100.0]]];
        let card = card_from_text(&lines, [1.0, 0.0], 1.585).expect("an outline");
        let [a, b, c, _] = card.corners;
        assert!((b[0] - a[0] - 1000.0).abs() < 1.0);
        assert!((c[1] - b[1] - 1000.0 / 1.585).abs() < 1.0);
    }

    #[test]
    fn the_lines_direction_is_read_from_the_strokes_not_the_boxes() {
        // Bars of text, tilted 9°, their boxes following the photo's axes
        // as the detector's do.
        let mut photo = RgbImage::from_pixel(1200, 900, Rgb([240, 238, 235]));
        let lines = turned_lines(9.0);
        for line in &lines {
            let polygon: Vec<Point<i32>> = line
                .iter()
                .map(|c| Point::new(c[0] as i32, c[1] as i32))
                .collect();
            draw_polygon_mut(&mut photo, &polygon, Rgb([40, 40, 50]));
        }
        let boxes: Vec<Quad> = lines
            .iter()
            .map(|line| {
                let e = Extent::of(line, [1.0, 0.0]);
                let (x0, x1, y0, y1) = (e.along.low, e.along.high, e.across.low, e.across.high);
                [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
            })
            .collect();
        // Edges as soft as a camera's.
        let photo = imageproc::filter::gaussian_blur_f32(&photo, 1.5);
        let along = lines_direction(&photo, &boxes);
        let degrees = along[1].atan2(along[0]).to_degrees();
        assert!((degrees - 9.0).abs() < 1.5, "{degrees}");
    }

    #[test]
    fn no_text_no_outline() {
        assert!(card_from_text(&[], [1.0, 0.0], 1.585).is_none());
    }
}
