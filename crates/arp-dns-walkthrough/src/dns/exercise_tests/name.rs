//! The tests of exercise 5.4, which grade the solution in `dns/name.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `dns/name.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

fn bytes(hex: &str) -> Vec<u8> {
    crate::parse_hex(hex).unwrap()
}

/// dnsmasq 2.90's answer to `www.baidu.com A` (lab-tools.md §1.7): a CNAME written
/// out in full, then the A record whose owner name points INTO the CNAME's data.
const CNAME_ANSWER: &str = concat!(
    "beef",
    "8580",
    "0001",
    "0002",
    "0000",
    "0000", // id, flags qr aa rd ra, counts
    "0377777705626169647503636f6d00",
    "0001",
    "0001", // www.baidu.com A IN
    "c00c",
    "0005",
    "0001",
    "0000012c",
    "000b",                   // -> offset 12, CNAME IN 300, 11 bytes
    "05626169647503636f6d00", // baidu.com, uncompressed, at offset 43
    "c02b",
    "0001",
    "0001",
    "0000012c",
    "0004",
    "0a000202", // -> 43, A IN 300, 10.0.2.2
);

#[test]
fn exercise_5_4_reads_plain_and_compressed_names() {
    let message = bytes(CNAME_ANSWER);
    // The question name: labels written out, 15 bytes from offset 12.
    assert_eq!(
        read_name(&message, 12).unwrap(),
        ("www.baidu.com".into(), 27)
    );
    // A name that is only a pointer takes 2 bytes where it stands.
    assert_eq!(
        read_name(&message, 31).unwrap(),
        ("www.baidu.com".into(), 33)
    );
    assert_eq!(read_name(&message, 54).unwrap(), ("baidu.com".into(), 56));
    // The root name is a single zero byte.
    assert_eq!(read_name(&[0], 0).unwrap(), (".".into(), 1));
}

#[test]
fn exercise_5_4_a_pointer_to_a_pointer_is_valid() {
    // header, then at 12: 3 "com" 0; at 17: pointer to 12; at 19: 1 "a", pointer to 17.
    let mut message = vec![0u8; 12];
    message.extend_from_slice(&[3, b'c', b'o', b'm', 0, 0xc0, 12, 1, b'a', 0xc0, 17]);
    assert_eq!(read_name(&message, 19).unwrap(), ("a.com".into(), 23));
}

#[test]
fn exercise_5_4_rejects_loops_and_bad_pointers() {
    let mut message = vec![0u8; 12];
    message.extend_from_slice(&[0xc0, 12]); // at 12: points to itself
    assert_eq!(
        read_name(&message, 12),
        Err(ParseError::PointerLoop {
            offset: 12,
            target: 12
        })
    );
    let mut message = vec![0u8; 12];
    message.extend_from_slice(&[0xc0, 14, 0xc0, 12]); // 12 -> 14 -> 12
    assert!(matches!(
        read_name(&message, 12),
        Err(ParseError::PointerLoop { .. })
    ));
    let mut message = vec![0u8; 12];
    message.extend_from_slice(&[1, b'a', 0xc0, 12]); // label, then back to itself
    assert!(matches!(
        read_name(&message, 12),
        Err(ParseError::PointerLoop { .. })
    ));
    let mut message = vec![0u8; 12];
    message.extend_from_slice(&[0xc0, 0xff]);
    assert_eq!(
        read_name(&message, 12),
        Err(ParseError::PointerOutOfRange {
            offset: 12,
            target: 255
        })
    );
    assert!(matches!(
        read_name(&[0xc0], 0),
        Err(ParseError::Truncated { .. })
    ));
    assert!(matches!(
        read_name(&[5, b'a'], 0),
        Err(ParseError::Truncated { .. })
    ));
    assert!(matches!(
        read_name(&[0x40], 0),
        Err(ParseError::ReservedLabelType { .. })
    ));
}

#[test]
fn exercise_5_4_rejects_names_over_255_bytes() {
    // Five labels of 63 bytes: 5 * 64 + 1 = 321 bytes on the wire.
    let mut message = Vec::new();
    for _ in 0..5 {
        message.push(63);
        message.extend_from_slice(&[b'x'; 63]);
    }
    message.push(0);
    assert!(matches!(
        read_name(&message, 0),
        Err(ParseError::NameTooLong { .. })
    ));
}
