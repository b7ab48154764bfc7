//! `tcp-echo`: the command-line front end of lesson 3 (`lessons/03-tcp-echo.md`).
//!
//! Try it in two terminals:
//!
//! ```text
//! terminal 1$ cargo run -q -p tcp-echo -- serve --bind 127.0.0.1:8899
//! terminal 2$ cargo run -q -p tcp-echo -- send 127.0.0.1:8899 hello
//! ```
//!
//! Everything that touches the network lives in the library (`src/lib.rs` and its
//! modules); this file parses the command line, calls it, and turns errors into an
//! `error: ...` line (plus a `hint: ...`) and an exit code: 0 ok, 1 failure at run time,
//! 2 bad usage or input.

use std::io::{self, BufReader, IsTerminal, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use say::{Failure, LadderMode};
use tcp_echo::Trace;
use tcp_echo::client::{self, ClientOptions};
use tcp_echo::server::{self, ServeOptions, Stop};
use wire_text::TextEncoding;

mod log_lines;

#[derive(Parser)]
#[command(
    name = "tcp-echo",
    version,
    about = "A TCP echo server and its clients (netlab lesson 3)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Listen for TCP clients and send back every byte each one sends.
    Serve {
        /// Address to bind, HOST:PORT. The default answers only this machine; give
        /// 0.0.0.0:8899 (every interface, as Python's '') to let other machines in.
        #[arg(long, default_value = "127.0.0.1:8899")]
        bind: String,
        /// Length of the queue of finished handshakes not yet accepted (listen(N)); the
        /// notes' 5 is too short for a server with many clients arriving at once.
        #[arg(
            long,
            default_value_t = 128,
            value_parser = clap::value_parser!(i32).range(0..=65535)
        )]
        backlog: i32,
        /// Serve one client, then exit (the notes' program).
        #[arg(long, conflicts_with = "count")]
        once: bool,
        /// Serve this many clients, then exit.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=4_294_967_295))]
        count: Option<u64>,
        /// Close connections that arrive while this many clients are being served
        /// (one thread each, so a flood cannot start thousands).
        #[arg(
            long,
            default_value_t = 64,
            value_parser = clap::value_parser!(u64).range(1..=100_000)
        )]
        max_clients: u64,
        /// Drop a client that stays silent this many seconds (counted for each client from
        /// its connection and its last byte; the server itself waits for clients forever).
        #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
        idle_timeout: Option<Duration>,
        /// Listen but never accept: connections pile up in the backlog queue.
        #[arg(long)]
        no_accept: bool,
        /// Stop by itself this many seconds after starting, clients or not (for scripts;
        /// in a terminal, stop the server with Ctrl-C).
        #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
        exit_after: Option<Duration>,
        /// Print every socket call on stderr.
        #[arg(long)]
        trace: bool,
        /// Draw the socket calls as a ladder on stderr, one column per endpoint (the
        /// segments themselves come from a capture: tcpdump, then `ladder FILE`).
        #[arg(long)]
        ladder: bool,
        /// With --ladder: print a mermaid sequenceDiagram on stderr at the end instead.
        #[arg(long, requires = "ladder")]
        mermaid: bool,
    },
    /// Connect, send MESSAGE, half-close, print everything the server sends back.
    Send {
        /// Server address, HOST:PORT.
        address: String,
        /// The text to send.
        #[arg(required_unless_present = "stdin")]
        message: Option<String>,
        /// Send standard input instead of MESSAGE (any size, any bytes).
        #[arg(long, conflicts_with = "message")]
        stdin: bool,
        /// Write the reply's bytes to stdout as they are, nothing else.
        #[arg(long, conflicts_with = "hex")]
        raw: bool,
        /// Show the reply as hex bytes.
        #[arg(long)]
        hex: bool,
        /// Encoding of the text on the wire (utf-8, gbk, gb2312, big5, ...).
        #[arg(long, default_value = "utf-8")]
        encoding: String,
        /// Longest wait for the handshake and for each piece of the reply, in seconds.
        #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_seconds)]
        timeout: Duration,
        /// Print every socket call on stderr.
        #[arg(long)]
        trace: bool,
        /// Draw the socket calls as a ladder on stderr, one column per endpoint (the
        /// segments themselves come from a capture: tcpdump, then `ladder FILE`).
        #[arg(long)]
        ladder: bool,
        /// With --ladder: print a mermaid sequenceDiagram on stderr at the end instead.
        #[arg(long, requires = "ladder")]
        mermaid: bool,
    },
    /// Full duplex: lines from stdin go to the server while its replies print.
    Chat {
        /// Server address, HOST:PORT.
        address: String,
        /// Encoding of the text on the wire.
        #[arg(long, default_value = "utf-8")]
        encoding: String,
        /// Longest wait for the handshake, and for the server once stdin has ended.
        #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_seconds)]
        timeout: Duration,
        /// Print every socket call on stderr.
        #[arg(long)]
        trace: bool,
    },
    /// Open N connections one after another and count the completed handshakes.
    Probe {
        /// Server address, HOST:PORT.
        address: String,
        /// How many connections to open (all kept open until the end).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10000))]
        connections: u64,
        /// Longest wait for each handshake, in seconds.
        #[arg(long, value_name = "SECS", default_value = "1", value_parser = parse_seconds)]
        timeout: Duration,
    },
}

