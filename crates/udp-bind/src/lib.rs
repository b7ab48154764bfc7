//! # udp-bind: ports, `bind`, echo, broadcast and duplex (lesson 2)
//!
//! The Python notes make a handful of claims about ports (端口) and binding; this crate
//! turns each one into something you run and see, and corrects the ones that are
//! imprecise (the lesson is `lessons/02-udp-bind.md`):
//!
//! * "a port marks a process" and "two programs on one OS cannot share a port": a second
//!   `bind` of the same UDP address fails with *address in use* ([`bind::bind_udp`]), unless
//!   every socket asks to share it with `SO_REUSEPORT` ([`bind::BindOptions`]). And the
//!   rule is per protocol: TCP and UDP may use the same port number at the same time.
//! * "the receiver binds a fixed port, the sender usually does not": a socket that never
//!   called `bind` gets a port from the OS at its first `sendto`
//!   ([`bind::sender_socket`]), a new one every run.
//! * echo, the first request/response protocol: [`echo::serve_echo`] answers each sender
//!   at the address its datagram came from.
//! * "only UDP has broadcast": [`broadcast::broadcast`] sends to `127.255.255.255` (the
//!   loopback broadcast address, so nothing leaves the machine), and shows that a socket
//!   must ask for it first (`SO_BROADCAST`), or the OS answers `EACCES`.
//! * simplex (单工, broadcast), half duplex (半双工, a pager) and full duplex (全双工, a
//!   phone): [`chat::chat`] in its three modes.
//!
//! Try it in two terminals:
//!
//! ```text
//! terminal 1$ cargo run -q -p udp-bind -- echo --port 7788
//! listening on udp 0.0.0.0:7788
//! terminal 2$ cargo run -q -p udp-bind -- send 127.0.0.1:7788 hello --wait-reply
//! sent 5 bytes to 127.0.0.1:7788 from 0.0.0.0:53211
//! reply from 127.0.0.1:7788: hello
//! ```

pub mod bind;
pub mod broadcast;
pub mod chat;
pub mod echo;

use std::fmt;
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::time::Duration;

/// The largest payload one UDP datagram over IPv4 can carry (65535 − 8 UDP header − 20 IP
/// header). A buffer this big never cuts a datagram short, unlike the notes' `recvfrom(1024)`.
pub const MAX_DATAGRAM: usize = 65_507;

/// Prints socket calls to stderr in the notes' terms (`bind(0.0.0.0:7788)`,
/// `sendto(127.0.0.1:7788, 6 bytes)`), when `--trace` asked for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Trace {
    enabled: bool,
}

impl Trace {
    /// Prints nothing.
    pub const OFF: Trace = Trace { enabled: false };
    /// Prints each socket call on stderr.
    pub const STDERR: Trace = Trace { enabled: true };

    /// Trace on or off.
    pub fn new(enabled: bool) -> Trace {
        Trace { enabled }
    }

    /// Prints one line, when tracing.
    pub fn say(&self, line: fmt::Arguments<'_>) {
        if self.enabled {
            eprintln!("{line}");
        }
    }
}

/// Everything that can go wrong in this crate, each as a sentence for the student.
#[derive(Debug)]
pub enum Error {
    /// `bind` failed: address in use, privileged port, or not an address of this machine.
    Bind {
        explained: hostport::Explained,
        /// True when the cause was "address in use", so `--reuse-port` is worth a mention.
        in_use: bool,
    },
    /// This operating system has no `SO_REUSEPORT` (Windows, for example).
    ReusePortUnsupported,
    /// Creating or configuring a socket failed.
    Setup {
        what: &'static str,
        source: io::Error,
    },
    /// `sendto` failed.
    Send { to: SocketAddr, source: io::Error },
    /// `sendto` to a broadcast address was refused (`EACCES`): no `SO_BROADCAST`.
    BroadcastRefused { to: SocketAddr },
    /// IPv6 has no broadcast at all (it uses multicast instead).
    NoBroadcastInIpv6 { to: IpAddr },
    /// `recvfrom` failed.
    Receive { source: io::Error },
    /// Nothing arrived before the timeout.
    Silence { waited: Duration },
    /// We sent a request and no reply came back before the timeout.
    NoReply { from: SocketAddr, waited: Duration },
    /// The message cannot be written in the chosen encoding.
    Encode(wire_text::EncodeError),
    /// Reading standard input failed.
    Input(io::Error),
    /// Writing our output failed.
    Output(io::Error),
}

