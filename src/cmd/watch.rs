//! `cargo run -- watch`: check the current exercise (the first that does not pass), then
//! check it again every time a file under `crates/` changes.
//!
//! Changes are found by polling modification times and sizes, not by change events: those
//! miss saves on WSL2's Windows drives and on network file systems, and polling a few
//! hundred files twice a second costs nothing.

use std::io::Write;
use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use crate::cmd::check;
use crate::cmd::status;
use crate::course::{Course, ExerciseId};
use crate::error::{Error, io_error};
use crate::progress::ProgressLine;
use crate::state;

pub struct WatchOptions {
    /// How often to look at the files.
    pub interval: Duration,
    /// Stop after the first change has been checked (for tests and scripts).
    pub once_after_change: bool,
}

/// Every file under `crates/` with its modification time and size.
fn snapshot(course: &Course) -> Vec<(PathBuf, u128, u64)> {
    let mut files = Vec::new();
    state::files_under(&course.root.join("crates"), &mut files);
    files.sort();
    files
}

/// The first file that differs between two snapshots (added, removed or changed).
fn changed_file(
    before: &[(PathBuf, u128, u64)],
    after: &[(PathBuf, u128, u64)],
) -> Option<PathBuf> {
    let added_or_changed = after.iter().find(|file| !before.contains(file));
    let removed = before
        .iter()
        .find(|file| !after.iter().any(|other| other.0 == file.0));
    added_or_changed.or(removed).map(|file| file.0.clone())
}

/// The first exercise that does not pass yet, if any.
fn find_current(course: &Course) -> Result<Option<ExerciseId>, Error> {
    let mut progress = ProgressLine::new();
    let statuses = status::all_statuses(course, &mut progress)?;
    progress.clear();
    Ok(status::current(&statuses).map(|current| current.exercise.id))
}

/// Checks one exercise; returns whether it passes.
fn check_one(course: &Course, id: ExerciseId, out: &mut dyn Write) -> Result<bool, Error> {
    let selection = check::select(course, Some(&id.to_string()), None)?;
    check::run(course, &selection, false, out)
}

/// Checks `current`; when it passes, moves on to the next exercise that does not pass.
/// Returns the exercise to watch next, or `None` when every exercise passes.
fn check_and_advance(
    course: &Course,
    current: Option<ExerciseId>,
    out: &mut dyn Write,
) -> Result<Option<ExerciseId>, Error> {
    let output = || io_error("writing");
    let lang = course.lang;
    let Some(id) = current else {
        writeln!(out, "{}", lang.all_pass_well_done()).map_err(output())?;
        return Ok(None);
    };
    if !check_one(course, id, out)? {
        return Ok(Some(id));
    }
    let next = find_current(course)?;
    match next {
        Some(next) => {
            let (_, exercise) = course.exercise(next)?;
            writeln!(out, "\n{}", lang.passes_next(id, next, &exercise.title)).map_err(output())?;
        }
        None => writeln!(out, "\n{}", lang.passes_and_all_others(id)).map_err(output())?,
    }
    Ok(next)
}

/// Watches until stopped (or, with `once_after_change`, until the first change has been
/// checked); returns whether the exercise checked last passes.
pub fn run(course: &Course, options: &WatchOptions, out: &mut dyn Write) -> Result<bool, Error> {
    let output = || io_error("writing");
    // Each snapshot is taken before the check it goes with, so a file saved while the
    // tests run counts as a change too.
    let mut before = snapshot(course);
    let mut current = check_and_advance(course, find_current(course)?, out)?;
    loop {
        writeln!(
            out,
            "\n{}",
            course.lang.watching(options.interval.as_millis())
        )
        .map_err(output())?;
        out.flush().map_err(output())?;
        let changed = loop {
            // Polling, not synchronisation: nothing else tells us a file was saved.
            thread::sleep(options.interval);
            let now = snapshot(course);
            if let Some(file) = changed_file(&before, &now) {
                before = now;
                break file;
            }
        };
        let shown = changed.strip_prefix(&course.root).unwrap_or(&changed);
        writeln!(
            out,
            "\n{}\n",
            course.lang.changed(&shown.display().to_string())
        )
        .map_err(output())?;
        out.flush().map_err(output())?;
        let checked = current;
        current = check_and_advance(course, current.or(find_current(course)?), out)?;
        if options.once_after_change {
            return Ok(checked.is_none() || current != checked);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_size_or_time_or_file_is_a_change() {
        let a = (PathBuf::from("a.rs"), 1, 10);
        let b = (PathBuf::from("b.rs"), 1, 10);
        let touched = (PathBuf::from("a.rs"), 2, 10);
        let only_a = vec![a.clone()];
        assert_eq!(changed_file(&only_a, &only_a), None);
        assert_eq!(changed_file(&only_a, &[touched]), Some("a.rs".into()));
        assert_eq!(changed_file(&only_a, &[a, b]), Some("b.rs".into()));
        assert_eq!(changed_file(&only_a, &[]), Some("a.rs".into()));
    }
}
