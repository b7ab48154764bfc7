//! `grading.txt`, the grading manifest `starter` writes at the top of a student's copy:
//! which exercises were removed (the only ones graded) with their points, and the
//! SHA-256 of every file that grades them, so `grade` can name a file that was changed.
//!
//! ```text
//! # ...comments...
//! exercise 3.2 1
//! exercise 3.4 3
//! file 9f86d0...  crates/tcp-echo/src/exercise_tests/framing.rs
//! declare crates/tcp-echo/src/framing.rs exercise_tests/framing.rs
//! list 2c26b4...
//! ```
//!
//! The grading files are the exercises' test files (`src/exercise_tests/*.rs` and the
//! crates' `tests/`), the test helpers (`crates/testkit/`), the course runner itself
//! (`src/`, `Cargo.toml`: the classroom workflow grades with `cargo run -- check`) and
//! the workflow. A file with a solution in it is never one: the student edits those.
//! `declare` lines name the solution file that pulls a test module in with
//! `#[cfg(test)] #[path = "..."] mod exercise_tests;`: the student edits that file, so
//! it cannot be hashed, but those three lines must still be there, as written. The last
//! line, `list`, is the SHA-256 of all the lines before it that are not comments, so an
//! edited manifest shows as edited too.
//!
//! What this cannot do: stop a student who rewrites the manifest and its `list` line
//! together, or who changes the code under test to recognise the tests' inputs. In a
//! git clone `grade` also compares `grading.txt` with the repository's first commit (the
//! template's); the classroom workflow restores every grading file from that commit
//! before grading. Reading the code stays the teacher's final check.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::course::ExerciseId;
use crate::error::{Error, io_error};
use crate::sha256;

pub const FILE: &str = "grading.txt";

/// The three lines that declare a test module from a solution's file.
pub fn declaration(test_path: &str) -> [String; 3] {
    [
        "#[cfg(test)]".to_string(),
        format!("#[path = \"{test_path}\"]"),
        "mod exercise_tests;".to_string(),
    ]
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// The graded exercises with their points, in course order.
    pub exercises: Vec<(ExerciseId, u32)>,
    /// Each grading file (relative to the root, `/`-separated) with its SHA-256 in hex.
    pub files: Vec<(String, String)>,
    /// (solution file, test module path as written in its `#[path]`).
    pub declarations: Vec<(String, String)>,
    /// Whether the `list` line matches the lines before it (always true when built).
    pub list_matches: bool,
}

impl Manifest {
    fn body_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (id, points) in &self.exercises {
            lines.push(format!("exercise {id} {points}"));
        }
        for (path, digest) in &self.files {
            lines.push(format!("file {digest}  {path}"));
        }
        for (file, module) in &self.declarations {
            lines.push(format!("declare {file} {module}"));
        }
        lines
    }

    /// The file's text.
    pub fn to_text(&self) -> String {
        let body = self.body_lines();
        let list = sha256::hex_digest(body.join("\n").as_bytes());
        format!(
            "# The grading manifest, written by `cargo run -- starter`. `cargo run -- grade` and\n\
             # the GitHub Classroom workflow grade exactly the exercises below, with these\n\
             # points, and name any grading file whose SHA-256 differs. Do not edit it.\n\
             {}\nlist {list}\n",
            body.join("\n")
        )
    }

    /// Reads `grading.txt` at `root`, if there is one.
    pub fn load(root: &Path) -> Result<Option<Manifest>, Error> {
        let path = root.join(FILE);
        match fs::read_to_string(&path) {
            Ok(text) => Manifest::parse(&text).map(Some),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(io_error(format!("reading {}", path.display()))(error)),
        }
    }

    pub fn parse(text: &str) -> Result<Manifest, Error> {
        let mut manifest = Manifest::default();
        let mut list = None;
        for (index, line) in text.lines().enumerate() {
            let bad = || {
                Error::runtime(format!(
                    "{FILE}:{}: `{line}` is not a manifest line",
                    index + 1
                ))
                .with_hint("write a new starter copy, or put back grading.txt from git")
            };
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (kind, rest) = line.split_once(' ').ok_or_else(bad)?;
            match kind {
                "exercise" => {
                    let (id, points) = rest.split_once(' ').ok_or_else(bad)?;
                    let id = id.parse().map_err(|_| bad())?;
                    let points = points.trim().parse().map_err(|_| bad())?;
                    manifest.exercises.push((id, points));
                }
                "file" => {
                    let (digest, path) = rest.split_once("  ").ok_or_else(bad)?;
                    manifest.files.push((path.to_string(), digest.to_string()));
                }
                "declare" => {
                    let (file, module) = rest.split_once(' ').ok_or_else(bad)?;
                    manifest
                        .declarations
                        .push((file.to_string(), module.to_string()));
                }
                "list" => list = Some(rest.trim().to_string()),
                _ => return Err(bad()),
            }
        }
        let expected = sha256::hex_digest(manifest.body_lines().join("\n").as_bytes());
        manifest.list_matches = list.as_deref() == Some(expected.as_str());
        Ok(manifest)
    }

    /// The points of `id` in the manifest.
    pub fn points_of(&self, id: ExerciseId) -> Option<u32> {
        self.exercises
            .iter()
            .find(|(exercise, _)| *exercise == id)
            .map(|(_, points)| *points)
    }

    /// Every grading file or declaration that is not as the manifest says, one short
    /// phrase each (`crates/x/tests/a.rs (changed)`). Empty when nothing was touched.
    pub fn tampered(&self, root: &Path) -> Vec<String> {
        let mut found = Vec::new();
        if !self.list_matches {
            found.push(format!("{FILE} (edited)"));
        }
        if let Some(first) = first_commit_text(root, FILE) {
            let now = fs::read_to_string(root.join(FILE)).unwrap_or_default();
            if first != now {
                found.push(format!("{FILE} (differs from the first commit)"));
            }
        }
        for (path, digest) in &self.files {
            match fs::read(root.join(path)) {
                Ok(bytes) if sha256::hex_digest(&bytes) == *digest => {}
                Ok(_) => found.push(format!("{path} (changed)")),
                Err(_) => found.push(format!("{path} (deleted)")),
            }
        }
        for (file, module) in &self.declarations {
            let text = fs::read_to_string(root.join(file)).unwrap_or_default();
            if !declares(&text, module) {
                found.push(format!(
                    "{file} (its `mod exercise_tests` lines were changed)"
                ));
            }
        }
        found
    }
}