impl Error {
    /// A suggestion for the common causes, printed as `hint: ...` by the binary.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Bind { explained, in_use } => {
                let hint = explained.hint.clone()?;
                if *in_use {
                    Some(format!(
                        "{hint}; or, to share the port on purpose, start every receiver with --reuse-port"
                    ))
                } else {
                    Some(hint)
                }
            }
            Error::ReusePortUnsupported => Some(
                "run without --reuse-port, or try the lesson on Linux or macOS".to_string(),
            ),
            Error::BroadcastRefused { .. } => Some(
                "set SO_BROADCAST before sending, as Python does with \
                 s.setsockopt(SOL_SOCKET, SO_BROADCAST, 1); udp-bind does it unless \
                 --without-so-broadcast"
                    .to_string(),
            ),
            Error::NoBroadcastInIpv6 { .. } => Some(
                "use an IPv4 broadcast address such as 127.255.255.255 (loopback)".to_string(),
            ),
            Error::Silence { .. } => Some(
                "UDP tells nobody when a datagram goes nowhere: check the sender's address and port"
                    .to_string(),
            ),
            Error::NoReply { from, .. } => Some(format!(
                "UDP reports nothing when no one listens: is a server (cargo run -q -p udp-bind -- echo --port {}) running at {from}?",
                from.port()
            )),
            _ => None,
        }
    }

    /// The exit status the binary uses: 2 for bad input, 1 for everything at run time.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Encode(_) | Error::NoBroadcastInIpv6 { .. } => 2,
            _ => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Bind { explained, .. } => write!(f, "{}", explained.message),
            Error::ReusePortUnsupported => {
                write!(f, "SO_REUSEPORT is not available on this operating system")
            }
            Error::Setup { what, source } => {
                write!(f, "{what}: {}", hostport::describe(source))
            }
            Error::Send { to, source } => {
                write!(f, "sendto({to}) failed: {}", hostport::describe(source))
            }
            Error::BroadcastRefused { to } => write!(
                f,
                "sendto({to}) was refused with EACCES (permission denied): a socket must ask \
                 for broadcast (SO_BROADCAST) before it may send to a broadcast address"
            ),
            Error::NoBroadcastInIpv6 { to } => write!(
                f,
                "{to} is an IPv6 address, and IPv6 has no broadcast (it uses multicast, such as ff02::1)"
            ),
            Error::Receive { source } => {
                write!(f, "recvfrom failed: {}", hostport::describe(source))
            }
            Error::Silence { waited } => {
                write!(f, "no datagram arrived within {}", seconds(*waited))
            }
            Error::NoReply { from, waited } => {
                write!(f, "no reply from {from} within {}", seconds(*waited))
            }
            Error::Encode(error) => write!(f, "{error}"),
            Error::Input(error) => {
                write!(f, "reading standard input: {}", hostport::describe(error))
            }
            Error::Output(error) => write!(f, "writing output: {}", hostport::describe(error)),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Setup { source, .. }
            | Error::Send { source, .. }
            | Error::Receive { source } => Some(source),
            Error::Encode(error) => Some(error),
            Error::Input(error) | Error::Output(error) => Some(error),
            _ => None,
        }
    }
}

/// `1 byte`, `5 bytes`.
pub fn count_bytes(count: usize) -> String {
    plural(count as u64, "byte")
}

/// `1 client`, `2 clients`: a count and a noun, with an `s` when it is not 1.
pub fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `2 s`, `0.5 s`: a duration as a student would say it.
pub fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

/// Waits, with no time limit, until a datagram is ready, and leaves it queued for the
/// next `recvfrom` (it only peeks). A receiver or server started for an experiment waits
/// here as long as the person needs to start the sender; its `--timeout` counts from then.
pub fn wait_for_first_datagram(socket: &UdpSocket, trace: Trace) -> Result<(), Error> {
    socket
        .set_read_timeout(None)
        .map_err(|source| Error::Setup {
            what: "clearing the receive timeout",
            source,
        })?;
    trace.say(format_args!(
        "waiting for the first datagram (no time limit; Ctrl-C stops)"
    ));
    // Big enough for any datagram, so no system reports the peek as truncated.
    let mut buffer = vec![0u8; 65_536];
    socket
        .peek_from(&mut buffer)
        .map(|_| ())
        .map_err(|source| Error::Receive { source })
}

