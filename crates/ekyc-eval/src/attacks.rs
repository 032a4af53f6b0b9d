//! Simulated presentation attacks, for the liveness benchmark and tests:
//! the shared data has print attacks only, so screen replays and
//! print-and-rescan images are made here from live photos,
//! deterministically from a seed. Never served, which is why it lives in
//! the evaluation crate (and `rand` with it).
//!
//! A screen replay shows the photo on an LCD (every pixel three vertical
//! RGB sub-pixel stripes with a dark grid between pixels), then "films" it:
//! a slight rotation and a scale at which the sub-pixel grid beats against
//! the camera's pixels (moiré), lens blur, screen gamma and glare, sensor
//! noise and JPEG. A print is halftoned (CMY dot screens at the classic
//! angles) on slightly tinted paper, then rescanned with blur and noise.

use image::codecs::jpeg::JpegEncoder;
use image::{ImageBuffer, Rgb, RgbImage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Display pixels per source pixel side (three sub-pixel columns).
const SUBPIXELS: u32 = 3;

/// A live photo shown on a screen and photographed.
pub fn screen_replay(live: &RgbImage, seed: u64) -> RgbImage {
    let mut rng = StdRng::seed_from_u64(seed);
    let (w, h) = live.dimensions();
    let gamma = rng.gen_range(0.8..1.25);
    let display = ImageBuffer::from_fn(w * SUBPIXELS, h * SUBPIXELS, |x, y| {
        let source = live.get_pixel(x / SUBPIXELS, y / SUBPIXELS);
        let stripe = (x % SUBPIXELS) as usize;
        let gap = y % SUBPIXELS == SUBPIXELS - 1;
        let mut out = [0f32; 3];
        if !gap {
            out[stripe] = 255.0 * (f32::from(source[stripe]) / 255.0).powf(gamma);
        }
        Rgb(out)
    });
    // The camera sees the screen at about one camera pixel per display
    // pixel (times 3 sub-pixels): that is where the moiré comes from.
    let scale = rng.gen_range(0.9..1.4) / SUBPIXELS as f32;
    let angle = rng.gen_range(-4.0f32..4.0).to_radians();
    let glare = (
        rng.gen_range(0.0..w as f32),
        rng.gen_range(0.0..h as f32),
        rng.gen_range(20.0..70.0),
    );
    let captured = warp(
        &display,
        w,
        h,
        scale * SUBPIXELS as f32,
        angle,
        |x, y, v| {
            let d2 = (x - glare.0).powi(2) + (y - glare.1).powi(2);
            let sigma = w as f32 / 4.0;
            // Sub-pixels lit at most a third of the area: the camera exposes up.
            v * 2.6 + glare.2 * (-d2 / (2.0 * sigma * sigma)).exp()
        },
    );
    let noisy = blur_and_noise(&captured, 0.7, 3.0, &mut rng);
    jpeg_round_trip(&noisy, rng.gen_range(70..95))
}

/// A live photo printed with halftone dots and scanned or photographed.
pub fn print_rescan(live: &RgbImage, seed: u64) -> RgbImage {
    let mut rng = StdRng::seed_from_u64(seed);
    let (w, h) = live.dimensions();
    let upscale = 4u32;
    let cell = rng.gen_range(3.0f32..5.0);
    let paper = [
        rng.gen_range(235.0..250.0),
        rng.gen_range(232.0..248.0),
        rng.gen_range(220.0..240.0),
    ];
    let angles = [15f32, 75.0, 0.0].map(f32::to_radians);
    let printed = ImageBuffer::from_fn(w * upscale, h * upscale, |x, y| {
        let source = live.get_pixel(x / upscale, y / upscale);
        let mut out = paper;
        for channel in 0..3 {
            let ink = 1.0 - f32::from(source[channel]) / 255.0;
            let (sin, cos) = angles[channel].sin_cos();
            let u = (x as f32 * cos + y as f32 * sin) / cell;
            let v = (-(x as f32) * sin + y as f32 * cos) / cell;
            let (du, dv) = (u - u.round(), v - v.round());
            // A dot covering `ink` of its cell has radius sqrt(ink / π).
            if du * du + dv * dv < ink / std::f32::consts::PI {
                out[channel] *= 0.12;
            }
        }
        Rgb(out)
    });
    let angle = rng.gen_range(-3.0f32..3.0).to_radians();
    let scanned = warp(&printed, w, h, upscale as f32, angle, |_, _, v| v);
    let noisy = blur_and_noise(&scanned, 0.8, 2.5, &mut rng);
    jpeg_round_trip(&noisy, rng.gen_range(70..95))
}

/// Samples `source` onto a `w` × `h` frame: source pixels per output pixel
/// `scale`, rotated by `angle` about the centres, with `shade(x, y, value)`
/// applied to each sample.
fn warp(
    source: &ImageBuffer<Rgb<f32>, Vec<f32>>,
    w: u32,
    h: u32,
    scale: f32,
    angle: f32,
    shade: impl Fn(f32, f32, f32) -> f32,
) -> ImageBuffer<Rgb<f32>, Vec<f32>> {
    let (sw, sh) = (source.width() as f32, source.height() as f32);
    let (sin, cos) = angle.sin_cos();
    ImageBuffer::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - w as f32 / 2.0, y as f32 - h as f32 / 2.0);
        let sx = (dx * cos - dy * sin) * scale + sw / 2.0;
        let sy = (dx * sin + dy * cos) * scale + sh / 2.0;
        let sample = bilinear(source, sx, sy);
        Rgb(sample.map(|v| shade(x as f32, y as f32, v)))
    })
}

