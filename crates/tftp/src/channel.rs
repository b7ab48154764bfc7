//! The socket layer of a transfer: one UDP socket talking to one peer.
//!
//! Everything here is about datagrams, not about blocks: who may talk to us (the peer's
//! transfer ID; strangers get ERROR 5, RFC 1350 §4), how long to wait (timeouts, and a
//! server's [`Watch`] that may stop a transfer from outside), sending a window in as few
//! system calls as the kernel allows ([`crate::burst`]), and lingering after the last
//! ACK. The reliability algorithm that decides *what* to send and when (numbering,
//! acknowledging, retransmitting: [`crate::transfer`]) only calls [`Channel::send_burst`],
//! [`Channel::receive`] and friends, so the fast path stays out of the algorithm the
//! lesson teaches.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use say::Trace;

use crate::arrows::Arrows;
use crate::connected::Connected;
use crate::packet::{self, Ack, ErrorCode, ErrorPacket, Packet, ParseError, field};

/// Why a transfer stopped before the end.
#[derive(Debug)]
pub enum TransferError {
    /// A socket call failed.
    Network { doing: String, source: io::Error },
    /// Reading or writing the local file failed (we sent ERROR 0 or 3 to the peer).
    File { doing: String, source: io::Error },
    /// The peer stayed silent through every retry (we sent ERROR 0).
    TimedOut { waiting_for: String, tries: u32 },
    /// The peer sent an ERROR packet.
    Peer(ErrorPacket),
    /// The peer sent a datagram that is not TFTP (we sent ERROR 4).
    Malformed(ParseError),
    /// The peer sent a valid packet that makes no sense here (we sent ERROR 4).
    Unexpected(String),
    /// The server's OACK is not acceptable (we sent ERROR 8).
    OptionRejected(String),
    /// Stopped from outside (a server making room or shutting down); we sent ERROR 0
    /// with this reason.
    Stopped(&'static str),
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::Network { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
            }
            TransferError::File { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
            }
            TransferError::TimedOut { waiting_for, tries } => write!(
                f,
                "timed out waiting for {waiting_for} (sent {tries} times, no answer)"
            ),
            TransferError::Peer(error) => write!(f, "peer sent {error}"),
            TransferError::Malformed(error) => write!(f, "peer sent a malformed packet: {error}"),
            TransferError::Unexpected(what) => write!(f, "peer broke the protocol: {what}"),
            TransferError::OptionRejected(why) => {
                write!(f, "the server's option answer is not acceptable: {why}")
            }
            TransferError::Stopped(why) => write!(f, "stopped: {why}"),
        }
    }
}

impl std::error::Error for TransferError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransferError::Network { source, .. } | TransferError::File { source, .. } => {
                Some(source)
            }
            TransferError::Malformed(error) => Some(error),
            TransferError::Peer(_)
            | TransferError::TimedOut { .. }
            | TransferError::Unexpected(_)
            | TransferError::OptionRejected(_)
            | TransferError::Stopped(_) => None,
        }
    }
}

/// What `main` reports besides the message (the hints are `main`'s, which knows the
/// server's address). Every transfer error is a failure at run time (exit 1), except a
/// closed output pipe.
impl say::Explain for TransferError {
    /// The received data could not be written because its reader went away (`tftp get
    /// ... -o - | head -c 10`): the server was told (ERROR 0), nothing is left to
    /// remove, and nobody is left to tell, so the command ends quietly with success.
    fn is_closed_pipe(&self) -> bool {
        matches!(self, TransferError::File { source, .. } if say::is_closed_pipe(source))
    }
}

/// What [`Channel::receive`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incoming {
    /// A datagram from the peer, this long, in [`Channel::datagram`].
    Datagram(usize),
    /// Nothing from the peer before the deadline.
    Timeout,
}

