//! `netlab`, the course runner.
//!
//! ```text
//! cargo run                       the lessons, each exercise's status, and what to do next
//! cargo run -- check 1.2          run exercise 1.2's tests: its first failure and hint
//! cargo run -- check --upto 3     every exercise of lessons 1 to 3 (cumulative checkpoint)
//! cargo run -- hint 1.2           the lesson's hint (again: a stronger one, if it has one)
//! cargo run -- watch              re-check the current exercise on every save
//! cargo run -- reset 1.2          start exercise 1.2 over from its todo!()
//! cargo run -- tour               a short live demo of every exercise, on loopback
//! cargo run -- starter DIR        (teachers) a student copy with solutions removed
//! cargo run -- grade [--json]     (teachers) points per exercise the copy removed
//! cargo run -- grade --roster DIR --csv   (teachers) every student copy under DIR
//! cargo run -- --lang zh-CN ...   in Chinese (the default when the locale is zh_*)
//! ```
//!
//! This file is the command line only: clap's description of every subcommand, and
//! `run`, which hands each to its file in `cmd/` (start reading at `cmd/mod.rs`, which
//! lists them). The lessons are in `lessons/`, each exercise crate in `crates/`; the
//! runner reads the exercises' statements and hints from the lessons (`course.rs`), finds
//! their solutions between marker comments in the crates (`solution.rs`), and learns their
//! status by running `cargo test` (`testrun.rs`, `exercise_status.rs`).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

mod allow_unused;
mod classroom;
mod cmd;
mod course;
mod coverage;
mod error;
mod exercise_status;
mod lang;
mod manifest;
mod points;
mod progress;
mod sha256;
mod solution;
mod state;
mod table;
mod testrun;
mod tour;

use cmd::Outcome;
use course::{Course, ExerciseId};
use error::Error;
use lang::Lang;
use points::Points;

/// The netlab course: network programming by running real protocols.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The language of the lessons' texts and of netlab's messages: en or zh-CN
    /// (default: zh-CN when LC_ALL, else LC_MESSAGES, else LANG starts with zh).
    #[arg(long, global = true, value_name = "LANG")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// The lessons and each exercise's status, found by running the tests (the default).
    Status,
    /// The lessons, in order, with the command that tests each (runs nothing).
    Lessons,
    /// Run exercises' tests: a pass/fail line each, then the first failure and its hint.
    Check {
        /// A lesson (`1`, `udp-basic`) or an exercise (`1.2`); all exercises if omitted.
        target: Option<String>,
        /// Also check every lesson up to this one (cumulative, like checkpoints).
        #[arg(long, value_name = "LESSON")]
        upto: Option<String>,
        /// Grade as GitHub Classroom does: the tests run with CI=true (a missing peer
        /// tool fails), and a changed test module declaration fails the exercise.
        #[arg(long)]
        grading: bool,
    },
    /// Show an exercise's hint; asked again, its stronger second hint.
    Hint {
        /// The exercise, like `1.2`.
        exercise: ExerciseId,
    },
    /// Put an exercise's starter body (todo!()) back, to start it over.
    Reset {
        /// The exercise, like `1.2`.
        exercise: ExerciseId,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
    },
    /// Check the current exercise again whenever a file under crates/ changes.
    Watch {
        /// How often to look for changes, in milliseconds.
        #[arg(long, default_value_t = 500, value_name = "MS")]
        interval_ms: u64,
        /// Stop after checking the first change (for scripts and tests).
        #[arg(long)]
        once_after_change: bool,
    },
    /// Run a short live demo of every exercise (loopback only, nothing to install).
    Tour,
    /// Teachers: write a student copy of the workspace with solutions replaced by todo!().
    Starter {
        /// Where to write the copy (must not exist, or be empty).
        dir: PathBuf,
        /// Remove every exercise of these lessons (numbers or crate names).
        #[arg(long, value_delimiter = ',', value_name = "LESSONS")]
        lessons: Vec<String>,
        /// Remove these exercises.
        #[arg(long, value_delimiter = ',', value_name = "EXERCISES")]
        exercises: Vec<ExerciseId>,
        /// Points per exercise, like `1.3=4,4.1=5` (else points.txt, else 3 for a
        /// lesson's larger exercise and 1 for the others).
        #[arg(long, value_name = "POINTS")]
        points: Option<String>,
    },
    /// Teachers: grade the exercises a starter copy removed (all, elsewhere): points per
    /// exercise, the total, and any grading file that was changed.
    Grade {
        /// Print netlab's JSON report (schema netlab-grade-1, see lessons/teachers.md).
        #[arg(long, conflicts_with_all = ["csv", "roster"])]
        json: bool,
        /// Points per exercise, like `1.3=4,4.1=5` (else grading.txt, else points.txt,
        /// else 3 for a lesson's larger exercise and 1 for the others).
        #[arg(long, value_name = "POINTS")]
        points: Option<String>,
        /// Grade every student copy (a clone of each repository) under this directory.
        #[arg(long, value_name = "DIR")]
        roster: Option<PathBuf>,
        /// With --roster: one CSV row per student on stdout.
        #[arg(long, requires = "roster")]
        csv: bool,
        /// With --roster: how many copies to grade at once (default: the CPU cores).
        #[arg(long, requires = "roster", value_name = "N")]
        jobs: Option<usize>,
    },
    /// Lesson writers: check that every exercise has a statement, hint, solution and tests.
    DevCheck,
}

