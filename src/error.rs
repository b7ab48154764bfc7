//! What can go wrong when running a netlab command, and the exit code each gets.

use std::fmt;

/// A command that could not do its job. A check whose tests fail is not an error (it did
/// its job, and exits 1 without an `error:` line); a missing exercise or an unreadable
/// file is.
#[derive(Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    /// What to try next, printed as `hint: ...`.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line asked for something that does not exist (exit code 2).
    Usage,
    /// Something failed while doing it: a file, cargo itself (exit code 1).
    Runtime,
    /// Our output went to a pipe whose reader left (`cargo run | head`): nothing is
    /// wrong, and nobody is left to tell (exit code 0, no `error:` line).
    ClosedPipe,
}

impl Error {
    pub fn usage(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Usage,
            message: message.into(),
            hint: None,
        }
    }

    pub fn runtime(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Runtime,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Usage => 2,
            ErrorKind::Runtime => 1,
            ErrorKind::ClosedPipe => 0,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

/// `main` reports a runner error as the lesson binaries report theirs, with
/// [`say::finish`]: one `error:` line, a `hint:` line where there is one, the exit code.
impl say::Explain for Error {
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }

    fn exit_code(&self) -> u8 {
        Error::exit_code(self)
    }

    fn is_closed_pipe(&self) -> bool {
        self.kind == ErrorKind::ClosedPipe
    }
}

/// True when `error`, or an error it wraps (its `source()` chain), is a write to a
/// closed pipe: a demo's output going to `cargo run -- tour | head`.
pub fn caused_by_closed_pipe(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            if say::is_closed_pipe(io) {
                return true;
            }
        }
        next = error.source();
    }
    false
}

/// Wraps an I/O error with what we were doing: `writing ci/x.yml: permission denied`.
/// A write to a closed pipe is told by its kind (`BrokenPipe`), never by its words.
pub fn io_error(doing: impl fmt::Display) -> impl FnOnce(std::io::Error) -> Error {
    move |error| {
        let mut wrapped = Error::runtime(format!("{doing}: {error}"));
        if say::is_closed_pipe(&error) {
            wrapped.kind = ErrorKind::ClosedPipe;
        }
        wrapped
    }
}
