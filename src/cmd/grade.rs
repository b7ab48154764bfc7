//! `cargo run -- grade [--json] [--points ...]` and `grade --roster DIR [--csv]`: points
//! per exercise and a total, from the same tests `check --grading` runs.
//!
//! In a starter copy only the exercises its `grading.txt` lists are graded (the ones the
//! student writes), with the points written there; elsewhere (the course itself) every
//! exercise is. An exercise earns its points only when its own tests ran and every test
//! that grades it passed (`coverage.rs`): no test, no points. The tests run with
//! `CI=true`, as in the classroom workflow, so a test whose peer tool is missing fails
//! instead of skipping. Grading files that differ from the manifest are named.
//!
//! `--json` is netlab's own schema (not GitHub Classroom's: its command grader writes one
//! base64-encoded result per step, which only its reporter reads):
//!
//! ```text
//! {"schema": "netlab-grade-1", "score": 4, "max_score": 7,
//!  "tampered": ["crates/tcp-echo/tests/cli.rs (changed)"],
//!  "exercises": [{"exercise": "3.2", "name": "Exercise 3.2: ...", "status": "pass",
//!                 "state": "passing", "score": 1, "max_score": 1, "message": null,
//!                 "command": "cargo run -q -- check 3.2 --grading",
//!                 "file": "crates/tcp-echo/src/framing.rs", "line": 25,
//!                 "duration_ms": 1234}]}
//! ```
//!
//! `status` is `pass` (full points) or `fail` (none); `state` says why: `passing`,
//! `failing`, `not started`, `does not build`, `no tests`, `no crate yet`, or `grading
//! files changed`; `message` is the failure (the test and its panic message) or `null`. Grading exits 0 whenever it
//! could grade, also when points were lost: the score is the result.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use crate::classroom;
use crate::cmd::check::exercise_line;
use crate::course::{Course, ExerciseId};
use crate::coverage;
use crate::error::{Error, io_error};
use crate::exercise_status::{self, Freshness, Status};
use crate::lang::Lang;
use crate::manifest::Manifest;
use crate::points::Points;
use crate::progress::ProgressLine;

/// One exercise's grade.
#[derive(Debug, Clone)]
pub struct Grade {
    pub id: ExerciseId,
    pub title: String,
    pub status: Status,
    pub score: u32,
    pub max_score: u32,
    pub command: String,
    pub filename: String,
    pub line_no: usize,
    pub duration_ms: u128,
    /// Grading files of this exercise (its crate's, the runner's, the test helpers') that
    /// differ from the manifest: the exercise earns nothing until they are put back.
    pub tampered: Vec<String>,
}

/// A whole workspace's grades.
#[derive(Debug, Clone)]
pub struct Report {
    pub grades: Vec<Grade>,
    /// Grading files that differ from the manifest, one phrase each.
    pub tampered: Vec<String>,
}

impl Report {
    pub fn score(&self) -> u32 {
        self.grades.iter().map(|g| g.score).sum()
    }

    pub fn max_score(&self) -> u32 {
        self.grades.iter().map(|g| g.max_score).sum()
    }
}

impl Grade {
    fn passed(&self) -> bool {
        self.status.is_passing() && self.tampered.is_empty()
    }

    fn message(&self) -> Option<String> {
        if !self.tampered.is_empty() {
            return Some(format!(
                "grading files changed: {}",
                self.tampered.join("; ")
            ));
        }
        match &self.status {
            Status::Passing => None,
            Status::Failing { test, message } => Some(format!("test {test} failed: {message}")),
            Status::NotStarted => Some("not started: the body is still todo!()".to_string()),
            Status::DoesNotBuild(error) => Some(format!("does not compile: {error}")),
            Status::NoTests => Some("no test of this exercise ran".to_string()),
            Status::NoCrate => Some("the lesson has no crate yet".to_string()),
        }
    }
}

/// The points of `id`: `--points`, else the manifest's, else `points.txt`'s, else the
/// default (3 for a crate's larger exercise, 1 for the others).
fn points_of(
    id: ExerciseId,
    crate_name: &str,
    given: &Points,
    manifest: Option<&Manifest>,
    file: &Points,
) -> u32 {
    given
        .get(id)
        .or_else(|| manifest.and_then(|m| m.points_of(id)))
        .or_else(|| file.get(id))
        .unwrap_or_else(|| coverage::default_points(crate_name, id))
}

/// `grade [--json]`: grades the workspace of `course` and prints the report, as text or
/// as netlab's JSON.
pub fn run(course: &Course, points: &Points, json: bool, out: &mut dyn Write) -> Result<(), Error> {
    let report = grade(course, points, true)?;
    if json {
        write!(out, "{}", to_json(&report)).map_err(io_error("writing the grades"))
    } else {
        print_text(&report, course.lang, out)
    }
}

