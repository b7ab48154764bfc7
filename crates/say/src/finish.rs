//! `say::finish`: how a lesson binary's `main` ends.

use std::process::ExitCode;

use exit_report::Failure;

/// Ends a command as [`exit_report::finish`] does (nothing for success or a closed output
/// pipe, else `error: ...` and `hint: ...`, and the exit status), after the `--ladder
/// --mermaid` diagram of the exchange, which comes first, also on an error exit, where
/// it shows how far the exchange got.
pub fn finish(result: Result<(), Failure>) -> ExitCode {
    crate::trace::finish_ladder();
    exit_report::finish(result)
}
