//! The clients: `send` (one message, the whole reply), `chat` (full duplex) and `probe`
//! (how many handshakes the server's kernel completes: the backlog experiment).
//!
//! A TCP client has one socket. `connect` does the three-way handshake (SYN, SYN-ACK,
//! ACK); after that both sides may send at any time: the connection is full duplex
//! (全双工). Closing is done per direction: `shutdown(SHUT_WR)` sends our FIN ("I will
//! send no more") while we can still receive, which is how `send` tells the echo server
//! that the message is complete.

use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use say::{Mark, Trace};

use crate::framing::{Received, receive_until_closed, take_line};
use crate::server::Traced;

/// Why a client failed.
#[derive(Debug)]
pub enum ClientError {
    /// The server's machine answered our SYN with a reset: nothing listens on that port.
    Refused { address: SocketAddr },
    /// No SYN-ACK came back in time.
    ConnectTimeout {
        address: SocketAddr,
        timeout: Duration,
    },
    /// `connect` failed for another reason (no route, address not available, ...).
    Connect {
        address: SocketAddr,
        source: io::Error,
    },
    /// Sending failed.
    Send {
        address: SocketAddr,
        source: io::Error,
    },
    /// Receiving failed (other than a timeout or a reset).
    Receive {
        address: SocketAddr,
        source: io::Error,
    },
    /// The server reset the connection.
    Reset { address: SocketAddr },
    /// Nothing arrived for `timeout` while we waited for the server.
    Timeout {
        address: SocketAddr,
        timeout: Duration,
    },
    /// Our own input could not be read.
    Input { source: io::Error },
    /// A line of our input cannot be written in the chosen encoding.
    Encode(wire_text::EncodeError),
    /// Our own output (stdout) could not be written.
    Output { source: io::Error },
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Refused { address } => write!(
                f,
                "connection refused by {address}: nothing is listening on that port"
            ),
            ClientError::ConnectTimeout { address, timeout } => write!(
                f,
                "connecting to {address}: no answer to our SYN within {}s",
                timeout.as_secs_f64()
            ),
            ClientError::Connect { address, source } => {
                write!(f, "connecting to {address}: {}", hostport::describe(source))
            }
            ClientError::Send { address, source } => {
                write!(f, "sending to {address}: {}", hostport::describe(source))
            }
            ClientError::Receive { address, source } => {
                write!(
                    f,
                    "receiving from {address}: {}",
                    hostport::describe(source)
                )
            }
            ClientError::Reset { address } => {
                write!(f, "{address} reset the connection (RST)")
            }
            ClientError::Timeout { address, timeout } => write!(
                f,
                "timed out: nothing from {address} for {}s",
                timeout.as_secs_f64()
            ),
            ClientError::Input { source } => {
                write!(f, "reading our input: {}", hostport::describe(source))
            }
            ClientError::Encode(error) => write!(f, "reading our input: {error}"),
            ClientError::Output { source } => {
                write!(f, "writing the reply: {}", hostport::describe(source))
            }
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Connect { source, .. }
            | ClientError::Send { source, .. }
            | ClientError::Receive { source, .. }
            | ClientError::Input { source }
            | ClientError::Output { source } => Some(source),
            ClientError::Encode(error) => Some(error),
            _ => None,
        }
    }
}

/// What `main` reports besides the message: the hint of exercise 3.1. Every client
/// error is a failure at run time (exit 1), except a closed output pipe (exit 0).
impl say::Explain for ClientError {
    fn hint(&self) -> Option<String> {
        ClientError::hint(self)
    }

    /// Our stdout's reader went away (`tcp-echo send ... | head -c1`): nobody is left
    /// to tell, so the command ends quietly with success.
    fn is_closed_pipe(&self) -> bool {
        matches!(self, ClientError::Output { source } if say::is_closed_pipe(source))
    }
}

impl ClientError {
    /// A hint for the common causes, printed as `hint: ...` under the error.
    pub fn hint(&self) -> Option<String> {
        // exercise 3.1: begin
        match self {
            ClientError::Refused { address } => Some(format!(
                "start a server first (tcp-echo serve), in another terminal: \
                 cargo run -q -p tcp-echo -- serve --bind {address}"
            )),
            ClientError::ConnectTimeout { .. } => Some(
                "the SYN got no answer: is the address right, does a firewall drop it, or is \
                 the server's backlog full (lesson 3, step 7)?"
                    .to_string(),
            ),
            ClientError::Timeout { .. } => Some(
                "the server accepted us but sent nothing back in time: raise --timeout, or \
                 check that it echoes"
                    .to_string(),
            ),
            _ => None,
        }
        // exercise 3.1: end
    }

