//! Browser tests: mount the real app in headless Chromium and read the DOM, as a learner would.
//! Run with `scripts/test` (or `cargo test --target wasm32-unknown-unknown -p svclab --test app`).
//!
//! Most tests mount [`svclab::Lab`] with a [`svclab::Driver`], which moves the virtual clock by hand
//! (no animation frames, no localStorage), so they are fast and deterministic; every assertion is
//! on what is on screen.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use leptos::{mount::mount_to, prelude::*, task::tick};
use svclab::{Driver, Lab};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{HtmlElement, HtmlInputElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Let the reactive system and the DOM catch up: effects run in microtasks, and leptos sets a
/// `value` property one microtask later still; a zero timeout runs after all of them.
async fn settle() {
    tick().await;
    TimeoutFuture::new(0).await;
}

/// A fresh element in the page to mount into, so tests do not see each other's DOM.
fn fresh_root() -> HtmlElement {
    let root = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&root).unwrap();
    root.unchecked_into()
}

fn find(root: &HtmlElement, selector: &str) -> HtmlElement {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector:?}"))
        .unchecked_into()
}

fn find_all(root: &HtmlElement, selector: &str) -> Vec<HtmlElement> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

fn text(el: &HtmlElement) -> String {
    el.text_content().unwrap_or_default()
}

fn label(el: &HtmlElement) -> String {
    el.get_attribute("aria-label").unwrap_or_default()
}

/// The button whose visible text is `name`.
fn button(root: &HtmlElement, name: &str) -> HtmlElement {
    find_all(root, "button")
        .into_iter()
        .find(|b| text(b).trim() == name)
        .unwrap_or_else(|| panic!("no button {name:?}"))
}

/// The backend pods in the cluster picture, by their accessible names.
fn backend_pods(root: &HtmlElement) -> Vec<String> {
    find_all(root, "svg[aria-label='Cluster'] g.pod")
        .iter()
        .map(label)
        .filter(|l| l.starts_with("Pod backend-"))
        .collect()
}

/// A pod's name from its accessible name, `Pod NAME on NODE, ...`.
fn pod_name(label: &str) -> String {
    label
        .trim_start_matches("Pod ")
        .split(' ')
        .next()
        .unwrap()
        .to_string()
}

/// The rows of the endpoints table after selecting the Service `name` in the picture, as
/// `(condition, address)`.
async fn endpoints_of(root: &HtmlElement, name: &str) -> Vec<(String, String)> {
    find(
        root,
        &format!("svg[aria-label='Cluster'] g.service[aria-label^='Service {name} ']"),
    )
    .dispatch_event(&click_event())
    .unwrap();
    settle().await;
    find_all(root, ".details-panel table.endpoints tbody tr")
        .iter()
        .map(|tr| {
            let cells = find_all(tr, "td");
            (text(&cells[3]), text(&cells[0]))
        })
        .collect()
}

/// A bubbling click, for SVG elements (which have no `click()`).
fn click_event() -> web_sys::Event {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    web_sys::Event::new_with_event_init_dict("click", &init).unwrap()
}

struct Mounted {
    root: HtmlElement,
    driver: Driver,
    /// Unmounts the app when the test ends.
    _handle: Box<dyn std::any::Any>,
}

async fn mount_lab() -> Mounted {
    let root = fresh_root();
    let driver = Driver::new();
    let d = driver.clone();
    let handle = mount_to(root.clone(), move || view! { <Lab driver=d.clone() /> });
    settle().await;
    Mounted {
        root,
        driver,
        _handle: Box::new(handle),
    }
}

impl Mounted {
    async fn advance(&self, ms: u64) {
        self.driver.advance(ms);
        settle().await;
    }

    async fn apply(&self) {
        button(&self.root, "Apply").click();
        settle().await;
    }

    fn textarea(&self) -> HtmlTextAreaElement {
        find(&self.root, "textarea[aria-label='Manifest']").unchecked_into()
    }

    async fn type_manifest(&self, value: &str) {
        let ta = self.textarea();
        ta.set_value(value);
        ta.dispatch_event(&web_sys::Event::new("input").unwrap())
            .unwrap();
        settle().await;
    }

    /// Apply the seed and let the pods start.
    async fn seeded(&self) {
        self.apply().await;
        self.advance(10_000).await;
    }
}

#[wasm_bindgen_test]
async fn the_app_renders_the_cluster_and_marks_the_first_render() {
    let root = fresh_root();
    let _app = mount_to(root.clone(), svclab::App);
    settle().await;
    // The mark is made once the first picture has been painted: a frame or two from now.
    let performance = window().performance().unwrap();
    for _ in 0..100 {
        if performance
            .get_entries_by_name(svclab::FIRST_CLUSTER_MARK)
            .length()
            > 0
        {
            break;
        }
        TimeoutFuture::new(20).await;
    }

    assert!(text(&find(&root, "h1")).starts_with("svclab"));
    let cluster = find(&root, "svg[aria-label='Cluster']");
    assert!(find_all(&cluster, "g.pod")
        .iter()
        .any(|p| label(p).starts_with("Pod coredns-")));
    let marks = performance.get_entries_by_name(svclab::FIRST_CLUSTER_MARK);
    assert!(
        marks.length() > 0,
        "App made no {} mark",
        svclab::FIRST_CLUSTER_MARK
    );
}

