//! `cargo run -- hint EXERCISE`: the lesson's hint; asked again, its stronger second hint
//! (where the lesson has one). How many hints were shown is kept in `.netlab/hints.txt`.

use std::io::Write;

use crate::course::{Course, ExerciseId};
use crate::error::{Error, io_error};
use crate::state;

pub fn run(course: &Course, id: ExerciseId, out: &mut dyn Write) -> Result<(), Error> {
    let (lesson, exercise) = course.exercise(id)?;
    let output = || io_error("writing the hint");
    let lang = course.lang;
    writeln!(out, "{}\n", lang.exercise_title(id, &exercise.title)).map_err(output())?;
    if exercise.hints.is_empty() {
        writeln!(
            out,
            "{}",
            lang.no_hint_in_lesson(&lesson.file, &exercise.statement)
        )
        .map_err(output())?;
        return Ok(());
    }
    let key = id.to_string();
    let seen = state::hints_seen(&course.root, &key);
    // The first call shows hint 1, the next one hint 2, and so on; then the last again.
    let level = (seen + 1).min(exercise.hints.len());
    let total = exercise.hints.len();
    let label = lang.hint_label(level, total);
    writeln!(out, "{label}\n\n{}", exercise.hints[level - 1]).map_err(output())?;
    if level < total {
        writeln!(out, "\n{}", lang.still_stuck(id)).map_err(output())?;
    }
    state::set_hints_seen(&course.root, &key, level)
}
