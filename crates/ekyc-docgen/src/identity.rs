//! Random but well-formed people and their document fields.
//!
//! Surnames follow their share of the Korean population (2015 census,
//! rounded), given names are two syllables drawn from those most used in
//! names, and addresses use real 시/도 and 시군구 with invented street
//! numbers. Nothing here is a real person.

use chrono::{Datelike, Duration, NaiveDate};
use ekyc_doc::licence::{LICENCE_TYPES, REGIONS};
use ekyc_doc::mrz::check_digit;
use rand::seq::SliceRandom;
use rand::Rng;

/// Surname, its Hanja, romanisation and weight (per mille of the population).
const SURNAMES: [(&str, &str, &str, u32); 30] = [
    ("김", "金", "KIM", 215),
    ("이", "李", "LEE", 147),
    ("박", "朴", "PARK", 84),
    ("최", "崔", "CHOI", 47),
    ("정", "鄭", "JUNG", 43),
    ("강", "姜", "KANG", 23),
    ("조", "趙", "CHO", 21),
    ("윤", "尹", "YOON", 20),
    ("장", "張", "JANG", 20),
    ("임", "林", "LIM", 17),
    ("한", "韓", "HAN", 15),
    ("오", "吳", "OH", 15),
    ("서", "徐", "SEO", 15),
    ("신", "申", "SHIN", 14),
    ("권", "權", "KWON", 14),
    ("황", "黃", "HWANG", 14),
    ("안", "安", "AHN", 13),
    ("송", "宋", "SONG", 13),
    ("류", "柳", "RYU", 12),
    ("전", "全", "JEON", 11),
    ("홍", "洪", "HONG", 11),
    ("고", "高", "KO", 9),
    ("문", "文", "MOON", 9),
    ("양", "梁", "YANG", 9),
    ("손", "孫", "SON", 9),
    ("배", "裵", "BAE", 8),
    ("백", "白", "BAEK", 8),
    ("허", "許", "HEO", 6),
    ("남", "南", "NAM", 6),
    ("노", "盧", "NOH", 4),
];

/// Given-name syllables with a common Hanja and romanisation.
const SYLLABLES: [(&str, &str, &str); 40] = [
    ("민", "敏", "MIN"),
    ("서", "瑞", "SEO"),
    ("지", "智", "JI"),
    ("현", "賢", "HYUN"),
    ("준", "俊", "JUN"),
    ("수", "秀", "SU"),
    ("영", "英", "YOUNG"),
    ("예", "藝", "YE"),
    ("하", "夏", "HA"),
    ("도", "道", "DO"),
    ("윤", "潤", "YUN"),
    ("우", "宇", "WOO"),
    ("은", "恩", "EUN"),
    ("진", "眞", "JIN"),
    ("성", "成", "SEONG"),
    ("재", "在", "JAE"),
    ("연", "姸", "YEON"),
    ("승", "承", "SEUNG"),
    ("유", "裕", "YU"),
    ("정", "貞", "JEONG"),
    ("혜", "惠", "HYE"),
    ("경", "京", "KYUNG"),
    ("희", "熙", "HEE"),
    ("호", "浩", "HO"),
    ("훈", "勳", "HOON"),
    ("석", "錫", "SEOK"),
    ("주", "周", "JU"),
    ("원", "元", "WON"),
    ("빈", "彬", "BIN"),
    ("아", "雅", "A"),
    ("동", "東", "DONG"),
    ("상", "相", "SANG"),
    ("철", "哲", "CHUL"),
    ("미", "美", "MI"),
    ("숙", "淑", "SOOK"),
    ("태", "泰", "TAE"),
    ("혁", "赫", "HYUK"),
    ("소", "昭", "SO"),
    ("나", "娜", "NA"),
    ("건", "建", "GEON"),
];

/// 시/도 with some of their 시/군/구 and 동 names.
const PLACES: [(&str, &[&str], &[&str]); 10] = [
    (
        "서울특별시",
        &["강남구", "종로구", "마포구", "송파구", "관악구", "노원구"],
        &["역삼동", "삼성동", "연남동", "잠실동", "신림동", "상계동"],
    ),
    (
        "부산광역시",
        &["해운대구", "부산진구", "동래구", "사하구"],
        &["우동", "부전동", "온천동", "괴정동"],
    ),
    (
        "대구광역시",
        &["수성구", "달서구", "중구"],
        &["범어동", "상인동", "동인동"],
    ),
    (
        "인천광역시",
        &["연수구", "남동구", "부평구"],
        &["송도동", "구월동", "부평동"],
    ),
    (
        "광주광역시",
        &["북구", "서구", "광산구"],
        &["용봉동", "치평동", "수완동"],
    ),
    (
        "대전광역시",
        &["유성구", "서구", "대덕구"],
        &["봉명동", "둔산동", "법동"],
    ),
    (
        "경기도",
        &[
            "수원시 영통구",
            "성남시 분당구",
            "고양시 일산동구",
            "용인시 수지구",
        ],
        &["매탄동", "정자동", "장항동", "풍덕천동"],
    ),
    (
        "강원특별자치도",
        &["춘천시", "원주시", "강릉시"],
        &["효자동", "단계동", "교동"],
    ),
    (
        "충청북도",
        &["청주시 흥덕구", "충주시"],
        &["복대동", "연수동"],
    ),
    (
        "경상남도",
        &["창원시 성산구", "김해시", "진주시"],
        &["상남동", "내동", "평거동"],
    ),
];

