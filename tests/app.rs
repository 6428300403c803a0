//! Browser tests: mount the real app in headless Chromium and read the DOM, as a learner would.
//! Run with `scripts/test` (or `cargo test --target wasm32-unknown-unknown -p svclab --test app`).
//!
//! Most tests mount [`svclab::Lab`] with a [`svclab::Driver`], which moves the virtual clock by hand
//! (no animation frames, no localStorage), so they are fast and deterministic; every assertion is
//! on what is on screen.
#![cfg(target_arch = "wasm32")]

use gloo_timers::future::TimeoutFuture;
use leptos::{mount::mount_to, prelude::*, task::tick};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use svclab::{Driver, Lab};

use wasm_bindgen::closure::Closure;
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
async fn a_long_manifest_numbers_the_lines_in_view_beside_them_without_an_element_per_line() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let long = svclab::seed::SEED_MANIFEST.repeat(500);
    let lines = long.split('\n').count();
    assert!(lines > 10_000);
    app.type_manifest(&long).await;
    let ta = app.textarea();
    // Scrolled to line 8,001 (20 px a line), as a learner scrolls a pasted manifest.
    ta.set_scroll_top(8_000 * 20);
    ta.dispatch_event(&web_sys::Event::new("scroll").unwrap())
        .unwrap();
    settle().await;
    let numbers = find_all(&app.root, ".gutter .ln");
    assert!(numbers.len() < 400, "{} gutter lines", numbers.len());
    let first = numbers
        .iter()
        .find(|n| text(n) == "8001")
        .expect("the first line in view is numbered");
    // Its number sits beside it: level with the textarea's top, less its padding.
    let top = ta.get_bounding_client_rect().top();
    let drift = first.get_bounding_client_rect().top() - top;
    assert!(
        (0.0..20.0).contains(&drift),
        "line 8001's number is {drift} px below the top"
    );
    // The last line, at the end of the text, is numbered too.
    ta.set_scroll_top(i32::MAX);
    ta.dispatch_event(&web_sys::Event::new("scroll").unwrap())
        .unwrap();
    settle().await;
    let last = lines.to_string();
    assert!(find_all(&app.root, ".gutter .ln")
        .iter()
        .any(|n| text(n) == last));
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
    // Before the first command the screen says what to type.
    let screen = text(&find(&terminal, "pre.screen"));
    assert!(
        screen.starts_with("Type a command at the $ below"),
        "{screen}"
    );

    enter(&input, "kubectl get svc");
    settle().await;
    let screen = text(&find(&terminal, "pre.screen"));
    assert!(!screen.contains("Type a command"), "{screen}");
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

    // Ctrl+L clears the screen as a terminal does: empty, not the first visit's hint again.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("l");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    init.set_cancelable(true);
    input
        .dispatch_event(
            &web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap(),
        )
        .unwrap();
    settle().await;
    assert_eq!(text(&find(&terminal, "pre.screen")), "");
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
const STYLES: [&str; 4] = [
    include_str!("../styles/base.css"),
    include_str!("../styles/main.css"),
    include_str!("../styles/layout.css"),
    include_str!("../styles/lessons.css"),
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
async fn answers_per_backend_keep_the_end_of_each_pods_name_in_view() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;
    for _ in 0..8 {
        button(root, "Send request").click();
        app.advance(3_000).await;
    }
    let rows = find_all(root, ".requests-panel ul.spread li");
    assert!(rows.len() >= 2, "{} backends answered", rows.len());
    let mut ends = Vec::new();
    for row in &rows {
        let name = find(row, ".pod-name");
        let tail = find(row, ".pod-name .tail");
        // The pod's own suffix is drawn whole, inside the name's cell, whatever is cut before it.
        let (cell, end) = (
            name.get_bounding_client_rect(),
            tail.get_bounding_client_rect(),
        );
        assert!(
            end.width() > 0.0
                && end.right() <= cell.right() + 0.5
                && tail.scroll_width() <= tail.client_width(),
            "{}: its end is cut",
            text(&name)
        );
        assert!(text(&name).ends_with(&text(&tail)));
        ends.push(text(&tail));
    }
    ends.sort();
    ends.dedup();
    assert_eq!(ends.len(), rows.len(), "rows that read alike: {ends:?}");
}

/// The line boxes `needle` takes in the first text node under `el` that holds it.
fn line_boxes(el: &web_sys::Node, needle: &str) -> Option<Vec<web_sys::DomRect>> {
    if el.node_type() == web_sys::Node::TEXT_NODE {
        let data = el.text_content().unwrap_or_default();
        let at = data.find(needle)?;
        // Range offsets count UTF-16 units.
        let start = data[..at].encode_utf16().count() as u32;
        let range = document().create_range().unwrap();
        range.set_start(el, start).unwrap();
        range
            .set_end(el, start + needle.encode_utf16().count() as u32)
            .unwrap();
        let list = range.get_client_rects().unwrap();
        return Some((0..list.length()).filter_map(|i| list.item(i)).collect());
    }
    let children = el.child_nodes();
    (0..children.length())
        .filter_map(|i| children.item(i))
        .find_map(|child| line_boxes(&child, needle))
}

/// A command in Recent requests wraps as a terminal wraps it: between words, or, for a word longer
/// than the line, where the line ends; never after a hyphen inside a word (`http://backend-` /
/// `service`), and never past the column's edge, where it was cut off.
#[wasm_bindgen_test]
async fn recent_requests_wrap_a_command_between_words_and_keep_it_inside_the_column() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;
    button(root, "Send request").click();
    app.advance(3_000).await;
    let long = "http://backend-service.default.svc.cluster.local";
    let terminal = find(root, "section[aria-label='Terminal']");
    let input: HtmlInputElement = find(&terminal, "input[aria-label='Command']").unchecked_into();
    enter(&input, &format!("kubectl exec test -- wget -qO- {long}"));
    app.advance(3_000).await;
    let list = find(root, "ol.traces").get_bounding_client_rect();
    let commands = find_all(root, "ol.traces .command");
    assert_eq!(commands.len(), 2, "two requests listed");
    let (short, long_one) = if text(&commands[0]).contains(long) {
        (&commands[1], &commands[0])
    } else {
        (&commands[0], &commands[1])
    };
    // A URL shorter than the line stays on one line.
    let boxes = line_boxes(short, "http://backend-service").expect("the short URL is listed");
    assert!(
        boxes.iter().all(|b| (b.top() - boxes[0].top()).abs() < 1.0),
        "{}: the URL is broken over {} lines",
        text(short),
        boxes.len()
    );
    // A URL longer than the line fills each line it takes, inside the column.
    let boxes = line_boxes(long_one, long).expect("the long URL is listed");
    assert!(boxes.len() >= 2, "the long URL fits one line: widen it");
    for b in &boxes {
        assert!(
            b.right() <= list.right() + 0.5,
            "a line of the URL ends at {}px, past the column's {}px",
            b.right(),
            list.right()
        );
    }
    let widest = boxes.iter().map(|b| b.right()).fold(0.0, f64::max);
    for b in &boxes[..boxes.len() - 1] {
        assert!(
            b.right() >= widest - 12.0,
            "a line of the URL ends at {}px where the others reach {widest}px: broken early",
            b.right()
        );
    }
}

#[wasm_bindgen_test]
async fn at_1440x900_apply_sits_in_the_manifest_heading_and_the_output_stays_short() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;
    // Apply beside the heading, not in a row of its own under it.
    let heading = find(root, "#manifest-heading").get_bounding_client_rect();
    let apply = button(root, "Apply").get_bounding_client_rect();
    assert!(
        apply.top() < heading.bottom(),
        "Apply ({}px) is under the heading ({}px)",
        apply.top(),
        heading.bottom()
    );
    // kubectl's answer to a 200-object Apply scrolls in a box of about four lines, so the
    // manifest keeps the column's height.
    let objects: Vec<String> = (0..100)
        .map(|i| {
            format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\nspec:\n  selector:\n    app: x\n  ports:\n    - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: t{i}\nspec:\n  selector:\n    app: x\n  ports:\n    - port: 80\n"
            )
        })
        .collect();
    let editor: HtmlTextAreaElement =
        find(root, "textarea[aria-label='Manifest']").unchecked_into();
    editor.set_value(&objects.join("---\n"));
    editor
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    button(root, "Apply").click();
    settle().await;
    let output = find(root, ".apply-output");
    assert!(text(&output).lines().count() >= 200, "{}", text(&output));
    let tall = output.get_bounding_client_rect().height();
    assert!(tall < 130.0, "the output is {tall}px tall");
    assert!(
        editor.client_height() >= 120,
        "the manifest is {}px tall",
        editor.client_height()
    );
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

/// The rows the top bar's controls take: their top edges, sorted, counted where one is more than
/// 20 px below the last (a row's controls differ by a few pixels).
fn bar_rows(root: &HtmlElement) -> Vec<f64> {
    let mut tops: Vec<f64> = find_all(root, ".topbar :is(button, select, input)")
        .iter()
        .filter(|el| shown(el))
        .map(|el| el.get_bounding_client_rect().top())
        .collect();
    tops.sort_by(f64::total_cmp);
    let mut rows: Vec<f64> = Vec::new();
    for top in tops {
        if rows.last().is_none_or(|last| top > last + 20.0) {
            rows.push(top);
        }
    }
    rows
}

