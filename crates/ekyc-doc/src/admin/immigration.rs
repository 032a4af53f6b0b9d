//! The heads of immigration offices, who issue residence cards.
//!
//! Since May 2018 the six largest offices are `출입국·외국인청` (headed by
//! a 청장), the others `출입국·외국인사무소` (a 소장), and their branches
//! `출장소` (a 출장소장, printed after the office they belong to); before,
//! every office was an `출입국관리사무소`. The head's title is printed
//! at the card's foot, often under the seal, and read badly there: the
//! place is read from the title's start and the kind of office from the
//! words only the former name has (`관리`), the table saying whether the
//! place has a 청 or a 사무소. A title that does not exist (a 청장 of a
//! place that has a 사무소) is never answered.

use std::cmp::Reverse;

use super::names::{IMMIGRATION_BRANCHES, IMMIGRATION_OFFICES};
use super::{distance, Checked, Verdict};
use crate::edit::letter_distance;

/// The 출장소 (branch offices) that issue residence cards, by the place
/// of the office they belong to and their own: the service's organisation
/// as known when this was written. One missing here is answered as read.
const SUB_BRANCHES: &[(&str, &str)] = &[
    ("서울", "세종로"),
    ("인천", "안산"),
    ("수원", "평택"),
    ("수원", "화성"),
    ("양주", "고양"),
    ("춘천", "동해"),
    ("춘천", "속초"),
    ("춘천", "고성"),
    ("대구", "구미"),
    ("대전", "천안"),
    ("대전", "서산"),
    ("광주", "목포"),
    ("전주", "군산"),
    ("창원", "통영"),
    ("창원", "사천"),
    ("창원", "거제"),
    ("울산", "포항"),
    ("여수", "광양"),
];

/// The office of `place` under its current name: `서울출입국·외국인청`.
fn office(place: &str) -> String {
    if IMMIGRATION_OFFICES.contains(&place) {
        format!("{place}출입국·외국인청")
    } else {
        format!("{place}출입국·외국인사무소")
    }
}

/// Every head's title, now and before 2018, as printed.
pub(super) fn heads() -> Vec<String> {
    let places = || IMMIGRATION_OFFICES.iter().chain(IMMIGRATION_BRANCHES);
    let current = places().map(|place| format!("{}장", office(place)));
    let former = places().map(|place| format!("{place}출입국관리사무소장"));
    let sub = SUB_BRANCHES
        .iter()
        .map(|(parent, place)| format!("{} {place}출장소장", office(parent)));
    current.chain(former).chain(sub).collect()
}

/// Checks an immigration head's title as read.
pub(super) fn check(issuer: &str, heads: &[String]) -> Checked {
    let compact = |text: &str| -> String { text.chars().filter(|c| !c.is_whitespace()).collect() };
    let read = compact(issuer);
    if let Some(head) = heads.iter().find(|head| compact(head) == read) {
        return Checked {
            text: head.clone(),
            verdict: Verdict::Valid,
        };
    }
    let text = if read.contains("출장") {
        sub_branch(&read)
    } else {
        office_head(&read)
    };
    match text {
        Some(text) => Checked {
            text,
            verdict: Verdict::Corrected,
        },
        None => Checked::unmatched(issuer),
    }
}

/// An office's head: the place read from the title's start, the former
/// name told by its `관리`, the current one by the place's office.
fn office_head(read: &str) -> Option<String> {
    let start: String = read
        .chars()
        .take_while(|c| !matches!(c, '출' | '입' | '국' | '·' | '외' | '관'))
        .collect();
    let places: Vec<&str> = IMMIGRATION_OFFICES
        .iter()
        .chain(IMMIGRATION_BRANCHES)
        .copied()
        .collect();
    // Most offices' places are two syllables: a longer start may hold a
    // misread `출` (`수윌촐입국`).
    let place = nearest_place(&start, &places).or_else(|| {
        let two: String = start.chars().take(2).collect();
        (two != start)
            .then(|| nearest_place(&two, &places))
            .flatten()
    })?;
    if read.contains('관') {
        Some(format!("{place}출입국관리사무소장"))
    } else {
        Some(format!("{}장", office(place)))
    }
}

