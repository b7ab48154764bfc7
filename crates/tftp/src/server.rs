//! The TFTP server: one listening socket for requests, one new socket per transfer.
//!
//! A request (RRQ or WRQ) arrives on the well-known port (69, or the port you chose).
//! The server answers from a *new* socket whose port the OS picks: that port is the
//! server's transfer ID, and the client's port is the client's. The listening socket is
//! free again at once, so many transfers run side by side, each in its own thread.
//!
//! What this server does that common ones do not: it refuses symlinks that lead out of
//! its root, answers strangers with ERROR 5, never sends on a duplicate ACK, honours
//! `windowsize` and sizes its buffers for it, and writes uploads to a temporary file that
//! gets the final name only when the whole file has arrived.

use std::collections::HashSet;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::buffers;
use crate::netascii;
use crate::packet::{
    self, Ack, Direction, ErrorCode, ErrorPacket, Mode, Oack, Packet, Request, TftpOption,
};
use crate::transfer::{self, Channel, Incoming, ReceiveStart, Settings, Trace, TransferError};

/// Receives the log line of each finished transfer (from the transfer's thread).
pub type Logger = Arc<dyn Fn(&TransferLog) + Send + Sync>;

/// Everything the server needs to know; [`ServerConfig::new`] gives the defaults.
#[derive(Clone)]
pub struct ServerConfig {
    /// Only files under this directory are served.
    pub root: PathBuf,
    /// Accept WRQ (uploads).
    pub allow_write: bool,
    /// Let an upload replace an existing file.
    pub overwrite: bool,
    /// The largest `blksize` we agree to (RFC 2348 allows up to 65464).
    pub max_blksize: u16,
    /// The largest `windowsize` we agree to (RFC 7440 allows up to 65535).
    pub max_windowsize: u16,
    /// Our retransmission timeout when the client does not ask for one.
    pub timeout: Duration,
    /// Timeouts in a row before a transfer is abandoned.
    pub retries: u32,
    /// Refuse uploads that announce (`tsize`) more bytes than this.
    pub max_upload: Option<u64>,
    /// Stop after this many transfers (tests and lessons use it).
    pub max_transfers: Option<u64>,
    /// Print every packet to stderr.
    pub trace: bool,
    /// Called with one [`TransferLog`] at the end of every transfer.
    pub log: Option<Logger>,
}

impl ServerConfig {
    pub fn new(root: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            root: root.into(),
            allow_write: false,
            overwrite: false,
            max_blksize: packet::MAX_BLKSIZE,
            max_windowsize: 64,
            timeout: Duration::from_secs(1),
            retries: 5,
            max_upload: None,
            max_transfers: None,
            trace: false,
            log: None,
        }
    }
}

/// Why the server could not run at all (a single transfer's failure is only logged).
#[derive(Debug)]
pub enum ServerError {
    /// The `--root` directory cannot be used.
    Root { root: PathBuf, source: io::Error },
    /// The listening socket failed.
    Network { doing: String, source: io::Error },
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
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::Root { source, .. } | ServerError::Network { source, .. } => Some(source),
        }
    }
}

/// One line of the server's log: who asked for what, and how it went.
#[derive(Debug, Clone)]
pub struct TransferLog {
    pub peer: SocketAddr,
    pub direction: Direction,
    pub filename: String,
    pub mode: Mode,
    /// The options agreed, as `name=value` (empty when none).
    pub options: Vec<TftpOption>,
    /// Bytes of file moved (on success), or why it failed.
    pub outcome: Result<u64, String>,
    pub duration: Duration,
}

