//! The course as a student gets it: one starter copy of the whole course, built once.
//!
//! This builds a second copy of the workspace (minutes on two cores), so it is
//! `#[ignore]`d for quick local runs. CI runs it:
//!
//! ```text
//! cargo test -p netlab --test runner_student -- --ignored
//! ```
//!
//! Two things, in order, in the same copy:
//!
//! 1. With every solution removed, one command of each lesson that reaches an unsolved
//!    exercise ends with exactly one line, `error: this needs Exercise N.M (TITLE), not
//!    solved yet: cargo run -- hint N.M`, and exit status 1: no panic, no backtrace (the
//!    `unsolved` crate's panic hook, installed by every binary).
//! 2. With the reference solutions back, each wrong solution kept in
//!    `tests/fixtures/mutants/` (a plausible mistake in one of the larger exercises) is
//!    put in place of its exercise, and the exercise's check must fail on it:
//!    `cargo run -- check N.M` exits non-zero and calls it `failing` (not "does not
//!    build": a mutant that does not compile proves nothing). A fixture whose header says
//!    `// Caught by: cargo ...` is caught by that command instead. The reference solution
//!    passes the same check first, so the copy itself is known to be sound.

use std::fs;
use std::io::Write;
use std::net::{TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use testkit::{Finished, Running};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Long enough for a check that compiles one crate's tests on a busy two-core machine.
const BUILD_DEADLINE: Duration = Duration::from_secs(900);
/// For a lesson command that should stop at once.
const COMMAND_DEADLINE: Duration = Duration::from_secs(20);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

/// Runs `command` to its end, but no longer than `deadline` (then it is killed and the
/// test fails, showing what it printed).
fn finish(command: Command, deadline: Duration) -> Finished {
    Running::start(command).finish_within(deadline)
}

/// The copy and its target directory, in cargo's scratch space for tests, at a fixed
/// place: a second run reuses the dependencies already built there.
struct StudentCopy {
    dir: PathBuf,
    target: PathBuf,
}

impl StudentCopy {
    fn write() -> StudentCopy {
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("runner-student");
        let dir = base.join("copy");
        let target = base.join("target");
        let _ = fs::remove_dir_all(&dir);
        let written = testkit::in_english(&mut Command::new(env!("CARGO_BIN_EXE_netlab")))
            .args(["starter", dir.to_str().unwrap()])
            .current_dir(ROOT)
            .output()
            .unwrap();
        assert!(written.status.success(), "{}", text(&written.stderr));
        StudentCopy { dir, target }
    }

    fn cargo(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO"));
        command
            .args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target);
        testkit::in_english(&mut command);
        command
    }

    /// `cargo run -q -- ARGS` in the copy, through the course runner already built here.
    fn netlab(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_netlab"));
        command
            .args(args)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target);
        testkit::in_english(&mut command);
        command
    }

    /// One of the copy's binaries, as built by `cargo build`.
    fn binary(&self, name: &str) -> Command {
        let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
        let mut command = Command::new(self.target.join("debug").join(file));
        command.current_dir(&self.dir);
        testkit::in_english(&mut command);
        command
    }
}

/// The title of exercise `id` in its lesson: `### Exercise 1.3: TITLE`.
fn title(id: &str) -> String {
    let heading = format!("### Exercise {id}: ");
    for entry in fs::read_dir(Path::new(ROOT).join("lessons")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "md") {
            continue;
        }
        for line in fs::read_to_string(&path).unwrap().lines() {
            if let Some(title) = line.strip_prefix(&heading) {
                return title.trim().to_string();
            }
        }
    }
    panic!("no lesson has a heading {heading:?}");
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "target" {
                rust_files(&path, found);
            }
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The source file (relative to the workspace) holding exercise `id`'s solution.
fn solution_file(root: &Path, id: &str) -> PathBuf {
    let begin = format!("// exercise {id}: begin");
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    files.sort();
    files
        .into_iter()
        .find(|file| {
            fs::read_to_string(file)
                .unwrap()
                .lines()
                .any(|line| line.trim() == begin)
        })
        .unwrap_or_else(|| panic!("no `{begin}` in {}/crates", root.display()))
        .strip_prefix(root)
        .unwrap()
        .to_path_buf()
}

