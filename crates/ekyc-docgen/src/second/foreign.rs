//! 외국인등록증 in the second style: `외국인등록증` with `RESIDENCE CARD`,
//! the portrait on the left, and bilingual labels either above their
//! values or beside them. The country is printed in Latin, in Korean, or
//! both; the status of stay as `E-9`, `E-9 비전문취업` or `영주(F-5)`;
//! long names wrap to a second line.

use chrono::Datelike;
use rand::seq::SliceRandom;
use rand::Rng;

use super::draw::{self, Face, Sheet, INK, LABEL};
use super::{between, day, dotted_date, iso, people, places, spaced_date, years_after};
use crate::fonts::CardFonts;
use crate::render::{FlatCard, Truth, ID1_SIZE};

/// Statuses of stay: the code (the answer's form) and its Korean name.
const STATUSES: [(&str, &str); 14] = [
    ("E-9", "비전문취업"),
    ("E-9", "비전문취업"),
    ("H-2", "방문취업"),
    ("F-4", "재외동포"),
    ("F-5", "영주"),
    ("F-6", "결혼이민"),
    ("D-2", "유학"),
    ("D-4", "일반연수"),
    ("E-7", "특정활동"),
    ("F-2", "거주"),
    ("E-2", "회화지도"),
    ("D-10", "구직"),
    ("F-1", "방문동거"),
    ("E-8", "계절근로"),
];

/// The status as one card prints it.
fn status_text(rng: &mut impl Rng, code: &str, korean: &str) -> String {
    match rng.gen_range(0..5) {
        0 => code.to_owned(),
        1 => format!("{code} {korean}"),
        2 => format!("{korean}({code})"),
        3 => format!("{code}({korean})"),
        _ => format!("{korean} ({code})"),
    }
}

/// One field: its label, Korean and English, and its value lines.
struct Field {
    korean: &'static str,
    english: &'static str,
    value: Vec<String>,
    face: Face,
}

/// One residence card.
pub(super) fn card(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    let person = people::foreigner(rng);
    let issued = between(
        rng,
        years_after(person.birth, 18).max(day(2012, 1, 1)),
        day(2026, 6, 30),
    );
    // Numbers given since October 2020 carry no valid check digit.
    let checked = issued < day(2020, 10, 1) || rng.gen_bool(0.4);
    let number = people::registration_number(rng, person.birth, person.male, true, checked);
    let (code, status) = *STATUSES.choose(rng).unwrap_or(&("E-9", "비전문취업"));
    let issuer = places::immigration_head(rng, issued.year());
    let serial = people::serial(rng, 9);

    let mut sheet = Sheet::new(ID1_SIZE, draw::paper(rng), fonts);
    let tint = draw::pattern(rng);
    sheet.wash(tint, rng.gen_range(0.1..0.22));
    sheet.guilloche(rng, tint);
    sheet.rosette(rng.gen_range(600..900), rng.gen_range(200..400), 130, tint);
    let (width, height) = (ID1_SIZE.0 as f32, ID1_SIZE.1 as f32);
    let margin = rng.gen_range(34.0..50.0f32);

    let top = rng.gen_range(24.0..36.0f32);
    let title_size = rng.gen_range(42.0..50.0f32);
    let title = sheet.write(Face::Bold, margin, top, title_size, INK, "외국인등록증");
    let english_size = rng.gen_range(24.0..30.0f32);
    let english = "RESIDENCE CARD";
    if rng.gen_bool(0.5) {
        let w = sheet.width(Face::Bold, english_size, english);
        sheet.write(
            Face::Bold,
            width - margin - w,
            top + title[3] - english_size * 1.15,
            english_size,
            LABEL,
            english,
        );
    } else {
        sheet.write(
            Face::Bold,
            title[0] + title[2] + 24.0,
            top + title[3] - english_size * 1.15,
            english_size,
            LABEL,
            english,
        );
    }

    let photo_w = rng.gen_range(196..222u32);
    let photo_h = photo_w * 13 / 10;
    let photo_x = margin as i32;
    let photo_y = (top + title[3]) as i32 + rng.gen_range(20..34);
    let portrait = sheet.portrait(rng, photo_x, photo_y, photo_w, photo_h);
    let serial_size = 24.0;
    sheet.write(
        Face::Body,
        photo_x as f32 + 4.0,
        (photo_y + photo_h as i32) as f32 + 12.0,
        serial_size,
        INK,
        &serial,
    );

    let left = (photo_x + photo_w as i32) as f32 + rng.gen_range(26.0..40.0);
    let right = width - margin;
    let beside = rng.gen_bool(0.5);
    let label_size = rng.gen_range(17.0..21.0f32);
    let value_size = rng.gen_range(29.0..35.0f32);
    let label_w = 190.0;
    let value_left = if beside { left + label_w } else { left };
    let value_width = if beside {
        (right - value_left).min(rng.gen_range(330.0..480.0))
    } else {
        right - value_left
    };
    let name_lines = if rng.gen_bool(0.4) {
        sheet.wrap(
            Face::Bold,
            value_size + 4.0,
            value_width * 0.75,
            &person.name,
        )
    } else {
        sheet.wrap(Face::Bold, value_size + 4.0, value_width, &person.name)
    };
    let country = match rng.gen_range(0..10) {
        0..=4 => person.country_latin.to_owned(),
        5..=7 => person.country_korean.to_owned(),
        _ => format!("{} / {}", person.country_latin, person.country_korean),
    };
    let date = if rng.gen_bool(0.8) {
        dotted_date(issued)
    } else {
        spaced_date(issued)
    };
    let fields = [
        Field {
            korean: "외국인등록번호",
            english: "Registration No.",
            value: vec![number.clone()],
            face: Face::Bold,
        },
        Field {
            korean: "성명",
            english: "Name",
            value: name_lines,
            face: Face::Bold,
        },
        Field {
            korean: "국가/지역",
            english: "Country/Region",
            value: vec![country],
            face: Face::Body,
        },
        Field {
            korean: "체류자격",
            english: "Status",
            value: vec![status_text(rng, code, status)],
            face: Face::Body,
        },
        Field {
            korean: "발급일자",
            english: "Issue Date",
            value: vec![date],
            face: Face::Body,
        },
    ];
    let layout = Layout {
        left,
        value_left,
        right,
        label_w,
        label_size,
        value_size,
        beside,
        bilingual_inline: rng.gen_bool(0.5),
    };
    // The fields spread down to the issuer's line.
    let issuer_size = rng.gen_range(28.0..32.0f32);
    let issuer_y = height - 24.0 - sheet.height(Face::Bold, issuer_size);
    let fields_top = photo_y as f32 - 6.0;
    let packed = draw_fields(&mut sheet.scratch(), &fields, &layout, fields_top, 0.0);
    let gap = ((issuer_y - 40.0 - packed) / fields.len() as f32).clamp(8.0, 36.0);
    let y = draw_fields(&mut sheet, &fields, &layout, fields_top, gap);

    let issuer_y = issuer_y.max(y);
    let issuer_w = sheet.width(Face::Bold, issuer_size, &issuer);
    sheet.write(
        Face::Bold,
        right - issuer_w - 30.0,
        issuer_y,
        issuer_size,
        INK,
        &issuer,
    );
    sheet.seal(
        (right - 56.0) as i32,
        issuer_y as i32 - 16,
        (issuer_size * 1.7) as i32,
    );

    let truth = Truth::from([
        ("idType", "FOREIGN".to_owned()),
        ("name", person.name),
        ("idNum", number),
        ("birthDate", iso(person.birth)),
        ("nationality", person.country_latin.to_owned()),
        ("visaType", code.to_owned()),
        ("issueDate", iso(issued)),
        ("issuer", issuer),
        ("serialNo", serial),
    ]);
    FlatCard {
        image: sheet.image,
        truth,
        portrait,
        printed: sheet.printed,
    }
}

