//! The TFTP server: one listening socket for requests, one new socket per transfer.
//!
//! A request (RRQ or WRQ) arrives on the well-known port (69, or the port you chose).
//! The server answers from a *new* socket whose port the OS picks: that port is the
//! server's transfer ID, and the client's port is the client's. The listening socket is
//! free again at once, so many transfers run side by side, each in its own thread.
//!
//! What this server does that common ones do not: it never leaves its root, even while
//! someone swaps directories for symlinks under it ([`crate::root`]), answers strangers
//! with ERROR 5, never sends on a duplicate ACK, honours `windowsize` and sizes its
//! buffers for it, and writes uploads to a temporary file that gets the final name only
//! when the whole file has arrived.
//!
//! A server on the network must also survive clients that ask for too much. Every
//! resource has a limit here: transfers at once (`max_at_once`) and per client address
//! (`max_per_client`), answered beyond it with ERROR 0 "busy, try again"; a transfer's
//! whole life (`max_transfer_time`); the `timeout` a client may ask for (`max_timeout`);
//! the bytes of an upload (`max_upload`, counted as they arrive). When the server is
//! full, a transfer that has moved nothing yet (its peer never acknowledged a block nor
//! sent one: a request sent and forgotten, or sent from a forged address) gives its
//! place to the new request. Running out of file descriptors or memory is a moment to
//! wait, not a reason to stop serving.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::arrows;
use crate::channel::{self, Watch};
use crate::packet::{ErrorCode, ErrorPacket, Packet, Request};
use crate::request::{self, BUSY, Shared};
use crate::root::Root;
use say::{Mark, Trace, is_out_of_resources};

pub use crate::config::{
    DEFAULT_MAX_AT_ONCE, DEFAULT_MAX_PER_CLIENT, DEFAULT_MAX_TIMEOUT_SECS,
    DEFAULT_MAX_TRANSFER_SECS, Logger, ServerConfig,
};
pub use crate::transfer_log::TransferLog;

/// Why the server could not run at all (a single transfer's failure is only logged).
#[derive(Debug)]
pub enum ServerError {
    /// The `--root` directory cannot be used.
    Root { root: PathBuf, source: io::Error },
    /// The listening socket failed.
    Network {
        doing: &'static str,
        source: io::Error,
    },
    /// Writing the server's own output (its readiness line, its log) failed.
    Output { source: io::Error },
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Root { root, source } => write!(
                f,
                "root directory {}: {}",
                root.display(),
                hostport::describe(source)
            ),
            ServerError::Network { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
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
            ServerError::Root { source, .. }
            | ServerError::Network { source, .. }
            | ServerError::Output { source } => Some(source),
        }
    }
}

/// A server that cannot go on is a failure at run time (exit 1), with no hint; except
/// when its log's reader went away (`tftp serve | head -2`): the server stopped, nobody
/// is left to tell, and it ends quietly with success.
impl say::Explain for ServerError {
    fn is_closed_pipe(&self) -> bool {
        matches!(self, ServerError::Output { source } if say::is_closed_pipe(source))
    }
}

/// Counts the server kept while it ran.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ServeReport {
    pub transfers: u64,
    pub failed: u64,
    /// Transfers still running when the server was stopped (their peers got ERROR 0).
    pub cut_short: u64,
}

