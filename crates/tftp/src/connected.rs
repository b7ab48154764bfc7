//! The fast path under [`crate::channel`]: a second socket on the transfer's port,
//! connected to the peer.
//!
//! A `sendto` on an unconnected socket makes the kernel look up the route to the peer
//! for every datagram; after `connect` it keeps the route, and a lock-step transfer
//! spends less per block. Measured on loopback with both ends pinned to one CPU (a C
//! ping-pong of 516-byte datagrams and 4-byte answers): about 10.6 µs of CPU per round
//! trip on connected sockets with `send`/`recv`, 11.5 µs with `sendto`/`recvfrom`. At
//! small blocks that is most of the distance between a TFTP transfer and the bare loop
//! of `cargo bench -p tftp`.
//!
//! But a connected UDP socket only hears its peer: a datagram from any other address or
//! port never reaches it, and RFC 1350 §4 wants those answered with ERROR 5. So on Linux,
//! once the file starts to move, a transfer keeps two sockets on its port:
//!
//! - the socket it started with, unconnected, where strangers still arrive (and the
//!   server's wake-up call, see `server::wake`); we never block on it again, and only
//!   look at it without waiting;
//! - a connected one, which carries every datagram to and from the peer.
//!
//! The kernel gives an arriving datagram to the socket that matches it best: a connected
//! socket whose peer is the sender beats an unconnected one, and a connected socket whose
//! peer is someone else is never chosen. Two sockets may share a port only when both set
//! `SO_REUSEADDR`; we set it for the moment of the second `bind` and clear it again, so
//! nobody else can bind the port later.
//!
//! [`Connected::recv_from`] looks at the unconnected socket every [`LOOK_EVERY`]
//! datagrams, and whenever the peer has been quiet for [`LOOK_INTERVAL`]: a stranger gets
//! its ERROR 5 that late at worst. On other systems (their rules for sharing a port
//! differ), and whenever a step here fails, the transfer stays on its one unconnected
//! socket, as before: the same behaviour, a little slower.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// Look at the unconnected socket at least once every this many datagrams from the peer.
pub const LOOK_EVERY: u32 = 64;
/// ... and whenever the peer has been quiet this long.
pub const LOOK_INTERVAL: Duration = Duration::from_millis(50);
/// The most datagrams read from the unconnected socket in one look, so that a flood of
/// strangers cannot keep us from the peer.
const MOST_PER_LOOK: u32 = 16;
/// The most read from it in the first look, right after `connect`: everything the peer
/// sent before then waits there, a whole window (up to 64 blocks, see
/// `ServerConfig::max_windowsize`) and its repeats, and must come out before anything
/// the connected socket holds, or the window arrives with a hole in it. The queue is
/// bounded by the socket's receive buffer, so this ends; the bound only keeps a flood of
/// strangers from holding the transfer at this step.
#[cfg(target_os = "linux")]
const MOST_AT_FIRST_LOOK: u32 = 4096;

/// The connected socket, and when to look at the unconnected one.
pub struct Connected<'a> {
    /// The transfer's first socket: unconnected, non-blocking while we exist.
    unconnected: &'a UdpSocket,
    /// On the same address and port, connected to the peer.
    socket: UdpSocket,
    peer: SocketAddr,
    /// The waits the read timeout `socket` has now fits (see `fits`), so we only change
    /// it when needed.
    fits: std::ops::RangeInclusive<Duration>,
    /// Datagrams from the peer since we last looked at `unconnected`.
    since_look: u32,
    /// Datagrams still to read from `unconnected` in this look (0: not looking).
    look_left: u32,
}

