//! `cargo run -- starter DIR [--lessons 1,3] [--exercises 3.2,4.1] [--points 3.2=4]`:
//! a student's copy of the workspace, with the chosen solutions replaced by `todo!()`.
//!
//! Everything else is copied as it is (lessons, tests, the other solutions), so in the
//! copy exactly the removed exercises fail. Like Exercism's stubs, a starter body still
//! compiles, and without warnings: see `solution.rs`. The copy also gets its grading
//! manifest, `grading.txt` (`manifest.rs`: the removed exercises, their points, the
//! SHA-256 of every grading file), and the GitHub Classroom workflow (`classroom.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::allow_unused;
use crate::classroom;
use crate::course::{Course, Exercise, ExerciseId, Lesson};
use crate::coverage;
use crate::error::{Error, io_error};
use crate::manifest;
use crate::points::Points;
use crate::solution;
use crate::state;

pub struct StarterOptions<'a> {
    pub lessons: &'a [String],
    pub exercises: &'a [ExerciseId],
    pub points: Points,
}

/// The exercises to remove: those named, plus every exercise of the lessons named; all of
/// them when nothing is named.
fn chosen<'a>(
    course: &'a Course,
    options: &StarterOptions,
) -> Result<Vec<(&'a Lesson, &'a Exercise)>, Error> {
    let mut ids: Vec<ExerciseId> = options.exercises.to_vec();
    for name in options.lessons {
        let lesson = course.lesson(name)?;
        ids.extend(lesson.exercises.iter().map(|e| e.id));
    }
    if options.lessons.is_empty() && options.exercises.is_empty() {
        ids.extend(course.exercises().map(|(_, e)| e.id));
    }
    ids.sort();
    ids.dedup();
    let mut chosen = Vec::new();
    for id in ids {
        let (lesson, exercise) = course.exercise(id)?;
        match &lesson.crate_name {
            Some(_) => chosen.push((lesson, exercise)),
            // A lesson still being written: nothing to remove yet.
            None if options.exercises.contains(&id) => {
                return Err(Error::usage(
                    course.lang.reset_without_crate(id, lesson.number),
                ));
            }
            None => {}
        }
    }
    Ok(chosen)
}

/// Copies `from` into `to`, but not build output (`target/`, and the built books
/// `book/en/` and `book/zh-CN/`, whose code pages hold the reference solutions), git data
/// or netlab's cache. `skip` is the destination itself, when it lies inside the workspace.
fn copy_tree(from: &Path, to: &Path, skip: &Path) -> Result<usize, Error> {
    fs::create_dir_all(to).map_err(io_error(format!("creating {}", to.display())))?;
    let mut copied = 0;
    let entries = fs::read_dir(from).map_err(io_error(format!("reading {}", from.display())))?;
    for entry in entries {
        let entry = entry.map_err(io_error(format!("reading {}", from.display())))?;
        let path = entry.path();
        let name = entry.file_name();
        if ["target", ".git", ".netlab"]
            .iter()
            .any(|skip| name == *skip)
            || path == skip
            || is_built_book(from, &name)
        {
            continue;
        }
        let file_type = entry
            .file_type()
            .map_err(io_error(format!("reading {}", path.display())))?;
        let destination = to.join(&name);
        if file_type.is_dir() {
            copied += copy_tree(&path, &destination, skip)?;
        } else if file_type.is_file() {
            fs::copy(&path, &destination)
                .map_err(io_error(format!("copying {}", path.display())))?;
            copied += 1;
        }
        // Symbolic links and other special files are not part of the course.
    }
    Ok(copied)
}

/// `book/en` and `book/zh-CN`: what `netlab-book build` writes.
fn is_built_book(parent: &Path, name: &std::ffi::OsStr) -> bool {
    parent.file_name() == Some(std::ffi::OsStr::new("book")) && (name == "en" || name == "zh-CN")
}

fn read(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(io_error(format!("reading {}", path.display())))
}

fn write(path: &Path, text: &str) -> Result<(), Error> {
    fs::write(path, text).map_err(io_error(format!("writing {}", path.display())))
}

