//! Chat: the notes' three ways to talk, 单工 (simplex), 半双工 (half duplex) and 全双工
//! (full duplex), over one UDP socket.
//!
//! * **simplex**, like a broadcast or a radio station: one side only sends, the other
//!   (`--listen-only`) only receives.
//! * **half duplex**, like a pager or a walkie-talkie: both sides talk, but strictly in
//!   turns. After sending a line we wait for the peer's answer before we even read the
//!   next line from stdin, so a line typed early waits its turn.
//! * **full duplex**, like a phone: both directions at once. One thread reads stdin and
//!   sends, another receives and prints, so neither waits for the other.
//!
//! The medium is the same in all three (UDP can always send both ways); the mode is a
//! rule the program follows. End of stdin ends the chat: we send an empty datagram
//! (UDP allows 0 bytes) to tell the peer, and the peer prints `(peer ended the chat)`.
//! That is why empty input lines are not sent.

use std::io::{BufRead, Write};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::{Error, MAX_DATAGRAM, Trace, datagram_line, receive_from, send_to};

/// How often the receiving thread of full duplex looks up from `recvfrom` to see whether
/// stdin has ended (a blocking `recvfrom` cannot be interrupted from another thread).
const TICK: Duration = Duration::from_millis(100);

/// Which of the notes' three modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Simplex,
    Half,
    Full,
}

/// How a chat runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatOptions {
    pub mode: Mode,
    /// Simplex only: this side only receives.
    pub listen_only: bool,
    /// Half duplex only: the peer talks first, we start by waiting.
    pub listen_first: bool,
    /// Lines to receive before the chat may end (listen-only: then stop; full duplex:
    /// after stdin ended, wait for this many lines in all).
    pub count: Option<u64>,
    /// How long to wait for the peer's line (`None`: forever).
    pub timeout: Option<Duration>,
    pub encoding: wire_text::TextEncoding,
}

/// What came in during a chat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChatSummary {
    pub sent: u64,
    pub received: u64,
}

/// Runs a chat with `peer` on a bound `socket`: lines from `input` go to the peer, the
/// peer's lines are written to `out` as `from 127.0.0.1:8899: hello`.
pub fn chat(
    socket: &UdpSocket,
    peer: SocketAddr,
    options: &ChatOptions,
    input: &mut dyn BufRead,
    out: &mut (dyn Write + Send),
    trace: Trace,
) -> Result<ChatSummary, Error> {
    match options.mode {
        Mode::Simplex if options.listen_only => listen_only(socket, options, out, trace),
        Mode::Simplex => {
            let never = AtomicBool::new(false);
            let sent = send_lines(socket, peer, options, input, &never, trace)?;
            Ok(ChatSummary { sent, received: 0 })
        }
        Mode::Half => half_duplex(socket, peer, options, input, out, trace),
        Mode::Full => full_duplex(socket, peer, options, input, out, trace),
    }
}

/// One received datagram: a line of text, or the peer's "end of chat" (0 bytes).
enum Incoming {
    Line(String),
    End,
}

fn receive_line(
    socket: &UdpSocket,
    buffer: &mut [u8],
    timeout: Option<Duration>,
    options: &ChatOptions,
    trace: Trace,
) -> Result<Incoming, Error> {
    let (length, from) = receive_from(socket, buffer, timeout, trace)?;
    if length == 0 {
        return Ok(Incoming::End);
    }
    Ok(Incoming::Line(datagram_line(
        from,
        &buffer[..length],
        options.encoding,
    )))
}

/// Reads the next non-empty line of `input` (without its line ending); `None` at the end.
fn next_line(input: &mut dyn BufRead) -> Result<Option<String>, Error> {
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        if input.read_until(b'\n', &mut bytes).map_err(Error::Input)? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&bytes);
        let line = line.trim_end_matches(['\n', '\r']);
        // An empty datagram means "end of chat", so an empty line is not sent.
        if !line.is_empty() {
            return Ok(Some(line.to_string()));
        }
    }
}

fn send_line(
    socket: &UdpSocket,
    peer: SocketAddr,
    line: &str,
    options: &ChatOptions,
    trace: Trace,
) -> Result<(), Error> {
    let payload = options.encoding.encode(line).map_err(Error::Encode)?;
    send_to(socket, &payload, peer, trace)
}

/// Tells the peer we are done: an empty datagram.
fn send_end(socket: &UdpSocket, peer: SocketAddr, trace: Trace) -> Result<(), Error> {
    send_to(socket, &[], peer, trace)
}

fn write_line(out: &mut (dyn Write + Send), line: &str) -> Result<(), Error> {
    writeln!(out, "{line}").map_err(Error::Output)?;
    out.flush().map_err(Error::Output)
}

/// Sends every line of `input`, then the end-of-chat datagram. Returns the lines sent.
/// Once `give_up` is set (full duplex: the receiving half failed, for example because
/// nobody reads our output any more) the next line is not sent: the chat ends there.
/// A read of stdin cannot be interrupted, so that is the soonest we can stop.
fn send_lines(
    socket: &UdpSocket,
    peer: SocketAddr,
    options: &ChatOptions,
    input: &mut dyn BufRead,
    give_up: &AtomicBool,
    trace: Trace,
) -> Result<u64, Error> {
    let mut sent = 0;
    while let Some(line) = next_line(input)? {
        if give_up.load(Ordering::SeqCst) {
            break;
        }
        send_line(socket, peer, &line, options, trace)?;
        sent += 1;
    }
    send_end(socket, peer, trace)?;
    Ok(sent)
}

