//! The course: its lessons in order and the exercises each one ends with, as the rest of
//! the runner sees them (`Course`, `Lesson`, `Exercise`, `ExerciseId`). They are read
//! from the lessons themselves by `course/parse.rs`, so nothing is written twice; in
//! Chinese from their twins in `lessons/zh-CN/` (`Course::translated`).

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::error::Error;
use crate::lang::Lang;
use crate::table::display_width;

mod parse;

use parse::{lesson_file_name, lesson_title, parse_exercises};

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
                if sentence.ends_with('。') {
                    return shorten_chinese(sentence, 100);
                }
                return shorten(sentence, 120);
            }
            rest = after;
        }
    }
}

/// The text up to the first ". " that is followed by a capital letter or code (so "e.g.
/// the" and "0.2%" do not end a sentence), or up to the first Chinese full stop `。`,
/// whichever comes first; or all of it.
fn first_sentence_of(text: &str) -> &str {
    let chinese = text.find('。').map(|index| index + '。'.len_utf8());
    let english = text.match_indices(". ").find_map(|(index, _)| {
        let next = text[index + 2..].chars().next();
        next.is_some_and(|c| c.is_uppercase() || c == '`')
            .then_some(index + 1)
    });
    let end = match (chinese, english) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(text.len()),
    };
    &text[..end]
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

/// A Chinese `text` cut to at most `max` terminal cells (a Chinese character takes two),
/// after a comma or similar pause where there is one, with `……` when cut.
fn shorten_chinese(text: &str, max: usize) -> String {
    if display_width(text) <= max {
        return text.to_string();
    }
    // Room for the `……` (two cells, at most).
    let room = max.saturating_sub(2);
    let mut cut = String::new();
    let mut width = 0;
    for c in text.chars() {
        let cells = display_width(c.encode_utf8(&mut [0; 4]));
        if width + cells > room {
            break;
        }
        cut.push(c);
        width += cells;
    }
    let pause = cut
        .char_indices()
        .filter(|(_, c)| matches!(c, '，' | '、' | '；' | '：'))
        .map(|(index, _)| index)
        .next_back();
    let head = match pause {
        // A pause in the first half would throw away too much: cut at the limit then.
        Some(index) if display_width(&cut[..index]) >= max / 2 => &cut[..index],
        _ => cut.as_str(),
    };
    format!("{head}……")
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
    pub fn test_command(&self, lang: Lang) -> String {
        match &self.crate_name {
            Some(name) => format!("cargo test -p {name}"),
            None => lang.reading_lesson().to_string(),
        }
    }
}

/// The whole course, read from a workspace.
#[derive(Debug, Clone)]
pub struct Course {
    /// The workspace root: the directory with `Cargo.toml`, `lessons/` and `crates/`.
    pub root: PathBuf,
    pub lessons: Vec<Lesson>,
    /// The language of the runner's sentences; the lessons' texts are in it too after
    /// `translated`.
    pub lang: Lang,
}

impl Course {
    /// Finds the workspace that contains `start` (the current directory, usually): the
    /// nearest ancestor with both a `Cargo.toml` and a `lessons/` directory.
    pub fn find_root(start: &Path, lang: Lang) -> Result<PathBuf, Error> {
        start
            .ancestors()
            .find(|dir| dir.join("Cargo.toml").is_file() && dir.join("lessons").is_dir())
            .map(Path::to_path_buf)
            .ok_or_else(|| {
                let (message, hint) = lang.outside_workspace(&start.display().to_string());
                Error::usage(message).with_hint(hint)
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
            lang: Lang::En,
        })
    }

    /// The course in `lang`: the runner's sentences, and each lesson's title, file and
    /// exercises from its translation (`lessons/zh-CN/01-udp-basic.md` for
    /// `lessons/01-udp-basic.md`). A lesson not translated yet stays English, and so does
    /// an exercise its translation lacks: a student always gets some text.
    pub fn translated(mut self, lang: Lang) -> Result<Course, Error> {
        self.lang = lang;
        if lang == Lang::En {
            return Ok(self);
        }
        for lesson in &mut self.lessons {
            let Some(file_name) = Path::new(&lesson.file).file_name() else {
                continue;
            };
            let file = format!("{}/{}", lang.lessons_dir(), file_name.to_string_lossy());
            let path = self.root.join(&file);
            if !path.is_file() {
                continue;
            }
            let text = fs::read_to_string(&path)
                .map_err(|e| Error::runtime(format!("reading {}: {e}", path.display())))?;
            let mut translated = parse_exercises(&text);
            lesson.title = lesson_title(&text, lesson.number);
            lesson.file = file;
            for exercise in &mut lesson.exercises {
                if let Some(index) = translated.iter().position(|t| t.id == exercise.id) {
                    *exercise = translated.swap_remove(index);
                }
            }
        }
        Ok(self)
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
                let (message, hint) = self.lang.no_such_exercise(id, &known.join(", "));
                Error::usage(message).with_hint(hint)
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
                let (message, hint) = self.lang.no_such_lesson(name);
                Error::usage(message).with_hint(hint)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
