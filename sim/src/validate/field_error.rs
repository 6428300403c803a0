//! Causes: [`FieldError`] and the constructors that word it as `field.Error` does, the
//! `... is invalid` message, and the causes the cluster adds from its own state.

use std::fmt;
use std::net::Ipv4Addr;

use crate::model::LabelSelector;

use super::*;

/// One cause of an "is invalid" error: `spec.ports[0].port: Invalid value: 70000: must be ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field path as Kubernetes writes it: `spec.ports[0].port` (may be empty).
    pub path: String,
    /// Everything after `path: `, e.g. `Invalid value: 70000: must be between 1 and 65535, inclusive`.
    pub detail: String,
    /// 1-based line in the manifest text, 0 when unknown.
    pub line: usize,
    /// 1-based column (in characters) in the manifest text, 0 when unknown.
    pub column: usize,
}

impl FieldError {
    pub fn new(path: impl Into<String>, detail: impl Into<String>) -> Self {
        FieldError {
            path: path.into(),
            detail: detail.into(),
            line: 0,
            column: 0,
        }
    }

    /// `path: detail`, the line kubectl prints for this cause.
    pub fn cause(&self) -> String {
        if self.path.is_empty() {
            self.detail.clone()
        } else {
            format!("{}: {}", self.path, self.detail)
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.cause())
    }
}

/// A bad value, printed the way `field.Error` prints it: numbers bare, strings Go-quoted, anything
/// else already in Go's `%#v` syntax (see [`go_string_map`], [`go_string_slice`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BadValue {
    Int(i64),
    Str(String),
    Go(String),
}

impl BadValue {
    pub fn str(s: &str) -> Self {
        BadValue::Str(s.to_string())
    }
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Int(n) => write!(f, "{n}"),
            BadValue::Str(s) => f.write_str(&go_quote(s)),
            BadValue::Go(s) => f.write_str(s),
        }
    }
}

fn with_detail(kind: &str, detail: &str) -> String {
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {detail}")
    }
}

/// `field.Required`: `Required value` or `Required value: <detail>`.
pub fn required(path: &str, detail: &str) -> FieldError {
    FieldError::new(path, with_detail("Required value", detail))
}

/// `field.Forbidden`: `Forbidden: <detail>`.
pub fn forbidden(path: &str, detail: &str) -> FieldError {
    FieldError::new(path, with_detail("Forbidden", detail))
}

/// `field.Invalid`: `Invalid value: <value>: <detail>`.
pub fn invalid(path: &str, value: BadValue, detail: &str) -> FieldError {
    FieldError::new(
        path,
        with_detail(&format!("Invalid value: {value}"), detail),
    )
}

/// `field.NotSupported`: `Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"`.
pub fn not_supported(path: &str, value: BadValue, supported: &[&str]) -> FieldError {
    let list: Vec<String> = supported.iter().map(|s| go_quote(s)).collect();
    let detail = if list.is_empty() {
        String::new()
    } else {
        format!("supported values: {}", list.join(", "))
    };
    FieldError::new(
        path,
        with_detail(&format!("Unsupported value: {value}"), &detail),
    )
}

/// `field.Duplicate`: `Duplicate value: "http"`.
pub fn duplicate(path: &str, value: BadValue) -> FieldError {
    FieldError::new(path, format!("Duplicate value: {value}"))
}

/// `field.NotFound`: `Not found: "data"`.
pub fn not_found(path: &str, value: BadValue) -> FieldError {
    FieldError::new(path, format!("Not found: {value}"))
}

/// `field.TooLong` (1.31 wording).
pub fn too_long(path: &str, max_bytes: usize) -> FieldError {
    FieldError::new(
        path,
        format!("Too long: must have at most {max_bytes} bytes"),
    )
}

/// `The Service "x" is invalid: <cause>`, or with several causes the prefix and then one
/// `* <cause>` line each, as kubectl prints an Invalid status (no final newline).
pub fn invalid_message(kind: &str, name: &str, fields: &[FieldError]) -> String {
    let prefix = format!("The {kind} {} is invalid", go_quote(name));
    match fields {
        [] => prefix,
        [one] => format!("{prefix}: {}", one.cause()),
        many => {
            let mut out = format!("{prefix}: ");
            for f in many {
                out.push_str("\n* ");
                out.push_str(&f.cause());
            }
            out
        }
    }
}

/// `Error from server (NotFound): error when creating "<file>": namespaces "<ns>" not found`.
pub fn namespace_not_found_message(filename: &str, namespace: &str) -> String {
    format!(
        "Error from server (NotFound): error when creating {}: namespaces {} not found",
        go_quote(filename),
        go_quote(namespace)
    )
}

// ---------------------------------------------------------------------------------------------
// Causes the cluster adds (stateful checks of the allocators and of updates)

/// `spec.ports[i].nodePort: Invalid value: 30080: provided port is already allocated`.
pub fn node_port_already_allocated(port_index: usize, node_port: i64) -> FieldError {
    invalid(
        &format!("spec.ports[{port_index}].nodePort"),
        BadValue::Int(node_port),
        "provided port is already allocated",
    )
}

/// `spec.ports[i].nodePort: Invalid value: 80: provided port is not in the valid range. The range
/// of valid ports is 30000-32767`.
pub fn node_port_out_of_range(port_index: usize, node_port: i64) -> FieldError {
    invalid(
        &format!("spec.ports[{port_index}].nodePort"),
        BadValue::Int(node_port),
        &format!(
            "provided port is not in the valid range. The range of valid ports is {NODE_PORT_MIN}-{NODE_PORT_MAX}"
        ),
    )
}

/// `spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10:
/// provided IP is already allocated`.
pub fn cluster_ip_already_allocated(ip: Ipv4Addr) -> FieldError {
    invalid(
        "spec.clusterIPs",
        BadValue::Go(go_string_slice(&[ip.to_string()])),
        &format!("failed to allocate IP {ip}: provided IP is already allocated"),
    )
}

/// `spec.clusterIPs: Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: the
/// provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12`.
pub fn cluster_ip_out_of_range(ip: &str) -> FieldError {
    invalid(
        "spec.clusterIPs",
        BadValue::Go(go_string_slice(&[ip.to_string()])),
        &format!(
            "failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}"
        ),
    )
}

/// `spec.clusterIPs[0]: Invalid value: []string{"10.96.0.5"}: may not change once set` (update).
pub fn cluster_ip_immutable(new_ip: &str) -> FieldError {
    invalid(
        "spec.clusterIPs[0]",
        BadValue::Go(go_string_slice(&[new_ip.to_string()])),
        "may not change once set",
    )
}

/// `spec.selector: Invalid value: v1.LabelSelector{...}: field is immutable` (Deployment update).
pub fn selector_immutable(new_selector: &LabelSelector) -> FieldError {
    invalid(
        "spec.selector",
        BadValue::Go(go_label_selector(new_selector)),
        "field is immutable",
    )
}

/// `spec.replicas: Invalid value: -1: must be greater than or equal to 0` (also `kubectl scale`).
pub fn replicas_negative(replicas: i64) -> Option<FieldError> {
    (replicas < 0).then(|| invalid("spec.replicas", BadValue::Int(replicas), NEGATIVE))
}
