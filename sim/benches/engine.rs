//! Figures for the paths a learner waits on: applying a manifest, the controllers catching up
//! with it, and routing a request. Run with `cargo bench -p svclab-sim`; it prints the median
//! of several runs of each. Targets: 1,000 objects applied in under 50 ms; a request through a
//! Service with 100 endpoints routed in under 20 µs. The 5,000-pod case has no target: it is
//! the largest world svclab allows, kept here so that a change that slows it shows. The hostile
//! manifests (a 1 MiB file, deep nesting, alias and merge-key bombs, too many documents) have
//! no target: the tests in `tests/manifest.rs` check what they answer, this shows how long the
//! refusal takes (it should stay in milliseconds, whatever the input). Simulation mode's Step
//! and Back are timed at event 500 and event 10,000 (target: 50 ms each).

use std::hint::black_box;
use std::time::{Duration, Instant};

use svclab_sim::action::{Action, SteadyTraffic};
use svclab_sim::cluster::{Cluster, Config};
use svclab_sim::model::ObjectKey;
use svclab_sim::time::{Time, SECOND};
use svclab_sim::timeline::Timeline;
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

/// Manifests built to make a parser work without bound, each refused with an error.
fn hostile() -> Vec<(&'static str, String)> {
    let seed = svclab_sim::examples::SEED_MANIFEST;
    let mut block = String::new();
    for i in 0..1200 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let refs = vec![format!("*{prev}"); 9].join(",");
        laughs.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let mut merges =
        String::from("a: &a {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7}\n");
    for i in 0..20 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("m{}", i - 1)
        };
        merges.push_str(&format!(
            "m{i}: &m{i} {{<<: *{prev}, x{i}: [*{prev}, *{prev}, *{prev}, *{prev}]}}\n"
        ));
    }
    let doc = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n";
    vec![
        (
            "a file over 1 MiB",
            format!("{seed}#{}\n", "x".repeat(svclab_sim::manifest::MAX_BYTES)),
        ),
        ("10,000 [", format!("a: {}\n", "[".repeat(10_000))),
        (
            "1 MiB of [",
            format!("a: {}\n", "[".repeat(svclab_sim::manifest::MAX_BYTES - 8)),
        ),
        ("20,000 nested -", format!("{}x\n", "- ".repeat(20_000))),
        (
            "a map of 100,000 keys",
            (0..100_000).map(|i| format!("k{i}: v\n")).collect(),
        ),
        (
            "a flow map of 100,000 keys",
            format!(
                "a: {{{}}}\n",
                (0..100_000)
                    .map(|i| format!("k{i}: 1,"))
                    .collect::<String>()
            ),
        ),
        ("1,200 nested blocks", block),
        ("a billion laughs", laughs),
        ("a merge-key bomb", merges),
        (
            "1,001 documents",
            vec![doc; svclab_sim::manifest::MAX_DOCUMENTS + 1].join("---\n"),
        ),
    ]
}

