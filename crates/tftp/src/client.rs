//! The TFTP client: `get` (RRQ, download) and `put` (WRQ, upload).
//!
//! The client sends its request to the server's well-known port, and the first answer
//! comes from a *new* port: the server's transfer ID. From then on the client talks only
//! to that address and port; anything else gets ERROR 5.
//!
//! With options, the answer is an OACK (RFC 2347) saying what the server accepted; a
//! server that knows no options answers as RFC 1350 did (DATA 1 for a read, ACK 0 for a
//! write) and the transfer runs lock-step with 512-byte blocks. An OACK that grants
//! something we did not ask for, or more than we asked, is refused with ERROR 8.
//!
//! A download into a file is written under a hidden temporary name beside it and renamed
//! when complete, so a failed or interrupted transfer never leaves half a file under the
//! name. A device (`/dev/null`), a FIFO or a standard stream is written straight into:
//! renaming over it would replace it with a plain file. An [`Interrupt`] lets another
//! thread (the Ctrl-C handler of `main.rs`) stop a transfer and undo what it leaves.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use say::Trace;

use crate::buffers;
use crate::channel::{self, Channel};
use crate::netascii;
use crate::packet::{
    self, Ack, Direction, ErrorCode, ErrorPacket, Mode, Oack, Packet, Request, TftpOption,
};
use crate::partial::{PartialFile, Place};
use crate::transfer::{self, ReceiveStart, Settings, TransferError};

/// How the client asks for a transfer.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub mode: Mode,
    /// Ask for this `blksize` (RFC 2348).
    pub blksize: Option<u16>,
    /// Ask for this `windowsize` (RFC 7440); shrunk to what our receive buffer holds.
    pub windowsize: Option<u16>,
    /// Ask for (get) or announce (put) the size (RFC 2349).
    pub tsize: bool,
    /// Ask the server to use this retransmission timeout, in seconds (RFC 2349).
    pub timeout_option: Option<u8>,
    /// Our own retransmission timeout.
    pub timeout: Duration,
    /// Timeouts in a row before we give up.
    pub retries: u32,
    /// After a download, stay this long to ACK a repeated last block again.
    pub linger: Duration,
    /// Print every packet to stderr.
    pub trace: Trace,
    /// Show progress on stderr (when it is a terminal).
    pub progress: bool,
    /// Lets another thread stop the transfer (Ctrl-C): see [`Interrupt`].
    pub interrupt: Option<Interrupt>,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            mode: Mode::Octet,
            blksize: None,
            windowsize: None,
            tsize: false,
            timeout_option: None,
            timeout: Duration::from_secs(1),
            retries: 5,
            linger: Duration::from_millis(200),
            trace: Trace::OFF,
            progress: false,
            interrupt: None,
        }
    }
}

/// What a finished transfer did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Bytes of file data moved (after netascii conversion on our side: the wire count).
    pub bytes: u64,
    /// What was agreed.
    pub settings: Settings,
    /// Whether the server answered with an OACK (false: it ignored our options).
    pub options_accepted: bool,
    /// The size the server announced (get with `tsize`).
    pub tsize: Option<u64>,
    /// The server's transfer ID.
    pub server_tid: SocketAddr,
    pub duration: Duration,
}

/// Where a download goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A path. A regular file (or a new name) is written under a temporary name and
    /// renamed when complete; a symlink is followed, and its target replaced; anything
    /// else (a device, a FIFO, `/dev/stdout`) is written straight into.
    File(PathBuf),
    /// Standard output (`-o -`).
    Stdout,
}

/// Downloads `remote` from `server` (RRQ).
pub fn get(
    server: SocketAddr,
    remote: &str,
    destination: &Destination,
    config: &ClientConfig,
) -> Result<Outcome, TransferError> {
    let interrupt = config.interrupt.clone().unwrap_or_default();
    let capacity = buffers::file_buffer_size(config.blksize.unwrap_or(512));
    match destination {
        Destination::Stdout => {
            interrupt.downloading("standard output".into());
            let stdout = io::stdout();
            let mut sink = BufWriter::with_capacity(64 * 1024, stdout.lock());
            get_into(server, remote, &mut sink, config)
        }
        Destination::File(path) => match LocalTarget::of(path)? {
            LocalTarget::Straight(target) => {
                interrupt.downloading(path.display().to_string());
                let mut file = target.open().map_err(|source| TransferError::File {
                    doing: format!("opening {}", path.display()),
                    source,
                })?;
                let mut sink = BufWriter::with_capacity(capacity, &mut file);
                get_into(server, remote, &mut sink, config)
            }
            LocalTarget::Replace {
                path: target,
                existing,
            } => {
                interrupt.downloading(path.display().to_string());
                let mut partial = partial_download(&target, existing.as_ref(), &interrupt)?;
                let outcome = {
                    let mut sink = BufWriter::with_capacity(capacity, partial.file());
                    get_into(server, remote, &mut sink, config)?
                };
                partial.commit()?;
                Ok(outcome)
            }
        },
    }
}