#[wasm_bindgen_test]
async fn the_top_bar_takes_two_rows_at_1920_and_three_at_1440_and_1280() {
    // (width, height, presenter mode, most rows): a projector's 1280x720 included, in presenter
    // mode's large type. The toolbar wrapped inside itself beside the brand: three or four rows,
    // six in presenter mode at 1280.
    for (width, height, presenter, most) in [
        (1920, 1080, false, 2),
        (1440, 900, false, 3),
        (1280, 720, false, 3),
        (1920, 1080, true, 3),
        (1280, 720, true, 3),
    ] {
        let (app, _styled) = mount_framed(width, height).await;
        let root = &app.root;
        if presenter {
            button(root, "Presenter mode").click();
            settle().await;
        }
        let rows = bar_rows(root);
        assert!(
            rows.len() <= most,
            "at {width}x{height} (presenter mode: {presenter}) the top bar's controls take {} rows, at {rows:?}",
            rows.len()
        );
        // The presenter toggle ends a row of other controls rather than taking one of its own.
        let toggle = button(root, "Presenter mode");
        let top = toggle.get_bounding_client_rect().top();
        let beside = find_all(root, ".topbar :is(button, select, input)")
            .iter()
            .filter(|el| shown(el) && !el.is_same_node(Some(&toggle)))
            .any(|el| (el.get_bounding_client_rect().top() - top).abs() < 20.0);
        assert!(
            beside,
            "at {width}x{height} the presenter toggle is alone in its row"
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

    // `f` typed into the terminal is a letter of a command, not a shortcut.
    let input = find(
        root,
        "section[aria-label='Terminal'] input[aria-label='Command']",
    );
    press(&input, "f");
    settle().await;
    assert_eq!(pressed(), "false");

    // `f` anywhere else turns presenter mode on: only the picture and the controls remain,
    // larger.
    let body: HtmlElement = document().body().unwrap();
    press(&body, "f");
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

/// The size a pod's name is drawn at, in CSS pixels: its font size in the picture's units
/// (styles/main.css `.pod-name`) times the scale the picture is fitted at.
fn pod_name_px(picture: &HtmlElement) -> f64 {
    let view: Vec<f64> = picture
        .get_attribute("viewBox")
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    let r = picture.get_bounding_client_rect();
    13.5 * (r.width() / view[2]).min(r.height() / view[3])
}

/// What the last control said does not cost the picture a row: after Break CoreDNS the message
/// sits beside the fault controls, before the presenter toggle, and the bar keeps its height (at
/// 1440 px it took a row of its own under the builder).
#[wasm_bindgen_test]
async fn the_top_bars_message_and_controls_share_their_rows() {
    for (width, rows_px) in [(1440, 140.0), (1280, 150.0)] {
        let (app, _styled) = mount_framed(width, 900).await;
        let root = &app.root;
        app.seeded().await;
        let bar = || find(root, ".topbar").get_bounding_client_rect().height();
        let before = bar();
        assert!(before <= rows_px, "at {width}px the bar is {before}px high");
        button(root, "Break CoreDNS").click();
        settle().await;
        let message = find(root, ".toolbar-message");
        assert!(shown(&message), "Break CoreDNS said nothing");
        let faults = button(root, "Restore CoreDNS").get_bounding_client_rect();
        let toggle = button(root, "Presenter mode").get_bounding_client_rect();
        let m = message.get_bounding_client_rect();
        assert!(
            m.top() < faults.bottom() && m.bottom() > faults.top() && m.right() <= toggle.left(),
            "at {width}px the message is at {}..{}px, the fault controls' row {}..{}px",
            m.top(),
            m.bottom(),
            faults.top(),
            faults.bottom()
        );
        assert!(
            (toggle.top() - faults.top()).abs() < 8.0,
            "at {width}px the presenter toggle left the fault controls' row"
        );
        assert!(
            (bar() - before).abs() < 6.0,
            "at {width}px the bar grew from {before}px to {}px",
            bar()
        );
        app.root.remove();
    }
}

/// On a 4:3 projector the bar's controls fill their rows: the presenter toggle ends the traffic
/// and fault controls' row, Send request ends the builder's (they took a row each: five rows,
/// 234 px of 768).
#[wasm_bindgen_test]
async fn on_a_1024x768_projector_presenter_mode_keeps_the_top_bar_to_three_rows_of_controls() {
    let (app, _styled) = mount_framed(1024, 768).await;
    let root = &app.root;
    app.seeded().await;
    button(root, "Presenter mode").click();
    settle().await;
    let top = |el: &HtmlElement| el.get_bounding_client_rect().top();
    let row = |a: &HtmlElement, b: &HtmlElement| (top(a) - top(b)).abs() < 8.0;
    let toggle = button(root, "Presenter mode");
    let traffic = button(root, "Start steady traffic");
    let send = button(root, "Send request");
    let from = find(root, "select[aria-label='From']");
    assert!(
        row(&toggle, &traffic),
        "the presenter toggle has a row of its own"
    );
    assert!(row(&send, &from), "Send request has a row of its own");
    let bar = find(root, ".topbar").get_bounding_client_rect().height();
    assert!(bar <= 170.0, "the top bar is {bar}px high");
    assert!(shown(&find(root, ".builder .command-line")));
}

#[wasm_bindgen_test]
async fn on_a_1280x720_projector_presenter_mode_gives_the_picture_the_whole_height() {
    let (app, _styled) = mount_framed(1280, 720).await;
    let root = &app.root;
    app.seeded().await;
    button(root, "Presenter mode").click();
    settle().await;
    let picture = find(root, "svg[aria-label='Cluster']");
    let panel = find(root, ".cluster-panel");
    // The title and the legend stand beside the picture, not above and below it.
    let legend = find(root, "ul[aria-label='Legend']").get_bounding_client_rect();
    let heading = find(root, "#cluster-heading").get_bounding_client_rect();
    let p = picture.get_bounding_client_rect();
    assert!(
        legend.right() <= p.left() && heading.right() <= p.left(),
        "legend ends at {}px, heading at {}px, the picture starts at {}px",
        legend.right(),
        heading.right(),
        p.left()
    );
    let inner = panel.client_height() as f64;
    assert!(
        p.height() >= inner - 40.0,
        "the picture is {}px high in a panel of {inner}px",
        p.height()
    );
    // Pod names were drawn at 8.9px with the title row and the legend above and below, and
    // the command line in a row of its own under Send request.
    let px = pod_name_px(&picture);
    assert!(px >= 11.0, "pod names are drawn at {px:.1}px");
    let send = button(root, "Send request").get_bounding_client_rect();
    let command = find(root, ".builder .command-line").get_bounding_client_rect();
    assert!(
        command.top() < send.bottom(),
        "the command line ({}px) is below Send request ({}px)",
        command.top(),
        send.bottom()
    );
    assert!(shown(&button(root, "Send request")) && shown(&button(root, "Zoom in")));
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
    // The controls stay a strip at the top (they scroll sideways): the picture's first half
    // is on the first screen.
    assert!(top < 844.0 / 2.0, "the picture starts at {top}px");
    assert!(shown(&button(root, "Send request")));
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

// --- Why did this fail? ---

/// The explanation of the latest failed request, as on screen.
fn explanation(root: &HtmlElement) -> String {
    text(&find(root, "section[aria-label='Why did this fail?']"))
}

fn terminal_input(root: &HtmlElement) -> HtmlInputElement {
    let terminal = find(root, "section[aria-label='Terminal']");
    find(&terminal, "input[aria-label='Command']").unchecked_into()
}

/// Apply `manifest` through the editor and let the pods start.
async fn applied(app: &Mounted, manifest: &str) {
    app.type_manifest(manifest).await;
    app.seeded().await;
}

/// Press Send request (the seed's `wget` from pod test) and wait for it to end.
async fn send_and_wait(app: &Mounted, ms: u64) {
    button(&app.root, "Send request").click();
    settle().await;
    app.advance(ms).await;
}

const SEED: &str = svclab_sim::examples::SEED_MANIFEST;

#[wasm_bindgen_test]
async fn a_selector_typo_is_explained_with_the_nearest_labels_and_shown_in_the_manifest() {
    let app = mount_lab().await;
    let root = &app.root;
    let manifest = SEED.replace(
        "  selector:\n    app: backend",
        "  selector:\n    app: backnd",
    );
    applied(&app, &manifest).await;
    assert!(find_all(root, "section[aria-label='Why did this fail?']").is_empty());
    send_and_wait(&app, 5_000).await;
    let shown = explanation(root);
    assert!(
        shown.contains("Service backend-service selects no pod"),
        "{shown}"
    );
    assert!(shown.contains("app=backnd"), "{shown}");
    assert!(shown.contains("app=backend"), "{shown}");
    assert!(shown.contains("spec.selector"), "{shown}");

    button(root, "Show in manifest").click();
    settle().await;
    // The Service is selected in the picture, and the editor's caret is on its selector.
    let details = text(&find(root, ".details-panel"));
    assert!(details.contains("backend-service"), "{details}");
    let ta = app.textarea();
    let start = ta.selection_start().unwrap().unwrap() as usize;
    let line = manifest[..start].matches('\n').count() + 1;
    let want = manifest
        .lines()
        .position(|l| l.contains("app: backnd"))
        .unwrap();
    assert_eq!(line, want, "the caret is on the Service's `selector:` line");
}

#[wasm_bindgen_test]
async fn a_wrong_target_port_is_explained_as_connection_refused_at_the_pod() {
    let app = mount_lab().await;
    applied(&app, &SEED.replace("targetPort: 80", "targetPort: 8080")).await;
    send_and_wait(&app, 5_000).await;
    let shown = explanation(&app.root);
    assert!(
        shown.contains("has nothing listening on port 8080"),
        "{shown}"
    );
    assert!(shown.contains("spec.ports[0].targetPort"), "{shown}");
    assert!(shown.contains("to 80"), "{shown}");
}

#[wasm_bindgen_test]
async fn pods_failing_their_readiness_probe_are_explained_with_the_probe() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    for pod in backend_pods(root) {
        let name = pod_name(&pod);
        find(
            root,
            &format!("svg[aria-label='Cluster'] g.pod[aria-label^='Pod {name} ']"),
        )
        .dispatch_event(&click_event())
        .unwrap();
        settle().await;
        button(root, "Make readiness fail").click();
        settle().await;
    }
    app.advance(60_000).await;
    send_and_wait(&app, 5_000).await;
    let shown = explanation(root);
    assert!(shown.contains("has no ready endpoints"), "{shown}");
    assert!(
        shown.contains("readiness probe of container api"),
        "{shown}"
    );
    assert!(shown.contains("Readiness probe failed"), "{shown}");
}

#[wasm_bindgen_test]
async fn coredns_scaled_to_zero_is_explained() {
    let app = mount_lab().await;
    app.seeded().await;
    enter(
        &terminal_input(&app.root),
        "kubectl scale deployment coredns -n kube-system --replicas=0",
    );
    settle().await;
    app.advance(60_000).await;
    send_and_wait(&app, 30_000).await;
    let shown = explanation(&app.root);
    assert!(shown.contains("CoreDNS is scaled to zero"), "{shown}");
    assert!(shown.contains("--replicas=2"), "{shown}");
}

#[wasm_bindgen_test]
async fn broken_coredns_is_explained() {
    let app = mount_lab().await;
    app.seeded().await;
    button(&app.root, "Break CoreDNS").click();
    settle().await;
    send_and_wait(&app, 30_000).await;
    let shown = explanation(&app.root);
    assert!(shown.contains("CoreDNS is broken"), "{shown}");
}

#[wasm_bindgen_test]
async fn a_service_in_another_namespace_is_explained_with_the_search_list_tried() {
    let app = mount_lab().await;
    let manifest = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n---\n{}",
        SEED.replace(
            "  name: backend-service\n",
            "  name: backend-service\n  namespace: dev\n"
        )
    );
    applied(&app, &manifest).await;
    send_and_wait(&app, 5_000).await;
    let shown = explanation(&app.root);
    assert!(shown.contains("it is in namespace dev"), "{shown}");
    assert!(
        shown.contains("backend-service.default.svc.cluster.local: NXDOMAIN"),
        "{shown}"
    );
    assert!(
        shown.contains("backend-service.svc.cluster.local: NXDOMAIN"),
        "{shown}"
    );
    assert!(shown.contains("backend-service.dev"), "{shown}");
}

#[wasm_bindgen_test]
async fn a_typo_in_the_name_is_explained_with_the_nearest_service() {
    let app = mount_lab().await;
    app.seeded().await;
    enter(
        &terminal_input(&app.root),
        "kubectl exec test -- wget -qO- http://backend-servce",
    );
    settle().await;
    app.advance(5_000).await;
    let shown = explanation(&app.root);
    assert!(shown.contains("did you mean backend-service?"), "{shown}");
}

#[wasm_bindgen_test]
async fn a_network_policy_deny_is_explained_with_the_policy() {
    let app = mount_lab().await;
    let manifest = format!(
        "{SEED}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\nspec:\n  podSelector:\n    matchLabels:\n      app: backend\n  policyTypes:\n    - Ingress\n"
    );
    applied(&app, &manifest).await;
    send_and_wait(&app, 130_000).await;
    let shown = explanation(&app.root);
    assert!(
        shown.contains("NetworkPolicy default/deny-all isolates pod backend-"),
        "{shown}"
    );
    assert!(shown.contains("spec.ingress"), "{shown}");
}

#[wasm_bindgen_test]
async fn a_local_traffic_policy_on_a_node_without_an_endpoint_is_explained() {
    let app = mount_lab().await;
    let manifest = SEED.replace("replicas: 3", "replicas: 1").replace(
        "    - port: 80\n      targetPort: 80\n  type: ClusterIP",
        "    - port: 80\n      targetPort: 80\n      nodePort: 30080\n  type: NodePort\n  externalTrafficPolicy: Local",
    );
    applied(&app, &manifest).await;
    // From the learner's machine, to both workers: the one without the backend drops it.
    let input = terminal_input(&app.root);
    for node_ip in ["172.18.0.3", "172.18.0.4"] {
        enter(&input, &format!("curl http://{node_ip}:30080"));
        settle().await;
        app.advance(130_000).await;
    }
    let shown = explanation(&app.root);
    assert!(shown.contains("externalTrafficPolicy: Local"), "{shown}");
    assert!(shown.contains("spec.externalTrafficPolicy"), "{shown}");
}

#[wasm_bindgen_test]
async fn a_pod_killed_while_the_request_is_on_the_wire_is_explained() {
    let app = mount_lab().await;
    let root = &app.root;
    let manifest = SEED.replace("replicas: 3", "replicas: 1").replace(
        "      containers:",
        "      terminationGracePeriodSeconds: 0\n      containers:",
    );
    applied(&app, &manifest).await;
    let pod = pod_name(&backend_pods(root)[0]);
    button(root, "Send request").click();
    settle().await;
    // The name resolves first (four hops); kill the backend once the connection is under way.
    app.advance(1_300).await;
    enter(&terminal_input(root), &format!("kubectl delete pod {pod}"));
    settle().await;
    app.advance(10_000).await;
    let shown = explanation(root);
    assert!(shown.contains(&format!("pod {pod} went away")), "{shown}");
}

/// Choose `value` in the builder's select named `name`, as a learner's pick does.
async fn choose(root: &HtmlElement, name: &str, value: &str) {
    let select: web_sys::HtmlSelectElement =
        find(root, &format!("select[aria-label='{name}']")).unchecked_into();
    select.set_value(value);
    assert_eq!(select.value(), value, "{name} has no option {value:?}");
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
}

/// Type `value` into the builder's field named `name`, then leave it.
async fn fill(root: &HtmlElement, name: &str, value: &str) {
    let input: HtmlInputElement =
        find(root, &format!("input[aria-label='{name}']")).unchecked_into();
    input.set_value(value);
    for event in ["input", "change"] {
        input
            .dispatch_event(&web_sys::Event::new(event).unwrap())
            .unwrap();
    }
    settle().await;
}

/// The builder's command line.
fn command_shown(root: &HtmlElement) -> String {
    text(&find(root, "output[aria-label='Command line']"))
}

#[wasm_bindgen_test]
async fn a_request_built_from_another_pod_is_traced_and_its_dnat_read_in_the_inspector() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    // The seed's request is the default.
    assert_eq!(
        command_shown(root),
        "kubectl exec test -- wget -qO- http://backend-service"
    );

    // A second client, in its own namespace, made in the terminal.
    let terminal = find(root, "section[aria-label='Terminal']");
    let input: HtmlInputElement = find(&terminal, "input[aria-label='Command']").unchecked_into();
    enter(&input, "kubectl create namespace dev");
    settle().await;
    enter(
        &input,
        "kubectl run probe -n dev --image=busybox --restart=Never -- sleep 3600",
    );
    settle().await;
    app.advance(10_000).await;

    choose(root, "From", "pod:dev/probe").await;
    fill(root, "To", "backend-service.default").await;
    let line = command_shown(root);
    assert_eq!(
        line,
        "kubectl exec -n dev probe -- wget -qO- http://backend-service.default"
    );
    button(root, "Send request").click();
    settle().await;
    app.advance(10_000).await;

    // The newest request is the one built, with the command line the builder showed.
    let newest = find(root, ".requests-panel ol.traces > li");
    let command = find(&newest, "code.command");
    assert_eq!(
        text(&command),
        "probe$ wget -qO- http://backend-service.default"
    );
    assert_eq!(command.get_attribute("title").unwrap_or_default(), line);
    assert!(
        text(&newest).contains("HTTP 200 from backend-"),
        "{}",
        text(&newest)
    );

    // Its kube-proxy hop, in the Inspector: the ClusterIP before DNAT, a backend's IP after.
    find(&newest, "details").set_attribute("open", "").unwrap();
    settle().await;
    let hop = find_all(&newest, "button.hop-head")
        .into_iter()
        .find(|b| label(b).contains(": request probe → kube-proxy on "))
        .unwrap_or_else(|| panic!("no kube-proxy hop in {}", text(&newest)));
    hop.click();
    settle().await;
    assert_eq!(hop.get_attribute("aria-pressed").as_deref(), Some("true"));
    let inspector = find(root, "section[aria-label='Inspector']");
    let service = label(&find(
        root,
        "svg[aria-label='Cluster'] g.service[aria-label^='Service backend-service ']",
    ));
    let cluster_ip = ip_in(&service, "cluster IP ");
    let destination = find_all(&inspector, "table.addresses tbody tr")
        .into_iter()
        .find(|r| text(r).starts_with("Destination"))
        .expect("a Destination row");
    let before = text(&find(&destination, "td.before"));
    let after = text(&find(&destination, "td.after"));
    assert_eq!(before, format!("{cluster_ip}:80"));
    let backend_ips: Vec<String> = backend_pods(root)
        .iter()
        .map(|p| format!("{}:80", ip_in(p, ", ")))
        .collect();
    assert!(
        backend_ips.contains(&after),
        "{after} not in {backend_ips:?}"
    );
    let inspected = text(&inspector);
    assert!(
        inspected.contains(&format!("DNAT {cluster_ip}:80 → {after}")),
        "{inspected}"
    );
    // The DNAT rule is marked inside the node's iptables-save.
    assert!(
        find_all(&inspector, "pre.dump-text mark")
            .iter()
            .any(|m| text(m).contains(&format!("-j DNAT --to-destination {after}"))),
        "{inspected}"
    );
    assert!(inspected.contains("iptables-save on kind-"), "{inspected}");

    // Steady traffic sends the built request too.
    button(root, "Start steady traffic").click();
    settle().await;
    app.advance(3_000).await;
    button(root, "Stop steady traffic").click();
    settle().await;
    let newest = find(root, ".requests-panel ol.traces > li");
    assert_eq!(
        text(&find(&newest, "code.command")),
        "probe$ wget -qO- http://backend-service.default"
    );

    button(root, "Close inspector").click();
    settle().await;
    assert!(root
        .query_selector("section[aria-label='Inspector']")
        .unwrap()
        .is_none());
}

#[wasm_bindgen_test]
async fn in_nftables_mode_the_inspector_reads_the_map_element_and_the_draw_and_nft_lists_the_table()
{
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    let mode: web_sys::HtmlSelectElement =
        find(root, "select[aria-label='kube-proxy mode']").unchecked_into();
    let options: Vec<String> = (0..mode.length())
        .filter_map(|i| mode.item(i))
        .map(|o| o.text_content().unwrap_or_default())
        .collect();
    assert_eq!(options, ["iptables", "nftables", "IPVS (deprecated)"]);
    choose(root, "kube-proxy mode", "nftables").await;
    button(root, "Send request").click();
    settle().await;
    app.advance(10_000).await;

    let newest = find(root, ".requests-panel ol.traces > li");
    assert!(
        text(&newest).contains("HTTP 200 from backend-"),
        "{}",
        text(&newest)
    );
    find(&newest, "details").set_attribute("open", "").unwrap();
    settle().await;
    let hop = find_all(&newest, "button.hop-head")
        .into_iter()
        .find(|b| label(b).contains(": request test → kube-proxy on "))
        .unwrap_or_else(|| panic!("no kube-proxy hop in {}", text(&newest)));
    hop.click();
    settle().await;
    let inspector = find(root, "section[aria-label='Inspector']");
    let service = label(&find(
        root,
        "svg[aria-label='Cluster'] g.service[aria-label^='Service backend-service ']",
    ));
    let cluster_ip = ip_in(&service, "cluster IP ");
    let after = text(&find(
        &find_all(&inspector, "table.addresses tbody tr")
            .into_iter()
            .find(|r| text(r).starts_with("Destination"))
            .expect("a Destination row"),
        "td.after",
    ));
    let (to_ip, to_port) = after.split_once(':').expect("an address with a port");
    let inspected = text(&inspector);
    assert!(
        inspected.contains("nft list table ip kube-proxy on kind-"),
        "{inspected}"
    );
    assert!(!inspected.contains("iptables-save on"), "{inspected}");
    // The map element the packet matched, and the Service chain's DNAT, marked in the listing.
    let marks: Vec<String> = find_all(&inspector, "pre.dump-text mark")
        .iter()
        .map(text)
        .collect();
    assert!(
        marks
            .iter()
            .any(|m| m.contains(&format!("{cluster_ip} . tcp . 80 : goto service-"))),
        "{marks:#?}"
    );
    assert!(
        marks
            .iter()
            .any(|m| m.contains("meta l4proto tcp dnat ip to numgen random mod 3 map {")),
        "{marks:#?}"
    );
    // The rules matched name their chain, and the map element the one it sits in.
    let matched = text(&find(&inspector, "ol.matched-rules"));
    assert!(
        matched
            .contains("kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips"),
        "{matched}"
    );
    assert!(
        matched.contains(&format!(
            "kube-proxy @service-ips {cluster_ip} . tcp . 80 : goto service-"
        )),
        "{matched}"
    );
    // The picture names the map element's map, the Service's chain and the random draw that
    // chose the endpoint, beside the DNAT; the Inspector says the same in full.
    let picture = text(&find(root, "svg[aria-label='Cluster']"));
    assert!(
        picture.contains(&format!("DNAT {cluster_ip}:80 → {after}")),
        "{picture}"
    );
    let choice = text(&find(&inspector, "p.choice"));
    let chain = choice
        .split(" of the map in ")
        .nth(1)
        .and_then(|rest| rest.split(" (").next())
        .expect("the Inspector names the Service's chain");
    assert!(chain.starts_with("service-"), "{choice}");
    assert!(
        picture.contains(&format!("@service-ips → {chain} · numgen mod 3 = ")),
        "{picture}"
    );
    assert!(
        choice.starts_with("numgen random mod 3 drew ")
            && choice.contains(&format!(": {to_ip} . {to_port} of the map in service-")),
        "{choice}"
    );

    // On a node, nft lists the same table.
    let terminal = find(root, "section[aria-label='Terminal']");
    let input: HtmlInputElement = find(&terminal, "input[aria-label='Command']").unchecked_into();
    enter(&input, "docker exec -it kind-worker bash");
    settle().await;
    enter(&input, "nft list ruleset");
    settle().await;
    let screen = text(&find(&terminal, "pre.screen"));
    assert!(screen.contains("table ip kube-proxy {"), "{screen}");
    assert!(screen.contains("chain services {"), "{screen}");
    assert!(
        screen.contains(&format!("{cluster_ip} . tcp . 80 : goto service-")),
        "{screen}"
    );
}

#[wasm_bindgen_test]
async fn the_builder_names_bad_input_beside_its_field_and_follows_the_client() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    let send = || button(root, "Send request");
    let error = |id: &str| text(&find(root, &format!("#{id}")));

    fill(root, "Port", "70000").await;
    assert_eq!(
        error("builder-port-error"),
        "The port must be a number from 1 to 65535."
    );
    assert_eq!(
        find(root, "input[aria-label='Port']")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert!(send().has_attribute("disabled"));
    assert_eq!(command_shown(root), "");
    fill(root, "Port", "8080").await;
    assert_eq!(error("builder-port-error"), "");
    assert_eq!(
        command_shown(root),
        "kubectl exec test -- wget -qO- http://backend-service:8080"
    );

    fill(root, "To", "   ").await;
    assert_eq!(
        error("builder-to-error"),
        "Type a Service name, an IP, or nodeIP:nodePort."
    );
    assert!(send().has_attribute("disabled"));
    fill(root, "To", "http://backend-service/").await;
    assert_eq!(
        error("builder-to-error"),
        "Type the host only (no http://, no path)."
    );

    // A node has curl, and no cluster DNS: the tool follows the client.
    fill(root, "To", "backend-service").await;
    fill(root, "Port", "80").await;
    choose(root, "From", "node:kind-worker").await;
    let tool: web_sys::HtmlSelectElement = find(root, "select[aria-label='Tool']").unchecked_into();
    assert_eq!(tool.value(), "curl");
    assert_eq!(
        command_shown(root),
        "docker exec kind-worker curl backend-service"
    );
    send().click();
    settle().await;
    app.advance(2_000).await;
    let newest = text(&find(root, ".requests-panel ol.traces > li"));
    assert!(
        newest.contains("curl: (6) Could not resolve host: backend-service"),
        "{newest}"
    );
    // Outside the cluster, a NodePort address typed as IP:port fills the port.
    choose(root, "From", "outside").await;
    fill(root, "To", "172.18.0.3:30080").await;
    let port: HtmlInputElement = find(root, "input[aria-label='Port']").unchecked_into();
    assert_eq!(port.value(), "30080");
    assert_eq!(command_shown(root), "curl 172.18.0.3:30080");
    // Ten at once.
    choose(root, "Count", "10").await;
    let before = find_all(root, ".requests-panel ol.traces > li").len();
    send().click();
    settle().await;
    assert!(find_all(root, ".requests-panel ol.traces > li").len() > before);
}

/// The Events list's current row, as `(number, text)`.
fn current_event(root: &HtmlElement) -> (usize, String) {
    let row = find(root, "section[aria-label='Events'] tr[aria-current='true']");
    let cells = find_all(&row, "td");
    (text(&cells[0]).trim().parse().unwrap(), text(&row))
}

fn clock(root: &HtmlElement) -> String {
    text(&find(root, "output[aria-label='Virtual time']"))
}

/// In simulation mode: send the built request, then Step `steps` events into it.
async fn send_and_step(root: &HtmlElement, steps: usize) {
    button(root, "Send request").click();
    settle().await;
    for _ in 0..steps {
        button(root, "Step").click();
        settle().await;
    }
}

async fn simulation_mode(app: &Mounted) {
    let switch: HtmlInputElement =
        find(&app.root, "input[aria-label='Simulation mode']").unchecked_into();
    assert!(!switch.checked());
    switch.click();
    settle().await;
    assert!(switch.checked());
}

#[wasm_bindgen_test]
async fn the_events_header_stays_over_the_rows_scrolled_under_it() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    app.seeded().await;
    simulation_mode(&app).await;
    // More events than the list shows at once.
    send_and_step(root, 12).await;
    let scroller = find(root, "section[aria-label='Events'] .events-scroll");
    // What a learner sees at the header's place is the header, not a row's Event button
    // (the list brought into the test browser's window first, where hit tests are answered).
    scroller.scroll_into_view_with_bool(false);
    // (The cells are what sticks: the thead keeps its place at the top of the scrolled list.)
    let header = find(root, "section[aria-label='Events'] thead");
    let cell = find(&header, "th");
    // The list scrolled so that its third row is half under the header.
    let third = &find_all(root, "section[aria-label='Events'] tbody tr")[2];
    let (row, head) = (
        third.get_bounding_client_rect(),
        cell.get_bounding_client_rect(),
    );
    let by = row.top() - head.bottom() + row.height() / 2.0;
    scroller.set_scroll_top(scroller.scroll_top() + by.round() as i32);
    let h = cell.get_bounding_client_rect();
    // A row's Event button lies under the header: what the header must cover.
    let buttons = find_all(root, "section[aria-label='Events'] tbody button");
    let under = buttons.iter().find(|b| {
        let r = b.get_bounding_client_rect();
        r.top() < h.bottom() - 2.0 && r.bottom() > h.top() + 2.0
    });
    let Some(under) = under else {
        panic!("no Event button scrolled under the header: the test shows nothing");
    };
    let u = under.get_bounding_client_rect();
    let (left, right) = (u.left().max(h.left()), u.right().min(h.right()));
    let (top, bottom) = (u.top().max(h.top()), u.bottom().min(h.bottom()));
    let mut y = top + 1.0;
    while y < bottom {
        let mut x = left + 1.0;
        while x < right {
            let seen = document()
                .element_from_point(x as f32, y as f32)
                .expect("something is drawn there");
            assert!(
                header.contains(Some(&seen)),
                "at ({x}, {y}) a {} ({:?}) is drawn over the header",
                seen.tag_name(),
                seen.text_content()
            );
            x += 3.0;
        }
        y += 2.0;
    }
}

