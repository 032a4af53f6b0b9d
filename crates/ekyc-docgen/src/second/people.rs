//! The second style's holders: Korean names with their Hanja and passport
//! spellings, birth dates and registration numbers, and foreigners' names
//! and countries.
//!
//! Written apart from the first style's sampling on purpose: a reader
//! that only learned one generator's habits (its name syllables, its
//! number rules) shows it here.

use chrono::{Datelike, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;

/// A Korean holder.
pub(super) struct Korean {
    /// The name in Hangul, surname first.
    pub hangul: String,
    /// The name in Hanja, where it has one (native names such as 하늘
    /// have none).
    pub hanja: Option<String>,
    /// The surname as passports usually spell it.
    pub surname_latin: String,
    /// The given name in the Revised Romanization, syllables joined, or
    /// split by a space as some holders ask for.
    pub given_latin: String,
    /// The birth date.
    pub birth: NaiveDate,
    /// Whether the holder is a man (the registration number's parity).
    pub male: bool,
}

/// Surnames, the commonest first and a few rarer ones (two syllables
/// among them) after: the Hangul, the Hanja and the spelling passports
/// most often use (not always the Revised Romanization: 이 is LEE, 최
/// CHOI).
const SURNAMES: [(&str, &str, &str); 48] = [
    ("김", "金", "KIM"),
    ("이", "李", "LEE"),
    ("박", "朴", "PARK"),
    ("최", "崔", "CHOI"),
    ("정", "鄭", "JUNG"),
    ("강", "姜", "KANG"),
    ("조", "趙", "CHO"),
    ("윤", "尹", "YOON"),
    ("장", "張", "JANG"),
    ("임", "林", "LIM"),
    ("한", "韓", "HAN"),
    ("오", "吳", "OH"),
    ("서", "徐", "SEO"),
    ("신", "申", "SHIN"),
    ("권", "權", "KWON"),
    ("황", "黃", "HWANG"),
    ("안", "安", "AHN"),
    ("송", "宋", "SONG"),
    ("전", "全", "JEON"),
    ("홍", "洪", "HONG"),
    ("유", "柳", "YOO"),
    ("고", "高", "KO"),
    ("문", "文", "MOON"),
    ("양", "梁", "YANG"),
    ("손", "孫", "SON"),
    ("배", "裵", "BAE"),
    ("백", "白", "BAEK"),
    ("허", "許", "HEO"),
    ("남", "南", "NAM"),
    ("심", "沈", "SIM"),
    ("노", "盧", "NOH"),
    ("하", "河", "HA"),
    ("곽", "郭", "KWAK"),
    ("성", "成", "SUNG"),
    ("차", "車", "CHA"),
    ("주", "朱", "JOO"),
    ("우", "禹", "WOO"),
    ("민", "閔", "MIN"),
    ("엄", "嚴", "EOM"),
    ("채", "蔡", "CHAE"),
    ("변", "卞", "BYUN"),
    ("탁", "卓", "TAK"),
    ("옥", "玉", "OK"),
    ("육", "陸", "YUK"),
    ("선우", "鮮于", "SEONWOO"),
    ("남궁", "南宮", "NAMGOONG"),
    ("황보", "皇甫", "HWANGBO"),
    ("제갈", "諸葛", "JEGAL"),
];

/// Given-name syllables with Hanja they are often written in. The later
/// ones are common in older generations' names (춘자, 말순, 분례).
const SYLLABLES: [(char, &[char]); 56] = [
    ('민', &['敏', '民', '珉']),
    ('서', &['瑞', '書', '緖']),
    ('준', &['俊', '準', '峻']),
    ('지', &['智', '知', '志']),
    ('현', &['賢', '鉉', '炫']),
    ('영', &['英', '榮', '永']),
    ('수', &['秀', '洙', '守']),
    ('진', &['眞', '珍', '鎭']),
    ('우', &['宇', '佑', '祐']),
    ('정', &['正', '貞', '廷']),
    ('하', &['夏', '河']),
    ('은', &['恩', '銀', '垠']),
    ('혜', &['惠', '慧']),
    ('윤', &['允', '潤', '胤']),
    ('연', &['延', '姸', '蓮']),
    ('성', &['成', '誠', '聖']),
    ('호', &['浩', '昊', '鎬']),
    ('재', &['在', '才', '載']),
    ('태', &['泰', '太']),
    ('희', &['熙', '喜', '姬']),
    ('주', &['周', '珠', '柱']),
    ('경', &['京', '慶', '敬']),
    ('동', &['東', '棟']),
    ('혁', &['赫', '爀']),
    ('석', &['錫', '碩', '奭']),
    ('철', &['哲', '喆', '澈']),
    ('상', &['相', '尙', '祥']),
    ('용', &['龍', '勇', '容']),
    ('기', &['基', '起', '琪']),
    ('원', &['元', '源', '媛']),
    ('훈', &['勳', '薰']),
    ('빈', &['彬', '斌']),
    ('예', &['藝', '睿']),
    ('아', &['雅', '娥']),
    ('규', &['奎', '圭']),
    ('승', &['承', '勝', '昇']),
    ('찬', &['燦', '贊']),
    ('환', &['煥', '桓']),
    ('건', &['建', '健']),
    ('택', &['澤', '宅']),
    ('미', &['美']),
    ('숙', &['淑']),
    ('자', &['子', '慈']),
    ('순', &['順', '淳']),
    ('춘', &['春']),
    ('옥', &['玉']),
    ('말', &['末']),
    ('분', &['粉', '芬']),
    ('길', &['吉']),
    ('덕', &['德']),
    ('복', &['福']),
    ('례', &['禮']),
    ('녀', &['女']),
    ('갑', &['甲']),
    ('판', &['判']),
    ('섭', &['燮']),
];

/// Where the syllables common in names of people born before 1960 start.
const OLDER_SYLLABLES: usize = 40;

/// Native Korean given names, written in Hangul only.
const NATIVE_NAMES: [&str; 12] = [
    "하늘", "슬기", "보람", "아름", "나래", "한결", "다솜", "새롬", "가람", "이슬", "초롱", "빛나",
];

/// A Korean holder born between 1940 and 2006.
pub(super) fn korean(rng: &mut impl Rng) -> Korean {
    let birth = date_between(
        rng,
        NaiveDate::from_ymd_opt(1940, 1, 1),
        NaiveDate::from_ymd_opt(2006, 12, 31),
    );
    let male = rng.gen_bool(0.5);
    let (surname, surname_hanja, surname_latin) =
        *SURNAMES.choose(rng).unwrap_or(&("김", "金", "KIM"));
    let (given, given_hanja) = if birth.year() >= 1985 && rng.gen_bool(0.08) {
        (
            NATIVE_NAMES.choose(rng).unwrap_or(&"하늘").to_string(),
            None,
        )
    } else {
        let older = birth.year() < 1960;
        let count = if rng.gen_bool(0.06) { 1 } else { 2 };
        let mut hangul = String::new();
        let mut hanja = String::new();
        for _ in 0..count {
            let from = if older && rng.gen_bool(0.5) {
                OLDER_SYLLABLES
            } else {
                0
            };
            let (syllable, written) = SYLLABLES[rng.gen_range(from..SYLLABLES.len())];
            hangul.push(syllable);
            hanja.push(*written.choose(rng).unwrap_or(&written[0]));
        }
        (hangul, Some(hanja))
    };
    let spelled: Vec<String> = given.chars().map(romanise).collect();
    let given_latin = if spelled.len() > 1 && rng.gen_bool(0.15) {
        spelled.join(" ")
    } else {
        spelled.concat()
    };
    Korean {
        hangul: format!("{surname}{given}"),
        hanja: given_hanja.map(|h| format!("{surname_hanja}{h}")),
        surname_latin: surname_latin.to_owned(),
        given_latin,
        birth,
        male,
    }
}

/// A uniformly drawn day from `from` to `to` (both real dates).
pub(super) fn date_between(
    rng: &mut impl Rng,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> NaiveDate {
    let from = from.unwrap_or_default();
    let to = to.unwrap_or(from);
    let days = (to - from).num_days().max(0);
    from + chrono::Duration::days(rng.gen_range(0..=days))
}

/// One syllable in the Revised Romanization, capitals, each syllable on
/// its own (as passports spell given names, without sound changes across
/// syllables).
pub(super) fn romanise(syllable: char) -> String {
    const INITIALS: [&str; 19] = [
        "G", "KK", "N", "D", "TT", "R", "M", "B", "PP", "S", "SS", "", "J", "JJ", "CH", "K", "T",
        "P", "H",
    ];
    const VOWELS: [&str; 21] = [
        "A", "AE", "YA", "YAE", "EO", "E", "YEO", "YE", "O", "WA", "WAE", "OE", "YO", "U", "WO",
        "WE", "WI", "YU", "EU", "UI", "I",
    ];
    const FINALS: [&str; 28] = [
        "", "K", "K", "K", "N", "N", "N", "T", "L", "K", "M", "L", "L", "L", "P", "L", "M", "P",
        "P", "T", "T", "NG", "T", "T", "K", "T", "P", "T",
    ];
    let Some(index) = (syllable as u32).checked_sub(0xAC00).filter(|i| *i < 11172) else {
        return String::new();
    };
    let index = index as usize;
    format!(
        "{}{}{}",
        INITIALS[index / 588],
        VOWELS[index % 588 / 28],
        FINALS[index % 28]
    )
}

/// `YYMMDD-GNNNNNN` for someone born on `birth`. The seventh digit gives
/// the century and sex (1/2 in the 1900s, 3/4 after; foreigners 5/6 and
/// 7/8); the next four were the registering office's code and the next a
/// sequence. `checked`: the last digit is the check digit, as on every
/// number issued before October 2020.
pub(super) fn registration_number(
    rng: &mut impl Rng,
    birth: NaiveDate,
    male: bool,
    foreigner: bool,
    checked: bool,
) -> String {
    let century = if birth.year() >= 2000 { 2 } else { 0 };
    let base = if foreigner { 5 } else { 1 };
    let gender = base + century + u32::from(!male);
    let mut digits: Vec<u32> = birth
        .format("%y%m%d")
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    digits.push(gender);
    let office = rng.gen_range(0..96u32) * 100 + rng.gen_range(0..100u32);
    digits.extend([
        office / 1000,
        office / 100 % 10,
        office / 10 % 10,
        office % 10,
    ]);
    digits.push(rng.gen_range(0..10));
    let weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    let modulus = if foreigner { 13 } else { 11 };
    let check = (modulus - sum % 11) % 10;
    let last = if checked {
        check
    } else {
        (check + rng.gen_range(1..10)) % 10
    };
    digits.push(last);
    let text: String = digits
        .iter()
        .filter_map(|d| char::from_digit(*d, 10))
        .collect();
    format!("{}-{}", &text[..6], &text[6..])
}

/// A foreign holder.
pub(super) struct Foreigner {
    /// Surname first, capitals: `NGUYEN THI THANH HUONG`.
    pub name: String,
    /// The country's name in Korean, as cards print it.
    pub country_korean: &'static str,
    /// The country's name in Latin capitals: the answer's form.
    pub country_latin: &'static str,
    /// The birth date.
    pub birth: NaiveDate,
    /// Whether the holder is a man.
    pub male: bool,
}

/// A country, its name in Korean and Latin, and names its nationals
/// often bear (surnames, then given names).
struct Country {
    korean: &'static str,
    latin: &'static str,
    surnames: &'static [&'static str],
    given: &'static [&'static str],
}

