//! The Korean surnames.
//!
//! About 280 surnames name nearly everyone in Korea. A recogniser unsure
//! between look-alike vowels reads `홍` as `흥` or `선우` as `션우`, which
//! begin no name: where a runner-up reading begins with a surname and the
//! first does not, the runner-up is the name.
//!
//! The list is the 2015 census's (Statistics Korea) surnames of a thousand
//! people or more, commonest first, surnames printed the same in Hangul
//! whatever their Hanja counted once, compound surnames whole. Where a
//! rarer one is read well it is answered as read: the list only chooses
//! between readings.

/// The surnames, commonest first.
const SURNAMES: &[&str] = &[
    "김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권", "황",
    "안", "송", "유", "류", "전", "홍", "고", "문", "양", "손", "배", "백", "허", "남", "심", "노",
    "하", "곽", "성", "차", "주", "우", "구", "민", "나", "진", "지", "엄", "채", "원", "천", "방",
    "공", "현", "함", "변", "염", "여", "추", "도", "소", "석", "선", "설", "마", "길", "연", "위",
    "표", "명", "기", "반", "라", "왕", "금", "옥", "육", "인", "맹", "제", "모", "탁", "남궁",
    "국", "어", "은", "편", "용", "예", "경", "봉", "사", "부", "황보", "가", "복", "태", "목",
    "형", "피", "두", "감", "호", "제갈", "음", "빈", "동", "온", "시", "범", "좌", "선우", "팽",
    "승", "간", "상", "사공", "갈", "서문", "독고", "견", "당", "화", "창", "옹", "곡", "묵", "단",
    "아", "순", "애",
];

/// How many syllables of `name` its surname takes: its first two where
/// they are a compound surname and a given name follows, else its first;
/// `None` where it begins with no surname.
pub(crate) fn surname_length(name: &str) -> Option<usize> {
    let first: String = name.chars().take(1).collect();
    let compound: String = name.chars().take(2).collect();
    if name.chars().count() >= 3 && SURNAMES.contains(&compound.as_str()) {
        Some(2)
    } else {
        SURNAMES.contains(&first.as_str()).then_some(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_begin_with_a_surname_and_misreads_do_not() {
        for (name, length) in [
            ("임진례", 1),
            ("엄진례", 1),
            ("홍용춘", 1),
            ("선우은아", 2),
            ("남궁민", 2),
            ("김하", 1),
        ] {
            assert_eq!(surname_length(name), Some(length), "{name}");
        }
        for name in ["흥용춘", "션우은아", "션우덕석"] {
            assert_eq!(surname_length(name), None, "{name}");
        }
    }

    #[test]
    fn each_surname_is_listed_once() {
        let mut names = SURNAMES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SURNAMES.len());
    }
}
