//! A root shell on a kind node (`docker exec -it kind-worker bash`, or `kubectl debug node/...`):
//! the node's network namespace, where kube-proxy's rules live. `iptables-save` and `iptables -L`
//! print the node's iptables tables (kube-proxy's, the kubelet's and kindnetd's), `ipvsadm -Ln`
//! and `nft` kube-proxy's IPVS and nftables tables; `conntrack -L` the flows routing tracked.

use crate::map::SortedMap;
use std::net::Ipv4Addr;

use crate::cluster::Cluster;
use crate::kube_proxy::iptables::{NodeTables, Tables};
use crate::kube_proxy::nftables::Ruleset;
use crate::kube_proxy::ProxyMode;
use crate::model::Protocol;
use crate::time::{Time, SECOND};
use crate::trace::Client;

use super::builtin::{self, listed, unlisted, Builtin, Call};
use super::{Ctx, Flavor, Line, Location, NodeShell, Reply, Terminal};

pub(crate) fn env(node: &str) -> SortedMap<String, String> {
    let mut env = SortedMap::new();
    env.insert(
        "PATH".into(),
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
    );
    env.insert("HOSTNAME".into(), node.to_string());
    env.insert("HOME".into(), "/root".into());
    env.insert("TERM".into(), "xterm".into());
    env.insert("PWD".into(), "/".into());
    env
}

fn not_found(cmd: &str) -> Reply {
    Reply::fail(
        vec![Line::err(format!("bash: {cmd}: command not found"))],
        127,
    )
}

/// What a root shell on a node runs.
pub(crate) static BUILTINS: &[Builtin<NodeShell>] = &[
    listed("exit", exit),
    unlisted("logout", exit),
    unlisted("bash", shell),
    unlisted("sh", shell),
    listed::<NodeShell>("iptables-save", |_, cluster, n, call| {
        iptables_save(cluster, &n.node, call.args)
    })
    .args(|_, _, _, _, _| ["-t", "nat", "filter", "mangle"].map(String::from).to_vec()),
    listed("iptables", iptables_command).args(iptables_args),
    unlisted("iptables-nft", iptables_command).args(iptables_args),
    unlisted("iptables-legacy", iptables_command).args(iptables_args),
    listed::<NodeShell>("ipvsadm", |_, cluster, n, call| {
        ipvsadm(cluster, &n.node, call.args)
    })
    .args(|_, _, _, _, _| vec!["-Ln".to_string()]),
    listed::<NodeShell>("nft", |_, cluster, n, call| {
        nft(cluster, &n.node, call.args)
    })
    .flags(&["--version"])
    .args(nft_args),
    listed::<NodeShell>("conntrack", |_, cluster, n, call| {
        conntrack(cluster, &n.node, call.args)
    })
    .args(|_, _, _, _, _| vec!["-L".to_string()]),
    listed::<NodeShell>("ip", |_, cluster, n, call| ip(cluster, &n.node, call.args))
        .args(|_, _, _, _, _| ["addr", "route"].map(String::from).to_vec()),
    listed::<NodeShell>("curl", |_, cluster, n, call| {
        super::request::curl(cluster, Client::Node(n.node.clone()), call.args)
    })
    .args(|_, cluster, _, _, _| {
        cluster
            .services()
            .values()
            .filter_map(|s| {
                let port = s.spec.ports.first().map_or(80, |p| p.port);
                s.spec.cluster_ip.ip().map(|ip| format!("{ip}:{port}"))
            })
            .collect()
    }),
    listed("hostname", |_, _, n, _| Reply::out(n.node.clone())),
    listed("cat", cat),
    listed("echo", builtin::echo),
    unlisted("pwd", |_, _, _, _| Reply::out("/")),
    unlisted("whoami", |_, _, _, _| Reply::out("root")),
    unlisted("cd", builtin::nothing),
    unlisted("true", builtin::nothing),
    unlisted(":", builtin::nothing),
    unlisted("export", builtin::nothing),
    unlisted("false", builtin::fail),
    unlisted("env", |_, _, n, _| {
        Reply::lines(
            env(&n.node)
                .into_iter()
                .map(|(k, v)| Line::out(format!("{k}={v}")))
                .collect(),
        )
    }),
    listed("clear", builtin::clear),
    unlisted("kubectl", |_, _, _, _| {
        Reply::fail(
            vec![Line::err("The connection to the server localhost:8080 was refused - did you specify the right host or port?")],
            1,
        )
    }),
    unlisted("crictl", not_simulated),
    unlisted("ps", not_simulated),
    unlisted("top", not_simulated),
    unlisted("ping", not_simulated),
    unlisted("tcpdump", not_simulated),
    unlisted("ss", not_simulated),
    unlisted("netstat", not_simulated),
    unlisted("systemctl", not_simulated),
    unlisted("journalctl", not_simulated),
];

