//! The echo server: a listening socket, `accept`, and one thread per client.
//!
//! A TCP server owns two kinds of sockets, which the notes call `severSocket` and
//! `clientSocket`:
//!
//! * the **listening socket** ([`listen`]): bound to the server's port, it never carries
//!   data. The kernel answers every SYN sent to it, completes the three-way handshake on
//!   its own, and parks each finished connection in the *accept queue*, whose length is
//!   the `backlog` given to `listen`;
//! * one **connected socket** per client, which `accept` takes out of that queue and
//!   returns together with the client's address (`clientSocket, clientInfo =
//!   severSocket.accept()`). All `recv`/`send` happen on it.
//!
//! [`serve`] accepts clients in a loop and hands each connected socket to its own thread,
//! which runs [`echo_loop`] until the client closes its sending side. A client that
//! resets its connection only ends its own thread; the server goes on.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use say::{Mark, Trace};
use socket2::{Domain, Protocol, Socket, Type};

use crate::framing::RECV_SIZE;

/// Where the server's log lines go (`accepted ...`, `closed ...`): stdout in the binary,
/// a `Vec` in tests and the tour. Called from several threads at once.
pub type Log = Arc<dyn Fn(&str) + Send + Sync>;

/// Why the server could not start or go on.
#[derive(Debug)]
pub enum ServerError {
    /// `socket()` itself failed (out of file descriptors, no IPv6 in this kernel, ...).
    Socket { source: io::Error },
    /// `bind(address)` failed: the port is taken, privileged, or not ours.
    Bind {
        address: SocketAddr,
        source: io::Error,
    },
    /// `listen(backlog)` failed.
    Listen { backlog: i32, source: io::Error },
    /// `accept()` failed in a way that will not go away by trying again.
    Accept { source: io::Error },
    /// Writing the server's own output (its readiness line, its log) failed.
    Output { source: io::Error },
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Socket { source } => {
                write!(f, "creating a TCP socket: {}", hostport::describe(source))
            }
            ServerError::Bind { address, source } => {
                write!(f, "binding tcp {address}: {}", hostport::describe(source))
            }
            ServerError::Listen { backlog, source } => {
                write!(f, "listen({backlog}): {}", hostport::describe(source))
            }
            ServerError::Accept { source } => {
                write!(f, "accepting a client: {}", hostport::describe(source))
            }
            ServerError::Output { source } => {
                write!(
                    f,
                    "writing the server's log: {}",
                    hostport::describe(source)
                )
            }
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Socket { source }
            | ServerError::Bind { source, .. }
            | ServerError::Listen { source, .. }
            | ServerError::Accept { source }
            | ServerError::Output { source } => Some(source),
        }
    }
}

/// What `main` reports besides the message: a hint when the port cannot be bound (in
/// use, privileged, not ours). Every server error is a failure at run time (exit 1),
/// except a closed output pipe (exit 0).
impl say::Explain for ServerError {
    fn hint(&self) -> Option<String> {
        match self {
            ServerError::Bind { address, source } => {
                hostport::explain_bind_error(source, *address, "tcp").hint
            }
            _ => None,
        }
    }

    /// The log's reader went away (`tcp-echo serve | head -2`): the server stopped, and
    /// there is nobody left to tell, so it ends quietly with success.
    fn is_closed_pipe(&self) -> bool {
        matches!(self, ServerError::Output { source } if say::is_closed_pipe(source))
    }
}

/// Creates the listening socket: `socket(AF_INET, SOCK_STREAM)`, `bind(address)`,
/// `listen(backlog)`, the three calls of the notes' server, through socket2 because the
/// standard library's `TcpListener::bind` always uses a backlog of 128 and we want to
/// choose it.
///
/// `backlog` is the length of the queue of connections **the kernel has completed and
/// the program has not accepted yet**, not a limit on clients: a server with `listen(5)`
/// can serve thousands of clients as long as it keeps calling `accept`. Linux caps it at
/// `net.core.somaxconn` and lets one more connection in than the number says (the queue
/// counts as full only when it holds *more* than `backlog`).
pub fn listen(address: SocketAddr, backlog: i32, trace: Trace) -> Result<TcpListener, ServerError> {
    let family = if address.is_ipv4() {
        "AF_INET"
    } else {
        "AF_INET6"
    };
    trace.call(format_args!("socket({family}, SOCK_STREAM)"));
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )
    .map_err(|source| ServerError::Socket { source })?;
    // SO_REUSEADDR lets a restarted server bind its port again while connections of the
    // previous run still sit in TIME_WAIT (the standard library sets it too).
    socket
        .set_reuse_address(true)
        .map_err(|source| ServerError::Socket { source })?;
    trace.call(format_args!("bind({address})"));
    socket
        .bind(&address.into())
        .map_err(|source| ServerError::Bind { address, source })?;
    trace.call(format_args!("listen({backlog})"));
    socket
        .listen(backlog)
        .map_err(|source| ServerError::Listen { backlog, source })?;
    Ok(socket.into())
}