/// How a server watches one of its transfers from outside, and stops it.
///
/// The transfer's [`Channel`] notes when the file starts to move (the peer sends DATA, or
/// acknowledges a block of ours: an ACK other than 0), and checks at every wait (at
/// least four times a second) whether it must stop: because it was told to
/// ([`Watch::stop`]), or because its whole life has run out.
#[derive(Debug)]
pub struct Watch {
    stop: OnceLock<&'static str>,
    made_progress: AtomicBool,
    file_moved: AtomicBool,
    end_of_life: Option<Instant>,
}

impl Watch {
    /// A transfer that must end by `end_of_life` (when given).
    pub fn new(end_of_life: Option<Instant>) -> Watch {
        Watch {
            stop: OnceLock::new(),
            made_progress: AtomicBool::new(false),
            file_moved: AtomicBool::new(false),
            end_of_life,
        }
    }

    /// Asks the transfer to stop, telling its peer `why` (in an ERROR 0). The first
    /// reason given wins.
    pub fn stop(&self, why: &'static str) {
        let _ = self.stop.set(why);
    }

    /// Why the transfer was asked to stop, if it was.
    pub fn stopped(&self) -> Option<&'static str> {
        self.stop.get().copied()
    }

    /// Has the file started to move: a DATA from the peer, or an ACK of one of our
    /// blocks? (An ACK 0 only accepts the options: it moves nothing.)
    pub fn made_progress(&self) -> bool {
        self.made_progress.load(Ordering::Relaxed)
    }

    /// Notes that the whole file has moved: what remains (lingering) may be cut short.
    pub fn set_file_moved(&self) {
        self.file_moved.store(true, Ordering::Relaxed);
    }

    /// Has the whole file moved?
    pub fn file_moved(&self) -> bool {
        self.file_moved.load(Ordering::Relaxed)
    }

    /// The reason to stop at `now`, if any.
    fn must_stop(&self, now: Instant) -> Option<&'static str> {
        if let Some(why) = self.stopped() {
            return Some(why);
        }
        match self.end_of_life {
            Some(end) if now >= end => Some("transfer took too long"),
            _ => None,
        }
    }
}

/// The longest single wait while a [`Watch`] is set, so a stop is seen soon.
const WATCH_INTERVAL: Duration = Duration::from_millis(250);

/// The most ERROR 5 answers one transfer sends to strangers: a stranger's datagrams
/// must not turn the server into a reflector of traffic at someone else.
const MOST_STRANGERS_ANSWERED: u32 = 16;

/// One transfer's socket and the peer's transfer ID (its address and port).
///
/// We keep the socket unconnected on purpose: a connected UDP socket silently drops
/// datagrams from other ports, and RFC 1350 wants those answered with ERROR 5. Once the
/// file moves, a second socket on the same port, connected, carries the peer's datagrams
/// where the system allows it ([`crate::connected`]): it is faster.
pub struct Channel<'a> {
    socket: &'a UdpSocket,
    /// The fast path, once the peer has moved the file; `None` before, or where it is not
    /// available.
    connected: Option<Connected<'a>>,
    /// Whether to try opening [`Channel::connected`] (once).
    may_connect: bool,
    peer: SocketAddr,
    /// `--trace`: one line per packet (a server's name the peer: `[ADDRESS] `).
    trace: Trace,
    buffer: Vec<u8>,
    /// The waits the socket's read timeout now serves ([`crate::connected::fits`]), so we
    /// only change it when needed (empty before the first).
    fits: std::ops::RangeInclusive<Duration>,
    sent: Vec<u8>,
    /// Whether bursts (UDP GSO) work here; turned off at the first failure.
    bursts: bool,
    /// Set by a server, to stop the transfer from outside.
    watch: Option<&'a Watch>,
    strangers_answered: u32,
    /// `--ladder`: what this transfer has drawn (`None` without a ladder).
    arrows: Option<RefCell<Arrows>>,
    /// When [`Channel::receive`] may leave the clock unread.
    clock: ClockReadings,
}

