//! `cargo run -- check [LESSON|EXERCISE] [--upto LESSON]`: run the tests, one line per
//! exercise, and for the first failure its message and hint instead of a wall of cargo
//! output. Like CS144's `make check3`, `--upto 3` also re-checks lessons 1 and 2: later
//! work must not break earlier work.

use std::io::Write;

use crate::course::{Course, Exercise, ExerciseId, Lesson};
use crate::error::{Error, io_error};
use crate::exercise_status::{self, Freshness, Status};
use crate::lang::Lang;
use crate::manifest::Manifest;
use crate::progress::ProgressLine;
use crate::table::pad;

/// The exercises a check covers, grouped by lesson, in course order.
pub type Selection<'a> = Vec<(&'a Lesson, Vec<&'a Exercise>)>;

/// Which exercises `check TARGET --upto UPTO` means. No target and no `--upto`: all.
pub fn select<'a>(
    course: &'a Course,
    target: Option<&str>,
    upto: Option<&str>,
) -> Result<Selection<'a>, Error> {
    let mut chosen: Selection<'a> = Vec::new();
    let mut add = |lesson: &'a Lesson, exercise: &'a Exercise| match chosen
        .iter_mut()
        .find(|(l, _)| l.number == lesson.number)
    {
        Some((_, exercises)) if !exercises.iter().any(|e| e.id == exercise.id) => {
            exercises.push(exercise)
        }
        Some(_) => {}
        None => chosen.push((lesson, vec![exercise])),
    };
    if let Some(upto) = upto {
        let last = course.lesson(upto)?.number;
        for lesson in course.lessons.iter().filter(|l| l.number <= last) {
            lesson.exercises.iter().for_each(|e| add(lesson, e));
        }
    }
    match target {
        Some(target) if target.contains('.') => {
            let id = target.parse().map_err(Error::usage)?;
            let (lesson, exercise) = course.exercise(id)?;
            add(lesson, exercise);
        }
        Some(target) => {
            let lesson = course.lesson(target)?;
            if lesson.exercises.is_empty() {
                return Err(Error::usage(
                    course
                        .lang
                        .lesson_without_exercises(lesson.number, &lesson.file),
                ));
            }
            lesson.exercises.iter().for_each(|e| add(lesson, e));
        }
        None if upto.is_none() => {
            // Everything there is to check: lessons still without a crate are left out.
            for (lesson, exercise) in course.exercises() {
                if lesson.crate_name.is_some() {
                    add(lesson, exercise);
                }
            }
        }
        None => {}
    }
    chosen.sort_by_key(|(lesson, _)| lesson.number);
    for (_, exercises) in &mut chosen {
        exercises.sort_by_key(|e| e.id);
    }
    Ok(chosen)
}

/// Runs the selection's tests and prints the report. Returns whether every exercise passed
/// (an exercise none of whose own tests ran does not pass). `ci` runs the tests with
/// `CI=true`, as grading does (`check --grading`).
pub fn run(
    course: &Course,
    selection: &Selection,
    ci: bool,
    out: &mut dyn Write,
) -> Result<bool, Error> {
    let output = || io_error("writing the report");
    let lang = course.lang;
    let mut progress = ProgressLine::new();
    let mut first_problem: Option<(&Lesson, &Exercise, Status)> = None;
    let (mut passed, mut total) = (0, 0);
    for (lesson, exercises) in selection {
        let statuses = exercise_status::statuses(
            course,
            lesson,
            exercises,
            Freshness::Fresh,
            ci,
            &mut progress,
        )?;
        for (exercise, (_, status)) in exercises.iter().zip(statuses) {
            total += 1;
            writeln!(
                out,
                "{}",
                exercise_line(lang, exercise.id, &exercise.title, &status)
            )
            .map_err(output())?;
            if status.is_passing() {
                passed += 1;
            } else if first_problem.is_none() {
                first_problem = Some((lesson, exercise, status));
            }
        }
    }
    progress.clear();
    writeln!(out).map_err(output())?;
    match first_problem {
        None => writeln!(out, "{}", lang.exercises_pass(passed, total)).map_err(output())?,
        Some((lesson, exercise, status)) => {
            explain(course, lesson, exercise, &status, out).map_err(output())?;
            writeln!(out, "\n{}", lang.exercises_pass(passed, total)).map_err(output())?;
        }
    }
    Ok(passed == total)
}

