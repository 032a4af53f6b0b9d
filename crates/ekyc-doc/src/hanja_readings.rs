//! The Hangul readings of Hanja.
//!
//! Korean given names are nearly all written in Hanja, so their syllables
//! are nearly all Hanja readings: `태`, `례`, `선`, never `테`, `레`,
//! `션`. A recogniser unsure between look-alike vowels in a heavy typeface
//! reads `심재태` as `심재테`; where a runner-up reading of the line spells
//! a reading in that place, the runner-up is the name. Names in native
//! Korean (`하늘`, `빛나`) are answered as read: the list only chooses
//! between readings of the same line.
//!
//! The list is every reading in the Unihan database's `kHangul` field
//! (Unicode 15.0, `Unihan_Readings.txt`), in code-point order.

/// The readings, in code-point order.
const READINGS: &str = concat!(
    "가각간갈감갑강개객갱갹거건걸검겁게격견결겸경계고곡곤골공곶과곽관괄광괘괴괵굉교구",
    "국군굴궁권궐궤귀규균귤극근글금급긍기긴길김끽나낙난날남납낭내냉녀녁년념녑녕노녹논",
    "농뇌뇨누눈눌뉴뉵늑늠능니닉닐다단달담답당대댁덕도독돈돌동두둔둘득등라락란랄람랍랑",
    "래랭략량려력련렬렴렵령례로록론롱뢰료룡루류륙륜률륭륵름릉리린림립마막만말망매맥맹",
    "멱면멸명몌모목몰몽묘무묵문물미민밀박반발방배백번벌범법벽변별병보복본볼봉부북분불",
    "붕비빈빙사삭산살삼삽상새색생서석선설섬섭성세소속손솔송쇄쇠수숙순술숭쉬슬습승시식",
    "신실심십쌍씨아악안알암압앙애액앵야약양어억언얼엄업에엔여역연열염엽영예오옥온올옹",
    "와완왈왕왜외요욕용우욱운울웅원월위유육윤율융은을음읍응의이익인일임입잉자작잔잠잡",
    "장재쟁저적전절점접정제조족존졸종좌죄주죽준줄중즉즐즙증지직진질짐집징차착찬찰참창",
    "채책처척천철첨첩청체초촉촌총촬최추축춘출충췌취측층치칙친칠침칩칭쾌타탁탄탈탐탑탕",
    "태택탱터토톤통퇴투퉁특틈파판팔패팽퍅편폄평폐포폭표품풍피픽필핍하학한할함합항해핵",
    "행향허헌헐험혁현혈혐협형혜호혹혼홀홍화확환활황회획횡효후훈훌훙훤훼휘휴휼흉흑흔흘",
    "흠흡흥희히힐",
);

/// Whether `syllable` is the reading of some Hanja.
pub(crate) fn is_hanja_reading(syllable: char) -> bool {
    READINGS.contains(syllable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_name_syllables_are_readings_and_misread_vowels_are_not() {
        for syllable in "태례선성정임엄홍흥민준서연".chars() {
            assert!(is_hanja_reading(syllable), "{syllable}");
        }
        for syllable in "테레션셩졍쥬".chars() {
            assert!(!is_hanja_reading(syllable), "{syllable}");
        }
    }

    #[test]
    fn readings_are_syllables_in_code_point_order() {
        let syllables: Vec<char> = READINGS.chars().collect();
        assert!(syllables.iter().all(|c| ('가'..='힣').contains(c)));
        assert!(syllables.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
