//! What the API server checks before it stores an object, in its own words.
//!
//! [`validate`] runs the stateless checks of `ValidateDeployment`, `ValidateService`,
//! `ValidatePodCreate`, `ValidateNamespace` and `ValidateNetworkPolicy` (Kubernetes 1.31), in the
//! same order, so a learner sees the causes kubectl would print, in kubectl's order.
//! [`allocation_checks`] adds the range checks the Service IP and NodePort allocators make right
//! after validation. The constructors ([`invalid`], [`required`], ...) and [`invalid_message`] are
//! shared with the cluster, which adds the stateful causes (`provided port is already allocated`).
//!
//! Each cause is a [`FieldError`]: a field path and a detail exactly as `field.Error.ErrorBody()`
//! prints it. Its `line`/`column` are 0 here; [`crate::manifest`] fills them in.
//!
//! The typed model cannot hold every value a manifest can say (a Service `type: Foo`, a port
//! `protocol: HTTP`, a probe with two handlers). [`crate::manifest`] turns those into causes as it
//! reads them and hands them over in a [`Written`], each tagged with the place ("slot") where the
//! API server would report it; [`validate_with`] merges them in at that place.

use crate::map::SortedSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use crate::model::{
    ClusterIp, Container, Deployment, IntOrString, LabelSelector, Labels, Namespace, NetworkPolicy,
    Object, ObjectMeta, Pod, PodSpec, PolicyPeer, PolicyPort, Protocol, SelectorOp, Service,
    ServiceType, TrafficPolicy,
};

/// The Service CIDR of a kubeadm / kind cluster.
pub const SERVICE_CIDR: &str = "10.96.0.0/12";
const SERVICE_CIDR_BASE: u32 = 0x0a60_0000; // 10.96.0.0
const SERVICE_CIDR_PREFIX: u32 = 12;
/// `--service-node-port-range`.
pub const NODE_PORT_MIN: i64 = 30000;
pub const NODE_PORT_MAX: i64 = 32767;
/// `core.MaxClientIPServiceAffinitySeconds`.
pub const MAX_CLIENT_IP_AFFINITY_SECONDS: i64 = 86400;
/// `TotalAnnotationSizeLimitB`.
pub const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Field errors

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

// ---------------------------------------------------------------------------------------------
// Go formatting

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

// ---------------------------------------------------------------------------------------------
// Names, labels, ports (k8s.io/apimachinery/pkg/util/validation, 1.31 wording)

const NEGATIVE: &str = "must be greater than or equal to 0";
const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    if examples.is_empty() {
        return format!("{msg} (regex used for validation is '{fmt}')");
    }
    let mut out = format!("{msg} (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            out.push_str(" or ");
        }
        out.push_str(&format!("'{e}', "));
    }
    out.push_str(&format!("regex used for validation is '{fmt}')"));
    out
}

fn inclusive_range_error(lo: i64, hi: i64) -> String {
    format!("must be between {lo} and {hi}, inclusive")
}

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn matches_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| is_lower_alnum(c) || c == '-')
        && s.chars().next().is_some_and(is_lower_alnum)
        && s.chars().last().is_some_and(is_lower_alnum)
}

fn matches_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(matches_dns1123_label)
}

fn matches_qualified_part(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && s.chars().next().is_some_and(ok)
        && s.chars().last().is_some_and(ok)
}

/// `IsDNS1123Label`: namespace names, container and port names.
pub fn is_dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !matches_dns1123_label(s) {
        if matches_dns1123_subdomain(s) {
            errs.push("must not contain dots".to_string());
        } else {
            errs.push(regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                &["my-name", "123-abc"],
            ));
        }
    }
    errs
}

