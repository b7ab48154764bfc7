//! `--trace`: each socket call or packet printed on stderr as it happens, in the Python
//! notes' terms (`socket(AF_INET, SOCK_DGRAM)`, `bind(0.0.0.0:7788)`,
//! `sendto(127.0.0.1:7788, 6 bytes)`, `-> ACK #1`), so the student sees the calls behind
//! every command.

use std::fmt::{self, Write as _};
use std::io::{self, Write as _};
use std::net::SocketAddr;

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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trace {
    enabled: bool,
    /// Put as `[ADDRESS] ` before every line.
    peer: Option<SocketAddr>,
}

impl Trace {
    /// Prints nothing.
    pub const OFF: Trace = Trace {
        enabled: false,
        peer: None,
    };
    /// Prints each line on stderr.
    pub const STDERR: Trace = Trace {
        enabled: true,
        peer: None,
    };

    /// [`Trace::STDERR`] when `enabled` (the `--trace` flag), else [`Trace::OFF`].
    pub const fn new(enabled: bool) -> Trace {
        Trace {
            enabled,
            peer: None,
        }
    }

    /// The same trace, with every line starting `[peer] `: `[127.0.0.1:53211] -> DATA #1`.
    pub const fn with_peer(self, peer: SocketAddr) -> Trace {
        Trace {
            enabled: self.enabled,
            peer: Some(peer),
        }
    }

    /// True when lines are printed: lets a caller skip work (parsing a packet again)
    /// whose only use is a trace line.
    pub const fn is_on(&self) -> bool {
        self.enabled
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
    fn with_peer_keeps_the_switch() {
        let peer: SocketAddr = "127.0.0.1:53211".parse().unwrap();
        assert!(Trace::STDERR.with_peer(peer).is_on());
        assert!(!Trace::OFF.with_peer(peer).is_on());
    }
}
