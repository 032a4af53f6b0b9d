//! A real person's photo printed as the portrait of a generated card, and
//! the card photographed on a desk: the reference image of an ID-photo
//! against selfie comparison (`/v1/fr/compare`), as a bank's onboarding
//! sends it.
//!
//! The print loses what printing loses (resolution, contrast, a colour
//! cast, a little blur); the photo adds perspective, light, noise and
//! JPEG. The portrait ends up 120–250 px wide in a 1280×960 photo, as on
//! a card photographed at arm's length.

use image::imageops::FilterType;
use image::{Rgb, RgbImage};
use imageproc::filter::gaussian_blur_f32;
use rand::Rng;

use crate::scene::{self, Corners};
use crate::GeneratorError;

/// The size of the photographed scene.
pub const PHOTO_SIZE: (u32, u32) = (1280, 960);
/// The portrait's width in the photo, in pixels.
pub const PORTRAIT_WIDTHS: std::ops::Range<f32> = 120.0..250.0;

/// Replaces the drawn portrait of a flat card with `face`, printed: the
/// photo cropped to the box's aspect around its centre, scaled into the
/// box, softened, its contrast reduced and tinted.
pub fn print_portrait(
    rng: &mut impl Rng,
    card: &mut RgbImage,
    portrait: [u32; 4],
    face: &RgbImage,
) {
    let [x, y, w, h] = portrait;
    let fitted = cover(face, w, h);
    let softened = gaussian_blur_f32(&fitted, rng.gen_range(0.4..1.1));
    let contrast = rng.gen_range(0.78..0.95f32);
    let lift = rng.gen_range(8.0..28.0f32);
    let tint = [0, 1, 2].map(|_| rng.gen_range(0.93..1.05f32));
    for (px, py, pixel) in softened.enumerate_pixels() {
        let printed = [0, 1, 2].map(|c| {
            let v = f32::from(pixel.0[c]) * contrast * tint[c] + lift;
            v.clamp(0.0, 255.0) as u8
        });
        card.put_pixel(x + px, y + py, Rgb(printed));
    }
}

/// `image` cropped to the aspect of `w`×`h` around its centre and resized
/// to exactly that size.
fn cover(image: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (iw, ih) = image.dimensions();
    let target = w as f32 / h as f32;
    let (cw, ch) = if iw as f32 / ih as f32 > target {
        ((ih as f32 * target).round() as u32, ih)
    } else {
        (iw, (iw as f32 / target).round() as u32)
    };
    let crop = image::imageops::crop_imm(image, (iw - cw) / 2, (ih - ch) / 2, cw, ch).to_image();
    image::imageops::resize(&crop, w, h, FilterType::CatmullRom)
}

/// Where the card lies in the photo: scaled so the portrait is
/// [`PORTRAIT_WIDTHS`] wide, turned up to ±12°, tilted a little, and kept
/// whole inside the frame.
pub fn placement(rng: &mut impl Rng, card: (u32, u32), portrait_width: u32) -> Corners {
    let scale = rng.gen_range(PORTRAIT_WIDTHS) / portrait_width as f32;
    let (w, h) = (card.0 as f32 * scale, card.1 as f32 * scale);
    let angle = rng.gen_range(-12.0..12.0f32).to_radians();
    let tilt = 0.04 * w;
    let (sin, cos) = angle.sin_cos();
    let local = [
        [-w / 2.0, -h / 2.0],
        [w / 2.0, -h / 2.0],
        [w / 2.0, h / 2.0],
        [-w / 2.0, h / 2.0],
    ]
    .map(|[x, y]| {
        let (x, y) = (
            x + rng.gen_range(-tilt..tilt),
            y + rng.gen_range(-tilt..tilt),
        );
        [x * cos - y * sin, y * cos + x * sin]
    });
    let (pw, ph) = (PHOTO_SIZE.0 as f32, PHOTO_SIZE.1 as f32);
    let low = [0, 1].map(|axis| local.iter().map(|c| c[axis]).fold(f32::MAX, f32::min));
    let high = [0, 1].map(|axis| local.iter().map(|c| c[axis]).fold(f32::MIN, f32::max));
    let room = [pw - (high[0] - low[0]), ph - (high[1] - low[1])].map(|r| r.max(0.0));
    let origin = [
        rng.gen_range(0.1..0.9) * room[0] - low[0],
        rng.gen_range(0.1..0.9) * room[1] - low[1],
    ];
    local.map(|[x, y]| [x + origin[0], y + origin[1]])
}

/// The flat card photographed at `corners` on a desk.
pub fn photograph(
    rng: &mut impl Rng,
    card: &RgbImage,
    corners: &Corners,
    fonts: &crate::fonts::CardFonts<'_>,
) -> Result<RgbImage, GeneratorError> {
    let mut photo = scene::background(rng, PHOTO_SIZE.0, PHOTO_SIZE.1, fonts);
    scene::place_card(&mut photo, card, corners)?;
    scene::degrade(rng, photo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_keeps_the_centre_at_the_box_aspect() {
        let image = RgbImage::from_fn(300, 100, |x, _| Rgb([(x * 255 / 299) as u8, 0, 0]));
        let covered = cover(&image, 50, 50);
        assert_eq!(covered.dimensions(), (50, 50));
        let middle = covered.get_pixel(25, 25).0[0];
        assert!((110..=145).contains(&middle), "{middle}");
    }

    #[test]
    fn the_card_stays_inside_the_photo_with_a_portrait_of_the_planned_width() {
        use rand::SeedableRng;
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for _ in 0..200 {
            let corners = placement(&mut rng, crate::ID1_SIZE, 240);
            for [x, y] in corners {
                assert!((0.0..=PHOTO_SIZE.0 as f32).contains(&x), "{corners:?}");
                assert!((0.0..=PHOTO_SIZE.1 as f32).contains(&y), "{corners:?}");
            }
            let top = (corners[1][0] - corners[0][0]).hypot(corners[1][1] - corners[0][1]);
            let portrait = top * 240.0 / crate::ID1_SIZE.0 as f32;
            assert!((100.0..280.0).contains(&portrait), "{portrait}");
        }
    }
}
