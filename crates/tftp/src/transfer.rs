//! Moving a file once both sides agree: the part of TFTP that does what TCP would do.
//!
//! UDP delivers datagrams or loses them, duplicates and reorders them. TFTP makes a
//! reliable transfer out of that with four rules; the first three are this module's
//! algorithm, the fourth belongs to the socket layer ([`crate::channel`]):
//!
//! 1. **Number and acknowledge.** Every DATA carries a block number; the receiver answers
//!    with an ACK naming the last block it has, in order. With `windowsize` W (RFC 7440)
//!    the sender sends W blocks, then waits for one ACK; lock-step is W = 1.
//! 2. **Retransmit on timeout only.** When no ACK comes in time the sender sends again,
//!    from the block after the last acknowledged one. A duplicate ACK is *never* a reason
//!    to send: that was the Sorcerer's Apprentice bug of RFC 1350 (RFC 1123 §4.2.3.1),
//!    where every duplicate doubled the traffic until the end of the transfer.
//! 3. **Detect the end.** A DATA shorter than the block size is the last one; a file of
//!    exactly N blocks ends with an empty DATA.
//! 4. **Know your peer.** A transfer is identified by both ports (the transfer IDs, TIDs).
//!    A datagram from any other address or port gets ERROR 5 and changes nothing
//!    ([`Channel::receive`] does it, so the algorithm below only sees its peer).
//!
//! Block numbers are 16 bits on the wire and roll over from 65535 to 0; inside we count
//! blocks in a `u64` and compare only the low 16 bits with what arrives.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use crate::channel::{Channel, Incoming};
use crate::packet::{self, Ack, ErrorCode, Packet, field};

/// What both sides agreed for one transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Bytes of file data per DATA packet (RFC 2348); 512 unless negotiated.
    pub blksize: u16,
    /// DATA packets per ACK (RFC 7440); 1 is lock-step.
    pub windowsize: u16,
    /// How long to wait for the peer before sending again.
    pub timeout: Duration,
    /// How many timeouts in a row end the transfer.
    pub retries: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            blksize: packet::DEFAULT_BLKSIZE,
            windowsize: 1,
            timeout: Duration::from_secs(1),
            retries: 5,
        }
    }
}

/// Why a transfer stopped before the end. It lives with the socket layer, which raises
/// most of these (a silent or misbehaving peer, a failed socket call); this algorithm
/// raises the rest, and everyone names it from here.
pub use crate::channel::TransferError;

/// The block number in 16 bits, as it travels (65536 is 0 again: the rollover).
pub fn wire_block(block: u64) -> u16 {
    (block & 0xffff) as u16
}

/// Which of the blocks `after + 1 ..= after + span` has the 16-bit number `wire`, if any.
/// `span` is at most 65535, so at most one block matches.
pub fn unwrap_block(wire: u16, after: u64, span: u64) -> Option<u64> {
    let distance = u64::from(wire.wrapping_sub(wire_block(after + 1)));
    (distance < span).then_some(after + 1 + distance)
}

/// The DATA packets of one window, kept so they can be sent again without reading the
/// file twice: memory is windowsize × blksize, never the size of the file.
pub struct Outbox {
    blksize: usize,
    /// Each buffer is 4 + blksize bytes for good; `lens` says how much is in use.
    packets: Vec<Vec<u8>>,
    lens: Vec<usize>,
}

impl Outbox {
    pub fn new(window: u64, blksize: u16) -> Outbox {
        let blksize = usize::from(blksize);
        let slots = window.max(1) as usize;
        Outbox {
            blksize,
            // Allocated on first use, so a short file costs one block, not a window.
            packets: vec![Vec::new(); slots],
            lens: vec![0; slots],
        }
    }

    fn slot(&self, block: u64) -> usize {
        ((block - 1) % self.packets.len() as u64) as usize
    }

