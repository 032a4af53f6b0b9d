//! One photo in, one document's fields out: find → rectify → detect →
//! orient → recognise → assemble.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use ekyc_image::{warp_quad, Quad};
use ekyc_runtime::{load_session, Manifest};
use image::{imageops, GrayImage, RgbImage};
use imageproc::geometric_transformations::Projection;

use crate::assemble::{self, Line};
use crate::crnn::CrnnRecogniser;
use crate::find::{find_cards, FoundCard};
use crate::kind::{self, DocumentKind};
use crate::mrz::PassportMrz;
use crate::recognise::{LineRecogniser, MrzReader, RecogniserKind, Script, TesseractRecogniser};
use crate::registration::RegistrationNumber;
use crate::textdet::{DirectionClassifier, TextBox, TextDetector};
use crate::DocError;

/// A card needs at least this many text lines; fewer means the rectangle
/// found was something else (a photo print, a window).
const MIN_TEXT_LINES: usize = 5;
/// Long side / short side below which the outline is taken for a passport
/// page (1.42) rather than an ID-1 card (1.585).
const PASSPORT_ASPECT: f32 = 1.5;
/// Lines given to the direction classifier (the widest ones).
const DIRECTION_LINES: usize = 8;
/// Card outlines tried, best first, until one reads completely.
const OUTLINES_TRIED: usize = 4;
/// Lines read before the rest to find the document's title.
const TITLE_LINES: usize = 3;
/// Grey margin added around a line crop: Tesseract reads a line best with
/// some background around it.
const LINE_MARGIN: u32 = 6;

/// The canonical size of a rectified card and its detector input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardClass {
    /// ID-1: resident card, licence, residence card.
    Card,
    /// ID-3: the passport data page.
    PassportPage,
}

impl CardClass {
    fn of(kind: DocumentKind) -> Self {
        match kind {
            DocumentKind::Passport => Self::PassportPage,
            _ => Self::Card,
        }
    }

    /// The class an outline's aspect suggests, before its title is read.
    fn of_outline(found: &FoundCard) -> Self {
        if found.aspect() < PASSPORT_ASPECT {
            Self::PassportPage
        } else {
            Self::Card
        }
    }

    fn size(self) -> (u32, u32) {
        match self {
            Self::Card => (1012, 638),
            Self::PassportPage => (1250, 880),
        }
    }

    fn detector_input(self) -> (u32, u32) {
        match self {
            Self::Card => (768, 480),
            Self::PassportPage => (896, 640),
        }
    }
}

/// Why a photo gave no reading.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("no ID document was found in the image")]
    NoDocument,
    #[error("the document's fields could not be read")]
    Unreadable,
    #[error(transparent)]
    Model(#[from] DocError),
}

/// One field as read, with a confidence in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub value: String,
    pub confidence: f32,
}

/// Validation results; `None` where a check does not apply or its field
/// was not read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    /// The ID number is 13 digits with the birth date of a living holder
    /// and a century/sex digit that fits the document (5–8 on a residence
    /// card, 0–4 or 9 on a Korean one).
    pub id_number_format: Option<bool>,
    /// The ID number's check digit holds (a signal only).
    pub id_number_checksum: Option<bool>,
    /// The licence number has a known region code.
    pub licence_number: Option<bool>,
    /// Every licence type read is one of the nine.
    pub licence_types: Option<bool>,
    /// Every MRZ check digit holds.
    pub mrz_check_digits: Option<bool>,
    /// The birth dates printed in different fields agree.
    pub birth_date_consistent: Option<bool>,
    /// The expiry date has passed.
    pub expired: Option<bool>,
    /// The document is of the type the client named.
    pub id_type_matches: Option<bool>,
}

/// Milliseconds spent in each stage.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimings {
    pub finding: f64,
    pub detection: f64,
    pub recognition: f64,
    pub parsing: f64,
}

