//! What a manifest said that the model cannot hold, and [`Check`], which merges it into the
//! causes in the API server's order.

use crate::map::SortedSet;
use std::fmt;

use super::*;

/// Facts from a manifest that the typed model has no room for. Objects built in code validate with
/// `Written::default()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// For an object read from a manifest: the paths of the optional fields it wrote
    /// (`spec.selector`, `spec.externalTrafficPolicy`, ...). `None` for objects built in code.
    pub set: Option<SortedSet<String>>,
    /// Causes found while reading values the model cannot hold, each with the slot (a path) where
    /// the API server reports it; [`validate_with`] merges them in there.
    pub causes: Vec<(String, FieldError)>,
}

impl Written {
    /// Did the manifest write `path`? `None` for objects built in code.
    pub fn wrote(&self, path: &str) -> Option<bool> {
        self.set.as_ref().map(|s| s.contains(path))
    }

    /// Does a cause sit at exactly this slot?
    pub fn has_cause(&self, slot: &str) -> bool {
        self.causes.iter().any(|(s, _)| s == slot)
    }
}

/// Collects causes in order, merging in the manifest's causes at their slots.
pub(super) struct Check<'w> {
    errs: Vec<FieldError>,
    pub(super) written: &'w Written,
    used: Vec<bool>,
}

impl<'w> Check<'w> {
    pub(super) fn new(written: &'w Written) -> Self {
        Check {
            errs: Vec::new(),
            written,
            used: vec![false; written.causes.len()],
        }
    }

    pub(super) fn push(&mut self, e: FieldError) {
        self.errs.push(e);
    }

    pub(super) fn extend(&mut self, es: Vec<FieldError>) {
        self.errs.extend(es);
    }

    /// [`Check::slot`] for a slot built with `format_args!`, spelled out only when some of the
    /// manifest's causes are still to be placed.
    pub(super) fn slot_fmt(&mut self, slot: fmt::Arguments) {
        if self.used.iter().any(|used| !used) {
            self.slot(&slot.to_string());
        }
    }

    /// Emit the manifest's causes filed under `slot`.
    pub(super) fn slot(&mut self, slot: &str) {
        for (i, (s, e)) in self.written.causes.iter().enumerate() {
            if !self.used[i] && s == slot {
                self.used[i] = true;
                self.errs.push(e.clone());
            }
        }
    }

    pub(super) fn finish(mut self) -> Vec<FieldError> {
        for (i, (_, e)) in self.written.causes.iter().enumerate() {
            if !self.used[i] {
                self.errs.push(e.clone());
            }
        }
        self.errs
    }
}