/// Simplex, receiving side: print lines until `count` lines, or the peer's end.
fn listen_only(
    socket: &UdpSocket,
    options: &ChatOptions,
    out: &mut (dyn Write + Send),
    trace: Trace,
) -> Result<ChatSummary, Error> {
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    let mut received = 0;
    while options.count.is_none_or(|count| received < count) {
        match receive_line(socket, &mut buffer, options.timeout, options, trace)? {
            Incoming::Line(line) => {
                write_line(out, &line)?;
                received += 1;
            }
            Incoming::End => {
                write_line(out, "(peer ended the chat)")?;
                break;
            }
        }
    }
    Ok(ChatSummary { sent: 0, received })
}

/// Whose turn it is in half duplex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    Ours,
    Theirs,
}

/// Half duplex: send a line, then wait for the answer, then read the next line. A line
/// typed while it is the peer's turn stays unread in stdin until the answer came.
fn half_duplex(
    socket: &UdpSocket,
    peer: SocketAddr,
    options: &ChatOptions,
    input: &mut dyn BufRead,
    out: &mut (dyn Write + Send),
    trace: Trace,
) -> Result<ChatSummary, Error> {
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    let mut summary = ChatSummary::default();
    let mut turn = if options.listen_first {
        Turn::Theirs
    } else {
        Turn::Ours
    };
    loop {
        match turn {
            Turn::Ours => {
                let Some(line) = next_line(input)? else {
                    send_end(socket, peer, trace)?;
                    break;
                };
                send_line(socket, peer, &line, options, trace)?;
                summary.sent += 1;
                write_line(
                    out,
                    &format!(
                        "(sent; waiting for {peer} to answer: half duplex, one side talks at a time)"
                    ),
                )?;
                turn = Turn::Theirs;
            }
            Turn::Theirs => {
                let incoming =
                    match receive_line(socket, &mut buffer, options.timeout, options, trace) {
                        Err(Error::Silence { waited }) => {
                            return Err(Error::NoReply { from: peer, waited });
                        }
                        other => other?,
                    };
                match incoming {
                    Incoming::Line(line) => {
                        write_line(out, &line)?;
                        summary.received += 1;
                        turn = Turn::Ours;
                    }
                    Incoming::End => {
                        write_line(out, "(peer ended the chat)")?;
                        break;
                    }
                }
            }
        }
    }
    Ok(summary)
}

/// Full duplex: this thread sends stdin's lines while a second thread receives and
/// prints, at the same time. The chat ends when stdin has ended and (with `count`) that
/// many lines have come in.
fn full_duplex(
    socket: &UdpSocket,
    peer: SocketAddr,
    options: &ChatOptions,
    input: &mut dyn BufRead,
    out: &mut (dyn Write + Send),
    trace: Trace,
) -> Result<ChatSummary, Error> {
    let input_ended = AtomicBool::new(false);
    let sending_failed = AtomicBool::new(false);
    let receiving_failed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let receiver = scope.spawn(|| {
            let received =
                receive_until_done(socket, options, &input_ended, &sending_failed, out, trace);
            receiving_failed.store(received.is_err(), Ordering::SeqCst);
            received
        });
        let sent = send_lines(socket, peer, options, input, &receiving_failed, trace);
        sending_failed.store(sent.is_err(), Ordering::SeqCst);
        input_ended.store(true, Ordering::SeqCst);
        // The receiving thread only returns an error or a count; a panic there is a bug
        // we pass on unchanged.
        let received = match receiver.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        Ok(ChatSummary {
            sent: sent?,
            received: received?,
        })
    })
}

/// The receiving half of full duplex.
fn receive_until_done(
    socket: &UdpSocket,
    options: &ChatOptions,
    input_ended: &AtomicBool,
    sending_failed: &AtomicBool,
    out: &mut (dyn Write + Send),
    trace: Trace,
) -> Result<u64, Error> {
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    let mut received = 0;
    // Time waited since stdin ended, against options.timeout.
    let mut waited_after_input = Duration::ZERO;
    loop {
        let done_receiving = options.count.is_none_or(|count| received >= count);
        let stop = sending_failed.load(Ordering::SeqCst);
        if stop || (input_ended.load(Ordering::SeqCst) && done_receiving) {
            return Ok(received);
        }
        match receive_line(socket, &mut buffer, Some(TICK), options, trace) {
            Ok(Incoming::Line(line)) => {
                write_line(out, &line)?;
                received += 1;
            }
            Ok(Incoming::End) => write_line(out, "(peer ended the chat)")?,
            Err(Error::Silence { .. }) => {
                if input_ended.load(Ordering::SeqCst) {
                    waited_after_input += TICK;
                    if options
                        .timeout
                        .is_some_and(|timeout| waited_after_input >= timeout)
                    {
                        return Err(Error::Silence {
                            waited: waited_after_input,
                        });
                    }
                }
            }
            Err(error) => return Err(error),
        }
    }
}