/// Run one command on a node.
pub(crate) fn exec(
    term: &mut Terminal,
    cluster: &mut Cluster,
    n: &NodeShell,
    words: &[String],
) -> Reply {
    let Some(call) = Call::new(words, true) else {
        return Reply::default();
    };
    builtin::run(BUILTINS, term, cluster, n, &call, |call| {
        not_found(call.typed)
    })
}

/// `exit [N]`: leave a nested shell, or the node, with status N or the last command's; bash
/// says a bad number is one and leaves with 2.
fn exit(term: &mut Terminal, _: &mut Cluster, n: &NodeShell, call: &Call) -> Reply {
    // A node's shell is bash: a bad number leaves too.
    let (lines, status) =
        match super::pod::exit_status(term.status, call.args.first(), Flavor::Bash, 0) {
            Ok(leaving) => leaving,
            Err(stays) => return stays,
        };
    let to = if n.depth > 0 {
        let mut outer = n.clone();
        outer.depth -= 1;
        Location::Node(outer)
    } else {
        Location::Host
    };
    Reply {
        lines,
        status,
        goto: Some(Box::new(to)),
        ..Default::default()
    }
}

/// `bash`, `sh`: a nested shell, or `bash -c 'COMMAND'`.
fn shell(term: &mut Terminal, cluster: &mut Cluster, n: &NodeShell, call: &Call) -> Reply {
    if call.args.first().map(String::as_str) == Some("-c") {
        let script = call.args.get(1).map_or("", String::as_str);
        return match super::script_command(script, &env(&n.node), "bash") {
            Ok(super::Script::Pipe(inner, pipe)) => {
                let mut reply = term.exec(cluster, &Ctx::Node(n.clone()), &inner);
                reply.add_pipe(pipe);
                reply
            }
            // A list runs in a shell of its own on the node, then the terminal is back where
            // it was (`docker exec` reports no status line, only `$?`).
            Ok(super::Script::List(list)) => {
                let mut inner = n.clone();
                inner.depth += 1;
                super::Script::run_in(list, Location::Node(inner), false)
            }
            Err(refused) => refused,
        };
    }
    match term.location() {
        Location::Node(_) => {
            let mut inner = n.clone();
            inner.depth += 1;
            Reply {
                goto: Some(Box::new(Location::Node(inner))),
                ..Default::default()
            }
        }
        _ => Reply::default(),
    }
}

fn iptables_command(_: &mut Terminal, cluster: &mut Cluster, n: &NodeShell, call: &Call) -> Reply {
    iptables(cluster, &n.node, call.args)
}

/// `cat` of the few files a node has that a lesson reads.
fn cat(_: &mut Terminal, _: &mut Cluster, n: &NodeShell, call: &Call) -> Reply {
    let mut lines = Vec::new();
    let mut status = 0;
    for a in call.args {
        match a.as_str() {
            "/etc/resolv.conf" => {
                lines.push(Line::out("nameserver 172.18.0.1"));
                lines.push(Line::out("options ndots:0"));
            }
            "/etc/hostname" => lines.push(Line::out(n.node.clone())),
            other => {
                lines.push(Line::err(format!(
                    "cat: {other}: No such file or directory"
                )));
                status = 1;
            }
        }
    }
    Reply::fail(lines, status)
}

fn not_simulated(_: &mut Terminal, _: &mut Cluster, _: &NodeShell, call: &Call) -> Reply {
    Reply::fail(
        vec![Line::note(format!(
            "`{}` is not simulated on nodes; try iptables-save, iptables -t nat -L, ipvsadm -Ln, conntrack -L, ip addr, ip route",
            call.name
        ))],
        1,
    )
}

