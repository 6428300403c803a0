//! Behaviours a learner meets on a real cluster, each checked against the upstream source that
//! decides it (kube-proxy's proxier and its tests, kubectl's printers and commands, CoreDNS's
//! kubernetes plugin, busybox's nslookup), cited by repository, path and version beside the
//! expected text.

use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::examples::{SEED_FILENAME, SEED_MANIFEST};
use svclab_sim::shell::Terminal;
use svclab_sim::time::SECOND;

const PATIENCE: u64 = 200 * SECOND;
const STEP: u64 = 100;

struct Session {
    cluster: Cluster,
    term: Terminal,
}

impl Session {
    fn new(file: &str, manifest: &str) -> Session {
        let mut cluster = Cluster::new(Config::default());
        cluster.apply(manifest, file).expect("the manifest applies");
        cluster.advance(10 * SECOND);
        Session {
            cluster,
            term: Terminal::new(file, manifest),
        }
    }

    fn seed() -> Session {
        Session::new(SEED_FILENAME, SEED_MANIFEST)
    }

    /// Type a line and let the clock run until the command is done; everything it printed.
    fn run(&mut self, line: &str) -> String {
        let mut out = self.term.run(&mut self.cluster, line);
        let mut text = out.text();
        let mut waited = 0;
        while out.wait.is_some() {
            assert!(waited < PATIENCE, "`{line}` still waits: {:?}", out.wait);
            self.cluster.advance(STEP);
            waited += STEP;
            if let Some(o) = self.term.poll(&mut self.cluster) {
                text.push_str(&o.text());
                out = o;
            }
        }
        text
    }

    /// Write `text` as the file `name` and `kubectl apply -f` it; the output and `$?`.
    fn apply(&mut self, name: &str, text: &str) -> String {
        self.term.set_file(name, text);
        let out = self.run(&format!("kubectl apply -f {name}"));
        let status = self.run("echo $?");
        format!("{out}$? = {status}")
    }
}

