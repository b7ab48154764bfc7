//! The whole visit of a web page, step by step as the notes tell it: (1) ARP for the
//! gateway, (2) DNS query and answer, (3) the TCP three-way handshake, (4) the HTTP
//! request, (5) the response, (6) "render" (the page's title and size), (7) the close.
//!
//! Steps 2 to 7 are real sockets, but only ever to loopback: with no flags `visit`
//! starts its own DNS responder ([`crate::dns::server`]) and web server on 127.0.0.1
//! (port 0), which stand in for the DNS server and for baidu.com's public address.
//! `--dns` asks a real DNS server instead (dnsmasq, say), and `--connect` names the
//! loopback address to connect to in place of the public address DNS returned. Step 1
//! is simulated: loopback has no Ethernet, so no ARP.
//!
//! With `--pcap-dir`, the visit is also written as `visit.pcap`: the frames the host
//! would have sent and received on its home network (simulated addresses), carrying
//! the real DNS and HTTP bytes of this visit.
//!
//! With `--ladder` ([`VisitOptions::trace`]) the visit draws its own exchanges on
//! stderr: the DNS query and answer, then the TCP socket calls (`connect`, the `send`
//! of the request, the `recv` of the response, the `recv` that returned 0 because the
//! server's FIN came, our `close`), each on the columns of the loopback sockets. The
//! program sees calls, not segments: `visit --netns` shows the segments from a capture.
//! ARP, simulated here, is a note on a `host` column, not arrows.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::time::Duration;

use say::{Explain, Mark, Trace};

use crate::arp::ArpPacket;
use crate::dns::resolve::{ResolveError, ResolveOptions};
use crate::dns::{RecordData, RecordType};
use crate::ethernet::{ETHERTYPE_IPV4, EthernetFrame};
use crate::ipv4::{Ipv4Packet, PROTOCOL_TCP, PROTOCOL_UDP};
use crate::pcap::Record;
use crate::simulate::{self, CLIENT_DNS_PORT, GATEWAY_IP, GATEWAY_MAC, HOST_IP, HOST_MAC};
use crate::tcp::{self, TcpSegment};
use crate::udp::UdpDatagram;
use crate::wire::PayloadTooLong;

/// Why the visit stopped.
#[derive(Debug)]
pub enum VisitError {
    /// The URL names a scheme other than `http://` (`https://` needs TLS) (bad input:
    /// exit 2).
    UnsupportedScheme { url: String, scheme: String },
    /// The port after the host is not a number from 1 to 65535 (bad input: exit 2).
    BadPort { url: String },
    /// Nothing before the port or the path: the URL names no host (bad input: exit 2).
    NoHost { url: String },
    /// DNS failed (NXDOMAIN, timeout, ...): the visit stops after step 2.
    Dns(ResolveError),
    /// DNS answered, but with no IPv4 address.
    NoAddress { name: String },
    /// The TCP connection was refused or timed out.
    Connect {
        address: SocketAddr,
        source: io::Error,
    },
    /// Another socket call, or writing our output, failed.
    Io {
        doing: &'static str,
        source: io::Error,
    },
    /// Writing the capture file (`--pcap-dir`) failed.
    WritingCapture { path: PathBuf, source: io::Error },
    /// The server's answer has no blank line ending its headers: it is not HTTP.
    NoEndOfHeaders { length: usize },
    /// The server's answer does not start with an HTTP status line.
    NotHttp { first_line: String },
    /// The server kept sending past [`MAX_RESPONSE`]: a page this lesson's visit does not
    /// need, and memory a hostile server must not be able to fill.
    ResponseTooLong { limit: u64 },
    /// A message of this visit (a DNS answer fetched over TCP, a very long request) is
    /// too long for one packet of the capture file.
    Capture(PayloadTooLong),
}

