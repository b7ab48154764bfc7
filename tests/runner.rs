//! The course runner, `cargo run` at the top of the repository.
//!
//! Most tests run it in a copy of a tiny course, `tests/fixtures/course` (one crate,
//! `ping`, whose exercise 1.1 passes and 1.2 fails, and a lesson without a crate), so
//! the `cargo test` runs it starts stay fast. The test of `starter` on the real workspace
//! builds a second workspace: it is in `tests/runner_starter.rs`, `#[ignore]`d locally.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;

mod common;

use common::{CourseCopy, ROOT, copy_dir, in_copy, runner_without_locale, stderr_of, stdout_of};

/// The runner, in English whatever the tester's locale (`tests/runner_lang.rs` tests the
/// Chinese runner).
fn netlab() -> Command {
    let mut command = runner_without_locale();
    command.env("LANG", "C.UTF-8");
    command
}

/// A private copy of the fixture course, deleted when dropped.
struct Fixture(CourseCopy);

impl Fixture {
    fn new() -> Fixture {
        Fixture(CourseCopy::new("runner"))
    }

    /// netlab, run in the copy (which builds into its own `target/`).
    fn netlab(&self) -> Command {
        in_copy(netlab(), &self.dir)
    }

    fn lib_rs(&self) -> PathBuf {
        self.dir.join("crates/ping/src/lib.rs")
    }
}

impl std::ops::Deref for Fixture {
    type Target = CourseCopy;

    fn deref(&self) -> &CourseCopy {
        &self.0
    }
}

/// Runs python3 with a script on `input`; `None` (after a SKIP line) when python3 or
/// the module is missing and we are not in CI.
fn python(test: &str, module: &str, package: &str, script: &str, input: &str) -> Option<String> {
    let has_module = StdCommand::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_module {
        let line =
            format!("SKIP {test}: python3 with {module} missing (apt-get install {package})");
        assert!(!testkit::in_ci(), "{line}");
        eprintln!("{line}");
        return None;
    }
    let scratch = testkit::Scratch::new(&format!("runner-{test}"));
    let file = scratch.write("input.txt", input.as_bytes());
    let output = StdCommand::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python3 rejected it: {}\n{input}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).to_string())
}

// ---- the student's side, on the fixture ----

