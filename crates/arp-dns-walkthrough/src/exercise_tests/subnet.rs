//! The tests of exercise 5.1, which grade the solution in `subnet.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `subnet.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

#[test]
fn exercise_5_1_netmask_for_every_prefix() {
    assert_eq!(netmask_from_prefix(0), 0);
    assert_eq!(netmask_from_prefix(1), 0x8000_0000);
    assert_eq!(netmask_from_prefix(8), 0xff00_0000);
    assert_eq!(netmask_from_prefix(24), 0xffff_ff00);
    assert_eq!(netmask_from_prefix(31), 0xffff_fffe);
    assert_eq!(netmask_from_prefix(32), 0xffff_ffff);
    for prefix in 0..=32u8 {
        assert_eq!(netmask_from_prefix(prefix).count_ones(), u32::from(prefix));
    }
}