/// What was read from one document.
#[derive(Debug, Clone)]
pub struct Reading {
    pub kind: DocumentKind,
    /// Fields by the answer's names (`name`, `birthDate`, `licenseNo`, …);
    /// the ID number and the MRZ are kept apart because they must be masked.
    pub fields: BTreeMap<&'static str, Field>,
    pub id_number: Option<(RegistrationNumber, f32)>,
    /// The passport's MRZ, only when every check digit holds: one that
    /// fails them is misread somewhere, so it is withheld rather than
    /// handed on (its fields keep a low confidence, and
    /// `checks.mrz_check_digits` says it failed).
    pub mrz: Option<PassportMrz>,
    pub checks: Checks,
    /// The document's corners in the input image, clockwise from its
    /// top-left as printed.
    pub corners: Quad,
    /// The portrait's `[x, y, width, height]` in the input image.
    pub portrait: Option<[f32; 4]>,
    /// Mean of the field confidences.
    pub confidence: f32,
    pub timings: StageTimings,
}

impl Reading {
    /// Whether the document's key is read: its ID number, or a passport's
    /// MRZ.
    fn is_complete(&self) -> bool {
        match self.kind {
            DocumentKind::Passport => self.mrz.is_some(),
            _ => self.id_number.is_some(),
        }
    }

    /// Whether a key field keeps its document's rules: a registration
    /// number with a seventh digit that fits and a real birth date, a
    /// licence number with a known region, or a valid MRZ.
    fn has_valid_key(&self) -> bool {
        self.checks.id_number_format == Some(true)
            || self.checks.licence_number == Some(true)
            || self.mrz.is_some()
    }

    fn timed(self, timings: StageTimings) -> Self {
        Self { timings, ..self }
    }
}

/// The document models one inference thread owns.
pub struct DocumentModels {
    detector: TextDetector,
    direction: DirectionClassifier,
    recogniser: Box<dyn LineRecogniser>,
}

impl DocumentModels {
    pub fn load(
        manifest: &Manifest,
        model_dir: &Path,
        tesseract_library: &str,
        kind: RecogniserKind,
    ) -> Result<Self, DocError> {
        let detector = TextDetector::new(load_session(&manifest.path(model_dir, "ppocr_det")?)?);
        let direction =
            DirectionClassifier::new(load_session(&manifest.path(model_dir, "ppocr_cls")?)?);
        let mrz_model = manifest.path(model_dir, "mrz_tesseract")?;
        let recogniser: Box<dyn LineRecogniser> = match kind {
            RecogniserKind::Crnn => Box::new(CrnnRecogniser::new(
                load_session(&manifest.path(model_dir, "ko_crnn")?)?,
                MrzReader::open(tesseract_library, &mrz_model)?,
            )),
            RecogniserKind::Tesseract => {
                Box::new(TesseractRecogniser::open(tesseract_library, &mrz_model)?)
            }
        };
        Ok(Self::with_recogniser(detector, direction, recogniser))
    }

    /// Uses another line recogniser (the trait's purpose).
    pub fn with_recogniser(
        detector: TextDetector,
        direction: DirectionClassifier,
        recogniser: Box<dyn LineRecogniser>,
    ) -> Self {
        Self {
            detector,
            direction,
            recogniser,
        }
    }

    /// Reads the document in `photo`; `expected` is the client's `idType`.
    ///
    /// The outlines are opened in turn, best first (a stripe of wood grain
    /// or a shadow can outscore the card's own edges), and read in full
    /// when their title names a document, until one gives a complete
    /// reading (its ID number, or a passport's MRZ): an outline that cuts
    /// the card can still show its title. Failing that, the fullest
    /// reading of a titled outline; when no outline is titled, the
    /// best-scored one, read for whatever it shows.
    pub fn read(
        &mut self,
        photo: &RgbImage,
        expected: Option<DocumentKind>,
    ) -> Result<Reading, ReadError> {
        let mut timings = StageTimings::default();
        let started = Instant::now();
        let mut outlines = find_cards(photo, OUTLINES_TRIED);
        let frame = whole_frame(photo, &outlines);
        outlines.extend(frame.clone());
        timings.finding = elapsed_ms(started);
        let mut fullest: Option<Reading> = None;
        let mut untitled = Vec::new();
        let mut round = outlines;
        let mut first_round = true;
        while !round.is_empty() {
            let mut layout = None;
            for (rank, found) in round.iter().enumerate() {
                let opened = match self.open(photo, found, &mut timings) {
                    Err(ReadError::NoDocument) => continue,
                    other => other?,
                };
                let is_frame = frame.as_ref() == Some(found);
                if is_frame {
                    // The card may lie inside the frame on a background
                    // too pale to show its edges: its text shows where.
                    layout = text_outline(&opened.2).filter(|o| frame.as_ref() != Some(o));
                }
                if opened.3.is_none() {
                    // Of the outlines whose top shows no title, the best
                    // scored and those drawn from the frame are read in
                    // full if nothing titled reads.
                    if rank == 0 || is_frame || !first_round {
                        untitled.push(opened);
                    }
                    continue;
                }
                match self.read_opened(photo, opened, expected, &mut timings) {
                    Ok((reading, is_id)) if is_id && reading.is_complete() => {
                        return Ok(reading.timed(timings))
                    }
                    Ok((reading, true)) => {
                        if fullest
                            .as_ref()
                            .is_none_or(|f| reading.fields.len() > f.fields.len())
                        {
                            fullest = Some(reading);
                        }
                    }
                    Ok((_, false)) | Err(ReadError::Unreadable) => {}
                    Err(other) => return Err(other),
                }
            }
            round = layout.into_iter().collect();
            first_round = false;
        }
        if let Some(reading) = fullest {
            return Ok(reading.timed(timings));
        }
        for opened in untitled {
            match self.read_opened(photo, opened, expected, &mut timings) {
                Ok((reading, true)) => return Ok(reading.timed(timings)),
                // Neither a title nor a key field that keeps its rules: a
                // business card or a receipt, not an ID.
                Ok((_, false)) | Err(ReadError::Unreadable) => {}
                Err(other) => return Err(other),
            }
        }
        Err(ReadError::NoDocument)
    }

