//! The tests of exercise 1.2, which grade the solution in `report.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `report.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

#[test]
fn exercise_1_2_loss_summary_counts_and_rounds() {
    assert_eq!(
        loss_summary(1000, 998),
        "received 998/1000 datagrams (2 lost, 0.2%)"
    );
    assert_eq!(
        loss_summary(10, 10),
        "received 10/10 datagrams (0 lost, 0.0%)"
    );
}

#[test]
fn exercise_1_2_loss_summary_has_no_division_by_zero_or_negative_loss() {
    assert_eq!(loss_summary(0, 0), "received 0/0 datagrams (0 lost, 0.0%)");
    assert_eq!(loss_summary(3, 5), "received 5/3 datagrams (0 lost, 0.0%)");
}