/// The entries of `tampered` (from `Manifest::tampered`) that can change the results of
/// `crate_name`'s exercises: its own files, the runner's and the test helpers'.
pub fn concerning(tampered: &[String], crate_name: &str) -> Vec<String> {
    let prefixes = [
        format!("crates/{crate_name}/"),
        "src/".to_string(),
        "crates/testkit/".to_string(),
        "Cargo.toml".to_string(),
    ];
    tampered
        .iter()
        .filter(|entry| {
            prefixes
                .iter()
                .any(|prefix| entry.starts_with(prefix.as_str()))
        })
        .cloned()
        .collect()
}

/// Whether `text` declares the test module `module` with exactly the three lines of
/// `declaration`, not preceded by another attribute (a `#[cfg(any())]` would switch them
/// off), and names `exercise_tests` nowhere else.
pub fn declares(text: &str, module: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let wanted = declaration(module);
    let at = lines.windows(3).position(|window| {
        window
            .iter()
            .zip(&wanted)
            .all(|(line, want)| line.trim_end() == want)
    });
    let Some(at) = at else {
        return false;
    };
    let attribute_before = at > 0 && lines[at - 1].trim_start().starts_with("#[");
    let mentions = text.matches("exercise_tests").count();
    // The `#[path]` line names the file (`exercise_tests/x.rs`), the `mod` line the module.
    !attribute_before && mentions == 2
}

/// The text of `path` in the first commit of the git repository at `root`, if `root` is
/// one and the file is there.
fn first_commit_text(root: &Path, path: &str) -> Option<String> {
    let roots = Command::new("git")
        .args(["rev-list", "--max-parents=0", "HEAD"])
        .current_dir(root)
        .output()
        .ok()?;
    if !roots.status.success() {
        return None;
    }
    let first = String::from_utf8_lossy(&roots.stdout)
        .lines()
        .last()?
        .trim()
        .to_string();
    let shown = Command::new("git")
        .args(["show", &format!("{first}:{path}")])
        .current_dir(root)
        .output()
        .ok()?;
    shown
        .status
        .success()
        .then(|| String::from_utf8_lossy(&shown.stdout).to_string())
}