#[wasm_bindgen_test]
async fn the_seed_applies_and_shows_three_backend_pods_and_three_endpoints() {
    let app = mount_lab().await;
    let root = &app.root;
    // Before Apply: CoreDNS, kube-dns, the test client, kube-proxy on every node.
    assert!(backend_pods(root).is_empty());
    assert!(app.textarea().value().contains("name: backend-service"));
    assert_eq!(find_all(root, "svg[aria-label='Cluster'] g.proxy").len(), 4);
    assert!(find_all(root, "svg[aria-label='Cluster'] g.service")
        .iter()
        .any(|s| label(s).starts_with("Service kube-dns ")));

    app.apply().await;
    assert_eq!(
        text(&find(root, ".apply-output")),
        "deployment.apps/backend created\nservice/backend-service created"
    );
    assert_eq!(
        backend_pods(root).len(),
        3,
        "pods appear at once, still creating"
    );
    app.advance(10_000).await;
    let pods = backend_pods(root);
    assert_eq!(pods.len(), 3);
    assert!(
        pods.iter().all(|p| p.contains("Running · Ready")),
        "{pods:?}"
    );
    assert!(find_all(root, "svg[aria-label='Cluster'] g.pod")
        .iter()
        .any(|p| label(p).starts_with("Pod test ")));

    let endpoints = endpoints_of(root, "backend-service").await;
    assert_eq!(endpoints.len(), 3, "{endpoints:?}");
    assert!(
        endpoints
            .iter()
            .all(|(c, a)| c == "ready" && a.starts_with("10.244.") && a.ends_with(":80")),
        "{endpoints:?}"
    );
    assert_eq!(
        find_all(root, "svg[aria-label='Cluster'] path.link.ready").len(),
        3 + 2,
        "3 backends + 2 CoreDNS"
    );
}

#[wasm_bindgen_test]
async fn an_invalid_manifest_shows_kubectls_error_at_its_line_and_changes_nothing() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    let before = backend_pods(root);
    assert_eq!(before.len(), 3);

    let bad = svclab::seed::SEED_MANIFEST.replace("    - port: 80\n", "    - port: 70000\n");
    app.type_manifest(&bad).await;
    app.apply().await;

    let errors = find(root, ".apply-errors");
    assert!(
        text(&errors).contains(
            "The Service \"backend-service\" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"
        ),
        "{}",
        text(&errors)
    );
    let line = bad.lines().position(|l| l.contains("70000")).unwrap() + 1;
    let marked: Vec<String> = find_all(root, ".gutter .ln.error")
        .iter()
        .map(text)
        .collect();
    assert_eq!(marked, [line.to_string()]);
    let jump = button(root, &format!("line {line}"));
    // Beside the line: a note at that line's height naming the field.
    let note = find(root, ".line-notes .line-note");
    assert_eq!(text(&note), "⚠ spec.ports[0].port");
    assert_eq!(
        note.style().get_property_value("top").unwrap(),
        format!("{}px", (line - 1) * 20)
    );

    // Clicking the error puts the cursor on its line.
    jump.click();
    settle().await;
    let ta = app.textarea();
    let start = ta.selection_start().unwrap().unwrap() as usize;
    let expected: usize = bad.lines().take(line - 1).map(|l| l.len() + 1).sum();
    assert_eq!(start, expected);

    // Nothing in the cluster changed.
    app.advance(5_000).await;
    assert_eq!(backend_pods(root), before);
    assert_eq!(endpoints_of(root, "backend-service").await.len(), 3);
}

#[wasm_bindgen_test]
async fn scaling_to_five_gives_five_pods_five_endpoints_and_rewrites_replicas() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;

    let input: HtmlInputElement =
        find(root, "input[aria-label='Replicas of backend']").unchecked_into();
    assert_eq!(input.value(), "3");
    find(root, "button[aria-label='Scale backend up']").click();
    settle().await;
    assert_eq!(
        input.value(),
        "4",
        "{}",
        text(&find(root, ".deployments-panel"))
    );
    assert!(app.textarea().value().contains("  replicas: 4\n"));
    find(root, "button[aria-label='Scale backend up']").click();
    settle().await;
    assert_eq!(input.value(), "5");
    let text_now = app.textarea().value();
    assert!(text_now.contains("  replicas: 5\n"), "{text_now}");
    assert!(!text_now.contains("replicas: 3"));

    app.advance(10_000).await;
    let pods = backend_pods(root);
    assert_eq!(pods.len(), 5);
    assert!(pods.iter().all(|p| p.contains("Ready")), "{pods:?}");
    let endpoints = endpoints_of(root, "backend-service").await;
    assert_eq!(endpoints.len(), 5);
    assert!(endpoints.iter().all(|(c, _)| c == "ready"), "{endpoints:?}");
    assert!(text(&find(root, ".deployments-panel")).contains("5/5 ready"));
}

#[wasm_bindgen_test]
async fn killing_a_pod_replaces_it_with_a_new_name_and_ip() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    let before = backend_pods(root);
    let victim_label = before[0].clone();
    let victim = pod_name(&victim_label);
    let victim_ip = victim_label
        .split(", ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(victim_ip.starts_with("10.244."), "{victim_label}");

    // Select it, then Kill pod in the details.
    find(
        root,
        &format!("svg[aria-label='Cluster'] g.pod[aria-label^='Pod {victim} ']"),
    )
    .dispatch_event(&click_event())
    .unwrap();
    settle().await;
    assert_eq!(text(&find(root, ".details-panel h3.title")), victim);
    button(root, "Kill pod").click();
    settle().await;
    let terminating = backend_pods(root);
    assert!(
        terminating
            .iter()
            .any(|p| p.starts_with(&format!("Pod {victim} ")) && p.contains("Terminating")),
        "{terminating:?}"
    );

    app.advance(10_000).await;
    let after = backend_pods(root);
    assert_eq!(after.len(), 3, "{after:?}");
    assert!(after
        .iter()
        .all(|p| !p.starts_with(&format!("Pod {victim} "))));
    let new: Vec<&String> = after.iter().filter(|p| !before.contains(p)).collect();
    assert_eq!(new.len(), 1, "{after:?}");
    assert!(
        !new[0].contains(&format!(", {victim_ip} ")),
        "new pod reuses {victim_ip}: {}",
        new[0]
    );
    assert!(new[0].contains("Ready"));
}