#[wasm_bindgen_test]
async fn simulation_mode_steps_a_request_to_its_dnat_at_kube_proxy_and_back() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    simulation_mode(&app).await;
    let events = find(root, "section[aria-label='Events']");
    assert!(shown(&events));
    assert!(find_all(root, "button")
        .iter()
        .all(|b| text(b).trim() != "Pause"));

    // Time passes, but the clock waits for Step.
    let start = clock(root);
    app.advance(5_000).await;
    assert_eq!(clock(root), start);

    // The request is event 1; Step walks it hop by hop to kube-proxy's DNAT of the Service IP.
    button(root, "Send request").click();
    settle().await;
    let (first, sent) = current_event(root);
    assert_eq!(first, 1);
    assert!(sent.contains("wget -qO- http://backend-service"), "{sent}");
    let mut seen = vec![sent];
    while !seen.last().unwrap().contains("request (SYN): DNAT 10.") {
        assert!(seen.len() < 30, "no DNAT of the request in {seen:#?}");
        button(root, "Step").click();
        settle().await;
        seen.push(current_event(root).1);
    }
    let (dnat, row) = current_event(root);
    assert!(row.contains("kube-proxy on kind-worker"), "{row}");
    assert!(row.contains(":80 → 10.244."), "{row}");
    // The picture rings the packet where the event happens: at the kube-proxy that DNATs it.
    let ring = label(&find(root, "svg[aria-label='Cluster'] g.event-mark"));
    assert!(
        ring.starts_with(&format!(
            "Event {dnat}: request arrives at kube-proxy on kind-worker"
        )),
        "{ring}"
    );
    assert_ne!(clock(root), start);
    // Earlier events: the DNS query first, then its answer.
    let list = text(&events);
    assert!(list.contains("DNS query sent"), "{list}");
    assert!(list.contains("DNS answer delivered"), "{list}");

    // Back shows the event before; the arrow key too; Step and space come forward again.
    let at_dnat = clock(root);
    button(root, "Back").click();
    settle().await;
    let (n, before) = current_event(root);
    assert_eq!(n, dnat - 1);
    assert!(before.contains("request (SYN) sent"), "{before}");
    assert_ne!(clock(root), at_dnat);
    let body: HtmlElement = document().body().unwrap();
    press(&body, "ArrowLeft");
    settle().await;
    assert_eq!(current_event(root).0, dnat - 2);
    press(&body, " ");
    settle().await;
    let after_space = current_event(root);
    button(root, "Step").click();
    settle().await;
    assert_eq!(
        current_event(root),
        (dnat, row.clone()),
        "after space {after_space:?}"
    );
    assert_eq!(clock(root), at_dnat);

    // Choosing an event puts the world back at it.
    button(root, "1").click();
    settle().await;
    assert_eq!(current_event(root).0, 1);
    assert_eq!(clock(root), start);
    // Event 1 is the learner's action, no packet: nothing is ringed.
    assert!(find_all(root, "svg[aria-label='Cluster'] g.event-mark").is_empty());

    // Presenter mode keeps the current event in one line under the picture.
    press(&body, "f");
    settle().await;
    let line = text(&find(root, "[aria-label='Current event']"));
    assert!(line.starts_with("Event 1 · "), "{line}");
    assert!(line.contains("wget -qO- http://backend-service"), "{line}");
}

