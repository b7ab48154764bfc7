//! Each exercise's status, found by running its tests: passing, failing, not started.

use std::collections::HashMap;
use std::fs;

use crate::course::{Course, Exercise, ExerciseId, Lesson};
use crate::coverage;
use crate::error::Error;
use crate::lang::Lang;
use crate::progress::ProgressLine;
use crate::solution::{self, Solution};
use crate::state;
use crate::testrun::{self, Outcome, Selection, TestRun};

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
    /// The status in a word or two, in `lang` (`Lang::En` in machine-readable output).
    pub fn label(&self, lang: Lang) -> &'static str {
        match self {
            Status::Passing => lang.status_passing(),
            Status::Failing { .. } => lang.status_failing(),
            Status::NotStarted => lang.status_not_started(),
            Status::DoesNotBuild(_) => lang.status_does_not_build(),
            Status::NoTests => lang.status_no_tests(),
            Status::NoCrate => lang.status_no_crate(),
        }
    }

    pub fn is_passing(&self) -> bool {
        *self == Status::Passing
    }
}

/// Whether a run may reuse cached results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Cached,
    Fresh,
}

/// Runs the tests of `exercises` (all of one lesson, or one exercise) and gives each its
/// status: its own `exercise_N_M_*` tests, and for a larger exercise every test of the
/// files `coverage.rs` lists. Whole-lesson runs are cached by the crate's source
/// modification times. `ci` runs the tests with `CI=true` (grading).
pub fn statuses(
    course: &Course,
    lesson: &Lesson,
    exercises: &[&Exercise],
    freshness: Freshness,
    ci: bool,
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
            let mut selections = vec![Selection::Named(&filter)];
            for exercise in exercises {
                for file in coverage::also_tests(crate_name, exercise.id) {
                    if !selections.contains(&Selection::File(file)) {
                        selections.push(Selection::File(file));
                    }
                }
            }
            let mut run = TestRun::default();
            for selection in selections {
                progress.show(
                    &course
                        .lang
                        .running(&testrun::command_line(crate_name, selection)),
                );
                let part = testrun::run_cargo_test(&course.root, crate_name, selection, ci)?;
                progress.clear();
                if run.build_error.is_none() {
                    run.build_error = part.build_error;
                }
                run.tests.extend(part.tests);
            }
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
    let not_started: Vec<ExerciseId> = solutions
        .iter()
        .filter(|solution| solution::is_starter(&sources[&solution.file], solution))
        .map(|solution| solution.id)
        .collect();
    Ok(exercises
        .iter()
        .map(|exercise| {
            let started = !not_started.contains(&exercise.id);
            let files = coverage::also_tests(crate_name, exercise.id);
            let mut status = status_of(exercise.id, started, files, &run);
            // A test of the whole program may fail because another exercise is still a
            // todo!(): say so, the student may not have reached it yet.
            if let Status::Failing { test, message } = &mut status {
                let others: Vec<String> = not_started
                    .iter()
                    .filter(|id| **id != exercise.id)
                    .map(ExerciseId::to_string)
                    .collect();
                if !exercise.id.owns_test(test) && !others.is_empty() {
                    message.push('\n');
                    message.push_str(&course.lang.others_still_todo(&others.join(", ")));
                }
            }
            (exercise.id, status)
        })
        .collect())
}

/// Whether `test` (a name in a `TestRun`) grades exercise `id`: one of its own tests, or
/// any test of one of `files` (`tests/<file>.rs`) that is not another exercise's.
pub fn grades(id: ExerciseId, files: &[&str], test: &str) -> bool {
    if id.owns_test(test) {
        return true;
    }
    let function = test.rsplit("::").next().unwrap_or(test);
    files
        .iter()
        .any(|file| test.starts_with(&format!("tests/{file}.rs::")))
        && !function.starts_with("exercise_")
}

/// One exercise's status from its crate's test run. `started` is false while its body is
/// still the starter's `todo!()`: its failing tests then mean "not started". Only its own
/// tests count for "no tests": the files of `files` are extra.
fn status_of(id: ExerciseId, started: bool, files: &[&str], run: &TestRun) -> Status {
    if let Some(error) = &run.build_error {
        // A compile error anywhere stops every test of the crate: show it everywhere.
        return Status::DoesNotBuild(error.clone());
    }
    let mut ran_own = false;
    let mut failure = None;
    for (test, outcome) in run.tests.iter().filter(|(test, _)| grades(id, files, test)) {
        match outcome {
            Outcome::Passed => ran_own |= id.owns_test(test),
            Outcome::Ignored => {}
            Outcome::Failed(message) => {
                ran_own |= id.owns_test(test);
                if failure.is_none() {
                    failure = Some((test.clone(), message.clone()));
                }
            }
        }
    }
    match failure {
        _ if !ran_own => Status::NoTests,
        Some(_) if !started => Status::NotStarted,
        Some((test, message)) => Status::Failing { test, message },
        None => Status::Passing,
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
        assert_eq!(status_of(id("1.1"), true, &[], &run()), Status::Passing);
        assert_eq!(
            status_of(id("1.2"), true, &[], &run()),
            Status::Failing {
                test: "tests::exercise_1_2_b".into(),
                message: "boom".into()
            }
        );
        assert_eq!(status_of(id("1.3"), true, &[], &run()), Status::NoTests);
        assert_eq!(status_of(id("1.2"), false, &[], &run()), Status::NotStarted);
    }

    #[test]
    fn a_failing_test_of_a_listed_file_fails_the_exercise_but_not_another_exercises_test() {
        let id = |text: &str| text.parse::<ExerciseId>().unwrap();
        let mut run = run();
        run.tests.push((
            "tests/cli.rs::exercise_1_1_other".into(),
            Outcome::Failed("not mine".into()),
        ));
        assert_eq!(
            status_of(id("1.1"), true, &[], &run),
            Status::Failing {
                test: "tests/cli.rs::exercise_1_1_other".into(),
                message: "not mine".into()
            }
        );
        // Exercise 1.1's test in cli.rs does not count for 1.3, which lists cli.rs.
        run.tests
            .push(("tests/cli.rs::exercise_1_3_a".into(), Outcome::Passed));
        assert_eq!(status_of(id("1.3"), true, &["cli"], &run), Status::Passing);
        run.tests.push((
            "tests/cli.rs::recv_prints".into(),
            Outcome::Failed("boom".into()),
        ));
        assert_eq!(
            status_of(id("1.3"), true, &["cli"], &run),
            Status::Failing {
                test: "tests/cli.rs::recv_prints".into(),
                message: "boom".into()
            }
        );
        // Without a test of its own, an exercise has no tests, whatever else passed.
        assert_eq!(status_of(id("1.4"), true, &["cli"], &run), Status::NoTests);
    }
}
