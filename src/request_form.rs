//! The request builder's form as plain data: where a request comes from (a pod, a node, the
//! laptop outside), what it names, the port and the tool, checked into a sim [`Request`] or a
//! message per field; the choices offered (pods grouped by namespace, the nodes, outside; each
//! Service's names and addresses, pod IPs); and the text kept in localStorage. The tools a
//! client has and the command line a request stands for come from the sim
//! ([`client_tools`], [`Request::command_line`]). Tested natively.

use svclab_sim::cluster::Cluster;
use svclab_sim::model::{ObjectKey, ServiceType};
use svclab_sim::shell::client_tools;
use svclab_sim::trace::{Client, Request, Tool};

use crate::seed;

/// The `From` value of the client outside the cluster.
pub const OUTSIDE: &str = "outside";
/// The counts a request can be sent with at once.
pub const COUNTS: [u32; 3] = [1, 10, 100];
/// Every tool, in the order the builder lists them.
pub const TOOLS: [Tool; 4] = [Tool::Curl, Tool::Wget, Tool::Nslookup, Tool::NcUdp];

/// The datagram the builder's `nc -u` sends: agnhost netexec's `hostname` command (its answer
/// names the pod that got it), as `echo hostname` writes it. The terminal sends any text.
pub const NC_DATAGRAM: &str = "hostname\n";

/// What the builder's fields hold, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// `pod:NAMESPACE/NAME`, `node:NAME` or [`OUTSIDE`].
    pub from: String,
    /// A host: a Service name in any of its forms, an IP, or `IP:PORT`.
    pub to: String,
    pub port: String,
    pub tool: Tool,
    pub count: u32,
}

impl Default for Form {
    /// The seed's request: `wget -qO- http://backend-service` from pod `test`.
    fn default() -> Form {
        Form {
            from: from_value(&Client::Pod(ObjectKey::new(
                seed::CLIENT_NAMESPACE,
                seed::CLIENT_NAME,
            ))),
            to: "backend-service".into(),
            port: "80".into(),
            tool: Tool::Wget,
            count: 1,
        }
    }
}

pub fn tool_name(tool: Tool) -> &'static str {
    match tool {
        Tool::Curl => "curl",
        Tool::Wget => "wget",
        Tool::Nslookup => "nslookup",
        Tool::NcUdp => "nc -u",
    }
}

pub fn parse_tool(name: &str) -> Option<Tool> {
    TOOLS.into_iter().find(|t| tool_name(*t) == name)
}

/// The `From` value standing for `client`.
pub fn from_value(client: &Client) -> String {
    match client {
        Client::Pod(key) => format!("pod:{}/{}", key.namespace, key.name),
        Client::Node(node) => format!("node:{node}"),
        Client::External => OUTSIDE.into(),
    }
}

/// The client a `From` value stands for.
pub fn parse_from(value: &str) -> Option<Client> {
    if value == OUTSIDE {
        return Some(Client::External);
    }
    if let Some(node) = value.strip_prefix("node:") {
        return (!node.is_empty()).then(|| Client::Node(node.to_string()));
    }
    let (namespace, name) = value.strip_prefix("pod:")?.split_once('/')?;
    (!namespace.is_empty() && !name.is_empty())
        .then(|| Client::Pod(ObjectKey::new(namespace, name)))
}

/// One `<optgroup>` of the `From` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceGroup {
    pub label: String,
    /// `(value, label)`.
    pub options: Vec<(String, String)>,
}

