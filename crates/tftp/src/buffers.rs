//! Socket buffers, and why a window must fit in the receiver's.
//!
//! The kernel keeps received datagrams in the socket's receive buffer until the program
//! reads them. When the buffer is full, the next datagram is dropped, silently. A TFTP
//! window of W blocks arrives as a burst of W datagrams, so W × (cost of one datagram)
//! must fit, or the transfer loses blocks on every window and crawls from timeout to
//! timeout. The cost is more than the payload: the kernel charges each datagram's whole
//! allocation (its "truesize"), measured on Linux loopback as about 1.3 KiB for a 516-byte
//! DATA, 2.3 KiB for 1472 bytes, 16 KiB for 8196 bytes and 67–71 KiB for 65468 bytes.
//!
//! A default receive buffer (`net.core.rmem_default`, 212992 bytes) therefore holds only
//! 3 DATA packets of 65464 bytes. We ask for what the window needs with `SO_RCVBUF`, read
//! back what the kernel really gave (it caps the request at `net.core.rmem_max` and
//! doubles it for its bookkeeping), and shrink the window to what fits.

use std::io;
use std::net::UdpSocket;

use socket2::SockRef;

/// The most we ask for (the kernel may give less).
const MOST_WANTED: usize = 16 * 1024 * 1024;

/// The most file data we keep in flight in one window. Beyond about 1 MiB the window no
/// longer fits in the CPU's caches and every byte is fetched from memory again: measured
/// on loopback, windowsize 64 at blksize 65464 (4 MiB) ran at 769 MiB/s where
/// windowsize 16 (1 MiB) ran at 1055.
pub const MOST_IN_FLIGHT: usize = 1024 * 1024;

/// The largest useful window for `blksize` (at least 1), by [`MOST_IN_FLIGHT`].
pub fn window_limit(blksize: u16) -> u16 {
    let blocks = MOST_IN_FLIGHT / usize::from(blksize.max(1));
    u16::try_from(blocks).unwrap_or(u16::MAX).max(1)
}

/// What the kernel charges a receive buffer for one datagram of `len` bytes on Linux:
/// the payload plus headers and bookkeeping, rounded up the way its allocator does. A
/// slight overestimate, so a window we compute from it really fits.
pub fn datagram_cost(len: usize) -> usize {
    // IP + UDP headers, link header, and the skb's padding and shared info.
    let allocated = len + 28 + 14 + 64 + 320;
    let rounded = if allocated <= 32 * 1024 {
        allocated.next_power_of_two()
    } else {
        allocated.div_ceil(4096) * 4096 + 4096
    };
    rounded + 512 // the sk_buff structure itself, and slack
}

/// How many DATA packets of `blksize` fit in a receive buffer of `bytes`.
pub fn datagrams_that_fit(bytes: usize, blksize: u16) -> u16 {
    let fit = bytes / datagram_cost(usize::from(blksize) + 4);
    u16::try_from(fit).unwrap_or(u16::MAX).max(1)
}

/// Sizes `socket`'s buffers for `window` DATA packets of `blksize` bytes and returns the
/// window that really fits in the receive buffer the kernel gave (at least 1).
pub fn size_for_window(socket: &UdpSocket, blksize: u16, window: u16) -> io::Result<u16> {
    let window = window.min(window_limit(blksize));
    let wanted = (usize::from(window) * datagram_cost(usize::from(blksize) + 4))
        .clamp(64 * 1024, MOST_WANTED);
    let socket = SockRef::from(socket);
    if socket.recv_buffer_size()? < wanted {
        socket.set_recv_buffer_size(wanted)?;
    }
    if socket.send_buffer_size()? < wanted {
        socket.set_send_buffer_size(wanted)?;
    }
    let got = socket.recv_buffer_size()?;
    Ok(window.min(datagrams_that_fit(got, blksize)))
}

/// How much to buffer file reads and writes for blocks of `blksize`: small blocks are
/// gathered into 64 KiB system calls; big blocks go straight through (a buffer would only
/// add a copy of every byte).
pub fn file_buffer_size(blksize: u16) -> usize {
    if blksize >= 16 * 1024 { 0 } else { 64 * 1024 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_cover_what_the_kernel_charges() {
        // Measured on Linux loopback (see the module docs), per datagram.
        assert!(datagram_cost(516) >= 1283);
        assert!(datagram_cost(1472) >= 2315);
        assert!(datagram_cost(8196) >= 16644);
        assert!(datagram_cost(65468) >= 70997);
    }

    #[test]
    fn a_default_buffer_holds_only_a_few_big_blocks() {
        // net.core.rmem_default = 212992, doubled by the kernel.
        assert!(datagrams_that_fit(425_984, 65464) <= 6);
        assert!(datagrams_that_fit(425_984, 512) >= 100);
    }

    #[test]
    fn big_blocks_get_a_smaller_window() {
        assert_eq!(window_limit(65464), 16);
        assert!(window_limit(1468) >= 64);
        assert_eq!(window_limit(8), 65535);
    }

    #[test]
    fn sizing_never_returns_a_zero_window() {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let window = size_for_window(&socket, 65464, 64).unwrap();
        assert!((1..=64).contains(&window));
        assert_eq!(size_for_window(&socket, 512, 4).unwrap(), 4);
    }
}