/// Runs the server on `socket` until `stop` is set (or `max_transfers` have finished).
/// The caller binds the socket, so tests can use port 0 and read the real port first.
///
/// When `stop` is set, every transfer still running sends its peer ERROR 0 "server
/// shutting down" and ends; the server returns once all have.
pub fn serve(
    socket: UdpSocket,
    mut config: ServerConfig,
    stop: Arc<AtomicBool>,
) -> Result<ServeReport, ServerError> {
    if let Some((most, descriptors)) = transfers_the_descriptors_allow() {
        // Lowered quietly from the default (macOS allows only 256 open files by
        // default); a limit someone chose is worth a warning.
        if config.max_at_once > most && config.max_at_once != DEFAULT_MAX_AT_ONCE {
            eprintln!(
                "warning: at most {most} transfers at once, not {}: this process may open only \
                 {descriptors} files (ulimit -n)",
                config.max_at_once
            );
        }
        config.max_at_once = config.max_at_once.min(most);
    }
    let root = Root::open(&config.root).map_err(|source| ServerError::Root {
        root: config.root.clone(),
        source,
    })?;
    let local = socket.local_addr().map_err(|source| ServerError::Network {
        doing: "getsockname",
        source,
    })?;
    // Wake up now and then to notice `stop`.
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|source| ServerError::Network {
            doing: "setting the receive timeout",
            source,
        })?;
    let shared = Arc::new(Shared {
        config,
        root,
        failed: AtomicU64::new(0),
        stopping: AtomicBool::new(false),
    });
    let mut started: u64 = 0;
    let mut running: Vec<Running> = Vec::new();
    let mut junk_answers = AnswerBudget::new();
    let mut warnings = Warnings::default();
    let mut buffer = vec![0u8; 65536];
    loop {
        // Reap every transfer that has ended, at once: a finished thread holds its stack
        // until it is joined.
        reap(&mut running);
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if let Some(max) = shared.config.max_transfers {
            if started >= max {
                break;
            }
        }
        let (len, peer) = match socket.recv_from(&mut buffer) {
            Ok(received) => received,
            Err(error) if channel::is_retry_later(&error) => continue,
            Err(error) if is_out_of_resources(&error) => {
                warnings.out_of_resources("recvfrom on the listening socket", &error);
                continue;
            }
            Err(source) => {
                return Err(ServerError::Network {
                    doing: "recvfrom on the listening socket",
                    source,
                });
            }
        };
        let request = match Packet::parse(&buffer[..len]) {
            Ok(Packet::Request(request)) => request,
            // Never answer an ERROR with an ERROR.
            Ok(Packet::Error(_)) => continue,
            // DATA, ACK or OACK here belong to no transfer.
            Ok(_) => {
                if junk_answers.take() {
                    channel::answer_stranger(
                        &socket,
                        peer,
                        "no transfer on this port: send RRQ or WRQ",
                    );
                }
                continue;
            }
            Err(error) => {
                shared
                    .config
                    .trace
                    .call(format_args!("<- {len} bytes from {peer}: {error}"));
                // Anyone can send junk from a forged address: answer only a few per
                // second, so we never multiply someone's traffic at a victim.
                if junk_answers.take() {
                    answer(
                        &socket,
                        peer,
                        ErrorCode::IllegalOperation,
                        &format!("malformed request: {error}"),
                    );
                }
                continue;
            }
        };
        // A client that repeats its request (its timeout fired before our answer came)
        // must not start a second transfer: the first one is already answering it.
        let bytes = &buffer[..len];
        if running
            .iter()
            .any(|transfer| transfer.peer == peer && transfer.request == bytes)
        {
            draw_request(&shared.config.trace, peer, local, bytes, Mark::Repeated);
            continue;
        }
        draw_request(&shared.config.trace, peer, local, bytes, Mark::Plain);
        if !make_room(&socket, &mut running, &shared.config, peer) {
            shared
                .config
                .trace
                .with_peer(peer)
                .call(format_args!("server full: answering busy"));
            answer(&socket, peer, ErrorCode::NotDefined, BUSY);
            continue;
        }
        let started_transfer = start_transfer(
            &shared,
            &socket,
            &mut running,
            &mut warnings,
            local.ip(),
            (request, peer),
        );
        match started_transfer {
            Ok(transfer) => {
                started += 1;
                running.push(Running {
                    request: bytes.to_vec(),
                    ..transfer
                });
            }
            // No socket or no thread to be had: tell the client and carry on.
            Err((doing, error)) => {
                warnings.other(doing, &error);
                answer(&socket, peer, ErrorCode::NotDefined, BUSY);
            }
        }
    }
    // After `max_transfers`, the last transfers run to their end; when stopped, every
    // transfer still running tells its peer why and ends now.
    loop {
        reap(&mut running);
        if running.is_empty() {
            break;
        }
        if stop.load(Ordering::Relaxed) {
            return serve_stopped(&socket, running, &shared, started);
        }
        thread::sleep(Duration::from_millis(20));
    }
    Ok(ServeReport {
        transfers: started,
        failed: shared.failed.load(Ordering::Relaxed),
        cut_short: 0,
    })
}