/// `1`, `0.5`, `2.25`: a positive number of seconds.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(value.is_finite() && value > 0.0 && value < 1e9) {
        return Err(format!("'{text}': give a positive number of seconds"));
    }
    Ok(Duration::from_secs_f64(value))
}

fn resolve(text: &str) -> Result<SocketAddr, Failure> {
    hostport::resolve(text, None).map_err(Failure::usage)
}

fn encoding(label: &str) -> Result<TextEncoding, Failure> {
    TextEncoding::for_label(label).map_err(Failure::usage)
}

/// Prints a line on stdout at once. The caller wraps a failure in its own error type,
/// whose `is_closed_pipe` turns a closed pipe (`... | head`) into a quiet success.
fn show(line: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()
}

/// A client command's output line (see [`show`]).
fn show_reply(line: &str) -> Result<(), client::ClientError> {
    show(line).map_err(|source| client::ClientError::Output { source })
}

fn main() -> ExitCode {
    unsolved::install();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve {
            bind,
            backlog,
            once,
            count,
            max_clients,
            idle_timeout,
            no_accept,
            exit_after,
            trace,
            ladder,
            mermaid,
        } => {
            let options = ServeOptions {
                count: if once {
                    Some(1)
                } else {
                    count.map(|count| count as usize)
                },
                max_clients: Some(max_clients as usize),
                idle_timeout,
                no_accept,
                exit_after,
                trace: Trace::new(trace).with_ladder(LadderMode::from_flags(ladder, mermaid)),
            };
            run_serve(&bind, backlog, &options)
        }
        Command::Send {
            address,
            message,
            stdin,
            raw,
            hex,
            encoding: label,
            timeout,
            trace,
            ladder,
            mermaid,
        } => run_send(
            &address,
            if stdin { None } else { message },
            raw,
            hex,
            &label,
            ClientOptions {
                timeout,
                trace: Trace::new(trace).with_ladder(LadderMode::from_flags(ladder, mermaid)),
            },
        ),
        Command::Chat {
            address,
            encoding: label,
            timeout,
            trace,
        } => run_chat(
            &address,
            &label,
            ClientOptions {
                timeout,
                trace: Trace::new(trace),
            },
        ),
        Command::Probe {
            address,
            connections,
            timeout,
        } => run_probe(&address, connections as usize, timeout),
    };
    say::finish(result)
}

fn run_serve(bind: &str, backlog: i32, options: &ServeOptions) -> Result<(), Failure> {
    let address = resolve(bind)?;
    let listener = server::listen(address, backlog, options.trace)?;
    let local = listener.local_addr().map_err(|error| {
        Failure::runtime(format!(
            "reading our address: {}",
            hostport::describe(&error)
        ))
    })?;
    show(&format!("listening on tcp {local}"))
        .map_err(|source| server::ServerError::Output { source })?;
    // The server's log lines; see log_lines.rs for why not `show`. With --trace or
    // --ladder they go out one by one, in step with what is drawn on stderr. When the
    // log's reader goes away (`serve | head -2`) they ask the server to stop.
    let stop = Stop::new();
    let lines = Arc::new(if options.trace.is_on() {
        log_lines::LogLines::unbatched(Box::new(io::stdout()), stop.clone())
    } else {
        log_lines::LogLines::new(Box::new(io::stdout()), stop.clone())
    });
    let log: server::Log = {
        let lines = Arc::clone(&lines);
        Arc::new(move |line: &str| lines.say(line))
    };
    let served = server::serve(listener, options, &stop, log);
    lines.flush();
    served?;
    // Stopped because nobody reads the log any more: a quiet success (see say::finish).
    if let Some(source) = lines.take_closed_pipe() {
        return Err(server::ServerError::Output { source }.into());
    }
    Ok(())
}

