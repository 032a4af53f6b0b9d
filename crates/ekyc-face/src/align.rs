//! Face alignment: the similarity transform that maps the five detected
//! landmarks onto the ArcFace 112×112 template, and the warp that samples
//! the aligned crop. Both recognition engines were trained on exactly this.

use image::{Rgb, RgbImage};

/// Side, in pixels, of the square aligned crop: the ArcFace template's
/// 112, which both recognition engines were trained on.
pub const ALIGNED_SIZE: u32 = 112;

/// ArcFace-112 landmark template, in YuNet's landmark order.
const TEMPLATE: [[f32; 2]; 5] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];

/// Faces whose landmarks are more than this many times larger than the
/// template are shrunk (with averaging) first, so the warp's bilinear
/// sampling does not alias.
const MAX_DOWNSCALE: f32 = 2.0;

/// A 2×3 affine matrix `[a, b, tx; c, d, ty]` mapping (x, y) to
/// (a·x + b·y + tx, c·x + d·y + ty).
pub type Affine = [[f32; 3]; 2];

/// Least-squares similarity transform (rotation, uniform scale,
/// translation; no reflection) taking `from` onto `to` (Umeyama, 1991).
pub fn similarity_transform(from: &[[f32; 2]; 5], to: &[[f32; 2]; 5]) -> Affine {
    let n = from.len() as f32;
    let mean = |pts: &[[f32; 2]; 5]| {
        let (sx, sy) = pts
            .iter()
            .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
        [sx / n, sy / n]
    };
    let (mf, mt) = (mean(from), mean(to));
    // For 2-D similarity: a = Σ(u·u' + v·v') / Σ|u|², b = Σ(u·v' − v·u') / Σ|u|².
    let (mut dot, mut cross, mut norm) = (0.0f32, 0.0f32, 0.0f32);
    for (f, t) in from.iter().zip(to) {
        let (u, v) = (f[0] - mf[0], f[1] - mf[1]);
        let (u2, v2) = (t[0] - mt[0], t[1] - mt[1]);
        dot += u * u2 + v * v2;
        cross += u * v2 - v * u2;
        norm += u * u + v * v;
    }
    let (a, b) = if norm > f32::EPSILON {
        (dot / norm, cross / norm)
    } else {
        (1.0, 0.0)
    };
    let tx = mt[0] - (a * mf[0] - b * mf[1]);
    let ty = mt[1] - (b * mf[0] + a * mf[1]);
    [[a, -b, tx], [b, a, ty]]
}

fn scale_of(m: &Affine) -> f32 {
    (m[0][0] * m[0][0] + m[1][0] * m[1][0]).sqrt()
}

fn invert(m: &Affine) -> Affine {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    let inv = if det.abs() > f32::EPSILON {
        1.0 / det
    } else {
        0.0
    };
    let (a, b, c, d) = (m[1][1] * inv, -m[0][1] * inv, -m[1][0] * inv, m[0][0] * inv);
    [
        [a, b, -(a * m[0][2] + b * m[1][2])],
        [c, d, -(c * m[0][2] + d * m[1][2])],
    ]
}

/// The aligned 112×112 RGB crop of the face with these landmarks.
pub fn align_face(image: &RgbImage, landmarks: &[[f32; 2]; 5]) -> RgbImage {
    let transform = similarity_transform(landmarks, &TEMPLATE);
    let scale = scale_of(&transform);
    if scale > 0.0 && scale < 1.0 / MAX_DOWNSCALE {
        let region = sampled_region(image, &transform);
        if let Some((shrunk, factor)) = shrink(image, region, scale * MAX_DOWNSCALE) {
            let moved = landmarks.map(|p| {
                [
                    (p[0] - region.x as f32) * factor,
                    (p[1] - region.y as f32) * factor,
                ]
            });
            return warp(&shrunk, &similarity_transform(&moved, &TEMPLATE));
        }
    }
    warp(image, &transform)
}

/// A rectangle on whole pixels, inside the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Region {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
}

/// The part of `image` that the aligned crop maps onto, with a margin:
/// only it is shrunk.
fn sampled_region(image: &RgbImage, transform: &Affine) -> Region {
    let inverse = invert(transform);
    let side = ALIGNED_SIZE as f32;
    let corners = [[0.0, 0.0], [side, 0.0], [0.0, side], [side, side]].map(|[x, y]: [f32; 2]| {
        [
            inverse[0][0] * x + inverse[0][1] * y + inverse[0][2],
            inverse[1][0] * x + inverse[1][1] * y + inverse[1][2],
        ]
    });
    let bound = |axis: usize, pick: fn(f32, f32) -> f32, start: f32| {
        corners.iter().map(|c| c[axis]).fold(start, pick)
    };
    let margin = 4.0;
    let x0 = (bound(0, f32::min, f32::MAX) - margin)
        .floor()
        .clamp(0.0, image.width() as f32 - 1.0);
    let y0 = (bound(1, f32::min, f32::MAX) - margin)
        .floor()
        .clamp(0.0, image.height() as f32 - 1.0);
    let x1 = (bound(0, f32::max, f32::MIN) + margin)
        .ceil()
        .clamp(x0 + 1.0, image.width() as f32);
    let y1 = (bound(1, f32::max, f32::MIN) + margin)
        .ceil()
        .clamp(y0 + 1.0, image.height() as f32);
    Region {
        x: x0 as u32,
        y: y0 as u32,
        width: (x1 - x0) as u32,
        height: (y1 - y0) as u32,
    }
}

