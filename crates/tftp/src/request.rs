//! One request, served in its transfer's own thread: refuse it, or agree the options and
//! move the file.
//!
//! The server's loop ([`crate::server`]) hands each RRQ or WRQ here with a new socket.
//! A read opens the file below the root ([`crate::root`]), negotiates
//! ([`crate::negotiate`]), and sends the blocks ([`crate::transfer::send_blocks`]); a
//! write checks the name and the limits, writes into a hidden temporary file
//! ([`PartialFile`]) and gives it its name just before the last ACK. A refusal before any
//! data moved is one ERROR packet and one log line.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::buffers;
use crate::channel::{Channel, Incoming, Watch};
use crate::config::ServerConfig;
use crate::negotiate::{negotiate, set_window, upload_fits};
use crate::netascii;
use crate::packet::{self, Ack, Direction, ErrorCode, Mode, Oack, Packet, Request};
use crate::partial::{PartialFile, Place};
use crate::root::{Directory, EntryKind, Root, RootError, path_parts};
use crate::transfer::{self, ReceiveStart, Settings, TransferError};
use crate::transfer_log::TransferLog;

/// What a client is told when there is no room for its transfer.
pub const BUSY: &str = "busy, try again";

/// What every request of one server shares: its configuration, its root held open, and
/// two things the loop must see.
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    /// The root directory, held open: every name is looked up from it.
    pub(crate) root: Root,
    pub(crate) failed: AtomicU64,
    /// Set when the server stops taking requests: lingering transfers may end.
    pub(crate) stopping: AtomicBool,
}

/// Why one request ended without moving its file: the log line's reason.
#[derive(Debug)]
pub enum ServeError {
    /// Refused before any data moved (the peer got this ERROR).
    Refused(Refusal),
    /// The transfer started and then failed.
    Transfer(TransferError),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Refused(refusal) => write!(
                f,
                "refused with error {} ({}): {}",
                refusal.code.to_u16(),
                refusal.code.meaning(),
                refusal.message
            ),
            ServeError::Transfer(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Refused(_) => None,
            ServeError::Transfer(error) => Some(error),
        }
    }
}

impl From<TransferError> for ServeError {
    fn from(error: TransferError) -> ServeError {
        ServeError::Transfer(error)
    }
}

