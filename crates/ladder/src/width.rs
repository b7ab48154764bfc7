//! How wide to draw: as wide as the terminal the drawing goes to, so that a student with
//! two terminals side by side (55-70 columns each) sees one line per arrow instead of
//! wrapped halves; [`draw::WIDTH`] (80 columns) when the output is a file or a pipe, so
//! that saved and tested outputs do not depend on the window they were made in.
//!
//! The width comes from the terminal itself (the `TIOCGWINSZ` ioctl, which `stty size`
//! also asks), never from the `COLUMNS` variable: that is a shell variable most shells do
//! not export, and when one does it would follow the program into a pipe.

use std::io::{self, IsTerminal};

use crate::draw;

/// The width to draw at on standard output (the `ladder` command's drawing).
pub fn of_stdout() -> usize {
    let stdout = io::stdout();
    chosen(stdout.is_terminal(), || columns(&stdout))
}

/// The width to draw at on standard error (`--ladder`, drawn live).
pub fn of_stderr() -> usize {
    let stderr = io::stderr();
    chosen(stderr.is_terminal(), || columns(&stderr))
}

/// The width for a stream: the terminal's columns within [`draw::MIN_WIDTH`] and
/// [`draw::MAX_WIDTH`], or [`draw::WIDTH`] when the stream is not a terminal or the
/// terminal does not say (a serial console reports 0 columns).
fn chosen(is_terminal: bool, columns: impl FnOnce() -> Option<u16>) -> usize {
    if !is_terminal {
        return draw::WIDTH;
    }
    match columns() {
        Some(columns) if columns > 0 => draw::clamp_width(usize::from(columns)),
        _ => draw::WIDTH,
    }
}

/// The terminal's width in columns, as the kernel keeps it for the terminal (the
/// terminal emulator or tmux sets it, and again on every resize).
#[cfg(unix)]
fn columns(terminal: &impl std::os::fd::AsFd) -> Option<u16> {
    rustix::termios::tcgetwinsize(terminal)
        .ok()
        .map(|size| size.ws_col)
}

/// On Windows the console's width needs the console API (`GetConsoleScreenBufferInfo`)
/// and a crate of bindings for it; the drawing stays at 80 columns there, which the
/// Windows console wraps cleanly at its default width of 120.
#[cfg(not(unix))]
fn columns<T>(_terminal: &T) -> Option<u16> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_that_is_not_a_terminal_gets_80_columns() {
        assert_eq!(chosen(false, || Some(60)), draw::WIDTH);
    }

    #[test]
    fn a_terminal_gets_its_own_width() {
        assert_eq!(chosen(true, || Some(60)), 60);
        assert_eq!(chosen(true, || Some(120)), 120);
    }

    #[test]
    fn a_terminal_width_is_kept_between_the_minimum_and_the_maximum() {
        assert_eq!(chosen(true, || Some(20)), draw::MIN_WIDTH);
        assert_eq!(chosen(true, || Some(400)), draw::MAX_WIDTH);
    }

    #[test]
    fn a_terminal_that_does_not_say_gets_80_columns() {
        assert_eq!(chosen(true, || None), draw::WIDTH);
        assert_eq!(chosen(true, || Some(0)), draw::WIDTH);
    }
}
