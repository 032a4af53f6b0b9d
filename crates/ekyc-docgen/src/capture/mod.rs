//! How a flat card is captured: the phone photo the generator has always
//! drawn, and the other ways cards reach an eKYC server.
//!
//! A reader tuned on phone photos alone can miss cards that arrive
//! differently: an upload the client already cropped to the card, a
//! flatbed scan on a white bed, a card on paper of nearly its own colour.
//! Each [`Capture`] draws one such condition on its own, so a benchmark
//! can report them apart and say which one a reader fails.
//!
//! `framing` places the card (cropped uploads, scans, quarter turns);
//! `optics` spoils the photo (glare, blur, a thumb, a pale desk).

mod framing;
mod optics;

use std::fmt;
use std::str::FromStr;

use image::RgbImage;
use rand::Rng;

use crate::fonts::Fonts;
use crate::scene::{self, Corners, Pose};
use crate::GeneratorError;

/// One way a card is captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capture {
    /// A phone photo on a desk, cloth or clutter, in perspective, turned
    /// up to ±20° and a quarter turn now and then, a thumb on 30 %: the
    /// generator's photos as they have always been drawn.
    Phone,
    /// The card fills the whole image with a few pixels of desk around it,
    /// as a client that crops before uploading sends it; 400–1100 px wide.
    FrameFilling,
    /// A crop that cuts 2–8 % into the card on one or two sides.
    CutCrop,
    /// A flatbed scan: no perspective, even light, a white or light-grey
    /// bed, turned at most 2°, mild JPEG.
    FlatScan,
    /// A phone photo on white paper or a pale desk of nearly the card's
    /// colour, so its edges hardly show.
    PaleBackground,
    /// A phone photo taken from afar: the card 450–600 px wide.
    SmallCard,
    /// A phone photo with a bright specular blob or band over the card.
    Glare,
    /// A phone photo out of focus: gaussian blur of sigma 1.5–3 on a card
    /// about 1000 px wide.
    Defocus,
    /// A phone photo with the camera shaken: a linear blur of 7–15 px.
    MotionBlur,
    /// A phone photo with a thumb over one of the card's edges.
    Thumb,
    /// An upright phone photo turned a quarter turn clockwise.
    Rotated90,
    /// An upright phone photo upside down.
    Rotated180,
    /// An upright phone photo turned a quarter turn anticlockwise.
    Rotated270,
}

impl Capture {
    /// Every condition, in the benchmark's order.
    pub const ALL: [Self; 13] = [
        Self::Phone,
        Self::FrameFilling,
        Self::CutCrop,
        Self::FlatScan,
        Self::PaleBackground,
        Self::SmallCard,
        Self::Glare,
        Self::Defocus,
        Self::MotionBlur,
        Self::Thumb,
        Self::Rotated90,
        Self::Rotated180,
        Self::Rotated270,
    ];

    /// The condition's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::FrameFilling => "frame-filling",
            Self::CutCrop => "cut-crop",
            Self::FlatScan => "flat-scan",
            Self::PaleBackground => "pale-background",
            Self::SmallCard => "small-card",
            Self::Glare => "glare",
            Self::Defocus => "defocus",
            Self::MotionBlur => "motion-blur",
            Self::Thumb => "thumb",
            Self::Rotated90 => "rotated-90",
            Self::Rotated180 => "rotated-180",
            Self::Rotated270 => "rotated-270",
        }
    }
}

impl fmt::Display for Capture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no [`Capture`]'s.
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown capture condition {0:?} (known: phone, frame-filling, cut-crop, flat-scan, \
         pale-background, small-card, glare, defocus, motion-blur, thumb, rotated-90, \
         rotated-180, rotated-270)"
)]
pub struct UnknownCapture(pub String);

impl FromStr for Capture {
    type Err = UnknownCapture;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| UnknownCapture(name.to_owned()))
    }
}

