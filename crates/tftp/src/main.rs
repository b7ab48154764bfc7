//! `tftp`: a TFTP server and client (lesson 4, `lessons/04-tftp.md`).
//!
//! Try it in two terminals:
//!
//! ```text
//! $ cargo run -q -p tftp -- serve --root . --bind 127.0.0.1:6969
//! listening on udp 127.0.0.1:6969
//!
//! $ cargo run -q -p tftp -- get 127.0.0.1:6969 Cargo.toml -o - --trace
//! $ cargo run -q -p tftp -- get 127.0.0.1:6969 Cargo.toml -o /dev/null --ladder
//! ```
//!
//! This file only reads the command line and reports errors; the protocol lives in the
//! library (`src/lib.rs` and its modules).

use std::io::{self, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use say::Failure;

use tftp::Trace;
use tftp::client::{self, ClientConfig, Destination, Interrupt};
use tftp::packet::{ErrorCode, Mode};
use tftp::server::{self, ServerConfig};
use tftp::transfer::TransferError;

/// A TFTP server and client (RFC 1350, with blksize, timeout, tsize and windowsize).
#[derive(Parser)]
#[command(name = "tftp", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the files under a directory.
    Serve(ServeArgs),
    /// Download a file: tftp get HOST[:PORT] REMOTE [-o LOCAL|-]
    Get(GetArgs),
    /// Upload a file: tftp put HOST[:PORT] LOCAL [REMOTE]
    Put(PutArgs),
}

#[derive(Args)]
struct ServeArgs {
    /// Serve only the files under this directory.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Address to listen on (HOST:PORT); 0.0.0.0:69 for a real server, as root.
    #[arg(long, default_value = "127.0.0.1:6969")]
    bind: String,
    /// Accept uploads (WRQ).
    #[arg(long)]
    allow_write: bool,
    /// Let an upload replace an existing file.
    #[arg(long)]
    overwrite: bool,
    /// The largest blksize to agree to.
    #[arg(long, default_value_t = 65464, value_parser = clap::value_parser!(u16).range(8..=65464))]
    max_blksize: u16,
    /// The largest windowsize to agree to.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..))]
    max_windowsize: u16,
    /// The most bytes an upload may bring (refused at once when its tsize says more,
    /// stopped with ERROR 3 when more arrive); no limit when not given.
    #[arg(long, value_name = "BYTES")]
    max_upload: Option<u64>,
    /// During a transfer: seconds to wait for the client's next packet before sending
    /// again. Between transfers the server waits for requests without a limit.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=255))]
    timeout: u64,
    /// Timeouts in a row before a transfer is abandoned.
    #[arg(long, default_value_t = 5)]
    retries: u32,
    /// The most transfers at once; beyond it a request gets ERROR 0 "busy, try again"
    /// (a transfer whose client has acknowledged nothing gives its place first). Lowered
    /// to what the limit on open files (ulimit -n) allows.
    #[arg(long, value_name = "N", default_value_t = server::DEFAULT_MAX_AT_ONCE,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=4096))]
    max_transfers: usize,
    /// The most transfers at once for one client address.
    #[arg(long, value_name = "N", default_value_t = server::DEFAULT_MAX_PER_CLIENT,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=4096))]
    max_per_client: usize,
    /// The longest timeout a client may ask for (seconds); a longer one is ignored.
    #[arg(long, value_name = "SECS", default_value_t = server::DEFAULT_MAX_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..=255))]
    max_timeout: u64,
    /// The longest a transfer may last, from request to end (seconds).
    #[arg(long, value_name = "SECS", default_value_t = server::DEFAULT_MAX_TRANSFER_SECS,
          value_parser = clap::value_parser!(u64).range(1..=86400))]
    max_transfer_time: u64,
    /// Stop after this many transfers (at least 1; without it, run until stopped).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    count: Option<u64>,
    /// Print every packet to stderr.
    #[arg(long)]
    trace: bool,
    /// Draw the exchange as a ladder on stderr, one arrow per packet, as wide as the terminal.
    #[arg(long)]
    ladder: bool,
    /// With --ladder: print a mermaid sequenceDiagram at the end instead.
    #[arg(long, requires = "ladder")]
    mermaid: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Octet,
    Netascii,
}

