//! Base64 → bytes → sniffed format → header-checked size → pixels, upright.

use std::io::Cursor;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};

use crate::jpeg_check::{self, with_filler_before_end, Checked};

/// Accepts padded and unpadded standard Base64 alike: clients differ.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Limits applied before any pixel is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntakeLimits {
    /// Largest decoded file, in bytes.
    pub max_bytes: usize,
    /// Largest width × height.
    pub max_pixels: u64,
    /// Largest width or height.
    pub max_side: u32,
}

impl Default for IntakeLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_pixels: 40_000_000,
            max_side: 12_000,
        }
    }
}

/// Why an image was refused. Messages never contain image bytes.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IntakeError {
    /// Not Base64, even with a `data:` prefix or padding left out.
    #[error("image is not valid Base64")]
    NotBase64,
    /// Nothing left after decoding.
    #[error("image is empty")]
    Empty,
    /// More decoded bytes than the limit.
    #[error("image is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Not JPEG, PNG or WebP by its magic bytes.
    #[error("unsupported image format (JPEG, PNG and WebP are accepted)")]
    UnsupportedFormat,
    /// The header announces more pixels, or a longer side, than allowed.
    #[error("image of {width}x{height} pixels exceeds the size limits")]
    TooManyPixels {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
    },
    /// The data ends before the image does.
    #[error("image data is truncated")]
    Truncated,
    /// The decoder refused the data.
    #[error("image data is corrupt: {0}")]
    Corrupt(String),
}

/// File formats the service accepts, told from the bytes, not the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG (baseline or progressive).
    Jpeg,
    /// PNG.
    Png,
    /// WebP, lossy or lossless.
    WebP,
}

impl ImageFormat {
    /// Recognises a format by its magic number.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Some(Self::Jpeg),
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(Self::Png),
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(Self::WebP),
            _ => None,
        }
    }

    fn to_image_format(self) -> image::ImageFormat {
        match self {
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::Png => image::ImageFormat::Png,
            Self::WebP => image::ImageFormat::WebP,
        }
    }
}

/// An accepted image: upright RGB pixels and the format it came in.
#[derive(Debug, Clone)]
pub struct DecodedImage {
    /// The pixels, EXIF orientation applied.
    pub rgb: RgbImage,
    /// What the bytes were.
    pub format: ImageFormat,
}

/// Decodes one Base64 image field of a request.
///
/// Accepts an optional `data:image/...;base64,` prefix and ignores ASCII
/// whitespace. Refuses oversize files before decoding Base64 fully, and
/// oversize images from their header before decoding pixels, so that a
/// small bomb cannot make the server allocate gigabytes.
pub fn decode_base64_image(text: &str, limits: &IntakeLimits) -> Result<DecodedImage, IntakeError> {
    let bytes = decode_base64(text, limits.max_bytes)?;
    decode_image_bytes(&bytes, limits)
}

fn decode_base64(text: &str, max_bytes: usize) -> Result<Vec<u8>, IntakeError> {
    let payload = strip_data_url(text);
    let compact: Vec<u8> = payload
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if compact.is_empty() {
        return Err(IntakeError::Empty);
    }
    // Four Base64 characters carry three bytes: refuse before decoding.
    if compact.len() / 4 * 3 > max_bytes + 3 {
        return Err(IntakeError::TooLarge { limit: max_bytes });
    }
    let bytes = BASE64
        .decode(&compact)
        .map_err(|_| IntakeError::NotBase64)?;
    if bytes.len() > max_bytes {
        return Err(IntakeError::TooLarge { limit: max_bytes });
    }
    Ok(bytes)
}

fn strip_data_url(text: &str) -> &str {
    let trimmed = text.trim_start();
    if !trimmed.starts_with("data:") {
        return trimmed;
    }
    match trimmed.find(',') {
        Some(comma) => &trimmed[comma + 1..],
        None => trimmed,
    }
}

