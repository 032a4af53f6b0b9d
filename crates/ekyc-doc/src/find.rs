//! Finding the card in a photo: the quadrilateral whose four straight edges
//! are best supported by image edges.
//!
//! Cards are photographed at an angle, rotated, on desks, cloth or clutter,
//! sometimes with a thumb over one edge. Their outline is still four long
//! straight lines in two near-parallel pairs, so the search is a Hough
//! transform (each edge pixel votes only near its own gradient direction,
//! which keeps texture from flooding the accumulator) followed by scoring
//! every plausible pair of pairs by how much of its perimeter lies on edges.
//! A photo without a card may still hold a rectangle (a printed photo, a
//! frame); the reader rejects those later, when no text is found inside.

use ekyc_image::Quad;
use image::{imageops, GrayImage, Luma, RgbImage};
use imageproc::edges::canny;
use imageproc::filter::gaussian_blur_f32;
use imageproc::gradients::{horizontal_sobel, vertical_sobel};

/// The search runs on a copy whose long side is this many pixels: card
/// edges are long, and the Hough transform's cost grows with the area.
const SEARCH_SIDE: u32 = 512;
const ANGLE_BINS: usize = 180;
/// An edge pixel votes for line angles this close to its gradient's.
const VOTE_SPREAD_DEG: i32 = 5;
/// A full vote is this many units; weaker edges give fewer.
const VOTE_UNITS: f32 = 10.0;
/// Strongest lines kept as edge candidates.
const CANDIDATE_LINES: usize = 28;
/// At most this many candidate lines lie within `DIRECTION_WINDOW_DEG`
/// of one another: the stripes of wood grain or fabric all run one way,
/// are long and many, and would otherwise crowd out the card's edges
/// that run another way.
const LINES_PER_DIRECTION: usize = 9;
const DIRECTION_WINDOW_DEG: f32 = 10.0;
/// Two lines are one edge pair when their angles differ by less than this.
const PARALLEL_DEG: f32 = 24.0;
/// Rectified long side / short side: ID-1 is 1.585, the passport page 1.42;
/// perspective stretches either.
const ASPECT_RANGE: (f32, f32) = (1.15, 2.1);
/// Every side must lie on edges for at least this share of its length (a
/// thumb may cover some of one side).
const MIN_SIDE_SUPPORT: f32 = 0.4;
/// Two outlines are alternatives, not the same, when a corner moves by
/// more than this share of the search image's long side.
const DISTINCT_GAP: f32 = 0.04;
/// What a unit of outline off any edge costs, against a unit on a fully
/// contrasting edge: without it an outline that runs on past the card's
/// corners to the stripes of a wood grain scores more than the card's
/// own, for being longer.
const UNSUPPORTED_PENALTY: f32 = 0.5;
/// A faint outline with every corner this close (a share of the search
/// image's long side) to a strong one is taken for it.
const SNAP_GAP: f32 = 0.05;
/// The card must cover at least this share of the photo.
const MIN_AREA_SHARE: f32 = 0.06;

/// How faint an edge the search follows, and how strongly it must step
/// to count in full.
#[derive(Debug, Clone, Copy)]
struct Sensitivity {
    /// Canny's low and high thresholds on the Sobel magnitude.
    canny: (f32, f32),
    /// Sobel magnitude of an edge that gets a full vote.
    full_vote: f32,
    /// Colour difference across a side (mean absolute, summed over
    /// channels) at which the side counts fully: card edges separate card
    /// from background, while the straight stripes of a wood grain or a
    /// fabric have the same texture on both sides.
    full_contrast: f32,
}

/// A card on a desk, cloth or clutter: only strong steps count, so that
/// the soft stripes of a wood grain do not crowd out the card's edges.
const PHOTO: Sensitivity = Sensitivity {
    canny: (12.0, 36.0),
    full_vote: 200.0,
    full_contrast: 60.0,
};

