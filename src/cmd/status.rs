//! `cargo run -- status`, and `cargo run` with no arguments: the lessons, each exercise's status,
//! and what to do next.
//!
//! The status comes from running the tests (`cargo test -p <crate> exercise_`), once per
//! crate; the results are kept in `.netlab/` until a file of the crate changes, so the
//! second call is quick.

use std::io::Write;

use crate::cmd::check::exercise_line;
use crate::cmd::lessons;
use crate::course::{Course, Exercise, Lesson};
use crate::error::{Error, io_error};
use crate::exercise_status::{self, Freshness, Status};
use crate::progress::ProgressLine;

/// The first exercise, in course order, that does not pass yet: the one to work on.
pub struct Current<'a> {
    pub lesson: &'a Lesson,
    pub exercise: &'a Exercise,
    pub status: Status,
}

/// Each lesson that has exercises, with each exercise's status.
pub type CourseStatus<'a> = Vec<(&'a Lesson, Vec<(&'a Exercise, Status)>)>;

/// Every exercise's status, lesson by lesson (cached where the sources did not change).
pub fn all_statuses<'a>(
    course: &'a Course,
    progress: &mut ProgressLine,
) -> Result<CourseStatus<'a>, Error> {
    let mut all = Vec::new();
    for lesson in course.lessons.iter().filter(|l| !l.exercises.is_empty()) {
        let exercises: Vec<&Exercise> = lesson.exercises.iter().collect();
        let statuses = exercise_status::statuses(
            course,
            lesson,
            &exercises,
            Freshness::Cached,
            false,
            progress,
        )?;
        let paired = exercises
            .into_iter()
            .zip(statuses.into_iter().map(|(_, s)| s));
        all.push((lesson, paired.collect()));
    }
    Ok(all)
}

/// The exercise to work on next, if any does not pass.
pub fn current<'a>(statuses: &[(&'a Lesson, Vec<(&'a Exercise, Status)>)]) -> Option<Current<'a>> {
    statuses.iter().find_map(|(lesson, exercises)| {
        exercises
            .iter()
            // A lesson still without a crate has nothing to work on yet.
            .find(|(_, status)| !status.is_passing() && *status != Status::NoCrate)
            .map(|(exercise, status)| Current {
                lesson,
                exercise,
                status: status.clone(),
            })
    })
}

/// Prints the lesson table, then every exercise with its status, then the next step.
pub fn run(course: &Course, out: &mut dyn Write) -> Result<(), Error> {
    let output = io_error("writing the lesson table");
    lessons::run(course, out).map_err(output)?;
    out.flush().map_err(io_error("writing the lesson table"))?;
    let mut progress = ProgressLine::new();
    let statuses = all_statuses(course, &mut progress)?;
    progress.clear();
    let output = || io_error("writing the lesson table");
    let lang = course.lang;
    for (lesson, exercises) in &statuses {
        let passing = exercises.iter().filter(|(_, s)| s.is_passing()).count();
        writeln!(
            out,
            "\n{}",
            lang.lesson_summary(
                lesson.number,
                lesson.crate_name.as_deref(),
                passing,
                exercises.len()
            )
        )
        .map_err(output())?;
        for (exercise, status) in exercises {
            writeln!(
                out,
                "  {}",
                exercise_line(lang, exercise.id, &exercise.title, status)
            )
            .map_err(output())?;
        }
    }
    writeln!(out).map_err(output())?;
    match current(&statuses) {
        None => writeln!(out, "{}", lang.all_pass_try_the_tour()).map_err(output())?,
        Some(Current {
            lesson,
            exercise,
            status,
        }) => {
            let next = lang.next_step(
                exercise.id,
                &exercise.title,
                status.label(lang),
                &lesson.file,
                &exercise.first_sentence(),
            );
            writeln!(out, "{next}").map_err(output())?;
        }
    }
    Ok(())
}
