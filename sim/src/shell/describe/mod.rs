//! `kubectl describe`, laid out as the describers of kubectl v1.36 (`k8s.io/kubectl/pkg/describe`,
//! checked against its `describe_test.go` at commit dee3483a, `sim/tests/upstream/describe.txt`) do:
//! `Name:\tvalue` lines through a tabwriter (minwidth 0, padding 2), label lists continued on
//! lines with an empty first cell, and the `Events:` table after a flush. One file per group of
//! kinds; this one holds the writer, the dispatch, and the describers of namespaces and events.

use crate::cluster::{Cluster, Event};
use crate::model::*;
use crate::time::{human_duration, Time};

use crate::shell::get::{self, Item};
use crate::shell::table::DESCRIBE;

mod network_policy;
mod node;
mod pod;
mod service;
mod workload;

use network_policy::network_policy;
use node::node;
use pod::pod;
use service::{endpoint_slice, endpoints, service};
pub(crate) use workload::revision_template;
use workload::{daemon_set, deployment, replica_set};

/// A describer's text before the tabwriter: `\t` separates cells, `\x0c` flushes.
struct W(String);

impl W {
    fn line(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.0.push_str("  ");
        }
        self.0.push_str(text);
        self.0.push('\n');
    }

    fn flush(&mut self) {
        self.0.push('\x0c');
    }

    /// `printLabelsMultiline`: `Title:\tk=v`, then `\tk=v` per further label.
    fn labels(&mut self, title: &str, labels: &Labels) {
        if labels.is_empty() {
            self.line(0, &format!("{title}:\t<none>"));
            return;
        }
        for (i, (k, v)) in labels.iter().enumerate() {
            if i == 0 {
                self.line(0, &format!("{title}:\t{k}={v}"));
            } else {
                self.line(0, &format!("\t{k}={v}"));
            }
        }
    }

    /// `printAnnotationsMultiline` (svclab's objects carry no last-applied annotation).
    fn annotations(&mut self, title: &str, annotations: &Labels) {
        let shown: Vec<(&String, &String)> = annotations
            .iter()
            .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration")
            .collect();
        if shown.is_empty() {
            self.line(0, &format!("{title}:\t<none>"));
            return;
        }
        for (i, (k, v)) in shown.iter().enumerate() {
            if i == 0 {
                self.line(0, &format!("{title}:\t{k}: {v}"));
            } else {
                self.line(0, &format!("\t{k}: {v}"));
            }
        }
    }

    fn events(&mut self, now: Time, events: &[&Event]) {
        if events.is_empty() {
            self.line(0, "Events:\t<none>");
            return;
        }
        self.flush();
        self.0
            .push_str("Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
        self.line(1, "----\t------\t----\t----\t-------");
        for e in events {
            self.line(
                1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}",
                    if e.warning { "Warning" } else { "Normal" },
                    e.reason,
                    e.age(now),
                    e.source,
                    e.message.trim()
                ),
            );
        }
    }

    fn render(self) -> Vec<String> {
        DESCRIBE.format(&self.0)
    }
}

fn events_for<'a>(cluster: &'a Cluster, namespace: &str, object: &str) -> Vec<&'a Event> {
    let mut ev: Vec<&Event> = get::visible_events(cluster)
        .filter(|e| e.namespace == namespace && e.object == object)
        .collect();
    crate::sort::sort_by_key(&mut ev, |e| e.last);
    ev
}

/// Describe one object; `None` for kinds kubectl has no describer for in svclab.
pub(crate) fn describe(cluster: &Cluster, item: &Item) -> Vec<String> {
    match item {
        Item::Pod(p) => pod(cluster, p),
        Item::Service(s) => service(cluster, s),
        Item::Endpoints(e) => endpoints(cluster, e),
        Item::EndpointSlice(s) => endpoint_slice(cluster, s),
        Item::Deployment(d) => deployment(cluster, d),
        Item::ReplicaSet(rs) => replica_set(cluster, rs),
        Item::Node(n) => node(cluster, n),
        Item::Namespace(n) => namespace(n),
        Item::NetworkPolicy(np) => network_policy(np),
        Item::DaemonSet(d) => daemon_set(cluster, d),
        Item::Event(e) => event(cluster, e),
    }
}

fn namespace(n: &Namespace) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", n.meta.name));
    w.labels("Labels", &n.meta.labels);
    w.annotations("Annotations", &n.meta.annotations);
    w.line(0, "Status:\tActive");
    w.line(0, "");
    w.line(0, "No resource quota.");
    w.line(0, "");
    w.line(0, "No LimitRange resource.");
    w.render()
}

fn event(cluster: &Cluster, e: &Event) -> Vec<String> {
    let mut w = W(String::new());
    w.line(0, &format!("Name:\t{}", get::event_name(e)));
    w.line(0, &format!("Namespace:\t{}", e.namespace));
    w.line(0, &format!("Reason:\t{}", e.reason));
    w.line(0, &format!("Message:\t{}", e.message));
    w.line(0, &format!("Source:\t{}", e.source));
    w.line(
        0,
        &format!("Type:\t{}", if e.warning { "Warning" } else { "Normal" }),
    );
    w.line(
        0,
        &format!(
            "Age:\t{}",
            human_duration(cluster.now().saturating_sub(e.time))
        ),
    );
    w.render()
}