/// A phone photo with the card upright, give or take 20°: the base of the
/// conditions that spoil one thing about a phone photo, so that each
/// measures that thing and not a quarter turn as well.
const UPRIGHT: Pose = Pose {
    widths: 500.0..1600.0,
    quarter_turns: false,
    angle: 20.0,
    tilt: 0.07,
    margins: 0.08..0.3,
};

/// Captures the flat `card` (of any style) as `capture` says, drawing
/// everything from `rng` and the desk's clutter text from `fonts`.
/// Returns the image and the card's corners in it, clockwise from the
/// card's own top-left; a [`Capture::CutCrop`] leaves some outside the
/// image.
pub fn capture(
    rng: &mut impl Rng,
    card: &RgbImage,
    capture: Capture,
    fonts: &Fonts,
) -> Result<(RgbImage, Corners), GeneratorError> {
    match capture {
        Capture::Phone => {
            let (mut photo, corners) = on_desk(rng, card, fonts, &scene::PHONE)?;
            if rng.gen_bool(0.3) {
                scene::thumb(rng, &mut photo, &corners);
            }
            Ok((scene::degrade(rng, photo)?, corners))
        }
        Capture::FrameFilling => framing::frame_filling(rng, card, fonts),
        Capture::CutCrop => framing::cut_crop(rng, card, fonts),
        Capture::FlatScan => framing::flat_scan(rng, card),
        Capture::PaleBackground => optics::pale_background(rng, card),
        Capture::SmallCard => {
            let (photo, corners) = on_desk(rng, card, fonts, &optics::FAR)?;
            Ok((scene::degrade(rng, photo)?, corners))
        }
        Capture::Glare => {
            let (mut photo, corners) = on_desk(rng, card, fonts, &UPRIGHT)?;
            optics::glare(rng, &mut photo, &corners);
            Ok((scene::degrade(rng, photo)?, corners))
        }
        Capture::Defocus => {
            let (photo, corners) = on_desk(rng, card, fonts, &optics::NEAR)?;
            let sigma = rng.gen_range(1.5..3.0f32);
            let image = scene::degrade_with(rng, photo, |_, image| {
                imageproc::filter::gaussian_blur_f32(&image, sigma)
            })?;
            Ok((image, corners))
        }
        Capture::MotionBlur => {
            let (photo, corners) = on_desk(rng, card, fonts, &optics::NEAR)?;
            let length = rng.gen_range(7..=15);
            let angle = rng.gen_range(0.0..std::f32::consts::PI);
            let image = scene::degrade_with(rng, photo, |_, image| {
                optics::motion_blur(&image, length, angle)
            })?;
            Ok((image, corners))
        }
        Capture::Thumb => {
            let (mut photo, corners) = on_desk(rng, card, fonts, &UPRIGHT)?;
            optics::thumb(rng, &mut photo, &corners);
            Ok((scene::degrade(rng, photo)?, corners))
        }
        Capture::Rotated90 | Capture::Rotated180 | Capture::Rotated270 => {
            let (photo, corners) = on_desk(rng, card, fonts, &UPRIGHT)?;
            let image = scene::degrade(rng, photo)?;
            let quarters = match capture {
                Capture::Rotated90 => 1,
                Capture::Rotated180 => 2,
                _ => 3,
            };
            Ok(framing::turn(image, corners, quarters))
        }
    }
}

/// The card placed as `pose` says on a desk, cloth or clutter, before the
/// camera spoils anything. The draws happen in the order the generator's
/// phone photos have always made them.
fn on_desk(
    rng: &mut impl Rng,
    card: &RgbImage,
    fonts: &Fonts,
    pose: &Pose,
) -> Result<(RgbImage, Corners), GeneratorError> {
    let placement = scene::posed(rng, card.dimensions(), pose);
    let (width, height) = placement.canvas;
    let picked = fonts.pick(rng);
    let mut photo = scene::background(rng, width, height, &picked);
    scene::place_card(&mut photo, card, &placement.corners)?;
    Ok((photo, placement.corners))
}

#[cfg(test)]
mod tests;