/// What a request can come from: the pods of each namespace (host-network pods are their node),
/// each node, and the laptop outside.
pub fn sources(cluster: &Cluster) -> Vec<SourceGroup> {
    let mut groups: Vec<SourceGroup> = Vec::new();
    for pod in cluster.pods().values().filter(|p| !p.spec.host_network) {
        let label = format!("Pods in {}", pod.meta.namespace);
        if groups.last().is_none_or(|g| g.label != label) {
            groups.push(SourceGroup {
                label,
                options: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            group
                .options
                .push((from_value(&Client::Pod(pod.key())), pod.meta.name.clone()));
        }
    }
    groups.push(SourceGroup {
        label: "Nodes".into(),
        options: cluster
            .nodes()
            .iter()
            .map(|n| {
                (
                    from_value(&Client::Node(n.meta.name.clone())),
                    format!("node {}", n.meta.name),
                )
            })
            .collect(),
    });
    groups.push(SourceGroup {
        label: "Outside".into(),
        options: vec![(OUTSIDE.into(), "outside the cluster".into())],
    });
    groups
}

/// A `To` suggestion: what is typed, what it is, and the port it implies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// `backend-service`, `backend-service.default.svc.cluster.local`, `10.96.23.157`,
    /// `172.18.0.3:30080`.
    pub value: String,
    /// `Service default/backend-service, FQDN`.
    pub note: String,
    /// The Service's first port, for a name or ClusterIP.
    pub port: Option<u16>,
}

/// What `client` can name: for each Service its short name (from a pod of its namespace),
/// `name.namespace`, FQDN and ClusterIP (from pods and nodes, which have the cluster's routes;
/// only pods have its DNS), its node ports on each node's IP and its LoadBalancer IP (from
/// anywhere), then the pods' IPs (not from outside: the pod network is not routed there).
pub fn suggestions(cluster: &Cluster, client: &Client) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let from_pod = match client {
        Client::Pod(key) => Some(key.namespace.as_str()),
        _ => None,
    };
    let inside = !matches!(client, Client::External);
    let worker_ips: Vec<String> = cluster
        .nodes()
        .iter()
        .map(|n| n.internal_ip.to_string())
        .collect();
    for svc in cluster.services().values() {
        let key = svc.key();
        let port = svc
            .spec
            .ports
            .first()
            .and_then(|p| u16::try_from(p.port).ok());
        let about = |what: &str| format!("Service {key}, {what}");
        let mut add = |value: String, note: String, port: Option<u16>| {
            out.push(Suggestion { value, note, port })
        };
        if let Some(namespace) = from_pod {
            if namespace == key.namespace {
                add(key.name.clone(), about("short name"), port);
            }
            add(
                format!("{}.{}", key.name, key.namespace),
                about("name.namespace"),
                port,
            );
            add(
                format!("{}.{}.svc.cluster.local", key.name, key.namespace),
                about("FQDN"),
                port,
            );
        }
        if inside {
            if let Some(ip) = svc.spec.cluster_ip.ip() {
                add(ip.to_string(), about("ClusterIP"), port);
            }
        }
        if matches!(
            svc.spec.type_,
            ServiceType::NodePort | ServiceType::LoadBalancer
        ) {
            for p in &svc.spec.ports {
                let Some(node_port) = p.node_port else {
                    continue;
                };
                for ip in &worker_ips {
                    add(format!("{ip}:{node_port}"), about("nodeIP:nodePort"), None);
                }
            }
        }
        if let Some(ip) = svc.status.load_balancer_ip {
            for p in &svc.spec.ports {
                add(format!("{ip}:{}", p.port), about("LoadBalancer IP"), None);
            }
        }
    }
    if inside {
        for pod in cluster.pods().values().filter(|p| !p.spec.host_network) {
            if let Some(ip) = pod.status.pod_ip {
                let port = pod
                    .spec
                    .containers
                    .first()
                    .and_then(|c| c.ports.first())
                    .and_then(|p| u16::try_from(p.container_port).ok());
                out.push(Suggestion {
                    value: ip.to_string(),
                    note: format!("pod {}", pod.key()),
                    port,
                });
            }
        }
    }
    out
}

/// The most suggestions the To field lists at once: a list of thousands (four names for each
/// of 500 Services) is no help to pick from, and its options cost a tenth of a second to make.
pub const LISTED: usize = 50;

/// The suggestions the To field lists for what is typed: the first [`LISTED`] whose value
/// holds it (in any case), in the order [`suggestions`] gives.
pub fn listed(hints: &[Suggestion], typed: &str) -> Vec<Suggestion> {
    // Names and addresses are ASCII (DNS-1123, IPs): ASCII case folding is enough.
    let typed = typed.trim().to_ascii_lowercase();
    hints
        .iter()
        .filter(|s| s.value.to_ascii_lowercase().contains(&typed))
        .take(LISTED)
        .cloned()
        .collect()
}

/// `172.18.0.3:30080` as the host and its port; anything else as it is.
pub fn split_host_port(to: &str) -> (&str, Option<&str>) {
    match to.rsplit_once(':') {
        Some((host, port))
            if !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (host, Some(port))
        }
        _ => (to, None),
    }
}

/// The builder's fields, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    From,
    To,
    Port,
    Tool,
}

/// What is wrong with one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub field: Field,
    pub message: String,
}

fn problem(field: Field, message: impl Into<String>) -> Problem {
    Problem {
        field,
        message: message.into(),
    }
}

/// How the builder names a client in messages.
fn client_name(client: &Client) -> String {
    match client {
        Client::Pod(key) => format!("pod {}", key.name),
        Client::Node(node) => format!("node {node}"),
        Client::External => "the laptop outside the cluster".into(),
    }
}

