//! Each exercise's status, found by running its tests: passing, failing, not started.

use std::collections::HashMap;
use std::fs;
use std::io::{self, IsTerminal, Write};

use crate::course::{Course, Exercise, ExerciseId, Lesson};
use crate::error::Error;
use crate::solution::{self, Solution};
use crate::state;
use crate::testrun::{self, Outcome, TestRun};

/// Where one exercise stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Every one of its tests passes.
    Passing,
    /// A test failed: the test's name and its message.
    Failing { test: String, message: String },
    /// Its body is still the starter's `todo!()`.
    NotStarted,
    /// The crate does not compile: the compiler's first error.
    DoesNotBuild(String),
    /// No test named `exercise_N_M_...` ran.
    NoTests,
    /// The lesson's crate is not in `crates/` yet.
    NoCrate,
}

impl Status {
    pub fn label(&self) -> &'static str {
        match self {
            Status::Passing => "passing",
            Status::Failing { .. } => "failing",
            Status::NotStarted => "not started",
            Status::DoesNotBuild(_) => "does not build",
            Status::NoTests => "no tests",
            Status::NoCrate => "no crate yet",
        }
    }

    pub fn is_passing(&self) -> bool {
        *self == Status::Passing
    }
}

/// The "running tests" line on stderr. On a terminal it is rewritten in place and erased
/// at the end; elsewhere (a pipe, a CI log) each step is a line of its own.
pub struct ProgressLine {
    terminal: bool,
    shown: bool,
}

impl ProgressLine {
    pub fn new() -> ProgressLine {
        ProgressLine {
            terminal: io::stderr().is_terminal(),
            shown: false,
        }
    }

    pub fn show(&mut self, text: &str) {
        let mut stderr = io::stderr().lock();
        if self.terminal {
            let _ = write!(stderr, "\r\x1b[K{text}");
        } else {
            let _ = writeln!(stderr, "{text}");
        }
        let _ = stderr.flush();
        self.shown = true;
    }

    pub fn clear(&mut self) {
        if self.terminal && self.shown {
            let _ = write!(io::stderr().lock(), "\r\x1b[K");
        }
        self.shown = false;
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.clear();
    }
}

/// Whether a run may reuse cached results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Cached,
    Fresh,
}

/// Runs the tests of `exercises` (all of one lesson, or one exercise) and gives each its
/// status. Whole-lesson runs are cached by the crate's source modification times.
pub fn statuses(
    course: &Course,
    lesson: &Lesson,
    exercises: &[&Exercise],
    freshness: Freshness,
    progress: &mut ProgressLine,
) -> Result<Vec<(ExerciseId, Status)>, Error> {
    let Some(crate_name) = &lesson.crate_name else {
        return Ok(exercises.iter().map(|e| (e.id, Status::NoCrate)).collect());
    };
    let whole_lesson = exercises.len() == lesson.exercises.len();
    let filter = match exercises {
        [one] if !whole_lesson => one.id.test_filter(),
        _ => "exercise_".to_string(),
    };
    let key = state::sources_key(&course.root, crate_name);
    let cached = match (freshness, whole_lesson) {
        (Freshness::Cached, true) => state::load_results(&course.root, crate_name, key),
        _ => None,
    };
    let run = match cached {
        Some(run) => run,
        None => {
            progress.show(&format!(
                "netlab: running {} ...",
                testrun::command_line(crate_name, &filter)
            ));
            let run = testrun::run_cargo_test(&course.root, crate_name, &filter)?;
            progress.clear();
            if whole_lesson {
                state::store_results(&course.root, crate_name, key, &run);
            }
            run
        }
    };
    let solutions = solution::find_in_crate(&course.root, crate_name)?;
    let mut sources = HashMap::new();
    for solution in &solutions {
        if !sources.contains_key(&solution.file) {
            let text = fs::read_to_string(course.root.join(&solution.file)).unwrap_or_default();
            sources.insert(solution.file.clone(), text);
        }
    }
    Ok(exercises
        .iter()
        .map(|exercise| {
            let solution = solutions.iter().find(|s| s.id == exercise.id);
            let started = match solution {
                Some(solution) => !solution::is_starter(&sources[&solution.file], solution),
                None => true,
            };
            (exercise.id, status_of(exercise.id, started, &run))
        })
        .collect())
}

/// One exercise's status from its crate's test run. `started` is false while its body is
/// still the starter's `todo!()`: its failing tests then mean "not started".
fn status_of(id: ExerciseId, started: bool, run: &TestRun) -> Status {
    if let Some(error) = &run.build_error {
        // A compile error anywhere stops every test of the crate: show it everywhere.
        return Status::DoesNotBuild(error.clone());
    }
    let mut ran = false;
    for (test, outcome) in run.tests.iter().filter(|(test, _)| id.owns_test(test)) {
        match outcome {
            Outcome::Passed => ran = true,
            Outcome::Ignored => {}
            Outcome::Failed(_) if !started => return Status::NotStarted,
            Outcome::Failed(message) => {
                return Status::Failing {
                    test: test.clone(),
                    message: message.clone(),
                };
            }
        }
    }
    if ran {
        Status::Passing
    } else {
        Status::NoTests
    }
}

/// The solution of exercise `id` in its lesson's crate, if the crate has one.
pub fn solution_of(
    course: &Course,
    lesson: &Lesson,
    id: ExerciseId,
) -> Result<Option<Solution>, Error> {
    let Some(crate_name) = &lesson.crate_name else {
        return Ok(None);
    };
    let solutions = solution::find_in_crate(&course.root, crate_name)?;
    Ok(solutions.into_iter().find(|s| s.id == id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run() -> TestRun {
        TestRun {
            build_error: None,
            tests: vec![
                ("tests::exercise_1_1_a".into(), Outcome::Passed),
                ("tests::exercise_1_2_a".into(), Outcome::Passed),
                (
                    "tests::exercise_1_2_b".into(),
                    Outcome::Failed("boom".into()),
                ),
                ("tests::exercise_1_3_a".into(), Outcome::Ignored),
            ],
        }
    }

    #[test]
    fn one_failing_test_makes_the_exercise_fail() {
        let id = |text: &str| text.parse::<ExerciseId>().unwrap();
        assert_eq!(status_of(id("1.1"), true, &run()), Status::Passing);
        assert_eq!(
            status_of(id("1.2"), true, &run()),
            Status::Failing {
                test: "tests::exercise_1_2_b".into(),
                message: "boom".into()
            }
        );
        assert_eq!(status_of(id("1.3"), true, &run()), Status::NoTests);
        assert_eq!(status_of(id("1.2"), false, &run()), Status::NotStarted);
    }
}