#[wasm_bindgen_test]
async fn play_runs_the_clock_in_simulation_mode_and_realtime_comes_back() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    simulation_mode(&app).await;
    button(root, "Send request").click();
    settle().await;
    let start = clock(root);
    app.advance(2_000).await;
    assert_eq!(clock(root), start, "the clock moved by itself");
    button(root, "Play").click();
    settle().await;
    app.advance(2_000).await;
    assert_ne!(clock(root), start);
    assert!(current_event(root).0 > 1);
    // `p` pauses: the clock waits again.
    let body: HtmlElement = document().body().unwrap();
    press(&body, "p");
    settle().await;
    assert!(shown(&button(root, "Play")));
    let paused = clock(root);
    app.advance(2_000).await;
    assert_eq!(clock(root), paused);

    // Realtime: the list goes, the clock runs again.
    let switch: HtmlInputElement =
        find(root, "input[aria-label='Simulation mode']").unchecked_into();
    switch.click();
    settle().await;
    assert!(root
        .query_selector("section[aria-label='Events']")
        .unwrap()
        .is_none());
    app.advance(1_000).await;
    assert_ne!(clock(root), paused);
    assert!(shown(&button(root, "Pause")));
}

// ---------------------------------------------------------------------------------------------
// Lessons

impl Mounted {
    async fn start_lesson(&self, title: &str) {
        if self
            .root
            .query_selector(".lesson-picker")
            .unwrap()
            .is_none()
        {
            button(&self.root, "Lessons").click();
            settle().await;
        }
        find(
            &self.root,
            &format!("button[aria-label='Start lesson {title}']"),
        )
        .click();
        settle().await;
    }