/// The seed with `replicas` backend pods and the busybox `test` client, the clock run on `settle`.
fn seed_with(replicas: u32, settle: Time) -> Cluster {
    let mut c = Cluster::new(Config::default());
    let seed = svclab_sim::examples::SEED_MANIFEST
        .replace("replicas: 3", &format!("replicas: {replicas}"));
    c.apply(&seed, "backend.yaml").expect("applies");
    c.act(Action::Run {
        namespace: "default".into(),
        name: "test".into(),
        image: "busybox".into(),
        command: vec!["sh".into()],
    })
    .expect("runs");
    c.advance(settle);
    c
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
    for (what, text) in hostile() {
        let samples: Vec<Duration> = (0..5)
            .map(|_| {
                let t = Instant::now();
                let refused = svclab_sim::manifest::parse(&text, "x.yaml").is_err();
                let d = t.elapsed();
                assert!(refused, "{what} is refused");
                d
            })
            .collect();
        println!(
            "refuse {what}: median {:.2} ms",
            median(samples).as_secs_f64() * 1e3
        );
    }
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

    // The frames after that Apply, as the page advances the clock (16 ms at a time) while the
    // 500 pods are pulled and started: each instant a timer fires, the controllers run over
    // the whole world. Prints the ten virtual seconds' total and the slowest frame.
    let mut applied = fresh.clone();
    applied.apply(&manifest, "big.yaml").expect("applies");
    let frames: Vec<Duration> = (0..625)
        .map(|_| {
            let t = Instant::now();
            applied.advance(16);
            t.elapsed()
        })
        .collect();
    println!(
        "10 s of 16 ms frames after applying 1000 objects: {:.1} ms in all, slowest frame {:.2} ms",
        frames.iter().sum::<Duration>().as_secs_f64() * 1e3,
        frames
            .iter()
            .max()
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3
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

    let mut c = seed_with(100, 30 * SECOND);
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
            payload: String::new(),
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

    soak();
    step_and_back();
}

/// Steady traffic at 300 pods, as the page sends it: the seed's request every 100 virtual ms,
/// the clock advanced in 16 ms frames. Prints how long each minute of virtual time takes, and
/// what the world holds after it, so a structure that grows with every request shows as
/// minutes that get slower.
fn soak() {
    let mut c = seed_with(300, 60 * SECOND);
    c.act(Action::SetTraffic {
        traffic: Some(SteadyTraffic {
            interval: 100,
            request: seed_request(),
        }),
    })
    .expect("traffic on");
    let frame = 16;
    for minute in 1..=5 {
        let t = Instant::now();
        let mut elapsed = 0;
        while elapsed < 60 * SECOND {
            c.advance(frame);
            elapsed += frame;
        }
        println!(
            "steady traffic at 300 pods, minute {minute}: {:.0} ms ({} actions logged, {} events, {} traces kept)",
            t.elapsed().as_secs_f64() * 1e3,
            c.log().len(),
            c.events().len(),
            c.traces().len(),
        );
    }
}

/// Simulation mode with steady traffic (the seed's request every 100 virtual ms): the medians
/// of a Step at the live edge (the next thing happens), a Step over an event already listed
/// (after a Back), and a Back, once the list reaches event 500 and event 10,000.
fn step_and_back() {
    let mut t = Timeline::new(seed_with(3, 60 * SECOND));
    t.set_traffic(Some((100, seed_request())));
    for at in [500, 10_000] {
        let built = Instant::now();
        while t.events().len() < at {
            assert!(t.step(), "steady traffic always has a next event");
        }
        let built = built.elapsed();
        let live: Vec<Duration> = (0..20)
            .map(|_| {
                let s = Instant::now();
                t.step();
                s.elapsed()
            })
            .collect();
        let (mut back, mut again) = (Vec::new(), Vec::new());
        for _ in 0..20 {
            let s = Instant::now();
            t.back();
            back.push(s.elapsed());
            let s = Instant::now();
            t.step();
            again.push(s.elapsed());
        }
        // Back to any earlier event: to each of 20 events spread over the list, then live again.
        let end = t.cursor();
        let mut far = Vec::new();
        for i in 1..=20 {
            let s = Instant::now();
            t.seek(end * i / 21);
            far.push(s.elapsed());
        }
        t.seek(end);
        let worst = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "simulation mode at event {end} (reached in {:.1} s): Step {:.3} ms live, {:.3} ms over a listed event; Back {:.3} ms (max {:.3}); back to an earlier event {:.2} ms (max {:.2}) (target < 50 ms)",
            built.as_secs_f64(),
            ms(median(live.clone())),
            ms(median(again.clone())),
            ms(median(back.clone())),
            ms(worst(&back)),
            ms(median(far.clone())),
            ms(worst(&far)),
        );
    }
}

fn seed_request() -> Request {
    Request {
        payload: String::new(),
        client: Client::Pod(ObjectKey::new("default", "test")),
        tool: Tool::Wget,
        target: "http://backend-service".to_string(),
    }
}
