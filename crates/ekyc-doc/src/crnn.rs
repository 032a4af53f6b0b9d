//! The project's own line recogniser: a small CRNN trained on lines cut
//! from generated cards (`tools/recogniser`), read with greedy CTC.
//!
//! Training and inference must see a line the same way, so the one
//! function that turns a line crop into the network's input lives here and
//! is used by both: the line generator (`ekyc-docgen`'s `ekyc-lines`) and
//! [`CrnnRecogniser`].

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use image::imageops::{self, FilterType};
use image::GrayImage;
use ndarray::Array4;
use ort::session::Session;
use ort::value::TensorRef;

use crate::recognise::{LineReading, LineRecogniser, MrzReader, Script, DIGITS, LATIN, MRZ};
use crate::DocError;

/// The characters the network reads, in the order of its classes (class 0
/// is the CTC blank, class `i + 1` is the `i`-th character): printable
/// ASCII that the documents use, `·`, the 2,350 Hangul syllables of KS X
/// 1001 and a few more that occur in names. The training tools read the
/// same file.
pub const ALPHABET: &str = include_str!("crnn_alphabet.txt").trim_ascii_end();

/// The network's fixed input height.
pub const LINE_HEIGHT: u32 = 32;
/// Wider lines are squeezed: the longest row a detector joins (a
/// passport's issue date beside its authority) fits.
pub const MAX_LINE_WIDTH: u32 = 2048;
const MIN_LINE_WIDTH: u32 = 16;

/// Scales a line crop to [`LINE_HEIGHT`], keeping its aspect ratio.
pub fn line_input(line: &GrayImage) -> GrayImage {
    let (w, h) = (line.width().max(1), line.height().max(1));
    let width = ((w as f32 * LINE_HEIGHT as f32 / h as f32).round() as u32)
        .clamp(MIN_LINE_WIDTH, MAX_LINE_WIDTH);
    imageops::resize(line, width, LINE_HEIGHT, FilterType::Triangle)
}

/// Characters a field of each script may hold; the decoder picks the best
/// of these at each step, as a whitelist does in Tesseract.
fn allowed(script: Script) -> Option<&'static str> {
    match script {
        Script::Korean => None,
        Script::Digits => Some(DIGITS),
        Script::Latin => Some(LATIN),
        Script::Mrz => Some(MRZ),
    }
}

/// Runner-up characters a ranked reading considers at each position.
const ALTERNATIVES: usize = 3;

/// Lines whose class probabilities are kept: the assembly re-reads a line
/// with another alphabet, which costs no second pass through the network.
const REMEMBERED_LINES: usize = 64;

/// The CRNN for Hangul, digit and Latin lines. The MRZ is read by
/// Tesseract's OCR-B model (`mrz.traineddata`) first and by the CRNN as the
/// alternative: the check digits decide between them.
pub struct CrnnRecogniser {
    session: Session,
    alphabet: Vec<char>,
    /// The classes each script may emit, in [`Script`]'s order.
    masks: [Vec<bool>; 4],
    mrz: MrzReader,
    remembered: HashMap<u64, Steps>,
}

/// The network's class probabilities for one line, step by step.
struct Steps {
    classes: usize,
    probabilities: Vec<f32>,
}

impl CrnnRecogniser {
    /// Wraps a loaded `ko_crnn` session; `mrz` reads the MRZ lines, which
    /// the network was not trained on.
    pub fn new(session: Session, mrz: MrzReader) -> Self {
        let alphabet: Vec<char> = ALPHABET.chars().collect();
        let masks = [Script::Korean, Script::Digits, Script::Latin, Script::Mrz]
            .map(|script| class_mask(&alphabet, allowed(script)));
        Self {
            session,
            alphabet,
            masks,
            mrz,
            remembered: HashMap::new(),
        }
    }