/// `grade --roster DIR [--csv] [--jobs N]`: grades every student copy under `dir`, `jobs`
/// at a time (the CPU cores when not given), from anywhere: DIR holds the copies.
pub fn run_roster(
    dir: &Path,
    points: &Points,
    csv: bool,
    jobs: Option<usize>,
    lang: Lang,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rows = roster(dir, points, jobs.unwrap_or(cores).clamp(1, 64), lang)?;
    if csv {
        // The CSV is for a spreadsheet or a script: English whatever the language.
        write!(out, "{}", roster_csv(&rows)).map_err(io_error("writing the grades"))
    } else {
        print_roster(&rows, lang, out)
    }
}

/// Grades the workspace of `course`: runs each graded exercise's tests on its own, as the
/// classroom workflow does. `progress` is off for a roster (many at once).
pub fn grade(course: &Course, given: &Points, show_progress: bool) -> Result<Report, Error> {
    let manifest = Manifest::load(&course.root)?;
    let tampered = manifest
        .as_ref()
        .map_or_else(Vec::new, |m| m.tampered(&course.root));
    let file_points = Points::load(&course.root)?;
    let mut progress = ProgressLine::new();
    progress.enabled = show_progress;
    let mut grades = Vec::new();
    let graded: Vec<_> = course
        .exercises()
        .filter(|(lesson, exercise)| match &manifest {
            Some(manifest) => manifest.points_of(exercise.id).is_some(),
            // Lessons still without a crate are not graded (a student's copy has every
            // crate).
            None => lesson.crate_name.is_some(),
        })
        .collect();
    for (lesson, exercise) in graded {
        let started = Instant::now();
        let crate_name = lesson.crate_name.as_deref().unwrap_or_default();
        let statuses = exercise_status::statuses(
            course,
            lesson,
            &[exercise],
            Freshness::Fresh,
            true,
            &mut progress,
        )?;
        let status = statuses
            .into_iter()
            .next()
            .map_or(Status::NoTests, |(_, status)| status);
        let solution = exercise_status::solution_of(course, lesson, exercise.id)?;
        let max_score = points_of(
            exercise.id,
            crate_name,
            given,
            manifest.as_ref(),
            &file_points,
        );
        let own_tampered: Vec<String> = tampered
            .iter()
            .filter(|t| {
                manifest
                    .as_ref()
                    .is_some_and(|m| m.affects(&t.path, crate_name, exercise.id))
            })
            .map(ToString::to_string)
            .collect();
        let earns = status.is_passing() && own_tampered.is_empty();
        grades.push(Grade {
            id: exercise.id,
            title: exercise.title.clone(),
            score: if earns { max_score } else { 0 },
            tampered: own_tampered,
            status,
            max_score,
            command: classroom::grading_command(exercise.id),
            filename: solution
                .as_ref()
                .map_or_else(|| lesson.file.clone(), |s| s.file.display().to_string()),
            line_no: solution.map_or(0, |s| s.begin + 1),
            duration_ms: started.elapsed().as_millis(),
        });
    }
    let tampered = tampered.iter().map(ToString::to_string).collect();
    Ok(Report { grades, tampered })
}

pub fn print_text(report: &Report, lang: Lang, out: &mut dyn Write) -> Result<(), Error> {
    let output = || io_error("writing the grades");
    for grade in &report.grades {
        let changed = if grade.tampered.is_empty() {
            ""
        } else {
            lang.grading_files_changed_mark()
        };
        writeln!(
            out,
            "{:>3}/{:<3} {}{changed}",
            grade.score,
            grade.max_score,
            exercise_line(lang, grade.id, &grade.title, &grade.status),
        )
        .map_err(output())?;
    }
    writeln!(
        out,
        "\n{}",
        lang.total_points(report.score(), report.max_score())
    )
    .map_err(output())?;
    if !report.tampered.is_empty() {
        writeln!(out, "\n{}", lang.differing_grading_files()).map_err(output())?;
        for file in &report.tampered {
            writeln!(out, "  {file}").map_err(output())?;
        }
    }
    Ok(())
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The report in netlab's own JSON schema (see the top of this file).
pub fn to_json(report: &Report) -> String {
    let exercises: Vec<String> = report
        .grades
        .iter()
        .map(|grade| {
            format!(
                "    {{\"exercise\": \"{}\", \"name\": {}, \"status\": \"{}\", \"state\": \"{}\", \
                 \"score\": {}, \"max_score\": {}, \"message\": {}, \"command\": {}, \
                 \"file\": {}, \"line\": {}, \"duration_ms\": {}}}",
                grade.id,
                json_string(&format!("Exercise {}: {}", grade.id, grade.title)),
                if grade.passed() { "pass" } else { "fail" },
                if grade.tampered.is_empty() {
                    grade.status.label(Lang::En)
                } else {
                    "grading files changed"
                },
                grade.score,
                grade.max_score,
                grade
                    .message()
                    .map_or_else(|| "null".to_string(), |m| json_string(&m)),
                json_string(&grade.command),
                json_string(&grade.filename),
                grade.line_no,
                grade.duration_ms
            )
        })
        .collect();
    let tampered: Vec<String> = report.tampered.iter().map(|t| json_string(t)).collect();
    format!(
        "{{\n  \"schema\": \"netlab-grade-1\",\n  \"score\": {},\n  \"max_score\": {},\n  \
         \"tampered\": [{}],\n  \"exercises\": [\n{}\n  ]\n}}\n",
        report.score(),
        report.max_score(),
        tampered.join(", "),
        exercises.join(",\n")
    )
}

/// The student copies under `dir`: each subdirectory with a `Cargo.toml` and `lessons/`,
/// sorted by name.
pub fn roster_dirs(dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, Error> {
    let entries = std::fs::read_dir(dir).map_err(io_error(format!("reading {}", dir.display())))?;
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("Cargo.toml").is_file() && path.join("lessons").is_dir())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        let (message, hint) = lang.no_student_copy(&dir.display().to_string());
        return Err(Error::usage(message).with_hint(hint));
    }
    Ok(dirs)
}

