//! Stage 4: strict decoding, as the API server decodes JSON into the Go types: values of the
//! wrong type and unknown fields, each with its path. The types themselves are in [`types`].

use std::fmt::Write as _;

use super::tree::Node;

pub(super) mod types;

/// The shape of a Go field, for type errors and unknown fields.
#[derive(Clone, Copy)]
enum Ty {
    /// Accepted as is (status, quantities, affinity, ...).
    Any,
    /// A string-typed field; the Go type name (`string`, `v1.Protocol`).
    Str(&'static str),
    Int32,
    Int64,
    Bool,
    /// `intstr.IntOrString`.
    IntOrStr,
    /// `map[string]string`.
    StrMap,
    /// A map whose values are not checked (`v1.ResourceList`).
    AnyMap(&'static str),
    /// A list: element type and the list's Go type (`[]v1.Container`).
    List(&'static Ty, &'static str),
    Obj(&'static Struct),
}

impl Ty {
    fn go_name(&self) -> &'static str {
        match self {
            Ty::Any => "interface {}",
            Ty::Str(n) => n,
            Ty::Int32 => "int32",
            Ty::Int64 => "int64",
            Ty::Bool => "bool",
            Ty::IntOrStr => "intstr.IntOrString",
            Ty::StrMap => "map[string]string",
            Ty::AnyMap(n) => n,
            Ty::List(_, n) => n,
            Ty::Obj(s) => s.go,
        }
    }
}

/// A Go struct: its name in error messages (`ServicePort`), its type (`v1.ServicePort`), fields.
pub(super) struct Struct {
    pub(super) name: &'static str,
    go: &'static str,
    fields: &'static [(&'static str, Ty)],
}

pub(super) struct TypeError {
    pub(super) path: String,
    pub(super) message: String,
    /// From a custom unmarshaller (`IntOrString`): Go stops at it, so it wins.
    pub(super) immediate: bool,
}

#[derive(Default)]
pub(super) struct Decoder {
    pub(super) type_errors: Vec<TypeError>,
    pub(super) unknown: Vec<String>,
}

/// Where the decoder is in the tree, kept on the stack and spelled out only for an error.
#[derive(Clone, Copy)]
pub(super) enum Path<'p> {
    Root,
    /// A struct field, joined to what comes before with a dot.
    Field(&'p Path<'p>, &'p str),
    /// A list index, `[i]`: part of the located path, not of the Go field name.
    Index(&'p Path<'p>, usize),
    /// A map key, `[key]`: likewise.
    Key(&'p Path<'p>, &'p str),
}

impl Path<'_> {
    /// The Go field path (`spec.template.spec.containers.name`) without indices, or the located
    /// path (`spec.template.spec.containers[0].name`) with them.
    fn render(&self, indices: bool) -> String {
        let mut segs = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Field(parent, _) | Path::Index(parent, _) | Path::Key(parent, _) => {
                    segs.push(at);
                    at = parent;
                }
            }
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Path::Root => {}
                Path::Field(_, name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Path::Index(_, i) if indices => {
                    let _ = write!(out, "[{i}]");
                }
                Path::Key(_, k) if indices => {
                    let _ = write!(out, "[{k}]");
                }
                Path::Index(..) | Path::Key(..) => {}
            }
        }
        out
    }
}

impl Decoder {
    fn type_error(&mut self, what: String, go_struct: &str, path: &Path, ty: &str) {
        self.type_errors.push(TypeError {
            path: path.render(true),
            message: format!(
                "json: cannot unmarshal {what} into Go struct field {go_struct}.{} of type {ty}",
                path.render(false)
            ),
            immediate: false,
        });
    }

    /// `node` decoded into a struct at `path`.
    pub(super) fn walk_struct(&mut self, node: &Node, s: &Struct, go_struct: &str, path: &Path) {
        match node {
            Node::Null => {}
            Node::Map(map) => {
                for (key, value) in map {
                    match s.fields.iter().find(|(name, _)| name == key) {
                        Some((name, ty)) => {
                            self.walk(value, *ty, s.name, &Path::Field(path, name));
                        }
                        None => self.unknown.push(Path::Field(path, key).render(true)),
                    }
                }
            }
            other => self.type_error(other.json_kind().to_string(), go_struct, path, s.go),
        }
    }

    fn walk(&mut self, node: &Node, ty: Ty, go_struct: &str, path: &Path) {
        if *node == Node::Null {
            return;
        }
        match ty {
            Ty::Any => {}
            Ty::Str(name) => {
                if !matches!(node, Node::Str(_)) {
                    self.type_error(node.json_kind().to_string(), go_struct, path, name);
                }
            }
            Ty::Int32 | Ty::Int64 => {
                let (lo, hi) = if matches!(ty, Ty::Int32) {
                    (i32::MIN as i64, i32::MAX as i64)
                } else {
                    (i64::MIN, i64::MAX)
                };
                match node {
                    Node::Int(_) | Node::Float(_) => {
                        if !node.as_int().is_some_and(|i| (lo..=hi).contains(&i)) {
                            self.type_error(
                                format!("number {}", node.number_literal()),
                                go_struct,
                                path,
                                ty.go_name(),
                            );
                        }
                    }
                    other => self.type_error(
                        other.json_kind().to_string(),
                        go_struct,
                        path,
                        ty.go_name(),
                    ),
                }
            }
            Ty::Bool => {
                if !matches!(node, Node::Bool(_)) {
                    self.type_error(node.json_kind().to_string(), go_struct, path, "bool");
                }
            }
            Ty::IntOrStr => {
                let what = match node {
                    Node::Str(_) => None,
                    Node::Int(_) | Node::Float(_) => {
                        if node
                            .as_int()
                            .is_some_and(|i| (i32::MIN as i64..=i32::MAX as i64).contains(&i))
                        {
                            None
                        } else {
                            Some(format!("number {}", node.number_literal()))
                        }
                    }
                    other => Some(other.json_kind().to_string()),
                };
                if let Some(what) = what {
                    self.type_errors.push(TypeError {
                        path: path.render(true),
                        message: format!(
                            "json: cannot unmarshal {what} into Go value of type int32"
                        ),
                        immediate: true,
                    });
                }
            }
            Ty::StrMap => match node {
                Node::Map(map) => {
                    for (k, v) in map {
                        if !matches!(v, Node::Str(_) | Node::Null) {
                            self.type_error(
                                v.json_kind().to_string(),
                                go_struct,
                                &Path::Key(path, k),
                                "string",
                            );
                        }
                    }
                }
                other => {
                    self.type_error(other.json_kind().to_string(), go_struct, path, ty.go_name())
                }
            },
            Ty::AnyMap(name) => {
                if !matches!(node, Node::Map(_)) {
                    self.type_error(node.json_kind().to_string(), go_struct, path, name);
                }
            }
            Ty::List(elem, name) => match node {
                Node::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let at = Path::Index(path, i);
                        match elem {
                            Ty::Obj(s) => {
                                if !matches!(item, Node::Map(_) | Node::Null) {
                                    self.type_error(
                                        item.json_kind().to_string(),
                                        go_struct,
                                        &at,
                                        s.go,
                                    );
                                } else {
                                    self.walk_struct(item, s, go_struct, &at);
                                }
                            }
                            other => self.walk(item, *other, go_struct, &at),
                        }
                    }
                }
                other => self.type_error(other.json_kind().to_string(), go_struct, path, name),
            },
            Ty::Obj(s) => self.walk_struct(node, s, go_struct, path),
        }
    }
}
