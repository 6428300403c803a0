//! The shell inside a pod: busybox's `ash` (busybox, alpine, curl and netshoot images), Debian's
//! `dash` or `bash` (nginx and other Debian images). [`BUILTINS`] is what it runs by name; the
//! clients that send requests (`nslookup`, `wget`, `curl`) live in `request`.

use crate::map::SortedMap;
use std::net::Ipv4Addr;

use crate::action::Action;
use crate::cluster::Cluster;
use crate::model::{ClusterIp, ObjectKey};
use crate::registry::{ImageProfile, Shell};
use crate::time::Time;
use crate::trace::{Client, Tool};

use super::builtin::{self, listed, unlisted, Builtin, Call};
use super::request::{curl, nc, nslookup, wget};
use super::{Ctx, Flavor, Line, Location, PodShell, Reply, Stream, Terminal};

/// Which shell family an image's `sh` (or the command typed) is.
pub(crate) fn flavor(image: &str, command: Option<&str>) -> Flavor {
    if matches!(command, Some("bash" | "/bin/bash")) {
        return Flavor::Bash;
    }
    if busybox_based(image) {
        Flavor::Busybox
    } else {
        Flavor::Dash
    }
}

/// Images whose userland is busybox (their `sh` is ash, they have busybox applets).
fn busybox_based(image: &str) -> bool {
    ImageProfile::of(image).shell == Shell::Busybox
}

/// Images whose default command is a shell (so `kubectl run -it` without a command gets one).
pub(crate) fn default_is_shell(image: &str) -> bool {
    ImageProfile::of(image).shell_entrypoint
}

/// Does the image have `tool`?
fn has_tool(image: &str, tool: &str) -> bool {
    let profile = ImageProfile::of(image);
    match tool {
        "curl" => profile.curl,
        "wget" | "nslookup" | "ip" | "ping" | "nc" | "traceroute" | "telnet" | "ps" | "top"
        | "netstat" => profile.shell == Shell::Busybox,
        "bash" => profile.bash,
        _ => true,
    }
}

/// The request tools `client` has, in the order [`Tool`] lists them: a pod's come from its
/// first container's image (busybox has `wget` and `nslookup`, no `curl`; `curlimages/curl`
/// has `curl`), a node has `curl` (kind's node image), and svclab's host simulates `curl`
/// only. Empty for a pod that does not exist.
pub fn client_tools(cluster: &Cluster, client: &Client) -> Vec<Tool> {
    match client {
        Client::External | Client::Node(_) => vec![Tool::Curl],
        Client::Pod(key) => {
            let Some(image) = cluster
                .pods()
                .get(key)
                .and_then(|p| p.spec.containers.first())
                .map(|c| c.image.as_str())
            else {
                return Vec::new();
            };
            [
                (Tool::Curl, "curl"),
                (Tool::Wget, "wget"),
                (Tool::Nslookup, "nslookup"),
                (Tool::NcUdp, "nc"),
            ]
            .into_iter()
            .filter(|(_, name)| has_tool(image, name))
            .map(|(tool, _)| tool)
            .collect()
        }
    }
}

pub(crate) fn prompt(p: &PodShell) -> String {
    match p.flavor {
        Flavor::Bash => format!("root@{}:/# ", p.pod.name),
        Flavor::Dash => "# ".into(),
        Flavor::Busybox => ImageProfile::of(&p.image).prompt.into(),
    }
}

fn not_found(p: &PodShell, cmd: &str) -> Reply {
    let text = match p.flavor {
        Flavor::Busybox => format!("sh: {cmd}: not found"),
        Flavor::Dash => format!("sh: {}: {cmd}: not found", p.lines + 1),
        Flavor::Bash => format!("bash: {cmd}: command not found"),
    };
    Reply::fail(vec![Line::err(text)], 127)
}

fn hostname(cluster: &Cluster, p: &PodShell) -> String {
    match cluster.pods().get(&p.pod) {
        Some(pod) if pod.spec.host_network => pod.spec.node_name.clone().unwrap_or_default(),
        _ => p.pod.name.clone(),
    }
}