#[wasm_bindgen_test]
async fn a_mistyped_image_backs_off_and_the_details_count_its_events_as_time_passes() {
    let app = mount_lab().await;
    let root = &app.root;
    let typo = app
        .textarea()
        .value()
        .replace("image: nginx", "image: ngnix");
    app.type_manifest(&typo).await;
    app.apply().await;
    app.advance(5_000).await;
    let pods = backend_pods(root);
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert!(
        pods.iter().all(|p| p.contains("ImagePullBackOff")),
        "{pods:?}"
    );

    let pod = pod_name(&pods[0]);
    find(
        root,
        &format!("svg[aria-label='Cluster'] g.pod[aria-label^='Pod {pod} ']"),
    )
    .dispatch_event(&click_event())
    .unwrap();
    settle().await;
    let events = || -> Vec<String> {
        find_all(root, ".details-panel table.events tbody tr")
            .iter()
            .map(text)
            .collect()
    };
    let scheduled = |rows: &[String]| rows.iter().find(|r| r.contains("Scheduled")).cloned();
    let rows = events();
    assert!(
        rows.iter()
            .any(|r| r.contains("Back-off pulling image \"ngnix\"")),
        "{rows:?}"
    );
    // Repeats are counted on one row: pulls at 0, 10.9 and 31.8 s.
    app.advance(30_000).await;
    let before = events();
    assert!(
        before
            .iter()
            .any(|r| r.contains("BackOff") && r.contains("(x3 over 33s)")),
        "{before:?}"
    );
    // The ages move with the clock, also while nothing else happens (the next pull is at 72 s).
    app.advance(10_000).await;
    let after = events();
    assert_ne!(scheduled(&before), scheduled(&after), "{after:?}");
    assert!(
        scheduled(&after).is_some_and(|r| r.contains("45s")),
        "{after:?}"
    );
}

#[wasm_bindgen_test]
async fn delete_on_a_focused_pod_kills_it() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    let victim = pod_name(&backend_pods(root)[1]);
    let pod = find(
        root,
        &format!("svg[aria-label='Cluster'] g.pod[aria-label^='Pod {victim} ']"),
    );
    pod.focus().unwrap();
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Delete");
    init.set_bubbles(true);
    pod.dispatch_event(
        &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
    )
    .unwrap();
    settle().await;
    assert!(backend_pods(root)
        .iter()
        .any(|p| p.starts_with(&format!("Pod {victim} ")) && p.contains("Terminating")));
}

#[wasm_bindgen_test]
async fn a_request_draws_packets_from_the_client_through_coredns_and_kube_proxy_to_a_backend() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;

    button(root, "Send request").click();
    settle().await;
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..80 {
        for p in find_all(root, "svg[aria-label='Cluster'] g.packet") {
            let l = label(&p);
            if seen.last() != Some(&l) && !seen.contains(&l) {
                seen.push(l);
            }
        }
        app.advance(50).await;
    }
    let at = |prefix: &str| {
        seen.iter()
            .position(|s| s.starts_with(prefix))
            .unwrap_or_else(|| panic!("no packet {prefix:?} among {seen:#?}"))
    };
    let query = at("DNS query from test to kube-proxy on ");
    let to_dns = at("DNS query from kube-proxy on kind-");
    assert!(seen[to_dns].contains(" to coredns-"), "{}", seen[to_dns]);
    let answer = at("DNS answer from kube-proxy on kind-");
    let request = at("request from test to kube-proxy on ");
    let to_backend = at("request from kube-proxy on kind-");
    assert!(
        seen[to_backend].contains(" to backend-"),
        "{}",
        seen[to_backend]
    );
    let reply = at("reply from kube-proxy on kind-");
    assert!(
        query < to_dns
            && to_dns < answer
            && answer < request
            && request < to_backend
            && to_backend < reply,
        "{seen:#?}"
    );
    // The packet to the backend carries the pod's IP: kube-proxy rewrote the ClusterIP.
    assert!(
        seen[request].contains(":80/TCP") && seen[to_backend].contains("→ 10.244."),
        "{seen:#?}"
    );

    // Once the reply is in, the request is listed with its answer and the backend counted.
    let requests = text(&find(root, ".requests-panel"));
    assert!(
        requests.contains("test$ wget -qO- http://backend-service"),
        "{requests}"
    );
    assert!(requests.contains("HTTP 200 from backend-"), "{requests}");
    assert_eq!(find_all(root, ".requests-panel ul.spread li").len(), 1);
}

/// Type `line` into the terminal's command field and press Enter.
fn enter(input: &HtmlInputElement, line: &str) {
    input.set_value(line);
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    input
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
}

#[wasm_bindgen_test]
async fn the_terminal_prints_a_rollout_as_it_happens() {
    let app = mount_lab().await;
    app.seeded().await;
    let terminal = find(&app.root, "section[aria-label='Terminal']");
    let input: HtmlInputElement = find(&terminal, "input[aria-label='Command']").unchecked_into();
    let screen = || text(&find(&terminal, "pre.screen"));
    enter(&input, "kubectl set image deploy/backend api=nginx:1.27");
    settle().await;
    enter(&input, "kubectl rollout status deploy/backend");
    settle().await;
    let first = screen();
    assert!(
        first.contains("rollout to finish: 1 out of 3 new replicas have been updated..."),
        "{first}"
    );
    assert!(!first.contains("successfully rolled out"), "{first}");
    // Each change of status is printed when it happens, then the watch ends.
    for _ in 0..40 {
        app.advance(500).await;
    }
    let last = screen();
    assert!(
        last.contains("rollout to finish: 1 old replicas are pending termination..."),
        "{last}"
    );
    assert!(
        last.ends_with("deployment \"backend\" successfully rolled out\n"),
        "{last}"
    );
}