const ROADS: [&str; 12] = [
    "테헤란로",
    "세종대로",
    "중앙로",
    "번영로",
    "시청로",
    "문화로",
    "대학로",
    "하늘길",
    "월드컵로",
    "해안로",
    "동산로",
    "새말로",
];

const COUNTRIES: [(&str, &str, &str); 8] = [
    ("CHINA", "중국", "CHN"),
    ("VIET NAM", "베트남", "VNM"),
    ("THAILAND", "태국", "THA"),
    ("PHILIPPINES", "필리핀", "PHL"),
    ("UZBEKISTAN", "우즈베키스탄", "UZB"),
    ("UNITED STATES", "미국", "USA"),
    ("INDONESIA", "인도네시아", "IDN"),
    ("NEPAL", "네팔", "NPL"),
];

const VISAS: [(&str, &str); 8] = [
    ("E-9", "비전문취업"),
    ("F-4", "재외동포"),
    ("D-2", "유학"),
    ("E-7", "특정활동"),
    ("F-6", "결혼이민"),
    ("H-2", "방문취업"),
    ("F-2", "거주"),
    ("D-10", "구직"),
];

/// Latin given-name parts for foreigners' cards.
const FOREIGN_NAMES: [&str; 16] = [
    "WANG", "LI", "NGUYEN", "TRAN", "SOMCHAI", "MARIA", "JOSE", "AZIZ", "RAHMAT", "SITI", "JOHN",
    "EMILY", "XIAO", "MEI", "ANH", "BINH",
];

/// A person: the name forms and birth facts every document needs.
#[derive(Debug, Clone)]
pub struct Person {
    /// The name in Hangul, surname first, no space.
    pub hangul: String,
    /// The same name in Hanja, printed after the Hangul on a resident card.
    pub hanja: String,
    /// The surname as a passport romanises it.
    pub surname_latin: String,
    /// The given name as a passport romanises it.
    pub given_latin: String,
    /// Born between 1940 and 2005.
    pub birth: NaiveDate,
    /// Sets the registration number's gender digit and a passport's sex.
    pub male: bool,
}

/// A random person, the surname drawn by how common it is.
pub fn person(rng: &mut impl Rng) -> Person {
    let total: u32 = SURNAMES.iter().map(|s| s.3).sum();
    let mut pick = rng.gen_range(0..total);
    let surname = SURNAMES
        .iter()
        .find(|s| {
            if pick < s.3 {
                true
            } else {
                pick -= s.3;
                false
            }
        })
        .unwrap_or(&SURNAMES[0]);
    // One in twenty names has a one-syllable given name, as in real life.
    let syllables = if rng.gen_bool(0.05) { 1 } else { 2 };
    let given: Vec<_> = (0..syllables)
        .map(|_| *SYLLABLES.choose(rng).unwrap_or(&SYLLABLES[0]))
        .collect();
    let birth = NaiveDate::from_ymd_opt(1940, 1, 1).unwrap_or_default()
        + Duration::days(rng.gen_range(0..365 * 66));
    Person {
        hangul: format!(
            "{}{}",
            surname.0,
            given.iter().map(|g| g.0).collect::<String>()
        ),
        hanja: format!(
            "{}{}",
            surname.1,
            given.iter().map(|g| g.1).collect::<String>()
        ),
        surname_latin: surname.2.to_owned(),
        given_latin: given.iter().map(|g| g.2).collect::<String>(),
        birth,
        male: rng.gen_bool(0.5),
    }
}

