//! 운전면허증 in the second style. Newer cards (from 2017) carry the
//! portrait on the left, `Driver's License` beside the title and the held
//! licence types each in a box or on one line; older cards carry the
//! portrait on the right and a grid of every licence type with the held
//! ones marked. Cards issued before June 2014 print the region's name in
//! the licence number.

use chrono::{Datelike, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;

use super::draw::{self, Face, Sheet, INK, LABEL};
use super::resident::address_lines;
use super::{between, day, dotted_date, iso, people, places, years_after};
use crate::fonts::CardFonts;
use crate::render::{FlatCard, Truth, ID1_SIZE};

/// The licence types in the order of the law, as cards print them: written
/// here rather than taken from `ekyc_doc::licence::LICENCE_TYPES`, so that
/// a mistake in the reader's table shows in the benchmark instead of being
/// printed on its cards.
const TYPES: [&str; 9] = [
    "1종대형",
    "1종보통",
    "1종소형",
    "대형견인차",
    "구난차",
    "소형견인차",
    "2종보통",
    "2종소형",
    "2종원동기장치자전거",
];

/// Sets of types one holder has (indices into [`TYPES`]), the common
/// ones repeated to weigh them.
const HELD: [&[usize]; 12] = [
    &[1],
    &[1],
    &[1],
    &[6],
    &[6],
    &[6],
    &[1, 7],
    &[0, 1],
    &[0, 1, 3],
    &[6, 8],
    &[1, 2],
    &[0, 4, 5],
];

/// Region codes of licence numbers and the names older cards print.
const REGIONS: [(u32, &str); 17] = [
    (11, "서울"),
    (12, "부산"),
    (13, "경기"),
    (14, "강원"),
    (15, "충북"),
    (16, "충남"),
    (17, "전북"),
    (18, "전남"),
    (19, "경북"),
    (20, "경남"),
    (21, "제주"),
    (22, "대구"),
    (23, "인천"),
    (24, "광주"),
    (25, "대전"),
    (26, "울산"),
    (28, "경기북부"),
];

/// What one licence says.
struct Licence {
    /// `RR-YY-SSSSSS-CD`, the answer's form.
    number: String,
    /// As printed: the code form, or the region's name before June 2014.
    printed_number: String,
    /// The region's name where printed.
    region: Option<&'static str>,
    /// Held types, in the order of the law.
    types: Vec<&'static str>,
    issued: NaiveDate,
    /// The renewal period as printed, and its end.
    period: (String, NaiveDate),
    /// `적성검사기간` for first-class licences, `갱신기간` for second.
    period_label: &'static str,
    condition: Option<&'static str>,
    serial: String,
}

fn licence(rng: &mut impl Rng, birth: NaiveDate) -> Licence {
    let held = HELD.choose(rng).copied().unwrap_or(&[1]);
    let types: Vec<&'static str> = held.iter().map(|i| TYPES[*i]).collect();
    let first = between(rng, years_after(birth, 18), day(2024, 12, 31));
    // Cards in use: renewed within the last ten years or so.
    let issued = between(rng, first.max(day(2013, 1, 1)), day(2026, 6, 30));
    let (code, name) = *REGIONS.choose(rng).unwrap_or(&(11, "서울"));
    let rest = format!(
        "{:02}-{:06}-{:02}",
        first.year() % 100,
        rng.gen_range(0..1_000_000),
        rng.gen_range(0..100)
    );
    let number = format!("{code}-{rest}");
    let named = issued < day(2014, 6, 1);
    let printed_number = if named {
        format!("{name} {rest}")
    } else {
        number.clone()
    };
    let first_class = held.iter().any(|i| *i < 6);
    let due = years_after(issued, 10);
    let period = if issued >= day(2020, 1, 1) {
        let (start, end) = (day(due.year(), 1, 1), day(due.year(), 12, 31));
        (
            format!("{} ~ {}", dotted_date(start), dotted_date(end)),
            end,
        )
    } else {
        let start = due - chrono::Duration::days(182);
        let end = due + chrono::Duration::days(182);
        (
            format!("{} ~ {}", dotted_date(start), dotted_date(end)),
            end,
        )
    };
    Licence {
        number,
        printed_number,
        region: named.then_some(name),
        types,
        issued,
        period,
        period_label: if first_class {
            "적성검사기간"
        } else {
            "갱신기간"
        },
        condition: rng
            .gen_bool(0.15)
            .then(|| ["A", "B", "A, B"].choose(rng).copied())
            .flatten(),
        serial: people::serial(rng, 6),
    }
}

/// One driving licence.
pub(super) fn card(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    let person = people::korean(rng);
    let number = people::registration_number(rng, person.birth, person.male, false, true);
    let home = places::address(rng);
    let licence = licence(rng, person.birth);
    let newer = licence.issued >= day(2017, 1, 1) || rng.gen_bool(0.2);
    let issuer = places::police_head(rng, &home, licence.issued >= day(2021, 1, 1));
    let issuer = places::as_of(&issuer, licence.issued);
    let address = places::as_of(&home.text, licence.issued);

    let mut sheet = Sheet::new(ID1_SIZE, draw::paper(rng), fonts);
    let tint = draw::pattern(rng);
    sheet.wash(tint, rng.gen_range(0.08..0.2));
    if rng.gen_bool(0.5) {
        sheet.dots(7, tint);
    } else {
        sheet.guilloche(rng, tint);
    }
    let (width, height) = (ID1_SIZE.0 as f32, ID1_SIZE.1 as f32);
    let margin = rng.gen_range(34.0..52.0f32);

    // The title row.
    let title_size = rng.gen_range(40.0..48.0f32);
    let top = rng.gen_range(24.0..36.0f32);
    let title = sheet.write(Face::Bold, margin, top, title_size, INK, "자동차운전면허증");
    let y = top + title[3] + rng.gen_range(16.0..26.0);
    if newer {
        let english = "Driver's License";
        let size = rng.gen_range(24.0..30.0f32);
        let x = title[0] + title[2] + 28.0;
        sheet.write(
            Face::Body,
            x,
            top + title[3] - size * 1.1,
            size,
            LABEL,
            english,
        );
    }

    let photo_w = rng.gen_range(200..226u32);
    let photo_h = photo_w * 13 / 10;
    let photo_x = if newer {
        margin as i32
    } else {
        (width - margin) as i32 - photo_w as i32
    };
    let photo_y = y as i32 + 4;
    let portrait = sheet.portrait(rng, photo_x, photo_y, photo_w, photo_h);
    let serial_size = 26.0;
    let serial_w = sheet.width(Face::Body, serial_size, &licence.serial);
    sheet.write(
        Face::Body,
        photo_x as f32 + (photo_w as f32 - serial_w) / 2.0,
        (photo_y + photo_h as i32) as f32 + 12.0,
        serial_size,
        INK,
        &licence.serial,
    );
    let (left, right) = if newer {
        ((photo_x + photo_w as i32) as f32 + 30.0, width - margin)
    } else {
        (margin, photo_x as f32 - 24.0)
    };

    let types = if !newer {
        Types::Grid
    } else if rng.gen_bool(0.6) {
        Types::Boxes
    } else {
        Types::Line(if rng.gen_bool(0.5) { "  " } else { ", " })
    };
    let address_size = rng.gen_range(25.0..30.0f32);
    let block = Block {
        left,
        right,
        number_size: rng.gen_range(36.0..44.0),
        types,
        types_first: newer && rng.gen_bool(0.4),
        name_size: rng.gen_range(34.0..42.0),
        id_size: rng.gen_range(29.0..34.0),
        address_size,
        address: address_lines(&sheet, rng, address_size, right - left, &address),
        period_size: rng.gen_range(25.0..29.0),
    };
    // Spread the rows down to the foot, which the date and issuer take.
    let foot = height - 100.0;
    let packed = draw_block(
        &mut sheet.scratch(),
        &block,
        &licence,
        &person.hangul,
        &number,
        y,
        0.0,
    );
    let gap = ((foot - packed) / 7.0).clamp(4.0, 30.0);
    let y = draw_block(
        &mut sheet,
        &block,
        &licence,
        &person.hangul,
        &number,
        y,
        gap,
    );

    // The issue date and the issuer at the foot, right-aligned, or below
    // the portrait where the text column leaves no room.
    let issuer_size = rng.gen_range(30.0..34.0f32);
    let date_size = rng.gen_range(24.0..28.0f32);
    let issuer_y = height - 24.0 - sheet.height(Face::Bold, issuer_size);
    let date_y = (issuer_y - sheet.height(Face::Body, date_size) - 6.0).max(y);
    let issuer_y = issuer_y.max(date_y + sheet.height(Face::Body, date_size) + 4.0);
    let date = dotted_date(licence.issued);
    let date_w = sheet.width(Face::Body, date_size, &date);
    sheet.write(Face::Body, right - date_w, date_y, date_size, INK, &date);
    let issuer_size = sheet.fitting(Face::Bold, issuer_size, right - left, &issuer);
    let issuer_w = sheet.width(Face::Bold, issuer_size, &issuer);
    sheet.write(
        Face::Bold,
        right - issuer_w,
        issuer_y,
        issuer_size,
        INK,
        &issuer,
    );
    sheet.seal(
        (right - 40.0) as i32,
        issuer_y as i32 - 14,
        (issuer_size * 1.5) as i32,
    );

    let mut truth = Truth::from([
        ("idType", "DRIVER".to_owned()),
        ("name", person.hangul),
        ("idNum", number),
        ("birthDate", iso(person.birth)),
        ("licenseNo", licence.number),
        ("licenseType", licence.types[0].to_owned()),
        ("licenseTypes", licence.types.join(",")),
        ("address", address),
        ("issueDate", iso(licence.issued)),
        ("expiryDate", iso(licence.period.1)),
        ("serialNo", licence.serial),
        ("issuer", issuer),
    ]);
    if let Some(region) = licence.region {
        truth.insert("licenseRegion", region.to_owned());
    }
    if let Some(condition) = licence.condition {
        truth.insert("condition", condition.to_owned());
    }
    FlatCard {
        image: sheet.image,
        truth,
        portrait,
        printed: sheet.printed,
    }
}

/// How a licence prints the held types.
#[derive(Clone, Copy)]
enum Types {
    /// Each held type in a box, side by side.
    Boxes,
    /// The held types on one line, joined by the separator.
    Line(&'static str),
    /// Every type in a grid, the held ones marked.
    Grid,
}

/// The text column's rows, drawn from the licence number down to the
/// renewal period and condition.
struct Block {
    left: f32,
    right: f32,
    number_size: f32,
    types: Types,
    /// The types above the licence number rather than below it.
    types_first: bool,
    name_size: f32,
    id_size: f32,
    address_size: f32,
    address: Vec<String>,
    period_size: f32,
}

/// Draws the text column from `y` with `gap` between rows; returns the
/// y below it.
fn draw_block(
    sheet: &mut Sheet<'_>,
    block: &Block,
    licence: &Licence,
    name: &str,
    number: &str,
    mut y: f32,
    gap: f32,
) -> f32 {
    let (left, right) = (block.left, block.right);
    let types = |sheet: &mut Sheet<'_>, y: f32| match block.types {
        Types::Boxes => boxed_types(sheet, left, y + 4.0, &licence.types),
        Types::Line(separator) => {
            let line = licence.types.join(separator);
            let size = sheet.fitting(Face::Bold, 30.0, right - left, &line);
            sheet.write(Face::Bold, left, y, size, INK, &line);
            y + sheet.height(Face::Bold, size)
        }
        Types::Grid => type_grid(sheet, left, y, right - left, &licence.types),
    };
    if block.types_first {
        y = types(sheet, y) + gap;
    }
    sheet.write(
        Face::Bold,
        left,
        y,
        block.number_size,
        INK,
        &licence.printed_number,
    );
    y += sheet.height(Face::Bold, block.number_size) + gap;
    if !block.types_first {
        y = types(sheet, y) + gap;
    }
    sheet.write(Face::Bold, left, y, block.name_size, INK, name);
    y += sheet.height(Face::Bold, block.name_size) + gap;
    sheet.write(Face::Body, left, y, block.id_size, INK, number);
    y += sheet.height(Face::Body, block.id_size) + gap;
    for line in &block.address {
        let size = sheet.fitting(Face::Body, block.address_size, right - left, line);
        sheet.write(Face::Body, left, y, size, INK, line);
        y += sheet.height(Face::Body, block.address_size) * 1.2;
    }
    y += gap;

    // The renewal period after its label, the condition under it.
    let label_size = 20.0;
    let label = sheet.write(Face::Body, left, y, label_size, LABEL, licence.period_label);
    let period_x = label[0] + label[2] + 14.0;
    let size = sheet.fitting(
        Face::Body,
        block.period_size,
        right - period_x,
        &licence.period.0,
    );
    sheet.write(
        Face::Body,
        period_x,
        y - (size - label_size) * 0.5,
        size,
        INK,
        &licence.period.0,
    );
    y += sheet.height(Face::Body, size) + gap.min(10.0);
    if let Some(condition) = licence.condition {
        let label = sheet.write(Face::Body, left, y, label_size, LABEL, "조건");
        let size = label_size + 4.0;
        sheet.write(
            Face::Body,
            label[0] + label[2] + 14.0,
            y,
            size,
            INK,
            condition,
        );
        y += sheet.height(Face::Body, size) + 6.0;
    }
    y
}

/// The held types side by side, each in a box; returns the y below them.
fn boxed_types(sheet: &mut Sheet<'_>, left: f32, y: f32, types: &[&str]) -> f32 {
    let size = 26.0;
    let height = sheet.height(Face::Bold, size);
    let mut x = left + 6.0;
    for kind in types {
        let w = sheet.width(Face::Bold, size, kind);
        sheet.frame(
            x as i32 - 6,
            y as i32 - 4,
            w as u32 + 12,
            height as u32 + 8,
            INK,
        );
        sheet.write(Face::Bold, x, y, size, INK, kind);
        x += w + 28.0;
    }
    y + height + 4.0
}

/// Every type in a three-column grid, the held ones on a coloured cell
/// in bold and the others faint; returns the y below the grid.
fn type_grid(sheet: &mut Sheet<'_>, left: f32, y: f32, width: f32, held: &[&str]) -> f32 {
    let cell_w = (width / 3.0).floor();
    let cell_h = 32.0;
    for (i, kind) in TYPES.iter().enumerate() {
        let x = left + cell_w * (i % 3) as f32;
        let top = y + cell_h * (i / 3) as f32;
        let is_held = held.contains(kind);
        if is_held {
            sheet.fill(
                x as i32 + 1,
                top as i32 + 1,
                cell_w as u32 - 2,
                cell_h as u32 - 2,
                image::Rgb([250, 214, 200]),
            );
        }
        sheet.frame(x as i32, top as i32, cell_w as u32, cell_h as u32, LABEL);
        let face = if is_held { Face::Bold } else { Face::Body };
        let colour = if is_held {
            INK
        } else {
            image::Rgb([150, 155, 165])
        };
        let size = sheet.fitting(face, 21.0, cell_w - 10.0, kind);
        let text_y = top + (cell_h - sheet.height(face, size)) / 2.0;
        sheet.write(face, x + 5.0, text_y, size, colour, kind);
    }
    y + cell_h * 3.0
}
