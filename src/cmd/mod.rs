//! One file per subcommand of `cargo run -- ...`; `main.rs` calls each file's `run`:
//!
//! ```text
//! status     status.rs     the lessons, each exercise's status, what to do next (the default)
//! lessons    lessons.rs    the lesson table, running nothing
//! check      check.rs      run exercises' tests: a line each, the first failure and its hint
//! hint       hint.rs       the lesson's hint, then its stronger second hint
//! reset      reset.rs      put an exercise's todo!() back
//! watch      watch.rs      check the current exercise on every save
//! tour       tour.rs       a live demo of every exercise (the demos: ../tour.rs)
//! starter    starter.rs    (teachers) a student copy with solutions removed
//! grade      grade.rs      (teachers) points per exercise, for one copy or a roster
//! dev-check  dev_check.rs  (lesson writers) every exercise has statement, hint, solution, tests
//! ```
//!
//! What the commands share lives beside this directory, one concept a file: the course
//! read from the lessons (`course.rs`, `course/parse.rs`), the language and every
//! sentence the commands print in it (`lang.rs`), solutions between markers
//! (`solution.rs`), test runs and the status they give (`testrun.rs`,
//! `exercise_status.rs`, with `progress.rs` for the line shown meanwhile, `state.rs` for
//! the cache), and for grading the points, the manifest, its hashes, the tests that count
//! and the classroom workflow (`points.rs`, `manifest.rs`, `sha256.rs`, `coverage.rs`,
//! `classroom.rs`). A starter copy builds quietly thanks to `allow_unused.rs`.

pub mod check;
pub mod dev_check;
pub mod grade;
pub mod hint;
pub mod lessons;
pub mod reset;
pub mod starter;
pub mod status;
pub mod tour;
pub mod watch;

/// Whether a command did its job and found everything fine (exit 0), or did its job and
/// found failures (exit 1, with no `error:` line: the report says what failed).
pub enum Outcome {
    Success,
    Failures,
}

impl Outcome {
    pub fn from_bool(all_good: bool) -> Outcome {
        if all_good {
            Outcome::Success
        } else {
            Outcome::Failures
        }
    }
}
