//! `cargo run -- hint EXERCISE`: the lesson's hint; asked again, its stronger second hint
//! (where the lesson has one). How many hints were shown is kept in `.netlab/hints.txt`.

use std::io::Write;

use crate::course::{Course, ExerciseId};
use crate::error::{Error, io_error};
use crate::state;

pub fn run(course: &Course, id: ExerciseId, out: &mut dyn Write) -> Result<(), Error> {
    let (lesson, exercise) = course.exercise(id)?;
    let output = || io_error("writing the hint");
    writeln!(out, "Exercise {id}: {}\n", exercise.title).map_err(output())?;
    if exercise.hints.is_empty() {
        writeln!(
            out,
            "{} gives no hint for this exercise; its statement:\n\n{}",
            lesson.file, exercise.statement
        )
        .map_err(output())?;
        return Ok(());
    }
    let key = id.to_string();
    let seen = state::hints_seen(&course.root, &key);
    // The first call shows hint 1, the next one hint 2, and so on; then the last again.
    let level = (seen + 1).min(exercise.hints.len());
    let total = exercise.hints.len();
    let label = if total == 1 {
        "Hint".to_string()
    } else {
        format!("Hint {level} of {total}")
    };
    writeln!(out, "{label}:\n\n{}", exercise.hints[level - 1]).map_err(output())?;
    if level < total {
        writeln!(
            out,
            "\nStill stuck? `cargo run -- hint {id}` again shows a stronger hint."
        )
        .map_err(output())?;
    }
    state::set_hints_seen(&course.root, &key, level)
}
