use crate::assemble::assemble;
use crate::assemble::testing::*;
use crate::fields::FieldName;
use crate::kind::DocumentKind;

/// Reads `lines` as a resident card; each line reads as its own text.
fn read(lines: &[crate::assemble::Line]) -> crate::fields::Fields {
    let (gray, mut recogniser) = painted(lines, (1012, 638));
    assemble(DocumentKind::Resident, lines, &gray, &mut recogniser)
        .expect("a readable card")
        .fields
}

fn text(fields: &crate::fields::Fields, name: FieldName) -> Option<&str> {
    fields.get(&name).and_then(|f| f.value.as_text())
}

#[test]
fn labelled_fields_are_read_without_their_labels() {
    let fields = read(&[
        line("주민등록증", 40.0, 20.0, 0.9),
        line("성 명", 40.0, 90.0, 0.9),
        line("홍길동(洪吉童)", 200.0, 90.0, 0.9),
        line("840807-1062544", 40.0, 150.0, 0.9),
        line("주소 서울특별시 강남구 테헤란로 123,", 40.0, 210.0, 0.9),
        line("101동 1001호 (역삼동)", 40.0, 255.0, 0.9),
        line("발급일 2020. 1. 15.", 40.0, 320.0, 0.9),
        line("서울특별시 강남구청장", 300.0, 380.0, 0.9),
    ]);
    assert_eq!(text(&fields, FieldName::Name), Some("홍길동"));
    assert_eq!(
        text(&fields, FieldName::Address),
        Some("서울특별시 강남구 테헤란로 123, 101동 1001호 (역삼동)")
    );
    assert_eq!(text(&fields, FieldName::IssueDate), Some("2020-01-15"));
    assert_eq!(
        text(&fields, FieldName::Issuer),
        Some("서울특별시 강남구청장")
    );
}

#[test]
fn a_misread_label_is_not_the_name() {
    let fields = read(&[
        line("홍길동", 200.0, 60.0, 0.9),
        line("성영", 40.0, 100.0, 0.9),
        line("840807-1062544", 40.0, 150.0, 0.9),
        line("서울특별시 강남구 테헤란로 123", 40.0, 210.0, 0.9),
        line("2020.01.15", 40.0, 320.0, 0.9),
    ]);
    assert_eq!(text(&fields, FieldName::Name), Some("홍길동"));
}

#[test]
fn an_issuer_above_the_date_stops_the_address() {
    let fields = read(&[
        line("홍길동", 40.0, 90.0, 0.9),
        line("840807-1062544", 40.0, 150.0, 0.9),
        line(
            "인천광역시 강화군 길상면 강화대로 41, 2층",
            40.0,
            210.0,
            0.9,
        ),
        line("인천광역시 강화군", 300.0, 300.0, 0.9),
        line("2021. 3. 2.", 300.0, 360.0, 0.9),
    ]);
    assert_eq!(
        text(&fields, FieldName::Address),
        Some("인천광역시 강화군 길상면 강화대로 41, 2층")
    );
    assert_eq!(
        text(&fields, FieldName::Issuer),
        Some("인천광역시 강화군수")
    );
    assert_eq!(text(&fields, FieldName::IssueDate), Some("2021-03-02"));
}

#[test]
fn a_misread_title_leaves_the_name_above_the_numbers_label() {
    let fields = read(&[
        line("주민등증", 40.0, 30.0, 0.9),
        line("남궁영춘", 200.0, 120.0, 0.9),
        line("성 명", 40.0, 135.0, 0.9),
        line("640418-2162304", 200.0, 185.0, 0.9),
        line("주민등록번호", 40.0, 192.0, 0.9),
        line(
            "인천광역시 연수구 해돋이로 74-6 (연수동)",
            200.0,
            245.0,
            0.9,
        ),
        line("발급일 2002. 9. 8.", 240.0, 520.0, 0.9),
    ]);
    assert_eq!(text(&fields, FieldName::Name), Some("남궁영춘"));
}

#[test]
fn a_number_boxed_with_its_label_is_read() {
    let fields = read(&[
        line("주 민 등 록 증", 60.0, 30.0, 0.9),
        line("노정호", 215.0, 130.0, 0.9),
        line("성 명", 58.0, 143.0, 0.9),
        line("주민등록번호 810218-1548245", 59.0, 204.0, 0.9),
        line("강원특별자치도 춘천시 중앙로", 214.0, 255.0, 0.9),
        line("발급일자 2026. 6. 11.", 181.0, 508.0, 0.9),
    ]);
    assert_eq!(text(&fields, FieldName::Name), Some("노정호"));
    assert_eq!(text(&fields, FieldName::BirthDate), Some("1981-02-18"));
}