/// A card on white paper, a pale desk or a scanner bed differs from it by
/// 10–20 grey levels, which the photo thresholds miss: the search is run
/// again this sensitive when the first finds no outline it trusts. Every
/// edge votes nearly alike, so that the card's faint outline, longer than
/// any line printed on it, outvotes the portrait's frame. Run always, it
/// would let a desk's texture outvote the card.
const FAINT: Sensitivity = Sensitivity {
    canny: (3.0, 8.0),
    full_vote: 30.0,
    full_contrast: 12.0,
};

/// An outline whose score per unit of perimeter (1: every side on an edge
/// of full contrast) reaches this is trusted, and no fainter search is
/// run. A card on a dark desk scores 0.95–1; the best of a photo where
/// the card's edges are lost scores 0.5–0.7, from the portrait's frame or
/// a line of text.
const TRUSTED_SCORE: f32 = 0.75;

/// A card outline found in a photo.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundCard {
    /// Corners in photo pixels, clockwise, corner 0 → 1 along a long side.
    pub corners: Quad,
    /// Share of the outline that lies on image edges, in [0, 1].
    pub support: f32,
}

impl FoundCard {
    /// Long side over short side, as measured on the outline.
    pub fn aspect(&self) -> f32 {
        let c = &self.corners;
        let long = distance(c[0], c[1]) + distance(c[2], c[3]);
        let short = distance(c[1], c[2]) + distance(c[3], c[0]);
        long / short.max(1.0)
    }
}

/// A straight line `x cos θ + y sin θ = ρ`.
#[derive(Debug, Clone, Copy)]
struct Line {
    theta: f32,
    rho: f32,
    votes: u32,
}

/// The most likely card outline in `photo`.
pub fn find_card(photo: &RgbImage) -> Option<FoundCard> {
    find_cards(photo, 1).into_iter().next()
}

/// Up to `count` card outlines, best first, no two of them nearly the
/// same quadrilateral. The best-scored outline is sometimes a stripe of
/// wood grain or a shadow beside the card; the reader tries the next
/// one when the first shows no document's title.
pub fn find_cards(photo: &RgbImage, count: usize) -> Vec<FoundCard> {
    let (width, height) = photo.dimensions();
    let scale = (SEARCH_SIDE as f32 / width.max(height) as f32).min(1.0);
    let (w, h) = (
        ((width as f32 * scale).round() as u32).max(1),
        ((height as f32 * scale).round() as u32).max(1),
    );
    let small = imageops::thumbnail(photo, w, h);
    let channels: Vec<GrayImage> = (0..3)
        .map(|c| {
            gaussian_blur_f32(
                &GrayImage::from_fn(w, h, |x, y| Luma([small.get_pixel(x, y).0[c]])),
                1.2,
            )
        })
        .collect();
    let search = |sensitivity: &Sensitivity| {
        let edges = colour_edges(&channels, sensitivity);
        let lines = hough_lines(&channels, &edges, sensitivity);
        best_quads(&lines, &dilate(&edges), &small, count, sensitivity)
    };
    let mut best = search(&PHOTO);
    if best
        .first()
        .is_none_or(|b| b.trusted_score() < TRUSTED_SCORE)
    {
        let long_side = w.max(h) as f32;
        best = take_turns(
            snapped(search(&FAINT), &best, long_side),
            best,
            count,
            long_side,
        );
    }
    best.into_iter()
        .map(|best| FoundCard {
            corners: best.corners.map(|[x, y]| [x / scale, y / scale]),
            support: best.support,
        })
        .collect()
}

/// Edges in any colour channel: a white card on a pale yellow desk differs
/// in chroma more than in brightness, and a grey image would lose it.
fn colour_edges(channels: &[GrayImage], sensitivity: &Sensitivity) -> GrayImage {
    let (low, high) = sensitivity.canny;
    let mut edges = canny(&channels[0], low, high);
    for channel in &channels[1..] {
        let more = canny(channel, low, high);
        for (pixel, other) in edges.pixels_mut().zip(more.pixels()) {
            pixel.0[0] = pixel.0[0].max(other.0[0]);
        }
    }
    edges
}

