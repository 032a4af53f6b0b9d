//! The page as the layouts see it: its lines, the means to read any of
//! them again with another alphabet, and the fields found so far.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use image::GrayImage;

use super::dated::find_date;
use super::rules::{CORRECTED, ISO_DATE};
use crate::dates;
use crate::fields::{Field, FieldName, FieldValue, Fields};
use crate::page::line_crop;
use crate::recognise::{LineReading, LineRecogniser, Script};
use crate::textdet::TextBox;
use crate::DocError;

/// A detected line and its first (Korean) reading.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Where the detector found it on the page.
    pub area: TextBox,
    /// The Korean reading (empty until the line is read).
    pub text: String,
    /// The recogniser's confidence in `text`.
    pub confidence: f32,
}

impl Line {
    /// The text without its spaces, as labels are matched: the
    /// recogniser splits words where the print has none.
    pub(super) fn compact(&self) -> String {
        self.text.chars().filter(|c| !c.is_whitespace()).collect()
    }

    /// How many digits the first reading holds, the cheapest sign of a
    /// number or a date.
    pub(super) fn digits(&self) -> usize {
        self.text.chars().filter(char::is_ascii_digit).count()
    }
}

/// The lines of one page and the means to read any of them again.
pub(super) struct Sheet<'a> {
    pub(super) lines: &'a [Line],
    pub(super) gray: &'a GrayImage,
    pub(super) recogniser: &'a mut dyn LineRecogniser,
    pub(super) fields: Fields,
    /// Readings already made: several fields look at the same line with
    /// the same alphabet (a licence number, the registration number and
    /// the renewal period are all candidates of each other's searches).
    pub(super) rereads: BTreeMap<(usize, Script), LineReading>,
    /// The day of the reading: no document was issued after it.
    pub(super) today: NaiveDate,
}

/// Readings of a date line weighed when the first names a day that has not
/// come: the misread is one digit (`2013` read `2043`), and the ranked
/// readings replace one character each.
const DATE_READINGS: usize = 4;

/// How far right of a date line, in line heights, the seal printed over
/// its day may have cut the detector's box short.
const SEALED_DAY_WIDTH: f32 = 1.5;

impl<'a> Sheet<'a> {
    /// A sheet of `lines`, no field found yet.
    pub(super) fn new(
        lines: &'a [Line],
        gray: &'a GrayImage,
        recogniser: &'a mut dyn LineRecogniser,
        today: NaiveDate,
    ) -> Self {
        Self {
            lines,
            gray,
            recogniser,
            fields: Fields::new(),
            rereads: BTreeMap::new(),
            today,
        }
    }

    /// The fields found, once every layout rule has looked.
    pub(super) fn into_fields(self) -> Fields {
        self.fields
    }

    /// Line `index` read again in `script` (once per line and script).
    pub(super) fn reread(&mut self, index: usize, script: Script) -> Result<LineReading, DocError> {
        if let Some(reading) = self.rereads.get(&(index, script)) {
            return Ok(reading.clone());
        }
        let reading = self
            .recogniser
            .read(&line_crop(self.gray, &self.lines[index].area), script)?;
        self.rereads.insert((index, script), reading.clone());
        Ok(reading)
    }

    /// The date line `index` prints, and the confidence in it: its digit
    /// reading, else its Korean one, whole or inside a label. Where neither
    /// makes a real date, the issuer's seal is often printed over the day
    /// (a stroke of it turns `1` into `4`, or the detector stops the box
    /// where the seal begins): the first ranked digit reading that makes
    /// one, else the line read again with room to its right, trusted less
    /// for being a runner-up.
    pub(super) fn read_date(&mut self, index: usize) -> Result<Option<(NaiveDate, f32)>, DocError> {
        let reading = self.reread(index, Script::Digits)?;
        let korean = &self.lines[index].text;
        let date = dates::parse_date(&reading.text)
            .or_else(|| dates::parse_date(korean))
            .or_else(|| find_date(korean))
            .or_else(|| find_date(&reading.text));
        if let Some(date) = date {
            return Ok(Some((date, reading.confidence)));
        }
        if let Some(ranked) = self.ranked_date(index, |_| true)? {
            return Ok(Some(ranked));
        }
        let reading = self.read_widened(index, SEALED_DAY_WIDTH, Script::Digits)?;
        Ok(find_date(&reading.text).map(|date| (date, reading.confidence * CORRECTED)))
    }

    /// The recogniser's `n` likeliest readings of line `index` in
    /// `script`, likeliest first, for a layout that knows which one fits.
    pub(super) fn ranked(
        &mut self,
        index: usize,
        script: Script,
        n: usize,
    ) -> Result<Vec<LineReading>, DocError> {
        let crop = line_crop(self.gray, &self.lines[index].area);
        self.recogniser.readings(&crop, script, n)
    }

