//! Stage 1: the manifest cut into documents at `---` lines, as kubectl's `YAMLReader` cuts it.

/// One document of the manifest, as kubectl's `YAMLReader` cuts it (the `---` line excluded).
pub(super) struct Chunk<'a> {
    /// `None` for documents with nothing but blank lines and comments.
    pub(super) index: Option<usize>,
    pub(super) text: &'a str,
    /// Byte offset of `text` in the manifest.
    pub(super) offset: usize,
    /// 1-based line of the chunk's first line.
    pub(super) start_line: usize,
    /// 1-based line of its first line with content.
    pub(super) first_line: usize,
    /// A `--- something` separator line that kubectl refuses: (line, what follows `---`).
    pub(super) separator_error: Option<(usize, String)>,
}

pub(super) fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut next_index = 0usize;
    let mut start = 0usize;
    let mut start_line = 1usize;
    let mut pos = 0usize;
    let mut pending_error: Option<(usize, String)> = None;
    let mut push = |from: usize, to: usize, first: usize, err: Option<(usize, String)>| {
        let body = text.get(from..to).unwrap_or("");
        let first_content = body
            .split('\n')
            .enumerate()
            .find(|(_, l)| is_content_line(l))
            .map(|(i, _)| first + i);
        let index = first_content.map(|_| {
            let i = next_index;
            next_index += 1;
            i
        });
        Chunk {
            index,
            text: body,
            offset: from,
            start_line: first,
            first_line: first_content.unwrap_or(first),
            separator_error: err,
        }
    };
    for (line_no, line) in (1usize..).zip(text.split_inclusive('\n')) {
        if let Some(rest) = line.strip_prefix("---") {
            chunks.push(push(start, pos, start_line, pending_error.take()));
            // (`trim` also drops the line break.)
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                pending_error = Some((line_no, rest.to_string()));
            }
            start = pos + line.len();
            start_line = line_no + 1;
        }
        pos += line.len();
    }
    chunks.push(push(start, text.len(), start_line, pending_error.take()));
    chunks
}

pub(super) fn is_content_line(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_like_kubectl() {
        let text = "# only a comment\n---\na: 1\n---\n\n--- # note\nb: 2\n---x\nc: 3\n";
        let chunks = split_documents(text);
        let indexed: Vec<(Option<usize>, usize)> =
            chunks.iter().map(|c| (c.index, c.first_line)).collect();
        assert_eq!(
            indexed,
            vec![
                (None, 1),
                (Some(0), 3),
                (None, 5),
                (Some(1), 7),
                (Some(2), 9)
            ]
        );
        assert_eq!(chunks[4].separator_error, Some((8, "x".to_string())));
    }
}