/// One student's row: the copy's name, and its report or why it could not be graded.
pub type RosterRow = (String, Result<Report, Error>);

/// Grades every copy under `dir`, `jobs` at a time (each runs its own `cargo test`).
pub fn roster(
    dir: &Path,
    given: &Points,
    jobs: usize,
    lang: Lang,
) -> Result<Vec<RosterRow>, Error> {
    let dirs = roster_dirs(dir, lang)?;
    let next = Mutex::new(0usize);
    let rows: Mutex<Vec<Option<RosterRow>>> = Mutex::new((0..dirs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, dirs.len()) {
            scope.spawn(|| {
                loop {
                    let index = {
                        let mut next = next.lock().unwrap_or_else(|e| e.into_inner());
                        let index = *next;
                        *next += 1;
                        index
                    };
                    let Some(path) = dirs.get(index) else {
                        break;
                    };
                    let name = path
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().to_string());
                    eprintln!("{}", lang.grading_copy(&name));
                    let report = Course::load(path).and_then(|course| grade(&course, given, false));
                    rows.lock().unwrap_or_else(|e| e.into_inner())[index] = Some((name, report));
                }
            });
        }
    });
    Ok(rows
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect())
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The roster as CSV: one row per student, a column per exercise (its points, or empty
/// when that copy does not grade it), the total, the maximum, the tampered files (`; `
/// between them) and an error for a copy that could not be graded.
pub fn roster_csv(rows: &[RosterRow]) -> String {
    let mut ids: Vec<ExerciseId> = rows
        .iter()
        .filter_map(|(_, report)| report.as_ref().ok())
        .flat_map(|report| report.grades.iter().map(|g| g.id))
        .collect();
    ids.sort();
    ids.dedup();
    let mut header = vec!["repository".to_string()];
    header.extend(ids.iter().map(|id| id.to_string()));
    header.extend(["total", "max", "tampered", "error"].map(String::from));
    let mut csv = header.join(",") + "\n";
    for (name, report) in rows {
        let mut fields = vec![csv_field(name)];
        match report {
            Ok(report) => {
                for id in &ids {
                    let grade = report.grades.iter().find(|g| g.id == *id);
                    fields.push(grade.map_or_else(String::new, |g| g.score.to_string()));
                }
                fields.push(report.score().to_string());
                fields.push(report.max_score().to_string());
                fields.push(csv_field(&report.tampered.join("; ")));
                fields.push(String::new());
            }
            Err(error) => {
                fields.extend(ids.iter().map(|_| String::new()));
                fields.extend([String::new(), String::new(), String::new()]);
                fields.push(csv_field(&error.message));
            }
        }
        csv.push_str(&(fields.join(",") + "\n"));
    }
    csv
}

/// The roster as text: one line per student.
pub fn print_roster(rows: &[RosterRow], lang: Lang, out: &mut dyn Write) -> Result<(), Error> {
    let output = || io_error("writing the grades");
    for (name, report) in rows {
        match report {
            Ok(report) => {
                let line =
                    lang.roster_line(name, report.score(), report.max_score(), &report.tampered);
                writeln!(out, "{line}").map_err(output())?;
            }
            Err(error) => {
                writeln!(out, "{}", lang.not_graded(name, &error.to_string())).map_err(output())?
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_escape_quotes_newlines_and_control_characters() {
        assert_eq!(
            json_string("a\"b\\c\nd\u{1}é"),
            "\"a\\\"b\\\\c\\nd\\u0001é\""
        );
    }

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