/// For `check --grading`: whether the grading files that can change the checked
/// exercises' grades are as `grading.txt` says (true when there is no manifest: the
/// course itself). Names the ones that are not.
pub fn grading_files_intact(
    course: &Course,
    selection: &Selection,
    out: &mut dyn Write,
) -> Result<bool, Error> {
    let Some(manifest) = Manifest::load(&course.root)? else {
        return Ok(true);
    };
    let all = manifest.tampered(&course.root);
    let mut tampered: Vec<String> = Vec::new();
    for (lesson, exercises) in selection {
        let crate_name = lesson.crate_name.as_deref().unwrap_or_default();
        for entry in &all {
            if exercises
                .iter()
                .any(|e| manifest.affects(&entry.path, crate_name, e.id))
            {
                tampered.push(entry.to_string());
            }
        }
    }
    tampered.sort();
    tampered.dedup();
    for entry in &tampered {
        writeln!(
            out,
            "{}",
            course.lang.grading_file_changed(&entry.to_string())
        )
        .map_err(io_error("writing the report"))?;
    }
    Ok(tampered.is_empty())
}

/// `exercise 1.2  failing      Count the losses` (padded by the width a terminal shows,
/// so Chinese labels line up too).
pub fn exercise_line(lang: Lang, id: ExerciseId, title: &str, status: &Status) -> String {
    format!(
        "{} {:<5} {} {title}",
        lang.exercise_word(),
        id.to_string(),
        pad(status.label(lang), 15)
    )
}

/// What went wrong with one exercise, its first hint, and what to run next.
pub fn explain(
    course: &Course,
    lesson: &Lesson,
    exercise: &Exercise,
    status: &Status,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let id = exercise.id;
    let lang = course.lang;
    writeln!(
        out,
        "{}",
        lang.exercise_heading(id, &exercise.title, status.label(lang))
    )?;
    match status {
        Status::Passing => {}
        Status::Failing { test, message } => {
            writeln!(out, "{}", lang.test_failed(test))?;
            for line in message.lines() {
                writeln!(out, "    {line}")?;
            }
        }
        Status::NotStarted => {
            let place = exercise_status::solution_of(course, lesson, id)
                .ok()
                .flatten()
                .map(|s| s.file.display().to_string());
            writeln!(out, "{}", lang.still_todo(place.as_deref()))?;
        }
        Status::DoesNotBuild(error) => {
            writeln!(out, "{}", lang.does_not_compile())?;
            for line in error.lines() {
                writeln!(out, "    {line}")?;
            }
        }
        Status::NoTests => {
            writeln!(out, "{}", lang.no_tests_ran(&id.test_filter()))?;
        }
        Status::NoCrate => {
            writeln!(out, "{}", lang.no_crate_yet(lesson.number))?;
        }
    }
    // A compile error is about the code as it is, not about this exercise: no hint.
    let hint = match status {
        Status::DoesNotBuild(_) => None,
        _ => exercise.hints.first(),
    };
    if let Some(hint) = hint {
        writeln!(out, "\n{}", lang.hint_heading())?;
        for line in hint.lines() {
            writeln!(out, "    {line}")?;
        }
        if exercise.hints.len() > 1 {
            writeln!(out, "{}", lang.stronger_hint_twice(id))?;
        }
    }
    writeln!(out, "\n{}", lang.statement_is_in(&lesson.file, id))?;
    writeln!(out, "{}", lang.check_again(id))?;
    Ok(())
}
