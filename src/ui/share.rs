//! Share and export: the "Share" button puts the world (seed, editor text, lesson, action log,
//! clock) into a link and copies it, also showing it in the "Share link" text box; the same
//! popover exports the manifests as a `.yaml` file, the picture as SVG and the latest request's
//! trace as text, and opens a `.yaml` file into the editor. The page opens a link from its URL,
//! and keeps its scenario in localStorage so a reload brings it back.

use leptos::prelude::*;
use svclab_sim::lesson;
use svclab_sim::share::Link;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use crate::lessons::{Active, LessonCtx};
use crate::state::shared;

/// Where the current scenario is kept between visits, as a share link's text.
pub const SCENARIO_KEY: &str = "svclab.scenario";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// What the page opens with.
#[derive(Default)]
pub struct Opening {
    /// A link from the URL's fragment, else the scenario saved last time.
    pub link: Option<Link>,
    /// A lesson file from the URL's fragment (`#lesson1....`), to start.
    pub lesson_file: Option<String>,
    /// Why a link in the URL was refused.
    pub refused: Option<String>,
}

/// What a URL's fragment carries.
pub enum Fragment {
    Link(Link),
    LessonFile(String),
}

/// A share link (`#svclab1....`) or lesson link (`#lesson1....`) in the URL's fragment, or why it
/// was refused; `None` when the fragment is neither. The fragment is cleared once read: a reload
/// restores from localStorage.
fn from_fragment() -> Option<Result<Fragment, String>> {
    let hash = window().location().hash().unwrap_or_default();
    if !hash.starts_with("#svclab") && !hash.starts_with("#lesson") {
        return None;
    }
    if let Ok(history) = window().history() {
        let path = window().location().pathname().unwrap_or_default();
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
    }
    Some(decode(&hash))
}

fn decode(text: &str) -> Result<Fragment, String> {
    let text = text.trim().trim_start_matches('#');
    if text.starts_with("lesson") {
        return svclab_sim::share::lesson_from_link(text)
            .map(Fragment::LessonFile)
            .map_err(|e| {
                format!(
                    "The lesson link could not be opened: {}. Your own work is as you left it.",
                    e.to_string().replace("share link", "link")
                )
            });
    }
    Link::decode(text).map(Fragment::Link).map_err(|e| {
        format!("The share link could not be opened: {e}. Your own work is as you left it.")
    })
}

fn opening_of(fragment: Result<Fragment, String>) -> Opening {
    match fragment {
        Ok(Fragment::Link(link)) => Opening {
            link: Some(link),
            ..Opening::default()
        },
        Ok(Fragment::LessonFile(text)) => Opening {
            lesson_file: Some(text),
            ..Opening::default()
        },
        Err(message) => Opening {
            refused: Some(message),
            ..Opening::default()
        },
    }
}

/// Open a link's text (from a URL or given by a test).
pub fn open_text(text: &str) -> Opening {
    let fragment = text.rsplit_once('#').map_or(text, |(_, f)| f);
    opening_of(decode(fragment))
}

/// What the page opens with: a link in the URL, else the scenario saved last time. A damaged
/// link is refused with a message and the page opens as it would without it.
pub fn opening() -> Opening {
    match from_fragment() {
        Some(fragment) => opening_of(fragment),
        None => Opening {
            link: storage()
                .and_then(|s| s.get_item(SCENARIO_KEY).ok().flatten())
                .and_then(|t| Link::decode(&t).ok()),
            ..Opening::default()
        },
    }
}

/// The lesson a link names, started at its time: a built-in one, the file the link carries, or
/// the lesson file loaded last on this browser if it has that id.
pub fn lesson_of(link: &Link) -> Option<Active> {
    let (id, since) = link.lesson.as_ref()?;
    let own = || {
        crate::ui::lessons::kept_lesson_file()
            .and_then(|text| lesson::load(&text).ok())
            .filter(|l| &l.id == id)
    };
    let carried = || {
        link.lesson_file
            .as_deref()
            .and_then(|text| lesson::load(text).ok())
            .filter(|l| &l.id == id)
    };
    lesson::builtin(id)
        .or_else(carried)
        .or_else(own)
        .map(|l| Active::new(l, *since))
}

