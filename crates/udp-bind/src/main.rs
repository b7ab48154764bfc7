//! `udp-bind`: the command-line front end of lesson 2 (ports, bind, echo, broadcast,
//! duplex). All the networking lives in the library (`src/lib.rs` and its modules); this
//! file parses arguments, calls it, and turns errors into `error:`/`hint:` lines and an
//! exit status (0 ok, 1 failure at run time, 2 bad usage or input).
//!
//! Try it in two terminals:
//!
//! ```text
//! terminal 1$ cargo run -q -p udp-bind -- recv --port 7788
//! terminal 2$ cargo run -q -p udp-bind -- send 127.0.0.1:7788 hello --from-port 5555
//! ```

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use say::{Failure, LadderMode};
use udp_bind::bind::{BindOptions, bind_udp, sender_socket};
use udp_bind::chat::{ChatOptions, Mode};
use udp_bind::echo::EchoOptions;
use udp_bind::{Error, Trace, broadcast, chat, echo, local_address, plural};
use wire_text::TextEncoding;

#[derive(Parser)]
#[command(
    name = "udp-bind",
    version,
    about = "Lesson 2: ports and bind, address in use, SO_REUSEPORT, echo, broadcast, duplex"
)]
struct Cli {
    /// Print each socket call on stderr (bind, sendto, recvfrom), in the notes' terms.
    #[arg(long, global = true)]
    trace: bool,
    /// Draw the exchange on stderr as a ladder, one arrow per datagram, as it happens,
    /// as wide as the terminal.
    #[arg(long, global = true)]
    ladder: bool,
    /// With --ladder: print a mermaid sequenceDiagram on stderr at the end instead.
    #[arg(long, global = true, requires = "ladder")]
    mermaid: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bind a fixed port and print each datagram with its sender (Python: bind + recvfrom).
    Recv {
        /// The local address to bind, HOST:PORT (the notes' bind(('', 7788)) is
        /// 0.0.0.0:7788; 127.0.0.1:7788 is loopback only, [::]:7788 every IPv6 interface).
        #[arg(long, conflicts_with_all = ["port", "host"])]
        bind: Option<String>,
        /// Short for --bind 0.0.0.0:PORT.
        #[arg(long, default_value_t = 7788)]
        port: u16,
        /// With --port: the local IP address to bind instead of 0.0.0.0.
        #[arg(long, default_value = "0.0.0.0")]
        host: IpAddr,
        /// Share the port with other receivers that also set SO_REUSEPORT.
        #[arg(long)]
        reuse_port: bool,
        /// Set SO_REUSEADDR before bind (compare with --reuse-port in the lesson).
        #[arg(long)]
        reuse_address: bool,
        /// Stop after this many datagrams.
        #[arg(long)]
        count: Option<u64>,
        /// Idle time: once datagrams have started to arrive, stop when the next one takes
        /// longer than this many seconds (an error if --count was not reached yet). The
        /// first datagram is awaited without a time limit (Ctrl-C stops the receiver).
        #[arg(long, value_parser = parse_seconds)]
        timeout: Option<Duration>,
        /// How to decode the bytes (any WHATWG label: utf-8, gbk, gb2312, big5, ...).
        #[arg(long, default_value = "utf-8", value_parser = parse_encoding)]
        encoding: TextEncoding,
    },
    /// Send one datagram to HOST:PORT; without --from-port the OS picks the source port.
    Send {
        /// Where to send, as HOST:PORT (127.0.0.1:7788, localhost:7788, [::1]:7788).
        address: String,
        /// The text to send.
        message: String,
        /// Bind this source port first, so the receiver sees the same port every run.
        #[arg(long, conflicts_with = "bind")]
        from_port: Option<u16>,
        /// Bind this local address, HOST:PORT, first (--from-port P is 0.0.0.0:P).
        #[arg(long)]
        bind: Option<String>,
        /// How to encode the text (any WHATWG label: utf-8, gbk, gb2312, big5, ...).
        #[arg(long, default_value = "utf-8", value_parser = parse_encoding)]
        encoding: TextEncoding,
        /// Wait for one datagram back (from an echo server) and print it.
        #[arg(long)]
        wait_reply: bool,
        /// How long --wait-reply waits for the answer, in seconds.
        #[arg(long, default_value = "2", value_parser = parse_seconds)]
        timeout: Duration,
    },
    /// A UDP echo server: send every datagram back to the address it came from.
    Echo {
        /// The local address to bind, HOST:PORT (0.0.0.0:7788: every interface).
        #[arg(long, conflicts_with_all = ["port", "host"])]
        bind: Option<String>,
        /// Short for --bind 0.0.0.0:PORT.
        #[arg(long, default_value_t = 7788)]
        port: u16,
        /// With --port: the local IP address to bind instead of 0.0.0.0.
        #[arg(long, default_value = "0.0.0.0")]
        host: IpAddr,
        /// Stop after answering this many datagrams.
        #[arg(long)]
        count: Option<u64>,
        /// Reply in upper case (exercise 2.1).
        #[arg(long)]
        upper: bool,
        /// Idle time: once datagrams have started to arrive, fail when the next one takes
        /// longer than this many seconds. The first is awaited without a time limit.
        #[arg(long, value_parser = parse_seconds)]
        timeout: Option<Duration>,
    },
    /// Send one datagram to a broadcast address (127.255.255.255 unless --to says otherwise).
    Broadcast {
        /// The port the receivers bound.
        port: u16,
        /// The text to send.
        message: String,
        /// The broadcast address. The default, 127.255.255.255, never leaves this machine;
        /// 255.255.255.255 or a subnet's broadcast go out on a real network.
        #[arg(long, default_value = "127.255.255.255")]
        to: IpAddr,
        /// Do not set SO_BROADCAST, to see the OS refuse (EACCES).
        #[arg(long)]
        without_so_broadcast: bool,
        /// The local address to send from, HOST:PORT (default 0.0.0.0:0: the OS picks).
        #[arg(long, default_value = "0.0.0.0:0")]
        bind: String,
        /// How to encode the text.
        #[arg(long, default_value = "utf-8", value_parser = parse_encoding)]
        encoding: TextEncoding,
    },
    /// Chat with a peer: stdin lines go to it, its lines are printed (simplex, half, full).
    Chat {
        /// Our local address, HOST:PORT (the peer sends here).
        #[arg(long, conflicts_with_all = ["port", "host"])]
        bind: Option<String>,
        /// Short for --bind 0.0.0.0:PORT.
        #[arg(long, default_value_t = 7788)]
        port: u16,
        /// With --port: the local IP address to bind instead of 0.0.0.0.
        #[arg(long, default_value = "0.0.0.0")]
        host: IpAddr,
        /// The peer's HOST:PORT.
        #[arg(long)]
        peer: String,
        /// simplex (one way), half (take turns, like a pager), full (both at once, a phone).
        #[arg(long, value_enum, default_value_t = ModeArg::Full)]
        mode: ModeArg,
        /// Simplex only: only receive.
        #[arg(long)]
        listen_only: bool,
        /// Half duplex only: let the peer talk first.
        #[arg(long)]
        listen_first: bool,
        /// Lines to receive before ending (listen-only, full).
        #[arg(long)]
        count: Option<u64>,
        /// How long to wait for the peer, in seconds (half: for each answer; simplex
        /// --listen-only: between lines; full: for --count lines after stdin ended).
        #[arg(long, default_value = "30", value_parser = parse_seconds)]
        timeout: Duration,
        /// How to encode and decode the text.
        #[arg(long, default_value = "utf-8", value_parser = parse_encoding)]
        encoding: TextEncoding,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ModeArg {
    Simplex,
    Half,
    Full,
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if seconds.is_finite() && seconds > 0.0 && seconds < 1e9 {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        Err(format!(
            "'{text}': give a positive number of seconds, such as 2 or 0.5"
        ))
    }
}

/// A HOST:PORT the user typed.
fn address(text: &str) -> Result<SocketAddr, Failure> {
    hostport::resolve(text, None).map_err(Failure::usage)
}

/// The local address: `--bind HOST:PORT`, or its shorthand `--port P [--host IP]`.
fn local(bind: Option<String>, host: IpAddr, port: u16) -> Result<SocketAddr, Failure> {
    match bind {
        Some(bind) => address(&bind),
        None => Ok(SocketAddr::new(host, port)),
    }
}

fn parse_encoding(label: &str) -> Result<TextEncoding, String> {
    TextEncoding::for_label(label).map_err(|error| error.to_string())
}

fn main() -> ExitCode {
    unsolved::install();
    let cli = Cli::parse();
    say::finish(run(cli))
}

/// Prints the readiness line: the real address, as soon as the socket can receive.
/// Flushed at once, so whoever waits for it (a person, a test) sees it now.
fn ready(socket: &std::net::UdpSocket, stdout: &mut io::Stdout) -> Result<(), Failure> {
    let address = local_address(socket)?;
    writeln!(stdout, "listening on udp {address}").map_err(Error::Output)?;
    stdout.flush().map_err(Error::Output)?;
    Ok(())
}

fn run(cli: Cli) -> Result<(), Failure> {
    let trace = Trace::new(cli.trace).with_ladder(LadderMode::from_flags(cli.ladder, cli.mermaid));
    let mut stdout = io::stdout();
    match cli.command {
        Command::Recv {
            bind,
            port,
            host,
            reuse_port,
            reuse_address,
            count,
            timeout,
            encoding,
        } => {
            let options = BindOptions {
                reuse_address,
                reuse_port,
                broadcast: false,
            };
            let socket = bind_udp(local(bind, host, port)?, options, trace)?;
            ready(&socket, &mut stdout)?;
            udp_bind::bind::receive(&socket, count, timeout, encoding, &mut stdout, trace)?;
        }
        Command::Send {
            address: to,
            message,
            from_port,
            bind,
            encoding,
            wait_reply,
            timeout,
        } => {
            let to = address(&to)?;
            let payload = encoding.encode(&message).map_err(Error::Encode)?;
            let socket = match bind {
                Some(bind) => bind_udp(address(&bind)?, BindOptions::default(), trace)?,
                None => sender_socket(to, from_port, trace)?,
            };
            let wait = wait_reply.then_some(timeout);
            udp_bind::bind::send(&socket, to, &payload, wait, encoding, &mut stdout, trace)?;
        }
        Command::Echo {
            bind,
            port,
            host,
            count,
            upper,
            timeout,
        } => {
            let socket = bind_udp(local(bind, host, port)?, BindOptions::default(), trace)?;
            ready(&socket, &mut stdout)?;
            if timeout.is_some() && count != Some(0) {
                // --timeout is idle time once clients have started to write: the first
                // datagram may take as long as the person needs to start a client.
                udp_bind::wait_for_first_datagram(&socket, trace)?;
            }
            let options = EchoOptions {
                count,
                upper,
                timeout,
            };
            let summary = echo::serve_echo(&socket, &options, &mut stdout, trace)?;
            writeln!(
                stdout,
                "served {} from {}",
                plural(summary.datagrams, "datagram"),
                plural(summary.clients as u64, "client")
            )
            .map_err(Error::Output)?;
        }
        Command::Broadcast {
            port,
            message,
            to,
            without_so_broadcast,
            bind,
            encoding,
        } => {
            let payload = encoding.encode(&message).map_err(Error::Encode)?;
            let from = address(&bind)?;
            let sent =
                broadcast::broadcast(from, port, to, &payload, !without_so_broadcast, trace)?;
            let bytes = udp_bind::count_bytes(payload.len());
            if sent.broadcast {
                writeln!(
                    stdout,
                    "broadcast {bytes} to {to}:{port} from {} (SO_BROADCAST on)",
                    sent.from
                )
                .map_err(Error::Output)?;
            } else {
                writeln!(
                    stdout,
                    "sent {bytes} to {to}:{port} from {} (not a broadcast: {to} is one host's \
                     address, so one socket gets it; the loopback broadcast is {})",
                    sent.from,
                    broadcast::LOOPBACK_BROADCAST
                )
                .map_err(Error::Output)?;
            }
        }
        Command::Chat {
            bind,
            port,
            host,
            peer,
            mode,
            listen_only,
            listen_first,
            count,
            timeout,
            encoding,
        } => {
            let peer = address(&peer)?;
            let mode = match mode {
                ModeArg::Simplex => Mode::Simplex,
                ModeArg::Half => Mode::Half,
                ModeArg::Full => Mode::Full,
            };
            if listen_only && mode != Mode::Simplex {
                return Err(Failure::usage("--listen-only belongs to --mode simplex"));
            }
            if listen_first && mode != Mode::Half {
                return Err(Failure::usage("--listen-first belongs to --mode half"));
            }
            let socket = bind_udp(local(bind, host, port)?, BindOptions::default(), trace)?;
            ready(&socket, &mut stdout)?;
            let options = ChatOptions {
                mode,
                listen_only,
                listen_first,
                count,
                timeout: Some(timeout),
                encoding,
            };
            let stdin = io::stdin();
            let mut input = stdin.lock();
            chat::chat(&socket, peer, &options, &mut input, &mut stdout, trace)?;
        }
    }
    stdout.flush().map_err(Error::Output)?;
    Ok(())
}
