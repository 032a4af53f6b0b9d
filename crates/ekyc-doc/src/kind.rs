//! Which of the four documents a card is, from its recognised text: the
//! printed titles first, then field shapes that only one document has.
//! Used when the client omits `idType`, and to notice a card that is
//! clearly not the type the client named.

use crate::edit::edit_distance;
use crate::{licence, mrz, registration};

/// The documents of `POST /v1/ocr/recognize`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// 주민등록증, the resident registration card.
    Resident,
    /// 운전면허증, the driver's licence.
    Driver,
    /// 여권, the passport's data page; also any other document whose ICAO
    /// 9303 MRZ reads (a foreign ID card, a visa): the contract has no
    /// other type for them, and their MRZ gives the passport's fields
    /// (`documentCode` tells which document it is).
    Passport,
    /// 외국인등록증 (now 영주증 / residence card), the foreigner's card.
    Foreign,
}

/// An `idType` that names none of the four documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown idType {0:?}")]
pub struct UnknownIdType(pub String);

impl DocumentKind {
    /// The four documents, in the contract's order.
    pub const ALL: [DocumentKind; 4] =
        [Self::Resident, Self::Driver, Self::Passport, Self::Foreign];

    /// The contract's `idType`.
    pub fn id_type(self) -> &'static str {
        match self {
            Self::Resident => "RESIDENT",
            Self::Driver => "DRIVER",
            Self::Passport => "PASSPORT",
            Self::Foreign => "FOREIGN",
        }
    }
}

impl std::str::FromStr for DocumentKind {
    type Err = UnknownIdType;

    /// Parses the contract's `idType` (`RESIDENT`, …), the inverse of
    /// [`DocumentKind::id_type`].
    fn from_str(id_type: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.id_type() == id_type)
            .ok_or_else(|| UnknownIdType(id_type.to_owned()))
    }
}

/// Titles, compared without spaces and case; the first match wins, so the
/// licence (whose title contains neither of the others) comes first.
const TITLES: [(&str, DocumentKind); 7] = [
    ("운전면허증", DocumentKind::Driver),
    ("DRIVER'SLICENSE", DocumentKind::Driver),
    ("외국인등록증", DocumentKind::Foreign),
    ("RESIDENCECARD", DocumentKind::Foreign),
    ("주민등록증", DocumentKind::Resident),
    ("여권", DocumentKind::Passport),
    ("PASSPORT", DocumentKind::Passport),
];

/// The document a card's text lines belong to, if any line tells: its
/// printed title first, then labels only one document prints, then field
/// shapes. A misread seventh digit must not make a residence card with a
/// legible `체류자격` a resident card.
pub fn detect(lines: &[&str]) -> Option<DocumentKind> {
    let compact = compacted(lines);
    by_title(&compact)
        .or_else(|| by_labels(&compact))
        .or_else(|| by_fields(lines, &compact))
}

/// The document a page shows once all its `lines` are read: a title
/// printed anywhere on it first, then what [`detect`] finds on them. What
/// the page's top lines alone suggested must not decide: they may show no
/// title but a number, and a misread seventh digit makes a residence
/// card's number a resident's.
pub fn of_page(lines: &[&str]) -> Option<DocumentKind> {
    title(lines).or_else(|| detect(lines))
}

/// The document whose title is printed on one of `lines`: read exactly,
/// else (titles of five characters or more) nearly so. A title is what
/// says a card is an ID at all, so a two-syllable title (`여권`) counts
/// only as a line of its own: the recogniser, trained on cards, reads it
/// into the noise of a business card (`여권/G`).
pub fn title(lines: &[&str]) -> Option<DocumentKind> {
    let compact = compacted(lines);
    let alone = TITLES
        .iter()
        .filter(|(title, _)| title.chars().count() < 5)
        .find_map(|&(title, kind)| compact.iter().any(|line| line == title).then_some(kind));
    let long_titles: Vec<String> = compact
        .iter()
        .map(|line| {
            TITLES
                .iter()
                .filter(|(title, _)| title.chars().count() < 5)
                .fold(line.clone(), |line, (title, _)| line.replace(title, " "))
        })
        .collect();
    alone.or_else(|| by_title(&long_titles))
}

fn compacted(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            l.chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_uppercase)
                .collect()
        })
        .collect()
}

fn by_title(compact: &[String]) -> Option<DocumentKind> {
    let exact = TITLES.iter().find_map(|&(title, kind)| {
        compact
            .iter()
            .any(|line| line.contains(title))
            .then_some(kind)
    });
    exact.or_else(|| {
        TITLES
            .iter()
            .filter(|(title, _)| title.chars().count() >= 5)
            .find_map(|&(title, kind)| {
                compact
                    .iter()
                    .any(|line| nearly(line, title))
                    .then_some(kind)
            })
    })
}

