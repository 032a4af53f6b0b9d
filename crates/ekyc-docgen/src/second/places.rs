//! Addresses and issuing offices of the second style, from real 시/도,
//! 시/군/구, 읍/면/동 and 리 and real road names.
//!
//! Addresses come in the road-name form (`테헤란로 123, 101동 1001호
//! (역삼동, 한신아파트)`) and the older lot-number form (`진안리 567`),
//! so a reader sees commas, parentheses, 읍/면 and 리.

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;

/// One 시/군/구 with some of its 읍/면/동 (and, for 읍/면, one of their
/// 리) and roads.
struct District {
    /// `강남구`, `천안시 동남구`, `양평군`; empty for 세종, which has none.
    name: &'static str,
    /// 동, or `읍 리` / `면 리` pairs.
    towns: &'static [&'static str],
    roads: &'static [&'static str],
}

/// A 시/도: its full name, its police agency's old and new titles, and
/// some districts.
struct Province {
    name: &'static str,
    police_old: &'static str,
    police_new: &'static str,
    districts: &'static [District],
}

const PROVINCES: [Province; 12] = [
    Province {
        name: "서울특별시",
        police_old: "서울지방경찰청장",
        police_new: "서울특별시경찰청장",
        districts: &[
            District {
                name: "강남구",
                towns: &["역삼동", "삼성동", "대치동", "개포동"],
                roads: &["테헤란로", "봉은사로", "선릉로", "도곡로"],
            },
            District {
                name: "종로구",
                towns: &["청운동", "혜화동", "평창동"],
                roads: &["자하문로", "율곡로", "창경궁로"],
            },
            District {
                name: "마포구",
                towns: &["합정동", "서교동", "망원동", "공덕동"],
                roads: &["월드컵로", "독막로", "양화로"],
            },
            District {
                name: "노원구",
                towns: &["상계동", "중계동", "월계동"],
                roads: &["동일로", "노원로", "한글비석로"],
            },
            District {
                name: "관악구",
                towns: &["봉천동", "신림동"],
                roads: &["관악로", "남부순환로", "신림로"],
            },
        ],
    },
    Province {
        name: "부산광역시",
        police_old: "부산지방경찰청장",
        police_new: "부산광역시경찰청장",
        districts: &[
            District {
                name: "해운대구",
                towns: &["우동", "중동", "좌동", "반여동"],
                roads: &["해운대로", "센텀중앙로", "좌동순환로"],
            },
            District {
                name: "부산진구",
                towns: &["부전동", "전포동", "양정동"],
                roads: &["중앙대로", "동천로", "가야대로"],
            },
            District {
                name: "기장군",
                towns: &["기장읍 대라리", "정관읍 매학리", "일광읍 삼성리"],
                roads: &["기장대로", "정관중앙로"],
            },
        ],
    },
    Province {
        name: "대구광역시",
        police_old: "대구지방경찰청장",
        police_new: "대구광역시경찰청장",
        districts: &[
            District {
                name: "수성구",
                towns: &["범어동", "만촌동", "지산동"],
                roads: &["달구벌대로", "동대구로", "범어천로"],
            },
            District {
                name: "달성군",
                towns: &["화원읍 천내리", "다사읍 매곡리", "현풍읍 중리"],
                roads: &["비슬로", "달구벌대로", "테크노중앙대로"],
            },
        ],
    },
    Province {
        name: "인천광역시",
        police_old: "인천지방경찰청장",
        police_new: "인천광역시경찰청장",
        districts: &[
            District {
                name: "연수구",
                towns: &["송도동", "연수동", "옥련동"],
                roads: &["컨벤시아대로", "경원대로", "해돋이로"],
            },
            District {
                name: "강화군",
                towns: &["강화읍 관청리", "길상면 온수리", "선원면 신정리"],
                roads: &["강화대로", "중앙로"],
            },
        ],
    },
    Province {
        name: "대전광역시",
        police_old: "대전지방경찰청장",
        police_new: "대전광역시경찰청장",
        districts: &[
            District {
                name: "유성구",
                towns: &["궁동", "봉명동", "노은동"],
                roads: &["대학로", "유성대로", "노은동로"],
            },
            District {
                name: "서구",
                towns: &["둔산동", "탄방동", "관저동"],
                roads: &["대덕대로", "둔산로", "계룡로"],
            },
        ],
    },
    Province {
        name: "세종특별자치시",
        police_old: "충남지방경찰청장",
        police_new: "세종특별자치시경찰청장",
        districts: &[District {
            name: "",
            towns: &["조치원읍 신안리", "한솔동", "도담동", "아름동"],
            roads: &["한누리대로", "도움1로", "조치원로"],
        }],
    },
    Province {
        name: "경기도",
        police_old: "경기남부지방경찰청장",
        police_new: "경기도남부경찰청장",
        districts: &[
            District {
                name: "수원시 영통구",
                towns: &["매탄동", "영통동", "원천동"],
                roads: &["매영로", "봉영로", "청명남로"],
            },
            District {
                name: "성남시 분당구",
                towns: &["정자동", "서현동", "수내동"],
                roads: &["불정로", "황새울로", "분당로"],
            },
            District {
                name: "부천시",
                towns: &["중동", "상동", "심곡동"],
                roads: &["길주로", "부천로", "소향로"],
            },
            District {
                name: "양평군",
                towns: &["양평읍 양근리", "용문면 다문리", "서종면 문호리"],
                roads: &["양평로", "용문로", "북한강로"],
            },
        ],
    },
    Province {
        name: "강원도",
        police_old: "강원지방경찰청장",
        police_new: "강원도경찰청장",
        districts: &[
            District {
                name: "춘천시",
                towns: &["효자동", "석사동", "퇴계동"],
                roads: &["중앙로", "춘천로", "석사로"],
            },
            District {
                name: "평창군",
                towns: &["평창읍 중리", "대관령면 횡계리", "진부면 하진부리"],
                roads: &["올림픽로", "진부중앙로"],
            },
        ],
    },
    Province {
        name: "충청남도",
        police_old: "충남지방경찰청장",
        police_new: "충청남도경찰청장",
        districts: &[
            District {
                name: "천안시 동남구",
                towns: &["신부동", "원성동", "병천면 병천리"],
                roads: &["천안대로", "충절로", "아우내순대길"],
            },
            District {
                name: "천안시 서북구",
                towns: &["불당동", "쌍용동", "성정동"],
                roads: &["불당대로", "쌍용대로"],
            },
            District {
                name: "부여군",
                towns: &["부여읍 동남리", "규암면 규암리"],
                roads: &["사비로", "성왕로"],
            },
        ],
    },
    Province {
        name: "전라남도",
        police_old: "전남지방경찰청장",
        police_new: "전라남도경찰청장",
        districts: &[
            District {
                name: "순천시",
                towns: &["조례동", "연향동", "해룡면 신대리"],
                roads: &["연향로", "중앙로"],
            },
            District {
                name: "해남군",
                towns: &["해남읍 구교리", "송지면 산정리"],
                roads: &["해남로", "중앙1로"],
            },
        ],
    },
    Province {
        name: "경상북도",
        police_old: "경북지방경찰청장",
        police_new: "경상북도경찰청장",
        districts: &[
            District {
                name: "포항시 남구",
                towns: &["대잠동", "이동", "오천읍 문덕리"],
                roads: &["포스코대로", "대이로", "희망대로"],
            },
            District {
                name: "경주시",
                towns: &["황성동", "동천동", "안강읍 양월리"],
                roads: &["태종로", "알천북로", "화랑로"],
            },
            District {
                name: "청송군",
                towns: &["청송읍 월막리", "진보면 진안리"],
                roads: &["중앙로", "청송로"],
            },
        ],
    },
    Province {
        name: "제주특별자치도",
        police_old: "제주지방경찰청장",
        police_new: "제주특별자치도경찰청장",
        districts: &[
            District {
                name: "제주시",
                towns: &["연동", "노형동", "애월읍 애월리", "조천읍 함덕리"],
                roads: &["연북로", "노연로", "애월해안로"],
            },
            District {
                name: "서귀포시",
                towns: &["서귀동", "중문동", "대정읍 하모리", "성산읍 고성리"],
                roads: &["중앙로", "일주서로", "중문관광로"],
            },
        ],
    },
];