/// The line a binary prints when it reaches exercise `id` still unsolved. The starter's
/// `todo!()` carries the title (`Exercise 1.3 (TITLE): ...`) or, written by an older
/// runner, not (`Exercise 1.3: ...`); the line says the title exactly when it has one.
fn unsolved_line(copy: &StudentCopy, id: &str) -> String {
    let source = fs::read_to_string(copy.dir.join(solution_file(&copy.dir, id))).unwrap();
    let titled = format!("todo!(\"Exercise {id} (");
    let untitled = format!("todo!(\"Exercise {id}:");
    if source.contains(&titled) {
        format!(
            "error: this needs Exercise {id} ({}), not solved yet: cargo run -- hint {id}",
            title(id)
        )
    } else {
        assert!(
            source.contains(&untitled),
            "exercise {id} is not a starter todo!() in the copy"
        );
        format!("error: this needs Exercise {id}, not solved yet: cargo run -- hint {id}")
    }
}

/// The process stopped with exactly `expected` on stderr and exit status 1.
fn assert_unsolved(what: &str, finished: &Finished, expected: &str) {
    assert_eq!(
        (finished.stderr.as_slice(), finished.status.code()),
        (&[expected.to_string()][..], Some(1)),
        "{what}: expected exactly one error line and exit status 1\n--- stdout ---\n{}",
        finished.stdout_text()
    );
}

/// Part 1: one command per lesson meets an unsolved exercise.
fn lesson_commands_name_the_unsolved_exercise(copy: &StudentCopy) {
    // Lesson 1, step 1: the receiver. It waits for its first datagram (a person may take
    // their time), then its receive loop, exercise 1.3, runs.
    let mut recv = copy.binary("udp-basic");
    recv.args(["recv", "--bind", "127.0.0.1:0"]);
    let receiver = Running::server(recv);
    let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.send_to(b"hello", receiver.addr()).unwrap();
    assert_unsolved(
        "udp-basic recv",
        &receiver.finish_within(COMMAND_DEADLINE),
        &unsolved_line(copy, "1.3"),
    );

    // Lesson 2, section 1: the sender's socket is exercise 2.4 (nothing is sent).
    let mut send = copy.binary("udp-bind");
    send.args(["send", "127.0.0.1:9", "hello"]);
    assert_unsolved(
        "udp-bind send",
        &finish(send, COMMAND_DEADLINE),
        &unsolved_line(copy, "2.4"),
    );

    // Lesson 3, step 1: the server. The echo loop (exercise 3.4) runs in the client's
    // own thread, and the whole server stops with the line.
    let mut serve = copy.binary("tcp-echo");
    serve.args(["serve", "--bind", "127.0.0.1:0", "--once"]);
    let server = Running::server(serve);
    let mut client = TcpStream::connect(server.addr()).unwrap();
    client.set_write_timeout(Some(COMMAND_DEADLINE)).unwrap();
    // The server may already be gone when this arrives: that is what is tested.
    let _ = client.write_all(b"hello\n");
    assert_unsolved(
        "tcp-echo serve",
        &server.finish_within(COMMAND_DEADLINE),
        &unsolved_line(copy, "3.4"),
    );

    // Lesson 4: the server. A request starts a transfer thread, which checks the file
    // name with exercise 4.3 first.
    let root = copy.dir.join("target-student-tftp-root");
    fs::create_dir_all(&root).unwrap();
    fs::write(root.join("hello.txt"), "hello\n").unwrap();
    let mut serve = copy.binary("tftp");
    serve.args(["serve", "--bind", "127.0.0.1:0", "--root"]);
    serve.arg(&root);
    let server = Running::server(serve);
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    // RFC 1350 RRQ: opcode 1, "hello.txt", 0, "octet", 0.
    client
        .send_to(b"\x00\x01hello.txt\x00octet\x00", server.addr())
        .unwrap();
    assert_unsolved(
        "tftp serve",
        &server.finish_within(COMMAND_DEADLINE),
        &unsolved_line(copy, "4.3"),
    );
    let _ = fs::remove_dir_all(&root);

    // Lesson 5, step 1: a subnet needs the netmask for its prefix, exercise 5.1.
    let mut subnet = copy.binary("arp-dns-walkthrough");
    subnet.args(["subnet", "192.168.1.10/24"]);
    assert_unsolved(
        "arp-dns-walkthrough subnet",
        &finish(subnet, COMMAND_DEADLINE),
        &unsolved_line(copy, "5.1"),
    );
}

