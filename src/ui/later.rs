//! Work for the next animation frame or the next task, leaving nothing behind once run.
//!
//! Each call of leptos's `request_animation_frame` or `set_timeout` (and of wasm-bindgen's
//! `Closure::once_into_js`) leaves a stub of a few bytes that only a JS garbage collector with
//! weak references frees, which this build does not use: 8 bytes per Step in simulation mode
//! (the Events panel scrolls its row into view at the next frame) and per line the terminal
//! prints. Here one closure for frames and one for tasks, made once, run whatever was queued.

use std::cell::{Cell, RefCell};

use leptos::prelude::window;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Runs `f` at the start of the next animation frame, before the page is laid out for it.
pub fn next_frame(f: impl FnOnce() + 'static) {
    FRAME.with(|q| q.push(Box::new(f)));
}

/// Runs `f` in a task of its own, after what is running now and what it has queued.
pub fn next_task(f: impl FnOnce() + 'static) {
    TASK.with(|q| q.push(Box::new(f)));
}

type Work = Box<dyn FnOnce()>;

/// Callbacks waiting for one browser callback, and the one closure that runs them (asked for
/// once however many wait).
struct Queue {
    waiting: RefCell<Vec<Work>>,
    asked: Cell<bool>,
    run: Closure<dyn FnMut()>,
    ask: fn(&JsValue),
}

thread_local! {
    static FRAME: Queue = Queue::new(|f| {
        let _ = window().request_animation_frame(f.unchecked_ref());
    }, &FRAME);
    static TASK: Queue = Queue::new(|f| {
        let _ = window().set_timeout_with_callback(f.unchecked_ref());
    }, &TASK);
}

impl Queue {
    fn new(ask: fn(&JsValue), this: &'static std::thread::LocalKey<Queue>) -> Queue {
        let run = Closure::new(move || {
            // Taken first: a callback may queue more, for the next frame or task.
            let work = this.with(|q| {
                q.asked.set(false);
                q.waiting.take()
            });
            for f in work {
                f();
            }
        });
        Queue {
            waiting: RefCell::new(Vec::new()),
            asked: Cell::new(false),
            run,
            ask,
        }
    }

    fn push(&self, f: Work) {
        self.waiting.borrow_mut().push(f);
        if !self.asked.replace(true) {
            (self.ask)(self.run.as_ref());
        }
    }
}
