//! The clients a pod's shell (or the learner's machine) sends requests with: busybox
//! `nslookup` and `wget`, and `curl`. Each sends through the action log and waits for its trace;
//! the finished trace is printed as the tool prints it.

use crate::action::Action;
use crate::cluster::{self, Cluster};
use crate::time::{Time, SECOND};
use crate::trace::{Client, Outcome, PacketKind, Request, Tool, Trace};

use super::{Ctx, Flavor, Job, Line, NodeShell, PodShell, Render, Reply, Stream, Terminal};

pub(super) fn request_job(
    cluster: &mut Cluster,
    ctx: Ctx,
    request: Request,
    render: Render,
    deadline: Option<(Time, String)>,
) -> Reply {
    // Sent through the action log, so a replay repeats it.
    match cluster.act(Action::Send { request }) {
        Ok(cluster::Outcome::Sent { trace }) => Reply {
            job: Some(Box::new(Job::Trace {
                id: trace,
                render,
                ctx,
                deadline,
            })),
            ..Default::default()
        },
        Ok(other) => Reply::lines(other.lines().into_iter().map(Line::out).collect()),
        Err(e) => Reply::fail(super::text_lines(&e.to_string(), Stream::Stderr), 1),
    }
}

/// busybox 1.36 `nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]`: its options are read
/// as `nslookup_main` reads them (`-type=`/`-querytype=`, case-insensitive, repeatable;
/// `-port=`, `-retry=`, `-t=`/`-timeout=`, `-debug`; anything else prints the usage).
pub(super) fn nslookup(cluster: &mut Cluster, p: &PodShell, args: &[String]) -> Reply {
    let usage = || {
        Reply::fail(
            vec![
                Line::err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary."),
                Line::err(""),
                Line::err("Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]"),
                Line::err(""),
                Line::err("Query DNS about HOST"),
                Line::err(""),
                Line::err("QUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any"),
            ],
            1,
        )
    };
    let mut notes = Vec::new();
    let mut types = Vec::new();
    let mut rest = args;
    while let Some((a, after)) = rest.split_first() {
        let Some(option) = a.strip_prefix('-') else {
            break;
        };
        rest = after;
        let (key, value) = option.split_once('=').unwrap_or((option, ""));
        match key {
            "type" | "querytype" => match crate::dns::parse_qtype(value) {
                Some(t) => {
                    if !types.contains(&t) {
                        types.push(t);
                    }
                }
                None if ["SOA", "NS", "MX", "TXT", "ANY"]
                    .iter()
                    .any(|t| t.eq_ignore_ascii_case(value)) =>
                {
                    notes.push(Line::note(format!(
                        "nslookup -type={value} is not simulated (svclab answers A, AAAA, CNAME, PTR and SRV) and was ignored"
                    )));
                }
                None => {
                    return Reply::fail(
                        vec![Line::err(format!(
                            "nslookup: invalid query type \"{value}\""
                        ))],
                        1,
                    )
                }
            },
            "port" | "retry" | "debug" | "t" | "timeout" => notes.push(Line::note(format!(
                "nslookup option {a} is not simulated and was ignored"
            ))),
            _ => return usage(),
        }
    }
    let Some(name) = rest.first() else {
        return usage();
    };
    if let Some(server) = rest.get(1) {
        if rest.len() > 2 {
            return usage();
        }
        notes.push(Line::note(format!("the DNS_SERVER argument ({server}) is not simulated: the query goes to the pod's nameserver 10.96.0.10")));
    }
    let target = crate::dns::nslookup_target(&types, name);
    let mut r = request_job(
        cluster,
        Ctx::Pod(p.clone()),
        Request {
            client: Client::Pod(p.pod.clone()),
            tool: Tool::Nslookup,
            target: target.to_string(),
            payload: String::new(),
        },
        Render::Plain,
        None,
    );
    r.lines.splice(0..0, notes);
    r
}