    /// Runs the network on `line` unless it was run on it lately; returns
    /// the key of its probabilities in `remembered`.
    fn remember(&mut self, line: &GrayImage) -> Result<u64, DocError> {
        let input = line_input(line);
        let mut hasher = DefaultHasher::new();
        input.dimensions().hash(&mut hasher);
        input.as_raw().hash(&mut hasher);
        let key = hasher.finish();
        if !self.remembered.contains_key(&key) {
            let steps = self.run(&input)?;
            if self.remembered.len() >= REMEMBERED_LINES {
                self.remembered.clear();
            }
            self.remembered.insert(key, steps);
        }
        Ok(key)
    }

    fn run(&mut self, input: &GrayImage) -> Result<Steps, DocError> {
        let (w, h) = input.dimensions();
        let pixels = input.as_raw().iter().map(|&v| f32::from(v)).collect();
        let tensor = Array4::from_shape_vec((1, 1, h as usize, w as usize), pixels)
            .map_err(|e| DocError::Inference(e.to_string()))?;
        let outputs = self
            .session
            .run(ort::inputs![TensorRef::from_array_view(tensor.view())?])?;
        let (shape, probabilities) = outputs[0].try_extract_tensor::<f32>()?;
        let classes = shape.last().copied().unwrap_or(0) as usize;
        if classes != self.alphabet.len() + 1 {
            return Err(DocError::Inference(format!(
                "the recogniser has {classes} classes, the alphabet {} characters",
                self.alphabet.len()
            )));
        }
        Ok(Steps {
            classes,
            probabilities: probabilities.to_vec(),
        })
    }
}

impl CrnnRecogniser {
    fn ranked(
        &mut self,
        line: &GrayImage,
        script: Script,
        n: usize,
    ) -> Result<Vec<LineReading>, DocError> {
        let key = self.remember(line)?;
        let steps = self
            .remembered
            .get(&key)
            .ok_or_else(|| DocError::Inference("line cache".into()))?;
        Ok(ranked(
            steps,
            &self.masks[script as usize],
            &self.alphabet,
            n,
        ))
    }
}

impl LineRecogniser for CrnnRecogniser {
    fn read(&mut self, line: &GrayImage, script: Script) -> Result<LineReading, DocError> {
        if script == Script::Mrz {
            return self.mrz.read(line);
        }
        self.ranked(line, script, 1)?
            .pop()
            .ok_or_else(|| DocError::Inference("no reading".into()))
    }

    fn readings(
        &mut self,
        line: &GrayImage,
        script: Script,
        n: usize,
    ) -> Result<Vec<LineReading>, DocError> {
        if script != Script::Mrz {
            return self.ranked(line, script, n);
        }
        let mut readings = vec![self.mrz.read(line)?];
        readings.extend(self.ranked(line, script, n.saturating_sub(1))?);
        Ok(readings)
    }
}

/// Which classes may be emitted (the blank always may).
fn class_mask(alphabet: &[char], allowed: Option<&str>) -> Vec<bool> {
    std::iter::once(true)
        .chain(
            alphabet
                .iter()
                .map(|c| allowed.is_none_or(|set| set.contains(*c))),
        )
        .collect()
}

