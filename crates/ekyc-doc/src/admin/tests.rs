use super::names::{IMMIGRATION_BRANCHES, IMMIGRATION_OFFICES};
use super::*;

fn sorted_unique(names: &[&str]) -> bool {
    names.windows(2).all(|w| w[0] < w[1])
}

#[test]
fn tables_are_sorted_and_unique() {
    assert_eq!(PROVINCES.len(), 17);
    let provinces: Vec<&str> = PROVINCES.iter().map(|p| p.name).collect();
    assert!(sorted_unique(&provinces), "{provinces:?}");
    for province in PROVINCES {
        assert!(sorted_unique(province.districts), "{}", province.name);
        assert!(
            sorted_unique(province.former_districts),
            "{}",
            province.name
        );
        assert!(sorted_unique(province.former_names), "{}", province.name);
        for former in province.former_districts {
            assert!(!province.districts.contains(former), "{former}");
        }
    }
    let mut every_name: Vec<&str> = PROVINCES.iter().flat_map(Province::names).collect();
    every_name.sort_unstable();
    assert!(sorted_unique(&every_name), "{every_name:?}");
    let cities: Vec<(&str, &str)> = CITY_WARDS.iter().map(|(p, c, _)| (*p, *c)).collect();
    assert!(cities.windows(2).all(|w| w[0] < w[1]), "{cities:?}");
    for (province, city, wards) in CITY_WARDS {
        assert!(sorted_unique(wards), "{city}");
        let holder = PROVINCES.iter().find(|p| p.name == *province);
        assert!(holder.is_some_and(|p| p.districts.contains(city)), "{city}");
    }
    for table in [
        IMMIGRATION_OFFICES,
        IMMIGRATION_BRANCHES,
        FORMER_POLICE_REGIONS,
        GYEONGGI_POLICE,
    ] {
        assert!(sorted_unique(table), "{table:?}");
    }
}

#[test]
fn the_tables_hold_every_district() {
    // 226 autonomous 시/군/구 (2023), less 인천's 중구 and 동구 and plus
    // its 제물포구, 영종구 and 검단구 (July 2026), plus Jeju's two 시.
    let current: usize = PROVINCES.iter().map(|p| p.districts.len()).sum();
    assert_eq!(current, 226 - 2 + 3 + 2);
    let count = |name: &str| {
        PROVINCES
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.districts.len())
    };
    assert_eq!(count("서울특별시"), Some(25));
    assert_eq!(count("경기도"), Some(31));
    assert_eq!(count("대구광역시"), Some(9));
    assert_eq!(count("경상북도"), Some(22));
    assert_eq!(count("세종특별자치시"), Some(0));
}

fn address(text: &str) -> (String, Verdict) {
    let checked = check_address(text);
    (checked.text, checked.verdict)
}

fn issuer(office: Office, text: &str) -> (String, Verdict) {
    let checked = check_issuer(office, text);
    (checked.text, checked.verdict)
}

#[test]
fn a_valid_address_is_kept_byte_for_byte() {
    let text = "서울특별시 강남구 테헤란로 123, 101동 1001호 (역삼동)";
    assert_eq!(address(text), (text.to_owned(), Verdict::Valid));
    for text in [
        "경기도 고양시 일산동구 중앙로 1275",
        "경기도 부천시 원미로 12",
        "세종특별자치시 한누리대로 2130",
        "강원도 춘천시 중앙로 1",
        "전라북도 전주시 완산구 노송광장로 10",
        "인천광역시 남구 독정이로 95",
        "인천광역시 제물포구 참외전로 1",
        "경상북도 군위군 군위읍 군청로 1",
        "대구광역시 군위군 군위읍 군청로 1",
        "제주특별자치도 서귀포시 중앙로 105",
    ] {
        assert_eq!(address(text), (text.to_owned(), Verdict::Valid), "{text}");
    }
}