/// `IsDNS1123Subdomain`: Deployment, Pod, NetworkPolicy names; `externalName`.
pub fn is_dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(max_len_error(253));
    }
    if !matches_dns1123_subdomain(s) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsDNS1035Label`: Service names.
pub fn is_dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    let ok = !s.is_empty()
        && s.chars().all(|c| is_lower_alnum(c) || c == '-')
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars().last().is_some_and(is_lower_alnum);
    if !ok {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

/// `IsQualifiedName`: label keys and annotation keys (`app.kubernetes.io/name`).
pub fn is_qualified_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = s.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                for msg in is_dns1123_subdomain(prefix) {
                    errs.push(format!("prefix part {msg}"));
                }
            }
            *name
        }
        _ => {
            errs.push(format!(
                "a qualified name {} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                regex_error(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, &["MyName", "my.name", "123-abc"])
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !matches_qualified_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                QUALIFIED_NAME_MSG,
                QUALIFIED_NAME_FMT,
                &["MyName", "my.name", "123-abc"]
            )
        ));
    }
    errs
}

/// `IsValidLabelValue`.
pub fn is_label_value(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !s.is_empty() && !matches_qualified_part(s) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            LABEL_VALUE_FMT,
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `IsValidPortName` (IANA_SVC_NAME): container port names and named target ports.
pub fn is_port_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 15 {
        errs.push(max_len_error(15));
    }
    if s.is_empty() || !s.chars().all(|c| is_lower_alnum(c) || c == '-') {
        errs.push(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_string(),
        );
    }
    if !s.chars().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if s.contains("--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if s.starts_with('-') || s.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

/// `IsValidPortNum`.
pub fn is_port_num(n: i64) -> Vec<String> {
    if (1..=65535).contains(&n) {
        Vec::new()
    } else {
        vec![inclusive_range_error(1, 65535)]
    }
}

/// `IsValidIP` (1.31 wording) as a cause.
pub fn invalid_ip(path: &str, value: &str) -> FieldError {
    invalid(
        path,
        BadValue::str(value),
        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
    )
}

/// `IsValidCIDR` (1.31 wording) as a cause.
pub fn invalid_cidr(path: &str, value: &str) -> FieldError {
    invalid(
        path,
        BadValue::str(value),
        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
    )
}

/// Parse `a.b.c.d/n` or an IPv6 CIDR; IPv4 results are returned as (network base, prefix).
fn parse_cidr(s: &str) -> Option<(IpAddr, u32)> {
    let (ip, len) = s.split_once('/')?;
    if len.is_empty() || len.len() > 3 || !len.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let len: u32 = len.parse().ok()?;
    let ip: IpAddr = ip.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((ip, len))
}

fn v4_mask(prefix: u32) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix.min(32))
    }
}

/// Is `ip` a usable address of the Service CIDR (the allocator excludes the network and broadcast
/// addresses)?
pub fn in_service_cidr(ip: Ipv4Addr) -> bool {
    let n = u32::from(ip);
    let mask = v4_mask(SERVICE_CIDR_PREFIX);
    n & mask == SERVICE_CIDR_BASE && n != SERVICE_CIDR_BASE && n != SERVICE_CIDR_BASE | !mask
}

// ---------------------------------------------------------------------------------------------
// What a manifest said that the model cannot hold

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
struct Check<'w> {
    errs: Vec<FieldError>,
    written: &'w Written,
    used: Vec<bool>,
}

impl<'w> Check<'w> {
    fn new(written: &'w Written) -> Self {
        Check {
            errs: Vec::new(),
            written,
            used: vec![false; written.causes.len()],
        }
    }

    fn push(&mut self, e: FieldError) {
        self.errs.push(e);
    }

    fn extend(&mut self, es: Vec<FieldError>) {
        self.errs.extend(es);
    }

    /// [`Check::slot`] for a slot built with `format_args!`, spelled out only when some of the
    /// manifest's causes are still to be placed.
    fn slot_fmt(&mut self, slot: fmt::Arguments) {
        if self.used.iter().any(|used| !used) {
            self.slot(&slot.to_string());
        }
    }

    /// Emit the manifest's causes filed under `slot`.
    fn slot(&mut self, slot: &str) {
        for (i, (s, e)) in self.written.causes.iter().enumerate() {
            if !self.used[i] && s == slot {
                self.used[i] = true;
                self.errs.push(e.clone());
            }
        }
    }

    fn finish(mut self) -> Vec<FieldError> {
        for (i, (_, e)) in self.written.causes.iter().enumerate() {
            if !self.used[i] {
                self.errs.push(e.clone());
            }
        }
        self.errs
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// The API server's create-time validation of one object built in code.
pub fn validate(object: &Object) -> Vec<FieldError> {
    validate_with(object, &Written::default())
}

/// The API server's create-time validation of one object, with what its manifest said that the
/// model cannot hold. Causes come in the API server's order.
pub fn validate_with(object: &Object, written: &Written) -> Vec<FieldError> {
    let mut c = Check::new(written);
    match object {
        Object::Namespace(ns) => validate_namespace(&mut c, ns),
        Object::Deployment(d) => validate_deployment(&mut c, d),
        Object::Service(s) => validate_service(&mut c, s),
        Object::Pod(p) => validate_pod(&mut c, p),
        Object::NetworkPolicy(np) => validate_network_policy(&mut c, np),
    }
    c.finish()
}

/// The checks the Service IP and NodePort allocators make on create, right after validation
/// passes: a requested `clusterIP` must be in the Service CIDR, a requested `nodePort` in the
/// NodePort range. The API server stops at the first failure, and so does this.
pub fn allocation_checks(object: &Object) -> Vec<FieldError> {
    let Object::Service(svc) = object else {
        return Vec::new();
    };
    if svc.spec.type_ == ServiceType::ExternalName {
        return Vec::new();
    }
    if let ClusterIp::Ip(ip) = svc.spec.cluster_ip {
        if !in_service_cidr(ip) {
            return vec![cluster_ip_out_of_range(&ip.to_string())];
        }
    }
    if matches!(
        svc.spec.type_,
        ServiceType::NodePort | ServiceType::LoadBalancer
    ) {
        for (i, p) in svc.spec.ports.iter().enumerate() {
            if let Some(np) = p.node_port {
                if !(NODE_PORT_MIN..=NODE_PORT_MAX).contains(&np) {
                    return vec![node_port_out_of_range(i, np)];
                }
            }
        }
    }
    Vec::new()
}

enum NameRule {
    Dns1123Label,
    Dns1123Subdomain,
    Dns1035Label,
}

/// `ValidateObjectMeta`.
fn validate_meta(c: &mut Check, meta: &ObjectMeta, rule: NameRule, namespaced: bool) {
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
    c.slot("metadata");
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
fn repeats<T: Ord>(values: &[Option<T>]) -> Vec<bool> {
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
fn given(name: &Option<String>) -> Option<&str> {
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

fn validate_namespace(c: &mut Check, ns: &Namespace) {
    validate_meta(c, &ns.meta, NameRule::Dns1123Label, false);
    c.slot("spec");
}

fn validate_deployment(c: &mut Check, d: &Deployment) {
    validate_meta(c, &d.meta, NameRule::Dns1123Subdomain, true);
    let spec = &d.spec;
    if let Some(e) = replicas_negative(spec.replicas) {
        c.push(e);
    }
    let selector_missing = c.written.wrote("spec.selector") == Some(false);
    if selector_missing {
        c.push(required("spec.selector", ""));
    } else {
        // Invalid operators are filed here by the manifest reader.
        c.slot("spec.selector");
        c.extend(validate_label_selector(&spec.selector, "spec.selector"));
        if spec.selector.is_empty() {
            c.push(invalid(
                "spec.selector",
                BadValue::Go(go_label_selector(&spec.selector)),
                "empty selector is invalid for deployment",
            ));
        }
    }
    // `LabelSelectorAsSelector`: a missing selector selects nothing, an empty one everything; a
    // selector with an invalid operator fails to convert (its cause was reported above).
    let bad_operator = c.written.causes.iter().any(|(s, _)| s == "spec.selector");
    if bad_operator {
        // `spec.selector: Invalid value: v1.LabelSelector{...}: invalid label selector`, filed by
        // the manifest reader (only it knows the operator as written); the template is skipped.
        c.slot("spec.selector.asSelector");
    } else {
        let checks_labels = selector_missing || !spec.selector.is_empty();
        if checks_labels && (selector_missing || !spec.selector.matches(&spec.template.labels)) {
            c.push(invalid(
                "spec.template.metadata.labels",
                BadValue::Go(go_string_map(&spec.template.labels)),
                "`selector` does not match template `labels`",
            ));
        }
        // ValidatePodTemplateSpec
        c.extend(validate_labels(
            &spec.template.labels,
            "spec.template.labels",
        ));
        c.extend(validate_annotations(
            &spec.template.annotations,
            "spec.template.annotations",
        ));
        validate_pod_spec(c, &spec.template.spec, "spec.template.spec", false);
        let rp = spec
            .template
            .spec
            .restart_policy
            .as_deref()
            .unwrap_or("Always");
        if rp != "Always" {
            c.push(not_supported(
                "spec.template.spec.restartPolicy",
                BadValue::str(rp),
                &["Always"],
            ));
        }
        c.slot("spec.template");
    }
    c.slot("spec.strategy");
    c.slot("spec");
}

fn validate_pod(c: &mut Check, p: &Pod) {
    validate_meta(c, &p.meta, NameRule::Dns1123Subdomain, true);
    validate_pod_spec(c, &p.spec, "spec", true);
    for (i, ctr) in p.spec.containers.iter().enumerate() {
        if ctr.image.len() != ctr.image.trim().len() {
            c.push(invalid(
                &format!("spec.containers[{i}].image"),
                BadValue::str(&ctr.image),
                "must not have leading or trailing whitespace",
            ));
        }
    }
}

/// `ValidatePodSpec`, for the fields svclab keeps (and the manifest's causes for the others).
fn validate_pod_spec(c: &mut Check, spec: &PodSpec, path: &str, is_pod: bool) {
    let _ = is_pod;
    c.slot_fmt(format_args!("{path}.volumes"));
    let cpath = format!("{path}.containers");
    if spec.containers.is_empty() {
        c.push(required(&cpath, ""));
    } else {
        let names: Vec<_> = spec.containers.iter().map(|c| Some(&c.name)).collect();
        let repeated = repeats(&names);
        for (i, ctr) in spec.containers.iter().enumerate() {
            let p = format!("{cpath}[{i}]");
            validate_container(c, ctr, &p);
            if repeated[i] {
                c.push(duplicate(&format!("{p}.name"), BadValue::str(&ctr.name)));
            }
            c.slot_fmt(format_args!("{p}.lifecycle"));
            c.slot_fmt(format_args!("{p}.livenessProbe"));
            let rp = format!("{p}.readinessProbe");
            c.slot(&rp);
            if let Some(probe) = &ctr.readiness_probe {
                if probe.initial_delay_seconds < 0 {
                    c.push(invalid(
                        &format!("{rp}.initialDelaySeconds"),
                        BadValue::Int(probe.initial_delay_seconds),
                        NEGATIVE,
                    ));
                }
                c.slot_fmt(format_args!("{rp}.timeoutSeconds"));
                if probe.period_seconds < 0 {
                    c.push(invalid(
                        &format!("{rp}.periodSeconds"),
                        BadValue::Int(probe.period_seconds),
                        NEGATIVE,
                    ));
                }
                c.slot_fmt(format_args!("{rp}.successThreshold"));
            }
            c.slot_fmt(format_args!("{p}.startupProbe"));
            c.slot_fmt(format_args!("{p}.restartPolicy"));
        }
    }
    c.slot_fmt(format_args!("{path}.initContainers"));
    if let Some(rp) = &spec.restart_policy {
        match rp.as_str() {
            "Always" | "OnFailure" | "Never" => {}
            "" => c.push(required(&format!("{path}.restartPolicy"), "")),
            other => c.push(not_supported(
                &format!("{path}.restartPolicy"),
                BadValue::str(other),
                &["Always", "OnFailure", "Never"],
            )),
        }
    }
    c.slot_fmt(format_args!("{path}.dnsPolicy"));
    c.extend(validate_labels(
        &spec.node_selector,
        &format!("{path}.nodeSelector"),
    ));
    c.slot(path);
    if let Some(node) = &spec.node_name {
        if !node.is_empty() {
            for m in is_dns1123_subdomain(node) {
                c.push(invalid(
                    &format!("{path}.nodeName"),
                    BadValue::str(node),
                    &m,
                ));
            }
        }
    }
    c.slot_fmt(format_args!("{path}.hostname"));
}

/// `validateContainerCommon` for the fields svclab keeps.
fn validate_container(c: &mut Check, ctr: &Container, path: &str) {
    let np = format!("{path}.name");
    if ctr.name.is_empty() {
        c.push(required(&np, ""));
    } else {
        for m in is_dns1123_label(&ctr.name) {
            c.push(invalid(&np, BadValue::str(&ctr.name), &m));
        }
    }
    if ctr.image.is_empty() {
        c.push(required(&format!("{path}.image"), ""));
    }
    c.slot_fmt(format_args!("{path}.terminationMessagePolicy"));
    // Only valid names take part in the duplicate check.
    let names: Vec<_> = ctr
        .ports
        .iter()
        .map(|port| given(&port.name).filter(|n| is_port_name(n).is_empty()))
        .collect();
    let repeated = repeats(&names);
    for (j, port) in ctr.ports.iter().enumerate() {
        let pp = format!("{path}.ports[{j}]");
        if let Some(name) = given(&port.name) {
            let msgs = is_port_name(name);
            if !msgs.is_empty() {
                for m in msgs {
                    c.push(invalid(&format!("{pp}.name"), BadValue::str(name), &m));
                }
            } else if repeated[j] {
                c.push(duplicate(&format!("{pp}.name"), BadValue::str(name)));
            }
        }
        if port.container_port == 0 {
            c.push(required(&format!("{pp}.containerPort"), ""));
        } else {
            for m in is_port_num(port.container_port) {
                c.push(invalid(
                    &format!("{pp}.containerPort"),
                    BadValue::Int(port.container_port),
                    &m,
                ));
            }
        }
        c.slot_fmt(format_args!("{pp}.hostPort"));
        c.slot_fmt(format_args!("{pp}.protocol"));
    }
    c.slot_fmt(format_args!("{path}.env"));
    c.slot_fmt(format_args!("{path}.volumeMounts"));
    c.slot_fmt(format_args!("{path}.imagePullPolicy"));
    c.slot_fmt(format_args!("{path}.resources"));
    c.slot_fmt(format_args!("{path}.securityContext"));
}

/// `ValidatePortNumOrName`.
fn validate_port_num_or_name(port: &IntOrString, path: &str) -> Vec<FieldError> {
    match port {
        IntOrString::Int(n) => is_port_num(*n)
            .into_iter()
            .map(|m| invalid(path, BadValue::Int(*n), &m))
            .collect(),
        IntOrString::Str(s) => is_port_name(s)
            .into_iter()
            .map(|m| invalid(path, BadValue::str(s), &m))
            .collect(),
    }
}

fn protocol_go(p: Protocol) -> &'static str {
    p.as_str()
}

fn validate_service(c: &mut Check, svc: &Service) {
    validate_meta(c, &svc.meta, NameRule::Dns1035Label, true);
    let spec = &svc.spec;
    // An unknown `type` (its cause is filed at `spec.type`) matches none of the type cases.
    let ty = if c.written.has_cause("spec.type") {
        None
    } else {
        Some(spec.type_)
    };
    let headless = spec.cluster_ip == ClusterIp::Headless;
    if spec.ports.is_empty() && !headless && ty != Some(ServiceType::ExternalName) {
        c.push(required("spec.ports", ""));
    }
    match ty {
        Some(ServiceType::LoadBalancer) if headless => c.push(invalid(
            "spec.clusterIPs[0]",
            BadValue::str("None"),
            "may not be set to 'None' for LoadBalancer services",
        )),
        Some(ServiceType::NodePort) if headless => c.push(invalid(
            "spec.clusterIPs[0]",
            BadValue::str("None"),
            "may not be set to 'None' for NodePort services",
        )),
        Some(ServiceType::ExternalName) => {
            if spec.cluster_ip != ClusterIp::NoIp {
                c.push(forbidden(
                    "spec.clusterIPs",
                    "may not be set for ExternalName services",
                ));
            }
            c.slot("spec.ipFamilies");
            // The value (a CNAME) may have one trailing dot to denote it as fully qualified.
            let raw = spec.external_name.as_deref().unwrap_or("");
            let cname = raw.strip_suffix('.').unwrap_or(raw);
            if cname.is_empty() {
                c.push(required("spec.externalName", ""));
            } else {
                for m in is_dns1123_subdomain(cname) {
                    c.push(invalid("spec.externalName", BadValue::str(cname), &m));
                }
            }
        }
        _ => {}
    }
    let several = spec.ports.len() > 1;
    let names: Vec<_> = spec.ports.iter().map(|p| given(&p.name)).collect();
    let repeated = repeats(&names);
    for (i, p) in spec.ports.iter().enumerate() {
        let pp = format!("spec.ports[{i}]");
        match given(&p.name) {
            None if several => c.push(required(&format!("{pp}.name"), "")),
            None => {}
            Some(name) => {
                for m in is_dns1123_label(name) {
                    c.push(invalid(&format!("{pp}.name"), BadValue::str(name), &m));
                }
                if repeated[i] {
                    c.push(duplicate(&format!("{pp}.name"), BadValue::str(name)));
                }
            }
        }
        for m in is_port_num(p.port) {
            c.push(invalid(&format!("{pp}.port"), BadValue::Int(p.port), &m));
        }
        c.slot_fmt(format_args!("{pp}.protocol"));
        c.extend(validate_port_num_or_name(
            &p.target_port,
            &format!("{pp}.targetPort"),
        ));
        c.slot_fmt(format_args!("{pp}.appProtocol"));
    }
    if let Some(sel) = &spec.selector {
        c.extend(validate_labels(sel, "spec.selector"));
    }
    c.slot("spec.sessionAffinity");
    match spec.session_affinity_timeout {
        Some(t) => {
            if t <= 0 || t > MAX_CLIENT_IP_AFFINITY_SECONDS {
                c.push(invalid(
                    "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    BadValue::Int(t),
                    &format!(
                        "must be greater than 0 and less than {MAX_CLIENT_IP_AFFINITY_SECONDS}"
                    ),
                ));
            }
        }
        None => {
            if !c.written.has_cause("spec.sessionAffinity")
                && c.written.wrote("spec.sessionAffinityConfig") == Some(true)
            {
                c.push(forbidden(
                    "spec.sessionAffinityConfig",
                    "must not be set when session affinity is None",
                ));
            }
        }
    }
    // ValidateServiceClusterIPsRelatedFields (not for ExternalName)
    c.slot("spec.clusterIPs");
    c.slot("spec.externalIPs");
    c.slot("spec.type");
    if ty == Some(ServiceType::ClusterIp) {
        for (i, p) in spec.ports.iter().enumerate() {
            if p.node_port.is_some_and(|n| n != 0) {
                c.push(forbidden(
                    &format!("spec.ports[{i}].nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            }
        }
    }
    let node_ports: Vec<_> = spec
        .ports
        .iter()
        .map(|p| p.node_port.filter(|n| *n != 0).map(|np| (p.protocol, np)))
        .collect();
    let repeated = repeats(&node_ports);
    for (i, p) in spec.ports.iter().enumerate() {
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            if repeated[i] {
                c.push(duplicate(
                    &format!("spec.ports[{i}].nodePort"),
                    BadValue::Int(np),
                ));
            }
        }
    }
    let ports: Vec<_> = spec
        .ports
        .iter()
        .map(|p| Some((p.protocol, p.port)))
        .collect();
    let repeated = repeats(&ports);
    for (i, p) in spec.ports.iter().enumerate() {
        if repeated[i] {
            c.push(duplicate(
                &format!("spec.ports[{i}]"),
                BadValue::Go(format!(
                    "core.ServicePort{{Name:\"\", Protocol:\"{}\", AppProtocol:(*string)(nil), Port:{}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}",
                    protocol_go(p.protocol),
                    p.port
                )),
            ));
        }
    }
    if !spec.load_balancer_source_ranges.is_empty() {
        let fp = "spec.LoadBalancerSourceRanges";
        if ty != Some(ServiceType::LoadBalancer) {
            c.push(forbidden(
                fp,
                "may only be used when `type` is 'LoadBalancer'",
            ));
        }
        for (i, r) in spec.load_balancer_source_ranges.iter().enumerate() {
            let r = r.trim();
            if parse_cidr(r).is_none() {
                c.push(invalid_cidr(&format!("{fp}[{i}]"), r));
            }
        }
    }
    c.slot("spec.allocateLoadBalancerNodePorts");
    // validateServiceExternalTrafficPolicy
    let external = matches!(
        ty,
        Some(ServiceType::NodePort) | Some(ServiceType::LoadBalancer)
    ) || c.written.wrote("spec.externalIPs") == Some(true);
    c.slot("spec.externalTrafficPolicy");
    if !external && !c.written.has_cause("spec.externalTrafficPolicy") {
        let set = match c.written.wrote("spec.externalTrafficPolicy") {
            Some(w) => w,
            None => spec.external_traffic_policy == TrafficPolicy::Local,
        };
        if set {
            c.push(invalid(
                "spec.externalTrafficPolicy",
                BadValue::str(spec.external_traffic_policy.as_str()),
                "may only be set for externally-accessible services",
            ));
        }
    }
    c.slot("spec.healthCheckNodePort");
    c.slot("spec.internalTrafficPolicy");
    c.slot("spec");
}

fn validate_network_policy(c: &mut Check, np: &NetworkPolicy) {
    validate_meta(c, &np.meta, NameRule::Dns1123Subdomain, true);
    let spec = &np.spec;
    c.slot("spec.podSelector");
    c.extend(validate_label_selector(
        &spec.pod_selector,
        "spec.podSelector",
    ));
    for (dir, peers_name, rules) in [
        ("ingress", "from", &spec.ingress),
        ("egress", "to", &spec.egress),
    ] {
        for (i, rule) in rules.iter().enumerate() {
            let rp = format!("spec.{dir}[{i}]");
            for (j, port) in rule.ports.iter().enumerate() {
                let pp = format!("{rp}.ports[{j}]");
                c.slot_fmt(format_args!("{pp}.protocol"));
                c.extend(validate_policy_port(port, &pp));
            }
            for (j, peer) in rule.peers.iter().enumerate() {
                let pp = format!("{rp}.{peers_name}[{j}]");
                c.slot(&pp);
                match peer {
                    PolicyPeer::Selectors {
                        pod_selector,
                        namespace_selector,
                    } => {
                        if let Some(s) = pod_selector {
                            c.slot_fmt(format_args!("{pp}.podSelector"));
                            c.extend(validate_label_selector(s, &format!("{pp}.podSelector")));
                        }
                        if let Some(s) = namespace_selector {
                            c.slot_fmt(format_args!("{pp}.namespaceSelector"));
                            c.extend(validate_label_selector(
                                s,
                                &format!("{pp}.namespaceSelector"),
                            ));
                        }
                    }
                    PolicyPeer::IpBlock(b) => c.extend(validate_ip_block(
                        &b.cidr,
                        &b.except,
                        &format!("{pp}.ipBlock"),
                    )),
                }
            }
            c.slot(&rp);
        }
    }
    c.slot("spec.policyTypes");
    c.slot("spec");
}

/// `ValidateNetworkPolicyPort` (protocol causes come from the manifest).
fn validate_policy_port(port: &PolicyPort, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match &port.port {
        Some(IntOrString::Int(n)) => {
            for m in is_port_num(*n) {
                errs.push(invalid(&format!("{path}.port"), BadValue::Int(*n), &m));
            }
            if let Some(end) = port.end_port {
                if end < *n {
                    errs.push(invalid(
                        &format!("{path}.endPort"),
                        BadValue::Int(*n),
                        "must be greater than or equal to `port`",
                    ));
                }
                for m in is_port_num(end) {
                    errs.push(invalid(&format!("{path}.endPort"), BadValue::Int(end), &m));
                }
            }
        }
        Some(IntOrString::Str(s)) => {
            if let Some(end) = port.end_port {
                errs.push(invalid(
                    &format!("{path}.endPort"),
                    BadValue::Int(end),
                    "may not be specified when `port` is non-numeric",
                ));
            }
            for m in is_port_name(s) {
                errs.push(invalid(&format!("{path}.port"), BadValue::str(s), &m));
            }
        }
        None => {
            if let Some(end) = port.end_port {
                errs.push(invalid(
                    &format!("{path}.endPort"),
                    BadValue::Int(end),
                    "may not be specified when `port` is not specified",
                ));
            }
        }
    }
    errs
}

/// `ValidateIPBlock`.
fn validate_ip_block(cidr: &str, except: &[String], path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if cidr.is_empty() {
        errs.push(required(&format!("{path}.cidr"), ""));
        return errs;
    }
    let Some((base, len)) = parse_cidr(cidr) else {
        errs.push(invalid_cidr(&format!("{path}.cidr"), cidr));
        return errs;
    };
    for (i, ex) in except.iter().enumerate() {
        let ep = format!("{path}.except[{i}]");
        let Some((ex_ip, ex_len)) = parse_cidr(ex) else {
            errs.push(invalid_cidr(&ep, ex));
            continue;
        };
        let inside = match (base, ex_ip) {
            (IpAddr::V4(b), IpAddr::V4(e)) => {
                let mask = v4_mask(len);
                u32::from(e) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(b), IpAddr::V6(e)) => {
                let mask = if len == 0 {
                    0u128
                } else {
                    u128::MAX << (128 - len.min(128))
                };
                u128::from(e) & mask == u128::from(b) & mask
            }
            _ => false,
        };
        if !inside || len >= ex_len {
            errs.push(invalid(
                &ep,
                BadValue::str(ex),
                "must be a strict subset of `cidr`",
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DeploymentSpec, PodTemplateSpec, ServicePort, ServiceSpec};

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn service(name: &str, ports: Vec<ServicePort>) -> Service {
        Service {
            meta: ObjectMeta::new("default", name),
            spec: ServiceSpec {
                selector: Some(labels(&[("app", "web")])),
                ports,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn port(name: Option<&str>, port: i64) -> ServicePort {
        ServicePort {
            name: name.map(str::to_string),
            protocol: Protocol::Tcp,
            port,
            target_port: IntOrString::Int(port),
            node_port: None,
        }
    }

    fn causes(o: &Object) -> Vec<String> {
        validate(o).iter().map(FieldError::cause).collect()
    }

    #[test]
    fn name_rules_match_kubernetes_wording() {
        assert_eq!(
            is_dns1035_label("1tenant"),
            vec!["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]
        );
        assert!(is_dns1035_label("web-1").is_empty());
        assert_eq!(is_dns1123_label("a.b"), vec!["must not contain dots"]);
        assert!(is_dns1123_subdomain("a.b-c").is_empty());
        assert_eq!(
            is_dns1123_subdomain("Web"),
            vec!["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
        );
        let long = "a".repeat(64);
        assert_eq!(
            is_dns1123_label(&long),
            vec!["must be no more than 63 characters"]
        );
        assert_eq!(
            is_dns1123_subdomain(&"a".repeat(254)),
            vec!["must be no more than 253 characters"]
        );
        assert!(is_qualified_name("app.kubernetes.io/name").is_empty());
        assert_eq!(
            is_qualified_name("/x"),
            vec!["prefix part must be non-empty"]
        );
        assert!(is_label_value("").is_empty());
        assert_eq!(is_label_value("-x").len(), 1);
        assert_eq!(
            is_port_name("http--web-12345"),
            vec!["must not contain consecutive hyphens"]
        );
        assert_eq!(
            is_port_name("8080"),
            vec!["must contain at least one letter (a-z)"]
        );
        assert_eq!(is_port_name("a-very-long-port-name").len(), 1);
    }

    #[test]
    fn go_formatting() {
        assert_eq!(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(
            go_string_map(&labels(&[("app", "nginx")])),
            "map[string]string{\"app\":\"nginx\"}"
        );
        assert_eq!(go_string_map(&Labels::new()), "map[string]string(nil)");
        assert_eq!(
            go_label_selector(&LabelSelector::default()),
            "v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
        );
    }

    #[test]
    fn invalid_message_one_and_many() {
        let one = [invalid(
            "spec.ports[0].port",
            BadValue::Int(70000),
            "must be between 1 and 65535, inclusive",
        )];
        assert_eq!(
            invalid_message("Service", "x", &one),
            "The Service \"x\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"
        );
        let two = [required("spec.selector", ""), required("spec.ports", "")];
        assert_eq!(
            invalid_message("Deployment", "web", &two),
            "The Deployment \"web\" is invalid: \n* spec.selector: Required value\n* spec.ports: Required value"
        );
    }

    #[test]
    fn service_port_rules() {
        let svc = service(
            "web",
            vec![
                port(Some("http"), 80),
                port(Some("http"), 81),
                port(None, 70000),
            ],
        );
        assert_eq!(
            causes(&Object::Service(svc)),
            vec![
                "spec.ports[1].name: Duplicate value: \"http\"",
                "spec.ports[2].name: Required value",
                "spec.ports[2].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
                "spec.ports[2].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
            ]
        );
        let dup = service("web", vec![port(Some("a"), 80), port(Some("b"), 80)]);
        assert_eq!(
            causes(&Object::Service(dup)),
            vec!["spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"]
        );
    }

    #[test]
    fn service_types_and_ips() {
        let mut svc = service("web", vec![port(None, 80)]);
        svc.spec.ports[0].node_port = Some(30080);
        assert_eq!(
            causes(&Object::Service(svc.clone())),
            vec!["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]
        );
        svc.spec.type_ = ServiceType::NodePort;
        svc.spec.cluster_ip = ClusterIp::Headless;
        assert_eq!(
            causes(&Object::Service(svc.clone())),
            vec!["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"]
        );
        svc.spec.cluster_ip = ClusterIp::Ip(Ipv4Addr::new(10, 0, 0, 1));
        assert!(validate(&Object::Service(svc.clone())).is_empty());
        assert_eq!(
            allocation_checks(&Object::Service(svc.clone()))[0].cause(),
            "spec.clusterIPs: Invalid value: []string{\"10.0.0.1\"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12"
        );
        svc.spec.cluster_ip = ClusterIp::NoIp;
        svc.spec.ports[0].node_port = Some(80);
        assert_eq!(
            allocation_checks(&Object::Service(svc))[0].cause(),
            "spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"
        );
        let mut ext = service("db", vec![]);
        ext.spec.type_ = ServiceType::ExternalName;
        assert_eq!(
            causes(&Object::Service(ext.clone())),
            vec!["spec.externalName: Required value"]
        );
        ext.spec.external_name = Some("db.example.com.".into());
        assert!(validate(&Object::Service(ext)).is_empty());
        assert!(in_service_cidr(Ipv4Addr::new(10, 111, 255, 254)));
        assert!(!in_service_cidr(Ipv4Addr::new(10, 96, 0, 0)));
        assert!(!in_service_cidr(Ipv4Addr::new(10, 112, 0, 1)));
    }

    #[test]
    fn deployment_selector_and_template() {
        let d = Deployment {
            meta: ObjectMeta::new("default", "nginx"),
            spec: DeploymentSpec {
                replicas: -1,
                progress_deadline_seconds: crate::model::DEFAULT_PROGRESS_DEADLINE,
                selector: LabelSelector::from_labels(labels(&[("app", "web")])),
                template: PodTemplateSpec {
                    labels: labels(&[("app", "nginx")]),
                    spec: PodSpec {
                        containers: vec![Container {
                            name: "nginx".into(),
                            image: String::new(),
                            ..Default::default()
                        }],
                        ..Default::default()
                    },
                    ..Default::default()
                },
            },
        };
        assert_eq!(
            causes(&Object::Deployment(d)),
            vec![
                "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
                "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"nginx\"}: `selector` does not match template `labels`",
                "spec.template.spec.containers[0].image: Required value",
            ]
        );
    }
}
