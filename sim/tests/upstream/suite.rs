//! The bookkeeping shared by the drivers of upstream cases (`tests/upstream_*.rs`): each case is
//! reproduced, a gap (svclab answers differently), or skipped with the reason svclab cannot
//! express its input. A driver prints the tally and the gaps, and fails only when fewer cases are
//! reproduced than the count it states (a ratchet: raise it as gaps close).

// Each driver uses the part of this module its data needs.
#![allow(dead_code)]

/// The text of a data file in `tests/upstream/`.
pub fn data(name: &str) -> String {
    let path = format!("{}/tests/upstream/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `\t`, `\n`, `\r` and `\\` in a data field, as the characters they stand for.
pub fn unescape(field: &str) -> String {
    let mut out = String::new();
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The lines of a data file that hold cases: not blank, not `#` comments.
pub fn cases(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

/// One suite's tally.
pub struct Suite {
    name: &'static str,
    ported: usize,
    reproduced: usize,
    gaps: Vec<String>,
    skipped: Vec<String>,
}

impl Suite {
    pub fn new(name: &'static str) -> Suite {
        Suite {
            name,
            ported: 0,
            reproduced: 0,
            gaps: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// A ported case: `ok` when svclab answers as upstream expects; otherwise `detail` says how
    /// it differs.
    pub fn case(&mut self, name: &str, ok: bool, detail: impl FnOnce() -> String) {
        self.ported += 1;
        if ok {
            self.reproduced += 1;
        } else {
            self.gaps.push(format!("{name}: {}", detail()));
        }
    }

    /// An upstream case svclab cannot express, with the reason.
    pub fn skip(&mut self, name: &str, reason: &str) {
        self.skipped.push(format!("{name}: {reason}"));
    }

    /// Print the tally, the gaps and the skipped cases; fail when fewer than `at_least` cases
    /// are reproduced.
    pub fn finish(self, at_least: usize) {
        println!(
            "upstream {}: {} of {} cases reproduced ({} skipped)",
            self.name,
            self.reproduced,
            self.ported,
            self.skipped.len()
        );
        for g in &self.gaps {
            println!("  gap: {g}");
        }
        for s in &self.skipped {
            println!("  skipped: {s}");
        }
        assert!(
            self.reproduced >= at_least,
            "upstream {}: {} of {} reproduced, fewer than the {at_least} reached before",
            self.name,
            self.reproduced,
            self.ported
        );
    }
}