    /// Reads a receive error: a timeout and a reset get their own variants.
    fn from_receive(address: SocketAddr, timeout: Duration, source: io::Error) -> ClientError {
        match source.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                ClientError::Timeout { address, timeout }
            }
            io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
                ClientError::Reset { address }
            }
            _ => ClientError::Receive { address, source },
        }
    }

    fn from_send(address: SocketAddr, source: io::Error) -> ClientError {
        match source.kind() {
            io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => {
                ClientError::Reset { address }
            }
            _ => ClientError::Send { address, source },
        }
    }
}

/// `connect(address)`: the three-way handshake, waiting at most `timeout` for it.
pub fn connect(
    address: SocketAddr,
    timeout: Duration,
    trace: Trace,
) -> Result<TcpStream, ClientError> {
    let family = if address.is_ipv4() {
        "AF_INET"
    } else {
        "AF_INET6"
    };
    trace.call(format_args!("socket({family}, SOCK_STREAM)"));
    let stream = TcpStream::connect_timeout(&address, timeout).map_err(|source| {
        trace.call(format_args!(
            "connect({address}) -> error: {}",
            hostport::describe(&source)
        ));
        trace.note(
            address,
            format_args!("connect() failed: {}", hostport::describe(&source)),
        );
        match source.kind() {
            io::ErrorKind::ConnectionRefused => ClientError::Refused { address },
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                ClientError::ConnectTimeout { address, timeout }
            }
            _ => ClientError::Connect { address, source },
        }
    })?;
    if trace.is_on() {
        // The OS picked our port here: a client does not need bind().
        match stream.local_addr() {
            Ok(local) => {
                trace.call(format_args!("connect({address}) -> connected from {local}"));
                // The ladder: the program sees one call; the segments are the kernel's.
                trace.packet(local, address, format_args!("connect()"), Mark::Plain);
                trace.note(local, format_args!("three-way handshake (by the kernel)"));
            }
            Err(_) => trace.call(format_args!("connect({address}) -> connected")),
        }
    }
    Ok(stream)
}

/// Settings of a client.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    /// Longest wait for the handshake and for each piece of the reply.
    pub timeout: Duration,
    /// Print every socket call on stderr.
    pub trace: Trace,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(5),
            trace: Trace::OFF,
        }
    }
}

/// What one [`send`] exchange did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    /// Our end of the connection (the port the OS picked).
    pub local: SocketAddr,
    /// Bytes we sent.
    pub sent: u64,
    /// What came back.
    pub received: Received,
}

/// Connects, sends everything `message` yields, shuts down our sending side, and copies
/// the reply into `reply` until the server closes.
///
/// Sending and receiving run at the same time, on two threads: an echo server sends
/// back while we are still sending, and a big message would otherwise fill both
/// directions' buffers and stop both programs for good (each waits for the other to
/// read). That is why a 10 MiB message needs the second thread and a 10-byte one seems
/// not to.
pub fn send(
    address: SocketAddr,
    message: &mut (dyn Read + Send),
    reply: &mut dyn Write,
    options: ClientOptions,
) -> Result<Exchange, ClientError> {
    let stream = connect(address, options.timeout, options.trace)?;
    let local = stream
        .local_addr()
        .map_err(|source| ClientError::Connect { address, source })?;
    // Every wait for the server is bounded: a receive or a send that makes no progress
    // for `timeout` fails instead of hanging.
    let set_timeouts = stream
        .set_read_timeout(Some(options.timeout))
        .and_then(|()| stream.set_write_timeout(Some(options.timeout)));
    set_timeouts.map_err(|source| ClientError::Connect { address, source })?;
    let sending_stream = stream
        .try_clone()
        .map_err(|source| ClientError::Connect { address, source })?;

    thread::scope(|scope| {
        let sender = scope.spawn(move || -> Result<u64, ClientError> {
            let mut out = Traced::new(&sending_stream, address, options.trace).with_local(local);
            let mut chunk = vec![0u8; crate::framing::RECV_SIZE];
            let mut sent = 0u64;
            loop {
                let count = match message.read(&mut chunk) {
                    Ok(0) => break,
                    Ok(count) => count,
                    Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                    Err(error) => {
                        let _ = sending_stream.shutdown(Shutdown::Both);
                        return Err(ClientError::Input { source: error });
                    }
                };
                if let Err(error) = out.write_all(&chunk[..count]) {
                    let _ = sending_stream.shutdown(Shutdown::Both);
                    return Err(ClientError::from_send(address, error));
                }
                sent += count as u64;
            }
            options.trace.call(format_args!(
                "shutdown(SHUT_WR): FIN to {address}, we still receive"
            ));
            options.trace.packet(
                local,
                address,
                format_args!("shutdown(Write): FIN"),
                Mark::Plain,
            );
            // Our FIN: "that was all". The server's echo loop sees recv return 0.
            sending_stream
                .shutdown(Shutdown::Write)
                .map_err(|error| ClientError::from_send(address, error))?;
            Ok(sent)
        });

        let mut incoming = Traced::new(&stream, address, options.trace).with_local(local);
        let mut reply = ReplySink {
            inner: reply,
            failed: false,
        };
        let received = receive_until_closed(&mut incoming, &mut reply);
        if received.is_err() {
            // Unblock the sender if it is stuck in a send the server will never drain.
            let _ = stream.shutdown(Shutdown::Both);
        }
        let sent = sender
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        let received = received.map_err(|error| {
            if reply.failed {
                // Our own output failed (`send --raw ... | head -c1`), not the connection.
                ClientError::Output { source: error }
            } else {
                ClientError::from_receive(address, options.timeout, error)
            }
        })?;
        // Both directions are closed now; dropping the socket on return is `close()`.
        options.trace.call(format_args!("close({address})"));
        options.trace.note(local, format_args!("close()"));
        Ok(Exchange {
            local,
            sent: sent?,
            received,
        })
    })
}