/// The pod's environment: PATH, HOSTNAME, HOME, and the Service variables the kubelet injects
/// (`enableServiceLinks`) for the Services of its namespace that existed when it started, plus
/// the `kubernetes` Service's.
pub(crate) fn env(cluster: &Cluster, p: &PodShell) -> SortedMap<String, String> {
    let mut env = SortedMap::new();
    env.insert(
        "PATH".into(),
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
    );
    env.insert("HOSTNAME".into(), hostname(cluster, p));
    env.insert("HOME".into(), ImageProfile::of(&p.image).user.home.into());
    env.insert("TERM".into(), "xterm".into());
    env.insert("SHLVL".into(), (p.depth + 1).to_string());
    env.insert("PWD".into(), "/".into());
    let Some(pod) = cluster.pods().get(&p.pod) else {
        return env;
    };
    let started = pod.meta.creation;
    for svc in cluster.services().values() {
        let master = svc.meta.namespace == "default" && svc.meta.name == "kubernetes";
        if !(master || (svc.meta.namespace == pod.meta.namespace && svc.meta.creation <= started)) {
            continue;
        }
        let ClusterIp::Ip(ip) = svc.spec.cluster_ip else {
            continue;
        };
        let Some(first) = svc.spec.ports.first() else {
            continue;
        };
        // Service and port names are validated DNS labels: ASCII.
        let name = svc.meta.name.to_ascii_uppercase().replace('-', "_");
        env.insert(format!("{name}_SERVICE_HOST"), ip.to_string());
        env.insert(format!("{name}_SERVICE_PORT"), first.port.to_string());
        env.insert(
            format!("{name}_PORT"),
            format!("{}://{ip}:{}", first.protocol.lower(), first.port),
        );
        for port in &svc.spec.ports {
            if let Some(pn) = &port.name {
                env.insert(
                    format!(
                        "{name}_SERVICE_PORT_{}",
                        pn.to_ascii_uppercase().replace('-', "_")
                    ),
                    port.port.to_string(),
                );
            }
            let base = format!("{name}_PORT_{}_{}", port.port, port.protocol.as_str());
            env.insert(
                base.clone(),
                format!("{}://{ip}:{}", port.protocol.lower(), port.port),
            );
            env.insert(format!("{base}_PROTO"), port.protocol.lower().to_string());
            env.insert(format!("{base}_PORT"), port.port.to_string());
            env.insert(format!("{base}_ADDR"), ip.to_string());
        }
    }
    env
}