#[wasm_bindgen_test]
async fn the_terminal_runs_kubectl_and_waits_for_replies_on_the_virtual_clock() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    let terminal = find(root, "section[aria-label='Terminal']");
    let input: HtmlInputElement = find(&terminal, "input[aria-label='Command']").unchecked_into();

    enter(&input, "kubectl get svc");
    settle().await;
    let screen = text(&find(&terminal, "pre.screen"));
    assert!(screen.contains("$ kubectl get svc"), "{screen}");
    assert!(
        screen.contains("NAME              TYPE        CLUSTER-IP"),
        "{screen}"
    );
    assert!(
        screen.contains("backend-service   ClusterIP   10."),
        "{screen}"
    );

    enter(
        &input,
        "kubectl exec test -- wget -qO- http://backend-service",
    );
    settle().await;
    assert!(!text(&find(&terminal, "pre.screen")).contains("Welcome to nginx!"));
    app.advance(5_000).await;
    let screen = text(&find(&terminal, "pre.screen"));
    assert!(
        screen.contains("<title>Welcome to nginx!</title>"),
        "{screen}"
    );
}

#[wasm_bindgen_test]
async fn a_crash_says_so_in_one_banner_and_that_the_manifest_is_saved() {
    // The panic hook calls this with the panic's message; a second panic must not stack banners.
    svclab::crash::show("index out of bounds");
    svclab::crash::show("already borrowed: BorrowMutError");
    let body: HtmlElement = document().body().unwrap();
    let banners = find_all(&body, "[role=alert].crash-banner");
    assert_eq!(banners.len(), 1, "one banner, however many panics");
    let said = text(&banners[0]);
    assert!(said.contains("already borrowed: BorrowMutError"), "{said}");
    assert!(
        said.contains("manifest is saved") && said.contains("reload"),
        "{said}"
    );
    assert_eq!(
        document().active_element().map(|e| e.id()).as_deref(),
        Some(svclab::crash::BANNER_ID),
        "keyboard and screen-reader users are taken to it"
    );
    banners[0].remove();
}

#[wasm_bindgen(inline_js = r#"
const bad = (el) => {
  const v = el.getAttribute && el.getAttribute('textLength');
  return v !== null && !(parseFloat(v) >= 0);
};
const scan = (seen, n) => {
  if (n.nodeType !== 1) return;
  for (const e of [n, ...n.querySelectorAll('[textLength]')]) {
    if (bad(e)) seen.push('<text> textLength ' + e.getAttribute('textLength'));
  }
};
export function watch_errors(root) {
  const seen = [];
  const original = console.error;
  console.error = function (...args) {
    seen.push(args.map(String).join(' '));
    return original.apply(console, args);
  };
  const take = (records) => {
    for (const r of records) {
      if (r.type === 'attributes') scan(seen, r.target);
      else r.addedNodes.forEach((n) => scan(seen, n));
    }
  };
  const observer = new MutationObserver(take);
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['textLength'] });
  globalThis.__svclabErrors = () => {
    take(observer.takeRecords());
    observer.disconnect();
    console.error = original;
    return seen.join('\n');
  };
}
export function errors_seen() {
  return globalThis.__svclabErrors ? globalThis.__svclabErrors() : 'not watching';
}
export function boxes_outside(svg, selector) {
  const p = svg.getBoundingClientRect();
  const out = [];
  for (const g of svg.querySelectorAll(selector)) {
    const r = g.getBoundingClientRect();
    if (r.left < p.left - 0.5 || r.top < p.top - 0.5 || r.right > p.right + 0.5 || r.bottom > p.bottom + 0.5) {
      out.push((g.getAttribute('aria-label') || g.textContent) + ' at ' + JSON.stringify(r) + ' in ' + JSON.stringify(p));
    }
  }
  return out.join('\n');
}
export function add_style(css) {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.appendChild(style);
  return style;
}
"#)]
extern "C" {
    /// Record every console.error and every negative `textLength` set under `root`, until
    /// [`errors_seen`].
    fn watch_errors(root: &HtmlElement);
    fn errors_seen() -> String;
    /// The elements matching `selector` in `svg` whose box is not inside the picture's box.
    fn boxes_outside(svg: &HtmlElement, selector: &str) -> String;
    /// The app's stylesheet, as the page has it (the tests mount into a bare page).
    fn add_style(css: &str) -> HtmlElement;
}

/// The picture's text, all of it.
fn picture_text(root: &HtmlElement) -> String {
    text(&find(root, "svg[aria-label='Cluster']"))
}

/// The IP in an accessible name: `Service NAME (ClusterIP), cluster IP 10.96.0.20, ...` or
/// `Pod NAME on NODE, 10.244.1.2 · Running · Ready`.
fn ip_in(label: &str, after: &str) -> String {
    label
        .split(after)
        .nth(1)
        .and_then(|rest| rest.split([',', ' ']).next())
        .unwrap_or_else(|| panic!("no IP after {after:?} in {label:?}"))
        .to_string()
}

