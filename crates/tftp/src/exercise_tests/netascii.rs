//! The tests of exercise 4.2, which grade the solution in `netascii.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `netascii.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

#[test]
fn exercise_4_2_decoder_keeps_a_cr_across_blocks() {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    decoder.decode(b"one\r", &mut out);
    assert_eq!(out, b"one", "a CR at the end of a block must wait");
    decoder.decode(b"\ntwo\r", &mut out);
    decoder.decode(b"\0three\r", &mut out);
    decoder.decode(b"\r\n", &mut out);
    decoder.finish(&mut out);
    assert_eq!(out, b"one\ntwo\rthree\r\n");
}

#[test]
fn exercise_4_2_decoder_keeps_a_lone_cr_at_the_end() {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    decoder.decode(b"x\ry\r", &mut out);
    decoder.finish(&mut out);
    assert_eq!(out, b"x\ry\r");
}
