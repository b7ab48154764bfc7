//! The sender of the loss experiment: numbered datagrams as fast as the socket takes
//! them, or paced to a rate; nobody acknowledges any (exercise 1.4 builds each payload).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::send::send_to;
use crate::{MAX_DATAGRAM, Trace, UdpError, local_address, sending_socket};

/// Bytes at the start of every `blast` datagram that carry its sequence number.
pub const SEQUENCE_BYTES: usize = 8;

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
    // Bound to port 0 above, so the OS has picked our port already.
    let local = local_address(&socket)?;
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
        let quiet = if sequence < 3 { trace } else { Trace::OFF };
        send_to(&socket, &payload, destination, quiet)?;
        trace.packet(
            local,
            destination,
            format_args!("#{sequence} ({size} bytes)"),
            say::Mark::Plain,
        );
    }
    Ok(BlastReport {
        sent: count,
        size,
        local,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
#[path = "exercise_tests/blast.rs"]
mod exercise_tests;