fn hough_lines(channels: &[GrayImage], edges: &GrayImage, sensitivity: &Sensitivity) -> Vec<Line> {
    let (w, h) = edges.dimensions();
    let diagonal = ((w * w + h * h) as f32).sqrt().ceil() as usize;
    let rho_bins = 2 * diagonal + 1;
    let gradients: Vec<_> = channels
        .iter()
        .map(|c| (horizontal_sobel(c), vertical_sobel(c)))
        .collect();
    let trig: Vec<(f32, f32)> = (0..ANGLE_BINS)
        .map(|a| (a as f32).to_radians().sin_cos())
        .collect();
    let mut votes = vec![0u32; ANGLE_BINS * rho_bins];
    for (x, y, pixel) in edges.enumerate_pixels() {
        if pixel.0[0] == 0 {
            continue;
        }
        // The gradient of the channel where the edge is strongest.
        let (dx, dy) = gradients
            .iter()
            .map(|(gx, gy)| {
                (
                    gx.get_pixel(x, y).0[0] as f32,
                    gy.get_pixel(x, y).0[0] as f32,
                )
            })
            .max_by(|a, b| (a.0 * a.0 + a.1 * a.1).total_cmp(&(b.0 * b.0 + b.1 * b.1)))
            .unwrap_or((0.0, 0.0));
        let direction = dy.atan2(dx).to_degrees().rem_euclid(180.0).round() as i32;
        // Strong steps (a card on a desk) outvote the soft stripes of wood
        // grain or fabric, which are just as straight and often longer.
        let weight = (VOTE_UNITS * ((dx * dx + dy * dy).sqrt() / sensitivity.full_vote).min(1.0))
            .round() as u32;
        for offset in -VOTE_SPREAD_DEG..=VOTE_SPREAD_DEG {
            let angle = (direction + offset).rem_euclid(ANGLE_BINS as i32) as usize;
            let (sin, cos) = trig[angle];
            let rho = x as f32 * cos + y as f32 * sin;
            let bin = (rho.round() as i64 + diagonal as i64) as usize;
            votes[angle * rho_bins + bin] += weight;
        }
    }
    strongest_lines(&votes, rho_bins, diagonal)
}

/// Local maxima of the accumulator, strongest first, with lines closer
/// than a few degrees and pixels to a stronger one suppressed.
fn strongest_lines(votes: &[u32], rho_bins: usize, diagonal: usize) -> Vec<Line> {
    let min_votes = 20 * VOTE_UNITS as u32;
    let mut peaks: Vec<Line> = votes
        .iter()
        .enumerate()
        .filter(|(_, &v)| v >= min_votes)
        .map(|(i, &v)| Line {
            theta: ((i / rho_bins) as f32).to_radians(),
            rho: (i % rho_bins) as f32 - diagonal as f32,
            votes: v,
        })
        .collect();
    peaks.sort_unstable_by_key(|p| std::cmp::Reverse(p.votes));
    let mut kept: Vec<Line> = Vec::new();
    for line in peaks {
        let duplicate = kept.iter().any(|k| {
            angle_gap(k.theta, line.theta) < 4f32.to_radians() && same_line_rho(k, &line) < 10.0
        });
        let crowded = kept
            .iter()
            .filter(|k| angle_gap(k.theta, line.theta) < DIRECTION_WINDOW_DEG.to_radians())
            .count()
            >= LINES_PER_DIRECTION;
        if !duplicate && !crowded {
            kept.push(line);
            if kept.len() == CANDIDATE_LINES {
                break;
            }
        }
    }
    kept
}