fn table_arg(args: &[String]) -> Result<Option<String>, Reply> {
    let mut it = args.iter();
    let mut table = None;
    while let Some(a) = it.next() {
        if a == "-t" || a == "--table" {
            match it.next() {
                Some(t) => table = Some(t.clone()),
                None => {
                    return Err(Reply::error(
                        "iptables-save: option requires an argument -- 't'",
                    ))
                }
            }
        } else if let Some(t) = a.strip_prefix("--table=") {
            table = Some(t.to_string());
        } else if let Some(t) = a.strip_prefix("-t").filter(|t| !t.is_empty()) {
            table = Some(t.to_string());
        }
    }
    Ok(table)
}

fn iptables_save(cluster: &mut Cluster, node: &str, args: &[String]) -> Reply {
    let table = match table_arg(args) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let Some(tables) = cluster.node_iptables(node) else {
        return Reply::note("kube-proxy's rules for this node are not available");
    };
    match table.as_deref() {
        None => {
            let mut r = Reply::text(&tables.save_all());
            r.lines.push(Line::note(DOCKER_DNS_NOTE));
            r
        }
        Some(t) => match tables.save(t) {
            Some(text) => Reply::text(&text),
            None if matches!(t, "raw" | "security") => Reply::note(format!(
                "the {t} table has no rules svclab knows of on a kind node; svclab models mangle, filter and nat"
            )),
            None => Reply::fail(
                vec![Line::err(
                    "iptables-save v1.8.11 (nf_tables): Cannot initialize: Table does not exist (do you need to insmod?)",
                )],
                1,
            ),
        },
    }
}

/// What a whole `iptables-save` leaves out of a real kind node's dump.
const DOCKER_DNS_NOTE: &str = "a kind node also has Docker's DNS chains (nat DOCKER_OUTPUT, DOCKER_POSTROUTING); their rules name ports Docker picks when the node starts, so svclab leaves them out";

fn iptables(cluster: &mut Cluster, node: &str, args: &[String]) -> Reply {
    let mut table = "filter".to_string();
    let mut list: Option<Option<String>> = None;
    let mut save_form: Option<Option<String>> = None;
    let mut notes = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        i += 1;
        match a {
            "-t" | "--table" => {
                table = args.get(i).cloned().unwrap_or_default();
                i += 1;
            }
            "-L" | "--list" | "-S" | "--list-rules" => {
                let chain = args.get(i).filter(|c| !c.starts_with('-')).cloned();
                if chain.is_some() {
                    i += 1;
                }
                if a == "-S" || a == "--list-rules" {
                    save_form = Some(chain);
                } else {
                    list = Some(chain);
                }
            }
            "-n" | "--numeric" => {}
            "-v" | "--verbose" | "-x" | "--line-numbers" => {
                notes.push(Line::note(format!(
                    "iptables {a} is not simulated (no packet counters)"
                )));
            }
            "-nL" | "-Ln" => {
                let chain = args.get(i).filter(|c| !c.starts_with('-')).cloned();
                if chain.is_some() {
                    i += 1;
                }
                list = Some(chain);
            }
            "-A" | "-I" | "-D" | "-F" | "-X" | "-N" | "-P" | "-R" | "-Z" | "--append"
            | "--insert" | "--delete" | "--flush" => {
                return Reply::fail(
                    vec![Line::note(
                        "changing rules by hand is not simulated (kube-proxy would rewrite them at its next sync anyway)",
                    )],
                    1,
                );
            }
            s if s.starts_with("-t") && s.len() > 2 => table = s[2..].to_string(),
            _ => {}
        }
    }
    let Some(tables) = cluster.node_iptables(node) else {
        return Reply::note("kube-proxy's rules for this node are not available");
    };
    if tables.table(&table).is_none() {
        if matches!(table.as_str(), "raw" | "security") {
            return Reply::note(format!(
                "the {table} table has no rules svclab knows of on a kind node; svclab models mangle, filter and nat"
            ));
        }
        return Reply::fail(
            vec![
                Line::err(format!(
                    "iptables v1.8.11 (nf_tables): table '{table}' does not exist"
                )),
                Line::err("Perhaps iptables or your kernel needs to be upgraded."),
            ],
            3,
        );
    }
    if let Some(chain) = save_form {
        let Some(saved) = tables.save(&table) else {
            return Reply::default();
        };
        let mut lines = Vec::new();
        for l in saved.lines() {
            if let Some(decl) = l.strip_prefix(':') {
                let mut parts = decl.split_whitespace();
                let name = parts.next().unwrap_or("");
                let policy = parts.next().unwrap_or("-");
                if chain.as_deref().is_some_and(|c| c != name) {
                    continue;
                }
                if policy == "-" {
                    lines.push(Line::out(format!("-N {name}")));
                } else {
                    lines.push(Line::out(format!("-P {name} {policy}")));
                }
            } else if let Some(rule) = l.strip_prefix("-A ") {
                let name = rule.split_whitespace().next().unwrap_or("");
                if chain.as_deref().is_none_or(|c| c == name) {
                    lines.push(Line::out(l));
                }
            }
        }
        if let Some(c) = &chain {
            if lines.is_empty() {
                return Reply::fail(
                    vec![Line::err("iptables: No chain/target/match by that name.")],
                    1,
                );
            }
            let _ = c;
        }
        lines.extend(notes);
        return Reply::lines(lines);
    }
    let Some(chain) = list else {
        return Reply::fail(
            vec![
                Line::err("iptables v1.8.11 (nf_tables): no command specified"),
                Line::err("Try `iptables -h' or 'iptables --help' for more information."),
            ],
            2,
        );
    };
    let text = match &chain {
        Some(c) => match tables.list_chain(&table, c) {
            Some(t) => t,
            None => {
                return Reply::fail(
                    vec![Line::err("iptables: No chain/target/match by that name.")],
                    1,
                )
            }
        },
        None => tables.list(&table).unwrap_or_default(),
    };
    if !args
        .iter()
        .any(|a| a == "-n" || a == "--numeric" || a == "-nL" || a == "-Ln")
    {
        notes.push(Line::note("addresses are shown numerically, as with -n"));
    }
    let mut r = Reply::text(&text);
    r.lines.extend(notes);
    r
}

