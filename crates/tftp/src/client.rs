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

use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::buffers;
use crate::netascii;
use crate::packet::{
    self, Ack, Direction, ErrorCode, ErrorPacket, Mode, Oack, Packet, Request, TftpOption,
};
use crate::transfer::{self, Channel, ReceiveStart, Settings, Trace, TransferError};

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
    pub trace: bool,
    /// Show progress on stderr (when it is a terminal).
    pub progress: bool,
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
            trace: false,
            progress: false,
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
    /// A file: written under a temporary name, renamed when complete.
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
    match destination {
        Destination::Stdout => {
            let stdout = io::stdout();
            let mut sink = BufWriter::with_capacity(64 * 1024, stdout.lock());
            get_into(server, remote, &mut sink, config)
        }
        Destination::File(path) => {
            let mut partial = LocalPartial::create(path)?;
            let outcome = {
                let capacity = transfer::file_buffer_size(config.blksize.unwrap_or(512));
                let mut sink = BufWriter::with_capacity(capacity, &mut partial.file);
                get_into(server, remote, &mut sink, config)?
            };
            partial.commit(path)?;
            Ok(outcome)
        }
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
    let trace = config.trace.then(Trace::default);
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
    let mut channel = Channel::new(&socket, server, trace.as_ref(), 65536 + 4);
    let first = first_answer(&mut channel, &socket, &request, config)?;
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
    let capacity = transfer::file_buffer_size(config.blksize.unwrap_or(512));
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
    let trace = config.trace.then(Trace::default);
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
    let mut channel = Channel::new(&socket, server, trace.as_ref(), 65536 + 4);
    let (settings, options_accepted) = match first_answer(&mut channel, &socket, &request, config)?
    {
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
                Err(error) if transfer::is_retry_later(&error) => {
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
                answer_stranger(socket, from);
                continue;
            }
            // This port is the server's transfer ID from now on.
            channel.set_peer(from);
            let trace = channel.trace();
            let datagram = &buffer[..len];
            if let Some(trace) = trace {
                match Packet::parse(datagram) {
                    Ok(packet) => trace.line(&format!("<- {packet}")),
                    Err(error) => trace.line(&format!("<- {len} bytes, malformed: {error}")),
                }
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

fn answer_stranger(socket: &UdpSocket, to: SocketAddr) {
    let mut bytes = Vec::new();
    ErrorPacket::new(ErrorCode::UnknownTransferId, "unknown transfer ID").encode(&mut bytes);
    let _ = socket.send_to(&bytes, to);
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
            ("blksize", Some(size)) if (8..=mine).contains(&size) => {
                settings.blksize = size as u16;
            }
            ("windowsize", Some(size)) if (1..=mine).contains(&size) => {
                settings.windowsize = size as u16;
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

/// A download in progress: written beside the target under a hidden name, renamed when
/// complete, removed on failure.
struct LocalPartial {
    path: PathBuf,
    file: File,
    done: bool,
}

impl LocalPartial {
    fn create(target: &Path) -> Result<LocalPartial, TransferError> {
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let name = target
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "download".into());
        let path = dir.join(format!(".{name}.{}.part", std::process::id()));
        let file = File::options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|source| TransferError::File {
                doing: format!("creating {}", path.display()),
                source,
            })?;
        Ok(LocalPartial {
            path,
            file,
            done: false,
        })
    }

    fn commit(mut self, target: &Path) -> Result<(), TransferError> {
        fs::rename(&self.path, target).map_err(|source| TransferError::File {
            doing: format!("renaming the download to {}", target.display()),
            source,
        })?;
        self.done = true;
        Ok(())
    }
}

impl Drop for LocalPartial {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_file(&self.path);
        }
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
        let line = match self.total {
            Some(total) if total > 0 => format!(
                "{bytes} of {total} bytes ({:.0}%), {rate:.1} MiB/s",
                bytes as f64 * 100.0 / total as f64
            ),
            _ => format!("{bytes} bytes, {rate:.1} MiB/s"),
        };
        let mut stderr = io::stderr().lock();
        let _ = write!(stderr, "\r{line}\x1b[K");
        let _ = stderr.flush();
    }

    fn finish(&mut self) {
        if self.last_shown.is_some() {
            let _ = writeln!(io::stderr());
        }
    }
}