/// Angle between two line directions, in [0, π/2].
fn angle_gap(a: f32, b: f32) -> f32 {
    let d = (a - b).abs() % std::f32::consts::PI;
    d.min(std::f32::consts::PI - d)
}

/// Distance in ρ between two near-parallel lines, allowing for the sign flip
/// at θ = 0 / 180°.
fn same_line_rho(a: &Line, b: &Line) -> f32 {
    if (a.theta - b.theta).abs() > std::f32::consts::FRAC_PI_2 {
        (a.rho + b.rho).abs()
    } else {
        (a.rho - b.rho).abs()
    }
}

/// A 5×5 maximum of the edge map: an outline point counts as on an edge
/// when an edge pixel is within two pixels.
fn dilate(edges: &GrayImage) -> GrayImage {
    imageproc::morphology::dilate(edges, imageproc::distance_transform::Norm::LInf, 2)
}

#[derive(Clone)]
struct Candidate {
    corners: Quad,
    support: f32,
    /// Length on contrasting edges, less the penalty for length off them.
    score: f32,
    perimeter: f32,
}

impl Candidate {
    /// The score per unit of perimeter: 1 when every side lies on an edge
    /// of full contrast, whatever the outline's size.
    fn trusted_score(&self) -> f32 {
        self.score / self.perimeter.max(1.0)
    }
}

/// The faint search's outlines, each replaced by the strong search's
/// where that found nearly the same one: it lies on the sharper edges, and
/// its corners are the truer.
fn snapped(faint: Vec<Candidate>, strong: &[Candidate], long_side: f32) -> Vec<Candidate> {
    faint
        .into_iter()
        .map(|f| {
            strong
                .iter()
                .map(|s| (max_corner_gap(&s.corners, &f.corners), s))
                .filter(|(gap, _)| *gap < SNAP_GAP * long_side)
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map_or(f, |(_, s)| s.clone())
        })
        .collect()
}

/// The faint search's outlines and the strong one's, in turns, the faint
/// first: the faint search sees the strong edges too and ranks a card's
/// faint outline above its portrait's frame, but its runners-up are often
/// its best a few pixels off, where the strong search offers other shapes.
/// Up to `count`, no two nearly the same.
fn take_turns(
    faint: Vec<Candidate>,
    strong: Vec<Candidate>,
    count: usize,
    long_side: f32,
) -> Vec<Candidate> {
    let (mut faint, mut strong) = (faint.into_iter(), strong.into_iter());
    let mut kept = Vec::new();
    while kept.len() < count {
        let (a, b) = (faint.next(), strong.next());
        if a.is_none() && b.is_none() {
            break;
        }
        for candidate in a.into_iter().chain(b) {
            if kept.len() < count && is_distinct(&kept, &candidate, long_side) {
                kept.push(candidate);
            }
        }
    }
    kept
}

/// Whether `candidate` is not nearly one of `kept`: no corner within
/// `DISTINCT_GAP` of the search image's `long_side`.
fn is_distinct(kept: &[Candidate], candidate: &Candidate, long_side: f32) -> bool {
    kept.iter()
        .all(|k| max_corner_gap(&k.corners, &candidate.corners) > DISTINCT_GAP * long_side)
}

fn best_quads(
    lines: &[Line],
    near_edge: &GrayImage,
    small: &RgbImage,
    count: usize,
    sensitivity: &Sensitivity,
) -> Vec<Candidate> {
    let (w, h) = (near_edge.width() as f32, near_edge.height() as f32);
    let min_separation = 0.15 * w.min(h);
    let mut pairs = Vec::new();
    for (i, a) in lines.iter().enumerate() {
        for b in &lines[i + 1..] {
            if angle_gap(a.theta, b.theta) < PARALLEL_DEG.to_radians()
                && same_line_rho(a, b) > min_separation
            {
                pairs.push((*a, *b));
            }
        }
    }
    let mut candidates = Vec::new();
    for (i, p) in pairs.iter().enumerate() {
        for q in &pairs[i + 1..] {
            if angle_gap(p.0.theta, q.0.theta) >= 55f32.to_radians() {
                candidates.extend(score_quad(p, q, near_edge, small, sensitivity));
            }
        }
    }
    candidates.retain(|c| polygon_area(&c.corners) >= MIN_AREA_SHARE * w * h);
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        if kept.len() == count {
            break;
        }
        if is_distinct(&kept, &candidate, w.max(h)) {
            kept.push(candidate);
        }
    }
    kept
}

