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
    resample(src, &taps(src_w, width), &taps(src_h, height), [0.0; 3])
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
    resample(src, &columns, &rows, fill)
}

/// The two source pixels one destination row or column is interpolated
/// from (`None` where a `Fill` crop leaves the image), and the weight of
/// the second. Computed once per row and column, not per pixel.
#[derive(Debug, Clone, Copy)]
struct Tap {
    first: Option<usize>,
    second: Option<usize>,
    weight: f32,
}

/// The bilinear resampling both resizes share: each destination row is
/// the blend of two source rows, each first interpolated along the row.
/// It runs on every detection (the shrunk photo, the crop around a face),
/// so the interpolated rows are kept in two buffers of the destination's
/// width and reused when the next destination row reads the same source
/// rows, and the blend is a plain loop over floats that the compiler
/// vectorises.
fn resample(src: &RgbImage, columns: &[Tap], rows: &[Tap], fill: [f32; 3]) -> RgbImage {
    let (source, row_len) = (src.as_raw(), src.width() as usize * 3);
    let source_row = |y: Option<usize>| y.and_then(|y| source.get(y * row_len..(y + 1) * row_len));
    let (width, height) = (columns.len(), rows.len());
    let mut out = vec![0u8; width * height * 3];
    let mut upper = InterpolatedRow::new(width);
    let mut lower = InterpolatedRow::new(width);
    for (line, tap) in out.chunks_exact_mut(width * 3).zip(rows) {
        if lower.source == Some(tap.first) {
            std::mem::swap(&mut upper, &mut lower);
        }
        upper.fill_from(tap.first, source_row(tap.first), columns, fill);
        lower.fill_from(tap.second, source_row(tap.second), columns, fill);
        for ((value, a), b) in line.iter_mut().zip(&upper.values).zip(&lower.values) {
            *value = to_u8(a + (b - a) * tap.weight);
        }
    }
    let (width, height) = (width as u32, height as u32);
    RgbImage::from_raw(width, height, out).unwrap_or_else(|| RgbImage::new(width, height))
}

/// One source row interpolated at every destination column, and which
/// source row it is (`Some(None)`: a row outside the image).
struct InterpolatedRow {
    source: Option<Option<usize>>,
    values: Vec<f32>,
}

impl InterpolatedRow {
    fn new(width: usize) -> Self {
        Self {
            source: None,
            values: vec![0.0; width * 3],
        }
    }

    /// Interpolates source row `index` (its pixels `row`), unless it
    /// already holds it.
    fn fill_from(
        &mut self,
        index: Option<usize>,
        row: Option<&[u8]>,
        columns: &[Tap],
        fill: [f32; 3],
    ) {
        if self.source == Some(index) {
            return;
        }
        self.source = Some(index);
        let at = |x: Option<usize>| match row.zip(x).and_then(|(row, x)| row.get(x * 3..x * 3 + 3))
        {
            Some(p) => [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])],
            None => fill,
        };
        for (value, tap) in self.values.chunks_exact_mut(3).zip(columns) {
            let (a, b) = (at(tap.first), at(tap.second));
            for (channel, v) in value.iter_mut().enumerate() {
                *v = a[channel] + (b[channel] - a[channel]) * tap.weight;
            }
        }
    }
}

/// For each destination index of a crop `extent` long from `origin`: its
/// [`Tap`], `None` where a `Fill` crop leaves the image.
fn crop_taps(origin: f32, extent: f32, dst_len: u32, src_len: u32, outside: Outside) -> Vec<Tap> {
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
            Tap {
                first: index(base as i64),
                second: index(base as i64 + 1),
                weight: at - base,
            }
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

/// For each destination index of a whole-image resize: its [`Tap`], the
/// source clamped at the edges.
fn taps(src_len: u32, dst_len: u32) -> Vec<Tap> {
    let scale = src_len as f32 / dst_len as f32;
    let last = src_len.saturating_sub(1);
    (0..dst_len)
        .map(|d| {
            let s = ((d as f32 + 0.5) * scale - 0.5).max(0.0);
            let i0 = (s.floor() as u32).min(last);
            let i1 = (i0 + 1).min(last);
            Tap {
                first: Some(i0 as usize),
                second: Some(i1 as usize),
                weight: s - i0 as f32,
            }
        })
        .collect()
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

    /// The definition, pixel by pixel: the row-buffered resampling must
    /// give exactly these values, fill and edges included.
    fn reference_crop(src: &RgbImage, rect: [f32; 4], w: u32, h: u32, fill: [u8; 3]) -> RgbImage {
        let columns = crop_taps(rect[0], rect[2], w, src.width(), Outside::Fill(fill));
        let rows = crop_taps(rect[1], rect[3], h, src.height(), Outside::Fill(fill));
        let pixel = |x: Option<usize>, y: Option<usize>| match (x, y) {
            (Some(x), Some(y)) => src.get_pixel(x as u32, y as u32).0.map(f32::from),
            _ => fill.map(f32::from),
        };
        RgbImage::from_fn(w, h, |ox, oy| {
            let (c, r) = (columns[ox as usize], rows[oy as usize]);
            let (a, b) = (pixel(c.first, r.first), pixel(c.second, r.first));
            let (d, e) = (pixel(c.first, r.second), pixel(c.second, r.second));
            Rgb(std::array::from_fn(|k| {
                let top = a[k] + (b[k] - a[k]) * c.weight;
                let bottom = d[k] + (e[k] - d[k]) * c.weight;
                to_u8(top + (bottom - top) * r.weight)
            }))
        })
    }

    #[test]
    fn row_buffers_give_the_per_pixel_values() {
        let img = RgbImage::from_fn(37, 23, |x, y| {
            Rgb([(x * 7 + y) as u8, (y * 11) as u8, ((x * y) % 251) as u8])
        });
        let cases = [
            ([-5.5, -3.25, 50.0, 30.0], 61, 40),
            ([2.0, 1.0, 30.0, 20.0], 12, 9),
            ([10.3, 4.7, 8.0, 8.0], 33, 33),
            ([30.0, 18.0, 20.0, 20.0], 17, 17),
        ];
        for (rect, w, h) in cases {
            let fill = [128, 64, 32];
            let actual = crop_resize(&img, rect, w, h, Outside::Fill(fill));
            assert_eq!(actual, reference_crop(&img, rect, w, h, fill), "{rect:?}");
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
