//! Nesting too deep, found before serde_yaml reads the document. serde_yaml loads all of a
//! document's events before its recursion limit (128) applies, and libyaml's scanner looks at
//! every open flow collection (`[`, `{`) for a stale simple key on each token: `a: [[[[…`
//! 40,000 deep took 5 s natively, and a 1 MiB line of them would take about an hour. So a
//! document with more than [`MAX_DEPTH`] opening brackets (the only way its flow collections can
//! nest past the limit) is walked here event by event, libyaml's own, stopping at the first
//! collection nested too deep: the walk never holds more than [`MAX_DEPTH`] levels plus
//! libyaml's 1,024-character look-ahead, so it is linear in the text.

use std::mem::MaybeUninit;

use super::MAX_DEPTH;

/// The 1-based line and column (serde_yaml's `Location`) of the first sequence or mapping nested
/// more than [`MAX_DEPTH`] deep in `text`'s first document, where serde_yaml reports "recursion
/// limit exceeded"; `None` when there is none before the document ends or a syntax error stops
/// it (serde_yaml then reports that error, quickly: its parse ends there too).
pub(super) fn too_deep(text: &str) -> Option<(usize, usize)> {
    let brackets = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    if brackets <= MAX_DEPTH {
        return None;
    }
    let mut parser = Parser::new(text)?;
    let mut depth = 0usize;
    loop {
        let (kind, mark) = parser.next()?;
        match kind {
            unsafe_libyaml::YAML_SEQUENCE_START_EVENT
            | unsafe_libyaml::YAML_MAPPING_START_EVENT => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((mark.line as usize + 1, mark.column as usize + 1));
                }
            }
            unsafe_libyaml::YAML_SEQUENCE_END_EVENT | unsafe_libyaml::YAML_MAPPING_END_EVENT => {
                depth = depth.saturating_sub(1)
            }
            unsafe_libyaml::YAML_DOCUMENT_END_EVENT | unsafe_libyaml::YAML_STREAM_END_EVENT => {
                return None
            }
            _ => {}
        }
    }
}

/// A libyaml parser over a borrowed text. Boxed: libyaml keeps pointers into the struct itself
/// once its input is set, so it must not move.
struct Parser<'text> {
    sys: Box<MaybeUninit<unsafe_libyaml::yaml_parser_t>>,
    _text: &'text str,
}

impl<'text> Parser<'text> {
    fn new(text: &'text str) -> Option<Parser<'text>> {
        let mut sys = Box::new(MaybeUninit::<unsafe_libyaml::yaml_parser_t>::uninit());
        let p = sys.as_mut_ptr();
        // SAFETY: `p` points to memory the box owns for as long as the parser lives and never
        // moves; initialize zeroes and sets it up (on failure nothing is allocated, so there is
        // nothing to delete and the box is dropped as uninitialised memory). The input pointer
        // and length are `text`'s, which outlives the parser (`_text` holds the borrow).
        unsafe {
            if unsafe_libyaml::yaml_parser_initialize(p).fail {
                return None;
            }
            unsafe_libyaml::yaml_parser_set_encoding(p, unsafe_libyaml::YAML_UTF8_ENCODING);
            unsafe_libyaml::yaml_parser_set_input_string(p, text.as_ptr(), text.len() as u64);
        }
        Some(Parser { sys, _text: text })
    }

    /// The next event's type and start mark, or `None` on a syntax error.
    fn next(
        &mut self,
    ) -> Option<(
        unsafe_libyaml::yaml_event_type_t,
        unsafe_libyaml::yaml_mark_t,
    )> {
        let p = self.sys.as_mut_ptr();
        let mut event = MaybeUninit::<unsafe_libyaml::yaml_event_t>::uninit();
        let e = event.as_mut_ptr();
        // SAFETY: the parser was initialised in `new` and is used from nowhere else (`too_deep`
        // stops at the first error, so a failed parser is not asked again); parse fills `event`
        // when it succeeds, and the event's memory is freed before this returns.
        unsafe {
            if unsafe_libyaml::yaml_parser_parse(p, e).fail {
                return None;
            }
            let found = ((*e).type_, (*e).start_mark);
            unsafe_libyaml::yaml_event_delete(e);
            Some(found)
        }
    }
}

impl Drop for Parser<'_> {
    fn drop(&mut self) {
        // SAFETY: initialised in `new` (a parser is only made when that succeeded); deleted once.
        unsafe { unsafe_libyaml::yaml_parser_delete(self.sys.as_mut_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::MAX_BYTES;
    use super::*;

    /// Where serde_yaml itself reports the recursion limit, reading the whole document.
    fn serde_yaml_says(text: &str) -> Option<(usize, usize)> {
        let err = serde_yaml::from_str::<serde_yaml::Value>(text).err()?;
        assert!(
            err.to_string().starts_with("recursion limit exceeded"),
            "{err}"
        );
        err.location().map(|l| (l.line(), l.column()))
    }

    #[test]
    fn finds_the_collection_serde_yaml_stops_at() {
        let mut block = String::from("kind: x\n");
        for level in 0..100 {
            block.push_str(&format!("{}l{level}:\n", "  ".repeat(level)));
        }
        block.push_str(&format!("{}leaf: {}\n", "  ".repeat(100), "[".repeat(150)));
        let cases = [
            format!("a: {}{}\n", "[".repeat(200), "]".repeat(200)),
            format!("a: {}\n", "[".repeat(200)),
            format!("a: {}\n", "{b: ".repeat(200)),
            format!("# a comment\nx: 1\ny:\n  - {}\n", "[{k: ".repeat(100)),
            format!("{}x\n", "- ".repeat(100) + &"[".repeat(150)),
            block,
        ];
        for text in &cases {
            let expected = serde_yaml_says(text);
            assert!(expected.is_some(), "{text}");
            assert_eq!(too_deep(text), expected, "{text}");
        }
    }

    #[test]
    fn reads_past_brackets_that_do_not_nest() {
        let shallow = format!("a: [{}]\nb: \"{}\"\n", "[1], ".repeat(300), "[".repeat(300));
        assert_eq!(too_deep(&shallow), None);
        assert!(serde_yaml::from_str::<serde_yaml::Value>(&shallow).is_ok());
        // A syntax error first is left to serde_yaml to word.
        assert_eq!(
            too_deep(&format!("a: b: c\nd: {}\n", "[".repeat(300))),
            None
        );
    }

    #[test]
    fn a_megabyte_of_open_brackets_is_walked_only_to_the_limit() {
        // Before this walk, serde_yaml took time quadratic in the brackets (40,000 took 5 s
        // natively); the walk stops at the 129th, so this returns at once.
        for open in ["[", "{", "{a: "] {
            let text = format!("a: {}\n", open.repeat(MAX_BYTES / open.len()));
            // The top mapping is the first level; the 128th bracket opens the 129th.
            let column = "a: ".len() + 1 + (MAX_DEPTH - 1) * open.len();
            assert_eq!(too_deep(&text), Some((1, column)));
        }
    }
}
