//! A command line or an answer shown one span a word, so that a line that wraps moves a word whole
//! to the next line: a browser would break after any hyphen (`wget -` / `qO-`,
//! `http://backend-` / `service`). The text still reads and copies as one line.

use leptos::prelude::*;

/// `text`'s words, each a `<span class="word">`, with the spaces between them.
pub fn words(text: &str) -> impl IntoView {
    text.split(' ')
        .enumerate()
        .map(|(i, word)| view! { {(i > 0).then_some(" ")}<span class="word">{word.to_string()}</span> })
        .collect_view()
}
