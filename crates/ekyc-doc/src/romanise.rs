//! Whether a Hangul name fits its romanised spelling.
//!
//! A passport prints the holder's name twice: in Hangul and in Latin
//! letters (in the visual zone and the MRZ, whose reading is far surer).
//! A recogniser that confuses look-alike vowels (`이`/`여`, `승`/`숭`)
//! gives a Hangul name that no romanisation of the Latin one allows, so the
//! reader can take the recogniser's runner-up reading that does fit.
//!
//! The spellings are those of the Revised Romanisation together with the
//! older ones that passports still carry (`KYUNG`, `CHUL`, `YOUNG`, `HEE`,
//! `SOOK`, `WOO`): a holder keeps the spelling of a first passport. The
//! test is one of consistency, so it errs on the side of allowing a
//! spelling; a name that fits no reading is left as the recogniser read it.

/// Spellings of the 19 initial consonants, in Unicode's order
/// (ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ).
const INITIALS: [&[&str]; 19] = [
    &["G", "K"],
    &["KK", "GG", "K"],
    &["N"],
    &["D", "T"],
    &["TT", "DD"],
    &["R", "L", ""],
    &["M"],
    &["B", "P"],
    &["PP", "BB"],
    &["S", "SH"],
    &["SS", "S"],
    &[""],
    &["J", "CH"],
    &["JJ", "CH"],
    &["CH", "C"],
    &["K"],
    &["T"],
    &["P"],
    &["H"],
];

/// Spellings of the 21 vowels, in Unicode's order
/// (ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ).
const VOWELS: [&[&str]; 21] = [
    &["A"],
    &["AE"],
    &["YA"],
    &["YAE"],
    &["EO", "U", "O"],
    &["E"],
    &["YEO", "YU", "YOU", "YO"],
    &["YE"],
    &["O"],
    &["WA"],
    &["WAE"],
    &["OE", "OI", "WE"],
    &["YO"],
    &["U", "OO"],
    &["WO"],
    &["WE"],
    &["WI"],
    &["YU", "YOO"],
    &["EU", "U"],
    &["UI", "EUI", "EE", "I"],
    &["I", "EE"],
];

/// Spellings of the 28 finals (none first), in Unicode's order.
const FINALS: [&[&str]; 28] = [
    &[""],
    &["K", "G"],
    &["K"],
    &["K"],
    &["N"],
    &["N"],
    &["N"],
    &["T", "D"],
    &["L", "R"],
    &["K"],
    &["M"],
    &["L"],
    &["L"],
    &["L"],
    &["P"],
    &["L"],
    &["M"],
    &["P", "B"],
    &["P"],
    &["T", "S"],
    &["T"],
    &["NG"],
    &["T"],
    &["T"],
    &["K"],
    &["T"],
    &["P"],
    &["T", "H"],
];

/// Surnames whose usual spellings follow no rule above.
const SURNAMES: [(char, &[&str]); 5] = [
    ('이', &["LEE", "YI", "RHEE", "RI"]),
    ('박', &["PARK"]),
    ('임', &["LIM", "YIM"]),
    ('안', &["AHN"]),
    ('노', &["ROH"]),
];