/// A refusal before any data moved: the ERROR to send and the reason to log.
#[derive(Debug)]
pub struct Refusal {
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
pub(crate) fn run_transfer(
    shared: &Shared,
    socket: UdpSocket,
    request: Request,
    peer: SocketAddr,
    watch: &Watch,
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
    let trace = shared.config.trace.with_peer(peer);
    // Room for an ACK or an ERROR; an upload grows it to one DATA once options are
    // agreed. A request that is never answered costs no more than this.
    let mut channel = Channel::new(&socket, peer, trace, 4 + 512);
    channel.set_watch(Some(watch));
    if trace.is_on() {
        trace.call(format_args!("<- {}", Packet::Request(request.clone())));
    }
    let result = match request.direction {
        Direction::Read => serve_read(shared, &socket, &mut channel, &request, &mut log),
        Direction::Write => serve_write(shared, &socket, &mut channel, &request, &mut log),
    };
    log.duration = started.elapsed();
    match result {
        Ok(done) => {
            log.outcome = Ok(done.bytes);
            watch.set_file_moved();
            report(&log);
            if let Some((last, linger)) = done.linger {
                // Our last ACK may be lost: stay to answer a repeated last block. A server
                // shutting down stops lingering (no ERROR: the file is complete).
                channel.set_watch(None);
                let stopping =
                    || shared.stopping.load(Ordering::Relaxed) || watch.stopped().is_some();
                channel.linger(last, linger, &stopping);
            }
        }
        Err(why) => {
            log.outcome = Err(why.to_string());
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

fn refuse(channel: &Channel<'_>, refusal: Refusal) -> Result<Done, ServeError> {
    channel.send_error(refusal.code, &refusal.message);
    Err(ServeError::Refused(refusal))
}

fn serve_read(
    shared: &Shared,
    socket: &UdpSocket,
    channel: &mut Channel<'_>,
    request: &Request,
    log: &mut TransferLog,
) -> Result<Done, ServeError> {
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
        wait_for_ack_zero(channel, &oack, &settings)?;
    }
    let file = io::BufReader::with_capacity(buffers::file_buffer_size(settings.blksize), file);
    let mut source: Box<dyn Read> = match request.mode {
        Mode::Netascii => Box::new(netascii::EncodeReader::new(file)),
        _ => Box::new(file),
    };
    let bytes = transfer::send_blocks(channel, &mut source, &settings, &mut |_| {})?;
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
) -> Result<Done, ServeError> {
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
    let (directory, name) = match path_parts(&request.filename)
        .map_err(|_| RootError::Outside)
        .and_then(|parts| shared.root.parent_of(&parts))
    {
        Ok(found) => found,
        Err(RootError::NotFound) => {
            return refuse(
                channel,
                Refusal::new(ErrorCode::FileNotFound, "no such directory"),
            );
        }
        Err(RootError::Unfinished) => {
            return refuse(
                channel,
                Refusal::new(
                    ErrorCode::AccessViolation,
                    "names like that are kept for unfinished uploads",
                ),
            );
        }
        Err(error) => return refuse(channel, refusal_for(error)),
    };
    match directory.kind_of(&name) {
        Ok(None) => {}
        Ok(Some(EntryKind::Directory)) => {
            return refuse(
                channel,
                Refusal::new(ErrorCode::AccessViolation, "that name is a directory"),
            );
        }
        Ok(Some(_)) if !config.overwrite => {
            return refuse(
                channel,
                Refusal::new(ErrorCode::FileExists, "file already exists"),
            );
        }
        Ok(Some(_)) => {}
        Err(error) => return refuse(channel, refusal_for(RootError::Io(error))),
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
    let place = UploadPlace {
        directory,
        target: name,
        overwrite: config.overwrite,
    };
    let mut partial = match PartialFile::create(place) {
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
    channel.send_bytes(&reply)?;
    // The writer gets its own handle on the open temporary file, so that `partial` can be
    // committed (renamed) from inside the transfer, before the last ACK goes out.
    let file = partial.file().try_clone().map_err(|source| {
        channel.send_error(ErrorCode::NotDefined, "could not write the file");
        TransferError::File {
            doing: "opening the upload for writing".into(),
            source,
        }
    })?;
    // The limit counts bytes as they arrive, whatever `tsize` announced.
    let limited = Limited {
        inner: file,
        left: config.max_upload,
    };
    let writer = BufWriter::with_capacity(buffers::file_buffer_size(settings.blksize), limited);
    let mut sink: Box<dyn Write> = match request.mode {
        Mode::Netascii => Box::new(netascii::DecodeWriter::new(writer)),
        _ => Box::new(writer),
    };
    let mut partial = Some(partial);
    let mut commit = || match partial.take() {
        Some(partial) => partial.commit(),
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
    )?;
    drop(sink);
    // Stay as long as the client may still be retrying (our own retries as the measure).
    Ok(Done {
        bytes,
        linger: Some((last, settings.timeout * settings.retries.clamp(1, 10))),
    })
}

/// The refusal that tells the client why a name cannot be used.
fn refusal_for(error: RootError) -> Refusal {
    if let RootError::Io(io) = &error {
        if say::is_out_of_resources(io) {
            return Refusal::new(ErrorCode::NotDefined, BUSY);
        }
    }
    let code = match &error {
        RootError::NotFound | RootError::Unfinished => ErrorCode::FileNotFound,
        RootError::Io(io) if io.kind() == io::ErrorKind::NotFound => ErrorCode::FileNotFound,
        _ => ErrorCode::AccessViolation,
    };
    let message = match &error {
        // The system's words may name what lies outside: keep them to ourselves.
        RootError::Io(_) => "cannot use that file".to_string(),
        other => other.to_string(),
    };
    Refusal::new(code, message)
}

/// Opens the regular file `requested` below the root (see [`crate::root`]).
fn open_for_read(root: &Root, requested: &str) -> Result<File, Refusal> {
    let parts = path_parts(requested).map_err(|_| refusal_for(RootError::Outside))?;
    root.open_file(&parts).map_err(refusal_for)
}

/// Passes writes on until `left` bytes have gone through, then fails with "storage
/// full" (the transfer answers ERROR 3, disk full or allocation exceeded).
struct Limited<W> {
    inner: W,
    /// Bytes still allowed; `None` for no limit.
    left: Option<u64>,
}

impl<W: Write> Write for Limited<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if let Some(left) = self.left {
            if bytes.len() as u64 > left {
                return Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "the upload is larger than this server takes (--max-upload)",
                ));
            }
        }
        let written = self.inner.write(bytes)?;
        if let Some(left) = &mut self.left {
            *left -= written as u64;
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Where an upload is written: a directory below the root, held open, and the name the
/// finished file takes there (see [`crate::partial`]).
pub struct UploadPlace {
    directory: Directory,
    target: String,
    /// Whether an existing file by the target's name may be replaced.
    overwrite: bool,
}

impl Place for UploadPlace {
    type Name = String;
    type Error = io::Error;

    /// A random name the server keeps for itself (see [`crate::root`]).
    fn create_hidden(&mut self) -> io::Result<(File, String)> {
        self.directory.create_temporary()
    }

    /// Without `overwrite` an existing file by the target's name is kept, and this fails.
    fn rename_to_final(&mut self, hidden: &String) -> io::Result<()> {
        self.directory.commit(hidden, &self.target, self.overwrite)
    }

    fn remove_hidden(&mut self, hidden: &String) {
        let _ = self.directory.remove(hidden);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_stop_at_the_limit_whatever_was_announced() {
        let mut limited = Limited {
            inner: Vec::new(),
            left: Some(10),
        };
        limited.write_all(b"0123456789").unwrap();
        let error = limited.write_all(b"!").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::StorageFull);
        assert_eq!(limited.inner, b"0123456789");
    }
}