    /// Rectifies the outline as the class its aspect suggests and reads the
    /// lines at the top, where every layout prints its title: they tell the
    /// document before the rest is read, and whether the aspect picked the
    /// wrong size.
    fn open(
        &mut self,
        photo: &RgbImage,
        found: &FoundCard,
        timings: &mut StageTimings,
    ) -> Result<Opened, ReadError> {
        let class = CardClass::of_outline(found);
        let mut page = self.rectify(photo, found, class, timings)?;
        self.recognise(&mut page, TITLE_LINES, timings)?;
        let mut titled = kind::detect(&page.texts());
        if titled.is_none() {
            // The direction classifier judges from a few lines and can be
            // wrong on a blurred card: a title read upside down settles it.
            let mut turned = page.turned();
            self.recognise(&mut turned, TITLE_LINES, timings)?;
            if let Some(kind) = kind::detect(&turned.texts()) {
                (page, titled) = (turned, Some(kind));
            }
        }
        Ok((found.clone(), class, page, titled))
    }

    /// Reads an opened outline in full, as the document its title names,
    /// else as the one its lines show, else as `expected`; with whether it
    /// is an ID at all: it prints a document's title, or a key field that
    /// keeps its document's rules (text lines alone are on any receipt).
    fn read_opened(
        &mut self,
        photo: &RgbImage,
        (found, class, mut page, titled): Opened,
        expected: Option<DocumentKind>,
        timings: &mut StageTimings,
    ) -> Result<(Reading, bool), ReadError> {
        if let Some(kind) = titled.or(expected).filter(|k| CardClass::of(*k) != class) {
            page = self.rectify(photo, &found, CardClass::of(kind), timings)?;
        }
        self.recognise(&mut page, usize::MAX, timings)?;
        let texts = page.texts();
        let detected = titled.or_else(|| kind::detect(&texts));
        let printed_title = kind::title(&texts).is_some();
        let wanted = detected.or(expected).ok_or(ReadError::Unreadable)?;

        let started = Instant::now();
        let mut reading =
            assemble::assemble(wanted, &page.lines, &page.gray, self.recogniser.as_mut())?;
        timings.parsing += elapsed_ms(started);
        reading.checks.id_type_matches = expected.map(|e| detected.is_none_or(|d| d == e));
        reading.portrait = to_photo(&portrait_box(wanted, &page), &page);
        reading.corners = page.corners;
        let is_id = printed_title || reading.has_valid_key();
        Ok((reading, is_id))
    }

