//! # first-datagram: a receiver waits for a person, then for the network
//!
//! A lesson is typed by a person in two terminals (DESIGN.md): the receiver starts
//! first, and the sender may come a minute later. So a UDP receiver (udp-basic's
//! `recv`, udp-bind's `recv` and `echo`) waits for its **first** datagram with no time
//! limit, as Python's `recvfrom` does without `settimeout`, and its `--timeout` counts
//! only from then on, as idle time between datagrams. Both lessons wait the same way,
//! so the waiting is written once, here.
//!
//! Start reading at [`wait`] ([`wait_for_first_datagram`]); [`error`] holds what can go
//! wrong ([`WaitError`]).

pub mod error;
pub mod wait;

pub use error::WaitError;
pub use wait::wait_for_first_datagram;
