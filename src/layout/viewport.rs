//! Zoom and pan, as plain data: the part of the picture on screen is a [`View`] (the SVG's
//! `viewBox`), zoomed about a point and panned in picture units, never smaller than a fraction
//! of the whole and never panned off it. The text keeps its size relative to the boxes, so
//! zooming in makes the labels larger, never smaller than at "fit".

use super::Point;

/// How far in a learner can zoom: the view is at least this fraction of the picture's width.
pub const MAX_ZOOM: f64 = 8.0;
/// One press of "Zoom in" (or `+`).
pub const STEP: f64 = 1.25;
/// One arrow key pans by this fraction of the view.
pub const PAN_STEP: f64 = 0.1;

/// A rectangle of the picture, in its units: what the SVG's `viewBox` shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl View {
    /// The whole picture.
    pub fn fit(width: f64, height: f64) -> View {
        View {
            x: 0.0,
            y: 0.0,
            w: width,
            h: height,
        }
    }

    /// `viewBox` text.
    pub fn attr(&self) -> String {
        format!("{:.1} {:.1} {:.1} {:.1}", self.x, self.y, self.w, self.h)
    }

    /// How many times larger than at fit the picture is drawn (1 = fit).
    pub fn zoom(&self, width: f64) -> f64 {
        width / self.w.max(1e-9)
    }

    pub fn center(&self) -> Point {
        Point::new(self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// Zoomed by `factor` (above 1: in) about `at`, which stays where it is on screen; kept
    /// between fit and [`MAX_ZOOM`] and on the picture (`width` x `height`).
    pub fn zoomed(&self, factor: f64, at: Point, width: f64, height: f64) -> View {
        if !(factor.is_finite() && factor > 0.0) {
            return *self;
        }
        let w = (self.w / factor).clamp(width / MAX_ZOOM, width);
        let scale = w / self.w.max(1e-9);
        let h = self.h * scale;
        let v = View {
            x: at.x - (at.x - self.x) * scale,
            y: at.y - (at.y - self.y) * scale,
            w,
            h,
        };
        v.kept_on(width, height)
    }

    /// Moved by `(dx, dy)` picture units, kept on the picture.
    pub fn panned(&self, dx: f64, dy: f64, width: f64, height: f64) -> View {
        View {
            x: self.x + dx,
            y: self.y + dy,
            ..*self
        }
        .kept_on(width, height)
    }

    /// The view moved so that it stays on the picture (centred on an axis the view is larger
    /// than the picture on).
    fn kept_on(self, width: f64, height: f64) -> View {
        let axis = |at: f64, size: f64, whole: f64| {
            if size >= whole {
                (whole - size) / 2.0
            } else {
                at.clamp(0.0, whole - size)
            }
        };
        View {
            x: axis(self.x, self.w, width),
            y: axis(self.y, self.h, height),
            ..self
        }
    }
}

/// Where a point on screen (`px`, `py` from the SVG element's top left, in CSS pixels) is in the
/// picture, for an element of `size` showing `view` with `preserveAspectRatio="xMidYMid meet"`.
pub fn to_picture(px: f64, py: f64, size: (f64, f64), view: &View) -> Point {
    let s = scale(size, view);
    let ox = (size.0 - view.w * s) / 2.0;
    let oy = (size.1 - view.h * s) / 2.0;
    Point::new(view.x + (px - ox) / s, view.y + (py - oy) / s)
}

/// CSS pixels per picture unit for an element of `size` showing `view` ("meet").
pub fn scale(size: (f64, f64), view: &View) -> f64 {
    let s = (size.0 / view.w.max(1e-9)).min(size.1 / view.h.max(1e-9));
    if s.is_finite() && s > 0.0 {
        s
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zooming_keeps_the_point_under_the_pointer_and_stays_between_fit_and_the_limit() {
        let fit = View::fit(900.0, 600.0);
        let at = Point::new(300.0, 200.0);
        let v = fit.zoomed(2.0, at, 900.0, 600.0);
        assert_eq!((v.w, v.h), (450.0, 300.0));
        // The point keeps its fraction of the view.
        assert!(((at.x - v.x) / v.w - 300.0 / 900.0).abs() < 1e-9);
        assert!(((at.y - v.y) / v.h - 200.0 / 600.0).abs() < 1e-9);
        // Zooming out past fit stops at fit; far in stops at the limit.
        assert_eq!(v.zoomed(0.1, at, 900.0, 600.0), fit);
        let deep = fit.zoomed(1000.0, at, 900.0, 600.0);
        assert!((deep.zoom(900.0) - MAX_ZOOM).abs() < 1e-9);
        assert_eq!(fit.zoomed(f64::NAN, at, 900.0, 600.0), fit);
    }

    #[test]
    fn panning_stops_at_the_picture_edges() {
        let v = View::fit(900.0, 600.0).zoomed(2.0, Point::new(450.0, 300.0), 900.0, 600.0);
        let left = v.panned(-10_000.0, 0.0, 900.0, 600.0);
        assert_eq!(left.x, 0.0);
        let down = v.panned(0.0, 10_000.0, 900.0, 600.0);
        assert_eq!(down.y + down.h, 600.0);
        // At fit there is nowhere to pan.
        let fit = View::fit(900.0, 600.0);
        assert_eq!(fit.panned(50.0, 50.0, 900.0, 600.0), fit);
    }

    #[test]
    fn screen_points_map_into_the_picture_with_meet_letterboxing() {
        let view = View::fit(900.0, 300.0);
        // An element 900x600 CSS px: the picture is drawn 900x300, centred vertically.
        assert_eq!(scale((900.0, 600.0), &view), 1.0);
        assert_eq!(
            to_picture(450.0, 300.0, (900.0, 600.0), &view),
            Point::new(450.0, 150.0)
        );
        assert_eq!(
            to_picture(0.0, 150.0, (900.0, 600.0), &view),
            Point::new(0.0, 0.0)
        );
    }
}
