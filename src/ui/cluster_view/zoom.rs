//! Zooming and panning the picture: the wheel zooms at the pointer, a drag pans, two fingers
//! pinch (pointer events, so mouse, pen and touch alike), and with the picture focused `+`, `-`,
//! the arrows and `0` (fit); the "Zoom in", "Zoom out" and "Fit" buttons do the same. All of it
//! moves the SVG's viewBox ([`View`]): the text scales with the boxes, so zooming in only ever
//! makes it larger.

use leptos::ev::{KeyboardEvent, PointerEvent, WheelEvent};
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;

use crate::layout::viewport::{scale, to_picture, View, PAN_STEP, STEP};
use crate::layout::Point;

#[wasm_bindgen]
extern "C" {
    /// An element, for its box on screen.
    type Measured;
    /// `DOMRect`, as `getBoundingClientRect` returns it.
    type Bounds;
    #[wasm_bindgen(method, js_name = getBoundingClientRect)]
    fn bounds(this: &Measured) -> Bounds;
    #[wasm_bindgen(method, getter)]
    fn left(this: &Bounds) -> f64;
    #[wasm_bindgen(method, getter)]
    fn top(this: &Bounds) -> f64;
    #[wasm_bindgen(method, getter)]
    fn width(this: &Bounds) -> f64;
    #[wasm_bindgen(method, getter)]
    fn height(this: &Bounds) -> f64;
}

/// A drag moves the view only once the pointer has gone this far (CSS px): less is a click.
const DRAG_PX: f64 = 4.0;

/// The pointers down on the picture and what they are doing.
#[derive(Clone, Default)]
struct Pointers {
    /// Pointer id and its last position (client CSS px).
    down: Vec<(i32, f64, f64)>,
    /// Where the first pointer went down.
    start: Option<(f64, f64)>,
    /// The pointers have moved the view since they went down (the click that ends it selects
    /// nothing).
    moved: bool,
}

#[derive(Clone, Copy)]
pub struct Gestures {
    view: RwSignal<Option<View>>,
    size: Memo<(f64, f64)>,
    svg: NodeRef<leptos::svg::Svg>,
    pointers: StoredValue<Pointers>,
}