/// Whether `title` occurs in `line` nearly: a Latin title with one
/// character replaced; a Hangul title (all end in 증, which no other word
/// on a card does) as a stretch that ends in that 증 within one edit of
/// it, or two when it also starts with the title's first syllable
/// (`주민민증` for 주민등록증, as a small, blurred title reads). Words that
/// merely begin like a title (`주민등록번호`, `주민등록등본`) never end in
/// its 증.
fn nearly(line: &str, title: &str) -> bool {
    let line: Vec<char> = line.chars().collect();
    let title: Vec<char> = title.chars().collect();
    let (Some(&first), Some(&last)) = (title.first(), title.last()) else {
        return false;
    };
    if last.is_ascii() {
        return line
            .windows(title.len())
            .any(|w| w.iter().zip(&title).filter(|(a, b)| a != b).count() <= 1);
    }
    (0..line.len()).filter(|&end| line[end] == last).any(|end| {
        let shortest = title.len().saturating_sub(2).max(2);
        (shortest..=title.len() + 2)
            .filter(|&n| n <= end + 1)
            .map(|n| &line[end + 1 - n..=end])
            .any(|stretch| {
                let distance = edit_distance(stretch, &title);
                distance <= 1 || (distance == 2 && stretch[0] == first)
            })
    })
}

/// Labels only one document prints (the resident card has none of its
/// own: its labels are all on the licence too).
const LABELS_OF: [(&str, DocumentKind); 9] = [
    ("체류자격", DocumentKind::Foreign),
    ("국가/지역", DocumentKind::Foreign),
    ("외국인", DocumentKind::Foreign),
    ("RESIDENCE", DocumentKind::Foreign),
    ("면허", DocumentKind::Driver),
    ("적성검사", DocumentKind::Driver),
    ("갱신기간", DocumentKind::Driver),
    ("DRIVER", DocumentKind::Driver),
    ("REPUBLICOFKOREA", DocumentKind::Passport),
];

fn by_labels(compact: &[String]) -> Option<DocumentKind> {
    LABELS_OF.iter().find_map(|&(label, kind)| {
        compact
            .iter()
            .any(|line| line.contains(label))
            .then_some(kind)
    })
}

/// Field shapes: a valid MRZ of any ICAO format (a passport, or another
/// travel document answered as one), a licence number, or a registration
/// number whose seventh digit marks a foreigner.
fn by_fields(lines: &[&str], compact: &[String]) -> Option<DocumentKind> {
    let valid_mrz = |lines: &[String]| {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        mrz::parse_any(&lines).is_some_and(|m| m.valid)
    };
    if compact.windows(2).any(valid_mrz) || compact.windows(3).any(valid_mrz) {
        return Some(DocumentKind::Passport);
    }
    if lines.iter().any(|l| {
        l.split_whitespace().any(|w| licence::parse(w).is_some()) || licence::parse(l).is_some()
    }) {
        return Some(DocumentKind::Driver);
    }
    lines
        .iter()
        .flat_map(|l| l.split_whitespace())
        .find_map(registration::parse)
        .map(|number| {
            if number.foreigner {
                DocumentKind::Foreign
            } else {
                DocumentKind::Resident
            }
        })
}

/// Field labels and words printed on the cards, which are never names
/// (`주민` is left out: it is also a given name).
const LABELS: [&str; 13] = [
    "주소", "성명", "발급", "등록", "번호", "면허", "적성", "갱신", "조건", "국가", "체류", "자격",
    "기간",
];

/// Labels that begin with a surname: a three-syllable name can start with
/// one (`조건연` is 조 + 건연).
const SURNAME_LABELS: [&str; 5] = ["조건", "기간", "국가", "주소", "성명"];