/// What a pod's shell runs (busybox applets, or a Debian image's tools): each tool checks
/// that the image has it.
pub(crate) static BUILTINS: &[Builtin<PodShell>] = &[
    listed("exit", exit),
    unlisted("logout", exit),
    listed("sh", shell),
    unlisted("ash", shell),
    unlisted("bash", shell),
    unlisted("dash", shell),
    listed::<PodShell>("nslookup", |_, cluster, p, call| {
        with_tool(p, call, |p| nslookup(cluster, p, call.args))
    })
    .args(|_, cluster, p, _, _| service_names(cluster, &p.pod.namespace)),
    listed::<PodShell>("wget", |term, cluster, p, call| {
        with_tool(p, call, |p| wget(term, cluster, p, call.args))
    })
    .flags(&["-O", "-O-", "-q", "-qO-", "-T"])
    .args(urls),
    listed::<PodShell>("nc", |term, cluster, p, call| {
        with_tool(p, call, |p| nc(term, cluster, p, call.args))
    })
    .flags(&["-u", "-w", "-v"])
    .args(|_, cluster, p, _, _| service_names(cluster, &p.pod.namespace)),
    listed::<PodShell>("curl", |_, cluster, p, call| {
        if !has_tool(&p.image, "curl") {
            let mut r = not_found(p, call.typed);
            r.lines.push(Line::note(
                "busybox has no curl: use `wget -qO- URL`, or run a pod with curl: kubectl run -it client --image=curlimages/curl --restart=Never -- sh",
            ));
            return r;
        }
        curl(cluster, Client::Pod(p.pod.clone()), call.args)
    })
    .flags(&["-m", "-s", "-v"])
    .args(urls),
    listed::<PodShell>("cat", |term, cluster, p, call| {
        cat(term, cluster, p, call.args)
    })
    .args(|_, _, _, _, _| {
        ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"]
            .map(String::from)
            .to_vec()
    }),
    listed("hostname", |_, cluster, p, _| {
        Reply::out(hostname(cluster, p))
    }),
    listed::<PodShell>("ip", |_, cluster, p, call| {
        with_tool(p, call, |p| ip(cluster, p, call.args))
    })
    .args(|_, _, _, _, _| ["addr", "route"].map(String::from).to_vec()),
    unlisted("ifconfig", |_, _, p, call| {
        if busybox_based(&p.image) {
            Reply::note("ifconfig is not simulated; use `ip addr`")
        } else {
            not_found(p, call.typed)
        }
    }),
    listed("env", env_command),
    unlisted("printenv", env_command),
    listed("echo", builtin::echo),
    unlisted("pwd", |_, _, _, _| Reply::out("/")),
    unlisted("cd", builtin::nothing),
    unlisted("true", builtin::nothing),
    unlisted(":", builtin::nothing),
    unlisted("export", builtin::nothing),
    unlisted("set", builtin::nothing),
    unlisted("unset", builtin::nothing),
    unlisted("alias", builtin::nothing),
    unlisted("false", builtin::fail),
    unlisted("whoami", |_, _, p, _| {
        Reply::out(ImageProfile::of(&p.image).user.name)
    }),
    unlisted("id", |_, _, p, _| {
        Reply::out(ImageProfile::of(&p.image).user.id)
    }),
    unlisted("date", |_, cluster, _, _| Reply::out(date(cluster.now()))),
    listed("clear", builtin::clear),
    unlisted("history", |term, _, _, _| {
        Reply::lines(
            term.history()
                .iter()
                .enumerate()
                .map(|(i, h)| Line::out(format!("{:>4}  {h}", i)))
                .collect(),
        )
    }),
    listed("ls", |term, _, p, call| ls(term, p, call.args)),
    unlisted("kubectl", outside_only),
    unlisted("docker", outside_only),
    unlisted("iptables", outside_only),
    unlisted("iptables-save", outside_only),
    unlisted("ipvsadm", outside_only),
    unlisted("conntrack", outside_only),
    unlisted("crictl", outside_only),
    unlisted("ping", not_simulated),
    unlisted("traceroute", not_simulated),
    unlisted("telnet", not_simulated),
    unlisted("ps", not_simulated),
    unlisted("top", not_simulated),
    unlisted("netstat", not_simulated),
    unlisted("sleep", not_simulated),
    unlisted("dig", not_simulated),
    unlisted("host", not_simulated),
    unlisted("vi", not_simulated),
];

/// Run one command in a pod's shell.
/// The names a pod in `namespace` can reach a Service by: `name` in its own namespace,
/// `name.namespace` and the full `name.namespace.svc.cluster.local`.
fn service_names(cluster: &Cluster, namespace: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in cluster.services().values() {
        let (name, ns) = (&s.meta.name, &s.meta.namespace);
        if ns == namespace {
            out.push(name.clone());
        }
        out.push(format!("{name}.{ns}"));
        out.push(format!("{name}.{ns}.svc.cluster.local"));
    }
    out
}

/// What wget and curl complete to: Service names, as URLs once `http` is typed.
fn urls(_: &Terminal, cluster: &Cluster, p: &PodShell, _: &[String], cur: &str) -> Vec<String> {
    let names = service_names(cluster, &p.pod.namespace);
    if cur.starts_with("http") {
        names.into_iter().map(|n| format!("http://{n}")).collect()
    } else {
        names
    }
}

pub(crate) fn exec(
    term: &mut Terminal,
    cluster: &mut Cluster,
    p: &PodShell,
    words: &[String],
) -> Reply {
    let Some(call) = Call::new(words, true) else {
        return Reply::default();
    };
    builtin::run(BUILTINS, term, cluster, p, &call, |call| {
        not_found(p, call.typed)
    })
}