/// `recvfrom`: waits (at most `timeout`, or forever with `None`) for one datagram.
/// A timeout comes back as [`Error::Silence`].
pub fn receive_from(
    socket: &UdpSocket,
    buffer: &mut [u8],
    timeout: Option<Duration>,
    trace: Trace,
) -> Result<(usize, SocketAddr), Error> {
    // A zero timeout means "forever" to the OS, so std refuses it: wait at least 1 ms.
    let timeout = timeout.map(|t| t.max(Duration::from_millis(1)));
    socket
        .set_read_timeout(timeout)
        .map_err(|source| Error::Setup {
            what: "setting the receive timeout",
            source,
        })?;
    match socket.recv_from(buffer) {
        Ok((length, from)) => {
            trace.say(format_args!(
                "recvfrom -> {} from {from}",
                count_bytes(length)
            ));
            Ok((length, from))
        }
        // Unix says WouldBlock (EAGAIN) when SO_RCVTIMEO expires, Windows says TimedOut.
        Err(error)
            if matches!(
                error.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            Err(Error::Silence {
                waited: timeout.unwrap_or_default(),
            })
        }
        Err(source) => Err(Error::Receive { source }),
    }
}

/// `sendto`: one datagram to `to`.
pub fn send_to(
    socket: &UdpSocket,
    payload: &[u8],
    to: SocketAddr,
    trace: Trace,
) -> Result<(), Error> {
    trace.say(format_args!("sendto({to}, {})", count_bytes(payload.len())));
    match socket.send_to(payload, to) {
        Ok(_) => Ok(()),
        Err(source) => Err(Error::Send { to, source }),
    }
}

/// The local address of a socket (`getsockname`).
pub fn local_address(socket: &UdpSocket) -> Result<SocketAddr, Error> {
    socket.local_addr().map_err(|source| Error::Setup {
        what: "reading the local address (getsockname)",
        source,
    })
}

/// One received datagram as a line: `from 127.0.0.1:53211: hello`, decoded with
/// `encoding`; bytes that are not valid text are shown as U+FFFD and said so.
pub fn datagram_line(
    from: SocketAddr,
    payload: &[u8],
    encoding: wire_text::TextEncoding,
) -> String {
    let decoded = encoding.decode(payload);
    if decoded.had_errors {
        format!(
            "from {from}: {} (not valid {}: shown with U+FFFD)",
            decoded.text,
            encoding.name()
        )
    } else {
        format!("from {from}: {}", decoded.text)
    }
}

/// A short, self-contained demo of lesson 2 for `cargo run -- tour`: loopback only, port 0,
/// finishes in well under a second.
pub fn tour(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    use std::net::{Ipv4Addr, TcpListener};

    let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    writeln!(out, "lesson 2: ports, bind, echo, broadcast")?;

    // A receiver binds a port; a second bind of the same address fails.
    let receiver = bind::bind_udp(loopback, bind::BindOptions::default(), Trace::OFF)?;
    let port = local_address(&receiver)?.port();
    writeln!(out, "  bind(127.0.0.1:0) -> the OS gave udp port {port}")?;
    match bind::bind_udp(
        SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        bind::BindOptions::default(),
        Trace::OFF,
    ) {
        Err(error) => writeln!(out, "  a second bind of udp port {port}: {error}")?,
        Ok(_) => writeln!(
            out,
            "  a second bind of udp port {port} worked (unexpected)"
        )?,
    }
    // The rule is per protocol: TCP may hold the same number. (Another program may hold
    // that TCP port by chance, so take a TCP port first and look for its UDP twin.)
    let (tcp, udp_twin) = (0..100)
        .find_map(|_| {
            let tcp = TcpListener::bind(loopback).ok()?;
            let udp = UdpSocket::bind(tcp.local_addr().ok()?).ok()?;
            Some((tcp, udp))
        })
        .ok_or("no port number free for both TCP and UDP")?;
    writeln!(
        out,
        "  tcp {} and udp {} at the same time: fine, one table per protocol",
        tcp.local_addr()?,
        udp_twin.local_addr()?
    )?;

    // A sender that never called bind gets its port at the first sendto.
    let target = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let sender = bind::sender_socket(target, None, Trace::OFF)?;
    let before = sender
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "unbound".into());
    send_to(&sender, b"hello", target, Trace::OFF)?;
    writeln!(
        out,
        "  sender before sendto: {before}, after: {}",
        local_address(&sender)?
    )?;
    let mut buffer = [0u8; 64];
    let (length, from) = receive_from(
        &receiver,
        &mut buffer,
        Some(Duration::from_secs(2)),
        Trace::OFF,
    )?;
    writeln!(
        out,
        "  receiver: {}",
        datagram_line(from, &buffer[..length], wire_text::TextEncoding::UTF_8)
    )?;

    // Echo: the server answers each sender at its own address.
    let server = bind::bind_udp(loopback, bind::BindOptions::default(), Trace::OFF)?;
    let server_address = local_address(&server)?;
    let options = echo::EchoOptions {
        count: Some(1),
        upper: true,
        timeout: Some(Duration::from_secs(2)),
    };
    let server_thread = std::thread::spawn(move || {
        let mut log = Vec::new();
        echo::serve_echo(&server, &options, &mut log, Trace::OFF).map(|_| log)
    });
    let client = bind::bind_udp(loopback, bind::BindOptions::default(), Trace::OFF)?;
    send_to(&client, b"ping", server_address, Trace::OFF)?;
    let (length, _) = receive_from(
        &client,
        &mut buffer,
        Some(Duration::from_secs(2)),
        Trace::OFF,
    )?;
    let log = server_thread
        .join()
        .map_err(|_| "the echo server thread panicked")??;
    writeln!(
        out,
        "  echo --upper: sent \"ping\", got \"{}\"; the server said: {}",
        String::from_utf8_lossy(&buffer[..length]),
        String::from_utf8_lossy(&log).trim_end()
    )?;

    // Broadcast on loopback: refused without SO_BROADCAST, a copy to every receiver with
    // it. Linux semantics; elsewhere (no SO_REUSEPORT, no loopback broadcast) the tour
    // says what failed instead of stopping.
    if let Err(error) = tour_broadcast(out) {
        writeln!(out, "  broadcast demo not available here: {error}")?;
    }
    Ok(())
}