    /// Rectifies the outline as `class`, finds its lines and turns it
    /// upright. The lines are not read yet.
    fn rectify(
        &mut self,
        photo: &RgbImage,
        found: &FoundCard,
        class: CardClass,
        timings: &mut StageTimings,
    ) -> Result<Page, ReadError> {
        let started = Instant::now();
        let (width, height) = class.size();
        let mut corners = found.corners;
        let mut card = warp_quad(photo, &corners, width, height).ok_or(ReadError::NoDocument)?;
        timings.finding += elapsed_ms(started);

        let started = Instant::now();
        let mut boxes = self.detector.detect(&card, class.detector_input())?;
        if boxes.len() < MIN_TEXT_LINES {
            return Err(ReadError::NoDocument);
        }
        let mut widest = boxes.clone();
        widest.sort_by(|a, b| b.w.total_cmp(&a.w));
        widest.truncate(DIRECTION_LINES);
        if self.direction.upside_down(&card, &widest)? > 0.5 {
            card = imageops::rotate180(&card);
            boxes = boxes
                .iter()
                .map(|b| b.turned(width as f32, height as f32))
                .collect();
            corners = [corners[2], corners[3], corners[0], corners[1]];
        }
        boxes.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
        timings.detection += elapsed_ms(started);
        Ok(Page {
            gray: imageops::grayscale(&card),
            lines: boxes
                .into_iter()
                .map(|area| Line {
                    area,
                    text: String::new(),
                    confidence: 0.0,
                })
                .collect(),
            read: 0,
            corners,
            size: (width, height),
        })
    }

    /// Reads the page's next lines, top to bottom, as Korean text, until
    /// `upto` lines have been read.
    fn recognise(
        &mut self,
        page: &mut Page,
        upto: usize,
        timings: &mut StageTimings,
    ) -> Result<(), DocError> {
        let started = Instant::now();
        let end = upto.min(page.lines.len());
        for line in &mut page.lines[page.read.min(end)..end] {
            let reading = self
                .recogniser
                .read(&line_crop(&page.gray, &line.area), Script::Korean)?;
            line.text = reading.text;
            line.confidence = reading.confidence;
        }
        page.read = page.read.max(end);
        timings.recognition += elapsed_ms(started);
        Ok(())
    }
}

/// Aspect (long side over short) within which a photo may be the document
/// itself, cropped by the client to its edges: ID-1 is 1.585, the passport
/// page 1.42.
const FRAME_ASPECT: (f32, f32) = (1.2, 2.1);

/// The whole photo as one more outline, when its shape is a document's and
/// no outline found is already nearly the frame: a card that fills the
/// frame has no edges to find.
fn whole_frame(photo: &RgbImage, found: &[FoundCard]) -> Option<FoundCard> {
    let (w, h) = (photo.width() as f32, photo.height() as f32);
    let aspect = w.max(h) / w.min(h).max(1.0);
    if !(FRAME_ASPECT.0..=FRAME_ASPECT.1).contains(&aspect) {
        return None;
    }
    // Clockwise from a corner where a long side starts.
    let corners = if w >= h {
        [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]]
    } else {
        [[w, 0.0], [w, h], [0.0, h], [0.0, 0.0]]
    };
    let frame = FoundCard {
        corners,
        support: 0.0,
    };
    let near = |other: &FoundCard| {
        crate::find::max_corner_gap(&other.corners, &frame.corners) < 0.03 * w.max(h)
    };
    (!found.iter().any(near)).then_some(frame)
}

/// An outline opened as a page of its class, with the document its title
/// names, if it names one.
type Opened = (FoundCard, CardClass, Page, Option<DocumentKind>);

/// Share of the text block's height added above and below it to reach the
/// card's edges (a card's text runs from near its top to near its bottom).
const LAYOUT_MARGIN: f32 = 0.08;

