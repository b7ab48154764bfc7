//! `cargo run -- reset EXERCISE [--yes]`: put the starter body (`todo!()`) back in place of
//! the student's code, to start the exercise over. The replaced code is not thrown away:
//! it is saved under `.netlab/reset/` first.

use std::fs;
use std::io::{self, BufRead, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::course::{Course, ExerciseId};
use crate::error::{Error, io_error};
use crate::exercise_status;
use crate::solution;
use crate::state;

pub fn run(
    course: &Course,
    id: ExerciseId,
    yes: bool,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let (lesson, exercise) = course.exercise(id)?;
    let output = || io_error("writing to the terminal");
    let lang = course.lang;
    if lesson.crate_name.is_none() {
        return Err(Error::usage(lang.reset_without_crate(id, lesson.number)));
    }
    let Some(solution) = exercise_status::solution_of(course, lesson, id)? else {
        let (message, hint) = lang.reset_no_markers(id);
        return Err(Error::runtime(message).with_hint(hint));
    };
    let file = solution.file.display().to_string();
    let path = course.root.join(&solution.file);
    let text =
        fs::read_to_string(&path).map_err(io_error(format!("reading {}", path.display())))?;
    if solution::is_starter(&text, &solution) {
        writeln!(out, "{}", lang.already_starter(id)).map_err(output())?;
        return Ok(());
    }
    if !yes {
        write!(out, "{}", lang.reset_question(id, &file)).map_err(output())?;
        out.flush().map_err(output())?;
        let mut answer = String::new();
        input
            .read_line(&mut answer)
            .map_err(io_error("reading the answer"))?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
            writeln!(out, "{}", lang.nothing_changed()).map_err(output())?;
            return Ok(());
        }
    }
    save_old_body(course, id, &text, &solution)?;
    let body = solution::starter_body(&solution, exercise);
    let new_text = solution::replace_body(&text, &solution, &body);
    fs::write(&path, new_text).map_err(io_error(format!("writing {}", path.display())))?;
    writeln!(out, "{}", lang.reset_done(id, &file)).map_err(output())?;
    Ok(())
}

/// Keeps the lines being replaced in `.netlab/reset/<id>-<seconds>.rs`.
fn save_old_body(
    course: &Course,
    id: ExerciseId,
    text: &str,
    solution: &solution::Solution,
) -> Result<(), Error> {
    let dir = state::dir(&course.root)?.join("reset");
    fs::create_dir_all(&dir).map_err(io_error(format!("creating {}", dir.display())))?;
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let lines: Vec<&str> = text
        .lines()
        .skip(solution.begin)
        .take(solution.end - solution.begin + 1)
        .collect();
    let file = dir.join(format!("{id}-{seconds}.rs"));
    fs::write(&file, lines.join("\n") + "\n")
        .map_err(io_error(format!("writing {}", file.display())))
}

/// Standard input, for the y/N question.
pub fn stdin() -> io::StdinLock<'static> {
    io::stdin().lock()
}
