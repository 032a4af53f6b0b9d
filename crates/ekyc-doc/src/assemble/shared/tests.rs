use image::GrayImage;

use super::*;
use crate::assemble::rules::{BROKEN_RULE, CORRECTED};
use crate::assemble::testing::*;
use crate::recognise::{LineReading, LineRecogniser};
use crate::DocError;

/// The serial of `length` characters found on a card with one line, first
/// read `korean` and in capitals `latin`, once the fields `known` are read.
fn serial_of(
    korean: &str,
    latin: &'static str,
    known: &[(FieldName, &str)],
    length: usize,
) -> Option<String> {
    let gray = GrayImage::new(1012, 638);
    let lines = [line(korean, 60.0, 440.0, 0.9)];
    let mut recogniser = Echo(latin);
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    for (name, value) in known {
        sheet.set(*name, *value, 0.9);
    }
    serial(&mut sheet, length).unwrap();
    let serial = sheet.fields.get(&FieldName::SerialNumber)?;
    serial.value.as_text().map(str::to_owned)
}

#[test]
fn serials_keep_every_capital() {
    assert_eq!(
        serial_of("AIOQ12", "AIOQ12", &[], 6).as_deref(),
        Some("AIOQ12")
    );
}

#[test]
fn a_word_of_the_name_is_no_serial() {
    let name = [(FieldName::Name, "SMITH ELIZABETH")];
    assert_eq!(serial_of("ELIZABETH", "ELIZABETH", &name, 9), None);
}

#[test]
fn a_name_read_with_a_digit_in_it_is_no_serial() {
    let name = [(FieldName::Name, "LI JANGUO")];
    assert_eq!(serial_of("LI J1ANGUO", "LI J1ANGUO", &name, 9), None);
    assert_eq!(
        serial_of("2MW8WDTE3", "2MW8WDTE3", &name, 9).as_deref(),
        Some("2MW8WDTE3")
    );
}

#[test]
fn the_country_is_no_serial() {
    let country = [(FieldName::Nationality, "INDONESIA")];
    assert_eq!(serial_of("INDONESIA", "INDONESIA", &country, 9), None);
}

#[test]
fn a_speck_read_inside_a_serial_is_dropped() {
    for (printed, read) in [("W9EG9FKHN", "W9E-G9FKHN"), ("26FWW1MU7", "26FWW/1MU7")] {
        assert_eq!(serial_of(read, read, &[], 9).as_deref(), Some(printed));
    }
}

#[test]
fn a_country_beside_its_korean_name_is_no_serial() {
    assert_eq!(serial_of("THAILAND / 태국", "THAILAND / 6", &[], 9), None);
}

#[test]
fn a_number_before_a_ban_is_its_tong() {
    assert_eq!(
        neighbourhood_units("대전광역시 유성구 궁동 355 8동 6반"),
        "대전광역시 유성구 궁동 355 8통 6반"
    );
    let building = "서울특별시 강남구 테헤란로 123, 101동 1001호 (역삼동)";
    assert_eq!(neighbourhood_units(building), building);
}

#[test]
fn address_periods_are_commas() {
    assert_eq!(
        address_commas("서울특별시 강남구 테헤란로 123. 101동 1001호 (역삼동)"),
        "서울특별시 강남구 테헤란로 123, 101동 1001호 (역삼동)"
    );
}

#[test]
fn names_start_at_the_first_hangul() {
    assert_eq!(leading_name("| 홍길동(洪吉童)").as_deref(), Some("홍길동"));
    assert_eq!(leading_name("1종보통"), None);
    assert_eq!(leading_name("김 민 수 金"), Some("김민수".to_owned()));
    assert_eq!(leading_name("840807-1062544"), None);
}

#[test]
fn issuers_keep_only_hangul_words() {
    assert_eq!(
        hangul_words("서울특별시 강남구청장 [印]"),
        "서울특별시 강남구청장"
    );
    assert_eq!(
        hangul_words("서울출입국·외국인청장"),
        "서울출입국·외국인청장"
    );
}

