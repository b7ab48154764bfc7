//! The course runner, `cargo run` at the top of the repository.

use assert_cmd::Command;
use predicates::prelude::*;

fn netlab() -> Command {
    Command::cargo_bin("netlab").expect("the netlab binary is built")
}

#[test]
fn no_arguments_prints_every_lesson_with_its_test_command() {
    let assert = netlab().assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    for lesson in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/lessons"))
        .expect("lessons/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().to_string())
        .filter(|name| name.ends_with(".md") && name != "README.md")
    {
        assert!(
            stdout.contains(&format!("lessons/{lesson}")),
            "lessons/{lesson} is missing from the lesson table:\n{stdout}"
        );
    }
    assert!(stdout.contains("cargo test -p udp-basic"), "{stdout}");
}

#[test]
fn every_exercise_crate_has_a_lesson_in_the_table() {
    let crates =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/crates")).expect("crates/ exists");
    let assert = netlab().assert().success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    for entry in crates.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().to_string();
        // Support crates, not exercises.
        if ["testkit", "wire-text", "hostport"].contains(&name.as_str()) {
            continue;
        }
        assert!(
            stdout.contains(&format!("cargo test -p {name}")),
            "crate {name} has no row in the lesson table:\n{stdout}"
        );
    }
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
fn unknown_subcommand_is_a_usage_error() {
    netlab().arg("frobnicate").assert().code(2);
}
