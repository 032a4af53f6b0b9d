//! Training lines for the recogniser: the strings of generated cards, cut
//! from their photos where they were printed, the way the reader cuts the
//! lines it detects.
//!
//! The photo goes through the same degradations as the benchmark's, is
//! rectified with slightly wrong corners (the finder is never exact), and
//! each line gets the margins of a detector box, uneven and a little off.
//! Strings on one row that a detector would join are joined.

use ekyc_doc::crnn::{line_input, ALPHABET};
use ekyc_doc::kind::DocumentKind;
use ekyc_doc::line_crop;
use ekyc_doc::textdet::TextBox;
use ekyc_image::warp_quad;
use image::{imageops, GrayImage};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::{
    FontSet, Generator, GeneratorError, LineShape, PrintedText, Sample, ID1_SIZE, ID3_SIZE,
};

/// The fonts of the training lines: the cards' own and others from
/// Debian's Korean font packages (`fonts-nanum`, `fonts-nanum-extra`,
/// `fonts-nanum-eco`, `fonts-unfonts-core`, `fonts-unfonts-extra`,
/// `fonts-baekmuk`, `fonts-noto-cjk`, `fonts-noto-cjk-extra`,
/// `fonts-naver-d2coding`): only faces that print every character of the
/// alphabet and the Hanja after names.
pub const TRAINING_FONTS: FontSet = FontSet {
    body: &[
        "truetype/nanum/NanumGothic.ttf",
        "truetype/nanum/NanumBarunGothic.ttf",
        "truetype/unfonts-core/UnDotum.ttf",
        "truetype/unfonts-core/UnBatang.ttf",
        "truetype/nanum/NanumMyeongjo.ttf",
        "truetype/unfonts-core/UnGraphic.ttf",
        "truetype/baekmuk/batang.ttf",
        "truetype/baekmuk/dotum.ttf",
        "opentype/noto/NotoSansCJK-Regular.ttc",
        "opentype/noto/NotoSerifCJK-Regular.ttc",
        "truetype/nanum/NanumBarunGothicLight.ttf",
        "truetype/nanum/NanumGothicCoding.ttf",
        "truetype/nanum/NanumBarunpenR.ttf",
        "truetype/unfonts-core/UnDinaru.ttf",
        "truetype/unfonts-core/UnDinaruLight.ttf",
        "opentype/noto/NotoSansCJK-Light.ttc",
        "opentype/noto/NotoSansCJK-DemiLight.ttc",
        "opentype/noto/NotoSansCJK-Medium.ttc",
        "opentype/noto/NotoSerifCJK-Light.ttc",
        "opentype/noto/NotoSerifCJK-Medium.ttc",
        "truetype/nanum/NanumGothicEco.ttf",
        "truetype/naver-d2coding/D2Coding-Ver1.3.2-20180524-all.ttc",
        "truetype/unfonts-extra/UnShinmun.ttf",
        "truetype/unfonts-extra/UnYetgul.ttf",
    ],
    bold: &[
        "truetype/nanum/NanumGothicBold.ttf",
        "truetype/nanum/NanumMyeongjoBold.ttf",
        "truetype/unfonts-core/UnDotumBold.ttf",
        "truetype/nanum/NanumBarunGothicBold.ttf",
        "truetype/unfonts-core/UnBatangBold.ttf",
        "opentype/noto/NotoSansCJK-Bold.ttc",
        "truetype/nanum/NanumGothicExtraBold.ttf",
        "truetype/nanum/NanumMyeongjoExtraBold.ttf",
        "truetype/nanum/NanumBarunpenB.ttf",
        "truetype/unfonts-core/UnGraphicBold.ttf",
        "truetype/unfonts-core/UnDinaruBold.ttf",
        "opentype/noto/NotoSansCJK-Black.ttc",
        "opentype/noto/NotoSerifCJK-SemiBold.ttc",
        "opentype/noto/NotoSerifCJK-Black.ttc",
        "truetype/nanum/NanumGothicEcoBold.ttf",
        "truetype/nanum/NanumGothicEcoExtraBold.ttf",
    ],
    mrz: "opentype/ocr-b/OCRB.otf",
};

