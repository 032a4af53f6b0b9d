//! Flat things that are not documents (a face print, look-alikes of ID
//! cards), which the generator photographs for the reader to refuse.

use image::RgbImage;
use rand::Rng;

use super::canvas::{blank, portrait_photo};
use super::ID1_SIZE;
use crate::fonts::CardFonts;
use crate::identity;

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
    /// A company's business card: a name, a title, numbers, an address.
    BusinessCard,
    /// A shop receipt: a business registration number, a date, amounts.
    Receipt,
    /// A shop's membership card: a card number, a name, a validity date.
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