/// What the tool is given: `http://HOST[:PORT]` for wget, `HOST[:PORT]` for curl (port 80 left
/// out, as the learner would), the host alone for nslookup, `HOST PORT` for nc.
pub fn target(tool: Tool, host: &str, port: u16) -> String {
    match (tool, port) {
        (Tool::Nslookup, _) => host.to_string(),
        (Tool::NcUdp, p) => format!("{host} {p}"),
        (Tool::Wget, 80) => format!("http://{host}"),
        (Tool::Wget, p) => format!("http://{host}:{p}"),
        (Tool::Curl, 80) => host.to_string(),
        (Tool::Curl, p) => format!("{host}:{p}"),
    }
}

/// The request the form stands for, or what is wrong with each field. A port typed in `To`
/// (`172.18.0.3:30080`) wins over the `Port` field.
pub fn build(cluster: &Cluster, form: &Form) -> Result<Request, Vec<Problem>> {
    let mut problems = Vec::new();
    let client = parse_from(&form.from);
    match &client {
        None => problems.push(problem(Field::From, "Choose where the request comes from.")),
        Some(Client::Pod(key)) if !cluster.pods().contains_key(key) => problems.push(problem(
            Field::From,
            format!("No pod {} in namespace {}.", key.name, key.namespace),
        )),
        Some(Client::Node(node)) if !cluster.nodes().iter().any(|n| n.meta.name == *node) => {
            problems.push(problem(Field::From, format!("No node {node}.")))
        }
        Some(c) => {
            let tools = client_tools(cluster, c);
            if !tools.contains(&form.tool) {
                let names: Vec<&str> = tools.iter().map(|t| tool_name(*t)).collect();
                let choices = match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        [rest.join(", ").as_str(), " or ", last].concat()
                    }
                    _ => names.concat(),
                };
                problems.push(problem(
                    Field::Tool,
                    format!(
                        "{} has no {}: use {choices}.",
                        client_name(c),
                        tool_name(form.tool),
                    ),
                ));
            }
        }
    }
    let to = form.to.trim();
    let (host, typed_port) = split_host_port(to);
    if to.is_empty() {
        problems.push(problem(
            Field::To,
            "Type a Service name, an IP, or nodeIP:nodePort.",
        ));
    } else if host.contains("://") || host.contains('/') {
        problems.push(problem(
            Field::To,
            "Type the host only (no http://, no path).",
        ));
    } else if host.len() > 253
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
    {
        problems.push(problem(
            Field::To,
            format!("{host:?} is not a host name or an IPv4 address."),
        ));
    }
    let port = if form.tool == Tool::Nslookup {
        Some(53)
    } else {
        let typed = typed_port.unwrap_or(form.port.trim());
        match typed.parse::<u32>() {
            Ok(p @ 1..=65535) => u16::try_from(p).ok(),
            _ => {
                problems.push(problem(
                    Field::Port,
                    "The port must be a number from 1 to 65535.",
                ));
                None
            }
        }
    };
    match (client, port) {
        (Some(client), Some(port)) if problems.is_empty() => Ok(Request {
            payload: if form.tool == Tool::NcUdp {
                NC_DATAGRAM.into()
            } else {
                String::new()
            },
            client,
            tool: form.tool,
            target: target(form.tool, host, port),
        }),
        _ => Err(problems),
    }
}

/// The tool to keep when the client changes: the chosen one if the client has it, else its first.
pub fn fitting_tool(tools: &[Tool], current: Tool) -> Tool {
    if tools.contains(&current) {
        current
    } else {
        tools.first().copied().unwrap_or(current)
    }
}

/// The form as localStorage keeps it: one `field=value` line each.
pub fn encode(form: &Form) -> String {
    format!(
        "from={}\nto={}\nport={}\ntool={}\ncount={}\n",
        form.from,
        form.to.replace('\n', " "),
        form.port.replace('\n', " "),
        tool_name(form.tool),
        form.count
    )
}

/// A kept form; fields missing or unreadable keep the seed's.
pub fn decode(text: &str) -> Form {
    let mut form = Form::default();
    for line in text.lines() {
        let Some((field, value)) = line.split_once('=') else {
            continue;
        };
        match field {
            "from" if parse_from(value).is_some() => form.from = value.to_string(),
            "to" => form.to = value.to_string(),
            "port" => form.port = value.to_string(),
            "tool" => form.tool = parse_tool(value).unwrap_or(form.tool),
            "count" => {
                form.count = value
                    .parse()
                    .ok()
                    .filter(|c| COUNTS.contains(c))
                    .unwrap_or(1)
            }
            _ => {}
        }
    }
    form
}