/// A registration number for `person`; the check digit is valid for older
/// numbers and random for a third of them (numbers since October 2020).
pub fn registration_number(rng: &mut impl Rng, person: &Person, foreigner: bool) -> String {
    let century = if person.birth.year() >= 2000 { 2 } else { 0 };
    let sex = if person.male { 1 } else { 2 };
    let g = century + sex + if foreigner { 4 } else { 0 };
    let mut digits: Vec<u32> = format!(
        "{:02}{:02}{:02}",
        person.birth.year() % 100,
        person.birth.month(),
        person.birth.day()
    )
    .chars()
    .filter_map(|c| c.to_digit(10))
    .collect();
    digits.push(g);
    digits.extend((0..5).map(|_| rng.gen_range(0..10)));
    let weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    let modulus = if foreigner { 13 } else { 11 };
    let check = if rng.gen_bool(0.33) {
        rng.gen_range(0..10)
    } else {
        (modulus - sum % 11) % 10
    };
    digits.push(check);
    let text: String = digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap_or('0'))
        .collect();
    format!("{}-{}", &text[..6], &text[6..])
}

/// An address in road-name form, split into the lines a card prints.
pub fn address(rng: &mut impl Rng) -> Vec<String> {
    let (province, districts, towns) = PLACES.choose(rng).copied().unwrap_or(PLACES[0]);
    let pick = rng.gen_range(0..districts.len());
    let district = districts[pick];
    let town = towns[pick.min(towns.len() - 1)];
    let road = ROADS.choose(rng).copied().unwrap_or(ROADS[0]);
    let first = format!("{province} {district} {road} {}", rng.gen_range(1..400));
    if rng.gen_bool(0.6) {
        let unit = format!(
            "{}동 {}호 ({town})",
            rng.gen_range(101..115),
            rng.gen_range(1..25) * 100 + rng.gen_range(1..5)
        );
        vec![first, unit]
    } else {
        vec![format!("{first} ({town})")]
    }
}

/// The head of a 시, 군 or 구, as a 주민등록증 names its issuer: a 시 is
/// headed by its 시장, a 군 by its 군수, a 구 by its 구청장.
pub fn head_of(district: &str) -> String {
    match district.chars().last() {
        Some('군') => format!("{district}수"),
        Some('구') => format!("{district}청장"),
        _ => format!("{district}장"),
    }
}

/// The police head who issues a 운전면허증 in `province`: on the new
/// layout the 시·도경찰청장, as titled since 2021 (경기도 has two, 남부 and
/// 북부; `district` tells which); on the old one the 지방경찰청장 under the
/// region's short name (`경기지방경찰청장`, never `경기도…`).
pub fn police_head(province: &str, district: &str, new_layout: bool) -> String {
    let northern_gyeonggi = [
        "고양시",
        "의정부시",
        "파주시",
        "남양주시",
        "양주시",
        "구리시",
    ]
    .iter()
    .any(|city| district.starts_with(city));
    if new_layout {
        return match province {
            "경기도" if northern_gyeonggi => "경기도북부경찰청장".to_owned(),
            "경기도" => "경기도남부경찰청장".to_owned(),
            _ => format!("{province}경찰청장"),
        };
    }
    let short = match province {
        "경기도" => "경기",
        "강원특별자치도" | "강원도" => "강원",
        "충청북도" => "충북",
        "충청남도" => "충남",
        "전라북도" | "전북특별자치도" => "전북",
        "전라남도" => "전남",
        "경상북도" => "경북",
        "경상남도" => "경남",
        "제주특별자치도" => "제주",
        other => other
            .trim_end_matches("특별자치시")
            .trim_end_matches("특별시")
            .trim_end_matches("광역시"),
    };
    format!("{short}지방경찰청장")
}

/// A date between `from` and `from + days`.
pub fn date_after(rng: &mut impl Rng, from: NaiveDate, days: i64) -> NaiveDate {
    from + Duration::days(rng.gen_range(0..days.max(1)))
}

/// A licence number in code form, and the region name when the card is
/// from before June 2014 and prints it instead of the code.
pub fn licence_number(rng: &mut impl Rng, issued: NaiveDate) -> (String, Option<&'static str>) {
    let (code, region) = *REGIONS.choose(rng).unwrap_or(&REGIONS[0]);
    let number = format!(
        "{code}-{:02}-{:06}-{:02}",
        issued.year() % 100,
        rng.gen_range(0..1_000_000),
        rng.gen_range(0..100)
    );
    let old_form = issued < NaiveDate::from_ymd_opt(2014, 6, 1).unwrap_or_default();
    (number, old_form.then_some(region))
}

/// One to three licence types, distinct, in the order cards print them.
pub fn licence_types(rng: &mut impl Rng) -> Vec<&'static str> {
    let count = *[1, 1, 1, 2, 2, 3].choose(rng).unwrap_or(&1);
    let mut types: Vec<_> = LICENCE_TYPES.choose_multiple(rng, count).copied().collect();
    types.sort_by_key(|t| LICENCE_TYPES.iter().position(|k| k == t));
    types
}

