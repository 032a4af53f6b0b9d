//! The second card style: the four documents drawn again from
//! `ID-DOCUMENTS.md` alone, independently of the first style's layouts and
//! content, so the benchmark can tell how far the reader generalises past
//! the generator it was developed on.
//!
//! It differs on purpose where real cards differ from one another: labels
//! present or absent and spelt with or without spaces, licence types in
//! a grid of boxes, the country in Korean or in Latin, the status of stay
//! as `영주(F-5)`, names and addresses that wrap, 읍/면 and 리, rarer name
//! syllables, other colours and security patterns.
//!
//! `people` and `places` sample what the cards say, `draw` is the drawing
//! surface, and one module per document lays it out.

mod draw;
mod driver;
mod foreign;
mod passport;
mod people;
mod places;
mod resident;

use chrono::{Datelike, NaiveDate};
use ekyc_doc::kind::DocumentKind;
use rand::Rng;

use crate::fonts::CardFonts;
use crate::render::FlatCard;

/// The flat card of `kind` in the second style, drawn from `rng`.
pub fn render(kind: DocumentKind, rng: &mut impl Rng, fonts: CardFonts<'_>) -> FlatCard {
    match kind {
        DocumentKind::Resident => resident::card(rng, fonts),
        DocumentKind::Driver => driver::card(rng, fonts),
        DocumentKind::Foreign => foreign::card(rng, fonts),
        DocumentKind::Passport => passport::card(rng, fonts),
    }
}

/// The answer's date form: `2020-01-15`.
fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `2020. 1. 15.`, the resident card's form.
fn spaced_date(date: NaiveDate) -> String {
    format!("{}. {}. {}.", date.year(), date.month(), date.day())
}

/// `2020.01.15`, the licence's and residence card's form.
fn dotted_date(date: NaiveDate) -> String {
    date.format("%Y.%m.%d").to_string()
}

/// A date between `from` and `to`, clamped so that `from` never passes
/// `to`.
fn between(rng: &mut impl Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    people::date_between(rng, Some(from.min(to)), Some(to))
}

/// `date` moved by whole years (29 February falls back to the 28th).
fn years_after(date: NaiveDate, years: i32) -> NaiveDate {
    let year = date.year() + years;
    date.with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), 28))
        .unwrap_or(date)
}

/// A fixed calendar day, for the documents' rule changes.
fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

#[cfg(test)]
mod tests;