    /// Task `n`'s verdict line ("Not yet: ..." or "Solved: ...").
    fn verdict(&self, n: usize) -> String {
        text(&find(
            &self.root,
            &format!(".lesson-panel li[aria-label='Task {n}'] .verdict"),
        ))
    }

    fn solved(&self, n: usize) -> bool {
        self.verdict(n).starts_with("Solved")
    }

    /// Run a terminal command, then let `ms` of virtual time pass.
    async fn run(&self, line: &str, ms: u64) {
        let input: HtmlInputElement = find(
            &self.root,
            "section[aria-label='Terminal'] input[aria-label='Command']",
        )
        .unchecked_into();
        enter(&input, line);
        settle().await;
        self.advance(ms).await;
    }

    /// Replace `from` by `to` in the editor's text and apply it.
    async fn edit(&self, from: &str, to: &str) {
        let text = self.textarea().value();
        assert!(text.contains(from), "{from:?} is not in the editor");
        self.type_manifest(&text.replacen(from, to, 1)).await;
        self.apply().await;
        self.advance(20_000).await;
    }
}

/// An app that keeps what the learner does in localStorage and starts from it, as the page
/// does: mounting a second one is the page reloaded.
async fn mount_persisting() -> Mounted {
    let root = fresh_root();
    let driver = Driver::new();
    let d = driver.clone();
    let handle = mount_to(root.clone(), move || {
        view! { <Lab driver=d.clone() persist=true /> }
    });
    settle().await;
    Mounted {
        root,
        driver,
        _handle: Box::new(handle),
    }
}

#[wasm_bindgen_test]
async fn progress_the_editor_and_the_lesson_survive_a_reload() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.clear().unwrap();
    let app = mount_persisting().await;
    app.start_lesson("Your first Service").await;
    button(&app.root, "Send request").click();
    settle().await;
    app.advance(10_000).await;
    assert!(app.solved(1), "{}", app.verdict(1));
    assert!(!app.solved(2));
    let edited = app
        .textarea()
        .value()
        .replacen("replicas: 3", "replicas: 4", 1);
    app.type_manifest(&edited).await;
    let pods = all_pods(&app.root);
    // The page is hidden or closed: what it shows is kept.
    web_sys::window()
        .unwrap()
        .dispatch_event(&web_sys::Event::new("pagehide").unwrap())
        .unwrap();
    drop(app);

    let reloaded = mount_persisting().await;
    assert_eq!(reloaded.textarea().value(), edited, "the editor's text");
    assert_eq!(all_pods(&reloaded.root), pods, "the same pods and IPs");
    assert_eq!(
        text(&find(&reloaded.root, ".lesson-panel h2")),
        "Your first Service"
    );
    assert!(reloaded.solved(1), "{}", reloaded.verdict(1));
    assert!(!reloaded.solved(2), "{}", reloaded.verdict(2));
    button(&reloaded.root, "Lessons").click();
    settle().await;
    let list = text(&find(&reloaded.root, ".lesson-list"));
    assert!(list.contains("in progress"), "{list}");
    storage.clear().unwrap();
}

#[wasm_bindgen_test]
async fn the_lesson_picker_starts_a_lesson_with_its_manifests_and_tasks() {
    let app = mount_lab().await;
    button(&app.root, "Lessons").click();
    settle().await;
    let picker = find(&app.root, "[role='dialog'][aria-label='Lesson picker']");
    let entries = find_all(&picker, ".lesson-entry");
    assert_eq!(entries.len(), 10);
    assert!(text(&entries[0]).contains("not started"));
    app.start_lesson("Troubleshooting: the request times out")
        .await;
    assert!(app.textarea().value().contains("app: backnd"));
    assert!(text(&find(&app.root, ".lesson-panel")).contains("Someone deployed"));
    // The lesson's world is up: three backend pods, and a Service with no endpoints.
    assert_eq!(backend_pods(&app.root).len(), 3);
    assert!(app
        .verdict(1)
        .contains("backend-service has 0 ready of 0 endpoints"));
    // Hints come one at a time.
    let hints = || find_all(&app.root, ".lesson-panel .hints li").len();
    assert_eq!(hints(), 0);
    find(&app.root, "button[aria-label='Show a hint for task 1']").click();
    settle().await;
    assert_eq!(hints(), 1);
    button(&app.root, "Lessons").click();
    settle().await;
    assert!(text(&find(&app.root, ".lesson-list")).contains("in progress"));
}

#[wasm_bindgen_test]
async fn troubleshooting_lessons_stay_unsolved_after_a_wrong_fix_and_flip_after_the_right_one() {
    let app = mount_lab().await;

    // (6) No endpoints: selecting other pods does not help; the selector's typo does.
    app.start_lesson("Troubleshooting: the request times out")
        .await;
    app.edit("app: backnd", "app: frontend").await;
    app.run(
        "kubectl exec test -- wget -qO- http://backend-service",
        10_000,
    )
    .await;
    assert!(!app.solved(1), "{}", app.verdict(1));
    button(&app.root, "Reset lesson").click();
    settle().await;
    assert!(app.textarea().value().contains("app: backnd"));
    app.edit("app: backnd", "app: backend").await;
    assert!(!app.solved(1), "not before a request shows it");
    app.run(
        "kubectl exec test -- wget -qO- http://backend-service",
        10_000,
    )
    .await;
    assert!(app.solved(1), "{}", app.verdict(1));
    assert!(
        app.verdict(1).contains("you applied the manifest"),
        "{}",
        app.verdict(1)
    );

    // (7) DNS down: the ClusterIP answers, the name does not, until CoreDNS is restored.
    app.start_lesson("Troubleshooting: names do not resolve")
        .await;
    app.run("kubectl exec test -- nslookup backend-service", 30_000)
        .await;
    assert!(!app.solved(1), "{}", app.verdict(1));
    button(&app.root, "Restore CoreDNS").click();
    settle().await;
    app.advance(30_000).await;
    app.run("kubectl exec test -- nslookup backend-service", 10_000)
        .await;
    app.run(
        "kubectl exec test -- wget -qO- http://backend-service",
        10_000,
    )
    .await;
    assert!(app.solved(1), "{}", app.verdict(1));

    // (8) Not ready: scaling up is the wrong fix; replacing the broken pods is the right one.
    app.start_lesson("Troubleshooting: only some pods answer")
        .await;
    app.run("kubectl scale deployment backend --replicas=4", 30_000)
        .await;
    app.run(
        "kubectl exec test -- wget -qO- http://backend-service",
        10_000,
    )
    .await;
    assert!(!app.solved(1), "{}", app.verdict(1));
    button(&app.root, "Reset lesson").click();
    settle().await;
    let broken: Vec<String> = backend_pods(&app.root)
        .iter()
        .filter(|l| l.ends_with("not ready"))
        .map(|l| pod_name(l))
        .collect();
    assert_eq!(broken.len(), 2, "{:?}", backend_pods(&app.root));
    app.run(
        &format!("kubectl delete pod {} {}", broken[0], broken[1]),
        60_000,
    )
    .await;
    app.run(
        "kubectl exec test -- wget -qO- http://backend-service",
        10_000,
    )
    .await;
    assert!(app.solved(1), "{}", app.verdict(1));

    // (9) NetworkPolicy: the wrong label keeps test out; the one the policy admits lets it in.
    app.start_lesson("Troubleshooting: one Service unreachable")
        .await;
    app.run("kubectl label pod test app=frontend", 1_000).await;
    app.run("kubectl exec test -- wget -qO- http://api-service", 300_000)
        .await;
    assert!(!app.solved(1), "{}", app.verdict(1));
    app.run("kubectl label pod test role=frontend", 1_000).await;
    app.run("kubectl exec test -- wget -qO- http://api-service", 10_000)
        .await;
    assert!(app.solved(1), "{}", app.verdict(1));
}

