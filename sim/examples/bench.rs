//! Figures at scale, printed, not asserted: applying manifests of 10, 100 and 1,000 objects and
//! applying into the largest world svclab holds; routing a request through a Service with 1,
//! 100 and 1,000 endpoints in iptables and IPVS mode; one step of the clock with 1,000 pods and
//! 200 requests in flight. Run with
//! `cargo run --release -p svclab-sim --example bench`; each figure is the median of several
//! runs (wall time: on a shared machine compare figures from one run, not across days).
//! `cargo bench -p svclab-sim --bench engine` holds the parse/apply/route figures with targets.

use std::hint::black_box;
use std::time::{Duration, Instant};

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::kube_proxy::ProxyMode;
use svclab_sim::model::ObjectKey;
use svclab_sim::time::SECOND;
use svclab_sim::trace::{Client, Request, Tool};

/// `objects` objects: Deployments of one replica named `{prefix}N`, each with its Service
/// `{prefix}N-svc` (an odd count ends with a lone Deployment).
fn manifest(prefix: &str, objects: usize) -> String {
    let mut out = String::new();
    for i in 0..objects {
        let app = i / 2;
        if i % 2 == 0 {
            out.push_str(&format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {prefix}{app}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: {prefix}{app}\n  template:\n    metadata:\n      labels:\n        app: {prefix}{app}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          ports:\n            - containerPort: 80\n---\n"
            ));
        } else {
            out.push_str(&format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {prefix}{app}-svc\nspec:\n  selector:\n    app: {prefix}{app}\n  ports:\n    - port: 80\n---\n"
            ));
        }
    }
    out
}

/// The seed's backend Deployment and Service with `replicas` pods, and the busybox client, on
/// kind's four nodes or, past what their kubelets' 110 pods each can hold, on twelve.
fn backend(replicas: i64) -> Cluster {
    let workers = if replicas > 400 { 11 } else { 3 };
    let mut c = Cluster::new(Config {
        workers,
        ..Config::default()
    });
    let seed = svclab_sim::examples::SEED_MANIFEST
        .replace("replicas: 3", &format!("replicas: {replicas}"));
    c.apply(&seed, "backend.yaml").expect("the seed applies");
    c.act(Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    })
    .expect("the client runs");
    c.advance(120 * SECOND);
    c
}

fn objects(c: &Cluster) -> usize {
    c.namespaces().len()
        + c.deployments().len()
        + c.replica_sets().len()
        + c.pods().len()
        + c.services().len()
        + c.network_policies().len()
}

/// Wall times of several runs. On a shared, loaded machine the median swings by 2x or more
/// from one run to the next; the fastest run is the steadier figure of what the code costs.
struct Samples(Vec<Duration>);