/// Run `f` if the image has the tool `call` names, else the shell's "not found".
fn with_tool(p: &PodShell, call: &Call, f: impl FnOnce(&PodShell) -> Reply) -> Reply {
    if has_tool(&p.image, call.name) {
        f(p)
    } else {
        not_found(p, call.typed)
    }
}

/// `sh`, `bash`, ...: a nested shell, or `sh -c 'COMMAND'`.
fn shell(term: &mut Terminal, cluster: &mut Cluster, p: &PodShell, call: &Call) -> Reply {
    let base = call.name;
    let args = call.args;
    if base == "bash" && !has_tool(&p.image, "bash") {
        return not_found(p, call.typed);
    }
    if args.first().map(String::as_str) == Some("-c") {
        let line = args.get(1).map_or("", String::as_str);
        // `echo TEXT | nc ...`, the one pipe inside `sh -c` whose reader takes stdin.
        if let Some((text, reader)) = super::echo_into(line, &env(cluster, p)) {
            term.stdin = Some(text);
            let reply = term.exec(cluster, &Ctx::Pod(p.clone()), &reader);
            term.stdin = None;
            return reply;
        }
        if args.len() < 2 {
            return Reply::error(format!("{base}: -c: option requires an argument"));
        }
        return match super::script_command(line, &env(cluster, p), base) {
            Ok(super::Script::Pipe(inner, pipe)) => {
                let mut reply = term.exec(cluster, &Ctx::Pod(p.clone()), &inner);
                reply.add_pipe(pipe);
                reply
            }
            Ok(super::Script::List(list)) => {
                let mut inner = p.clone();
                inner.depth += 1;
                super::Script::run_in(list, Location::Pod(inner), false)
            }
            Err(refused) => refused,
        };
    }
    let mut inner = p.clone();
    inner.depth += 1;
    inner.flavor = if base == "bash" {
        Flavor::Bash
    } else {
        flavor(&p.image, None)
    };
    Reply {
        goto: in_location(term, inner).map(Box::new),
        ..Default::default()
    }
}

/// `env` and `printenv [NAME...]`.
fn env_command(_: &mut Terminal, cluster: &mut Cluster, p: &PodShell, call: &Call) -> Reply {
    let args = call.args;
    Reply::lines(
        env(cluster, p)
            .into_iter()
            .filter(|(k, _)| args.is_empty() || args.contains(k))
            .map(|(k, v)| {
                if call.name == "printenv" && !args.is_empty() {
                    Line::out(v)
                } else {
                    Line::out(format!("{k}={v}"))
                }
            })
            .collect(),
    )
}

/// Tools of the machine or the node, typed inside a pod.
fn outside_only(_: &mut Terminal, _: &mut Cluster, p: &PodShell, call: &Call) -> Reply {
    let mut r = not_found(p, call.typed);
    r.lines.push(Line::note(format!(
        "`{}` runs on your machine or a node, not inside a pod: type `exit` to leave the pod",
        call.typed
    )));
    r
}

/// Tools an image may have that svclab does not run.
fn not_simulated(_: &mut Terminal, _: &mut Cluster, p: &PodShell, call: &Call) -> Reply {
    let base = call.name;
    if !(has_tool(&p.image, base) || base == "sleep") {
        return not_found(p, call.typed);
    }
    let why = match base {
        "ping" => {
            " (and a ClusterIP never answers ping on a real cluster: it only exists as port rules)"
        }
        "sleep" => " (the shell would just wait)",
        _ => "",
    };
    Reply::fail(
        vec![Line::note(format!(
            "`{base}` is not simulated{why}; use nslookup and wget -qO- to probe Services"
        ))],
        1,
    )
}

fn in_location(term: &Terminal, shell: PodShell) -> Option<Location> {
    match term.location() {
        Location::Pod(_) => Some(Location::Pod(shell)),
        // `kubectl exec POD -- sh` without -it: the shell reads nothing and exits.
        _ => None,
    }
}

