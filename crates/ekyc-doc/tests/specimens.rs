//! The TD3 (passport) MRZ strings of the ICAO and UK specimen documents in
//! ../shared/data/documents/mrz_specimens/labels.csv read and validate.

use ekyc_doc::mrz::parse_td3;

#[test]
fn specimen_passport_mrzs_validate() {
    let labels = ekyc_test_support::shared_data().join("documents/mrz_specimens/labels.csv");
    let text = std::fs::read_to_string(labels).unwrap();
    let mut passports = 0;
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if fields[1] != "TD3" {
            continue;
        }
        let mrz = parse_td3(fields[2], fields[3]).unwrap();
        assert!(mrz.valid, "{}", fields[0]);
        assert_eq!(mrz.line2, fields[3]);
        passports += 1;
    }
    assert_eq!(passports, 2);
}
