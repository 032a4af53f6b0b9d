//! Addresses and issuers checked against Korea's real administrative
//! names.
//!
//! The recogniser learnt from cards that print a few dozen districts, so
//! on other cards it pulls names toward that narrow vocabulary: issuers
//! into titles that do not exist (`부천시청장`), provinces to the wrong
//! one (`충청북도 천안시`), syllables misread (`부산광별시`). Checking
//! against the full tables of [`names`] undoes that, under rules meant
//! never to make a right reading wrong:
//!
//! - a token that is a valid name is never changed into another valid
//!   name, but for a 시/도 that disagrees with a valid 시/군/구 (only one
//!   of them can be right, and the 시/군/구 says more);
//! - a misread token is snapped to the nearest valid name only when it is
//!   near ([`allowed_distance`]) and no other name is as near;
//! - a 시/군/구 is looked for under its 시/도 first;
//! - a head's title is made to fit the office: a 시 is headed by a 시장, a
//!   군 by a 군수, a 구 by a 구청장.

mod immigration;
mod names;

use std::sync::LazyLock;

use names::{Province, CITY_WARDS, FORMER_POLICE_REGIONS, GYEONGGI_POLICE, PROVINCES};

use crate::edit::edit_distance;

/// What checking a field against the tables found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The field was valid as read.
    Valid,
    /// The field was misread and put right: its text is a guess.
    Corrected,
    /// The field fits no real name: its text is kept as read.
    Unmatched,
}

/// A field's text after the check, and what the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    /// The text to answer.
    pub text: String,
    /// Whether `text` is as read, put right, or fits nothing.
    pub verdict: Verdict,
}

impl Checked {
    fn new(read: &str, text: String, fits: bool) -> Self {
        let verdict = match (fits, text == read) {
            (false, _) => Verdict::Unmatched,
            (true, true) => Verdict::Valid,
            (true, false) => Verdict::Corrected,
        };
        Self { text, verdict }
    }

    fn unmatched(read: &str) -> Self {
        Self {
            text: read.to_owned(),
            verdict: Verdict::Unmatched,
        }
    }
}

/// Who issues a document, by the kind of office that signs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Office {
    /// The head of a 시, 군 or 구 (주민등록증): `서울특별시 강남구청장`.
    DistrictHead,
    /// A 시/도 police agency (운전면허증): `서울특별시경찰청장`, older
    /// `서울지방경찰청장`.
    Police,
    /// An immigration office (외국인등록증): `서울출입국·외국인청장`.
    Immigration,
}

/// How many syllables a misread may differ from `name` and still be
/// taken for it: one in a short name, two in one of four syllables or
/// more. Any more and a misread is as likely another name or no name.
fn allowed_distance(name: &str) -> usize {
    if name.chars().count() >= 4 {
        2
    } else {
        1
    }
}

/// The edit distance between `a` and `b`, in syllables (characters).
fn distance(a: &str, b: &str) -> usize {
    let chars = |text: &str| text.chars().collect::<Vec<_>>();
    edit_distance(&chars(a), &chars(b))
}

/// The one name of `names` nearest `token`, within its allowed distance;
/// none when no name is near enough or two different names are as near.
fn snap<'n>(token: &str, names: impl IntoIterator<Item = &'n str>) -> Option<&'n str> {
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    for name in names {
        let d = distance(token, name);
        if d > allowed_distance(name) {
            continue;
        }
        match best {
            Some((b, found)) if d == b && found != name => tied = true,
            Some((b, _)) if d >= b => {}
            _ => {
                best = Some((d, name));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, name)| name)
}

impl Province {
    /// Every name the 시/도 has been printed under.
    fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.former_names.iter().copied())
    }

    /// Every 시/군/구 it holds or held.
    fn all_districts(&self) -> impl Iterator<Item = &'static str> {
        self.districts.iter().chain(self.former_districts).copied()
    }

    fn holds(&self, district: &str) -> bool {
        self.all_districts().any(|d| d == district)
    }
}

/// The 시/도 printed as `name` (its current or a former name), and that
/// name.
fn province_named(name: &str) -> Option<(&'static Province, &'static str)> {
    PROVINCES
        .iter()
        .find_map(|p| p.names().find(|n| *n == name).map(|n| (p, n)))
}

/// The one 시/도 holding `district`, if only one does (중구 is in six).
fn only_holder(district: &str) -> Option<&'static Province> {
    let mut holders = PROVINCES.iter().filter(|p| p.holds(district));
    let first = holders.next()?;
    holders.next().is_none().then_some(first)
}

