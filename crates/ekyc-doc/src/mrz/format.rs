//! The ICAO 9303 MRZ formats and where each puts its fields: one table per
//! format, so that parsing, repairing and voting are written once.

use std::fmt;
use std::ops::Range;

/// An MRZ format: its line count and length, and its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MrzFormat {
    /// ID-1 cards (national ID cards, residence permits): 3 lines of 30.
    Td1,
    /// ID-2 documents (official travel documents, older ID cards): 2 × 36.
    Td2,
    /// Passports: 2 lines of 44.
    Td3,
    /// Full-page visas (MRV-A): 2 × 44, no composite check digit.
    MrvA,
    /// Smaller visas (MRV-B): 2 × 36, no composite check digit.
    MrvB,
}

impl MrzFormat {
    /// Every format, the most common (the passport) first.
    pub const ALL: [MrzFormat; 5] = [Self::Td3, Self::Td1, Self::Td2, Self::MrvA, Self::MrvB];

    /// How many lines the zone has.
    pub fn lines(self) -> usize {
        match self {
            Self::Td1 => 3,
            _ => 2,
        }
    }

    /// How long each line is.
    pub fn line_length(self) -> usize {
        match self {
            Self::Td1 => 30,
            Self::Td2 | Self::MrvB => 36,
            Self::Td3 | Self::MrvA => 44,
        }
    }

    /// Whether `code` (the first character of the document code) is one
    /// this format carries: `P` on passports, `V` on visas, and `I`, `A`
    /// or `C` on the ID-1 and ID-2 documents.
    pub fn allows_code(self, code: char) -> bool {
        match self {
            Self::Td3 => code == 'P',
            Self::MrvA | Self::MrvB => code == 'V',
            Self::Td1 | Self::Td2 => matches!(code, 'I' | 'A' | 'C'),
        }
    }

    /// How many check digits the format has.
    pub fn check_digits(self) -> usize {
        match self {
            Self::Td3 => 5,
            Self::Td1 | Self::Td2 => 4,
            Self::MrvA | Self::MrvB => 3,
        }
    }

    /// The format's name as ICAO spells it (`TD1`, `MRV-A`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Td1 => "TD1",
            Self::Td2 => "TD2",
            Self::Td3 => "TD3",
            Self::MrvA => "MRV-A",
            Self::MrvB => "MRV-B",
        }
    }

    /// Where the format puts each field.
    pub(crate) fn layout(self) -> Layout {
        match self {
            Self::Td1 => TD1,
            Self::Td2 => two_lines(36, Some(35), None),
            Self::Td3 => two_lines(44, Some(43), Some(42)),
            Self::MrvA => two_lines(44, None, None),
            Self::MrvB => two_lines(36, None, None),
        }
    }
}

impl fmt::Display for MrzFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Characters `start..end` of line `line` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

impl Span {
    const fn new(line: usize, range: Range<usize>) -> Self {
        Self {
            line,
            start: range.start,
            end: range.end,
        }
    }

    const fn at(line: usize, index: usize) -> Self {
        Self::new(line, index..index + 1)
    }
}

/// Where a format puts its fields; check digits are one-character spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub document_code: Span,
    pub issuing_state: Span,
    pub name: Span,
    pub number: Span,
    pub number_check: Span,
    pub nationality: Span,
    pub birth: Span,
    pub birth_check: Span,
    pub sex: Span,
    pub expiry: Span,
    pub expiry_check: Span,
    /// The optional data (TD1 has two fields of it).
    pub optional: &'static [Span],
    /// The optional data's own check digit (TD3 only).
    pub optional_check: Option<Span>,
    /// The composite check digit and the spans it covers (not on visas).
    pub composite: Option<(Span, &'static [Span])>,
}

impl Layout {
    /// Positions that only hold letters or fillers: the document code, the
    /// states and the name.
    pub fn letters(&self) -> [Span; 4] {
        [
            self.document_code,
            self.issuing_state,
            self.name,
            self.nationality,
        ]
    }

    /// Positions that only hold digits or fillers: the dates and every
    /// check digit.
    pub fn digits(&self) -> Vec<Span> {
        let mut spans = vec![
            self.number_check,
            self.birth,
            self.birth_check,
            self.expiry,
            self.expiry_check,
        ];
        spans.extend(self.optional_check);
        spans.extend(self.composite.map(|(digit, _)| digit));
        spans
    }
}

