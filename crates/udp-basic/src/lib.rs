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
//! Everything a receiver does is in [`receive_loop`] (one line per datagram) and
//! [`receive_report`] (count and loss); a sender is [`send`] and [`blast`].

use std::fmt;
use std::io::{self, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockRef, Socket, Type};
use wire_text::{EncodeError, TextEncoding};

/// The notes' receiving port: `udpSocket.bind(('', 7788))`.
pub const DEFAULT_PORT: u16 = 7788;
/// The notes' buffer: `recvfrom(1024)`.
pub const DEFAULT_BUFFER: usize = 1024;
/// The largest UDP payload over IPv4: 65535 − 20 (IP header) − 8 (UDP header).
pub const MAX_DATAGRAM: usize = 65_507;
/// Bytes at the start of every `blast` datagram that carry its sequence number.
pub const SEQUENCE_BYTES: usize = 8;

/// Prints each socket call to stderr as it happens, in the notes' terms, when enabled
/// (`--trace`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Trace {
    pub enabled: bool,
}

impl Trace {
    pub fn on() -> Trace {
        Trace { enabled: true }
    }

    /// Prints one line to stderr when tracing.
    pub fn call(&self, line: fmt::Arguments<'_>) {
        if self.enabled {
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "{line}");
        }
    }
}

/// Everything that can go wrong in this crate.
#[derive(Debug)]
pub enum UdpError {
    /// `bind` failed: the port is in use, privileged, or the address is not ours.
    Bind {
        address: SocketAddr,
        source: io::Error,
    },
    /// Creating or configuring the socket failed.
    Socket {
        doing: &'static str,
        source: io::Error,
    },
    /// `sendto` failed (for UDP this is rare: no receiver is not an error).
    Send {
        destination: SocketAddr,
        source: io::Error,
    },
    /// `recvfrom` failed for a reason other than the timeout.
    Receive { source: io::Error },
    /// Nothing arrived within the timeout.
    Timeout { waited: Duration, port: u16 },
    /// The message cannot be written in the chosen encoding.
    Encode(EncodeError),
    /// The datagram would be larger than UDP allows.
    TooLarge { size: usize },
    /// Writing our own output failed (for example a closed pipe).
    Output(io::Error),
}

impl fmt::Display for UdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UdpError::Bind { address, source } => {
                let explained = hostport::explain_bind_error(source, *address, "udp");
                write!(f, "{}", explained.message)
            }
            UdpError::Socket { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
            }
            UdpError::Send {
                destination,
                source,
            } => write!(
                f,
                "sendto({destination}) failed: {}",
                hostport::describe(source)
            ),
            UdpError::Receive { source } => {
                write!(f, "recvfrom failed: {}", hostport::describe(source))
            }
            UdpError::Timeout { waited, .. } => {
                write!(f, "no datagram arrived within {} s", waited.as_secs_f64())
            }
            UdpError::Encode(error) => write!(f, "{error}"),
            UdpError::TooLarge { size } => write!(
                f,
                "{size} bytes do not fit in one UDP datagram (at most {MAX_DATAGRAM} over IPv4)"
            ),
            UdpError::Output(source) => {
                write!(f, "writing output: {}", hostport::describe(source))
            }
        }
    }
}

impl std::error::Error for UdpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UdpError::Bind { source, .. }
            | UdpError::Socket { source, .. }
            | UdpError::Send { source, .. }
            | UdpError::Receive { source }
            | UdpError::Output(source) => Some(source),
            UdpError::Encode(error) => Some(error),
            UdpError::Timeout { .. } | UdpError::TooLarge { .. } => None,
        }
    }
}

impl UdpError {
    /// What the student can do about it, where the cause is common.
    pub fn hint(&self) -> Option<String> {
        match self {
            UdpError::Bind { address, source } => {
                hostport::explain_bind_error(source, *address, "udp").hint
            }
            UdpError::Timeout { port, .. } => Some(format!(
                "is the sender pointed at port {port}? UDP gives the sender no error when nobody \
                 listens, so check the address on both sides"
            )),
            _ => None,
        }
    }