/// Downloads `remote` into any writer (the library form of `get`).
pub fn get_into(
    server: SocketAddr,
    remote: &str,
    sink: &mut dyn Write,
    config: &ClientConfig,
) -> Result<Outcome, TransferError> {
    let started = Instant::now();
    let socket = bind_for(server)?;
    // Size our receive buffer for the window we want, and ask only for what fits.
    let blksize = config.blksize.unwrap_or(packet::DEFAULT_BLKSIZE);
    let windowsize = match config.windowsize {
        Some(window) => Some(buffers::size_for_window(&socket, blksize, window).map_err(
            |source| TransferError::Network {
                doing: "setting SO_RCVBUF".into(),
                source,
            },
        )?),
        None => None,
    };
    let asked = requested_options(config, windowsize, Some(0));
    let request = Request {
        direction: Direction::Read,
        filename: remote.to_string(),
        mode: config.mode,
        options: asked.clone(),
    };
    let mut channel = Channel::new(&socket, server, config.trace, 65536 + 4);
    let first = first_answer(&mut channel, &socket, &request, config)?;
    if let Some(interrupt) = &config.interrupt {
        interrupt.talking_to(&socket, channel.peer());
    }
    let mut progress = Progress::new(config.progress);
    let mut sink: Box<dyn Write + '_> = match config.mode {
        Mode::Netascii => Box::new(netascii::DecodeWriter::new(sink)),
        _ => Box::new(sink),
    };
    let (settings, options_accepted, tsize, start) = match first {
        First::Oack(options) => {
            let (settings, tsize) = check_oack(&channel, &options, &asked, config)?;
            let mut reply = Vec::new();
            Ack { block: 0 }.encode(&mut reply);
            channel.send_bytes(&reply)?;
            progress.total = tsize;
            (
                settings,
                true,
                tsize,
                ReceiveStart {
                    reply,
                    first: None,
                    before_last_ack: None,
                },
            )
        }
        First::Data(ref bytes) => {
            let settings = base_settings(config);
            // Our last packet was the RRQ; if DATA 1 is repeated we ACK it again.
            let mut reply = Vec::new();
            Ack { block: 1 }.encode(&mut reply);
            (
                settings,
                false,
                None,
                ReceiveStart {
                    reply,
                    first: Some(bytes),
                    before_last_ack: None,
                },
            )
        }
        First::Ack => {
            let error = TransferError::Unexpected("an ACK in answer to a read request".into());
            return Err(channel.illegal(error));
        }
    };
    channel.set_largest(packet::field::HEADER_LEN + usize::from(settings.blksize));
    let (bytes, last) =
        transfer::receive_blocks(&mut channel, &mut sink, &settings, start, &mut |bytes| {
            progress.update(bytes)
        })?;
    progress.finish();
    drop(sink);
    if let Some(interrupt) = &config.interrupt {
        interrupt.transfer_done();
    }
    let outcome = Outcome {
        bytes,
        settings,
        options_accepted,
        tsize,
        server_tid: channel.peer(),
        duration: started.elapsed(),
    };
    channel.linger(last, config.linger, &|| false);
    Ok(outcome)
}

/// Uploads the local file `local` (or standard input for `-`) as `remote` (WRQ).
pub fn put(
    server: SocketAddr,
    local: &Path,
    remote: &str,
    config: &ClientConfig,
) -> Result<Outcome, TransferError> {
    if local == Path::new("-") {
        let stdin = io::stdin();
        return put_from(server, &mut stdin.lock(), None, remote, config);
    }
    let file_error = |source| TransferError::File {
        doing: format!("opening {}", local.display()),
        source,
    };
    let mut file = File::open(local).map_err(file_error)?;
    let meta = file.metadata().map_err(file_error)?;
    if meta.is_dir() {
        return Err(file_error(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        )));
    }
    let capacity = buffers::file_buffer_size(config.blksize.unwrap_or(512));
    let mut reader = io::BufReader::with_capacity(capacity, &mut file);
    put_from(server, &mut reader, Some(meta.len()), remote, config)
}

