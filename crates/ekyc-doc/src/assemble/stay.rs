//! Statuses of stay (체류자격) by the Korean name cards print beside
//! the code (`E-9 비전문취업`, `영주(F-5)`, `결혼이민 (F-6)`): when the
//! small Latin code is lost to blur, the name, printed in Hangul the
//! recogniser reads best, still tells the status.

use crate::edit::edit_distance;

/// Every status of the immigration law's table, by its Korean name.
const STATUSES: [(&str, &str); 37] = [
    ("외교", "A-1"),
    ("공무", "A-2"),
    ("협정", "A-3"),
    ("사증면제", "B-1"),
    ("관광통과", "B-2"),
    ("일시취재", "C-1"),
    ("단기방문", "C-3"),
    ("단기취업", "C-4"),
    ("문화예술", "D-1"),
    ("유학", "D-2"),
    ("기술연수", "D-3"),
    ("일반연수", "D-4"),
    ("취재", "D-5"),
    ("종교", "D-6"),
    ("주재", "D-7"),
    ("기업투자", "D-8"),
    ("무역경영", "D-9"),
    ("구직", "D-10"),
    ("교수", "E-1"),
    ("회화지도", "E-2"),
    ("연구", "E-3"),
    ("기술지도", "E-4"),
    ("전문직업", "E-5"),
    ("예술흥행", "E-6"),
    ("특정활동", "E-7"),
    ("계절근로", "E-8"),
    ("비전문취업", "E-9"),
    ("선원취업", "E-10"),
    ("방문동거", "F-1"),
    ("거주", "F-2"),
    ("동반", "F-3"),
    ("재외동포", "F-4"),
    ("영주", "F-5"),
    ("결혼이민", "F-6"),
    ("기타", "G-1"),
    ("관광취업", "H-1"),
    ("방문취업", "H-2"),
];

/// The code of the status whose Korean name is a word of `hangul` (the
/// line's Hangul words): exactly for names of two syllables, which other
/// words could be one syllable off, and one syllable off for longer ones.
pub(super) fn status_by_name(hangul: &str) -> Option<&'static str> {
    let words: Vec<Vec<char>> = hangul
        .split([' ', '(', ')', '·'])
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().collect())
        .collect();
    let mut best: Option<(usize, &'static str)> = None;
    for (name, code) in STATUSES {
        let name: Vec<char> = name.chars().collect();
        let allowed = usize::from(name.len() >= 4);
        for word in &words {
            let d = edit_distance(word, &name);
            if d <= allowed && best.is_none_or(|(b, _)| d < b) {
                best = Some((d, code));
            }
        }
    }
    best.map(|(_, code)| code)
}

/// The first status code printed in `text` (`E-9`, `D-10`, `영주(F-5)`):
/// a capital, a hyphen and the digits of a status the table holds. A
/// digit read after the code (`E-97`: a bracket or a stroke of the next
/// word) is dropped where the longer code is no status.
pub(super) fn code_in(text: &str) -> Option<&'static str> {
    // A space read beside the hyphen (`F -5`) is a wider gap, not a break.
    let text = text.replace(" -", "-").replace("- ", "-");
    let chars: Vec<char> = text.chars().collect();
    chars.windows(3).enumerate().find_map(|(i, w)| {
        if !(w[0].is_ascii_uppercase() && w[1] == '-' && w[2].is_ascii_digit()) {
            return None;
        }
        let one = format!("{}-{}", w[0], w[2]);
        let two = chars
            .get(i + 3)
            .filter(|c| c.is_ascii_digit())
            .map(|c| format!("{one}{c}"));
        two.and_then(|code| status(&code)).or_else(|| status(&one))
    })
}

/// The table's spelling of `code`, if it is a status.
fn status(code: &str) -> Option<&'static str> {
    STATUSES.iter().map(|(_, c)| *c).find(|c| *c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_known_by_their_korean_name() {
        assert_eq!(status_by_name("비전문취업"), Some("E-9"));
        assert_eq!(status_by_name("체류자격 영주"), Some("F-5"));
        assert_eq!(status_by_name("결혼이먼"), Some("F-6"));
        assert_eq!(status_by_name("회화지도"), Some("E-2"));
    }

    #[test]
    fn other_words_are_no_status() {
        assert_eq!(status_by_name("경상북도 영주시"), None);
        assert_eq!(status_by_name("영수"), None);
        assert_eq!(status_by_name("서울출입국·외국인청장"), None);
    }

    #[test]
    fn codes_are_the_tables() {
        assert_eq!(code_in("E-9 (비전문취업)"), Some("E-9"));
        assert_eq!(code_in("D-10 (JOB)"), Some("D-10"));
        assert_eq!(code_in("D-2 8"), Some("D-2"));
        assert_eq!(code_in("영주(F-5)"), Some("F-5"));
        assert_eq!(code_in("E9"), None);
        assert_eq!(code_in("E-97"), Some("E-9"));
        assert_eq!(code_in("F-66"), Some("F-6"));
        assert_eq!(code_in("E-10"), Some("E-10"));
        assert_eq!(code_in("F-7"), None);
        assert_eq!(code_in("Q-1 then H-2"), Some("H-2"));
        assert_eq!(code_in("F -5"), Some("F-5"));
    }
}