#[test]
fn status_table_shows_each_exercise_and_the_next_step() {
    let fixture = Fixture::new();
    let assert = fixture.netlab().assert().success();
    let stdout = stdout_of(&assert);
    assert!(stdout.contains(" 1  Ping, in words"), "{stdout}");
    assert!(
        stdout.contains("exercise 1.1   passing         The next port"),
        "{stdout}"
    );
    assert!(
        stdout.contains("exercise 1.2   failing         The reply"),
        "{stdout}"
    );
    assert!(
        stdout.contains("exercise 2.1   no crate yet    Later"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Next: exercise 1.2, The reply (failing)."),
        "{stdout}"
    );
    assert!(
        stderr_of(&assert).contains("netlab: running cargo test -p ping exercise_ ..."),
        "the progress line is on stderr"
    );

    // Nothing changed: the second call reuses the results and runs no tests.
    let again = fixture.netlab().assert().success();
    assert_eq!(stdout_of(&again), stdout);
    assert!(
        !stderr_of(&again).contains("running cargo test"),
        "{}",
        stderr_of(&again)
    );

    // A saved file runs the tests again.
    let text = fs::read_to_string(fixture.lib_rs()).unwrap();
    fs::write(fixture.lib_rs(), text + "\n").unwrap();
    let third = fixture.netlab().assert().success();
    assert!(stderr_of(&third).contains("running cargo test"));
}

#[test]
fn check_reports_the_first_failure_with_its_message_and_hint() {
    let fixture = Fixture::new();
    let assert = fixture.netlab().args(["check", "1"]).assert().code(1);
    let stdout = stdout_of(&assert);
    for expected in [
        "exercise 1.1   passing         The next port\n\
         exercise 1.2   failing         The reply\n",
        "test exercise_tests::exercise_1_2_reply_names_the_request failed:\n    \
         assertion `left == right` failed: the reply to one ping\n      \
         left: \"pong hello 1\"\n     right: \"pong: hello\"\n    \
         (at crates/ping/src/exercise_tests/ping.rs:",
        "hint:\n    `format!` builds a string.\n",
        "1/2 exercises pass.",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    // Not a wall of cargo output.
    assert!(
        !stdout.contains("Compiling") && !stdout.contains("running 3 tests"),
        "{stdout}"
    );
}

#[test]
fn check_of_a_passing_exercise_exits_0() {
    let fixture = Fixture::new();
    fixture
        .netlab()
        .args(["check", "1.1"])
        .assert()
        .success()
        .stdout("exercise 1.1   passing         The next port\n\n1/1 exercises pass.\n");
}

#[test]
fn check_upto_includes_earlier_lessons() {
    let fixture = Fixture::new();
    let assert = fixture
        .netlab()
        .args(["check", "--upto", "2"])
        .assert()
        .code(1);
    let stdout = stdout_of(&assert);
    assert!(
        stdout.contains("exercise 1.1") && stdout.contains("exercise 2.1"),
        "{stdout}"
    );
}

#[test]
fn unknown_exercise_or_lesson_is_a_usage_error() {
    let fixture = Fixture::new();
    fixture
        .netlab()
        .args(["check", "9.9"])
        .assert()
        .code(2)
        .stderr("error: there is no exercise 9.9\nhint: the exercises are 1.1, 1.2, 2.1\n");
    fixture
        .netlab()
        .args(["check", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: there is no lesson `nope`",
        ));
    fixture.netlab().args(["hint", "x"]).assert().code(2);
}

#[test]
fn hint_asked_twice_gives_the_stronger_hint() {
    let fixture = Fixture::new();
    let first = fixture.netlab().args(["hint", "1.2"]).assert().success();
    assert!(stdout_of(&first).contains("Hint 1 of 2:\n\n`format!` builds a string.\n"));
    let second = fixture.netlab().args(["hint", "1.2"]).assert().success();
    assert!(
        stdout_of(&second).contains("Hint 2 of 2:\n\n```text\nformat!(\"pong: {request}\")\n```")
    );
    // Other exercises keep their own count.
    let other = fixture.netlab().args(["hint", "1.1"]).assert().success();
    assert!(stdout_of(&other).contains("Hint:\n\n`u16::MAX` is 65535."));
}

#[test]
fn reset_asks_first_then_puts_the_starter_body_back() {
    let fixture = Fixture::new();
    let before = fs::read_to_string(fixture.lib_rs()).unwrap();
    fixture
        .netlab()
        .args(["reset", "1.1"])
        .write_stdin("n\n")
        .assert()
        .success()
        .stdout(predicate::str::contains("[y/N] Nothing changed."));
    assert_eq!(fs::read_to_string(fixture.lib_rs()).unwrap(), before);

    fixture
        .netlab()
        .args(["reset", "1.1", "--yes"])
        .assert()
        .success();
    let after = fs::read_to_string(fixture.lib_rs()).unwrap();
    assert!(after.contains(
        "    // exercise 1.1: begin\n    let _ = &port; // yours to use\n    \
         todo!(\"Exercise 1.1 (The next port): Write `next_port`.\")\n    // exercise 1.1: end\n"
    ));
    // The student's code was kept, and the exercise is now "not started".
    let saved = fs::read_dir(fixture.dir.join(".netlab/reset"))
        .unwrap()
        .count();
    assert_eq!(saved, 1);
    let assert = fixture.netlab().args(["check", "1.1"]).assert().code(1);
    assert!(stdout_of(&assert).contains("exercise 1.1   not started"));
}

#[test]
fn watch_notices_a_saved_file_and_checks_again() {
    let fixture = Fixture::new();
    let mut command = StdCommand::new(env!("CARGO_BIN_EXE_netlab"));
    command
        .args(["watch", "--interval-ms", "50", "--once-after-change"])
        .current_dir(&fixture.dir)
        .env_remove("CARGO_TARGET_DIR");
    testkit::in_english(&mut command);
    let mut watching = testkit::Running::start(command);
    watching.wait_for_stdout_containing("watching crates/ for changes");
    // Fix exercise 1.2: the file changes, and the rerun passes.
    let fixed = fs::read_to_string(fixture.lib_rs())
        .unwrap()
        .replace(
            "format!(\"pong {request} {count}\")",
            "format!(\"pong: {request}\")",
        )
        .replace(
            "reply(request: &str, count: usize)",
            "reply(request: &str, _count: usize)",
        );
    fs::write(fixture.lib_rs(), fixed).unwrap();
    watching.wait_for_stdout_containing("changed: crates/ping/src/lib.rs");
    let finished = watching.finish_within(Duration::from_secs(60));
    let stdout = finished.stdout_text();
    assert!(
        finished.status.success(),
        "{stdout}\n{}",
        finished.stderr_text()
    );
    // First the failing exercise, then after the change the same one passing.
    assert!(stdout.contains("exercise 1.2   failing"), "{stdout}");
    let after = stdout.split("changed:").nth(1).unwrap();
    assert!(after.contains("exercise 1.2   passing"), "{stdout}");
}

// ---- the teacher's side, on the fixture ----

#[test]
fn starter_copy_builds_without_warnings_and_fails_only_the_removed_exercise() {
    let fixture = Fixture::new();
    let copy = fixture.dir.join("student");
    fixture
        .netlab()
        .args([
            "starter",
            "student",
            "--exercises",
            "1.2",
            "--points",
            "1.2=3",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "todo!() in place of 1 solution(s): 1.2",
        ));
    assert!(copy.join("lessons/01-ping.md").is_file());
    let manifest = fs::read_to_string(copy.join("grading.txt")).unwrap();
    assert!(manifest.contains("\nexercise 1.2 3\n"), "{manifest}");
    assert!(!manifest.contains("exercise 1.1"), "{manifest}");

    // Builds, tests included, with every warning an error.
    let build = StdCommand::new(env!("CARGO"))
        .args(["build", "--all-targets", "--quiet"])
        .current_dir(&copy)
        .env_remove("CARGO_TARGET_DIR")
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );

    let student = |args: &[&str]| {
        let mut command = netlab();
        command
            .args(args)
            .current_dir(&copy)
            .env_remove("CARGO_TARGET_DIR");
        command.assert()
    };
    student(&["check", "1.1"]).success();
    let assert = student(&["check", "1.2"]).code(1);
    assert!(
        stdout_of(&assert).contains("exercise 1.2   not started"),
        "{}",
        stdout_of(&assert)
    );

    // Writing the right body makes exactly that exercise pass.
    let lib = copy.join("crates/ping/src/lib.rs");
    let text = fs::read_to_string(&lib).unwrap();
    let solved = text.replace(
        "todo!(\"Exercise 1.2 (The reply): Write `reply(request, count)`: `pong: ` and the request.\")",
        "format!(\"pong: {request}\")",
    );
    assert_ne!(text, solved, "the starter body is\n{text}");
    fs::write(&lib, solved).unwrap();
    student(&["check", "1"])
        .success()
        .stdout(predicate::str::contains("2/2 exercises pass."));
}

#[test]
fn starter_refuses_a_directory_that_is_not_empty() {
    let fixture = Fixture::new();
    fixture
        .netlab()
        .args(["starter", "lessons"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "lessons already exists and is not empty",
        ));
}

#[test]
fn grade_json_is_the_documented_schema_with_the_results() {
    let fixture = Fixture::new();
    let assert = fixture
        .netlab()
        .args(["grade", "--json", "--points", "1.2=3"])
        .assert()
        .success();
    let json = stdout_of(&assert);
    let script = r#"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["schema"] == "netlab-grade-1", report
assert sorted(report) == ["exercises", "max_score", "schema", "score", "tampered"], report
for test in report["exercises"]:
    assert sorted(test) == ["command", "duration_ms", "exercise", "file", "line",
        "max_score", "message", "name", "score", "state", "status"], test
    assert test["status"] in ("pass", "fail") and (test["message"] is None) == (test["status"] == "pass")
    print(test["exercise"], test["status"], test["state"], test["score"], test["max_score"], test["command"])
print("total", report["score"], report["max_score"], report["tampered"])
"#;
    let Some(summary) = python("grade_json", "json", "python3", script, &json) else {
        return;
    };
    // The course itself (no grading.txt): every exercise with a crate is graded.
    assert_eq!(
        summary,
        "1.1 pass passing 1 1 CI=true cargo run -q -- check 1.1 --grading\n\
         1.2 fail failing 0 3 CI=true cargo run -q -- check 1.2 --grading\ntotal 1 4 []\n"
    );
    let text = fixture.netlab().arg("grade").assert().success();
    assert!(
        stdout_of(&text).contains("total: 1/2 points"),
        "{}",
        stdout_of(&text)
    );
}

/// A workspace a test edits the way a student would, and runs netlab in.
struct Work {
    dir: PathBuf,
}

impl Work {
    fn netlab(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        in_copy(netlab(), &self.dir).args(args).assert()
    }

    fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.dir.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from:?} is not in {file}:\n{text}");
        fs::write(&path, text.replace(from, to)).unwrap();
    }

    /// Writes the right body of exercise 1.2 in place of its todo!().
    fn solve(&self) {
        self.edit(
            "crates/ping/src/lib.rs",
            "todo!(\"Exercise 1.2 (The reply): Write `reply(request, count)`: `pong: ` and the request.\")",
            "format!(\"pong: {request}\")",
        );
    }

    /// `grade`'s last lines: the total, and the grading files that differ.
    fn grade(&self) -> String {
        let text = stdout_of(&self.netlab(&["grade"]).success());
        text.split_once("\ntotal: ")
            .map_or(text.clone(), |(_, rest)| rest.to_string())
    }
}