/// Where [`send`] copies the reply, remembering whether a write failed: the copying
/// loop returns one `io::Error` for both the socket and the output, and a failed write
/// of ours (a closed stdout) must not be reported as the connection's failure.
struct ReplySink<'a> {
    inner: &'a mut dyn Write,
    failed: bool,
}

impl Write for ReplySink<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(bytes);
        // An interrupted write is tried again by `write_all`: not a failure yet.
        self.failed |= matches!(&written, Err(error) if error.kind() != io::ErrorKind::Interrupted);
        written
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.inner.flush();
        self.failed |= matches!(&flushed, Err(error) if error.kind() != io::ErrorKind::Interrupted);
        flushed
    }
}

/// What a [`chat`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatSummary {
    pub lines_sent: u64,
    pub lines_received: u64,
}

/// Full duplex chat: each line of `input` goes to the server (encoded with `encoding`)
/// while every line the server sends is printed to `output` as soon as it is complete
/// (two threads, one per direction). The end of `input` half-closes the connection
/// (`shutdown(SHUT_WR)`); `chat` returns when the server closes its side, or fails if the
/// server is silent for `options.timeout` after our input ended.
pub fn chat<R: BufRead + Send + 'static>(
    stream: TcpStream,
    mut input: R,
    output: &mut dyn Write,
    encoding: wire_text::TextEncoding,
    options: ClientOptions,
) -> Result<ChatSummary, ClientError> {
    let address = stream.peer_addr().map_err(|source| ClientError::Connect {
        address: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })?;
    let sending_stream = stream
        .try_clone()
        .map_err(|source| ClientError::Connect { address, source })?;
    let input_ended = Arc::new(AtomicBool::new(false));
    let sender_input_ended = Arc::clone(&input_ended);
    // Not a scoped thread: when the server closes first, this thread may be blocked
    // reading the terminal, and we must not wait for it. It ends with the process.
    let sender = thread::spawn(move || -> Result<u64, ClientError> {
        let mut out = Traced::new(&sending_stream, address, options.trace);
        let mut line = String::new();
        let mut lines = 0;
        let result = loop {
            line.clear();
            match input.read_line(&mut line) {
                Ok(0) => break Ok(lines),
                Ok(_) => {}
                Err(error) => {
                    break Err(ClientError::Input { source: error });
                }
            }
            let bytes = match encoding.encode(&line) {
                Ok(bytes) => bytes,
                Err(error) => {
                    break Err(ClientError::Encode(error));
                }
            };
            if let Err(error) = out.write_all(&bytes) {
                break Err(ClientError::from_send(address, error));
            }
            lines += 1;
        };
        match &result {
            Ok(_) => {
                options.trace.call(format_args!(
                    "shutdown(SHUT_WR): FIN to {address}, we still receive"
                ));
                let _ = sending_stream.shutdown(Shutdown::Write);
            }
            Err(_) => {
                let _ = sending_stream.shutdown(Shutdown::Both);
            }
        }
        sender_input_ended.store(true, Ordering::SeqCst);
        result
    });

    // Receive in short slices, so that once our input has ended we can give up on a
    // server that never closes (the timeout starts when we half-close).
    let slice = Duration::from_millis(200).min(options.timeout);
    stream
        .set_read_timeout(Some(slice))
        .map_err(|source| ClientError::Receive { address, source })?;
    let mut incoming = Traced::new(&stream, address, options.trace);
    let mut pending = Vec::new();
    let mut chunk = vec![0u8; crate::framing::RECV_SIZE];
    let mut lines_received = 0;
    let mut silent_since: Option<Instant> = None;
    let print = |line: &[u8], output: &mut dyn Write| -> Result<(), ClientError> {
        let decoded = encoding.decode(line);
        writeln!(output, "{}", decoded.text)
            .and_then(|()| output.flush())
            .map_err(|source| ClientError::Output { source })
    };
    loop {
        match incoming.read(&mut chunk) {
            Ok(0) => break,
            Ok(count) => {
                silent_since = None;
                pending.extend_from_slice(&chunk[..count]);
                while let Some(line) = take_line(&mut pending) {
                    print(&line, output)?;
                    lines_received += 1;
                }
            }
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if input_ended.load(Ordering::SeqCst) {
                    let since = *silent_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= options.timeout {
                        let _ = stream.shutdown(Shutdown::Both);
                        return Err(ClientError::Timeout {
                            address,
                            timeout: options.timeout,
                        });
                    }
                }
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => {
                return Err(ClientError::from_receive(address, options.timeout, error));
            }
        }
    }
    if !pending.is_empty() {
        // The server closed in the middle of a line: show what there is.
        print(&pending, output)?;
        lines_received += 1;
    }
    let lines_sent = if sender.is_finished() {
        sender
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?
    } else {
        0
    };
    Ok(ChatSummary {
        lines_sent,
        lines_received,
    })
}

