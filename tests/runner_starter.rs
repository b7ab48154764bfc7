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
//! that exercise pass. Then grading, in a second copy that removes some exercises only.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// One exercise of `grade --json` (one per line): (exercise, status, state, score).
fn grades(json: &str) -> Vec<(String, String, String, u32)> {
    let field = |line: &str, name: &str| -> String {
        let key = format!("\"{name}\": ");
        let rest = line.split(&key).nth(1).unwrap_or("");
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            quoted.split('"').next().unwrap_or("")
        } else {
            rest.split([',', '}']).next().unwrap_or("")
        };
        value.to_string()
    };
    json.lines()
        .filter(|line| line.trim_start().starts_with("{\"exercise\""))
        .map(|line| {
            (
                field(line, "exercise"),
                field(line, "status"),
                field(line, "state"),
                field(line, "score").parse().unwrap_or(u32::MAX),
            )
        })
        .collect()
}

/// The exercises of `grade --json` that earned their points.
fn passed(json: &str) -> Vec<String> {
    grades(json)
        .into_iter()
        .filter(|(_, status, _, _)| status == "pass")
        .map(|(id, ..)| id)
        .collect()
}

/// `"score": N` of the whole report.
fn total(json: &str) -> (u32, u32) {
    let number = |name: &str| -> u32 {
        let line = json
            .lines()
            .find(|line| line.trim_start().starts_with(&format!("\"{name}\"")))
            .unwrap_or("");
        line.split(": ")
            .nth(1)
            .unwrap_or("")
            .trim_end_matches(',')
            .parse()
            .unwrap_or(u32::MAX)
    };
    (number("score"), number("max_score"))
}

