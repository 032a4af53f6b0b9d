use super::*;

#[test]
fn periods_end_on_their_second_date() {
    let end = NaiveDate::from_ymd_opt(2025, 12, 31);
    assert_eq!(two_dates("2025.01.01 ~ 2025.12.31"), end);
    assert_eq!(two_dates("2025.01.01 2025.12.31"), end);
    assert_eq!(two_dates("2025.01.01"), None);
}

#[test]
fn a_period_whose_end_is_no_printed_year_has_no_end() {
    // The tilde lost and the end's 20 read as 00: year 25 is no date.
    assert_eq!(two_dates("2025.01.01 0025.12.31"), None);
}
