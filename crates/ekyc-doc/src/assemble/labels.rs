//! Field labels, which are never values.
//!
//! Cards print a label before or above most values (`성명`, `주소`,
//! `발급일`), in Hangul, Hanja or English, sometimes spaced out (`성 명`)
//! and, in a photo, often misread by a syllable (`셩명`). A layout that
//! takes "the line above the number" or "the lines between two fields"
//! would otherwise answer the label as the value, or keep it inside the
//! value; and a label is also where one value stops and the next begins.

use crate::edit::edit_distance;

/// Labels printed before values on Korean ID cards (compact: spaces
/// dropped), with the Hanja and English forms some cards add.
const LABELS: [&str; 27] = [
    "성명",
    "이름",
    "주소",
    "주민등록번호",
    "등록번호",
    "발급일",
    "발급일자",
    "발행일",
    "발급",
    "발급기관",
    "국가/지역",
    "국적",
    "체류자격",
    "면허번호",
    "면허종별",
    "적성검사기간",
    "갱신기간",
    "조건",
    "생년월일",
    "姓名",
    "住所",
    "NAME",
    "ADDRESS",
    "NATIONALITY",
    "STATUS",
    "ISSUEDATE",
    "DATEOFISSUE",
];

/// The cards' titles: read partly (`주민등`), they look like a name.
const TITLES: [&str; 4] = ["주민등록증", "자동차운전면허증", "외국인등록증", "영주증"];

/// How far a misread may be from a label of `len` characters and still be
/// taken for it: one syllable in labels of two or more (a two-syllable
/// word one syllable off `성명` is far likelier the label than a name).
fn allowed(len: usize) -> usize {
    usize::from(len >= 2) + usize::from(len >= 6)
}

/// Whether `word` (spaces and a trailing colon aside) is a label, as
/// printed or misread by at most [`allowed`] characters.
pub(super) fn is_label(word: &str) -> bool {
    let compact: Vec<char> = word
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ':' | '.' | '·'))
        .flat_map(char::to_uppercase)
        .collect();
    if compact.is_empty() {
        return false;
    }
    LABELS.iter().any(|label| {
        let label: Vec<char> = label.chars().collect();
        edit_distance(&compact, &label) <= allowed(label.len()).min(compact.len() - 1)
    })
}

/// Whether `word` is the start of a card's title, read partly: three
/// syllables of it, or four or more at most one off (three syllables one
/// off are as likely a name: `주민호`).
pub(super) fn is_title_part(word: &str) -> bool {
    let compact: Vec<char> = word.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && TITLES.iter().any(|title| {
            let title: Vec<char> = title.chars().take(compact.len()).collect();
            edit_distance(&compact, &title) <= usize::from(compact.len() >= 4)
        })
}

/// `text` without the labels it starts with: `성 명 홍길동` → `홍길동`,
/// `주소: 서울특별시…` → `서울특별시…`. A label spaced out over two or
/// three single syllables is joined before it is looked up, and must then
/// be exact; a single word may be a misread label where a value follows
/// it. A word alone is the value: two-syllable names lie one syllable off
/// two-syllable labels (`남건`, `조아` and `조건`).
pub(super) fn strip_leading(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut start = 0;
    while start < words.len() {
        let spaced = (2..=3).rev().find(|span| {
            start + span <= words.len()
                && words[start..start + span]
                    .iter()
                    .all(|w| w.chars().count() == 1)
                && exact_label(&words[start..start + span].concat())
        });
        match spaced {
            Some(span) => start += span,
            None if exact_label(words[start])
                || (start + 1 < words.len() && is_label(words[start])) =>
            {
                start += 1
            }
            None => break,
        }
    }
    let mut rest: Vec<&str> = words[start..].to_vec();
    if let Some(first) = rest.first_mut() {
        *first = unglued(first);
    }
    rest.join(" ")
}

/// A word without the Hangul label printed against it (`성명홍길동` →
/// `홍길동`), when a value of two or more characters follows.
fn unglued(word: &str) -> &str {
    LABELS
        .iter()
        .filter(|label| label.chars().all(|c| ('가'..='힣').contains(&c)))
        .filter_map(|label| word.strip_prefix(label))
        .find(|rest| rest.chars().count() >= 2)
        .unwrap_or(word)
}

/// Where the first label inside `text` begins (in words), after at least
/// one word of value: the value stops there.
pub(super) fn label_inside(text: &str) -> Option<usize> {
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..words.len()).find(|i| is_label(words[*i]) && exact_label(words[*i]))
}

/// Whether `word` is a label as printed (no misread allowed): used inside
/// values, where a near-miss is as likely a word of the value.
fn exact_label(word: &str) -> bool {
    let compact: String = word
        .chars()
        .filter(|c| !matches!(c, ':' | '.'))
        .flat_map(char::to_uppercase)
        .collect();
    LABELS.contains(&compact.as_str())
}

#[cfg(test)]
mod tests;