const IPVS_HEADER: &str = "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

/// `nft`: kube-proxy's `ip kube-proxy` table in nftables mode (`list ruleset`, `list table`,
/// `list chain`, `list set`, `list map`, `list tables`), and `--version`.
fn nft(cluster: &mut Cluster, node: &str, args: &[String]) -> Reply {
    let words: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !matches!(*a, "-a" | "--handle" | "-n" | "--numeric"))
        .collect();
    if matches!(words.as_slice(), ["-v" | "-V" | "--version"]) {
        return Reply::out(format!(
            "nftables {} (Commodore Bullfrog #4)",
            crate::version::NFTABLES
        ));
    }
    let whose = if cluster.proxy_mode() == ProxyMode::Nftables {
        "the kubelet's and kindnetd's"
    } else {
        "kube-proxy's in this mode, the kubelet's and kindnetd's"
    };
    let iptables_note = || {
        Line::note(format!(
            "svclab lists kube-proxy's own table; the tables iptables-nft keeps for iptables rules ({whose}) are shown by iptables-save"
        ))
    };
    // nft underlines the name it could not find.
    let missing = |what: &str, name: &str| {
        let command = format!("list {what} ip {name}");
        let name = name.rsplit(' ').next().unwrap_or(name);
        let caret = " ".repeat(command.len() - name.len()) + &"^".repeat(name.len());
        Reply::fail(
            vec![
                Line::err("Error: No such file or directory"),
                Line::err(command),
                Line::err(caret),
            ],
            1,
        )
    };
    let table = cluster.nftables(node).cloned();
    let kube_proxy = crate::kube_proxy::nftables::TABLE;
    // kube-proxy runs dual-stack whenever the node supports IPv6, as kind's nodes do ("kube-proxy
    // running in dual-stack mode" in its log): nftables.NewDualStackProxier then runs one proxier
    // per family, and the IPv6 one keeps `table ip6 kube-proxy` (cmd/kube-proxy/app/server.go
    // and server_linux.go, kubernetes/kubernetes v1.36). svclab builds the IPv4 table only.
    let ip6_note = || {
        Line::note(format!(
            "kube-proxy also keeps table ip6 {kube_proxy} (it runs dual-stack); svclab does not simulate IPv6, so it is not listed"
        ))
    };
    match words.as_slice() {
        ["list", "ruleset"] => {
            let mut lines = Vec::new();
            if let Some(t) = &table {
                lines.extend(t.list().lines().map(Line::out));
                lines.push(ip6_note());
            }
            lines.push(iptables_note());
            Reply::lines(lines)
        }
        ["list", "tables"] => {
            let mut lines = Vec::new();
            if table.is_some() {
                lines.push(Line::out(format!("table ip {kube_proxy}")));
                lines.push(ip6_note());
            }
            lines.push(iptables_note());
            Reply::lines(lines)
        }
        ["list", "table" | "chain" | "set" | "map", "ip6", t, ..]
            if *t == kube_proxy && table.is_some() =>
        {
            Reply::lines(vec![ip6_note()])
        }
        ["list", "table", rest @ ..] => {
            let name = match rest {
                ["ip", name] | [name] => *name,
                _ => return nft_usage(),
            };
            match &table {
                Some(t) if name == kube_proxy => Reply::text(&t.list()),
                _ => missing("table", name),
            }
        }
        ["list", what @ ("chain" | "set" | "map"), rest @ ..] => {
            let (t, name) = match rest {
                ["ip", t, name] | [t, name] => (*t, *name),
                _ => return nft_usage(),
            };
            let Some(ruleset) = table.filter(|_| t == kube_proxy) else {
                return missing("table", t);
            };
            let text = match *what {
                "chain" => ruleset.list_chain(name),
                other => ruleset.list_set(name, other == "map"),
            };
            match text {
                Some(text) => Reply::text(&text),
                None => missing(what, &format!("{t} {name}")),
            }
        }
        _ => nft_usage(),
    }
}

