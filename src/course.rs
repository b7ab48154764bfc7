//! The course: its lessons in order, the exercises each one ends with, and the tour.
//!
//! Nothing here is written twice. The lessons are the files `lessons/NN-<crate>.md`; a
//! lesson's exercise crate is `crates/<crate>` when that directory exists; and each
//! exercise's title, statement and hints are read from the lesson itself, from sections
//! in this form (see `lessons/README.md`, "For lesson writers: exercises"):
//!
//! ```text
//! ### Exercise 1.2: Count the losses
//!
//! The statement: one or more paragraphs.
//!
//! <details><summary>Hint</summary>
//!
//! The hint.
//!
//! </details>
//! ```
//!
//! An optional second `<details><summary>Hint 2</summary>` holds a stronger hint.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use crate::error::Error;

/// An exercise's number: `3.2` is the second exercise of lesson 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExerciseId {
    pub lesson: u32,
    pub number: u32,
}

impl ExerciseId {
    /// The start of every test name of this exercise, and the filter that runs exactly
    /// them: `exercise_3_2`.
    pub fn test_filter(self) -> String {
        format!("exercise_{}_{}", self.lesson, self.number)
    }

    /// Whether a test (its name as libtest prints it, `tests::exercise_3_2_echoes`)
    /// belongs to this exercise. `exercise_1_10_x` is not a test of exercise 1.1.
    pub fn owns_test(self, test_name: &str) -> bool {
        let function = test_name.rsplit("::").next().unwrap_or(test_name);
        let filter = self.test_filter();
        function == filter || function.starts_with(&format!("{filter}_"))
    }
}

impl fmt::Display for ExerciseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.lesson, self.number)
    }
}

impl FromStr for ExerciseId {
    type Err = String;

    /// Parses `3.2`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{text}` is not an exercise number like 3.2");
        let (lesson, number) = text.trim().split_once('.').ok_or_else(bad)?;
        Ok(ExerciseId {
            lesson: lesson.parse().map_err(|_| bad())?,
            number: number.parse().map_err(|_| bad())?,
        })
    }
}

/// One exercise, as its lesson states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exercise {
    pub id: ExerciseId,
    pub title: String,
    /// The statement's paragraphs, as Markdown.
    pub statement: String,
    /// The hints, gentlest first (`Hint`, then `Hint 2`).
    pub hints: Vec<String>,
}

impl Exercise {
    /// The statement's first sentence on one line: what `todo!()` says in a starter copy.
    /// A short opening sentence without code ("This is the larger exercise.") is skipped
    /// for the one after it, and a very long sentence is cut at a word.
    pub fn first_sentence(&self) -> String {
        let text = self
            .statement
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let mut rest = text.as_str();
        loop {
            let sentence = first_sentence_of(rest);
            let after = rest[sentence.len()..].trim_start();
            let says_little = sentence.len() < 40 && !sentence.contains('`');
            if !says_little || after.is_empty() {
                return shorten(sentence, 120);
            }
            rest = after;
        }
    }
}

/// The text up to the first ". " that is followed by a capital letter or code (so "e.g.
/// the" and "0.2%" do not end a sentence), or all of it.
fn first_sentence_of(text: &str) -> &str {
    for (index, _) in text.match_indices(". ") {
        let next = text[index + 2..].chars().next();
        if next.is_some_and(|c| c.is_uppercase() || c == '`') {
            return &text[..index + 1];
        }
    }
    text
}

/// `text` cut to at most `max` characters at a space, with `...` when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at_word = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{at_word} ...")
}

/// One lesson of the course and the crate it is built around.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    pub number: u32,
    pub title: String,
    /// The lesson's file, relative to the workspace root: `lessons/01-udp-basic.md`.
    pub file: String,
    /// The exercise crate (`crates/<name>`), or `None` for a reading-only lesson or one
    /// whose crate is not written yet.
    pub crate_name: Option<String>,
    pub exercises: Vec<Exercise>,
}

impl Lesson {
    /// The command that checks the student's work on this lesson.
    pub fn test_command(&self) -> String {
        match &self.crate_name {
            Some(name) => format!("cargo test -p {name}"),
            None => "(reading; its commands run in cargo test -p netlab)".to_string(),
        }
    }
}

/// The whole course, read from a workspace.
#[derive(Debug, Clone)]
pub struct Course {
    /// The workspace root: the directory with `Cargo.toml`, `lessons/` and `crates/`.
    pub root: PathBuf,
    pub lessons: Vec<Lesson>,
}

