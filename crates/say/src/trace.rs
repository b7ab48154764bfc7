//! `--trace`: each socket call or packet printed on stderr as it happens, in the Python
//! notes' terms (`socket(AF_INET, SOCK_DGRAM)`, `bind(0.0.0.0:7788)`,
//! `sendto(127.0.0.1:7788, 6 bytes)`, `-> ACK #1`), so the student sees the calls behind
//! every command.
//!
//! With `--ladder` the same `Trace` draws the exchange instead: each [`Trace::packet`]
//! becomes one arrow of a ladder on stderr, drawn as it happens, or a mermaid
//! `sequenceDiagram` printed on stderr when the program ends (`--ladder --mermaid`). How
//! a binary adds the flag is told in the `ladder` crate's `live` module.

use std::fmt::{self, Write as _};
use std::io::{self, Write as _};
use std::net::SocketAddr;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use ladder::Live;
use ladder::draw::Style;

pub use ladder::Mark;

/// How `--ladder` draws: in the terminal as the exchange happens, or as one mermaid
/// `sequenceDiagram` at the end (`--ladder --mermaid`). Both go to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LadderMode {
    /// Row by row on stderr, Unicode or ASCII as the locale says
    /// ([`Style::from_env`]: `LC_ALL=C` gives ASCII), as wide as the terminal
    /// ([`ladder::width::of_stderr`]; 80 columns when stderr is not a terminal).
    Terminal,
    /// Collected, and printed on stderr as mermaid text by [`finish_ladder`].
    Mermaid,
}

impl LadderMode {
    /// The mode the flags ask for: `None` without `--ladder`.
    pub const fn from_flags(ladder: bool, mermaid: bool) -> Option<LadderMode> {
        match (ladder, mermaid) {
            (false, _) => None,
            (true, false) => Some(LadderMode::Terminal),
            (true, true) => Some(LadderMode::Mermaid),
        }
    }
}

/// The one ladder of this process: every thread's packets go to the same drawing.
struct Sink {
    live: Live,
    /// When the first packet (or note) came: the ladder's time zero.
    start: Option<Instant>,
}

static SINK: OnceLock<Mutex<Sink>> = OnceLock::new();

/// Starts the process's ladder in `mode`. The first call decides; later calls keep it.
fn install(mode: LadderMode) {
    SINK.get_or_init(|| {
        let live = match mode {
            // As wide as the terminal stderr is (80 columns when it is a file or a pipe,
            // so saved and tested outputs stay the same).
            LadderMode::Terminal => {
                Live::terminal(Style::from_env()).with_width(ladder::width::of_stderr())
            }
            LadderMode::Mermaid => Live::mermaid(),
        };
        Mutex::new(Sink { live, start: None })
    });
}