/// Apartment complexes an address may name in its parentheses.
const COMPLEXES: [&str; 10] = [
    "현대아파트",
    "래미안",
    "푸르지오",
    "주공아파트",
    "한신아파트",
    "삼익아파트",
    "우성아파트",
    "한양아파트",
    "힐스테이트",
    "롯데캐슬",
];

/// Where a holder lives: the address as one string, the indices of the
/// province and district it is in (for an issuer nearby).
pub(super) struct Address {
    /// The whole address, words separated by single spaces.
    pub text: String,
    province: usize,
    district: usize,
}

/// A real-looking address in the road-name form (three in four) or the
/// lot-number form.
pub(super) fn address(rng: &mut impl Rng) -> Address {
    let province = rng.gen_range(0..PROVINCES.len());
    let district = rng.gen_range(0..PROVINCES[province].districts.len());
    let p = &PROVINCES[province];
    let d = &p.districts[district];
    let town = d.towns.choose(rng).unwrap_or(&"");
    let mut words = vec![p.name.to_owned()];
    if !d.name.is_empty() {
        words.push(d.name.to_owned());
    }
    // `읍 리` towns: the road-name form keeps the 읍/면, the lot form both.
    let (township, village) = match town.split_once(' ') {
        Some((township, village)) => (Some(township), Some(village)),
        None => (None, None),
    };
    if rng.gen_bool(0.75) {
        if let Some(township) = township {
            words.push(township.to_owned());
        }
        let road = d.roads.choose(rng).unwrap_or(&"중앙로");
        let building = rng.gen_range(1..400);
        let mut text = format!("{} {road} {building}", words.join(" "));
        if rng.gen_bool(0.25) {
            text.push_str(&format!("-{}", rng.gen_range(1..30)));
        }
        let complex = rng.gen_bool(0.5).then(|| COMPLEXES.choose(rng)).flatten();
        match (complex, rng.gen_range(0..3)) {
            (Some(_), _) => text.push_str(&format!(
                ", {}동 {}호",
                rng.gen_range(101..120),
                rng.gen_range(1..25) * 100 + rng.gen_range(1..6)
            )),
            (None, 0) => text.push_str(&format!(", {}층", rng.gen_range(2..6))),
            (None, 1) => text.push_str(&format!(", {}호", rng.gen_range(101..506))),
            _ => {}
        }
        // The 동 (never a 읍/면 town) and the complex go in parentheses.
        let note: Vec<&str> = [township.is_none().then_some(*town), complex.copied()]
            .into_iter()
            .flatten()
            .collect();
        if !note.is_empty() {
            text.push_str(&format!(" ({})", note.join(", ")));
        }
        Address {
            text,
            province,
            district,
        }
    } else {
        words.extend(township.map(str::to_owned));
        words.push(village.unwrap_or(town).to_owned());
        let lot = rng.gen_range(1..900);
        let mut text = format!("{} {lot}", words.join(" "));
        if rng.gen_bool(0.5) {
            text.push_str(&format!("-{}", rng.gen_range(1..40)));
        }
        if rng.gen_bool(0.2) {
            text.push_str("번지");
        }
        if rng.gen_bool(0.25) {
            text.push_str(&format!(
                " {}통 {}반",
                rng.gen_range(1..30),
                rng.gen_range(1..9)
            ));
        }
        Address {
            text,
            province,
            district,
        }
    }
}