impl fmt::Display for TransferLog {
    /// `127.0.0.1:53211 read "hello.txt" octet blksize=1468: 12 bytes in 0.003 s`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // exercise 4.4: begin
        let direction = match self.direction {
            Direction::Read => "read",
            Direction::Write => "write",
        };
        write!(
            f,
            "{} {direction} {:?} {}",
            self.peer, self.filename, self.mode
        )?;
        for option in &self.options {
            write!(f, " {}={}", option.name, option.value)?;
        }
        let seconds = self.duration.as_secs_f64();
        match &self.outcome {
            Ok(bytes) => write!(f, ": {bytes} bytes in {seconds:.3} s"),
            Err(why) => write!(f, ": failed after {seconds:.3} s: {why}"),
        }
        // exercise 4.4: end
    }
}

/// Counts the server kept while it ran.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ServeReport {
    pub transfers: u64,
    pub failed: u64,
}

/// Runs the server on `socket` until `stop` is set (or `max_transfers` have finished).
/// The caller binds the socket, so tests can use port 0 and read the real port first.
pub fn serve(
    socket: UdpSocket,
    config: ServerConfig,
    stop: Arc<AtomicBool>,
) -> Result<ServeReport, ServerError> {
    let root = config
        .root
        .canonicalize()
        .and_then(|root| {
            if root.is_dir() {
                Ok(root)
            } else {
                Err(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    "not a directory",
                ))
            }
        })
        .map_err(|source| ServerError::Root {
            root: config.root.clone(),
            source,
        })?;
    let local = socket.local_addr().map_err(|source| ServerError::Network {
        doing: "getsockname".into(),
        source,
    })?;
    // Wake up now and then to notice `stop`.
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|source| ServerError::Network {
            doing: "setting the receive timeout".into(),
            source,
        })?;
    let shared = Arc::new(Shared {
        config,
        root,
        active: Mutex::new(HashSet::new()),
        failed: AtomicU64::new(0),
        stopping: AtomicBool::new(false),
    });
    let mut started: u64 = 0;
    let mut running: Vec<JoinHandle<()>> = Vec::new();
    let mut buffer = vec![0u8; 65536];
    loop {
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
            Err(error) if transfer::is_retry_later(&error) => {
                running.retain(|handle| !handle.is_finished());
                continue;
            }
            Err(source) => {
                return Err(ServerError::Network {
                    doing: "recvfrom on the listening socket".into(),
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
                answer(
                    &socket,
                    peer,
                    ErrorCode::UnknownTransferId,
                    "no transfer on this port: send RRQ or WRQ",
                );
                continue;
            }
            Err(error) => {
                if shared.config.trace {
                    Trace::default().line(&format!("<- {len} bytes from {peer}: {error}"));
                }
                answer(
                    &socket,
                    peer,
                    ErrorCode::IllegalOperation,
                    &format!("malformed request: {error}"),
                );
                continue;
            }
        };
        // A client that repeats its request (its timeout fired before our answer came)
        // must not start a second transfer: the first one is already answering it.
        let key = (peer, buffer[..len].to_vec());
        if !lock(&shared.active).insert(key.clone()) {
            continue;
        }
        started += 1;
        let shared = Arc::clone(&shared);
        let local_ip = local.ip();
        running.push(thread::spawn(move || {
            let report = |log: &TransferLog| {
                if log.outcome.is_err() {
                    shared.failed.fetch_add(1, Ordering::Relaxed);
                }
                if let Some(logger) = &shared.config.log {
                    logger(log);
                }
            };
            run_transfer(&shared, request, peer, local_ip, &report);
            lock(&shared.active).remove(&key);
        }));
    }
    shared.stopping.store(true, Ordering::Relaxed);
    for handle in running {
        let _ = handle.join();
    }
    Ok(ServeReport {
        transfers: started,
        failed: shared.failed.load(Ordering::Relaxed),
    })
}

