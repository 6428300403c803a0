//! When the app itself fails. A panic in wasm stops the app for good (its state may be half
//! updated), so instead of a page that silently stops responding the learner gets a banner that
//! says so, what went wrong, and that the manifest is safe (the editor saves it as it changes).
//! index.html covers the other case: the wasm never starting.

use wasm_bindgen::JsCast;

/// The banner's id: a second panic replaces its text rather than stacking banners.
pub const BANNER_ID: &str = "svclab-crashed";

/// Log panics to the console (with the message and location) and show the banner.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show(&info.to_string());
    }));
}

/// Put the banner at the top of the page, saying `detail` went wrong.
pub fn show(detail: &str) {
    let document = leptos::prelude::document();
    let banner = match document.get_element_by_id(BANNER_ID) {
        Some(banner) => banner,
        None => {
            let Ok(banner) = document.create_element("div") else {
                return;
            };
            banner.set_id(BANNER_ID);
            banner.set_class_name("crash-banner");
            let _ = banner.set_attribute("role", "alert");
            let _ = banner.set_attribute("tabindex", "-1");
            if let Some(body) = document.body() {
                let _ = body.prepend_with_node_1(&banner);
            }
            banner
        }
    };
    banner.set_text_content(Some(&format!(
        "svclab stopped after an internal error, and the page no longer responds. Your manifest is saved: reload the page to start again. (The error: {detail})"
    )));
    if let Ok(banner) = banner.dyn_into::<web_sys::HtmlElement>() {
        let _ = banner.focus();
    }
}