/// The head of the district the holder lives in, who issues resident
/// cards: `서울특별시 강남구청장`, `경기도 부천시장`, `경기도 양평군수`,
/// `세종특별자치시장`; in a city with districts, its 구청장 (`충청남도
/// 천안시 동남구청장`) or on some cards the mayor (`충청남도 천안시장`).
pub(super) fn district_head(rng: &mut impl Rng, address: &Address) -> String {
    let p = &PROVINCES[address.province];
    let district = p.districts[address.district].name;
    if district.is_empty() {
        return format!("{}장", p.name);
    }
    let head = match district.split_once(' ') {
        Some((city, _)) if rng.gen_bool(0.3) => format!("{city}장"),
        _ if district.ends_with('군') => format!("{district}수"),
        _ if district.ends_with('구') => format!("{district}청장"),
        _ => format!("{district}장"),
    };
    format!("{} {head}", p.name)
}

/// `text` (an address or a title) in the names of `on`: 강원도 became
/// 강원특별자치도 on 11 June 2023.
pub(super) fn as_of(text: &str, on: NaiveDate) -> String {
    match NaiveDate::from_ymd_opt(2023, 6, 11) {
        Some(renamed) if on >= renamed => text.replace("강원도", "강원특별자치도"),
        _ => text.to_owned(),
    }
}

/// The police agency head who issued a licence, in the title of its time:
/// `서울지방경찰청장` until 2020, `서울특별시경찰청장` after.
pub(super) fn police_head(rng: &mut impl Rng, near: &Address, newer: bool) -> String {
    let index = if rng.gen_bool(0.7) {
        near.province
    } else {
        rng.gen_range(0..PROVINCES.len())
    };
    let p = &PROVINCES[index];
    if newer { p.police_new } else { p.police_old }.to_owned()
}

/// Immigration offices that issue residence cards; since 2018 the larger
/// ones are `출입국·외국인청`, the others `출입국·외국인사무소`, and before
/// that all were `출입국관리사무소`. 대구, 대전 and 광주 have a 사무소, not
/// a 청.
const IMMIGRATION: [(&str, bool); 12] = [
    ("서울", true),
    ("부산", true),
    ("인천", true),
    ("수원", true),
    ("대구", false),
    ("대전", false),
    ("광주", false),
    ("제주", true),
    ("서울남부", false),
    ("김해", false),
    ("울산", false),
    ("전주", false),
];

/// The immigration office head of a card issued in `year`.
pub(super) fn immigration_head(rng: &mut impl Rng, year: i32) -> String {
    let (city, large) = *IMMIGRATION.choose(rng).unwrap_or(&("서울", true));
    match (year >= 2018, large) {
        (false, _) => format!("{city}출입국관리사무소장"),
        (true, true) => format!("{city}출입국·외국인청장"),
        (true, false) => format!("{city}출입국·외국인사무소장"),
    }
}