#[test]
fn a_district_head_is_a_gucheongjang() {
    assert_eq!(
        issuer_title("경상북도 포항시 남구청장장".into()),
        "경상북도 포항시 남구청장"
    );
    let title = |text: &str| issuer_title(text.to_owned());
    assert_eq!(title("대전광역시 유성구장"), "대전광역시 유성구청장");
    assert_eq!(title("서울특별시 마포구청장"), "서울특별시 마포구청장");
    assert_eq!(title("경기도 성남시장"), "경기도 성남시장");
}

#[test]
fn a_corrected_address_is_trusted_less() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("충청북도 천안시 동남구", 60.0, 300.0, 0.8),
        line("만남로 43", 60.0, 350.0, 0.9),
    ];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    address(&mut sheet, 0.0, f32::MAX, &[]);
    let field = &sheet.fields[&FieldName::Address];
    assert_eq!(
        field.value.as_text(),
        Some("충청남도 천안시 동남구 만남로 43")
    );
    assert!((field.confidence - 0.8 * CORRECTED).abs() < 1e-6);
}

#[test]
fn a_lot_number_wrapped_onto_its_own_line_is_part_of_the_address() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("부산광역시 기장군 정관읍 기장대로", 44.0, 268.0, 0.9),
        line("171-18.", 44.0, 308.0, 0.9),
        line("115동 2401호 (삼익아파트)", 45.0, 345.0, 0.9),
        line("2025. 9. 18.", 247.0, 509.0, 0.9),
    ];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    address(&mut sheet, 0.0, f32::MAX, &[]);
    assert_eq!(
        sheet.fields[&FieldName::Address].value.as_text(),
        Some("부산광역시 기장군 정관읍 기장대로 171-18, 115동 2401호 (삼익아파트)")
    );
}

#[test]
fn a_number_away_from_the_address_is_no_part_of_it() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("인천광역시 강화군 강화읍 관청리 420-33", 197.0, 253.0, 0.9),
        line("1234", 600.0, 290.0, 0.9),
    ];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    address(&mut sheet, 0.0, f32::MAX, &[]);
    assert_eq!(
        sheet.fields[&FieldName::Address].value.as_text(),
        Some("인천광역시 강화군 강화읍 관청리 420-33")
    );
}

#[test]
fn issuers_fit_their_offices_or_are_not_trusted() {
    let gray = GrayImage::new(1012, 638);
    let read = |text: &str, office: Office| {
        let lines = [line(text, 300.0, 550.0, 0.95)];
        let mut recogniser = Echo("");
        let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
        issuer_line(&mut sheet, 0.0, office);
        let field = sheet.fields[&FieldName::Issuer].clone();
        (field.value.as_text().map(str::to_owned), field.confidence)
    };
    let (text, confidence) = read("경기도 부천시청장 [印]", Office::DistrictHead);
    assert_eq!(text.as_deref(), Some("경기도 부천시장"));
    assert!(confidence < 0.95);
    let (text, confidence) = read("서울특별시 강남구청장", Office::DistrictHead);
    assert_eq!(text.as_deref(), Some("서울특별시 강남구청장"));
    assert_eq!(confidence, 0.95);
    let (text, confidence) = read("경기도경찰청장", Office::Police);
    assert_eq!(text.as_deref(), Some("경기도경찰청장"));
    assert!(confidence <= BROKEN_RULE);
}

#[test]
fn an_immigration_title_split_by_the_seal_or_without_its_end_is_read() {
    let gray = GrayImage::new(1012, 638);
    let mut recogniser = Echo("");
    let mut split = line("울산출입국·외국인사무소", 300.0, 560.0, 0.9);
    split.area.w = 400.0;
    let lines = [split, line("·장", 800.0, 562.0, 0.9)];
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    issuer_line(&mut sheet, 0.0, Office::Immigration);
    assert_eq!(
        sheet.fields[&FieldName::Issuer].value.as_text(),
        Some("울산출입국·외국인사무소장")
    );
    let lines = [
        line("외국인등록증", 40.0, 20.0, 0.9),
        line("대구출입국관리사무소", 300.0, 560.0, 0.9),
    ];
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    issuer_line(&mut sheet, 0.0, Office::Immigration);
    assert_eq!(
        sheet.fields[&FieldName::Issuer].value.as_text(),
        Some("대구출입국관리사무소장")
    );
}