/// A 출장소's head: its own place, read before `출장`.
fn sub_branch(read: &str) -> Option<String> {
    let before = read.split("출장").next()?;
    let places: Vec<&str> = SUB_BRANCHES.iter().map(|(_, place)| *place).collect();
    // The branch's place ends the text before 출장; try its last
    // syllables against the table.
    let chars: Vec<char> = before.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(3)..].iter().collect();
    let place = nearest_place(&tail, &places).or_else(|| {
        nearest_place(
            &chars[chars.len().saturating_sub(2)..]
                .iter()
                .collect::<String>(),
            &places,
        )
    })?;
    let (parent, place) = SUB_BRANCHES.iter().find(|(_, p)| *p == place)?;
    Some(format!("{} {place}출장소장", office(parent)))
}

/// How near a place is a read start: syllables off, the common start
/// (longer first), letters off.
type PlaceRank = (usize, Reverse<usize>, usize);

/// The one place of `places` nearest `read`: at most half its syllables
/// off (one in a two-syllable name), ties broken by the longer common
/// start (the read start is often cut short: `수` is `수원`), then by the
/// fewer letters off (`올산` is `울산`, not `부산`), none when still tied.
fn nearest_place<'p>(read: &str, places: &[&'p str]) -> Option<&'p str> {
    if read.is_empty() {
        return None;
    }
    let common = |place: &str| {
        read.chars()
            .zip(place.chars())
            .take_while(|(a, b)| a == b)
            .count()
    };
    let mut scored: Vec<(PlaceRank, &str)> = places
        .iter()
        .map(|place| {
            let rank = (
                distance(read, place),
                Reverse(common(place)),
                letter_distance(read, place),
            );
            (rank, *place)
        })
        .filter(|((d, _, _), place)| *d <= (place.chars().count() / 2).max(1))
        .collect();
    scored.sort_by_key(|(rank, _)| *rank);
    match scored.as_slice() {
        [] => None,
        [(_, only)] => Some(only),
        [first, second, ..] if first.0 != second.0 => Some(first.1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (String, Verdict) {
        let checked = check(text, &heads());
        (checked.text, checked.verdict)
    }

    #[test]
    fn real_titles_are_valid_as_read() {
        for head in heads() {
            assert_eq!(read(&head), (head.clone(), Verdict::Valid), "{head}");
        }
        assert_eq!(read("서울 출입국·외국인청장").1, Verdict::Valid);
    }

    #[test]
    fn a_misread_title_keeps_its_office_and_place() {
        let corrected = |text: &str| read(text);
        assert_eq!(
            corrected("울산출외국인인시무청장"),
            ("울산출입국·외국인사무소장".to_owned(), Verdict::Corrected)
        );
        assert_eq!(
            corrected("김해충외관래사무청장").0,
            "김해출입국관리사무소장"
        );
        assert_eq!(
            corrected("인천광·외관리시우청장").0,
            "인천출입국관리사무소장"
        );
        assert_eq!(
            corrected("전국·외국인인시청장").0,
            "전주출입국·외국인사무소장"
        );
        // 울산 and 부산 are both one syllable off; 울산 one stroke.
        assert_eq!(
            corrected("올산출입국 · 외국인사무소장").0,
            "울산출입국·외국인사무소장"
        );
        assert_eq!(
            corrected("대젼출업국관리사무소장").0,
            "대전출입국관리사무소장"
        );
    }

    #[test]
    fn titles_that_do_not_exist_are_never_answered() {
        // 대구 has a 사무소, not a 청.
        assert_eq!(read("대구출입국·외국인청장").0, "대구출입국·외국인사무소장");
        // Nothing to tell the place by.
        assert_eq!(read("재외국·외 인청장").1, Verdict::Unmatched);
        assert_eq!(read("가나다라장").1, Verdict::Unmatched);
    }

    #[test]
    fn branch_heads_are_read_after_their_office() {
        assert_eq!(
            read("수원출입국·외국인청 평택출장소장"),
            (
                "수원출입국·외국인청 평택출장소장".to_owned(),
                Verdict::Valid
            )
        );
        assert_eq!(
            read("수원출입국외국인청평태출장소장").0,
            "수원출입국·외국인청 평택출장소장"
        );
    }
}