impl fmt::Display for VisitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VisitError::UnsupportedScheme { url, scheme } => write!(
                f,
                "bad URL '{url}': only http:// is supported ({scheme}:// needs TLS, which is beyond this lesson)"
            ),
            VisitError::BadPort { url } => write!(
                f,
                "bad URL '{url}': the port must be a number from 1 to 65535"
            ),
            VisitError::NoHost { url } => write!(f, "bad URL '{url}': no host name"),
            VisitError::Dns(error) => write!(f, "DNS: {error}"),
            VisitError::NoAddress { name } => write!(f, "DNS gave no IPv4 address for {name}"),
            VisitError::Connect { address, source } => {
                write!(f, "connecting to {address}: {}", hostport::describe(source))
            }
            VisitError::Io { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
            }
            VisitError::WritingCapture { path, source } => {
                write!(
                    f,
                    "writing {}: {}",
                    path.display(),
                    hostport::describe(source)
                )
            }
            VisitError::NoEndOfHeaders { length } => {
                write!(f, "bad HTTP response: no end of headers in {length} bytes")
            }
            VisitError::NotHttp { first_line } => {
                write!(f, "bad HTTP response: the first line is '{first_line}'")
            }
            VisitError::Capture(error) => write!(f, "drawing the visit as frames: {error}"),
            VisitError::ResponseTooLong { limit } => write!(
                f,
                "the HTTP response is longer than {} MiB: the visit stops reading there",
                limit / 1024 / 1024
            ),
        }
    }
}

impl std::error::Error for VisitError {}

/// What `main` reports besides the message: a hint for the common causes, and exit
/// status 2 for bad input (a URL we cannot use, a name that is not a name).
impl Explain for VisitError {
    fn hint(&self) -> Option<String> {
        match self {
            VisitError::Connect { source, .. }
                if source.kind() == io::ErrorKind::ConnectionRefused =>
            {
                Some("nothing listens there: start a web server (python3 -m http.server) or drop --connect to use the built-in one".into())
            }
            VisitError::Dns(error) => error.hint(),
            _ => None,
        }
    }

    /// Bad input (exit 2) rather than a failure at run time (exit 1).
    fn exit_code(&self) -> u8 {
        match self {
            VisitError::UnsupportedScheme { .. }
            | VisitError::BadPort { .. }
            | VisitError::NoHost { .. }
            | VisitError::Dns(ResolveError::Name(_)) => 2,
            _ => 1,
        }
    }
}

/// The parts of an `http://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    pub host: String,
    pub port: u16,
    pub path: String,
}

/// Parses `http://HOST[:PORT][/PATH]`.
pub fn parse_url(url: &str) -> Result<Url, VisitError> {
    let rest = match url.split_once("://") {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
        Some((scheme, _)) => {
            return Err(VisitError::UnsupportedScheme {
                url: url.to_string(),
                scheme: scheme.to_string(),
            });
        }
        None => url,
    };
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (
            host,
            port.parse::<u16>()
                .ok()
                .filter(|port| *port != 0)
                .ok_or_else(|| VisitError::BadPort {
                    url: url.to_string(),
                })?,
        ),
        None => (authority, 80),
    };
    if host.is_empty() {
        return Err(VisitError::NoHost {
            url: url.to_string(),
        });
    }
    Ok(Url {
        host: host.to_ascii_lowercase(),
        port,
        path: path.to_string(),
    })
}

/// What to visit and where the servers are.
#[derive(Debug, Clone)]
pub struct VisitOptions {
    pub url: String,
    pub dns: Option<SocketAddr>,
    pub connect: Option<SocketAddr>,
    pub pcap_dir: Option<PathBuf>,
    pub timeout: Duration,
    /// `--ladder`: the DNS exchange and the TCP socket calls drawn as a ladder on stderr.
    pub trace: Trace,
}

/// What the visit found.
#[derive(Debug, Clone)]
pub struct VisitReport {
    pub address: Ipv4Addr,
    pub status_line: String,
    pub title: Option<String>,
    pub body_len: usize,
    pub pcap: Option<PathBuf>,
}