    /// The exit status DESIGN.md asks for: 2 for bad input, 1 for a failure at run time.
    pub fn exit_code(&self) -> u8 {
        match self {
            UdpError::Encode(_) | UdpError::TooLarge { .. } => 2,
            _ => 1,
        }
    }
}

impl From<EncodeError> for UdpError {
    fn from(error: EncodeError) -> Self {
        UdpError::Encode(error)
    }
}

/// `socket(AF_INET, SOCK_DGRAM)` + `bind(address)`, with an optional receive buffer
/// size (`SO_RCVBUF`), which std's `UdpSocket` cannot set: that is why we use socket2.
pub fn bind(
    address: SocketAddr,
    receive_buffer: Option<usize>,
    trace: Trace,
) -> Result<UdpSocket, UdpError> {
    let (domain, family) = if address.is_ipv4() {
        (Domain::IPV4, "AF_INET")
    } else {
        (Domain::IPV6, "AF_INET6")
    };
    trace.call(format_args!("socket({family}, SOCK_DGRAM)"));
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP)).map_err(|source| {
        UdpError::Socket {
            doing: "creating a UDP socket",
            source,
        }
    })?;
    if let Some(size) = receive_buffer {
        socket
            .set_recv_buffer_size(size)
            .map_err(|source| UdpError::Socket {
                doing: "setting SO_RCVBUF",
                source,
            })?;
        // Linux doubles the value for its bookkeeping; show what the kernel really uses.
        let actual = socket.recv_buffer_size().unwrap_or(size);
        trace.call(format_args!(
            "setsockopt(SO_RCVBUF, {size}) -> the kernel uses {actual} bytes"
        ));
    }
    socket
        .bind(&address.into())
        .map_err(|source| UdpError::Bind { address, source })?;
    let socket = UdpSocket::from(socket);
    let local = local_address(&socket)?;
    if address.port() == 0 {
        trace.call(format_args!(
            "bind({address}) -> {local} (the OS picked port {})",
            local.port()
        ));
    } else {
        trace.call(format_args!("bind({address})"));
    }
    Ok(socket)
}

/// The address a socket is bound to (`getsockname`): after `bind(...:0)`, the port the
/// OS picked.
pub fn local_address(socket: &UdpSocket) -> Result<SocketAddr, UdpError> {
    socket.local_addr().map_err(|source| UdpError::Socket {
        doing: "reading the local address",
        source,
    })
}

/// What [`send`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendReport {
    pub bytes: usize,
    pub destination: SocketAddr,
    /// Our own address: `0.0.0.0` and the port the OS picked for us.
    pub local: SocketAddr,
}

/// A socket for sending, bound to "any address, port 0": exactly what the OS does on
/// its own when Python calls `sendto` on a socket that was never bound.
pub fn sending_socket(destination: SocketAddr, trace: Trace) -> Result<UdpSocket, UdpError> {
    let any = if destination.is_ipv4() {
        SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))
    } else {
        SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0))
    };
    bind(any, None, trace)
}

/// `sendto(payload, destination)` from a port the OS picks: the notes' sender.
pub fn send(destination: SocketAddr, payload: &[u8], trace: Trace) -> Result<SendReport, UdpError> {
    if payload.len() > MAX_DATAGRAM {
        return Err(UdpError::TooLarge {
            size: payload.len(),
        });
    }
    let socket = sending_socket(destination, trace)?;
    let bytes = send_to(&socket, payload, destination, trace)?;
    let local = local_address(&socket)?;
    Ok(SendReport {
        bytes,
        destination,
        local,
    })
}

fn send_to(
    socket: &UdpSocket,
    payload: &[u8],
    destination: SocketAddr,
    trace: Trace,
) -> Result<usize, UdpError> {
    // No connection, no handshake: the address goes with every single datagram.
    let sent = socket
        .send_to(payload, destination)
        .map_err(|source| UdpError::Send {
            destination,
            source,
        })?;
    trace.call(format_args!(
        "sendto({destination}, {} bytes) -> {sent}",
        payload.len()
    ));
    Ok(sent)
}