/// A way to ask a running [`serve`] to stop, from another thread (tests, the tour): a
/// flag the accept loop looks at every [`STOP_CHECK`], as tftp's server does. Clones
/// share the same flag.
#[derive(Clone, Default)]
pub struct Stop {
    requested: Arc<AtomicBool>,
}

impl Stop {
    /// A new, not yet requested stop.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Asks the server to stop accepting. It finishes the clients it is serving, then
    /// [`serve`] returns.
    pub fn request(&self) {
        self.requested.store(true, Ordering::SeqCst);
    }

    /// True once [`Stop::request`] was called.
    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

/// The longest the accept loop waits for a client before it looks at [`Stop`] and
/// `--exit-after` again: a stop is noticed within this time.
pub const STOP_CHECK: Duration = Duration::from_millis(100);

/// Waits at most `timeout` until the listening socket has a finished handshake in its
/// accept queue (`poll` for POLLIN). True when `accept` has something to take.
fn wait_for_client(listener: &TcpListener, timeout: Duration) -> io::Result<bool> {
    let timeout = Timespec::try_from(timeout)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "timeout too long for poll"))?;
    let mut ready = [PollFd::new(listener, PollFlags::IN)];
    match poll(&mut ready, Some(&timeout)) {
        Ok(count) => Ok(count > 0),
        Err(error) => Err(io::Error::from(error)),
    }
}

/// How [`serve`] behaves; `ServeOptions::default()` serves every client forever.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Serve this many clients, then stop accepting and return once they are done
    /// (`--once` is `Some(1)`: the notes' program).
    pub count: Option<usize>,
    /// Close, at once, connections that arrive while this many clients are being served.
    pub max_clients: Option<usize>,
    /// Drop a client that sends nothing (or takes nothing back) for this long.
    pub idle_timeout: Option<Duration>,
    /// Never call `accept`: clients pile up in the backlog (the backlog experiment).
    pub no_accept: bool,
    /// Stop by itself this long after starting, clients or not (for scripts).
    pub exit_after: Option<Duration>,
    /// Print every socket call on stderr.
    pub trace: Trace,
}

/// What a finished [`serve`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServeSummary {
    /// Clients accepted and served.
    pub served: usize,
    /// Connections closed at once because of `max_clients`.
    pub refused: usize,
}

/// A stream that prints each `recv`/`send` on stderr when tracing is on, and with
/// `--ladder` draws each as an arrow between our end and the peer: the same bytes pass
/// through unchanged.
pub struct Traced<S> {
    inner: S,
    peer: SocketAddr,
    /// Our end of the connection, for the ladder's arrows (none drawn without it).
    local: Option<SocketAddr>,
    trace: Trace,
}

impl<S> Traced<S> {
    /// Wraps `inner`, the connected socket for `peer`.
    pub fn new(inner: S, peer: SocketAddr, trace: Trace) -> Traced<S> {
        Traced {
            inner,
            peer,
            local: None,
            trace,
        }
    }

    /// The same stream, drawing its `recv`/`send` calls on the ladder as arrows between
    /// `local` (our end) and the peer.
    pub fn with_local(self, local: SocketAddr) -> Traced<S> {
        Traced {
            local: Some(local),
            ..self
        }
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: Read> Read for Traced<S> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let result = self.inner.read(buffer);
        if self.trace.is_on() {
            let peer = self.peer;
            match &result {
                Ok(0) => self.trace.call(format_args!(
                    "recv -> 0 bytes from {peer}: it closed its sending side (FIN)"
                )),
                Ok(count) => self
                    .trace
                    .call(format_args!("recv -> {count} bytes from {peer}")),
                Err(error) => self.trace.call(format_args!(
                    "recv from {peer} -> error: {}",
                    hostport::describe(error)
                )),
            }
            if let Some(local) = self.local {
                // The ladder: what came in is an arrow from the peer to us.
                match &result {
                    Ok(0) => self.trace.packet(
                        peer,
                        local,
                        format_args!("FIN (recv returned 0)"),
                        Mark::Plain,
                    ),
                    Ok(count) => self.trace.packet(
                        peer,
                        local,
                        format_args!(
                            "recv {count} bytes {}",
                            preview(buffer.get(..*count).unwrap_or(buffer))
                        ),
                        Mark::Plain,
                    ),
                    Err(error) => self.trace.note(
                        local,
                        format_args!("recv failed: {}", hostport::describe(error)),
                    ),
                }
            }
        }
        result
    }
}

