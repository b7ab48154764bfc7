//! # udp-basic: the notes' first UDP programs, with nothing hidden
//!
//! Lesson 1 (`lessons/01-udp-basic.md`). The Python notes open with
//!
//! ```python
//! udpSocket = socket(AF_INET, SOCK_DGRAM)
//! udpSocket.sendto('你好'.encode('gb2312'), ("127.0.0.1", 7788))
//! data, address = udpSocket.recvfrom(1024)
//! ```
//!
//! This crate is those three calls in Rust, plus what the notes leave out: which port
//! the OS picked for the sender, what the bytes on the wire are in each encoding, what
//! happens when a datagram is longer than the 1024-byte buffer (the rest is cut off and
//! lost, and we say so), and that UDP loses datagrams without telling anyone.
//!
//! Try it in two terminals:
//!
//! ```text
//! terminal 1$ cargo run -q -p udp-basic -- recv --bind 127.0.0.1:7788
//! listening on udp 127.0.0.1:7788
//! terminal 2$ cargo run -q -p udp-basic -- send 127.0.0.1:7788 你好 --encoding gbk
//! sent 4 bytes to 127.0.0.1:7788 from 0.0.0.0:53211
//! ```
//!
//! Start reading at `send.rs` and follow the datagram: `bind.rs` (the socket and its
//! port), `send.rs` (`sendto` from a port the OS picks), `receive.rs` (`recvfrom`,
//! truncation, the receive loop of exercises 1.1 and 1.3). The loss experiment is
//! `blast.rs` (exercise 1.4) on one side and `report.rs` (exercise 1.2) on the other;
//! `error.rs` serves them all, and `tour.rs` is the course runner's demo. What every
//! lesson shares comes from small crates: the `--trace` lines ([`Trace`]) and the
//! `error:`/`hint:` report from `say`, the wait for the first datagram from
//! `first-datagram`, and each datagram's arrow for `--ladder` (`Trace::packet`, with
//! the label from `ladder::live::datagram_label`).

pub mod bind;
pub mod blast;
pub mod error;
pub mod receive;
pub mod report;
pub mod send;
pub mod tour;

pub use bind::{bind, local_address};
pub use blast::{BlastReport, SEQUENCE_BYTES, blast, blast_payload, sequence_of};
pub use error::UdpError;
/// A receiver waits for its first datagram as long as the person needs (shared with
/// lesson 2, so it lives in the `first-datagram` crate).
pub use first_datagram::wait_for_first_datagram;
pub use receive::{
    DEFAULT_BUFFER, DEFAULT_PORT, Datagram, ReceiveOptions, describe_datagram, is_timeout,
    receive_loop, recv_datagram, undecodable_warning,
};
pub use report::{LossReport, loss_summary, receive_report};
/// `--trace`: the one trace type of every lesson, from the `say` crate.
pub use say::Trace;
pub use send::{MAX_DATAGRAM, SendReport, send, sending_socket};
pub use tour::tour;