/// One received datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Who sent it: the second half of Python's `(data, address)`.
    pub from: SocketAddr,
    /// The bytes that fit into the buffer.
    pub bytes: Vec<u8>,
    /// How long the datagram really was on the wire, as the OS reports it.
    pub length: usize,
}

impl Datagram {
    /// True when the datagram was longer than the buffer and its tail was thrown away.
    pub fn truncated(&self) -> bool {
        self.length > self.bytes.len()
    }
}

/// `recvfrom(buffer_size)`, but honest about truncation.
///
/// A plain `recvfrom` into a short buffer silently drops the end of the datagram (the
/// notes' `recvfrom(1024)` does exactly that). Here we first ask the kernel for the
/// datagram's real length without taking it off the queue (`MSG_PEEK | MSG_TRUNC` with
/// an empty buffer on Linux: `MSG_TRUNC` makes `recvfrom` return the real length even
/// though nothing fits), then receive it into `buffer_size` bytes as Python would.
/// Blocks for at most the socket's read timeout.
pub fn recv_datagram(socket: &UdpSocket, buffer_size: usize) -> io::Result<Datagram> {
    let length = datagram_length(socket)?;
    let mut buffer = vec![0u8; buffer_size];
    let (received, from) = socket.recv_from(&mut buffer)?;
    buffer.truncate(received);
    Ok(Datagram {
        from,
        bytes: buffer,
        length: length.max(received),
    })
}

/// The real length of the next queued datagram, asked of the OS without removing it.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn datagram_length(socket: &UdpSocket) -> io::Result<usize> {
    // Values from <sys/socket.h> on Linux.
    const MSG_PEEK: std::ffi::c_int = 0x02;
    const MSG_TRUNC: std::ffi::c_int = 0x20;
    let (length, _from) =
        SockRef::from(socket).recv_from_with_flags(&mut [], MSG_PEEK | MSG_TRUNC)?;
    Ok(length)
}

/// The real length of the next queued datagram. Other systems do not report the length
/// through `MSG_TRUNC`, so peek into a buffer big enough for any UDP datagram instead.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn datagram_length(socket: &UdpSocket) -> io::Result<usize> {
    let _ = SockRef::from(socket);
    let mut largest = vec![0u8; 65_536];
    let (length, _from) = socket.peek_from(&mut largest)?;
    Ok(length)
}

/// Waits, with no time limit, until a datagram is ready, and leaves it there for the next
/// `recvfrom` (it only peeks: `MSG_PEEK`). A receiver started for an experiment waits
/// here for as long as the person needs to start the sender; its `--timeout` counts
/// only from then on. Python's `recvfrom` without `settimeout` waits the same way.
pub fn wait_for_first_datagram(socket: &UdpSocket, trace: Trace) -> Result<(), UdpError> {
    socket
        .set_read_timeout(None)
        .map_err(|source| UdpError::Socket {
            doing: "clearing the receive timeout",
            source,
        })?;
    trace.call(format_args!(
        "waiting for the first datagram (no time limit; Ctrl-C stops)"
    ));
    // Big enough for any datagram, so no system reports the peek as truncated.
    let mut buffer = vec![0u8; 65_536];
    match socket.peek_from(&mut buffer) {
        Ok(_) => Ok(()),
        Err(source) => Err(UdpError::Receive { source }),
    }
}

/// True for the errors a read timeout produces (`EAGAIN` on Unix, `WSAETIMEDOUT` on
/// Windows).
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// How a receiver shows datagrams.
#[derive(Debug, Clone)]
pub struct ReceiveOptions {
    /// The buffer given to each `recvfrom` (the notes' 1024).
    pub buffer: usize,
    /// How many datagrams to take before returning.
    pub count: u64,
    /// How long to wait for each datagram.
    pub timeout: Duration,
    /// How to turn the bytes into text.
    pub encoding: TextEncoding,
    /// Also print the bytes in hex.
    pub hex: bool,
}