fn bilinear(source: &ImageBuffer<Rgb<f32>, Vec<f32>>, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = (source.width() as i64, source.height() as i64);
    let at = |xi: i64, yi: i64| {
        source
            .get_pixel(xi.clamp(0, w - 1) as u32, yi.clamp(0, h - 1) as u32)
            .0
    };
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (xi, yi) = (x0 as i64, y0 as i64);
    let (a, b, c, d) = (
        at(xi, yi),
        at(xi + 1, yi),
        at(xi, yi + 1),
        at(xi + 1, yi + 1),
    );
    std::array::from_fn(|k| {
        let top = a[k] + (b[k] - a[k]) * fx;
        let bottom = c[k] + (d[k] - c[k]) * fx;
        top + (bottom - top) * fy
    })
}

/// A 3×3 blur of strength `amount` (0: none, 1: box) plus Gaussian-ish
/// sensor noise of `sigma` grey levels.
fn blur_and_noise(
    image: &ImageBuffer<Rgb<f32>, Vec<f32>>,
    amount: f32,
    sigma: f32,
    rng: &mut StdRng,
) -> RgbImage {
    let (w, h) = image.dimensions();
    let at = |x: i64, y: i64| {
        image
            .get_pixel(
                x.clamp(0, w as i64 - 1) as u32,
                y.clamp(0, h as i64 - 1) as u32,
            )
            .0
    };
    RgbImage::from_fn(w, h, |x, y| {
        let (x, y) = (i64::from(x), i64::from(y));
        let centre = at(x, y);
        let mut mean = [0f32; 3];
        for (ox, oy) in (-1..=1).flat_map(|oy| (-1..=1).map(move |ox| (ox, oy))) {
            let p = at(x + ox, y + oy);
            (0..3).for_each(|k| mean[k] += p[k] / 9.0);
        }
        Rgb(std::array::from_fn(|k| {
            let noise: f32 =
                (0..4).map(|_| rng.gen_range(-1.0f32..1.0)).sum::<f32>() * sigma * 0.87;
            (centre[k] + (mean[k] - centre[k]) * amount + noise).clamp(0.0, 255.0) as u8
        }))
    })
}

fn jpeg_round_trip(image: &RgbImage, quality: u8) -> RgbImage {
    let mut bytes = Vec::new();
    let encoded = JpegEncoder::new_with_quality(&mut bytes, quality).encode_image(image);
    encoded
        .ok()
        .and_then(|()| image::load_from_memory(&bytes).ok())
        .map_or_else(|| image.clone(), |decoded| decoded.to_rgb8())
}