/// Where the fields go: labels at `left`, values at `value_left`, either
/// under their labels or beside them.
struct Layout {
    left: f32,
    value_left: f32,
    right: f32,
    label_w: f32,
    label_size: f32,
    value_size: f32,
    beside: bool,
    /// Korean and English labels on one line rather than two.
    bilingual_inline: bool,
}

/// Draws the fields from `y` with `gap` after each; returns the y below.
fn draw_fields(
    sheet: &mut Sheet<'_>,
    fields: &[Field],
    layout: &Layout,
    mut y: f32,
    gap: f32,
) -> f32 {
    let Layout {
        left,
        value_left,
        right,
        label_w,
        label_size,
        value_size,
        beside,
        bilingual_inline,
    } = *layout;
    let label_h = sheet.height(Face::Body, label_size);
    for field in fields {
        let size = if field.face == Face::Bold {
            value_size + 4.0
        } else {
            value_size
        };
        let label_lines: Vec<String> = if bilingual_inline || !beside {
            vec![format!("{} {}", field.korean, field.english)]
        } else {
            vec![field.korean.to_owned(), field.english.to_owned()]
        };
        if beside {
            let mut label_y = y;
            for line in &label_lines {
                let s = sheet.fitting(Face::Body, label_size, label_w - 12.0, line);
                sheet.write(Face::Body, left, label_y, s, LABEL, line);
                label_y += label_h + 2.0;
            }
            let mut value_y = y;
            for line in &field.value {
                let s = sheet.fitting(field.face, size, right - value_left, line);
                sheet.write(field.face, value_left, value_y, s, INK, line);
                value_y += sheet.height(field.face, size) + 2.0;
            }
            y = value_y.max(label_y) + gap;
        } else {
            sheet.write(Face::Body, left, y, label_size, LABEL, &label_lines[0]);
            y += label_h + 2.0;
            for line in &field.value {
                let s = sheet.fitting(field.face, size, right - value_left, line);
                sheet.write(field.face, value_left, y, s, INK, line);
                y += sheet.height(field.face, size) + 2.0;
            }
            y += gap;
        }
    }
    y
}