/// Uploads whatever `source` yields (the library form of `put`). `size` is announced
/// with `tsize` when known (octet mode only: netascii changes the size).
pub fn put_from(
    server: SocketAddr,
    source: &mut dyn Read,
    size: Option<u64>,
    remote: &str,
    config: &ClientConfig,
) -> Result<Outcome, TransferError> {
    let started = Instant::now();
    let socket = bind_for(server)?;
    let blksize = config.blksize.unwrap_or(packet::DEFAULT_BLKSIZE);
    // We send; the server sizes its receive buffer (and may shrink the window).
    if let Some(window) = config.windowsize {
        let _ = buffers::size_for_window(&socket, blksize, window);
    }
    let announced = if config.mode == Mode::Octet {
        size
    } else {
        None
    };
    let asked = requested_options(config, config.windowsize, announced);
    let request = Request {
        direction: Direction::Write,
        filename: remote.to_string(),
        mode: config.mode,
        options: asked.clone(),
    };
    if let Some(interrupt) = &config.interrupt {
        interrupt.uploading(remote);
    }
    let mut channel = Channel::new(&socket, server, config.trace, 65536 + 4);
    let first = first_answer(&mut channel, &socket, &request, config)?;
    if let Some(interrupt) = &config.interrupt {
        interrupt.talking_to(&socket, channel.peer());
    }
    let (settings, options_accepted) = match first {
        First::Oack(options) => {
            let (settings, _) = check_oack(&channel, &options, &asked, config)?;
            (settings, true)
        }
        First::Ack => (base_settings(config), false),
        First::Data(_) => {
            let error = TransferError::Unexpected("DATA in answer to a write request".into());
            return Err(channel.illegal(error));
        }
    };
    channel.set_largest(packet::field::HEADER_LEN + 512);
    let mut progress = Progress::new(config.progress);
    progress.total = announced;
    let mut source: Box<dyn Read + '_> = match config.mode {
        Mode::Netascii => Box::new(netascii::EncodeReader::new(source)),
        _ => Box::new(source),
    };
    let bytes = transfer::send_blocks(&mut channel, &mut source, &settings, &mut |bytes| {
        progress.update(bytes)
    })?;
    progress.finish();
    if let Some(interrupt) = &config.interrupt {
        interrupt.transfer_done();
    }
    Ok(Outcome {
        bytes,
        settings,
        options_accepted,
        tsize: announced,
        server_tid: channel.peer(),
        duration: started.elapsed(),
    })
}

/// A socket of the server's address family on a port the OS picks: our transfer ID.
fn bind_for(server: SocketAddr) -> Result<UdpSocket, TransferError> {
    let any: SocketAddr = if server.is_ipv6() {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    };
    UdpSocket::bind(any).map_err(|source| TransferError::Network {
        doing: format!("bind({any})"),
        source,
    })
}

fn base_settings(config: &ClientConfig) -> Settings {
    Settings {
        timeout: config.timeout,
        retries: config.retries,
        ..Settings::default()
    }
}

fn requested_options(
    config: &ClientConfig,
    windowsize: Option<u16>,
    tsize: Option<u64>,
) -> Vec<TftpOption> {
    let mut options = Vec::new();
    if let Some(blksize) = config.blksize {
        options.push(TftpOption::new("blksize", blksize));
    }
    if let Some(seconds) = config.timeout_option {
        options.push(TftpOption::new("timeout", seconds));
    }
    if config.tsize {
        if let Some(size) = tsize {
            options.push(TftpOption::new("tsize", size));
        }
    }
    if let Some(window) = windowsize {
        options.push(TftpOption::new("windowsize", window));
    }
    options
}

/// The server's first answer.
enum First {
    Oack(Vec<TftpOption>),
    Data(Vec<u8>),
    Ack,
}