fn tour_broadcast(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    use std::net::Ipv4Addr;

    let mut buffer = [0u8; 64];
    let shared = bind::BindOptions {
        reuse_port: true,
        ..bind::BindOptions::default()
    };
    let first = bind::bind_udp(
        SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)),
        shared,
        Trace::OFF,
    )?;
    let broadcast_port = local_address(&first)?.port();
    let second = bind::bind_udp(
        SocketAddr::from((Ipv4Addr::UNSPECIFIED, broadcast_port)),
        shared,
        Trace::OFF,
    )?;
    let to = broadcast::LOOPBACK_BROADCAST;
    let any = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0));
    if let Err(error) = broadcast::broadcast(any, broadcast_port, to, b"hi all", false, Trace::OFF)
    {
        writeln!(out, "  without SO_BROADCAST: {error}")?;
    }
    broadcast::broadcast(any, broadcast_port, to, b"hi all", true, Trace::OFF)?;
    let mut copies = 0;
    for socket in [&first, &second] {
        if receive_from(
            socket,
            &mut buffer,
            Some(Duration::from_secs(2)),
            Trace::OFF,
        )
        .is_ok()
        {
            copies += 1;
        }
    }
    writeln!(
        out,
        "  with SO_BROADCAST to {to}:{broadcast_port}: {copies} of 2 receivers got a copy"
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tour_runs_offline_and_prints_a_few_lines() {
        let mut out = Vec::new();
        tour(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines = text.lines().count();
        assert!((5..=15).contains(&lines), "{text}");
        assert!(text.contains("address already in use"), "{text}");
        assert!(text.contains("got \"PING\""), "{text}");
        if cfg!(target_os = "linux") {
            assert!(text.contains("EACCES"), "{text}");
            assert!(text.contains("2 of 2 receivers"), "{text}");
        }
    }

    #[test]
    fn datagram_line_shows_sender_and_text() {
        let from: SocketAddr = "127.0.0.1:53211".parse().unwrap();
        assert_eq!(
            datagram_line(from, b"hello", wire_text::TextEncoding::UTF_8),
            "from 127.0.0.1:53211: hello"
        );
        // 你好 in GBK (c4 e3 ba c3) read as UTF-8 is not valid text.
        let line = datagram_line(
            from,
            &[0xc4, 0xe3, 0xba, 0xc3],
            wire_text::TextEncoding::UTF_8,
        );
        assert!(line.contains("not valid UTF-8"), "{line}");
    }

    #[test]
    fn timeouts_read_as_seconds() {
        assert_eq!(seconds(Duration::from_secs(2)), "2 s");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5 s");
    }
}