fn points_option(option: Option<&str>) -> Result<Points, Error> {
    option.map_or(Ok(Points::default()), |text| {
        Points::parse(text, "--points")
    })
}

fn run(command: Command, lang: Lang, out: &mut dyn Write) -> Result<Outcome, Error> {
    if let Command::Tour = command {
        // The tour needs no workspace: it runs the demos compiled into this binary.
        return cmd::tour::run(out).map(|()| Outcome::Success);
    }
    if let Command::Grade {
        roster: Some(dir),
        points,
        csv,
        jobs,
        ..
    } = &command
    {
        // A roster is graded from anywhere: DIR holds the student copies.
        let points = points_option(points.as_deref())?;
        return cmd::grade::run_roster(dir, &points, *csv, *jobs, lang, out)
            .map(|()| Outcome::Success);
    }
    let here = std::env::current_dir()
        .map_err(|e| Error::runtime(format!("finding the current directory: {e}")))?;
    let root = Course::find_root(&here, lang)?;
    // The English course: what machine-readable output (`grade --json`), lesson
    // writers' checks and the todo!() texts of starter code use. The others read the
    // lessons in `lang` (`translated`).
    let english = Course::load(&root)?;
    let english_only = matches!(
        command,
        Command::Grade { json: true, .. } | Command::DevCheck
    );
    let course = if english_only {
        english.clone()
    } else {
        english.clone().translated(lang)?
    };
    match command {
        Command::Tour => Ok(Outcome::Success),
        Command::Status => cmd::status::run(&course, out).map(|()| Outcome::Success),
        Command::Lessons => cmd::lessons::run(&course, out)
            .map(|()| Outcome::Success)
            .map_err(error::io_error("writing the lesson table")),
        Command::Check {
            target,
            upto,
            grading,
        } => {
            let selection = cmd::check::select(&course, target.as_deref(), upto.as_deref())?;
            let passed = cmd::check::run(&course, &selection, grading, out)?;
            let intact = !grading || cmd::check::grading_files_intact(&course, &selection, out)?;
            Ok(Outcome::from_bool(passed && intact))
        }
        Command::Hint { exercise } => {
            cmd::hint::run(&course, exercise, out).map(|()| Outcome::Success)
        }
        Command::Reset { exercise, yes } => {
            // The starter body is code: its todo!() text stays English.
            let english = Course { lang, ..english };
            cmd::reset::run(&english, exercise, yes, &mut cmd::reset::stdin(), out)
                .map(|()| Outcome::Success)
        }
        Command::Watch {
            interval_ms,
            once_after_change,
        } => {
            let options = cmd::watch::WatchOptions {
                interval: Duration::from_millis(interval_ms.max(10)),
                once_after_change,
            };
            cmd::watch::run(&course, &options, out).map(Outcome::from_bool)
        }
        Command::Starter {
            dir,
            lessons,
            exercises,
            points,
        } => {
            let options = cmd::starter::StarterOptions {
                lessons: &lessons,
                exercises: &exercises,
                points: points_option(points.as_deref())?,
            };
            // The todo!() texts are code: written from the English statements.
            let english = Course { lang, ..english };
            cmd::starter::run(&english, &dir, &options, out).map(|()| Outcome::Success)
        }
        Command::Grade { json, points, .. } => {
            let points = points_option(points.as_deref())?;
            cmd::grade::run(&course, &points, json, out).map(|()| Outcome::Success)
        }
        Command::DevCheck => cmd::dev_check::run(&course, out).map(Outcome::from_bool),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = io::stdout().lock();
    let result = Lang::choose(cli.lang.as_deref())
        .and_then(|lang| run(cli.command.unwrap_or(Command::Status), lang, &mut stdout));
    let _ = stdout.flush();
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failures) => ExitCode::FAILURE,
        // The lesson binaries' report: `error:`, `hint:`, the exit code; nothing at all
        // for `cargo run | head`, whose reader went away (nothing is wrong).
        Err(error) => say::finish(Err(error.into())),
    }
}