impl Default for ReceiveOptions {
    fn default() -> Self {
        ReceiveOptions {
            buffer: DEFAULT_BUFFER,
            count: 1,
            timeout: Duration::from_secs(120),
            encoding: TextEncoding::UTF_8,
            hex: false,
        }
    }
}

/// One line for one datagram: who sent it, how many bytes, and the text.
///
/// `from 127.0.0.1:53211: 6 bytes: 你好`, or for a datagram cut by the buffer
/// `from 127.0.0.1:53211: 2000 bytes, truncated to 1024 by the buffer (976 lost): ...`.
/// Also returns whether the bytes were invalid in the encoding (shown as U+FFFD).
pub fn describe_datagram(datagram: &Datagram, encoding: TextEncoding) -> (String, bool) {
    // exercise 1.1: begin
    let decoded = encoding.decode(&datagram.bytes);
    let size = if datagram.truncated() {
        format!(
            "{} bytes, truncated to {} by the buffer ({} lost)",
            datagram.length,
            datagram.bytes.len(),
            datagram.length - datagram.bytes.len()
        )
    } else {
        format!("{} bytes", datagram.length)
    };
    (
        format!("from {}: {size}: {}", datagram.from, decoded.text),
        decoded.had_errors,
    )
    // exercise 1.1: end
}

/// The warning printed when received bytes are not valid text in the chosen encoding.
pub fn undecodable_warning(encoding: TextEncoding) -> String {
    format!(
        "warning: some bytes are not valid {}; \u{FFFD} marks them (was the text sent in \
         another encoding? try --encoding gbk, or --hex to see the bytes)",
        encoding.name()
    )
}

/// The receive loop: `options.count` times, `recvfrom` one datagram and print one line
/// for it (with its hex when asked), warnings on `warnings`. Returns the datagrams
/// received. A timeout before the count is reached is an error.
pub fn receive_loop(
    socket: &UdpSocket,
    options: &ReceiveOptions,
    trace: Trace,
    out: &mut dyn Write,
    warnings: &mut dyn Write,
) -> Result<Vec<Datagram>, UdpError> {
    // exercise 1.3: begin
    let port = socket.local_addr().map(|a| a.port()).unwrap_or(0);
    socket
        .set_read_timeout(Some(options.timeout))
        .map_err(|source| UdpError::Socket {
            doing: "setting the receive timeout",
            source,
        })?;
    let mut received = Vec::new();
    while (received.len() as u64) < options.count {
        let datagram = match recv_datagram(socket, options.buffer) {
            Ok(datagram) => datagram,
            Err(error) if is_timeout(&error) => {
                return Err(UdpError::Timeout {
                    waited: options.timeout,
                    port,
                });
            }
            Err(source) => return Err(UdpError::Receive { source }),
        };
        trace.call(format_args!(
            "recvfrom({}) -> {} bytes from {}",
            options.buffer,
            datagram.bytes.len(),
            datagram.from
        ));
        let (line, had_errors) = describe_datagram(&datagram, options.encoding);
        writeln!(out, "{line}").map_err(UdpError::Output)?;
        if options.hex {
            writeln!(out, "  hex: {}", wire_text::hex(&datagram.bytes))
                .map_err(UdpError::Output)?;
        }
        if had_errors {
            writeln!(warnings, "{}", undecodable_warning(options.encoding))
                .map_err(UdpError::Output)?;
        }
        received.push(datagram);
    }
    Ok(received)
    // exercise 1.3: end
}

/// What a counting receiver saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LossReport {
    pub expected: u64,
    pub received: u64,
    /// Datagrams whose sequence number was lower than one received before them.
    pub out_of_order: u64,
}

impl fmt::Display for LossReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", loss_summary(self.expected, self.received))?;
        if self.out_of_order > 0 {
            write!(f, ", {} out of order", self.out_of_order)?;
        }
        Ok(())
    }
}