impl Course {
    /// Finds the workspace that contains `start` (the current directory, usually): the
    /// nearest ancestor with both a `Cargo.toml` and a `lessons/` directory.
    pub fn find_root(start: &Path) -> Result<PathBuf, Error> {
        start
            .ancestors()
            .find(|dir| dir.join("Cargo.toml").is_file() && dir.join("lessons").is_dir())
            .map(Path::to_path_buf)
            .ok_or_else(|| {
                Error::usage(format!(
                    "{} is not inside the netlab workspace (no Cargo.toml with a lessons/ \
                     directory beside it)",
                    start.display()
                ))
                .with_hint("run netlab from the top of the repository: cargo run -- ...")
            })
    }

    /// Reads every `lessons/NN-<name>.md` of the workspace at `root`, in lesson order.
    pub fn load(root: &Path) -> Result<Course, Error> {
        let lessons_dir = root.join("lessons");
        let entries = fs::read_dir(&lessons_dir)
            .map_err(|e| Error::runtime(format!("reading {}: {e}", lessons_dir.display())))?;
        let mut lessons = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::runtime(format!("reading lessons/: {e}")))?;
            let file_name = entry.file_name().to_string_lossy().to_string();
            let Some((number, slug)) = lesson_file_name(&file_name) else {
                continue;
            };
            let path = entry.path();
            let text = fs::read_to_string(&path)
                .map_err(|e| Error::runtime(format!("reading {}: {e}", path.display())))?;
            let has_crate = root.join("crates").join(slug).join("Cargo.toml").is_file();
            lessons.push(Lesson {
                number,
                title: lesson_title(&text, number),
                file: format!("lessons/{file_name}"),
                crate_name: has_crate.then(|| slug.to_string()),
                exercises: parse_exercises(&text),
            });
        }
        lessons.sort_by_key(|lesson| lesson.number);
        Ok(Course {
            root: root.to_path_buf(),
            lessons,
        })
    }

    /// Every exercise, in course order, with its lesson.
    pub fn exercises(&self) -> impl Iterator<Item = (&Lesson, &Exercise)> {
        self.lessons
            .iter()
            .flat_map(|lesson| lesson.exercises.iter().map(move |e| (lesson, e)))
    }

    /// The exercise `id`, or a usage error naming the ones that exist.
    pub fn exercise(&self, id: ExerciseId) -> Result<(&Lesson, &Exercise), Error> {
        self.exercises()
            .find(|(_, exercise)| exercise.id == id)
            .ok_or_else(|| {
                let known: Vec<String> = self.exercises().map(|(_, e)| e.id.to_string()).collect();
                Error::usage(format!("there is no exercise {id}"))
                    .with_hint(format!("the exercises are {}", known.join(", ")))
            })
    }

    /// The lesson named by its number (`3`) or its crate (`tcp-echo`).
    pub fn lesson(&self, name: &str) -> Result<&Lesson, Error> {
        self.lessons
            .iter()
            .find(|lesson| {
                name.parse::<u32>().ok() == Some(lesson.number)
                    || lesson.crate_name.as_deref() == Some(name)
                    || lesson.file.contains(&format!("-{name}.md"))
            })
            .ok_or_else(|| {
                Error::usage(format!("there is no lesson `{name}`"))
                    .with_hint("name a lesson by its number (1) or its crate (udp-basic)")
            })
    }
}

/// `01-udp-basic.md` → `(1, "udp-basic")`; `None` for any other file name.
fn lesson_file_name(file_name: &str) -> Option<(u32, &str)> {
    let stem = file_name.strip_suffix(".md")?;
    let (digits, slug) = stem.split_once('-')?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || slug.is_empty() {
        return None;
    }
    Some((digits.parse().ok()?, slug))
}

/// The title from the lesson's first heading, `# Lesson 1 — UDP: ...`, without the
/// `Lesson 1 —` part and without Markdown backticks.
fn lesson_title(text: &str, number: u32) -> String {
    let heading = text
        .lines()
        .find_map(|line| line.strip_prefix("# "))
        .unwrap_or("(no title)");
    let prefix = format!("Lesson {number}");
    let title = heading
        .strip_prefix(&prefix)
        .map(|rest| rest.trim_start_matches([' ', '—', '-', ':']))
        .unwrap_or(heading);
    title.replace('`', "").trim().to_string()
}

/// Where a line of the exercise section goes.
enum Part {
    Statement,
    Hint,
    /// Inside `<details>` of another kind (not ours to read).
    Other,
}