struct Shared {
    config: ServerConfig,
    /// The root, canonical (symlinks resolved), to compare resolved paths against.
    root: PathBuf,
    /// Transfers running, by the client's address and port and the request's bytes.
    active: Mutex<HashSet<(SocketAddr, Vec<u8>)>>,
    failed: AtomicU64,
    /// Set when the server stops taking requests: lingering transfers may end.
    stopping: AtomicBool,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn answer(socket: &UdpSocket, peer: SocketAddr, code: ErrorCode, message: &str) {
    let mut bytes = Vec::new();
    ErrorPacket::new(code, message).encode(&mut bytes);
    let _ = socket.send_to(&bytes, peer);
}

/// A refusal before any data moved: the ERROR to send and the reason to log.
struct Refusal {
    code: ErrorCode,
    message: String,
}

impl Refusal {
    fn new(code: ErrorCode, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
        }
    }

    /// RFC 1350's `mail` mode delivers to a user's mailbox: long obsolete, and refused
    /// in both directions.
    fn mail_mode() -> Refusal {
        Refusal::new(ErrorCode::IllegalOperation, "mail mode is not supported")
    }
}

/// Runs one transfer on a new socket and reports its log line as soon as the file has
/// moved (before any lingering).
fn run_transfer(
    shared: &Shared,
    request: Request,
    peer: SocketAddr,
    local_ip: IpAddr,
    report: &dyn Fn(&TransferLog),
) {
    let started = Instant::now();
    let mut log = TransferLog {
        peer,
        direction: request.direction,
        filename: request.filename.clone(),
        mode: request.mode,
        options: Vec::new(),
        outcome: Err(String::new()),
        duration: Duration::ZERO,
    };
    // The new socket: the OS picks its port, our transfer ID.
    let socket = match UdpSocket::bind(SocketAddr::new(local_ip, 0)) {
        Ok(socket) => socket,
        Err(error) => {
            log.outcome = Err(format!(
                "binding a transfer socket: {}",
                hostport::describe(&error)
            ));
            report(&log);
            return;
        }
    };
    let trace = shared.config.trace.then(|| Trace {
        prefix: format!("[{peer}] "),
    });
    let mut channel = Channel::new(&socket, peer, trace.as_ref(), 65536);
    if let Some(trace) = &trace {
        trace.line(&format!("<- {}", Packet::Request(request.clone())));
    }
    let result = match request.direction {
        Direction::Read => serve_read(shared, &socket, &mut channel, &request, &mut log),
        Direction::Write => serve_write(shared, &socket, &mut channel, &request, &mut log),
    };
    log.duration = started.elapsed();
    match result {
        Ok(done) => {
            log.outcome = Ok(done.bytes);
            report(&log);
            if let Some((last, linger)) = done.linger {
                // Our last ACK may be lost: stay to answer a repeated last block. A server
                // shutting down stops lingering: the file is already complete.
                let stopping = || shared.stopping.load(Ordering::Relaxed);
                channel.linger(last, linger, &stopping);
            }
        }
        Err(why) => {
            log.outcome = Err(why);
            report(&log);
        }
    }
}

/// A transfer that moved its file.
struct Done {
    bytes: u64,
    /// After an upload: the last block, and how long to stay to ACK it again.
    linger: Option<(u16, Duration)>,
}

/// What the server agreed to, from the options of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    pub settings: Settings,
    /// The OACK's options; empty means "no OACK, start as RFC 1350".
    pub accepted: Vec<TftpOption>,
}