/// The `n` most likely readings along the greedy CTC path (the best
/// allowed class at each step, repeats merged, blanks dropped): each
/// character it keeps may be replaced by one of its runners-up at the step
/// where it was surest, and readings are ranked by the product of the
/// chosen probabilities. Paths that drop or add a character are not
/// explored: the confusions worth undoing are look-alikes in one place.
/// The confidence is the mean probability of the characters chosen.
fn ranked(steps: &Steps, mask: &[bool], alphabet: &[char], n: usize) -> Vec<LineReading> {
    let positions = choices(steps, mask, ALTERNATIVES.min(n.max(1)));
    let mut beam: Vec<(f32, Vec<(usize, f32)>)> = vec![(0.0, Vec::new())];
    for options in &positions {
        let mut next = Vec::with_capacity(beam.len() * options.len());
        for (score, picks) in &beam {
            for &(class, p) in options {
                let mut picks = picks.clone();
                picks.push((class, p));
                next.push((score + p.max(f32::MIN_POSITIVE).ln(), picks));
            }
        }
        next.sort_by(|a, b| b.0.total_cmp(&a.0));
        next.truncate(n.max(1));
        beam = next;
    }
    beam.into_iter()
        .map(|(_, picks)| without_doubtful_spaces(picks, alphabet))
        .map(|picks| LineReading {
            text: picks
                .iter()
                .map(|&(class, _)| alphabet[class - 1])
                .collect::<String>()
                .trim()
                .to_owned(),
            confidence: if picks.is_empty() {
                0.0
            } else {
                picks.iter().map(|&(_, p)| p).sum::<f32>() / picks.len() as f32
            },
        })
        .take(n)
        .collect()
}

/// Below this probability a space between two capitals is not kept.
///
/// The network sometimes hears a space after a letter with room on one
/// side (`CHAIY APHUM`, `KAZAKHST AN`, `THAIL AND`), but less surely than a
/// printed one: on the development cards of both styles every printed
/// space between capitals read at 0.92 or more, these at 0.62–0.97.
const LATIN_SPACE_FLOOR: f32 = 0.9;

/// `picks` without the spaces between two capitals that the network was
/// unsure of: no rule on the letters could tell them from real ones
/// (`MY ANH` is a name).
fn without_doubtful_spaces(picks: Vec<(usize, f32)>, alphabet: &[char]) -> Vec<(usize, f32)> {
    let letter =
        |at: Option<&(usize, f32)>| at.is_some_and(|&(c, _)| alphabet[c - 1].is_ascii_uppercase());
    (0..picks.len())
        .filter(|&i| {
            let (class, p) = picks[i];
            alphabet[class - 1] != ' '
                || p >= LATIN_SPACE_FLOOR
                || !(i > 0 && letter(picks.get(i - 1)) && letter(picks.get(i + 1)))
        })
        .map(|i| picks[i])
        .collect()
}

/// For each character of the greedy path, its best `k` allowed classes at
/// the step where the kept class peaked, best first.
fn choices(steps: &Steps, mask: &[bool], k: usize) -> Vec<Vec<(usize, f32)>> {
    let rows: Vec<&[f32]> = steps.probabilities.chunks_exact(steps.classes).collect();
    let mut positions = Vec::new();
    let mut peak: Option<(usize, f32)> = None;
    let mut previous = 0;
    for (index, row) in rows.iter().enumerate() {
        let (best, p) = row
            .iter()
            .enumerate()
            .filter(|(k, _)| mask[*k])
            .fold((0, f32::MIN), |b, (k, &p)| if p > b.1 { (k, p) } else { b });
        if best != previous {
            positions.extend(peak.take().map(|(at, _)| top_classes(rows[at], mask, k)));
        }
        if best != 0 && peak.is_none_or(|(_, q)| p > q) {
            peak = Some((index, p));
        }
        previous = best;
    }
    positions.extend(peak.map(|(at, _)| top_classes(rows[at], mask, k)));
    positions
}

