//! Stage 3: one document read: its `apiVersion` and `kind` checked as kubectl checks them, a
//! `List` flattened into its items, and each object decoded ([`super::schema`]), converted
//! ([`super::convert`]) and validated ([`crate::validate`]), with every error placed in the text.

use std::cell::{Cell, OnceCell};

use crate::model::{Namespace, Object};
use crate::resource::{manifest_kind, Kind, ManifestKind};
use crate::validate::{self, go_quote, Written};

use super::convert::Conv;
use super::documents::Chunk;
use super::positions::{Lines, Mode};
use super::schema::types::{
    DEPLOYMENT, ENDPOINTS, ENDPOINT_SLICE, NAMESPACE, NETWORK_POLICY, POD, SERVICE,
};
use super::schema::{Decoder, Path};
use super::tree::{parse_node, yaml_error, Budget, Node, YamlError};
use super::{simple_error, FieldError, ManifestError, MAX_LOCATED, MAX_LOCATE_LINES, MAX_OBJECTS};

pub(super) struct DocCtx<'a> {
    index: usize,
    filename: &'a str,
    chunk: &'a Chunk<'a>,
    /// The document's lines, read only when an error needs a position.
    lines: OnceCell<Lines<'a>>,
    /// Fields located so far (each a scan of `lines`), against [`MAX_LOCATE_LINES`].
    located: Cell<usize>,
}

impl<'a> DocCtx<'a> {
    pub(super) fn new(index: usize, filename: &'a str, chunk: &'a Chunk<'a>) -> Self {
        DocCtx {
            index,
            filename,
            chunk,
            lines: OnceCell::new(),
            located: Cell::new(0),
        }
    }

    fn lines(&self) -> &Lines<'a> {
        self.lines
            .get_or_init(|| Lines::new(self.chunk.text, self.chunk.start_line))
    }

    fn error_at(&self, line: usize, column: usize, message: String) -> ManifestError {
        simple_error(self.index, line, column, message)
    }

    /// Position of a field (with the `items[i].` prefix for List items).
    fn at(&self, prefix: &str, path: &str, mode: Mode) -> (usize, usize) {
        let full = if prefix.is_empty() {
            path.to_string()
        } else if path.is_empty() {
            prefix.trim_end_matches('.').to_string()
        } else {
            format!("{prefix}{path}")
        };
        let lines = self.lines();
        if self.located.get() >= MAX_LOCATE_LINES / lines.lines.len().max(1) {
            return (self.chunk.first_line, 1);
        }
        self.located.set(self.located.get() + 1);
        lines.locate(&full, mode, self.chunk.first_line)
    }

    /// A multi-cause error: locate each cause; the error sits at the first one.
    fn fields_error(
        &self,
        prefix: &str,
        message: String,
        mut fields: Vec<FieldError>,
        mode: Mode,
    ) -> ManifestError {
        let fallback = if prefix.is_empty() {
            (self.chunk.first_line, 1)
        } else {
            self.at(prefix, "", Mode::Key)
        };
        for (i, f) in fields.iter_mut().enumerate() {
            let (line, column) = if i < MAX_LOCATED {
                self.at(prefix, &f.path, mode)
            } else {
                fallback
            };
            f.line = line;
            f.column = column;
        }
        let (line, column) = fields
            .first()
            .map(|f| (f.line, f.column))
            .unwrap_or(fallback);
        ManifestError {
            document: self.index,
            line,
            column,
            message,
            fields,
        }
    }
}

const STOP_VALIDATE: &str =
    "if you choose to ignore these errors, turn validation off with --validate=false";

/// An object read from a document: the object, its first line, its position in a `List`.
type Found = (Object, usize, Option<usize>);

