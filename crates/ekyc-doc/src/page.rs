//! A rectified page and its geometry: where its lines are, where its
//! portrait is, and how both map back to the photo.

use ekyc_image::Quad;
use image::{imageops, GrayImage, RgbImage};
use imageproc::geometric_transformations::Projection;

use crate::assemble::Line;
use crate::find::{max_corner_gap, FoundCard};
use crate::kind::DocumentKind;
use crate::layout::{card_from_text, lines_direction};
use crate::textdet::TextBox;

/// Grey margin added around a line crop: Tesseract reads a line best with
/// some background around it.
const LINE_MARGIN: u32 = 6;

/// A rectified, upright document and its lines.
pub(crate) struct Page {
    /// The rectified card in grey, which every line is cropped from.
    pub gray: GrayImage,
    /// The detected lines, top to bottom.
    pub lines: Vec<Line>,
    /// How many of `lines` (from the top) have been read.
    pub read: usize,
    /// The page's corners in the photo, clockwise from its top-left.
    pub corners: Quad,
    /// The card class's canonical size, which `gray` has.
    pub size: (u32, u32),
}

impl Page {
    /// The page turned by 180°, its lines not yet read.
    pub fn turned(&self) -> Page {
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

    /// The texts of the lines read so far.
    pub fn texts(&self) -> Vec<&str> {
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

/// Aspect (long side over short) within which a photo may be the document
/// itself, cropped by the client to its edges: ID-1 is 1.585, the passport
/// page 1.42.
const FRAME_ASPECT: (f32, f32) = (1.2, 2.1);

/// The whole photo as one more outline, when its shape is a document's and
/// no outline found is already nearly the frame: a card that fills the
/// frame has no edges to find.
pub(crate) fn whole_frame(photo: &RgbImage, found: &[FoundCard]) -> Option<FoundCard> {
    let (w, h) = (photo.width() as f32, photo.height() as f32);
    let aspect = w.max(h) / w.min(h).max(1.0);
    if !(FRAME_ASPECT.0..=FRAME_ASPECT.1).contains(&aspect) {
        return None;
    }
    let frame = photo_outline(photo);
    let near = |other: &FoundCard| max_corner_gap(&other.corners, &frame.corners) < 0.03 * w.max(h);
    (!found.iter().any(near)).then_some(frame)
}

/// The whole photo as an outline, clockwise from a corner where a long
/// side starts.
pub(crate) fn photo_outline(photo: &RgbImage) -> FoundCard {
    let (w, h) = (photo.width() as f32, photo.height() as f32);
    let corners = if w >= h {
        [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]]
    } else {
        [[w, 0.0], [w, h], [0.0, h], [0.0, 0.0]]
    };
    FoundCard {
        corners,
        support: 0.0,
    }
}

/// The outline the page's text lines suggest, for a card inside the page
/// whose edges do not show: the lines mapped back to the photo, their block
/// turned as the strokes in `photo` run, padded to the card's edges and
/// widened to the page's aspect (the portrait beside the text holds none).
/// `None` without text.
pub(crate) fn text_outline(page: &Page, photo: &RgbImage) -> Option<FoundCard> {
    let (w, h) = (page.size.0 as f32, page.size.1 as f32);
    let from = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let projection = Projection::from_control_points(from, page.corners.map(|[x, y]| (x, y)))?;
    let boxes: Vec<Quad> = page
        .lines
        .iter()
        .map(|l| {
            let a = &l.area;
            [
                (a.x, a.y),
                (a.right(), a.y),
                (a.right(), a.bottom()),
                (a.x, a.bottom()),
            ]
            .map(|point| {
                let (x, y) = projection * point;
                [x, y]
            })
        })
        .collect();
    card_from_text(&boxes, lines_direction(photo, &boxes), w / h)
}

/// The portrait is the tall text-free block on the side the layout puts
/// it: left on new licences, residence cards and passports, right on
/// resident cards and old licences. The side with fewer lines wins.
pub(crate) fn portrait_box(kind: DocumentKind, page: &Page) -> [f32; 4] {
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
pub(crate) fn to_photo(area: &[f32; 4], page: &Page) -> Option<[f32; 4]> {
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

#[cfg(test)]
mod tests;
