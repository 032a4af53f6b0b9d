//! Starting inputs for each target, made in code (no sample files are
//! copied into the repo): valid values and the nasty inputs an eKYC
//! server meets, from decompression bombs to SQL in a user code.

use std::io::Cursor;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ekyc_image::RgbImage;

/// The seeds of a target, by its name in [`crate::TARGETS`].
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "image_intake" => images(),
        "request_parts" => request_parts(),
        "onnx_model" => onnx_models(),
        "calibration" => calibrations(),
        "document_fields" => document_fields(),
        _ => Vec::new(),
    }
}

fn gradient(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 16) as u8, (y * 16) as u8, ((x + y) * 8) as u8])
    })
}

fn encoded(image: &RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, format)
        .expect("encoding a small image in memory");
    out.into_inner()
}

/// A JPEG whose APP1 segment says EXIF orientation `value`.
fn with_exif_orientation(jpeg: &[u8], value: u16) -> Vec<u8> {
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01".to_vec();
    tiff.extend_from_slice(&value.to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut segment = b"Exif\x00\x00".to_vec();
    segment.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((segment.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A PNG that announces `width`×`height` pixels and holds none.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    png
}

fn images() -> Vec<Vec<u8>> {
    use image::ImageFormat;
    let small = gradient(16, 12);
    let jpeg = encoded(&small, ImageFormat::Jpeg);
    let png = encoded(&small, ImageFormat::Png);
    let webp = encoded(&small, ImageFormat::WebP);
    let mut png_with_zip = png.clone();
    png_with_zip.extend_from_slice(b"PK\x03\x04polyglot");
    let mut html_as_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    html_as_jpeg.extend_from_slice(b"<html><script>alert(1)</script></html>");
    let data_url = format!("data:image/png;base64,{}", STANDARD.encode(&png));
    vec![
        jpeg.clone(),
        jpeg[..jpeg.len() / 2].to_vec(),
        with_exif_orientation(&jpeg, 6),
        with_exif_orientation(&jpeg, 9),
        png.clone(),
        png[..png.len() - 5].to_vec(),
        webp,
        png_header_only(30_000, 30_000),
        png_header_only(0, 1),
        png_with_zip,
        html_as_jpeg,
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
        b"RIFF\x00\x00\x00\x00WEBPVP8 ".to_vec(),
        data_url.into_bytes(),
        b"  \r\n=== not base64 ###".to_vec(),
        Vec::new(),
    ]
}

fn request_parts() -> Vec<Vec<u8>> {
    let nested = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    [
        r#"{"accessKey": "AK123", "secretKey": "SK456"}"#,
        r#"{"userCode": "user-1", "image": "iVBORw0KGgo=", "engine": "ezway"}"#,
        r#"{"userCode": "' OR '1'='1", "image": "", "context": "login"}"#,
        r#"{"userCode": "u; DROP TABLE face_users; --", "image": "x"}"#,
        r#"{"image1": "a", "image2": "b"}"#,
        r#"{"image": "a", "checkType": "all", "idType": "PASSPORT"}"#,
        r#"{"name": "bank", "expiresAt": 99999999999999999999}"#,
        r#"{"image": "\ud800", "image": "dup"}"#,
        r#"{"image": 1e999}"#,
        "en-US,en;q=0.9,ko;q=NaN",
        "Bearer eyJhbGciOiJub25lIn0.e30.",
        "bearer    ",
        "user-01@bank.kr:x_y",
        &nested,
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .chain([b"{\"image\": \"\xff\xfe\"}".to_vec(), vec![0; 64]])
    .collect()
}

fn length_delimited(field: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![(field << 3) | 2];
    let mut length = payload.len();
    loop {
        let byte = (length & 0x7F) as u8;
        length >>= 7;
        if length == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(payload);
    out
}

fn onnx_models() -> Vec<Vec<u8>> {
    let node = length_delimited(
        1,
        &[length_delimited(1, b"data"), length_delimited(1, b"w")].concat(),
    );
    let input = |name: &[u8]| length_delimited(11, &length_delimited(1, name));
    let graph = [node, input(b"data"), input(b"unused"), input(b"w")].concat();
    let model = [vec![0x08, 0x07], length_delimited(7, &graph)].concat();
    vec![
        model.clone(),
        model[..model.len() - 3].to_vec(),
        vec![0x39, 1, 2, 3],
        vec![0xFF; 11],
    ]
}

fn calibrations() -> Vec<Vec<u8>> {
    [
        "[[calibration]]\nengine = \"ezway\"\nmodel_version = \"v1\"\nknots = [[-1.0, 0.0], [0.3, -3.0], [0.6, -6.0], [1.0, -9.0]]\n",
        "[[calibration]]\nengine = \"e\"\nmodel_version = \"v\"\nknots = [[0.5, -1.0], [0.4, -2.0]]\n",
        "[[calibration]]\nengine = \"e\"\nmodel_version = \"v\"\nknots = [[nan, -1.0], [inf, -2.0]]\n",
        "[[calibration]]\nengine = \"e\"\nmodel_version = \"v\"\nknots = [[0.1, -1.0]]\n",
        "not toml [[",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

/// Field texts of every kind the document parsers read, well formed and
/// as OCR garbles them.
fn document_fields() -> Vec<Vec<u8>> {
    [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
        "P<KORHONG<<GILDONG<<<<<<<<<<<<<<<<<<<<<<<<<<\nM12345678<KOR9001011M3001157<<<<<<<<<<<<<<04",
        "PMKORHONG<<GILDONG<<<<<<<<<<<<<<<<<<<<<<<<<<\nM1234S67B<KOR9OO1011M3001157<<<<<<<<<<<<<<04",
        "900101-1234568",
        "050229 8234561",
        "11-20-123456-78",
        "서울 20-123456-78",
        "경기북부 09-123456-01",
        "2020. 1. 15.",
        "2025.01.01 ~ 2025.12.31",
        "15 1월/JAN 2030",
        "주민등록증\n홍길동(洪吉童)\n900101-1234568\n서울특별시 강남구 테헤란로 123",
        "자동차운전면허증\n1종보통\n서울 20-123456-78",
        "외국인등록증 RESIDENCE CARD\nHONG GILDONG\n900101-5234567",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}
