//! `tftp`: a TFTP server and client (lesson 4, `lessons/04-tftp.md`).
//!
//! Try it in two terminals:
//!
//! ```text
//! $ cargo run -q -p tftp -- serve --root . --bind 127.0.0.1:6969
//! listening on udp 127.0.0.1:6969
//!
//! $ cargo run -q -p tftp -- get 127.0.0.1:6969 Cargo.toml -o - --trace
//! ```
//!
//! This file only reads the command line and reports errors; the protocol lives in the
//! library (`src/lib.rs` and its modules).

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use tftp::client::{self, ClientConfig, Destination};
use tftp::packet::{ErrorCode, Mode};
use tftp::server::{self, ServerConfig};
use tftp::transfer::{Trace, TransferError};

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
    /// Refuse uploads announcing (tsize) more bytes than this.
    #[arg(long, value_name = "BYTES")]
    max_upload: Option<u64>,
    /// During a transfer: seconds to wait for the client's next packet before sending
    /// again. Between transfers the server waits for requests without a limit.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=255))]
    timeout: u64,
    /// Timeouts in a row before a transfer is abandoned.
    #[arg(long, default_value_t = 5)]
    retries: u32,
    /// Stop after this many transfers.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Print every packet to stderr.
    #[arg(long)]
    trace: bool,
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
}

#[derive(Args)]
struct GetArgs {
    /// The server, HOST[:PORT] (port 69 when none is given).
    server: String,
    /// The file's name on the server.
    remote: String,
    /// Where to save it (`-` for standard output); default: the remote name's last part.
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

/// An error for the user: the message, an optional hint, and the exit code.
struct Failure {
    message: String,
    hint: Option<String>,
    code: u8,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            hint: None,
            code: 2,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Get(args) => get(args),
        Command::Put(args) => put(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            if let Some(hint) = failure.hint {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(failure.code)
        }
    }
}

fn serve(args: ServeArgs) -> Result<(), Failure> {
    let address = hostport::resolve(&args.bind, None).map_err(|e| Failure::usage(e.to_string()))?;
    if args.trace {
        Trace::default().line(&format!("bind({address})"));
    }
    let socket = UdpSocket::bind(address).map_err(|error| {
        let explained = hostport::explain_bind_error(&error, address, "udp");
        Failure {
            message: explained.message,
            hint: explained.hint,
            code: 1,
        }
    })?;
    let local = socket.local_addr().map_err(|error| Failure {
        message: format!("getsockname: {}", hostport::describe(&error)),
        hint: None,
        code: 1,
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
    config.trace = args.trace;
    config.log = Some(Arc::new(|log: &server::TransferLog| println!("{log}")));
    if !args.root.is_dir() {
        return Err(Failure {
            message: format!("root directory {} does not exist", args.root.display()),
            hint: Some("create it, or name another with --root DIR".into()),
            code: 2,
        });
    }
    println!("listening on udp {local}");
    server::serve(socket, config, Arc::new(AtomicBool::new(false))).map_err(|error| Failure {
        message: error.to_string(),
        hint: None,
        code: 1,
    })?;
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
        trace: args.trace,
        progress: true,
    })
}

fn server_address(text: &str) -> Result<SocketAddr, Failure> {
    hostport::resolve(text, Some(69)).map_err(|e| Failure::usage(e.to_string()))
}

/// The last part of a path-like name (`a/b/c.txt` → `c.txt`).
fn last_part(name: &str) -> &str {
    name.rsplit(['/', '\\'])
        .find(|part| !part.is_empty())
        .unwrap_or(name)
}

fn get(args: GetArgs) -> Result<(), Failure> {
    let server = server_address(&args.server)?;
    let config = client_config(&args.client)?;
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
    let config = client_config(&args.client)?;
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
    Failure {
        message,
        hint,
        code: 1,
    }
}