/// The link for the world as it is now.
fn current_link() -> Option<Link> {
    let sh = shared();
    let ctx = expect_context::<LessonCtx>();
    let text = sh.text.get_untracked();
    Some(link_now(sh.sim, ctx, &text))
}

/// The link for the world as it is: at the current event in simulation mode, with the lesson's
/// file when it is one of the learner's own.
/// (`ctx` is passed in: this also runs from window listeners, where there is no context.)
fn link_now(sim: crate::world::Sim, ctx: LessonCtx, text: &str) -> Link {
    let active = ctx
        .active
        .with_untracked(|a| a.as_ref().map(|a| (a.lesson.id.clone(), a.since)));
    let lesson = active.as_ref().map(|(id, since)| (id.as_str(), *since));
    let mut link = sim
        .peek_timeline(|t| Link::at(t, text, lesson))
        .unwrap_or_else(|| sim.peek(|c| Link::of(c, text, lesson)));
    if let Some((id, _)) = &active {
        if lesson::builtin(id).is_none() {
            link.lesson_file = ctx
                .file
                .get_untracked()
                .filter(|file| lesson::load(file).is_ok_and(|l| &l.id == id));
        }
    }
    link
}

/// Keep the scenario in localStorage when the page is hidden or closed.
pub fn keep_scenario() {
    let sh = shared();
    let ctx = expect_context::<LessonCtx>();
    let save = move |_| {
        let text = sh.text.get_untracked();
        let link = link_now(sh.sim, ctx, &text);
        if let Some(s) = storage() {
            let _ = s.set_item(SCENARIO_KEY, &link.encode());
        }
    };
    let a = window_event_listener_untyped("pagehide", save);
    let b = window_event_listener_untyped("visibilitychange", save);
    // A link pasted into the address bar of an open page only changes its fragment.
    let c = window_event_listener_untyped("hashchange", move |_| match from_fragment() {
        Some(Ok(Fragment::Link(link))) => {
            sh.sim.open(&link);
            sh.text.set(link.manifests.clone());
            ctx.active.set(lesson_of(&link));
            if link.lesson_file.is_some() {
                ctx.file.set(link.lesson_file.clone());
            }
            ctx.notice.set(None);
        }
        Some(Ok(Fragment::LessonFile(text))) => {
            let result = crate::ui::lessons::start_file(sh, ctx, &text);
            ctx.notice.set(result.err());
        }
        Some(Err(message)) => ctx.notice.set(Some(message)),
        None => {}
    });
    on_cleanup(move || {
        a.remove();
        b.remove();
        c.remove();
    });
}

/// `%`-encoding for a `data:` URL.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~ /:;,=()'*!".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Offer `text` as a download named `name`.
fn download(name: &str, mime: &str, text: &str) {
    download_url(
        name,
        &format!("data:{mime};charset=utf-8,{}", percent_encode(text)),
    );
}

/// Offer what `url` holds as a download named `name`.
fn download_url(name: &str, url: &str) {
    let Ok(a) = document().create_element("a") else {
        return;
    };
    let _ = a.set_attribute("href", url);
    let _ = a.set_attribute("download", name);
    if let Ok(a) = a.dyn_into::<web_sys::HtmlElement>() {
        a.click();
    }
}

/// The widest PNG made of the picture, in pixels.
const PNG_MAX_WIDTH: f64 = 4096.0;

