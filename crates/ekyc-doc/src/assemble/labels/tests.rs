use super::*;

#[test]
fn labels_are_known_in_every_printing() {
    for label in [
        "성명",
        "성 명",
        "姓名",
        "Name",
        "주소:",
        "住所",
        "셩명",
        "성영",
        "발급일",
    ] {
        assert!(is_label(label), "{label}");
    }
    for value in ["홍길동", "김", "서울특별시", "테헤란로", "101동"] {
        assert!(!is_label(value), "{value}");
    }
}

#[test]
fn leading_labels_are_stripped_from_values() {
    assert_eq!(strip_leading("성 명 홍길동"), "홍길동");
    assert_eq!(strip_leading("성명홍길동"), "홍길동");
    assert_eq!(strip_leading("셩명 홍길동(洪吉童)"), "홍길동(洪吉童)");
    assert_eq!(
        strip_leading("주소: 서울특별시 강남구"),
        "서울특별시 강남구"
    );
    assert_eq!(strip_leading("주 소 서울특별시"), "서울특별시");
    assert_eq!(strip_leading("홍 길 동"), "홍 길 동");
    assert_eq!(strip_leading("서울특별시 강남구"), "서울특별시 강남구");
}

#[test]
fn a_word_alone_is_a_value_though_it_lies_near_a_label() {
    assert_eq!(strip_leading("남건"), "남건");
    assert_eq!(strip_leading("조아(趙雅)"), "조아(趙雅)");
    assert_eq!(strip_leading("셩명 남건"), "남건");
    assert_eq!(strip_leading("성명"), "");
}

#[test]
fn values_stop_at_the_next_label() {
    assert_eq!(
        label_inside("비슬로 179, 110동 발급일 2012. 1. 19."),
        Some(3)
    );
    assert_eq!(label_inside("비슬로 179, 110동 2003호"), None);
}

#[test]
fn partly_read_titles_are_not_names() {
    assert!(is_title_part("주민등"));
    assert!(is_title_part("외국인등록"));
    assert!(!is_title_part("주민호"));
    assert!(!is_title_part("홍길동"));
}
