//! What the runner's test files share: a private copy of the fixture course
//! `tests/fixtures/course`, and the runner started in such a copy with the tester's
//! locale left out.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use testkit::Scratch;

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The runner, with every locale variable removed: the tester's own must not count.
/// The caller says which language it wants (`LANG`, `--lang`).
pub fn runner_without_locale() -> Command {
    let mut command = Command::cargo_bin("netlab").expect("the netlab binary is built");
    for variable in testkit::LOCALE_VARIABLES {
        command.env_remove(variable);
    }
    command
}

/// `command`, run in the course copy `dir`, which builds into its own `target/`: our
/// CARGO_TARGET_DIR (and RUSTFLAGS) belong to the workspace whose tests are running.
pub fn in_copy(mut command: Command, dir: &Path) -> Command {
    command
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS");
    command
}

/// A private copy of the fixture course, deleted when dropped.
pub struct CourseCopy {
    pub dir: PathBuf,
    _scratch: Scratch,
}

impl CourseCopy {
    /// A fresh copy in the temporary directory, its name starting with `netlab-{name}`.
    pub fn new(name: &str) -> CourseCopy {
        let scratch = Scratch::new(name);
        copy_dir(
            &Path::new(ROOT).join("tests/fixtures/course"),
            &scratch.path,
        );
        CourseCopy {
            dir: scratch.path.clone(),
            _scratch: scratch,
        }
    }
}

/// Copies a course, leaving out what a build made (`target/`, `Cargo.lock`).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() == "target" || entry.file_name() == "Cargo.lock" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

pub fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).to_string()
}

pub fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).to_string()
}