#[test]
fn no_valid_name_is_ever_changed() {
    for province in PROVINCES {
        for name in province.names() {
            for district in province.all_districts() {
                let text = format!("{name} {district} 중앙로 1");
                assert_eq!(address(&text), (text.clone(), Verdict::Valid));
                let head = format!("{name} {district}{}", title(district));
                assert_eq!(issuer(Office::DistrictHead, &head), (head, Verdict::Valid));
            }
        }
    }
    for (province, city, wards) in CITY_WARDS {
        for ward in *wards {
            let text = format!("{province} {city} {ward} 중앙로 1");
            assert_eq!(address(&text), (text.clone(), Verdict::Valid));
            let head = format!("{province} {city} {ward}청장");
            assert_eq!(issuer(Office::DistrictHead, &head), (head, Verdict::Valid));
        }
    }
    for head in police_agencies() {
        assert_eq!(issuer(Office::Police, &head), (head, Verdict::Valid));
    }
    for head in immigration::heads() {
        assert_eq!(issuer(Office::Immigration, &head), (head, Verdict::Valid));
    }
}

#[test]
fn a_province_follows_its_district() {
    assert_eq!(
        address("충청북도 천안시 동남구 만남로 43"),
        (
            "충청남도 천안시 동남구 만남로 43".to_owned(),
            Verdict::Corrected
        )
    );
    // A misread district decides nothing against a valid province.
    assert_eq!(
        address("충청북도 천안사 만남로 43"),
        ("충청북도 천안사 만남로 43".to_owned(), Verdict::Unmatched)
    );
    // A district misread into another province's: the near district that
    // fits the province is taken, the province kept.
    assert_eq!(
        address("전라남도 춘천시 해룡면 중앙로 322"),
        (
            "전라남도 순천시 해룡면 중앙로 322".to_owned(),
            Verdict::Corrected
        )
    );
    // 중구 is in six 시/도: none of them is told.
    assert_eq!(address("충청북도 중구 중앙로 1").1, Verdict::Unmatched);
}

#[test]
fn misread_names_snap_to_the_one_nearest() {
    let corrected = |from: &str, to: &str| {
        assert_eq!(address(from), (to.to_owned(), Verdict::Corrected), "{from}");
    };
    corrected(
        "부산광별시 해운대구 해운대로 1",
        "부산광역시 해운대구 해운대로 1",
    );
    corrected(
        "서울특별시 강남두 테헤란로 1",
        "서울특별시 강남구 테헤란로 1",
    );
    corrected("경기도 고양서 중앙로 1", "경기도 고양시 중앙로 1");
    corrected(
        "경기도 수원시 영퉁구 중앙로 1",
        "경기도 수원시 영통구 중앙로 1",
    );
    // Looked for under the 시/도 first: 강원 has a 고성군 too.
    corrected("경상남도 고성근 고성읍 1", "경상남도 고성군 고성읍 1");
    corrected(
        "서울특별시강남구 테헤란로 1",
        "서울특별시 강남구 테헤란로 1",
    );
    // A misread 시/도 takes the one of its (misread) district.
    corrected("전라늦도 고양서 중앙로 1", "경기도 고양시 중앙로 1");
}

#[test]
fn far_or_ambiguous_misreads_are_left_as_read() {
    // Two syllables off a three-syllable name.
    assert_eq!(
        address("서울특별시 강낭두 테헤란로 1"),
        (
            "서울특별시 강낭두 테헤란로 1".to_owned(),
            Verdict::Unmatched
        )
    );
    // 대전 has both a 중구 and a 동구; 서울 a 중구 and a 종로구.
    assert_eq!(address("대전광역시 종구 중앙로 1").1, Verdict::Unmatched);
    assert_eq!(address("서울특별시 종구 세종대로 1").1, Verdict::Unmatched);
    // 전라남도 and 전라북도 are as near, and nothing else tells.
    assert_eq!(address("전라늦도 중앙로 1").1, Verdict::Unmatched);
    assert_eq!(address("주소 서울특별시").1, Verdict::Unmatched);
    // A road after a city with wards is no misread ward.
    assert_eq!(
        address("경기도 수원시 영통로 1"),
        ("경기도 수원시 영통로 1".to_owned(), Verdict::Valid)
    );
}