const COUNTRIES: [Country; 16] = [
    Country {
        korean: "중국",
        latin: "CHINA",
        surnames: &[
            "WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "ZHAO", "HUANG", "JIN", "PIAO",
        ],
        given: &[
            "XIAOMING", "WEI", "JING", "LINA", "HAOYU", "YUTING", "JIANGUO", "MEILING",
        ],
    },
    Country {
        korean: "베트남",
        latin: "VIET NAM",
        surnames: &["NGUYEN", "TRAN", "LE", "PHAM", "HOANG", "VU", "DANG", "BUI"],
        given: &[
            "THI THANH HUONG",
            "VAN MINH",
            "DUC ANH",
            "THI LAN",
            "QUOC BAO",
            "THI NGOC ANH",
        ],
    },
    Country {
        korean: "태국",
        latin: "THAILAND",
        surnames: &["SRISUWAN", "WONGSAWAT", "CHAIYAPHUM", "BOONMA"],
        given: &["SOMCHAI", "NATTAYA", "KITTIPONG", "SUPAPORN"],
    },
    Country {
        korean: "필리핀",
        latin: "PHILIPPINES",
        surnames: &["SANTOS", "REYES", "CRUZ", "DELA CRUZ", "BAUTISTA", "GARCIA"],
        given: &[
            "MARIA CRISTINA",
            "JOHN PAUL",
            "ANGELICA",
            "MARK ANTHONY",
            "JOSE",
        ],
    },
    Country {
        korean: "우즈베키스탄",
        latin: "UZBEKISTAN",
        surnames: &["KARIMOV", "RAKHIMOVA", "YUSUPOV", "TOSHMATOV", "ABDULLAEVA"],
        given: &["ALISHER", "DILNOZA", "SHERZOD", "MALIKA", "BOBUR"],
    },
    Country {
        korean: "네팔",
        latin: "NEPAL",
        surnames: &["GURUNG", "TAMANG", "SHRESTHA", "RAI", "MAGAR"],
        given: &["RAM BAHADUR", "SITA", "BIKASH", "ANITA KUMARI", "DIPAK"],
    },
    Country {
        korean: "캄보디아",
        latin: "CAMBODIA",
        surnames: &["SOK", "CHAN", "KEO", "HENG", "MEAS"],
        given: &["DARA", "SOPHEAP", "VIBOL", "CHANTHOU"],
    },
    Country {
        korean: "인도네시아",
        latin: "INDONESIA",
        surnames: &["SANTOSO", "WIJAYA", "HIDAYAT", "SETIAWAN"],
        given: &["BUDI", "SITI NURHALIZA", "AGUS", "DEWI LESTARI"],
    },
    Country {
        korean: "몽골",
        latin: "MONGOLIA",
        surnames: &["BATBAYAR", "GANBOLD", "ENKHBAYAR", "TSEND"],
        given: &["ENKHJARGAL", "BOLORMAA", "TEMUULEN", "OYUNCHIMEG"],
    },
    Country {
        korean: "미국",
        latin: "UNITED STATES",
        surnames: &["SMITH", "JOHNSON", "WILLIAMS", "MILLER", "KIM"],
        given: &["JOHN MICHAEL", "EMILY", "DAVID", "SARAH ELIZABETH"],
    },
    Country {
        korean: "러시아",
        latin: "RUSSIA",
        surnames: &["IVANOV", "SMIRNOVA", "KUZNETSOV", "POPOVA", "TSOY"],
        given: &["SERGEI", "ANASTASIIA", "DMITRII", "EKATERINA"],
    },
    Country {
        korean: "카자흐스탄",
        latin: "KAZAKHSTAN",
        surnames: &["NURLANOV", "SERIKOVA", "AKHMETOV", "KIM"],
        given: &["YERLAN", "AIGERIM", "DANIYAR", "ASEL"],
    },
    Country {
        korean: "스리랑카",
        latin: "SRI LANKA",
        surnames: &["PERERA", "FERNANDO", "SILVA", "JAYASURIYA"],
        given: &["KASUN", "NIMALI", "CHAMINDA PRIYANTHA", "DILSHAN"],
    },
    Country {
        korean: "미얀마",
        latin: "MYANMAR",
        surnames: &["AUNG", "KYAW", "MYINT", "THEIN"],
        given: &["MIN HTET", "SU SU", "ZAW WIN", "HNIN WAI"],
    },
    Country {
        korean: "일본",
        latin: "JAPAN",
        surnames: &["SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE"],
        given: &["YUKI", "HARUTO", "AKIKO", "KENJI"],
    },
    Country {
        korean: "동티모르",
        latin: "TIMOR-LESTE",
        surnames: &["DA SILVA", "SOARES", "PEREIRA", "XIMENES"],
        given: &["JOAO", "MARIA", "ANTONIO", "ZELIA"],
    },
];