/// Sends the request until the first answer comes, and adopts the answer's source port
/// as the server's transfer ID.
fn first_answer(
    channel: &mut Channel<'_>,
    socket: &UdpSocket,
    request: &Request,
    config: &ClientConfig,
) -> Result<First, TransferError> {
    let mut bytes = Vec::new();
    request.encode(&mut bytes);
    let server = channel.peer();
    let mut buffer = vec![0u8; 65536 + 4];
    for _ in 0..=config.retries {
        channel.send_bytes(&bytes)?;
        let deadline = Instant::now() + config.timeout;
        loop {
            let now = Instant::now();
            if now >= deadline {
                channel.timed_out();
                break;
            }
            socket
                .set_read_timeout(Some((deadline - now).max(Duration::from_millis(1))))
                .map_err(|source| TransferError::Network {
                    doing: "setting the receive timeout".into(),
                    source,
                })?;
            let (len, from) = match socket.recv_from(&mut buffer) {
                Ok(received) => received,
                Err(error) if channel::is_retry_later(&error) => {
                    continue;
                }
                // Linux reports an ICMP "port unreachable" on the next receive: nobody
                // listens there. Keep trying until the retries run out, like the peers.
                Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => continue,
                Err(source) => {
                    return Err(TransferError::Network {
                        doing: "recvfrom".into(),
                        source,
                    });
                }
            };
            if from.ip() != server.ip() {
                continue; // not the host we asked
            }
            if !could_be_first_answer(&buffer[..len], request.direction) {
                // A late packet of some earlier transfer that used our port number:
                // a stranger (RFC 1350 §4), so ERROR 5, and keep waiting.
                channel::answer_stranger(socket, from, "unknown transfer ID");
                continue;
            }
            // This port is the server's transfer ID from now on.
            channel.set_peer(from);
            let trace = channel.trace();
            let datagram = &buffer[..len];
            if trace.is_on() {
                match Packet::parse(datagram) {
                    Ok(packet) => trace.call(format_args!("<- {packet}")),
                    Err(error) => trace.call(format_args!("<- {len} bytes, malformed: {error}")),
                }
                channel.draw_received(datagram);
            }
            let reading = request.direction == Direction::Read;
            return match Packet::parse(datagram) {
                Ok(Packet::Oack(Oack { options })) => Ok(First::Oack(options)),
                Ok(Packet::Data(data)) if reading && data.block == 1 => {
                    Ok(First::Data(datagram.to_vec()))
                }
                Ok(Packet::Ack(Ack { block: 0 })) if !reading => Ok(First::Ack),
                Ok(Packet::Error(error)) => Err(TransferError::Peer(error)),
                Ok(other) => {
                    Err(channel.illegal(TransferError::Unexpected(format!("unexpected {other}"))))
                }
                Err(error) => Err(channel.illegal(TransferError::Malformed(error))),
            };
        }
    }
    Err(TransferError::TimedOut {
        waiting_for: format!("an answer from {server}"),
        tries: config.retries + 1,
    })
}

/// Is this datagram a possible first answer to our request: an OACK, an ERROR, and
/// DATA 1 (read) or ACK 0 (write)?
fn could_be_first_answer(datagram: &[u8], direction: Direction) -> bool {
    match Packet::parse(datagram) {
        Ok(Packet::Oack(_)) | Ok(Packet::Error(_)) => true,
        Ok(Packet::Data(data)) => direction == Direction::Read && data.block == 1,
        Ok(Packet::Ack(ack)) => direction == Direction::Write && ack.block == 0,
        _ => false,
    }
}

/// Checks an OACK against what we asked (RFC 2347): the server may only grant options
/// we sent, with values no larger than ours (the same, for `timeout`). Anything else is
/// answered with ERROR 8 and ends the transfer.
fn check_oack(
    channel: &Channel<'_>,
    granted: &[TftpOption],
    asked: &[TftpOption],
    config: &ClientConfig,
) -> Result<(Settings, Option<u64>), TransferError> {
    let mut settings = base_settings(config);
    let mut tsize = None;
    for option in granted {
        let Some(ours) = asked.iter().find(|mine| mine.is(&option.name)) else {
            return Err(reject(
                channel,
                format!("{} was never asked for", option.name),
            ));
        };
        let value = option.value.trim().parse::<u64>().ok();
        let mine = ours.value.parse::<u64>().unwrap_or(0);
        let bad = || format!("{}={} (we asked {})", option.name, option.value, ours.value);
        match (option.name.to_ascii_lowercase().as_str(), value) {
            // What we asked fits in 16 bits, so a granted value no larger does too.
            ("blksize", Some(size)) if (8..=mine).contains(&size) => {
                settings.blksize = u16::try_from(size).map_err(|_| reject(channel, bad()))?;
            }
            ("windowsize", Some(size)) if (1..=mine).contains(&size) => {
                settings.windowsize = u16::try_from(size).map_err(|_| reject(channel, bad()))?;
            }
            ("timeout", Some(seconds)) if seconds == mine => {
                settings.timeout = Duration::from_secs(seconds);
            }
            ("tsize", Some(size)) => tsize = Some(size),
            _ => return Err(reject(channel, bad())),
        }
    }
    Ok((settings, tsize))
}

