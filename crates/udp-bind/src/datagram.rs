//! The socket calls every command shares, one datagram at a time: `sendto`, `recvfrom`
//! with a timeout, `getsockname`, and the line a received datagram is shown as.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use crate::wording::count_bytes;
use crate::{Error, Trace};

/// The largest payload one UDP datagram over IPv4 can carry (65535 − 8 UDP header − 20 IP
/// header). A buffer this big never cuts a datagram short, unlike the notes' `recvfrom(1024)`.
pub const MAX_DATAGRAM: usize = 65_507;

/// `recvfrom`: waits (at most `timeout`, or forever with `None`) for one datagram.
/// A timeout comes back as [`Error::Silence`].
pub fn receive_from(
    socket: &UdpSocket,
    buffer: &mut [u8],
    timeout: Option<Duration>,
    trace: Trace,
) -> Result<(usize, SocketAddr), Error> {
    // A zero timeout means "forever" to the OS, so std refuses it: wait at least 1 ms.
    let timeout = timeout.map(|t| t.max(Duration::from_millis(1)));
    socket
        .set_read_timeout(timeout)
        .map_err(|source| Error::Setup {
            what: "setting the receive timeout",
            source,
        })?;
    match socket.recv_from(buffer) {
        Ok((length, from)) => {
            trace.call(format_args!(
                "recvfrom -> {} from {from}",
                count_bytes(length)
            ));
            if let Ok(local) = socket.local_addr() {
                let label = ladder::live::datagram_label(&buffer[..length], length);
                trace.packet(from, local, format_args!("{label}"), say::Mark::Plain);
            }
            Ok((length, from))
        }
        // Unix says WouldBlock (EAGAIN) when SO_RCVTIMEO expires, Windows says TimedOut.
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Err(Error::Silence {
                waited: timeout.unwrap_or_default(),
            })
        }
        Err(source) => Err(Error::Receive { source }),
    }
}

/// `sendto`: one datagram to `to`.
pub fn send_to(
    socket: &UdpSocket,
    payload: &[u8],
    to: SocketAddr,
    trace: Trace,
) -> Result<(), Error> {
    trace.call(format_args!("sendto({to}, {})", count_bytes(payload.len())));
    match socket.send_to(payload, to) {
        Ok(_) => {
            // After sendto the OS has given an unbound socket its port: ask only now.
            if let Ok(local) = socket.local_addr() {
                let label = ladder::live::datagram_label(payload, payload.len());
                trace.packet(local, to, format_args!("{label}"), say::Mark::Plain);
            }
            Ok(())
        }
        Err(source) => Err(Error::Send { to, source }),
    }
}

/// The local address of a socket (`getsockname`).
pub fn local_address(socket: &UdpSocket) -> Result<SocketAddr, Error> {
    socket.local_addr().map_err(|source| Error::Setup {
        what: "reading the local address (getsockname)",
        source,
    })
}

/// One received datagram as a line: `from 127.0.0.1:53211: hello`, decoded with
/// `encoding`; bytes that are not valid text are shown as U+FFFD and said so.
pub fn datagram_line(
    from: SocketAddr,
    payload: &[u8],
    encoding: wire_text::TextEncoding,
) -> String {
    let decoded = encoding.decode(payload);
    if decoded.had_errors {
        format!(
            "from {from}: {} (not valid {}: shown with U+FFFD)",
            decoded.text,
            encoding.name()
        )
    } else {
        format!("from {from}: {}", decoded.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagram_line_shows_sender_and_text() {
        let from: SocketAddr = "127.0.0.1:53211".parse().unwrap();
        assert_eq!(
            datagram_line(from, b"hello", wire_text::TextEncoding::UTF_8),
            "from 127.0.0.1:53211: hello"
        );
        // 你好 in GBK (c4 e3 ba c3) read as UTF-8 is not valid text.
        let line = datagram_line(
            from,
            &[0xc4, 0xe3, 0xba, 0xc3],
            wire_text::TextEncoding::UTF_8,
        );
        assert!(line.contains("not valid UTF-8"), "{line}");
    }
}
