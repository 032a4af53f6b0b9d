use std::path::Path;

use chrono::NaiveDate;
use ekyc_doc::kind::DocumentKind;
use ekyc_doc::{mrz, registration, romanise};
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::passport::check_digit;
use super::people::romanise;
use super::places::as_of;
use crate::lines::HELD_OUT_FONTS;
use crate::render::FlatCard;
use crate::{Capture, Fonts, Generator, Style, KINDS};

fn generator() -> Generator {
    Generator::new().expect("fonts installed by scripts/setup.sh")
}

/// The card of `kind` number `seed`, drawn as `Generator::flat_in` draws it
/// but with its printed strings.
fn card(generator: &Generator, kind: DocumentKind, seed: u64) -> FlatCard {
    let mut rng = StdRng::seed_from_u64(seed);
    let fonts = generator.fonts.pick(&mut rng);
    super::render(kind, &mut rng, fonts)
}

fn date(truth: &crate::Truth, key: &str) -> NaiveDate {
    let text = truth.get(key).unwrap_or_else(|| panic!("{key} missing"));
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .unwrap_or_else(|e| panic!("{key} {text:?} is no ISO date: {e}"))
}

#[test]
fn the_same_seed_gives_the_same_card_and_photo() {
    let generator = generator();
    for kind in KINDS {
        let a = generator.flat_in(Style::Second, kind, 5);
        let b = generator.flat_in(Style::Second, kind, 5);
        assert_eq!(a, b, "{kind:?}");
    }
    let a = generator
        .photo_in(Style::Second, DocumentKind::Foreign, 9, Capture::Phone)
        .expect("photo");
    let b = generator
        .photo_in(Style::Second, DocumentKind::Foreign, 9, Capture::Phone)
        .expect("photo");
    assert_eq!(a.image, b.image);
    assert_eq!(a.truth, b.truth);
}

/// The second style is its own: its cards are not the first style's.
#[test]
fn the_second_style_differs_from_the_first() {
    let generator = generator();
    for kind in KINDS {
        let own = generator.flat_in(Style::Own, kind, 3);
        let second = generator.flat_in(Style::Second, kind, 3);
        assert_ne!(own.1, second.1, "{kind:?}");
    }
}

#[test]
fn every_kind_has_the_fields_the_benchmark_compares() {
    let generator = generator();
    let expected: [(DocumentKind, &[&str]); 4] = [
        (
            DocumentKind::Resident,
            &[
                "name",
                "idNum",
                "birthDate",
                "address",
                "issueDate",
                "issuer",
            ],
        ),
        (
            DocumentKind::Driver,
            &[
                "name",
                "idNum",
                "licenseNo",
                "licenseType",
                "licenseTypes",
                "address",
                "issueDate",
                "expiryDate",
                "serialNo",
                "issuer",
            ],
        ),
        (
            DocumentKind::Foreign,
            &[
                "name",
                "idNum",
                "nationality",
                "visaType",
                "issueDate",
                "issuer",
                "serialNo",
            ],
        ),
        (
            DocumentKind::Passport,
            &[
                "name",
                "passportNo",
                "surname",
                "givenNames",
                "nationality",
                "birthDate",
                "issueDate",
                "expiryDate",
                "mrzLine1",
                "mrzLine2",
            ],
        ),
    ];
    for (kind, fields) in expected {
        for seed in 0..20 {
            let (_, truth) = generator.flat_in(Style::Second, kind, seed);
            assert_eq!(
                truth.get("idType").map(String::as_str),
                Some(kind.id_type())
            );
            for field in fields {
                assert!(truth.contains_key(field), "{kind:?} #{seed} lacks {field}");
            }
        }
    }
}

#[test]
fn printed_strings_neither_overlap_nor_leave_the_card() {
    let generator = generator();
    for seed in 0..240u64 {
        let kind = KINDS[(seed % 4) as usize];
        let card = card(&generator, kind, seed);
        crate::render::assert_laid_out(&card, &format!("{kind:?} #{seed}"));
    }
}

