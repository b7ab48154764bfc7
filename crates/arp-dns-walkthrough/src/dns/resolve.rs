//! A stub resolver: one question to one server over UDP, again over TCP when the answer
//! comes back truncated (TC=1), CNAMEs followed to the address.
//!
//! Like the student's Python: `sendto(query, (server, 53))`, `recvfrom(512)`; a UDP
//! answer without EDNS holds at most 512 bytes (RFC 1035 §4.2.1), and a bigger one is
//! cut and flagged TC, so the client asks again over TCP, where each message is
//! preceded by its length in two bytes (RFC 1035 §4.2.2, RFC 7766).

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use super::{
    Message, NameError, ParseError, RCODE_NOERROR, RCODE_NXDOMAIN, Record, RecordData, RecordType,
    rcode_name,
};

/// How many CNAMEs we follow before giving up (a chain longer than this is a loop or
/// a misconfiguration).
pub const MAX_CNAME_HOPS: usize = 8;

/// Why a name could not be resolved.
#[derive(Debug)]
pub enum ResolveError {
    /// The name cannot be put in a query (bad input: exit 2).
    Name(NameError),
    /// A socket call failed; `doing` says which.
    Io { doing: String, source: io::Error },
    /// No answer within the timeout.
    Timeout {
        server: SocketAddr,
        waited: Duration,
    },
    /// The server says the name does not exist.
    NxDomain { name: String, server: SocketAddr },
    /// The server answered with another error code (SERVFAIL, REFUSED, ...).
    ServerError { name: String, rcode: u8 },
    /// The answer could not be parsed.
    BadAnswer(ParseError),
    /// CNAMEs that never reach an address.
    CnameLoop { name: String },
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Name(error) => write!(f, "{error}"),
            ResolveError::Io { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
            }
            ResolveError::Timeout { server, waited } => write!(
                f,
                "no answer from {server} within {:.1} s",
                waited.as_secs_f64()
            ),
            ResolveError::NxDomain { name, server } => {
                write!(f, "{name} does not exist (NXDOMAIN from {server})")
            }
            ResolveError::ServerError { name, rcode } => {
                write!(f, "the server answered {} for {name}", rcode_name(*rcode))
            }
            ResolveError::BadAnswer(error) => write!(f, "malformed answer: {error}"),
            ResolveError::CnameLoop { name } => write!(
                f,
                "CNAMEs starting at {name} do not reach an address within {MAX_CNAME_HOPS} steps"
            ),
        }
    }
}

impl std::error::Error for ResolveError {}

impl ResolveError {
    /// A hint for the common causes.
    pub fn hint(&self) -> Option<String> {
        match self {
            ResolveError::Io { source, .. } if source.kind() == io::ErrorKind::ConnectionRefused => {
                Some("nothing listens on that port: start a DNS server (for example dnsmasq) or check --server".into())
            }
            ResolveError::Timeout { .. } => Some(
                "is a DNS server running there? dnsmasq stays silent for garbage; try dig to compare".into(),
            ),
            _ => None,
        }
    }
}

/// What to ask and how.
#[derive(Debug, Clone)]
pub struct ResolveOptions {
    pub server: SocketAddr,
    pub record_type: RecordType,
    /// Skip UDP and ask over TCP straight away.
    pub tcp: bool,
    pub timeout: Duration,
    /// Query IDs are taken from here, one per query (tests pass fixed ones).
    pub first_id: u16,
    /// Print each socket call to stderr, in the notes' terms (`sendto(...)`).
    pub trace: bool,
}

/// The result: the records found, the CNAME chain, and what happened on the way.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Lines describing each exchange (`;; ...`), in order.
    pub log: Vec<String>,
    /// (alias, canonical name, ttl) for each CNAME followed.
    pub aliases: Vec<(String, String, u32)>,
    /// The records of the asked type for the final name (empty: the name exists but has
    /// no such record, "NODATA").
    pub records: Vec<Record>,
    /// The name the records belong to, after the CNAMEs.
    pub canonical_name: String,
    /// The raw bytes of the last query and answer (for pcaps and the lesson).
    pub last_query: Vec<u8>,
    pub last_answer: Vec<u8>,
}