/// What Tab offers after `iptables`: a table after `-t`, the table's chains after `-L` or `-S`,
/// else the options svclab runs.
fn iptables_args(
    _: &Terminal,
    cluster: &Cluster,
    n: &NodeShell,
    args: &[String],
    _: &str,
) -> Vec<String> {
    match args.last().map(String::as_str) {
        Some("-t") => ["filter", "mangle", "nat"].map(String::from).to_vec(),
        Some("-L" | "-S") => {
            let table = args
                .windows(2)
                .find(|w| w[0] == "-t")
                .map_or("filter", |w| w[1].as_str());
            let Some(info) = cluster.node_info(&n.node) else {
                return Vec::new();
            };
            let proxy = Tables::build(&info, &cluster.service_port_infos());
            NodeTables::new(&proxy, &info, ProxyMode::Iptables)
                .table(table)
                .map(|t| t.chains().iter().map(|c| c.name().to_string()).collect())
                .unwrap_or_default()
        }
        _ => ["-L", "-S", "-n", "-t"].map(String::from).to_vec(),
    }
}

/// What Tab offers after `nft`: the `list` commands svclab runs, then the table, chain, set and
/// map names of the node's kube-proxy table.
fn nft_args(
    _: &Terminal,
    cluster: &Cluster,
    n: &NodeShell,
    args: &[String],
    _: &str,
) -> Vec<String> {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let kube_proxy = crate::kube_proxy::nftables::TABLE;
    let names = |sets: bool, maps: bool| -> Vec<String> {
        if cluster.proxy_mode() != ProxyMode::Nftables {
            return Vec::new();
        }
        let Some(info) = cluster.node_info(&n.node) else {
            return Vec::new();
        };
        let ruleset = Ruleset::build(
            &info,
            &cluster.service_port_infos(),
            crate::ipam::SERVICE_CIDR,
        );
        if !sets && !maps {
            return ruleset
                .chains()
                .iter()
                .map(|c| c.name().to_string())
                .collect();
        }
        ruleset
            .sets()
            .iter()
            .filter(|s| if s.is_map() { maps } else { sets })
            .map(|s| s.name().to_string())
            .collect()
    };
    match words.as_slice() {
        [] => vec!["list".to_string()],
        ["list"] => ["ruleset", "tables", "table", "chain", "set", "map"]
            .map(String::from)
            .to_vec(),
        ["list", "table" | "chain" | "set" | "map"] => vec!["ip".to_string()],
        ["list", "table" | "chain" | "set" | "map", "ip"] => vec![kube_proxy.to_string()],
        ["list", what @ ("chain" | "set" | "map"), "ip", table] if *table == kube_proxy => {
            match *what {
                "chain" => names(false, false),
                "set" => names(true, false),
                _ => names(false, true),
            }
        }
        _ => Vec::new(),
    }
}

fn nft_usage() -> Reply {
    Reply::fail(
        vec![Line::note(
            "simulated: nft list ruleset | list tables | list table ip kube-proxy | list chain|set|map ip kube-proxy NAME | --version",
        )],
        1,
    )
}