fn netlab_in(dir: &Path, target: Option<&Path>, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_netlab"));
    command.args(args).current_dir(dir);
    testkit::in_english(&mut command);
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

/// A scratch directory for a copy of the course (`copy/`, which `netlab starter`
/// creates) and its own `target/`. Two copies must not share a target directory: cargo
/// names a workspace's own crates by their path inside the workspace, so the copies'
/// builds would overwrite each other. All of it goes when the test ends, failed or not.
fn copy_and_target(name: &str) -> (testkit::Scratch, PathBuf, PathBuf) {
    let scratch = testkit::Scratch::new(name);
    let (copy, target) = (scratch.join("copy"), scratch.join("target"));
    (scratch, copy, target)
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=netlab",
            "-c",
            "user.email=netlab@localhost",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Puts exercise `id`'s reference body (from the course at `root`) back in the copy.
fn put_back(root: &Path, copy: &Path, file: &Path, id: &str) {
    let original = fs::read_to_string(root.join(file)).unwrap();
    let starter = fs::read_to_string(copy.join(file)).unwrap();
    let restored = starter.replace(
        &body(&starter, id).join("\n"),
        &body(&original, id).join("\n"),
    );
    assert_ne!(restored, starter, "exercise {id} in {}", file.display());
    fs::write(copy.join(file), restored).unwrap();
}

/// The file of exercise `id`'s solution, relative to the root.
fn solution_file(root: &Path, id: &str) -> PathBuf {
    let marker = format!("// exercise {id}: begin");
    let mut dirs = vec![root.join("crates")];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() && entry.file_name() != "target" {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs")
                && fs::read_to_string(&path)
                    .unwrap()
                    .lines()
                    .any(|line| line.trim() == marker)
            {
                return path.strip_prefix(root).unwrap().to_path_buf();
            }
        }
    }
    panic!("no solution of exercise {id}");
}

#[test]
#[ignore = "builds a second copy of the workspace (minutes): CI runs it with --ignored"]
fn starter_of_the_real_workspace_fails_exactly_the_removed_exercises() {
    let root = Path::new(ROOT);

    // Every reference solution passes.
    let graded = netlab_in(root, None, &["grade", "--json"]);
    let json = text(&graded.stdout);
    assert!(graded.status.success(), "{json}\n{}", text(&graded.stderr));
    let all = grades(&json);
    assert!(
        !all.is_empty() && all.iter().all(|(_, status, ..)| status == "pass"),
        "references must pass:\n{json}"
    );
    let exercises = all.len();

    // A starter copy with every solution removed.
    let (_scratch, copy, target) = copy_and_target("starter");
    let written = netlab_in(root, None, &["starter", copy.to_str().unwrap()]);
    assert!(written.status.success(), "{}", text(&written.stderr));

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
    let states: Vec<String> = grades(&json).into_iter().map(|(_, _, s, _)| s).collect();
    assert_eq!(
        states,
        vec!["not started".to_string(); exercises],
        "{json}\n{}",
        text(&graded.stderr)
    );
    assert_eq!(total(&json).0, 0, "{json}");

    // The tour still runs in the copy: a demo that reaches an unsolved exercise says
    // which one, instead of a panic and a backtrace.
    let tour = testkit::in_english(&mut Command::new(target.join("debug").join("netlab")))
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
    put_back(root, &copy, &file, &id);
    let graded = netlab_in(&copy, Some(&target), &["grade", "--json"]);
    let json = text(&graded.stdout);
    assert_eq!(passed(&json), [id.as_str()], "{json}");
    let check = netlab_in(&copy, Some(&target), &["check", &id]);
    assert!(check.status.success(), "{}", text(&check.stdout));
}

#[test]
#[ignore = "builds a second copy of the workspace (minutes): CI runs it with --ignored"]
fn grading_a_starter_copy_scores_only_what_the_student_wrote() {
    let root = Path::new(ROOT);
    let (_scratch, copy, target) = copy_and_target("graded");
    let args = [
        "starter",
        copy.to_str().unwrap(),
        "--lessons",
        "3",
        "--exercises",
        "1.3,4.5",
    ];
    let written = netlab_in(root, None, &args);
    assert!(written.status.success(), "{}", text(&written.stderr));
    git(&copy, &["init", "-q"]);
    git(&copy, &["add", "."]);
    git(&copy, &["commit", "-q", "-m", "Starter"]);
    let grade = || {
        let graded = netlab_in(&copy, Some(&target), &["grade", "--json"]);
        assert!(graded.status.success(), "{}", text(&graded.stderr));
        text(&graded.stdout)
    };
    let removed = ["1.3", "3.1", "3.2", "3.3", "3.4", "4.5"];
    // The larger exercises (1.3, 3.4, 4.5) are worth 3 points, the others 1.
    let max = 3 + 1 + 1 + 1 + 3 + 3;

    // The workflow: YAML, exactly the removed exercises, CI=true in each command.
    let workflow = copy.join(".github/workflows/classroom.yml");
    let script = "import sys, yaml\n\
        steps = yaml.safe_load(open(sys.argv[1]))['jobs']['run-autograding-tests']['steps']\n\
        print(steps[1]['run'])\n\
        for s in steps:\n\
        \x20   if 'id' in s: print(s['id'], s['with']['max-score'], s['with']['command'])\n";
    let parsed = Command::new("python3")
        .args(["-c", script])
        .arg(&workflow)
        .output()
        .expect("python3 runs (apt-get install python3-yaml)");
    assert!(parsed.status.success(), "{}", text(&parsed.stderr));
    let parsed = text(&parsed.stdout);
    let (restore, graders) = parsed.split_once("\nexercise-").unwrap();
    let graders = format!("exercise-{graders}");
    let expected: Vec<String> = removed
        .iter()
        .map(|id| {
            let points = if ["1.3", "3.4", "4.5"].contains(id) {
                3
            } else {
                1
            };
            format!(
                "exercise-{} {points} CI=true cargo run -q -- check {id} --grading",
                id.replace('.', "-")
            )
        })
        .collect();
    assert_eq!(graders.lines().collect::<Vec<_>>(), expected, "{parsed}");

    // Untouched: 0 of the total, every removed exercise "not started", nothing else graded.
    let json = grade();
    let graded: Vec<String> = grades(&json).into_iter().map(|(id, ..)| id).collect();
    assert_eq!(graded, removed, "{json}");
    assert_eq!(total(&json), (0, max), "{json}");

    // One put back: exactly that one earns its points.
    put_back(root, &copy, &solution_file(root, "4.5"), "4.5");
    let json = grade();
    assert_eq!(passed(&json), ["4.5"], "{json}");
    assert_eq!(total(&json), (3, max), "{json}");

    // All put back: full marks.
    for id in removed.iter().filter(|id| **id != "4.5") {
        put_back(root, &copy, &solution_file(root, id), id);
    }
    let json = grade();
    assert_eq!(total(&json), (max, max), "{json}");

    // Deleting the lines that pull exercise 3.2 and 3.3's tests in: no tests, no points
    // for those two, the others of the crate keep theirs.
    let framing = copy.join("crates/tcp-echo/src/framing.rs");
    let solved = fs::read_to_string(&framing).unwrap();
    let declaration =
        "#[cfg(test)]\n#[path = \"exercise_tests/framing.rs\"]\nmod exercise_tests;\n";
    assert!(solved.contains(declaration), "{solved}");
    fs::write(&framing, solved.replace(declaration, "")).unwrap();
    let json = grade();
    assert_eq!(total(&json), (max - 2, max), "{json}");
    assert!(
        json.contains(
            "crates/tcp-echo/src/framing.rs (its `mod exercise_tests` lines were changed)"
        ),
        "{json}"
    );
    fs::write(&framing, solved).unwrap();

    // Renaming the tests of exercise 3.2: 0, the file named, and the workflow's command
    // for 3.2 fails.
    let tests = copy.join("crates/tcp-echo/src/exercise_tests/framing.rs");
    let original = fs::read_to_string(&tests).unwrap();
    fs::write(
        &tests,
        original.replace("fn exercise_3_2_", "fn renamed_3_2_"),
    )
    .unwrap();
    // The file holds the tests of 3.2 and 3.3: both lose their points.
    let json = grade();
    assert_eq!(total(&json), (max - 2, max), "{json}");
    assert!(
        json.contains("crates/tcp-echo/src/exercise_tests/framing.rs (changed)"),
        "{json}"
    );
    let command = expected[2]
        .split_once(" CI=true")
        .map(|(_, c)| format!("CI=true{c}"));
    let run = testkit::in_english(&mut Command::new("sh"))
        .args(["-c", &command.unwrap()])
        .current_dir(&copy)
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .unwrap();
    assert!(!run.status.success(), "{}", text(&run.stdout));
    assert!(
        text(&run.stdout).contains("exercise 3.2   no tests"),
        "{}",
        text(&run.stdout)
    );

    // The workflow's first step puts the test back from the first commit: marks back.
    let restored = testkit::in_english(&mut Command::new("sh"))
        .args(["-c", restore])
        .current_dir(&copy)
        .output()
        .unwrap();
    assert!(
        restored.status.success(),
        "{restore}\n{}",
        text(&restored.stderr)
    );
    assert_eq!(fs::read_to_string(&tests).unwrap(), original);
    let json = grade();
    assert_eq!(total(&json), (max, max), "{json}");
    assert!(json.contains("\"tampered\": []"), "{json}");
}