/// The picture as a PNG for slides: its SVG drawn on a canvas at twice the picture's size (at
/// most [`PNG_MAX_WIDTH`] wide) over the picture's own background, then offered as a download.
/// `done` gets what to tell the learner once it is drawn, or why it could not be.
fn export_png(done: impl Fn(String) + 'static) {
    let document = document();
    let Some(el) = document
        .query_selector("svg[aria-label='Cluster']")
        .ok()
        .flatten()
    else {
        return done("There is no picture to export.".into());
    };
    let (Some(svg), Some((w, h))) = (picture_svg(), view_box_size(&el)) else {
        return done("There is no picture to export.".into());
    };
    let scale = (PNG_MAX_WIDTH / w).min(2.0);
    let (pw, ph) = ((w * scale).round() as u32, (h * scale).round() as u32);
    let background = el
        .parent_element()
        .and_then(|p| window().get_computed_style(&p).ok().flatten())
        .and_then(|s| s.get_property_value("background-color").ok())
        .filter(|c| !c.is_empty() && c != "rgba(0, 0, 0, 0)")
        .unwrap_or_else(|| "#ffffff".into());
    // Drawn at the PNG's size: the SVG's own width and height say how large to rasterise it.
    // (An inline style, since the page's rules inside the SVG size the picture by its box.)
    let svg = svg.replacen(
        "<svg",
        &format!("<svg width=\"{pw}\" height=\"{ph}\" style=\"width:{pw}px;height:{ph}px\""),
        1,
    );
    let Ok(image) = web_sys::HtmlImageElement::new() else {
        return done("The picture could not be drawn as a PNG.".into());
    };
    let done = std::rc::Rc::new(done);
    let failed = done.clone();
    let drawn = image.clone();
    let onload = Closure::once(move || {
        let canvas = document
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok());
        let Some(canvas) = canvas else { return };
        canvas.set_width(pw);
        canvas.set_height(ph);
        let context = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok());
        let Some(context) = context else { return };
        context.set_fill_style_str(&background);
        context.fill_rect(0.0, 0.0, f64::from(pw), f64::from(ph));
        let drew = context.draw_image_with_html_image_element_and_dw_and_dh(
            &drawn,
            0.0,
            0.0,
            f64::from(pw),
            f64::from(ph),
        );
        match drew.and_then(|()| canvas.to_data_url_with_type("image/png")) {
            Ok(url) => {
                download_url("svclab-cluster.png", &url);
                done(format!(
                    "Picture saved as svclab-cluster.png ({pw} × {ph} px)."
                ));
            }
            Err(_) => done("The picture could not be drawn as a PNG.".into()),
        }
    });
    let onerror = Closure::once(move || failed("The picture could not be drawn as a PNG.".into()));
    image.set_onload(Some(onload.as_ref().unchecked_ref()));
    image.set_onerror(Some(onerror.as_ref().unchecked_ref()));
    onload.forget();
    onerror.forget();
    image.set_src(&format!(
        "data:image/svg+xml;charset=utf-8,{}",
        percent_encode(&svg)
    ));
}

/// The width and height of an SVG element's `viewBox`, in picture units.
fn view_box_size(el: &web_sys::Element) -> Option<(f64, f64)> {
    let view_box = el.get_attribute("viewBox")?;
    let numbers: Vec<f64> = view_box
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    match numbers.as_slice() {
        [_, _, w, h] if *w > 0.0 && *h > 0.0 && w.is_finite() && h.is_finite() => Some((*w, *h)),
        _ => None,
    }
}

/// The picture as a standalone SVG: its markup with the page's style rules inside.
fn picture_svg() -> Option<String> {
    let document = document();
    let svg = document
        .query_selector("svg[aria-label='Cluster']")
        .ok()
        .flatten()?;
    let mut css = String::new();
    let sheets = document.style_sheets();
    for i in 0..sheets.length() {
        let Some(sheet) = sheets
            .item(i)
            .and_then(|s| s.dyn_into::<web_sys::CssStyleSheet>().ok())
        else {
            continue;
        };
        let Ok(rules) = sheet.css_rules() else {
            continue;
        };
        for j in 0..rules.length() {
            if let Some(rule) = rules.item(j) {
                css.push_str(&rule.css_text());
                css.push('\n');
            }
        }
    }
    let markup = svg.outer_html();
    let open_end = markup.find('>')?;
    let (open, rest) = markup.split_at(open_end + 1);
    let open = if open.contains("xmlns=") {
        open.to_string()
    } else {
        open.replacen("<svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"", 1)
    };
    Some(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{open}<style>{}</style>{rest}",
        css.replace("]]>", "")
    ))
}

