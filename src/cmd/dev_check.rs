//! `cargo run -- dev-check`, for lesson writers (rustlings' `dev check`): every exercise
//! in a lesson has a statement, a hint, a solution between markers and tests with its
//! name; every solution marker belongs to an exercise of the lesson. It reads files
//! only; the `#[ignore]`d test in `tests/runner_starter.rs` runs the tests themselves.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::course::Course;
use crate::error::{Error, io_error};
use crate::solution;

/// Every problem found, one sentence each.
pub fn problems(course: &Course) -> Result<Vec<String>, Error> {
    let mut problems = Vec::new();
    for lesson in &course.lessons {
        let file = &lesson.file;
        let mut seen = Vec::new();
        for exercise in &lesson.exercises {
            let id = exercise.id;
            if seen.contains(&id) {
                problems.push(format!("{file}: exercise {id} appears twice"));
            }
            seen.push(id);
            if id.lesson != lesson.number {
                problems.push(format!(
                    "{file}: exercise {id} should be numbered {}.{} in lesson {}",
                    lesson.number, id.number, lesson.number
                ));
            }
            if exercise.statement.is_empty() {
                problems.push(format!("{file}: exercise {id} has no statement"));
            }
            if exercise.hints.is_empty() {
                problems.push(format!(
                    "{file}: exercise {id} has no <details><summary>Hint</summary> section"
                ));
            }
        }
        let Some(crate_name) = &lesson.crate_name else {
            continue;
        };
        let solutions = match solution::find_in_crate(&course.root, crate_name) {
            Ok(solutions) => solutions,
            Err(error) => {
                problems.push(error.message);
                continue;
            }
        };
        let crate_dir = course.root.join("crates").join(crate_name);
        let mut sources = String::new();
        read_rust_sources(&crate_dir, &mut sources);
        for exercise in &lesson.exercises {
            let id = exercise.id;
            let count = solutions.iter().filter(|s| s.id == id).count();
            if count != 1 {
                problems.push(format!(
                    "crates/{crate_name}: exercise {id} has {count} `// exercise {id}: begin` \
                     markers (want exactly 1)"
                ));
            }
            if !sources.contains(&format!("fn {}_", id.test_filter())) {
                problems.push(format!(
                    "crates/{crate_name}: no test named {}_... for exercise {id}",
                    id.test_filter()
                ));
            }
        }
        // A student edits the files that hold solutions: tests there could be changed
        // quietly. They belong in `src/exercise_tests/` (see lessons/teachers.md).
        let mut files: Vec<&Path> = solutions.iter().map(|s| s.file.as_path()).collect();
        files.sort();
        files.dedup();
        for file in files {
            let text = fs::read_to_string(course.root.join(file)).unwrap_or_default();
            if text.contains("fn exercise_") {
                problems.push(format!(
                    "{}: holds a solution and exercise tests: move the tests to a file of \
                     their own (src/exercise_tests/, declared with #[path])",
                    file.display()
                ));
            }
        }
        for solution in &solutions {
            if !lesson.exercises.iter().any(|e| e.id == solution.id) {
                problems.push(format!(
                    "{}: exercise {} has a solution but no `### Exercise {}: ...` in {file}",
                    solution.file.display(),
                    solution.id,
                    solution.id
                ));
            }
        }
    }
    Ok(problems)
}

/// All `.rs` text under a crate (sources and tests), to look for test names.
fn read_rust_sources(dir: &Path, out: &mut String) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() && entry.file_name() != "target" {
            read_rust_sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push_str(&fs::read_to_string(&path).unwrap_or_default());
        }
    }
}

/// Prints the problems; returns whether there were none.
pub fn run(course: &Course, out: &mut dyn Write) -> Result<bool, Error> {
    let problems = problems(course)?;
    let output = || io_error("writing");
    let exercises = course.exercises().count();
    for problem in &problems {
        writeln!(out, "problem: {problem}").map_err(output())?;
    }
    for lesson in course.lessons.iter().filter(|l| l.crate_name.is_none()) {
        if !lesson.exercises.is_empty() {
            writeln!(out, "note: {} has exercises but no crate yet", lesson.file)
                .map_err(output())?;
        }
    }
    writeln!(
        out,
        "{} lessons, {exercises} exercises, {} problem(s)",
        course.lessons.len(),
        problems.len()
    )
    .map_err(output())?;
    Ok(problems.is_empty())
}
