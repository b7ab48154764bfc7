//! `--ladder`: each packet of a transfer drawn as one arrow, marked with what happened
//! to it.
//!
//! Only the socket layer ([`crate::channel`]) and the places that receive outside it (the
//! client's first answer, the server's listening loop) call this module, and only when
//! a ladder is drawn; the reliability algorithm ([`crate::transfer`]) knows nothing of
//! it. The marks come from what the socket layer sees, the way a student reads them off
//! the ladder:
//!
//! * a packet sent after a timeout and before the peer's next datagram is a
//!   **retransmission** (`DATA #2 (retry after timeout)`), and the timeout itself is a
//!   note on our column naming the packet that went unanswered;
//! * a packet received (or sent) that was already received (or sent) is **repeated**
//!   (`DATA #2 (again)`): a duplicate, or the answer to one.
//!
//! The labels are the ones `ladder` prints for a capture of the same transfer
//! (`RRQ "hello.txt" octet blksize=1468`, `DATA #3 (512 bytes)`, `ACK 3`), so the
//! program's own ladder and the wire's read alike.

use std::collections::HashSet;
use std::net::{SocketAddr, UdpSocket};

use say::{Mark, Trace};

use crate::packet::{ErrorCode, ErrorPacket, Packet};

/// One transfer's memory of what it drew: enough to mark repeats and retransmissions.
#[derive(Debug)]
pub struct Arrows {
    /// Our end of the transfer, as the peer sees it.
    local: SocketAddr,
    sent: HashSet<String>,
    received: HashSet<String>,
    /// The last packet we sent: the one a timeout leaves unanswered.
    last_sent: String,
    /// From a timeout until the peer's next datagram: what we send is sent again.
    retrying: bool,
    /// Lingering after the end: waits that run out are not timeouts of the transfer.
    lingering: bool,
}

impl Arrows {
    /// The arrows of a transfer on `socket` with `peer`.
    pub fn new(socket: &UdpSocket, peer: SocketAddr) -> Arrows {
        let local = socket
            .local_addr()
            .map(|local| seen_from(local, peer))
            .unwrap_or_else(|_| unspecified_like(peer));
        Arrows {
            local,
            sent: HashSet::new(),
            received: HashSet::new(),
            last_sent: String::new(),
            retrying: false,
            lingering: false,
        }
    }

    /// Draws `bytes` going from us to `to`.
    pub fn sent(&mut self, trace: Trace, to: SocketAddr, bytes: &[u8]) {
        let label = label(bytes);
        let mark = if self.retrying && !is_error(bytes) {
            Mark::Retransmitted
        } else if self.sent.contains(&label) {
            Mark::Repeated
        } else {
            Mark::Plain
        };
        trace.packet(self.local, to, format_args!("{label}"), mark);
        self.last_sent.clone_from(&label);
        self.sent.insert(label);
    }

    /// Draws `bytes` coming from `from` to us; the peer has answered, so what we send
    /// next is no retransmission.
    pub fn received(&mut self, trace: Trace, from: SocketAddr, bytes: &[u8]) {
        let label = label(bytes);
        let mark = if self.received.contains(&label) {
            Mark::Repeated
        } else {
            Mark::Plain
        };
        trace.packet(from, self.local, format_args!("{label}"), mark);
        self.received.insert(label);
        self.retrying = false;
    }

    /// Draws a datagram from a stranger (a wrong transfer ID), which changes nothing.
    pub fn stranger(&self, trace: Trace, from: SocketAddr, bytes: &[u8]) {
        trace.packet(
            from,
            self.local,
            format_args!("{}", label(bytes)),
            Mark::Plain,
        );
    }

    /// Draws our ERROR 5 to a stranger, saying `why`.
    pub fn stranger_answered(&self, trace: Trace, to: SocketAddr, why: &str) {
        let mut bytes = Vec::new();
        ErrorPacket::new(ErrorCode::UnknownTransferId, why).encode(&mut bytes);
        trace.packet(
            self.local,
            to,
            format_args!("{}", label(&bytes)),
            Mark::Plain,
        );
    }

    /// Notes that the wait for the peer ran out: what we sent last went unanswered, and
    /// what we send next is a retransmission.
    pub fn timed_out(&mut self, trace: Trace) {
        if self.lingering {
            return;
        }
        trace.note(
            self.local,
            format_args!("timeout, no answer to {}", self.last_sent),
        );
        self.retrying = true;
    }

    /// From now on the transfer only lingers (see [`crate::channel::Channel::linger`]).
    pub fn linger(&mut self) {
        self.lingering = true;
    }
}

/// Our address as the peer sees it. A socket bound to the unspecified address
/// (`0.0.0.0`, as a client's is) sends from the address the routing table picks for the
/// peer: a second socket, connected to the peer (which sends nothing), reports it.
pub fn seen_from(local: SocketAddr, peer: SocketAddr) -> SocketAddr {
    if !local.ip().is_unspecified() {
        return local;
    }
    let probe = UdpSocket::bind(SocketAddr::new(local.ip(), 0)).and_then(|probe| {
        probe.connect(peer)?;
        probe.local_addr()
    });
    match probe {
        Ok(chosen) => SocketAddr::new(chosen.ip(), local.port()),
        Err(_) => local,
    }
}

fn unspecified_like(peer: SocketAddr) -> SocketAddr {
    match peer {
        SocketAddr::V4(_) => (std::net::Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
    }
}

fn is_error(bytes: &[u8]) -> bool {
    matches!(Packet::parse(bytes), Ok(Packet::Error(_)))
}

/// A packet's one-line summary on the ladder: `RRQ "hello.txt" octet blksize=1468`,
/// `OACK blksize=1468`, `DATA #3 (512 bytes)`, `ACK 3`, `ERROR 1 "File not found"`: the
/// words `ladder` uses for the same packet read from a capture, so a live ladder and the
/// capture's ladder of one transfer say the same.
pub fn label(bytes: &[u8]) -> String {
    ladder::decode::tftp::label(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_like_the_capture_reader() {
        let rrq = b"\x00\x01hello.txt\x00octet\x00blksize\x001468\x00";
        assert_eq!(label(rrq), "RRQ \"hello.txt\" octet blksize=1468");
        let mut data = vec![0, 3, 0, 3];
        data.extend_from_slice(&[0xa5; 512]);
        assert_eq!(label(&data), "DATA #3 (512 bytes)");
        assert_eq!(label(&[0, 4, 0, 3]), "ACK 3");
        assert_eq!(label(b"\x00\x06blksize\x001468\x00"), "OACK blksize=1468");
        assert_eq!(
            label(b"\x00\x05\x00\x01File not found\x00"),
            "ERROR 1 \"File not found\""
        );
    }

    #[test]
    fn a_socket_bound_to_any_address_is_seen_from_loopback() {
        let peer: SocketAddr = "127.0.0.1:6969".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:40000".parse().unwrap();
        assert_eq!(seen_from(any, peer), "127.0.0.1:40000".parse().unwrap());
        let bound: SocketAddr = "127.0.0.2:40000".parse().unwrap();
        assert_eq!(seen_from(bound, peer), bound);
    }
}
