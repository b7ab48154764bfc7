//! A stub resolver: one question to one server over UDP, again over TCP when the answer
//! comes back truncated (TC=1), CNAMEs followed to the address.
//!
//! Like the student's Python: `sendto(query, (server, 53))`, `recvfrom(512)`; a UDP
//! answer without EDNS holds at most 512 bytes (RFC 1035 §4.2.1), and a bigger one is
//! cut and flagged TC, so the client asks again over TCP, where each message is
//! preceded by its length in two bytes (RFC 1035 §4.2.2, RFC 7766).
//!
//! With `--ladder` each query and answer is one arrow ([`query_label`],
//! [`answer_label`]); over TCP, where the program sees calls and not segments,
//! `connect` is an arrow too. Over UDP a query without answer is sent again (at most
//! [`UDP_TRIES`] times before the one deadline): on the ladder each such copy is marked
//! retransmitted, and a server that never answers ends in a `timeout` note.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use say::{Mark, Trace};

use crate::wire::read_u16;

use super::{
    EncodeError, Header, Message, NameError, ParseError, Rcode, Record, RecordData, RecordType,
    field,
};

/// The longest wait this module will compute a deadline for; longer timeouts are cut to
/// it (the command line already refuses them), so `Instant + timeout` cannot overflow.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The moment `timeout` from now, with `timeout` cut to [`MAX_TIMEOUT`].
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    // MAX_TIMEOUT is a day: every platform's clock can add that to "now".
    now.checked_add(timeout.min(MAX_TIMEOUT)).unwrap_or(now)
}

/// How many CNAMEs we follow before giving up (a chain longer than this is a loop or
/// a misconfiguration).
pub const MAX_CNAME_HOPS: usize = 8;

/// Why a name could not be resolved.
#[derive(Debug)]
pub enum ResolveError {
    /// The name cannot be put in a query (bad input: exit 2).
    Name(NameError),
    /// The query given to [`exchange`] cannot be written on the wire (bad input: exit 2).
    Encode(EncodeError),
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
    ServerError { name: String, rcode: Rcode },
    /// The answer could not be parsed.
    BadAnswer(ParseError),
    /// Over TCP, the answer is not the answer to our query (see [`Mismatch`]).
    NotOurAnswer {
        server: SocketAddr,
        mismatch: Mismatch,
    },
    /// CNAMEs that come back to a name already in the chain (`a -> b -> a`).
    CnameLoop { chain: Vec<String> },
    /// More than [`MAX_CNAME_HOPS`] CNAMEs in a row.
    TooManyCnames { name: String },
    /// The OS random source, for the query ID, failed.
    Random(getrandom::Error),
}

/// Why a message from the server is not the answer to our query (RFC 1035 §7.3: match
/// the ID and the question; RFC 5452 §3 explains why both matter against forgery).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// Shorter than the 12-byte header.
    TooShort { length: usize },
    /// The ID is not the one we sent (a late answer to an old query, or a forgery).
    WrongId { expected: u16, got: u16 },
    /// QR is 0: a query, not a response (our own query reflected back, say).
    NotAResponse,
    /// The question section is not our question.
    OtherQuestion { expected: String, got: String },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::TooShort { length } => {
                write!(f, "{length} bytes, shorter than a DNS header")
            }
            Mismatch::WrongId { expected, got } => {
                write!(f, "ID 0x{got:04x}, but we sent 0x{expected:04x}")
            }
            Mismatch::NotAResponse => write!(f, "QR is 0: it is a query, not an answer"),
            Mismatch::OtherQuestion { expected, got } => {
                write!(f, "it answers \"{got}\", but we asked \"{expected}\"")
            }
        }
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResolveError::Name(error) => write!(f, "{error}"),
            ResolveError::Encode(error) => write!(f, "{error}"),
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
                write!(f, "the server answered {rcode} for {name}")
            }
            ResolveError::BadAnswer(error) => write!(f, "malformed answer: {error}"),
            ResolveError::NotOurAnswer { server, mismatch } => {
                write!(
                    f,
                    "{server} sent a message that is not our answer: {mismatch}"
                )
            }
            ResolveError::CnameLoop { chain } => {
                write!(f, "CNAME loop: {}", chain.join(" -> "))
            }
            ResolveError::TooManyCnames { name } => write!(
                f,
                "CNAMEs starting at {name} go on for more than {MAX_CNAME_HOPS} steps (the cap)"
            ),
            ResolveError::Random(error) => {
                write!(f, "drawing a random query ID: {error}")
            }
        }
    }
}

