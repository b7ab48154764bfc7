//! The tests of exercise 5.3, which grade the solution in `ipv4.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `ipv4.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

/// A real header, the worked example of the "IPv4 header checksum" article on
/// Wikipedia: a UDP packet 192.168.0.1 → 192.168.0.199, checksum 0xb861.
const REAL_HEADER: [u8; 20] = [
    0x45, 0x00, 0x00, 0x73, // version 4, IHL 5, DSCP 0, total length 115
    0x00, 0x00, 0x40, 0x00, // identification 0, flags DF
    0x40, 0x11, 0xb8, 0x61, // TTL 64, UDP (17), checksum
    0xc0, 0xa8, 0x00, 0x01, // source 192.168.0.1
    0xc0, 0xa8, 0x00, 0xc7, // destination 192.168.0.199
];

#[test]
fn exercise_5_3_checksum_of_a_real_header() {
    // Over a header holding its checksum, the sum comes out as zero.
    assert_eq!(internet_checksum(&REAL_HEADER), 0);
    let mut zeroed = REAL_HEADER;
    zeroed[10] = 0;
    zeroed[11] = 0;
    assert_eq!(internet_checksum(&zeroed), 0xb861);
    // RFC 1071 §3's example words, with an odd byte at the end.
    assert_eq!(
        internet_checksum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
        !0xddf2
    );
    assert_eq!(internet_checksum(&[0xff]), !0xff00);
}