/// The grading files of a starter copy at `root`, for the exercises of `crates`: every
/// file under those crates' `tests/`, their `src/` files that hold exercise tests and no
/// solution, `crates/testkit/`, the runner (`src/`, `Cargo.toml`) and `workflow`.
pub fn grading_files(root: &Path, crates: &[&str], workflow: &str) -> Vec<String> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut add_tree = |dir: PathBuf| {
        let mut found = Vec::new();
        crate::state::files_under(&dir, &mut found);
        paths.extend(found.into_iter().map(|(path, _, _)| path));
    };
    add_tree(root.join("src"));
    add_tree(root.join("crates").join("testkit"));
    for crate_name in crates {
        add_tree(root.join("crates").join(crate_name).join("tests"));
        add_tree(root.join("crates").join(crate_name).join("src"));
    }
    paths.push(root.join("Cargo.toml"));
    paths.push(root.join(workflow));
    let mut files: Vec<String> = paths
        .iter()
        .filter(|path| path.is_file())
        .filter(|path| {
            let text = fs::read_to_string(path).unwrap_or_default();
            let in_crate_src = path
                .strip_prefix(root)
                .is_ok_and(|relative| relative.starts_with("crates") && is_under_src(relative));
            // A crate's own sources count only where they hold exercise tests; a file
            // with a solution in it never does.
            let holds_tests = !in_crate_src || text.contains("fn exercise_");
            holds_tests && !has_solution(&text)
        })
        .filter_map(|path| path.strip_prefix(root).ok().map(slash_path))
        .collect();
    files.sort();
    files.dedup();
    files
}

/// Whether `text` has a `// exercise N.M: begin` marker line: a student's file.
fn has_solution(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim();
        line.starts_with("// exercise ") && line.ends_with(": begin")
    })
}

fn is_under_src(relative: &Path) -> bool {
    relative
        .components()
        .nth(2)
        .is_some_and(|part| part.as_os_str() == "src")
        && !relative.starts_with("crates/testkit")
}

/// A relative path with `/` between its parts, whatever the platform.
pub fn slash_path(path: &Path) -> String {
    path.components()
        .map(|part| part.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Builds the manifest of the copy at `root`.
pub fn build(
    root: &Path,
    exercises: Vec<(ExerciseId, u32)>,
    crates: &[&str],
    workflow: &str,
) -> Result<Manifest, Error> {
    let mut manifest = Manifest {
        exercises,
        list_matches: true,
        ..Manifest::default()
    };
    for path in grading_files(root, crates, workflow) {
        let bytes = fs::read(root.join(&path)).map_err(io_error(format!("reading {path}")))?;
        manifest.files.push((path, sha256::hex_digest(&bytes)));
    }
    for crate_name in crates {
        let src = root.join("crates").join(crate_name).join("src");
        let mut found = Vec::new();
        crate::state::files_under(&src, &mut found);
        found.sort();
        for (path, _, _) in found {
            let text = fs::read_to_string(&path).unwrap_or_default();
            for line in text.lines() {
                let module = line
                    .trim()
                    .strip_prefix("#[path = \"")
                    .and_then(|rest| rest.strip_suffix("\"]"));
                if let Some(module) = module.filter(|m| m.starts_with("exercise_tests")) {
                    let relative = path.strip_prefix(root).map(slash_path).unwrap_or_default();
                    manifest.declarations.push((relative, module.to_string()));
                }
            }
        }
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips_and_notices_an_edit() {
        let manifest = Manifest {
            exercises: vec![("3.2".parse().unwrap(), 1), ("3.4".parse().unwrap(), 3)],
            files: vec![("crates/a/tests/b.rs".into(), "ab".repeat(32))],
            declarations: vec![("crates/a/src/x.rs".into(), "exercise_tests/x.rs".into())],
            list_matches: true,
        };
        let text = manifest.to_text();
        assert_eq!(Manifest::parse(&text).unwrap(), manifest);
        let edited = text.replace("exercise 3.4 3", "exercise 3.4 30");
        let parsed = Manifest::parse(&edited).unwrap();
        assert!(!parsed.list_matches);
        assert_eq!(parsed.points_of("3.4".parse().unwrap()), Some(30));
    }

    #[test]
    fn the_declaration_must_be_there_as_written_and_switched_on() {
        let module = "exercise_tests/x.rs";
        let written = format!("fn a() {{}}\n\n{}\n", declaration(module).join("\n"));
        assert!(declares(&written, module));
        assert!(!declares("fn a() {}\n", module));
        let switched_off = written.replace("\n#[cfg(test)]", "\n#[cfg(any())]\n#[cfg(test)]");
        assert!(!declares(&switched_off, module));
        let second = format!("{written}mod exercise_tests {{}}\n");
        assert!(!declares(&second, module));
    }
}