/// Reads the `### Exercise N.M: Title` sections of a lesson.
pub fn parse_exercises(text: &str) -> Vec<Exercise> {
    let mut exercises = Vec::new();
    let mut current: Option<(Exercise, Vec<String>, Vec<Vec<String>>)> = None;
    let mut part = Part::Statement;
    let mut in_fence = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if !in_fence && trimmed.starts_with('#') {
            // Any heading ends the exercise before it.
            if let Some(done) = current.take() {
                exercises.push(finish(done));
            }
            if let Some((id, title)) = exercise_heading(trimmed) {
                let exercise = Exercise {
                    id,
                    title,
                    statement: String::new(),
                    hints: Vec::new(),
                };
                current = Some((exercise, Vec::new(), Vec::new()));
                part = Part::Statement;
            }
            continue;
        }
        let Some((_, statement, hints)) = current.as_mut() else {
            continue;
        };
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && trimmed.starts_with("<details>") {
            if trimmed.contains("<summary>Hint") {
                hints.push(Vec::new());
                part = Part::Hint;
            } else {
                part = Part::Other;
            }
            continue;
        }
        if !in_fence && trimmed == "</details>" {
            part = Part::Statement;
            continue;
        }
        match part {
            Part::Statement => statement.push(line.to_string()),
            Part::Hint => {
                if let Some(hint) = hints.last_mut() {
                    hint.push(line.to_string());
                }
            }
            Part::Other => {}
        }
    }
    if let Some(done) = current.take() {
        exercises.push(finish(done));
    }
    exercises
}

fn finish((mut exercise, statement, hints): (Exercise, Vec<String>, Vec<Vec<String>>)) -> Exercise {
    exercise.statement = statement.join("\n").trim().to_string();
    exercise.hints = hints
        .into_iter()
        .map(|hint| hint.join("\n").trim().to_string())
        .filter(|hint| !hint.is_empty())
        .collect();
    exercise
}

/// `### Exercise 3.2: Echo in upper case` → `(3.2, "Echo in upper case")`.
fn exercise_heading(line: &str) -> Option<(ExerciseId, String)> {
    let rest = line.strip_prefix("### Exercise ")?;
    let (number, title) = rest.split_once(':')?;
    let id = number.parse().ok()?;
    Some((id, title.trim().to_string()))
}

/// The lesson table, without running anything: `cargo run -- lessons`, and the top of
/// the status table.
pub fn print_lessons(course: &Course, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "netlab: network programming by running real protocols\n"
    )?;
    let rows: Vec<[String; 4]> = course
        .lessons
        .iter()
        .map(|lesson| {
            [
                format!("{:>2}  {}", lesson.number, lesson.title),
                lesson.crate_name.clone().unwrap_or_else(|| "-".to_string()),
                lesson.file.clone(),
                lesson.test_command(),
            ]
        })
        .collect();
    let headings = ["lesson", "crate", "read", "test with"].map(String::from);
    print_table(out, &headings, &rows)
}

/// Prints rows in aligned columns; the last column is not padded.
pub fn print_table<const N: usize>(
    out: &mut dyn Write,
    headings: &[String; N],
    rows: &[[String; N]],
) -> io::Result<()> {
    let mut widths = [0; N];
    for row in std::iter::once(headings).chain(rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(headings).chain(rows) {
        let mut text = String::new();
        for (index, cell) in row.iter().enumerate() {
            text.push_str(cell);
            if index + 1 < N {
                let pad = widths[index] - cell.chars().count();
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    Ok(())
}

/// What a demo returns: each crate's `tour` reports any error it meets.
type DemoResult = Result<(), Box<dyn std::error::Error>>;

/// A demo: a title and the function that runs it.
type Demo = (&'static str, fn(&mut dyn Write) -> DemoResult);

/// The demos, one per exercise crate, in lesson order. Add each new crate's
/// `<crate>::tour` here (and the crate to the root Cargo.toml's [dependencies]).
const DEMOS: &[Demo] = &[
    ("1  udp-basic: one datagram, two encodings", udp_basic::tour),
    ("2  udp-bind: ports, echo and broadcast", udp_bind::tour),
    (
        "3  tcp-echo: a stream, a handshake, a backlog",
        tcp_echo::tour,
    ),
    ("4  tftp: reliability built by hand on UDP", tftp::tour),
    (
        "5  arp-dns-walkthrough: from netmask to web page",
        arp_dns_walkthrough::tour,
    ),
];

/// Runs one demo, catching the panic of an exercise that is still `todo!()` (in the
/// demo's own thread or in a server thread it started) so the student sees which
/// exercise to solve instead of a backtrace. Returns the panic's message in that case.
fn run_demo(
    demo: fn(&mut dyn Write) -> DemoResult,
    out: &mut dyn Write,
) -> Result<DemoResult, String> {
    let first_panic: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let sink = Arc::clone(&first_panic);
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let mut slot = sink.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert_with(|| panic_text(info.payload()));
    }));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| demo(out)));
    std::panic::set_hook(previous_hook);
    let panicked = first_panic.lock().unwrap_or_else(|e| e.into_inner()).take();
    // `todo!("Exercise 2.3: ...")` panics with "not yet implemented: Exercise 2.3: ...".
    let unsolved = |message: String| {
        message
            .strip_prefix("not yet implemented: ")
            .map(str::to_string)
            .unwrap_or(message)
    };
    match (result, panicked) {
        (_, Some(message)) => Err(unsolved(message)),
        (Ok(outcome), None) => Ok(outcome),
        (Err(payload), None) => Err(unsolved(panic_text(payload.as_ref()))),
    }
}