    /// Reads block number `block` from `source` into its slot; returns its payload size
    /// (less than blksize only for the last block).
    pub fn fill(&mut self, block: u64, source: &mut dyn Read) -> io::Result<usize> {
        let slot = self.slot(block);
        let packet = &mut self.packets[slot];
        if packet.is_empty() {
            packet.resize(field::DATA_PAYLOAD + self.blksize, 0);
        }
        packet[field::BLOCK].copy_from_slice(&wire_block(block).to_be_bytes());
        packet[field::OPCODE].copy_from_slice(&packet::opcode::DATA.to_be_bytes());
        let payload = &mut packet[field::DATA_PAYLOAD..];
        let mut filled = 0;
        while filled < payload.len() {
            match source.read(&mut payload[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        self.lens[slot] = filled;
        Ok(filled)
    }

    /// The payload size of `block` (filled earlier).
    pub fn payload_len(&self, block: u64) -> usize {
        self.lens[self.slot(block)]
    }

    /// The DATA packets of `blocks`, ready to send, one after the other.
    pub fn packets(
        &self,
        blocks: std::ops::RangeInclusive<u64>,
    ) -> impl Iterator<Item = &[u8]> + '_ {
        blocks.map(|block| self.packet(block))
    }

    /// The whole DATA packet for `block`, ready to send.
    pub fn packet(&self, block: u64) -> &[u8] {
        let slot = self.slot(block);
        &self.packets[slot][..field::DATA_PAYLOAD + self.lens[slot]]
    }
}

/// Sends `source` as DATA blocks 1, 2, ... and returns the bytes sent. The peer has
/// already acknowledged block 0 (an ACK 0, an OACK, or our request). `progress` hears
/// the byte count after each acknowledgement.
///
/// The window is `settings.windowsize` blocks, kept in memory so they can be sent again
/// without reading the file twice (so memory is windowsize × blksize, never the file).
pub fn send_blocks(
    channel: &mut Channel<'_>,
    source: &mut dyn Read,
    settings: &Settings,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, TransferError> {
    // exercise 4.5: begin
    let blksize = usize::from(settings.blksize);
    let window = u64::from(settings.windowsize.max(1));
    let mut outbox = Outbox::new(window, settings.blksize);
    let mut acked: u64 = 0; // every block up to this one has arrived
    let mut read: u64 = 0; // blocks read from the file so far
    let mut sent: u64 = 0; // blocks sent (we rewind it to resend)
    let mut last: Option<u64> = None; // the short block that ends the file
    let mut bytes_acked: u64 = 0;
    let mut timeouts = 0;
    loop {
        // Read ahead to fill the window, then send what is not in flight yet.
        while read < acked + window && last.is_none() {
            let len = outbox.fill(read + 1, source).map_err(|source| {
                channel.send_error(ErrorCode::NotDefined, "could not read the file");
                TransferError::File {
                    doing: "reading the file to send".into(),
                    source,
                }
            })?;
            read += 1;
            if len < blksize {
                last = Some(read);
            }
        }
        if sent < read {
            channel.send_burst(outbox.packets(sent + 1..=read))?;
            sent = read;
        }
        // Wait for an ACK that moves us forward.
        let deadline = Instant::now() + settings.timeout;
        loop {
            match channel.receive(deadline)? {
                Incoming::Timeout => {
                    timeouts += 1;
                    if timeouts > settings.retries {
                        channel.send_error(ErrorCode::NotDefined, "timed out waiting for ACK");
                        return Err(TransferError::TimedOut {
                            waiting_for: format!("ACK of block {}", wire_block(acked + 1)),
                            tries: timeouts,
                        });
                    }
                    // Send again from the first block not acknowledged.
                    sent = acked;
                    break;
                }
                Incoming::Datagram(len) => {
                    let block = match Packet::parse(channel.datagram(len)) {
                        Ok(Packet::Ack(ack)) => ack.block,
                        // A repeated OACK (it stands for ACK 0 in an upload) is old news.
                        Ok(Packet::Oack(_)) => continue,
                        _ => return Err(channel.refuse(len)),
                    };
                    // Only an ACK for a block in flight counts; an old or duplicate ACK
                    // is ignored (sending on it is the Sorcerer's Apprentice bug).
                    let Some(block) = unwrap_block(block, acked, sent - acked) else {
                        continue;
                    };
                    for done in acked + 1..=block {
                        bytes_acked += outbox.payload_len(done) as u64;
                    }
                    acked = block;
                    timeouts = 0;
                    progress(bytes_acked);
                    if Some(acked) == last {
                        return Ok(bytes_acked);
                    }
                    // An ACK for an earlier block than we sent means the peer missed
                    // the next one (RFC 7440): send again from there.
                    sent = acked;
                    break;
                }
            }
        }
    }
    // exercise 4.5: end
}

/// What [`receive_blocks`] needs to start.
pub struct ReceiveStart<'p> {
    /// The packet that asked for block 1 (ACK 0, an OACK, or the client's RRQ), sent
    /// again on a timeout before block 1 arrives.
    pub reply: Vec<u8>,
    /// A DATA packet already received (a server that ignored our options answers an
    /// RRQ with DATA 1 straight away).
    pub first: Option<&'p [u8]>,
    /// Runs once the last block is written and flushed, *before* its ACK tells the peer
    /// the transfer is complete. The server gives an upload its final name here, so a
    /// client holding the last ACK can rely on the file being there; if this fails, the
    /// peer gets an ERROR instead of that ACK.
    pub before_last_ack: Option<&'p mut dyn FnMut() -> io::Result<()>>,
}

/// Receives DATA blocks 1, 2, ... into `sink` until the short block that ends the file;
/// returns the bytes received and the number of the last block (to ACK again while
/// lingering).
pub fn receive_blocks(
    channel: &mut Channel<'_>,
    sink: &mut dyn Write,
    settings: &Settings,
    start: ReceiveStart<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<(u64, u16), TransferError> {
    let mut receiver = Receiver {
        blksize: usize::from(settings.blksize),
        window: u64::from(settings.windowsize.max(1)),
        half_timeout: settings.timeout / 2,
        expected: 1,
        acked: 0,
        reply: start.reply,
        bytes: 0,
        answered_since_progress: false,
        last_answer: Instant::now(),
    };
    let mut finish = start.before_last_ack;
    if let Some(first) = start.first {
        if let Some(done) = receiver.on_datagram(channel, first, sink, &mut finish, progress)? {
            return Ok(done);
        }
    }
    let mut timeouts = 0;
    let mut deadline = Instant::now() + settings.timeout;
    loop {
        match channel.receive(deadline)? {
            Incoming::Timeout => {
                timeouts += 1;
                if timeouts > settings.retries {
                    channel.send_error(ErrorCode::NotDefined, "timed out waiting for DATA");
                    return Err(TransferError::TimedOut {
                        waiting_for: format!("DATA block {}", wire_block(receiver.expected)),
                        tries: timeouts,
                    });
                }
                channel.send_bytes(&receiver.reply)?;
                deadline = Instant::now() + settings.timeout;
            }
            Incoming::Datagram(len) => {
                let before = receiver.expected;
                if let Some(done) = receiver.on_datagram(
                    channel,
                    channel.datagram(len),
                    sink,
                    &mut finish,
                    progress,
                )? {
                    return Ok(done);
                }
                if receiver.expected != before {
                    timeouts = 0;
                    deadline = Instant::now() + settings.timeout;
                }
            }
        }
    }
}

/// The receiving side's state between datagrams.
struct Receiver {
    blksize: usize,
    window: u64,
    half_timeout: Duration,
    /// The next block we need.
    expected: u64,
    /// The last block we acknowledged.
    acked: u64,
    /// What we send again on a timeout (our last ACK, or what asked for block 1).
    reply: Vec<u8>,
    bytes: u64,
    /// One answer per burst of out-of-place blocks, not one per block.
    answered_since_progress: bool,
    last_answer: Instant,
}

impl Receiver {
    /// Handles one datagram from the peer; `Some((bytes, last block))` at the end.
    fn on_datagram(
        &mut self,
        channel: &Channel<'_>,
        datagram: &[u8],
        sink: &mut dyn Write,
        finish: &mut Option<&mut dyn FnMut() -> io::Result<()>>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Option<(u64, u16)>, TransferError> {
        let data = match Packet::parse(datagram) {
            Ok(Packet::Data(data)) => data,
            // A repeated OACK: before block 1 our ACK 0 was lost, so answer again;
            // later it is a late duplicate, and old news.
            Ok(Packet::Oack(_)) => {
                if self.expected == 1 {
                    channel.send_bytes(&self.reply)?;
                }
                return Ok(None);
            }
            Ok(Packet::Error(error)) => return Err(TransferError::Peer(error)),
            Ok(other) => {
                return Err(
                    channel.illegal(TransferError::Unexpected(format!("unexpected {other}")))
                );
            }
            Err(parse) => return Err(channel.illegal(TransferError::Malformed(parse))),
        };
        if data.payload.len() > self.blksize {
            return Err(channel.illegal(TransferError::Unexpected(format!(
                "DATA of {} bytes, larger than blksize {}",
                data.payload.len(),
                self.blksize
            ))));
        }
        if data.block != wire_block(self.expected) {
            // Out of place: an old block sent again (our ACK was lost) or a later one
            // (one before it was lost). Either way, say where we are: once per burst,
            // or again after half a timeout, when the sender has retried.
            if !self.answered_since_progress || self.last_answer.elapsed() >= self.half_timeout {
                self.answered_since_progress = true;
                self.last_answer = Instant::now();
                self.acknowledge(channel, self.expected - 1)?;
            }
            return Ok(None);
        }
        sink.write_all(data.payload).map_err(|source| {
            let code = if source.kind() == io::ErrorKind::StorageFull {
                ErrorCode::DiskFull
            } else {
                ErrorCode::NotDefined
            };
            write_failed(channel, code, source)
        })?;
        let is_last = data.payload.len() < self.blksize;
        if is_last {
            // Everything must be written before the last ACK tells the peer it is done.
            sink.flush()
                .map_err(|source| write_failed(channel, ErrorCode::DiskFull, source))?;
            // Only once the file is in place may the last ACK say "done". A retransmitted
            // last block arrives out of place and is only ACKed again: this runs once.
            if let Some(finish) = finish.take() {
                finish().map_err(|source| {
                    let code = match source.kind() {
                        io::ErrorKind::AlreadyExists => ErrorCode::FileExists,
                        io::ErrorKind::StorageFull => ErrorCode::DiskFull,
                        _ => ErrorCode::NotDefined,
                    };
                    channel.send_error(code, "could not store the finished file");
                    TransferError::File {
                        doing: "giving the finished file its name".into(),
                        source,
                    }
                })?;
            }
        }
        self.bytes += data.payload.len() as u64;
        self.expected += 1;
        self.answered_since_progress = false;
        if is_last || self.expected - 1 - self.acked >= self.window {
            self.acknowledge(channel, self.expected - 1)?;
            progress(self.bytes);
        }
        Ok(is_last.then(|| (self.bytes, wire_block(self.acked))))
    }

    fn acknowledge(&mut self, channel: &Channel<'_>, block: u64) -> Result<(), TransferError> {
        self.acked = block;
        // Encoded over the previous ACK: no new buffer for every block.
        self.reply.clear();
        Ack {
            block: wire_block(block),
        }
        .encode(&mut self.reply);
        channel.send_bytes(&self.reply)
    }
}

/// The message of the ERROR 0 a download sends when its output's reader went away
/// (`tftp get ... -o - | head -c 10`): the same kind of ending as Ctrl-C, told the same
/// way, so the server stops sending at once.
pub const OUTPUT_CLOSED_MESSAGE: &str = "transfer cancelled: nobody reads the output";

/// Writing a received block failed: tells the peer (ERROR `code`, "could not write the
/// file") and returns the error. A closed output pipe (`say::is_closed_pipe`, told by
/// the error's kind) is a cancel, not a broken file: ERROR 0 saying so.
fn write_failed(channel: &Channel<'_>, code: ErrorCode, source: io::Error) -> TransferError {
    if say::is_closed_pipe(&source) {
        channel.send_error(ErrorCode::NotDefined, OUTPUT_CLOSED_MESSAGE);
    } else {
        channel.send_error(code, "could not write the file");
    }
    TransferError::File {
        doing: "writing the received data".into(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_numbers_roll_over_to_zero() {
        assert_eq!(wire_block(65535), 65535);
        assert_eq!(wire_block(65536), 0);
        assert_eq!(wire_block(65537), 1);
    }

    #[test]
    fn an_ack_is_matched_only_inside_the_window() {
        // Blocks 65534..=65537 in flight after 65533: ACK 0 means block 65536.
        assert_eq!(unwrap_block(0, 65533, 4), Some(65536));
        assert_eq!(unwrap_block(65534, 65533, 4), Some(65534));
        // A duplicate ACK for the block already acknowledged matches nothing.
        assert_eq!(unwrap_block(65533, 65533, 4), None);
        // Nor does an ACK beyond what was sent.
        assert_eq!(unwrap_block(2, 65533, 4), None);
        assert_eq!(unwrap_block(7, 0, 0), None);
    }
}