fn ipvsadm(cluster: &mut Cluster, node: &str, args: &[String]) -> Reply {
    let listing = args
        .iter()
        .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains(['L', 'l']))
        || args.iter().any(|a| a == "--list")
        || args.is_empty();
    if !listing {
        if args
            .iter()
            .any(|a| matches!(a.as_str(), "-A" | "-E" | "-D" | "-a" | "-e" | "-d" | "-C"))
        {
            return Reply::fail(
                vec![Line::note("changing IPVS by hand is not simulated (kube-proxy would rewrite it at its next sync)")],
                1,
            );
        }
        return Reply::fail(
            vec![Line::note(
                "only `ipvsadm -Ln` (optionally `-t IP:PORT`) is simulated",
            )],
            1,
        );
    }
    let text = match cluster.proxy_mode() {
        ProxyMode::Iptables | ProxyMode::Nftables => IPVS_HEADER.to_string(),
        ProxyMode::Ipvs => match cluster.ipvs(node) {
            Some(ipvs) => ipvs.list(),
            None => IPVS_HEADER.to_string(),
        },
    };
    // `-t VIP:PORT` / `-u VIP:PORT`: that one virtual service.
    let service = args
        .windows(2)
        .find(|w| w[0] == "-t" || w[0] == "-u")
        .map(|w| (w[0].clone(), w[1].clone()));
    let Some((flag, addr)) = service else {
        return Reply::text(&text);
    };
    let proto = if flag == "-t" { "TCP" } else { "UDP" };
    let mut lines: Vec<Line> = Vec::new();
    let mut keep = false;
    let mut found = false;
    for (i, l) in text.lines().enumerate() {
        if i < 3 {
            lines.push(Line::out(l));
            continue;
        }
        if !l.starts_with("  ->") {
            keep = l.starts_with(&format!("{proto}  {addr} "));
            found |= keep;
        }
        if keep {
            lines.push(Line::out(l));
        }
    }
    if !found {
        return Reply::fail(vec![Line::err("Memory allocation problem")], 1);
    }
    Reply::lines(lines)
}

/// `conntrack -L`: the connections routing tracked on this node, with the time left before the
/// kernel forgets them (TCP `TIME_WAIT` 120 s after the close, UDP 30 s).
fn conntrack(cluster: &Cluster, node: &str, args: &[String]) -> Reply {
    if !args
        .iter()
        .any(|a| a == "-L" || a == "--dump" || a == "-E" || a == "--event")
    {
        if args
            .iter()
            .any(|a| a == "-D" || a == "-F" || a == "--delete" || a == "--flush")
        {
            return Reply::fail(
                vec![Line::note("deleting conntrack entries is not simulated")],
                1,
            );
        }
        return Reply::fail(vec![Line::note("only `conntrack -L` is simulated")], 1);
    }
    let proto_filter = args
        .windows(2)
        .find(|w| w[0] == "-p" || w[0] == "--proto")
        .map(|w| w[1].to_lowercase());
    let dst_filter = args
        .windows(2)
        .find(|w| w[0] == "-d" || w[0] == "--dst" || w[0] == "--orig-dst")
        .and_then(|w| w[1].parse::<Ipv4Addr>().ok());
    let src_filter = args
        .windows(2)
        .find(|w| w[0] == "-s" || w[0] == "--src" || w[0] == "--orig-src")
        .and_then(|w| w[1].parse::<Ipv4Addr>().ok());
    let mut lines = Vec::new();
    for f in cluster.flows().filter(|f| f.node == node) {
        let (name, number, lifetime): (&str, u8, Time) = match f.protocol {
            Protocol::Tcp => ("tcp", 6, 120 * SECOND),
            Protocol::Udp => ("udp", 17, 30 * SECOND),
            Protocol::Sctp => ("sctp", 132, 210 * SECOND),
        };
        let age = cluster.now().saturating_sub(f.time);
        if age >= lifetime {
            continue;
        }
        if proto_filter.as_deref().is_some_and(|p| p != name) {
            continue;
        }
        if dst_filter.is_some_and(|d| *f.original.dst.ip() != d)
            || src_filter.is_some_and(|s| *f.original.src.ip() != s)
        {
            continue;
        }
        let left = (lifetime - age) / SECOND;
        let state = if f.protocol == Protocol::Tcp {
            "TIME_WAIT "
        } else {
            ""
        };
        let assured = if f.protocol == Protocol::Tcp {
            "[ASSURED] "
        } else {
            ""
        };
        lines.push(Line::out(format!(
            "{name:<8} {number} {left} {state}src={} dst={} sport={} dport={} src={} dst={} sport={} dport={} {assured}mark=0 use=1",
            f.original.src.ip(),
            f.original.dst.ip(),
            f.original.src.port(),
            f.original.dst.port(),
            f.reply.src.ip(),
            f.reply.dst.ip(),
            f.reply.src.port(),
            f.reply.dst.port(),
        )));
    }
    let n = lines.len();
    lines.push(Line::err(format!(
        "conntrack v1.4.7 (conntrack-tools): {n} flow entries have been shown."
    )));
    if n == 0 {
        lines.push(Line::note("only connections made in svclab are tracked; send a request (wget, curl) and look again within 2 minutes"));
    }
    Reply::lines(lines)
}

