//! An axis-aligned rectangle in pixels: a face box, a crop, a region.

/// `x`, `y` of the top-left corner, `width` and `height`, in pixels of the
/// image it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl Rect {
    /// The rectangle with top-left corner (`x`, `y`) and this size.
    pub const fn new(x: f32, y: f32, width: f32, height: f32) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    /// `[x, y, width, height]`: the order of the contract's `box` and of
    /// the crop functions.
    pub fn to_array(self) -> [f32; 4] {
        [self.x, self.y, self.width, self.height]
    }

    /// Width times height.
    pub fn area(&self) -> f32 {
        self.width * self.height
    }

    /// The centre point.
    pub fn centre(&self) -> [f32; 2] {
        [self.x + self.width / 2.0, self.y + self.height / 2.0]
    }

    /// Intersection over union, 0 for disjoint or empty rectangles.
    pub fn iou(&self, other: &Rect) -> f32 {
        let overlap_w =
            ((self.x + self.width).min(other.x + other.width) - self.x.max(other.x)).max(0.0);
        let overlap_h =
            ((self.y + self.height).min(other.y + other.height) - self.y.max(other.y)).max(0.0);
        let overlap = overlap_w * overlap_h;
        let union = self.area() + other.area() - overlap;
        if union > 0.0 {
            overlap / union
        } else {
            0.0
        }
    }

    /// Moved by (`dx`, `dy`).
    pub fn shifted(self, dx: f32, dy: f32) -> Self {
        Self {
            x: self.x + dx,
            y: self.y + dy,
            ..self
        }
    }

    /// Every coordinate multiplied by `factor`.
    pub fn scaled(self, factor: f32) -> Self {
        Self::new(
            self.x * factor,
            self.y * factor,
            self.width * factor,
            self.height * factor,
        )
    }

    /// The part inside a `width` × `height` image.
    pub fn clipped(self, width: f32, height: f32) -> Self {
        let (x0, y0) = (self.x.clamp(0.0, width), self.y.clamp(0.0, height));
        let x1 = (self.x + self.width).clamp(0.0, width);
        let y1 = (self.y + self.height).clamp(0.0, height);
        Self::new(x0, y0, x1 - x0, y1 - y0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_known_overlaps() {
        let a = Rect::new(0.0, 0.0, 10.0, 10.0);
        assert_eq!(a.iou(&a), 1.0);
        assert_eq!(a.iou(&Rect::new(20.0, 0.0, 10.0, 10.0)), 0.0);
        // Half of each overlaps: 50 / 150.
        let half = a.iou(&Rect::new(5.0, 0.0, 10.0, 10.0));
        assert!((half - 1.0 / 3.0).abs() < 1e-6);
        assert_eq!(Rect::default().iou(&Rect::default()), 0.0);
    }

    #[test]
    fn scaling_clipping_and_centre() {
        let r = Rect::new(-5.0, 10.0, 20.0, 20.0)
            .scaled(2.0)
            .clipped(30.0, 40.0);
        assert_eq!(r, Rect::new(0.0, 20.0, 30.0, 20.0));
        assert_eq!(r.centre(), [15.0, 30.0]);
        assert_eq!(r.shifted(1.0, -1.0).to_array(), [1.0, 19.0, 30.0, 20.0]);
    }
}