impl<'a> Connected<'a> {
    /// Opens a socket on `unconnected`'s address and port, connected to `peer`; `None`
    /// where this is not supported or any step fails (the caller goes on without).
    #[cfg(target_os = "linux")]
    pub fn open(unconnected: &'a UdpSocket, peer: SocketAddr) -> Option<Connected<'a>> {
        use socket2::{Domain, Protocol, SockRef, Socket, Type};
        let first = SockRef::from(unconnected);
        let local = unconnected.local_addr().ok()?;
        first.set_reuse_address(true).ok()?;
        let opened = (|| -> io::Result<UdpSocket> {
            let socket = Socket::new(Domain::for_address(local), Type::DGRAM, Some(Protocol::UDP))?;
            if local.is_ipv6() {
                socket.set_only_v6(first.only_v6()?)?;
            }
            // The window must fit in this socket's buffers too (see crate::buffers); the
            // kernel reports twice what was asked, and doubles what we ask.
            if first.recv_buffer_size()? > socket.recv_buffer_size()? {
                socket.set_recv_buffer_size(first.recv_buffer_size()? / 2)?;
            }
            if first.send_buffer_size()? > socket.send_buffer_size()? {
                socket.set_send_buffer_size(first.send_buffer_size()? / 2)?;
            }
            socket.set_reuse_address(true)?;
            socket.bind(&local.into())?;
            socket.set_reuse_address(false)?;
            socket.connect(&peer.into())?;
            Ok(socket.into())
        })();
        // Whatever happened, nobody else may join the port from now on.
        let cleared = first.set_reuse_address(false);
        let socket = opened.ok()?;
        cleared.ok()?;
        unconnected.set_nonblocking(true).ok()?;
        Some(Connected {
            unconnected,
            socket,
            peer,
            fits: Duration::MAX..=Duration::ZERO,
            since_look: 0,
            // Look first, until it is empty: the peer's datagrams that came before
            // `connect` wait there, and come before any on the connected socket.
            look_left: MOST_AT_FIRST_LOOK,
        })
    }

    /// Elsewhere the transfer stays on its unconnected socket.
    #[cfg(not(target_os = "linux"))]
    pub fn open(_unconnected: &'a UdpSocket, _peer: SocketAddr) -> Option<Connected<'a>> {
        None
    }

    /// The socket connected to the peer (for [`crate::burst::send`]).
    pub fn socket(&self) -> &UdpSocket {
        &self.socket
    }

    /// Sends one datagram to the peer.
    pub fn send(&self, bytes: &[u8]) -> io::Result<()> {
        match self.socket.send(bytes) {
            // A connected socket reports an ICMP "port unreachable" for an earlier
            // datagram at the next call; an unconnected one never does. The peer may be
            // back: send, as the unconnected socket would have.
            Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => {
                self.socket.send(bytes).map(drop)
            }
            sent => sent.map(drop),
        }
    }

    /// Receives one datagram, from the peer or (when it is time to look) a stranger,
    /// waiting at most `wait`. An error [`crate::channel::is_retry_later`] accepts means
    /// nothing came yet.
    pub fn recv_from(
        &mut self,
        buffer: &mut [u8],
        wait: Duration,
    ) -> io::Result<(usize, SocketAddr)> {
        if self.since_look >= LOOK_EVERY {
            self.since_look = 0;
            self.look_left = MOST_PER_LOOK;
        }
        if self.look_left > 0 {
            self.look_left -= 1;
            match self.unconnected.recv_from(buffer) {
                // Nothing there (it is non-blocking): back to the peer.
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => self.look_left = 0,
                // A stranger, or the peer's datagram from before `connect`: look again
                // next time.
                received => return received,
            }
        }
        let wait = wait.min(LOOK_INTERVAL);
        if !self.fits.contains(&wait) {
            self.socket.set_read_timeout(Some(wait))?;
            self.fits = fits(wait);
        }
        match self.socket.recv(buffer) {
            Ok(len) => {
                self.since_look += 1;
                Ok((len, self.peer))
            }
            Err(error) => {
                if is_quiet(&error) {
                    // The peer is quiet: a good time to look at the strangers.
                    self.look_left = MOST_PER_LOOK;
                }
                if error.kind() == io::ErrorKind::ConnectionRefused {
                    // See `send`: wait on, as the unconnected socket would.
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                Err(error)
            }
        }
    }
}

/// The waits a read timeout of `timeout` serves well enough: setsockopt costs a system
/// call, so a socket keeps its timeout while it overshoots the wait by at most an eighth
/// and lasts at least half of it. Both of a transfer's sockets follow this rule (the
/// unconnected one in [`crate::channel::Channel::receive`]).
pub(crate) fn fits(timeout: Duration) -> std::ops::RangeInclusive<Duration> {
    timeout.saturating_mul(8) / 9..=timeout.saturating_mul(2)
}

/// The receive timeout ran out, or the peer's port is closed for now.
fn is_quiet(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::ConnectionRefused
    )
}

impl Drop for Connected<'_> {
    /// The unconnected socket goes back to blocking: its owner may wait on it again.
    fn drop(&mut self) {
        let _ = self.unconnected.set_nonblocking(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::{Channel, Incoming};
    use crate::packet::{Ack, Data, ErrorCode, Packet};
    use std::time::Instant;

    fn bound() -> UdpSocket {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        socket
    }

    fn data(block: u16, payload: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::new();
        Packet::Data(Data { block, payload }).encode(&mut bytes);
        bytes
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    /// The block number of the DATA `channel` received.
    fn received_block(channel: &mut Channel<'_>) -> u16 {
        match channel.receive(soon()).unwrap() {
            Incoming::Datagram(len) => match Packet::parse(channel.datagram(len)) {
                Ok(Packet::Data(data)) => data.block,
                other => panic!("expected DATA, got {other:?}"),
            },
            Incoming::Timeout => panic!("timed out"),
        }
    }

    /// A channel from `ours` to `peer` on the fast path: the peer's DATA 1 has moved the
    /// file (on Linux the channel is now connected).
    fn connected<'a>(ours: &'a UdpSocket, peer: &UdpSocket) -> Channel<'a> {
        let mut channel = Channel::new(ours, peer.local_addr().unwrap(), say::Trace::OFF, 516);
        peer.send_to(&data(1, b"x"), ours.local_addr().unwrap())
            .unwrap();
        assert_eq!(received_block(&mut channel), 1);
        channel
    }

    #[test]
    fn datagrams_that_came_before_connecting_arrive_in_order() {
        let ours = bound();
        let peer = bound();
        let mut channel = Channel::new(&ours, peer.local_addr().unwrap(), say::Trace::OFF, 516);
        for block in 1..=3 {
            peer.send_to(&data(block, b"x"), ours.local_addr().unwrap())
                .unwrap();
        }
        // DATA 1 moves the file: from here on the peer talks to the connected socket,
        // while DATA 2 and 3 still wait on the first one.
        assert_eq!(received_block(&mut channel), 1);
        assert_eq!(channel.is_connected(), cfg!(target_os = "linux"));
        peer.send_to(&data(4, b"x"), ours.local_addr().unwrap())
            .unwrap();
        for block in 2..=4 {
            assert_eq!(received_block(&mut channel), block);
        }
    }

    #[test]
    fn a_whole_window_sent_before_connecting_comes_out_before_anything_later() {
        // A windowed download: the peer sends 64 blocks at once, and DATA 1 makes us
        // connect while 2..=64 still wait on the first socket. Block 65, sent after, lands
        // on the connected socket; it must not overtake them (the receiver would see a
        // hole in the window and wait for a timeout).
        let ours = bound();
        let peer = bound();
        let to = ours.local_addr().unwrap();
        let mut channel = Channel::new(&ours, peer.local_addr().unwrap(), say::Trace::OFF, 516);
        for block in 1..=64 {
            peer.send_to(&data(block, b"x"), to).unwrap();
        }
        assert_eq!(received_block(&mut channel), 1);
        peer.send_to(&data(65, b"x"), to).unwrap();
        for block in 2..=65 {
            assert_eq!(received_block(&mut channel), block);
        }
    }

    #[test]
    fn answers_come_from_the_same_transfer_id() {
        let ours = bound();
        let peer = bound();
        let mut channel = connected(&ours, &peer);
        channel.send(&Packet::Ack(Ack { block: 1 })).unwrap();
        let mut buffer = [0u8; 16];
        let (len, from) = peer.recv_from(&mut buffer).unwrap();
        assert_eq!(from, ours.local_addr().unwrap());
        assert_eq!(&buffer[..len], b"\x00\x04\x00\x01");
    }

    #[test]
    fn a_stranger_gets_error_5_while_the_peer_is_connected() {
        let ours = bound();
        let peer = bound();
        let stranger = bound();
        let to = ours.local_addr().unwrap();
        let mut channel = connected(&ours, &peer);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                stranger.send_to(&data(2, b"evil"), to).unwrap();
                let mut buffer = [0u8; 600];
                let (len, from) = stranger.recv_from(&mut buffer).unwrap();
                assert_eq!(from, to);
                match Packet::parse(&buffer[..len]) {
                    Ok(Packet::Error(error)) => {
                        assert_eq!(error.code, ErrorCode::UnknownTransferId)
                    }
                    other => panic!("expected ERROR 5, got {other:?}"),
                }
                // Only now does the peer send on.
                peer.send_to(&data(2, b"good"), to).unwrap();
            });
            assert_eq!(received_block(&mut channel), 2);
        });
    }

    /// A peer that sends a datagram every 2 ms, `most` at most, until `stop` is set; says
    /// whether it ran out before being stopped.
    fn stream(
        peer: &UdpSocket,
        to: SocketAddr,
        stop: &std::sync::atomic::AtomicBool,
        most: u32,
    ) -> bool {
        use std::sync::atomic::Ordering;
        for block in 0..most {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            peer.send_to(&data(block as u16, b"x"), to).unwrap();
            std::thread::sleep(Duration::from_millis(2));
        }
        true
    }

    #[test]
    fn a_stream_of_ignored_datagrams_does_not_put_off_the_deadline() {
        // The caller ignores everything it gets and asks again with the same deadline:
        // the wait must end at the deadline while the peer still talks (Channel reads the
        // clock for a deadline it has seen before, see `wait_without_clock`).
        use std::sync::atomic::{AtomicBool, Ordering};
        let ours = bound();
        let peer = bound();
        let to = ours.local_addr().unwrap();
        let mut channel = connected(&ours, &peer);
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            // 5000 datagrams, 2 ms apart: 10 s of talk, far beyond the deadline.
            let talker = scope.spawn(|| stream(&peer, to, &stop, 5000));
            let deadline = Instant::now() + Duration::from_millis(200);
            let mut ignored = 0;
            while let Incoming::Datagram(_) = channel.receive(deadline).unwrap() {
                ignored += 1;
                assert!(ignored < 5000, "the deadline never came");
            }
            stop.store(true, Ordering::Relaxed);
            assert!(
                !talker.join().unwrap(),
                "the deadline came only after the peer stopped"
            );
        });
    }

    #[test]
    fn a_watch_ends_a_transfer_whose_peer_never_pauses() {
        // Every receive gets a new deadline and finds a datagram at once: the fast path
        // leaves the clock unread, yet the end of the transfer's life must be seen.
        use crate::channel::{TransferError, Watch};
        use std::sync::atomic::{AtomicBool, Ordering};
        let ours = bound();
        let peer = bound();
        let to = ours.local_addr().unwrap();
        let watch = Watch::new(Some(Instant::now() + Duration::from_millis(200)));
        let mut channel = connected(&ours, &peer);
        channel.set_watch(Some(&watch));
        let stop = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let talker = scope.spawn(|| stream(&peer, to, &stop, 5000));
            let outcome = loop {
                match channel.receive(soon()) {
                    Ok(_) => {}
                    Err(error) => break error,
                }
            };
            stop.store(true, Ordering::Relaxed);
            assert!(
                !talker.join().unwrap(),
                "the watch was seen only after the peer stopped"
            );
            assert!(matches!(
                outcome,
                TransferError::Stopped("transfer took too long")
            ));
        });
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn nobody_else_can_bind_the_port_once_connected() {
        use socket2::{Domain, Socket, Type};
        let ours = bound();
        let peer = bound();
        let _channel = connected(&ours, &peer);
        let intruder = Socket::new(Domain::IPV4, Type::DGRAM, None).unwrap();
        intruder.set_reuse_address(true).unwrap();
        let local = ours.local_addr().unwrap();
        assert!(intruder.bind(&local.into()).is_err());
    }
}