/// How often to read the clock while waiting ([`Channel::wait_without_clock`]).
#[derive(Debug, Default)]
struct ClockReadings {
    /// The deadline of the last [`Channel::receive`].
    deadline: Option<Instant>,
    /// How far off the last new deadline was when we read the clock for it (about the
    /// caller's timeout); `None` until measured.
    fresh_wait: Option<Duration>,
    /// Receives left before the clock must be read again.
    until_reading: u32,
}

/// Read the clock at least once every this many receives.
const READ_THE_CLOCK_EVERY: u32 = 64;

impl<'a> Channel<'a> {
    /// `largest` is the largest datagram we accept (4 + blksize, plus one byte so an
    /// oversized DATA is seen as such).
    pub fn new(
        socket: &'a UdpSocket,
        peer: SocketAddr,
        trace: Trace,
        largest: usize,
    ) -> Channel<'a> {
        Channel {
            socket,
            connected: None,
            may_connect: true,
            peer,
            trace,
            buffer: vec![0; largest + 1],
            fits: Duration::MAX..=Duration::ZERO,
            sent: Vec::new(),
            bursts: cfg!(target_os = "linux"),
            watch: None,
            strangers_answered: 0,
            arrows: trace
                .is_ladder()
                .then(|| RefCell::new(Arrows::new(socket, peer))),
            clock: ClockReadings::default(),
        }
    }

    /// Lets `watch` stop this transfer (or nothing, with `None`).
    pub fn set_watch(&mut self, watch: Option<&'a Watch>) {
        self.watch = watch;
    }

    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Whether the fast path ([`crate::connected`]) is in use.
    pub fn is_connected(&self) -> bool {
        self.connected.is_some()
    }

    /// Adopts the peer's transfer ID (the client learns it from the first answer).
    pub fn set_peer(&mut self, peer: SocketAddr) {
        self.peer = peer;
        self.connected = None;
    }

    pub fn trace(&self) -> Trace {
        self.trace
    }

    /// Resizes the receive buffer once options are agreed.
    pub fn set_largest(&mut self, largest: usize) {
        self.buffer.resize(largest + 1, 0);
    }

    /// The last datagram received (valid after [`Incoming::Datagram`]).
    pub fn datagram(&self, len: usize) -> &[u8] {
        &self.buffer[..len.min(self.buffer.len())]
    }

    /// Sends raw packet bytes to the peer.
    pub fn send_bytes(&self, bytes: &[u8]) -> Result<(), TransferError> {
        if self.trace.is_on() {
            if let Ok(packet) = Packet::parse(bytes) {
                self.trace.call(format_args!("-> {packet}"));
            }
            if let Some(arrows) = &self.arrows {
                arrows.borrow_mut().sent(self.trace, self.peer, bytes);
            }
        }
        let sent = match &self.connected {
            Some(connected) => connected.send(bytes),
            None => self.socket.send_to(bytes, self.peer).map(drop),
        };
        sent.map_err(|source| TransferError::Network {
            doing: format!("sendto({})", self.peer),
            source,
        })?;
        Ok(())
    }

    /// Sends several packets of equal size (the last may be shorter) to the peer, in as
    /// few system calls as the kernel allows (see [`crate::burst`]).
    pub fn send_burst<'p>(
        &mut self,
        packets: impl IntoIterator<Item = &'p [u8]>,
    ) -> Result<(), TransferError> {
        let mut packets = packets.into_iter();
        let Some(first) = packets.next() else {
            return Ok(());
        };
        let Some(second) = packets.next() else {
            // Lock-step: nothing to group, and nothing to gather (no list to allocate
            // for every block).
            return self.send_bytes(first);
        };
        let packets: Vec<&[u8]> = [first, second].into_iter().chain(packets).collect();
        let mut rest = packets.as_slice();
        while !rest.is_empty() {
            let size = rest[0].len().max(1);
            let count = rest
                .len()
                .min(crate::burst::MOST_SEGMENTS)
                .min(crate::burst::MOST_BYTES / size)
                .max(1);
            let (group, after) = rest.split_at(count);
            rest = after;
            if self.bursts && group.len() > 1 {
                if self.trace.is_on() {
                    let trace = self.trace;
                    trace.call(format_args!("   (one sendmsg: {} datagrams)", group.len()));
                    for packet in group {
                        if let Ok(packet) = Packet::parse(packet) {
                            trace.call(format_args!("-> {packet}"));
                        }
                        if let Some(arrows) = &self.arrows {
                            arrows.borrow_mut().sent(trace, self.peer, packet);
                        }
                    }
                }
                let sent = match &self.connected {
                    Some(connected) => crate::burst::send(connected.socket(), None, group),
                    None => crate::burst::send(self.socket, Some(self.peer), group),
                };
                match sent {
                    Ok(()) => continue,
                    // No UDP GSO here (an old kernel, another OS): one by one from now on.
                    Err(_) => self.bursts = false,
                }
            }
            for packet in group {
                self.send_bytes(packet)?;
            }
        }
        Ok(())
    }

    /// Encodes and sends one packet.
    pub fn send(&mut self, packet: &Packet<'_>) -> Result<(), TransferError> {
        let mut bytes = std::mem::take(&mut self.sent);
        bytes.clear();
        packet.encode(&mut bytes);
        let result = self.send_bytes(&bytes);
        self.sent = bytes;
        result
    }

    /// Tells the peer why we stop. Best effort: the transfer is over either way.
    pub fn send_error(&self, code: ErrorCode, message: &str) {
        let mut bytes = Vec::new();
        ErrorPacket::new(code, message).encode(&mut bytes);
        let _ = self.send_bytes(&bytes);
    }

    /// Sends ERROR 4 (illegal TFTP operation) explaining `error`, and returns it.
    pub fn illegal(&self, error: TransferError) -> TransferError {
        self.send_error(ErrorCode::IllegalOperation, &error.to_string());
        error
    }

    /// Waits until `deadline` for a datagram from the peer. Datagrams from anyone else
    /// get ERROR 5 (unless they are ERRORs themselves: never answer an error with one).
    pub fn receive(&mut self, deadline: Instant) -> Result<Incoming, TransferError> {
        let mut first_wait = self.wait_without_clock(deadline);
        loop {
            let wait = match first_wait.take() {
                Some(wait) => wait,
                None => match self.wait_by_the_clock(deadline)? {
                    Some(wait) => wait,
                    None => return Ok(Incoming::Timeout),
                },
            };
            let received = match &mut self.connected {
                Some(connected) => connected.recv_from(&mut self.buffer, wait),
                None => self.recv_unconnected(wait),
            };
            match received {
                Ok((len, from)) if from == self.peer => {
                    if let Some(watch) = self.watch {
                        if moves_the_file(&self.buffer[..len]) {
                            watch.made_progress.store(true, Ordering::Relaxed);
                        }
                    }
                    if self.trace.is_on() {
                        trace_received(self.trace, &self.buffer[..len], len);
                        self.draw_received(&self.buffer[..len]);
                    }
                    if self.may_connect && moves_the_file(&self.buffer[..len]) {
                        self.may_connect = false;
                        self.connected = Connected::open(self.socket, self.peer);
                    }
                    return Ok(Incoming::Datagram(len));
                }
                // The server wakes a transfer it stops with an empty datagram: look again.
                Ok(_) if self.watch.and_then(Watch::stopped).is_some() => {}
                Ok((len, from)) => self.answer_stranger(len, from),
                Err(error) if is_retry_later(&error) => {}
                Err(source) => {
                    return Err(TransferError::Network {
                        doing: "recvfrom".into(),
                        source,
                    });
                }
            }
        }
    }

    /// How long to wait for `deadline` by the clock; `None` when it has passed. Stops the
    /// transfer when its [`Watch`] says so.
    fn wait_by_the_clock(&mut self, deadline: Instant) -> Result<Option<Duration>, TransferError> {
        // One clock reading serves both questions: reading it costs.
        let now = Instant::now();
        if let Some(why) = self.watch.and_then(|watch| watch.must_stop(now)) {
            self.send_error(ErrorCode::NotDefined, why);
            return Err(TransferError::Stopped(why));
        }
        if now >= deadline {
            self.timed_out();
            return Ok(None);
        }
        if self.clock.deadline != Some(deadline) {
            self.clock.deadline = Some(deadline);
            self.clock.fresh_wait = Some(deadline - now);
        }
        self.clock.until_reading = READ_THE_CLOCK_EVERY;
        // A zero timeout means "block forever" to the OS, so wait at least 1 ms.
        let wait = (deadline - now).max(Duration::from_millis(1));
        Ok(Some(match self.watch {
            Some(_) => wait.min(WATCH_INTERVAL),
            None => wait,
        }))
    }

    /// The first wait for `deadline` when the clock need not be read for it: on the fast
    /// path, for a deadline the caller has not given before.
    ///
    /// Reading the clock costs. In a lock-step transfer on loopback a block of 512 bytes
    /// takes about 11 µs, and each side read the clock twice per block: the caller, to
    /// set its deadline `timeout` from now, and we, to know how long to wait for it. Ours
    /// was about 70 of the 870 instructions the client spent per block (counted with
    /// `valgrind --tool=callgrind`).
    ///
    /// A deadline we have not seen before was set just now, so about a whole timeout is
    /// left: we wait as long as we measured for the last new deadline (at most
    /// [`crate::connected::LOOK_INTERVAL`], the fast path's longest wait anyway), and read
    /// the clock only if nothing comes, or when the same deadline comes again (the caller
    /// ignored what we gave it: the deadline is running out). So a deadline is kept as
    /// well as before, give or take what it took the caller to come back to us. Every
    /// [`READ_THE_CLOCK_EVERY`]-th receive reads the clock anyway, for the end of a
    /// [`Watch`]'s life.
    fn wait_without_clock(&mut self, deadline: Instant) -> Option<Duration> {
        let clock = &mut self.clock;
        let new = clock.deadline != Some(deadline);
        let wait = clock.fresh_wait?;
        if !new || clock.until_reading == 0 || self.connected.is_none() {
            return None;
        }
        if self.watch.and_then(Watch::stopped).is_some() {
            return None;
        }
        clock.deadline = Some(deadline);
        clock.until_reading -= 1;
        Some(wait.min(crate::connected::LOOK_INTERVAL))
    }

    /// Waits up to `wait` on the unconnected socket, for the peer or a stranger.
    fn recv_unconnected(&mut self, wait: Duration) -> io::Result<(usize, SocketAddr)> {
        // setsockopt costs a system call: keep the current timeout while it fits.
        if !self.fits.contains(&wait) {
            self.socket.set_read_timeout(Some(wait))?;
            self.fits = crate::connected::fits(wait);
        }
        self.socket.recv_from(&mut self.buffer)
    }

    /// `--ladder`: draws a datagram from the peer received outside [`Channel::receive`]
    /// (the client's first answer); nothing without a ladder.
    pub fn draw_received(&self, datagram: &[u8]) {
        if let Some(arrows) = &self.arrows {
            arrows
                .borrow_mut()
                .received(self.trace, self.peer, datagram);
        }
    }

    /// `--ladder`: notes that the wait for the peer ran out, so the next packets we send
    /// are drawn as retransmissions; nothing without a ladder.
    pub fn timed_out(&self) {
        if let Some(arrows) = &self.arrows {
            arrows.borrow_mut().timed_out(self.trace);
        }
    }

    /// RFC 1350 §4: a packet from a wrong TID gets ERROR 5, and the transfer goes on.
    fn answer_stranger(&mut self, len: usize, from: SocketAddr) {
        self.trace.call(format_args!(
            "<- {len} bytes from stranger {from}: answering ERROR 5"
        ));
        if let Some(arrows) = &self.arrows {
            arrows
                .borrow()
                .stranger(self.trace, from, &self.buffer[..len]);
        }
        if matches!(Packet::parse(&self.buffer[..len]), Ok(Packet::Error(_))) {
            return;
        }
        if self.strangers_answered >= MOST_STRANGERS_ANSWERED {
            return;
        }
        self.strangers_answered += 1;
        let why = "unknown transfer ID: this port belongs to another transfer";
        if let Some(arrows) = &self.arrows {
            arrows.borrow().stranger_answered(self.trace, from, why);
        }
        answer_stranger(self.socket, from, why);
    }

    /// Answers a packet that has no place in the transfer with ERROR 4 and returns the
    /// error that ends our side.
    pub fn refuse(&self, len: usize) -> TransferError {
        match Packet::parse(self.datagram(len)) {
            Ok(Packet::Error(error)) => TransferError::Peer(error),
            Ok(packet) => self.illegal(TransferError::Unexpected(format!("unexpected {packet}"))),
            Err(error) => self.illegal(TransferError::Malformed(error)),
        }
    }

    /// After the last ACK, stay for `linger` to ACK a retransmitted last DATA again (our
    /// ACK may have been lost, and the peer cannot finish without it).
    /// `cut_short` ends it early (a server shutting down).
    pub fn linger(&mut self, last_ack: u16, linger: Duration, cut_short: &dyn Fn() -> bool) {
        if let Some(arrows) = &self.arrows {
            arrows.borrow_mut().linger();
        }
        let end = Instant::now() + linger;
        while Instant::now() < end && !cut_short() {
            let slice = (Instant::now() + Duration::from_millis(50)).min(end);
            match self.receive(slice) {
                Ok(Incoming::Datagram(len)) => {
                    if matches!(Packet::parse(self.datagram(len)), Ok(Packet::Data(_))) {
                        let _ = self.send(&Packet::Ack(Ack { block: last_ack }));
                    }
                }
                Ok(Incoming::Timeout) => {}
                Err(_) => return,
            }
        }
    }
}