/// Stops every running transfer (each tells its peer the server is shutting down) and
/// waits for their threads.
fn serve_stopped(
    socket: &UdpSocket,
    running: Vec<Running>,
    shared: &Shared,
    started: u64,
) -> Result<ServeReport, ServerError> {
    shared.stopping.store(true, Ordering::Relaxed);
    let mut cut_short = 0;
    for transfer in &running {
        if transfer.watch.stopped().is_none() && !transfer.watch.file_moved() {
            cut_short += 1;
        }
        transfer.watch.stop(SHUTTING_DOWN);
        wake(socket, transfer);
    }
    for transfer in running {
        let _ = transfer.handle.join();
    }
    Ok(ServeReport {
        transfers: started,
        failed: shared.failed.load(Ordering::Relaxed),
        cut_short,
    })
}

/// Descriptors one transfer may hold at once: its socket and the file it reads, or its
/// socket, the directory and the temporary file of an upload; on Linux also the second,
/// connected socket of the fast path ([`crate::connected`]).
#[cfg(unix)]
const DESCRIPTORS_PER_TRANSFER: u64 = 4;
/// Descriptors kept for the rest: standard streams, the listening socket, the root, and
/// the directories a name lookup holds for a moment.
#[cfg(unix)]
const DESCRIPTORS_KEPT: u64 = 32;

/// The most transfers at once that the process's limit on open files (`ulimit -n`)
/// allows, and that limit; `None` where it is unknown or unlimited. Threads of stopped
/// transfers may still be ending, so room is kept for twice as many.
fn transfers_the_descriptors_allow() -> Option<(usize, u64)> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit};
        let limit = getrlimit(Resource::Nofile).current?;
        let most = limit.saturating_sub(DESCRIPTORS_KEPT) / (2 * DESCRIPTORS_PER_TRANSFER);
        Some((usize::try_from(most.max(1)).unwrap_or(usize::MAX), limit))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// What the peers of running transfers are told when the server stops.
pub const SHUTTING_DOWN: &str = "server shutting down";

/// A transfer thread's stack. Transfers keep their buffers on the heap, so a small stack
/// is plenty, and many transfers cost little address space.
const TRANSFER_STACK: usize = 256 * 1024;

/// One running transfer, as the listening loop sees it.
struct Running {
    handle: JoinHandle<()>,
    peer: SocketAddr,
    /// The request's bytes, to recognise a repeated request.
    request: Vec<u8>,
    /// The transfer socket's address, to wake it when it must stop.
    address: SocketAddr,
    watch: Arc<Watch>,
    started: Instant,
}

