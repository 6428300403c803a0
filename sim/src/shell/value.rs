//! A small JSON-like value and the two printers `kubectl get -o yaml` and `-o json` use.
//!
//! Maps keep the order they were built in, which is Go's struct field order: `-o json` prints
//! that order (`encoding/json`), `-o yaml` sorts keys (kubectl converts JSON to YAML through
//! `sigs.k8s.io/yaml`, whose maps are sorted). Strings are quoted as go-yaml v2 quotes them.

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Map(Vec<(String, Value)>),
    List(Vec<Value>),
}

impl Value {
    pub fn map() -> Value {
        Value::Map(Vec::new())
    }

    /// Add `key: value` to a map (no-op on other values).
    pub fn with(mut self, key: &str, value: Value) -> Value {
        if let Value::Map(entries) = &mut self {
            entries.push((key.to_string(), value));
        }
        self
    }

    /// Add `key: value` when `value` is `Some`.
    pub fn with_opt(self, key: &str, value: Option<Value>) -> Value {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

/// `json.MarshalIndent(obj, "", "    ")`, as `kubectl get -o json` prints.
pub fn to_json(v: &Value) -> Vec<String> {
    let mut out = String::new();
    json_value(v, 0, &mut out);
    out.lines().map(str::to_string).collect()
}

/// `json.Marshal(obj)`: one line, no spaces (how kubectl's JSONPath prints a map or list).
pub fn to_compact_json(v: &Value) -> String {
    let mut out = String::new();
    json_compact(v, &mut out);
    out
}

fn json_compact(v: &Value, out: &mut String) {
    match v {
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                json_compact(v, out);
            }
            out.push('}');
        }
        Value::List(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_compact(v, out);
            }
            out.push(']');
        }
        scalar => json_value(scalar, 0, out),
    }
}

fn json_value(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Str(s) => json_string(s, out),
        Value::Map(entries) if entries.is_empty() => out.push_str("{}"),
        Value::List(items) if items.is_empty() => out.push_str("[]"),
        Value::Map(entries) => {
            out.push_str("{\n");
            for (i, (k, v)) in entries.iter().enumerate() {
                push_indent(out, indent + 1);
                json_string(k, out);
                out.push_str(": ");
                json_value(v, indent + 1, out);
                if i + 1 < entries.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push('}');
        }
        Value::List(items) => {
            out.push_str("[\n");
            for (i, v) in items.iter().enumerate() {
                push_indent(out, indent + 1);
                json_value(v, indent + 1, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            push_indent(out, indent);
            out.push(']');
        }
    }
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

/// Go's `encoding/json` string escaping (HTML-safe: `<`, `>`, `&` as `\u003c` ...).
fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------------------------
// YAML

/// The YAML kubectl prints: sorted keys, sequences not indented under their key.
pub fn to_yaml(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Map(entries) if !entries.is_empty() => yaml_map(entries, 0, &mut out),
        Value::List(items) if !items.is_empty() => yaml_list(items, 0, &mut out),
        other => out.push(yaml_scalar(other)),
    }
    out
}

fn sorted(entries: &[(String, Value)]) -> Vec<&(String, Value)> {
    let mut e: Vec<&(String, Value)> = entries.iter().collect();
    crate::sort::sort_by(&mut e, |a, b| a.0.cmp(&b.0));
    e
}

fn yaml_map(entries: &[(String, Value)], indent: usize, out: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    for (k, v) in sorted(entries) {
        let key = yaml_str(k);
        match v {
            Value::Map(sub) if !sub.is_empty() => {
                out.push(format!("{pad}{key}:"));
                yaml_map(sub, indent + 2, out);
            }
            Value::List(items) if !items.is_empty() => {
                out.push(format!("{pad}{key}:"));
                yaml_list(items, indent, out);
            }
            Value::Str(s) if s.contains('\n') => {
                out.push(format!(
                    "{pad}{key}: |{}",
                    if s.ends_with('\n') { "" } else { "-" }
                ));
                for line in s.trim_end_matches('\n').split('\n') {
                    if line.is_empty() {
                        out.push(String::new());
                    } else {
                        out.push(format!("{pad}  {line}"));
                    }
                }
            }
            scalar => out.push(format!("{pad}{key}: {}", yaml_scalar(scalar))),
        }
    }
}

fn yaml_list(items: &[Value], indent: usize, out: &mut Vec<String>) {
    let pad = " ".repeat(indent);
    for item in items {
        match item {
            Value::Map(sub) if !sub.is_empty() => {
                let mut nested = Vec::new();
                yaml_map(sub, indent + 2, &mut nested);
                for (i, line) in nested.into_iter().enumerate() {
                    if i == 0 {
                        out.push(format!("{pad}- {}", &line[indent + 2..]));
                    } else {
                        out.push(line);
                    }
                }
            }
            Value::List(sub) if !sub.is_empty() => {
                let mut nested = Vec::new();
                yaml_list(sub, indent + 2, &mut nested);
                for (i, line) in nested.into_iter().enumerate() {
                    if i == 0 {
                        out.push(format!("{pad}- {}", &line[indent + 2..]));
                    } else {
                        out.push(line);
                    }
                }
            }
            scalar => out.push(format!("{pad}- {}", yaml_scalar(scalar))),
        }
    }
}

fn yaml_scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(n) => n.to_string(),
        Value::Str(s) => yaml_str(s),
        Value::Map(_) => "{}".into(),
        Value::List(_) => "[]".into(),
    }
}