/// A starter copy of the fixture (in `student/`) with exercise 1.2 removed, for 3 points.
fn student(fixture: &Fixture) -> Work {
    fixture
        .netlab()
        .args([
            "starter",
            "student",
            "--exercises",
            "1.2",
            "--points",
            "1.2=3",
        ])
        .assert()
        .success();
    Work {
        dir: fixture.dir.join("student"),
    }
}

const TEST_FILE: &str = "crates/ping/src/exercise_tests/ping.rs";

#[test]
fn grade_in_a_starter_copy_scores_only_the_removed_exercise() {
    let fixture = Fixture::new();
    let student = student(&fixture);
    // Untouched: 0 of the removed exercise's 3 points; 1.1 (not removed) is not graded.
    let graded = stdout_of(&student.netlab(&["grade"]).success());
    assert!(!graded.contains("exercise 1.1"), "{graded}");
    assert!(graded.contains("total: 0/3 points"), "{graded}");
    student.solve();
    assert_eq!(student.grade(), "3/3 points\n");
}

#[test]
fn a_renamed_test_or_a_deleted_mod_line_earns_nothing_and_is_named() {
    let fixture = Fixture::new();
    let student = student(&fixture);
    student.solve();
    student.edit(
        TEST_FILE,
        "fn exercise_1_2_reply_names_the_request",
        "fn reply_names_the_request",
    );
    assert_eq!(
        student.grade(),
        format!(
            "0/3 points\n\ngrading files that differ from grading.txt:\n  {TEST_FILE} (changed)\n"
        )
    );
    // The workflow's command fails too: no test of 1.2 ran.
    let check = student.netlab(&["check", "1.2", "--grading"]).code(1);
    assert!(
        stdout_of(&check).contains("exercise 1.2   no tests"),
        "{}",
        stdout_of(&check)
    );
    // The test file put back: the marks come back.
    student.edit(
        TEST_FILE,
        "fn reply_names_the_request",
        "fn exercise_1_2_reply_names_the_request",
    );
    assert_eq!(student.grade(), "3/3 points\n");
    student.netlab(&["check", "1.2", "--grading"]).success();

    // Without the line that pulls the tests in, no test runs: 0, and the file is named.
    student.edit(
        "crates/ping/src/lib.rs",
        "#[cfg(test)]\n#[path = \"exercise_tests/ping.rs\"]\nmod exercise_tests;\n",
        "",
    );
    let graded = stdout_of(&student.netlab(&["grade"]).success());
    assert!(graded.contains("exercise 1.2   no tests"), "{graded}");
    assert_eq!(
        student.grade(),
        "0/3 points\n\ngrading files that differ from grading.txt:\n  \
         crates/ping/src/lib.rs (its `mod exercise_tests` lines were changed)\n"
    );
    student.netlab(&["check", "1.2", "--grading"]).code(1);
}