fn veth_name(uid: &str) -> String {
    format!("veth{:08x}", crate::names::fnv32a(uid.as_bytes()))
}

fn ip(cluster: &mut Cluster, node: &str, args: &[String]) -> Reply {
    let Some(n) = cluster.node(node).cloned() else {
        return Reply::default();
    };
    let ipvs_addrs: Vec<Ipv4Addr> = if cluster.proxy_mode() == ProxyMode::Ipvs {
        cluster
            .ipvs(node)
            .map(|i| i.kube_ipvs0_addresses())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let sub = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str)
        .unwrap_or("");
    let node_ip = n.internal_ip;
    let last = node_ip.octets()[3];
    let pods: Vec<(&crate::model::Pod, Ipv4Addr)> = cluster
        .pods()
        .values()
        .filter(|p| !p.spec.host_network && p.spec.node_name.as_deref() == Some(node))
        .filter_map(|p| p.status.pod_ip.map(|ip| (p, ip)))
        .collect();
    let gateway = Ipv4Addr::new(10, 244, n.pod_cidr_index, 1);
    match sub {
        "a" | "ad" | "add" | "addr" | "addre" | "addres" | "address" => {
            let mut out = vec![
                "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000".to_string(),
                "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00".into(),
                "    inet 127.0.0.1/8 scope host lo".into(),
                "       valid_lft forever preferred_lft forever".into(),
                "    inet6 ::1/128 scope host ".into(),
                "       valid_lft forever preferred_lft forever".into(),
                format!("2: eth0@if{}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default ", 10 + u32::from(last)),
                format!("    link/ether 02:42:ac:12:00:{last:02x} brd ff:ff:ff:ff:ff:ff link-netnsid 0"),
                format!("    inet {node_ip}/16 brd 172.18.255.255 scope global eth0"),
                "       valid_lft forever preferred_lft forever".into(),
                format!("    inet6 fc00:f853:ccd:e793::{last:x}/64 scope global nodad "),
                "       valid_lft forever preferred_lft forever".into(),
                format!("    inet6 fe80::42:acff:fe12:{last:x}/64 scope link "),
                "       valid_lft forever preferred_lft forever".into(),
            ];
            if cluster.proxy_mode() == ProxyMode::Ipvs {
                out.push("3: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default ".into());
                out.push("    link/ether 9e:3c:41:52:8f:0a brd ff:ff:ff:ff:ff:ff".into());
                for a in &ipvs_addrs {
                    out.push(format!("    inet {a}/32 scope global kube-ipvs0"));
                    out.push("       valid_lft forever preferred_lft forever".into());
                }
            }
            for (p, ip) in &pods {
                let idx = 3 + u32::from(ip.octets()[3]);
                let veth = veth_name(&p.meta.uid);
                let h = crate::names::fnv32a(p.meta.uid.as_bytes()).to_be_bytes();
                out.push(format!("{idx}: {veth}@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default "));
                out.push(format!(
                    "    link/ether 6e:{:02x}:{:02x}:{:02x}:{:02x}:{:02x} brd ff:ff:ff:ff:ff:ff link-netns cni-{:08x}-0000-0000-0000-{:012x}",
                    h[0],
                    h[1],
                    h[2],
                    h[3],
                    ip.octets()[3],
                    u32::from_be_bytes(h),
                    u32::from(*ip)
                ));
                out.push(format!("    inet {gateway}/32 scope global {veth}"));
                out.push("       valid_lft forever preferred_lft forever".into());
            }
            Reply::lines(out.into_iter().map(Line::out).collect())
        }
        "r" | "ro" | "rou" | "rout" | "route" => {
            let mut routes: Vec<(u32, String)> = Vec::new();
            for other in cluster.nodes() {
                if other.meta.name == node {
                    continue;
                }
                let cidr = other.pod_cidr();
                let net = Ipv4Addr::new(10, 244, other.pod_cidr_index, 0);
                routes.push((
                    u32::from(net),
                    format!("{cidr} via {} dev eth0 ", other.internal_ip),
                ));
            }
            for (p, ip) in &pods {
                routes.push((
                    u32::from(*ip),
                    format!("{ip} dev {} scope host ", veth_name(&p.meta.uid)),
                ));
            }
            routes.push((
                u32::from(Ipv4Addr::new(172, 18, 0, 0)),
                format!("172.18.0.0/16 dev eth0 proto kernel scope link src {node_ip} "),
            ));
            crate::sort::sort(&mut routes);
            let mut lines = vec![Line::out("default via 172.18.0.1 dev eth0 ")];
            lines.extend(routes.into_iter().map(|(_, r)| Line::out(r)));
            Reply::lines(lines)
        }
        "" => Reply::fail(
            vec![
                Line::err("Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }"),
                Line::err("       ip [ -force ] -batch filename"),
            ],
            255,
        ),
        other => Reply::fail(
            vec![Line::note(format!(
                "`ip {other}` is not simulated; try `ip addr` or `ip route`"
            ))],
            1,
        ),
    }
}

