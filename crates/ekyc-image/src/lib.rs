//! Image intake and pixel geometry.
//!
//! Every endpoint receives images the same way (Base64 in JSON), so one
//! function, [`decode_base64_image`], turns that text into upright RGB pixels
//! or a precise reason why not. The geometry helpers resample pixels the way
//! the models were trained (plain bilinear, like OpenCV), which matters for
//! accuracy more than it seems.

pub use image::RgbImage;

mod geometry;
mod intake;
mod jpeg_check;
mod rect;

pub use geometry::{crop_resize, resize_bilinear, to_u8, warp_quad, Outside, Quad};
pub use intake::{
    decode_base64_image, decode_image_bytes, DecodedImage, ImageFormat, IntakeError, IntakeLimits,
};
pub use rect::Rect;