fn reject(channel: &Channel<'_>, why: String) -> TransferError {
    channel.send_error(ErrorCode::OptionRejected, &format!("option refused: {why}"));
    TransferError::OptionRejected(why)
}

/// How a download reaches a local path.
#[derive(Debug)]
enum LocalTarget {
    /// A regular file, or a name that does not exist yet: written beside it under a
    /// temporary name and renamed over it when complete. `path` is where symlinks lead
    /// (the link stays a link); `existing` is the file being replaced, whose permissions
    /// the new one keeps.
    Replace {
        path: PathBuf,
        existing: Option<fs::Metadata>,
    },
    /// Anything else: written straight into.
    Straight(StraightTarget),
}

/// A target that must not be replaced: a character or block device (`/dev/null`), a
/// FIFO, a terminal, or a standard stream named by path (`/dev/stdout`). Renaming a
/// file over one of these would put a plain file in its place: every program writing
/// to `/dev/null` afterwards would fill that file.
#[derive(Debug)]
struct StraightTarget {
    path: PathBuf,
    /// A regular file behind `/dev/stdout` (the shell's `> out.txt` or `>> log`): add to
    /// it, as the shell's own redirection does, never truncate it.
    append: bool,
}

impl StraightTarget {
    fn open(&self) -> io::Result<File> {
        // No `truncate`: a device or FIFO has nothing to cut, and a file behind a
        // standard stream belongs to the shell's redirection. Opening a FIFO waits here
        // for a reader, as `cat > fifo` does.
        File::options()
            .write(true)
            .append(self.append)
            .open(&self.path)
    }
}

impl LocalTarget {
    fn of(path: &Path) -> Result<LocalTarget, TransferError> {
        let file_error = |source| TransferError::File {
            doing: format!("saving to {}", path.display()),
            source,
        };
        // `metadata` follows symlinks: this is what the path finally names.
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Err(file_error(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory (name a file with -o DIR/NAME)",
            ))),
            Ok(meta) if !meta.is_file() => Ok(LocalTarget::Straight(StraightTarget {
                path: path.to_path_buf(),
                append: false,
            })),
            Ok(meta) => {
                let (resolved, stream) = follow_symlinks(path).map_err(file_error)?;
                if stream {
                    return Ok(LocalTarget::Straight(StraightTarget {
                        path: path.to_path_buf(),
                        append: true,
                    }));
                }
                Ok(LocalTarget::Replace {
                    path: resolved,
                    existing: Some(meta),
                })
            }
            // A new name, or a symlink to a file not there yet: create the link's target.
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let (resolved, _) = follow_symlinks(path).map_err(file_error)?;
                Ok(LocalTarget::Replace {
                    path: resolved,
                    existing: None,
                })
            }
            Err(error) => Err(file_error(error)),
        }
    }
}

/// Follows `path` through symlinks to the name they finally lead to (which may not
/// exist yet), so that the temporary file goes beside the real file and the rename
/// replaces the file, not the link. Also says whether the way passes through a
/// standard stream named by path (`/dev/stdout` → `/proc/self/fd/1` → ...).
fn follow_symlinks(path: &Path) -> io::Result<(PathBuf, bool)> {
    let mut current = path.to_path_buf();
    let mut stream = names_a_stream(&current);
    for _ in 0..crate::root::MOST_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
                stream |= names_a_stream(&current);
            }
            _ => return Ok((current, stream)),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// True for a path that names an open file of this process rather than a place in a
