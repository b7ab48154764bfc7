//! An exercise that is still `todo!()`, met by a running binary, as one line a student
//! can act on.
//!
//! In a starter copy (or after `cargo run -- reset 1.3`) a solution is replaced by
//! `todo!("Exercise 1.3 (The receive loop that reports truncation): Write ...")`. A
//! lesson command that reaches it would panic: `thread 'main' panicked at ...: not yet
//! implemented: Exercise 1.3 ...`, a backtrace note, exit status 101. That is the right
//! signal for a test, and the wrong one for a person typing the lesson's commands. Every
//! netlab binary therefore starts with
//!
//! ```no_run
//! unsolved::install();
//! ```
//!
//! and then such a panic, in any thread (a TFTP transfer runs in a thread of its own),
//! prints
//!
//! ```text
//! error: this needs Exercise 1.3 (The receive loop that reports truncation), not solved yet: cargo run -- hint 1.3
//! ```
//!
//! and ends the process with exit status 1, like every other run-time error. Any other
//! panic is a bug, and goes to Rust's usual panic message unchanged.
//!
//! Start reading at [`hook`], then [`message`]:
//! - [`hook`]: the panic hook ([`install`]) that ends the process with one line;
//! - [`message`]: reading the `todo!()` message ([`parse`] into an [`Unsolved`]);
//! - [`demo`]: a demonstration's server thread, which never outlives it ([`DemoThread`]),
//!   so that `cargo run -- tour` sees its panics too.

pub mod demo;
pub mod hook;
pub mod message;

pub use demo::DemoThread;
pub use hook::install;
pub use message::{Unsolved, parse};