/// The `-O` target of a busybox wget: `None` for stdout.
pub(super) fn wget(
    _term: &Terminal,
    cluster: &mut Cluster,
    p: &PodShell,
    args: &[String],
) -> Reply {
    let mut quiet = false;
    let mut output: Option<String> = None;
    let mut timeout: Option<u64> = None;
    let mut url: Option<String> = None;
    let mut notes = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if let Some(long) = a.strip_prefix("--") {
            let (name, value) = long
                .split_once('=')
                .map_or((long, None), |(n, v)| (n, Some(v.to_string())));
            match name {
                "quiet" => quiet = true,
                "output-document" => {
                    output = value.or_else(|| {
                        i += 1;
                        args.get(i - 1).cloned()
                    })
                }
                "timeout" => timeout = value.and_then(|v| v.parse().ok()),
                "spider" | "no-check-certificate" | "server-response" => {
                    notes.push(Line::note(format!("--{name} is not simulated")))
                }
                _ => {
                    return Reply::fail(
                        vec![
                        Line::err(format!("wget: unrecognized option '--{name}'")),
                        Line::err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary."),
                        Line::err(""),
                        Line::err(
                            "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]",
                        ),
                    ],
                        1,
                    )
                }
            }
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                match chars[j] {
                    'q' => quiet = true,
                    'c' | 'S' => {}
                    'O' | 'T' | 'U' | 'Y' | 'o' | 'P' => {
                        let rest: String = chars[j + 1..].iter().collect();
                        let value = if rest.is_empty() {
                            i += 1;
                            args.get(i - 1).cloned().unwrap_or_default()
                        } else {
                            rest
                        };
                        match chars[j] {
                            'O' => output = Some(value),
                            'T' => timeout = value.parse().ok(),
                            _ => notes.push(Line::note(format!("wget -{} is not simulated", chars[j]))),
                        }
                        j = chars.len();
                        continue;
                    }
                    other => {
                        return Reply::fail(
                            vec![
                                Line::err(format!("wget: unrecognized option: {other}")),
                                Line::err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary."),
                                Line::err(""),
                                Line::err("Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]"),
                            ],
                            1,
                        )
                    }
                }
                j += 1;
            }
            continue;
        }
        if url.is_none() {
            url = Some(a.clone());
        }
    }
    let Some(url) = url else {
        return Reply::fail(
            vec![
                Line::err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary."),
                Line::err(""),
                Line::err("Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]"),
                Line::err("\t[--post-data STR | --post-file FILE] [-Y on/off]"),
                Line::err("\t[-P DIR] [-U AGENT] [-T SEC] URL..."),
                Line::err(""),
                Line::err("Retrieve files via HTTP or FTP"),
            ],
            1,
        );
    };
    let to_file = match output.as_deref() {
        Some("-") => None,
        Some(f) => Some(f.to_string()),
        None => {
            let path = url.split("://").nth(1).unwrap_or(&url);
            let file = path
                .split_once('/')
                .map(|(_, p)| p.rsplit('/').next().unwrap_or(""))
                .unwrap_or("");
            let file = file.split(['?', '#']).next().unwrap_or("");
            Some(if file.is_empty() {
                "index.html".to_string()
            } else {
                file.to_string()
            })
        }
    };
    let render = match (&to_file, quiet) {
        (None, true) => Render::Plain,
        (to_file, false) => Render::WgetVerbose {
            url: url.clone(),
            to_file: to_file.clone(),
        },
        (Some(f), true) => Render::WgetQuietFile { to_file: f.clone() },
    };
    let deadline = timeout.map(|t| {
        (
            cluster.now() + t * SECOND,
            "wget: download timed out".to_string(),
        )
    });
    let mut r = request_job(
        cluster,
        Ctx::Pod(p.clone()),
        Request {
            client: Client::Pod(p.pod.clone()),
            tool: Tool::Wget,
            target: url.to_string(),
            payload: String::new(),
        },
        render,
        deadline,
    );
    r.lines.splice(0..0, notes);
    r
}