/// One query, one answer: over UDP, or TCP when `tcp` is set.
pub fn exchange(
    query: &Message,
    server: SocketAddr,
    tcp: bool,
    timeout: Duration,
    trace: bool,
) -> Result<(Vec<u8>, Message), ResolveError> {
    let bytes = query.to_bytes();
    let answer = if tcp {
        exchange_tcp(&bytes, server, timeout, trace)?
    } else {
        exchange_udp(&bytes, query.header.id, server, timeout, trace)?
    };
    let message = Message::parse(&answer).map_err(ResolveError::BadAnswer)?;
    Ok((answer, message))
}

fn io_error(doing: String) -> impl FnOnce(io::Error) -> ResolveError {
    move |source| ResolveError::Io { doing, source }
}

fn exchange_udp(
    query: &[u8],
    id: u16,
    server: SocketAddr,
    timeout: Duration,
    trace: bool,
) -> Result<Vec<u8>, ResolveError> {
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().unwrap_or(server)
    } else {
        "[::]:0".parse().unwrap_or(server)
    };
    let socket = UdpSocket::bind(local).map_err(io_error(format!("binding udp {local}")))?;
    if trace {
        // Port 0: the OS picks a free port, like Python's sendto without bind.
        let chosen = socket
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        eprintln!("bind({local}) -> {chosen}");
    }
    // connect() on UDP only fixes the peer: the kernel then drops datagrams from anyone
    // else and reports "connection refused" when the port is closed (ICMP).
    socket
        .connect(server)
        .map_err(io_error(format!("connecting udp socket to {server}")))?;
    if trace {
        eprintln!("connect({server})");
    }
    socket
        .send(query)
        .map_err(io_error(format!("sending the query to {server}")))?;
    if trace {
        eprintln!("sendto({server}, {} bytes)", query.len());
    }
    let deadline = Instant::now() + timeout;
    let mut buffer = [0u8; 65_535];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ResolveError::Timeout {
                server,
                waited: timeout,
            });
        }
        socket
            .set_read_timeout(Some(left))
            .map_err(io_error("setting the receive timeout".into()))?;
        match socket.recv(&mut buffer) {
            Ok(length) => {
                let answer = &buffer[..length];
                if trace {
                    eprintln!("recvfrom -> {length} bytes from {server}");
                }
                // Only an answer with our ID is ours (a late answer to an old query is not).
                if answer.len() >= 2 && u16::from_be_bytes([answer[0], answer[1]]) == id {
                    return Ok(answer.to_vec());
                }
            }
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(ResolveError::Timeout {
                    server,
                    waited: timeout,
                });
            }
            Err(error) => {
                return Err(ResolveError::Io {
                    doing: format!("waiting for the answer from {server}"),
                    source: error,
                });
            }
        }
    }
}