#[cfg(test)]
mod tests {
    use super::*;
    use svclab_sim::action::Action;
    use svclab_sim::cluster::Config;
    use svclab_sim::time::SECOND;

    fn seeded() -> Cluster {
        let mut c = Cluster::new(Config::default());
        let _ = c.act(seed::run_client());
        c.apply(seed::SEED_MANIFEST, seed::SEED_FILENAME).unwrap();
        c.advance(10 * SECOND);
        c
    }

    fn messages(r: Result<Request, Vec<Problem>>) -> Vec<(Field, String)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.field, p.message))
            .collect()
    }

    #[test]
    fn the_default_form_is_the_seeds_request() {
        let c = seeded();
        assert_eq!(build(&c, &Form::default()), Ok(seed::request()));
        assert_eq!(
            seed::request().command_line(),
            "kubectl exec test -- wget -qO- http://backend-service"
        );
    }

    #[test]
    fn targets_follow_each_tools_syntax() {
        assert_eq!(
            target(Tool::Wget, "backend-service.default", 80),
            "http://backend-service.default"
        );
        assert_eq!(target(Tool::Wget, "10.96.0.1", 443), "http://10.96.0.1:443");
        assert_eq!(target(Tool::Curl, "172.18.0.3", 30080), "172.18.0.3:30080");
        assert_eq!(target(Tool::Curl, "web", 80), "web");
        assert_eq!(target(Tool::Nslookup, "web", 80), "web");
        assert_eq!(target(Tool::NcUdp, "udp-echo", 5005), "udp-echo 5005");
    }

    #[test]
    fn a_port_typed_in_to_wins_and_nodes_and_outside_send_with_curl() {
        let c = seeded();
        let node_ip = c.nodes()[1].internal_ip;
        let form = Form {
            from: OUTSIDE.into(),
            to: format!("{node_ip}:30080"),
            port: "80".into(),
            tool: Tool::Curl,
            count: 1,
        };
        let r = build(&c, &form).unwrap();
        assert_eq!(r.target, format!("{node_ip}:30080"));
        assert_eq!(r.command_line(), format!("curl {node_ip}:30080"));
        let on_node = Form {
            from: "node:kind-worker".into(),
            ..form
        };
        assert_eq!(
            build(&c, &on_node).unwrap().command_line(),
            format!("docker exec kind-worker curl {node_ip}:30080")
        );
    }

    #[test]
    fn bad_input_is_named_beside_its_field() {
        let c = seeded();
        let base = Form::default();
        let bad = |f: Form| messages(build(&c, &f));
        assert_eq!(
            bad(Form {
                from: "pod:default/nobody".into(),
                ..base.clone()
            }),
            [(Field::From, "No pod nobody in namespace default.".into())]
        );
        assert_eq!(
            bad(Form {
                to: "  ".into(),
                ..base.clone()
            }),
            [(
                Field::To,
                "Type a Service name, an IP, or nodeIP:nodePort.".into()
            )]
        );
        for port in ["0", "65536", "http", "", "-1", "99999999999"] {
            assert_eq!(
                bad(Form {
                    port: port.into(),
                    ..base.clone()
                }),
                [(
                    Field::Port,
                    "The port must be a number from 1 to 65535.".into()
                )],
                "{port:?}"
            );
        }
        assert_eq!(
            bad(Form {
                to: "http://backend-service/".into(),
                ..base.clone()
            })[0]
                .0,
            Field::To
        );
        assert_eq!(
            bad(Form {
                to: "back end".into(),
                ..base.clone()
            })[0]
                .0,
            Field::To
        );
        assert_eq!(
            bad(Form {
                tool: Tool::Curl,
                ..base.clone()
            }),
            [(
                Field::Tool,
                "pod test has no curl: use wget, nslookup or nc -u.".into()
            )]
        );
        assert_eq!(
            bad(Form {
                from: "node:kind-worker9".into(),
                ..base.clone()
            })[0]
                .0,
            Field::From
        );
        // nslookup needs no port.
        assert!(build(
            &c,
            &Form {
                tool: Tool::Nslookup,
                port: "x".into(),
                ..base
            }
        )
        .is_ok());
    }

    #[test]
    fn sources_group_pods_by_namespace_then_nodes_then_outside() {
        let mut c = seeded();
        c.act(Action::Run {
            namespace: "dev".into(),
            name: "probe".into(),
            image: "busybox".into(),
            command: vec!["sleep".into(), "60".into()],
        })
        .ok();
        let groups = sources(&c);
        let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels.last(), Some(&"Outside"));
        assert!(labels.contains(&"Pods in default"));
        assert!(labels.contains(&"Pods in kube-system"));
        let default = groups
            .iter()
            .find(|g| g.label == "Pods in default")
            .unwrap();
        assert!(default
            .options
            .contains(&("pod:default/test".into(), "test".into())));
        let nodes = groups.iter().find(|g| g.label == "Nodes").unwrap();
        assert_eq!(nodes.options.len(), c.nodes().len());
        // kube-proxy runs in the node's network: the node stands for it.
        assert!(!groups
            .iter()
            .flat_map(|g| &g.options)
            .any(|(_, l)| l.starts_with("kube-proxy")));
    }

    #[test]
    fn suggestions_are_what_the_client_can_reach() {
        let c = seeded();
        let svc = &c.services()[&ObjectKey::new("default", "backend-service")];
        let ip = svc.spec.cluster_ip.ip().unwrap().to_string();
        let from_test = suggestions(&c, &Client::Pod(ObjectKey::new("default", "test")));
        let values: Vec<&str> = from_test.iter().map(|s| s.value.as_str()).collect();
        for v in [
            "backend-service",
            "backend-service.default",
            "backend-service.default.svc.cluster.local",
            ip.as_str(),
            "kube-dns.kube-system",
        ] {
            assert!(values.contains(&v), "{v} in {values:?}");
        }
        // kube-dns is in another namespace: no short name from default.
        assert!(!values.contains(&"kube-dns"));
        assert!(from_test.iter().any(|s| s.note.starts_with("pod ")));
        let from_node = suggestions(&c, &Client::Node("kind-worker".into()));
        assert!(from_node
            .iter()
            .all(|s| !s.value.contains("svc.cluster.local")));
        assert!(from_node.iter().any(|s| s.value == ip));
        let outside = suggestions(&c, &Client::External);
        assert!(outside.iter().all(|s| s.value.contains(':')), "{outside:?}");
    }

    #[test]
    fn the_to_list_holds_what_is_typed_and_no_more_than_fits() {
        let mut c = seeded();
        let services: Vec<String> = (0..120)
            .map(|i| format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: svc{i}\nspec:\n  ports:\n    - port: 80\n"))
            .collect();
        c.apply(&services.join("---\n"), "many.yaml").unwrap();
        let hints = suggestions(&c, &Client::Pod(ObjectKey::new("default", "test")));
        assert!(hints.len() > 4 * 120, "{}", hints.len());
        // Nothing typed: the first LISTED, in order.
        assert_eq!(listed(&hints, ""), hints[..LISTED].to_vec());
        // Typed: every form of the Services whose name holds it, in any case, and only those.
        let found = listed(&hints, " SVC11");
        let values: Vec<&str> = found.iter().map(|s| s.value.as_str()).collect();
        assert!(values.contains(&"svc11"), "{values:?}");
        assert!(
            values.contains(&"svc119.default.svc.cluster.local"),
            "{values:?}"
        );
        assert!(values.iter().all(|v| v.contains("svc11")), "{values:?}");
        // svc11 and svc110 to svc119, three names each from a pod of their namespace.
        assert_eq!(found.len(), 11 * 3);
        let ip = c.services()[&ObjectKey::new("default", "svc7")]
            .spec
            .cluster_ip
            .ip()
            .unwrap()
            .to_string();
        assert!(listed(&hints, &ip).iter().any(|s| s.value == ip));
        assert!(listed(&hints, "no-such-name").is_empty());
    }

    #[test]
    fn the_kept_form_reads_back_and_bad_text_keeps_the_seed() {
        let form = Form {
            from: "node:kind-worker2".into(),
            to: "10.96.0.1".into(),
            port: "443".into(),
            tool: Tool::Curl,
            count: 10,
        };
        assert_eq!(decode(&encode(&form)), form);
        assert_eq!(
            decode("garbage\nfrom=pod:\ncount=7\ntool=ftp"),
            Form::default()
        );
        assert_eq!(fitting_tool(&[Tool::Curl], Tool::Wget), Tool::Curl);
        assert_eq!(
            fitting_tool(&[Tool::Wget, Tool::Nslookup], Tool::Nslookup),
            Tool::Nslookup
        );
        assert_eq!(
            parse_from("pod:dev/probe"),
            Some(Client::Pod(ObjectKey::new("dev", "probe")))
        );
        assert_eq!(
            split_host_port("10.0.0.1:30080"),
            ("10.0.0.1", Some("30080"))
        );
        assert_eq!(split_host_port("web"), ("web", None));
        assert_eq!(split_host_port(":80"), (":80", None));
    }
}