/// TD1's composite covers line 1 from the document number on and line 2's
/// dates and optional data.
static TD1_COMPOSITE: [Span; 4] = [
    Span::new(0, 5..30),
    Span::new(1, 0..7),
    Span::new(1, 8..15),
    Span::new(1, 18..29),
];
static TD1_OPTIONAL: [Span; 2] = [Span::new(0, 15..30), Span::new(1, 18..29)];

const TD1: Layout = Layout {
    document_code: Span::new(0, 0..2),
    issuing_state: Span::new(0, 2..5),
    name: Span::new(2, 0..30),
    number: Span::new(0, 5..14),
    number_check: Span::at(0, 14),
    nationality: Span::new(1, 15..18),
    birth: Span::new(1, 0..6),
    birth_check: Span::at(1, 6),
    sex: Span::at(1, 7),
    expiry: Span::new(1, 8..14),
    expiry_check: Span::at(1, 14),
    optional: &TD1_OPTIONAL,
    optional_check: None,
    composite: Some((Span::at(1, 29), &TD1_COMPOSITE)),
};

/// The composites of the two-line formats: line 2's number, birth date,
/// and everything from the expiry date to the composite digit.
static TD2_COMPOSITE: [Span; 3] = [
    Span::new(1, 0..10),
    Span::new(1, 13..20),
    Span::new(1, 21..35),
];
static TD3_COMPOSITE: [Span; 3] = [
    Span::new(1, 0..10),
    Span::new(1, 13..20),
    Span::new(1, 21..43),
];
static OPTIONAL_TD2: [Span; 1] = [Span::new(1, 28..35)];
static OPTIONAL_TD3: [Span; 1] = [Span::new(1, 28..42)];
static OPTIONAL_MRV_A: [Span; 1] = [Span::new(1, 28..44)];
static OPTIONAL_MRV_B: [Span; 1] = [Span::new(1, 28..36)];

/// The two-line formats (TD2, TD3, MRV-A, MRV-B) share their first 28
/// positions of line 2; they differ in length, in the composite digit's
/// place and in TD3's optional-data check digit.
const fn two_lines(
    length: usize,
    composite: Option<usize>,
    optional_check: Option<usize>,
) -> Layout {
    let (optional, composite): (&'static [Span], _) = match (length, composite) {
        (44, Some(at)) => (
            &OPTIONAL_TD3,
            Some((Span::at(1, at), &TD3_COMPOSITE as &[Span])),
        ),
        (36, Some(at)) => (
            &OPTIONAL_TD2,
            Some((Span::at(1, at), &TD2_COMPOSITE as &[Span])),
        ),
        (44, None) => (&OPTIONAL_MRV_A, None),
        _ => (&OPTIONAL_MRV_B, None),
    };
    Layout {
        document_code: Span::new(0, 0..2),
        issuing_state: Span::new(0, 2..5),
        name: Span::new(0, 5..length),
        number: Span::new(1, 0..9),
        number_check: Span::at(1, 9),
        nationality: Span::new(1, 10..13),
        birth: Span::new(1, 13..19),
        birth_check: Span::at(1, 19),
        sex: Span::at(1, 20),
        expiry: Span::new(1, 21..27),
        expiry_check: Span::at(1, 27),
        optional,
        optional_check: match optional_check {
            Some(at) => Some(Span::at(1, at)),
            None => None,
        },
        composite,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_span_lies_inside_its_lines() {
        for format in MrzFormat::ALL {
            let layout = format.layout();
            let mut spans = layout.letters().to_vec();
            spans.extend(layout.digits());
            spans.extend([layout.number, layout.sex]);
            spans.extend(layout.optional);
            spans.extend(
                layout
                    .composite
                    .into_iter()
                    .flat_map(|(_, c)| c.iter().copied()),
            );
            for span in spans {
                assert!(span.line < format.lines(), "{format}: {span:?}");
                assert!(span.start < span.end && span.end <= format.line_length());
            }
        }
    }

    #[test]
    fn check_digit_counts_match_the_layouts() {
        for format in MrzFormat::ALL {
            let layout = format.layout();
            // Number, birth and expiry, then the optional and composite.
            let count = 3
                + usize::from(layout.optional_check.is_some())
                + usize::from(layout.composite.is_some());
            assert_eq!(count, format.check_digits(), "{format}");
        }
    }
}