/// RFC 2347: take the options we know, clamp them to our limits, ignore the rest.
/// `tsize` is the file's size for a read (when known), `window_fits` the largest window
/// our receive buffer holds for a write.
pub fn negotiate(request: &Request, config: &ServerConfig, file_size: Option<u64>) -> Negotiated {
    let mut settings = Settings {
        timeout: config.timeout,
        retries: config.retries,
        ..Settings::default()
    };
    let mut accepted = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for option in &request.options {
        let name = option.name.to_ascii_lowercase();
        if seen.contains(&name) {
            continue; // the first one wins
        }
        seen.push(name.clone());
        let number = option.value.trim().parse::<u64>().ok();
        match (name.as_str(), number) {
            ("blksize", Some(asked)) if asked >= u64::from(packet::MIN_BLKSIZE) => {
                let size = asked.min(u64::from(config.max_blksize.max(packet::MIN_BLKSIZE)));
                settings.blksize = size as u16;
                accepted.push(TftpOption::new("blksize", size));
            }
            ("timeout", Some(seconds @ 1..=255)) => {
                settings.timeout = Duration::from_secs(seconds);
                accepted.push(TftpOption::new("timeout", seconds));
            }
            ("tsize", Some(announced)) => match (request.direction, file_size) {
                (Direction::Read, Some(size)) => accepted.push(TftpOption::new("tsize", size)),
                (Direction::Write, _) => accepted.push(TftpOption::new("tsize", announced)),
                // netascii: the size on the wire is unknown until it is sent.
                (Direction::Read, None) => {}
            },
            ("windowsize", Some(asked @ 1..)) => {
                // Clamped later to what the block size allows (buffers::window_limit).
                let size = asked.min(u64::from(config.max_windowsize.max(1)));
                settings.windowsize = size as u16;
                accepted.push(TftpOption::new("windowsize", size));
            }
            // Unknown options, and values out of range, are ignored (RFC 2347).
            _ => {}
        }
    }
    let limit = buffers::window_limit(settings.blksize);
    let mut negotiated = Negotiated { settings, accepted };
    if negotiated.settings.windowsize > limit {
        set_window(&mut negotiated, limit);
    }
    negotiated
}

/// Replaces the `windowsize` the OACK will carry.
fn set_window(negotiated: &mut Negotiated, window: u16) {
    negotiated.settings.windowsize = window;
    for option in &mut negotiated.accepted {
        if option.is("windowsize") {
            option.value = window.to_string();
        }
    }
}

fn refuse(channel: &Channel<'_>, refusal: Refusal) -> Result<Done, String> {
    channel.send_error(refusal.code, &refusal.message);
    Err(format!(
        "refused with error {} ({}): {}",
        refusal.code.to_u16(),
        refusal.code.meaning(),
        refusal.message
    ))
}

fn serve_read(
    shared: &Shared,
    socket: &UdpSocket,
    channel: &mut Channel<'_>,
    request: &Request,
    log: &mut TransferLog,
) -> Result<Done, String> {
    if request.mode == Mode::Mail {
        return refuse(channel, Refusal::mail_mode());
    }
    let file = match open_for_read(&shared.root, &request.filename) {
        Ok(file) => file,
        Err(refusal) => return refuse(channel, refusal),
    };
    let size = file.metadata().map(|meta| meta.len()).ok();
    let file_size = if request.mode == Mode::Octet {
        size
    } else {
        None
    };
    let negotiated = negotiate(request, &shared.config, file_size);
    // We send; the client sized its receive buffer. Ours only needs room to send.
    let _ = buffers::size_for_window(
        socket,
        negotiated.settings.blksize,
        negotiated.settings.windowsize,
    );
    log.options = negotiated.accepted.clone();
    let settings = negotiated.settings;
    channel.set_largest(packet::field::HEADER_LEN + 512);
    if !negotiated.accepted.is_empty() {
        let mut oack = Vec::new();
        Oack {
            options: negotiated.accepted.clone(),
        }
        .encode(&mut oack);
        wait_for_ack_zero(channel, &oack, &settings).map_err(|error| error.to_string())?;
    }
    let file = io::BufReader::with_capacity(transfer::file_buffer_size(settings.blksize), file);
    let mut source: Box<dyn Read> = match request.mode {
        Mode::Netascii => Box::new(netascii::EncodeReader::new(file)),
        _ => Box::new(file),
    };
    let bytes = transfer::send_blocks(channel, &mut source, &settings, &mut |_| {})
        .map_err(|error| error.to_string())?;
    Ok(Done {
        bytes,
        linger: None,
    })
}