/// `received 998/1000 datagrams (2 lost, 0.2%)`. More received than expected (another
/// sender on the port) counts as 0 lost; expecting 0 is 0%.
pub fn loss_summary(expected: u64, received: u64) -> String {
    // exercise 1.2: begin
    let lost = expected.saturating_sub(received);
    let percent = if expected == 0 {
        0.0
    } else {
        lost as f64 * 100.0 / expected as f64
    };
    format!("received {received}/{expected} datagrams ({lost} lost, {percent:.1}%)")
    // exercise 1.2: end
}

/// Counts datagrams until `expected` arrived or nothing came for `timeout`; the first
/// wait is for `first_timeout`, so a receiver can be started before the sender.
pub fn receive_report(
    socket: &UdpSocket,
    expected: u64,
    first_timeout: Duration,
    timeout: Duration,
) -> Result<LossReport, UdpError> {
    let mut report = LossReport {
        expected,
        received: 0,
        out_of_order: 0,
    };
    let mut highest: Option<u64> = None;
    let mut buffer = vec![0u8; 65_536];
    while report.received < expected {
        let wait = if report.received == 0 {
            first_timeout
        } else {
            timeout
        };
        socket
            .set_read_timeout(Some(wait))
            .map_err(|source| UdpError::Socket {
                doing: "setting the receive timeout",
                source,
            })?;
        match socket.recv_from(&mut buffer) {
            Ok((len, _from)) => {
                report.received += 1;
                if let Some(sequence) = sequence_of(&buffer[..len]) {
                    if highest.is_some_and(|h| sequence < h) {
                        report.out_of_order += 1;
                    }
                    highest = Some(highest.map_or(sequence, |h| h.max(sequence)));
                }
            }
            Err(error) if is_timeout(&error) => break,
            Err(source) => return Err(UdpError::Receive { source }),
        }
    }
    Ok(report)
}

/// A `blast` datagram: its sequence number in the first 8 bytes in network byte order
/// (big-endian, what `htonl` gives in C), then filler up to `size` bytes. A datagram
/// shorter than 8 bytes holds only the low-order end of the number.
pub fn blast_payload(sequence: u64, size: usize) -> Vec<u8> {
    // exercise 1.4: begin
    let mut payload = vec![b'.'; size.max(SEQUENCE_BYTES)];
    payload[..SEQUENCE_BYTES].copy_from_slice(&sequence.to_be_bytes());
    if size < SEQUENCE_BYTES {
        payload.drain(..SEQUENCE_BYTES - size);
    }
    payload
    // exercise 1.4: end
}

/// The sequence number at the start of a `blast` datagram, if it is long enough.
pub fn sequence_of(datagram: &[u8]) -> Option<u64> {
    let first: [u8; SEQUENCE_BYTES] = datagram.get(..SEQUENCE_BYTES)?.try_into().ok()?;
    Some(u64::from_be_bytes(first))
}

/// What [`blast`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlastReport {
    pub sent: u64,
    pub size: usize,
    pub local: SocketAddr,
    pub elapsed: Duration,
}

