//! Flat card faces: the four documents' layouts after ID-DOCUMENTS.md,
//! drawn at a canonical size with their ground truth.
//!
//! Positions move a little from card to card and between the older and
//! newer layouts, so a reader that keyed on fixed pixels would fail.

use std::collections::BTreeMap;

use ab_glyph::{point, Font, FontVec, PxScale, ScaleFont};
use chrono::{Datelike, Duration, NaiveDate};
use ekyc_doc::kind::DocumentKind;
use image::{Rgb, RgbImage};
use imageproc::drawing::{
    draw_filled_ellipse_mut, draw_filled_rect_mut, draw_hollow_rect_mut, draw_text_mut, text_size,
};
use imageproc::rect::Rect;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::fonts::CardFonts;
use crate::identity::{self, Person};

/// ID-1 (85.6 × 54 mm) at about 11.8 px/mm.
pub const ID1_SIZE: (u32, u32) = (1012, 638);
/// The passport data page (ID-3, 125 × 88 mm) at 10 px/mm.
pub const ID3_SIZE: (u32, u32) = (1250, 880);

/// What a generated card says, keyed by the answer's field names
/// (`idNum` unmasked).
pub type Truth = BTreeMap<&'static str, String>;

/// A flat card and what is printed on it.
pub struct FlatCard {
    pub image: RgbImage,
    pub truth: Truth,
    /// The portrait's `[x, y, width, height]` on the flat card.
    pub portrait: [u32; 4],
    pub printed: Vec<PrintedText>,
}

/// One string drawn on a card and where: the recogniser's training lines
/// are cut from photos of cards at these boxes.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintedText {
    /// The string drawn.
    pub text: String,
    /// `[x, y, width, height]` of the text's layout box on the flat card.
    pub area: [f32; 4],
}

/// How a line's text is set: wider or narrower than its font draws it,
/// and letter-spaced. Typefaces differ in both; training lines set in
/// varied shapes teach the recogniser to read fonts it has never seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineShape {
    /// Horizontal scale of the glyphs (1 = as designed).
    pub stretch: f32,
    /// Extra space after each character, in ems.
    pub tracking: f32,
}

impl LineShape {
    /// The text as its font sets it.
    pub const PLAIN: Self = Self {
        stretch: 1.0,
        tracking: 0.0,
    };
}

struct Canvas<'a> {
    image: RgbImage,
    fonts: CardFonts<'a>,
    ink: Rgb<u8>,
    printed: Vec<PrintedText>,
}

impl<'a> Canvas<'a> {
    /// Draws `text` and records where its ink went, which it returns.
    fn draw(
        &mut self,
        font: &'a FontVec,
        colour: Rgb<u8>,
        at: (i32, i32),
        size: f32,
        text: &str,
    ) -> PrintedText {
        self.draw_shaped(font, colour, at, size, LineShape::PLAIN, text)
    }

    /// `draw` with the glyphs stretched and letter-spaced by `shape`.
    fn draw_shaped(
        &mut self,
        font: &'a FontVec,
        colour: Rgb<u8>,
        at: (i32, i32),
        size: f32,
        shape: LineShape,
        text: &str,
    ) -> PrintedText {
        let scale = PxScale {
            x: size * shape.stretch,
            y: size,
        };
        let area = if shape.tracking == 0.0 {
            draw_text_mut(&mut self.image, colour, at.0, at.1, scale, font, text);
            let [x, y, width, height] = ink_box(font, scale, text);
            [at.0 as f32 + x, at.1 as f32 + y, width, height]
        } else {
            self.draw_spaced(font, colour, at, scale, shape.tracking * size, text)
        };
        let printed = PrintedText {
            text: text.to_owned(),
            area,
        };
        self.printed.push(printed.clone());
        printed
    }

    /// Draws `text` a character at a time, `gap` px apart beyond the
    /// font's advance, and returns the box of its ink.
    fn draw_spaced(
        &mut self,
        font: &FontVec,
        colour: Rgb<u8>,
        at: (i32, i32),
        scale: PxScale,
        gap: f32,
        text: &str,
    ) -> [f32; 4] {
        let scaled = font.as_scaled(scale);
        let (mut pen, mut low, mut high) = (at.0 as f32, [f32::MAX; 2], [f32::MIN; 2]);
        for c in text.chars() {
            let glyph = c.to_string();
            draw_text_mut(
                &mut self.image,
                colour,
                pen as i32,
                at.1,
                scale,
                font,
                &glyph,
            );
            let [x, y, width, height] = ink_box(font, scale, &glyph);
            if width > 0.0 {
                low = [low[0].min(pen.floor() + x), low[1].min(at.1 as f32 + y)];
                high = [
                    high[0].max(pen.floor() + x + width),
                    high[1].max(at.1 as f32 + y + height),
                ];
            }
            pen += scaled.h_advance(scaled.glyph_id(c)) + gap;
        }
        if low[0] > high[0] {
            return [at.0 as f32, at.1 as f32, 0.0, 0.0];
        }
        [low[0], low[1], high[0] - low[0], high[1] - low[1]]
    }