/// 암호일련번호 / card serial: six capitals and digits.
pub fn serial(rng: &mut impl Rng, length: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    (0..length)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Passport number: `M12345678` before December 2021, `M123A4567` since.
pub fn passport_number(rng: &mut impl Rng, issued: NaiveDate) -> String {
    let letter = *['M', 'S', 'R'].choose(rng).unwrap_or(&'M');
    if issued >= NaiveDate::from_ymd_opt(2021, 12, 21).unwrap_or_default() {
        let middle = (b'A' + rng.gen_range(0..26)) as char;
        format!(
            "{letter}{:03}{middle}{:04}",
            rng.gen_range(0..1000),
            rng.gen_range(0..10_000)
        )
    } else {
        format!("{letter}{:08}", rng.gen_range(0..100_000_000))
    }
}

/// A foreigner's country: English, Korean and ICAO code.
pub fn country(rng: &mut impl Rng) -> (&'static str, &'static str, &'static str) {
    *COUNTRIES.choose(rng).unwrap_or(&COUNTRIES[0])
}

/// A stay status: its code (`E-9`) and Korean name.
pub fn visa(rng: &mut impl Rng) -> (&'static str, &'static str) {
    *VISAS.choose(rng).unwrap_or(&VISAS[0])
}

/// A foreigner's name as a residence card prints it: two or three
/// upper-case Latin words.
pub fn foreign_name(rng: &mut impl Rng) -> String {
    let count = rng.gen_range(2..4);
    (0..count)
        .map(|_| *FOREIGN_NAMES.choose(rng).unwrap_or(&FOREIGN_NAMES[0]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The two TD3 lines of a Korean passport.
pub fn passport_mrz(
    person: &Person,
    number: &str,
    expiry: NaiveDate,
    optional: &str,
) -> [String; 2] {
    let name = format!("{}<<{}", person.surname_latin, person.given_latin);
    let line1 = format!("PMKOR{name:<<39}");
    let birth = person.birth.format("%y%m%d").to_string();
    let expiry = expiry.format("%y%m%d").to_string();
    let optional = format!("{optional:<<14}");
    let digit = |field: &str| check_digit(field).unwrap_or(0).to_string();
    let sex = if person.male { "M" } else { "F" };
    let number_field = format!("{number:<<9}");
    let composite = format!(
        "{number_field}{}{birth}{}{expiry}{}{optional}{}",
        digit(&number_field),
        digit(&birth),
        digit(&expiry),
        digit(&optional)
    );
    let line2 = format!(
        "{number_field}{}KOR{birth}{}{sex}{expiry}{}{optional}{}{}",
        digit(&number_field),
        digit(&birth),
        digit(&expiry),
        digit(&optional),
        digit(&composite)
    );
    [line1, line2]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn issuers_carry_titles_that_exist() {
        assert_eq!(head_of("강릉시"), "강릉시장");
        assert_eq!(head_of("유성구"), "유성구청장");
        assert_eq!(head_of("군위군"), "군위군수");
        assert_eq!(
            police_head("경기도", "고양시 일산동구", true),
            "경기도북부경찰청장"
        );
        assert_eq!(
            police_head("경기도", "수원시 영통구", true),
            "경기도남부경찰청장"
        );
        assert_eq!(police_head("충청북도", "충주시", true), "충청북도경찰청장");
        assert_eq!(police_head("충청북도", "충주시", false), "충북지방경찰청장");
        assert_eq!(
            police_head("서울특별시", "강남구", false),
            "서울지방경찰청장"
        );
        assert_eq!(
            police_head("강원특별자치도", "춘천시", false),
            "강원지방경찰청장"
        );
    }

    #[test]
    fn generated_mrz_parses_with_valid_check_digits() {
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..50 {
            let person = person(&mut rng);
            let issued = date_after(&mut rng, NaiveDate::from_ymd_opt(2015, 1, 1).unwrap(), 3000);
            let number = passport_number(&mut rng, issued);
            let mrz = passport_mrz(&person, &number, issued + Duration::days(3650), "1234567");
            let parsed = ekyc_doc::mrz::parse_td3(&mrz[0], &mrz[1]).expect("well-formed MRZ");
            assert!(parsed.valid, "{mrz:?}");
            assert_eq!(parsed.document_number, number);
        }
    }

    #[test]
    fn registration_numbers_carry_the_birth_date_and_kind() {
        let mut rng = StdRng::seed_from_u64(4);
        for foreigner in [false, true] {
            let person = person(&mut rng);
            let number = registration_number(&mut rng, &person, foreigner);
            let parsed = ekyc_doc::registration::parse(&number).expect("well-formed number");
            assert_eq!(parsed.birth_date, Some(person.birth));
            assert_eq!(parsed.foreigner, foreigner);
        }
    }
}
