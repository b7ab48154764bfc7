//! `cargo run -- grade [--json]`: every exercise's tests, points per exercise, a total.
//!
//! `--json` prints the result in the schema of GitHub Classroom's command grader, so the
//! same file feeds GitHub Classroom, a learning management system, or a spreadsheet:
//!
//! ```text
//! {"version": 1, "status": "pass" | "fail" | "error", "max_score": 7,
//!  "tests": [{"name": "Exercise 1.1: ...", "status": "pass", "score": 1, "max_score": 1,
//!             "message": "", "test_code": "cargo test -p udp-basic --tests exercise_1_1",
//!             "filename": "crates/udp-basic/src/lib.rs", "line_no": 388,
//!             "duration": 1234}]}
//! ```
//!
//! A test's `status` is `pass`, `fail` (a test failed, or the exercise is not started) or
//! `error` (it could not be tested: the crate does not compile, or it has no tests);
//! the top-level `status` is `pass` when all pass, else `error` if any is an error, else
//! `fail`. `duration` is in milliseconds. Grading exits 0 whenever it could grade, also
//! when points were lost: the score is the result.

use std::io::Write;
use std::time::Instant;

use crate::check::exercise_line;
use crate::classroom;
use crate::course::{Course, ExerciseId};
use crate::error::{Error, io_error};
use crate::points::Points;
use crate::status::{self, Freshness, ProgressLine, Status};

/// One exercise's grade.
#[derive(Debug, Clone)]
pub struct Grade {
    pub id: ExerciseId,
    pub title: String,
    pub name: String,
    pub status: Status,
    pub score: u32,
    pub max_score: u32,
    pub command: String,
    pub filename: String,
    pub line_no: usize,
    pub duration_ms: u128,
}

impl Grade {
    fn json_status(&self) -> &'static str {
        match self.status {
            Status::Passing => "pass",
            Status::Failing { .. } | Status::NotStarted => "fail",
            Status::DoesNotBuild(_) | Status::NoTests | Status::NoCrate => "error",
        }
    }

    fn message(&self) -> String {
        match &self.status {
            Status::Passing => String::new(),
            Status::Failing { test, message } => format!("test {test} failed: {message}"),
            Status::NotStarted => "not started: the body is still todo!()".to_string(),
            Status::DoesNotBuild(error) => format!("does not compile: {error}"),
            Status::NoTests => "no test of this exercise ran".to_string(),
            Status::NoCrate => "the lesson has no crate yet".to_string(),
        }
    }
}

/// Runs each exercise's tests on its own, as the classroom workflow does.
pub fn grades(course: &Course, points: &Points) -> Result<Vec<Grade>, Error> {
    let mut progress = ProgressLine::new();
    let mut grades = Vec::new();
    // Lessons still without a crate are not graded (a student's copy has every crate).
    let gradable = course
        .exercises()
        .filter(|(lesson, _)| lesson.crate_name.is_some());
    for (lesson, exercise) in gradable {
        let started = Instant::now();
        let statuses =
            status::statuses(course, lesson, &[exercise], Freshness::Fresh, &mut progress)?;
        let status = statuses
            .into_iter()
            .next()
            .map_or(Status::NoTests, |(_, status)| status);
        let solution = status::solution_of(course, lesson, exercise.id)?;
        let max_score = points.of(exercise.id);
        grades.push(Grade {
            id: exercise.id,
            title: exercise.title.clone(),
            name: format!("Exercise {}: {}", exercise.id, exercise.title),
            score: if status.is_passing() { max_score } else { 0 },
            status,
            max_score,
            command: classroom::test_command(lesson, exercise),
            filename: solution
                .as_ref()
                .map_or_else(|| lesson.file.clone(), |s| s.file.display().to_string()),
            line_no: solution.map_or(0, |s| s.begin + 1),
            duration_ms: started.elapsed().as_millis(),
        });
    }
    Ok(grades)
}

pub fn print_text(grades: &[Grade], out: &mut dyn Write) -> Result<(), Error> {
    let output = || io_error("writing the grades");
    for grade in grades {
        writeln!(
            out,
            "{:>3}/{:<3} {}",
            grade.score,
            grade.max_score,
            exercise_line(grade.id, &grade.title, &grade.status),
        )
        .map_err(output())?;
    }
    let score: u32 = grades.iter().map(|g| g.score).sum();
    let max: u32 = grades.iter().map(|g| g.max_score).sum();
    writeln!(out, "\ntotal: {score}/{max} points").map_err(output())?;
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

/// The grades in the command grader's JSON schema.
pub fn to_json(grades: &[Grade]) -> String {
    let status = if grades.iter().all(|g| g.json_status() == "pass") {
        "pass"
    } else if grades.iter().any(|g| g.json_status() == "error") {
        "error"
    } else {
        "fail"
    };
    let max: u32 = grades.iter().map(|g| g.max_score).sum();
    let tests: Vec<String> = grades
        .iter()
        .map(|grade| {
            format!(
                "    {{\"name\": {}, \"status\": \"{}\", \"score\": {}, \"max_score\": {}, \
                 \"message\": {}, \"test_code\": {}, \"filename\": {}, \"line_no\": {}, \
                 \"duration\": {}}}",
                json_string(&grade.name),
                grade.json_status(),
                grade.score,
                grade.max_score,
                json_string(&grade.message()),
                json_string(&grade.command),
                json_string(&grade.filename),
                grade.line_no,
                grade.duration_ms
            )
        })
        .collect();
    format!(
        "{{\n  \"version\": 1,\n  \"status\": \"{status}\",\n  \"max_score\": {max},\n  \
         \"tests\": [\n{}\n  ]\n}}\n",
        tests.join(",\n")
    )
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
}
