//! `kubectl apply`, `create` and `expose`: objects made from the editor's file or from flags.

use crate::cluster::{Applied, Change, Cluster};
use crate::model::*;
use crate::shell::flags::{boolean, val, Parsed, Values, FORMATS};
use crate::shell::get::{self, Item, Kind};
use crate::shell::{Line, Reply, Stream, Terminal};

use super::command::{Args, Command, Run};
use super::target::*;
use super::{alias, flag_error, namespace, parse, usage_error};

pub(super) static APPLY: Command = Command {
    name: "apply",
    help: &[
        "Apply a configuration to a resource by file name.",
        "",
        "Usage:",
        "  kubectl apply (-f FILENAME | -k DIRECTORY) [options]",
    ],
    flags: &[
        val("filename", Some('f')).completes(Values::File),
        val("kustomize", Some('k')),
        boolean("recursive", Some('R')),
        val("dry-run", None),
        boolean("server-side", None),
        boolean("force", None),
        val("output", Some('o')).completes(Values::Formats(FORMATS)),
        boolean("prune", None),
        val("selector", Some('l')).completes(Values::Labels),
    ],
    args: Args::File,
    run: Run::Handler(apply),
    subcommands: &[],
};

pub(super) static CREATE: Command = Command {
    name: "create",
    help: &[
        "Create a resource from a file or from stdin.",
        "",
        "Usage:",
        "  kubectl create -f FILENAME [options]",
    ],
    flags: &[
        val("filename", Some('f')).completes(Values::File),
        val("dry-run", None),
        val("output", Some('o')).completes(Values::Formats(FORMATS)),
        boolean("save-config", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(create),
    subcommands: &[&CREATE_DEPLOYMENT, &CREATE_NAMESPACE],
};

static CREATE_DEPLOYMENT: Command = Command {
    name: "create deployment",
    help: &[
        "Create a deployment with the specified name.",
        "",
        "Usage:",
        "  kubectl create deployment NAME --image=image -- [COMMAND] [args...] [options]",
    ],
    flags: &[
        val("image", None).completes(Values::Images),
        val("replicas", Some('r')),
        val("port", None),
        val("dry-run", None),
        val("output", Some('o')).completes(Values::Formats(FORMATS)),
        boolean("save-config", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(create_deployment),
    subcommands: &[],
};

static CREATE_NAMESPACE: Command = Command {
    name: "create namespace",
    help: &[
        "Create a namespace with the specified name.",
        "",
        "Usage:",
        "  kubectl create namespace NAME [--dry-run=server|client|none] [options]",
    ],
    flags: &[
        val("dry-run", None),
        val("output", Some('o')).completes(Values::Formats(FORMATS)),
        boolean("save-config", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(create_namespace),
    subcommands: &[],
};

pub(super) static EXPOSE: Command = Command {
    name: "expose",
    help: &[
        "Expose a resource as a new Kubernetes service.",
        "",
        "Usage:",
        "  kubectl expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type] [options]",
    ],
    flags: &[
        val("port", None),
        val("target-port", None),
        val("type", None),
        val("name", None),
        val("protocol", None),
        val("selector", None),
        val("node-port", None),
        val("dry-run", None),
        val("output", Some('o')).completes(Values::Formats(FORMATS)),
        val("cluster-ip", None),
    ],
    args: Args::TypesOf(&["deployments", "pods", "services"]),
    run: Run::Handler(expose),
    subcommands: &[],
};

pub(super) fn read_files<'a>(
    term: &'a Terminal,
    p: &Parsed,
    sub: &str,
) -> Result<Vec<(&'a str, &'a str)>, Reply> {
    let files = p.all("filename");
    if files.is_empty() {
        return Err(Reply::error("error: must specify one of -f and -k"));
    }
    let (name, text) = term.file();
    let mut out = Vec::new();
    for f in files {
        if f == "-" {
            return Err(Reply::fail(
                vec![Line::note(format!(
                    "`kubectl {sub} -f -` reads stdin, which svclab does not simulate; save the manifest in the editor as {name} and use `-f {name}`"
                ))],
                1,
            ));
        }
        if f.starts_with("http://") || f.starts_with("https://") {
            return Err(Reply::fail(
                vec![Line::note(
                    "svclab has no internet; paste the manifest into the editor instead",
                )],
                1,
            ));
        }
        let trimmed = f.strip_prefix("./").unwrap_or(f);
        if trimmed != name && f != "." {
            return Err(Reply::error(format!(
                "error: the path \"{f}\" does not exist"
            )));
        }
        out.push((name, text));
    }
    Ok(out)
}

pub(super) fn apply(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&APPLY, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !p.args.is_empty() {
        return usage_error("apply", &format!("Unexpected args: [{}]", p.args.join(" ")));
    }
    if p.has("kustomize") && !p.has("filename") {
        return Reply::note("kustomize (-k) is not simulated; use -f with the editor's file");
    }
    let files = match read_files(term, &p, "apply") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mut lines = Vec::new();
    if let Some(ns) = p.get("namespace") {
        if ns != "default" {
            lines.push(Line::note(format!(
                "-n {ns} is not passed to apply in svclab: objects without metadata.namespace go to \"default\"; set metadata.namespace in the manifest"
            )));
        }
    }
    if p.has("dry-run") {
        return Reply::note("--dry-run is not simulated; nothing was applied");
    }
    let mut status = 0;
    for (name, text) in files {
        let text = text.to_string();
        let name = name.to_string();
        // Each object on its own, as kubectl applies them: what went in, then the errors.
        let (applied, errors) = cluster.apply_each(&text, &name);
        let objects = manifest_objects(&text, &name).unwrap_or_default();
        for a in &applied {
            lines.extend(warnings(cluster, &objects, a).into_iter().map(Line::err));
            lines.push(Line::out(a.to_string()));
        }
        if !errors.is_empty() {
            status = 1;
        }
        for e in errors {
            lines.extend(crate::shell::text_lines(&e.message, Stream::Stderr));
        }
    }
    let mut r = Reply::lines(lines);
    r.status = status;
    r
}

/// What the API server warns about while `kubectl apply` reads and writes `applied`: every
/// request to a deprecated type (v1 Endpoints), and a Service with `spec.externalIPs` created
/// or changed.
fn warnings(
    cluster: &Cluster,
    objects: &[(Kind, String, String)],
    applied: &Applied,
) -> Vec<String> {
    if let Some(d) = applied.kind.resource_type().deprecated {
        return vec![super::warning(d)];
    }
    match applied.kind {
        Kind::Service if applied.change != Change::Unchanged => {
            let external = objects
                .iter()
                .filter(|(k, _, n)| *k == Kind::Service && *n == applied.name)
                .any(|(_, ns, n)| {
                    cluster
                        .services()
                        .get(&crate::model::ObjectKey::new(ns, n))
                        .is_some_and(|s| !s.spec.external_ips.is_empty())
                });
            if external {
                vec![super::warning(super::EXTERNAL_IPS_DEPRECATED)]
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

/// One object from the editor's file: its kind for `Action::Delete`, namespace and name.
pub(super) fn manifest_objects(
    text: &str,
    file: &str,
) -> Result<Vec<(Kind, String, String)>, Vec<String>> {
    let docs = crate::manifest::parse(text, file)
        .map_err(|errors| errors.into_iter().map(|e| e.message).collect::<Vec<_>>())?;
    Ok(docs
        .into_iter()
        .map(|d| {
            let obj = d.object;
            let kind = obj.kind();
            let meta = obj.meta();
            let ns = if meta.namespace.is_empty() && kind.namespaced() {
                "default".to_string()
            } else {
                meta.namespace.clone()
            };
            (kind, ns, meta.name.clone())
        })
        .collect())
}

/// `kubectl create -f FILE`, or `create deploy|ns` (the subcommands' aliases).
pub(super) fn create(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let aliases: &[(&[&str], &'static Command)] = &[
        (&["deploy"], &CREATE_DEPLOYMENT),
        (&["ns"], &CREATE_NAMESPACE),
    ];
    if let Some((handler, rest)) = alias(&CREATE, args, aliases) {
        return handler(term, cluster, &rest);
    }
    let p = match parse(&CREATE, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.has("filename") {
        let files = match read_files(term, &p, "create") {
            Ok(f) => f,
            Err(r) => return r,
        };
        let (name, text) = (files[0].0.to_string(), files[0].1.to_string());
        let objs = match manifest_objects(&text, &name) {
            Ok(o) => o,
            Err(errors) => {
                return Reply::fail(
                    errors
                        .iter()
                        .flat_map(|e| crate::shell::text_lines(e, Stream::Stderr))
                        .collect(),
                    1,
                )
            }
        };
        let mut lines = Vec::new();
        for (kind, ns, obj) in &objs {
            if get::find(cluster, *kind, ns, obj).is_some() {
                lines.push(Line::err(format!(
                    "Error from server (AlreadyExists): error when creating \"{name}\": {} \"{obj}\" already exists",
                    kind.resource()
                )));
            }
        }
        if !lines.is_empty() {
            return Reply::fail(lines, 1);
        }
        return match cluster.apply(&text, &name) {
            // `create` reports every object created, even one the manifest names twice.
            Ok(out) => Reply::lines(
                out.into_iter()
                    .flat_map(|a| {
                        let a = Applied {
                            change: Change::Created,
                            ..a
                        };
                        let mut lines: Vec<Line> = warnings(cluster, &objs, &a)
                            .into_iter()
                            .map(Line::err)
                            .collect();
                        lines.push(Line::out(a.to_string()));
                        lines
                    })
                    .collect(),
            ),
            Err(errors) => Reply::fail(
                errors
                    .iter()
                    .flat_map(|e| crate::shell::text_lines(&e.message, Stream::Stderr))
                    .collect(),
                1,
            ),
        };
    }
    let Some(what) = p.args.first() else {
        return Reply::fail(vec![Line::err("error: must specify one of -f and -k")], 1);
    };
    Reply::note(format!(
        "`kubectl create {what}` is not simulated; write the object in the editor and `kubectl apply -f` it"
    ))
}

fn create_namespace(_term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&CREATE_NAMESPACE, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(name) = p.args.first() else {
        return usage_error("create namespace", "exactly one NAME is required, got 0");
    };
    if cluster.namespaces().contains_key(name) {
        return Reply::error(format!(
            "Error from server (AlreadyExists): namespaces \"{name}\" already exists"
        ));
    }
    let manifest = format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n");
    apply_generated(cluster, &manifest, "namespace", name)
}

fn create_deployment(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&CREATE_DEPLOYMENT, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ns = namespace(term, &p);
    let Some(name) = p.args.first() else {
        return usage_error("create deployment", "exactly one NAME is required, got 0");
    };
    let Some(image) = p.get("image") else {
        return Reply::error("error: required flag(s) \"image\" not set");
    };
    let replicas = p.get("replicas").unwrap_or("1");
    let Ok(replicas) = replicas.parse::<i64>() else {
        return flag_error(
                    "create deployment",
                    &format!("invalid argument \"{replicas}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{replicas}\": invalid syntax"),
                );
    };
    if get::find(cluster, Kind::Deployment, &ns, name).is_some() {
        return Reply::error(format!(
            "error: failed to create deployment: deployments.apps \"{name}\" already exists"
        ));
    }
    let container = image
        .rsplit('/')
        .next()
        .unwrap_or(image)
        .split([':', '@'])
        .next()
        .unwrap_or("app")
        .to_string();
    let ports = match p.get("port") {
        Some(port) => format!("        ports:\n        - containerPort: {port}\n"),
        None => String::new(),
    };
    let manifest = format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels:\n    app: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: {container}\n        image: {image}\n{ports}"
            );
    apply_generated(cluster, &manifest, "deployment.apps", name)
}

pub(super) fn apply_generated(
    cluster: &mut Cluster,
    manifest: &str,
    prefix: &str,
    name: &str,
) -> Reply {
    match cluster.apply(manifest, "STDIN") {
        Ok(_) => Reply::out(format!("{prefix}/{name} created")),
        Err(errors) => Reply::fail(
            errors
                .iter()
                .flat_map(|e| crate::shell::text_lines(&e.message, Stream::Stderr))
                .collect(),
            1,
        ),
    }
}

pub(super) fn expose(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&EXPOSE, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let t = match targets(&p.args, false) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some((kind, name)) = t.names.first().cloned() else {
        return no_resources_given();
    };
    let ns = namespace(term, &p);
    let (selector, ports): (Labels, Vec<i64>) = match get::find(cluster, kind, &ns, &name) {
        Some(Item::Deployment(d)) => (
            d.spec.selector.match_labels.clone(),
            d.spec
                .template
                .spec
                .containers
                .iter()
                .flat_map(|c| c.ports.iter().map(|p| p.container_port))
                .collect(),
        ),
        Some(Item::Pod(pd)) => (
            pd.meta.labels.clone(),
            pd.spec
                .containers
                .iter()
                .flat_map(|c| c.ports.iter().map(|p| p.container_port))
                .collect(),
        ),
        Some(Item::Service(s)) => (
            s.spec.selector.clone().unwrap_or_default(),
            s.spec.ports.iter().map(|p| p.port).collect(),
        ),
        Some(_) => return Reply::error(format!("error: cannot expose a {}", kind.name())),
        None => return Reply::fail(vec![not_found(kind, &name)], 1),
    };
    let port = match p
        .get("port")
        .map(str::to_string)
        .or_else(|| ports.first().map(i64::to_string))
    {
        Some(port) => port,
        None => return Reply::error("error: couldn't find port via --port flag or introspection"),
    };
    if selector.is_empty() {
        return Reply::error(format!("error: couldn't retrieve selectors via --selector flag or introspection: the {} has no labels", kind.name()));
    }
    let svc_name = p.get("name").unwrap_or(&name).to_string();
    if cluster
        .services()
        .contains_key(&ObjectKey::new(&ns, &svc_name))
    {
        return Reply::error(format!(
            "Error from server (AlreadyExists): services \"{svc_name}\" already exists"
        ));
    }
    let ty = p.get("type").unwrap_or("ClusterIP");
    let mut manifest = format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {svc_name}\n  namespace: {ns}\nspec:\n  type: {ty}\n  selector:\n");
    for (k, v) in &selector {
        manifest.push_str(&format!("    {k}: \"{v}\"\n"));
    }
    manifest.push_str(&format!(
        "  ports:\n  - port: {port}\n    protocol: {}\n",
        p.get("protocol").unwrap_or("TCP")
    ));
    if let Some(tp) = p.get("target-port") {
        manifest.push_str(&format!("    targetPort: {tp}\n"));
    }
    if let Some(np) = p.get("node-port") {
        manifest.push_str(&format!("    nodePort: {np}\n"));
    }
    match cluster.apply(&manifest, "STDIN") {
        Ok(_) => Reply::out(format!("service/{svc_name} exposed")),
        Err(errors) => Reply::fail(
            errors
                .iter()
                .flat_map(|e| crate::shell::text_lines(&e.message, Stream::Stderr))
                .collect(),
            1,
        ),
    }
}