/// The built-in web server: answers `count` connections with [`simulate::PAGE`], then
/// returns. Like an HTTP/1.0 server (and `Connection: close`), it closes first.
pub fn serve_http(listener: &TcpListener, count: usize, timeout: Duration) -> io::Result<()> {
    for _ in 0..count {
        let (mut stream, _) = listener.accept()?;
        stream.set_read_timeout(Some(timeout))?;
        let mut request = Vec::new();
        let mut buffer = [0u8; 1024];
        // Read the request head (up to the empty line); a body is not expected for GET.
        while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 64 * 1024 {
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => request.extend_from_slice(&buffer[..n]),
                Err(_) => break,
            }
        }
        stream.write_all(&simulate::http_response())?;
        // Dropping the stream closes it: our FIN goes out first.
    }
    Ok(())
}

fn io_error(doing: &'static str) -> impl FnOnce(io::Error) -> VisitError {
    move |source| VisitError::Io { doing, source }
}

/// Walks through the visit, printing numbered steps to `out`.
pub fn visit(options: &VisitOptions, out: &mut dyn Write) -> Result<VisitReport, VisitError> {
    let url = parse_url(&options.url)?;
    let write_error = |source| VisitError::Io {
        doing: "writing the output",
        source,
    };
    let host_network = crate::subnet::Ipv4Network {
        address: HOST_IP,
        prefix: 24,
    };
    writeln!(
        out,
        "visiting {} as host {HOST_IP}/24 (gateway {GATEWAY_IP}); every socket stays on loopback",
        options.url
    )
    .map_err(write_error)?;

    // Step 1: the destination is on another network, so the frame goes to the gateway.
    let request = ArpPacket::request(HOST_MAC, HOST_IP, GATEWAY_IP);
    writeln!(
        out,
        "1 ARP   the server is not on {}/24, so the frame goes to the gateway; (simulated, loopback has no ARP)",
        host_network.network()
    )
    .map_err(write_error)?;
    writeln!(
        out,
        "        -> {} (broadcast, {} bytes)",
        request.summary(),
        request.to_frame().len()
    )
    .map_err(write_error)?;
    if let Some(reply) = crate::arp::answer(GATEWAY_MAC, GATEWAY_IP, &request) {
        writeln!(out, "        <- {}", reply.summary()).map_err(write_error)?;
        // Nothing crossed a wire: on the ladder ARP is a note, not two arrows.
        options
            .trace
            .note_on("host", format_args!("1 ARP simulated: {}", reply.summary()));
    }

    // Step 2: DNS, with our own responder unless --dns names one.
    let (address, dns_query, dns_answer) = match url.host.parse::<Ipv4Addr>() {
        Ok(ip) => {
            writeln!(out, "2 DNS   not needed: the URL holds the address {ip}")
                .map_err(write_error)?;
            (ip, Vec::new(), Vec::new())
        }
        Err(_) => {
            let (server, responder) = match options.dns {
                Some(server) => (server, None),
                None => {
                    let socket = UdpSocket::bind("127.0.0.1:0")
                        .map_err(io_error("binding the DNS responder"))?;
                    socket
                        .set_read_timeout(Some(options.timeout))
                        .map_err(io_error("setting the DNS responder's timeout"))?;
                    let server = socket
                        .local_addr()
                        .map_err(io_error("reading the DNS responder's address"))?;
                    let zone = crate::dns::server::Zone::walkthrough(simulate::WEB_SERVER);
                    // It ends when no query came within the timeout.
                    let thread =
                        std::thread::spawn(move || crate::dns::server::serve(&socket, &zone, None));
                    (server, Some(thread))
                }
            };
            let standing_in = if responder.is_some() {
                format!(
                    " (built-in responder, standing in for {})",
                    simulate::DNS_SERVER
                )
            } else {
                String::new()
            };
            writeln!(out, "2 DNS   query {} A to {server}{standing_in}", url.host)
                .map_err(write_error)?;
            let resolve_options = ResolveOptions {
                server,
                record_type: RecordType::A,
                tcp: false,
                timeout: options.timeout,
                first_id: None, // a random ID per query
                trace: options.trace,
            };
            let resolution = crate::dns::resolve::resolve(&url.host, &resolve_options)
                .map_err(VisitError::Dns)?;
            drop(responder);
            for (alias, target, _) in &resolution.aliases {
                writeln!(out, "        <- {alias} is an alias (CNAME) of {target}")
                    .map_err(write_error)?;
            }
            let address = resolution
                .records
                .iter()
                .find_map(|r| match r.data {
                    RecordData::A(ip) => Some((ip, r.ttl)),
                    _ => None,
                })
                .ok_or_else(|| VisitError::NoAddress {
                    name: url.host.clone(),
                })?;
            writeln!(
                out,
                "        <- {} has address {} (ttl {} s; query {} bytes, answer {} bytes)",
                resolution.canonical_name,
                address.0,
                address.1,
                resolution.last_query.len(),
                resolution.last_answer.len()
            )
            .map_err(write_error)?;
            (address.0, resolution.last_query, resolution.last_answer)
        }
    };

    // Step 3: the handshake, done by the kernel inside connect().
    let (target, web_server) = match options.connect {
        Some(target) => (target, None),
        None => {
            let listener = TcpListener::bind("127.0.0.1:0")
                .map_err(io_error("binding the built-in web server"))?;
            let target = listener
                .local_addr()
                .map_err(io_error("reading the web server's address"))?;
            let timeout = options.timeout;
            let thread = std::thread::spawn(move || serve_http(&listener, 1, timeout));
            (target, Some(thread))
        }
    };
    let loopback_note = if target.ip() == IpAddr::V4(address) {
        String::new()
    } else {
        format!(", standing in for {address}:{}", url.port)
    };
    writeln!(
        out,
        "3 TCP   three-way handshake with {target}{loopback_note}: SYN, SYN-ACK, ACK (inside connect())"
    )
    .map_err(write_error)?;
    let mut stream = TcpStream::connect_timeout(&target, options.timeout).map_err(|source| {
        VisitError::Connect {
            address: target,
            source,
        }
    })?;
    stream
        .set_read_timeout(Some(options.timeout))
        .map_err(io_error("setting the receive timeout"))?;
    let local = stream
        .local_addr()
        .map_err(io_error("reading our address"))?;
    writeln!(out, "        connected from {local}").map_err(write_error)?;
    // The program sees socket calls, not segments: the ladder draws the calls (a
    // capture shows the segments behind them: `visit --netns`).
    let trace = options.trace;
    trace.packet(
        local,
        target,
        format_args!("3 connect (SYN, SYN-ACK, ACK)"),
        Mark::Plain,
    );

    // Step 4: the request.
    let request = simulate::http_request(&url.host, &url.path);
    stream
        .write_all(&request)
        .map_err(io_error("sending the HTTP request"))?;
    trace.packet(
        local,
        target,
        format_args!("4 send GET {} ({} bytes)", url.path, request.len()),
        Mark::Plain,
    );
    writeln!(
        out,
        "4 HTTP  request: GET {} HTTP/1.1, Host: {} ({} bytes)",
        url.path,
        url.host,
        request.len()
    )
    .map_err(write_error)?;

    // Step 5: the response, read until the server closes (Connection: close).
    let mut response = Vec::new();
    (&mut stream)
        .take(MAX_RESPONSE + 1)
        .read_to_end(&mut response)
        .map_err(io_error("reading the HTTP response"))?;
    if response.len() as u64 > MAX_RESPONSE {
        return Err(VisitError::ResponseTooLong {
            limit: MAX_RESPONSE,
        });
    }
    // read_to_end is many recv calls: one arrow for the data (named by its first line),
    // one for the last recv, which returned 0 because the server's FIN had come.
    let first_line = response
        .split(|&byte| byte == b'\r' || byte == b'\n')
        .next()
        .unwrap_or_default();
    trace.packet(
        target,
        local,
        format_args!(
            "5 recv {} ({} bytes)",
            String::from_utf8_lossy(first_line),
            response.len()
        ),
        Mark::Plain,
    );
    trace.packet(
        target,
        local,
        format_args!("7 recv returned 0 (the server's FIN)"),
        Mark::Plain,
    );
    let Some(head_end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(VisitError::NoEndOfHeaders {
            length: response.len(),
        });
    };
    let head = String::from_utf8_lossy(&response[..head_end]).to_string();
    let body = &response[head_end + 4..];
    let status_line = head.lines().next().unwrap_or_default().to_string();
    if !status_line.starts_with("HTTP/") {
        return Err(VisitError::NotHttp {
            first_line: status_line,
        });
    }
    writeln!(
        out,
        "5 HTTP  response: {status_line}, {} bytes",
        response.len()
    )
    .map_err(write_error)?;

    // Step 6: "render": what a browser would show in its tab.
    let text = String::from_utf8_lossy(body);
    let title = find_title(&text);
    writeln!(
        out,
        "6 page  title \"{}\", {} bytes of HTML",
        title.as_deref().unwrap_or("(none)"),
        body.len()
    )
    .map_err(write_error)?;

    // Step 7: the close. read_to_end returned: the server's FIN arrived; we close too.
    drop(stream);
    trace.packet(
        local,
        target,
        format_args!("7 close (our FIN)"),
        Mark::Plain,
    );
    writeln!(
        out,
        "7 close the server sent FIN first (read returned 0); we ACK it and send our FIN, it ACKs"
    )
    .map_err(write_error)?;
    if let Some(thread) = web_server {
        let _ = thread.join();
    }

    let mut pcap = None;
    if let Some(dir) = &options.pcap_dir {
        let records = visit_capture(
            address,
            url.port,
            &dns_query,
            &dns_answer,
            &request,
            &response,
        )
        .map_err(VisitError::Capture)?;
        let path = dir.join("visit.pcap");
        crate::pcap::write_file(&path, &records).map_err(|source| VisitError::WritingCapture {
            path: path.clone(),
            source,
        })?;
        writeln!(
            out,
            "pcap    {} ({} frames, as seen on the home LAN)",
            path.display(),
            records.len()
        )
        .map_err(write_error)?;
        pcap = Some(path);
    }
    Ok(VisitReport {
        address,
        status_line,
        title,
        body_len: body.len(),
        pcap,
    })
}

