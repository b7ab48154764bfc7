//! Sending a whole window in one system call: UDP segmentation offload (GSO).
//!
//! A window of W blocks sent with W `sendto` calls costs more than W system calls. On
//! one CPU, every datagram wakes the receiver, and the scheduler switches to it as soon
//! as our `sendto` returns: it reads one block, sleeps again, and we are back. The window
//! is then lock-step in disguise, with two task switches per block.
//!
//! Linux (4.18 and later) can take one `sendmsg` holding many datagrams of the same size
//! laid end to end, plus a `UDP_SEGMENT` control message giving that size, and cut it into
//! separate datagrams itself. They are ordinary datagrams on the wire; only the sender
//! saves work. The receiver is woken once, after the whole burst, and reads it in a row.
//! QUIC implementations use the same trick. Where it is not available the caller sends
//! datagram by datagram.

use std::io::{self, IoSlice};
use std::net::{SocketAddr, UdpSocket};

use socket2::{MsgHdr, SockAddr, SockRef};

/// At most this many datagrams per burst (the kernel's limit was 64 in Linux 4.18).
pub const MOST_SEGMENTS: usize = 64;
/// At most this many bytes per burst: the burst travels inside the kernel as one UDP
/// datagram of at most 65507 bytes of payload.
pub const MOST_BYTES: usize = 65000;

/// `SOL_UDP` and `UDP_SEGMENT` from `<netinet/udp.h>` (Linux).
const SOL_UDP: i32 = 17;
const UDP_SEGMENT: i32 = 103;

/// The control message `UDP_SEGMENT = size` as the kernel reads it: a `struct cmsghdr`
/// (`size_t cmsg_len; int cmsg_level; int cmsg_type;`) followed by the u16 value, padded
/// to the alignment of `size_t`.
fn segment_control(size: u16) -> Vec<u8> {
    let word = std::mem::size_of::<usize>();
    let header = (word + 8).div_ceil(word) * word;
    let len = header + 2;
    let space = len.div_ceil(word) * word;
    let mut control = Vec::with_capacity(space);
    control.extend_from_slice(&len.to_ne_bytes());
    control.extend_from_slice(&SOL_UDP.to_ne_bytes());
    control.extend_from_slice(&UDP_SEGMENT.to_ne_bytes());
    control.resize(header, 0);
    control.extend_from_slice(&size.to_ne_bytes());
    control.resize(space, 0);
    control
}

/// Sends `datagrams` to `to` as one burst (`None`: to the peer of a connected socket).
/// Every datagram but the last must have the same length, and the burst must respect
/// [`MOST_SEGMENTS`] and [`MOST_BYTES`].
pub fn send(socket: &UdpSocket, to: Option<SocketAddr>, datagrams: &[&[u8]]) -> io::Result<()> {
    let Some(first) = datagrams.first() else {
        return Ok(());
    };
    let size = u16::try_from(first.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "datagram too large"))?;
    let slices: Vec<IoSlice<'_>> = datagrams.iter().map(|d| IoSlice::new(d)).collect();
    let control = segment_control(size);
    let address = to.map(SockAddr::from);
    let mut message = MsgHdr::new().with_buffers(&slices).with_control(&control);
    if let Some(address) = &address {
        message = message.with_addr(address);
    }
    let total: usize = datagrams.iter().map(|d| d.len()).sum();
    let sent = SockRef::from(socket).sendmsg(&message, 0)?;
    if sent != total {
        return Err(io::Error::new(io::ErrorKind::WriteZero, "burst cut short"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_arrives_as_separate_datagrams() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        receiver
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let parts: [&[u8]; 3] = [b"aaaa", b"bbbb", b"cc"];
        match send(&sender, Some(receiver.local_addr().unwrap()), &parts) {
            Ok(()) => {
                let mut buffer = [0u8; 16];
                for part in parts {
                    let (len, _) = receiver.recv_from(&mut buffer).unwrap();
                    assert_eq!(&buffer[..len], part);
                }
            }
            // An old kernel without UDP GSO: the caller falls back, nothing to test.
            Err(error) => eprintln!("UDP GSO not available here: {error}"),
        }
    }
}
