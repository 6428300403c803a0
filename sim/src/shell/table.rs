//! Go's `text/tabwriter`, which kubectl prints every table and every `describe` through.
//!
//! Cells are tab-terminated; the last cell of a line is not part of a column and is never padded.
//! A column's width is set per *block* of consecutive lines that have a cell in that column:
//! `max(minwidth, widest cell + padding)`.
//!
//! - `kubectl get` uses minwidth 6, padding 3 (`k8s.io/cli-runtime/pkg/printers/tabwriter.go`).
//! - `kubectl describe` uses minwidth 0, padding 2 (`tabbedString` in `describe.go`).

/// A tabwriter's settings.
#[derive(Clone, Copy, Debug)]
pub struct TabWriter {
    pub minwidth: usize,
    pub padding: usize,
}

/// `kubectl get`'s table writer.
pub const GET: TabWriter = TabWriter {
    minwidth: 6,
    padding: 3,
};

/// `kubectl describe`'s writer.
pub const DESCRIBE: TabWriter = TabWriter {
    minwidth: 0,
    padding: 2,
};

impl TabWriter {
    /// Format `text` (lines of tab-separated cells). Returns the lines without newlines.
    /// A `\x0c` (form feed) line flushes: columns after it start afresh, as `Flush()` does.
    pub fn format(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for section in text.split('\x0c') {
            let section = section.strip_prefix('\n').unwrap_or(section);
            let mut lines: Vec<&str> = section.split('\n').collect();
            if lines.last() == Some(&"") {
                lines.pop();
            }
            let cells: Vec<Vec<&str>> = lines.iter().map(|l| l.split('\t').collect()).collect();
            let mut widths = Vec::new();
            self.block(&cells, 0, cells.len(), &mut widths, &mut out);
        }
        out
    }

    /// Go's `Writer.format`: lay out lines `line0..line1` given the widths of the columns to the left.
    fn block(
        &self,
        lines: &[Vec<&str>],
        mut line0: usize,
        line1: usize,
        widths: &mut Vec<usize>,
        out: &mut Vec<String>,
    ) {
        let column = widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= lines[this].len() {
                this += 1;
                continue;
            }
            // A block in this column begins: print the lines above it.
            write_lines(lines, line0, this, widths, out);
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 && column + 1 < lines[this].len() {
                let w = text_width(lines[this][column]) + self.padding;
                if w > width {
                    width = w;
                }
                this += 1;
            }
            widths.push(width);
            self.block(lines, line0, this, widths, out);
            widths.pop();
            line0 = this;
        }
        write_lines(lines, line0, line1, widths, out);
    }
}

fn write_lines(
    lines: &[Vec<&str>],
    from: usize,
    to: usize,
    widths: &[usize],
    out: &mut Vec<String>,
) {
    for cells in &lines[from..to] {
        let mut s = String::new();
        for (j, cell) in cells.iter().enumerate() {
            s.push_str(cell);
            if j + 1 < cells.len() {
                let w = widths.get(j).copied().unwrap_or(0);
                let pad = w.saturating_sub(text_width(cell));
                s.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push(s);
    }
}

/// Width in terminal cells (one per `char`, as Go's tabwriter counts runes).
fn text_width(s: &str) -> usize {
    s.chars().count()
}

/// A `kubectl get` table: headers and rows of cells, printed through [`GET`].
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> Vec<String> {
    let mut text = String::new();
    text.push_str(&headers.join("\t"));
    text.push('\n');
    for row in rows {
        text.push_str(&row.join("\t"));
        text.push('\n');
    }
    GET.format(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_tables_pad_to_widest_cell_plus_three() {
        let lines = render(
            &["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            &[vec![
                "kind-control-plane".into(),
                "Ready".into(),
                "control-plane".into(),
                "60m".into(),
                "v1.31.0".into(),
            ]],
        );
        assert_eq!(
            lines[0],
            "NAME                 STATUS   ROLES           AGE   VERSION"
        );
        assert_eq!(
            lines[1],
            "kind-control-plane   Ready    control-plane   60m   v1.31.0"
        );
    }

    #[test]
    fn narrow_columns_get_the_minimum_width() {
        let lines = render(&["A", "B"], &[vec!["x".into(), "y".into()]]);
        assert_eq!(lines, vec!["A     B", "x     y"]);
    }

    #[test]
    fn describe_blocks_break_on_lines_without_tabs() {
        let text = "Name:\tx\nIPs:\n  IP:\t10.0.0.1\nControlled By:\tReplicaSet/y\n";
        let lines = DESCRIBE.format(text);
        assert_eq!(
            lines,
            vec![
                "Name:  x",
                "IPs:",
                "  IP:           10.0.0.1",
                "Controlled By:  ReplicaSet/y"
            ]
        );
    }

    #[test]
    fn a_third_cell_forms_its_own_block() {
        let text = "Port:\t<unset>\t80/TCP\nTargetPort:\t80/TCP\nEndpoints:\t\n";
        let lines = DESCRIBE.format(text);
        assert_eq!(
            lines,
            vec![
                "Port:        <unset>  80/TCP",
                "TargetPort:  80/TCP",
                "Endpoints:   "
            ]
        );
    }
}
