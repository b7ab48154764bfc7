//! Echo: the first request/response protocol.
//!
//! An echo server (RFC 862 describes the classic one on port 7) sends every datagram
//! back to whoever sent it. UDP has no connection, so the only way to know where
//! "back" is, is the sender address that `recvfrom` returns with each datagram: the
//! server keeps no list of clients, and one socket serves them all.
//!
//! ```text
//! client 127.0.0.1:53211                    server 0.0.0.0:7788
//!   sendto(127.0.0.1:7788, "hello")  ----->  recvfrom -> 5 bytes from 127.0.0.1:53211
//!   recvfrom -> "hello"              <-----  sendto(127.0.0.1:53211, "hello")
//! ```

use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use crate::{Error, MAX_DATAGRAM, Trace, receive_from, send_to};

/// How the echo server runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EchoOptions {
    /// Stop after answering this many datagrams (`None`: run until stopped).
    pub count: Option<u64>,
    /// Reply in upper case (`echo --upper`, exercise 2.1).
    pub upper: bool,
    /// Give up (an error) when no datagram arrives for this long (`None`: wait forever).
    pub timeout: Option<Duration>,
}

/// What the server did, for its last line: `served 3 datagrams from 2 clients`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EchoSummary {
    pub datagrams: u64,
    pub clients: usize,
}

/// The reply `echo --upper` sends: the request with ASCII letters in upper case (other
/// bytes, such as the bytes of 你好 in UTF-8 or GBK, unchanged).
pub fn shout(request: &[u8]) -> Vec<u8> {
    // exercise 2.1: begin
    request.to_ascii_uppercase()
    // exercise 2.1: end
}

/// The clients an echo server has seen, numbered from 1 in the order they first wrote.
///
/// A client is an address *and* a port: two `udp-bind send` runs from one machine are two
/// clients, because each run gets a new port from the OS (unless `--from-port`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clients {
    seen: Vec<SocketAddr>,
}

impl Clients {
    /// Notes a datagram from `from` and returns that client's number: a new number for a
    /// new address, the same number again for a client seen before.
    pub fn record(&mut self, from: SocketAddr) -> usize {
        // exercise 2.2: begin
        if let Some(index) = self.seen.iter().position(|seen| *seen == from) {
            return index + 1;
        }
        self.seen.push(from);
        self.seen.len()
        // exercise 2.2: end
    }

    /// How many different clients were seen.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// True before the first datagram.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// The echo server loop: receive a datagram, send it back to the address it came from
/// (upper-cased with `options.upper`, see [`shout`]), and print one line per datagram:
/// `echoed 5 bytes to 127.0.0.1:53211 (client #1)`. Stops after `options.count`
/// datagrams and returns how many it served from how many clients ([`Clients`]).
///
/// The socket comes in already bound, so the binary binds `--port` and tests bind port 0.
pub fn serve_echo(
    socket: &UdpSocket,
    options: &EchoOptions,
    out: &mut dyn Write,
    trace: Trace,
) -> Result<EchoSummary, Error> {
    // exercise 2.3: begin
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    let mut clients = Clients::default();
    let mut served = 0;
    while options.count.is_none_or(|count| served < count) {
        let (length, from) = receive_from(socket, &mut buffer, options.timeout, trace)?;
        let request = &buffer[..length];
        let reply = if options.upper {
            shout(request)
        } else {
            request.to_vec()
        };
        // Back to the sender's own address: the one recvfrom gave us with the datagram.
        send_to(socket, &reply, from, trace)?;
        served += 1;
        let number = clients.record(from);
        writeln!(
            out,
            "echoed {} to {from} (client #{number})",
            crate::count_bytes(reply.len())
        )
        .map_err(Error::Output)?;
    }
    Ok(EchoSummary {
        datagrams: served,
        clients: clients.len(),
    })
    // exercise 2.3: end
}

#[cfg(test)]
#[path = "exercise_tests/echo.rs"]
mod exercise_tests;
