//! One photo in, one document's fields out: find → rectify → detect →
//! orient → recognise → assemble.

use std::path::Path;
use std::time::Instant;

use ekyc_image::{warp_quad, Quad};
use ekyc_runtime::{load_session, Manifest};
use image::{imageops, RgbImage};

use crate::assemble::{self, Assembled, Line};
use crate::crnn::CrnnRecogniser;
use crate::find::{find_cards, FoundCard};
use crate::kind::{self, DocumentKind};
use crate::page::{
    line_crop, photo_outline, portrait_box, text_outline, to_photo, whole_frame, Page,
};
use crate::reading::{Checks, ReadError, Reading, StageTimings};
use crate::recognise::{LineRecogniser, MrzReader, RecogniserKind, Script, TesseractRecogniser};
use crate::textdet::{DirectionClassifier, TextDetector};
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

/// The document models one inference thread owns.
pub struct DocumentModels {
    detector: TextDetector,
    direction: DirectionClassifier,
    recogniser: Box<dyn LineRecogniser>,
}

/// The CRNN in `file`, with Tesseract's OCR-B model (`mrz_model`) for the
/// MRZ.
fn crnn_recogniser(
    file: &Path,
    tesseract_library: &str,
    mrz_model: &Path,
) -> Result<CrnnRecogniser, DocError> {
    Ok(CrnnRecogniser::new(
        load_session(file)?,
        MrzReader::open(tesseract_library, mrz_model)?,
    ))
}