#[wasm_bindgen_test]
async fn a_finished_request_leaves_its_path_with_the_cluster_ip_rewritten_to_the_pod_ip() {
    let style = add_style(include_str!("../styles/main.css"));
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    let svg = find(root, "svg[aria-label='Cluster']");

    button(root, "Send request").click();
    settle().await;
    for _ in 0..60 {
        app.advance(100).await;
        // Every label on the picture, moving or kept, stays inside it.
        let outside = boxes_outside(&svg, "g.path-label");
        assert!(outside.is_empty(), "{outside}");
    }
    assert!(
        find_all(root, "svg[aria-label='Cluster'] g.packet").is_empty(),
        "the request is done"
    );

    // The world's addresses, as the picture names them: the Service's ClusterIP and the IP of
    // the pod that answered.
    let service = label(&find(
        root,
        "svg[aria-label='Cluster'] g.service[aria-label^='Service backend-service ']",
    ));
    let cluster_ip = ip_in(&service, "cluster IP ");
    let answered: Vec<String> = backend_pods(root)
        .into_iter()
        .filter(|p| p.contains("answered 1 of"))
        .collect();
    assert_eq!(answered.len(), 1, "{:?}", backend_pods(root));
    let pod_ip = ip_in(&answered[0], ", ");
    assert!(pod_ip.starts_with("10.244."), "{pod_ip}");

    let kept = picture_text(root);
    assert!(
        kept.contains(&format!("{cluster_ip}:80 → {pod_ip}:80")),
        "no DNAT {cluster_ip}:80 → {pod_ip}:80 in {kept}"
    );
    assert!(
        kept.contains(&format!("{pod_ip}:80 → {cluster_ip}:80")),
        "no un-DNAT on the reply in {kept}"
    );
    assert!(
        kept.contains(&format!(
            "backend-service.default.svc.cluster.local → {cluster_ip}"
        )),
        "no DNS answer in {kept}"
    );
    assert!(!find_all(root, "svg[aria-label='Cluster'] line.trail-hop.done").is_empty());
    let outside = boxes_outside(&svg, "g.path-label");
    assert!(outside.is_empty(), "{outside}");
    style.remove();
}

async fn scale_backend_to_zero(app: &Mounted) {
    for _ in 0..3 {
        find(&app.root, "button[aria-label='Scale backend down']").click();
        settle().await;
    }
    app.advance(60_000).await;
}

#[wasm_bindgen_test]
async fn a_request_to_a_service_without_endpoints_leaves_a_failure_mark_until_dismissed() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    scale_backend_to_zero(&app).await;
    assert!(backend_pods(root).is_empty(), "{:?}", backend_pods(root));
    let service = find(
        root,
        "svg[aria-label='Cluster'] g.service[aria-label^='Service backend-service ']",
    );
    assert!(service.class_list().contains("no-endpoints"));
    assert!(text(&service).contains("0 endpoints"), "{}", text(&service));

    button(root, "Send request").click();
    settle().await;
    app.advance(5_000).await;
    let mark = find(root, "svg[aria-label='Cluster'] g.path-label.failure");
    assert!(text(&mark).contains("no endpoints"), "{}", text(&mark));
    assert!(
        label(&mark).contains("has no endpoints"),
        "{}",
        label(&mark)
    );
    // It stays: time passing does not take it away.
    app.advance(30_000).await;
    assert_eq!(
        find_all(root, "svg[aria-label='Cluster'] g.path-label.failure").len(),
        1
    );

    find(root, "svg [role=button][aria-label='Dismiss failure']")
        .dispatch_event(&click_event())
        .unwrap();
    settle().await;
    assert!(find_all(root, "svg[aria-label='Cluster'] g.path-label.failure").is_empty());

    // The next request fails again, and says so again.
    button(root, "Send request").click();
    settle().await;
    app.advance(5_000).await;
    assert_eq!(
        find_all(root, "svg[aria-label='Cluster'] g.path-label.failure").len(),
        1
    );
}

#[wasm_bindgen_test]
async fn killing_pods_and_scaling_to_zero_log_no_errors() {
    let root = fresh_root();
    watch_errors(&root);
    let driver = Driver::new();
    let d = driver.clone();
    let _handle = mount_to(root.clone(), move || view! { <Lab driver=d.clone() /> });
    settle().await;
    let app = Mounted {
        root,
        driver,
        _handle: Box::new(()),
    };
    app.seeded().await;
    for _ in 0..2 {
        let victim = pod_name(&backend_pods(&app.root)[0]);
        find(
            &app.root,
            &format!("svg[aria-label='Cluster'] g.pod[aria-label^='Pod {victim} ']"),
        )
        .dispatch_event(&click_event())
        .unwrap();
        settle().await;
        button(&app.root, "Kill pod").click();
        settle().await;
        for _ in 0..10 {
            app.advance(1_000).await;
        }
    }
    scale_backend_to_zero(&app).await;
    button(&app.root, "Send request").click();
    settle().await;
    app.advance(5_000).await;
    let seen = errors_seen();
    assert!(seen.is_empty(), "{seen}");
}

// ------------------------------------------------------------------------------------ layout

/// The app's stylesheets, in index.html's order.
const STYLES: [&str; 3] = [
    include_str!("../styles/base.css"),
    include_str!("../styles/main.css"),
    include_str!("../styles/layout.css"),
];

/// The app's styles in the test page while it lives (the other tests run unstyled).
struct Styled(web_sys::Element);

impl Styled {
    fn new() -> Styled {
        let style = document().create_element("style").unwrap();
        style.set_text_content(Some(&STYLES.concat()));
        document().body().unwrap().append_child(&style).unwrap();
        Styled(style)
    }
}

