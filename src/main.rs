fn main() {
    // The report script reads this mark: time before it is loading and compiling the wasm,
    // time after it is booting the world, rendering and painting.
    if let Some(performance) = leptos::prelude::window().performance() {
        let _ = performance.mark(svclab::START_MARK);
    }
    svclab::crash::install_panic_hook();
    // The page's loading note (index.html) gives way to the app.
    if let Some(loading) = leptos::prelude::document().get_element_by_id("loading") {
        loading.remove();
    }
    leptos::mount::mount_to_body(svclab::App);
}