/// Fonts kept out of training, to measure how the recogniser does on
/// typefaces it has never seen. Their relatives (NanumSquare Round and
/// the `_ac` cut) are kept out too.
pub const HELD_OUT_FONTS: FontSet = FontSet {
    body: &[
        "truetype/nanum/NanumSquareR.ttf",
        "truetype/baekmuk/gulim.ttf",
    ],
    bold: &[
        "truetype/nanum/NanumSquareB.ttf",
        "truetype/baekmuk/hline.ttf",
    ],
    mrz: "opentype/ocr-b/OCRB.otf",
};

/// One line with what it says: the recogniser's input from `cut_lines`
/// and `random_line`, the crop before scaling from `printed_line`.
pub struct TrainingLine {
    /// What the line says.
    pub text: String,
    /// The line's pixels.
    pub image: GrayImage,
}

/// Cuts every printed line out of `sample`, a photo of a `kind` card.
pub fn cut_lines(sample: &Sample, kind: DocumentKind, rng: &mut impl Rng) -> Vec<TrainingLine> {
    let (width, height) = match kind {
        DocumentKind::Passport => ID3_SIZE,
        _ => ID1_SIZE,
    };
    let wobble = width as f32 * 0.003;
    let corners = sample.corners.map(|[x, y]| {
        [
            x + rng.gen_range(-wobble..wobble),
            y + rng.gen_range(-wobble..wobble),
        ]
    });
    let Some(card) = warp_quad(&sample.image, &corners, width, height) else {
        return Vec::new();
    };
    let gray = imageops::grayscale(&card);
    let mut lines: Vec<TrainingLine> = rows(&sample.printed)
        .into_iter()
        .filter_map(|row| {
            let text = training_label(&row.text);
            let area = detector_box(&row, rng, gray.dimensions())?;
            (!text.is_empty()).then(|| TrainingLine {
                text,
                image: line_input(&line_crop(&gray, &area)),
            })
        })
        .collect();
    lines.extend(
        blank_box(&sample.printed, rng, gray.dimensions()).map(|area| TrainingLine {
            text: String::new(),
            image: line_input(&line_crop(&gray, &area)),
        }),
    );
    lines
}

/// A line-sized box of the card with no text in it (pattern, portrait,
/// hologram), which should read as nothing: the detector sometimes boxes
/// such places, and a reading there must not invent characters.
fn blank_box(printed: &[PrintedText], rng: &mut impl Rng, size: (u32, u32)) -> Option<TextBox> {
    let (width, height) = (size.0 as f32, size.1 as f32);
    (0..20).find_map(|_| {
        let h = rng.gen_range(18.0..48.0f32);
        let w = h * rng.gen_range(1.5..8.0f32);
        let x = rng.gen_range(0.0..(width - w).max(1.0));
        let y = rng.gen_range(0.0..(height - h).max(1.0));
        let candidate = [x, y, w, h];
        let clear = printed.iter().all(|p| !overlaps(&p.area, &candidate));
        (clear && x + w <= width && y + h <= height).then_some(TextBox {
            x,
            y,
            w,
            h,
            score: 1.0,
        })
    })
}

/// Whether two `[x, y, width, height]` boxes come within a quarter of the
/// first's height of each other.
fn overlaps(a: &[f32; 4], b: &[f32; 4]) -> bool {
    let margin = a[3] * 0.25;
    a[0] - margin < b[0] + b[2]
        && b[0] < a[0] + a[2] + margin
        && a[1] - margin < b[1] + b[3]
        && b[1] < a[1] + a[3] + margin
}

/// A line of random characters, printed and photographed. The cards'
/// strings repeat their vocabularies; a name can hold any syllable.
pub fn random_line(
    generator: &Generator,
    seed: u64,
) -> Result<Option<TrainingLine>, GeneratorError> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let text = random_text(&mut rng);
    let shape = random_shape(&mut rng);
    Ok(
        printed_line(generator, &text, seed, shape)?.map(|line| TrainingLine {
            text: line.text,
            image: line_input(&line.image),
        }),
    )
}