/// Read one document: its objects with their lines, or its errors.
pub(super) fn read_document(
    ctx: &DocCtx,
    budget: &Budget,
) -> Result<Vec<Found>, Vec<ManifestError>> {
    let root = match parse_node(ctx.chunk.text, budget) {
        Ok(n) => n,
        Err(e) => {
            let (message, line, column) = match yaml_error(&e, ctx.chunk, ctx.lines()) {
                YamlError::Syntax {
                    message,
                    line,
                    column,
                } => (
                    format!(
                        "error: error parsing {}: error converting YAML to JSON: {message}",
                        ctx.filename
                    ),
                    line,
                    column,
                ),
                YamlError::Limit {
                    message,
                    line,
                    column,
                } => (
                    format!("error: error parsing {}: {message}", ctx.filename),
                    line,
                    column,
                ),
            };
            return Err(vec![ctx.error_at(line, column, message)]);
        }
    };
    if root == Node::Null {
        return Ok(Vec::new());
    }
    let (api_version, kind) = match check_type_meta(ctx, &root, "") {
        Ok(tm) => tm,
        Err(e) => return Err(vec![e]),
    };
    if let ManifestKind::Object(kind) = kind {
        let line = ctx.chunk.first_line;
        return read_object(ctx, &root, &api_version, kind, "")
            .map(|o| vec![(o, line, None)])
            .map_err(|e| vec![e]);
    }
    let Node::Map(map) = &root else {
        return Ok(Vec::new());
    };
    let items = match map.get("items") {
        None | Some(Node::Null) => return Ok(Vec::new()),
        Some(Node::Seq(items)) => items,
        Some(other) => {
            let (line, column) = ctx.at("", "items", Mode::Value);
            return Err(vec![ctx.error_at(
                line,
                column,
                format!(
                    "error: unable to decode {}: json: cannot unmarshal {} into Go struct field List.items of type []runtime.RawExtension",
                    go_quote(ctx.filename),
                    other.json_kind()
                ),
            )]);
        }
    };
    // More items than a manifest may hold objects: refused before any is read.
    if items.iter().filter(|item| **item != Node::Null).count() > MAX_OBJECTS {
        return Err(vec![ctx.error_at(
            ctx.chunk.first_line,
            1,
            format!(
                "error: svclab applies at most {MAX_OBJECTS} objects at once; this manifest has more"
            ),
        )]);
    }
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("items[{i}].");
        if *item == Node::Null {
            continue;
        }
        let (item_line, _) = ctx.at(&prefix, "", Mode::Key);
        let result = check_type_meta(ctx, item, &prefix).and_then(|(v, k)| match k {
            ManifestKind::Object(k) => read_object(ctx, item, &v, k, &prefix),
            _ => {
                let (line, column) = ctx.at(&prefix, "kind", Mode::Value);
                Err(ctx.error_at(
                    line,
                    column,
                    "error: svclab does not read a List inside a List; put the inner items in the outer list".to_string(),
                ))
            }
        });
        match result {
            Ok(o) => objects.push((o, item_line, Some(i))),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(objects)
    } else {
        Err(errors)
    }
}

/// kubectl's client-side checks of `apiVersion` and `kind`, then the REST mapping: the
/// `apiVersion` and a kind svclab applies ([`ManifestKind::Object`]) or a [`ManifestKind::List`].
fn check_type_meta(
    ctx: &DocCtx,
    node: &Node,
    prefix: &str,
) -> Result<(String, ManifestKind), ManifestError> {
    let Node::Map(map) = node else {
        let (line, column) = ctx.at(prefix, "", Mode::Key);
        return Err(ctx.error_at(
            line,
            column,
            format!(
                "error: error validating {}: error validating data: invalid object to validate; {STOP_VALIDATE}",
                go_quote(ctx.filename)
            ),
        ));
    };
    let mut problems = Vec::new();
    let api_version = match map.get("apiVersion") {
        None | Some(Node::Null) => {
            problems.push("apiVersion not set");
            None
        }
        Some(Node::Str(s)) => Some(s.clone()),
        Some(_) => {
            problems.push("apiVersion isn't string type");
            None
        }
    };
    let kind = match map.get("kind") {
        None | Some(Node::Null) => {
            problems.push("kind not set");
            None
        }
        Some(Node::Str(s)) => Some(s.clone()),
        Some(_) => {
            problems.push("kind isn't string type");
            None
        }
    };
    if !problems.is_empty() {
        let agg = if problems.len() == 1 {
            problems[0].to_string()
        } else {
            format!("[{}]", problems.join(", "))
        };
        let first = if problems[0].starts_with("apiVersion") {
            "apiVersion"
        } else {
            "kind"
        };
        let (line, column) = ctx.at(prefix, first, Mode::Value);
        return Err(ctx.error_at(
            line,
            column,
            format!(
                "error: error validating {}: error validating data: {agg}; {STOP_VALIDATE}",
                go_quote(ctx.filename)
            ),
        ));
    }
    let api_version = api_version.unwrap_or_default();
    let kind = kind.unwrap_or_default();
    let resolved = manifest_kind(&api_version, &kind);
    if let ManifestKind::Object(_) | ManifestKind::List = resolved {
        return Ok((api_version, resolved));
    }
    let (line, column) = ctx.at(prefix, "kind", Mode::Value);
    if let ManifestKind::Served(r) = resolved {
        let what = if r.simulated.is_some() {
            "keeps {kind} objects itself and does not read them from a manifest"
        } else {
            "does not simulate {kind} objects"
        };
        let what = what.replace("{kind}", &kind);
        return Err(ctx.error_at(
            line,
            column,
            format!(
                "error: svclab {what} ({api_version}); it reads {}",
                applied_kinds()
            ),
        ));
    }
    let meta = match map.get("metadata") {
        Some(Node::Map(m)) => Some(m),
        _ => None,
    };
    let name = meta
        .and_then(|m| match m.get("name") {
            Some(Node::Str(s)) => Some(s.as_str()),
            _ => None,
        })
        .unwrap_or("");
    let namespace = meta
        .and_then(|m| match m.get("namespace") {
            Some(Node::Str(s)) => Some(s.as_str()),
            _ => None,
        })
        .unwrap_or("");
    Err(ctx.error_at(
        line,
        column,
        format!(
            "error: resource mapping not found for name: {} namespace: {} from {}: no matches for kind {} in version {}\nensure CRDs are installed first",
            go_quote(name),
            go_quote(namespace),
            go_quote(ctx.filename),
            go_quote(&kind),
            go_quote(&api_version)
        ),
    ))
}