#[wasm_bindgen_test]
async fn the_service_lessons_are_solved_through_the_editor_and_the_terminal() {
    let app = mount_lab().await;

    // (1) Your first Service.
    app.start_lesson("Your first Service").await;
    assert!(!app.solved(1) && !app.solved(2) && !app.solved(3));
    button(&app.root, "Send request").click();
    settle().await;
    app.advance(10_000).await;
    assert!(app.solved(1), "{}", app.verdict(1));
    app.run("kubectl scale deployment backend --replicas=5", 30_000)
        .await;
    assert!(app.solved(2), "{}", app.verdict(2));
    app.run(
        "kubectl exec test -- nslookup backend-service.default.svc.cluster.local",
        10_000,
    )
    .await;
    assert!(app.solved(3), "{}", app.verdict(3));
    button(&app.root, "Lessons").click();
    settle().await;
    assert!(text(&find(&app.root, ".lesson-list")).contains("solved"));
    button(&app.root, "Lessons").click();
    settle().await;

    // (2) Ports.
    app.start_lesson("port, targetPort and containerPort").await;
    app.run("kubectl exec test -- wget -qO- http://web-service", 10_000)
        .await;
    assert!(
        app.verdict(1).contains("connection refused"),
        "{}",
        app.verdict(1)
    );
    app.edit("targetPort: 80", "targetPort: 5678").await;
    app.run("kubectl exec test -- wget -qO- http://web-service", 10_000)
        .await;
    assert!(app.solved(1), "{}", app.verdict(1));

    // (3) From outside: a NodePort at a fixed port, then a LoadBalancer's IP, from the host.
    app.start_lesson("NodePort and LoadBalancer, from outside the cluster")
        .await;
    app.edit("type: ClusterIP", "type: NodePort").await;
    app.edit("targetPort: 80", "targetPort: 80\n      nodePort: 30080")
        .await;
    app.run("curl -s 172.18.0.2:30080", 10_000).await;
    assert!(app.solved(1), "{}", app.verdict(1));
    app.edit("type: NodePort", "type: LoadBalancer").await;
    app.run("curl -s 172.18.255.200", 10_000).await;
    assert!(app.solved(2), "{}", app.verdict(2));

    // (4) DNS across namespaces: busybox's nslookup needs the full name; wget's resolver does not.
    app.start_lesson("DNS across namespaces").await;
    app.run("kubectl exec test -- nslookup db.shop", 10_000)
        .await;
    assert!(!app.solved(1), "{}", app.verdict(1));
    app.run(
        "kubectl exec test -- nslookup db.shop.svc.cluster.local",
        10_000,
    )
    .await;
    app.run("kubectl exec test -- wget -qO- http://db.shop", 10_000)
        .await;
    assert!(app.solved(1) && app.solved(2), "{}", app.verdict(2));

    // (5) Headless and ExternalName.
    app.start_lesson("Headless and ExternalName Services").await;
    let text = app.textarea().value();
    app.type_manifest(&format!(
        "{text}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: backend-headless\nspec:\n  clusterIP: None\n  selector:\n    app: backend\n  ports:\n    - port: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: docs\nspec:\n  type: ExternalName\n  externalName: kubernetes.io\n"
    ))
    .await;
    app.apply().await;
    app.run("kubectl exec test -- nslookup backend-headless", 10_000)
        .await;
    assert!(app.solved(1), "{}", app.verdict(1));
    assert!(app.solved(2), "{}", app.verdict(2));

    // (10) IPVS round-robin, then session affinity.
    app.start_lesson("iptables vs IPVS spreading, and session affinity")
        .await;
    let mode: web_sys::HtmlSelectElement =
        find(&app.root, "select[aria-label='kube-proxy mode']").unchecked_into();
    mode.set_value("ipvs");
    mode.dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    settle().await;
    for _ in 0..10 {
        app.run(
            "kubectl exec test -- wget -qO- http://backend-service",
            5_000,
        )
        .await;
    }
    assert!(app.solved(1), "{}", app.verdict(1));
    app.edit(
        "  selector:\n    app: backend\n  ports:",
        "  sessionAffinity: ClientIP\n  selector:\n    app: backend\n  ports:",
    )
    .await;
    for _ in 0..10 {
        app.run(
            "kubectl exec test -- wget -qO- http://backend-service",
            5_000,
        )
        .await;
    }
    assert!(app.solved(2), "{}", app.verdict(2));
}

/// Choose a file with `text` in the lesson picker's file field; returns the picker's error line
/// if one shows (else the picker itself) once the file has been read.
async fn pick_file(root: &HtmlElement, text: &str) -> HtmlElement {
    let parts = js_sys::Array::of1(&text.into());
    let file = web_sys::File::new_with_str_sequence(&parts, "lesson.yaml").unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let input: HtmlInputElement = find(root, ".lesson-picker input[type='file']").unchecked_into();
    input.set_files(transfer.files().as_ref());
    input
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    // FileReader reads in a task of its own.
    for _ in 0..50 {
        TimeoutFuture::new(20).await;
        settle().await;
        if let Some(e) = root
            .query_selector(".lesson-picker [role='alert']")
            .unwrap()
        {
            return e.unchecked_into();
        }
        if root.query_selector(".lesson-panel").unwrap().is_some() {
            return find(root, ".lesson-panel");
        }
    }
    panic!("the picked file was never read");
}

#[wasm_bindgen_test]
async fn a_lesson_file_loads_and_a_broken_one_reports_its_line() {
    let app = mount_lab().await;
    button(&app.root, "Lessons").click();
    settle().await;
    let broken = pick_file(&app.root, include_str!("fixtures/broken-lesson.yaml")).await;
    let error = text(&broken);
    assert!(
        error.contains("error at line 9") && error.contains("unknown field `requestWork`"),
        "{error}"
    );
    assert!(
        find_all(&app.root, ".lesson-panel").is_empty(),
        "no lesson started"
    );
    pick_file(&app.root, include_str!("fixtures/custom-lesson.yaml")).await;
    assert!(text(&find(&app.root, ".lesson-panel h2")).contains("Scale to two"));
    assert!(app.textarea().value().contains("name: tiny"));

    // A share link carries the learner's own lesson: a browser that never loaded the file
    // opens the link in that lesson.
    button(&app.root, "Share").click();
    settle().await;
    let link: HtmlInputElement = find(&app.root, "input[aria-label='Share link']").unchecked_into();
    let opened = mount_link(&link.value()).await;
    assert!(text(&find(&opened.root, ".lesson-panel h2")).contains("Scale to two"));
    assert_eq!(opened.textarea().value(), app.textarea().value());
}

#[wasm_bindgen_test]
async fn a_yaml_file_dropped_on_the_editor_replaces_its_text_and_applies() {
    let app = mount_lab().await;
    let exported = include_str!("../sim/tests/fixtures/kubectl-get-o-yaml.yaml");
    let parts = js_sys::Array::of1(&exported.into());
    let file = web_sys::File::new_with_str_sequence(&parts, "exported.yaml").unwrap();
    let transfer = web_sys::DataTransfer::new().unwrap();
    transfer.items().add_with_file(&file).unwrap();
    let init = web_sys::DragEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    init.set_data_transfer(Some(&transfer));
    let drop = web_sys::DragEvent::new_with_event_init_dict("drop", &init).unwrap();
    app.textarea().dispatch_event(&drop).unwrap();
    assert!(
        drop.default_prevented(),
        "the browser does not open the file itself"
    );
    // FileReader reads in a task of its own.
    for _ in 0..50 {
        TimeoutFuture::new(20).await;
        settle().await;
        if app.textarea().value() == exported {
            break;
        }
    }
    assert_eq!(app.textarea().value(), exported);
    app.apply().await;
    app.advance(30_000).await;
    let pods: Vec<String> = all_pods(&app.root)
        .into_iter()
        .filter(|p| p.starts_with("Pod web-"))
        .collect();
    assert_eq!(pods.len(), 2, "{pods:?}");
}

async fn mount_link(link: &str) -> Mounted {
    let root = fresh_root();
    let driver = Driver::new();
    let d = driver.clone();
    let link = link.to_string();
    let handle = mount_to(root.clone(), move || {
        view! { <Lab driver=d.clone() link=link.clone() /> }
    });
    settle().await;
    Mounted {
        root,
        driver,
        _handle: Box::new(handle),
    }
}

/// Every pod in the picture, by accessible name (name, node, IP, phase).
fn all_pods(root: &HtmlElement) -> Vec<String> {
    find_all(root, "svg[aria-label='Cluster'] g.pod")
        .iter()
        .map(label)
        .collect()
}