/// curl from a pod, a node, or the host (when `client` is `External`).
pub(crate) fn curl(cluster: &mut Cluster, client: Client, args: &[String]) -> Reply {
    let mut url: Option<String> = None;
    let mut max_time: Option<u64> = None;
    let mut notes = Vec::new();
    let mut i = 0;
    let unknown = |opt: &str| {
        Reply::fail(
            vec![
                Line::err(format!("curl: option {opt}: is unknown")),
                Line::err("curl: try 'curl --help' or 'curl --manual' for more information"),
            ],
            2,
        )
    };
    while i < args.len() {
        let a = &args[i];
        i += 1;
        match a.as_str() {
            "-s" | "--silent" | "-S" | "--show-error" | "-sS" | "-L" | "--location" | "-k"
            | "--insecure" | "-f" | "--fail" | "-sL" | "-fsSL" | "-sSL" => {}
            "-v" | "--verbose" | "-i" | "--include" | "-I" | "--head" => {
                notes.push(Line::note(format!(
                    "curl {a} is not simulated: only the response body is shown"
                )));
            }
            "-m" | "--max-time" | "--connect-timeout" => {
                let v = args.get(i).cloned().unwrap_or_default();
                i += 1;
                max_time = v.parse::<f64>().ok().map(|s| (s * 1000.0) as u64);
            }
            "-o" | "--output" | "-X" | "--request" | "-H" | "--header" | "-A" | "--user-agent"
            | "-w" | "--write-out" => {
                i += 1;
                notes.push(Line::note(format!(
                    "curl {a} is not simulated and was ignored"
                )));
            }
            s if s.starts_with("--max-time=") || s.starts_with("--connect-timeout=") => {
                max_time = s
                    .split_once('=')
                    .and_then(|(_, v)| v.parse::<f64>().ok())
                    .map(|s| (s * 1000.0) as u64);
            }
            s if s.starts_with("--") => return unknown(s),
            s if s.starts_with('-') && s.len() > 1 => {
                if s[1..].chars().all(|c| "sSLkfv".contains(c)) {
                    continue;
                }
                return unknown(s);
            }
            s => {
                if url.is_none() {
                    url = Some(s.to_string());
                }
            }
        }
    }
    let Some(url) = url else {
        return Reply::fail(
            vec![
                Line::err("curl: no URL specified!"),
                Line::err("curl: try 'curl --help' or 'curl --manual' for more information"),
            ],
            2,
        );
    };
    let ctx = match &client {
        Client::Pod(k) => Ctx::Pod(PodShell {
            pod: k.clone(),
            container: String::new(),
            image: String::new(),
            flavor: Flavor::Busybox,
            depth: 0,
            lines: 0,
            rm: false,
            attached: false,
        }),
        Client::External => Ctx::Host,
        Client::Node(node) => Ctx::Node(NodeShell {
            node: node.clone(),
            depth: 0,
        }),
    };
    let deadline = max_time.map(|ms| {
        (
            cluster.now() + ms,
            format!(
                "curl: (28) Connection timed out after {} milliseconds",
                ms + 1
            ),
        )
    });
    let mut r = request_job(
        cluster,
        ctx,
        Request {
            client,
            tool: Tool::Curl,
            target: url.to_string(),
            payload: String::new(),
        },
        Render::Plain,
        deadline,
    );
    r.lines.splice(0..0, notes);
    r
}

/// busybox `nc` (netcat 1.10's options, `nc_bloaty.c`): `-u` sends the text piped into it as
/// one datagram to `HOST PORT` and prints what comes back. `-w SEC` (as svclab's `-w1` does)
/// ends it after two silent periods; `-v` says "open" (UDP always "connects"), `-vv` also the
/// read error and the byte counts. Without `-u` (TCP) it is not simulated.
pub(super) fn nc(
    term: &mut Terminal,
    cluster: &mut Cluster,
    p: &PodShell,
    args: &[String],
) -> Reply {
    let usage = || {
        Reply::fail(
            vec![
                Line::err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary."),
                Line::err(""),
                Line::err("Usage: nc [OPTIONS] HOST PORT  - connect"),
                Line::err("nc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen"),
            ],
            1,
        )
    };
    let mut udp = false;
    let mut verbose = 0u8;
    let mut wait: Option<u64> = None;
    let mut words = Vec::new();
    let mut notes = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) else {
            words.push(a.clone());
            continue;
        };
        let mut chars = flags.chars();
        while let Some(c) = chars.next() {
            match c {
                'u' => udp = true,
                'v' => verbose = verbose.saturating_add(1),
                'n' => {}
                'w' | 'p' | 's' | 'i' | 'o' => {
                    let rest: String = chars.by_ref().collect();
                    let value = if rest.is_empty() { it.next().cloned() } else { Some(rest) };
                    let Some(value) = value else { return usage() };
                    if c == 'w' {
                        match value.parse::<u64>() {
                            Ok(n) => wait = Some(n),
                            Err(_) => return Reply::error(format!("nc: invalid number '{value}'")),
                        }
                    } else {
                        notes.push(Line::note(format!("nc -{c} is not simulated and was ignored")));
                    }
                }
                'l' | 'k' | 'z' | 'e' => {
                    return Reply::note(format!(
                        "nc -{c} is not simulated: svclab's nc sends one UDP datagram (echo TEXT | nc -u -w1 HOST PORT)"
                    ))
                }
                _ => return usage(),
            }
        }
    }
    if !udp {
        return Reply::note("nc over TCP is not simulated: use `wget -qO- http://HOST:PORT` for TCP, or `echo hostname | nc -u -w1 HOST PORT` for UDP");
    }
    let [host, port] = words.as_slice() else {
        return usage();
    };
    let payload = term.stdin.take().unwrap_or_default();
    if payload.is_empty() {
        return Reply::note("nc sends what it reads from its stdin, and here it reads nothing: pipe a line into it (`echo hostname | nc -u -w1 HOST PORT`)");
    }
    if wait == Some(0) {
        wait = None;
    }
    let mut r = request_job(
        cluster,
        Ctx::Pod(p.clone()),
        Request {
            client: Client::Pod(p.pod.clone()),
            tool: Tool::NcUdp,
            target: [host.as_str(), " ", port.as_str()].concat(),
            payload,
        },
        Render::Nc {
            host: host.clone(),
            verbose,
            waits: wait.is_none(),
        },
        None,
    );
    r.lines.splice(0..0, notes);
    r
}