/// What the truth says is what the card prints: the name, the number,
/// the issuer and the licence types as strings, the address as
/// consecutive lines.
#[test]
fn the_truth_is_printed() {
    let generator = generator();
    for seed in 0..60u64 {
        let kind = KINDS[(seed % 4) as usize];
        let card = card(&generator, kind, seed);
        let texts: Vec<&str> = card.printed.iter().map(|p| p.text.as_str()).collect();
        let printed = |value: &str| texts.iter().any(|t| t.contains(value));
        for key in [
            "name",
            "idNum",
            "issuer",
            "passportNo",
            "serialNo",
            "surname",
        ] {
            if let Some(value) = card.truth.get(key) {
                let shown = value.split(' ').next().unwrap_or(value);
                assert!(
                    printed(shown),
                    "{kind:?} #{seed}: {key} {value:?} not printed"
                );
            }
        }
        if let Some(types) = card.truth.get("licenseTypes") {
            for kind in types.split(',') {
                assert!(printed(kind), "#{seed}: type {kind} not printed");
            }
        }
        if let Some(address) = card.truth.get("address") {
            let joined = (0..texts.len()).any(|start| {
                (start + 1..=texts.len().min(start + 3))
                    .any(|end| texts[start..end].join(" ") == *address)
            });
            assert!(
                joined,
                "{kind:?} #{seed}: address {address:?} not printed as lines"
            );
        }
        if kind == DocumentKind::Foreign {
            let country = &card.truth["nationality"];
            let korean = texts.iter().any(|t| {
                t.chars().any(|c| ('가'..='힣').contains(&c)) && !t.contains(' ') && t.len() <= 18
            });
            assert!(printed(country) || korean, "#{seed}: no country printed");
        }
    }
}

#[test]
fn truth_dates_are_iso_and_in_order() {
    let generator = generator();
    for seed in 0..80u64 {
        let kind = KINDS[(seed % 4) as usize];
        let (_, truth) = generator.flat_in(Style::Second, kind, seed);
        let birth = date(&truth, "birthDate");
        let issued = date(&truth, "issueDate");
        assert!(birth < issued, "{kind:?} #{seed}: issued before birth");
        if truth.contains_key("expiryDate") {
            assert!(issued < date(&truth, "expiryDate"), "{kind:?} #{seed}");
        }
    }
}

/// The seventh digit gives century, sex and nationality; numbers issued
/// before October 2020 carry a valid check digit.
#[test]
fn registration_numbers_follow_their_rules() {
    let generator = generator();
    for seed in 0..90u64 {
        let kind = KINDS[(seed % 3) as usize];
        let (_, truth) = generator.flat_in(Style::Second, kind, seed);
        let number = registration::parse(&truth["idNum"]).expect("a registration number");
        let foreign = kind == DocumentKind::Foreign;
        assert!(number.fits(foreign), "{kind:?} #{seed}: {}", truth["idNum"]);
        assert_eq!(number.birth_date, Some(date(&truth, "birthDate")));
        let recent = date(&truth, "issueDate") >= NaiveDate::from_ymd_opt(2020, 10, 1).unwrap();
        assert!(
            number.checksum_holds() || (foreign && recent),
            "{kind:?} #{seed}: {} fails its check digit",
            truth["idNum"]
        );
    }
}

#[test]
fn passport_mrz_check_digits_hold() {
    assert_eq!(
        check_digit("L898902C3"),
        char::from_digit(mrz::check_digit("L898902C3").expect("digit"), 10).expect("digit")
    );
    let generator = generator();
    for seed in 0..30u64 {
        let (_, truth) = generator.flat_in(Style::Second, DocumentKind::Passport, seed);
        let read = mrz::parse_td3(&truth["mrzLine1"], &truth["mrzLine2"]).expect("TD3 shape");
        assert!(read.valid, "#{seed}: {read:?}");
        assert_eq!(read.document_number, truth["passportNo"]);
        assert_eq!(read.surname, truth["surname"]);
        assert_eq!(read.given_names, truth["givenNames"]);
        assert_eq!(read.expiry_date, Some(date(&truth, "expiryDate")));
        assert!(mrz::korean_passport_number(&truth["passportNo"]));
    }
}