impl Drop for Styled {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// The app, styled, in a frame of `width` x `height` CSS pixels standing in for the window:
/// styles/layout.css asks the `page` container for widths and reads the height from
/// --lab-height, so the same rules apply as in a window of that size, whatever size the test
/// browser's window is.
async fn mount_framed(width: u32, height: u32) -> (Mounted, Styled) {
    let styled = Styled::new();
    let root = fresh_root();
    root.set_attribute(
        "style",
        &format!("container: page / inline-size; width: {width}px; --lab-height: {height}px"),
    )
    .unwrap();
    let driver = Driver::new();
    let d = driver.clone();
    let handle = mount_to(root.clone(), move || view! { <Lab driver=d.clone() /> });
    settle().await;
    let app = Mounted {
        root,
        driver,
        _handle: Box::new(handle),
    };
    (app, styled)
}

/// `el`'s top and bottom edges, in CSS pixels from the top of `frame`.
fn edges_in(frame: &HtmlElement, el: &HtmlElement) -> (f64, f64) {
    let top = frame.get_bounding_client_rect().top();
    let r = el.get_bounding_client_rect();
    (r.top() - top, r.bottom() - top)
}

fn shown(el: &HtmlElement) -> bool {
    el.offset_width() > 0 && el.offset_height() > 0
}

#[wasm_bindgen_test]
async fn at_1440x900_the_page_does_not_grow_with_use_and_the_terminal_stays_in_view() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;

    // Five requests, one of them expanded down to its iptables rules.
    for _ in 0..5 {
        button(root, "Send request").click();
        app.advance(3_000).await;
    }
    let traces = find_all(root, ".requests-panel ol.traces details");
    assert_eq!(traces.len(), 5);
    traces[0].set_attribute("open", "").unwrap();
    settle().await;
    assert!(
        find_all(root, ".requests-panel ul.rules li").len() > 3,
        "the expanded trace lists its rules"
    );
    // Ten terminal commands, with long outputs.
    let terminal = find(root, "section[aria-label='Terminal']");
    let input: HtmlInputElement = find(&terminal, "input[aria-label='Command']").unchecked_into();
    for line in [
        "kubectl get pods -o wide",
        "kubectl get svc",
        "kubectl get endpointslices",
        "kubectl describe svc backend-service",
        "kubectl describe deploy backend",
        "kubectl get all -A",
        "kubectl get nodes -o wide",
        "kubectl get events",
        "kubectl get pods -A",
        "kubectl describe pod test",
    ] {
        enter(&input, line);
        settle().await;
    }
    assert!(find_all(&terminal, "pre.screen span").len() > 40);

    // The page (here, the frame standing in for the window) did not grow...
    let height = f64::from(root.scroll_height());
    assert!(
        height <= 2.0 * 900.0,
        "the page is {height}px tall in a 900px window"
    );
    // ...and the picture, the controls and the terminal's prompt are in view together.
    for (what, el) in [
        (
            "the terminal's input",
            input.unchecked_ref::<HtmlElement>().clone(),
        ),
        ("the picture", find(root, "svg[aria-label='Cluster']")),
        ("the Send request button", button(root, "Send request")),
        ("the Requests heading", find(root, "#requests-heading")),
        ("the Apply button", button(root, "Apply")),
    ] {
        let (top, bottom) = edges_in(root, &el);
        assert!(
            top >= 0.0 && bottom <= 900.0 && bottom > top,
            "{what} is at {top}..{bottom}px, outside a 900px window"
        );
    }
}

/// A `key` pressed on `target`, as the browser sends it (it bubbles to the window).
fn press(target: &HtmlElement, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    target
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
}

#[wasm_bindgen_test]
async fn presenter_mode_toggles_by_key_and_by_button_and_hides_the_side_panels() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;
    let toggle = button(root, "Presenter mode");
    let pressed = || toggle.get_attribute("aria-pressed").unwrap_or_default();
    let side =
        || [".side", ".tools", "section[aria-label='Terminal']"].map(|s| shown(&find(root, s)));
    let picture = || find(root, "svg[aria-label='Cluster']").get_bounding_client_rect();
    assert_eq!(pressed(), "false");
    assert_eq!(side(), [true; 3]);
    let small = picture();

    // `p` typed into the terminal is a letter of a command, not a shortcut.
    let input = find(
        root,
        "section[aria-label='Terminal'] input[aria-label='Command']",
    );
    press(&input, "p");
    settle().await;
    assert_eq!(pressed(), "false");

    // `p` anywhere else turns presenter mode on: only the picture and the controls remain,
    // larger.
    let body: HtmlElement = document().body().unwrap();
    press(&body, "p");
    settle().await;
    assert_eq!(pressed(), "true");
    assert_eq!(side(), [false; 3]);
    let large = picture();
    assert!(
        large.width() > small.width() * 1.2 && large.height() > small.height() * 1.2,
        "the picture grew from {}x{} to only {}x{}",
        small.width(),
        small.height(),
        large.width(),
        large.height()
    );
    let (_, bottom) = edges_in(root, &find(root, "svg[aria-label='Cluster']"));
    assert!(bottom <= 900.0, "the picture ends at {bottom}px");
    assert!(shown(&button(root, "Send request")) && shown(&button(root, "Pause")));

    // The button turns it off, and on again; Escape leaves it.
    toggle.click();
    settle().await;
    assert_eq!(pressed(), "false");
    assert_eq!(side(), [true; 3]);
    toggle.click();
    settle().await;
    assert_eq!(pressed(), "true");
    press(&body, "Escape");
    settle().await;
    assert_eq!(pressed(), "false");
    assert_eq!(side(), [true; 3]);
}