/// The leading names of an address or an issuer, as they should read.
#[derive(Debug)]
struct Place {
    /// The 시/도 as it should be printed.
    province: &'static str,
    /// The 시/군/구, when one was read.
    district: Option<&'static str>,
    /// The ward of a city that has them, when one was read.
    ward: Option<&'static str>,
    /// How many of the tokens the names above took.
    taken: usize,
    /// Whether the tokens read as names that belong together.
    fits: bool,
}

/// The 시/도, 시/군/구 and ward that `tokens` begin with, made valid and
/// consistent; none when not even the 시/도 can be told.
fn place(tokens: &[&str]) -> Option<Place> {
    let (first, second) = (*tokens.first()?, tokens.get(1).copied());
    let exact = province_named(first);
    let read = exact.or_else(|| {
        snap(first, PROVINCES.iter().flat_map(Province::names)).and_then(province_named)
    });
    let Some(second) = second.filter(|_| read.is_none_or(|(p, _)| !p.districts.is_empty())) else {
        return read.map(|(_, name)| Place {
            province: name,
            district: None,
            ward: None,
            taken: 1,
            fits: true,
        });
    };
    let Some((province, district)) = district(read, exact.is_some(), second) else {
        return read.map(|(_, name)| Place {
            province: name,
            district: None,
            ward: None,
            taken: 1,
            fits: false,
        });
    };
    let ward = tokens
        .get(2)
        .and_then(|token| city_ward(province, district, token));
    Some(Place {
        province,
        district: Some(district),
        ward,
        taken: 2 + usize::from(ward.is_some()),
        fits: true,
    })
}

/// The 시/도 and 시/군/구 for a 시/군/구 token `read` after the 시/도
/// `province` (as printed; `certain` when it was read exactly). A valid
/// 시/군/구 is kept, and decides the 시/도 when only one holds it; a
/// misread one is looked for under the 시/도 first, and elsewhere only
/// where the 시/도 was misread too (a valid 시/도 is never changed for a
/// guess).
fn district(
    province: Option<(&'static Province, &'static str)>,
    certain: bool,
    read: &str,
) -> Option<(&'static str, &'static str)> {
    let all = || PROVINCES.iter().flat_map(Province::all_districts);
    if let Some((p, name)) = province {
        if let Some(valid) = p.all_districts().find(|d| *d == read) {
            return Some((name, valid));
        }
    }
    if let Some(valid) = all().find(|d| *d == read) {
        let holder = only_holder(valid);
        return match province.filter(|_| certain) {
            Some((p, name)) => disagreeing(p, name, valid, holder),
            None => holder.map(|p| (p.name, valid)),
        };
    }
    if let Some((p, name)) = province {
        if let Some(snapped) = snap(read, p.all_districts()) {
            return Some((name, snapped));
        }
    }
    if certain {
        return None;
    }
    let snapped = snap(read, all())?;
    only_holder(snapped).map(|p| (p.name, snapped))
}

/// A valid 시/도 `name` (`province`) and a valid 시/군/구 `district` held
/// by another (`holder`, if only one holds it): one of the two was misread
/// into another real name. The misread one is the one with a near name
/// that fits the other: `충청북도 천안시` is 충청남도's (a syllable from
/// 충청북도, and it holds 천안시), `전라남도 춘천시` is 전라남도's 순천시
/// (a syllable from 춘천시, while no 시/도 near 전라남도 holds 춘천시).
/// When both could be, neither is told; when neither, the 시/군/구 decides,
/// as it says more.
fn disagreeing(
    province: &'static Province,
    name: &'static str,
    district: &'static str,
    holder: Option<&'static Province>,
) -> Option<(&'static str, &'static str)> {
    let near_province = holder.filter(|h| h.names().any(|n| distance(n, name) <= 1));
    let near_district = snap(district, province.all_districts());
    match (near_province, near_district) {
        (Some(_), Some(_)) => None,
        (None, Some(snapped)) => Some((name, snapped)),
        _ => holder.map(|p| (p.name, district)),
    }
}

/// The ward of `city` that `token` is, or is a misread of: only a token
/// ending in 구 is taken for one, since the word after a city without its
/// ward is a road (`원미로`), not a misread ward.
fn city_ward(province: &str, city: &str, token: &str) -> Option<&'static str> {
    let province = province_named(province)?.0.name;
    let (_, _, wards) = CITY_WARDS
        .iter()
        .find(|(p, c, _)| *p == province && *c == city)?;
    wards.iter().copied().find(|w| *w == token).or_else(|| {
        token
            .ends_with('구')
            .then(|| snap(token, wards.iter().copied()))?
    })
}