/// `docker ...` on the learner's machine: kind's nodes are Docker containers.
pub(crate) fn docker(term: &mut Terminal, cluster: &mut Cluster, args: &[String]) -> Reply {
    match args.first().map(String::as_str) {
        Some("exec") => {
            let mut i = 1;
            let mut interactive = false;
            while i < args.len() && args[i].starts_with('-') {
                if args[i].contains('i') {
                    interactive = true;
                }
                i += 1;
            }
            let Some(container) = args.get(i) else {
                return Reply::fail(
                    vec![
                        Line::err("\"docker exec\" requires at least 2 arguments."),
                        Line::err("See 'docker exec --help'."),
                    ],
                    1,
                );
            };
            if cluster.node(container).is_none() {
                return Reply::error(format!("Error response from daemon: No such container: {container}"));
            }
            let command: Vec<String> = args[i + 1..].to_vec();
            if command.is_empty() {
                return Reply::fail(
                    vec![
                        Line::err("\"docker exec\" requires at least 2 arguments."),
                        Line::err("See 'docker exec --help'."),
                    ],
                    1,
                );
            }
            let shell = NodeShell {
                node: container.clone(),
                depth: 0,
            };
            if command.len() == 1 && matches!(command[0].as_str(), "bash" | "sh" | "/bin/bash" | "/bin/sh") {
                if !interactive {
                    return Reply::default();
                }
                return Reply {
                    goto: Some(Box::new(Location::Node(shell))),
                    ..Default::default()
                };
            }
            term.exec(cluster, &Ctx::Node(shell), &command)
        }
        Some("ps") => {
            let mut rows = Vec::new();
            for n in cluster.nodes() {
                let id = format!("{:012x}", u64::from(crate::names::fnv32a(n.meta.name.as_bytes())) << 16);
                let ports = if n.control_plane { "127.0.0.1:40631->6443/tcp" } else { "" };
                rows.push(vec![
                    id,
                    crate::version::KIND_NODE_IMAGE.to_string(),
                    "\"/usr/local/bin/entr…\"".to_string(),
                    "About an hour ago".to_string(),
                    "Up About an hour".to_string(),
                    ports.to_string(),
                    n.meta.name.clone(),
                ]);
            }
            let lines = docker_table(&["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"], &rows);
            Reply::lines(lines.into_iter().map(Line::out).collect())
        }
        _ => Reply::note("only `docker exec -it NODE bash` and `docker ps` are simulated (kind's nodes are Docker containers)"),
    }
}

/// Docker's tables: columns separated by three spaces, padded to the widest cell.
fn docker_table(headers: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut text = headers.join("\t");
    text.push('\n');
    for r in rows {
        text.push_str(&r.join("\t"));
        text.push('\n');
    }
    super::table::TabWriter {
        minwidth: 0,
        padding: 3,
    }
    .format(&text)
    .into_iter()
    .map(|l| l.trim_end().to_string())
    .collect()
}
