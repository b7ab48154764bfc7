//! # udp-bind: ports, `bind`, echo, broadcast and duplex (lesson 2)
//!
//! The Python notes make a handful of claims about ports (端口) and binding; this crate
//! turns each one into something you run and see, and corrects the ones that are
//! imprecise (the lesson is `lessons/02-udp-bind.md`):
//!
//! * "a port marks a process" and "two programs on one OS cannot share a port": a second
//!   `bind` of the same UDP address fails with *address in use* ([`bind::bind_udp`]), unless
//!   every socket asks to share it with `SO_REUSEPORT` ([`bind::BindOptions`]). And the
//!   rule is per protocol: TCP and UDP may use the same port number at the same time.
//! * "the receiver binds a fixed port, the sender usually does not": a socket that never
//!   called `bind` gets a port from the OS at its first `sendto`
//!   ([`bind::sender_socket`]), a new one every run.
//! * echo, the first request/response protocol: [`echo::serve_echo`] answers each sender
//!   at the address its datagram came from.
//! * "only UDP has broadcast": [`broadcast::broadcast`] sends to `127.255.255.255` (the
//!   loopback broadcast address, so nothing leaves the machine), and shows that a socket
//!   must ask for it first (`SO_BROADCAST`), or the OS answers `EACCES`.
//! * simplex (单工, broadcast), half duplex (半双工, a pager) and full duplex (全双工, a
//!   phone): [`chat::chat`] in its three modes.
//!
//! Try it in two terminals:
//!
//! ```text
//! terminal 1$ cargo run -q -p udp-bind -- echo --port 7788
//! listening on udp 0.0.0.0:7788
//! terminal 2$ cargo run -q -p udp-bind -- send 127.0.0.1:7788 hello --wait-reply
//! sent 5 bytes to 127.0.0.1:7788 from 0.0.0.0:53211
//! reply from 127.0.0.1:7788: hello
//! ```
//!
//! Start reading at `bind.rs` (ports and `bind`), then `echo.rs` (the first
//! request/response protocol), `broadcast.rs` and `chat.rs`. `datagram.rs` holds the
//! `sendto`/`recvfrom` calls they share, `error.rs` what can go wrong, `wording.rs` how
//! counts and times read, and `tour.rs` the course runner's demo. What every lesson
//! shares comes from small crates: the `--trace` lines ([`Trace`]) and the
//! `error:`/`hint:` report from `say`, the wait for the first datagram from
//! `first-datagram`, and each datagram's arrow for `--ladder` (`Trace::packet`, with
//! the label from `ladder::live::datagram_label`).

pub mod bind;
pub mod broadcast;
pub mod chat;
pub mod datagram;
pub mod echo;
pub mod error;
pub mod tour;
pub mod wording;

pub use datagram::{MAX_DATAGRAM, datagram_line, local_address, receive_from, send_to};
pub use error::Error;
/// A receiver or server waits for its first datagram as long as the person needs
/// (shared with lesson 1, so it lives in the `first-datagram` crate).
pub use first_datagram::wait_for_first_datagram;
/// `--trace`: the one trace type of every lesson, from the `say` crate.
pub use say::Trace;
pub use tour::tour;
pub use wording::{count_bytes, plural, seconds};
