//! The passport data page in the second style, in the zones of ICAO 9303:
//! the header across the top, the portrait on the left, the visual
//! fields in labelled rows to its right (labels Korean and English), and
//! the two-line TD3 MRZ at the foot, its check digits computed here.

use chrono::{Datelike, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;

use super::draw::{self, Face, Sheet, INK, LABEL};
use super::{between, day, iso, people, years_after};
use crate::fonts::CardFonts;
use crate::render::{FlatCard, Truth, ID3_SIZE};

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// `15 JAN 2020`, or with the Korean month first: `15 1월/JAN 2020`.
fn page_date(date: NaiveDate, korean_month: bool) -> String {
    let month = MONTHS[date.month0() as usize];
    if korean_month {
        format!(
            "{:02} {}월/{month} {}",
            date.day(),
            date.month(),
            date.year()
        )
    } else {
        format!("{:02} {month} {}", date.day(), date.year())
    }
}

/// The ICAO 9303 check digit: weights 7, 3, 1 over the characters' values
/// (digits as themselves, `A`–`Z` 10–35, `<` 0), modulo 10.
pub(super) fn check_digit(field: &str) -> char {
    let sum: u32 = field
        .chars()
        .zip([7, 3, 1].iter().cycle())
        .map(|(c, w)| {
            let value = match c {
                '0'..='9' => c as u32 - '0' as u32,
                'A'..='Z' => c as u32 - 'A' as u32 + 10,
                _ => 0,
            };
            value * w
        })
        .sum();
    char::from_digit(sum % 10, 10).unwrap_or('0')
}

/// The two TD3 lines for the holder.
fn machine_zone(
    surname: &str,
    given: &str,
    number: &str,
    birth: NaiveDate,
    male: bool,
    expiry: NaiveDate,
    optional: &str,
) -> [String; 2] {
    let name = format!("{surname}<<{}", given.replace(' ', "<")).replace(' ', "<");
    let name: String = name.chars().take(39).collect();
    let line1 = format!("PMKOR{name:<<39}");
    let number = format!("{number:<<9}");
    let birth = birth.format("%y%m%d").to_string();
    let expiry = expiry.format("%y%m%d").to_string();
    let optional = format!("{optional:<<14}");
    // An empty optional data field takes 0 (or `<`) as its check digit.
    let optional_check = check_digit(&optional);
    let composite = format!(
        "{number}{}{birth}{}{expiry}{}{optional}{optional_check}",
        check_digit(&number),
        check_digit(&birth),
        check_digit(&expiry),
    );
    let line2 = format!(
        "{number}{}KOR{birth}{}{}{expiry}{}{optional}{optional_check}{}",
        check_digit(&number),
        check_digit(&birth),
        if male { 'M' } else { 'F' },
        check_digit(&expiry),
        check_digit(&composite),
    );
    [line1, line2]
}

/// A passport number: `M` and eight digits, or since December 2021 `M`,
/// three digits, a letter and four digits.
fn passport_number(rng: &mut impl Rng, issued: NaiveDate) -> String {
    let first = if rng.gen_bool(0.9) { 'M' } else { 'S' };
    if issued >= day(2021, 12, 21) {
        let letter = char::from(b'A' + rng.gen_range(0..26u8));
        format!(
            "{first}{:03}{letter}{:04}",
            rng.gen_range(0..1000),
            rng.gen_range(0..10_000)
        )
    } else {
        format!("{first}{:08}", rng.gen_range(0..100_000_000))
    }
}

/// One passport data page.
pub(super) fn card(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    let person = people::korean(rng);
    let issued = between(
        rng,
        years_after(person.birth, 1).max(day(2016, 1, 1)),
        day(2026, 6, 30),
    );
    let expiry = years_after(issued, 10);
    let number = passport_number(rng, issued);
    let registration = people::registration_number(rng, person.birth, person.male, false, true);
    // Before 21 December 2020 the optional data held the back part of the
    // resident registration number.
    let optional = if issued < day(2020, 12, 21) {
        registration[7..].to_owned()
    } else {
        String::new()
    };
    let mrz = machine_zone(
        &person.surname_latin,
        &person.given_latin,
        &number,
        person.birth,
        person.male,
        expiry,
        &optional,
    );
    let korean_month = issued >= day(2020, 12, 21) && rng.gen_bool(0.7);
    let authority = "MINISTRY OF FOREIGN AFFAIRS";

    let mut sheet = Sheet::new(ID3_SIZE, draw::paper(rng), fonts);
    let tint = draw::pattern(rng);
    sheet.wash(tint, rng.gen_range(0.05..0.15));
    sheet.guilloche(rng, tint);
    sheet.rosette(rng.gen_range(700..1000), rng.gen_range(250..450), 200, tint);
    let (width, _) = (ID3_SIZE.0 as f32, ID3_SIZE.1 as f32);
    let margin = rng.gen_range(40.0..56.0f32);

    // Zone I: the header.
    let top = rng.gen_range(28.0..40.0f32);
    let header = sheet.write(Face::Bold, margin, top, 38.0, INK, "대한민국");
    sheet.write(
        Face::Body,
        header[0] + header[2] + 20.0,
        top + 8.0,
        28.0,
        INK,
        "REPUBLIC OF KOREA",
    );
    let right_title = if rng.gen_bool(0.5) {
        "여권 PASSPORT"
    } else {
        "여권/PASSPORT"
    };
    let w = sheet.width(Face::Bold, 34.0, right_title);
    sheet.write(
        Face::Bold,
        width - margin - w,
        top + 2.0,
        34.0,
        INK,
        right_title,
    );

    // Zone V: the portrait.
    let photo_w = rng.gen_range(280..320u32);
    let photo_h = photo_w * 4 / 3;
    let photo_y = (top + header[3]) as i32 + rng.gen_range(40..60);
    let portrait = sheet.portrait(rng, margin as i32, photo_y, photo_w, photo_h);

    // Zones II–IV: labelled rows.
    let left = margin + photo_w as f32 + rng.gen_range(34.0..50.0);
    let columns = [left, left + 260.0, left + 520.0];
    let english_first = rng.gen_bool(0.3);
    let label = |korean: &str, english: &str| {
        if english_first {
            format!("{english}/{korean}")
        } else {
            format!("{korean}/{english}")
        }
    };
    let sex = if person.male { "M" } else { "F" };
    let rows: Vec<Vec<(String, String)>> = vec![
        vec![
            (label("종류", "Type"), "PM".to_owned()),
            (label("발행국", "Issuing country"), "KOR".to_owned()),
            (label("여권번호", "Passport No."), number.clone()),
        ],
        vec![(label("성", "Surname"), person.surname_latin.clone())],
        vec![(label("이름", "Given names"), person.given_latin.clone())],
        vec![(
            ["한글성명", "한글 성명"]
                .choose(rng)
                .copied()
                .unwrap_or("한글성명")
                .to_owned(),
            person.hangul.clone(),
        )],
        vec![
            (
                label("생년월일", "Date of birth"),
                page_date(person.birth, korean_month),
            ),
            (String::new(), String::new()),
            (label("성별", "Sex"), sex.to_owned()),
        ],
        vec![(label("국적", "Nationality"), "REPUBLIC OF KOREA".to_owned())],
        vec![
            (
                label("발급일", "Date of issue"),
                page_date(issued, korean_month),
            ),
            (String::new(), String::new()),
            (
                label("기간만료일", "Date of expiry"),
                page_date(expiry, korean_month),
            ),
        ],
        vec![(label("발행관청", "Authority"), authority.to_owned())],
    ];
    let label_size = 17.0;
    let value_size = rng.gen_range(27.0..31.0f32);
    let mut y = photo_y as f32 - 8.0;
    for row in &rows {
        for (column, (caption, value)) in row.iter().enumerate() {
            if caption.is_empty() {
                continue;
            }
            let x = columns[column];
            let room = if row.len() == 1 || column == 2 {
                width - margin - x
            } else {
                columns[column + 1] - x - 16.0
            };
            let s = sheet.fitting(Face::Body, label_size, room, caption);
            sheet.write(Face::Body, x, y, s, LABEL, caption);
            let face = if column == 0 && row.len() == 1 && value.is_ascii() {
                Face::Bold
            } else {
                Face::Body
            };
            let s = sheet.fitting(face, value_size, room, value);
            sheet.write(
                face,
                x,
                y + sheet.height(Face::Body, label_size) + 2.0,
                s,
                INK,
                value,
            );
        }
        y += sheet.height(Face::Body, label_size) + sheet.height(Face::Bold, value_size) + 12.0;
    }

    // Zone VII: the MRZ, sized so 44 characters span the page's width.
    let mrz_width = width - 2.0 * margin;
    let mrz_size = sheet.fitting(Face::Mrz, 60.0, mrz_width, &mrz[0]);
    let mrz_top = ID3_SIZE.1 as f32 - 30.0 - 2.4 * sheet.height(Face::Mrz, mrz_size);
    let mrz_top = mrz_top.max(y + 10.0);
    sheet.write(Face::Mrz, margin, mrz_top, mrz_size, INK, &mrz[0]);
    sheet.write(
        Face::Mrz,
        margin,
        mrz_top + 1.3 * sheet.height(Face::Mrz, mrz_size),
        mrz_size,
        INK,
        &mrz[1],
    );

    let [line1, line2] = mrz;
    let truth = Truth::from([
        ("idType", "PASSPORT".to_owned()),
        ("name", person.hangul),
        ("birthDate", iso(person.birth)),
        ("passportNo", number),
        ("surname", person.surname_latin),
        ("givenNames", person.given_latin),
        ("nationality", "KOR".to_owned()),
        ("sex", sex.to_owned()),
        ("issueDate", iso(issued)),
        ("expiryDate", iso(expiry)),
        ("issuingCountry", "KOR".to_owned()),
        ("mrzLine1", line1),
        ("mrzLine2", line2),
    ]);
    FlatCard {
        image: sheet.image,
        truth,
        portrait,
        printed: sheet.printed,
    }
}