#[wasm_bindgen_test]
async fn a_share_link_opens_the_same_pods_and_ips_and_a_tampered_one_is_refused() {
    let app = mount_lab().await;
    app.start_lesson("Your first Service").await;
    app.run("kubectl scale deployment backend --replicas=4", 30_000)
        .await;
    let victim = pod_name(&backend_pods(&app.root)[0]);
    app.run(&format!("kubectl delete pod {victim}"), 30_000)
        .await;
    button(&app.root, "Share").click();
    settle().await;
    let link: HtmlInputElement = find(&app.root, "input[aria-label='Share link']").unchecked_into();
    let link = link.value();
    assert!(link.contains("#svclab1."), "{link}");
    let pods = all_pods(&app.root);
    assert_eq!(backend_pods(&app.root).len(), 4);

    let opened = mount_link(&link).await;
    assert_eq!(all_pods(&opened.root), pods);
    assert_eq!(opened.driver.now(), app.driver.now());
    assert_eq!(opened.textarea().value(), app.textarea().value());
    assert_eq!(
        text(&find(&opened.root, ".lesson-panel h2")),
        "Your first Service"
    );

    // One character changed: refused with a message, and the editor keeps its own text.
    let cut = link.len() - 10;
    let tampered = format!(
        "{}{}{}",
        &link[..cut],
        if &link[cut..cut + 1] == "A" { "B" } else { "A" },
        &link[cut + 1..]
    );
    let refused = mount_link(&tampered).await;
    let notice = text(&find(&refused.root, ".notice"));
    assert!(notice.contains("cut short or changed"), "{notice}");
    assert!(refused.textarea().value().contains("name: backend-service"));
    assert!(find_all(&refused.root, ".lesson-panel").is_empty());
}

/// The picture exports as a PNG for slides: drawn at twice the picture's size, and the Share
/// popover says so.
#[wasm_bindgen_test]
async fn the_picture_exports_as_a_png_twice_its_size() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    send_and_wait(&app, 5_000).await;
    button(root, "Share").click();
    settle().await;
    button(root, "Download picture (.png)").click();
    let status = find(root, ".share-popover [role='status']");
    let mut said = String::new();
    for _ in 0..50 {
        settle().await;
        said = text(&status);
        if said.contains("svclab-cluster.png") {
            break;
        }
    }
    let size = said
        .strip_prefix("Picture saved as svclab-cluster.png (")
        .and_then(|rest| rest.strip_suffix(" px)."))
        .unwrap_or_else(|| panic!("{said}"));
    let (w, h) = size.split_once(" × ").unwrap();
    let view_box = find(root, "svg[aria-label='Cluster']")
        .get_attribute("viewBox")
        .unwrap();
    let numbers: Vec<f64> = view_box.split(' ').map(|n| n.parse().unwrap()).collect();
    assert_eq!(
        w.parse::<f64>().unwrap(),
        (numbers[2] * 2.0).round(),
        "{said}"
    );
    assert_eq!(
        h.parse::<f64>().unwrap(),
        (numbers[3] * 2.0).round(),
        "{said}"
    );
}

/// An instructor in simulation mode shares "event N": the link opens in simulation mode at that
/// event, with the same event list and the picture at that moment.
#[wasm_bindgen_test]
async fn a_share_link_made_in_simulation_mode_opens_at_the_same_event() {
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    simulation_mode(&app).await;
    send_and_step(root, 8).await;
    button(root, "Back").click();
    settle().await;
    let (event, row) = current_event(root);
    assert!(event > 3, "{event}: {row}");
    let list = text(&find(root, "section[aria-label='Events']"));
    button(root, "Share").click();
    settle().await;
    let link: HtmlInputElement = find(root, "input[aria-label='Share link']").unchecked_into();
    let link = link.value();

    let opened = mount_link(&link).await;
    let switch: HtmlInputElement =
        find(&opened.root, "input[aria-label='Simulation mode']").unchecked_into();
    assert!(switch.checked(), "the link opens in simulation mode");
    assert_eq!(current_event(&opened.root), (event, row));
    assert_eq!(
        text(&find(&opened.root, "section[aria-label='Events']")),
        list
    );
    assert_eq!(clock(&opened.root), clock(root));
    assert_eq!(all_pods(&opened.root), all_pods(root));
    // The event after it is the original's too.
    button(root, "Step").click();
    button(&opened.root, "Step").click();
    settle().await;
    assert_eq!(current_event(&opened.root), current_event(root));
}

#[wasm_bindgen_test]
async fn a_lesson_file_handed_out_as_a_link_starts_its_lesson_and_a_damaged_one_is_refused() {
    // An instructor loads their file; the picker shows the link that hands it out.
    let app = mount_lab().await;
    button(&app.root, "Lessons").click();
    settle().await;
    pick_file(&app.root, include_str!("fixtures/custom-lesson.yaml")).await;
    button(&app.root, "Lessons").click();
    settle().await;
    let link: HtmlInputElement =
        find(&app.root, "input[aria-label='Lesson link']").unchecked_into();
    let link = link.value();
    assert!(link.contains("#lesson1."), "{link}");

    // A student opens it: the lesson starts with its manifests.
    let opened = mount_link(&link).await;
    assert!(text(&find(&opened.root, ".lesson-panel h2")).contains("Scale to two"));
    assert!(opened.textarea().value().contains("name: tiny"));

    // One character changed: refused, nothing started, the editor as it was.
    let cut = link.len() - 10;
    let tampered = format!(
        "{}{}{}",
        &link[..cut],
        if &link[cut..cut + 1] == "A" { "B" } else { "A" },
        &link[cut + 1..]
    );
    let refused = mount_link(&tampered).await;
    let notice = text(&find(&refused.root, ".notice"));
    assert!(
        notice.contains("The lesson link could not be opened")
            && notice.contains("cut short or changed"),
        "{notice}"
    );
    assert!(find_all(&refused.root, ".lesson-panel").is_empty());
    assert!(refused.textarea().value().contains("name: backend-service"));

    // A link to a file with a mistake: its line, and nothing started.
    let broken = format!(
        "#{}",
        svclab_sim::share::lesson_link(include_str!("fixtures/broken-lesson.yaml"))
    );
    let refused = mount_link(&broken).await;
    let notice = text(&find(&refused.root, ".notice"));
    assert!(notice.contains("error at line 9"), "{notice}");
    assert!(find_all(&refused.root, ".lesson-panel").is_empty());
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

/// `n` Deployments of one pod, each with its Service, after the seed: what a class pastes.
fn many_apps(n: usize) -> String {
    let mut text = SEED.to_string();
    for i in 0..n {
        text.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app{i}\nspec:\n  \
             replicas: 1\n  selector:\n    matchLabels:\n      app: app{i}\n  template:\n    \
             metadata:\n      labels:\n        app: app{i}\n    spec:\n      containers:\n        \
             - name: web\n          image: nginx\n---\napiVersion: v1\nkind: Service\nmetadata:\n  \
             name: svc{i}\nspec:\n  selector:\n    app: app{i}\n  ports:\n    - port: 80\n"
        ));
    }
    text
}

#[wasm_bindgen_test]
async fn sixty_services_and_deployments_draw_a_few_boxes_that_say_how_many_more() {
    let (app, _styled) = mount_framed(1440, 900).await;
    let root = &app.root;
    applied(&app, &many_apps(60)).await;
    let picture = "svg[aria-label='Cluster']";

    // Three rows of Services at most, the last box saying how many are not drawn.
    let services = find_all(root, &format!("{picture} g.service:not(.more)")).len();
    let more = label(&find(root, &format!("{picture} g.service.more")));
    let not_drawn: usize = more.split(' ').next().unwrap().parse().unwrap();
    assert!(services <= 11, "{services} Services drawn");
    // The seed's backend-service and kube-dns, and the sixty.
    assert_eq!(services + not_drawn, 62, "{more}");
    assert!(picture_text(root).contains(&format!("+{not_drawn} more Services")));

    // Each node holds a few boxes, not a box per Deployment: the rest are its other pods.
    let boxes = find_all(root, &format!("{picture} g.pod, {picture} g.pod-group")).len();
    let others: Vec<String> = find_all(root, &format!("{picture} g.pod-group"))
        .iter()
        .map(label)
        .filter(|l| l.contains(" owners on "))
        .collect();
    assert!(!others.is_empty(), "no box of other pods");
    let nodes = find_all(root, &format!("{picture} g.node")).len();
    assert!(boxes <= 4 * nodes, "{boxes} pod boxes on {nodes} nodes");

    // A request to the seed's Service: it and the pod that answers are drawn, inside the picture.
    button(root, "Send request").click();
    settle().await;
    app.advance(5_000).await;
    assert!(
        !find_all(
            root,
            &format!("{picture} g.service[aria-label^='Service backend-service ']")
        )
        .is_empty(),
        "the request's Service is not drawn"
    );
    let answered = backend_pods(root)
        .into_iter()
        .filter(|p| p.contains("answered 1 of"))
        .count();
    assert_eq!(answered, 1, "{:?}", backend_pods(root));
    let svg = find(root, picture);
    for selector in ["g.pod", "g.pod-group", "g.service", "g.path-label"] {
        let outside = boxes_outside(&svg, selector);
        assert!(outside.is_empty(), "{selector}: {outside}");
    }

    // A request to a Service the band had no room for: its box is drawn while the request is
    // the latest, and so is the pod that answers.
    let svc59 = format!("{picture} g.service[aria-label^='Service svc59 ']");
    assert!(
        find_all(root, &svc59).is_empty(),
        "svc59 drawn before any request"
    );
    // The To field's list holds the names and addresses that hold what is typed, fifty at most
    // (sixty Services have 240 and more).
    let listed = || -> Vec<String> {
        find_all(root, "datalist#builder-to-suggestions option")
            .iter()
            .map(|o| o.get_attribute("value").unwrap_or_default())
            .collect()
    };
    fill(root, "To", "").await;
    assert_eq!(listed().len(), 50);
    fill(root, "To", "svc5").await;
    let found = listed();
    // svc5 and svc50 to svc59: each by its short name, name.namespace and FQDN.
    assert_eq!(found.len(), 33, "{found:?}");
    assert!(found.iter().all(|v| v.contains("svc5")), "{found:?}");
    assert!(found.contains(&"svc59.default.svc.cluster.local".to_string()));
    fill(root, "To", "svc59").await;
    button(root, "Send request").click();
    settle().await;
    app.advance(5_000).await;
    assert!(
        !find_all(root, &svc59).is_empty(),
        "the request's Service is not drawn"
    );
    let app59 = find_all(root, &format!("{picture} g.pod"))
        .iter()
        .map(label)
        .filter(|l| l.starts_with("Pod app59-") && l.contains("answered 1 of"))
        .count();
    assert_eq!(app59, 1, "the pod that answered is not drawn on its own");
    assert!(boxes_outside(&svg, "g.service").is_empty());

    // The box of a node's other pods selects the node, whose details list its pods.
    let box_ = find_all(root, &format!("{picture} g.pod-group"))
        .into_iter()
        .find(|g| label(g).contains(" owners on "))
        .unwrap();
    box_.dispatch_event(&click_event()).unwrap();
    settle().await;
    assert_eq!(box_.get_attribute("aria-pressed").as_deref(), Some("true"));

    // 61 Deployments: the first 50 have rows, a filter finds the others by name.
    let rows = || find_all(root, ".deployments-panel li.deployment").len();
    assert_eq!(rows(), 50);
    let panel = text(&find(root, ".deployments-panel"));
    assert!(
        panel.contains("The first 50 of 61 (of 61 Deployments)"),
        "{panel}"
    );
    assert!(find_all(root, "button[aria-label='Scale app59 up']").is_empty());
    fill(root, "Filter Deployments", "app59").await;
    assert_eq!(rows(), 1);
    find(root, "button[aria-label='Scale app59 up']").click();
    settle().await;
    let replicas: HtmlInputElement =
        find(root, "input[aria-label='Replicas of app59']").unchecked_into();
    assert_eq!(replicas.value(), "2");
    fill(root, "Filter Deployments", "nothing-like-it").await;
    assert_eq!(rows(), 0);
    assert!(text(&find(root, ".deployments-panel")).contains("None of the 61 Deployments"));
    fill(root, "Filter Deployments", "").await;
    assert_eq!(rows(), 50);
    let replicas: HtmlInputElement =
        find(root, "input[aria-label='Replicas of app0']").unchecked_into();
    assert_eq!(
        replicas.value(),
        "1",
        "a row made again shows its Deployment's replicas"
    );
}