/// directory: `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`.
fn names_a_stream(path: &Path) -> bool {
    cfg!(unix)
        && (path == Path::new("/dev/stdout")
            || path == Path::new("/dev/stderr")
            || path.starts_with("/dev/fd")
            || path.starts_with("/proc"))
}

/// Where a download is written: beside its target, so the final rename stays within one
/// file system (and is atomic), and under the lock of the [`Interrupt`], so that a
/// Ctrl-C either finds the hidden file to remove or comes after the rename.
struct DownloadPlace {
    target: PathBuf,
    interrupt: Interrupt,
}

/// A download in progress (see [`crate::partial`]): removed on failure, and by
/// [`Interrupt::stop`] on Ctrl-C.
type LocalPartial = PartialFile<DownloadPlace>;

/// Creates the temporary file beside `target` and registers it with `interrupt`, so that
/// a Ctrl-C from now on removes it. `existing` is the file it will replace, whose owner
/// and mode the new one keeps.
fn partial_download(
    target: &Path,
    existing: Option<&fs::Metadata>,
    interrupt: &Interrupt,
) -> Result<LocalPartial, TransferError> {
    let mut partial = PartialFile::create(DownloadPlace {
        target: target.to_path_buf(),
        interrupt: interrupt.clone(),
    })?;
    if let Some(existing) = existing {
        keep_permissions_of(&mut partial, existing)?;
    }
    Ok(partial)
}

/// Gives the new file the owner and mode of the one it replaces (a private 0600 file
/// must not become world-readable because we downloaded it again).
fn keep_permissions_of(
    partial: &mut LocalPartial,
    existing: &fs::Metadata,
) -> Result<(), TransferError> {
    let path = partial.hidden().clone();
    let file = partial.file();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Only root may give a file away; for anyone else this fails and the file
        // stays ours, which is what replacing it means anyway. Before the mode:
        // changing the owner clears set-user-ID bits.
        let _ = std::os::unix::fs::fchown(&*file, Some(existing.uid()), Some(existing.gid()));
    }
    file.set_permissions(existing.permissions())
        .map_err(|source| TransferError::File {
            doing: format!("setting the permissions of {}", path.display()),
            source,
        })
}

impl Place for DownloadPlace {
    type Name = PathBuf;
    type Error = TransferError;

    fn create_hidden(&mut self) -> Result<(File, PathBuf), TransferError> {
        let target = &self.target;
        let beside = |name: String| match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(name),
            _ => PathBuf::from(name),
        };
        let mut name = target
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".into());
        // Keep `.NAME.PID-N.part` within the 255 bytes most file systems allow.
        while name.len() > 200 {
            name.pop();
        }
        // Held until the file is registered: an interrupt cannot fall in between.
        let mut state = self.interrupt.lock();
        if state.stopped {
            return Err(interrupted_error());
        }
        let mut attempt = 0u32;
        let (path, file) = loop {
            let path = beside(format!(".{name}.{}-{attempt}.part", std::process::id()));
            // `create_new` never opens what is already there: not a stale file of an
            // earlier run, and not a symlink someone planted under this name.
            match File::options().write(true).create_new(true).open(&path) {
                Ok(file) => break (path, file),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(source) => {
                    return Err(TransferError::File {
                        doing: format!("creating {}", path.display()),
                        source,
                    });
                }
            }
        };
        state.partial = Some(path.clone());
        Ok((file, path))
    }

    /// Renames the complete download to its target, unless an interrupt came first.
    fn rename_to_final(&mut self, hidden: &PathBuf) -> Result<(), TransferError> {
        let mut state = self.interrupt.lock();
        if state.stopped {
            return Err(interrupted_error());
        }
        fs::rename(hidden, &self.target).map_err(|source| TransferError::File {
            doing: format!("renaming the download to {}", self.target.display()),
            source,
        })?;
        state.partial = None;
        Ok(())
    }

    fn remove_hidden(&mut self, hidden: &PathBuf) {
        let mut state = self.interrupt.lock();
        let _ = fs::remove_file(hidden);
        if state.partial.as_ref() == Some(hidden) {
            state.partial = None;
        }
    }
}

