//! The tests of exercise 4.3, which grade the solution in `root.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `root.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;

#[test]
fn exercise_4_3_parent_directories_are_refused() {
    assert_eq!(path_parts("../x"), Err(PathRefused::ParentDirectory));
    assert_eq!(path_parts("a/../../x"), Err(PathRefused::ParentDirectory));
    assert_eq!(path_parts("a\\..\\x"), Err(PathRefused::ParentDirectory));
    assert_eq!(path_parts("/"), Err(PathRefused::NoFileName));
}

#[test]
fn exercise_4_3_leading_slash_is_relative_to_the_root() {
    assert_eq!(path_parts("/etc/passwd"), Ok(vec!["etc", "passwd"]));
    assert_eq!(path_parts("./a//b"), Ok(vec!["a", "b"]));
    assert_eq!(path_parts("hello.txt"), Ok(vec!["hello.txt"]));
}
