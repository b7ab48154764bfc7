//! Where each exercise's solution lives in its crate, and the starter body that stands in
//! for it.
//!
//! A solution is the whole body of one function, between two marker lines:
//!
//! ```text
//! pub fn loss_summary(expected: u64, received: u64) -> String {
//!     // exercise 1.2: begin
//!     ...
//!     // exercise 1.2: end
//! }
//! ```
//!
//! The starter body keeps the markers and puts a `todo!()` between them. It also names
//! every parameter once (`let _ = (&expected, &received);`), because a function that
//! ignores its parameters makes the compiler warn about them, and a starter copy must
//! build without warnings.

use std::fs;
use std::path::{Path, PathBuf};

use crate::course::{Exercise, ExerciseId};
use crate::error::{Error, io_error};

/// One exercise's solution in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    pub id: ExerciseId,
    /// The source file, relative to the workspace root.
    pub file: PathBuf,
    /// The lines strictly between the markers (0-based: `begin + 1 .. end`).
    pub begin: usize,
    pub end: usize,
    /// The begin marker's indentation, which the starter body uses too.
    pub indent: String,
    /// The function's parameter names (not `self`, not `_`-prefixed ones).
    pub parameters: Vec<String>,
}

/// `// exercise 3.2: begin` → `(3.2, true)`; `// exercise 3.2: end` → `(3.2, false)`.
fn marker(line: &str) -> Option<(ExerciseId, bool)> {
    let rest = line.trim().strip_prefix("// exercise ")?;
    let (number, which) = rest.split_once(':')?;
    let begin = match which.trim() {
        "begin" => true,
        "end" => false,
        _ => return None,
    };
    Some((number.parse().ok()?, begin))
}

/// Finds every solution in one file's text. A begin without its end, or markers that do
/// not pair up, is an error naming the line.
pub fn find_in_text(text: &str, file: &Path) -> Result<Vec<Solution>, Error> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut open: Option<(ExerciseId, usize)> = None;
    for (index, line) in lines.iter().enumerate() {
        let Some((id, begin)) = marker(line) else {
            continue;
        };
        let at = format!("{}:{}", file.display(), index + 1);
        match (open, begin) {
            (None, true) => open = Some((id, index)),
            (Some((open_id, start)), false) if open_id == id => {
                found.push(Solution {
                    id,
                    file: file.to_path_buf(),
                    begin: start,
                    end: index,
                    indent: leading_space(lines[start]),
                    parameters: parameters_before(&lines[..start]),
                });
                open = None;
            }
            (Some((open_id, _)), _) => {
                return Err(Error::runtime(format!(
                    "{at}: exercise {open_id} has no `// exercise {open_id}: end` before this marker"
                )));
            }
            (None, false) => {
                return Err(Error::runtime(format!(
                    "{at}: `// exercise {id}: end` without its begin marker"
                )));
            }
        }
    }
    if let Some((id, start)) = open {
        return Err(Error::runtime(format!(
            "{}:{}: exercise {id} has no `// exercise {id}: end` marker",
            file.display(),
            start + 1
        )));
    }
    Ok(found)
}

