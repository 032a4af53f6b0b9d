use super::*;

#[test]
fn mixed_mrz_readings_outvote_each_others_errors() {
    // The ICAO specimen: one reading misreads the birth date, the other
    // the document number and the nationality.
    let line1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_owned();
    let first = "L898902C36UTO7408132F1204159ZE184226B<<<<<10".to_owned();
    let second = "L898902G36UT47408122F1204159ZE184226B<<<<<10".to_owned();
    let mrz = best_td3(&[line1], &[first, second]).unwrap();
    assert!(mrz.valid);
    assert_eq!(mrz.line2, "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
}

#[test]
fn mixes_keep_the_first_reading_first() {
    assert_eq!(mixes("AB", "AC"), ["AB", "AC"]);
    assert_eq!(mixes("AB", "CD"), ["AB", "CB", "AD", "CD"]);
    assert_eq!(mixes("ABCDEFGHIJ", "0123456789").len(), 2);
}

#[test]
fn an_mrz_first_line_with_an_extra_character_is_realigned() {
    let line2 = "M12345678<KOR9001011M3001157<<<<<<<<<<<<<<04";
    assert_eq!(
        realign_line1("PPRKORCHO<<HYEJUN", line2),
        "PPKORCHO<<HYEJUN"
    );
    assert_eq!(realign_line1("PMKORCHO<<HYEJUN", line2), "PMKORCHO<<HYEJUN");
    assert_eq!(realign_line1("PKORCHO<<HYEJUN", line2), "P<KORCHO<<HYEJUN");
}

#[test]
fn mrz_lines_are_fitted_to_44_characters() {
    assert_eq!(fit_mrz_line("PMKORHONG<<GILDONG").len(), 44);
    let long = format!("{}<<<<", "A".repeat(44));
    assert_eq!(fit_mrz_line(&long), "A".repeat(44));
}
