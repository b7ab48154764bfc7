//! # say: what netlab's binaries say on stderr
//!
//! Every lesson's binary talks to the student on stderr in the same three ways, written
//! once here so that what a student learnt in lesson 1 reads the same in lesson 4:
//!
//! * `trace.rs`: [`Trace`], the `--trace` lines, one per socket call or packet
//!   (`bind(0.0.0.0:7788)`, `-> RRQ "hello.txt" octet`), in the Python notes' terms,
//!   and with `--ladder` ([`LadderMode`]) one arrow per packet ([`Trace::packet`]) on a
//!   ladder drawn on stderr;
//! * how a command ends, from the `exit-report` crate: a library error says what went wrong
//!   (`Display`), and through [`Explain`] what to try (`hint:`) and which exit status it
//!   means; `main` collects it in a [`Failure`] and hands it to [`finish`] (`finish.rs`),
//!   which draws a `--ladder --mermaid` diagram if there is one, then prints `error: ...`
//!   and `hint: ...` and returns the exit status (0 ok, 1 at run time, 2 bad usage or
//!   input);
//! * `resources.rs`: [`is_out_of_resources`], the errors that mean "this machine is short
//!   of descriptors or memory for now", after which a server waits and goes on.
//!
//! Start reading at `trace.rs`. What goes to stdout (the readiness line, the results) is
//! each command's own business and stays in its crate.

mod finish;
pub mod resources;
pub mod trace;

pub use exit_report::{Explain, Failure, is_closed_pipe};
pub use finish::finish;
pub use resources::is_out_of_resources;
pub use trace::{LadderMode, Mark, Trace, finish_ladder};
