//! Object metadata (`ValidateObjectMeta`), labels, annotations, label selectors, and the
//! Namespace, which has nothing else to check.

use crate::model::{LabelSelector, Labels, Namespace, ObjectMeta, SelectorOp};

use super::*;

pub(super) enum NameRule {
    Dns1123Label,
    Dns1123Subdomain,
    Dns1035Label,
}

/// `ValidateObjectMeta`.
pub(super) fn validate_meta(c: &mut Check, meta: &ObjectMeta, rule: NameRule, namespaced: bool) {
    if meta.name.is_empty() {
        c.push(required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else {
        let msgs = match rule {
            NameRule::Dns1123Label => is_dns1123_label(&meta.name),
            NameRule::Dns1123Subdomain => is_dns1123_subdomain(&meta.name),
            NameRule::Dns1035Label => is_dns1035_label(&meta.name),
        };
        for m in msgs {
            c.push(invalid("metadata.name", BadValue::str(&meta.name), &m));
        }
    }
    if namespaced {
        if meta.namespace.is_empty() {
            c.push(required("metadata.namespace", ""));
        } else {
            for m in is_dns1123_label(&meta.namespace) {
                c.push(invalid(
                    "metadata.namespace",
                    BadValue::str(&meta.namespace),
                    &m,
                ));
            }
        }
    }
    if meta.generation < 0 {
        c.push(invalid(
            "metadata.generation",
            BadValue::Int(meta.generation),
            NEGATIVE,
        ));
    }
    c.extend(validate_labels(&meta.labels, "metadata.labels"));
    c.extend(validate_annotations(
        &meta.annotations,
        "metadata.annotations",
    ));
}

/// `ValidateLabels`: every key a qualified name, every value a label value (causes at `path`).
pub fn validate_labels(labels: &Labels, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in labels {
        for m in is_qualified_name(k) {
            errs.push(invalid(path, BadValue::str(k), &m));
        }
        for m in is_label_value(v) {
            errs.push(invalid(path, BadValue::str(v), &m));
        }
    }
    errs
}

/// For each entry of a list, whether an earlier entry has the same value (the "Duplicate value"
/// checks; `None` entries take no part). Sorting keeps this O(n log n) on a hostile list of
/// thousands of ports, and shares the crate's one sort.
pub(super) fn repeats<T: Ord>(values: &[Option<T>]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| values[i].is_some()).collect();
    // Stable: equal values stay in list order, so the first of each run is the original.
    crate::sort::sort_by(&mut order, |&a, &b| values[a].cmp(&values[b]));
    let mut out = vec![false; values.len()];
    for pair in order.windows(2) {
        if values[pair[0]] == values[pair[1]] {
            out[pair[1]] = true;
        }
    }
    out
}

/// An optional name that is set and not empty.
pub(super) fn given(name: &Option<String>) -> Option<&str> {
    name.as_deref().filter(|n| !n.is_empty())
}

/// `ValidateAnnotations`.
pub fn validate_annotations(annotations: &Labels, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut size = 0usize;
    for (k, v) in annotations {
        for m in is_qualified_name(&k.to_lowercase()) {
            errs.push(invalid(path, BadValue::str(k), &m));
        }
        size = size.saturating_add(k.len()).saturating_add(v.len());
    }
    if size > MAX_ANNOTATIONS_BYTES {
        errs.push(too_long(path, MAX_ANNOTATIONS_BYTES));
    }
    errs
}

/// `ValidateLabelSelector` (strict label values).
pub fn validate_label_selector(sel: &LabelSelector, path: &str) -> Vec<FieldError> {
    let mut errs = validate_labels(&sel.match_labels, &format!("{path}.matchLabels"));
    for (i, req) in sel.match_expressions.iter().enumerate() {
        let rp = format!("{path}.matchExpressions[{i}]");
        match req.operator {
            SelectorOp::In | SelectorOp::NotIn => {
                if req.values.is_empty() {
                    errs.push(required(
                        &format!("{rp}.values"),
                        "must be specified when `operator` is 'In' or 'NotIn'",
                    ));
                }
            }
            SelectorOp::Exists | SelectorOp::DoesNotExist => {
                if !req.values.is_empty() {
                    errs.push(forbidden(
                        &format!("{rp}.values"),
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                    ));
                }
            }
            // A manifest's selector never holds them (its converter refuses the operator).
            SelectorOp::Gt | SelectorOp::Lt => errs.push(invalid(
                &format!("{rp}.operator"),
                BadValue::str(if req.operator == SelectorOp::Gt {
                    "Gt"
                } else {
                    "Lt"
                }),
                "not a valid selector operator",
            )),
        }
        for m in is_qualified_name(&req.key) {
            errs.push(invalid(&format!("{rp}.key"), BadValue::str(&req.key), &m));
        }
        for (j, v) in req.values.iter().enumerate() {
            for m in is_label_value(v) {
                errs.push(invalid(&format!("{rp}.values[{j}]"), BadValue::str(v), &m));
            }
        }
    }
    errs
}

pub(super) fn validate_namespace(c: &mut Check, ns: &Namespace) {
    validate_meta(c, &ns.meta, NameRule::Dns1123Label, false);
}
