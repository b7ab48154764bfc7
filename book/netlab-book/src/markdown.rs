//! Just enough Markdown for the book: where the link targets and the headings are, outside
//! fenced code blocks and code spans (a console block's text is never a link).

/// Tracks fenced code blocks line by line (```` ``` ```` or `~~~`, of any length, at any
/// indentation, since lessons put fences inside list items).
#[derive(Default)]
struct Fences {
    open: Option<(char, usize)>,
}

impl Fences {
    /// Whether `line` is code (inside a fence, or a fence line itself).
    fn is_code(&mut self, line: &str) -> bool {
        let trimmed = line.trim_start();
        let Some(first) = trimmed.chars().next() else {
            return self.open.is_some();
        };
        let run = trimmed.chars().take_while(|&c| c == first).count();
        match self.open {
            None => {
                if (first == '`' || first == '~') && run >= 3 {
                    self.open = Some((first, run));
                    return true;
                }
                false
            }
            Some((fence, length)) => {
                if first == fence && run >= length && trimmed[run..].trim().is_empty() {
                    self.open = None;
                }
                true
            }
        }
    }
}

/// The text of every heading of `level` (`###` is 3) outside code, as written.
pub fn headings(text: &str, level: usize) -> Vec<String> {
    let marker = format!("{} ", "#".repeat(level));
    let mut fences = Fences::default();
    text.lines()
        .filter(|line| !fences.is_code(line))
        .filter_map(|line| line.strip_prefix(&marker))
        .map(|heading| heading.trim().to_string())
        .collect()
}

/// Every link target in the prose of `text`, in order.
pub fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    rewrite_link_targets(text, |target| {
        targets.push(target.to_string());
        None
    });
    targets
}

/// `text` with each link target that `change` returns a new one for replaced by it. Looks
/// at inline links `[text](target "title")` and reference definitions `[label]: target`.
pub fn rewrite_link_targets(text: &str, mut change: impl FnMut(&str) -> Option<String>) -> String {
    let mut fences = Fences::default();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if fences.is_code(line) {
            out.push_str(line);
        } else {
            rewrite_line(line, &mut change, &mut out);
        }
    }
    out
}

fn rewrite_line(line: &str, change: &mut impl FnMut(&str) -> Option<String>, out: &mut String) {
    // A reference definition: the target follows `]:` at the start of the line.
    let trimmed = line.trim_start();
    if trimmed.starts_with('[') {
        if let Some(colon) = trimmed.find("]:") {
            let after = &trimmed[colon + 2..];
            let target_start = after.len() - after.trim_start().len();
            let target: &str = after[target_start..]
                .split_whitespace()
                .next()
                .unwrap_or("");
            if !target.is_empty() {
                let start = line.len() - trimmed.len() + colon + 2 + target_start;
                push_changed(line, start, start + target.len(), change, out);
                return;
            }
        }
    }

    let bytes = line.as_bytes();
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'`' {
            // A code span: skip to the closing run of as many backticks.
            let run = bytes[at..].iter().take_while(|&&b| b == b'`').count();
            let ticks = &line[at..at + run];
            let rest = &line[at + run..];
            match find_closing_ticks(rest, ticks) {
                Some(end) => at += run + end + run,
                None => at += run,
            }
            continue;
        }
        if bytes[at] == b']' && bytes.get(at + 1) == Some(&b'(') {
            let (start, end) = target_span(line, at + 2);
            if end > start {
                if let Some(new) = change(&line[start..end]) {
                    out.push_str(&line[copied..start]);
                    out.push_str(&new);
                    copied = end;
                }
            }
            at = end.max(at + 2);
            continue;
        }
        at += 1;
    }
    out.push_str(&line[copied..]);
}

fn push_changed(
    line: &str,
    start: usize,
    end: usize,
    change: &mut impl FnMut(&str) -> Option<String>,
    out: &mut String,
) {
    match change(&line[start..end]) {
        Some(new) => {
            out.push_str(&line[..start]);
            out.push_str(&new);
            out.push_str(&line[end..]);
        }
        None => out.push_str(line),
    }
}

/// Where the run `ticks` closes in `rest`: a run of exactly that many backticks.
fn find_closing_ticks(rest: &str, ticks: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = rest[from..].find(ticks) {
        let at = from + found;
        let run = rest[at..].bytes().take_while(|&b| b == b'`').count();
        if run == ticks.len() {
            return Some(at);
        }
        from = at + run;
    }
    None
}

/// The byte range of the target of an inline link whose `(` ends just before `from`:
/// `<...>`, or up to a space or the `)` that balances the opening one.
fn target_span(line: &str, from: usize) -> (usize, usize) {
    let bytes = line.as_bytes();
    let mut start = from;
    while start < bytes.len() && bytes[start] == b' ' {
        start += 1;
    }
    if bytes.get(start) == Some(&b'<') {
        return match line[start + 1..].find('>') {
            Some(close) => (start + 1, start + 1 + close),
            None => (start, start),
        };
    }
    let mut depth = 0usize;
    let mut end = start;
    while end < bytes.len() {
        match bytes[end] {
            b'(' => depth += 1,
            b')' if depth == 0 => break,
            b')' => depth -= 1,
            b' ' | b'\t' | b'\n' | b'\r' => break,
            _ => {}
        }
        end += 1;
    }
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_in_code_blocks_and_code_spans_are_not_links() {
        let text = "See [the server](../crates/tftp/src/server.rs) and `[not](a.md)`.\n\
                    ```console\n$ echo [x](y.md)\n```\n[ref]: ../README.md\n";
        assert_eq!(
            link_targets(text),
            ["../crates/tftp/src/server.rs", "../README.md"]
        );
    }

    #[test]
    fn rewrite_keeps_everything_but_the_target() {
        let text = "a [b](x.rs#item \"title\") c [d](<y z.rs>)\n";
        let out = rewrite_link_targets(text, |t| Some(format!("NEW({t})")));
        assert_eq!(
            out,
            "a [b](NEW(x.rs#item) \"title\") c [d](<NEW(y z.rs)>)\n"
        );
    }

    #[test]
    fn headings_skip_fenced_blocks() {
        let text = "### Exercise 1.1: A\n````markdown\n### Exercise 9.9: no\n````\n### B\n";
        assert_eq!(headings(text, 3), ["Exercise 1.1: A", "B"]);
    }
}