/// The kinds a manifest may hold, by API version, as the resource table marks them:
/// `Endpoints, Namespace, Pod, Service and List (v1), Deployment (apps/v1), ...`.
fn applied_kinds() -> String {
    let mut versions: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in crate::resource::RESOURCES.iter().filter(|r| r.apply) {
        let version = r.api_version();
        match versions.iter_mut().find(|(v, _)| *v == version) {
            Some((_, kinds)) => kinds.push(r.kind),
            None => versions.push((version, vec![r.kind])),
        }
    }
    let groups: Vec<String> = versions
        .into_iter()
        .map(|(version, mut kinds)| {
            if version == "v1" {
                kinds.push("List");
            }
            format!("{} ({version})", and_list(&kinds))
        })
        .collect();
    and_list(&groups)
}

/// `a`, `a and b`, `a, b and c`.
fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

/// Decode, default, convert and validate one object.
fn read_object(
    ctx: &DocCtx,
    node: &Node,
    api_version: &str,
    kind: Kind,
    prefix: &str,
) -> Result<Object, ManifestError> {
    let kname = kind.name();
    let schema = match kind {
        Kind::Deployment => &DEPLOYMENT,
        Kind::Service => &SERVICE,
        Kind::Pod => &POD,
        Kind::Namespace => &NAMESPACE,
        Kind::NetworkPolicy => &NETWORK_POLICY,
        Kind::EndpointSlice => &ENDPOINT_SLICE,
        Kind::Endpoints => &ENDPOINTS,
        _ => {
            return Err(ctx.error_at(
                ctx.chunk.first_line,
                1,
                format!("error: unexpected {kname}"),
            ))
        }
    };
    let mut dec = Decoder::default();
    dec.walk_struct(node, schema, schema.name, &Path::Root);
    let version = api_version.rsplit('/').next().unwrap_or(api_version);
    let header = format!(
        "Error from server (BadRequest): error when creating {}: {kname} in version {} cannot be handled as a {kname}: ",
        go_quote(ctx.filename),
        go_quote(version)
    );
    let first_type_error = dec
        .type_errors
        .iter()
        .find(|e| e.immediate)
        .or_else(|| dec.type_errors.first());
    if let Some(first) = first_type_error {
        let fields: Vec<FieldError> = dec
            .type_errors
            .iter()
            .map(|e| FieldError::new(e.path.clone(), e.message.clone()))
            .collect();
        let mut err = ctx.fields_error(
            prefix,
            format!("{header}{}", first.message),
            fields,
            Mode::Value,
        );
        if let Some(f) = err.fields.iter().find(|f| f.detail == first.message) {
            err.line = f.line;
            err.column = f.column;
        }
        return Err(err);
    }
    if !dec.unknown.is_empty() {
        let list: Vec<String> = dec
            .unknown
            .iter()
            .map(|p| format!("unknown field {}", go_quote(p)))
            .collect();
        let fields: Vec<FieldError> = dec
            .unknown
            .iter()
            .zip(&list)
            .map(|(p, m)| FieldError::new(p.clone(), m.clone()))
            .collect();
        return Err(ctx.fields_error(
            prefix,
            format!("{header}strict decoding error: {}", list.join(", ")),
            fields,
            Mode::Key,
        ));
    }
    let Node::Map(map) = node else {
        return Err(ctx.error_at(ctx.chunk.first_line, 1, format!("{header}invalid object")));
    };
    let mut conv = Conv::default();
    let object = match kind {
        Kind::Deployment => Object::Deployment(conv.deployment(map)),
        Kind::Service => Object::Service(conv.service(map)),
        Kind::Pod => Object::Pod(conv.pod(map)),
        Kind::Namespace => Object::Namespace(Namespace {
            meta: conv.meta(map, false),
        }),
        Kind::NetworkPolicy => Object::NetworkPolicy(conv.network_policy(map)),
        Kind::EndpointSlice => Object::EndpointSlice(conv.endpoint_slice(map)),
        Kind::Endpoints => Object::Endpoints(conv.endpoints(map)),
        _ => {
            return Err(ctx.error_at(
                ctx.chunk.first_line,
                1,
                format!("error: unexpected {kname}"),
            ))
        }
    };
    let written = Written {
        present: Some(conv.present),
        causes: conv.causes,
    };
    let mut fields = validate::validate_with(&object, &written);
    if fields.is_empty() {
        fields = validate::allocation_checks(&object);
    }
    if fields.is_empty() {
        return Ok(object);
    }
    let message = validate::invalid_message(kname, &object.meta().name, &fields);
    Err(ctx.fields_error(prefix, message, fields, Mode::Value))
}
