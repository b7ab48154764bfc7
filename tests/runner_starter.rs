//! `starter` on the real workspace: the whole course, every solution removed.
//!
//! This builds a second copy of the workspace from scratch (a few minutes on two cores),
//! so it is `#[ignore]`d for quick local runs. CI runs it:
//!
//! ```text
//! cargo test -p netlab --test runner_starter -- --ignored
//! ```
//!
//! It checks rustlings' `dev check` promise for every exercise at once: every reference
//! solution passes its tests; in the starter copy (which must build without a single
//! warning) every removed exercise fails; and putting one solution back makes exactly
//! that exercise pass.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Counts `"status": "pass"` and `"status": "fail"` among the tests of `grade --json`.
fn count_statuses(json: &str) -> (usize, usize, usize) {
    let tests = json.split("\"tests\"").nth(1).unwrap_or("");
    (
        tests.matches("\"status\": \"pass\"").count(),
        tests.matches("\"status\": \"fail\"").count(),
        tests.matches("\"status\": \"error\"").count(),
    )
}

fn netlab_in(dir: &Path, target: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_netlab"));
    command.args(args).current_dir(dir);
    if let Some(target) = target {
        command
            .env("CARGO_TARGET_DIR", target)
            .env("RUSTFLAGS", "-D warnings");
    }
    command.output().expect("netlab runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// The first `// exercise N.M: begin` in the crates' sources: (file relative to the root,
/// N.M).
fn first_solution(root: &Path) -> (PathBuf, String) {
    let mut files = Vec::new();
    let mut dirs = vec![root.join("crates")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() && entry.file_name() != "target" {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    for file in files {
        let source = fs::read_to_string(&file).unwrap();
        for line in source.lines() {
            let marker = line.trim();
            if let Some(rest) = marker.strip_prefix("// exercise ") {
                if let Some(id) = rest.strip_suffix(": begin") {
                    return (
                        file.strip_prefix(root).unwrap().to_path_buf(),
                        id.to_string(),
                    );
                }
            }
        }
    }
    panic!("no exercise markers in crates/");
}

/// The lines strictly between exercise `id`'s markers.
fn body(source: &str, id: &str) -> Vec<String> {
    let begin = format!("// exercise {id}: begin");
    let end = format!("// exercise {id}: end");
    source
        .lines()
        .skip_while(|line| line.trim() != begin)
        .skip(1)
        .take_while(|line| line.trim() != end)
        .map(str::to_string)
        .collect()
}

#[test]
#[ignore = "builds a second copy of the workspace (minutes): CI runs it with --ignored"]
fn starter_of_the_real_workspace_fails_exactly_the_removed_exercises() {
    let root = Path::new(ROOT);

    // Every reference solution passes.
    let graded = netlab_in(root, None, &["grade", "--json"]);
    let json = text(&graded.stdout);
    assert!(graded.status.success(), "{json}\n{}", text(&graded.stderr));
    let (passed, failed, errors) = count_statuses(&json);
    assert!(
        passed > 0 && failed == 0 && errors == 0,
        "references must pass:\n{json}"
    );
    let exercises = passed;

    // A starter copy with every solution removed.
    let copy = std::env::temp_dir().join(format!("netlab-starter-{}", std::process::id()));
    let _ = fs::remove_dir_all(&copy);
    let written = netlab_in(root, None, &["starter", copy.to_str().unwrap()]);
    assert!(written.status.success(), "{}", text(&written.stderr));
    let target = copy.join("target");

    // It builds, tests and all, with every warning an error.
    let build = Command::new(env!("CARGO"))
        .args(["build", "--workspace", "--all-targets", "--quiet"])
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .unwrap();
    assert!(
        build.status.success(),
        "the starter copy does not build cleanly:\n{}",
        text(&build.stderr)
    );

    // Every removed exercise fails (its tests ran and failed on the todo!()).
    let graded = netlab_in(&copy, Some(&target), &["grade", "--json"]);
    let json = text(&graded.stdout);
    assert_eq!(
        count_statuses(&json),
        (0, exercises, 0),
        "{json}\n{}",
        text(&graded.stderr)
    );
    assert_eq!(json.matches("not started").count(), exercises, "{json}");

    // The tour still runs in the copy: a demo that reaches an unsolved exercise says
    // which one, instead of a panic and a backtrace.
    let tour = Command::new(target.join("debug").join("netlab"))
        .arg("tour")
        .current_dir(&copy)
        .output()
        .unwrap();
    assert!(tour.status.success(), "{}", text(&tour.stderr));
    assert!(
        text(&tour.stdout).contains("(not shown yet: Exercise "),
        "{}",
        text(&tour.stdout)
    );
    assert!(
        !text(&tour.stderr).contains("panicked"),
        "{}",
        text(&tour.stderr)
    );

    // Putting one solution back makes exactly that exercise pass.
    let (file, id) = first_solution(root);
    let original = fs::read_to_string(root.join(&file)).unwrap();
    let starter = fs::read_to_string(copy.join(&file)).unwrap();
    let restored = starter.replace(
        &body(&starter, &id).join("\n"),
        &body(&original, &id).join("\n"),
    );
    assert_ne!(restored, starter);
    fs::write(copy.join(&file), restored).unwrap();
    let graded = netlab_in(&copy, Some(&target), &["grade", "--json"]);
    let json = text(&graded.stdout);
    assert_eq!(count_statuses(&json), (1, exercises - 1, 0), "{json}");
    let check = netlab_in(&copy, Some(&target), &["check", &id]);
    assert!(check.status.success(), "{}", text(&check.stdout));

    let _ = fs::remove_dir_all(&copy);
}