/// Every solution in a crate's `src/` (paths relative to `root`), in file order.
pub fn find_in_crate(root: &Path, crate_name: &str) -> Result<Vec<Solution>, Error> {
    let mut files = Vec::new();
    rust_files(
        &root.join("crates").join(crate_name).join("src"),
        &mut files,
    )?;
    files.sort();
    let mut found = Vec::new();
    for path in files {
        let text =
            fs::read_to_string(&path).map_err(io_error(format!("reading {}", path.display())))?;
        let relative = path.strip_prefix(root).unwrap_or(&path);
        found.extend(find_in_text(&text, relative)?);
    }
    Ok(found)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(io_error(format!("reading {}", dir.display()))(error)),
    };
    for entry in entries {
        let path = entry
            .map_err(io_error(format!("reading {}", dir.display())))?
            .path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

fn leading_space(line: &str) -> String {
    line.chars().take_while(|c| c.is_whitespace()).collect()
}

/// The parameter names of the function whose body starts just before the begin marker.
fn parameters_before(lines: &[&str]) -> Vec<String> {
    // The signature: from the last line with `fn ` up to the marker.
    let Some(start) = lines.iter().rposition(|line| line.contains("fn ")) else {
        return Vec::new();
    };
    let signature = lines[start..].join("\n");
    let Some(fn_at) = signature.find("fn ") else {
        return Vec::new();
    };
    // The parameter list is the first `(` outside the generics `<...>`, up to its `)`.
    let mut angle = 0;
    let mut depth = 0;
    let mut list = String::new();
    for c in signature[fn_at..].chars() {
        match c {
            '<' if depth == 0 => angle += 1,
            '>' if depth == 0 => angle -= 1,
            '(' if angle == 0 => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            ')' if angle == 0 => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        if depth > 0 {
            list.push(c);
        }
    }
    split_top_level(&list)
        .iter()
        .filter_map(|parameter| {
            let pattern = parameter.split(':').next()?.trim();
            let name = pattern.strip_prefix("mut ").unwrap_or(pattern).trim();
            let simple = !name.is_empty()
                && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !name.starts_with('_');
            (simple && name != "self").then(|| name.to_string())
        })
        .collect()
}

/// Splits `a: Vec<(u8, u8)>, b: u8` at the commas that separate parameters.
fn split_top_level(list: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut depth = 0i32;
    for c in list.chars() {
        match c {
            '<' | '(' | '[' | '{' => depth += 1,
            '>' | ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts.retain(|part| !part.trim().is_empty());
    parts
}

/// The `todo!()` message for an exercise, `Exercise 3.2 (<title>): <first sentence>`,
/// escaped for a Rust string literal used as a format string. A panic hook and the tour
/// read this form back from the panic message ("not yet implemented: Exercise 3.2 (...").
pub fn todo_message(exercise: &Exercise) -> String {
    let text = format!(
        "Exercise {} ({}): {}",
        exercise.id,
        exercise.title,
        exercise.first_sentence()
    );
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('{', "{{")
        .replace('}', "}}")
}

/// The starter body's lines (without the markers).
pub fn starter_body(solution: &Solution, exercise: &Exercise) -> Vec<String> {
    let indent = &solution.indent;
    let mut body = Vec::new();
    match solution.parameters.as_slice() {
        [] => {}
        [one] => body.push(format!("{indent}let _ = &{one}; // yours to use")),
        many => {
            let names: Vec<String> = many.iter().map(|name| format!("&{name}")).collect();
            body.push(format!(
                "{indent}let _ = ({}); // yours to use",
                names.join(", ")
            ));
        }
    }
    body.push(format!("{indent}todo!(\"{}\")", todo_message(exercise)));
    body
}

/// Whether the text between the markers is a starter body (the student has not begun).
pub fn is_starter(text: &str, solution: &Solution) -> bool {
    let inside: Vec<&str> = text
        .lines()
        .skip(solution.begin + 1)
        .take(solution.end - solution.begin - 1)
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("let _ ="))
        .collect();
    // `Exercise 3.2 (title): ...`, or `Exercise 3.2: ...` as copies before titles wrote it.
    let starts = |line: &str| {
        [" (", ":"]
            .iter()
            .any(|after| line.starts_with(&format!("todo!(\"Exercise {}{after}", solution.id)))
    };
    matches!(inside.as_slice(), [only] if starts(only))
}

/// `text` with the lines between the solution's markers replaced by `body`. Keeps the
/// file's final newline.
pub fn replace_body(text: &str, solution: &Solution, body: &[String]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = lines[..=solution.begin]
        .iter()
        .map(|l| l.to_string())
        .collect();
    out.extend(body.iter().cloned());
    out.extend(lines[solution.end..].iter().map(|l| l.to_string()));
    let mut joined = out.join("\n");
    if text.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "/// Doc.\npub fn loss_summary(\n    expected: u64,\n    mut received: Vec<(u8, u8)>,\n    _unused: u8,\n) -> String {\n    // exercise 1.2: begin\n    format!(\"{expected} {received:?}\")\n    // exercise 1.2: end\n}\n";

    fn exercise() -> Exercise {
        Exercise {
            id: "1.2".parse().unwrap(),
            title: "Count".into(),
            statement: "Write `loss_summary` with \"{}\". More.".into(),
            hints: vec![],
        }
    }

    #[test]
    fn markers_give_the_body_lines_and_parameter_names() {
        let found = find_in_text(SOURCE, Path::new("src/lib.rs")).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].begin, found[0].end), (6, 8));
        assert_eq!(found[0].indent, "    ");
        assert_eq!(found[0].parameters, ["expected", "received"]);
    }

    #[test]
    fn starter_body_replaces_the_solution_and_is_recognised() {
        let solution = &find_in_text(SOURCE, Path::new("src/lib.rs")).unwrap()[0];
        assert!(!is_starter(SOURCE, solution));
        let starter = replace_body(SOURCE, solution, &starter_body(solution, &exercise()));
        assert!(starter.contains(
            "    // exercise 1.2: begin\n    let _ = (&expected, &received); // yours to use\n    \
             todo!(\"Exercise 1.2 (Count): Write `loss_summary` with \\\"{{}}\\\".\")\n    // exercise 1.2: end\n}\n"
        ));
        let again = &find_in_text(&starter, Path::new("src/lib.rs")).unwrap()[0];
        assert!(is_starter(&starter, again));
    }

    #[test]
    fn unpaired_markers_are_errors_with_the_line() {
        let error = find_in_text("// exercise 1.1: begin\n", Path::new("a.rs")).unwrap_err();
        assert!(
            error.message.starts_with("a.rs:1: exercise 1.1 has no"),
            "{error}"
        );
        let error = find_in_text("// exercise 1.1: end\n", Path::new("a.rs")).unwrap_err();
        assert!(error.message.contains("without its begin"), "{error}");
    }
}
