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
use say::{Failure, LadderMode};
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
        /// Draw the exchange on stderr as a ladder, one arrow per datagram, as wide as the
        /// terminal.
        #[arg(long)]
        ladder: bool,
        /// With --ladder: print a mermaid sequenceDiagram on stderr at the end instead.
        #[arg(long, requires = "ladder")]
        mermaid: bool,
    },
    /// Bind a port and print each datagram that arrives (Python: bind + recvfrom(1024)).
    Recv {
        /// The address to bind, HOST:PORT (Python: bind(('', 7788)) is 0.0.0.0:7788).
        #[arg(long, default_value = "0.0.0.0:7788")]
        bind: String,
        /// The recvfrom buffer size in bytes, 1 to 65535; longer datagrams are cut, and we
        /// say so. A UDP datagram is never longer than 65535 bytes (its length field has
        /// 16 bits), so a bigger buffer could never fill.
        #[arg(long, default_value_t = udp_basic::DEFAULT_BUFFER, value_parser = parse_buffer)]
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
        /// Idle time: once datagrams have started to arrive, give up when the next one
        /// takes longer than this many seconds. The first datagram is awaited without a
        /// time limit, so you can start the sender whenever you like (Ctrl-C stops the
        /// receiver).
        #[arg(long, default_value_t = 120.0)]
        timeout: f64,
        /// Count datagrams instead of printing them, and report how many were lost
        /// (ends --timeout seconds after the last one).
        #[arg(long)]
        report: bool,
        /// Ask for this receive buffer (SO_RCVBUF) in bytes, 1 to 16777216; small buffers
        /// overflow.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=16_777_216))]
        rcvbuf: Option<u32>,
        /// When the first datagram has arrived, stay busy this many milliseconds (at most
        /// 60000) before receiving it, like a program working on one request: the next
        /// datagrams pile up in the receive buffer meanwhile.
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
        busy_ms: u64,
        /// Print each socket call on stderr.
        #[arg(long)]
        trace: bool,
        /// Draw the exchange on stderr as a ladder, one arrow per datagram, as wide as the
        /// terminal.
        #[arg(long)]
        ladder: bool,
        /// With --ladder: print a mermaid sequenceDiagram on stderr at the end instead.
        #[arg(long, requires = "ladder")]
        mermaid: bool,
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
        /// Draw every datagram on stderr as an arrow of a ladder.
        #[arg(long)]
        ladder: bool,
        /// With --ladder: print a mermaid sequenceDiagram on stderr at the end instead.
        #[arg(long, requires = "ladder")]
        mermaid: bool,
    },
}

fn main() -> ExitCode {
    unsolved::install();
    let cli = Cli::parse();
    say::finish(run(cli.command))
}

fn address(text: &str) -> Result<SocketAddr, Failure> {
    hostport::resolve(text, None).map_err(Failure::usage)
}

/// `--buffer`: 1 to 65535 bytes, the most one UDP datagram can hold (its 16-bit length).
fn parse_buffer(text: &str) -> Result<usize, String> {
    match text.parse::<u64>() {
        Ok(bytes) if (1..=MAX_BUFFER).contains(&bytes) => Ok(bytes as usize),
        Ok(0) => Err("0 bytes can hold nothing: give 1 to 65535".to_string()),
        _ => Err(format!(
            "give 1 to {MAX_BUFFER} bytes: no UDP datagram is longer than {MAX_BUFFER} \
             (its length field has 16 bits)"
        )),
    }
}

/// The largest `--buffer`: a UDP datagram's length is a 16-bit number.
const MAX_BUFFER: u64 = 65_535;

/// The longest `--timeout`, one day: any longer and nobody is waiting.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

fn encoding(label: &str) -> Result<TextEncoding, Failure> {
    TextEncoding::for_label(label).map_err(Failure::usage)
}

fn seconds(value: f64) -> Result<Duration, Failure> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero() && value <= MAX_TIMEOUT_SECS)
        .ok_or_else(|| {
            Failure::usage(format!(
                "--timeout {value}: give a positive number of seconds, at most {MAX_TIMEOUT_SECS}"
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
            ladder,
            mermaid,
        } => {
            let destination = address(&destination)?;
            let payload = encoding(&label)?.encode(&message).map_err(UdpError::from)?;
            let trace = Trace::new(trace).with_ladder(LadderMode::from_flags(ladder, mermaid));
            let report = udp_basic::send(destination, &payload, trace)?;
            writeln!(
                stdout,
                "sent {} bytes to {} from {}",
                report.bytes, report.destination, report.local
            )
            .map_err(UdpError::Output)?;
            if hex {
                writeln!(stdout, "  hex: {}", wire_text::hex(&payload))
                    .map_err(UdpError::Output)?;
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
            ladder,
            mermaid,
        } => {
            let bind = address(&bind)?;
            let options = ReceiveOptions {
                buffer,
                count,
                timeout: seconds(timeout)?,
                encoding: encoding(&label)?,
                hex,
            };
            let trace = Trace::new(trace).with_ladder(LadderMode::from_flags(ladder, mermaid));
            let socket = udp_basic::bind(bind, rcvbuf.map(|bytes| bytes as usize), trace)?;
            let local = udp_basic::local_address(&socket)?;
            writeln!(stdout, "listening on udp {local}").map_err(UdpError::Output)?;
            stdout.flush().map_err(UdpError::Output)?;
            // A person starts the sender after this line, in another terminal, whenever
            // they are ready: no deadline until the first datagram is here.
            if count > 0 {
                udp_basic::wait_for_first_datagram(&socket, trace)?;
            }
            if busy_ms > 0 {
                std::thread::sleep(Duration::from_millis(busy_ms));
            }
            if report {
                let result =
                    udp_basic::receive_report(&socket, count, options.timeout, options.timeout)?;
                writeln!(stdout, "{result}").map_err(UdpError::Output)?;
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
            ladder,
            mermaid,
        } => {
            let destination = address(&destination)?;
            let trace = Trace::new(trace).with_ladder(LadderMode::from_flags(ladder, mermaid));
            let report = udp_basic::blast(destination, count, size, rate, trace)?;
            writeln!(
                stdout,
                "sent {} datagrams of {} bytes to {destination} from {} in {} ms",
                report.sent,
                report.size,
                report.local,
                report.elapsed.as_millis()
            )
            .map_err(UdpError::Output)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_output_pipe_is_told_by_its_error_kind() {
        let closed = Failure::from(UdpError::Output(io::Error::from(io::ErrorKind::BrokenPipe)));
        assert!(closed.is_closed_pipe());
        // The same words in another error are not a closed pipe.
        let other = Failure::from(UdpError::Output(io::Error::other("broken pipe")));
        assert!(!other.is_closed_pipe());
    }
}