fn run_send(
    address: &str,
    message: Option<String>,
    raw: bool,
    hex: bool,
    label: &str,
    options: ClientOptions,
) -> Result<(), Failure> {
    let address = resolve(address)?;
    let encoding = encoding(label)?;
    let message_bytes = match &message {
        Some(text) => Some(encoding.encode(text).map_err(Failure::usage)?),
        None => None,
    };
    let mut stdin = Progress::new(io::stdin());
    let mut given: &[u8] = message_bytes.as_deref().unwrap_or_default();
    let source: &mut (dyn io::Read + Send) = if message_bytes.is_some() {
        &mut given
    } else {
        &mut stdin
    };
    if raw {
        let mut stdout = io::stdout().lock();
        let result = client::send(address, source, &mut stdout, options);
        stdin.finish();
        result?;
        stdout
            .flush()
            .map_err(|source| client::ClientError::Output { source })?;
        return Ok(());
    }
    let mut reply = Vec::new();
    let result = client::send(address, source, &mut reply, options);
    stdin.finish();
    let exchange = result?;
    show_reply(&format!(
        "sent {} bytes to {address} from {}",
        exchange.sent, exchange.local
    ))?;
    let calls = exchange.received.recv_calls;
    let shown = if hex {
        wire_text::hex(&reply)
    } else {
        let decoded = encoding.decode(&reply);
        if decoded.had_errors {
            eprintln!(
                "warning: the reply is not valid {}; bad bytes are shown as U+FFFD (try --hex)",
                encoding.name()
            );
        }
        decoded.text
    };
    show_reply(&format!(
        "received {} bytes in {calls} recv call{}: {shown}",
        exchange.received.bytes,
        if calls == 1 { "" } else { "s" }
    ))?;
    Ok(())
}

/// Standard input that shows how much has been sent, on stderr, when stderr is a
/// terminal (a long `send --stdin`); silent otherwise, so scripts and tests see nothing.
struct Progress<R> {
    inner: R,
    sent: u64,
    shown: u64,
    enabled: bool,
}

impl<R> Progress<R> {
    const STEP: u64 = 1024 * 1024;

    fn new(inner: R) -> Progress<R> {
        Progress {
            inner,
            sent: 0,
            shown: 0,
            enabled: io::stderr().is_terminal(),
        }
    }

    /// Ends the progress line, if one was shown.
    fn finish(&self) {
        if self.enabled && self.shown > 0 {
            eprintln!();
        }
    }
}

impl<R: io::Read> io::Read for Progress<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let count = self.inner.read(buffer)?;
        self.sent += count as u64;
        if self.enabled && self.sent >= self.shown + Self::STEP {
            self.shown = self.sent;
            eprint!("\rsent {:.1} MiB", self.sent as f64 / Self::STEP as f64);
        }
        Ok(count)
    }
}

fn run_chat(address: &str, label: &str, options: ClientOptions) -> Result<(), Failure> {
    let address = resolve(address)?;
    let encoding = encoding(label)?;
    let stream = client::connect(address, options.timeout, options.trace)?;
    match stream.local_addr() {
        Ok(local) => eprintln!("connected to {address} from {local}; end input with Ctrl-D"),
        Err(_) => eprintln!("connected to {address}; end input with Ctrl-D"),
    }
    let input = BufReader::new(io::stdin());
    let mut stdout = io::stdout();
    client::chat(stream, input, &mut stdout, encoding, options)?;
    eprintln!("the server closed the connection");
    Ok(())
}

fn run_probe(address: &str, connections: usize, timeout: Duration) -> Result<(), Failure> {
    let address = resolve(address)?;
    // A line the reader no longer wants is not a reason to stop probing half way; the
    // last line below reports the closed pipe (a quiet success).
    let summary = client::probe(address, connections, timeout, &mut |line| {
        let _ = show(line);
    })?;
    show_reply(&format!(
        "completed {}/{} handshakes",
        summary.completed(),
        summary.attempts.len()
    ))?;
    Ok(())
}