/// A string as go-yaml v2 writes it: plain when it would read back as the same string,
/// double-quoted when it would read back as another type (`"80"`, `"true"`, `""`, a timestamp),
/// single-quoted when it starts with or holds YAML syntax (`'*'`, `'a: b'`).
pub fn yaml_str(s: &str) -> String {
    if resolves_to_non_string(s) {
        return format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    }
    if needs_single_quotes(s) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    s.to_string()
}

fn resolves_to_non_string(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    const WORDS: &[&str] = &[
        "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN", "<<",
    ];
    if WORDS.contains(&s) {
        return true;
    }
    is_number(s) || is_timestamp(s)
}

fn is_number(s: &str) -> bool {
    let t = s.replace('_', "");
    let body = t.strip_prefix(['+', '-']).unwrap_or(&t);
    if body.is_empty() {
        return false;
    }
    if let Some(hex) = body.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(bin) = body.strip_prefix("0b") {
        return !bin.is_empty() && bin.chars().all(|c| c == '0' || c == '1');
    }
    if body.chars().all(|c| c.is_ascii_digit()) {
        return true;
    }
    // Floats: digits with one dot and an optional exponent (`1.5`, `.5`, `1e3`, `6.02e+23`).
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let dots = mantissa.matches('.').count();
    let digits = mantissa.chars().filter(char::is_ascii_digit).count();
    let mantissa_ok =
        dots <= 1 && digits > 0 && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.');
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exponent_ok && (dots == 1 || exponent.is_some())
}

/// `2026-11-28` or `2026-11-28T01:00:00Z` style timestamps.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '))
}

fn needs_single_quotes(s: &str) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-` and `?`, `:` are fine when followed by a non-space, except at the very start of
        // a plain scalar go-yaml refuses them anyway when followed by a space or alone.
        let second = s.chars().nth(1);
        let indicator_ok = matches!(first, '-' | '?' | ':') && second.is_some_and(|c| c != ' ');
        if !indicator_ok {
            return true;
        }
    }
    s.starts_with(' ')
        || s.ends_with(' ')
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_as_go_yaml_does() {
        let rows = [
            ("backend", "backend"),
            ("80", "\"80\""),
            ("", "\"\""),
            ("true", "\"true\""),
            ("2026-11-28T01:00:00Z", "\"2026-11-28T01:00:00Z\""),
            ("10.96.23.157", "10.96.23.157"),
            ("1.5", "\"1.5\""),
            ("*", "'*'"),
            ("a: b", "'a: b'"),
            ("-conf", "-conf"),
            ("6775bcd7d4", "6775bcd7d4"),
            ("5678", "\"5678\""),
            ("1e3", "\"1e3\""),
        ];
        for (s, want) in rows {
            assert_eq!(yaml_str(s), want, "{s}");
        }
    }

    #[test]
    fn yaml_sorts_keys_and_does_not_indent_sequences() {
        let v = Value::map()
            .with("kind", Value::Str("Service".into()))
            .with("apiVersion", Value::Str("v1".into()))
            .with(
                "spec",
                Value::map().with(
                    "ports",
                    Value::List(vec![Value::map()
                        .with("port", Value::Int(80))
                        .with("protocol", Value::Str("TCP".into()))]),
                ),
            )
            .with("status", Value::map().with("loadBalancer", Value::map()));
        assert_eq!(
            to_yaml(&v),
            vec![
                "apiVersion: v1",
                "kind: Service",
                "spec:",
                "  ports:",
                "  - port: 80",
                "    protocol: TCP",
                "status:",
                "  loadBalancer: {}",
            ]
        );
    }

    #[test]
    fn json_keeps_field_order_and_indents_by_four() {
        let v = Value::map()
            .with("kind", Value::Str("List".into()))
            .with("items", Value::List(vec![]))
            .with(
                "x",
                Value::List(vec![Value::Int(1), Value::Str("<none>".into())]),
            );
        assert_eq!(
            to_json(&v),
            vec![
                "{",
                "    \"kind\": \"List\",",
                "    \"items\": [],",
                "    \"x\": [",
                "        1,",
                "        \"\\u003cnone\\u003e\"",
                "    ]",
                "}",
            ]
        );
    }
}