#[wasm_bindgen_test]
async fn on_a_phone_the_picture_comes_first_at_a_readable_size() {
    let (app, _styled) = mount_framed(390, 844).await;
    let root = &app.root;
    app.seeded().await;
    let picture = find(root, "svg[aria-label='Cluster']");
    let (top, _) = edges_in(root, &picture);
    for panel in ["Manifest", "Deployments", "Details", "Requests"] {
        let heading = find_all(root, "h2")
            .into_iter()
            .find(|h| text(h) == panel)
            .unwrap_or_else(|| panic!("no panel {panel}"));
        let (below, _) = edges_in(root, &heading);
        assert!(
            top < below,
            "the picture ({top}px) is below {panel} ({below}px)"
        );
    }
    // Not shrunk to the screen's width (4px text): wider than the screen, it scrolls sideways.
    let width = picture.get_bounding_client_rect().width();
    assert!(width >= 700.0, "the picture is {width}px wide");
    let panel = find(root, ".cluster-panel");
    assert!(panel.scroll_width() > panel.client_width());
    assert!(panel.client_width() <= 390);
}

#[wasm_bindgen_test]
async fn the_terminal_drawer_closes_to_one_line_and_the_columns_take_its_height() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    let terminal = find(root, "section[aria-label='Terminal']");
    let input = find(&terminal, "input[aria-label='Command']");
    let side = find(root, ".side");
    let before = side.client_height();
    button(root, "Close terminal").click();
    settle().await;
    let toggle = button(root, "Open terminal");
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(!shown(&input));
    assert!(
        terminal.offset_height() < 90,
        "closed, the terminal is {}px tall",
        terminal.offset_height()
    );
    assert!(side.client_height() > before + 100);
    toggle.click();
    settle().await;
    assert!(shown(&input));
    assert_eq!(side.client_height(), before);
}

// ------------------------------------------------------------------------------------ scale

/// The backend scaled to `replicas` through its replicas field, and the clock run until they
/// are up.
async fn scale_backend_to(app: &Mounted, replicas: u32) {
    let input: HtmlInputElement =
        find(&app.root, "input[aria-label='Replicas of backend']").unchecked_into();
    input.set_value(&replicas.to_string());
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    for _ in 0..6 {
        app.advance(20_000).await;
    }
}

/// `N` in a group's accessible name, `N pods of backend on NODE, ...`.
fn group_size(label: &str) -> usize {
    label
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {label:?}"))
}

#[wasm_bindgen_test]
async fn at_300_pods_the_picture_groups_pods_by_owner_with_counts_and_keeps_the_path_inside() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;
    scale_backend_to(&app, 300).await;
    let svg = find(root, "svg[aria-label='Cluster']");

    // Each crowded node holds one box for the backend's pods, saying how many and how many
    // are ready; together with the pods drawn on their own they are all 300.
    let groups: Vec<String> = find_all(root, "svg[aria-label='Cluster'] g.pod-group")
        .iter()
        .map(label)
        .collect();
    assert!(!groups.is_empty(), "no groups at 300 pods");
    assert!(
        groups.iter().all(|g| g.contains(" pods of backend on ")),
        "{groups:?}"
    );
    let grouped: usize = groups.iter().map(|g| group_size(g)).sum();
    assert_eq!(grouped + backend_pods(root).len(), 300, "{groups:?}");
    let text = picture_text(root);
    assert!(text.contains("backend ×"), "{text}");
    assert!(text.contains(" ready"), "{text}");
    // Few elements, not thousands: one box per group.
    let pods_drawn = find_all(root, "svg[aria-label='Cluster'] g.pod").len();
    assert!(pods_drawn < 20, "{pods_drawn} pods drawn one by one");
    // The Service still counts every endpoint.
    let service = label(&find(
        root,
        "svg[aria-label='Cluster'] g.service[aria-label^='Service backend-service ']",
    ));
    assert!(service.ends_with(", 300 endpoints"), "{service}");

    // A request's path: the pod that answers is drawn on its own, and every label, moving or
    // kept, and every box lies inside the picture.
    button(root, "Send request").click();
    settle().await;
    for _ in 0..60 {
        app.advance(100).await;
        let outside = boxes_outside(&svg, "g.path-label");
        assert!(outside.is_empty(), "{outside}");
    }
    let answered: Vec<String> = backend_pods(root)
        .into_iter()
        .filter(|p| p.contains("answered 1 of"))
        .collect();
    assert_eq!(answered.len(), 1, "{:?}", backend_pods(root));
    for selector in ["g.pod", "g.pod-group", "g.service", "g.path-label"] {
        let outside = boxes_outside(&svg, selector);
        assert!(outside.is_empty(), "{outside}");
    }
}

#[wasm_bindgen_test]
async fn selecting_a_group_lists_its_pods_and_selecting_one_draws_it_on_its_own() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;
    scale_backend_to(&app, 40).await;
    let group = &find_all(root, "svg[aria-label='Cluster'] g.pod-group")[0];
    let size = group_size(&label(group));
    group.dispatch_event(&click_event()).unwrap();
    settle().await;
    assert_eq!(group.get_attribute("aria-pressed").as_deref(), Some("true"));
    let listed = find_all(root, ".details-panel ul.pods button");
    assert_eq!(listed.len(), size);
    let name = text(&listed[0])
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(name.starts_with("backend-"), "{name}");
    listed[0].click();
    settle().await;
    let pod = find(
        root,
        &format!("svg[aria-label='Cluster'] g.pod[aria-label^='Pod {name} ']"),
    );
    assert_eq!(pod.get_attribute("aria-pressed").as_deref(), Some("true"));
    assert_eq!(text(&find(root, ".details-panel h3.title")), name);
}