/// Decodes image file bytes into upright RGB, with the same checks as
/// [`decode_base64_image`] after its Base64 step.
pub fn decode_image_bytes(
    bytes: &[u8],
    limits: &IntakeLimits,
) -> Result<DecodedImage, IntakeError> {
    if bytes.len() > limits.max_bytes {
        return Err(IntakeError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    let format = ImageFormat::sniff(bytes).ok_or(IntakeError::UnsupportedFormat)?;
    // PNG and WebP decoders refuse data that ends early; the JPEG decoder
    // pads it with grey, so JPEG data is checked first (see jpeg_check).
    let jpeg = match format {
        ImageFormat::Jpeg => Some(jpeg_check::check(bytes)?),
        _ => None,
    };
    let (mut image, orientation) = decode_pixels(bytes, format, limits)?;
    if let Some(Checked::ProgressiveLastScanUnchecked { data_end }) = jpeg {
        let filled = decode_pixels(&with_filler_before_end(bytes, data_end), format, limits);
        if !filled.is_ok_and(|(filled, _)| filled.as_bytes() == image.as_bytes()) {
            return Err(IntakeError::Truncated);
        }
    }
    image.apply_orientation(orientation);
    Ok(DecodedImage {
        rgb: image.into_rgb8(),
        format,
    })
}

/// Pixels as stored and the EXIF orientation, after the header's
/// dimensions passed the limits.
fn decode_pixels(
    bytes: &[u8],
    format: ImageFormat,
    limits: &IntakeLimits,
) -> Result<(DynamicImage, Orientation), IntakeError> {
    let reader = ImageReader::with_format(Cursor::new(bytes), format.to_image_format());
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(IntakeError::Corrupt("zero-sized image".to_owned()));
    }
    if width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(IntakeError::TooManyPixels { width, height });
    }
    let orientation = decoder.orientation().map_err(corrupt)?;
    let image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    Ok((image, orientation))
}

