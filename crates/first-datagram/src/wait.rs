//! The wait itself: no time limit, and the datagram left queued for `recvfrom`.

use std::net::UdpSocket;

use say::Trace;

use crate::WaitError;

/// The largest UDP datagram and one byte more: a peek into this buffer is never
/// reported as cut short, on any system.
const PEEK_BUFFER: usize = 65_536;

/// Waits, with no time limit, until a datagram is ready, and leaves it queued for the
/// next `recvfrom` (it only peeks: `MSG_PEEK`). A receiver started for an experiment
/// waits here for as long as the person needs to start the sender.
pub fn wait_for_first_datagram(socket: &UdpSocket, trace: Trace) -> Result<(), WaitError> {
    socket
        .set_read_timeout(None)
        .map_err(WaitError::ClearTimeout)?;
    trace.call(format_args!(
        "waiting for the first datagram (no time limit; Ctrl-C stops)"
    ));
    let mut buffer = vec![0u8; PEEK_BUFFER];
    socket
        .peek_from(&mut buffer)
        .map(|_| ())
        .map_err(WaitError::Receive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_datagram_stays_queued_for_recvfrom() {
        let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender
            .send_to(b"hello", receiver.local_addr().unwrap())
            .unwrap();
        wait_for_first_datagram(&receiver, Trace::OFF).unwrap();
        receiver
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let mut buffer = [0u8; 16];
        let (length, _) = receiver.recv_from(&mut buffer).unwrap();
        assert_eq!(&buffer[..length], b"hello");
    }
}