#[test]
fn given_names_are_romanised_syllable_by_syllable() {
    assert_eq!(romanise('길'), "GIL");
    assert_eq!(romanise('동'), "DONG");
    assert_eq!(romanise('춘'), "CHUN");
    assert_eq!(romanise('영'), "YEONG");
    assert_eq!(romanise('석'), "SEOK");
    assert!(romanise::name_fits("홍길동", "HONG", "GILDONG"));
}

/// The typefaces kept out of the recogniser's training print both styles.
#[test]
fn held_out_fonts_print_both_styles() {
    let fonts = Fonts::load_set(Path::new("/usr/share/fonts"), &HELD_OUT_FONTS)
        .expect("fonts-nanum and fonts-baekmuk installed by scripts/setup.sh");
    let generator = Generator::with_fonts(fonts);
    for style in [Style::Own, Style::Second] {
        for kind in KINDS {
            let (image, truth) = generator.flat_in(style, kind, 1);
            assert!(image.width() > 0 && truth.contains_key("idType"));
        }
    }
}

/// Cards print the province's name of their issue date.
#[test]
fn gangwon_is_renamed_from_june_2023() {
    let before = NaiveDate::from_ymd_opt(2023, 6, 10).expect("date");
    let after = NaiveDate::from_ymd_opt(2023, 6, 11).expect("date");
    assert_eq!(as_of("강원도 춘천시장", before), "강원도 춘천시장");
    assert_eq!(as_of("강원도 춘천시장", after), "강원특별자치도 춘천시장");
    assert_eq!(as_of("강원도경찰청장", after), "강원특별자치도경찰청장");
}

/// `ekyc bench ocr --style` takes these names.
#[test]
fn styles_parse_from_their_flag_names() {
    assert_eq!("own".parse(), Ok(Style::Own));
    assert_eq!("second".parse(), Ok(Style::Second));
    assert!("third".parse::<Style>().is_err());
}

/// The patterns that made cards from elsewhere hard to read all occur:
/// wrapped addresses and names, 재외국민 marks, labels, the licence-type
/// grid, region names in licence numbers, the country in Korean, the
/// status of stay after its Korean name, spaced given names.
#[test]
fn the_style_covers_the_variations_of_real_cards() {
    let generator = generator();
    let mut seen: Vec<&str> = Vec::new();
    for seed in 0..160u64 {
        let kind = KINDS[(seed % 4) as usize];
        let card = card(&generator, kind, seed);
        let texts: Vec<&str> = card.printed.iter().map(|p| p.text.as_str()).collect();
        let has = |text: &str| texts.contains(&text);
        let truth = |key: &str| card.truth.get(key).map(String::as_str).unwrap_or("");
        let mut see = |what: &'static str, happened: bool| {
            if happened {
                seen.push(what);
            }
        };
        match kind {
            DocumentKind::Resident => {
                see("wrapped address", !has(truth("address")));
                see("재외국민", has("재외국민"));
                see("labels", has("주소") || has("주 소") || has("住所"));
            }
            DocumentKind::Driver => {
                see("type grid", has("1종대형") && has("2종원동기장치자전거"));
                see("region name", card.truth.contains_key("licenseRegion"));
            }
            DocumentKind::Foreign => {
                see("wrapped name", !has(truth("name")));
                see(
                    "Korean country",
                    !texts.iter().any(|t| t.contains(truth("nationality"))),
                );
                see(
                    "status in parentheses",
                    texts
                        .iter()
                        .any(|t| t.contains(&format!("({})", truth("visaType")))),
                );
            }
            _ => see("spaced given names", truth("givenNames").contains(' ')),
        }
    }
    for what in [
        "wrapped address",
        "재외국민",
        "labels",
        "type grid",
        "region name",
        "wrapped name",
        "Korean country",
        "status in parentheses",
        "spaced given names",
    ] {
        assert!(seen.contains(&what), "no card shows {what}");
    }
}