/// The words of `text`, a 시/도 glued to the word after it
/// (`서울특별시강남구`) split off and one read in two (`세종특 별자치시`)
/// joined: the names are checked word by word.
fn words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
    if let [first, second, ..] = &words[..] {
        let joined = format!("{first}{second}");
        if province_named(first).is_none() && province_named(&joined).is_some() {
            words.splice(0..2, [joined]);
        }
    }
    let glued = words.first().and_then(|first| {
        let name = PROVINCES
            .iter()
            .flat_map(Province::names)
            .filter(|name| first.len() > name.len() && first.starts_with(name))
            .max_by_key(|name| name.len())?;
        Some(first.split_at(name.len()))
    });
    if let Some((province, rest)) = glued {
        let (province, rest) = (province.to_owned(), rest.to_owned());
        words.splice(0..1, [province, rest]);
    }
    words
}

/// Checks an address's leading 시/도, 시/군/구 and ward; the rest (road,
/// number, building) is kept byte for byte.
pub(crate) fn check_address(address: &str) -> Checked {
    let words = words(address);
    let tokens: Vec<&str> = words.iter().map(String::as_str).collect();
    let Some(place) = place(&tokens) else {
        return Checked::unmatched(address);
    };
    let names = [Some(place.province), place.district, place.ward];
    let text = names
        .into_iter()
        .flatten()
        .chain(tokens[place.taken..].iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    Checked::new(address, text, place.fits)
}

/// Checks an issuer (its Hangul words) against the offices that issue
/// the document.
pub(crate) fn check_issuer(office: Office, issuer: &str) -> Checked {
    match office {
        Office::DistrictHead => district_head(issuer),
        Office::Police => one_of(issuer, &POLICE_AGENCIES),
        Office::Immigration => immigration::check(issuer, &IMMIGRATION_HEADS),
    }
}

/// `{시/도} {시/군/구}{title}`, or `{시/도} {시} {ward}구청장`, or
/// `세종특별자치시장`: the names checked like an address's, the title
/// made to fit the office whatever was read (`부천시청장` → `부천시장`).
fn district_head(issuer: &str) -> Checked {
    // The title is whatever follows the office's name: 청장 (also where
    // it does not belong, as in 시청장), 장 or 수.
    let named = ["청장", "장", "수"]
        .iter()
        .find_map(|title| issuer.strip_suffix(title))
        .filter(|named| !named.is_empty() && !named.ends_with(' '));
    let Some(named) = named else {
        return Checked::unmatched(issuer);
    };
    let words = words(named);
    let tokens: Vec<&str> = words.iter().map(String::as_str).collect();
    let Some(place) = place(&tokens).filter(|p| p.fits && p.taken == tokens.len()) else {
        return Checked::unmatched(issuer);
    };
    let text = match (place.district, place.ward) {
        (Some(city), Some(ward)) => format!("{} {city} {ward}청장", place.province),
        (Some(district), None) => format!("{} {district}{}", place.province, title(district)),
        (None, _) if place.province == "세종특별자치시" => format!("{}장", place.province),
        (None, _) => return Checked::unmatched(issuer),
    };
    Checked::new(issuer, text, true)
}

/// The head's title of a 시/군/구.
fn title(district: &str) -> &'static str {
    match district.chars().last() {
        Some('군') => "수",
        Some('구') => "청장",
        _ => "장",
    }
}

/// `issuer` as one of `valid` (spaces aside), or snapped to the nearest.
fn one_of(issuer: &str, valid: &[String]) -> Checked {
    let compact: String = issuer.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(name) = valid.iter().find(|name| **name == compact) {
        return Checked {
            text: name.clone(),
            verdict: Verdict::Valid,
        };
    }
    match snap(&compact, valid.iter().map(String::as_str)) {
        Some(name) => Checked {
            text: name.to_owned(),
            verdict: Verdict::Corrected,
        },
        None => Checked::unmatched(issuer),
    }
}

/// The heads of every police agency that issues licences, now and
/// before 2021: spelled out once, not on every licence read.
static POLICE_AGENCIES: LazyLock<Vec<String>> = LazyLock::new(police_agencies);

/// The heads of every immigration office, spelled out once.
static IMMIGRATION_HEADS: LazyLock<Vec<String>> = LazyLock::new(immigration::heads);

/// See [`POLICE_AGENCIES`].
fn police_agencies() -> Vec<String> {
    let current = PROVINCES
        .iter()
        .flat_map(Province::names)
        .filter(|name| *name != "경기도")
        .chain(GYEONGGI_POLICE.iter().copied())
        .map(|name| format!("{name}경찰청장"));
    let former = FORMER_POLICE_REGIONS
        .iter()
        .map(|region| format!("{region}지방경찰청장"));
    current.chain(former).collect()
}

#[cfg(test)]
mod tests;