/// A kept wrong solution: `tests/fixtures/mutants/N.M-what-is-wrong.rs`.
struct Mutant {
    name: String,
    id: String,
    body: String,
    /// `cargo ...` from its `// Caught by: cargo ...` line; `None`: `check N.M`.
    caught_by: Option<Vec<String>>,
}

fn mutants() -> Vec<Mutant> {
    let dir = Path::new(ROOT).join("tests/fixtures/mutants");
    let mut mutants: Vec<Mutant> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let id = name.split('-').next().unwrap().to_string();
            assert!(
                id.split_once('.').is_some() && name.ends_with(".rs"),
                "{name}: a mutant is named N.M-what-is-wrong.rs"
            );
            let body = fs::read_to_string(entry.path()).unwrap();
            let caught_by = body
                .lines()
                .find_map(|line| line.strip_prefix("// Caught by: cargo "))
                .map(|command| command.split_whitespace().map(str::to_string).collect());
            Mutant {
                name,
                id,
                body,
                caught_by,
            }
        })
        .collect();
    mutants.sort_by(|a, b| a.name.cmp(&b.name));
    mutants
}

/// `source` with the lines between exercise `id`'s markers replaced by `body`, indented
/// like the markers.
fn with_body(source: &str, id: &str, body: &str) -> String {
    let begin = format!("// exercise {id}: begin");
    let end = format!("// exercise {id}: end");
    let mut out = Vec::new();
    let mut inside = false;
    for line in source.lines() {
        if line.trim() == end {
            inside = false;
        } else if inside {
            continue;
        }
        out.push(line.to_string());
        if line.trim() == begin {
            inside = true;
            let indent = &line[..line.len() - line.trim_start().len()];
            for body_line in body.lines() {
                if body_line.is_empty() {
                    out.push(String::new());
                } else {
                    out.push(format!("{indent}{body_line}"));
                }
            }
        }
    }
    assert!(!inside, "no `{end}` after `{begin}`");
    out.join("\n") + "\n"
}

/// `check N.M` in the copy: its exit status and report.
fn check(copy: &StudentCopy, id: &str) -> (bool, String) {
    let finished = finish(copy.netlab(&["check", id]), BUILD_DEADLINE);
    (finished.status.success(), finished.stdout_text())
}