/// The top bar's "Share" button and its popover.
#[component]
pub fn ShareButton() -> impl IntoView {
    let sh = shared();
    let open = RwSignal::new(false);
    let (link, set_link) = signal(String::new());
    let (status, set_status) = signal(String::new());
    let share = move |_| {
        let Some(l) = current_link() else {
            return;
        };
        let location = window().location();
        let base = format!(
            "{}{}",
            location.origin().unwrap_or_default(),
            location.pathname().unwrap_or_default()
        );
        let url = format!("{base}#{}", l.encode());
        let _ = window().navigator().clipboard().write_text(&url);
        set_status.set(format!(
            "Link copied ({} characters). Opening it shows this cluster: the same pods, IPs and requests.",
            url.len()
        ));
        set_link.set(url);
        open.set(true);
    };
    let export_yaml = move |_| download("svclab.yaml", "text/yaml", &sh.text.get_untracked());
    let export_svg = move |_| match picture_svg() {
        Some(svg) => download("svclab-cluster.svg", "image/svg+xml", &svg),
        None => set_status.set("There is no picture to export.".into()),
    };
    let export_png_click = move |_| export_png(move |message| set_status.set(message));
    let export_trace = move |_| {
        let text = sh.sim.peek(|c| {
            c.traces().last().map(|t| {
                let mut out = format!(
                    "{:?} {} from {:?}\n",
                    t.request.tool, t.request.target, t.request.client
                );
                for (i, h) in t.hops.iter().enumerate() {
                    out.push_str(&format!("{:>2}. {}\n", i + 1, h.explanation));
                }
                out.push_str(&t.output);
                out
            })
        });
        match text {
            Some(t) => download("svclab-trace.txt", "text/plain", &t),
            None => set_status.set("No request has been sent yet.".into()),
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            let name = file.name();
            let Ok(reader) = web_sys::FileReader::new() else {
                return;
            };
            let r = reader.clone();
            let onload = Closure::<dyn FnMut()>::new(move || {
                if let Some(text) = r.result().ok().and_then(|v| v.as_string()) {
                    sh.text.set(text);
                    set_status.set(format!("{name} is in the editor: press Apply to apply it."));
                }
            });
            reader.set_onload(Some(onload.as_ref().unchecked_ref()));
            onload.forget();
            let _ = reader.read_as_text(&file);
        }
        input.set_value("");
    };

    view! {
        <div class="share-menu">
            <button class="share" aria-expanded=move || open.get().to_string() on:click=share>
                "Share"
            </button>
            <Show when=move || open.get()>
                <div class="popover share-popover" role="dialog" aria-label="Share and export">
                    <label>
                        "Share link "
                        <input
                            type="text"
                            readonly
                            aria-label="Share link"
                            prop:value=move || link.get()
                            on:focus=move |ev| {
                                if let Some(i) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                    i.select();
                                }
                            }
                        />
                    </label>
                    <p class="hint" role="status">{move || status.get()}</p>
                    <div class="exports" role="group" aria-label="Export">
                        <button on:click=export_yaml>"Download manifests (.yaml)"</button>
                        <button on:click=export_svg>"Download picture (.svg)"</button>
                        <button on:click=export_png_click>"Download picture (.png)"</button>
                        <button on:click=export_trace>"Download last trace (.txt)"</button>
                    </div>
                    <label class="file-pick">
                        "Open manifest file "
                        <input type="file" accept=".yaml,.yml,text/yaml" on:change=on_file />
                    </label>
                    <button class="link" on:click=move |_| open.set(false)>"Close"</button>
                </div>
            </Show>
        </div>
    }
}
