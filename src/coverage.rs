//! Which tests an exercise's code can fail, beyond its own `exercise_N_M_*` tests, and
//! which exercise of each crate is the larger one. One table, read by `check`, `grade`,
//! `starter` and the classroom workflow alike, so a student's `cargo run -- check 4.5`
//! and the teacher's grade run the same tests.
//!
//! Each larger exercise writes a central piece of its program (the receive loop, the echo
//! server, the read transfer, the name decoder), so every black-box test of the program
//! goes through it: `check 4.5` also runs `cargo test -p tftp --test lossy_relay` and the
//! other integration test files listed here. Those files may hold other exercises' tests
//! (`exercise_3_1_*` in `tcp-echo/tests/cli.rs`): they count for their own exercise only.
//!
//! Only test files that need no peer tool beyond `python3`, `nc` and `socat` are listed
//! (the classroom workflow installs those), never `interop.rs` or `peers.rs`.

use crate::course::ExerciseId;

/// One exercise that has more tests than its own.
struct Entry {
    crate_name: &'static str,
    exercise: ExerciseId,
    /// The crate's integration test files (`tests/<name>.rs`) whose every test counts.
    also: &'static [&'static str],
}

const fn id(lesson: u32, number: u32) -> ExerciseId {
    ExerciseId { lesson, number }
}

/// The larger exercise of each crate, and the test files that go through its code.
const TABLE: &[Entry] = &[
    Entry {
        crate_name: "udp-basic",
        exercise: id(1, 3),
        also: &["cli"],
    },
    Entry {
        crate_name: "udp-bind",
        exercise: id(2, 3),
        also: &["echo"],
    },
    Entry {
        crate_name: "tcp-echo",
        exercise: id(3, 4),
        also: &["cli"],
    },
    Entry {
        crate_name: "tftp",
        exercise: id(4, 5),
        // `read_transfer.rs` holds only `exercise_4_5_*` tests: they run anyway.
        also: &["lossy_relay", "client_rules", "server_rules", "cli"],
    },
    Entry {
        crate_name: "arp-dns-walkthrough",
        exercise: id(5, 4),
        also: &["cli"],
    },
];

/// Points for a larger exercise when the teacher sets none; the others get 1.
pub const LARGER_POINTS: u32 = 3;

fn entry(crate_name: &str, exercise: ExerciseId) -> Option<&'static Entry> {
    TABLE
        .iter()
        .find(|entry| entry.crate_name == crate_name && entry.exercise == exercise)
}

/// The integration test files (`tests/<name>.rs` of the crate) whose every test also
/// grades `exercise`.
pub fn also_tests(crate_name: &str, exercise: ExerciseId) -> &'static [&'static str] {
    entry(crate_name, exercise).map_or(&[], |entry| entry.also)
}

/// The exercises of `crate_name` that list its test file `tests/<file>.rs`.
pub fn listing(crate_name: &str, file: &str) -> Vec<ExerciseId> {
    TABLE
        .iter()
        .filter(|entry| entry.crate_name == crate_name && entry.also.contains(&file))
        .map(|entry| entry.exercise)
        .collect()
}

/// Whether `exercise` is its crate's larger exercise.
pub fn is_larger(crate_name: &str, exercise: ExerciseId) -> bool {
    entry(crate_name, exercise).is_some()
}

/// The points of `exercise` when nobody set them.
pub fn default_points(crate_name: &str, exercise: ExerciseId) -> u32 {
    if is_larger(crate_name, exercise) {
        LARGER_POINTS
    } else {
        1
    }
}