impl DocumentModels {
    /// Loads the detector, the direction classifier and the recogniser
    /// `kind` names from `model_dir`, each checked against the manifest;
    /// the MRZ is read by Tesseract whichever recogniser reads the rest.
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
            RecogniserKind::Crnn => Box::new(crnn_recogniser(
                &manifest.path(model_dir, "ko_crnn")?,
                tesseract_library,
                &mrz_model,
            )?),
            RecogniserKind::Tesseract => {
                Box::new(TesseractRecogniser::open(tesseract_library, &mrz_model)?)
            }
        };
        Ok(Self::with_recogniser(detector, direction, recogniser))
    }

    /// Reads the lines with the CRNN in `file` instead of the manifest's
    /// `ko_crnn`. The file is not checked against the manifest: this is
    /// the benchmark's `--crnn-model`, which measures a model trained on
    /// one card style on the other.
    pub fn use_crnn_file(
        &mut self,
        file: &Path,
        manifest: &Manifest,
        model_dir: &Path,
        tesseract_library: &str,
    ) -> Result<(), DocError> {
        let mrz_model = manifest.path(model_dir, "mrz_tesseract")?;
        self.recogniser = Box::new(crnn_recogniser(file, tesseract_library, &mrz_model)?);
        Ok(())
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
    /// reading (its ID number, or a passport's MRZ, and its issue date): an
    /// outline that cuts the card can still show its title. Failing that,
    /// the fullest reading of a titled outline; when no outline is titled,
    /// the best-scored one, read for whatever it shows.
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
        let mut fullest: Option<Candidate> = None;
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
                    layout =
                        text_outline(&opened.page, photo).filter(|o| frame.as_ref() != Some(o));
                }
                if opened.titled.is_none() {
                    // Of the outlines whose top shows no title, the best
                    // scored and those drawn from the frame are read in
                    // full if nothing titled reads.
                    if rank == 0 || is_frame || !first_round {
                        untitled.push(opened);
                    }
                    continue;
                }
                match self.read_opened(photo, opened, expected, &mut timings) {
                    Ok(read) if read.is_id && read.assembled.is_complete() => {
                        return Ok(read.into_reading(timings))
                    }
                    Ok(read) if read.is_id => {
                        if fullest
                            .as_ref()
                            .is_none_or(|f| read.assembled.fields.len() > f.assembled.fields.len())
                        {
                            fullest = Some(read);
                        }
                    }
                    Ok(_) | Err(ReadError::Unreadable) => {}
                    Err(other) => return Err(other),
                }
            }
            if first_round && frame.is_none() {
                // A photo of no document's shape, the card somewhere in
                // it: its text still shows where.
                layout = self.photo_layout(photo, &mut timings)?;
            }
            round = layout.into_iter().collect();
            first_round = false;
        }
        if let Some(read) = fullest {
            let read = self.or_photo_mrz(photo, read, expected, &mut timings)?;
            return Ok(read.into_reading(timings));
        }
        for opened in untitled {
            match self.read_opened(photo, opened, expected, &mut timings) {
                Ok(read) if read.is_id => {
                    let read = self.or_photo_mrz(photo, read, expected, &mut timings)?;
                    return Ok(read.into_reading(timings));
                }
                // Neither a title nor a key field that keeps its rules: a
                // business card or a receipt, not an ID.
                Ok(_) | Err(ReadError::Unreadable) => {}
                Err(other) => return Err(other),
            }
        }
        if expected.is_none_or(|e| e == DocumentKind::Passport) {
            if let Some(found) = self.read_photo_mrz(photo, expected, &mut timings)? {
                return Ok(found.into_reading(timings));
            }
        }
        Err(ReadError::NoDocument)
    }

    /// `read`, unless it is a passport whose MRZ did not read on the
    /// rectified page (a page cut or stretched by its outline) and the
    /// photo itself shows a valid one. The page's outline and portrait are
    /// kept: its title found them.
    fn or_photo_mrz(
        &mut self,
        photo: &RgbImage,
        read: Candidate,
        expected: Option<DocumentKind>,
        timings: &mut StageTimings,
    ) -> Result<Candidate, ReadError> {
        if read.assembled.kind != DocumentKind::Passport || read.assembled.mrz.is_some() {
            return Ok(read);
        }
        Ok(match self.read_photo_mrz(photo, expected, timings)? {
            Some(found) => Candidate {
                corners: read.corners,
                portrait: read.portrait,
                ..found
            },
            None => read,
        })
    }

    /// The photo itself, turned upright but not rectified, searched for a
    /// valid MRZ of any format: a document of no Korean layout (an ID
    /// card's back, a visa, a foreign passport photographed open) has no
    /// outline or title the reader knows, but its MRZ tells what it is
    /// wherever it lies. Only a valid MRZ counts, so that no photo without
    /// one passes for a document.
    fn read_photo_mrz(
        &mut self,
        photo: &RgbImage,
        expected: Option<DocumentKind>,
        timings: &mut StageTimings,
    ) -> Result<Option<Candidate>, ReadError> {
        let started = Instant::now();
        let (width, height) = photo.dimensions();
        let (long, short) = CardClass::PassportPage.detector_input();
        let input = if width >= height {
            (long, short)
        } else {
            (short, long)
        };
        let mut boxes = self.detector.detect(photo, input)?;
        if !assemble::may_hold_mrz(&boxes) {
            timings.detection += elapsed_ms(started);
            return Ok(None);
        }
        let (w, h) = (width as f32, height as f32);
        let mut corners = [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]];
        let mut widest = boxes.clone();
        widest.sort_by(|a, b| b.w.total_cmp(&a.w));
        widest.truncate(DIRECTION_LINES);
        let mut upright = None;
        if self.direction.upside_down(photo, &widest)? > 0.5 {
            upright = Some(imageops::rotate180(photo));
            boxes = boxes.iter().map(|b| b.turned(w, h)).collect();
            corners = [corners[2], corners[3], corners[0], corners[1]];
        }
        boxes.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
        let gray = imageops::grayscale(upright.as_ref().unwrap_or(photo));
        timings.detection += elapsed_ms(started);
        let lines: Vec<Line> = boxes
            .into_iter()
            .map(|area| Line {
                area,
                text: String::new(),
                confidence: 0.0,
            })
            .collect();
        let started = Instant::now();
        let assembled = assemble::assemble(
            DocumentKind::Passport,
            &lines,
            &gray,
            self.recogniser.as_mut(),
        );
        timings.parsing += elapsed_ms(started);
        let assembled = match assembled {
            Ok(assembled) if assembled.mrz.is_some() => assembled,
            Ok(_) | Err(ReadError::Unreadable) => return Ok(None),
            Err(other) => return Err(other),
        };
        Ok(Some(Candidate {
            is_id: true,
            id_type_matches: expected.map(|e| e == DocumentKind::Passport),
            corners,
            // Where a portrait is depends on a layout the photo's is not.
            portrait: None,
            assembled,
        }))
    }

    /// The outline the text of the whole photo suggests, opened as a
    /// card's page whatever its shape; `None` when it shows no text.
    fn photo_layout(
        &mut self,
        photo: &RgbImage,
        timings: &mut StageTimings,
    ) -> Result<Option<FoundCard>, ReadError> {
        match self.rectify(photo, &photo_outline(photo), CardClass::Card, timings) {
            Ok(page) => Ok(text_outline(&page, photo)),
            Err(ReadError::NoDocument) => Ok(None),
            Err(other) => Err(other),
        }
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
        Ok(Opened {
            found: found.clone(),
            class,
            page,
            titled,
        })
    }

    /// Reads an opened outline in full, as the document a title anywhere
    /// on it names, else as the one its lines show, else as `expected`.
    fn read_opened(
        &mut self,
        photo: &RgbImage,
        Opened {
            found,
            class,
            mut page,
            titled,
        }: Opened,
        expected: Option<DocumentKind>,
        timings: &mut StageTimings,
    ) -> Result<Candidate, ReadError> {
        if let Some(kind) = titled.or(expected).filter(|k| CardClass::of(*k) != class) {
            page = self.rectify(photo, &found, CardClass::of(kind), timings)?;
        }
        self.recognise(&mut page, usize::MAX, timings)?;
        let texts = page.texts();
        // What the top lines suggested gave the page its size; once every
        // line is read, a title anywhere outranks it.
        let detected = kind::of_page(&texts).or(titled);
        let printed_title = kind::title(&texts).is_some();
        let wanted = detected.or(expected).ok_or(ReadError::Unreadable)?;

        let started = Instant::now();
        let assembled =
            assemble::assemble(wanted, &page.lines, &page.gray, self.recogniser.as_mut())?;
        timings.parsing += elapsed_ms(started);
        Ok(Candidate {
            is_id: printed_title || assembled.has_valid_key(),
            id_type_matches: expected.map(|e| detected.is_none_or(|d| d == e)),
            portrait: to_photo(&portrait_box(wanted, &page), &page),
            corners: page.corners,
            assembled,
        })
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

/// An outline opened as a page of its class, with the document its title
/// names, if it names one.
struct Opened {
    found: FoundCard,
    class: CardClass,
    page: Page,
    titled: Option<DocumentKind>,
}

/// An opened outline read in full, kept while later outlines may still
/// read better.
struct Candidate {
    assembled: Assembled,
    /// Whether it is an ID at all: it prints a document's title, or a key
    /// field that keeps its document's rules (text lines alone are on any
    /// receipt).
    is_id: bool,
    /// Whether it is the document the client named, when one was named
    /// and the page tells.
    id_type_matches: Option<bool>,
    corners: Quad,
    portrait: Option<[f32; 4]>,
}

impl Candidate {
    /// The reading this candidate answers with, once the time spent on
    /// every outline is known.
    fn into_reading(self, timings: StageTimings) -> Reading {
        let Assembled {
            kind,
            fields,
            id_number,
            mrz,
            checks,
            confidence,
        } = self.assembled;
        Reading {
            kind,
            fields,
            id_number,
            mrz,
            checks: Checks {
                id_type_matches: self.id_type_matches,
                ..checks
            },
            corners: self.corners,
            portrait: self.portrait,
            confidence,
            timings,
        }
    }
}

fn elapsed_ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}