impl std::error::Error for ResolveError {}

/// What `main` reports besides the message: a hint for the common causes, and exit
/// status 2 for a name or query that cannot be asked at all.
impl say::Explain for ResolveError {
    fn hint(&self) -> Option<String> {
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

    fn exit_code(&self) -> u8 {
        match self {
            ResolveError::Name(_) | ResolveError::Encode(_) => 2,
            _ => 1,
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
    /// The longest the whole resolution may take, every exchange included.
    pub timeout: Duration,
    /// `Some(id)`: the first query ID, then +1 per query (tests and the lesson, for
    /// bytes that do not change between runs). `None`: a fresh ID from the OS random
    /// source for every query (RFC 5452 §9.2: IDs must be hard to guess).
    pub first_id: Option<u16>,
    /// Print each socket call to stderr, in the notes' terms (`sendto(...)`).
    pub trace: Trace,
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

/// A query ID drawn from the OS random source (`getrandom`).
pub fn random_id() -> Result<u16, ResolveError> {
    let mut bytes = [0u8; 2];
    getrandom::fill(&mut bytes).map_err(ResolveError::Random)?;
    Ok(u16::from_be_bytes(bytes))
}

/// Is `answer` (raw bytes) the answer to `query`, as far as its header says? The ID
/// must be ours and QR must be 1. The question is checked once the message is parsed
/// ([`check_question`]).
pub fn check_header(query: &Message, answer: &[u8]) -> Result<(), Mismatch> {
    let header = answer.get(..field::HEADER_LEN).ok_or(Mismatch::TooShort {
        length: answer.len(),
    })?;
    // The whole header is there, so both two-byte fields can be read.
    let (got, flags) = (read_u16(header, field::ID), read_u16(header, field::FLAGS));
    if got != query.header.id {
        return Err(Mismatch::WrongId {
            expected: query.header.id,
            got,
        });
    }
    // QR (RFC 1035 §4.1.1): 0 for a query, 1 for a response.
    if !Header::from_wire(got, flags, [0; 4]).response {
        return Err(Mismatch::NotAResponse);
    }
    Ok(())
}

/// Does the parsed `answer` echo the question of `query` (name, without regard to
/// case, type and class)? A server may leave the question out when it refuses or cannot
/// parse the query (FORMERR, SERVFAIL, NOTIMP, REFUSED); any other answer must echo it.
pub fn check_question(query: &Message, answer: &Message) -> Result<(), Mismatch> {
    let describe = |message: &Message| -> String {
        match message.questions.as_slice() {
            [] => "no question".to_string(),
            [one] => format!("{} {} class {}", one.name, one.record_type, one.class),
            many => format!("{} questions", many.len()),
        }
    };
    let same = match (query.questions.as_slice(), answer.questions.as_slice()) {
        ([ours], [theirs]) => {
            ours.name.eq_ignore_ascii_case(&theirs.name)
                && ours.record_type == theirs.record_type
                && ours.class == theirs.class
        }
        // FORMERR, SERVFAIL, NOTIMP, REFUSED may come without the question.
        (_, []) => matches!(
            answer.header.rcode,
            Rcode::FormErr | Rcode::ServFail | Rcode::NotImp | Rcode::Refused
        ),
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err(Mismatch::OtherQuestion {
            expected: describe(query),
            got: describe(answer),
        })
    }
}

/// The query's arrow on the ladder (`--ladder`): `query A example.com id=0x1234`.
pub fn query_label(query: &Message) -> String {
    match query.questions.first() {
        Some(question) => format!(
            "query {} {} id=0x{:04x}",
            question.record_type, question.name, query.header.id
        ),
        None => format!("query id=0x{:04x}", query.header.id),
    }
}

/// The answer's arrow on the ladder: each record as `TYPE name data`
/// (`answer A example.com 93.184.216.34`), or the rcode when it is not NOERROR, or
/// `TC=1, again over TCP` for a truncated answer (the retry is the next arrow).
pub fn answer_label(answer: &Message) -> String {
    if answer.header.truncated {
        return "TC=1, again over TCP".to_string();
    }
    if answer.header.rcode != Rcode::NoError {
        return format!("answer {}", answer.header.rcode);
    }
    if answer.answers.is_empty() {
        return "answer: no records (NODATA)".to_string();
    }
    let records: Vec<String> = answer
        .answers
        .iter()
        .map(|record| {
            format!(
                "{} {} {}",
                record.record_type,
                record.name,
                shortened(&record.data.to_string())
            )
        })
        .collect();
    format!("answer {}", records.join(", "))
}

/// The longest record data an arrow shows: a TXT record can hold kilobytes.
const LABEL_DATA_CHARS: usize = 40;

/// `data` cut to [`LABEL_DATA_CHARS`] characters, with `...` where it was cut.
fn shortened(data: &str) -> String {
    if data.chars().count() <= LABEL_DATA_CHARS {
        return data.to_string();
    }
    let kept: String = data.chars().take(LABEL_DATA_CHARS - 3).collect();
    format!("{kept}...")
}

/// The arrow for an answer we received: parsed when it can be, else its size.
fn received_label(answer: &[u8]) -> String {
    match Message::parse(answer) {
        Ok(message) => answer_label(&message),
        Err(_) => format!("answer ({} bytes, not a valid message)", answer.len()),
    }
}

/// One query, one answer: over UDP, or TCP when `tcp` is set; `timeout` bounds the
/// whole exchange.
pub fn exchange(
    query: &Message,
    server: SocketAddr,
    tcp: bool,
    timeout: Duration,
    trace: Trace,
) -> Result<(Vec<u8>, Message), ResolveError> {
    exchange_until(query, server, tcp, deadline_after(timeout), trace)
}

/// Like [`exchange`], but everything (connect, send, every read) ends by `deadline`.
pub fn exchange_until(
    query: &Message,
    server: SocketAddr,
    tcp: bool,
    deadline: Instant,
    trace: Trace,
) -> Result<(Vec<u8>, Message), ResolveError> {
    let started = Instant::now();
    let timeout = || ResolveError::Timeout {
        server,
        waited: started.elapsed(),
    };
    let bytes = query.to_bytes().map_err(ResolveError::Encode)?;
    let answer = if tcp {
        exchange_tcp(query, &bytes, server, deadline, trace, timeout)?
    } else {
        exchange_udp(query, &bytes, server, deadline, trace, timeout)?
    };
    let message = Message::parse(&answer).map_err(ResolveError::BadAnswer)?;
    Ok((answer, message))
}

fn io_error(doing: String) -> impl FnOnce(io::Error) -> ResolveError {
    move |source| ResolveError::Io { doing, source }
}

/// The time left until `deadline`, or `None` when it has passed.
fn left_until(deadline: Instant) -> Option<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    (!left.is_zero()).then_some(left)
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// How many times one UDP query is sent at most before the deadline (RFC 1035 §4.2.1:
/// a resolver retransmits over UDP; the wait between sends is the time left divided
/// by this).
pub const UDP_TRIES: u32 = 3;

fn exchange_udp(
    query: &Message,
    bytes: &[u8],
    server: SocketAddr,
    deadline: Instant,
    trace: Trace,
    timeout: impl Fn() -> ResolveError,
) -> Result<Vec<u8>, ResolveError> {
    let local: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().unwrap_or(server)
    } else {
        "[::]:0".parse().unwrap_or(server)
    };
    let socket = UdpSocket::bind(local).map_err(io_error(format!("binding udp {local}")))?;
    if trace.is_on() {
        // Port 0: the OS picks a free port, like Python's sendto without bind.
        let chosen = socket
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        trace.call(format_args!("bind({local}) -> {chosen}"));
    }
    // connect() on UDP only fixes the peer: the kernel then drops datagrams from anyone
    // else and reports "connection refused" when the port is closed (ICMP).
    socket
        .connect(server)
        .map_err(io_error(format!("connecting udp socket to {server}")))?;
    trace.call(format_args!("connect({server})"));
    // UDP may lose the query or the answer: the time left is cut into UDP_TRIES equal
    // waits, and after each wait without our answer the same query goes out again.
    let interval = left_until(deadline).ok_or_else(&timeout)? / UDP_TRIES;
    socket
        .send(bytes)
        .map_err(io_error(format!("sending the query to {server}")))?;
    trace.call(format_args!("sendto({server}, {} bytes)", bytes.len()));
    let mut sent = 1;
    let mut send_again_at = Instant::now().checked_add(interval).unwrap_or(deadline);
    // After connect() the socket has its real source address (127.0.0.1, not 0.0.0.0):
    // the ladder's column for our side.
    let ours = if trace.is_ladder() {
        socket.local_addr().ok()
    } else {
        None
    };
    if let Some(ours) = ours {
        trace.packet(
            ours,
            server,
            format_args!("{}", query_label(query)),
            Mark::Plain,
        );
    }
    let mut buffer = [0u8; 65_535];
    // Every datagram that is not our answer is passed over, and we wait on for ours
    // until the one deadline: a stray or forged datagram cannot end the wait early, nor
    // make it longer.
    loop {
        let Some(left) = left_until(deadline) else {
            if let Some(ours) = ours {
                trace.note(ours, format_args!("timeout: no answer"));
            }
            return Err(timeout());
        };
        if sent < UDP_TRIES && Instant::now() >= send_again_at {
            socket
                .send(bytes)
                .map_err(io_error(format!("sending the query again to {server}")))?;
            sent += 1;
            send_again_at = Instant::now().checked_add(interval).unwrap_or(deadline);
            trace.call(format_args!(
                "sendto({server}, {} bytes)   (no answer yet: the same query again)",
                bytes.len()
            ));
            if let Some(ours) = ours {
                let label = query_label(query);
                trace.packet(ours, server, format_args!("{label}"), Mark::Retransmitted);
            }
            continue;
        }
        // Wait until the next send or the deadline, whichever comes first (never zero:
        // a zero read timeout is refused).
        let wait = if sent < UDP_TRIES {
            left.min(send_again_at.saturating_duration_since(Instant::now()))
        } else {
            left
        };
        socket
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .map_err(io_error("setting the receive timeout".into()))?;
        let length = match socket.recv(&mut buffer) {
            Ok(length) => length,
            // The wait ended: the loop sends again, or gives up at the deadline.
            Err(error) if is_timeout(&error) => continue,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => {
                return Err(ResolveError::Io {
                    doing: format!("waiting for the answer from {server}"),
                    source: error,
                });
            }
        };
        let answer = &buffer[..length];
        trace.call(format_args!("recvfrom -> {length} bytes from {server}"));
        let verdict = check_header(query, answer).and_then(|()| match Message::parse(answer) {
            Ok(message) => check_question(query, &message),
            // Our ID and QR=1 but not a valid message: the caller reports the parse error.
            Err(_) => Ok(()),
        });
        match verdict {
            Ok(()) => {
                if let Some(ours) = ours {
                    let label = received_label(answer);
                    trace.packet(server, ours, format_args!("{label}"), Mark::Plain);
                }
                return Ok(answer.to_vec());
            }
            Err(mismatch) => {
                trace.call(format_args!("  not our answer ({mismatch}): still waiting"));
                if let Some(ours) = ours {
                    let label = format!("not our answer ({mismatch})");
                    trace.packet(server, ours, format_args!("{label}"), Mark::Plain);
                }
            }
        }
    }
}

fn exchange_tcp(
    query: &Message,
    bytes: &[u8],
    server: SocketAddr,
    deadline: Instant,
    trace: Trace,
    timeout: impl Fn() -> ResolveError,
) -> Result<Vec<u8>, ResolveError> {
    let left = left_until(deadline).ok_or_else(&timeout)?;
    let mut stream = TcpStream::connect_timeout(&server, left).map_err(|error| {
        if is_timeout(&error) {
            timeout()
        } else {
            ResolveError::Io {
                doing: format!("connecting tcp to {server}"),
                source: error,
            }
        }
    })?;
    if trace.is_on() {
        let local = stream
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        trace.call(format_args!(
            "connect({server}) -> from {local} (three-way handshake done)"
        ));
    }
    // Over TCP the program sees socket calls, not segments: the ladder draws connect()
    // as one arrow (the handshake happens inside it), then the query and the answer.
    let ours = if trace.is_ladder() {
        stream.local_addr().ok()
    } else {
        None
    };
    if let Some(ours) = ours {
        trace.packet(
            ours,
            server,
            format_args!("connect (SYN, SYN-ACK, ACK)"),
            Mark::Plain,
        );
    }
    // Over TCP each message is preceded by its length, two bytes big-endian. The
    // encoder already refuses messages over 65 535 bytes; checked here all the same,
    // so these two bytes never announce fewer than follow.
    let length = u16::try_from(bytes.len()).map_err(|_| {
        ResolveError::Encode(EncodeError::MessageTooLong {
            length: bytes.len(),
        })
    })?;
    let mut framed = length.to_be_bytes().to_vec();
    framed.extend_from_slice(bytes);
    let left = left_until(deadline).ok_or_else(&timeout)?;
    stream
        .set_write_timeout(Some(left))
        .map_err(io_error("setting the send timeout".into()))?;
    stream.write_all(&framed).map_err(|error| {
        if is_timeout(&error) {
            timeout()
        } else {
            ResolveError::Io {
                doing: format!("sending the query to {server} over tcp"),
                source: error,
            }
        }
    })?;
    trace.call(format_args!(
        "send({} bytes: 2-byte length + {} bytes)",
        framed.len(),
        bytes.len()
    ));
    if let Some(ours) = ours {
        let label = query_label(query);
        trace.packet(ours, server, format_args!("{label} (TCP)"), Mark::Plain);
    }
    let mut length = [0u8; 2];
    let mut answer = Vec::new();
    let read =
        read_exact_until(&mut stream, &mut length, deadline, server, &timeout).and_then(|()| {
            answer = vec![0u8; usize::from(u16::from_be_bytes(length))];
            read_exact_until(&mut stream, &mut answer, deadline, server, &timeout)
        });
    if let (Err(ResolveError::Timeout { .. }), Some(ours)) = (&read, ours) {
        trace.note(ours, format_args!("timeout: no answer"));
    }
    read?;
    trace.call(format_args!(
        "recv -> 2-byte length + {} bytes",
        answer.len()
    ));
    if let Some(ours) = ours {
        let label = received_label(&answer);
        trace.packet(server, ours, format_args!("{label} (TCP)"), Mark::Plain);
    }
    // One connection, one server: a wrong answer here is an error, not noise to skip.
    let not_ours = |mismatch| ResolveError::NotOurAnswer { server, mismatch };
    check_header(query, &answer).map_err(not_ours)?;
    let message = Message::parse(&answer).map_err(ResolveError::BadAnswer)?;
    check_question(query, &message).map_err(not_ours)?;
    Ok(answer)
}

/// `read_exact` where the deadline bounds the whole read, not each `recv`: a server
/// that trickles one byte a second cannot stretch the wait.
fn read_exact_until(
    stream: &mut TcpStream,
    buffer: &mut [u8],
    deadline: Instant,
    server: SocketAddr,
    timeout: &impl Fn() -> ResolveError,
) -> Result<(), ResolveError> {
    let mut filled = 0;
    while filled < buffer.len() {
        let left = left_until(deadline).ok_or_else(timeout)?;
        stream
            .set_read_timeout(Some(left))
            .map_err(io_error("setting the receive timeout".into()))?;
        match stream.read(&mut buffer[filled..]) {
            Ok(0) => {
                return Err(ResolveError::Io {
                    doing: format!("reading the answer from {server} over tcp"),
                    source: io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "the server closed the connection after {filled} of {} bytes",
                            buffer.len()
                        ),
                    ),
                });
            }
            Ok(count) => filled += count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) if is_timeout(&error) => return Err(timeout()),
            Err(error) => {
                return Err(ResolveError::Io {
                    doing: format!("reading the answer from {server} over tcp"),
                    source: error,
                });
            }
        }
    }
    Ok(())
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
    // One deadline for everything: the UDP try, the TCP retry, the queries for aliases.
    let deadline = deadline_after(options.timeout);
    let mut next_id = options.first_id;
    // The names we sent a query for: the original name, then canonical names.
    let mut asked: Vec<String> = Vec::new();
    // The whole chain so far, the original name first: a name seen twice is a loop.
    let mut chain: Vec<String> = vec![current.clone()];
    loop {
        asked.push(current.clone());
        let id = match next_id {
            Some(id) => {
                next_id = Some(id.wrapping_add(1));
                id
            }
            None => random_id()?,
        };
        let query =
            Message::query(id, &current, options.record_type, true).map_err(ResolveError::Name)?;
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
                exchange_until(&query, options.server, tcp, deadline, options.trace).map_err(
                    |error| match error {
                        // Say how long the whole resolution was allowed, not this exchange.
                        ResolveError::Timeout { server, .. } => ResolveError::Timeout {
                            server,
                            waited: options.timeout,
                        },
                        other => other,
                    },
                )?;
            note(
                &mut resolution.log,
                log,
                format!(
                    ";; answer: {} bytes, {}, flags: {}",
                    raw.len(),
                    answer.header.rcode,
                    answer.header.flag_names()
                ),
            );
            if answer.header.truncated && !tcp {
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
        resolution.last_query = query.to_bytes().map_err(ResolveError::Encode)?;
        resolution.last_answer = raw;
        match answer.header.rcode {
            Rcode::NoError => {}
            Rcode::NxDomain => {
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
        // Asking for CNAME records themselves, the alias is the answer: nothing to follow.
        let follow = options.record_type != RecordType::Cname;
        while let Some((target, ttl)) = follow.then(|| next_alias(&answer, &current)).flatten() {
            if chain.iter().any(|seen| seen.eq_ignore_ascii_case(&target)) {
                chain.push(target);
                return Err(ResolveError::CnameLoop { chain });
            }
            if resolution.aliases.len() >= MAX_CNAME_HOPS {
                return Err(ResolveError::TooManyCnames {
                    name: name.to_string(),
                });
            }
            chain.push(target.clone());
            resolution
                .aliases
                .push((current.clone(), target.clone(), ttl));
            current = target;
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

/// The CNAME record for `name` in `answer`, if any: (canonical name, ttl).
fn next_alias(answer: &Message, name: &str) -> Option<(String, u32)> {
    answer.answers.iter().find_map(|record| match &record.data {
        RecordData::Cname(target) if record.name.eq_ignore_ascii_case(name) => {
            Some((target.clone(), record.ttl))
        }
        _ => None,
    })
}

fn note(lines: &mut Vec<String>, log: &mut dyn FnMut(&str), line: String) {
    log(&line);
    lines.push(line);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> Message {
        Message::query(0x44cb, "baidu.com", RecordType::A, true).unwrap()
    }

    /// The response to `query()` with `rcode` and no question section.
    fn bare_response(rcode: Rcode) -> Message {
        let mut answer = query();
        answer.header.response = true;
        answer.header.rcode = rcode;
        answer.questions.clear();
        answer
    }

    #[test]
    fn a_refusal_without_the_question_is_still_our_answer() {
        assert_eq!(
            check_question(&query(), &bare_response(Rcode::Refused)),
            Ok(())
        );
        assert_eq!(
            check_question(&query(), &bare_response(Rcode::FormErr)),
            Ok(())
        );
    }

    #[test]
    fn an_address_answer_without_the_question_is_not_ours() {
        assert!(matches!(
            check_question(&query(), &bare_response(Rcode::NoError)),
            Err(Mismatch::OtherQuestion { .. })
        ));
    }

    #[test]
    fn the_question_is_compared_without_regard_to_case() {
        let mut answer = query();
        answer.header.response = true;
        answer.questions[0].name = "BaiDu.CoM".into();
        assert_eq!(check_question(&query(), &answer), Ok(()));
    }

    #[test]
    fn a_header_cut_short_is_named() {
        assert_eq!(
            check_header(&query(), &[0x44, 0xcb, 0x81]),
            Err(Mismatch::TooShort { length: 3 })
        );
    }
}