/// The first few characters of what a `send` or `recv` carried, quoted, with a newline
/// shown as `\n` and `...` when there was more: enough to recognise the bytes on a
/// ladder's arrow.
fn preview(bytes: &[u8]) -> String {
    const SHOWN: usize = 8;
    // A character is at most 4 bytes: this is enough to tell whether there are more.
    let start = bytes.get(..4 * SHOWN + 4).unwrap_or(bytes);
    let text = String::from_utf8_lossy(start);
    let mut shown = String::from("\"");
    for (index, character) in text.chars().enumerate() {
        if index == SHOWN {
            shown.push_str("...");
            break;
        }
        shown.extend(character.escape_debug());
    }
    shown.push('"');
    shown
}

impl<S: Write> Write for Traced<S> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let (peer, length) = (self.peer, bytes.len());
        let ladder = self.local.filter(|_| self.trace.is_ladder());
        if let Some(local) = ladder {
            // The arrow goes on the ladder before the call: once the bytes are out, the
            // echo may come back (and be drawn by the receiving thread) at any moment.
            self.trace.packet(
                local,
                peer,
                format_args!("send {length} bytes {}", preview(bytes)),
                Mark::Plain,
            );
        }
        let result = self.inner.write(bytes);
        if self.trace.is_on() {
            match &result {
                Ok(count) => self
                    .trace
                    .call(format_args!("send({peer}, {length} bytes) -> {count}")),
                Err(error) => self.trace.call(format_args!(
                    "send({peer}, {length} bytes) -> error: {}",
                    hostport::describe(error)
                )),
            }
        }
        if let Some(local) = ladder {
            match &result {
                Ok(count) if *count < length => self.trace.note(
                    local,
                    format_args!("send took {count} of the {length} bytes"),
                ),
                Ok(_) => {}
                Err(error) => self.trace.note(
                    local,
                    format_args!("send failed: {}", hostport::describe(error)),
                ),
            }
        }
        result
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The heart of the server: sends back every byte the client sends, until the client
/// closes its sending side.
///
/// Each `recv` (here `read`) returns *some* bytes, however many have arrived (never more
/// than `buffer` holds); 0 bytes means the client's FIN arrived: it will send no more,
/// and the loop returns `Ok`. Each `send` (here `write`) may also take only *part* of
/// what it is given (a full send buffer with a timeout, a signal): the rest must be sent
/// again, or the client gets a hole in its data. Every byte sent back is added to
/// `echoed`, so the caller can report how far it got even when the loop fails.
/// `Interrupted` is retried; other errors (a reset, a timeout) are returned.
pub fn echo_loop<S: Read + Write>(
    stream: &mut S,
    buffer: &mut [u8],
    echoed: &mut u64,
) -> io::Result<()> {
    // exercise 3.4: begin
    loop {
        let received = match stream.read(buffer) {
            Ok(0) => return Ok(()),
            Ok(count) => count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let mut sent = 0;
        while sent < received {
            match stream.write(&buffer[sent..received]) {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the connection took no more bytes",
                    ));
                }
                Ok(count) => {
                    sent += count;
                    *echoed += count as u64;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(error),
            }
        }
    }
    // exercise 3.4: end
}