impl Samples {
    fn show(&self, unit: fn(Duration) -> String) -> String {
        let mut sorted = self.0.clone();
        sorted.sort();
        format!(
            "median {}, fastest {}",
            unit(sorted[sorted.len() / 2]),
            unit(sorted[0])
        )
    }
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// Times of `f`, each on a fresh clone of `world` (the clone is not timed).
fn time_on(world: &Cluster, runs: usize, mut f: impl FnMut(&mut Cluster)) -> Samples {
    Samples(
        (0..runs)
            .map(|_| {
                let mut c = world.clone();
                let t = Instant::now();
                f(&mut c);
                let d = t.elapsed();
                black_box(c);
                d
            })
            .collect(),
    )
}

fn apply_figures() {
    println!("apply (kubectl apply -f of Deployments and Services, into the booted world):");
    let fresh = Cluster::new(Config::default());
    for n in [10, 100, 1000] {
        let text = manifest("app", n);
        let d = time_on(&fresh, 11, |c| {
            c.apply(&text, "big.yaml").expect("applies");
        });
        println!("  {n:>5} objects ({:>7} bytes): {}", text.len(), d.show(ms));
    }

    // The largest world: 1,000 objects applied, then the controllers' ReplicaSets, pods and
    // endpoints (EndpointSlices are not counted by the cap).
    let mut big = fresh.clone();
    big.apply(&manifest("app", 1000), "big.yaml")
        .expect("applies");
    big.advance(60 * SECOND);
    let held = objects(&big);
    let extra = manifest("extra", 10);
    let d = time_on(&big, 11, |c| {
        c.apply(&extra, "extra.yaml").expect("applies");
    });
    println!(
        "  10 more objects into a world of {held} objects ({} pods, {} EndpointSlices): {}",
        big.pods().len(),
        big.endpoint_slices().len(),
        d.show(ms)
    );
    let again = manifest("app", 1000);
    let d = time_on(&big, 5, |c| {
        c.apply(&again, "big.yaml").expect("applies");
    });
    println!(
        "  the same 1,000 objects again into that world (all unchanged): {}",
        d.show(ms)
    );

    // Near the cluster's cap (svclab_sim::cluster::MAX_OBJECTS, pods included): five
    // Deployments of 960 replicas and their Services on 46 nodes.
    let mut full = Cluster::new(Config {
        workers: 45,
        ..Config::default()
    });
    for i in 0..5 {
        let seed = svclab_sim::examples::SEED_MANIFEST
            .replace("replicas: 3", "replicas: 960")
            .replace("name: backend\n", &format!("name: backend{i}\n"))
            .replace("app: backend", &format!("app: backend{i}"))
            .replace("backend-service", &format!("backend{i}-service"));
        full.apply(&seed, "five.yaml").expect("applies");
    }
    full.advance(120 * SECOND);
    let d = time_on(&full, 5, |c| {
        c.apply(&extra, "extra.yaml").expect("applies");
    });
    println!(
        "  10 more objects into a world of {} objects ({} pods, {} EndpointSlices): {}",
        objects(&full),
        full.pods().len(),
        full.endpoint_slices().len(),
        d.show(ms)
    );
    let d = time_on(&full, 5, |c| c.advance(16));
    println!("  and one 16 ms step of that world's clock: {}", d.show(us));

    // 10,000 objects are past the caps (svclab_sim::manifest::MAX_BYTES, MAX_DOCUMENTS and
    // MAX_OBJECTS; a cluster holds at most svclab_sim::cluster::MAX_OBJECTS): refused whole.
    let huge = manifest("app", 10_000);
    let mut refused = String::new();
    let d = time_on(&fresh, 5, |c| {
        if let Err(e) = c.apply(&huge, "huge.yaml") {
            refused = e.first().map(|e| e.message.clone()).unwrap_or_default();
        }
    });
    println!(
        "  10,000 objects ({} bytes): refused in {}:\n    {refused}",
        huge.len(),
        d.show(us)
    );
}

fn route_figures() {
    println!("route one request by cluster IP (wget from the client pod), per request:");
    for endpoints in [1, 100, 1000] {
        let world = backend(endpoints);
        let ready: usize = world
            .service_slices(&ObjectKey::new("default", "backend-service"))
            .iter()
            .map(|s| s.endpoints.iter().filter(|e| e.ready).count())
            .sum();
        let ip = world.services()[&ObjectKey::new("default", "backend-service")]
            .spec
            .cluster_ip
            .ip()
            .expect("a ClusterIP");
        let request = Request {
            payload: String::new(),
            client: Client::Pod(ObjectKey::new("default", "test")),
            tool: Tool::Wget,
            target: format!("http://{ip}"),
        };
        let mut line = format!(
            "  {endpoints:>5} endpoints ({ready} ready, {} nodes):",
            world.nodes().len()
        );
        for mode in [ProxyMode::Iptables, ProxyMode::Ipvs] {
            let mut c = world.clone();
            c.act(Action::SetProxyMode { mode }).expect("switches");
            c.advance(SECOND);
            // The first request builds the proxier's rule tables, as a session's first does.
            let t = Instant::now();
            c.send(request.clone());
            let first = t.elapsed();
            let id = c.send(request.clone());
            let outcome = c.traces().iter().find(|t| t.id == id).map(|t| &t.outcome);
            assert!(
                matches!(
                    outcome,
                    Some(svclab_sim::trace::Outcome::Http { status: 200, .. })
                ),
                "the request is answered: {outcome:?}"
            );
            let rounds = 500u32;
            let d = Samples(
                (0..7)
                    .map(|_| {
                        let t = Instant::now();
                        for _ in 0..rounds {
                            black_box(c.send(request.clone()));
                        }
                        t.elapsed() / rounds
                    })
                    .collect(),
            );
            line.push_str(&format!(
                "\n      {mode:?}: {} (the first {})",
                d.show(us),
                ms(first)
            ));
        }
        println!("{line}");
    }
}

fn step_figures() {
    println!("one step of the clock (advance 16 virtual ms, one frame at 1x):");
    let mut world = backend(1000);
    let request = Request {
        payload: String::new(),
        client: Client::Pod(ObjectKey::new("default", "test")),
        tool: Tool::Wget,
        target: "http://backend-service".into(),
    };
    // 200 requests, 10 virtual ms apart: their traces (several 300 ms hops each) are still on
    // the wire when the steps below run.
    for _ in 0..200 {
        world.send(request.clone());
        world.advance(10);
    }
    let answered = world
        .traces()
        .iter()
        .filter(|t| {
            matches!(
                t.outcome,
                svclab_sim::trace::Outcome::Http { status: 200, .. }
            )
        })
        .count();
    let in_flight = world
        .traces()
        .iter()
        .filter(|t| t.finish > world.now())
        .count();
    let mut c = world.clone();
    let mut steps: Vec<Duration> = (0..600)
        .map(|_| {
            let t = Instant::now();
            c.advance(16);
            t.elapsed()
        })
        .collect();
    steps.sort();
    println!(
        "  {} pods, {} traces kept ({answered} answered), {in_flight} on the wire at the start:\n    median {}, p95 {}, max {} over 600 steps",
        world.pods().len(),
        world.traces().len(),
        us(steps[steps.len() / 2]),
        us(steps[steps.len() * 95 / 100]),
        us(steps[steps.len() - 1])
    );
    let d = time_on(&world, 11, |c| {
        c.send(request.clone());
        c.advance(16);
    });
    println!(
        "  a step that also sends a request by name (steady traffic's tick): {}",
        d.show(ms)
    );
}

fn main() {
    apply_figures();
    route_figures();
    step_figures();
}