/// The outline the page's text lines suggest: their bounding block, its
/// height padded to the card's edges and its width widened to the page's
/// aspect (the portrait beside the text holds none), mapped back to the
/// photo. `None` without text.
fn text_outline(page: &Page) -> Option<FoundCard> {
    let (w, h) = (page.size.0 as f32, page.size.1 as f32);
    let top = page.lines.iter().map(|l| l.area.y).reduce(f32::min)?;
    let bottom = page
        .lines
        .iter()
        .map(|l| l.area.bottom())
        .reduce(f32::max)?;
    let left = page.lines.iter().map(|l| l.area.x).reduce(f32::min)?;
    let right = page.lines.iter().map(|l| l.area.right()).reduce(f32::max)?;
    let pad = (bottom - top) * LAYOUT_MARGIN;
    let (top, bottom) = (top - pad, bottom + pad);
    // The page is stretched to its class's aspect, so a block of the
    // page's proportions is one of the document's aspect in the photo: the
    // block grows in whichever direction it falls short.
    let height = (bottom - top).max((right - left) * h / w).min(h);
    let width = (height * w / h).min(w);
    let (centre_x, centre_y) = ((left + right) / 2.0, (top + bottom) / 2.0);
    let x0 = (centre_x - width / 2.0).clamp(0.0, w - width);
    let top = (centre_y - height / 2.0).clamp(0.0, h - height);
    let bottom = top + height;
    let from = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let projection = Projection::from_control_points(from, page.corners.map(|[x, y]| (x, y)))?;
    let corners = [
        (x0, top),
        (x0 + width, top),
        (x0 + width, bottom),
        (x0, bottom),
    ]
    .map(|point| {
        let (x, y) = projection * point;
        [x, y]
    });
    Some(FoundCard {
        corners,
        support: 0.0,
    })
}

/// A rectified, upright document and its lines.
struct Page {
    gray: GrayImage,
    lines: Vec<Line>,
    /// How many of `lines` (from the top) have been read.
    read: usize,
    corners: Quad,
    size: (u32, u32),
}

impl Page {
    /// The page turned by 180°, its lines not yet read.
    fn turned(&self) -> Page {
        let (width, height) = (self.size.0 as f32, self.size.1 as f32);
        let mut lines: Vec<Line> = self
            .lines
            .iter()
            .map(|l| Line {
                area: l.area.turned(width, height),
                text: String::new(),
                confidence: 0.0,
            })
            .collect();
        lines.sort_by(|a, b| {
            a.area
                .y
                .total_cmp(&b.area.y)
                .then(a.area.x.total_cmp(&b.area.x))
        });
        let c = self.corners;
        Page {
            gray: imageops::rotate180(&self.gray),
            lines,
            read: 0,
            corners: [c[2], c[3], c[0], c[1]],
            size: self.size,
        }
    }

    fn texts(&self) -> Vec<&str> {
        self.lines[..self.read]
            .iter()
            .map(|l| l.text.as_str())
            .collect()
    }
}

/// The line's pixels with a margin of the card's own background.
pub fn line_crop(gray: &GrayImage, area: &TextBox) -> GrayImage {
    let x0 = (area.x.floor().max(0.0) as u32).min(gray.width() - 1);
    let y0 = (area.y.floor().max(0.0) as u32).min(gray.height() - 1);
    let x1 = (area.right().ceil() as u32).clamp(x0 + 1, gray.width());
    let y1 = (area.bottom().ceil() as u32).clamp(y0 + 1, gray.height());
    let crop = imageops::crop_imm(gray, x0, y0, x1 - x0, y1 - y0).to_image();
    let background = *crop
        .pixels()
        .max_by_key(|p| p.0[0])
        .unwrap_or(&image::Luma([255]));
    let mut framed = GrayImage::from_pixel(
        crop.width() + 2 * LINE_MARGIN,
        crop.height() + 2 * LINE_MARGIN,
        background,
    );
    imageops::overlay(&mut framed, &crop, LINE_MARGIN.into(), LINE_MARGIN.into());
    framed
}

/// The portrait is the tall text-free block on the side the layout puts
/// it: left on new licences, residence cards and passports, right on
/// resident cards and old licences. The side with fewer lines wins.
fn portrait_box(kind: DocumentKind, page: &Page) -> [f32; 4] {
    let (w, h) = (page.size.0 as f32, page.size.1 as f32);
    let (box_w, box_h, top) = match kind {
        DocumentKind::Passport => (0.26 * w, 0.48 * h, 0.13 * h),
        _ => (0.24 * w, 0.47 * h, 0.2 * h),
    };
    let lines_in = |x0: f32| {
        page.lines
            .iter()
            .filter(|l| {
                l.area.x < x0 + box_w
                    && l.area.right() > x0
                    && l.area.centre_y() > top
                    && l.area.centre_y() < top + box_h
            })
            .count()
    };
    let (left, right) = (0.04 * w, w - 0.04 * w - box_w);
    let x = if lines_in(left) <= lines_in(right) {
        left
    } else {
        right
    };
    [x, top, box_w, box_h]
}