fn exchange_tcp(
    query: &[u8],
    server: SocketAddr,
    timeout: Duration,
    trace: bool,
) -> Result<Vec<u8>, ResolveError> {
    let mut stream = TcpStream::connect_timeout(&server, timeout)
        .map_err(io_error(format!("connecting tcp to {server}")))?;
    if trace {
        let local = stream
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        eprintln!("connect({server}) -> from {local} (three-way handshake done)");
    }
    stream
        .set_read_timeout(Some(timeout))
        .map_err(io_error("setting the receive timeout".into()))?;
    // Over TCP each message is preceded by its length, two bytes big-endian.
    let mut framed = (query.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(query);
    stream
        .write_all(&framed)
        .map_err(io_error(format!("sending the query to {server} over tcp")))?;
    if trace {
        eprintln!(
            "send({} bytes: 2-byte length + {} bytes)",
            framed.len(),
            query.len()
        );
    }
    let timed_out = |source: io::Error| {
        if matches!(
            source.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        ) {
            ResolveError::Timeout {
                server,
                waited: timeout,
            }
        } else {
            ResolveError::Io {
                doing: format!("reading the answer from {server} over tcp"),
                source,
            }
        }
    };
    let mut length = [0u8; 2];
    stream.read_exact(&mut length).map_err(timed_out)?;
    let mut answer = vec![0u8; usize::from(u16::from_be_bytes(length))];
    stream.read_exact(&mut answer).map_err(timed_out)?;
    if trace {
        eprintln!("recv -> 2-byte length + {} bytes", answer.len());
    }
    Ok(answer)
}

/// Resolves `name`: asks, retries over TCP on TC, follows CNAMEs.
pub fn resolve(name: &str, options: &ResolveOptions) -> Result<Resolution, ResolveError> {
    resolve_with_log(name, options, &mut |_| {})
}

/// Like [`resolve`], and hands each `;; ...` line to `log` as it happens (so a failure
/// still shows what was sent and what came back).
pub fn resolve_with_log(
    name: &str,
    options: &ResolveOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Resolution, ResolveError> {
    let mut current = super::name_labels(name)
        .map_err(ResolveError::Name)?
        .join(".");
    let mut resolution = Resolution {
        log: Vec::new(),
        aliases: Vec::new(),
        records: Vec::new(),
        canonical_name: current.clone(),
        last_query: Vec::new(),
        last_answer: Vec::new(),
    };
    let mut id = options.first_id;
    let mut asked: Vec<String> = Vec::new();
    loop {
        if asked.len() > MAX_CNAME_HOPS || asked.iter().any(|n| n.eq_ignore_ascii_case(&current)) {
            return Err(ResolveError::CnameLoop {
                name: name.to_string(),
            });
        }
        asked.push(current.clone());
        let query =
            Message::query(id, &current, options.record_type, true).map_err(ResolveError::Name)?;
        id = id.wrapping_add(1);
        let mut tcp = options.tcp;
        let (raw, answer) = loop {
            let transport = if tcp { "TCP" } else { "UDP" };
            note(
                &mut resolution.log,
                log,
                format!(
                    ";; {transport} query {current} {} to {} (id 0x{:04x})",
                    options.record_type, options.server, query.header.id
                ),
            );
            let (raw, answer) =
                exchange(&query, options.server, tcp, options.timeout, options.trace)?;
            note(
                &mut resolution.log,
                log,
                format!(
                    ";; answer: {} bytes, {}, flags: {}",
                    raw.len(),
                    rcode_name(answer.header.rcode()),
                    answer.header.flag_names()
                ),
            );
            if answer.header.is_truncated() && !tcp {
                note(
                    &mut resolution.log,
                    log,
                    ";; truncated (TC=1): asking again over TCP".to_string(),
                );
                tcp = true;
                continue;
            }
            break (raw, answer);
        };
        resolution.last_query = query.to_bytes();
        resolution.last_answer = raw;
        match answer.header.rcode() {
            RCODE_NOERROR => {}
            RCODE_NXDOMAIN => {
                return Err(ResolveError::NxDomain {
                    name: current,
                    server: options.server,
                });
            }
            rcode => {
                return Err(ResolveError::ServerError {
                    name: current,
                    rcode,
                });
            }
        }
        // Follow the CNAME chain inside this answer, in whatever order the records came.
        let mut followed = true;
        while followed {
            followed = false;
            for record in &answer.answers {
                if let RecordData::Cname(target) = &record.data {
                    if record.name.eq_ignore_ascii_case(&current)
                        && options.record_type != RecordType::Cname
                        && resolution.aliases.len() < MAX_CNAME_HOPS
                    {
                        resolution
                            .aliases
                            .push((current.clone(), target.clone(), record.ttl));
                        current = target.clone();
                        followed = true;
                        break;
                    }
                }
            }
        }
        resolution.canonical_name = current.clone();
        resolution.records = answer
            .answers
            .iter()
            .filter(|r| {
                r.record_type == options.record_type && r.name.eq_ignore_ascii_case(&current)
            })
            .cloned()
            .collect();
        let ends_in_alias = asked
            .last()
            .is_some_and(|last| !last.eq_ignore_ascii_case(&current));
        if !resolution.records.is_empty() || !ends_in_alias {
            return Ok(resolution);
        }
        // The answer stopped at an alias: ask again for the canonical name.
        note(
            &mut resolution.log,
            log,
            format!(";; the answer ends at the alias {current}: asking for it"),
        );
    }
}

fn note(lines: &mut Vec<String>, log: &mut dyn FnMut(&str), line: String) {
    log(&line);
    lines.push(line);
}