    fn text(&mut self, x: i32, y: i32, size: f32, text: &str) {
        self.draw(self.fonts.body, self.ink, (x, y), size, text);
    }

    fn bold(&mut self, x: i32, y: i32, size: f32, text: &str) {
        self.draw(self.fonts.bold, self.ink, (x, y), size, text);
    }

    fn label(&mut self, x: i32, y: i32, size: f32, text: &str) {
        self.draw(self.fonts.body, Rgb([90, 90, 110]), (x, y), size, text);
    }

    fn mrz(&mut self, x: i32, y: i32, size: f32, text: &str) {
        self.draw(self.fonts.mrz, Rgb([20, 20, 20]), (x, y), size, text);
    }

    fn width_of(&self, font: &FontVec, size: f32, text: &str) -> i32 {
        text_size(PxScale::from(size), font, text).0 as i32
    }
}

/// Where `draw_text_mut` puts ink for `text`, relative to the point it is
/// drawn at: the same glyph layout, keeping each glyph's pixel bounds
/// (imageproc's `text_size` only gives the tallest glyph's height).
fn ink_box(font: &FontVec, scale: PxScale, text: &str) -> [f32; 4] {
    let scaled = font.as_scaled(scale);
    let (mut advance, mut last) = (0.0f32, None);
    let (mut low, mut high) = ([f32::MAX; 2], [f32::MIN; 2]);
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        let glyph = id.with_scale_and_position(scale, point(advance, scaled.ascent()));
        advance += scaled.h_advance(id);
        if let Some(outline) = scaled.outline_glyph(glyph) {
            if let Some(last) = last {
                advance += scaled.kern(id, last);
            }
            last = Some(id);
            let bounds = outline.px_bounds();
            low = [low[0].min(bounds.min.x), low[1].min(bounds.min.y)];
            high = [high[0].max(bounds.max.x), high[1].max(bounds.max.y)];
        }
    }
    if low[0] > high[0] {
        return [0.0, 0.0, 0.0, 0.0];
    }
    [low[0], low[1], high[0] - low[0], high[1] - low[1]]
}

pub fn render(kind: DocumentKind, rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    match kind {
        DocumentKind::Resident => resident(rng, fonts),
        DocumentKind::Driver => driver(rng, fonts),
        DocumentKind::Foreign => foreign(rng, fonts),
        DocumentKind::Passport => passport(rng, fonts),
    }
}

fn blank<'a>(size: (u32, u32), rng: &mut impl Rng, fonts: CardFonts<'a>) -> Canvas<'a> {
    let tint = [
        rng.gen_range(225..250),
        rng.gen_range(228..250),
        rng.gen_range(230..252),
    ];
    let mut image = RgbImage::from_pixel(size.0, size.1, Rgb(tint));
    guilloche(&mut image, rng);
    let shade = rng.gen_range(0..40);
    Canvas {
        image,
        fonts,
        ink: Rgb([shade, shade, shade + rng.gen_range(0..20)]),
        printed: Vec::new(),
    }
}

/// The fine wavy security pattern that real cards print under the text.
fn guilloche(image: &mut RgbImage, rng: &mut impl Rng) {
    let (width, height) = image.dimensions();
    let colour = [
        rng.gen_range(150..230),
        rng.gen_range(170..230),
        rng.gen_range(190..240),
    ];
    let waves = rng.gen_range(6..14);
    let strength = rng.gen_range(0.15..0.45);
    for wave in 0..waves {
        let period = rng.gen_range(60.0..260.0f32);
        let amplitude = rng.gen_range(8.0..40.0f32);
        let base = height as f32 * (wave as f32 + 0.5) / waves as f32;
        let phase = rng.gen_range(0.0..std::f32::consts::TAU);
        for x in 0..width {
            let y = base + amplitude * (x as f32 / period * std::f32::consts::TAU + phase).sin();
            if y >= 0.0 && (y as u32) < height {
                let pixel = image.get_pixel_mut(x, y as u32);
                for (channel, target) in pixel.0.iter_mut().zip(colour) {
                    *channel =
                        (*channel as f32 * (1.0 - strength) + target as f32 * strength) as u8;
                }
            }
        }
    }
}

