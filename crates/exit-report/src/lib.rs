//! # exit-report: how a netlab command ends
//!
//! One `error: ...` line on stderr, a `hint: ...` line where the cause is common, and an
//! exit status (DESIGN.md): 0 success, 1 a failure at run time, 2 bad usage or input.
//! Nothing at all when our output's reader went away (`... | head`).
//!
//! The lesson binaries reach it through `say` (whose `say::finish` first prints a
//! `--ladder --mermaid` diagram); the `ladder` tool, which `say` itself uses to draw,
//! uses it directly. Start reading at `failure.rs`: [`Explain`], what a library error
//! tells beyond its message; [`Failure`], the report; [`finish`], which prints it.

pub mod failure;

pub use failure::{Explain, Failure, finish, is_closed_pipe};
