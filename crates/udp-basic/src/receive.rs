//! The receiver: `recvfrom` one datagram at a time, honest about truncation, and the
//! receive loop that prints one line per datagram (exercises 1.1 and 1.3).

use std::io::{self, Write};
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use socket2::SockRef;
use wire_text::TextEncoding;

use crate::{Trace, UdpError};

/// The notes' receiving port: `udpSocket.bind(('', 7788))`.
pub const DEFAULT_PORT: u16 = 7788;
/// The notes' buffer: `recvfrom(1024)`.
pub const DEFAULT_BUFFER: usize = 1024;

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
        if let Ok(local) = socket.local_addr() {
            let label = ladder::live::datagram_label(&datagram.bytes, datagram.length);
            trace.packet(
                datagram.from,
                local,
                format_args!("{label}"),
                say::Mark::Plain,
            );
        }
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

#[cfg(test)]
#[path = "exercise_tests/receive.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{bind, send};

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
}