/// Runs `draw` on the ladder and prints what it returns on stderr, while the ladder is
/// locked so that rows from several threads come out whole and in order.
fn with_sink(draw: impl FnOnce(&mut Live, Duration) -> String) {
    let Some(sink) = SINK.get() else {
        return;
    };
    // A thread that panicked while drawing leaves the ladder usable: take it anyway.
    let mut sink = sink.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let now = Instant::now();
    let start = *sink.start.get_or_insert(now);
    let at = now.checked_duration_since(start).unwrap_or_default();
    let text = draw(&mut sink.live, at);
    if !text.is_empty() {
        // Nothing sensible is left to do when stderr itself is gone.
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Ends the ladder: with `--ladder --mermaid`, prints the whole diagram on stderr (once).
/// [`crate::finish`] calls it, so a `main` that ends with `say::finish` need not.
pub fn finish_ladder() {
    let Some(sink) = SINK.get() else {
        return;
    };
    let mut sink = sink.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let text = sink.live.finish();
    if !text.is_empty() {
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

/// Where `--trace` lines go: nowhere ([`Trace::OFF`]) or to stderr ([`Trace::STDERR`]).
///
/// A `Trace` is a small value (`Copy`): pass it by value to every function that makes
/// socket calls, and each says what it does with [`Trace::call`]:
///
/// ```
/// use say::Trace;
/// let trace = Trace::new(false); // from `--trace`
/// trace.call(format_args!("bind({})", "0.0.0.0:7788"));
/// ```
///
/// A server that runs several exchanges at once names the peer on each line
/// ([`Trace::with_peer`]), so the lines of two clients can be told apart.
///
/// Each packet is also told with [`Trace::packet`]: nothing happens unless the process
/// draws a ladder ([`Trace::with_ladder`], the `--ladder` flag). In ladder mode the
/// `call` lines are not printed (they would cut through the lifelines); the ladder
/// shows the packets instead.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trace {
    enabled: bool,
    /// Put as `[ADDRESS] ` before every line.
    peer: Option<SocketAddr>,
    /// Packets are drawn on the process's ladder (and `call` lines are not printed).
    ladder: bool,
}

impl Trace {
    /// Prints nothing.
    pub const OFF: Trace = Trace {
        enabled: false,
        peer: None,
        ladder: false,
    };
    /// Prints each line on stderr.
    pub const STDERR: Trace = Trace {
        enabled: true,
        peer: None,
        ladder: false,
    };

    /// [`Trace::STDERR`] when `enabled` (the `--trace` flag), else [`Trace::OFF`].
    pub const fn new(enabled: bool) -> Trace {
        Trace {
            enabled,
            peer: None,
            ladder: false,
        }
    }

    /// A trace that draws the process's ladder in `mode` (and prints no `call` lines).
    pub fn ladder(mode: LadderMode) -> Trace {
        Trace::OFF.with_ladder(Some(mode))
    }

    /// The same trace, drawing the process's ladder when `mode` is given (the `--ladder`
    /// flag, see [`LadderMode::from_flags`]); unchanged with `None`. `--trace` and
    /// `--ladder` together draw the ladder only.
    pub fn with_ladder(self, mode: Option<LadderMode>) -> Trace {
        match mode {
            None => self,
            Some(mode) => {
                install(mode);
                Trace {
                    enabled: false,
                    peer: self.peer,
                    ladder: true,
                }
            }
        }
    }

    /// The same trace, with every line starting `[peer] `: `[127.0.0.1:53211] -> DATA #1`.
    pub const fn with_peer(self, peer: SocketAddr) -> Trace {
        Trace {
            enabled: self.enabled,
            peer: Some(peer),
            ladder: self.ladder,
        }
    }

    /// True when lines are printed or a ladder is drawn: lets a caller skip work
    /// (parsing a packet again) whose only use is a trace line or an arrow.
    pub const fn is_on(&self) -> bool {
        self.enabled || self.ladder
    }

    /// True when packets are drawn on a ladder (`--ladder`).
    pub const fn is_ladder(&self) -> bool {
        self.ladder
    }

    /// One packet from `from` to `to` with its one-line summary (`"hello" (5 bytes)`,
    /// `DATA #3 (512 bytes)`): one arrow on the ladder, when drawing one. Call it where
    /// the program sends (`from` is our socket) or receives (`to` is our socket) it.
    pub fn packet(&self, from: SocketAddr, to: SocketAddr, label: fmt::Arguments<'_>, mark: Mark) {
        if !self.ladder {
            return;
        }
        self.packet_between(&from.to_string(), &to.to_string(), label, mark);
    }

    /// [`Trace::packet`] between endpoints that are not socket addresses: a MAC address
    /// (`02:00:00:00:00:01`), `host`, `router`.
    pub fn packet_between(&self, from: &str, to: &str, label: fmt::Arguments<'_>, mark: Mark) {
        if !self.ladder {
            return;
        }
        let label = label.to_string();
        with_sink(|live, at| live.arrow(at, from, to, &label, mark));
    }

    /// A note on the column of `on` (`timeout, sending DATA #3 again`), when drawing a
    /// ladder.
    pub fn note(&self, on: SocketAddr, text: fmt::Arguments<'_>) {
        if !self.ladder {
            return;
        }
        self.note_on(&on.to_string(), text);
    }

    /// [`Trace::note`] on an endpoint that is not a socket address.
    pub fn note_on(&self, on: &str, text: fmt::Arguments<'_>) {
        if !self.ladder {
            return;
        }
        let text = text.to_string();
        with_sink(|live, at| live.note(at, on, &text));
    }

    /// Prints one line for one call or packet, when tracing.
    ///
    /// The line is put together first and written in one piece while stderr is locked,
    /// so lines from several threads (a server's transfers) never mix.
    pub fn call(&self, line: fmt::Arguments<'_>) {
        if !self.enabled {
            return;
        }
        let mut text = String::new();
        // Writing into a String cannot fail.
        if let Some(peer) = self.peer {
            let _ = write!(text, "[{peer}] ");
        }
        let _ = writeln!(text, "{line}");
        // Nothing sensible is left to do when stderr itself is gone.
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_follows_the_flag() {
        assert_eq!(Trace::new(true), Trace::STDERR);
        assert_eq!(Trace::new(false), Trace::OFF);
        assert_eq!(Trace::default(), Trace::OFF);
        assert!(!Trace::OFF.is_on());
    }

    #[test]
    fn ladder_mode_follows_the_flags() {
        assert_eq!(LadderMode::from_flags(false, true), None);
        assert_eq!(
            LadderMode::from_flags(true, false),
            Some(LadderMode::Terminal)
        );
        assert_eq!(
            LadderMode::from_flags(true, true),
            Some(LadderMode::Mermaid)
        );
        assert_eq!(Trace::STDERR.with_ladder(None), Trace::STDERR);
    }

    #[test]
    fn ladder_mode_turns_call_lines_off_and_keeps_is_on() {
        let trace = Trace::STDERR.with_ladder(Some(LadderMode::Terminal));
        assert!(trace.is_ladder());
        assert!(trace.is_on());
        assert!(!trace.enabled);
        assert!(!Trace::STDERR.is_ladder());
    }

    #[test]
    fn with_peer_keeps_the_switch() {
        let peer: SocketAddr = "127.0.0.1:53211".parse().unwrap();
        assert!(Trace::STDERR.with_peer(peer).is_on());
        assert!(!Trace::OFF.with_peer(peer).is_on());
    }
}