/// The picture's viewBox, as four numbers.
fn view_box(svg: &HtmlElement) -> Vec<f64> {
    svg.get_attribute("viewBox")
        .unwrap_or_default()
        .split(' ')
        .filter_map(|n| n.parse().ok())
        .collect()
}

#[wasm_bindgen_test]
async fn zoom_buttons_and_keys_change_the_view_and_fit_restores_it() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;
    let svg = find(root, "svg[aria-label='Cluster']");
    let fit = view_box(&svg);
    assert_eq!(fit.len(), 4, "{fit:?}");

    let zoom_in = button(root, "Zoom in");
    zoom_in.click();
    settle().await;
    let zoomed = view_box(&svg);
    assert!(
        zoomed[2] < fit[2] * 0.9,
        "{zoomed:?} after Zoom in from {fit:?}"
    );
    // Zoomed in, the picture's text is drawn larger on screen.
    zoom_in.click();
    settle().await;
    let deeper = view_box(&svg);
    assert!(deeper[2] < zoomed[2], "{deeper:?}");
    button(root, "Zoom out").click();
    settle().await;
    let out = view_box(&svg);
    assert!(out[2] > deeper[2], "{out:?}");

    // Arrows pan; Fit shows the whole picture again.
    press(&svg, "ArrowRight");
    settle().await;
    assert!(view_box(&svg)[0] > out[0], "{:?}", view_box(&svg));
    button(root, "Fit").click();
    settle().await;
    assert_eq!(view_box(&svg), fit);

    // With the picture focused: + zooms in, 0 fits.
    press(&svg, "+");
    settle().await;
    assert!(view_box(&svg)[2] < fit[2]);
    press(&svg, "0");
    settle().await;
    assert_eq!(view_box(&svg), fit);
}

#[wasm_bindgen(inline_js = r#"
export function wheel_at(el, fx, fy, dy) {
  const r = el.getBoundingClientRect();
  const at = { clientX: r.left + r.width * fx, clientY: r.top + r.height * fy };
  el.dispatchEvent(new WheelEvent('wheel', { ...at, deltaY: dy, bubbles: true, cancelable: true }));
}
export function center_of(el) {
  const r = el.getBoundingClientRect();
  return [r.left + r.width / 2, r.top + r.height / 2];
}
export function pointer(el, type, x, y) {
  el.dispatchEvent(new PointerEvent(type, {
    clientX: x, clientY: y, pointerId: 7, pointerType: 'mouse', button: 0, isPrimary: true,
    bubbles: true, cancelable: true }));
}
export function click_at(x, y) {
  const under = document.elementFromPoint(x, y);
  if (!under) return '';
  under.dispatchEvent(new MouseEvent('click', { clientX: x, clientY: y, bubbles: true }));
  const control = under.closest('[role=button]');
  return control ? control.getAttribute('aria-label') : '';
}
"#)]
extern "C" {
    /// A wheel turn of `dy` pixels at the point `(fx, fy)` of `el`'s box (fractions of it).
    fn wheel_at(el: &HtmlElement, fx: f64, fy: f64, dy: f64);
    /// The middle of `el`'s box on screen, `[x, y]`.
    fn center_of(el: &HtmlElement) -> Vec<f64>;
    /// A mouse pointer event of `type` at `(x, y)`, dispatched on `el`.
    fn pointer(el: &HtmlElement, type_: &str, x: f64, y: f64);
    /// A click on whatever is at `(x, y)`; the accessible name of the control it is in, if any.
    fn click_at(x: f64, y: f64) -> String;
}

#[wasm_bindgen_test]
async fn the_wheel_zooms_at_the_pointer_and_a_drag_pans_without_selecting() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;
    let svg = find(root, "svg[aria-label='Cluster']");
    let fit = view_box(&svg);

    // Wheel up over the picture's left part: zoomed in, towards the left.
    wheel_at(&svg, 0.2, 0.5, -300.0);
    settle().await;
    let zoomed = view_box(&svg);
    assert!(zoomed[2] < fit[2] * 0.9, "{zoomed:?} from {fit:?}");
    assert!(
        zoomed[0] + zoomed[2] / 2.0 < fit[0] + fit[2] / 2.0,
        "zoomed about the pointer: {zoomed:?}"
    );

    // Zoomed about the middle, dragging a CoreDNS box to the right shows more of the left;
    // the picture moves with the pointer, so the click that ends the drag lands on that box,
    // and selects nothing.
    button(root, "Fit").click();
    settle().await;
    wheel_at(&svg, 0.5, 0.5, -300.0);
    settle().await;
    let zoomed = view_box(&svg);
    let coredns = find(root, "svg[aria-label='Cluster'] g.pod.coredns");
    // The test browser's window is smaller than the frame.
    coredns.scroll_into_view();
    let (x, y) = (center_of(&coredns)[0], center_of(&coredns)[1]);
    pointer(&svg, "pointerdown", x, y);
    for i in 1..=4 {
        pointer(&svg, "pointermove", x + 20.0 * f64::from(i), y);
        settle().await;
    }
    pointer(&svg, "pointerup", x + 80.0, y);
    let clicked = click_at(x + 80.0, y);
    assert!(clicked.starts_with("Pod coredns-"), "{clicked:?}");
    settle().await;
    let panned = view_box(&svg);
    assert!(panned[0] < zoomed[0], "{panned:?} after {zoomed:?}");
    assert!(
        find_all(root, "svg[aria-label='Cluster'] [aria-pressed='true']").is_empty(),
        "a drag selected {clicked:?}"
    );
    // Wheel down far: back to fit, no further.
    wheel_at(&svg, 0.5, 0.5, 5_000.0);
    settle().await;
    assert_eq!(view_box(&svg), fit);
}
