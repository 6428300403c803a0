//! The bytes the app has allocated and not freed, for the long-run benchmark
//! (`scripts/browser.py soak`): the wasm memory's size only ever grows (it is the allocator's
//! high-water mark, fragmentation included), so a leak and a fragmented heap look alike there.
//! A counting wrapper around the standard allocator tells them apart; the page reads it through
//! the raw wasm export `svclab_live_heap_bytes`; `svclab_peak_heap_bytes` tells whether the
//! memory grew to hold a passing peak of live bytes (a big temporary) rather than fragments.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The most bytes live at once since [`svclab_peak_heap_bytes`] last read it.
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// `size` more bytes live: the peak follows.
fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is passed to `System` unchanged; only a counter is kept beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc`, passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc_zeroed`, passed on.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract for `realloc`, passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            // Both blocks are live while the old one is copied into the new one.
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes allocated and not yet freed.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn svclab_live_heap_bytes() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64
}

/// The most bytes live at once since the last call (the first call: since the start); the
/// count starts again from the bytes live now.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn svclab_peak_heap_bytes() -> f64 {
    PEAK.swap(LIVE.load(Ordering::Relaxed), Ordering::Relaxed) as f64
}
