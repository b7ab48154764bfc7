//! `.github/workflows/classroom.yml`: GitHub Classroom's autograding, one step per exercise.
//!
//! GitHub Classroom grades a student's push with two actions:
//!
//! * `classroom-resources/autograding-command-grader@v1`, once per test. Its inputs:
//!   `test-name` (the name shown to student and teacher, unique), `setup-command`
//!   (optional, run before the test), `command` (the test: exit code 0 is a pass),
//!   `timeout` (minutes before the test is stopped; default 10, at most 360) and
//!   `max-score` (the points a pass earns). Its output `result` is the test's result as
//!   base64-encoded JSON (`{"version":1,"status":"pass|fail|error","max_score":N,
//!   "tests":[...]}`, the schema `grade --json` writes).
//! * `classroom-resources/autograding-grading-reporter@v1`, last: its input `runners` lists
//!   the graders' step ids, comma separated, and for each id it reads the environment
//!   variable `<ID IN UPPER CASE>_RESULTS` holding that step's `result` output. It adds
//!   up the scores and reports them to GitHub Classroom.

use crate::course::{Course, Exercise, Lesson};
use crate::points::Points;

/// Minutes each exercise's test may take. The crate is built in an earlier step, so this
/// is for running the tests (seconds), with room for a slow runner.
const TIMEOUT_MINUTES: u32 = 5;

/// A YAML double-quoted string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The step id of an exercise: `exercise-3-2`.
pub fn step_id(exercise: &Exercise) -> String {
    format!("exercise-{}-{}", exercise.id.lesson, exercise.id.number)
}

/// The command that runs exactly one exercise's tests.
pub fn test_command(lesson: &Lesson, exercise: &Exercise) -> String {
    let crate_name = lesson.crate_name.as_deref().unwrap_or("netlab");
    format!(
        "cargo test -p {crate_name} --tests {}",
        exercise.id.test_filter()
    )
}

/// The workflow for the exercises of `chosen` (every exercise in the copy is graded, not
/// only the removed ones: the rest must keep passing).
pub fn workflow(course: &Course, points: &Points) -> String {
    let exercises: Vec<(&Lesson, &Exercise)> = course
        .exercises()
        .filter(|(lesson, _)| lesson.crate_name.is_some())
        .collect();
    let mut yaml = String::from(
        "# GitHub Classroom autograding, written by `cargo run -- starter`.\n\
         # One autograding-command-grader step per exercise: `command` runs exactly that\n\
         # exercise's tests (exit code 0 = pass), `max-score` is its points, `timeout` is in\n\
         # minutes. The reporter step adds up the steps listed in `runners`. To change the\n\
         # points, edit max-score here (and points.txt, which `cargo run -- grade` reads).\n\
         name: Autograding Tests\n\
         on:\n  - push\n  - repository_dispatch\n\
         permissions:\n  checks: write\n  actions: read\n  contents: read\n\
         jobs:\n  run-autograding-tests:\n    runs-on: ubuntu-latest\n\
         \x20   if: github.actor != 'github-classroom[bot]'\n\
         \x20   steps:\n\
         \x20     - name: Checkout code\n\
         \x20       uses: actions/checkout@v4\n\
         \x20     - name: Install the Rust toolchain\n\
         \x20       run: rustup toolchain install stable --profile minimal && rustup default stable\n\
         \x20     - name: Build the tests once (a compile error fails every exercise below)\n\
         \x20       run: cargo test --workspace --no-run\n\
         \x20       continue-on-error: true\n",
    );
    for (lesson, exercise) in &exercises {
        let name = format!("Exercise {}: {}", exercise.id, exercise.title);
        yaml.push_str(&format!(
            "      - name: {}\n        id: {}\n        \
             uses: classroom-resources/autograding-command-grader@v1\n        with:\n          \
             test-name: {}\n          setup-command: \"\"\n          command: {}\n          \
             timeout: {TIMEOUT_MINUTES}\n          max-score: {}\n",
            quoted(&name),
            step_id(exercise),
            quoted(&name),
            quoted(&test_command(lesson, exercise)),
            points.of(exercise.id),
        ));
    }
    yaml.push_str("      - name: Autograding Reporter\n");
    yaml.push_str("        uses: classroom-resources/autograding-grading-reporter@v1\n");
    yaml.push_str("        env:\n");
    for (_, exercise) in &exercises {
        let id = step_id(exercise);
        yaml.push_str(&format!(
            "          {}_RESULTS: \"${{{{steps.{id}.outputs.result}}}}\"\n",
            id.to_uppercase()
        ));
    }
    let ids: Vec<String> = exercises.iter().map(|(_, e)| step_id(e)).collect();
    yaml.push_str(&format!(
        "        with:\n          runners: {}\n",
        ids.join(",")
    ));
    yaml
}