#[test]
fn roster_grades_every_student_copy_into_one_csv() {
    let fixture = Fixture::new();
    let template = student(&fixture);
    let roster = fixture.dir.join("roster");
    let copy = |name: &str| {
        copy_dir(&template.dir, &roster.join(name));
        Work {
            dir: roster.join(name),
        }
    };
    copy("solved").solve();
    // A test changed so that it still passes: the copy earns nothing for it.
    let tampered = copy("tampered");
    tampered.solve();
    tampered.edit(
        TEST_FILE,
        "\"pong: hello\",",
        "\"pong: hello\".to_string(),",
    );
    copy("untouched");
    let assert = template
        .netlab(&["grade", "--roster", roster.to_str().unwrap(), "--csv"])
        .success();
    assert_eq!(
        stdout_of(&assert),
        format!(
            "repository,1.2,total,max,tampered,error\n\
             solved,3,3,3,,\n\
             tampered,0,0,3,{TEST_FILE} (changed),\n\
             untouched,0,0,3,,\n"
        )
    );
}

#[test]
fn classroom_workflow_is_yaml_grading_exactly_the_removed_exercises() {
    let fixture = Fixture::new();
    let student = student(&fixture);
    let yaml = fs::read_to_string(student.dir.join(".github/workflows/classroom.yml")).unwrap();
    let script = r#"
import sys, yaml
workflow = yaml.safe_load(open(sys.argv[1]))
assert "checks" not in workflow["permissions"], workflow["permissions"]
steps = workflow["jobs"]["run-autograding-tests"]["steps"]
assert steps[0]["with"]["fetch-depth"] == 0, steps[0]
restore = steps[1]["run"]
assert "git rev-list --max-parents=0 HEAD" in restore, restore
for path in ("grading.txt", "crates/ping/src/exercise_tests/ping.rs", ".github/workflows/classroom.yml"):
    assert "'" + path + "'" in restore, (path, restore)
graders = [s for s in steps if s.get("uses") == "classroom-resources/autograding-command-grader@v1"]
reporter = steps[-1]
assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
assert reporter["with"]["runners"].split(",") == [s["id"] for s in graders]
for step in graders:
    assert step["id"].upper() + "_RESULTS" in reporter["env"], step
    w = step["with"]
    print(w["test-name"], "|", w["command"], "|", w["timeout"], w["max-score"])
"#;
    let Some(steps) = python("classroom_yaml", "yaml", "python3-yaml", script, &yaml) else {
        return;
    };
    // Only 1.2 was removed: 1.1 is not graded. CI=true is set inside the command.
    assert_eq!(
        steps,
        "Exercise 1.2: The reply | CI=true cargo run -q -- check 1.2 --grading | 10 3\n"
    );
}

