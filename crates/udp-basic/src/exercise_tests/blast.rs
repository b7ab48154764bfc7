//! The tests of exercise 1.4, which grade the solution in `blast.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `blast.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

#[test]
fn exercise_1_4_sequence_number_is_big_endian_first() {
    let payload = blast_payload(0x0102, 12);
    assert_eq!(payload.len(), 12);
    assert_eq!(&payload[..8], &[0, 0, 0, 0, 0, 0, 0x01, 0x02]);
    assert_eq!(sequence_of(&payload), Some(0x0102));
}

#[test]
fn exercise_1_4_payload_has_exactly_the_asked_size() {
    assert_eq!(blast_payload(7, 1000).len(), 1000);
    assert_eq!(blast_payload(7, 8).len(), 8);
    assert_eq!(blast_payload(0x0102, 2), [0x01, 0x02]);
    assert_eq!(blast_payload(7, 0).len(), 0);
}
