//! Running an exercise crate's tests with `cargo test`, and reading what libtest printed.
//!
//! libtest (the harness behind `#[test]`) prints one line per test,
//! `test tests::exercise_1_2_counts ... ok` (or `FAILED`, or `ignored`), and after all
//! of them one block per failure, `---- tests::exercise_1_2_counts stdout ----`, with the
//! panic message: that message is what a student needs, not the rest of cargo's output.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::Error;

/// How one test ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// With the failure's message: the panic text, or the whole captured output.
    Failed(String),
    Ignored,
}

/// What one `cargo test` run said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TestRun {
    /// Set when the crate (or its tests) did not compile: the first compiler error.
    pub build_error: Option<String>,
    /// Every test that ran, by the full name libtest printed.
    pub tests: Vec<(String, Outcome)>,
}

/// The cargo to run: the one that started us (`cargo run` sets `CARGO`), else `cargo`.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"))
}

/// Which tests one `cargo test` run selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection<'a> {
    /// The tests of every test target (unit and integration) whose names contain this.
    Named(&'a str),
    /// Every test of one integration test file, `tests/<name>.rs`.
    File(&'a str),
}

impl Selection<'_> {
    /// What the tests of this run are called in a `TestRun`: a file's tests get the prefix
    /// `tests/<name>.rs::`, so they stay apart from the unit tests of the same name.
    pub fn prefix(&self) -> String {
        match self {
            Selection::Named(_) => String::new(),
            Selection::File(name) => format!("tests/{name}.rs::"),
        }
    }
}

/// The command a student would type for the same run.
pub fn command_line(crate_name: &str, selection: Selection) -> String {
    match selection {
        Selection::Named(filter) => format!("cargo test -p {crate_name} {filter}"),
        Selection::File(name) => format!("cargo test -p {crate_name} --test {name}"),
    }
}

/// Runs `cargo test -p <crate_name>` with `selection` in the workspace at `root`. With
/// `ci`, the tests run with `CI=true`, as in CI and in grading: a test that needs a
/// missing peer tool fails instead of skipping.
pub fn run_cargo_test(
    root: &Path,
    crate_name: &str,
    selection: Selection,
    ci: bool,
) -> Result<TestRun, Error> {
    let mut command = Command::new(cargo());
    command.current_dir(root).args(["test", "-p", crate_name]);
    match selection {
        // `--tests`: every test target but the doc tests (exercise tests are never doc
        // tests, and collecting doc tests costs a rustdoc run).
        Selection::Named(filter) => command.args(["--tests", filter]),
        Selection::File(name) => command.args(["--test", name]),
    };
    // `--no-fail-fast`: keep running the integration tests when the unit tests failed.
    command.args(["--no-fail-fast", "--color", "never"]);
    if ci {
        command.env("CI", "true");
    }
    let output = command
        // The panic message is what we show; a backtrace would bury it.
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .output()
        .map_err(|error| {
            Error::runtime(format!("running {}: {error}", cargo().to_string_lossy()))
                .with_hint("is cargo installed and on your PATH? (https://rustup.rs)")
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut run = parse_libtest(&stdout);
    let prefix = selection.prefix();
    for (name, _) in &mut run.tests {
        name.insert_str(0, &prefix);
    }
    let ran_anything = stdout.lines().any(|line| line.starts_with("test result:"));
    if !output.status.success() && !ran_anything {
        run.build_error = Some(first_compiler_error(&stderr));
    }
    Ok(run)
}

/// Reads libtest's output (the stdout of `cargo test`, every test binary's in turn).
pub fn parse_libtest(stdout: &str) -> TestRun {
    let mut run = TestRun::default();
    let mut failures: Vec<(String, Vec<&str>)> = Vec::new();
    let mut in_failure = false;
    for line in stdout.lines() {
        if let Some(rest) = line.strip_prefix("---- ") {
            if let Some(name) = rest.strip_suffix(" stdout ----") {
                failures.push((name.to_string(), Vec::new()));
                in_failure = true;
                continue;
            }
        }
        if in_failure {
            if line == "failures:" || line.starts_with("test result:") {
                in_failure = false;
            } else if let Some((_, lines)) = failures.last_mut() {
                lines.push(line);
            }
            continue;
        }
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, result)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        let outcome = match result {
            "ok" => Outcome::Passed,
            "FAILED" => Outcome::Failed(String::new()),
            result if result.starts_with("ignored") => Outcome::Ignored,
            _ => continue,
        };
        // `test foo - should panic ... ok`
        let name = name.trim_end_matches(" - should panic");
        run.tests.push((name.to_string(), outcome));
    }
    for (name, lines) in failures {
        let message = panic_message(&lines);
        for (test, outcome) in &mut run.tests {
            if *test == name {
                *outcome = Outcome::Failed(message.clone());
            }
        }
    }
    run
}

/// From a failure block: the panic's location and message, without libtest's notes.
fn panic_message(lines: &[&str]) -> String {
    // `thread 'tests::x' panicked at src/lib.rs:3:5:` (newer Rust adds the thread's id,
    // `thread 'tests::x' (4242) panicked at ...`).
    let Some(start) = lines.iter().position(|line| line.contains(" panicked at ")) else {
        return lines.join("\n").trim().to_string();
    };
    let location = lines[start]
        .split(" panicked at ")
        .nth(1)
        .unwrap_or("")
        .trim_end_matches(':');
    let message: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|line| !line.starts_with("note: ") && !line.starts_with("stack backtrace:"))
        .copied()
        .collect();
    let message = message.join("\n").trim().to_string();
    format!("{message}\n(at {location})").trim().to_string()
}

/// The first `error` block of cargo's stderr (the compiler's message, with the source
/// lines it points at), or cargo's last lines when there is none.
pub fn first_compiler_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    let is_start = |line: &&str| line.starts_with("error[") || line.starts_with("error:");
    match lines.iter().position(is_start) {
        Some(start) => {
            let block: Vec<&str> = lines[start..]
                .iter()
                .take_while(|line| !line.is_empty())
                .copied()
                .collect();
            block.join("\n")
        }
        None => {
            let tail = lines.len().saturating_sub(10);
            lines[tail..].join("\n")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "
running 3 tests
test tests::exercise_1_1_passes ... ok
test tests::exercise_1_2_fails ... FAILED
test tests::slow ... ignored, needs root

failures:

---- tests::exercise_1_2_fails stdout ----
some output the test printed

thread 'tests::exercise_1_2_fails' (4242) panicked at crates/ping/src/lib.rs:20:9:
assertion `left == right` failed
  left: 1
 right: 2
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    tests::exercise_1_2_fails

test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s
";

    #[test]
    fn libtest_lines_give_each_test_and_the_failure_message() {
        let run = parse_libtest(OUTPUT);
        assert_eq!(
            run.tests,
            [
                ("tests::exercise_1_1_passes".to_string(), Outcome::Passed),
                (
                    "tests::exercise_1_2_fails".to_string(),
                    Outcome::Failed(
                        "assertion `left == right` failed\n  left: 1\n right: 2\n\
                         (at crates/ping/src/lib.rs:20:9)"
                            .to_string()
                    )
                ),
                ("tests::slow".to_string(), Outcome::Ignored),
            ]
        );
    }

    #[test]
    fn compiler_error_is_its_first_block() {
        let stderr = "   Compiling ping v0.1.0\nerror[E0308]: mismatched types\n --> src/lib.rs:3:5\n  |\n\nerror: aborting\n";
        assert_eq!(
            first_compiler_error(stderr),
            "error[E0308]: mismatched types\n --> src/lib.rs:3:5\n  |"
        );
    }
}