/// Stops a transfer from another thread and undoes what it would leave behind: the
/// Ctrl-C (SIGINT) and SIGTERM handler of `main.rs` calls [`Interrupt::stop`].
///
/// The transfer itself may be anywhere at that moment: waiting for a datagram, writing
/// into a FIFO nobody reads, renaming the finished file. So it registers here, under one
/// lock, what an interrupt must undo (the temporary file, the server's transfer ID) and
/// takes the same lock to give a download its final name: either the rename happens and
/// the interrupt finds nothing to remove, or the file is removed and the rename refused.
#[derive(Clone, Default)]
pub struct Interrupt {
    state: Arc<Mutex<InterruptState>>,
}

#[derive(Default)]
struct InterruptState {
    stopped: bool,
    job: Job,
    /// The temporary file of a download, until it gets its final name.
    partial: Option<PathBuf>,
    /// Our socket and the server's transfer ID, to tell the server that we stop.
    server: Option<(UdpSocket, SocketAddr)>,
    /// The last packet went: nothing to tell the server any more.
    finished: bool,
}

#[derive(Default)]
enum Job {
    #[default]
    Nothing,
    Download {
        target: String,
    },
    Upload {
        remote: String,
    },
}

/// What [`Interrupt::stop`] did, for the one line the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stopped {
    /// No transfer had started.
    Idle,
    /// A download stopped part way. `removed` is its temporary file, deleted (none
    /// when it was written straight into a device, a FIFO or standard output).
    Download {
        target: String,
        removed: Option<PathBuf>,
    },
    /// An upload stopped part way; `told_server`: the server was sent ERROR 0, so it
    /// removes the partial file it holds (false: it had not answered yet).
    Upload { remote: String, told_server: bool },
    /// The transfer had already completed: nothing to undo.
    Finished,
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stopped::Idle => write!(f, "interrupted: no transfer had started"),
            Stopped::Download {
                target,
                removed: Some(partial),
            } => write!(
                f,
                "interrupted: nothing saved as {target}, the partial file {} was removed",
                partial.display()
            ),
            Stopped::Download {
                target,
                removed: None,
            } => write!(
                f,
                "interrupted: the download into {target} stopped part way (nothing to remove)"
            ),
            Stopped::Upload {
                remote,
                told_server: true,
            } => write!(
                f,
                "interrupted: upload of {remote:?} cancelled, the server was told to remove its partial file"
            ),
            Stopped::Upload {
                remote,
                told_server: false,
            } => write!(
                f,
                "interrupted: upload of {remote:?} cancelled before the server answered"
            ),
            Stopped::Finished => write!(f, "interrupted: the transfer had already completed"),
        }
    }
}

/// The message in the ERROR 0 that tells the server we stopped.
pub const CANCELLED_MESSAGE: &str = "transfer cancelled by the user";

impl Interrupt {
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// Stops the transfer: removes a download's temporary file, sends the server ERROR 0
    /// so it stops too (and drops a partial upload), and says what was done. From now
    /// on the transfer can no longer create or rename a file. The caller ends the
    /// process: the transfer's own thread may still be waiting for a datagram.
    pub fn stop(&self) -> Stopped {
        let mut state = self.lock();
        state.stopped = true;
        let mut told_server = false;
        if let Some((socket, peer)) = state.server.take() {
            let mut bytes = Vec::new();
            ErrorPacket::new(ErrorCode::NotDefined, CANCELLED_MESSAGE).encode(&mut bytes);
            told_server = socket.send_to(&bytes, peer).is_ok();
        }
        let removed = state.partial.take();
        if let Some(partial) = &removed {
            let _ = fs::remove_file(partial);
        }
        match &state.job {
            Job::Download { target } if removed.is_some() || !state.finished => Stopped::Download {
                target: target.clone(),
                removed,
            },
            _ if state.finished => Stopped::Finished,
            Job::Upload { remote } => Stopped::Upload {
                remote: remote.clone(),
                told_server,
            },
            Job::Download { .. } | Job::Nothing => Stopped::Idle,
        }
    }

    fn lock(&self) -> MutexGuard<'_, InterruptState> {
        // A panic elsewhere while holding the lock leaves the state usable: every field
        // is valid on its own.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn downloading(&self, target: String) {
        self.lock().job = Job::Download { target };
    }

    fn uploading(&self, remote: &str) {
        self.lock().job = Job::Upload {
            remote: remote.to_string(),
        };
    }

    /// The server answered from `peer`, its transfer ID.
    fn talking_to(&self, socket: &UdpSocket, peer: SocketAddr) {
        // A second handle on the same socket, so the interrupting thread can send from
        // our transfer ID while this one waits on it.
        if let Ok(socket) = socket.try_clone() {
            self.lock().server = Some((socket, peer));
        }
    }

    /// The last DATA or ACK went: the server needs no ERROR any more.
    fn transfer_done(&self) {
        let mut state = self.lock();
        state.server = None;
        state.finished = true;
    }
}