/// Whether `hangul` (a full name, surname first) can be spelled `surname`
/// and `given_names` (Latin letters; spaces and hyphens are ignored).
/// Surnames of one syllable and of two (남궁, 선우) are tried.
pub fn name_fits(hangul: &str, surname: &str, given_names: &str) -> bool {
    let letters = |text: &str| -> String {
        text.chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    let (surname, given_names) = (letters(surname), letters(given_names));
    let syllables: Vec<char> = hangul.chars().filter(|c| !c.is_whitespace()).collect();
    if surname.is_empty() || syllables.iter().any(|&c| jamo(c).is_none()) {
        return false;
    }
    (1..=2)
        .filter(|&k| k < syllables.len())
        .any(|k| surname_fits(&syllables[..k], &surname) && spelled(&syllables[k..], &given_names))
}

fn surname_fits(syllables: &[char], latin: &str) -> bool {
    let irregular = SURNAMES
        .iter()
        .any(|(s, spellings)| syllables == [*s] && spellings.contains(&latin));
    irregular || spelled(syllables, latin)
}

/// Whether the syllables, spelled one after another, make `latin`.
fn spelled(syllables: &[char], latin: &str) -> bool {
    let Some((&first, rest)) = syllables.split_first() else {
        return latin.is_empty();
    };
    spellings(first).iter().any(|s| {
        latin
            .strip_prefix(s.as_str())
            .is_some_and(|tail| spelled(rest, tail))
    })
}

/// Every spelling of one syllable: its initial's, vowel's and final's
/// spellings in turn. Two old habits are added: `우` as `WOO`, and an `H`
/// after a final vowel (`OH`, `NOH`, `HUH`).
fn spellings(syllable: char) -> Vec<String> {
    let Some((initial, vowel, last)) = jamo(syllable) else {
        return Vec::new();
    };
    let mut vowels: Vec<&str> = VOWELS[vowel].to_vec();
    if initial == 11 && vowel == 13 {
        vowels.extend(["WOO", "WU"]);
    }
    let mut all = Vec::new();
    for head in INITIALS[initial] {
        for middle in &vowels {
            for tail in FINALS[last] {
                all.push(format!("{head}{middle}{tail}"));
                if last == 0 {
                    all.push(format!("{head}{middle}H"));
                }
            }
        }
    }
    all
}

/// A precomposed Hangul syllable's initial, vowel and final indices.
pub(crate) fn jamo(syllable: char) -> Option<(usize, usize, usize)> {
    let offset = (syllable as u32).checked_sub('가' as u32)?;
    (offset < 11_172).then(|| {
        let offset = offset as usize;
        (offset / 588, offset % 588 / 28, offset % 28)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passport_spellings_fit_their_names() {
        for (hangul, surname, given) in [
            ("최현재", "CHOI", "HYUNJAE"),
            ("이민은", "LEE", "MINEUN"),
            ("홍희영", "HONG", "HEEYOUNG"),
            ("박영우", "PARK", "YOUNG-WOO"),
            ("정철수", "JUNG", "CHUL SU"),
            ("김경숙", "KIM", "KYUNGSOOK"),
            ("오상서", "OH", "SANGSEO"),
            ("안윤아", "AHN", "YOONA"),
            ("노서연", "NOH", "SEOYEON"),
            ("남궁민", "NAMGOONG", "MIN"),
            ("류혁", "RYU", "HYUK"),
            ("황보건", "HWANG", "BOGEON"),
        ] {
            assert!(
                name_fits(hangul, surname, given),
                "{hangul} {surname} {given}"
            );
        }
    }

    #[test]
    fn look_alike_misreadings_do_not_fit() {
        for (hangul, surname, given) in [
            ("여민은", "LEE", "MINEUN"),
            ("최헌재", "CHOI", "HYUNJAE"),
            ("최서슝", "CHOI", "SEOSEUNG"),
            ("긴주우", "KIM", "JUWOO"),
            ("신숭희", "SHIN", "SEUNGHEE"),
            ("홍희옇", "HONG", "HEEYOUNG"),
            ("훙혜훈", "HONG", "HYEHOON"),
            ("천동아", "JEON", "DONGA"),
        ] {
            assert!(
                !name_fits(hangul, surname, given),
                "{hangul} {surname} {given}"
            );
        }
    }

    #[test]
    fn anything_but_a_hangul_name_fits_nothing() {
        assert!(!name_fits("", "KIM", "MIN"));
        assert!(!name_fits("김민", "", "MIN"));
        assert!(!name_fits("KIM MIN", "KIM", "MIN"));
        assert!(!name_fits("김민준", "KIM", "MIN"));
    }
}