/// The status word of exercise `id` in a check report (`exercise 1.3  failing  ...`).
fn status_in(report: &str, id: &str) -> String {
    let prefix = format!("exercise {id} ");
    report
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .map(|rest| {
            rest.trim_start()
                .split("  ")
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_else(|| panic!("no line for exercise {id} in:\n{report}"))
}

/// Part 2: every kept wrong solution fails its exercise's check.
fn mutants_fail_their_checks(copy: &StudentCopy) {
    // The reference solutions back in every crate (the starter changed their sources).
    let mut files = Vec::new();
    rust_files(&Path::new(ROOT).join("crates"), &mut files);
    for file in files {
        let relative = file.strip_prefix(ROOT).unwrap();
        fs::copy(&file, copy.dir.join(relative)).unwrap();
    }
    let mutants = mutants();
    assert!(!mutants.is_empty(), "no mutants in tests/fixtures/mutants");

    let mut ids: Vec<&str> = mutants.iter().map(|m| m.id.as_str()).collect();
    ids.dedup();
    for id in ids {
        let file = solution_file(&copy.dir, id);
        let reference = fs::read_to_string(copy.dir.join(&file)).unwrap();
        let (passed, report) = check(copy, id);
        assert!(
            passed,
            "the reference solution of {id} fails in the copy:\n{report}"
        );
        for mutant in mutants.iter().filter(|m| m.id == id) {
            let started = Instant::now();
            fs::write(
                copy.dir.join(&file),
                with_body(&reference, id, &mutant.body),
            )
            .unwrap();
            match &mutant.caught_by {
                None => {
                    let (passed, report) = check(copy, id);
                    assert!(
                        !passed,
                        "{}: `check {id}` passes it:\n{report}",
                        mutant.name
                    );
                    assert_eq!(
                        status_in(&report, id),
                        "failing",
                        "{}: it must compile and fail a test:\n{report}",
                        mutant.name
                    );
                    let caught = report
                        .lines()
                        .find(|line| line.starts_with("test "))
                        .unwrap_or("");
                    eprintln!(
                        "{}: caught by check {id} ({caught}) in {:.0?}",
                        mutant.name,
                        started.elapsed()
                    );
                }
                Some(command) => {
                    let args: Vec<&str> = command.iter().map(String::as_str).collect();
                    let finished = finish(copy.cargo(&args), BUILD_DEADLINE);
                    assert!(
                        !finished.status.success(),
                        "{}: `cargo {}` passes it",
                        mutant.name,
                        command.join(" ")
                    );
                    let stderr = finished.stderr_text();
                    assert!(
                        !stderr.contains("error[E") && !stderr.contains("could not compile"),
                        "{}: it must compile:\n{stderr}",
                        mutant.name
                    );
                    eprintln!(
                        "{}: caught by cargo {} in {:.0?}",
                        mutant.name,
                        command.join(" "),
                        started.elapsed()
                    );
                }
            }
        }
        fs::write(copy.dir.join(&file), &reference).unwrap();
    }
}

#[test]
#[ignore = "builds a second copy of the workspace (minutes): CI runs it with --ignored"]
fn student_copy_names_unsolved_exercises_and_its_checks_catch_wrong_solutions() {
    let started = Instant::now();
    let copy = StudentCopy::write();
    let build = finish(
        copy.cargo(&["build", "--workspace", "--bins", "--quiet"]),
        BUILD_DEADLINE,
    );
    assert!(
        build.status.success(),
        "the starter copy does not build:\n{}",
        build.stderr_text()
    );
    lesson_commands_name_the_unsolved_exercise(&copy);
    mutants_fail_their_checks(&copy);
    let _ = fs::remove_dir_all(&copy.dir);
    eprintln!("runner_student took {:.0?}", started.elapsed());
}

#[test]
fn mutant_fixtures_name_an_exercise_and_replace_its_whole_body() {
    let source = "fn f() {\n    // exercise 9.9: begin\n    old();\n    // exercise 9.9: end\n}\n";
    assert_eq!(
        with_body(source, "9.9", "new();\n\nmore();\n"),
        "fn f() {\n    // exercise 9.9: begin\n    new();\n\n    more();\n    // exercise 9.9: end\n}\n"
    );
    for mutant in mutants() {
        assert!(
            mutant
                .body
                .starts_with(&format!("// Mutant of exercise {}: ", mutant.id)),
            "{} starts with `// Mutant of exercise {}: ` and what is wrong",
            mutant.name,
            mutant.id
        );
        assert!(
            mutant.body.contains("// Caught by: "),
            "{} says what catches it",
            mutant.name
        );
        solution_file(Path::new(ROOT), &mutant.id);
    }
}