/// Binds the transfer's socket and starts its thread. On failure, says what failed.
fn start_transfer(
    shared: &Arc<Shared>,
    socket: &UdpSocket,
    running: &mut Vec<Running>,
    warnings: &mut Warnings,
    local_ip: IpAddr,
    (request, peer): (Request, SocketAddr),
) -> Result<Running, (&'static str, io::Error)> {
    // The new socket: the OS picks its port, our transfer ID.
    let bind = || UdpSocket::bind(SocketAddr::new(local_ip, 0));
    let transfer_socket = match bind() {
        Ok(transfer_socket) => transfer_socket,
        // Out of descriptors (EMFILE) or buffers: a transfer that has moved nothing
        // gives its descriptor back, and we try once more.
        Err(error) if is_out_of_resources(&error) && end_one_silent_transfer(socket, running) => {
            warnings.other(
                "binding a transfer socket (ended a silent transfer)",
                &error,
            );
            bind().map_err(|error| ("binding a transfer socket", error))?
        }
        Err(error) => return Err(("binding a transfer socket", error)),
    };
    let address = transfer_socket
        .local_addr()
        .map_err(|error| ("getsockname on a transfer socket", error))?;
    let started = Instant::now();
    let watch = Arc::new(Watch::new(
        started.checked_add(shared.config.max_transfer_time),
    ));
    let thread_shared = Arc::clone(shared);
    let thread_watch = Arc::clone(&watch);
    let handle = thread::Builder::new()
        .name("tftp-transfer".into())
        .stack_size(TRANSFER_STACK)
        .spawn(move || {
            let shared = thread_shared;
            let report = |log: &TransferLog| {
                if log.outcome.is_err() {
                    shared.failed.fetch_add(1, Ordering::Relaxed);
                }
                if let Some(logger) = &shared.config.log {
                    logger(log);
                }
            };
            request::run_transfer(
                &shared,
                transfer_socket,
                request,
                peer,
                &thread_watch,
                &report,
            );
        })
        // No thread to be had (a limit on threads or memory); the socket went with the
        // closure and is closed.
        .map_err(|error| ("starting a transfer thread", error))?;
    Ok(Running {
        handle,
        peer,
        request: Vec::new(),
        address,
        watch,
        started,
    })
}

/// Joins every transfer thread that has finished.
fn reap(running: &mut Vec<Running>) {
    let mut index = 0;
    while index < running.len() {
        if running[index].handle.is_finished() {
            let _ = running.swap_remove(index).handle.join();
        } else {
            index += 1;
        }
    }
}

/// Finds room for a new transfer from `peer` within the limits, stopping a transfer
/// that has not moved any of its file yet if need be; false when there is no room.
fn make_room(
    socket: &UdpSocket,
    running: &mut Vec<Running>,
    config: &ServerConfig,
    peer: SocketAddr,
) -> bool {
    // Threads of stopped transfers end within moments; until then they still count here,
    // so a flood cannot pile up threads (and descriptors) faster than they end. When
    // there are too many, wait for the stopped ones: that is how a flood is slowed down.
    let most_threads = config.max_at_once.saturating_mul(2).max(1);
    if running.len() >= most_threads {
        // Lingering transfers end at once when stopped (they send nothing).
        for transfer in running.iter() {
            if transfer.watch.file_moved() {
                transfer.watch.stop(BUSY);
            }
        }
        let mut index = 0;
        while index < running.len() {
            if running[index].watch.stopped().is_some() {
                // Woken when it was stopped; it ends at once (at worst at its next check).
                let _ = running.swap_remove(index).handle.join();
            } else {
                index += 1;
            }
        }
        if running.len() >= most_threads {
            return false;
        }
    }
    // A transfer whose file has moved only lingers to answer a lost last ACK: it needs
    // no place, and is the first to be cut short when room is needed.
    let live =
        |transfer: &&Running| transfer.watch.stopped().is_none() && !transfer.watch.file_moved();
    let at_once = running.iter().filter(live).count();
    let same_client = |transfer: &&Running| transfer.peer.ip() == peer.ip();
    let from_client = running.iter().filter(live).filter(same_client).count();
    let client_full = from_client >= config.max_per_client.max(1);
    if at_once < config.max_at_once.max(1) && !client_full {
        return true;
    }
    // The oldest transfer that has moved nothing yet (from this client, when it is the
    // client's limit that is reached) gives its place.
    let victim = running
        .iter()
        .filter(live)
        .filter(|transfer| !transfer.watch.made_progress())
        .filter(|transfer| !client_full || same_client(transfer))
        .min_by_key(|transfer| transfer.started);
    match victim {
        Some(victim) => {
            victim.watch.stop(BUSY);
            wake(socket, victim);
            true
        }
        None => false,
    }
}