impl fmt::Debug for Interrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Interrupt")
    }
}

fn interrupted_error() -> TransferError {
    TransferError::File {
        doing: "saving the download".into(),
        source: io::Error::new(io::ErrorKind::Interrupted, "interrupted"),
    }
}

/// Whether a progress line is on the terminal, not yet ended with a newline. One per
/// process, like stderr itself: whoever prints an error line ends it first (see
/// [`end_progress_line`]).
static PROGRESS_LINE_OPEN: AtomicBool = AtomicBool::new(false);

/// Ends a progress line left on the terminal, so that the next line (an error) starts
/// on a line of its own. Call it with stderr locked.
pub fn end_progress_line(stderr: &mut dyn Write) {
    if PROGRESS_LINE_OPEN.swap(false, Ordering::SeqCst) {
        let _ = writeln!(stderr);
    }
}

/// Progress on stderr for transfers longer than a second, when stderr is a terminal.
struct Progress {
    enabled: bool,
    started: Instant,
    last_shown: Option<Instant>,
    total: Option<u64>,
}

impl Progress {
    fn new(wanted: bool) -> Progress {
        Progress {
            enabled: wanted && io::stderr().is_terminal(),
            started: Instant::now(),
            last_shown: None,
            total: None,
        }
    }

    fn update(&mut self, bytes: u64) {
        if !self.enabled {
            return;
        }
        let elapsed = self.started.elapsed();
        if elapsed < Duration::from_secs(1) {
            return;
        }
        if let Some(shown) = self.last_shown {
            if shown.elapsed() < Duration::from_millis(250) {
                return;
            }
        }
        self.last_shown = Some(Instant::now());
        let rate = bytes as f64 / elapsed.as_secs_f64() / (1024.0 * 1024.0);
        let line = progress_line(bytes, self.total, rate);
        let mut stderr = io::stderr().lock();
        let _ = write!(stderr, "\r{line}\x1b[K");
        let _ = stderr.flush();
        PROGRESS_LINE_OPEN.store(true, Ordering::SeqCst);
    }

    fn finish(&mut self) {
        end_progress_line(&mut io::stderr().lock());
    }
}

impl Drop for Progress {
    /// A transfer that fails drops its progress: the error line then starts on a line
    /// of its own.
    fn drop(&mut self) {
        self.finish();
    }
}

fn progress_line(bytes: u64, total: Option<u64>, rate: f64) -> String {
    match total {
        Some(total) if total > 0 => format!(
            "{bytes} of {total} bytes ({:.0}%), {rate:.1} MiB/s",
            bytes as f64 * 100.0 / total as f64
        ),
        _ => format!("{bytes} bytes, {rate:.1} MiB/s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_progress_line_is_ended_before_the_next_line() {
        PROGRESS_LINE_OPEN.store(true, Ordering::SeqCst);
        let mut out = Vec::new();
        end_progress_line(&mut out);
        assert_eq!(out, b"\n");
        // Ended once: a second error line needs no empty line before it.
        let mut again = Vec::new();
        end_progress_line(&mut again);
        assert!(again.is_empty());
    }

    #[test]
    fn stopping_an_idle_interrupt_has_nothing_to_undo() {
        assert_eq!(Interrupt::new().stop(), Stopped::Idle);
    }

    #[test]
    fn an_interrupt_removes_the_partial_download_and_refuses_the_rename() {
        let dir = testkit::Scratch::new("tftp-interrupt");
        let target = dir.join("out.bin");
        let interrupt = Interrupt::new();
        interrupt.downloading(target.display().to_string());
        let partial = partial_download(&target, None, &interrupt).unwrap();
        let temporary = partial.hidden().clone();
        assert!(temporary.exists());
        let stopped = interrupt.stop();
        assert!(
            matches!(&stopped, Stopped::Download { removed: Some(path), .. } if *path == temporary),
            "{stopped:?}"
        );
        assert!(!temporary.exists());
        assert!(partial.commit().is_err());
        assert!(!target.exists());
    }
}
