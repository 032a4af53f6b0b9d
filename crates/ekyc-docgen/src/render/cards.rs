//! The four documents' layouts: where each field goes, in which face and
//! size, and the ground truth it stands for.

use chrono::{Datelike, Duration, NaiveDate};
use image::Rgb;
use imageproc::drawing::draw_filled_rect_mut;
use imageproc::rect::Rect;
use rand::seq::SliceRandom;
use rand::Rng;

use super::canvas::{blank, portrait, seal};
use super::{FlatCard, Truth, ID1_SIZE, ID3_SIZE};
use crate::fonts::CardFonts;
use crate::identity::{self, Person};

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `2020. 1. 15.`: dots, spaces, no zero padding.
fn resident_date(date: NaiveDate) -> String {
    format!("{}. {}. {}.", date.year(), date.month(), date.day())
}

fn dotted_date(date: NaiveDate) -> String {
    date.format("%Y.%m.%d").to_string()
}

/// `01 JAN 1990`; newer passports add the Korean month: `01 1월/JAN 1990`.
fn passport_date(date: NaiveDate, bilingual: bool) -> String {
    let month = date.format("%b").to_string().to_uppercase();
    if bilingual {
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

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

fn adult_issue_date(rng: &mut impl Rng, person: &Person, from_year: i32) -> NaiveDate {
    let adult = person.birth + Duration::days(365 * 18);
    let start = adult.max(day(from_year, 1, 1));
    identity::date_after(rng, start, (day(2026, 6, 30) - start).num_days())
}

pub(super) fn resident(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    let mut card = blank(ID1_SIZE, rng, fonts);
    let person = identity::person(rng);
    let number = identity::registration_number(rng, &person, false);
    let address = identity::address(rng);
    let issued = adult_issue_date(rng, &person, 2000);
    let (province, district) = address[0]
        .split_once(' ')
        .unwrap_or(("서울특별시", "강남구 "));
    let district = district.split(' ').next().unwrap_or("강남구");
    let issuer = format!("{province} {}", identity::head_of(district));
    let dx = rng.gen_range(-15..15);
    let dy = rng.gen_range(-10..10);

    card.bold(60 + dx, 45 + dy, 66.0, "주민등록증");
    if rng.gen_bool(0.1) {
        card.label(420 + dx, 70 + dy, 28.0, "재외국민");
    }
    card.text(
        75 + dx,
        165 + dy,
        50.0,
        &format!("{}({})", person.hangul, person.hanja),
    );
    card.text(75 + dx, 240 + dy, 48.0, &number);
    for (i, line) in address.iter().enumerate() {
        card.text(75 + dx, 320 + dy + 44 * i as i32, 32.0, line);
    }
    let date_text = resident_date(issued);
    let date_x = 420 - card.width_of(card.fonts.body, 34.0, &date_text) / 2;
    card.text(date_x, 490 + dy, 34.0, &date_text);
    let issuer_width = card.width_of(card.fonts.bold, 40.0, &issuer);
    card.bold(420 - issuer_width / 2, 550 + dy, 40.0, &issuer);
    seal(&mut card, 420 + issuer_width / 2 + 10, 540 + dy, 60);
    let box_ = portrait(&mut card, rng, 715 + dx / 2, 140 + dy, 240, 310);

    let truth = Truth::from([
        ("idType", "RESIDENT".to_owned()),
        ("name", person.hangul.clone()),
        ("idNum", number),
        ("birthDate", iso(person.birth)),
        ("address", address.join(" ")),
        ("issueDate", iso(issued)),
        ("issuer", issuer),
    ]);
    FlatCard {
        image: card.image,
        truth,
        portrait: box_,
        printed: card.printed,
    }
}

pub(super) fn driver(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    let mut card = blank(ID1_SIZE, rng, fonts);
    let person = identity::person(rng);
    let number = identity::registration_number(rng, &person, false);
    let address = identity::address(rng);
    let issued = adult_issue_date(rng, &person, 2008);
    let (licence_no, region) = identity::licence_number(rng, issued);
    let types = identity::licence_types(rng);
    let renewal_end = day(issued.year() + 10, 12, 31);
    let renewal_start = day(issued.year() + 10, 1, 1);
    let serial = identity::serial(rng, 6);
    let new_layout = issued >= day(2014, 6, 1);
    let (province, district) = address[0].split_once(' ').unwrap_or(("서울특별시", ""));
    let issuer = identity::police_head(province, district, new_layout);
    let dx = rng.gen_range(-12..12);
    let dy = rng.gen_range(-8..8);
    let (photo_x, text_x) = if new_layout { (40, 310) } else { (740, 50) };
    let text_x = text_x + dx;

    card.bold(text_x, 30 + dy, 54.0, "자동차운전면허증");
    if new_layout {
        card.label(text_x + 5, 92 + dy, 26.0, "Driver's License");
    }
    card.text(text_x, 130 + dy, 32.0, &types.join("  "));
    let printed_number = match region {
        Some(name) => format!("{name} {}", &licence_no[3..]),
        None => licence_no.clone(),
    };
    card.text(text_x, 175 + dy, 42.0, &printed_number);
    card.text(text_x, 238 + dy, 42.0, &person.hangul);
    card.text(text_x, 295 + dy, 38.0, &number);
    for (i, line) in address.iter().enumerate() {
        card.text(text_x, 350 + dy + 38 * i as i32, 28.0, line);
    }
    let period_label = if new_layout {
        "갱신기간"
    } else {
        "적성검사기간"
    };
    let period = format!(
        "{} ~ {}",
        dotted_date(renewal_start),
        dotted_date(renewal_end)
    );
    card.label(text_x, 448 + dy, 24.0, period_label);
    card.text(text_x, 478 + dy, 30.0, &period);
    let condition = ["A", "B", "E"]
        .choose(rng)
        .copied()
        .filter(|_| rng.gen_bool(0.3));
    if let Some(condition) = condition {
        card.label(text_x + 430, 448 + dy, 24.0, "조건");
        card.text(text_x + 490, 444 + dy, 30.0, condition);
    }
    card.text(text_x + 120, 530 + dy, 32.0, &dotted_date(issued));
    card.bold(text_x + 120, 575 + dy, 36.0, &issuer);
    let box_ = portrait(&mut card, rng, photo_x, 120 + dy, 230, 300);
    card.text(photo_x + 50, 450 + dy, 30.0, &serial);

    let mut truth = Truth::from([
        ("idType", "DRIVER".to_owned()),
        ("name", person.hangul.clone()),
        ("idNum", number),
        ("birthDate", iso(person.birth)),
        ("licenseNo", licence_no),
        ("licenseType", types[0].to_owned()),
        ("licenseTypes", types.join(",")),
        ("address", address.join(" ")),
        ("issueDate", iso(issued)),
        ("expiryDate", iso(renewal_end)),
        ("serialNo", serial),
        ("issuer", issuer),
    ]);
    if let Some(region) = region {
        truth.insert("licenseRegion", region.to_owned());
    }
    if let Some(condition) = condition {
        truth.insert("condition", condition.to_owned());
    }
    FlatCard {
        image: card.image,
        truth,
        portrait: box_,
        printed: card.printed,
    }
}

pub(super) fn foreign(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    let mut card = blank(ID1_SIZE, rng, fonts);
    let person = identity::person(rng);
    let number = identity::registration_number(rng, &person, true);
    let name = identity::foreign_name(rng);
    let (country, country_ko, _) = identity::country(rng);
    let (visa, visa_ko) = identity::visa(rng);
    let issued = adult_issue_date(rng, &person, 2011);
    let serial = identity::serial(rng, 9);
    let dx = rng.gen_range(-12..12);
    let dy = rng.gen_range(-8..8);
    let x = 310 + dx;

    card.bold(x, 28 + dy, 52.0, "외국인등록증");
    card.label(x + 370, 45 + dy, 26.0, "RESIDENCE CARD");
    card.label(x, 110 + dy, 22.0, "외국인등록번호");
    card.text(x, 135 + dy, 40.0, &number);
    card.label(x, 195 + dy, 22.0, "성명 Name");
    card.text(x, 220 + dy, 38.0, &name);
    card.label(x, 280 + dy, 22.0, "국가/지역 Country/Region");
    card.text(x, 305 + dy, 34.0, &format!("{country} / {country_ko}"));
    card.label(x, 360 + dy, 22.0, "체류자격 Status");
    card.text(x, 385 + dy, 34.0, &format!("{visa} ({visa_ko})"));
    card.label(x, 440 + dy, 22.0, "발급일자 Issue Date");
    card.text(x, 465 + dy, 34.0, &dotted_date(issued));
    card.bold(x + 120, 545 + dy, 36.0, "서울출입국·외국인청장");
    let box_ = portrait(&mut card, rng, 40, 110 + dy, 230, 300);
    card.text(55, 440 + dy, 30.0, &serial);

    let truth = Truth::from([
        ("idType", "FOREIGN".to_owned()),
        ("name", name),
        ("idNum", number),
        ("birthDate", iso(person.birth)),
        ("nationality", country.to_owned()),
        ("visaType", visa.to_owned()),
        ("issueDate", iso(issued)),
        ("serialNo", serial),
    ]);
    FlatCard {
        image: card.image,
        truth,
        portrait: box_,
        printed: card.printed,
    }
}

pub(super) fn passport(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    let mut card = blank(ID3_SIZE, rng, fonts);
    let person = identity::person(rng);
    let issued = adult_issue_date(rng, &person, 2012);
    let expiry = issued + Duration::days(365 * 10 - 1);
    let number = identity::passport_number(rng, issued);
    // Before 21 December 2020 the optional data held the RRN's back part.
    let optional = if issued < day(2020, 12, 21) {
        identity::registration_number(rng, &person, false)[7..].to_owned()
    } else {
        String::new()
    };
    let mrz = identity::passport_mrz(&person, &number, expiry, &optional);
    let bilingual = issued >= day(2020, 12, 21);
    let sex = if person.male { "M" } else { "F" };
    let dy = rng.gen_range(-8..8);
    let x = 420;
    let columns = [x, x + 250, x + 520];

    card.bold(40, 30 + dy, 44.0, "여권 PASSPORT");
    card.label(560, 40 + dy, 30.0, "대한민국 REPUBLIC OF KOREA");
    let rows: [(&str, &str, usize, i32); 9] = [
        ("종류/Type", "PM", 0, 110),
        ("발행국/Issuing country", "KOR", 1, 110),
        ("여권번호/Passport No.", &number, 2, 110),
        ("성/Surname", &person.surname_latin, 0, 190),
        ("이름/Given names", &person.given_latin, 0, 270),
        ("한글성명", &person.hangul, 2, 270),
        ("국적/Nationality", "REPUBLIC OF KOREA", 0, 350),
        ("성별/Sex", sex, 2, 350),
        ("발급일/Date of issue", "", 0, 510),
    ];
    for (label, value, column, y) in rows {
        card.label(columns[column], y + dy, 20.0, label);
        card.text(columns[column], y + 24 + dy, 34.0, value);
    }
    card.label(columns[0], 430 + dy, 20.0, "생년월일/Date of birth");
    card.text(
        columns[0],
        454 + dy,
        34.0,
        &passport_date(person.birth, bilingual),
    );
    card.text(
        columns[0],
        534 + dy,
        34.0,
        &passport_date(issued, bilingual),
    );
    // The authority stands well clear of the issue date, as on the page:
    // a reader must not take them for one line.
    card.label(x + 340, 510 + dy, 20.0, "발행관청/Authority");
    card.text(x + 340, 534 + dy, 30.0, "MINISTRY OF FOREIGN AFFAIRS");
    card.label(columns[0], 590 + dy, 20.0, "기간만료일/Date of expiry");
    card.text(
        columns[0],
        614 + dy,
        34.0,
        &passport_date(expiry, bilingual),
    );
    let box_ = portrait(&mut card, rng, 50, 120 + dy, 320, 420);
    draw_filled_rect_mut(
        &mut card.image,
        Rect::at(0, 690).of_size(ID3_SIZE.0, 190),
        Rgb([238, 238, 236]),
    );
    card.mrz(45, 720, 46.0, &mrz[0]);
    card.mrz(45, 790, 46.0, &mrz[1]);

    let truth = Truth::from([
        ("idType", "PASSPORT".to_owned()),
        ("name", person.hangul.clone()),
        ("birthDate", iso(person.birth)),
        ("passportNo", number),
        ("surname", person.surname_latin.clone()),
        ("givenNames", person.given_latin.clone()),
        ("nationality", "KOR".to_owned()),
        ("sex", sex.to_owned()),
        ("issueDate", iso(issued)),
        ("expiryDate", iso(expiry)),
        ("issuingCountry", "KOR".to_owned()),
        ("mrzLine1", mrz[0].clone()),
        ("mrzLine2", mrz[1].clone()),
    ]);
    FlatCard {
        image: card.image,
        truth,
        portrait: box_,
        printed: card.printed,
    }
}
