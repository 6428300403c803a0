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

/// Signals of their own for the rows of a [`Rows`] list, kept up to date by one effect. A row
/// made per item that read a long-lived signal itself would leave its subscription behind when
/// dropped (reactive_graph 0.2 keeps a disposed subscriber in its source's list, about 108 bytes
/// each); a row that reads only its own signal leaves nothing.
pub struct RowSignals<K: 'static, T: 'static> {
    rows: StoredValue<Vec<(K, ArcRwSignal<T>)>>,
}

impl<K, T> Clone for RowSignals<K, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, T> Copy for RowSignals<K, T> {}

impl<K, T> RowSignals<K, T>
where
    K: Ord + Clone + Send + Sync + 'static,
    T: Clone + PartialEq + Send + Sync + 'static,
{
    /// Rows whose value is `value(key)`: the effect that feeds them runs when what `value`
    /// reads changes (it reads it untracked; `track` subscribes the effect to it).
    pub fn new(value: impl Fn(&K) -> T + Clone + 'static, track: impl Fn() + 'static) -> Self {
        let rows = RowSignals {
            rows: StoredValue::new(Vec::new()),
        };
        Effect::new(move |_| {
            track();
            rows.rows.with_value(|listed| {
                for (key, signal) in listed {
                    let new = value(key);
                    if signal.with_untracked(|old| *old != new) {
                        signal.set(new);
                    }
                }
            });
        });
        rows
    }

    /// The rows for `keys`, in their order: a key listed before keeps its signal, a new one gets
    /// a signal holding `value(key)`.
    pub fn list(&self, keys: Vec<K>, value: impl Fn(&K) -> T) -> Vec<(K, ArcRwSignal<T>)> {
        self.rows.update_value(|listed| {
            let mut old: svclab_sim::map::SortedMap<K, ArcRwSignal<T>> = listed.drain(..).collect();
            *listed = keys
                .into_iter()
                .map(|k| {
                    let signal = old
                        .remove(&k)
                        .unwrap_or_else(|| ArcRwSignal::new(value(&k)));
                    (k, signal)
                })
                .collect();
        });
        self.rows.get_value()
    }
}