/// Shrinks `region` of `image` by about `factor` with an averaging
/// (triangle) filter; returns it and the exact factor. `fast_image_resize`
/// does it with SIMD straight from the region: the `image` crate's filter
/// took about 2 ms of every verify. `None` only if the resizer refuses
/// the buffers, which valid RGB images never make it do.
fn shrink(image: &RgbImage, region: Region, factor: f32) -> Option<(RgbImage, f32)> {
    use fast_image_resize::images::{Image, ImageRef};
    use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

    let width = ((region.width as f32 * factor).round() as u32).max(1);
    let exact = width as f32 / region.width as f32;
    let height = ((region.height as f32 * exact).round() as u32).max(1);
    let source = ImageRef::new(
        image.width(),
        image.height(),
        image.as_raw(),
        PixelType::U8x3,
    )
    .ok()?;
    let mut shrunk = Image::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new()
        .resize_alg(ResizeAlg::Convolution(FilterType::Bilinear))
        .crop(
            f64::from(region.x),
            f64::from(region.y),
            f64::from(region.width),
            f64::from(region.height),
        );
    Resizer::new().resize(&source, &mut shrunk, &options).ok()?;
    Some((RgbImage::from_raw(width, height, shrunk.into_vec())?, exact))
}

/// Samples the crop: for each output pixel, the bilinear value at the
/// inverse-mapped source point; outside the image is black, like
/// OpenCV's `warpAffine` default.
fn warp(image: &RgbImage, transform: &Affine) -> RgbImage {
    let inverse = invert(transform);
    let (w, h) = (image.width() as i64, image.height() as i64);
    let pixel = |x: i64, y: i64| -> [f32; 3] {
        if x < 0 || y < 0 || x >= w || y >= h {
            return [0.0; 3];
        }
        image.get_pixel(x as u32, y as u32).0.map(f32::from)
    };
    RgbImage::from_fn(ALIGNED_SIZE, ALIGNED_SIZE, |ox, oy| {
        let (fx, fy) = (ox as f32, oy as f32);
        let sx = inverse[0][0] * fx + inverse[0][1] * fy + inverse[0][2];
        let sy = inverse[1][0] * fx + inverse[1][1] * fy + inverse[1][2];
        let (x0, y0) = (sx.floor() as i64, sy.floor() as i64);
        let (ax, ay) = (sx - x0 as f32, sy - y0 as f32);
        let (p00, p10, p01, p11) = (
            pixel(x0, y0),
            pixel(x0 + 1, y0),
            pixel(x0, y0 + 1),
            pixel(x0 + 1, y0 + 1),
        );
        Rgb(std::array::from_fn(|c| {
            let top = p00[c] + (p10[c] - p00[c]) * ax;
            let bottom = p01[c] + (p11[c] - p01[c]) * ax;
            ekyc_image::to_u8(top + (bottom - top) * ay)
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(m: &Affine, p: [f32; 2]) -> [f32; 2] {
        [
            m[0][0] * p[0] + m[0][1] * p[1] + m[0][2],
            m[1][0] * p[0] + m[1][1] * p[1] + m[1][2],
        ]
    }

    #[test]
    fn recovers_a_known_similarity() {
        let (angle, scale, t) = (0.3f32, 1.7f32, [12.0f32, -5.0f32]);
        let (c, s) = (angle.cos() * scale, angle.sin() * scale);
        let known: Affine = [[c, -s, t[0]], [s, c, t[1]]];
        let moved = TEMPLATE.map(|p| apply(&known, p));
        let found = similarity_transform(&TEMPLATE, &moved);
        for (row_a, row_b) in found.iter().zip(known.iter()) {
            for (a, b) in row_a.iter().zip(row_b) {
                assert!((a - b).abs() < 1e-3, "{found:?} vs {known:?}");
            }
        }
        let back = invert(&found);
        let p = apply(&back, apply(&found, [3.0, 4.0]));
        assert!((p[0] - 3.0).abs() < 1e-3 && (p[1] - 4.0).abs() < 1e-3);
    }

    #[test]
    fn identity_landmarks_copy_the_template_region() {
        let image = RgbImage::from_fn(112, 112, |x, y| Rgb([x as u8, y as u8, 0]));
        let aligned = align_face(&image, &TEMPLATE);
        assert_eq!(aligned.get_pixel(40, 60), image.get_pixel(40, 60));
    }

    #[test]
    fn large_faces_are_shrunk_from_their_region_only() {
        // A face four times the template's size, drawn as a gradient.
        let image = RgbImage::from_fn(1200, 1000, |x, y| Rgb([(x / 5) as u8, (y / 4) as u8, 0]));
        let large = TEMPLATE.map(|p| [p[0] * 4.0 + 300.0, p[1] * 4.0 + 200.0]);
        let aligned = align_face(&image, &large);
        // Output (56, 56) maps back to source (524, 424): gradient (104, 106).
        let centre = aligned.get_pixel(56, 56).0;
        assert!(
            (i32::from(centre[0]) - 104).abs() <= 2 && (i32::from(centre[1]) - 106).abs() <= 2,
            "{centre:?}"
        );
    }

    #[test]
    fn outside_the_image_is_black() {
        let image = RgbImage::from_pixel(20, 20, Rgb([200, 200, 200]));
        let shifted = TEMPLATE.map(|p| [p[0] - 100.0, p[1]]);
        let aligned = align_face(&image, &shifted);
        assert_eq!(aligned.get_pixel(0, 0).0, [0, 0, 0]);
    }
}
