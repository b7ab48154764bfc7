//! `#[allow(...)]` on what taking the solutions out left unused, so a starter copy builds
//! without warnings.
//!
//! Taking a solution out can leave things it used unused: an import that only the
//! solution needed, or a private helper only it called. The compiler would warn about
//! them, and a student's first build should be quiet. So after the bodies are replaced,
//! every `use` item with a name that the replacement left unused gets
//! `#[allow(unused_imports)]`, and every private `fn`/`const`/`static` that only the
//! removed code used gets `#[allow(dead_code)]`. Only what *we* made unused is marked:
//! a name counts as made unused when it appeared outside its declaration before the
//! replacement and does not after.

/// Whether `text` has `word` as a whole identifier at byte `at`.
fn is_word_at(text: &str, at: usize, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let before = text[..at].chars().next_back();
    let after = text[at + word.len()..].chars().next();
    !before.is_some_and(ident) && !after.is_some_and(ident)
}

/// How often `word` occurs as a whole identifier in `text`.
pub fn count_word(text: &str, word: &str) -> usize {
    text.match_indices(word)
        .filter(|(at, _)| is_word_at(text, *at, word))
        .count()
}

/// The `use` items of a file: (first line, last line) of each, 0-based, inclusive.
fn use_items(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut items = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if lines[index].trim_start().starts_with("use ") {
            let start = index;
            while index < lines.len() && !lines[index].trim_end().ends_with(';') {
                index += 1;
            }
            items.push((start, index.min(lines.len() - 1)));
        }
        index += 1;
    }
    items
}

/// The names a `use` item brings into scope: `use a::{b, c::d as e};` → `b`, `e`.
fn imported_names(item: &str) -> Vec<String> {
    let body = item.trim().trim_start_matches("use ").trim_end_matches(';');
    let mut names = Vec::new();
    for leaf in body.split([',', '{', '}']) {
        let leaf = leaf.trim();
        if leaf.is_empty() {
            continue;
        }
        let name = match leaf.split_once(" as ") {
            Some((_, alias)) => alias.trim(),
            None => leaf.rsplit("::").next().unwrap_or(leaf).trim(),
        };
        if !name.is_empty() && !["*", "self", "_"].contains(&name) && !name.ends_with("::") {
            names.push(name.to_string());
        }
    }
    names
}

/// `text` (a file after replacement) with `#[allow(unused_imports)]` on each `use` item
/// that imports a name `before` (the same file before replacement) used and `text` no
/// longer does.
pub fn mark_unused_imports(before: &str, text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let items = use_items(&lines);
    let outside_uses = |source: &str| -> String {
        let source_lines: Vec<&str> = source.lines().collect();
        let ranges = use_items(&source_lines);
        source_lines
            .iter()
            .enumerate()
            .filter(|(i, _)| !ranges.iter().any(|(a, b)| a <= i && i <= b))
            .map(|(_, line)| *line)
            .collect::<Vec<_>>()
            .join("\n")
    };
    let (used_before, used_after) = (outside_uses(before), outside_uses(text));
    let mut marked = Vec::new();
    for (start, end) in items {
        let item = lines[start..=end].join(" ");
        let newly_unused = imported_names(&item)
            .iter()
            .any(|name| count_word(&used_before, name) > 0 && count_word(&used_after, name) == 0);
        let already = start > 0 && lines[start - 1].contains("allow(unused_imports)");
        if newly_unused && !already {
            marked.push(start);
        }
    }
    insert_attributes(
        text,
        &marked,
        "#[allow(unused_imports)] // your solution will use these",
    )
}

/// The name a line declares, when it declares a private (not `pub`) fn, const or static.
fn private_item_name(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    if trimmed.starts_with("pub ") {
        return None;
    }
    let rest = trimmed
        .strip_prefix("pub(crate) ")
        .or_else(|| trimmed.strip_prefix("pub(super) "))
        .unwrap_or(trimmed);
    let rest = rest
        .strip_prefix("fn ")
        .or_else(|| rest.strip_prefix("const fn "))
        .or_else(|| rest.strip_prefix("const "))
        .or_else(|| rest.strip_prefix("static "))?;
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// For a crate's files (text before and after replacement, all of them), each file's text
/// with `#[allow(dead_code)]` on the private items that only removed code used.
pub fn mark_dead_code(files: &[(String, String)]) -> Vec<String> {
    let all_before: String = files
        .iter()
        .map(|(before, _)| before.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let all_after: String = files
        .iter()
        .map(|(_, after)| after.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    files
        .iter()
        .map(|(_, after)| {
            let lines: Vec<&str> = after.lines().collect();
            let marked: Vec<usize> = lines
                .iter()
                .enumerate()
                .filter_map(|(index, line)| {
                    let name = private_item_name(line)?;
                    let dead =
                        count_word(&all_before, name) > 1 && count_word(&all_after, name) == 1;
                    let already = index > 0 && lines[index - 1].contains("allow(dead_code)");
                    (dead && !already).then_some(index)
                })
                .collect();
            insert_attributes(
                after,
                &marked,
                "#[allow(dead_code)] // your solution will use this",
            )
        })
        .collect()
}

/// `text` with `attribute` inserted before each of the lines `at`, indented like them.
fn insert_attributes(text: &str, at: &[usize], attribute: &str) -> String {
    if at.is_empty() {
        return text.to_string();
    }
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if at.contains(&index) {
            let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
            out.push(format!("{indent}{attribute}"));
        }
        out.push(line.to_string());
    }
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_imports_made_unused_are_marked() {
        let before = "use std::io::Write;\nuse crate::{Error, send_to,\n    receive_from};\n\
                      fn a() -> Error { send_to(); receive_from() }\nfn b() { x.write() }\n";
        let after = "use std::io::Write;\nuse crate::{Error, send_to,\n    receive_from};\n\
                     fn a() -> Error { todo!() }\nfn b() { x.write() }\n";
        assert_eq!(
            mark_unused_imports(before, after),
            "use std::io::Write;\n#[allow(unused_imports)] // your solution will use these\n\
             use crate::{Error, send_to,\n    receive_from};\nfn a() -> Error { todo!() }\n\
             fn b() { x.write() }\n"
        );
        assert_eq!(mark_unused_imports(before, before), before);
    }

    #[test]
    fn private_helpers_only_the_solution_called_are_marked() {
        let before =
            "fn helper() {}\npub fn public() {}\nfn a() { helper(); public() }\n".to_string();
        let after = "fn helper() {}\npub fn public() {}\nfn a() { todo!() }\n".to_string();
        assert_eq!(
            mark_dead_code(&[(before, after)]),
            [
                "#[allow(dead_code)] // your solution will use this\nfn helper() {}\n\
              pub fn public() {}\nfn a() { todo!() }\n"
            ]
        );
    }

    #[test]
    fn names_of_a_use_item() {
        assert_eq!(imported_names("use a::{b, c::d as e, f::*};"), ["b", "e"]);
        assert_eq!(imported_names("use std::io::{self, Write};"), ["Write"]);
    }
}
