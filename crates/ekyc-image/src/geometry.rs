//! Pixel resampling.
//!
//! Models are trained on images resized by OpenCV's plain bilinear
//! interpolation (no anti-aliasing when shrinking). Resampling the same way
//! here keeps their inputs, and so their scores, as the authors measured.

use image::RgbImage;

/// Resizes `src` to `width` × `height` with OpenCV's `INTER_LINEAR` rule:
/// pixel centres are aligned (`src = (dst + 0.5) · scale − 0.5`) and edges
/// are clamped.
pub fn resize_bilinear(src: &RgbImage, width: u32, height: u32) -> RgbImage {
    let (src_w, src_h) = src.dimensions();
    if (src_w, src_h) == (width, height) {
        return src.clone();
    }
    let x_taps = taps(src_w, width);
    let y_taps = taps(src_h, height);
    let source = src.as_raw();
    let row_len = src_w as usize * 3;
    let mut out = Vec::with_capacity(width as usize * height as usize * 3);
    for &(y0, y1, fy) in &y_taps {
        let top = &source[y0 as usize * row_len..][..row_len];
        let bottom = &source[y1 as usize * row_len..][..row_len];
        for &(x0, x1, fx) in &x_taps {
            let (i0, i1) = (x0 as usize * 3, x1 as usize * 3);
            for c in 0..3 {
                let upper = lerp(top[i0 + c], top[i1 + c], fx);
                let lower = lerp(bottom[i0 + c], bottom[i1 + c], fx);
                out.push(to_u8(upper + (lower - upper) * fy));
            }
        }
    }
    RgbImage::from_raw(width, height, out).unwrap_or_else(|| RgbImage::new(width, height))
}

/// What a crop samples where it extends beyond the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// The nearest edge pixel (OpenCV's `BORDER_REPLICATE`).
    Replicate,
    /// A constant colour (OpenCV's `BORDER_CONSTANT`).
    Fill([u8; 3]),
}

/// Crops the rectangle `[x, y, width, height]` (in pixels, possibly partly
/// outside the image) and resizes it to `out_w` × `out_h` in one bilinear
/// pass with the sampling rule of [`resize_bilinear`]: for a rectangle on
/// whole pixels inside the image, the result equals cropping then resizing.
pub fn crop_resize(
    src: &RgbImage,
    rect: [f32; 4],
    out_w: u32,
    out_h: u32,
    outside: Outside,
) -> RgbImage {
    let [x0, y0, width, height] = rect;
    let columns = crop_taps(x0, width, out_w, src.width(), outside);
    let rows = crop_taps(y0, height, out_h, src.height(), outside);
    let fill = match outside {
        Outside::Fill(colour) => colour.map(f32::from),
        Outside::Replicate => [0.0; 3],
    };
    let (source, row_len) = (src.as_raw(), src.width() as usize * 3);
    let pixel = |x: Option<usize>, y: Option<usize>| match (x, y) {
        (Some(x), Some(y)) => {
            let at = y * row_len + x * 3;
            [source[at], source[at + 1], source[at + 2]].map(f32::from)
        }
        _ => fill,
    };
    let mut out = Vec::with_capacity(out_w as usize * out_h as usize * 3);
    for &(ya, yb, fy) in &rows {
        for &(xa, xb, fx) in &columns {
            let (a, b) = (pixel(xa, ya), pixel(xb, ya));
            let (c, d) = (pixel(xa, yb), pixel(xb, yb));
            for k in 0..3 {
                let top = a[k] + (b[k] - a[k]) * fx;
                let bottom = c[k] + (d[k] - c[k]) * fx;
                out.push(to_u8(top + (bottom - top) * fy));
            }
        }
    }
    RgbImage::from_raw(out_w, out_h, out).unwrap_or_else(|| RgbImage::new(out_w, out_h))
}

/// For each destination index of a crop `extent` long from `origin`: the
/// source indices of its two taps (`None` where a `Fill` crop leaves the
/// image) and the weight of the second. Computed once per row and column,
/// not per pixel: this runs on every detection.
fn crop_taps(
    origin: f32,
    extent: f32,
    dst_len: u32,
    src_len: u32,
    outside: Outside,
) -> Vec<(Option<usize>, Option<usize>, f32)> {
    let scale = extent / dst_len as f32;
    let src_len = i64::from(src_len);
    let index = |i: i64| -> Option<usize> {
        if (0..src_len).contains(&i) {
            return usize::try_from(i).ok();
        }
        match outside {
            Outside::Replicate if src_len > 0 => usize::try_from(i.clamp(0, src_len - 1)).ok(),
            _ => None,
        }
    };
    (0..dst_len)
        .map(|d| {
            let local = ((d as f32 + 0.5) * scale - 0.5).clamp(0.0, (extent - 1.0).max(0.0));
            let at = origin + local;
            let base = at.floor();
            (index(base as i64), index(base as i64 + 1), at - base)
        })
        .collect()
}