#[derive(Args)]
struct ClientArgs {
    /// Transfer mode.
    #[arg(long, value_enum, default_value = "octet")]
    mode: ModeArg,
    /// Ask for this block size (8 to 65464).
    #[arg(long, value_parser = clap::value_parser!(u16).range(8..=65464))]
    blksize: Option<u16>,
    /// Ask for this many blocks per ACK (1 to 65535).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    windowsize: Option<u16>,
    /// Ask for (get) or announce (put) the file size.
    #[arg(long)]
    tsize: bool,
    /// Seconds to wait before sending again (also asked of the server when given).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..))]
    timeout: Option<u8>,
    /// Timeouts in a row before giving up.
    #[arg(long, default_value_t = 5)]
    retries: u32,
    /// Send no options at all (plain RFC 1350).
    #[arg(long)]
    no_options: bool,
    /// Seconds to stay after a download to ACK a repeated last block.
    #[arg(long, default_value_t = 0.2)]
    linger: f64,
    /// Print every packet to stderr.
    #[arg(long)]
    trace: bool,
    /// Draw the exchange as a ladder on stderr, one arrow per packet, as wide as the terminal.
    #[arg(long)]
    ladder: bool,
    /// With --ladder: print a mermaid sequenceDiagram at the end instead.
    #[arg(long, requires = "ladder")]
    mermaid: bool,
}

#[derive(Args)]
struct GetArgs {
    /// The server, HOST[:PORT] (port 69 when none is given).
    server: String,
    /// The file's name on the server.
    remote: String,
    /// Where to save it (`-` for standard output); default: the remote name's last part.
    /// A device or FIFO is written into, never replaced.
    #[arg(short, long)]
    output: Option<String>,
    #[command(flatten)]
    client: ClientArgs,
}

#[derive(Args)]
struct PutArgs {
    /// The server, HOST[:PORT] (port 69 when none is given).
    server: String,
    /// The local file (`-` for standard input).
    local: PathBuf,
    /// The name to give it on the server; default: the local name's last part.
    remote: Option<String>,
    #[command(flatten)]
    client: ClientArgs,
}

fn main() -> ExitCode {
    unsolved::install();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Get(args) => get(args),
        Command::Put(args) => put(args),
    };
    say::finish(result)
}

fn serve(args: ServeArgs) -> Result<(), Failure> {
    let address = hostport::resolve(&args.bind, None).map_err(Failure::usage)?;
    let trace =
        Trace::new(args.trace).with_ladder(say::LadderMode::from_flags(args.ladder, args.mermaid));
    trace.call(format_args!("bind({address})"));
    let socket = UdpSocket::bind(address).map_err(|error| {
        let explained = hostport::explain_bind_error(&error, address, "udp");
        let failure = Failure::runtime(explained.message);
        match explained.hint {
            Some(hint) => failure.with_hint(hint),
            None => failure,
        }
    })?;
    let local = socket.local_addr().map_err(|error| {
        Failure::runtime(format!("getsockname: {}", hostport::describe(&error)))
    })?;
    let mut config = ServerConfig::new(&args.root);
    config.allow_write = args.allow_write;
    config.overwrite = args.overwrite;
    config.max_blksize = args.max_blksize;
    config.max_windowsize = args.max_windowsize;
    config.max_upload = args.max_upload;
    config.timeout = Duration::from_secs(args.timeout);
    config.retries = args.retries;
    config.max_transfers = args.count;
    config.max_at_once = args.max_transfers;
    config.max_per_client = args.max_per_client;
    config.max_timeout = Duration::from_secs(args.max_timeout);
    config.max_transfer_time = Duration::from_secs(args.max_transfer_time);
    config.trace = trace;
    // Ctrl-C (SIGINT) and SIGTERM set `stop`: the server tells each client it is
    // serving that it shuts down (ERROR 0), and returns. So does a log line that finds
    // its reader gone (`tftp serve | head -2`), as any Unix filter stops.
    let stop = Arc::new(AtomicBool::new(false));
    let closed_pipe: Arc<Mutex<Option<io::Error>>> = Arc::default();
    config.log = Some({
        let (stop, closed_pipe) = (Arc::clone(&stop), Arc::clone(&closed_pipe));
        Arc::new(move |log: &server::TransferLog| {
            let mut stdout = io::stdout().lock();
            let written = writeln!(stdout, "{log}").and_then(|()| stdout.flush());
            // Another write error is ignored: the server goes on serving.
            if let Err(error) = written {
                if say::is_closed_pipe(&error) {
                    stop.store(true, Ordering::SeqCst);
                    let mut kept = closed_pipe.lock().unwrap_or_else(PoisonError::into_inner);
                    kept.get_or_insert(error);
                }
            }
        })
    });
    if !args.root.is_dir() {
        return Err(Failure::usage(format!(
            "root directory {} does not exist",
            args.root.display()
        ))
        .with_hint("create it, or name another with --root DIR"));
    }
    let signal = Arc::new(AtomicI32::new(0));
    {
        let (stop, signal) = (Arc::clone(&stop), Arc::clone(&signal));
        on_signals(move |number| {
            signal.store(number, Ordering::SeqCst);
            stop.store(true, Ordering::SeqCst);
        })?;
    }
    {
        let mut stdout = io::stdout().lock();
        writeln!(stdout, "listening on udp {local}")
            .and_then(|()| stdout.flush())
            .map_err(|source| server::ServerError::Output { source })?;
    }
    let report = server::serve(socket, config, stop)?;
    let closed_pipe = closed_pipe
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    match signal.load(Ordering::SeqCst) {
        // Stopped because nobody reads the log any more: a quiet success.
        0 => match closed_pipe {
            Some(source) => Err(server::ServerError::Output { source }.into()),
            None => Ok(()),
        },
        number => Err(Failure::runtime(format!(
            "stopped by {} ({} transfer{} cut short)",
            signal_name(number),
            report.cut_short,
            if report.cut_short == 1 { "" } else { "s" }
        ))
        // 128 + the signal's number, the status a shell shows for it.
        .with_exit_code(u8::try_from(128 + number).unwrap_or(1))),
    }
}

