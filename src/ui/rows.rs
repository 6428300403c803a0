//! [`Rows`]: a keyed list like leptos's `<For>`, whose rows leave no memory behind.
//!
//! reactive_graph 0.2 registers each row's owner as a weak child of the owner the list was made
//! under, and lets go of those weak references only when that owner is cleaned up. A weak
//! reference keeps its owner's allocation (about 90 bytes in wasm32), so a `<For>` that lives as
//! long as the page keeps that much for every row it ever made: under steady traffic, every
//! request's row, trail segment and label, and every event. `Rows` makes its rows' owners under a
//! generation owner that it replaces every [`GENERATION`] rows. Each row holds its generation, so
//! a generation lives while any of its rows does, and when the last goes its weak references go
//! with it. What stays behind is one weak reference per generation.

use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use leptos::prelude::*;
use leptos::tachys::reactive_graph::OwnedView;
use leptos::tachys::view::keyed::{keyed, SerializableKey};

/// Rows made under one generation owner before the next one is made.
pub const GENERATION: usize = 64;

/// The generation owner new rows are made under, and how many it has made.
struct Generation {
    owner: Owner,
    made: usize,
}

/// What a row keeps of its generation: the generation's owner, held for as long as the row's
/// owner lives (a context is dropped with its owner, not when the owner is cleaned up).
struct Held {
    _generation: Owner,
}

/// Iterates over `each`, keyed by `key`, and shows `children` of each item, as `<For>` does.
#[component]
pub fn Rows<IF, I, T, EF, N, KF, K>(
    /// Items over which the list iterates.
    each: IF,
    /// The key of an item: a row is kept while its key is listed.
    key: KF,
    /// The view of an item.
    children: EF,
) -> impl IntoView
where
    IF: Fn() -> I + Send + 'static,
    I: IntoIterator<Item = T> + Send + 'static,
    EF: Fn(T) -> N + Send + Clone + 'static,
    N: IntoView + 'static,
    KF: Fn(&T) -> K + Send + Clone + 'static,
    K: Eq + Hash + SerializableKey + 'static,
    T: Send + 'static,
{
    let parent = Owner::current().expect("Rows is made under an owner");
    let generation = Arc::new(Mutex::new(Generation {
        owner: parent.child(),
        made: 0,
    }));
    let children = move |_, item| {
        let owner = {
            let mut g = generation.lock().unwrap_or_else(PoisonError::into_inner);
            if g.made == GENERATION {
                *g = Generation {
                    owner: parent.child(),
                    made: 0,
                };
            }
            g.made += 1;
            let owner = g.owner.child();
            let held = Held {
                _generation: g.owner.clone(),
            };
            owner.with(|| provide_context(held));
            owner
        };
        let view = owner.with(|| children(item));
        (drop, OwnedView::new_with_owner(view, owner))
    };
    move || keyed(each(), key.clone(), children.clone())
}