/// `exit [N]`: leave this shell with status N, or the last command's without one (as POSIX sh
/// has it). Leaving the shell `kubectl exec -it` opened with a status other than 0, kubectl
/// says `command terminated with exit code N`.
fn exit(term: &mut Terminal, cluster: &mut Cluster, p: &PodShell, call: &Call) -> Reply {
    let (mut lines, status) =
        match exit_status(term.status, call.args.first(), p.flavor, p.lines + 1) {
            Ok(leaving) => leaving,
            Err(stays) => return stays,
        };
    if p.depth > 0 {
        let mut outer = p.clone();
        outer.depth -= 1;
        if outer.depth == 0 {
            outer.flavor = flavor(&p.image, None);
        }
        return Reply {
            lines,
            status,
            goto: Some(Box::new(Location::Pod(outer))),
            ..Default::default()
        };
    }
    if p.rm {
        lines.extend(delete_run_pod(cluster, &p.pod));
    } else if p.attached {
        lines.push(Line::note(format!(
            "on a real cluster pod \"{}\" would now be Completed (its main process was this shell); svclab keeps it Running so you can `kubectl exec` into it again",
            p.pod.name
        )));
    }
    Reply {
        lines,
        status,
        goto: Some(Box::new(Location::Host)),
        remote: !p.attached,
        ..Default::default()
    }
}

/// The status `exit [N]` leaves a shell with, and what it prints: N (modulo 256), or the last
/// command's status without one (as POSIX sh has it). A bad number: ash and dash say so and stay
/// (`Err`, status 2; dash names the line, `line`), bash says so and leaves with 2.
pub(crate) fn exit_status(
    last: i32,
    arg: Option<&String>,
    flavor: Flavor,
    line: u32,
) -> Result<(Vec<Line>, i32), Reply> {
    let Some(n) = arg else {
        return Ok((Vec::new(), last));
    };
    if let Ok(v) = n.parse::<i64>() {
        return Ok((Vec::new(), (v & 255) as i32));
    }
    match flavor {
        Flavor::Busybox => Err(Reply::fail(
            vec![Line::err(format!("sh: exit: Illegal number: {n}"))],
            2,
        )),
        Flavor::Dash => Err(Reply::fail(
            vec![Line::err(format!("sh: {line}: exit: Illegal number: {n}"))],
            2,
        )),
        Flavor::Bash => Ok((
            vec![Line::err(format!(
                "bash: exit: {n}: numeric argument required"
            ))],
            2,
        )),
    }
}

/// `kubectl run --rm`: the pod goes when its shell exits.
pub(crate) fn delete_run_pod(cluster: &mut Cluster, pod: &ObjectKey) -> Vec<Line> {
    match cluster.act(Action::DeletePod {
        namespace: pod.namespace.clone(),
        pod: pod.name.clone(),
    }) {
        Ok(out) => out.lines().into_iter().map(Line::out).collect(),
        Err(e) => super::text_lines(&e.to_string(), Stream::Stderr),
    }
}

fn date(now: Time) -> String {
    let rfc = crate::clock::rfc1123z(now);
    // "Sat, 28 Nov 2026 01:02:03 +0000" -> "Sat Nov 28 01:02:03 UTC 2026"
    let parts: Vec<&str> = rfc.split(' ').collect();
    if parts.len() < 6 {
        return rfc;
    }
    format!(
        "{} {} {} {} UTC {}",
        parts[0].trim_end_matches(','),
        parts[2],
        parts[1],
        parts[4],
        parts[3]
    )
}

/// The width svclab's terminal reports to programs that lay out columns.
const TERMINAL_COLUMNS: usize = 120;