/// The text between `<title>` and `</title>`, if any.
pub fn find_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    Some(html[start..end].trim().to_string())
}

/// The frames of this visit on the home LAN: ARP, DNS, then the TCP conversation.
fn visit_capture(
    server: Ipv4Addr,
    port: u16,
    dns_query: &[u8],
    dns_answer: &[u8],
    request: &[u8],
    response: &[u8],
) -> Result<Vec<Record>, PayloadTooLong> {
    let mut records = Vec::new();
    let mut micros: u64 = 1_767_225_600_000_000;
    let mut push = |frame: Vec<u8>| {
        micros += 1_000;
        records.push(Record { micros, frame });
    };
    let arp_request = ArpPacket::request(HOST_MAC, HOST_IP, GATEWAY_IP);
    push(arp_request.to_frame());
    if let Some(reply) = crate::arp::answer(GATEWAY_MAC, GATEWAY_IP, &arp_request) {
        push(reply.to_frame());
    }
    let mut identification: u16 = 0x2000;
    let mut ip_frame = |from_host: bool, peer: Ipv4Addr, protocol: u8, payload: Vec<u8>| {
        // A 16-bit counter: after 65 535 it starts again at 0 (RFC 791, RFC 6864).
        identification = identification.wrapping_add(1);
        let (source, destination, source_mac, destination_mac, ttl) = if from_host {
            (HOST_IP, peer, HOST_MAC, GATEWAY_MAC, simulate::INITIAL_TTL)
        } else {
            // Came through the routers: the TTL was lowered on the way (3 routers).
            (
                peer,
                HOST_IP,
                GATEWAY_MAC,
                HOST_MAC,
                simulate::INITIAL_TTL - 3,
            )
        };
        let frame = EthernetFrame {
            destination: destination_mac,
            source: source_mac,
            ethertype: ETHERTYPE_IPV4,
            payload: Ipv4Packet {
                identification,
                dont_fragment: true,
                ttl,
                protocol,
                source,
                destination,
                payload,
            }
            .to_bytes()?,
        };
        Ok(frame.to_bytes())
    };
    if !dns_query.is_empty() {
        let dns = simulate::DNS_SERVER;
        push(ip_frame(
            true,
            dns,
            PROTOCOL_UDP,
            UdpDatagram {
                source_port: CLIENT_DNS_PORT,
                destination_port: 53,
                payload: dns_query.to_vec(),
            }
            .to_bytes(HOST_IP, dns)?,
        )?);
        push(ip_frame(
            false,
            dns,
            PROTOCOL_UDP,
            UdpDatagram {
                source_port: 53,
                destination_port: CLIENT_DNS_PORT,
                payload: dns_answer.to_vec(),
            }
            .to_bytes(dns, HOST_IP)?,
        )?);
    }
    for (from_client, segment) in conversation(port, request, response) {
        let (source, destination) = if from_client {
            (HOST_IP, server)
        } else {
            (server, HOST_IP)
        };
        let bytes = segment.to_bytes(source, destination)?;
        push(ip_frame(from_client, server, PROTOCOL_TCP, bytes)?);
    }
    Ok(records)
}

