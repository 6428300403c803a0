//! Figures for the paths a learner waits on: applying a manifest, the controllers catching up
//! with it, and routing a request. Run with `cargo bench -p svclab-sim`; it prints the median
//! of several runs of each. Targets: 1,000 objects applied in under 50 ms; a request through a
//! Service with 100 endpoints routed in under 20 µs. The 5,000-pod case has no target: it is
//! the largest world svclab allows, kept here so that a change that slows it shows.

use std::hint::black_box;
use std::time::{Duration, Instant};

use svclab_sim::action::Action;
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::model::ObjectKey;
use svclab_sim::time::SECOND;
use svclab_sim::trace::{Client, Request, Tool};

/// 500 Deployments of one replica and a Service for each: 1,000 objects.
fn thousand_objects() -> String {
    let mut out = String::new();
    for i in 0..500 {
        out.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: app{i}\n  template:\n    metadata:\n      labels:\n        app: app{i}\n    spec:\n      containers:\n        - name: web\n          image: nginx\n          ports:\n            - containerPort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc{i}\nspec:\n  selector:\n    app: app{i}\n  ports:\n    - port: 80\n---\n"
        ));
    }
    out
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let manifest = thousand_objects();
    let samples: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            black_box(svclab_sim::manifest::parse(&manifest, "big.yaml").expect("parses"));
            t.elapsed()
        })
        .collect();
    println!(
        "parse 1000 objects: median {:.2} ms",
        median(samples).as_secs_f64() * 1e3
    );
    let fresh = Cluster::new(Config::default());
    let samples: Vec<Duration> = (0..15)
        .map(|_| {
            let mut c = fresh.clone();
            let t = Instant::now();
            let out = c.apply(&manifest, "big.yaml").expect("applies");
            let d = t.elapsed();
            black_box(out);
            d
        })
        .collect();
    println!(
        "apply 1000 objects: median {:.2} ms (target < 50 ms)",
        median(samples).as_secs_f64() * 1e3
    );

    // Five Deployments of the most replicas allowed, and a Service for each: every pod
    // scheduled, pulled, started and made an endpoint, with thousands of events.
    let mut five = String::new();
    for i in 0..5 {
        five.push_str(
            &svclab_sim::examples::SEED_MANIFEST
                .replace("replicas: 3", "replicas: 1000")
                .replace("name: backend\n", &format!("name: backend{i}\n"))
                .replace("app: backend", &format!("app: backend{i}"))
                .replace("backend-service", &format!("backend{i}-service")),
        );
        five.push_str("\n---\n");
    }
    let samples: Vec<Duration> = (0..5)
        .map(|_| {
            let mut c = fresh.clone();
            let t = Instant::now();
            c.apply(&five, "five.yaml").expect("applies");
            c.advance(30 * SECOND);
            let d = t.elapsed();
            assert!(c.pods().len() > 4_900, "{} pods", c.pods().len());
            black_box(c);
            d
        })
        .collect();
    println!(
        "apply 5,000 pods and run the clock 30 s: median {:.0} ms",
        median(samples).as_secs_f64() * 1e3
    );

    let mut c = Cluster::new(Config::default());
    let seed = svclab_sim::examples::SEED_MANIFEST.replace("replicas: 3", "replicas: 100");
    c.apply(&seed, "backend.yaml").expect("applies");
    c.act(Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    })
    .expect("runs");
    c.advance(30 * SECOND);
    let ip = c.services()[&ObjectKey::new("default", "backend-service")]
        .spec
        .cluster_ip
        .ip()
        .expect("has an IP");
    for (what, target) in [
        ("by cluster IP", format!("http://{ip}")),
        (
            "by name (DNS + request)",
            "http://backend-service".to_string(),
        ),
    ] {
        let request = Request {
            client: Client::Pod(ObjectKey::new("default", "test")),
            tool: Tool::Wget,
            target,
        };
        // Warm the proxier's cached rule tables once, as the first request of a session does.
        c.send(request.clone());
        let rounds = 2_000u32;
        let samples: Vec<Duration> = (0..9)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..rounds {
                    black_box(c.send(request.clone()));
                }
                t.elapsed() / rounds
            })
            .collect();
        println!(
            "route a request {what}, Service with 100 endpoints: median {:.2} µs (target < 20 µs)",
            median(samples).as_secs_f64() * 1e6
        );
    }
}