/// A drawn head-and-shoulders portrait: enough for a face detector to find
/// a face-like blob and for the reader to skip the region.
fn portrait(
    canvas: &mut Canvas<'_>,
    rng: &mut impl Rng,
    x: i32,
    y: i32,
    w: u32,
    h: u32,
) -> [u32; 4] {
    let photo = portrait_photo(rng, w, h);
    image::imageops::overlay(&mut canvas.image, &photo, x.into(), y.into());
    draw_hollow_rect_mut(
        &mut canvas.image,
        Rect::at(x, y).of_size(w, h),
        Rgb([120, 120, 120]),
    );
    [x as u32, y as u32, w, h]
}

fn portrait_photo(rng: &mut impl Rng, w: u32, h: u32) -> RgbImage {
    let backdrop = Rgb([
        rng.gen_range(180..235),
        rng.gen_range(190..235),
        rng.gen_range(200..245),
    ]);
    let mut photo = RgbImage::from_pixel(w, h, backdrop);
    let skin = Rgb([
        rng.gen_range(190..235),
        rng.gen_range(150..195),
        rng.gen_range(120..170),
    ]);
    let hair = Rgb([
        rng.gen_range(10..60),
        rng.gen_range(10..50),
        rng.gen_range(10..40),
    ]);
    let shirt = Rgb([
        rng.gen_range(20..120),
        rng.gen_range(20..120),
        rng.gen_range(40..140),
    ]);
    let (cx, w, h) = (w as i32 / 2, w as i32, h as i32);
    draw_filled_ellipse_mut(&mut photo, (cx, h), w / 2, h / 4, shirt);
    draw_filled_ellipse_mut(&mut photo, (cx, h * 2 / 5), w / 3, h * 3 / 10, hair);
    draw_filled_ellipse_mut(&mut photo, (cx, h * 9 / 20), w * 3 / 11, h * 3 / 11, skin);
    let eye = Rgb([30, 25, 25]);
    for side in [-1, 1] {
        draw_filled_ellipse_mut(
            &mut photo,
            (cx + side * w / 9, h * 2 / 5),
            w / 28,
            h / 60,
            eye,
        );
    }
    draw_filled_ellipse_mut(
        &mut photo,
        (cx, h * 11 / 20),
        w / 14,
        h / 70,
        Rgb([150, 70, 70]),
    );
    photo
}

fn seal(canvas: &mut Canvas<'_>, x: i32, y: i32, size: u32) {
    let red = Rgb([200, 60, 60]);
    for inset in 0..4 {
        let rect = Rect::at(x + inset, y + inset)
            .of_size(size - 2 * inset as u32, size - 2 * inset as u32);
        draw_hollow_rect_mut(&mut canvas.image, rect, red);
    }
}

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

