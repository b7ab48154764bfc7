//! TCP is a byte stream: where messages begin and end is the program's business.
//!
//! A UDP datagram arrives whole or not at all, so `recvfrom(1024)` gets one message. A TCP
//! `recv(1024)` gets *whatever bytes have arrived so far*, up to 1024 of them: half of
//! what the peer sent with one `send`, or the end of one `send` glued to the start of the
//! next. Nothing on the wire marks where one `send` ended. A protocol that carries
//! messages over TCP therefore marks the boundaries itself, for example with a newline
//! after each message (what `chat` does, with [`take_line`]) or with a length in front of
//! it. And a program that wants *everything* the peer sends keeps calling `recv` until it
//! returns 0 bytes, the peer's FIN ([`receive_until_closed`]).

use std::io::{self, Read, Write};

/// Size of one `recv` here. Any size works (the notes use 1024); a bigger one means fewer
/// system calls when a lot of data is waiting.
pub const RECV_SIZE: usize = 64 * 1024;

/// Removes the first complete line (ending in `\n`) from the front of `buffer` and returns
/// it without the `\n` (and without a `\r` before it). Returns `None`, leaving `buffer`
/// untouched, while no complete line has arrived yet: the rest of it is still on its way.
///
/// This is newline framing: the receiver collects whatever each `recv` brings into
/// `buffer` and takes out whole lines, however the bytes were cut up on the way.
pub fn take_line(buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    // exercise 3.2: begin
    let end = buffer.iter().position(|&byte| byte == b'\n')?;
    let mut line: Vec<u8> = buffer.drain(..=end).collect();
    line.pop(); // the '\n'
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Some(line)
    // exercise 3.2: end
}

/// What [`receive_until_closed`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Received {
    /// Bytes received in all.
    pub bytes: u64,
    /// How many `recv` calls returned data (not counting the final 0-byte one).
    pub recv_calls: u64,
}

/// Calls `recv` (here [`Read::read`]) again and again, copying each piece into `sink`,
/// until `recv` returns 0 bytes: the peer has closed its sending side (its FIN arrived)
/// and nothing more will come. One `recv(1024)`, as in the notes, gets at most the first
/// 1024 bytes, and often fewer.
///
/// A read that fails with `Interrupted` (a signal arrived) is simply repeated; any other
/// error (a timeout, a reset) is returned.
pub fn receive_until_closed<R: Read + ?Sized, W: Write + ?Sized>(
    stream: &mut R,
    sink: &mut W,
) -> io::Result<Received> {
    // exercise 3.3: begin
    let mut chunk = vec![0u8; RECV_SIZE];
    let mut received = Received::default();
    loop {
        match stream.read(&mut chunk) {
            Ok(0) => return Ok(received),
            Ok(count) => {
                sink.write_all(&chunk[..count])?;
                received.bytes += count as u64;
                received.recv_calls += 1;
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
    }
    // exercise 3.3: end
}

#[cfg(test)]
#[path = "exercise_tests/framing.rs"]
mod exercise_tests;