impl Gestures {
    pub fn new(
        view: RwSignal<Option<View>>,
        size: Memo<(f64, f64)>,
        svg: NodeRef<leptos::svg::Svg>,
    ) -> Gestures {
        let g = Gestures {
            view,
            size,
            svg,
            pointers: StoredValue::new(Pointers::default()),
        };
        // A click that ends a drag selects nothing: stopped on its way down to the boxes.
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            let Some(el) = svg.get() else {
                return false;
            };
            let handler = leptos::wasm_bindgen::closure::Closure::<dyn Fn(web_sys::Event)>::new(
                move |ev: web_sys::Event| {
                    let dragged = g
                        .pointers
                        .try_update_value(|p| std::mem::take(&mut p.moved))
                        .unwrap_or(false);
                    if dragged {
                        ev.stop_propagation();
                        ev.prevent_default();
                    }
                },
            );
            let _ = el.add_event_listener_with_callback_and_bool(
                "click",
                handler.as_ref().unchecked_ref(),
                true,
            );
            // Lives as long as the element it listens on.
            handler.forget();
            true
        });
        g
    }

    fn whole(&self) -> (f64, f64) {
        self.size.get_untracked()
    }

    fn current(&self) -> View {
        let (w, h) = self.whole();
        self.view.get_untracked().unwrap_or_else(|| View::fit(w, h))
    }

    fn set(&self, v: View) {
        let (w, _) = self.whole();
        self.view.set(if v.zoom(w) <= 1.0 + 1e-6 {
            None
        } else {
            Some(v)
        });
    }

    /// The element's box on screen: left, top, width, height.
    fn bounds(&self) -> Option<(f64, f64, f64, f64)> {
        let el = self.svg.get_untracked()?;
        let b = el.unchecked_ref::<Measured>().bounds();
        (b.width() > 0.0 && b.height() > 0.0).then(|| (b.left(), b.top(), b.width(), b.height()))
    }

    /// The picture point under the client point `(x, y)`.
    fn at(&self, x: f64, y: f64) -> Option<Point> {
        let (left, top, w, h) = self.bounds()?;
        Some(to_picture(x - left, y - top, (w, h), &self.current()))
    }

    fn zoom_at(&self, factor: f64, at: Point) {
        let (w, h) = self.whole();
        self.set(self.current().zoomed(factor, at, w, h));
    }

    /// Zoom by `factor` about the middle of what is shown.
    pub fn zoom(&self, factor: f64) {
        self.zoom_at(factor, self.current().center());
    }

    /// Pan by a fraction of the view.
    fn pan_by(&self, fx: f64, fy: f64) {
        let (w, h) = self.whole();
        let v = self.current();
        self.set(v.panned(v.w * fx, v.h * fy, w, h));
    }

    pub fn wheel(&self, ev: WheelEvent) {
        let Some(at) = self.at(f64::from(ev.client_x()), f64::from(ev.client_y())) else {
            return;
        };
        ev.prevent_default();
        // deltaMode 1 counts lines, 0 pixels.
        let dy = ev.delta_y() * if ev.delta_mode() == 1 { 16.0 } else { 1.0 };
        self.zoom_at((-dy * 0.002).exp(), at);
    }

    pub fn down(&self, ev: PointerEvent) {
        if ev.pointer_type() == "mouse" && ev.button() != 0 {
            return;
        }
        let (id, x, y) = (
            ev.pointer_id(),
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
        );
        self.pointers.update_value(|p| {
            p.down.retain(|d| d.0 != id);
            p.down.push((id, x, y));
            if p.down.len() == 1 {
                p.start = Some((x, y));
                p.moved = false;
            }
        });
    }

    pub fn moved(&self, ev: PointerEvent) {
        let (id, x, y) = (
            ev.pointer_id(),
            f64::from(ev.client_x()),
            f64::from(ev.client_y()),
        );
        let before = self.pointers.with_value(|p| p.down.clone());
        let Some(i) = before.iter().position(|d| d.0 == id) else {
            return;
        };
        let mut after = before.clone();
        after[i] = (id, x, y);
        let Some((_, _, w, h)) = self.bounds() else {
            return;
        };
        let view = self.current();
        let s = scale((w, h), &view);
        match (before.as_slice(), after.as_slice()) {
            ([(_, x0, y0)], [_]) => {
                let far = self.pointers.with_value(|p| {
                    p.moved
                        || p.start
                            .is_some_and(|(sx, sy)| (x - sx).hypot(y - sy) > DRAG_PX)
                });
                if !far {
                    return;
                }
                if !self.pointers.with_value(|p| p.moved) {
                    // From here on the pointer drags the picture, wherever it goes.
                    if let Some(el) = self.svg.get_untracked() {
                        let el: &web_sys::Element = el.unchecked_ref();
                        let _ = el.set_pointer_capture(id);
                    }
                }
                self.pointers.update_value(|p| p.moved = true);
                let (pw, ph) = self.whole();
                self.set(view.panned(-(x - x0) / s, -(y - y0) / s, pw, ph));
            }
            ([a, b], [c, d]) => {
                // Two fingers: zoom by how much farther apart they are, about their middle,
                // and pan by how far the middle moved.
                let dist = |p: &(i32, f64, f64), q: &(i32, f64, f64)| (p.1 - q.1).hypot(p.2 - q.2);
                let (d0, d1) = (dist(a, b), dist(c, d));
                if d0 < 1.0 || d1 < 1.0 {
                    return;
                }
                let mid0 = ((a.1 + b.1) / 2.0, (a.2 + b.2) / 2.0);
                let mid1 = ((c.1 + d.1) / 2.0, (c.2 + d.2) / 2.0);
                self.pointers.update_value(|p| p.moved = true);
                if let Some(at) = self.at(mid0.0, mid0.1) {
                    let (pw, ph) = self.whole();
                    let zoomed = view.zoomed(d1 / d0, at, pw, ph);
                    let s = scale((w, h), &zoomed);
                    self.set(zoomed.panned(-(mid1.0 - mid0.0) / s, -(mid1.1 - mid0.1) / s, pw, ph));
                }
            }
            _ => {}
        }
        self.pointers.update_value(|p| p.down = after);
        if self.pointers.with_value(|p| p.moved) {
            ev.prevent_default();
        }
    }

    pub fn up(&self, ev: PointerEvent) {
        let id = ev.pointer_id();
        self.pointers.update_value(|p| {
            p.down.retain(|d| d.0 != id);
            if p.down.is_empty() {
                p.start = None;
            }
        });
    }

    /// `+`/`=` zoom in, `-` out, `0` fits, the arrows pan (the picture, or a box in it, has
    /// focus).
    pub fn key(&self, ev: KeyboardEvent) {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            "+" | "=" => self.zoom(STEP),
            "-" | "_" => self.zoom(1.0 / STEP),
            "0" => self.view.set(None),
            "ArrowLeft" => self.pan_by(-PAN_STEP, 0.0),
            "ArrowRight" => self.pan_by(PAN_STEP, 0.0),
            "ArrowUp" => self.pan_by(0.0, -PAN_STEP),
            "ArrowDown" => self.pan_by(0.0, PAN_STEP),
            _ => return,
        }
        ev.prevent_default();
    }
}

/// "Zoom in", "Zoom out" and "Fit", in the picture's heading.
#[component]
pub fn ZoomButtons(gestures: Gestures, view: RwSignal<Option<View>>) -> impl IntoView {
    view! {
        <span class="zoom" role="group" aria-label="Zoom">
            <button on:click=move |_| gestures.zoom(STEP)>"Zoom in"</button>
            <button on:click=move |_| gestures.zoom(1.0 / STEP)>"Zoom out"</button>
            <button
                on:click=move |_| view.set(None)
                disabled=move || view.with(Option::is_none)
            >
                "Fit"
            </button>
        </span>
    }
}