#[test]
fn address_lines_keep_their_order_and_lose_their_label() {
    let gray = GrayImage::new(1012, 638);
    let mut recogniser = Echo("");
    let lines = [
        line(
            "주 소 대구광역시 달성군 현풍읍 비슬로 179,",
            40.0,
            200.0,
            0.9,
        ),
        line("110동 2003호 (삼익아파트)", 40.0, 236.0, 0.9),
        line("발급일 2012. 1. 19.", 40.0, 280.0, 0.9),
    ];
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    address(&mut sheet, 0.0, f32::MAX, &[]);
    assert_eq!(
        sheet.fields[&FieldName::Address].value.as_text(),
        Some("대구광역시 달성군 현풍읍 비슬로 179, 110동 2003호 (삼익아파트)")
    );
}

/// A recogniser that reads every line as the first of its readings and
/// ranks the rest after it, each with its confidence.
struct Ranked(Vec<(&'static str, f32)>);

impl Ranked {
    /// Readings all read at 0.8.
    fn even(texts: &[&'static str]) -> Self {
        Self(texts.iter().map(|text| (*text, 0.8)).collect())
    }
}

impl LineRecogniser for Ranked {
    fn read(&mut self, line: &GrayImage, script: Script) -> Result<LineReading, DocError> {
        Ok(self.readings(line, script, 1)?.remove(0))
    }

    fn readings(
        &mut self,
        _: &GrayImage,
        _: Script,
        n: usize,
    ) -> Result<Vec<LineReading>, DocError> {
        Ok(self
            .0
            .iter()
            .take(n)
            .map(|(text, confidence)| LineReading {
                text: (*text).to_owned(),
                confidence: *confidence,
            })
            .collect())
    }
}

#[test]
fn an_issue_date_yet_to_come_is_read_again() {
    let gray = GrayImage::new(1012, 638);
    let lines = [line("2043.04.23", 60.0, 440.0, 0.8)];
    let mut recogniser = Ranked::even(&["2043.04.23", "2048.04.23", "2013.04.23"]);
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    date_line(&mut sheet, 0.0, &[]).unwrap();
    let field = &sheet.fields[&FieldName::IssueDate];
    assert_eq!(field.value.as_text(), Some("2013-04-23"));
    assert!((field.confidence - 0.8 * CORRECTED).abs() < 1e-6);
}

#[test]
fn a_past_issue_date_is_kept_as_read() {
    let gray = GrayImage::new(1012, 638);
    let lines = [line("2021.04.23", 60.0, 440.0, 0.8)];
    let mut recogniser = Ranked::even(&["2021.04.23", "2024.04.23"]);
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    date_line(&mut sheet, 0.0, &[]).unwrap();
    let field = &sheet.fields[&FieldName::IssueDate];
    assert_eq!(field.value.as_text(), Some("2021-04-23"));
    assert!((field.confidence - 0.8).abs() < 1e-6);
}

#[test]
fn a_day_under_the_seal_comes_from_the_ranked_readings() {
    let gray = GrayImage::new(1012, 638);
    let lines = [line("2019.10.42", 60.0, 440.0, 0.8)];
    let mut recogniser = Ranked::even(&["2019.10.42", "2019.10.12", "2019.16.42"]);
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    date_line(&mut sheet, 0.0, &[]).unwrap();
    let field = &sheet.fields[&FieldName::IssueDate];
    assert_eq!(field.value.as_text(), Some("2019-10-12"));
    assert!((field.confidence - 0.8 * CORRECTED).abs() < 1e-6);
}

/// Reads a crop wider than `width` pixels as `wide`, a narrower one as
/// `narrow`: the box the detector cut short where a seal begins.
struct Widening {
    width: u32,
    narrow: &'static str,
    wide: &'static str,
}

impl LineRecogniser for Widening {
    fn read(&mut self, line: &GrayImage, _: Script) -> Result<LineReading, DocError> {
        let text = if line.width() > self.width {
            self.wide
        } else {
            self.narrow
        };
        Ok(LineReading {
            text: text.to_owned(),
            confidence: 0.9,
        })
    }
}

#[test]
fn a_date_cut_short_by_the_seal_is_read_with_room_to_its_right() {
    let gray = GrayImage::new(1012, 638);
    let lines = [line("2024.08.", 60.0, 440.0, 0.8)];
    let mut recogniser = Widening {
        width: 150,
        narrow: "2024.08.",
        wide: "2024.08.28",
    };
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    date_line(&mut sheet, 0.0, &[]).unwrap();
    let field = &sheet.fields[&FieldName::IssueDate];
    assert_eq!(field.value.as_text(), Some("2024-08-28"));
    assert!((field.confidence - 0.9 * CORRECTED).abs() < 1e-6);
}

#[test]
fn a_serial_read_with_a_gap_or_a_speck_is_whole() {
    for (korean, latin) in [("82U8BF W39", "82U8BF W39"), ("EUWY.JW", "BUWYJW")] {
        let whole: String = latin.split_whitespace().collect();
        assert_eq!(serial_of(korean, latin, &[], whole.len()), Some(whole));
    }
}

#[test]
fn a_latin_name_read_whole_is_no_serial() {
    let name = [(FieldName::Name, "TRAN THI HA")];
    assert_eq!(serial_of("TRAN THI HA", "TRAN THI HA", &name, 9), None);
}

#[test]
fn words_in_small_letters_are_no_serial() {
    assert_eq!(serial_of("Driver's License", "DN CN LC", &[], 6), None);
}

#[test]
fn units_set_apart_are_glued_back() {
    assert_eq!(
        glued_syllables("제주특별자치도 서귀포 시 중문동 67-5"),
        "제주특별자치도 서귀포시 중문동 67-5"
    );
    assert_eq!(
        glued_syllables("충청남도 천안시 동남구 병천면 아우내순대 길 289"),
        "충청남도 천안시 동남구 병천면 아우내순대길 289"
    );
    assert_eq!(glued_syllables("109 동 1403 호"), "109동 1403호");
    assert_eq!(
        glued_syllables("대전광역시 서구 관 저동 493"),
        "대전광역시 서구 관저동 493"
    );
    assert_eq!(
        glued_syllables("충청북도 청주시 흥 덕구 중앙로 141"),
        "충청북도 청주시 흥덕구 중앙로 141"
    );
    let kept = "서울특별시 강남구 테헤란로 123, 101동 1001호 (역삼동, 래미안)";
    assert_eq!(glued_syllables(kept), kept);
}

#[test]
fn brackets_that_close_nothing_are_dropped() {
    assert_eq!(
        balanced_brackets("대전광역시 유성구 궁동 355 8통 6반)"),
        "대전광역시 유성구 궁동 355 8통 6반"
    );
    assert_eq!(
        balanced_brackets("애월해안로 345, 109동 1403호 (연동,) 힐스테이트)"),
        "애월해안로 345, 109동 1403호 (연동, 힐스테이트)"
    );
    let kept = "대구광역시 수성구 달구벌대로 104, 4층 (지산동)";
    assert_eq!(balanced_brackets(kept), kept);
    assert_eq!(
        balanced_brackets("인천광역시 연수구 컨벤시아대로 366, 114호 (연수동"),
        "인천광역시 연수구 컨벤시아대로 366, 114호 (연수동)"
    );
}

#[test]
fn a_floor_loses_the_title_read_into_it() {
    assert_eq!(
        floors_without_title("세종특별자치시 조치원읍 도움1로 78, 4층장"),
        "세종특별자치시 조치원읍 도움1로 78, 4층"
    );
    let market = "서울특별시 중구 남대문시장4길 21";
    assert_eq!(floors_without_title(market), market);
}

#[test]
fn small_labels_read_as_syllables_are_not_the_name() {
    let gray = GrayImage::new(1012, 638);
    let lines = [
        line("성숙", 194.0, 138.0, 1.0),
        line("뾰옴", 33.0, 148.0, 0.72),
        line("970907-2114922", 185.0, 200.0, 1.0),
        line("E류료폼뎃 C", 37.0, 205.0, 0.70),
    ];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    name_above(&mut sheet, 2, None).unwrap();
    assert_eq!(sheet.fields[&FieldName::Name].value.as_text(), Some("성숙"));
}

/// The name, and its confidence, read above a registration number off a
/// line whose readings are `ranked`.
fn name_read(ranked: Ranked) -> (String, f32) {
    let gray = GrayImage::new(1012, 638);
    let (first, confidence) = ranked.0[0];
    let lines = [
        line(first, 194.0, 138.0, confidence),
        line("970907-2114922", 185.0, 200.0, 1.0),
    ];
    let mut recogniser = ranked;
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    name_above(&mut sheet, 1, None).unwrap();
    let field = &sheet.fields[&FieldName::Name];
    (
        field.value.as_text().unwrap_or_default().to_owned(),
        field.confidence,
    )
}

/// The name read off a line whose readings are `texts`, all at 0.8.
fn name_of(texts: &[&'static str]) -> String {
    name_read(Ranked::even(texts)).0
}

/// The name read off a line whose readings are `scored`.
fn name_ranked(scored: &[(&'static str, f32)]) -> String {
    name_read(Ranked(scored.to_vec())).0
}

#[test]
fn a_name_that_begins_with_no_surname_takes_the_runner_up_that_does() {
    let (name, confidence) = name_read(Ranked::even(&["흥용춘", "흉용춘", "홍용춘"]));
    assert_eq!(name, "홍용춘");
    assert!(confidence < 0.8);
    assert_eq!(name_of(&["션우은아", "선우은아"]), "선우은아");
    // A rare surname read well is kept: the list only chooses between
    // readings that begin with none and with one.
    assert_eq!(name_of(&["엄진례", "임진례"]), "엄진례");
    assert_eq!(name_of(&["흥용춘", "흉용춘"]), "흥용춘");
}

#[test]
fn a_given_name_syllable_no_hanja_reads_takes_the_runner_up_that_one_does() {
    assert_eq!(
        name_ranked(&[("심재테", 0.86), ("심재태", 0.80), ("심재데", 0.67)]),
        "심재태"
    );
    // Of two runner-ups, the one that keeps the consonants.
    assert_eq!(
        name_ranked(&[("노졍호", 0.80), ("노경호", 0.77), ("노정호", 0.75)]),
        "노정호"
    );
}

#[test]
fn a_licence_type_without_its_digit_is_no_name() {
    assert_eq!(leading_name("종소형"), None);
    assert_eq!(leading_name("장건"), Some("장건".to_owned()));
}

#[test]
fn a_native_given_name_read_surely_is_kept() {
    assert_eq!(
        name_ranked(&[("하다솜", 0.998), ("하다늠", 0.667)]),
        "하다솜"
    );
    assert_eq!(
        name_ranked(&[("이빛나", 0.854), ("이별나", 0.56)]),
        "이빛나"
    );
}

#[test]
fn a_seal_read_beside_the_issuers_title_is_no_part_of_it() {
    let gray = GrayImage::new(1012, 638);
    for (read, issuer) in [
        ("대구광역시 달성군4", "대구광역시 달성군수"),
        ("강원도 평창군수 급", "강원도 평창군수"),
    ] {
        let lines = [line(read, 260.0, 560.0, 0.9)];
        let mut recogniser = Echo("");
        let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
        issuer_line(&mut sheet, 500.0, Office::DistrictHead);
        assert_eq!(
            sheet.fields[&FieldName::Issuer].value.as_text(),
            Some(issuer),
            "{read}"
        );
    }
    let gray = GrayImage::new(1012, 638);
    let lines = [line("101동 2층장", 260.0, 560.0, 0.9)];
    let mut recogniser = Echo("");
    let mut sheet = sheet_of(&lines, &gray, &mut recogniser);
    issuer_line(&mut sheet, 500.0, Office::DistrictHead);
    assert!(!sheet.fields.contains_key(&FieldName::Issuer));
}
