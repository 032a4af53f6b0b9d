use super::*;

#[test]
fn licence_types_tolerate_one_wrong_character() {
    let text: Vec<char> = "1종보퉁2종소형".chars().collect();
    let chars = |t: &str| t.chars().collect::<Vec<_>>();
    assert_eq!(fuzzy_matches(&text, &chars("1종보통")), vec![(0, 1)]);
    assert_eq!(fuzzy_matches(&text, &chars("2종소형")), vec![(4, 0)]);
    assert!(fuzzy_matches(&text, &chars("대형견인차")).is_empty());
}

#[test]
fn periods_end_on_their_second_date() {
    let end = NaiveDate::from_ymd_opt(2025, 12, 31);
    assert_eq!(two_dates("2025.01.01 ~ 2025.12.31"), end);
    assert_eq!(two_dates("2025.01.01 2025.12.31"), end);
    assert_eq!(two_dates("2025.01.01"), None);
}