/// Sends the OACK and waits for the ACK 0 that accepts it, sending it again on timeouts.
fn wait_for_ack_zero(
    channel: &mut Channel<'_>,
    oack: &[u8],
    settings: &Settings,
) -> Result<(), TransferError> {
    for _ in 0..=settings.retries {
        channel.send_bytes(oack)?;
        let deadline = Instant::now() + settings.timeout;
        loop {
            match channel.receive(deadline)? {
                Incoming::Timeout => break,
                Incoming::Datagram(len) => match Packet::parse(channel.datagram(len)) {
                    Ok(Packet::Ack(Ack { block: 0 })) => return Ok(()),
                    Ok(Packet::Ack(_)) => {}
                    _ => return Err(channel.refuse(len)),
                },
            }
        }
    }
    channel.send_error(ErrorCode::NotDefined, "timed out waiting for ACK 0");
    Err(TransferError::TimedOut {
        waiting_for: "the ACK of our OACK".into(),
        tries: settings.retries + 1,
    })
}

fn serve_write(
    shared: &Shared,
    socket: &UdpSocket,
    channel: &mut Channel<'_>,
    request: &Request,
    log: &mut TransferLog,
) -> Result<Done, String> {
    let config = &shared.config;
    if !config.allow_write {
        return refuse(
            channel,
            Refusal::new(
                ErrorCode::AccessViolation,
                "this server is read-only (start it with --allow-write)",
            ),
        );
    }
    if request.mode == Mode::Mail {
        return refuse(channel, Refusal::mail_mode());
    }
    let target = match resolve(&shared.root, &request.filename) {
        Ok(target) => target,
        Err(refusal) => return refuse(channel, refusal),
    };
    if let Ok(meta) = fs::symlink_metadata(&target) {
        if meta.is_dir() {
            return refuse(
                channel,
                Refusal::new(ErrorCode::AccessViolation, "that name is a directory"),
            );
        }
        if !config.overwrite {
            return refuse(
                channel,
                Refusal::new(ErrorCode::FileExists, "file already exists"),
            );
        }
    }
    let announced = request
        .option("tsize")
        .and_then(|value| value.trim().parse::<u64>().ok());
    if !upload_fits(announced, config.max_upload) {
        return refuse(
            channel,
            Refusal::new(
                ErrorCode::DiskFull,
                format!(
                    "file too large: this server takes at most {} bytes",
                    config.max_upload.unwrap_or(0)
                ),
            ),
        );
    }
    let mut partial = match PartialFile::create(&target) {
        Ok(partial) => partial,
        Err(error) => {
            return refuse(
                channel,
                Refusal::new(
                    ErrorCode::AccessViolation,
                    format!("cannot create the file: {}", hostport::describe(&error)),
                ),
            );
        }
    };
    let mut negotiated = negotiate(request, config, None);
    // We receive: a window must fit in our receive buffer, or the kernel drops blocks.
    let fits = buffers::size_for_window(
        socket,
        negotiated.settings.blksize,
        negotiated.settings.windowsize,
    )
    .unwrap_or(1);
    set_window(&mut negotiated, fits);
    log.options = negotiated.accepted.clone();
    let settings = negotiated.settings;
    channel.set_largest(packet::field::HEADER_LEN + usize::from(settings.blksize));
    let mut reply = Vec::new();
    if negotiated.accepted.is_empty() {
        Ack { block: 0 }.encode(&mut reply);
    } else {
        Oack {
            options: negotiated.accepted.clone(),
        }
        .encode(&mut reply);
    }
    channel
        .send_bytes(&reply)
        .map_err(|error| error.to_string())?;
    // The writer gets its own handle on the open temporary file, so that `partial` can be
    // committed (renamed) from inside the transfer, before the last ACK goes out.
    let file = partial.file().try_clone().map_err(|error| {
        channel.send_error(ErrorCode::NotDefined, "could not write the file");
        format!(
            "opening the upload for writing: {}",
            hostport::describe(&error)
        )
    })?;
    let writer = BufWriter::with_capacity(transfer::file_buffer_size(settings.blksize), file);
    let mut sink: Box<dyn Write> = match request.mode {
        Mode::Netascii => Box::new(netascii::DecodeWriter::new(writer)),
        _ => Box::new(writer),
    };
    let mut partial = Some(partial);
    let mut commit = || match partial.take() {
        Some(partial) => partial.commit(&target, config.overwrite),
        None => Ok(()),
    };
    let (bytes, last) = transfer::receive_blocks(
        channel,
        &mut sink,
        &settings,
        ReceiveStart {
            reply,
            first: None,
            before_last_ack: Some(&mut commit),
        },
        &mut |_| {},
    )
    .map_err(|error| error.to_string())?;
    drop(sink);
    // Stay as long as the client may still be retrying (our own retries as the measure).
    Ok(Done {
        bytes,
        linger: Some((last, settings.timeout * settings.retries.clamp(1, 10))),
    })
}