/// The text a panic was raised with (`panic!("...")`, `todo!("...")`).
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_else(|| "a demo stopped".to_string())
}

/// Runs every demo; stops at the first that fails.
pub fn tour(out: &mut dyn Write) -> Result<(), Error> {
    let output = |e: io::Error| Error::runtime(format!("writing the tour: {e}"));
    writeln!(out, "netlab tour: every exercise, live, on loopback\n").map_err(output)?;
    for (title, demo) in DEMOS {
        writeln!(out, "== lesson {title}").map_err(output)?;
        match run_demo(*demo, out) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                return Err(Error::runtime(format!("the {title} demo failed: {error}")));
            }
            // In a starter copy a demo can reach an exercise that is still `todo!()`.
            Err(unsolved) => {
                writeln!(
                    out,
                    "  (not shown yet: {unsolved}; solve it and run the tour again)"
                )
                .map_err(output)?;
            }
        }
        writeln!(out).map_err(output)?;
    }
    writeln!(
        out,
        "That was all of it on 127.0.0.1. Read on in lessons/, in order; `cargo run` lists them."
    )
    .map_err(output)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "# Lesson 3 — TCP `echo`\n\n## Exercises\n\n\
        ### Exercise 3.1: Echo in upper case\n\nWrite `upper`. It returns e.g. the bytes.\n\
        More text.\n\n<details><summary>Hint</summary>\n\nUse `to_ascii_uppercase`.\n\n\
        </details>\n\n### Exercise 3.2: Loop\n\nThe loop.\n\n\
        <details><summary>Hint</summary>\n\nFirst.\n\n</details>\n\n\
        <details><summary>Hint 2</summary>\n\n```text\n# not a heading\n</details>\n```\n\n\
        </details>\n\n## Glossary\n\nNot an exercise.\n";

    #[test]
    fn exercises_are_read_with_statement_and_hints() {
        let exercises = parse_exercises(LESSON);
        assert_eq!(exercises.len(), 2);
        assert_eq!(
            exercises[0].id,
            ExerciseId {
                lesson: 3,
                number: 1
            }
        );
        assert_eq!(exercises[0].title, "Echo in upper case");
        assert_eq!(
            exercises[0].statement,
            "Write `upper`. It returns e.g. the bytes.\nMore text."
        );
        assert_eq!(exercises[0].hints, ["Use `to_ascii_uppercase`."]);
        assert_eq!(exercises[1].hints.len(), 2);
        assert_eq!(
            exercises[1].hints[1],
            "```text\n# not a heading\n</details>\n```"
        );
    }

    #[test]
    fn first_sentence_stops_at_the_first_full_stop() {
        let exercises = parse_exercises(LESSON);
        assert_eq!(exercises[0].first_sentence(), "Write `upper`.");
        assert_eq!(exercises[1].first_sentence(), "The loop.");
        let mut larger = exercises[0].clone();
        larger.statement = "This is the larger one. Write `receive_loop`, the heart.".into();
        assert_eq!(larger.first_sentence(), "Write `receive_loop`, the heart.");
        larger.statement = "word ".repeat(40);
        let cut = larger.first_sentence();
        assert!(cut.ends_with("word ...") && cut.len() <= 124, "{cut}");
    }

    #[test]
    fn lesson_title_drops_the_number_and_backticks() {
        assert_eq!(lesson_title(LESSON, 3), "TCP echo");
    }

    #[test]
    fn lesson_file_names_give_number_and_crate() {
        assert_eq!(lesson_file_name("01-udp-basic.md"), Some((1, "udp-basic")));
        assert_eq!(lesson_file_name("README.md"), None);
        assert_eq!(lesson_file_name("01-udp-basic.txt"), None);
    }

    #[test]
    fn exercise_ids_parse_and_own_their_tests_only() {
        let id: ExerciseId = "1.1".parse().unwrap();
        assert!(id.owns_test("tests::exercise_1_1_line_names_sender"));
        assert!(id.owns_test("exercise_1_1"));
        assert!(!id.owns_test("tests::exercise_1_10_other"));
        assert!("1".parse::<ExerciseId>().is_err());
        assert!("a.b".parse::<ExerciseId>().is_err());
    }
}
