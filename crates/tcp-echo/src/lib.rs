//! A real TCP echo server and its clients: lesson 3 of netlab
//! (`lessons/03-tcp-echo.md`).
//!
//! The notes' TCP server binds, calls `listen(5)`, `accept`s one client, reads once with
//! `recv(1024)` and closes. This crate does the same things properly and shows why each
//! step is there:
//!
//! * [`server::listen`]: `socket`, `bind`, `listen(backlog)`: the listening socket and its
//!   accept queue (the backlog is a queue length, not a client limit);
//! * [`server::serve`]: `accept` in a loop, one thread per client, each running
//!   [`server::echo_loop`], which handles partial reads *and* partial writes;
//! * [`framing`]: TCP is a byte stream without message boundaries: read until the peer
//!   closes ([`framing::receive_until_closed`]) or cut lines out of it
//!   ([`framing::take_line`]);
//! * [`client`]: `send` (send, half-close, read the whole reply), `chat` (full duplex on
//!   two threads) and `probe` (how many handshakes a server's kernel completes).
//!
//! Try it in two terminals:
//!
//! ```text
//! terminal 1$ cargo run -q -p tcp-echo -- serve --bind 127.0.0.1:8899
//! listening on tcp 127.0.0.1:8899
//! terminal 2$ cargo run -q -p tcp-echo -- send 127.0.0.1:8899 hello
//! sent 5 bytes to 127.0.0.1:8899 from 127.0.0.1:41234
//! received 5 bytes in 1 recv call: hello
//! ```
//!
//! Start reading at `server.rs` ([`server::listen`], then [`server::serve`] and
//! [`server::echo_loop`]), then `framing.rs` for what a byte stream means, then
//! `client.rs`. `tour.rs` is the course runner's demo. The `--trace` lines ([`Trace`]),
//! the `--ladder` drawing of the socket calls (`connect`, `send`, `recv`, `shutdown`,
//! `close`: a program never sees TCP's segments) and the `error:`/`hint:` report come
//! from the `say` crate, shared by every lesson.

pub mod client;
pub mod framing;
pub mod server;
pub mod tour;

/// `--trace`: the one trace type of every lesson, from the `say` crate.
pub use say::Trace;
pub use tour::tour;
