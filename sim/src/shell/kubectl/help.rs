//! `kubectl help`, `kubectl --help` and each command's usage text.

use crate::cluster::Cluster;
use crate::shell::{Line, Reply, Terminal};

use super::command::{Args, Command, Run};
use super::parse;

pub(super) static HELP: Command = Command {
    name: "help",
    help: &[
        "Help provides help for any command in the application.",
        "Simply type kubectl help [path to command] for full details.",
        "",
        "Usage:",
        "  kubectl help [command] [flags] [options]",
    ],
    flags: &[],
    args: Args::Commands,
    run: Run::Handler(help),
    subcommands: &[],
};

/// `help` / `kubectl --help`: what svclab's terminal understands.
pub(crate) fn svclab_help() -> Vec<Line> {
    [
        "svclab: a simulated kind cluster. kubectl controls it:",
        "",
        "  kubectl apply -f FILE          apply the editor's manifest (also: kubectl delete -f FILE)",
        "  kubectl get TYPE [NAME]        svc, endpoints, endpointslices, pods, deploy, rs, ds, nodes, ns,",
        "                                 netpol, events, all; -n NS, -A, -l k=v, -o wide|yaml|json|name,",
        "                                 -o jsonpath='{.spec.clusterIP}', --sort-by=.metadata.name",
        "  kubectl describe TYPE NAME     svc, pod, endpoints, deploy, rs, node, ns, netpol",
        "  kubectl scale deploy/NAME --replicas=N",
        "  kubectl set image deploy/NAME CONTAINER=IMAGE, then: kubectl rollout status|history|undo",
        "  kubectl delete TYPE NAME       pod, svc, deploy, netpol, ns",
        "  kubectl label pod NAME k=v     (k- removes, --overwrite replaces)",
        "  kubectl run NAME -it --image=busybox --restart=Never -- sh",
        "  kubectl exec -it POD -- sh     or: kubectl exec POD -- wget -qO- http://SERVICE",
        "  kubectl logs POD               or: kubectl logs -n kube-system -l k8s-app=kube-proxy",
        "  kubectl debug node/kind-worker -it --image=busybox   (a root shell on a node)",
        "  kubectl expose deploy NAME --port=80, create deployment|namespace,",
        "  kubectl version, cluster-info, config current-context|set-context, api-resources",
        "",
        "In a pod: nslookup, wget, curl (curl images), cat /etc/resolv.conf, hostname, ip addr, env, exit",
        "On a node: iptables-save [-t nat], iptables -t nat -L CHAIN -n, ipvsadm -Ln, conntrack -L,",
        "           ip addr, ip route, curl, exit          (also: docker exec -it kind-worker bash)",
        "Also: clear, history, | grep, | head, | tail, | wc -l",
    ]
    .iter()
    .map(|l| Line::out(*l))
    .collect()
}

/// `kubectl help [COMMAND]`.
pub(super) fn help(_term: &mut Terminal, _cluster: &mut Cluster, args: &[String]) -> Reply {
    let p = match parse(&HELP, args) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.args.is_empty() {
        return Reply::lines(svclab_help());
    }
    Reply::lines(help_lines(super::find_path(
        p.args.iter().map(String::as_str),
    )))
}

/// A short, honest usage text for one command of the table, by its name (`get`, `set image`).
pub(crate) fn command_help(name: &str) -> Vec<Line> {
    help_lines(super::find_path(name.split(' ')))
}

fn help_lines(command: Option<&Command>) -> Vec<Line> {
    let text: &[&str] = match command.filter(|c| !c.help.is_empty()) {
        Some(c) => c.help,
        None => &["svclab: no help text for this command; see `kubectl help`."],
    };
    let mut lines: Vec<Line> = text.iter().map(|l| Line::out(*l)).collect();
    lines.push(Line::note(
        "short help: svclab shows the usage line, not kubectl's full help",
    ));
    lines
}