/// Stops the oldest transfer that has not moved any of its file and waits for its thread to
/// end, so that its socket is closed; false when there is none.
fn end_one_silent_transfer(socket: &UdpSocket, running: &mut Vec<Running>) -> bool {
    let victim = running
        .iter()
        .enumerate()
        .filter(|(_, transfer)| !transfer.watch.made_progress())
        .min_by_key(|(_, transfer)| (transfer.watch.stopped().is_none(), transfer.started))
        .map(|(index, _)| index);
    let Some(index) = victim else {
        return false;
    };
    let victim = running.swap_remove(index);
    victim.watch.stop(BUSY);
    wake(socket, &victim);
    // It is woken, and ends at once (at worst at its next check, a quarter second).
    let _ = victim.handle.join();
    true
}

/// Sends an empty datagram to a transfer's socket, so that a transfer asked to stop
/// notices now rather than at its next check. A lingering transfer is left alone: it
/// looks at its stop flag every 50 ms, and would answer the datagram with ERROR 5.
fn wake(socket: &UdpSocket, transfer: &Running) {
    if transfer.watch.file_moved() {
        return;
    }
    let mut address = transfer.address;
    if address.ip().is_unspecified() {
        address.set_ip(match address {
            SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    let _ = socket.send_to(&[], address);
}

/// Warnings about the server's own trouble, on stderr, at most one a second.
#[derive(Default)]
struct Warnings {
    last: Option<Instant>,
    skipped: u64,
}

impl Warnings {
    /// Out of resources while receiving: say so, and pause a moment so transfers can
    /// end (and the loop does not spin on an error that repeats at once).
    fn out_of_resources(&mut self, doing: &str, error: &io::Error) {
        self.other(doing, error);
        thread::sleep(RESOURCE_BACKOFF);
    }

    fn other(&mut self, doing: &str, error: &io::Error) {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < Duration::from_secs(1))
        {
            self.skipped += 1;
            return;
        }
        let skipped = std::mem::take(&mut self.skipped);
        let more = if skipped > 0 {
            format!(" ({skipped} more since the last warning)")
        } else {
            String::new()
        };
        eprintln!(
            "warning: {doing}: {}; going on{more}",
            hostport::describe(error)
        );
        self.last = Some(now);
    }
}

/// How long the listening loop pauses when the system is out of resources.
const RESOURCE_BACKOFF: Duration = Duration::from_millis(50);

/// A token bucket for answers to junk: [`JUNK_BURST`] at once, then [`JUNK_PER_SECOND`].
struct AnswerBudget {
    tokens: f64,
    last: Instant,
}

/// How many answers to junk may go out at once.
pub const JUNK_BURST: u32 = 10;
/// How many answers to junk may go out per second, on average.
pub const JUNK_PER_SECOND: u32 = 10;

impl AnswerBudget {
    fn new() -> AnswerBudget {
        AnswerBudget {
            tokens: f64::from(JUNK_BURST),
            last: Instant::now(),
        }
    }

    /// True when one more answer may go out now.
    fn take(&mut self) -> bool {
        let now = Instant::now();
        let earned = now.duration_since(self.last).as_secs_f64() * f64::from(JUNK_PER_SECOND);
        self.tokens = (self.tokens + earned).min(f64::from(JUNK_BURST));
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// `--ladder`: the request from `peer` arriving at the listening socket `local`.
fn draw_request(trace: &Trace, peer: SocketAddr, local: SocketAddr, request: &[u8], mark: Mark) {
    if trace.is_ladder() {
        let local = arrows::seen_from(local, peer);
        trace.packet(
            peer,
            local,
            format_args!("{}", arrows::label(request)),
            mark,
        );
    }
}

fn answer(socket: &UdpSocket, peer: SocketAddr, code: ErrorCode, message: &str) {
    let mut bytes = Vec::new();
    ErrorPacket::new(code, message).encode(&mut bytes);
    let _ = socket.send_to(&bytes, peer);
}
