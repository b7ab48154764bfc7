//! The tests of exercise 4.4, which grade the solution in `transfer_log.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `transfer_log.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

#[test]
fn exercise_4_4_log_line_names_peer_file_options_and_bytes() {
    let log = TransferLog {
        peer: "127.0.0.1:53211".parse().unwrap(),
        direction: Direction::Read,
        filename: "hello.txt".into(),
        mode: Mode::Octet,
        options: vec![TftpOption::new("blksize", 1468)],
        outcome: Ok(12),
        duration: Duration::from_millis(3),
    };
    assert_eq!(
        log.to_string(),
        "127.0.0.1:53211 read \"hello.txt\" octet blksize=1468: 12 bytes in 0.003 s"
    );
}

#[test]
fn exercise_4_4_log_line_says_why_a_transfer_failed() {
    let log = TransferLog {
        peer: "[::1]:4000".parse().unwrap(),
        direction: Direction::Write,
        filename: "up.bin".into(),
        mode: Mode::Netascii,
        options: Vec::new(),
        outcome: Err("timed out".into()),
        duration: Duration::from_millis(1500),
    };
    assert_eq!(
        log.to_string(),
        "[::1]:4000 write \"up.bin\" netascii: failed after 1.500 s: timed out"
    );
}