/// The app's live heap (allocated and not freed, counted by `svclab::heap`), in bytes.
fn live_heap() -> f64 {
    svclab::heap::svclab_live_heap_bytes()
}

#[wasm_bindgen_test]
async fn steady_traffic_keeps_the_apps_memory_flat_once_its_lists_are_full() {
    // Requests every 100 virtual ms. The world keeps its last 250 requests, so after 300 it
    // holds as much as it ever will; every list on screen (requests, the trail's hops and
    // labels, events) has long been full. From then on each request's memory must be given
    // back: a keyed list whose rows each left ~90 bytes behind grew 60-100 bytes a request.
    // Twelve backend pods crowd their nodes, so the pod each request reaches is drawn on its
    // own and the last one goes back into its group: a shape made per request that kept its
    // subscriptions to the scene and the layout grew 164 bytes a request here (430 at 300 pods).
    let app = mount_lab().await;
    app.seeded().await;
    scale_backend_to(&app, 12).await;
    assert!(
        !find_all(&app.root, "svg[aria-label='Cluster'] g.pod-group").is_empty(),
        "twelve pods crowd a node"
    );
    fill(&app.root, "Steady traffic interval (virtual ms)", "100").await;
    button(&app.root, "Start steady traffic").click();
    settle().await;
    let start = app.driver.now();
    let mut samples = Vec::new();
    for request in 1..=700 {
        app.driver.advance(100);
        tick().await;
        if request > 300 && request % 20 == 0 {
            settle().await;
            samples.push(live_heap());
        }
    }
    assert_eq!(
        app.driver.now() - start,
        70_000,
        "the clock moved 700 intervals"
    );
    let traces = find_all(&app.root, ".requests-panel ol.traces > li").len();
    assert!(traces > 0, "requests are listed while traffic flows");
    // The means of the first and last five samples (300-400 and 600-700 requests): the heap
    // wobbles by a few kB as rows come and go.
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let (first, last) = (mean(&samples[..5]), mean(&samples[samples.len() - 5..]));
    let per_request = (last - first) / 300.0;
    assert!(
        per_request < 16.0,
        "the live heap grew {per_request:.0} bytes a request between requests 300-400 and \
         600-700 ({first:.0} to {last:.0} bytes)"
    );
}

#[wasm_bindgen_test]
async fn stepping_back_and_forth_keeps_the_apps_memory_flat() {
    // Simulation mode over one request's events: ten Backs, ten Steps, again and again. Each
    // moves the Inspector to another hop, the Events list's current row, the picture's trail
    // and ring. A reactive closure made with the hop's view stayed subscribed to the dumps of
    // iptables after the view was gone (reactive_graph drops a subscriber from a memo's list
    // only when it runs again): about 50 bytes a Step.
    let app = mount_lab().await;
    let root = &app.root;
    app.seeded().await;
    simulation_mode(&app).await;
    send_and_step(root, 10).await;
    let mut samples = Vec::new();
    for round in 0..16 {
        for name in ["Back", "Step"] {
            for _ in 0..10 {
                button(root, name).click();
                settle().await;
            }
        }
        if round >= 2 {
            samples.push(live_heap());
        }
    }
    assert!(
        text(&find(root, "section[aria-label='Inspector']")).contains("Hop "),
        "the Inspector follows the steps"
    );
    // The means of the first and last four samples, 200 steps apart.
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let (first, last) = (mean(&samples[..4]), mean(&samples[samples.len() - 4..]));
    let per_step = (last - first) / 200.0;
    assert!(
        per_step < 24.0,
        "the live heap grew {per_step:.0} bytes a step ({first:.0} to {last:.0} bytes)"
    );
}

#[wasm_bindgen_test]
async fn the_frame_loop_allocates_nothing_it_keeps() {
    // The page's own clock: real animation frames (no Driver), nothing applied, no traffic.
    // Each frame reads a few signals and moves the clock; none may leave memory behind, as the
    // callback leptos makes per `request_animation_frame` (8 bytes) and a signal made per frame
    // by `RwSignal::read_only` (12 bytes) did: 72 kB a minute at 60 frames a second.
    let root = fresh_root();
    let handle = mount_to(root.clone(), || view! { <Lab /> });
    settle().await;
    choose(&root, "Speed", "4×").await;
    TimeoutFuture::new(1_000).await;
    let (frames, stop) = (Rc::new(Cell::new(0u32)), Rc::new(Cell::new(false)));
    count_frames(frames.clone(), stop.clone());
    TimeoutFuture::new(100).await;
    let (before, first) = (live_heap(), frames.get());
    TimeoutFuture::new(3_000).await;
    let grew = live_heap() - before;
    let counted = frames.get() - first;
    stop.set(true);
    drop(handle);
    assert!(counted >= 30, "only {counted} frames in 3 s");
    assert!(
        grew < 2.0 * f64::from(counted),
        "the live heap grew {grew} bytes in {counted} frames"
    );
}

/// Counts animation frames into `frames` until `stop` is set, with one closure for all of
/// them, so that counting allocates nothing per frame. (The closure holds itself, to be there
/// for the frame asked for last: a few bytes left for the rest of the test run.)
fn count_frames(frames: Rc<Cell<u32>>, stop: Rc<Cell<bool>>) {
    type Tick = Closure<dyn FnMut()>;
    fn ask(tick: &Tick) {
        let _ = web_sys::window()
            .unwrap()
            .request_animation_frame(tick.as_ref().unchecked_ref());
    }
    let tick: Rc<RefCell<Option<Tick>>> = Rc::new(RefCell::new(None));
    let again = tick.clone();
    *tick.borrow_mut() = Some(Closure::new(move || {
        if stop.get() {
            return;
        }
        frames.set(frames.get() + 1);
        if let Some(tick) = again.borrow().as_ref() {
            ask(tick);
        }
    }));
    if let Some(first) = tick.borrow().as_ref() {
        ask(first);
    };
}

#[wasm_bindgen_test]
async fn work_for_the_next_frame_or_task_keeps_nothing_once_run() {
    // The panels' one-off callbacks (the Events row scrolled into view after a Step, the
    // terminal's newest line, the first-cluster mark) go through ui::later: one closure for
    // frames and one for tasks, made once, run what was queued. leptos's request_animation_frame
    // keeps a stub per call that only a garbage collector with weak references frees (8 bytes;
    // wasm-bindgen's Closure::once_into_js about 4).
    let ran = Rc::new(Cell::new(0u32));
    async fn wait_for(ran: &Rc<Cell<u32>>, n: u32) {
        for _ in 0..200 {
            if ran.get() >= n {
                return;
            }
            TimeoutFuture::new(10).await;
        }
        panic!("only {} of {n} callbacks ran", ran.get());
    }
    let count = |ran: &Rc<Cell<u32>>| {
        let ran = ran.clone();
        move || ran.set(ran.get() + 1)
    };
    // Once, for anything made the first time.
    svclab::ui::later::next_frame(count(&ran));
    svclab::ui::later::next_task(count(&ran));
    wait_for(&ran, 2).await;
    let before = live_heap();
    for _ in 0..500 {
        svclab::ui::later::next_frame(count(&ran));
        svclab::ui::later::next_task(count(&ran));
    }
    wait_for(&ran, 1_002).await;
    let ours = live_heap() - before;
    let before = live_heap();
    for _ in 0..500 {
        leptos::prelude::request_animation_frame(count(&ran));
        leptos::prelude::set_timeout(count(&ran), std::time::Duration::ZERO);
    }
    wait_for(&ran, 2_002).await;
    let leptos = live_heap() - before;
    assert!(
        ours < 100.0,
        "1,000 callbacks run left {ours} bytes (leptos's {leptos})"
    );
    // What this guards against is still there in leptos (if it is fixed, this module can go).
    assert!(leptos >= 4_000.0, "leptos's left {leptos} bytes");
}