fn same(name: &str, actual: &str, expected: &str) {
    assert!(
        actual == expected,
        "{name}\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

// ---------------------------------------------------------------------------------------------
// kubectl apply: one object at a time

/// kubectl reads every object its builder can (`ContinueOnError`), then applies each on its own
/// and returns the aggregate of the errors: kubernetes/kubernetes
/// `staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go` (v1.31), `ApplyOptions.Run`
/// ("Iterate through all objects, applying each one"; "If any errors occurred during apply,
/// then return error"). The valid objects are created and printed as they go, the invalid one
/// gets the API server's validation message (`ValidatePortNumOrName`'s range text in
/// `pkg/apis/core/validation/validation.go`: "must be between 1 and 65535, inclusive"), and
/// kubectl exits 1 (`cmdutil.DefaultErrorExitCode`).
#[test]
fn apply_goes_object_by_object() {
    let mut s = Session::seed();
    let file = "apiVersion: v1\nkind: Service\nmetadata:\n  name: first\nspec:\n  selector:\n    app: a\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: second\nspec:\n  selector:\n    app: b\n  ports:\n  - port: 70000\n    targetPort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: third\nspec:\n  selector:\n    app: c\n  ports:\n  - port: 80\n";
    same(
        "three objects, the middle one invalid",
        &s.apply("three.yaml", file),
        "service/first created\nservice/third created\nThe Service \"second\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n$? = 1\n",
    );
    same(
        "applied again: the good ones unchanged",
        &s.apply("three.yaml", file),
        "service/first unchanged\nservice/third unchanged\nThe Service \"second\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n$? = 1\n",
    );
    assert!(s.run("kubectl get svc second").contains("NotFound"));
    // The log replays to the same world.
    let replayed = Cluster::replay(Config::default(), s.cluster.log());
    assert_eq!(replayed.services().len(), s.cluster.services().len());
}

/// With more than one error kubectl returns their aggregate, and `cmdutil.CheckErr` prints each
/// as `Error from server (Invalid): error when creating "<file>": <Kind.group> "<name>" is
/// invalid: ...` (`AddSourceToErr("creating", info.Source, err)` in
/// kubernetes/kubernetes `staging/src/k8s.io/kubectl/pkg/cmd/apply/apply.go`, v1.31; the
/// StatusError's message names the kind with its group and lists several causes in `[...]`).
#[test]
fn apply_prints_each_of_several_errors_as_kubectl_does() {
    let mut s = Session::seed();
    let file = "apiVersion: v1\nkind: Service\nmetadata:\n  name: good\nspec:\n  selector:\n    app: a\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: bad-port\nspec:\n  selector:\n    app: b\n  ports:\n  - port: 70000\n    targetPort: 80\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: no-selector\nspec:\n  template:\n    metadata:\n      labels:\n        app: x\n    spec:\n      containers:\n      - name: web\n        image: nginx\n";
    same(
        "two invalid objects",
        &s.apply("mixed.yaml", file),
        "service/good created\nError from server (Invalid): error when creating \"mixed.yaml\": Service \"bad-port\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\nError from server (Invalid): error when creating \"mixed.yaml\": Deployment.apps \"no-selector\" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`]\n$? = 1\n",
    );
}

/// The editor's own Apply stays all or nothing: nothing of a file with one bad object goes in.
#[test]
fn the_editor_apply_is_atomic() {
    let mut c = Cluster::new(Config::default());
    let file = "apiVersion: v1\nkind: Service\nmetadata:\n  name: first\nspec:\n  selector:\n    app: a\n  ports:\n  - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: second\nspec:\n  selector:\n    app: b\n  ports:\n  - port: 70000\n";
    let before = c.services().len();
    assert!(c.apply(file, "two.yaml").is_err());
    assert_eq!(c.services().len(), before);
}

// ---------------------------------------------------------------------------------------------
// spec.nodeName

const BOUND_PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pinned\nspec:\n  nodeName: kind-worker2\n  containers:\n  - name: web\n    image: nginx\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: nowhere\nspec:\n  nodeName: no-such-node\n  containers:\n  - name: web\n    image: nginx\n";

/// kube-scheduler queues only pods whose `spec.nodeName` is empty and treats the others as
/// assigned: kubernetes/kubernetes `pkg/scheduler/eventhandlers.go` (v1.31), `assignedPod`
/// (`len(pod.Spec.NodeName) != 0`) filters the informer into the scheduling queue. The kubelet
/// of the named node runs the pod, so its events have no `Scheduled` from default-scheduler.
/// A pod bound to a node that does not exist has no kubelet: it stays `Pending` with no IP
/// (PodGC deletes it later: `pkg/controller/podgc/gc_controller.go`, `gcOrphaned`, after a
/// 40 s quarantine).
#[test]
fn a_pod_with_node_name_runs_on_that_node() {
    let mut s = Session::new("pods.yaml", BOUND_PODS);
    let wide = s.run("kubectl get pods -o wide");
    let pinned = wide.lines().find(|l| l.starts_with("pinned ")).unwrap();
    let cols: Vec<&str> = pinned.split_whitespace().collect();
    assert_eq!(cols[1..3], ["1/1", "Running"], "{wide}");
    assert!(cols[5].starts_with("10.244."), "{wide}");
    assert_eq!(cols[6], "kind-worker2", "{wide}");
    let nowhere = wide.lines().find(|l| l.starts_with("nowhere ")).unwrap();
    let cols: Vec<&str> = nowhere.split_whitespace().collect();
    assert_eq!(cols[1..3], ["0/1", "Pending"], "{wide}");
    assert_eq!(cols[5..7], ["<none>", "no-such-node"], "{wide}");
    let events = s.run("kubectl describe pod pinned");
    assert!(!events.contains("default-scheduler"), "{events}");
    assert!(events.contains("Started container web"), "{events}");
}

// ---------------------------------------------------------------------------------------------
// A Service without a selector, and its endpoints written by hand

const EXTERNAL_DB: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  ports:\n  - name: pg\n    port: 5432\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: db-1\n  labels:\n    kubernetes.io/service-name: db\naddressType: IPv4\nports:\n- name: pg\n  port: 5432\nendpoints:\n- addresses:\n  - 192.168.1.50\n";

const MIRRORED_DB: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: legacy\nspec:\n  ports:\n  - port: 3306\n---\napiVersion: v1\nkind: Endpoints\nmetadata:\n  name: legacy\nsubsets:\n- addresses:\n  - ip: 192.168.1.60\n  ports:\n  - port: 3306\n";

/// The rules kube-proxy writes for an endpoint outside the pod network have the same form as
/// for a pod: kubernetes/kubernetes `pkg/proxy/iptables/proxier.go` (v1.31) writes the SEP
/// chain's `-s <ip>/32 ... -j KUBE-MARK-MASQ` hairpin rule and its DNAT for every endpoint of
/// the slices labelled `kubernetes.io/service-name` (`proxier_test.go`'s expected dumps,
/// e.g. `-A KUBE-SEP-... -m comment --comment ns1/svc1 -m tcp -p tcp -j DNAT --to-destination
/// 10.180.0.1:80`, saved by iptables-save with `-p` first).
#[test]
fn a_service_without_selector_routes_to_its_written_endpoints() {
    let mut s = Session::new("db.yaml", EXTERNAL_DB);
    let ip = s.run("kubectl get svc db -o jsonpath={.spec.clusterIP}");
    let ip = ip.trim();
    let spn = svclab_sim::names::service_port_name("default", "db", Some("pg"));
    let svc = svclab_sim::names::service_chain_hash(&spn, svclab_sim::model::Protocol::Tcp);
    let sep = svclab_sim::names::endpoint_chain_hash(
        &spn,
        svclab_sim::model::Protocol::Tcp,
        "192.168.1.50:5432",
    );
    let nat = s.run("docker exec kind-worker iptables-save -t nat");
    for line in [
        format!("-A KUBE-SERVICES -d {ip}/32 -p tcp -m comment --comment \"default/db:pg cluster IP\" -m tcp --dport 5432 -j KUBE-SVC-{svc}"),
        format!("-A KUBE-SVC-{svc} -m comment --comment \"default/db:pg -> 192.168.1.50:5432\" -j KUBE-SEP-{sep}"),
        format!("-A KUBE-SEP-{sep} -s 192.168.1.50/32 -m comment --comment \"default/db:pg\" -j KUBE-MARK-MASQ"),
        format!("-A KUBE-SEP-{sep} -p tcp -m comment --comment \"default/db:pg\" -m tcp -j DNAT --to-destination 192.168.1.50:5432"),
    ] {
        assert!(nat.lines().any(|l| l == line), "missing {line}\n{nat}");
    }
    same(
        "get endpointslices",
        &s.run("kubectl get endpointslices -l kubernetes.io/service-name=db"),
        "NAME   ADDRESSTYPE   PORTS   ENDPOINTS      AGE\ndb-1   IPv4          5432    192.168.1.50   10s\n",
    );
}

/// The EndpointSlice mirroring controller copies a hand-written Endpoints of a Service without a
/// selector into a slice named `<endpoints>-<5 chars>`, labelled
/// `endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io`:
/// kubernetes/kubernetes `pkg/controller/endpointslicemirroring/utils.go` (v1.31), `newEndpointSlice`
/// (`GenerateName: endpoints.Name + "-"`, `controllerName = "endpointslicemirroring-controller.k8s.io"`).
#[test]
fn written_endpoints_are_mirrored_into_a_slice() {
    let mut s = Session::new("legacy.yaml", MIRRORED_DB);
    let out = s.run("kubectl get endpointslices -l endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io");
    let row = out.lines().nth(1).unwrap_or_default().to_string();
    assert!(
        row.starts_with("legacy-") && row.contains(" IPv4 "),
        "{out}"
    );
    assert!(row.contains("192.168.1.60"), "{out}");
    same(
        "get endpoints",
        &s.run("kubectl get endpoints legacy"),
        "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\nNAME     ENDPOINTS           AGE\nlegacy   192.168.1.60:3306   10s\n",
    );
    assert!(s
        .run("docker exec kind-worker iptables-save -t nat")
        .contains("-j DNAT --to-destination 192.168.1.60:3306"));
}

/// An address the API server refuses: `IsValidIPv4Address` then `ValidateNonSpecialIP`
/// (kubernetes/kubernetes `pkg/apis/discovery/validation/validation.go` and
/// `staging/src/k8s.io/apimachinery/pkg/util/validation/ip.go`, v1.31).
#[test]
fn a_written_slice_is_validated() {
    let mut s = Session::seed();
    let bad = EXTERNAL_DB.replace("192.168.1.50", "300.1.1.1");
    let out = s.apply("db.yaml", &bad);
    assert!(out.starts_with("service/db created\n"), "{out}");
    assert!(
        out.contains("The EndpointSlice \"db-1\" is invalid: \n* endpoints[0].addresses[0]: Invalid value: \"300.1.1.1\": must be a valid IPv4 address\n* endpoints[0].addresses[0]: Invalid value: \"300.1.1.1\": must be a valid IP address\n"),
        "{out}"
    );
    let loopback = EXTERNAL_DB.replace("192.168.1.50", "127.0.0.1");
    assert!(s.apply("db.yaml", &loopback).contains(
        "endpoints[0].addresses[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"
    ));
}

// ---------------------------------------------------------------------------------------------
// spec.externalIPs

const WITH_EXTERNAL_IP: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web-ext\nspec:\n  selector:\n    app: backend\n  externalIPs:\n  - 203.0.113.10\n  ports:\n  - port: 80\n";

/// kube-proxy captures an external IP in nat KUBE-SERVICES and sends it to the Service's
/// external-destinations chain: kubernetes/kubernetes `pkg/proxy/iptables/proxier.go` (v1.31),
/// "Capture externalIPs" (`"%s external IP"`, `-j externalTrafficChain`), and for Cluster
/// policy the EXT chain masquerades then jumps to the SVC chain ("masquerade traffic for %s
/// external destinations"). `kubectl get svc` lists it under EXTERNAL-IP (`getServiceExternalIP`
/// in `pkg/printers/internalversion/printers.go`) and `describe` says `External IPs:`
/// (`staging/src/k8s.io/kubectl/pkg/describe/describe.go`, after `IPs:`).
#[test]
fn external_ips_are_captured_printed_and_routed() {
    let mut s = Session::seed();
    s.apply("ext.yaml", WITH_EXTERNAL_IP);
    s.cluster.advance(10 * SECOND);
    let spn = svclab_sim::names::service_port_name("default", "web-ext", None);
    let hash = svclab_sim::names::service_chain_hash(&spn, svclab_sim::model::Protocol::Tcp);
    let nat = s.run("docker exec kind-worker iptables-save -t nat");
    for line in [
        format!("-A KUBE-SERVICES -d 203.0.113.10/32 -p tcp -m comment --comment \"default/web-ext external IP\" -m tcp --dport 80 -j KUBE-EXT-{hash}"),
        format!("-A KUBE-EXT-{hash} -m comment --comment \"masquerade traffic for default/web-ext external destinations\" -j KUBE-MARK-MASQ"),
        format!("-A KUBE-EXT-{hash} -j KUBE-SVC-{hash}"),
    ] {
        assert!(nat.lines().any(|l| l == line), "missing {line}\n{nat}");
    }
    let get = s.run("kubectl get svc web-ext");
    let row: Vec<&str> = get.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(row[3], "203.0.113.10", "{get}");
    let describe = s.run("kubectl describe svc web-ext");
    let lines: Vec<&str> = describe.lines().collect();
    let at = lines.iter().position(|l| l.starts_with("IPs:")).unwrap();
    assert_eq!(
        lines[at + 1].split_whitespace().collect::<Vec<_>>(),
        ["External", "IPs:", "203.0.113.10"],
        "{describe}"
    );
    // A pod reaches the backends through the external IP.
    s.run("kubectl run -it client --image=busybox --restart=Never -- sh");
    let out = s.run("wget -qO- http://203.0.113.10/ | head -4");
    assert!(out.contains("Welcome to nginx!"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// spec.healthCheckNodePort

const LB_LOCAL: &str = "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb-local\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector:\n    app: backend\n  externalIPs:\n  - 203.0.113.20\n  ports:\n  - port: 80\n";

/// A LoadBalancer with `externalTrafficPolicy: Local` gets a health check node port from the
/// NodePort range (kubernetes/kubernetes `pkg/registry/core/service/storage/alloc.go`, v1.31);
/// `kubectl describe` prints `HealthCheck NodePort:` after the traffic policies
/// (`staging/src/k8s.io/kubectl/pkg/describe/describe.go`); kube-proxy accepts it in filter
/// KUBE-NODEPORTS on every node ("Capture healthCheckNodePorts": `"%s health check node port"`,
/// `-m tcp -p tcp --dport N -j ACCEPT`) and, on a node without a local endpoint, drops external
/// traffic for the external IP in KUBE-EXTERNAL-SERVICES (`"%s has no local endpoints"`,
/// `-j DROP`), all in `pkg/proxy/iptables/proxier.go`.
#[test]
fn a_local_load_balancer_has_a_health_check_node_port() {
    let mut s = Session::seed();
    s.apply("lb.yaml", LB_LOCAL);
    s.cluster.advance(10 * SECOND);
    let describe = s.run("kubectl describe svc lb-local");
    let hc: u16 = describe
        .lines()
        .find_map(|l| l.strip_prefix("HealthCheck NodePort:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or_else(|| panic!("{describe}"));
    assert!((30000..=32767).contains(&hc), "{describe}");
    let lines: Vec<&str> = describe.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("HealthCheck NodePort:"))
        .unwrap();
    assert!(
        lines[at - 1].starts_with("Internal Traffic Policy:"),
        "{describe}"
    );
    assert!(s
        .run("kubectl get svc lb-local -o yaml")
        .contains(&format!("  healthCheckNodePort: {hc}\n")));
    let accept = format!("-A KUBE-NODEPORTS -p tcp -m comment --comment \"default/lb-local health check node port\" -m tcp --dport {hc} -j ACCEPT");
    let drop = "-A KUBE-EXTERNAL-SERVICES -d 203.0.113.20/32 -p tcp -m comment --comment \"default/lb-local has no local endpoints\" -m tcp --dport 80 -j DROP";
    let control = s.run("docker exec kind-control-plane iptables-save -t filter");
    assert!(control.lines().any(|l| l == accept), "{control}");
    assert!(control.lines().any(|l| l == drop), "{control}");
    // The node port it holds is taken: asking for it again is refused.
    let clash = format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: clash\nspec:\n  type: NodePort\n  selector:\n    app: backend\n  ports:\n  - port: 80\n    nodePort: {hc}\n");
    assert!(s.apply("clash.yaml", &clash).contains(&format!(
        "spec.ports[0].nodePort: Invalid value: {hc}: provided port is already allocated"
    )));
}

// ---------------------------------------------------------------------------------------------
// The endpoints the API server writes, and a headless Service's

/// `uid:`, `resourceVersion:` and `creationTimestamp:` values, masked.
fn masked(yaml: &str) -> String {
    yaml.lines()
        .map(|l| {
            let key = l.trim_start().split(':').next().unwrap_or("");
            if ["uid", "resourceVersion", "creationTimestamp"].contains(&key) {
                format!("{}{key}: *", &l[..l.len() - l.trim_start().len()])
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect()
}

fn uid_of(yaml: &str) -> String {
    yaml.lines()
        .find_map(|l| l.strip_prefix("  uid: "))
        .unwrap_or_default()
        .to_string()
}

/// The API server's endpoint reconciler writes the `kubernetes` Endpoints with only the
/// `endpointslice.kubernetes.io/skip-mirror: "true"` label, and its EndpointSlice named
/// `kubernetes` with only `kubernetes.io/service-name: kubernetes`, no owner, and each address
/// `ready` (kubernetes/kubernetes `pkg/controlplane/reconcilers/endpointsadapter.go`, v1.31,
/// `updateEndpoints` and `updateEndpointSlice`). Each object has a uid of its own.
#[test]
fn the_api_servers_own_endpoints_are_as_it_writes_them() {
    let mut s = Session::seed();
    let slice = s.run("kubectl get endpointslice kubernetes -o yaml");
    same(
        "kubernetes EndpointSlice",
        &masked(&slice),
        "addressType: IPv4\napiVersion: discovery.k8s.io/v1\nendpoints:\n- addresses:\n  - 172.18.0.2\n  conditions:\n    ready: true\nkind: EndpointSlice\nmetadata:\n  creationTimestamp: *\n  generation: 1\n  labels:\n    kubernetes.io/service-name: kubernetes\n  name: kubernetes\n  namespace: default\n  resourceVersion: *\n  uid: *\nports:\n- name: https\n  port: 6443\n  protocol: TCP\n",
    );
    let endpoints = s.run("kubectl get endpoints kubernetes -o yaml");
    same(
        "kubernetes Endpoints",
        &masked(&endpoints),
        "Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice\napiVersion: v1\nkind: Endpoints\nmetadata:\n  creationTimestamp: *\n  labels:\n    endpointslice.kubernetes.io/skip-mirror: \"true\"\n  name: kubernetes\n  namespace: default\n  resourceVersion: *\n  uid: *\nsubsets:\n- addresses:\n  - ip: 172.18.0.2\n  ports:\n  - name: https\n    port: 6443\n    protocol: TCP\n",
    );
    let service = s.run("kubectl get svc kubernetes -o yaml");
    let uids = [uid_of(&slice), uid_of(&endpoints), uid_of(&service)];
    assert!(uids.iter().all(|u| u.len() == 36), "{uids:?}");
    assert!(
        uids[0] != uids[1] && uids[1] != uids[2] && uids[0] != uids[2],
        "{uids:?}"
    );
}

/// A headless Service's EndpointSlices and Endpoints carry `service.kubernetes.io/headless: ""`
/// (kubernetes/kubernetes `staging/src/k8s.io/endpointslice/utils.go`, v1.31,
/// `setEndpointSliceLabels`, and `pkg/controller/endpoint/endpoints_controller.go`, `syncService`:
/// "if !helper.IsServiceIPSet(service)").
#[test]
fn a_headless_services_endpoints_are_labelled_headless() {
    let mut s = Session::seed();
    s.apply("h.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: h\nspec:\n  clusterIP: None\n  selector:\n    app: backend\n  ports:\n  - port: 80\n");
    s.cluster.advance(SECOND);
    let slices = s.run("kubectl get endpointslices -l service.kubernetes.io/headless");
    assert_eq!(slices.lines().count(), 2, "{slices}");
    assert!(slices.lines().nth(1).unwrap().starts_with("h-"), "{slices}");
    assert!(s
        .run("kubectl get endpoints h -o yaml")
        .contains("  labels:\n    service.kubernetes.io/headless: \"\"\n"));
    // A Service with a cluster IP has no such label.
    assert!(!s
        .run("kubectl get endpointslices -l kubernetes.io/service-name=backend-service -o yaml")
        .contains("headless"));
}

// ---------------------------------------------------------------------------------------------
// --field-selector

/// Field selectors filter on the fields the API server indexes for the kind
/// (kubernetes/kubernetes `pkg/apis/core/v1/conversion.go`, v1.31, the Pod's field label
/// conversion: `metadata.name`, `metadata.namespace`, `spec.nodeName`, `status.phase`, ...);
/// any other field is the server's `field label not supported: <field>`, which kubectl wraps as
/// `Unable to find "<group/version, Resource=...>" that match label selector "...", field
/// selector "...": ...` (`staging/src/k8s.io/cli-runtime/pkg/resource/selector.go`).
#[test]
fn field_selectors_filter_as_the_api_server_does() {
    let mut s = Session::seed();
    s.apply("pods.yaml", BOUND_PODS);
    s.cluster.advance(10 * SECOND);
    let names = |out: String| -> Vec<String> {
        out.lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect()
    };
    let running = names(s.run("kubectl get pods --field-selector status.phase=Running"));
    assert_eq!(running.len(), 4, "{running:?}");
    assert!(running.contains(&"pinned".to_string()));
    assert_eq!(
        names(s.run("kubectl get pods --field-selector status.phase!=Running")),
        ["nowhere"]
    );
    assert_eq!(
        names(s.run("kubectl get pods --field-selector=spec.nodeName=no-such-node")),
        ["nowhere"]
    );
    let on_worker2 = names(s.run(
        "kubectl get pods --field-selector spec.nodeName=kind-worker2,metadata.namespace=default",
    ));
    assert!(
        on_worker2.iter().all(|n| n != "nowhere") && on_worker2.contains(&"pinned".to_string())
    );
    assert_eq!(
        names(s.run("kubectl get pods --field-selector metadata.name==pinned")),
        ["pinned"]
    );
    same(
        "unsupported field",
        &s.run("kubectl get pods --field-selector foo=bar"),
        "Error from server (BadRequest): Unable to find \"/v1, Resource=pods\" that match label selector \"\", field selector \"foo=bar\": field label not supported: foo\n",
    );
    same(
        "unsupported field with a label selector",
        &s.run("kubectl get deploy -l app=backend --field-selector spec.replicas=3"),
        "Error from server (BadRequest): Unable to find \"apps/v1, Resource=deployments\" that match label selector \"app=backend\", field selector \"spec.replicas=3\": field label not supported: spec.replicas\n",
    );
}

/// kubectl passes `-l` to the API server as written (kubernetes/kubernetes#52971, "pass
/// labelSelector to server side opaquely", whose example is this selector); the server's parse
/// error (apimachinery `pkg/labels/selector.go`, v1.31: `unable to parse requirement: <nil>:
/// Invalid value: ...`) comes back as a BadRequest that kubectl wraps as for field selectors.
#[test]
fn a_label_selector_the_server_cannot_parse() {
    let mut s = Session::seed();
    same(
        "bad label key",
        &s.run("kubectl get pods -n kube-system -l component+kube-apiserver,tier"),
        "Error from server (BadRequest): Unable to find \"/v1, Resource=pods\" that match label selector \"component+kube-apiserver,tier\", field selector \"\": unable to parse requirement: <nil>: Invalid value: \"component+kube-apiserver\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\n",
    );
}

// ---------------------------------------------------------------------------------------------
// nslookup -type=

/// busybox 1.36 `nslookup`'s own texts (busybox `networking/nslookup.c`: `parse_reply` prints an
/// SRV answer as `"%s\tservice = %u %u %u %s\n"`, a PTR as `"%s\tname = %s\n"`, an A as
/// `"Name:\t%s\nAddress: %s\n"`; each reply ends with an empty line, so an empty (NODATA) AAAA
/// reply is a bare empty line; `-type=` is matched with `strcasecmp` and an unknown one dies with
/// `invalid query type "%s"`; `add_query_with_search` sends a PTR question for the name exactly
/// as typed). The records are CoreDNS's kubernetes plugin's: SRV `_port._proto.svc.ns.svc.zone`
/// with priority 0 and weight 100 shared among the targets, headless per-endpoint
/// `a-b-c-d.svc.ns.svc.zone` A records.
#[test]
fn nslookup_honours_the_query_type() {
    let mut s = Session::seed();
    s.apply("h.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: h\nspec:\n  clusterIP: None\n  selector:\n    app: backend\n  ports:\n  - name: http\n    port: 80\n");
    s.cluster.advance(10 * SECOND);
    s.run("kubectl run -it client --image=busybox --restart=Never -- sh");
    let header = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n";
    same(
        "SRV of a named port",
        &s.run("nslookup -type=SRV _dns._udp.kube-dns.kube-system.svc.cluster.local"),
        &format!("{header}_dns._udp.kube-dns.kube-system.svc.cluster.local\tservice = 0 100 53 kube-dns.kube-system.svc.cluster.local\n\n"),
    );
    let srv = s.run("nslookup -type=srv _http._tcp.h.default.svc.cluster.local");
    let targets: Vec<&str> = srv
        .lines()
        .filter(|l| l.contains("\tservice = 0 33 80 "))
        .collect();
    assert_eq!(targets.len(), 3, "{srv}");
    assert!(
        srv.contains("\tservice = 0 33 80 10-244-1-2.h.default.svc.cluster.local\n"),
        "{srv}"
    );
    same(
        "empty AAAA",
        &s.run("nslookup -type=AAAA backend-service.default.svc.cluster.local"),
        &format!("{header}\n"),
    );
    same(
        "PTR by its reverse name",
        &s.run("nslookup -type=PTR 10.0.96.10.in-addr.arpa"),
        &format!(
            "{header}10.0.96.10.in-addr.arpa\tname = kube-dns.kube-system.svc.cluster.local\n\n"
        ),
    );
    same(
        "PTR of an address as typed",
        &s.run("nslookup -type=PTR 10.96.0.10"),
        &format!("{header}** server can't find 10.96.0.10: NXDOMAIN\n\n"),
    );
    same(
        "a headless Service's per-endpoint name",
        &s.run("nslookup -type=A 10-244-1-2.h.default.svc.cluster.local"),
        &format!("{header}Name:\t10-244-1-2.h.default.svc.cluster.local\nAddress: 10.244.1.2\n\n"),
    );
    same(
        "an unknown type",
        &s.run("nslookup -type=FOO backend-service"),
        "nslookup: invalid query type \"FOO\"\n",
    );
    assert_eq!(s.run("echo $?"), "1\n");
}

// ---------------------------------------------------------------------------------------------
// kube-proxy's nfacct counters

/// kube-proxy counts invalid packets it drops and NodePort packets accepted on a localhost
/// address in nfacct objects: kubernetes/kubernetes `pkg/proxy/iptables/proxier_test.go`
/// (`TestOverallIPTablesRules`'s expected dump): `-A KUBE-FORWARD -m conntrack --ctstate
/// INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP`, and before each
/// NodePort's jump `-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp -d
/// 127.0.0.0/8 --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-...`
/// (here as iptables-save prints them).
#[test]
fn kube_proxy_writes_its_nfacct_counter_rules() {
    let mut s = Session::seed();
    s.apply("np.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: np\nspec:\n  type: NodePort\n  selector:\n    app: backend\n  ports:\n  - port: 80\n    nodePort: 30080\n");
    s.cluster.advance(SECOND);
    let hash =
        svclab_sim::names::service_chain_hash("default/np", svclab_sim::model::Protocol::Tcp);
    let nat = s.run("docker exec kind-worker iptables-save -t nat");
    let nodeports: Vec<&str> = nat
        .lines()
        .filter(|l| l.starts_with("-A KUBE-NODEPORTS"))
        .collect();
    assert_eq!(
        nodeports,
        [
            format!("-A KUBE-NODEPORTS -d 127.0.0.0/8 -p tcp -m comment --comment \"default/np\" -m tcp --dport 30080 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-{hash}"),
            format!("-A KUBE-NODEPORTS -p tcp -m comment --comment \"default/np\" -m tcp --dport 30080 -j KUBE-EXT-{hash}"),
        ]
    );
    let filter = s.run("docker exec kind-worker iptables-save -t filter");
    assert!(filter.lines().any(|l| l == "-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP"), "{filter}");
}

/// A pod with `hostname` and a `subdomain` naming a headless Service is that name in DNS: the
/// EndpointSlice controller copies the hostname onto its endpoint (kubernetes/kubernetes
/// `pkg/controller/util/endpoint/controller_utils.go`, v1.31, `ShouldSetHostname`) and CoreDNS
/// names the endpoint by it (coredns/coredns `plugin/kubernetes/kubernetes.go`,
/// `endpointHostname`), in A, SRV and PTR answers.
#[test]
fn hostname_and_subdomain_name_a_pod_in_dns() {
    let mut s = Session::seed();
    s.apply("h.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: h\nspec:\n  clusterIP: None\n  selector:\n    app: named\n  ports:\n  - name: http\n    port: 80\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: named\n  labels:\n    app: named\nspec:\n  hostname: web-0\n  subdomain: h\n  nodeName: kind-worker\n  containers:\n  - name: web\n    image: nginx\n");
    s.cluster.advance(10 * SECOND);
    let ip = s.run("kubectl get pod named -o jsonpath={.status.podIP}");
    let ip = ip.trim().to_string();
    s.run("kubectl run -it client --image=busybox --restart=Never -- sh");
    let header = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n";
    same(
        "A of hostname.subdomain",
        &s.run("nslookup -type=A web-0.h.default.svc.cluster.local"),
        &format!("{header}Name:\tweb-0.h.default.svc.cluster.local\nAddress: {ip}\n\n"),
    );
    same(
        "SRV target",
        &s.run("nslookup -type=SRV _http._tcp.h.default.svc.cluster.local"),
        &format!("{header}_http._tcp.h.default.svc.cluster.local\tservice = 0 100 80 web-0.h.default.svc.cluster.local\n\n"),
    );
    let reverse = {
        let o: Vec<&str> = ip.split('.').collect();
        format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
    };
    same(
        "PTR",
        &s.run(&format!("nslookup {ip}")),
        &format!("{header}{reverse}\tname = web-0.h.default.svc.cluster.local\n\n"),
    );
}

// ---------------------------------------------------------------------------------------------
// A kind node's iptables beside kube-proxy's

/// `iptables-save` on a kind node prints every table iptables-nft keeps, in iptables' table
/// order (mangle before filter before nat: `nft_for_each_table` over the `NFT_TABLE_*` builtin
/// tables in netfilter iptables `iptables/nft.c`), and each holds chains of the kubelet and
/// kindnetd besides kube-proxy's:
/// - mangle `KUBE-IPTABLES-HINT`: the kubelet's `syncIPTablesRules`; the canaries
///   `KUBE-KUBELET-CANARY` (mangle, nat, filter): its `initNetworkUtil`, which monitors
///   `utiliptables.Chain("KUBE-KUBELET-CANARY")` in `TableMangle, TableNAT, TableFilter`
///   (kubernetes/kubernetes `pkg/kubelet/kubelet_network_linux.go`, commit a0d8ee7954d1).
/// - mangle `KUBE-PROXY-CANARY`, in iptables mode only: `NewProxier` monitors
///   `kubeProxyCanaryChain` in the same three tables (`pkg/proxy/iptables/proxier.go`).
/// - nat `KIND-MASQ-AGENT` and the jump to it, with kindnetd's comments: kubernetes-sigs/kind
///   `images/kindnetd/cmd/kindnetd/masq.go` at 9350166c (the commit kind v0.32.0's kindnetd
///   image `v20260528-9350166c` is built from; the same at v0.32.0). `POD_SUBNET` is kind's
///   pod subnet (`pkg/build/nodeimage/const_cni.go`), `10.244.0.0/16`. kindnetd appends the
///   jump and kube-proxy prepends its own, so `KUBE-POSTROUTING` comes first.
#[test]
fn a_kind_nodes_iptables_save_has_the_kubelets_and_kindnetds_chains() {
    let mut s = Session::seed();
    let mangle = s.run("docker exec kind-worker iptables-save -t mangle");
    same(
        "mangle, iptables mode",
        &mangle,
        "\
# Generated by iptables-nft-save v1.8.11 (nf_tables) on Mon Jan  1 00:00:00 2024
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-IPTABLES-HINT - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-PROXY-CANARY - [0:0]
COMMIT
# Completed on Mon Jan  1 00:00:00 2024
",
    );
    let whole = s.run("docker exec kind-worker iptables-save");
    let tables: Vec<&str> = whole.lines().filter(|l| l.starts_with('*')).collect();
    assert_eq!(tables, ["*mangle", "*filter", "*nat"]);
    let nat = s.run("docker exec kind-worker iptables-save -t nat");
    let postrouting: Vec<&str> = nat
        .lines()
        .filter(|l| l.starts_with("-A POSTROUTING") || l.starts_with("-A KIND-MASQ-AGENT"))
        .collect();
    assert_eq!(
        postrouting,
        [
            "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING",
            "-A POSTROUTING -m addrtype ! --dst-type LOCAL -m comment --comment \"kind-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom KIND-MASQ-AGENT chain\" -j KIND-MASQ-AGENT",
            "-A KIND-MASQ-AGENT -d 10.244.0.0/16 -m comment --comment \"kind-masq-agent: local traffic is not subject to MASQUERADE\" -j RETURN",
            "-A KIND-MASQ-AGENT -m comment --comment \"kind-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)\" -j MASQUERADE",
        ]
    );
    for table in ["nat", "filter"] {
        let saved = s.run(&format!("docker exec kind-worker iptables-save -t {table}"));
        assert!(
            saved.lines().any(|l| l == ":KUBE-KUBELET-CANARY - [0:0]"),
            "{saved}"
        );
    }
    // The chains list like any other.
    same(
        "iptables -t mangle -S",
        &s.run("docker exec kind-worker iptables -t mangle -S"),
        "-P PREROUTING ACCEPT\n-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-P POSTROUTING ACCEPT\n-N KUBE-IPTABLES-HINT\n-N KUBE-KUBELET-CANARY\n-N KUBE-PROXY-CANARY\n",
    );
    same(
        "iptables -t nat -L KIND-MASQ-AGENT -n",
        &s.run("docker exec kind-worker iptables -t nat -L KIND-MASQ-AGENT -n"),
        "\
Chain KIND-MASQ-AGENT (1 references)
target     prot opt source               destination
RETURN     0    --  0.0.0.0/0            10.244.0.0/16        /* kind-masq-agent: local traffic is not subject to MASQUERADE */
MASQUERADE  0    --  0.0.0.0/0            0.0.0.0/0            /* kind-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain) */
",
    );
}

/// In nftables mode kube-proxy writes no iptables rules (it cleans up the iptables and IPVS
/// modes' rules when it starts), but the kubelet's and kindnetd's do not depend on kube-proxy's
/// mode: `iptables-save` still prints them, with the kubelet's `KUBE-FIREWALL`
/// (`syncIPTablesRules`: the INPUT and OUTPUT jumps and the "block incoming localnet
/// connections" rule), and no `KUBE-PROXY-CANARY`. Sources as in the test above.
#[test]
fn in_nftables_mode_iptables_save_keeps_the_kubelets_and_kindnetds_chains() {
    let mut s = Session::seed();
    s.cluster
        .act(svclab_sim::action::Action::SetProxyMode {
            mode: svclab_sim::kube_proxy::ProxyMode::Nftables,
        })
        .unwrap();
    s.cluster.advance(SECOND);
    same(
        "iptables-save, nftables mode",
        &s.run("docker exec kind-worker iptables-save"),
        "\
# Generated by iptables-nft-save v1.8.11 (nf_tables) on Mon Jan  1 00:00:00 2024
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-IPTABLES-HINT - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
COMMIT
# Completed on Mon Jan  1 00:00:00 2024
# Generated by iptables-nft-save v1.8.11 (nf_tables) on Mon Jan  1 00:00:00 2024
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
-A INPUT -j KUBE-FIREWALL
-A OUTPUT -j KUBE-FIREWALL
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment \"block incoming localnet connections\" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
COMMIT
# Completed on Mon Jan  1 00:00:00 2024
# Generated by iptables-nft-save v1.8.11 (nf_tables) on Mon Jan  1 00:00:00 2024
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KIND-MASQ-AGENT - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
-A POSTROUTING -m addrtype ! --dst-type LOCAL -m comment --comment \"kind-masq-agent: ensure nat POSTROUTING directs all non-LOCAL destination traffic to our custom KIND-MASQ-AGENT chain\" -j KIND-MASQ-AGENT
-A KIND-MASQ-AGENT -d 10.244.0.0/16 -m comment --comment \"kind-masq-agent: local traffic is not subject to MASQUERADE\" -j RETURN
-A KIND-MASQ-AGENT -m comment --comment \"kind-masq-agent: outbound traffic is subject to MASQUERADE (must be last in chain)\" -j MASQUERADE
COMMIT
# Completed on Mon Jan  1 00:00:00 2024
svclab: a kind node also has Docker's DNS chains (nat DOCKER_OUTPUT, DOCKER_POSTROUTING); their rules name ports Docker picks when the node starts, so svclab leaves them out
",
    );
}

/// kind's default storage, as its node image ships it and `kind create cluster` applies it
/// (kubernetes-sigs/kind `pkg/build/nodeimage/const_storage.go` at `v0.32.0`): the
/// `local-path-storage` namespace and a one-replica `local-path-provisioner` Deployment
/// selecting `app: local-path-provisioner`, on linux nodes, tolerating the control plane's taint.
/// It is applied before `kubeadm join` (`pkg/cluster/internal/create/create.go`: `installstorage`
/// then `kubeadmjoin`), so the control plane is the only node the scheduler can choose, and the
/// pod takes the next address of its range after CoreDNS's.
#[test]
fn kinds_storage_provisioner_runs_on_the_control_plane() {
    let mut s = Session::seed();
    let out = [
        "kubectl get ns",
        "kubectl get deploy,rs,pods -n local-path-storage -o wide",
    ]
    .map(|line| format!("$ {line}\n{}", s.run(line)))
    .concat();
    same(
        "local-path-storage",
        &out,
        "$ kubectl get ns
NAME                 STATUS   AGE
default              Active   60m
kube-node-lease      Active   60m
kube-public          Active   60m
kube-system          Active   60m
local-path-storage   Active   60m
$ kubectl get deploy,rs,pods -n local-path-storage -o wide
NAME                                     READY   UP-TO-DATE   AVAILABLE   AGE   CONTAINERS               IMAGES                                                        SELECTOR
deployment.apps/local-path-provisioner   1/1     1            1           60m   local-path-provisioner   docker.io/kindest/local-path-provisioner:v20260521-9fb22683   app=local-path-provisioner

NAME                                                DESIRED   CURRENT   READY   AGE   CONTAINERS               IMAGES                                                        SELECTOR
replicaset.apps/local-path-provisioner-7cd594cdcc   1         1         1       60m   local-path-provisioner   docker.io/kindest/local-path-provisioner:v20260521-9fb22683   app=local-path-provisioner,pod-template-hash=7cd594cdcc

NAME                                          READY   STATUS    RESTARTS   AGE   IP           NODE                 NOMINATED NODE   READINESS GATES
pod/local-path-provisioner-7cd594cdcc-zkx59   1/1     Running   0          60m   10.244.0.4   kind-control-plane   <none>           <none>
",
    );
    let describe = s.run("kubectl describe deploy local-path-provisioner -n local-path-storage");
    let template: String = describe
        .lines()
        .skip_while(|l| !l.starts_with("Pod Template:"))
        .take_while(|l| !l.starts_with("Conditions:"))
        .map(|l| format!("{l}\n"))
        .collect();
    same(
        "local-path-provisioner template",
        &template,
        "Pod Template:
  Labels:  app=local-path-provisioner
  Containers:
   local-path-provisioner:
    Image:      docker.io/kindest/local-path-provisioner:v20260521-9fb22683
    Port:       <none>
    Host Port:  <none>
    Command:
      local-path-provisioner
      --debug
      start
      --helper-image
      docker.io/kindest/local-path-helper:v20260131-7181c60a
      --config
      /etc/config/config.json
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  kubernetes.io/os=linux
  Tolerations:     node-role.kubernetes.io/control-plane:NoSchedule
                   node-role.kubernetes.io/master:NoSchedule
",
    );
}

/// The scheduler places a pod on a tainted node only if one of its tolerations matches the
/// taint (kubernetes/kubernetes `staging/src/k8s.io/api/core/v1/toleration.go`,
/// `ToleratesTaint`); kubeadm taints the control plane `node-role.kubernetes.io/control-plane:NoSchedule`.
#[test]
fn a_toleration_of_the_control_plane_taint_lets_a_pod_run_there() {
    let mut s = Session::seed();
    let pod = |name: &str, toleration: &str| {
        format!(
            "apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  nodeSelector:
    kubernetes.io/hostname: kind-control-plane
{toleration}  containers:
  - name: app
    image: nginx
"
        )
    };
    let tolerating = "  tolerations:
  - key: node-role.kubernetes.io/control-plane
    operator: Exists
    effect: NoSchedule
";
    s.apply("tolerating.yaml", &pod("tolerating", tolerating));
    s.apply("plain.yaml", &pod("plain", ""));
    s.cluster.advance(10 * SECOND);
    let out = s.run("kubectl get pod tolerating plain -o wide");
    let row = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    assert_eq!(row("tolerating")[2], "Running", "{out}");
    assert_eq!(row("tolerating")[6], "kind-control-plane", "{out}");
    assert_eq!(row("plain")[2], "Pending", "{out}");
    assert_eq!(row("plain")[6], "<none>", "{out}");
    let events = s.run("kubectl describe pod plain");
    assert!(
        events.contains("untolerated taint {node-role.kubernetes.io/control-plane: }"),
        "{events}"
    );
}