fn signal_name(number: i32) -> &'static str {
    #[cfg(any(unix, windows))]
    {
        if number == signal_hook::consts::SIGINT {
            return "SIGINT";
        }
        if number == signal_hook::consts::SIGTERM {
            return "SIGTERM";
        }
    }
    let _ = number;
    "a signal"
}

/// From now on Ctrl-C (SIGINT) and SIGTERM call `on_signal` with the signal's number,
/// on a thread of ours: the signal handler itself only wakes that thread (a handler may
/// do almost nothing safely), so `on_signal` is ordinary code. The server uses it to
/// stop; `get` and `put` to remove a partial download or cancel an upload, and exit.
fn on_signals(on_signal: impl Fn(i32) + Send + 'static) -> Result<(), Failure> {
    let cannot = |error: std::io::Error| {
        Failure::runtime(format!(
            "cannot watch for Ctrl-C: {}",
            hostport::describe(&error)
        ))
    };
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]).map_err(cannot)?;
        std::thread::spawn(move || {
            for signal in signals.forever() {
                on_signal(signal);
            }
        });
    }
    #[cfg(windows)]
    {
        use signal_hook::consts::{SIGINT, SIGTERM};
        // Windows has no signal iterator: the handlers set flags, and this thread looks
        // at them ten times a second (a Ctrl-C is answered within 0.1 s).
        let int = Arc::new(AtomicBool::new(false));
        let term = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register(SIGINT, Arc::clone(&int)).map_err(cannot)?;
        signal_hook::flag::register(SIGTERM, Arc::clone(&term)).map_err(cannot)?;
        std::thread::spawn(move || {
            loop {
                if int.swap(false, Ordering::SeqCst) {
                    on_signal(SIGINT);
                }
                if term.swap(false, Ordering::SeqCst) {
                    on_signal(SIGTERM);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
    }
    // No signals here: Ctrl-C ends the program the platform's way.
    #[cfg(not(any(unix, windows)))]
    let _ = (cannot, on_signal);
    Ok(())
}

fn client_config(args: &ClientArgs) -> Result<ClientConfig, Failure> {
    if !(0.0..=255.0).contains(&args.linger) {
        return Err(Failure::usage("--linger takes 0 to 255 seconds"));
    }
    let options = !args.no_options;
    Ok(ClientConfig {
        mode: match args.mode {
            ModeArg::Octet => Mode::Octet,
            ModeArg::Netascii => Mode::Netascii,
        },
        blksize: args.blksize.filter(|_| options),
        windowsize: args.windowsize.filter(|_| options),
        tsize: args.tsize && options,
        timeout_option: args.timeout.filter(|_| options),
        timeout: Duration::from_secs(u64::from(args.timeout.unwrap_or(1))),
        retries: args.retries,
        linger: Duration::from_secs_f64(args.linger),
        trace: Trace::new(args.trace)
            .with_ladder(say::LadderMode::from_flags(args.ladder, args.mermaid)),
        // A progress line would cut through the ladder's rows.
        progress: !args.ladder,
        interrupt: None,
    })
}

fn server_address(text: &str) -> Result<SocketAddr, Failure> {
    hostport::resolve(text, Some(69)).map_err(Failure::usage)
}

/// The last part of a path-like name (`a/b/c.txt` → `c.txt`).
fn last_part(name: &str) -> &str {
    name.rsplit(['/', '\\'])
        .find(|part| !part.is_empty())
        .unwrap_or(name)
}

fn get(args: GetArgs) -> Result<(), Failure> {
    let server = server_address(&args.server)?;
    let mut config = client_config(&args.client)?;
    config.interrupt = Some(stop_on_signals()?);
    let destination = match args.output.as_deref() {
        Some("-") => Destination::Stdout,
        Some(path) => Destination::File(PathBuf::from(path)),
        None => Destination::File(PathBuf::from(last_part(&args.remote))),
    };
    let outcome = client::get(server, &args.remote, &destination, &config)
        .map_err(|error| transfer_failure(error, server))?;
    let saved = match &destination {
        Destination::Stdout => "standard output".to_string(),
        Destination::File(path) => path.display().to_string(),
    };
    eprintln!(
        "received {} bytes into {saved} in {:.3} s ({})",
        outcome.bytes,
        outcome.duration.as_secs_f64(),
        describe_settings(&outcome)
    );
    Ok(())
}

fn put(args: PutArgs) -> Result<(), Failure> {
    let server = server_address(&args.server)?;
    let mut config = client_config(&args.client)?;
    config.interrupt = Some(stop_on_signals()?);
    let remote = match &args.remote {
        Some(remote) => remote.clone(),
        None if args.local == Path::new("-") => {
            return Err(Failure::usage(
                "name the file on the server: cargo run -q -p tftp -- put HOST - REMOTE",
            ));
        }
        None => last_part(&args.local.to_string_lossy()).to_string(),
    };
    let outcome = client::put(server, &args.local, &remote, &config)
        .map_err(|error| transfer_failure(error, server))?;
    eprintln!(
        "sent {} bytes as {remote:?} in {:.3} s ({})",
        outcome.bytes,
        outcome.duration.as_secs_f64(),
        describe_settings(&outcome)
    );
    Ok(())
}

/// From now on Ctrl-C (SIGINT) or SIGTERM stops the transfer that registers with the
/// returned [`Interrupt`] ([`on_signals`]): the partial download is removed (or the
/// server told that the upload is cancelled), one line printed, and the program exits
/// with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), the status a shell
/// shows for a program a signal ended.
fn stop_on_signals() -> Result<Interrupt, Failure> {
    let interrupt = Interrupt::new();
    let watched = interrupt.clone();
    on_signals(move |signal| exit_interrupted(&watched, signal))?;
    Ok(interrupt)
}

/// Stops the transfer, says what happened in one line, and exits.
fn exit_interrupted(interrupt: &Interrupt, signal: i32) -> ! {
    use std::io::Write;
    // Held until the exit: the transfer's thread may still be running, and must not
    // print a progress or error line after ours.
    let mut stderr = std::io::stderr().lock();
    let stopped = interrupt.stop();
    client::end_progress_line(&mut stderr);
    // With --ladder --mermaid: the diagram of how far the transfer got.
    say::finish_ladder();
    let _ = writeln!(stderr, "error: {stopped}");
    std::process::exit(128 + signal)
}

fn describe_settings(outcome: &client::Outcome) -> String {
    let settings = &outcome.settings;
    let how = if outcome.options_accepted {
        "options accepted"
    } else {
        "no options"
    };
    format!(
        "blksize {}, windowsize {}, {how}",
        settings.blksize, settings.windowsize
    )
}

fn transfer_failure(error: TransferError, server: SocketAddr) -> Failure {
    // Our output's reader went away: a quiet success (say::finish), nothing to explain.
    if say::Explain::is_closed_pipe(&error) {
        return Failure::from(error);
    }
    let hint = match &error {
        TransferError::TimedOut { .. } => Some(format!(
            "is a TFTP server listening on {server}? start one in another terminal: \
             cargo run -q -p tftp -- serve --bind {server}"
        )),
        TransferError::Peer(packet) => match packet.code {
            ErrorCode::FileNotFound => {
                Some("names are relative to the server's root directory".to_string())
            }
            ErrorCode::FileExists => {
                Some("the server keeps existing files unless started with --overwrite".into())
            }
            _ => None,
        },
        _ => None,
    };
    let message = match &error {
        TransferError::Peer(packet) => format!("server sent {packet}"),
        other => other.to_string(),
    };
    let failure = Failure::runtime(message);
    match hint {
        Some(hint) => failure.with_hint(hint),
        None => failure,
    }
}
