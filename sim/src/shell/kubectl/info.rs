//! Commands about the cluster rather than its objects: `version`, `cluster-info`, `config`,
//! `api-resources`, `top`.

use crate::cluster::Cluster;
use crate::shell::flags::{boolean, val, Values};
use crate::shell::table;
use crate::shell::{Line, Reply, Terminal};
use crate::version;

use super::command::{Args, Command, Run};
use super::{alias, parse, usage_error};

pub(super) static VERSION: Command = Command {
    name: "version",
    help: &[
        "Print the client and server version information for the current context.",
        "",
        "Usage:",
        "  kubectl version [flags] [options]",
    ],
    flags: &[
        boolean("client", None),
        val("output", Some('o')).completes(Values::Formats(&["json", "yaml"])),
    ],
    args: Args::Nothing,
    run: Run::Handler(version),
    subcommands: &[],
};

pub(super) static CLUSTER_INFO: Command = Command {
    name: "cluster-info",
    help: &[
        "Display addresses of the control plane and services with label kubernetes.io/cluster-service=true.",
        "",
        "Usage:",
        "  kubectl cluster-info [flags] [options]",
    ],
    flags: &[],
    args: Args::Nothing,
    run: Run::Handler(cluster_info),
    subcommands: &[],
};

pub(super) static CONFIG: Command = Command {
    name: "config",
    help: &[
        "Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\".",
        "",
        "Usage:",
        "  kubectl config SUBCOMMAND [options]",
    ],
    flags: &[],
    args: Args::Nothing,
    run: Run::Handler(config),
    subcommands: &[
        &CONFIG_CURRENT_CONTEXT,
        &CONFIG_GET_CONTEXTS,
        &CONFIG_SET_CONTEXT,
        &CONFIG_USE_CONTEXT,
        &CONFIG_VIEW,
    ],
};

static CONFIG_CURRENT_CONTEXT: Command = Command {
    name: "config current-context",
    help: &[
        "Display the current-context.",
        "",
        "Usage:",
        "  kubectl config current-context [options]",
    ],
    flags: &[],
    args: Args::Nothing,
    run: Run::Handler(config_current_context),
    subcommands: &[],
};