/// Serves one client on its own thread: the echo loop, then the log line saying how it
/// ended. `active` counts clients being served; it goes down before the last log line,
/// so whoever reads `closed ...` knows the slot is free again.
fn serve_client(
    stream: TcpStream,
    peer: SocketAddr,
    options: &ServeOptions,
    active: &AtomicUsize,
    log: &Log,
) {
    if let Some(idle) = options.idle_timeout {
        // A receive (and a send) that waits longer than this fails with WouldBlock:
        // that is how a silent client is noticed.
        let _ = stream.set_read_timeout(Some(idle));
        let _ = stream.set_write_timeout(Some(idle));
    }
    let mut traced = Traced::new(stream, peer, options.trace);
    // With --ladder, one column per client: the handshake the kernel finished before
    // `accept`, then each call on this connection (our end is the listening port).
    let local = options
        .trace
        .is_ladder()
        .then(|| traced.get_ref().local_addr().ok())
        .flatten();
    if let Some(local) = local {
        traced = traced.with_local(local);
        let trace = options.trace;
        trace.packet(peer, local, format_args!("accept()"), Mark::Plain);
        trace.note(local, format_args!("three-way handshake (by the kernel)"));
    }
    let mut buffer = vec![0u8; RECV_SIZE];
    let mut echoed = 0u64;
    let result = echo_loop(&mut traced, &mut buffer, &mut echoed);
    if result.is_err() {
        // Our FIN cannot help a broken connection; make sure the socket is really shut.
        let _ = traced.get_ref().shutdown(Shutdown::Both);
    }
    options.trace.call(format_args!("close({peer})"));
    if let Some(local) = local {
        // After a clean end our close sends the FIN; after a failure it only frees the socket.
        match result {
            Ok(()) => options
                .trace
                .packet(local, peer, format_args!("close(): FIN"), Mark::Plain),
            Err(_) => options.trace.note(local, format_args!("close()")),
        }
    }
    // Dropping the connected socket is `clientSocket.close()`: after a clean end of the
    // client's data, our FIN tells it that everything has been sent back.
    drop(traced);
    active.fetch_sub(1, Ordering::SeqCst);
    let line = match result {
        Ok(()) => format!("closed {peer} ({echoed} bytes echoed)"),
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            let idle = options
                .idle_timeout
                .map(|idle| format!("{}s", idle.as_secs_f64()))
                .unwrap_or_default();
            format!("dropped {peer}: silent for {idle} ({echoed} bytes echoed)")
        }
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::ConnectionAborted
            ) =>
        {
            format!(
                "reset {peer}: {} ({echoed} bytes echoed)",
                hostport::describe(&error)
            )
        }
        Err(error) => format!(
            "failed {peer}: {} ({echoed} bytes echoed)",
            hostport::describe(&error)
        ),
    };
    log(&line);
}