/// What nc printed for `trace`: see [`nc`].
pub(crate) fn nc_lines(trace: &Trace, host: &str, verbose: u8, waits: bool) -> Vec<Line> {
    let mut lines = Vec::new();
    if matches!(
        trace.outcome,
        Outcome::Nxdomain { .. } | Outcome::Invalid { .. } | Outcome::DnsTimeout
    ) {
        return super::text_lines(&trace.output, Stream::Stderr);
    }
    if verbose > 0 {
        if let Some(dst) = connected_to(trace) {
            lines.push(Line::err(format!("{host} ({dst}) open")));
        }
    }
    lines.extend(super::text_lines(&trace.output, Stream::Stdout));
    let error = match trace.outcome {
        Outcome::ConnectionRefused => Some("Connection refused"),
        Outcome::HostUnreachable => Some("No route to host"),
        _ => None,
    };
    if verbose > 1 {
        if let Some(error) = error {
            lines.push(Line::err(format!("nc: net read: {error}")));
        }
        // -w ends a silent wait with "net timeout" (nc_bloaty's readwrite, o_verbose > 1).
        if error.is_none() && !waits {
            lines.push(Line::err("net timeout"));
        }
        lines.push(Line::err(format!(
            "sent {}, rcvd {}",
            trace.request.payload.len(),
            trace.output.len()
        )));
    }
    if waits && error.is_none() {
        lines.push(Line::note(
            "without -w, nc keeps waiting for more datagrams until Ctrl-C: svclab stops it here",
        ));
    }
    lines
}

/// `curl` (and `wget`) typed on the learner's machine: a client outside the cluster.
pub(crate) fn host_request(
    _term: &mut Terminal,
    cluster: &mut Cluster,
    cmd: &str,
    args: &[String],
) -> Reply {
    if cmd == "wget" {
        return Reply::note("GNU wget on your machine is not simulated; use `curl NODE_IP:NODE_PORT` (kubectl get nodes -o wide shows node IPs)");
    }
    curl(cluster, Client::External, args)
}

/// A finished trace's output as lines: stdout on success, stderr for the client's errors
/// (nslookup prints everything to stdout).
pub(crate) fn trace_lines(trace: &Trace, _ctx: &Ctx) -> Vec<Line> {
    let stream = if trace.outcome.is_success() || trace.request.tool == Tool::Nslookup {
        Stream::Stdout
    } else {
        Stream::Stderr
    };
    super::text_lines(&trace.output, stream)
}

/// Where the client connected: the first request packet's destination (before any DNAT).
pub(super) fn connected_to(trace: &Trace) -> Option<std::net::SocketAddrV4> {
    trace
        .hops
        .iter()
        .find(|h| h.kind == PacketKind::Request)
        .map(|h| h.packet.dst)
}

/// busybox `wget URL` / `wget -O- URL` without `-q`: `Connecting to ...`, then the body or the
/// saved file's progress line.
pub(crate) fn wget_verbose(
    trace: &Trace,
    url: &str,
    to_file: Option<&str>,
    file_exists: bool,
) -> Vec<Line> {
    let host = url.split("://").nth(1).unwrap_or(url);
    let host = host.split(['/', '?', '#']).next().unwrap_or(host);
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let mut lines = Vec::new();
    let resolved = !matches!(
        trace.outcome,
        Outcome::Nxdomain { .. } | Outcome::DnsTimeout | Outcome::Invalid { .. }
    );
    if resolved {
        if let Some(dst) = connected_to(trace) {
            lines.push(Line::err(format!("Connecting to {host} ({dst})")));
        }
    }
    if !trace.outcome.is_success() {
        lines.extend(super::text_lines(&trace.output, Stream::Stderr));
        return lines;
    }
    let size = trace.output.len();
    let bar = "*".repeat(32);
    match to_file {
        None => {
            lines.push(Line::err("writing to stdout"));
            lines.extend(super::text_lines(&trace.output, Stream::Stdout));
            lines.push(Line::err(format!(
                "{:<20} 100% |{bar}| {size:>5}  0:00:00 ETA",
                "-"
            )));
            lines.push(Line::err("written to stdout"));
        }
        Some(f) if file_exists => {
            lines.push(Line::err(format!("wget: can't open '{f}': File exists")));
        }
        Some(f) => {
            lines.push(Line::err(format!("saving to '{f}'")));
            let shown: String = f.chars().take(20).collect();
            lines.push(Line::err(format!(
                "{shown:<20} 100% |{bar}| {size:>5}  0:00:00 ETA"
            )));
            lines.push(Line::err(format!("'{f}' saved")));
        }
    }
    lines
}