/// Marks what the removed solutions of one crate left unused (see `allow_unused.rs`), so the
/// copy builds without warnings. `originals` holds the changed files' text from before.
fn allow_what_was_left_unused(
    dir: &Path,
    crate_name: &str,
    originals: &BTreeMap<PathBuf, String>,
) -> Result<(), Error> {
    let mut paths = Vec::new();
    let mut found = Vec::new();
    state::files_under(&dir.join("crates").join(crate_name).join("src"), &mut found);
    for (path, _, _) in found {
        if path.extension().is_some_and(|ext| ext == "rs") {
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::new();
    for path in &paths {
        let after = read(path)?;
        let before = originals
            .get(path)
            .cloned()
            .unwrap_or_else(|| after.clone());
        let after = allow_unused::mark_unused_imports(&before, &after);
        files.push((before, after));
    }
    for (path, text) in paths.iter().zip(allow_unused::mark_dead_code(&files)) {
        if originals.contains_key(path) || text != read(path)? {
            write(path, &text)?;
        }
    }
    Ok(())
}

pub fn run(
    course: &Course,
    dir: &Path,
    options: &StarterOptions,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let chosen = chosen(course, options)?;
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map(|mut e| e.next().is_none())
            .unwrap_or(false);
        if !empty {
            let (message, hint) = course.lang.directory_not_empty(&dir.display().to_string());
            return Err(Error::usage(message).with_hint(hint));
        }
    }
    let absolute_dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    copy_tree(&course.root, dir, &absolute_dir)?;
    let mut removed = Vec::new();

    // Replace the chosen solutions one at a time, finding the markers again each time:
    // a replacement changes the line numbers of what follows it in the same file.
    let mut originals: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut crates = BTreeSet::new();
    for (lesson, exercise) in &chosen {
        let crate_name = lesson.crate_name.as_deref().unwrap_or_default();
        crates.insert(crate_name.to_string());
        let solutions = solution::find_in_crate(dir, crate_name)?;
        let Some(found) = solutions.iter().find(|s| s.id == exercise.id) else {
            return Err(Error::runtime(
                course.lang.no_begin_marker(exercise.id, crate_name),
            ));
        };
        let path = dir.join(&found.file);
        let text = read(&path)?;
        originals
            .entry(path.clone())
            .or_insert_with(|| text.clone());
        let body = solution::starter_body(found, exercise);
        write(&path, &solution::replace_body(&text, found, &body))?;
        removed.push(exercise.id.to_string());
    }
    for crate_name in &crates {
        allow_what_was_left_unused(dir, crate_name, &originals)?;
    }

    // The manifest: the removed exercises with their points, and the grading files.
    let given = Points::load(&course.root)?.merge(&options.points);
    let graded: Vec<(ExerciseId, u32)> = chosen
        .iter()
        .map(|(lesson, exercise)| {
            let crate_name = lesson.crate_name.as_deref().unwrap_or_default();
            let points = given
                .get(exercise.id)
                .unwrap_or_else(|| coverage::default_points(crate_name, exercise.id));
            (exercise.id, points)
        })
        .collect();
    let crate_names: Vec<&str> = crates.iter().map(String::as_str).collect();
    let copy = Course::load(dir)?;
    let workflow = dir.join(classroom::WORKFLOW);
    if let Some(parent) = workflow.parent() {
        fs::create_dir_all(parent).map_err(io_error(format!("creating {}", parent.display())))?;
    }
    // The workflow lists the grading files, and is one of them: write it from the list,
    // then hash everything.
    let mut listed = manifest::build(dir, graded.clone(), &crate_names, classroom::WORKFLOW)?;
    listed
        .files
        .push((classroom::WORKFLOW.to_string(), String::new()));
    listed.files.sort();
    write(&workflow, &classroom::workflow(&copy, &listed))?;
    let manifest = manifest::build(dir, graded.clone(), &crate_names, classroom::WORKFLOW)?;
    write(&dir.join(manifest::FILE), &manifest.to_text())?;

    let output = || io_error("writing");
    let written = course.lang.starter_written(
        &dir.display().to_string(),
        &removed,
        manifest::FILE,
        graded.iter().map(|(_, points)| points).sum::<u32>(),
        manifest.files.len(),
        classroom::WORKFLOW,
    );
    writeln!(out, "{written}").map_err(output())?;
    writeln!(
        out,
        "{}",
        course.lang.starter_next(&dir.display().to_string())
    )
    .map_err(output())?;
    Ok(())
}