static CONFIG_GET_CONTEXTS: Command = Command {
    name: "config get-contexts",
    help: &[
        "Display one or many contexts from the kubeconfig file.",
        "",
        "Usage:",
        "  kubectl config get-contexts [(-o|--output=)name)] [options]",
    ],
    flags: &[
        val("output", Some('o')).completes(Values::Formats(&["name"])),
        boolean("no-headers", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(config_get_contexts),
    subcommands: &[],
};

static CONFIG_SET_CONTEXT: Command = Command {
    name: "config set-context",
    help: &[
        "Set a context entry in kubeconfig.",
        "",
        "Usage:",
        "  kubectl config set-context [NAME | --current] [--cluster=cluster_nickname] [--user=user_nickname] [--namespace=namespace] [options]",
    ],
    flags: &[boolean("current", None)],
    args: Args::Nothing,
    run: Run::Handler(config_set_context),
    subcommands: &[],
};

static CONFIG_USE_CONTEXT: Command = Command {
    name: "config use-context",
    help: &[
        "Set the current-context in a kubeconfig file.",
        "",
        "Usage:",
        "  kubectl config use-context CONTEXT_NAME [options]",
    ],
    flags: &[],
    args: Args::Words(&["kind-kind"]),
    run: Run::Handler(config_use_context),
    subcommands: &[],
};

static CONFIG_VIEW: Command = Command {
    name: "config view",
    help: &[
        "Display merged kubeconfig settings or a specified kubeconfig file.",
        "",
        "Usage:",
        "  kubectl config view [flags] [options]",
    ],
    flags: &[
        boolean("minify", None),
        boolean("raw", None),
        val("output", Some('o')).completes(Values::Formats(&["json", "yaml"])),
    ],
    args: Args::Nothing,
    run: Run::Handler(config_view),
    subcommands: &[],
};

pub(super) static API_RESOURCES: Command = Command {
    name: "api-resources",
    help: &[
        "Print the supported API resources on the server.",
        "",
        "Usage:",
        "  kubectl api-resources [flags] [options]",
    ],
    flags: &[
        val("namespaced", None),
        val("output", Some('o')).completes(Values::Formats(&["name", "wide"])),
        val("api-group", None),
        boolean("no-headers", None),
        val("verbs", None),
        val("sort-by", None),
        boolean("cached", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(api_resources),
    subcommands: &[],
};

pub(super) static TOP: Command = Command {
    name: "top",
    help: &[
        "Display resource (CPU/memory) usage.",
        "",
        "Usage:",
        "  kubectl top [flags] [options]",
    ],
    flags: &[],
    args: Args::Nothing,
    run: Run::Handler(top),
    subcommands: &[&TOP_NODE, &TOP_POD],
};

static TOP_NODE: Command = Command {
    name: "top node",
    help: &[
        "Display resource (CPU/memory) usage of nodes.",
        "",
        "Usage:",
        "  kubectl top node [NAME | -l label] [options]",
    ],
    flags: &[
        val("selector", Some('l')).completes(Values::Labels),
        boolean("no-headers", None),
        val("sort-by", None),
        boolean("show-capacity", None),
        boolean("use-protocol-buffers", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(top_node),
    subcommands: &[],
};

static TOP_POD: Command = Command {
    name: "top pod",
    help: &[
        "Display resource (CPU/memory) usage of pods.",
        "",
        "Usage:",
        "  kubectl top pod [NAME | -l label] [options]",
    ],
    flags: &[
        boolean("all-namespaces", Some('A')),
        boolean("containers", None),
        val("selector", Some('l')).completes(Values::Labels),
        val("field-selector", None),
        boolean("no-headers", None),
        val("sort-by", None),
        boolean("sum", None),
        boolean("use-protocol-buffers", None),
    ],
    args: Args::Nothing,
    run: Run::Handler(top_pod),
    subcommands: &[],
};

pub(super) fn version(_term: &mut Terminal, _cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&VERSION, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut lines = vec![
        Line::out(format!("Client Version: {}", version::KUBERNETES)),
        Line::out(format!("Kustomize Version: {}", version::KUSTOMIZE)),
    ];
    if !p.on("client") {
        lines.push(Line::out(format!(
            "Server Version: {}",
            version::KUBERNETES
        )));
    }
    if p.has("output") {
        lines.push(Line::note("-o is not simulated for version"));
    }
    Reply::lines(lines)
}

/// The host port kind maps to the API server (random in real kind; fixed here).
pub(super) const API_PORT: u16 = 40631;

pub(super) fn cluster_info(_term: &mut Terminal, _cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&CLUSTER_INFO, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.args.first().map(String::as_str) == Some("dump") {
        return Reply::note("`kubectl cluster-info dump` is not simulated");
    }
    Reply::lines(vec![
        Line::out(format!("Kubernetes control plane is running at https://127.0.0.1:{API_PORT}")),
        Line::out(format!(
            "CoreDNS is running at https://127.0.0.1:{API_PORT}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy"
        )),
        Line::out(""),
        Line::out("To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."),
    ])
}

/// `kubectl top`: kind runs no metrics-server.
/// `kubectl top`, or `top pods|po|nodes|no` (the subcommands' aliases).
pub(super) fn top(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    let aliases: &[(&[&str], &'static Command)] =
        &[(&["pods", "po"], &TOP_POD), (&["nodes", "no"], &TOP_NODE)];
    if let Some((handler, rest)) = alias(&TOP, args, aliases) {
        return handler(term, cluster, &rest);
    }
    match parse(&TOP, args) {
        Ok(_) => Reply::error("error: Metrics API not available"),
        Err(r) => r,
    }
}

fn top_node(_term: &mut Terminal, _cluster: &mut Cluster, args: &[String]) -> Reply {
    match parse(&TOP_NODE, args) {
        Ok(_) => Reply::error("error: Metrics API not available"),
        Err(r) => r,
    }
}

fn top_pod(_term: &mut Terminal, _cluster: &mut Cluster, args: &[String]) -> Reply {
    match parse(&TOP_POD, args) {
        Ok(_) => Reply::error("error: Metrics API not available"),
        Err(r) => r,
    }
}

/// `kubectl config` without a subcommand svclab simulates.
pub(super) fn config(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    config_as(&CONFIG, term, cluster, args)
}

fn config_current_context(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    config_as(&CONFIG_CURRENT_CONTEXT, term, cluster, args)
}

fn config_get_contexts(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    config_as(&CONFIG_GET_CONTEXTS, term, cluster, args)
}

fn config_set_context(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    config_as(&CONFIG_SET_CONTEXT, term, cluster, args)
}

fn config_use_context(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    config_as(&CONFIG_USE_CONTEXT, term, cluster, args)
}

fn config_view(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    config_as(&CONFIG_VIEW, term, cluster, args)
}

/// `kubectl config` or one of its subcommands (`command`), its flags parsed against that
/// command's.
fn config_as(
    command: &Command,
    term: &mut Terminal,
    cluster: &mut Cluster,
    args: &[String],
) -> Reply {
    let mut p = match parse(command, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if let Some((_, sub)) = command.name.split_once(' ') {
        p.args.insert(0, sub.to_string());
    }
    match p.args.first().map(String::as_str) {
        Some("current-context") => Reply::out("kind-kind"),
        Some("get-contexts") => {
            let ns = if term.namespace == "default" { String::new() } else { term.namespace.clone() };
            Reply::lines(
                table::render(
                    &["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"],
                    &[vec!["*".into(), "kind-kind".into(), "kind-kind".into(), "kind-kind".into(), ns]],
                )
                .into_iter()
                .map(Line::out)
                .collect(),
            )
        }
        Some("use-context") => match p.args.get(1).map(String::as_str) {
            Some("kind-kind") => Reply::out("Switched to context \"kind-kind\"."),
            Some(other) => Reply::error(format!("error: no context exists with the name: \"{other}\"")),
            None => usage_error("config use-context", "Unexpected args: []"),
        },
        Some("set-context") => {
            let Some(ns) = p.get("namespace") else {
                return Reply::note("only `kubectl config set-context --current --namespace=NS` is simulated");
            };
            if !p.on("current") && p.args.get(1).map(String::as_str) != Some("kind-kind") {
                return Reply::note("only the kind-kind context exists here: use --current");
            }
            term.namespace = ns.to_string();
            let _ = cluster;
            Reply::out("Context \"kind-kind\" modified.")
        }
        Some("view") => Reply::lines(
            [
                "apiVersion: v1",
                "clusters:",
                "- cluster:",
                "    certificate-authority-data: DATA+OMITTED",
                &format!("    server: https://127.0.0.1:{API_PORT}"),
                "  name: kind-kind",
                "contexts:",
                "- context:",
                "    cluster: kind-kind",
                &if term.namespace == "default" {
                    "    user: kind-kind".to_string()
                } else {
                    format!("    namespace: {}\n    user: kind-kind", term.namespace)
                },
                "  name: kind-kind",
                "current-context: kind-kind",
                "kind: Config",
                "preferences: {}",
                "users:",
                "- name: kind-kind",
                "  user:",
                "    client-certificate-data: DATA+OMITTED",
                "    client-key-data: DATA+OMITTED",
            ]
            .iter()
            .flat_map(|l| l.split('\n').map(|x| Line::out(x.to_string())).collect::<Vec<_>>())
            .collect(),
        ),
        Some(other) => Reply::note(format!("`kubectl config {other}` is not simulated")),
        None => Reply::note("kubectl config: try `kubectl config current-context` or `kubectl config set-context --current --namespace=NS`"),
    }
}

pub(super) fn api_resources(
    _term: &mut Terminal,
    _cluster: &mut Cluster,
    args: &[String],
) -> Reply {
    let p = match parse(&API_RESOURCES, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let rows: Vec<Vec<String>> = crate::resource::RESOURCES
        .iter()
        .filter(|r| r.simulated.is_some())
        .filter(|r| {
            p.get("namespaced")
                .is_none_or(|n| n == if r.namespaced { "true" } else { "false" })
        })
        .filter(|r| p.get("api-group").is_none_or(|g| g == r.group()))
        .map(|r| {
            vec![
                r.plural.to_string(),
                r.short_names.join(","),
                r.api_version().to_string(),
                r.namespaced.to_string(),
                r.kind.to_string(),
            ]
        })
        .collect();
    let mut lines: Vec<Line> = table::render(
        &["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
        &rows,
    )
    .into_iter()
    .skip(usize::from(p.on("no-headers")))
    .map(Line::out)
    .collect();
    lines.push(Line::note(
        "only the resources svclab simulates are listed; a real cluster serves about 60",
    ));
    Reply::lines(lines)
}
