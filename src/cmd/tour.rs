//! `cargo run -- tour`: a short live demo of every exercise, on loopback. The demos and
//! how a demo that reaches an unsolved exercise is caught are in `src/tour.rs`.

use std::io::Write;

use crate::error::{Error, ErrorKind, caused_by_closed_pipe, io_error};
use crate::tour::{self, DEMOS};

/// Runs every demo; stops at the first that fails.
pub fn run(out: &mut dyn Write) -> Result<(), Error> {
    let output = || io_error("writing the tour");
    writeln!(out, "netlab tour: every exercise, live, on loopback\n").map_err(output())?;
    for (title, demo) in DEMOS {
        writeln!(out, "== lesson {title}").map_err(output())?;
        match tour::run_demo(*demo, out) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                let mut failed = Error::runtime(format!("the {title} demo failed: {error}"));
                if caused_by_closed_pipe(error.as_ref()) {
                    failed.kind = ErrorKind::ClosedPipe;
                }
                return Err(failed);
            }
            // In a starter copy a demo can reach an exercise that is still `todo!()`.
            Err(unsolved) => {
                writeln!(
                    out,
                    "  (not shown yet: {unsolved}; solve it and run the tour again)"
                )
                .map_err(output())?;
            }
        }
        writeln!(out).map_err(output())?;
    }
    writeln!(
        out,
        "That was all of it on 127.0.0.1. Read on in lessons/, in order; `cargo run` lists them."
    )
    .map_err(output())?;
    Ok(())
}
