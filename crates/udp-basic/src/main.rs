//! `udp-basic`: send and receive single UDP datagrams, as in the first programs of the
//! Python notes. Lesson 1, `lessons/01-udp-basic.md`.
//!
//! Try it in two terminals:
//!
//! ```text
//! terminal 1$ cargo run -q -p udp-basic -- recv --bind 127.0.0.1:7788
//! terminal 2$ cargo run -q -p udp-basic -- send 127.0.0.1:7788 你好
//! ```
//!
//! This file only reads the command line and prints; the networking is in `lib.rs`.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use udp_basic::{ReceiveOptions, Trace, UdpError};
use wire_text::TextEncoding;

/// Send and receive UDP datagrams, like the Python notes' sendto/recvfrom.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Send one datagram from a port the OS picks (Python: sendto(data, (host, port))).
    Send {
        /// Where to send, HOST:PORT (for example 127.0.0.1:7788 or [::1]:7788).
        address: String,
        /// The text to send.
        message: String,
        /// How to turn the text into bytes: utf-8, gbk, gb2312, gb18030, big5, ...
        #[arg(long, default_value = "utf-8")]
        encoding: String,
        /// Also print the bytes in hex.
        #[arg(long)]
        hex: bool,
        /// Print each socket call on stderr.
        #[arg(long)]
        trace: bool,
    },
    /// Bind a port and print each datagram that arrives (Python: bind + recvfrom(1024)).
    Recv {
        /// The address to bind, HOST:PORT (Python: bind(('', 7788)) is 0.0.0.0:7788).
        #[arg(long, default_value = "0.0.0.0:7788")]
        bind: String,
        /// The recvfrom buffer size in bytes; longer datagrams are cut, and we say so.
        #[arg(long, default_value_t = udp_basic::DEFAULT_BUFFER)]
        buffer: usize,
        /// How many datagrams to receive before exiting.
        #[arg(long, default_value_t = 1)]
        count: u64,
        /// How to turn received bytes into text.
        #[arg(long, default_value = "utf-8")]
        encoding: String,
        /// Also print the bytes in hex.
        #[arg(long)]
        hex: bool,
        /// Seconds to wait for each datagram.
        #[arg(long, default_value_t = 120.0)]
        timeout: f64,
        /// Count datagrams instead of printing them, and report how many were lost
        /// (ends --timeout seconds after the last one).
        #[arg(long)]
        report: bool,
        /// Ask for this receive buffer (SO_RCVBUF) in bytes; small buffers overflow.
        #[arg(long)]
        rcvbuf: Option<usize>,
        /// Stay busy this many milliseconds before the first recvfrom, like a program
        /// doing other work: datagrams pile up in the receive buffer meanwhile.
        #[arg(long, default_value_t = 0)]
        busy_ms: u64,
        /// Print each socket call on stderr.
        #[arg(long)]
        trace: bool,
    },
    /// Send many numbered datagrams as fast as possible (the loss experiment).
    Blast {
        /// Where to send, HOST:PORT.
        address: String,
        /// How many datagrams.
        #[arg(long)]
        count: u64,
        /// Bytes per datagram (the first 8 carry the sequence number).
        #[arg(long, default_value_t = 100)]
        size: usize,
        /// At most this many datagrams per second (default: as fast as possible).
        #[arg(long)]
        rate: Option<u32>,
        /// Print the first socket calls on stderr.
        #[arg(long)]
        trace: bool,
    },
}

/// A failure to report: one `error:` line, maybe a `hint:`, and an exit status.
struct Failure {
    message: String,
    hint: Option<String>,
    code: u8,
}

impl Failure {
    /// Bad input from the user: exit status 2.
    fn usage(message: impl ToString) -> Failure {
        Failure {
            message: message.to_string(),
            hint: None,
            code: 2,
        }
    }
}

impl From<UdpError> for Failure {
    fn from(error: UdpError) -> Self {
        Failure {
            message: error.to_string(),
            hint: error.hint(),
            code: error.exit_code(),
        }
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        UdpError::Output(error).into()
    }
}

fn main() -> ExitCode {
    unsolved::install();
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        // Our output went to a pipe that closed (`| head`): nothing left to say.
        Err(failure) if failure.message.contains("broken pipe") => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            if let Some(hint) = failure.hint {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(failure.code)
        }
    }
}

fn address(text: &str) -> Result<SocketAddr, Failure> {
    hostport::resolve(text, None).map_err(Failure::usage)
}

fn encoding(label: &str) -> Result<TextEncoding, Failure> {
    TextEncoding::for_label(label).map_err(Failure::usage)
}

fn seconds(value: f64) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            Failure::usage(format!(
                "--timeout {value}: give a positive number of seconds"
            ))
        })
}

fn run(command: Command) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    match command {
        Command::Send {
            address: destination,
            message,
            encoding: label,
            hex,
            trace,
        } => {
            let destination = address(&destination)?;
            let payload = encoding(&label)?.encode(&message).map_err(UdpError::from)?;
            let report = udp_basic::send(destination, &payload, Trace { enabled: trace })?;
            writeln!(
                stdout,
                "sent {} bytes to {} from {}",
                report.bytes, report.destination, report.local
            )?;
            if hex {
                writeln!(stdout, "  hex: {}", wire_text::hex(&payload))?;
            }
        }
        Command::Recv {
            bind,
            buffer,
            count,
            encoding: label,
            hex,
            timeout,
            report,
            rcvbuf,
            busy_ms,
            trace,
        } => {
            let bind = address(&bind)?;
            let options = ReceiveOptions {
                buffer,
                count,
                timeout: seconds(timeout)?,
                encoding: encoding(&label)?,
                hex,
            };
            if buffer == 0 {
                return Err(Failure::usage(
                    "--buffer 0 can hold nothing: give at least 1 byte",
                ));
            }
            let trace = Trace { enabled: trace };
            let socket = udp_basic::bind(bind, rcvbuf, trace)?;
            let local = udp_basic::local_address(&socket)?;
            writeln!(stdout, "listening on udp {local}")?;
            stdout.flush()?;
            if busy_ms > 0 {
                std::thread::sleep(Duration::from_millis(busy_ms));
            }
            if report {
                let result =
                    udp_basic::receive_report(&socket, count, options.timeout, options.timeout)?;
                writeln!(stdout, "{result}")?;
            } else {
                let mut stderr = io::stderr();
                udp_basic::receive_loop(&socket, &options, trace, &mut stdout, &mut stderr)?;
            }
        }
        Command::Blast {
            address: destination,
            count,
            size,
            rate,
            trace,
        } => {
            let destination = address(&destination)?;
            let report =
                udp_basic::blast(destination, count, size, rate, Trace { enabled: trace })?;
            writeln!(
                stdout,
                "sent {} datagrams of {} bytes to {destination} from {} in {} ms",
                report.sent,
                report.size,
                report.local,
                report.elapsed.as_millis()
            )?;
        }
    }
    Ok(())
}
