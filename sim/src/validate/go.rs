//! Values printed as Go's `%q` and `%#v` print them, for the values in causes.

use crate::model::{LabelSelector, Labels, SelectorOp};

/// Go's `strconv.Quote` (what `%q` prints).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => {
                if (c as u32) <= 0xffff {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32))
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `%#v` of a `map[string]string`: `map[string]string{"app":"nginx"}`; empty prints as nil.
pub fn go_string_map(map: &Labels) -> String {
    if map.is_empty() {
        return "map[string]string(nil)".to_string();
    }
    let parts: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}:{}", go_quote(k), go_quote(v)))
        .collect();
    format!("map[string]string{{{}}}", parts.join(", "))
}

/// `%#v` of a `[]string`: `[]string{"10.0.0.1"}`; empty prints as nil.
pub fn go_string_slice(items: &[String]) -> String {
    go_slice("[]string", items)
}

fn go_slice(ty: &str, items: &[String]) -> String {
    if items.is_empty() {
        return format!("{ty}(nil)");
    }
    let parts: Vec<String> = items.iter().map(|s| go_quote(s)).collect();
    format!("{ty}{{{}}}", parts.join(", "))
}

fn op_str(op: &SelectorOp) -> &'static str {
    match op {
        SelectorOp::In => "In",
        SelectorOp::NotIn => "NotIn",
        SelectorOp::Exists => "Exists",
        SelectorOp::DoesNotExist => "DoesNotExist",
        SelectorOp::Gt => "Gt",
        SelectorOp::Lt => "Lt",
    }
}

/// `%#v` of a `metav1.LabelSelector`.
pub fn go_label_selector(sel: &LabelSelector) -> String {
    let exprs = if sel.match_expressions.is_empty() {
        "[]v1.LabelSelectorRequirement(nil)".to_string()
    } else {
        let parts: Vec<String> = sel
            .match_expressions
            .iter()
            .map(|r| {
                format!(
                    "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                    go_quote(&r.key),
                    go_quote(op_str(&r.operator)),
                    go_string_slice(&r.values)
                )
            })
            .collect();
        format!("[]v1.LabelSelectorRequirement{{{}}}", parts.join(", "))
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{}}}",
        go_string_map(&sel.match_labels),
        exprs
    )
}