/// The largest distance between matching corners of two outlines, in
/// whichever corner order matches best.
pub fn max_corner_gap(a: &Quad, b: &Quad) -> f32 {
    (0..4)
        .map(|shift| {
            (0..4)
                .map(|i| distance(a[i], b[(i + shift) % 4]))
                .fold(0.0, f32::max)
        })
        .fold(f32::MAX, f32::min)
}

/// Mean colour difference between points just inside and just outside
/// the side a–b of `quad`.
fn side_contrast(a: [f32; 2], b: [f32; 2], quad: &Quad, small: &RgbImage) -> f32 {
    let centre = [
        quad.iter().map(|c| c[0]).sum::<f32>() / 4.0,
        quad.iter().map(|c| c[1]).sum::<f32>() / 4.0,
    ];
    let length = distance(a, b).max(1.0);
    let mut normal = [(b[1] - a[1]) / length, (a[0] - b[0]) / length];
    let middle = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
    if (centre[0] - middle[0]) * normal[0] + (centre[1] - middle[1]) * normal[1] < 0.0 {
        normal = [-normal[0], -normal[1]];
    }
    let (w, h) = (small.width() as f32, small.height() as f32);
    let offset = 4.0;
    let samples = 24;
    let (mut total, mut counted) = (0.0, 0);
    for i in 0..samples {
        let t = 0.1 + 0.8 * i as f32 / (samples - 1) as f32;
        let p = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
        let inside = [p[0] + normal[0] * offset, p[1] + normal[1] * offset];
        let outside = [p[0] - normal[0] * offset, p[1] - normal[1] * offset];
        let within = |q: [f32; 2]| q[0] >= 0.0 && q[1] >= 0.0 && q[0] < w && q[1] < h;
        if within(inside) && within(outside) {
            let ci = small.get_pixel(inside[0] as u32, inside[1] as u32).0;
            let co = small.get_pixel(outside[0] as u32, outside[1] as u32).0;
            total += (0..3)
                .map(|c| (ci[c] as f32 - co[c] as f32).abs())
                .sum::<f32>();
            counted += 1;
        }
    }
    if counted == 0 {
        0.0
    } else {
        total / counted as f32
    }
}

fn score_quad(
    p: &(Line, Line),
    q: &(Line, Line),
    near_edge: &GrayImage,
    small: &RgbImage,
    sensitivity: &Sensitivity,
) -> Option<Candidate> {
    let (w, h) = (near_edge.width() as f32, near_edge.height() as f32);
    let points = [
        intersect(&p.0, &q.0)?,
        intersect(&p.0, &q.1)?,
        intersect(&p.1, &q.1)?,
        intersect(&p.1, &q.0)?,
    ];
    let slack = 0.03 * w.max(h);
    let inside =
        |c: &[f32; 2]| c[0] > -slack && c[1] > -slack && c[0] < w + slack && c[1] < h + slack;
    if !points.iter().all(inside) {
        return None;
    }
    let corners = clockwise_long_side_first(points);
    let outline = FoundCard {
        corners,
        support: 0.0,
    };
    let aspect = outline.aspect();
    if !(ASPECT_RANGE.0..=ASPECT_RANGE.1).contains(&aspect) || !is_convex(&corners) {
        return None;
    }
    let mut supported = 0.0;
    let mut perimeter = 0.0;
    let mut weighted = 0.0;
    for side in 0..4 {
        let (a, b) = (corners[side], corners[(side + 1) % 4]);
        let share = edge_share(a, b, near_edge);
        if share < MIN_SIDE_SUPPORT {
            return None;
        }
        let length = distance(a, b);
        let contrast = (side_contrast(a, b, &corners, small) / sensitivity.full_contrast).min(1.0);
        weighted += length * (share * contrast - UNSUPPORTED_PENALTY * (1.0 - share));
        supported += share * length;
        perimeter += length;
    }
    Some(Candidate {
        corners,
        support: supported / perimeter,
        score: weighted,
        perimeter,
    })
}