#[test]
fn a_head_has_the_title_of_its_office() {
    let head = |text: &str| issuer(Office::DistrictHead, text);
    assert_eq!(
        head("경기도 부천시청장"),
        ("경기도 부천시장".to_owned(), Verdict::Corrected)
    );
    assert_eq!(
        head("서울특별시 강남구청장"),
        ("서울특별시 강남구청장".to_owned(), Verdict::Valid)
    );
    assert_eq!(
        head("대전광역시 유성구청장"),
        ("대전광역시 유성구청장".to_owned(), Verdict::Valid)
    );
    assert_eq!(
        head("경기도 양평군청장"),
        ("경기도 양평군수".to_owned(), Verdict::Corrected)
    );
    assert_eq!(
        head("서울특별시강남구청장"),
        ("서울특별시 강남구청장".to_owned(), Verdict::Corrected)
    );
    assert_eq!(
        head("세종특별자치시장"),
        ("세종특별자치시장".to_owned(), Verdict::Valid)
    );
    assert_eq!(
        head("충청북도 천안시장"),
        ("충청남도 천안시장".to_owned(), Verdict::Corrected)
    );
    assert_eq!(
        head("전라남도 춘천시장"),
        ("전라남도 순천시장".to_owned(), Verdict::Corrected)
    );
    assert_eq!(
        head("경기도 수원시 영퉁구청장"),
        ("경기도 수원시 영통구청장".to_owned(), Verdict::Corrected)
    );
    // No 시/도 head but 세종's issues a resident card.
    assert_eq!(head("서울특별시장").1, Verdict::Unmatched);
    assert_eq!(head("서울특별시 가나다라청장").1, Verdict::Unmatched);
}

#[test]
fn police_and_immigration_heads_are_real_offices() {
    let police = |text: &str| issuer(Office::Police, text);
    assert_eq!(
        police("서울특별시 경찰청장"),
        ("서울특별시경찰청장".to_owned(), Verdict::Valid)
    );
    assert_eq!(
        police("서울특별시경찰정장"),
        ("서울특별시경찰청장".to_owned(), Verdict::Corrected)
    );
    assert_eq!(
        police("경기도지방경찰청장"),
        ("경기지방경찰청장".to_owned(), Verdict::Corrected)
    );
    // 경기 has a southern and a northern agency, and no other.
    assert_eq!(
        police("경기도경찰청장"),
        ("경기도경찰청장".to_owned(), Verdict::Unmatched)
    );
    let immigration = |text: &str| issuer(Office::Immigration, text);
    assert_eq!(
        immigration("서울출입국외국인청장"),
        ("서울출입국·외국인청장".to_owned(), Verdict::Corrected)
    );
    assert_eq!(
        immigration("서울남부출입국·외국인사무소장").1,
        Verdict::Valid
    );
    assert_eq!(immigration("가나다라장").1, Verdict::Unmatched);
}

#[test]
fn distances_count_syllables() {
    assert_eq!(distance("부산광별시", "부산광역시"), 1);
    assert_eq!(distance("강남구", "강남구"), 0);
    assert_eq!(distance("일산롱군", "일산동구"), 2);
    assert_eq!(distance("", "중구"), 2);
    assert_eq!(allowed_distance("중구"), 1);
    assert_eq!(allowed_distance("부산광역시"), 2);
}

#[test]
fn a_province_read_in_two_words_is_joined() {
    assert_eq!(
        address("세종특 별자치시 조치원읍 조치원로 223-27"),
        (
            "세종특별자치시 조치원읍 조치원로 223-27".to_owned(),
            Verdict::Corrected
        )
    );
    assert_eq!(
        address("제주 특별자치도 서귀포시 중문동 67-5").0,
        "제주특별자치도 서귀포시 중문동 67-5"
    );
}