/// Maps a box on the rectified page back to the photo (its bounding box
/// after the inverse perspective).
fn to_photo(area: &[f32; 4], page: &Page) -> Option<[f32; 4]> {
    let (w, h) = (page.size.0 as f32, page.size.1 as f32);
    let from = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let to = page.corners.map(|[x, y]| (x, y));
    let projection = Projection::from_control_points(from, to)?;
    let [x, y, bw, bh] = *area;
    let points =
        [(x, y), (x + bw, y), (x + bw, y + bh), (x, y + bh)].map(|(px, py)| projection * (px, py));
    let min_x = points.iter().map(|p| p.0).fold(f32::MAX, f32::min);
    let min_y = points.iter().map(|p| p.1).fold(f32::MAX, f32::min);
    let max_x = points.iter().map(|p| p.0).fold(f32::MIN, f32::max);
    let max_y = points.iter().map(|p| p.1).fold(f32::MIN, f32::max);
    Some([min_x, min_y, max_x - min_x, max_y - min_y])
}

fn elapsed_ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Page {
        let line = |x: f32, y: f32| Line {
            area: TextBox {
                x,
                y,
                w: 200.0,
                h: 40.0,
                score: 1.0,
            },
            text: "read".into(),
            confidence: 0.9,
        };
        Page {
            gray: GrayImage::from_fn(1012, 638, |x, _| image::Luma([(x % 251) as u8])),
            lines: vec![line(40.0, 20.0), line(300.0, 500.0)],
            read: 2,
            corners: [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
            size: (1012, 638),
        }
    }

    #[test]
    fn a_photo_of_a_documents_shape_is_itself_an_outline() {
        let card = RgbImage::new(391, 248);
        let frame = whole_frame(&card, &[]).unwrap();
        assert_eq!(frame.corners[2], [391.0, 248.0]);
        assert!((frame.aspect() - 391.0 / 248.0).abs() < 0.01);
        // Held upright, the long side starts at the top right.
        let upright = whole_frame(&RgbImage::new(248, 391), &[]).unwrap();
        assert_eq!(upright.corners[0], [248.0, 0.0]);
        assert!(upright.aspect() > 1.5);
        // A square is no document's shape, and a frame already found is
        // not tried twice.
        assert!(whole_frame(&RgbImage::new(600, 600), &[]).is_none());
        assert!(whole_frame(&card, &[frame]).is_none());
    }

    #[test]
    fn the_text_block_outlines_a_card_whose_edges_do_not_show() {
        // The whole photo (2024 × 1276) opened as a card page: the card's
        // text fills the page's middle half.
        let mut page = page();
        page.corners = [[0.0, 0.0], [2024.0, 0.0], [2024.0, 1276.0], [0.0, 1276.0]];
        page.lines = [(300.0, 170.0), (500.0, 300.0), (300.0, 430.0)]
            .iter()
            .map(|&(x, y)| Line {
                area: TextBox {
                    x,
                    y,
                    w: 250.0,
                    h: 38.0,
                    score: 1.0,
                },
                text: String::new(),
                confidence: 0.0,
            })
            .collect();
        let outline = text_outline(&page).unwrap();
        let [top_left, top_right, bottom_right, _] = outline.corners;
        // Text from y 170 to 468, padded by 8 % of its height, doubled.
        assert!((top_left[1] - 2.0 * (170.0 - 0.08 * 298.0)).abs() < 1.0);
        assert!((bottom_right[1] - 2.0 * (468.0 + 0.08 * 298.0)).abs() < 1.0);
        // Widened to the page's aspect about the text's centre.
        assert!((outline.aspect() - 1012.0 / 638.0).abs() < 0.01);
        assert!(top_left[0] < 2.0 * 300.0 && top_right[0] > 2.0 * 750.0);
    }

    #[test]
    fn a_turned_page_reads_its_lines_again_from_the_new_top() {
        let turned = page().turned();
        assert_eq!(turned.read, 0);
        assert!(turned.lines.iter().all(|l| l.text.is_empty()));
        let tops: Vec<(f32, f32)> = turned.lines.iter().map(|l| (l.area.x, l.area.y)).collect();
        assert_eq!(tops, [(512.0, 98.0), (772.0, 578.0)]);
        assert_eq!(turned.corners[0], [1.0, 1.0]);
        let back = turned.turned();
        assert_eq!(back.gray, page().gray);
        assert_eq!(back.lines[0].area, page().lines[0].area);
    }
}