/// The largest TCP payload in one Ethernet frame (1500 - 20 IP - 20 TCP).
const MSS: usize = 1460;

/// The most of an HTTP response `visit` reads: a lesson's page is a few hundred bytes; a
/// server that sends more must not be able to fill our memory.
pub const MAX_RESPONSE: u64 = 4 * 1024 * 1024;

/// The segments of one HTTP exchange with these exact bytes, the response cut into
/// MSS-sized pieces; the server closes first.
fn conversation(port: u16, request: &[u8], response: &[u8]) -> Vec<(bool, TcpSegment)> {
    let client_isn: u32 = 1_000;
    let server_isn: u32 = 5_000;
    let segment = |from_client, sequence, acknowledgment, flags, payload: &[u8]| {
        simulate::http_segment(port, from_client, sequence, acknowledgment, flags, payload)
    };
    // Sequence numbers count modulo 2^32 (see `tcp::advance`): the sums wrap by design.
    let c1 = tcp::advance(client_isn, 1);
    let s1 = tcp::advance(server_isn, 1);
    let c2 = tcp::advance(c1, request.len());
    let mut segments = vec![
        segment(true, client_isn, 0, tcp::SYN, &[]),
        segment(false, server_isn, c1, tcp::SYN | tcp::ACK, &[]),
        segment(true, c1, s1, tcp::ACK, &[]),
        segment(true, c1, s1, tcp::PSH | tcp::ACK, request),
    ];
    let mut sequence = s1;
    for piece in response.chunks(MSS) {
        segments.push(segment(false, sequence, c2, tcp::PSH | tcp::ACK, piece));
        sequence = tcp::advance(sequence, piece.len());
        // The client acknowledges what it got.
        segments.push(segment(true, c2, sequence, tcp::ACK, &[]));
    }
    segments.push(segment(false, sequence, c2, tcp::FIN | tcp::ACK, &[]));
    let after_fin = tcp::advance(sequence, 1);
    segments.push(segment(true, c2, after_fin, tcp::FIN | tcp::ACK, &[]));
    segments.push(segment(
        false,
        after_fin,
        tcp::advance(c2, 1),
        tcp::ACK,
        &[],
    ));
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_and_https_is_refused() {
        assert_eq!(
            parse_url("http://Baidu.com/").unwrap(),
            Url {
                host: "baidu.com".into(),
                port: 80,
                path: "/".into()
            }
        );
        assert_eq!(parse_url("baidu.com:8080").unwrap().port, 8080);
        assert!(parse_url("https://baidu.com/").is_err());
        assert!(parse_url("http://:80/").is_err());
    }

    #[test]
    fn url_with_port_0_is_refused() {
        // Found by the url fuzz target: the error promises a port from 1 to 65535.
        assert!(parse_url("http://10.0.2.2:0/").is_err());
        assert!(parse_url("http://10.0.2.2:8:0").is_err());
    }

    #[test]
    fn visit_with_built_in_servers_reads_the_title() {
        let options = VisitOptions {
            url: "http://www.baidu.com/".into(),
            dns: None,
            connect: None,
            pcap_dir: None,
            timeout: Duration::from_secs(5),
            trace: Trace::OFF,
        };
        let mut out = Vec::new();
        let report = visit(&options, &mut out).unwrap();
        assert_eq!(report.address, simulate::WEB_SERVER);
        assert_eq!(report.title.as_deref(), Some("baidu.com (offline copy)"));
        assert_eq!(report.body_len, simulate::PAGE.len());
    }

    #[test]
    fn a_response_longer_than_the_limit_is_refused_not_kept() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(b"HTTP/1.0 200 OK\r\n\r\n");
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0u64;
            // The client stops reading at the limit and closes: a write then fails.
            while sent <= MAX_RESPONSE {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
                sent += chunk.len() as u64;
            }
        });
        let options = VisitOptions {
            url: "http://www.baidu.com/".into(),
            dns: None,
            connect: Some(address),
            pcap_dir: None,
            timeout: Duration::from_secs(5),
            trace: Trace::OFF,
        };
        let refused = visit(&options, &mut Vec::new()).unwrap_err();
        assert!(matches!(
            refused,
            VisitError::ResponseTooLong {
                limit: MAX_RESPONSE
            }
        ));
        server.join().unwrap();
    }

    #[test]
    fn title_is_found_case_insensitively() {
        assert_eq!(
            find_title("<HTML><TITLE> Hi </TITLE>").as_deref(),
            Some("Hi")
        );
        assert_eq!(find_title("<p>none</p>"), None);
    }

    #[test]
    fn a_dns_answer_too_long_for_one_packet_is_refused_in_the_capture() {
        // Over TCP a DNS answer may be up to 65 535 bytes; one UDP datagram in one IPv4
        // packet holds 65 507.
        let answer = vec![0; 65_508];
        let refused = visit_capture(simulate::WEB_SERVER, 80, b"query", &answer, b"", b"");
        assert_eq!(
            refused,
            Err(PayloadTooLong {
                carrier: "IPv4 packet",
                length: 65_516,
                max: 65_515,
            })
        );
    }

    #[test]
    fn each_bad_url_names_its_one_failure() {
        assert!(matches!(
            parse_url("https://baidu.com/"),
            Err(VisitError::UnsupportedScheme { scheme, .. }) if scheme == "https"
        ));
        assert!(matches!(
            parse_url("http://baidu.com:0/"),
            Err(VisitError::BadPort { .. })
        ));
        assert!(matches!(
            parse_url("http://:80/"),
            Err(VisitError::NoHost { .. })
        ));
        assert_eq!(
            parse_url("http://:80/").unwrap_err().to_string(),
            "bad URL 'http://:80/': no host name"
        );
    }
}