fn resident(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    let mut card = blank(ID1_SIZE, rng, fonts);
    let person = identity::person(rng);
    let number = identity::registration_number(rng, &person, false);
    let address = identity::address(rng);
    let issued = adult_issue_date(rng, &person, 2000);
    let (province, district) = address[0]
        .split_once(' ')
        .unwrap_or(("서울특별시", "강남구 "));
    let district = district.split(' ').next().unwrap_or("강남구");
    let issuer = format!("{province} {district}청장");
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

fn driver(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
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
    let (province, _) = address[0].split_once(' ').unwrap_or(("서울특별시", ""));
    let issuer = if new_layout {
        format!("{province}경찰청장")
    } else {
        format!(
            "{}지방경찰청장",
            province
                .trim_end_matches("특별시")
                .trim_end_matches("광역시")
        )
    };
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

fn foreign(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
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

fn passport(rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
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

/// `text` alone on a strip of card background, in the body or bold face
/// at `size` px and set as `shape` says, with the box it was printed in.
pub fn strip(
    rng: &mut impl Rng,
    fonts: CardFonts<'_>,
    text: &str,
    size: f32,
    shape: LineShape,
) -> (RgbImage, PrintedText) {
    let font = if rng.gen_bool(0.25) {
        fonts.bold
    } else {
        fonts.body
    };
    let scale = PxScale {
        x: size * shape.stretch,
        y: size,
    };
    let (width, height) = text_size(scale, font, text);
    let spacing = (shape.tracking * size * text.chars().count() as f32) as u32;
    let margin = size as u32;
    let mut card = blank(
        (width + spacing + 2 * margin, height + 2 * margin),
        rng,
        fonts,
    );
    let ink = if rng.gen_bool(0.2) {
        Rgb([90, 90, 110])
    } else {
        card.ink
    };
    let at = (margin as i32, margin as i32);
    let printed = card.draw_shaped(font, ink, at, size, shape, text);
    (card.image, printed)
}

/// A printed photo of a face: a rectangle with a portrait and no text,
/// the hardest kind of photo without a document.
pub fn face_print(rng: &mut impl Rng) -> RgbImage {
    portrait_photo(rng, 600, 800)
}

/// Cards and slips that look like an ID from afar (a rectangle of printed
/// Korean text, names, numbers, dates) but are none: the reader must
/// answer them `4040B`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookAlike {
    BusinessCard,
    Receipt,
    MembershipCard,
}

/// A look-alike of `which`, flat.
pub fn look_alike(which: LookAlike, rng: &mut impl Rng, fonts: CardFonts<'_>) -> RgbImage {
    let person = identity::person(rng);
    let address = identity::address(rng);
    let phone = format!(
        "010-{:04}-{:04}",
        rng.gen_range(0..10_000),
        rng.gen_range(0..10_000)
    );
    let date = format!(
        "{}.{:02}.{:02} {:02}:{:02}",
        rng.gen_range(2015..2026),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
        rng.gen_range(8..23),
        rng.gen_range(0..60)
    );
    let company = ["한빛상사", "미래기술", "동해물산", "서울제과", "새솔약국"][rng.gen_range(0..5)];
    match which {
        LookAlike::BusinessCard => {
            let mut card = blank(ID1_SIZE, rng, fonts);
            card.bold(60, 50, 56.0, &format!("(주){company}"));
            card.bold(60, 200, 60.0, &person.hangul);
            card.label(60 + 60 * 4, 215, 34.0, "영업팀 과장");
            card.text(60, 330, 32.0, &format!("M. {phone}"));
            card.text(60, 380, 32.0, "T. 02-555-0123  F. 02-555-0124");
            card.text(60, 430, 32.0, "contact@example.co.kr");
            for (i, line) in address.iter().enumerate() {
                card.text(60, 500 + 40 * i as i32, 28.0, line);
            }
            card.image
        }
        LookAlike::Receipt => {
            let mut card = blank((520, 1100), rng, fonts);
            card.bold(40, 40, 44.0, company);
            card.text(40, 110, 24.0, "사업자등록번호 123-45-67890");
            card.text(40, 150, 24.0, &format!("대표 {}", person.hangul));
            card.text(40, 190, 22.0, &address[0]);
            card.text(40, 240, 24.0, &date);
            let items = ["아메리카노", "카페라떼", "샌드위치", "생수", "쿠키"];
            let mut total = 0;
            for (i, item) in items.iter().enumerate() {
                let price = rng.gen_range(10..80) * 100;
                total += price;
                card.text(40, 320 + 60 * i as i32, 28.0, item);
                card.text(340, 320 + 60 * i as i32, 28.0, &format!("{price:>6}"));
            }
            card.bold(40, 660, 34.0, &format!("합계 {total}원"));
            card.text(40, 730, 24.0, "카드번호 5412-75**-****-1234");
            card.text(
                40,
                780,
                24.0,
                &format!("승인번호 {:08}", rng.gen_range(0..100_000_000)),
            );
            card.text(40, 850, 24.0, "감사합니다");
            card.image
        }
        LookAlike::MembershipCard => {
            let mut card = blank(ID1_SIZE, rng, fonts);
            card.bold(60, 50, 60.0, &format!("{company} 멤버십"));
            card.text(60, 180, 44.0, "회원카드");
            let number = format!(
                "{:04} {:04} {:04} {:04}",
                rng.gen_range(0..10_000),
                rng.gen_range(0..10_000),
                rng.gen_range(0..10_000),
                rng.gen_range(0..10_000)
            );
            card.text(60, 330, 52.0, &number);
            card.text(60, 430, 40.0, &person.hangul);
            card.text(
                60,
                500,
                32.0,
                &format!(
                    "유효기간 {:02}/{:02}",
                    rng.gen_range(1..13),
                    rng.gen_range(26..31)
                ),
            );
            card.text(560, 500, 32.0, &phone);
            card.image
        }
    }
}