    /// Line `index` read in `script` with `heights` line heights more room
    /// to its right, where something printed over its end (a seal) or its
    /// last syllable's faint strokes stopped the detector's box short.
    pub(super) fn read_widened(
        &mut self,
        index: usize,
        heights: f32,
        script: Script,
    ) -> Result<LineReading, DocError> {
        let area = self.lines[index].area;
        let widened = TextBox {
            w: area.w + area.h * heights,
            ..area
        };
        self.recogniser
            .read(&line_crop(self.gray, &widened), script)
    }

    /// An issue `date` read (with `confidence`) off line `index`, or, where
    /// it lies after today, the first of the line's ranked digit readings
    /// that names a day already past, trusted less for being a runner-up.
    /// Where none does, the date stays as read, for the document's rules
    /// to distrust.
    pub(super) fn past_date(
        &mut self,
        index: usize,
        date: NaiveDate,
        confidence: f32,
    ) -> Result<(NaiveDate, f32), DocError> {
        if date <= self.today {
            return Ok((date, confidence));
        }
        let today = self.today;
        Ok(self
            .ranked_date(index, |earlier| *earlier <= today)?
            .unwrap_or((date, confidence)))
    }

    /// The first runner-up digit reading of line `index` that makes a real
    /// date `accept`s, trusted less for being a runner-up.
    fn ranked_date(
        &mut self,
        index: usize,
        accept: impl Fn(&NaiveDate) -> bool,
    ) -> Result<Option<(NaiveDate, f32)>, DocError> {
        let readings = self.ranked(index, Script::Digits, DATE_READINGS)?;
        Ok(readings.iter().skip(1).find_map(|reading| {
            dates::parse_date(&reading.text)
                .filter(&accept)
                .map(|date| (date, reading.confidence * CORRECTED))
        }))
    }

    /// Sets a text field; an empty value is no reading and is left out.
    pub(super) fn set(&mut self, name: FieldName, value: impl Into<String>, confidence: f32) {
        let value = value.into();
        if !value.is_empty() {
            self.insert(name, FieldValue::Text(value), confidence);
        }
    }

    /// Sets a list field; an empty list is no reading and is left out.
    pub(super) fn set_list(&mut self, name: FieldName, values: Vec<String>, confidence: f32) {
        if !values.is_empty() {
            self.insert(name, FieldValue::List(values), confidence);
        }
    }

    fn insert(&mut self, name: FieldName, value: FieldValue, confidence: f32) {
        self.fields.insert(
            name,
            Field {
                value,
                confidence: confidence.clamp(0.0, 1.0),
            },
        );
    }

    /// Sets a date field in the answer's ISO form. A date outside
    /// [`dates::YEARS`] is a misread digit, never a date, and is withheld:
    /// whatever parsed it, it must not reach the answer (chrono writes a
    /// five-digit year with a sign: `+20024-04-12`).
    pub(super) fn set_date(&mut self, name: FieldName, date: NaiveDate, confidence: f32) {
        if dates::in_range(&date) {
            self.set(name, date.format(ISO_DATE).to_string(), confidence);
        }
    }

    /// The first line (top to bottom) whose compact text contains any of
    /// `labels`.
    pub(super) fn label(&self, labels: &[&str]) -> Option<usize> {
        self.lines.iter().position(|l| {
            let compact = l.compact().to_uppercase();
            labels.iter().any(|label| compact.contains(label))
        })
    }

    /// The nearest line under `label` that overlaps it horizontally.
    pub(super) fn below(&self, label: usize) -> Option<usize> {
        let over = &self.lines[label].area;
        self.lines
            .iter()
            .enumerate()
            .filter(|(i, l)| {
                *i != label
                    && l.area.centre_y() > over.bottom() - over.h * 0.3
                    && l.area.y < over.bottom() + over.h * 2.0
                    && l.area.x < over.right()
                    && l.area.right() > over.x
            })
            .min_by(|a, b| a.1.area.y.total_cmp(&b.1.area.y))
            .map(|(i, _)| i)
    }

    /// The nearest line right of `label` on its row.
    pub(super) fn beside(&self, label: usize) -> Option<usize> {
        let of = &self.lines[label].area;
        self.lines
            .iter()
            .enumerate()
            .filter(|(i, l)| {
                *i != label
                    && (l.area.centre_y() - of.centre_y()).abs() < of.h.max(l.area.h) * 0.5
                    && l.area.x > of.right() - of.h * 0.3
            })
            .min_by(|a, b| a.1.area.x.total_cmp(&b.1.area.x))
            .map(|(i, _)| i)
    }

    /// The lines whose centre lies between `top` and `bottom`, but for
    /// those of `exclude` (fields already taken).
    pub(super) fn text_between(
        &self,
        top: f32,
        bottom: f32,
        exclude: &[Option<usize>],
    ) -> Vec<usize> {
        (0..self.lines.len())
            .filter(|i| !exclude.contains(&Some(*i)))
            .filter(|i| {
                let centre = self.lines[*i].area.centre_y();
                centre > top && centre < bottom
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
