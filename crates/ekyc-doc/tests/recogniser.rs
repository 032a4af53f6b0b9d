//! Golden tests of the project's line recogniser (`ko_crnn`): lines of
//! every field type, printed in the cards' fonts and photographed by the
//! generator, must read back exactly, up to the width of spaces (which the
//! parsers ignore: `2020. 1.15.` is the date `2020. 1. 15.`).

use ekyc_doc::crnn::CrnnRecogniser;
use ekyc_doc::recognise::{LineRecogniser, MrzReader, Script};
use ekyc_docgen::lines::{printed_line, TrainingLine};
use ekyc_docgen::{Generator, LineShape};
use ekyc_runtime::{load_session, Manifest};

fn recogniser() -> CrnnRecogniser {
    let model_dir = ekyc_test_support::init_runtime();
    let manifest = Manifest::builtin().expect("manifest");
    let session = load_session(&manifest.path(&model_dir, "ko_crnn").expect("entry"))
        .expect("scripts/setup.sh fetches ko_crnn.onnx");
    let mrz = MrzReader::open(
        "libtesseract.so.5",
        &manifest.path(&model_dir, "mrz_tesseract").expect("entry"),
    )
    .expect("scripts/setup.sh installs Tesseract");
    CrnnRecogniser::new(session, mrz)
}

/// What cards print, one of each kind of field.
const LINES: [(&str, Script); 12] = [
    ("주민등록증", Script::Korean),
    ("홍길동(洪吉童)", Script::Korean),
    ("900101-1234568", Script::Digits),
    ("서울특별시 강남구 테헤란로 152", Script::Korean),
    ("101동 1203호 (역삼동)", Script::Korean),
    ("2020. 1. 15.", Script::Digits),
    ("11-19-123456-78", Script::Digits),
    ("1종보통 2종소형", Script::Korean),
    ("2025.01.01 ~ 2025.12.31", Script::Digits),
    ("REPUBLIC OF KOREA", Script::Latin),
    ("E-9 (비전문취업)", Script::Korean),
    ("M12345678", Script::Latin),
];

/// `text` printed by the generator (font and degradations from `seed`)
/// and cut as the reader cuts a line.
fn photographed(text: &str, seed: u64) -> TrainingLine {
    let generator = Generator::new().expect("scripts/setup.sh installs the card fonts");
    printed_line(&generator, text, seed, LineShape::PLAIN)
        .expect("a photographed line")
        .expect("a box inside the strip")
}

fn without_spaces(text: &str) -> String {
    text.split_whitespace().collect()
}

#[test]
fn printed_field_lines_read_back_exactly() {
    let mut recogniser = recogniser();
    let mut wrong = Vec::new();
    for (seed, (text, script)) in LINES.iter().enumerate() {
        let line = photographed(text, seed as u64);
        let reading = recogniser.read(&line.image, *script).expect("a reading");
        if without_spaces(&reading.text) != without_spaces(&line.text) {
            wrong.push((line.text, reading.text));
        }
    }
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[test]
fn a_clean_line_reads_with_high_confidence_and_a_blank_one_with_little() {
    let mut recogniser = recogniser();
    let line = photographed("김민준", 3);
    let reading = recogniser
        .read(&line.image, Script::Korean)
        .expect("a reading");
    assert_eq!(reading.text, "김민준");
    assert!(reading.confidence > 0.9, "{}", reading.confidence);

    let blank = image::GrayImage::from_pixel(120, 40, image::Luma([235]));
    let reading = recogniser.read(&blank, Script::Korean).expect("a reading");
    assert!(reading.confidence < 0.5, "{reading:?}");
}

#[test]
fn a_digit_field_reads_digits_where_letters_look_alike() {
    let mut recogniser = recogniser();
    let line = photographed("2019.05.03", 5);
    let digits = recogniser
        .read(&line.image, Script::Digits)
        .expect("a reading");
    assert_eq!(digits.text, "2019.05.03");
    assert!(digits.text.chars().all(|c| "0123456789-.~ ".contains(c)));
}