fn corrupt(err: image::ImageError) -> IntakeError {
    match err {
        image::ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            IntakeError::Truncated
        }
        image::ImageError::Limits(_) => {
            IntakeError::Corrupt("image exceeds decoder limits".to_owned())
        }
        image::ImageError::Unsupported(_) => IntakeError::UnsupportedFormat,
        other => IntakeError::Corrupt(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb};

    fn encode(image: &RgbImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        })
    }

    /// A JPEG whose APP1 segment carries only an EXIF orientation tag.
    fn jpeg_with_orientation(image: &RgbImage, orientation: u16) -> Vec<u8> {
        let jpeg = encode(image, image::ImageFormat::Jpeg);
        let mut tiff = b"II*\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0".to_vec();
        tiff.extend_from_slice(&orientation.to_le_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let length = (app1.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn decodes_each_format_with_or_without_prefix() {
        let image = gradient(40, 30);
        for format in [
            image::ImageFormat::Png,
            image::ImageFormat::Jpeg,
            image::ImageFormat::WebP,
        ] {
            let text = b64(&encode(&image, format));
            let plain = decode_base64_image(&text, &IntakeLimits::default()).unwrap();
            assert_eq!(plain.rgb.dimensions(), (40, 30));
            let prefixed = format!("data:image/whatever;base64,{text}");
            assert_eq!(
                decode_base64_image(&prefixed, &IntakeLimits::default())
                    .unwrap()
                    .rgb
                    .dimensions(),
                (40, 30)
            );
        }
    }

    #[test]
    fn ignores_line_breaks_and_missing_padding() {
        let text = b64(&encode(&gradient(17, 9), image::ImageFormat::Png));
        let wrapped: String = text
            .as_bytes()
            .chunks(76)
            .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
            .collect();
        let unpadded = wrapped.trim_end().trim_end_matches('=');
        assert!(decode_base64_image(unpadded, &IntakeLimits::default()).is_ok());
    }

    #[test]
    fn format_comes_from_bytes_not_prefix() {
        let text = format!(
            "data:image/png;base64,{}",
            b64(&encode(&gradient(8, 8), image::ImageFormat::Jpeg))
        );
        assert_eq!(
            decode_base64_image(&text, &IntakeLimits::default())
                .unwrap()
                .format,
            ImageFormat::Jpeg
        );
        let gif = b64(b"GIF89a\x01\0\x01\0\0\0\0;");
        assert_eq!(
            decode_base64_image(&gif, &IntakeLimits::default()).unwrap_err(),
            IntakeError::UnsupportedFormat
        );
    }

    #[test]
    fn refuses_non_base64_and_empty() {
        assert_eq!(
            decode_base64_image("not base64!!", &IntakeLimits::default()).unwrap_err(),
            IntakeError::NotBase64
        );
        assert_eq!(
            decode_base64_image("  \n", &IntakeLimits::default()).unwrap_err(),
            IntakeError::Empty
        );
    }

    #[test]
    fn refuses_oversize_files_before_decoding() {
        let limits = IntakeLimits {
            max_bytes: 1000,
            ..IntakeLimits::default()
        };
        let text = "A".repeat(4000);
        assert_eq!(
            decode_base64_image(&text, &limits).unwrap_err(),
            IntakeError::TooLarge { limit: 1000 }
        );
    }

    #[test]
    fn refuses_oversize_dimensions_from_header() {
        let bytes = encode(&gradient(300, 200), image::ImageFormat::Png);
        let limits = IntakeLimits {
            max_pixels: 50_000,
            ..IntakeLimits::default()
        };
        assert_eq!(
            decode_image_bytes(&bytes, &limits).unwrap_err(),
            IntakeError::TooManyPixels {
                width: 300,
                height: 200
            }
        );
        let limits = IntakeLimits {
            max_side: 250,
            ..IntakeLimits::default()
        };
        assert!(matches!(
            decode_image_bytes(&bytes, &limits),
            Err(IntakeError::TooManyPixels { .. })
        ));
    }

    #[test]
    fn refuses_truncated_files() {
        let image = gradient(64, 64);
        for format in [
            image::ImageFormat::Jpeg,
            image::ImageFormat::Png,
            image::ImageFormat::WebP,
        ] {
            let bytes = encode(&image, format);
            let cut = &bytes[..bytes.len() * 2 / 3];
            assert!(
                decode_image_bytes(cut, &IntakeLimits::default()).is_err(),
                "{format:?}"
            );
        }
    }

    /// Noise compresses badly: the entropy-coded data fills the file.
    fn noise(width: u32, height: u32) -> RgbImage {
        let mut state = 7u32;
        RgbImage::from_fn(width, height, |x, y| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            Rgb([
                (x * 3) as u8 ^ (state >> 24) as u8,
                (y * 5) as u8,
                (state >> 16) as u8,
            ])
        })
    }

    fn with_end_marker(bytes: &[u8], keep: usize) -> Vec<u8> {
        [&bytes[..keep], [0xFF, 0xD9].as_slice()].concat()
    }

    #[test]
    fn refuses_a_truncated_jpeg_with_its_end_marker_put_back() {
        let jpeg = encode(&noise(200, 120), image::ImageFormat::Jpeg);
        assert!(decode_image_bytes(&jpeg, &IntakeLimits::default()).is_ok());
        for keep in [
            jpeg.len() / 4,
            jpeg.len() / 2,
            jpeg.len() - 40,
            jpeg.len() - 3,
        ] {
            assert_eq!(
                decode_image_bytes(&with_end_marker(&jpeg, keep), &IntakeLimits::default())
                    .unwrap_err(),
                IntakeError::Truncated,
                "kept {keep} of {}",
                jpeg.len()
            );
        }
    }

    /// A real progressive JPEG (from the shared evaluation data): cut in a
    /// scan, or after a scan with later scans missing, with its end marker
    /// put back.
    #[test]
    fn refuses_a_progressive_jpeg_missing_scans_or_part_of_one() {
        let path = ekyc_test_support::shared_data().join("mask/with_mask/with_mask006.jpg");
        let jpeg = std::fs::read(path).unwrap();
        let limits = IntakeLimits::default();
        assert!(decode_image_bytes(&jpeg, &limits).is_ok());
        let scans: Vec<usize> = jpeg
            .windows(2)
            .enumerate()
            .filter(|(_, w)| *w == [0xFF, 0xDA])
            .map(|(at, _)| at)
            .collect();
        assert!(scans.len() > 2, "progressive: several scans");
        let last_scan = scans[scans.len() - 1];
        for keep in [
            last_scan,
            scans[1] + 40,
            last_scan + (jpeg.len() - last_scan) / 2,
            jpeg.len() - 4,
        ] {
            assert_eq!(
                decode_image_bytes(&with_end_marker(&jpeg, keep), &limits).unwrap_err(),
                IntakeError::Truncated,
                "kept {keep} of {}",
                jpeg.len()
            );
        }
    }

    fn crc32_chunk(kind: &[u8], data: &[u8]) -> [u8; 4] {
        crc32(&[kind, data].concat()).to_be_bytes()
    }

    #[test]
    fn refuses_a_truncated_png_whose_chunks_were_made_whole_again() {
        let png = encode(&noise(256, 192), image::ImageFormat::Png);
        let idat = png.windows(4).position(|w| w == b"IDAT").unwrap() - 4;
        let length = u32::from_be_bytes(png[idat..idat + 4].try_into().unwrap()) as usize;
        let kept = &png[idat + 8..idat + 8 + length / 2];
        let mut cut = png[..idat].to_vec();
        cut.extend_from_slice(&(kept.len() as u32).to_be_bytes());
        cut.extend_from_slice(b"IDAT");
        cut.extend_from_slice(kept);
        cut.extend_from_slice(&crc32_chunk(b"IDAT", kept));
        cut.extend_from_slice(&[0, 0, 0, 0]);
        cut.extend_from_slice(b"IEND");
        cut.extend_from_slice(&crc32_chunk(b"IEND", &[]));
        assert!(matches!(
            decode_image_bytes(&cut, &IntakeLimits::default()),
            Err(IntakeError::Corrupt(_) | IntakeError::Truncated)
        ));
    }

    #[test]
    fn refuses_a_truncated_webp_whose_sizes_were_made_whole_again() {
        let webp = encode(&noise(256, 192), image::ImageFormat::WebP);
        let length = u32::from_le_bytes(webp[16..20].try_into().unwrap()) as usize;
        let keep = (length / 2) & !1;
        let mut cut = b"RIFF".to_vec();
        cut.extend_from_slice(&((12 + keep) as u32).to_le_bytes());
        cut.extend_from_slice(&webp[8..16]);
        cut.extend_from_slice(&(keep as u32).to_le_bytes());
        cut.extend_from_slice(&webp[20..20 + keep]);
        assert!(matches!(
            decode_image_bytes(&cut, &IntakeLimits::default()),
            Err(IntakeError::Corrupt(_) | IntakeError::Truncated)
        ));
    }

    #[test]
    fn applies_exif_orientation() {
        let mut image = RgbImage::from_pixel(60, 20, Rgb([0, 0, 0]));
        image.put_pixel(0, 0, Rgb([255, 255, 255]));
        let bytes = jpeg_with_orientation(&image, 6);
        let upright = decode_image_bytes(&bytes, &IntakeLimits::default())
            .unwrap()
            .rgb;
        assert_eq!(upright.dimensions(), (20, 60));
        // Orientation 6 rotates 90° clockwise: the top-left corner moves to the top-right.
        assert!(
            upright.get_pixel(19, 0)[0] > 128,
            "bright corner should be top-right"
        );
    }

    #[test]
    fn header_only_bomb_is_refused_without_decoding() {
        let mut png = Vec::new();
        let mut encoder = png_header(30_000, 30_000);
        png.append(&mut encoder);
        let text = b64(&png);
        assert_eq!(
            decode_base64_image(&text, &IntakeLimits::default()).unwrap_err(),
            IntakeError::TooManyPixels {
                width: 30_000,
                height: 30_000
            }
        );
    }

    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let encoder = image::codecs::png::PngEncoder::new(&mut out);
        encoder
            .write_image(&[0u8; 3], 1, 1, image::ExtendedColorType::Rgb8)
            .unwrap();
        let mut bytes = out.into_inner();
        // Patch IHDR's width and height, then its CRC.
        bytes[16..20].copy_from_slice(&width.to_be_bytes());
        bytes[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        bytes
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,200}") {
            let _ = decode_base64_image(&text, &IntakeLimits::default());
        }

        #[test]
        fn arbitrary_bytes_after_magic_never_panic(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..400), which in 0usize..3) {
            let magic: &[u8] = match which {
                0 => &[0xFF, 0xD8, 0xFF],
                1 => &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
                _ => b"RIFF\0\0\0\0WEBP",
            };
            let mut bytes = magic.to_vec();
            bytes.extend_from_slice(&tail);
            let _ = decode_image_bytes(&bytes, &IntakeLimits::default());
        }
    }
}