/// A foreign holder born between 1955 and 2006, from the countries whose
/// nationals most often live in Korea (China and Viet Nam weighed up).
pub(super) fn foreigner(rng: &mut impl Rng) -> Foreigner {
    let index = match rng.gen_range(0..10) {
        0..=2 => 0,
        3 | 4 => 1,
        _ => rng.gen_range(0..COUNTRIES.len()),
    };
    let country = &COUNTRIES[index];
    let surname = country.surnames.choose(rng).unwrap_or(&"KIM");
    let given = country.given.choose(rng).unwrap_or(&"MIN");
    Foreigner {
        name: format!("{surname} {given}"),
        country_korean: country.korean,
        country_latin: country.latin,
        birth: date_between(
            rng,
            NaiveDate::from_ymd_opt(1955, 1, 1),
            NaiveDate::from_ymd_opt(2006, 12, 31),
        ),
        male: rng.gen_bool(0.55),
    }
}

/// Capitals and digits, the alphabet of card serials.
const SERIAL_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

/// A serial of `length` capitals and digits.
pub(super) fn serial(rng: &mut impl Rng, length: usize) -> String {
    (0..length)
        .map(|_| char::from(SERIAL_ALPHABET[rng.gen_range(0..SERIAL_ALPHABET.len())]))
        .collect()
}