/// May an upload that announced `tsize` bytes go ahead, given the server's limit?
/// Without a `tsize` we cannot know in advance, so it may.
pub fn upload_fits(tsize: Option<u64>, limit: Option<u64>) -> bool {
    match (tsize, limit) {
        (Some(size), Some(limit)) => size <= limit,
        _ => true,
    }
}

/// Splits a requested file name into the parts to follow below the root.
///
/// A leading `/` is taken as relative to the root (`/hello.txt` is `hello.txt`), empty and
/// `.` parts are skipped, and any `..` part is refused: it is how a request climbs out of
/// the root (`../etc/passwd`, `a/../../x`). Backslashes count as separators too, since
/// some Windows clients send them.
pub fn path_parts(requested: &str) -> Result<Vec<&str>, PathRefused> {
    // exercise 4.3: begin
    let mut parts = Vec::new();
    for part in requested.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(PathRefused::ParentDirectory),
            part => parts.push(part),
        }
    }
    if parts.is_empty() {
        return Err(PathRefused::NoFileName);
    }
    Ok(parts)
    // exercise 4.3: end
}

/// Why a requested path is refused before the file system is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRefused {
    /// A `..` part.
    ParentDirectory,
    /// Nothing left after removing `/` and `.`.
    NoFileName,
}

/// The real path of `requested` below `root`, following symlinks part by part and
/// refusing any that lead outside. The last part need not exist (an upload creates it).
fn resolve(root: &Path, requested: &str) -> Result<PathBuf, Refusal> {
    let outside = || Refusal::new(ErrorCode::AccessViolation, "access outside the root denied");
    let parts = path_parts(requested).map_err(|_| outside())?;
    let mut current = root.to_path_buf();
    for (index, part) in parts.iter().enumerate() {
        let candidate = current.join(part);
        if !matches!(
            Path::new(part).components().next(),
            Some(Component::Normal(_))
        ) {
            return Err(outside());
        }
        match candidate.canonicalize() {
            Ok(real) if real.starts_with(root) => current = real,
            // A link that leads out: refused the same way whether its target exists or
            // not, so nobody learns what lies outside.
            Ok(_) => return Err(outside()),
            Err(_) if fs::symlink_metadata(&candidate).is_ok() => return Err(outside()),
            Err(_) if index + 1 == parts.len() => return Ok(candidate),
            Err(_) => {
                return Err(Refusal::new(ErrorCode::FileNotFound, "no such directory"));
            }
        }
    }
    Ok(current)
}

fn open_for_read(root: &Path, requested: &str) -> Result<File, Refusal> {
    let path = resolve(root, requested)?;
    let meta = match fs::metadata(&path) {
        Ok(meta) => meta,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(Refusal::new(ErrorCode::FileNotFound, "file not found"));
        }
        Err(_) => {
            return Err(Refusal::new(
                ErrorCode::AccessViolation,
                "cannot read that file",
            ));
        }
    };
    if meta.is_dir() {
        return Err(Refusal::new(
            ErrorCode::AccessViolation,
            "that name is a directory, not a file",
        ));
    }
    if !meta.is_file() {
        return Err(Refusal::new(
            ErrorCode::AccessViolation,
            "not a regular file",
        ));
    }
    File::open(&path).map_err(|error| match error.kind() {
        io::ErrorKind::NotFound => Refusal::new(ErrorCode::FileNotFound, "file not found"),
        _ => Refusal::new(ErrorCode::AccessViolation, "cannot read that file"),
    })
}

