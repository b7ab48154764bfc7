//! What netlab remembers between runs, in `.netlab/` at the workspace root: the last test
//! results of each crate (so a second `cargo run` is quick) and how many hints a student
//! has seen. The directory ignores itself in git (its `.gitignore` says `*`).
//!
//! A crate's results are reused only while nothing under `crates/<crate>/` (nor the root
//! `Cargo.toml`) has a new modification time or size: editing a file, even saving it
//! unchanged, runs the tests again. (Not `Cargo.lock`: cargo itself writes it.)

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::error::{Error, io_error};
use crate::testrun::{Outcome, TestRun};

/// `.netlab/` under `root`, created (with its `.gitignore`) if needed.
pub fn dir(root: &Path) -> Result<PathBuf, Error> {
    let dir = root.join(".netlab");
    fs::create_dir_all(&dir).map_err(io_error(format!("creating {}", dir.display())))?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        fs::write(&ignore, "# netlab's cache: not part of your work.\n*\n")
            .map_err(io_error(format!("writing {}", ignore.display())))?;
    }
    Ok(dir)
}

/// Every file under `dir` (but `target/`), for change detection: (path, modified, size).
pub fn files_under(dir: &Path, out: &mut Vec<(PathBuf, u128, u64)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        if metadata.is_dir() {
            if entry.file_name() != "target" {
                files_under(&path, out);
            }
        } else {
            let modified = metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            out.push((path, modified, metadata.len()));
        }
    }
}

/// A number that changes whenever a source of `crate_name` changes.
pub fn sources_key(root: &Path, crate_name: &str) -> u64 {
    let mut files = Vec::new();
    files_under(&root.join("crates").join(crate_name), &mut files);
    files_under_one(&root.join("Cargo.toml"), &mut files);
    files.sort();
    let mut hasher = DefaultHasher::new();
    files.hash(&mut hasher);
    hasher.finish()
}

fn files_under_one(path: &Path, out: &mut Vec<(PathBuf, u128, u64)>) {
    if let Ok(metadata) = fs::metadata(path) {
        let modified = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |since| since.as_nanos());
        out.push((path.to_path_buf(), modified, metadata.len()));
    }
}

fn results_file(root: &Path, crate_name: &str) -> PathBuf {
    root.join(".netlab")
        .join(format!("results-{crate_name}.txt"))
}

/// The cached results of `crate_name`, if they were stored under the same `key`.
pub fn load_results(root: &Path, crate_name: &str, key: u64) -> Option<TestRun> {
    let text = fs::read_to_string(results_file(root, crate_name)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != format!("key {key:016x}") {
        return None;
    }
    let mut run = TestRun::default();
    for line in lines {
        let mut fields = line.splitn(3, '\t');
        let (kind, name, message) = (fields.next()?, fields.next()?, unescape(fields.next()?));
        match kind {
            "build-error" => run.build_error = Some(message),
            "ok" => run.tests.push((name.to_string(), Outcome::Passed)),
            "ignored" => run.tests.push((name.to_string(), Outcome::Ignored)),
            "FAILED" => run.tests.push((name.to_string(), Outcome::Failed(message))),
            _ => return None,
        }
    }
    Some(run)
}

/// Stores `run` as the results of `crate_name` for `key`. A cache that cannot be written
/// only makes the next run slower, so failing here is not an error.
pub fn store_results(root: &Path, crate_name: &str, key: u64, run: &TestRun) {
    let mut text = format!("key {key:016x}\n");
    if let Some(error) = &run.build_error {
        text.push_str(&format!("build-error\t\t{}\n", escape(error)));
    }
    for (name, outcome) in &run.tests {
        let (kind, message) = match outcome {
            Outcome::Passed => ("ok", ""),
            Outcome::Ignored => ("ignored", ""),
            Outcome::Failed(message) => ("FAILED", message.as_str()),
        };
        text.push_str(&format!("{kind}\t{name}\t{}\n", escape(message)));
    }
    if dir(root).is_ok() {
        let _ = fs::write(results_file(root, crate_name), text);
    }
}

/// How many hints of `exercise` (`1.3`) were shown already.
pub fn hints_seen(root: &Path, exercise: &str) -> usize {
    let file = root.join(".netlab").join("hints.txt");
    let text = fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .filter_map(|line| line.split_once(' '))
        .find(|(id, _)| *id == exercise)
        .and_then(|(_, seen)| seen.trim().parse().ok())
        .unwrap_or(0)
}

/// Remembers that `seen` hints of `exercise` were shown.
pub fn set_hints_seen(root: &Path, exercise: &str, seen: usize) -> Result<(), Error> {
    let file = dir(root)?.join("hints.txt");
    let text = fs::read_to_string(&file).unwrap_or_default();
    let mut lines: Vec<String> = text
        .lines()
        .filter(|line| line.split_once(' ').is_none_or(|(id, _)| id != exercise))
        .map(str::to_string)
        .collect();
    lines.push(format!("{exercise} {seen}"));
    fs::write(&file, lines.join("\n") + "\n")
        .map_err(io_error(format!("writing {}", file.display())))
}

fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_round_trips_newlines_tabs_and_backslashes() {
        let text = "a\tb\nc\\n";
        assert_eq!(unescape(&escape(text)), text);
        assert!(!escape(text).contains('\n'));
    }
}
