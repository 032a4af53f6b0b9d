//! 주민등록증 in the second style: title, name with Hanja, number and a
//! one- to three-line address down the left, portrait right, the issue
//! date and the district head with a seal at the foot. Some cards label
//! their fields (`성 명`, `주소`, `발급일`), as some redesigns did, and
//! 재외국민 cards carry their mark beside the title.

use rand::seq::SliceRandom;
use rand::Rng;

use super::draw::{self, Face, Sheet, INK, LABEL};
use super::{between, day, iso, people, places, spaced_date, years_after};
use crate::fonts::CardFonts;
use crate::render::{FlatCard, Truth, ID1_SIZE};

/// One resident card.
pub(super) fn card(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    let person = people::korean(rng);
    let number = people::registration_number(rng, person.birth, person.male, false, true);
    let home = places::address(rng);
    let issued = between(
        rng,
        years_after(person.birth, 17).max(day(1999, 1, 1)),
        day(2026, 6, 30),
    );
    let issuer = if rng.gen_bool(0.75) {
        places::district_head(rng, &home)
    } else {
        let elsewhere = places::address(rng);
        places::district_head(rng, &elsewhere)
    };
    let issuer = places::as_of(&issuer, issued);
    let address = places::as_of(&home.text, issued);
    let abroad = rng.gen_bool(0.1);
    let labelled = rng.gen_bool(0.35);

    let mut sheet = Sheet::new(ID1_SIZE, draw::paper(rng), fonts);
    let tint = draw::pattern(rng);
    sheet.wash(tint, rng.gen_range(0.05..0.15));
    sheet.guilloche(rng, tint);
    if rng.gen_bool(0.5) {
        sheet.rosette(rng.gen_range(150..450), rng.gen_range(380..560), 110, tint);
    }

    let left = rng.gen_range(40.0..64.0f32);
    let top = rng.gen_range(30.0..48.0f32);
    let title = if rng.gen_bool(0.3) {
        "주 민 등 록 증"
    } else {
        "주민등록증"
    };
    let title_size = rng.gen_range(52.0..64.0f32);
    let title_box = sheet.write(Face::Bold, left, top, title_size, INK, title);
    if abroad {
        let size = 26.0;
        let mark = "재외국민";
        let x = title_box[0] + title_box[2] + 24.0;
        let y = top + (title_box[3] - size) / 2.0;
        let w = sheet.width(Face::Bold, size, mark);
        sheet.frame(
            x as i32 - 6,
            y as i32 - 4,
            w as u32 + 12,
            sheet.height(Face::Bold, size) as u32 + 8,
            draw::SEAL,
        );
        sheet.write(Face::Bold, x, y, size, draw::SEAL, mark);
    }

    let photo_w = rng.gen_range(220..250u32);
    let photo_h = photo_w * 13 / 10;
    let photo_x = ID1_SIZE.0 as i32 - rng.gen_range(44..70) - photo_w as i32;
    let photo_y = rng.gen_range(135..165);
    let portrait = sheet.portrait(rng, photo_x, photo_y, photo_w, photo_h);
    if rng.gen_bool(0.6) {
        let ghost_w = 64;
        sheet.ghost(
            portrait,
            photo_x + photo_w as i32 - ghost_w as i32,
            photo_y + photo_h as i32 + 14,
            ghost_w,
        );
    }

    // Labelled cards set the values after a label column; the labels are
    // in Hangul, spaced or not, or in Hanja as older forms print them
    // (where the face has the glyphs).
    const HANJA_LABELS: [&str; 4] = ["姓名", "住民登錄番號", "住所", "發給日"];
    let hanja_labels =
        rng.gen_bool(0.25) && HANJA_LABELS.iter().all(|l| sheet.covers(Face::Body, l));
    let labels: [&str; 4] = if hanja_labels {
        HANJA_LABELS
    } else {
        [
            ["성명", "성 명"].choose(rng).copied().unwrap_or("성명"),
            "주민등록번호",
            ["주소", "주 소"].choose(rng).copied().unwrap_or("주소"),
            ["발급일", "발급일자"]
                .choose(rng)
                .copied()
                .unwrap_or("발급일"),
        ]
    };
    let label_size = 22.0;
    let column = if labelled {
        left + sheet.width(Face::Body, label_size, labels[1]) + 22.0
    } else {
        left
    };
    let text_right = photo_x as f32 - 20.0;
    let label = |sheet: &mut Sheet<'_>, which: usize, y: f32, value_size: f32| {
        if labelled {
            let dy = (value_size - label_size) * 0.6;
            sheet.write(Face::Body, left, y + dy, label_size, LABEL, labels[which]);
        }
    };

    let name_size = rng.gen_range(40.0..48.0f32);
    let mut y = top + title_box[3] + rng.gen_range(34.0..52.0);
    // The name in bold, or in the regular face where only that one
    // carries the Hanja.
    let (name, face) = match &person.hanja {
        Some(hanja) => {
            let gap = if rng.gen_bool(0.3) { " " } else { "" };
            let full = format!("{}{gap}({hanja})", person.hangul);
            if sheet.covers(Face::Bold, hanja) {
                (full, Face::Bold)
            } else if sheet.covers(Face::Body, hanja) {
                (full, Face::Body)
            } else {
                (person.hangul.clone(), Face::Bold)
            }
        }
        None => (person.hangul.clone(), Face::Bold),
    };
    let name_size = sheet.fitting(face, name_size, text_right - column, &name);
    label(&mut sheet, 0, y, name_size);
    sheet.write(face, column, y, name_size, INK, &name);
    y += sheet.height(face, name_size) + rng.gen_range(14.0..24.0);

    let number_size = rng.gen_range(34.0..42.0f32);
    label(&mut sheet, 1, y, number_size);
    sheet.write(Face::Body, column, y, number_size, INK, &number);
    y += sheet.height(Face::Body, number_size) + rng.gen_range(18.0..30.0);

    let address_size = rng.gen_range(27.0..33.0f32);
    let width = text_right - column;
    let lines = address_lines(&sheet, rng, address_size, width, &address);
    label(&mut sheet, 2, y, address_size);
    for line in &lines {
        let size = sheet.fitting(Face::Body, address_size, width, line);
        sheet.write(Face::Body, column, y, size, INK, line);
        y += sheet.height(Face::Body, address_size) * 1.2;
    }

    let date_size = rng.gen_range(30.0..36.0f32);
    let issuer_size = rng.gen_range(34.0..40.0f32);
    let foot = ID1_SIZE.1 as f32 - rng.gen_range(30.0..44.0);
    let issuer_y = foot - sheet.height(Face::Bold, issuer_size);
    let date_y =
        (issuer_y - sheet.height(Face::Body, date_size) - rng.gen_range(12.0..22.0)).max(y + 6.0);
    let date = spaced_date(issued);
    let centre = (text_right + left) / 2.0 + rng.gen_range(-30.0..30.0);
    if labelled {
        let date_x = centre - sheet.width(Face::Body, date_size, &date) / 2.0;
        let label_w = sheet.width(Face::Body, label_size, labels[3]);
        sheet.write(
            Face::Body,
            date_x - label_w - 18.0,
            date_y + (date_size - label_size) * 0.6,
            label_size,
            LABEL,
            labels[3],
        );
    }
    let date_w = sheet.width(Face::Body, date_size, &date);
    sheet.write(
        Face::Body,
        centre - date_w / 2.0,
        date_y,
        date_size,
        INK,
        &date,
    );
    let issuer_size = sheet.fitting(Face::Bold, issuer_size, text_right - left - 70.0, &issuer);
    let issuer_w = sheet.width(Face::Bold, issuer_size, &issuer);
    let issuer_x = (centre - issuer_w / 2.0).max(left);
    sheet.write(Face::Bold, issuer_x, issuer_y, issuer_size, INK, &issuer);
    sheet.seal(
        (issuer_x + issuer_w) as i32 - 18,
        issuer_y as i32 - 12,
        (issuer_size * 1.6) as i32,
    );

    let truth = Truth::from([
        ("idType", "RESIDENT".to_owned()),
        ("name", person.hangul),
        ("idNum", number),
        ("birthDate", iso(person.birth)),
        ("address", address),
        ("issueDate", iso(issued)),
        ("issuer", issuer),
    ]);
    FlatCard {
        image: sheet.image,
        truth,
        portrait,
        printed: sheet.printed,
    }
}

/// The address set in lines of at most `width`: broken where it fits,
/// or (on some cards) first after its comma, then where it fits; the size
/// is kept and the lines are at most three, the last taking what is left.
pub(super) fn address_lines(
    sheet: &Sheet<'_>,
    rng: &mut impl Rng,
    size: f32,
    width: f32,
    text: &str,
) -> Vec<String> {
    let at_comma = rng.gen_bool(0.4);
    let chunks: Vec<String> = match text.split_once(", ") {
        Some((head, tail)) if at_comma => vec![format!("{head},"), tail.to_owned()],
        _ => vec![text.to_owned()],
    };
    let mut lines: Vec<String> = chunks
        .iter()
        .flat_map(|chunk| sheet.wrap(Face::Body, size, width, chunk))
        .collect();
    if lines.len() > 3 {
        let rest = lines.split_off(2).join(" ");
        lines.push(rest);
    }
    lines
}