/// A line of numbers shaped like the documents' (dates in their several
/// notations, registration, licence and serial numbers), printed and
/// photographed as `random_line`'s. The cards print few of them each, and
/// a digit misread costs a whole key field: a fine-tune on other strings
/// drifts on them first.
pub fn number_line(
    generator: &Generator,
    seed: u64,
) -> Result<Option<TrainingLine>, GeneratorError> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ 0x00d1_6175);
    let text = number_text(&mut rng);
    let shape = random_shape(&mut rng);
    Ok(
        printed_line(generator, &text, seed, shape)?.map(|line| TrainingLine {
            text: line.text,
            image: line_input(&line.image),
        }),
    )
}

fn number_text(rng: &mut impl Rng) -> String {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let year = rng.gen_range(1930..2040);
    let month = rng.gen_range(1..=12);
    let day = rng.gen_range(1..=31);
    match rng.gen_range(0..8) {
        0 => format!("{year}.{month:02}.{day:02}"),
        1 => format!("{year}. {month}. {day}."),
        2 => format!("{day:02} {} {year}", MONTHS[month - 1]),
        3 => format!("{:02}{month:02}{day:02}-{}", year % 100, digits(rng, 7)),
        4 => format!(
            "{}-{}-{}-{}",
            digits(rng, 2),
            digits(rng, 2),
            digits(rng, 6),
            digits(rng, 2)
        ),
        5 => (0..rng.gen_range(5..11))
            .map(|_| {
                if rng.gen_bool(0.3) {
                    char::from(b'A' + rng.gen_range(0..26u8))
                } else {
                    char::from(b'0' + rng.gen_range(0..10u8))
                }
            })
            .collect(),
        6 => format!("{year}.{month:02}.{day:02} ~ {}.12.31", year + 10),
        _ => {
            let count = rng.gen_range(3..14);
            digits(rng, count)
        }
    }
}

fn digits(rng: &mut impl Rng, count: usize) -> String {
    (0..count)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// `text` printed on a strip of card, set as `shape` says, and
/// photographed (font, size and degradations chosen by `seed`), cut as
/// the reader cuts a line.
pub fn printed_line(
    generator: &Generator,
    text: &str,
    seed: u64,
    shape: LineShape,
) -> Result<Option<TrainingLine>, GeneratorError> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ 0x11e5);
    let (image, printed) = generator.strip(text, seed, shape)?;
    let gray = imageops::grayscale(&image);
    Ok(
        detector_box(&printed, &mut rng, gray.dimensions()).map(|area| TrainingLine {
            text: training_label(text),
            image: line_crop(&gray, &area),
        }),
    )
}

/// Half the random lines are set as their font sets them; the others are
/// condensed or expanded, and some letter-spaced, as other typefaces are.
fn random_shape(rng: &mut impl Rng) -> LineShape {
    if rng.gen_bool(0.5) {
        return LineShape::PLAIN;
    }
    LineShape {
        stretch: rng.gen_range(0.75..1.35),
        tracking: if rng.gen_bool(0.4) {
            rng.gen_range(0.02..0.3)
        } else {
            0.0
        },
    }
}