/// True for `accept` errors that concern one connection, not the listening socket: the
/// loop just goes on.
fn accept_error_is_transient(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// How long the accept loop waits after running out of descriptors or memory before it
/// calls `accept` again: long enough not to spin, short enough that nobody notices.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Runs the echo server on an already listening socket until `options` or `stop` say to
/// end, then waits for the clients it is serving and returns.
///
/// Each accepted client gets a thread of its own (simple, and fast enough for hundreds
/// of clients; thousands call for non-blocking sockets and an event loop, the next step
/// after this lesson). The log gets one line per event: `accepted PEER`, `closed PEER (N
/// bytes echoed)`, `dropped PEER: silent for ...`, `reset PEER: ...`, `refused PEER: ...`.
///
/// Running out of file descriptors or memory (`accept` failing with EMFILE, ENFILE,
/// ENOBUFS, ENOMEM) does not end the server: it logs `accept() failed: ...` once, tries
/// again every [`ACCEPT_BACKOFF`] until a client leaves, then logs `accept() works again`.
pub fn serve(
    listener: TcpListener,
    options: &ServeOptions,
    stop: &Stop,
    log: Log,
) -> Result<ServeSummary, ServerError> {
    // `--exit-after` is a deadline the loop checks along with the stop flag. (A time too
    // far away to add to the clock is no deadline at all.)
    let deadline = options
        .exit_after
        .and_then(|after| Instant::now().checked_add(after));
    let must_stop = || stop.is_requested() || deadline.is_some_and(|end| Instant::now() >= end);
    let mut summary = ServeSummary::default();
    if options.no_accept {
        log("not calling accept(): finished handshakes wait in the backlog queue");
        while !must_stop() {
            thread::sleep(STOP_CHECK);
        }
        return Ok(summary);
    }
    // `accept` on a blocking socket waits for a client with no time limit, so a stop
    // request could wait forever. Instead we wait in `poll` for at most STOP_CHECK, and
    // the socket is non-blocking so that `accept` never waits once `poll` said ready (a
    // client may have reset its connection in between).
    listener
        .set_nonblocking(true)
        .map_err(|source| ServerError::Accept { source })?;

    let options = Arc::new(options.clone());
    let active = Arc::new(AtomicUsize::new(0));
    let mut clients: Vec<JoinHandle<()>> = Vec::new();
    // True while `accept` keeps failing for lack of resources: one log line per episode,
    // not ten a second.
    let mut starved = false;
    loop {
        if must_stop() || options.count.is_some_and(|count| summary.served >= count) {
            break;
        }
        match wait_for_client(&listener, STOP_CHECK) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(ServerError::Accept { source: error }),
        }
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(error) if accept_error_is_transient(&error) => continue,
            // Short of descriptors, buffers or memory (see `say::is_out_of_resources`): the
            // machine, not the listening socket. The finished handshake stays in the
            // accept queue, so once a client closes and frees a descriptor, the next
            // `accept` takes it: the server waits a little and goes on.
            Err(error) if say::is_out_of_resources(&error) => {
                if !starved {
                    starved = true;
                    log(&format!(
                        "accept() failed: {}; retrying every {} ms until a client leaves",
                        hostport::describe(&error),
                        ACCEPT_BACKOFF.as_millis()
                    ));
                }
                // A stop request waits at most this long too.
                thread::sleep(ACCEPT_BACKOFF);
                continue;
            }
            Err(error) => return Err(ServerError::Accept { source: error }),
        };
        if starved {
            starved = false;
            log("accept() works again");
        }
        // The connected socket inherits non-blocking mode from the listening socket on
        // some systems (the BSDs, macOS, Windows): its thread wants blocking reads.
        // Linux never passes it on (`accept` would need SOCK_NONBLOCK), so the call is
        // skipped there: one system call less per client.
        let made_blocking = if cfg!(any(target_os = "linux", target_os = "android")) {
            Ok(())
        } else {
            stream.set_nonblocking(false)
        };
        if let Err(error) = made_blocking {
            log(&format!(
                "failed {peer}: cannot make the socket blocking: {}",
                hostport::describe(&error)
            ));
            continue;
        }
        options
            .trace
            .call(format_args!("accept() -> a new socket for {peer}"));
        let full = options
            .max_clients
            .filter(|&max| active.load(Ordering::SeqCst) >= max);
        if let Some(max) = full {
            drop(stream);
            summary.refused += 1;
            log(&format!(
                "refused {peer}: already serving {max} clients (--max-clients {max})"
            ));
            continue;
        }
        active.fetch_add(1, Ordering::SeqCst);
        summary.served += 1;
        log(&format!("accepted {peer}"));
        let (thread_options, thread_active, thread_log) =
            (Arc::clone(&options), Arc::clone(&active), Arc::clone(&log));
        // `Builder::spawn` reports a failure where `thread::spawn` would panic. The thread
        // gets no name: Linux keeps 15 bytes of it ("client 127.0.0."), which tell no
        // client from another, and setting it costs a system call per client.
        let spawned = thread::Builder::new().spawn(move || {
            serve_client(stream, peer, &thread_options, &thread_active, &thread_log)
        });
        match spawned {
            Ok(handle) => clients.push(handle),
            Err(error) => {
                // The closure (and the stream in it) is dropped: the client sees a close.
                active.fetch_sub(1, Ordering::SeqCst);
                log(&format!(
                    "failed {peer}: cannot start a thread: {}",
                    hostport::describe(&error)
                ));
            }
        }
        // Forget the threads that have finished, so a long-running server does not keep
        // one handle per client it ever had.
        clients.retain(|handle| !handle.is_finished());
    }
    drop(listener);
    for client in clients {
        let _ = client.join();
    }
    Ok(summary)
}

#[cfg(test)]
#[path = "exercise_tests/server.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_with_port_zero_gets_a_real_port() {
        let listener = listen("127.0.0.1:0".parse().unwrap(), 5, Trace::OFF).unwrap();
        assert_ne!(listener.local_addr().unwrap().port(), 0);
    }

    #[test]
    fn preview_quotes_escapes_and_cuts_long_text() {
        assert_eq!(preview(b"hello"), "\"hello\"");
        assert_eq!(preview(b"a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(preview(b"hello world"), "\"hello wo...\"");
        assert_eq!(preview("你好".as_bytes()), "\"你好\"");
        assert_eq!(preview(&[0xff, b'x']), "\"\u{fffd}x\"");
        assert_eq!(preview(&[b'z'; 100_000]), "\"zzzzzzzz...\"");
    }

    #[test]
    fn stop_request_ends_serve() {
        let listener = listen("127.0.0.1:0".parse().unwrap(), 5, Trace::OFF).unwrap();
        let stop = Stop::new();
        let log: Log = Arc::new(|_| {});
        let server = {
            let stop = stop.clone();
            thread::spawn(move || serve(listener, &ServeOptions::default(), &stop, log))
        };
        stop.request();
        let summary = server.join().unwrap().unwrap();
        assert_eq!(summary.served, 0);
    }
}