/// Rounds a sample already in [0, 255] to the nearest level (halves up,
/// as `f32::round` does for non-negative values; the cast saturates).
/// `f32::round` is a library call on baseline x86-64, and this runs for
/// every channel of every resampled pixel.
pub fn to_u8(value: f32) -> u8 {
    (value + 0.5) as u8
}

/// For each destination index: the two source indices and the weight of the second.
fn taps(src_len: u32, dst_len: u32) -> Vec<(u32, u32, f32)> {
    let scale = src_len as f32 / dst_len as f32;
    let last = src_len.saturating_sub(1);
    (0..dst_len)
        .map(|d| {
            let s = ((d as f32 + 0.5) * scale - 0.5).max(0.0);
            let i0 = (s.floor() as u32).min(last);
            let i1 = (i0 + 1).min(last);
            (i0, i1, s - i0 as f32)
        })
        .collect()
}

fn lerp(a: u8, b: u8, t: f32) -> f32 {
    f32::from(a) + (f32::from(b) - f32::from(a)) * t
}

/// A quadrilateral's corners in pixels, clockwise from the one that becomes
/// the top-left of the rectified image.
pub type Quad = [[f32; 2]; 4];

/// Maps the quadrilateral `corners` of `src` onto an upright `width` ×
/// `height` image (perspective rectification of a photographed card).
/// `None` when three corners are collinear.
pub fn warp_quad(src: &RgbImage, corners: &Quad, width: u32, height: u32) -> Option<RgbImage> {
    use imageproc::geometric_transformations::{warp_into, Interpolation, Projection};
    let (w, h) = (width as f32, height as f32);
    let from = corners.map(|[x, y]| (x, y));
    let to = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let projection = Projection::from_control_points(from, to)?;
    let mut out = RgbImage::new(width, height);
    warp_into(
        src,
        &projection,
        Interpolation::Bilinear,
        image::Rgb([255, 255, 255]),
        &mut out,
    );
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn identity_size_is_a_copy() {
        let img = RgbImage::from_fn(5, 4, |x, y| Rgb([x as u8, y as u8, 7]));
        assert_eq!(resize_bilinear(&img, 5, 4), img);
    }

    #[test]
    fn halving_averages_pixel_pairs() {
        // OpenCV: shrinking 4 → 2 samples at 0.5 and 2.5, i.e. averages of pairs.
        let img = RgbImage::from_fn(4, 1, |x, _| Rgb([[0, 100, 200, 250][x as usize], 0, 0]));
        let out = resize_bilinear(&img, 2, 1);
        assert_eq!(out.get_pixel(0, 0)[0], 50);
        assert_eq!(out.get_pixel(1, 0)[0], 225);
    }

    #[test]
    fn upscaling_clamps_edges() {
        let img = RgbImage::from_fn(2, 1, |x, _| Rgb([if x == 0 { 10 } else { 30 }, 0, 0]));
        let out = resize_bilinear(&img, 4, 1);
        let row: Vec<u8> = (0..4).map(|x| out.get_pixel(x, 0)[0]).collect();
        assert_eq!(row, vec![10, 15, 25, 30]);
    }
    #[test]
    fn crop_inside_equals_crop_then_resize() {
        let img = RgbImage::from_fn(40, 30, |x, y| {
            Rgb([(x * 6) as u8, (y * 8) as u8, (x * y) as u8])
        });
        let cropped = image::imageops::crop_imm(&img, 5, 4, 20, 16).to_image();
        let expected = resize_bilinear(&cropped, 8, 7);
        let actual = crop_resize(&img, [5.0, 4.0, 20.0, 16.0], 8, 7, Outside::Replicate);
        assert_eq!(actual, expected);
    }

    #[test]
    fn to_u8_rounds_like_round_then_clamp() {
        for step in -40..=10_400 {
            let value = step as f32 * 0.025;
            assert_eq!(
                to_u8(value),
                value.round().clamp(0.0, 255.0) as u8,
                "{value}"
            );
        }
    }

    #[test]
    fn crop_outside_fills_or_replicates() {
        let img = RgbImage::from_pixel(10, 10, Rgb([200, 100, 50]));
        let filled = crop_resize(
            &img,
            [-10.0, -10.0, 30.0, 30.0],
            3,
            3,
            Outside::Fill([0, 0, 0]),
        );
        assert_eq!(filled.get_pixel(0, 0).0, [0, 0, 0]);
        assert_eq!(filled.get_pixel(1, 1).0, [200, 100, 50]);
        let replicated = crop_resize(&img, [-10.0, -10.0, 30.0, 30.0], 3, 3, Outside::Replicate);
        assert_eq!(replicated.get_pixel(0, 0).0, [200, 100, 50]);
    }
}