/// How one connection attempt of [`probe`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The handshake completed; our end is `local`.
    Completed { local: SocketAddr },
    /// No SYN-ACK within the timeout: the server's kernel dropped our SYN.
    TimedOut,
    /// The server answered with a reset.
    Refused,
}

/// What [`probe`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSummary {
    pub attempts: Vec<Attempt>,
}

impl ProbeSummary {
    /// How many handshakes completed.
    pub fn completed(&self) -> usize {
        self.attempts
            .iter()
            .filter(|attempt| matches!(attempt, Attempt::Completed { .. }))
            .count()
    }
}

/// Opens `connections` connections to `address`, one after another, keeping each open,
/// and reports for each whether the handshake completed within `timeout`; `report` gets
/// one line per attempt as it happens.
///
/// Against a server that never calls `accept` this measures its accept queue: the
/// kernel completes handshakes until the queue is full (on Linux, `min(backlog,
/// somaxconn) + 1` connections), then silently drops further SYNs, so those connects
/// time out instead of being refused.
pub fn probe(
    address: SocketAddr,
    connections: usize,
    timeout: Duration,
    report: &mut dyn FnMut(&str),
) -> Result<ProbeSummary, ClientError> {
    let mut open = Vec::new();
    let mut attempts = Vec::new();
    for number in 1..=connections {
        let attempt = match connect(address, timeout, Trace::OFF) {
            Ok(stream) => {
                let local = stream
                    .local_addr()
                    .map_err(|source| ClientError::Connect { address, source })?;
                open.push(stream); // kept open: it occupies a place in the queue
                report(&format!(
                    "connection {number}: handshake completed (from {local})"
                ));
                Attempt::Completed { local }
            }
            Err(ClientError::ConnectTimeout { .. }) => {
                report(&format!(
                    "connection {number}: no SYN-ACK within {}s: the server dropped our SYN",
                    timeout.as_secs_f64()
                ));
                Attempt::TimedOut
            }
            Err(ClientError::Refused { .. }) if attempts.is_empty() => {
                return Err(ClientError::Refused { address });
            }
            Err(ClientError::Refused { .. }) => {
                report(&format!("connection {number}: refused (RST)"));
                Attempt::Refused
            }
            Err(other) => return Err(other),
        };
        attempts.push(attempt);
    }
    Ok(ProbeSummary { attempts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_read_as_seconds_in_errors() {
        let address: SocketAddr = "127.0.0.1:8899".parse().unwrap();
        let one = ClientError::ConnectTimeout {
            address,
            timeout: Duration::from_secs(1),
        };
        assert!(one.to_string().ends_with("within 1s"), "{one}");
        let half = ClientError::Timeout {
            address,
            timeout: Duration::from_millis(500),
        };
        assert!(half.to_string().ends_with("for 0.5s"), "{half}");
    }
}