fn intersect(a: &Line, b: &Line) -> Option<[f32; 2]> {
    let (sa, ca) = a.theta.sin_cos();
    let (sb, cb) = b.theta.sin_cos();
    let det = ca * sb - sa * cb;
    if det.abs() < 1e-3 {
        return None;
    }
    Some([
        (a.rho * sb - b.rho * sa) / det,
        (ca * b.rho - cb * a.rho) / det,
    ])
}

/// Share of the points on segment a–b (its middle 90 %: corners are
/// rounded) that lie near an edge.
fn edge_share(a: [f32; 2], b: [f32; 2], near_edge: &GrayImage) -> f32 {
    let samples = distance(a, b).ceil().max(2.0) as usize;
    let (w, h) = (near_edge.width() as i64, near_edge.height() as i64);
    let mut hits = 0;
    let mut counted = 0;
    for i in 0..samples {
        let t = 0.05 + 0.9 * i as f32 / (samples - 1) as f32;
        let (x, y) = (
            (a[0] + (b[0] - a[0]) * t) as i64,
            (a[1] + (b[1] - a[1]) * t) as i64,
        );
        counted += 1;
        if (0..w).contains(&x)
            && (0..h).contains(&y)
            && near_edge.get_pixel(x as u32, y as u32).0[0] > 0
        {
            hits += 1;
        }
    }
    hits as f32 / counted as f32
}

/// Orders corners clockwise (image y points down) and starts at the corner
/// from which a long side leaves, choosing the one nearer the image's top
/// left between the two candidates. Which way up the card is, is decided
/// later from its text.
pub(crate) fn clockwise_long_side_first(points: [[f32; 2]; 4]) -> Quad {
    let cx = points.iter().map(|p| p[0]).sum::<f32>() / 4.0;
    let cy = points.iter().map(|p| p[1]).sum::<f32>() / 4.0;
    let mut ordered = points;
    ordered.sort_by(|a, b| {
        let angle = |p: &[f32; 2]| (p[1] - cy).atan2(p[0] - cx);
        angle(a).total_cmp(&angle(b))
    });
    let long_first = distance(ordered[0], ordered[1]) + distance(ordered[2], ordered[3])
        >= distance(ordered[1], ordered[2]) + distance(ordered[3], ordered[0]);
    let start = if long_first { 0 } else { 1 };
    let other = start + 2;
    let start = if ordered[other][0] + ordered[other][1] < ordered[start][0] + ordered[start][1] {
        other
    } else {
        start
    };
    [0, 1, 2, 3].map(|i| ordered[(start + i) % 4])
}

fn is_convex(corners: &Quad) -> bool {
    let cross = |i: usize| {
        let (a, b, c) = (corners[i], corners[(i + 1) % 4], corners[(i + 2) % 4]);
        (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
    };
    let signs: Vec<bool> = (0..4).map(|i| cross(i) > 0.0).collect();
    signs.iter().all(|s| *s == signs[0])
}

fn polygon_area(corners: &Quad) -> f32 {
    let twice: f32 = (0..4)
        .map(|i| {
            let (a, b) = (corners[i], corners[(i + 1) % 4]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum();
    twice.abs() / 2.0
}

fn distance(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

#[cfg(test)]
mod tests;