fn ls(term: &Terminal, p: &PodShell, args: &[String]) -> Reply {
    let paths: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let mut entries: Vec<String> = [
        "bin", "dev", "etc", "home", "lib", "lib64", "proc", "root", "sys", "tmp", "usr", "var",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Files written under a directory (`> /tmp/page`) are not listed at the root.
    if let Some(files) = term.pod_files.get(&p.pod) {
        entries.extend(
            files
                .iter()
                .map(|(n, _)| n.clone())
                .filter(|n| !n.contains('/')),
        );
    }
    crate::sort::sort(&mut entries);
    entries.dedup();
    if let Some(path) = paths.first() {
        if path.as_str() != "/" && path.as_str() != "." {
            if term.pod_has_file(&p.pod, path) {
                return Reply::out(path.to_string());
            }
            return Reply::fail(
                vec![Line::note(format!(
                    "the pod's file system is not simulated beyond / ({path})"
                ))],
                1,
            );
        }
    }
    // busybox ls: column-major, columns as wide as the longest name plus two, in the terminal's
    // width (svclab's terminal is 120 columns).
    let width = entries.iter().map(|e| e.len()).max().unwrap_or(1) + 2;
    let n = entries.len();
    let cols = (TERMINAL_COLUMNS / width).max(1);
    let rows = n.div_ceil(cols).max(1);
    let cols = n.div_ceil(rows).max(1);
    let mut lines = Vec::new();
    for r in 0..rows {
        let mut s = String::new();
        for c in 0..cols {
            let Some(e) = entries.get(c * rows + r) else {
                break;
            };
            s.push_str(e);
            if entries.get((c + 1) * rows + r).is_some() {
                s.push_str(&" ".repeat(width - e.len()));
            }
        }
        lines.push(Line::out(s));
    }
    Reply::lines(lines)
}

fn cat(term: &Terminal, cluster: &Cluster, p: &PodShell, args: &[String]) -> Reply {
    if args.is_empty() {
        return Reply::note("cat without a file would read stdin, which svclab does not simulate");
    }
    let mut lines = Vec::new();
    let mut status = 0;
    let pod = cluster.pods().get(&p.pod);
    for a in args {
        match a.as_str() {
            "/etc/resolv.conf" => {
                let text = match pod {
                    Some(pd) if pd.spec.host_network => {
                        "nameserver 172.18.0.1\noptions ndots:0\n".to_string()
                    }
                    _ => crate::dns::resolv_conf(&p.pod.namespace),
                };
                lines.extend(super::text_lines(&text, Stream::Stdout));
            }
            "/etc/hostname" => lines.push(Line::out(hostname(cluster, p))),
            "/etc/hosts" => {
                let ip = pod
                    .and_then(|pd| pd.status.pod_ip)
                    .map_or(String::new(), |ip| ip.to_string());
                for l in [
                    "# Kubernetes-managed hosts file.".to_string(),
                    "127.0.0.1\tlocalhost".into(),
                    "::1\tlocalhost ip6-localhost ip6-loopback".into(),
                    "fe00::0\tip6-localnet".into(),
                    "fe00::0\tip6-mcastprefix".into(),
                    "fe00::1\tip6-allnodes".into(),
                    "fe00::2\tip6-allrouters".into(),
                    format!("{ip}\t{}", hostname(cluster, p)),
                ] {
                    lines.push(Line::out(l));
                }
            }
            other => match term.pod_file(&p.pod, other) {
                Some(body) => lines.extend(super::text_lines(body, Stream::Stdout)),
                None => {
                    status = 1;
                    lines.push(Line::err(match p.flavor {
                        Flavor::Busybox => {
                            format!("cat: can't open '{other}': No such file or directory")
                        }
                        _ => format!("cat: {other}: No such file or directory"),
                    }));
                }
            },
        }
    }
    Reply::fail(lines, status)
}

/// A MAC for the pod's eth0, stable per IP (locally administered, as the veth pair's).
fn mac(ip: Ipv4Addr) -> [u8; 6] {
    let h = crate::names::fnv32a(&ip.octets());
    let b = h.to_be_bytes();
    [0x2a | 0x02, b[0], b[1], b[2], b[3], ip.octets()[3]]
}

fn mac_string(m: [u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The IPv6 link-local address derived from a MAC (EUI-64).
fn link_local(m: [u8; 6]) -> String {
    let a = u16::from_be_bytes([m[0] ^ 0x02, m[1]]);
    let b = u16::from_be_bytes([m[2], 0xff]);
    let c = u16::from_be_bytes([0xfe, m[3]]);
    let d = u16::from_be_bytes([m[4], m[5]]);
    format!("fe80::{a:x}:{b:x}:{c:x}:{d:x}/64")
}

/// The host-side index of a pod's veth peer (`eth0@ifN`): stable per pod IP.
fn peer_index(ip: Ipv4Addr) -> u32 {
    3 + u32::from(ip.octets()[3])
}

fn ip(cluster: &Cluster, p: &PodShell, args: &[String]) -> Reply {
    let sub = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(String::as_str)
        .unwrap_or("");
    let Some(pod) = cluster.pods().get(&p.pod) else {
        return Reply::default();
    };
    if pod.spec.host_network {
        return Reply::note("this pod uses the node's network: see the node's `ip addr` (kubectl debug node/NAME -it --image=busybox)");
    }
    let Some(pod_ip) = pod.status.pod_ip else {
        return Reply::default();
    };
    let [a, b, c, _] = pod_ip.octets();
    let gateway = Ipv4Addr::new(a, b, c, 1);
    match sub {
        "a" | "ad" | "add" | "addr" | "addre" | "addres" | "address" => {
            let m = mac(pod_ip);
            Reply::lines(
                [
                    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000".to_string(),
                    "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00".into(),
                    "    inet 127.0.0.1/8 scope host lo".into(),
                    "       valid_lft forever preferred_lft forever".into(),
                    "    inet6 ::1/128 scope host ".into(),
                    "       valid_lft forever preferred_lft forever".into(),
                    format!("2: eth0@if{}: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue ", peer_index(pod_ip)),
                    format!("    link/ether {} brd ff:ff:ff:ff:ff:ff", mac_string(m)),
                    format!("    inet {pod_ip}/24 brd {a}.{b}.{c}.255 scope global eth0"),
                    "       valid_lft forever preferred_lft forever".into(),
                    format!("    inet6 {} scope link ", link_local(m)),
                    "       valid_lft forever preferred_lft forever".into(),
                ]
                .into_iter()
                .map(Line::out)
                .collect(),
            )
        }
        "r" | "ro" | "rou" | "rout" | "route" => Reply::lines(vec![
            Line::out(format!("default via {gateway} dev eth0 ")),
            Line::out(format!(
                "{a}.{b}.{c}.0/24 via {gateway} dev eth0 src {pod_ip} "
            )),
            Line::out(format!("{gateway} dev eth0 scope link src {pod_ip} ")),
        ]),
        "" => Reply::fail(
            vec![
                Line::err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary."),
                Line::err(""),
                Line::err("Usage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]"),
            ],
            1,
        ),
        other => Reply::fail(
            vec![Line::note(format!(
                "`ip {other}` is not simulated; try `ip addr` or `ip route`"
            ))],
            1,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{default_is_shell, has_tool};

    #[test]
    fn an_image_has_the_tools_its_profile_lists() {
        for (image, curl, wget, bash, entry) in [
            ("nginx:1.27", true, false, true, false),
            ("busybox", false, true, false, true),
            ("curlimages/curl", true, true, false, true),
            ("nicolaka/netshoot", true, true, true, true),
            (
                "registry.k8s.io/e2e-test-images/jessie-dnsutils",
                false,
                false,
                true,
                false,
            ),
            ("dnsutils", false, true, false, false),
            ("ubuntu", false, false, true, true),
            ("hashicorp/http-echo", false, false, false, false),
            (
                "registry.k8s.io/coredns/coredns:v1.11.3",
                false,
                false,
                false,
                false,
            ),
        ] {
            assert_eq!(
                (
                    has_tool(image, "curl"),
                    has_tool(image, "wget"),
                    has_tool(image, "bash"),
                    default_is_shell(image),
                ),
                (curl, wget, bash, entry),
                "{image}"
            );
        }
    }
}