/// True for a DATA, or an ACK of a block other than 0 (see [`Watch::made_progress`]).
fn moves_the_file(datagram: &[u8]) -> bool {
    let Some(header) = datagram.get(..field::HEADER_LEN) else {
        return false;
    };
    let opcode = u16::from_be_bytes([header[0], header[1]]);
    let block = u16::from_be_bytes([header[2], header[3]]);
    opcode == packet::opcode::DATA || (opcode == packet::opcode::ACK && block != 0)
}

fn trace_received(trace: Trace, bytes: &[u8], len: usize) {
    match Packet::parse(bytes) {
        Ok(packet) => trace.call(format_args!("<- {packet}")),
        Err(error) => trace.call(format_args!("<- {len} bytes, malformed: {error}")),
    }
}

/// True for a `recvfrom` error that only means "nothing yet, look again": the read
/// timeout ran out (`WouldBlock` on Unix, `TimedOut` on Windows) or a signal interrupted
/// the call. The caller checks its own deadline and receives again.
pub fn is_retry_later(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
    )
}

/// Sends ERROR 5 (unknown transfer ID) to `to`, explaining `why`: the answer to a
/// datagram that belongs to no transfer on this socket. Best effort: nothing waits for it.
/// Callers decide *whether* to answer (never an ERROR, and only so many).
pub fn answer_stranger(socket: &UdpSocket, to: SocketAddr, why: &str) {
    let mut bytes = Vec::new();
    ErrorPacket::new(ErrorCode::UnknownTransferId, why).encode(&mut bytes);
    let _ = socket.send_to(&bytes, to);
}