/// The `k` most probable allowed classes of a step, best first, in one
/// pass (sorting 2,400 classes per character would cost more than the
/// network).
fn top_classes(row: &[f32], mask: &[bool], k: usize) -> Vec<(usize, f32)> {
    let mut top: Vec<(usize, f32)> = Vec::with_capacity(k + 1);
    for (class, &p) in row.iter().enumerate().skip(1) {
        if mask[class] && (top.len() < k || top.last().is_some_and(|&(_, q)| p > q)) {
            let at = top.partition_point(|&(_, q)| q >= p);
            top.insert(at, (class, p));
            top.truncate(k);
        }
    }
    top
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_keeps_its_aspect_at_the_fixed_height() {
        let line = GrayImage::new(300, 60);
        let input = line_input(&line);
        assert_eq!(input.dimensions(), (160, LINE_HEIGHT));
    }

    fn steps(rows: &[&[f32]]) -> Steps {
        Steps {
            classes: rows[0].len(),
            probabilities: rows.concat(),
        }
    }

    fn best(steps: &Steps, mask: &[bool], alphabet: &[char]) -> LineReading {
        ranked(steps, mask, alphabet, 1).remove(0)
    }

    #[test]
    fn ctc_merges_repeats_and_drops_blanks() {
        let alphabet = ['1', 'A'];
        let mask = class_mask(&alphabet, None);
        let read = best(
            &steps(&[
                &[0.1, 0.8, 0.1],
                &[0.1, 0.9, 0.0],
                &[0.9, 0.1, 0.0],
                &[0.2, 0.7, 0.1],
                &[0.0, 0.0, 1.0],
            ]),
            &mask,
            &alphabet,
        );
        assert_eq!(read.text, "11A");
        assert!((read.confidence - (0.9 + 0.7 + 1.0) / 3.0).abs() < 1e-6);
    }

    #[test]
    fn a_digit_field_never_decodes_to_a_letter() {
        let alphabet = ['0', 'O'];
        let mask = class_mask(&alphabet, allowed(Script::Digits));
        let read = best(&steps(&[&[0.1, 0.3, 0.6]]), &mask, &alphabet);
        assert_eq!(read.text, "0");
    }

    #[test]
    fn runners_up_are_ranked_by_the_product_of_their_probabilities() {
        let alphabet = ['이', '여', '민'];
        let mask = class_mask(&alphabet, None);
        let line = steps(&[
            &[0.0, 0.3, 0.6, 0.1],
            &[0.9, 0.05, 0.05, 0.0],
            &[0.0, 0.0, 0.2, 0.8],
        ]);
        let texts: Vec<String> = ranked(&line, &mask, &alphabet, 3)
            .into_iter()
            .map(|r| r.text)
            .collect();
        assert_eq!(texts, ["여민", "이민", "여여"]);
    }

    #[test]
    fn an_unsure_space_between_capitals_is_dropped() {
        let alphabet = ['A', 'Y', ' ', '가'];
        let mask = class_mask(&alphabet, None);
        let line = |space: f32| {
            steps(&[
                &[0.0, 0.0, 1.0, 0.0, 0.0],
                &[1.0 - space, 0.0, 0.0, space, 0.0],
                &[0.0, 1.0, 0.0, 0.0, 0.0],
            ])
        };
        assert_eq!(best(&line(0.7), &mask, &alphabet).text, "YA");
        assert_eq!(best(&line(0.99), &mask, &alphabet).text, "Y A");
        let hangul = steps(&[
            &[0.0, 0.0, 0.0, 0.0, 1.0],
            &[0.3, 0.0, 0.0, 0.7, 0.0],
            &[0.0, 1.0, 0.0, 0.0, 0.0],
        ]);
        assert_eq!(best(&hangul, &mask, &alphabet).text, "가 A");
    }

    #[test]
    fn the_alphabet_has_no_repeats_and_the_documents_characters() {
        let alphabet: Vec<char> = ALPHABET.chars().collect();
        let unique: std::collections::BTreeSet<char> = alphabet.iter().copied().collect();
        assert_eq!(unique.len(), alphabet.len());
        assert!(alphabet.len() > 2350);
        for c in "가힝0123456789-.~ ·<ABCXYZ()/".chars() {
            assert!(unique.contains(&c), "{c}");
        }
    }

    #[test]
    fn extreme_lines_are_clamped() {
        assert_eq!(
            line_input(&GrayImage::new(4000, 20)).width(),
            MAX_LINE_WIDTH
        );
        assert_eq!(line_input(&GrayImage::new(2, 90)).width(), MIN_LINE_WIDTH);
    }
}
