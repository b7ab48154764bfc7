//! How a command ends: one `error: ...` line on stderr, a `hint: ...` line where the
//! cause is common, and an exit status (DESIGN.md): 0 success, 1 a failure at run time
//! (network, timeout, protocol, file), 2 bad usage or input.
//!
//! A library error is an enum with a `Display` that reads as a sentence; implementing
//! [`Explain`] adds its hint and its exit status. `main` runs the command, turns every
//! error into a [`Failure`] with `?` (or [`Failure::usage`] / [`Failure::runtime`] for
//! what it checks itself), and ends with [`finish`]:
//!
//! ```no_run
//! use std::process::ExitCode;
//! use exit_report::Failure;
//!
//! fn run() -> Result<(), Failure> {
//!     Err(Failure::usage("--count: give a number"))
//! }
//!
//! fn main() -> ExitCode {
//!     exit_report::finish(run())
//! }
//! ```
//!
//! (A lesson binary calls `say::finish` instead: the same, after the `--ladder
//! --mermaid` diagram.)

use std::fmt::{self, Write as _};
use std::io::{self, Write as _};
use std::process::ExitCode;

/// What a library error tells the person beyond its message (`Display`).
pub trait Explain: fmt::Display {
    /// What to try, printed as `hint: ...`, where the cause is common (a port in use,
    /// no server listening).
    fn hint(&self) -> Option<String> {
        None
    }

    /// The exit status: 2 for bad usage or input, 1 (the default) for a failure at run
    /// time.
    fn exit_code(&self) -> u8 {
        1
    }

    /// True when the error is only our reader going away (`... | head` closed the
    /// pipe): there is nobody left to tell, and the command ends with success. Recognise
    /// it with [`is_closed_pipe`].
    fn is_closed_pipe(&self) -> bool {
        false
    }
}

/// True for a write that failed because the reading end of the pipe was closed
/// (`EPIPE`: `netlab ... | head` stopped reading). Told by the error's kind, never by
/// its text, which depends on the system and its language.
pub fn is_closed_pipe(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::BrokenPipe
}

/// How a command failed, ready to be reported by [`finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    message: String,
    hint: Option<String>,
    exit_code: u8,
    /// Our output went to a pipe that closed: nothing to say, and success.
    closed_pipe: bool,
}

impl Failure {
    /// Bad usage or input: exit status 2.
    pub fn usage(message: impl fmt::Display) -> Failure {
        Failure {
            message: message.to_string(),
            hint: None,
            exit_code: 2,
            closed_pipe: false,
        }
    }

    /// A failure at run time: exit status 1.
    pub fn runtime(message: impl fmt::Display) -> Failure {
        Failure {
            message: message.to_string(),
            hint: None,
            exit_code: 1,
            closed_pipe: false,
        }
    }

    /// Our output went to a pipe whose reader left: [`finish`] says nothing and
    /// returns success.
    pub fn closed_pipe() -> Failure {
        Failure {
            message: String::new(),
            hint: None,
            exit_code: 0,
            closed_pipe: true,
        }
    }

    /// Adds a `hint: ...` line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// Another exit status, such as 128 + a signal's number (130 for Ctrl-C), the
    /// status a shell shows for a program a signal ended.
    pub fn with_exit_code(mut self, exit_code: u8) -> Failure {
        self.exit_code = exit_code;
        self
    }

    /// The `error:` line's text.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `hint:` line's text, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The exit status [`finish`] returns.
    pub fn exit_code(&self) -> u8 {
        if self.closed_pipe { 0 } else { self.exit_code }
    }

    /// True when this is only a closed output pipe (see [`Explain::is_closed_pipe`]).
    pub fn is_closed_pipe(&self) -> bool {
        self.closed_pipe
    }
}

impl<E: Explain> From<E> for Failure {
    fn from(error: E) -> Failure {
        Failure {
            message: error.to_string(),
            hint: error.hint(),
            exit_code: error.exit_code(),
            closed_pipe: error.is_closed_pipe(),
        }
    }
}

/// Ends a command: nothing for success or a closed output pipe; otherwise `error: ...`
/// and, where there is one, `hint: ...` on stderr. Returns the exit status for `main`.
pub fn finish(result: Result<(), Failure>) -> ExitCode {
    let failure = match result {
        Ok(()) => return ExitCode::SUCCESS,
        Err(failure) if failure.closed_pipe => return ExitCode::SUCCESS,
        Err(failure) => failure,
    };
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(text, "error: {}", failure.message);
    if let Some(hint) = &failure.hint {
        let _ = writeln!(text, "hint: {hint}");
    }
    // One write, so another thread's line cannot land between `error:` and `hint:`;
    // with stderr itself gone there is nobody left to tell.
    let _ = io::stderr().lock().write_all(text.as_bytes());
    ExitCode::from(failure.exit_code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    enum Sample {
        Busy,
        BadInput,
        Output(io::Error),
    }

    impl fmt::Display for Sample {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Sample::Busy => write!(f, "port 7788 is busy"),
                Sample::BadInput => write!(f, "bad input"),
                Sample::Output(error) => write!(f, "writing output: {error}"),
            }
        }
    }

    impl Explain for Sample {
        fn hint(&self) -> Option<String> {
            matches!(self, Sample::Busy).then(|| "pick another port".to_string())
        }
        fn exit_code(&self) -> u8 {
            if matches!(self, Sample::BadInput) {
                2
            } else {
                1
            }
        }
        fn is_closed_pipe(&self) -> bool {
            matches!(self, Sample::Output(error) if is_closed_pipe(error))
        }
    }

    #[test]
    fn a_library_error_brings_its_message_hint_and_status() {
        let failure = Failure::from(Sample::Busy);
        assert_eq!(failure.message(), "port 7788 is busy");
        assert_eq!(failure.hint(), Some("pick another port"));
        assert_eq!(failure.exit_code(), 1);
        assert_eq!(Failure::from(Sample::BadInput).exit_code(), 2);
    }

    #[test]
    fn usage_is_2_and_runtime_is_1() {
        assert_eq!(Failure::usage("x").exit_code(), 2);
        assert_eq!(Failure::runtime("x").exit_code(), 1);
        assert_eq!(Failure::runtime("x").with_exit_code(130).exit_code(), 130);
    }

    #[test]
    fn a_closed_output_pipe_is_told_by_its_error_kind() {
        let closed = Failure::from(Sample::Output(io::Error::from(io::ErrorKind::BrokenPipe)));
        assert!(closed.is_closed_pipe());
        assert_eq!(closed.exit_code(), 0);
        // The same words in another error are not a closed pipe.
        let other = Failure::from(Sample::Output(io::Error::other("broken pipe")));
        assert!(!other.is_closed_pipe());
    }
}