fn random_text(rng: &mut impl Rng) -> String {
    let alphabet: Vec<char> = ALPHABET.chars().collect();
    let hangul: Vec<char> = alphabet.iter().copied().filter(|c| *c >= '가').collect();
    let pool: &[char] = match rng.gen_range(0..10) {
        0..=4 => &hangul,
        5 | 6 => &[
            '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '-', '.', ' ',
        ],
        7 => &alphabet[..alphabet.iter().position(|c| *c == 'a').unwrap_or(1)],
        _ => &alphabet,
    };
    let length = rng.gen_range(1..16);
    let text: String = (0..length)
        .map(|_| {
            if rng.gen_bool(0.1) {
                ' '
            } else {
                *pool.choose(rng).unwrap_or(&'가')
            }
        })
        .collect();
    match text.trim() {
        "" => "가".to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

/// Joins strings printed side by side on one row with a gap a detector
/// would bridge (under about one character height).
fn rows(printed: &[PrintedText]) -> Vec<PrintedText> {
    let mut items: Vec<&PrintedText> = printed
        .iter()
        .filter(|p| !p.text.trim().is_empty())
        .collect();
    items.sort_by(|a, b| a.area[0].total_cmp(&b.area[0]));
    let mut rows: Vec<PrintedText> = Vec::new();
    for item in items {
        match rows.iter_mut().find(|row| continues(row, item)) {
            Some(row) => {
                let right = item.area[0] + item.area[2];
                let top = row.area[1].min(item.area[1]);
                let bottom = (row.area[1] + row.area[3]).max(item.area[1] + item.area[3]);
                row.text = format!("{} {}", row.text, item.text);
                row.area = [row.area[0], top, right - row.area[0], bottom - top];
            }
            None => rows.push(item.clone()),
        }
    }
    rows
}

fn continues(row: &PrintedText, item: &PrintedText) -> bool {
    let height = row.area[3].max(item.area[3]);
    let centre = |a: &[f32; 4]| a[1] + a[3] / 2.0;
    let gap = item.area[0] - (row.area[0] + row.area[2]);
    (centre(&row.area) - centre(&item.area)).abs() < 0.3 * height && gap < 0.8 * height
}

/// The row's box with uneven margins, as the text detector draws it.
fn detector_box(row: &PrintedText, rng: &mut impl Rng, size: (u32, u32)) -> Option<TextBox> {
    let [x, y, w, h] = row.area;
    let left = x - h * rng.gen_range(0.0..0.35);
    let right = x + w + h * rng.gen_range(0.0..0.35);
    let top = y - h * rng.gen_range(-0.03..0.25);
    let bottom = y + h + h * rng.gen_range(-0.03..0.25);
    let (left, top) = (left.max(0.0), top.max(0.0));
    let (right, bottom) = (right.min(size.0 as f32), bottom.min(size.1 as f32));
    (right - left >= 4.0 && bottom - top >= 4.0).then_some(TextBox {
        x: left,
        y: top,
        w: right - left,
        h: bottom - top,
        score: 1.0,
    })
}

/// What the recogniser should answer for a printed string: the Hanja in
/// parentheses after a name is dropped (no field needs it), and runs of
/// spaces become one.
pub fn training_label(printed: &str) -> String {
    let mut kept = String::new();
    let mut rest = printed;
    while let Some(open) = rest.find('(') {
        let close = rest[open..].find(')').map_or(rest.len(), |c| open + c + 1);
        let group = &rest[open..close];
        kept.push_str(&rest[..open]);
        if !group.chars().any(is_hanja) {
            kept.push_str(group);
        }
        rest = &rest[close..];
    }
    kept.push_str(rest);
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_hanja(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{F900}'..='\u{FAFF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hanja_after_a_name_is_dropped() {
        assert_eq!(training_label("홍길동(洪吉童)"), "홍길동");
        assert_eq!(training_label("E-9 (비전문취업)"), "E-9 (비전문취업)");
        assert_eq!(training_label("1종보통  2종소형"), "1종보통 2종소형");
    }

    #[test]
    fn neighbours_on_a_row_are_joined() {
        let text = |text: &str, area| PrintedText {
            text: text.to_owned(),
            area,
        };
        let printed = [
            text("성명", [10.0, 10.0, 40.0, 20.0]),
            text("Name", [60.0, 11.0, 40.0, 20.0]),
            text("far", [400.0, 10.0, 40.0, 20.0]),
            text("below", [10.0, 60.0, 40.0, 20.0]),
        ];
        let joined: Vec<String> = rows(&printed).into_iter().map(|r| r.text).collect();
        assert_eq!(joined, ["성명 Name", "below", "far"]);
    }
}
