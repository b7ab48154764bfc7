//! `.github/workflows/classroom.yml`: GitHub Classroom's autograding, one step per
//! exercise the starter copy removed.
//!
//! GitHub Classroom grades a student's push with two actions:
//!
//! * `classroom-resources/autograding-command-grader@v1`, once per test. Its inputs:
//!   `test-name` (the name shown to student and teacher, unique), `setup-command`
//!   (optional, run before the test), `command` (the test: exit code 0 is a pass),
//!   `timeout` (minutes before the test is stopped; default 10, at most 360) and
//!   `max-score` (the points a pass earns). It runs `command` with only `PATH`, `HOME`
//!   and `FORCE_COLOR` in the environment, so our command sets `CI=true` itself. Its
//!   output `result` is the step's result, base64-encoded JSON that only the reporter
//!   reads (`grade --json` writes netlab's own schema, not this one).
//! * `classroom-resources/autograding-grading-reporter@v1`, last: its input `runners` lists
//!   the graders' step ids, comma separated, and for each id it reads the environment
//!   variable `<ID IN UPPER CASE>_RESULTS` holding that step's `result` output. It adds
//!   up the scores and reports them to GitHub Classroom.
//!
//! Each step's command is `CI=true cargo run -q -- check N.M --grading`: the same code as
//! `cargo run -- grade`, which exits 1 when a test failed and when no test of the
//! exercise ran. Before any of them, the workflow puts back every grading file listed in
//! `grading.txt` as it was in the repository's first commit (the template's), so a
//! student's change to a test does not count.

use crate::course::{Course, ExerciseId};
use crate::manifest::{self, Manifest};

/// Where `starter` writes the workflow.
pub const WORKFLOW: &str = ".github/workflows/classroom.yml";

/// Minutes each exercise's tests may take. Everything is built in an earlier step, so
/// this is for running the tests (the lossy TFTP transfers take the longest), with room
/// for a slow runner.
const TIMEOUT_MINUTES: u32 = 10;

/// The peer tools the graded tests use (`coverage.rs`): with `CI=true` a missing one is
/// a failure, so the workflow installs them.
const PEER_TOOLS: &str = "python3 netcat-openbsd socat";

/// A YAML double-quoted string.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The step id of an exercise: `exercise-3-2`.
pub fn step_id(id: ExerciseId) -> String {
    format!("exercise-{}-{}", id.lesson, id.number)
}

/// The command that grades one exercise, in the workflow and in `grade --json`.
pub fn grading_command(id: ExerciseId) -> String {
    format!("CI=true cargo run -q -- check {id} --grading")
}

/// The workflow for the exercises of `manifest` (those the starter removed).
pub fn workflow(course: &Course, manifest: &Manifest) -> String {
    let mut yaml = String::from(
        "# GitHub Classroom autograding, written by `cargo run -- starter`.\n\
         # One autograding-command-grader step per exercise removed from this copy: its\n\
         # `command` runs that exercise's tests (exit code 0 = pass; no test = fail),\n\
         # `max-score` is its points (from grading.txt), `timeout` is in minutes. The\n\
         # reporter step adds up the steps listed in `runners`. Add no tests in the\n\
         # Classroom UI: that replaces this file.\n\
         name: Autograding Tests\n\
         on:\n  - push\n  - repository_dispatch\n\
         permissions:\n  actions: read\n  contents: read\n\
         jobs:\n  run-autograding-tests:\n    runs-on: ubuntu-latest\n\
         \x20   if: github.actor != 'github-classroom[bot]'\n\
         \x20   steps:\n\
         \x20     - name: Checkout code\n\
         \x20       uses: actions/checkout@v4\n\
         \x20       with:\n\
         \x20         fetch-depth: 0\n\
         \x20     - name: Put back the grading files from the first commit (the template's)\n\
         \x20       run: |\n\
         \x20         first=$(git rev-list --max-parents=0 HEAD | tail -n 1)\n",
    );
    let mut files = vec![manifest::FILE.to_string()];
    files.extend(manifest.files.iter().map(|(path, _)| path.clone()));
    yaml.push_str("          git checkout \"$first\" -- \\\n");
    for (index, file) in files.iter().enumerate() {
        let end = if index + 1 < files.len() { " \\" } else { "" };
        yaml.push_str(&format!("            '{file}'{end}\n"));
    }
    yaml.push_str(&format!(
        "      - name: Install the Rust toolchain\n\
         \x20       run: rustup toolchain install stable --profile minimal && rustup default stable\n\
         \x20     - name: Install the peer tools the tests use\n\
         \x20       run: sudo apt-get update -q && sudo apt-get install -y -q {PEER_TOOLS}\n\
         \x20     - name: Build the runner and the tests once (a compile error fails every exercise)\n\
         \x20       run: cargo build -q && cargo test --workspace --no-run -q\n\
         \x20       continue-on-error: true\n"
    ));
    let graded: Vec<_> = course
        .exercises()
        .filter(|(_, exercise)| manifest.points_of(exercise.id).is_some())
        .map(|(_, exercise)| exercise)
        .collect();
    for exercise in &graded {
        let name = format!("Exercise {}: {}", exercise.id, exercise.title);
        yaml.push_str(&format!(
            "      - name: {}\n        id: {}\n        \
             uses: classroom-resources/autograding-command-grader@v1\n        with:\n          \
             test-name: {}\n          setup-command: \"\"\n          command: {}\n          \
             timeout: {TIMEOUT_MINUTES}\n          max-score: {}\n",
            quoted(&name),
            step_id(exercise.id),
            quoted(&name),
            quoted(&grading_command(exercise.id)),
            manifest.points_of(exercise.id).unwrap_or(1),
        ));
    }
    yaml.push_str("      - name: Autograding Reporter\n");
    yaml.push_str("        uses: classroom-resources/autograding-grading-reporter@v1\n");
    yaml.push_str("        env:\n");
    for exercise in &graded {
        let id = step_id(exercise.id);
        yaml.push_str(&format!(
            "          {}_RESULTS: \"${{{{steps.{id}.outputs.result}}}}\"\n",
            id.to_uppercase()
        ));
    }
    let ids: Vec<String> = graded.iter().map(|e| step_id(e.id)).collect();
    yaml.push_str(&format!(
        "        with:\n          runners: {}\n",
        ids.join(",")
    ));
    yaml
}
