//! The tests of exercise 4.1, which grade the solution in `packet.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `packet.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

#[test]
fn exercise_4_1_ack_parse_reads_the_block_and_checks_length() {
    assert_eq!(Ack::parse(&[0, 4, 0, 7]), Ok(Ack { block: 7 }));
    assert_eq!(Ack::parse(&[0, 4, 0xff, 0xff]), Ok(Ack { block: 65535 }));
    assert_eq!(
        Ack::parse(&[0, 4, 0]),
        Err(ParseError::TooShort { len: 3, needed: 4 })
    );
    assert_eq!(
        Ack::parse(&[0, 4, 0, 1, 9]),
        Err(ParseError::AckTooLong { len: 5 })
    );
}

#[test]
fn exercise_4_1_ack_parse_names_a_known_but_wrong_opcode() {
    // A DATA (opcode 3) is a real TFTP packet, just not an ACK.
    assert_eq!(
        Ack::parse(&[0, 3, 0, 1]),
        Err(ParseError::WrongOpcode {
            expected: opcode::ACK,
            found: opcode::DATA
        })
    );
    // An ERROR (opcode 5) with code 0 and an empty message.
    assert_eq!(
        Ack::parse(&[0, 5, 0, 0, 0]),
        Err(ParseError::WrongOpcode {
            expected: opcode::ACK,
            found: opcode::ERROR
        })
    );
}

#[test]
fn exercise_4_1_ack_parse_keeps_unknown_opcode_for_numbers_no_rfc_defines() {
    assert_eq!(Ack::parse(&[0, 9, 0, 1]), Err(ParseError::UnknownOpcode(9)));
    assert_eq!(Ack::parse(&[0, 0, 0, 1]), Err(ParseError::UnknownOpcode(0)));
    assert_eq!(
        Ack::parse(&[0xff, 0xff, 0, 1]),
        Err(ParseError::UnknownOpcode(65535))
    );
}