#[test]
fn dev_check_names_an_exercise_without_hint_or_solution() {
    let fixture = Fixture::new();
    fixture.netlab().arg("dev-check").assert().success();
    let lesson = fixture.dir.join("lessons/01-ping.md");
    let text = fs::read_to_string(&lesson).unwrap();
    fs::write(
        &lesson,
        text + "\n### Exercise 1.3: Extra\n\nNo hint, no solution.\n",
    )
    .unwrap();
    fixture
        .netlab()
        .arg("dev-check")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "problem: lessons/01-ping.md: exercise 1.3 has no <details><summary>Hint</summary> section",
        ))
        .stdout(predicate::str::contains("exercise 1.3 has 0 `// exercise 1.3: begin` markers"));
}

#[test]
fn outside_a_workspace_is_an_error_not_a_panic() {
    netlab()
        .arg("check")
        .current_dir(std::env::temp_dir())
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: "));
}

// ---- the real workspace (nothing here runs cargo) ----

#[test]
fn lessons_lists_every_lesson_with_its_test_command() {
    let assert = netlab().arg("lessons").assert().success();
    let stdout = stdout_of(&assert);
    for lesson in fs::read_dir(Path::new(ROOT).join("lessons"))
        .expect("lessons/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().to_string())
        // Lessons are `NN-<crate>.md`; README.md and teachers.md are guides.
        .filter(|name| name.ends_with(".md") && name.starts_with(|c: char| c.is_ascii_digit()))
    {
        assert!(
            stdout.contains(&format!("lessons/{lesson}")),
            "lessons/{lesson} is missing from the lesson table:\n{stdout}"
        );
    }
    assert!(stdout.contains("cargo test -p udp-basic"), "{stdout}");
}

/// The crates under `crates/` that support the exercises and are not lessons themselves.
const SUPPORT_CRATES: [&str; 8] = [
    "testkit",
    "wire-text",
    "hostport",
    "unsolved",
    "say",
    "exit-report",
    "first-datagram",
    "ladder",
];

#[test]
fn every_exercise_crate_has_a_lesson_in_the_table() {
    let crates = fs::read_dir(Path::new(ROOT).join("crates")).expect("crates/ exists");
    let assert = netlab().arg("lessons").assert().success();
    let stdout = stdout_of(&assert);
    for entry in crates.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().to_string();
        if SUPPORT_CRATES.contains(&name.as_str()) {
            continue;
        }
        assert!(
            stdout.contains(&format!("cargo test -p {name}")),
            "crate {name} has no row in the lesson table:\n{stdout}"
        );
    }
}

/// rustlings' `dev check`, the part that reads files: every exercise of every lesson has
/// a statement, a hint, one solution between markers and tests named after it.
#[test]
fn dev_check_passes_on_the_real_lessons() {
    netlab()
        .arg("dev-check")
        .assert()
        .success()
        .stdout(predicate::str::contains(" 0 problem(s)"));
}

#[test]
fn tour_runs_the_udp_demo_offline() {
    netlab()
        .arg("tour")
        .assert()
        .success()
        .stdout(predicate::str::contains("the bytes:          c4 e3 ba c3"))
        .stdout(predicate::str::contains("decoded as GBK:     你好"));
}

#[test]
fn tour_has_a_demo_for_every_lesson_with_a_crate() {
    let assert = netlab().arg("tour").assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let crates = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/crates"))
        .expect("crates/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().to_string());
    for name in crates {
        if SUPPORT_CRATES.contains(&name.as_str()) {
            continue;
        }
        assert!(
            stdout.contains(&format!("  {name}: ")),
            "`cargo run -- tour` has no demo of {name} (add its tour to DEMOS in src/tour.rs):\n{stdout}"
        );
    }
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    netlab().arg("frobnicate").assert().code(2);
}