/// The Hangul name of a name line: `홍길동(洪吉童)` → `홍길동`; spaces OCR
/// puts between syllables are dropped. `None` unless 2–5 Hangul syllables
/// remain (Korean names are 2–4, rarely 5) and they hold no card label,
/// except a three-syllable name whose surname starts one.
pub fn hangul_name(line: &str) -> Option<String> {
    let before_hanja = line.split(['(', '（']).next()?;
    let name: String = before_hanja
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let given: String = name.chars().skip(1).collect();
    let surname_then_label =
        name.chars().count() == 3 && SURNAME_LABELS.iter().any(|l| name.starts_with(l));
    let holds_label = |text: &str| LABELS.iter().any(|label| text.contains(label));
    if holds_label(if surname_then_label { &given } else { &name }) {
        return None;
    }
    let syllables = name.chars().filter(|c| ('가'..='힣').contains(c)).count();
    (syllables == name.chars().count() && (2..=5).contains(&syllables)).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_types_parse_back_to_their_kind() {
        for kind in DocumentKind::ALL {
            assert_eq!(kind.id_type().parse(), Ok(kind));
        }
        assert!("resident".parse::<DocumentKind>().is_err());
    }

    #[test]
    fn titles_decide() {
        assert_eq!(
            detect(&["주민등록증", "홍길동(洪吉童)"]),
            Some(DocumentKind::Resident)
        );
        assert_eq!(
            detect(&["자동차운전면허증", "Driver's License"]),
            Some(DocumentKind::Driver)
        );
        assert_eq!(detect(&["외 국 인 등 록 증"]), Some(DocumentKind::Foreign));
        assert_eq!(detect(&["RESIDENCE CARD"]), Some(DocumentKind::Foreign));
        assert_eq!(
            detect(&["REPUBLIC OF KOREA", "PASSPORT"]),
            Some(DocumentKind::Passport)
        );
    }

    #[test]
    fn a_title_with_one_misread_character_still_decides() {
        assert_eq!(detect(&["외국인등륵증"]), Some(DocumentKind::Foreign));
        assert_eq!(detect(&["자동차운전먼허증"]), Some(DocumentKind::Driver));
        assert_eq!(title(&["주민둥록증"]), Some(DocumentKind::Resident));
        assert_eq!(title(&["외국인등록증"]), Some(DocumentKind::Foreign));
        assert_eq!(
            title(&["주민민증", "(재외국민"]),
            Some(DocumentKind::Resident)
        );
        assert_eq!(title(&["등록증"]), None);
        assert_eq!(title(&["주민등록번호"]), None);
        assert_eq!(title(&["주민등록등본 발급 안내"]), None);
        assert_eq!(title(&["삼성전자 사원증"]), None);
        assert_eq!(title(&["PASSP0RT"]), Some(DocumentKind::Passport));
        assert_eq!(title(&["여권 PASSPORT"]), Some(DocumentKind::Passport));
        assert_eq!(title(&["여 권"]), Some(DocumentKind::Passport));
        // Read into a business card's noise.
        assert_eq!(title(&["이우정", "여권/G"]), None);
        assert_eq!(detect(&["여권/G"]), Some(DocumentKind::Passport));
        assert_eq!(title(&["900101-1234568"]), None);
    }

    #[test]
    fn a_title_anywhere_on_the_page_wins_over_the_top_lines_fields() {
        // A residence card scanned in a layout whose top lines hold its
        // number, its 5 read as a 1: alone they suggest a resident card.
        let top = ["900101-1234568", "HONG GILDONG"];
        assert_eq!(detect(&top), Some(DocumentKind::Resident));
        let page = [top[0], top[1], "CHINA", "외국인등록증 RESIDENCE CARD"];
        assert_eq!(of_page(&page), Some(DocumentKind::Foreign));
        let licence = ["홍길동", "900101-1234568", "자동차운전면허증"];
        assert_eq!(of_page(&licence), Some(DocumentKind::Driver));
        // Without a title, labels and then fields still tell.
        assert_eq!(
            of_page(&["900101-1234568", "체류자격 E-9"]),
            Some(DocumentKind::Foreign)
        );
        assert_eq!(of_page(&top), Some(DocumentKind::Resident));
    }

    #[test]
    fn labels_decide_before_a_misread_number() {
        // A residence card whose title is lost and whose number's 5 reads
        // as a 1: the label tells, not the number.
        assert_eq!(
            detect(&["외극인등륵중", "900101-1234568", "체류자격 E-9"]),
            Some(DocumentKind::Foreign)
        );
        assert_eq!(
            detect(&["900101-1234568", "적성검사기간 2025.01.01~2025.12.31"]),
            Some(DocumentKind::Driver)
        );
    }

    #[test]
    fn field_shapes_decide_without_a_title() {
        assert_eq!(
            detect(&[
                "HONG<<GILDONG",
                "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
                "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
            ]),
            Some(DocumentKind::Passport)
        );
        assert_eq!(detect(&["서울 20-123456-78"]), Some(DocumentKind::Driver));
        assert_eq!(detect(&["900101-5234567"]), Some(DocumentKind::Foreign));
        assert_eq!(detect(&["900101-1234568"]), Some(DocumentKind::Resident));
        assert_eq!(detect(&["a receipt", "TOTAL 12,000"]), None);
    }

    #[test]
    fn names() {
        assert_eq!(hangul_name("홍길동(洪吉童)").as_deref(), Some("홍길동"));
        assert_eq!(hangul_name("홍 길 동").as_deref(), Some("홍길동"));
        assert_eq!(hangul_name("남궁민수").as_deref(), Some("남궁민수"));
        assert_eq!(hangul_name("김주민").as_deref(), Some("김주민"));
        assert_eq!(hangul_name("주소 서울"), None);
        assert_eq!(hangul_name("조건연").as_deref(), Some("조건연"));
        assert_eq!(hangul_name("조건"), None);
        assert_eq!(hangul_name("기간만료일"), None);
        assert_eq!(hangul_name("주소등록"), None);
        assert_eq!(hangul_name("홍"), None);
        assert_eq!(hangul_name("HONG GILDONG"), None);
    }
}
