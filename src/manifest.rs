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
    /// (grading file, the exercises its tests grade). A file of a crate without this
    /// line (a helper module of the tests) may change any exercise of its crate.
    pub tests: Vec<(String, Vec<ExerciseId>)>,
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
        for (file, ids) in &self.tests {
            let ids: Vec<String> = ids.iter().map(ExerciseId::to_string).collect();
            lines.push(format!("tests {file} {}", ids.join(",")));
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
                "tests" => {
                    let (file, ids) = rest.split_once(' ').ok_or_else(bad)?;
                    let ids = ids
                        .split(',')
                        .map(|id| id.parse().map_err(|_| bad()))
                        .collect::<Result<Vec<ExerciseId>, Error>>()?;
                    manifest.tests.push((file.to_string(), ids));
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

    /// Every grading file or declaration that is not as the manifest says. Empty when
    /// nothing was touched.
    pub fn tampered(&self, root: &Path) -> Vec<Tampered> {
        let mut found = Vec::new();
        let mut add = |path: &str, how: &'static str| {
            found.push(Tampered {
                path: path.to_string(),
                how,
            })
        };
        if !self.list_matches {
            add(FILE, "edited");
        }
        if let Some(first) = first_commit_text(root, FILE) {
            let now = fs::read_to_string(root.join(FILE)).unwrap_or_default();
            if first != now {
                add(FILE, "differs from the first commit");
            }
        }
        for (path, digest) in &self.files {
            match fs::read(root.join(path)) {
                Ok(bytes) if sha256::hex_digest(&bytes) == *digest => {}
                Ok(_) => add(path, "changed"),
                Err(_) => add(path, "deleted"),
            }
        }
        for (file, module) in &self.declarations {
            let text = fs::read_to_string(root.join(file)).unwrap_or_default();
            if !declares(&text, module) {
                add(file, "its `mod exercise_tests` lines were changed");
            }
        }
        found
    }

    /// Whether a change to the grading file `path` (or to the declaration in it) can
    /// change the grade of exercise `id` of `crate_name`. The runner, the test helpers,
    /// the workflow and the manifest grade every exercise.
    pub fn affects(&self, path: &str, crate_name: &str, id: ExerciseId) -> bool {
        if !path.starts_with("crates/") || path.starts_with("crates/testkit/") {
            return true;
        }
        if !path.starts_with(&format!("crates/{crate_name}/")) {
            return false;
        }
        // A declaration stands for the test module it pulls in.
        let file = self
            .declarations
            .iter()
            .find(|(declaring, _)| declaring == path)
            .map_or_else(
                || path.to_string(),
                |(declaring, module)| {
                    let dir = declaring.rsplit_once('/').map_or("", |(dir, _)| dir);
                    format!("{dir}/{module}")
                },
            );
        self.tests
            .iter()
            .find(|(tests, _)| *tests == file)
            .is_none_or(|(_, ids)| ids.contains(&id))
    }
}

/// A grading file that is not as the manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tampered {
    pub path: String,
    /// `changed`, `deleted`, `edited`, ...
    pub how: &'static str,
}

impl std::fmt::Display for Tampered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.path, self.how)
    }
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

/// The exercises whose grade the tests in `text` (the file `path`) take part in: those
/// named by its `exercise_N_M_*` tests, and the exercises that list it (`coverage.rs`).
fn exercises_graded_by(path: &str, text: &str) -> Vec<ExerciseId> {
    let mut ids = Vec::new();
    for (at, _) in text.match_indices("fn exercise_") {
        let name: String = text[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let mut parts = name.split('_').skip(1);
        let id: Option<ExerciseId> = match (parts.next(), parts.next()) {
            (Some(lesson), Some(number)) => format!("{lesson}.{number}").parse().ok(),
            _ => None,
        };
        ids.extend(id);
    }
    let mut parts = path.split('/');
    if let (Some("crates"), Some(crate_name), Some("tests"), Some(file), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        if let Some(stem) = file.strip_suffix(".rs") {
            ids.extend(crate::coverage::listing(crate_name, stem));
        }
    }
    ids.sort();
    ids.dedup();
    ids
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
        let ids = exercises_graded_by(&path, &String::from_utf8_lossy(&bytes));
        if !ids.is_empty() {
            manifest.tests.push((path.clone(), ids));
        }
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
            tests: vec![(
                "crates/a/src/exercise_tests/x.rs".into(),
                vec!["3.2".parse().unwrap(), "3.3".parse().unwrap()],
            )],
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
    fn a_changed_file_affects_the_exercises_it_grades_only() {
        let id = |text: &str| text.parse::<ExerciseId>().unwrap();
        let manifest = Manifest::parse(
            "exercise 3.2 1\ndeclare crates/a/src/x.rs exercise_tests/x.rs\n\
             tests crates/a/src/exercise_tests/x.rs 3.2,3.3\n",
        )
        .unwrap();
        let test_file = "crates/a/src/exercise_tests/x.rs";
        assert!(manifest.affects(test_file, "a", id("3.3")));
        assert!(!manifest.affects(test_file, "a", id("3.4")));
        // Its declaration, in the solution's file, stands for it.
        assert!(manifest.affects("crates/a/src/x.rs", "a", id("3.2")));
        assert!(!manifest.affects("crates/a/src/x.rs", "a", id("3.1")));
        // A helper of the crate's tests, the runner: everything they can reach.
        assert!(manifest.affects("crates/a/tests/common/mod.rs", "a", id("3.1")));
        assert!(!manifest.affects("crates/a/tests/common/mod.rs", "b", id("3.1")));
        assert!(manifest.affects("src/check.rs", "b", id("1.1")));
    }

    #[test]
    fn test_files_name_the_exercises_they_grade() {
        let text = "fn exercise_3_2_a() {}\nfn exercise_3_2_b() {}\nfn exercise_3_1_c() {}\n";
        let ids = exercises_graded_by("crates/tcp-echo/tests/cli.rs", text);
        let names: Vec<String> = ids.iter().map(ExerciseId::to_string).collect();
        assert_eq!(names, ["3.1", "3.2", "3.4"]);
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