/// Sends `count` datagrams of `size` bytes as fast as possible, or at most `rate` per
/// second. No one acknowledges any of them: that is the point of the experiment.
pub fn blast(
    destination: SocketAddr,
    count: u64,
    size: usize,
    rate: Option<u32>,
    trace: Trace,
) -> Result<BlastReport, UdpError> {
    if size > MAX_DATAGRAM {
        return Err(UdpError::TooLarge { size });
    }
    let socket = sending_socket(destination, trace)?;
    let started = Instant::now();
    let gap = rate
        .filter(|r| *r > 0)
        .map(|r| Duration::from_secs_f64(1.0 / f64::from(r)));
    for sequence in 0..count {
        if let Some(gap) = gap {
            // Pace the sender: datagram n leaves no earlier than n × gap after the start.
            let due = started + gap.mul_f64(sequence as f64);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        let payload = blast_payload(sequence, size);
        let quiet = Trace {
            enabled: trace.enabled && sequence < 3,
        };
        send_to(&socket, &payload, destination, quiet)?;
    }
    let local = local_address(&socket)?;
    Ok(BlastReport {
        sent: count,
        size,
        local,
        elapsed: started.elapsed(),
    })
}

/// The course runner's demo of this lesson: "你好" in GBK, sent to a receiver on
/// 127.0.0.1 port 0, seen as bytes, decoded right and decoded wrong.
pub fn tour(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let gbk = TextEncoding::for_label("gbk")?;
    let receiver = bind(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        None,
        Trace::default(),
    )?;
    receiver.set_read_timeout(Some(Duration::from_secs(2)))?;
    let address = receiver.local_addr()?;
    writeln!(
        out,
        "receiver: bind(127.0.0.1:0) -> the OS gave port {}",
        address.port()
    )?;

    let payload = gbk.encode("你好")?;
    let report = send(address, &payload, Trace::default())?;
    writeln!(
        out,
        "sender:   sendto(\"你好\".encode(\"gbk\"), {address}) -> {} bytes from {}",
        report.bytes, report.local
    )?;

    let datagram = recv_datagram(&receiver, DEFAULT_BUFFER)?;
    writeln!(
        out,
        "receiver: recvfrom(1024) -> {} bytes from {}",
        datagram.bytes.len(),
        datagram.from
    )?;
    writeln!(
        out,
        "  the bytes:          {}",
        wire_text::hex(&datagram.bytes)
    )?;
    writeln!(
        out,
        "  decoded as GBK:     {}",
        gbk.decode(&datagram.bytes).text
    )?;
    writeln!(
        out,
        "  decoded as UTF-8:   {}   <- the wrong encoding: invalid bytes become \u{FFFD}",
        TextEncoding::UTF_8.decode(&datagram.bytes).text
    )?;
    writeln!(
        out,
        "  \"你好\" in UTF-8 is  {}: six bytes, not four",
        wire_text::hex(&TextEncoding::UTF_8.encode("你好")?)
    )?;
    Ok(())
}

#[cfg(test)]
#[path = "exercise_tests/udp_basic.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback_pair() -> (UdpSocket, SocketAddr) {
        let receiver = bind("127.0.0.1:0".parse().unwrap(), None, Trace::default()).unwrap();
        receiver
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let address = receiver.local_addr().unwrap();
        (receiver, address)
    }

    #[test]
    fn recv_datagram_reports_the_real_length_of_a_cut_datagram() {
        let (receiver, address) = loopback_pair();
        send(address, &[b'x'; 2000], Trace::default()).unwrap();
        let datagram = recv_datagram(&receiver, 1024).unwrap();
        assert_eq!((datagram.bytes.len(), datagram.length), (1024, 2000));
        assert!(datagram.truncated());
    }

    #[test]
    fn the_next_datagram_after_a_cut_one_is_whole() {
        let (receiver, address) = loopback_pair();
        send(address, &[b'x'; 2000], Trace::default()).unwrap();
        send(address, b"short", Trace::default()).unwrap();
        recv_datagram(&receiver, 1024).unwrap();
        let second = recv_datagram(&receiver, 1024).unwrap();
        assert_eq!(second.bytes, b"short");
        assert!(!second.truncated());
    }

    #[test]
    fn an_empty_datagram_is_a_datagram() {
        let (receiver, address) = loopback_pair();
        send(address, b"", Trace::default()).unwrap();
        let datagram = recv_datagram(&receiver, 1024).unwrap();
        assert_eq!(datagram.length, 0);
    }

    #[test]
    fn report_counts_every_datagram_when_nothing_is_lost() {
        let (receiver, address) = loopback_pair();
        blast(address, 50, 100, None, Trace::default()).unwrap();
        let report = receive_report(
            &receiver,
            50,
            Duration::from_secs(5),
            Duration::from_secs(2),
        )
        .unwrap();
        assert_eq!(report.received, 50);
        assert_eq!(report.out_of_order, 0);
    }

    #[test]
    fn tour_shows_gbk_bytes_and_mojibake() {
        let mut out = Vec::new();
        tour(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("c4 e3 ba c3"), "{text}");
        assert!(text.contains("decoded as GBK:     你好"), "{text}");
        assert!(text.contains('\u{FFFD}'), "{text}");
    }
}