/// An upload in progress: a hidden temporary file beside the target, removed if the
/// transfer fails, renamed to the target only when complete.
pub struct PartialFile {
    path: PathBuf,
    file: File,
    committed: bool,
}

static PARTIAL_COUNTER: AtomicU64 = AtomicU64::new(0);

impl PartialFile {
    pub fn create(target: &Path) -> io::Result<PartialFile> {
        let dir = target.parent().unwrap_or(Path::new("."));
        let name = target
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let unique = PARTIAL_COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.{}-{unique}.part", std::process::id()));
        let file = File::options().write(true).create_new(true).open(&path)?;
        Ok(PartialFile {
            path,
            file,
            committed: false,
        })
    }

    /// The open file to write into.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Gives the finished file its final name. Without `overwrite`, a hard link creates
    /// the name only if nobody else did meanwhile (a rename would replace it).
    pub fn commit(mut self, target: &Path, overwrite: bool) -> io::Result<()> {
        if overwrite {
            fs::rename(&self.path, target)?;
        } else {
            match fs::hard_link(&self.path, target) {
                Ok(()) => fs::remove_file(&self.path)?,
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => return Err(error),
                // A file system without hard links: check, then rename.
                Err(_) if !target.exists() => fs::rename(&self.path, target)?,
                Err(error) => return Err(error),
            }
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for PartialFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
#[path = "exercise_tests/server.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn request(options: &[(&str, &str)], direction: Direction) -> Request {
        Request {
            direction,
            filename: "f".into(),
            mode: Mode::Octet,
            options: options
                .iter()
                .map(|(name, value)| TftpOption::new(name, value))
                .collect(),
        }
    }

    #[test]
    fn options_are_clamped_to_the_server_limits() {
        let mut config = ServerConfig::new(".");
        config.max_blksize = 1468;
        config.max_windowsize = 8;
        let negotiated = negotiate(
            &request(
                &[("BlkSize", "65464"), ("windowsize", "64"), ("tsize", "0")],
                Direction::Read,
            ),
            &config,
            Some(1234),
        );
        assert_eq!(negotiated.settings.blksize, 1468);
        assert_eq!(negotiated.settings.windowsize, 8);
        assert_eq!(
            negotiated.accepted,
            vec![
                TftpOption::new("blksize", 1468),
                TftpOption::new("windowsize", 8),
                TftpOption::new("tsize", 1234),
            ]
        );
    }

    #[test]
    fn unknown_and_invalid_options_are_left_out_of_the_oack() {
        let config = ServerConfig::new(".");
        let negotiated = negotiate(
            &request(
                &[
                    ("color", "blue"),
                    ("blksize", "7"),
                    ("timeout", "0"),
                    ("windowsize", "x"),
                ],
                Direction::Read,
            ),
            &config,
            Some(1),
        );
        assert!(negotiated.accepted.is_empty());
        assert_eq!(negotiated.settings.blksize, 512);
    }

    #[test]
    fn timeout_option_is_taken_as_asked() {
        let config = ServerConfig::new(".");
        let negotiated = negotiate(
            &request(&[("timeout", "3")], Direction::Write),
            &config,
            None,
        );
        assert_eq!(negotiated.settings.timeout, Duration::from_secs(3));
        assert_eq!(negotiated.accepted, vec![TftpOption::new("timeout", 3)]);
    }

    #[test]
    fn uploads_above_the_limit_do_not_fit() {
        assert!(upload_fits(Some(10), Some(10)));
        assert!(!upload_fits(Some(11), Some(10)));
        assert!(upload_fits(None, Some(10)));
        assert!(upload_fits(Some(11), None));
    }
}
