//! Edit distance, for matching a misread word to the word it should be
//! (a document's title, a real place name).

use crate::romanise::jamo;

/// The Levenshtein distance between `a` and `b`: the fewest characters
/// inserted, deleted or replaced to turn one into the other. One row of
/// the table is kept, updated in place.
pub(crate) fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The edit distance between `a` and `b` counted in letters (jamo), each
/// Hangul syllable its initial, vowel and final: `올` is one letter from
/// `울` but three from `부`. The recogniser's misreads are mostly one
/// stroke, so when two names are as many syllables off a misread, the one
/// fewer letters off is the one it was.
pub(crate) fn letter_distance(a: &str, b: &str) -> usize {
    edit_distance(&letters(a), &letters(b))
}

/// `text` with every syllable spelled out as its conjoining jamo.
fn letters(text: &str) -> Vec<char> {
    let mut letters = Vec::with_capacity(text.len());
    for c in text.chars() {
        match jamo(c) {
            Some((initial, vowel, last)) => {
                let code = |base: u32, index: usize| char::from_u32(base + index as u32);
                letters.extend(code(0x1100, initial));
                letters.extend(code(0x1161, vowel));
                if last > 0 {
                    letters.extend(code(0x11A7, last));
                }
            }
            None => letters.push(c),
        }
    }
    letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stroke_is_one_letter_and_another_syllable_several() {
        assert_eq!(letter_distance("올산", "울산"), 1);
        assert_eq!(letter_distance("올산", "부산"), 3);
        assert_eq!(letter_distance("대젼", "대전"), 1);
        assert_eq!(letter_distance("AB", "AC"), 1);
        assert_eq!(letter_distance("", "각"), 3);
    }
}
