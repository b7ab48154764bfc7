//! The notes' visit of a web page, read back from a real capture: each frame decoded
//! with this crate's own parsers ([`crate::ethernet`], [`crate::arp`], [`crate::ipv4`],
//! [`crate::udp`], [`crate::tcp`], [`crate::dns`]) and labelled with the step of the
//! notes it belongs to (访问baidu.com的过程):
//!
//! ```text
//! 1.1  使用arp获取默认网关的mac地址          ARP request and reply for the gateway
//! 1.2  组织数据 发送给默认网关               the DNS query: the gateway's MAC, the DNS server's IP
//! 1.6  DNS服务器…原路返回                    the DNS answer
//! 2    发送tcp的三次握手                      SYN, SYN+ACK, ACK
//! 3    使用http协议发送请求数据给web服务器    GET / HTTP/1.0
//! 4    web服务器…原路返回给浏览器            HTTP/1.0 200 OK and the page
//! 6    浏览器关闭tcp链接，四次挥手            the FINs and their ACKs
//! ```
//!
//! (Step 5, the browser rendering the page, happens in the browser, not on the wire.)
//! The capture file itself is unwrapped by the course's one capture reader,
//! [`ladder::capture`]; [`walk_ladder`] then draws the walk as a ladder diagram, each
//! arrow labelled with its step. `visit --netns` prints both for the capture it takes
//! on the host's interface.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use ladder::capture::{Frame, LinkType};
use ladder::{Ladder, Mark};

use crate::arp::{ArpPacket, Operation};
use crate::dns::{Message, RecordData};
use crate::ethernet::{ETHERTYPE_ARP, ETHERTYPE_IPV4, EthernetFrame, MacAddr};
use crate::ipv4::{Ipv4Packet, PROTOCOL_TCP, PROTOCOL_UDP};
use crate::simulate::{DNS_SERVER, GATEWAY_IP, GATEWAY_MAC, HOST_IP, HOST_MAC, WEB_SERVER};
use crate::tcp::{self, TcpSegment};
use crate::udp::UdpDatagram;

/// One step of the notes' story: its number there, its words, and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotesStep {
    pub number: &'static str,
    pub notes: &'static str,
    pub meaning: &'static str,
}

pub const ARP_FOR_GATEWAY: NotesStep = NotesStep {
    number: "1.1",
    notes: "使用arp获取默认网关的mac地址",
    meaning: "ARP for the default gateway's MAC",
};
pub const DNS_QUERY: NotesStep = NotesStep {
    number: "1.2",
    notes: "组织数据 发送给默认网关",
    meaning: "the DNS query, to the gateway's MAC and the DNS server's IP",
};
pub const DNS_ANSWER: NotesStep = NotesStep {
    number: "1.6",
    notes: "DNS服务器…原路返回",
    meaning: "the DNS answer comes back the same way",
};
pub const HANDSHAKE: NotesStep = NotesStep {
    number: "2",
    notes: "发送tcp的三次握手",
    meaning: "the TCP three-way handshake",
};
pub const HTTP_REQUEST: NotesStep = NotesStep {
    number: "3",
    notes: "使用http协议发送请求数据给web服务器",
    meaning: "the HTTP request",
};
pub const HTTP_RESPONSE: NotesStep = NotesStep {
    number: "4",
    notes: "web服务器…原路返回给浏览器",
    meaning: "the HTTP response",
};
pub const CLOSE: NotesStep = NotesStep {
    number: "6",
    notes: "浏览器关闭tcp链接，四次挥手",
    meaning: "the close",
};

/// What one frame is in the story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    ArpRequest,
    ArpReply,
    DnsQuery,
    DnsAnswer,
    /// The client's SYN: the first segment of the connection.
    Syn,
    SynAck,
    /// The client's ACK that completes the handshake.
    HandshakeAck,
    /// Data from the client that starts with an HTTP method.
    HttpRequest,
    /// Data from the server that starts with `HTTP/`.
    HttpResponse,
    /// More of the response.
    ResponseData,
    /// A segment with only an ACK, acknowledging data (the notes: 在TCP中，如果一方收到了
    /// 对方的数据，一定会发送ack确定包).
    DataAck,
    /// A segment with FIN and no data.
    Fin,
    /// A segment with only an ACK, after a FIN.
    CloseAck,
    /// Anything else (a frame outside the story, or one our parsers refuse).
    Other,
}

impl Event {
    /// The step of the notes this frame belongs to, when it belongs to one.
    pub fn notes_step(self) -> Option<NotesStep> {
        match self {
            Event::ArpRequest | Event::ArpReply => Some(ARP_FOR_GATEWAY),
            Event::DnsQuery => Some(DNS_QUERY),
            Event::DnsAnswer => Some(DNS_ANSWER),
            Event::Syn | Event::SynAck | Event::HandshakeAck => Some(HANDSHAKE),
            Event::HttpRequest => Some(HTTP_REQUEST),
            Event::HttpResponse | Event::ResponseData => Some(HTTP_RESPONSE),
            Event::Fin | Event::CloseAck => Some(CLOSE),
            Event::DataAck | Event::Other => None,
        }
    }
}

/// One frame of the capture, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkFrame {
    /// Its number in the capture, from 1 (Wireshark's "No.").
    pub number: u64,
    /// Time since the first frame.
    pub at: Duration,
    pub event: Event,
    pub source_mac: MacAddr,
    pub destination_mac: MacAddr,
    /// TCP flags, for a TCP segment.
    pub tcp_flags: Option<u8>,
    /// For a segment of the web connection: sent by the client (the host)?
    pub from_client: Option<bool>,
    /// The protocol and what the frame says, in Wireshark's words.
    pub summary: String,
}

impl WalkFrame {
    pub fn has_fin(&self) -> bool {
        self.tcp_flags.is_some_and(|flags| flags & tcp::FIN != 0)
    }
}

/// Why a capture cannot be read as the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkError {
    /// The frames are not Ethernet (link type 1): `tcpdump -i any` writes cooked
    /// headers instead.
    NotEthernet { link_type: u32 },
}

impl std::fmt::Display for WalkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WalkError::NotEthernet { link_type } => write!(
                f,
                "the capture's link type is {link_type}, not 1 (Ethernet): capture on one interface (tcpdump -i IFACE), not -i any"
            ),
        }
    }
}

impl std::error::Error for WalkError {}

/// The one web connection of the walk, as its SYN announced it.
#[derive(Debug, Default)]
struct Connection {
    client: Option<(Ipv4Addr, u16)>,
    server: Option<(Ipv4Addr, u16)>,
    client_isn: Option<u32>,
    server_isn: Option<u32>,
    handshake_done: bool,
    fin_seen: bool,
}

/// The frames of a capture that is still being written (tcpdump `-U` writes each frame
/// as it comes): every frame up to the first one that is cut off (or unreadable), none
/// when not even the file header is there yet.
pub fn frames_written_so_far(bytes: &[u8]) -> Vec<Frame<'_>> {
    match ladder::capture::Reader::new(bytes) {
        Ok(reader) => reader.map_while(Result::ok).collect(),
        Err(_) => Vec::new(),
    }
}

/// Decodes every frame of a capture ([`ladder::capture::read_all`] reads them from the
/// file) and labels it with the notes' step.
pub fn read_walk(captured: &[Frame<'_>]) -> Result<Vec<WalkFrame>, WalkError> {
    if let Some(other) = captured.iter().find(|f| f.link != LinkType::Ethernet) {
        return Err(WalkError::NotEthernet {
            link_type: other.link.number(),
        });
    }
    let start = captured.first().map_or(Duration::ZERO, |first| first.at);
    let mut connection = Connection::default();
    let mut frames = Vec::new();
    for captured_frame in captured {
        // A capture's clock can step back: such a frame is at 0.
        let at = captured_frame.at.checked_sub(start).unwrap_or_default();
        let Ok(ethernet) = EthernetFrame::parse(captured_frame.data) else {
            continue; // shorter than an Ethernet header: nothing to show
        };
        let mut frame = WalkFrame {
            number: captured_frame.number,
            at,
            event: Event::Other,
            source_mac: ethernet.source,
            destination_mac: ethernet.destination,
            tcp_flags: None,
            from_client: None,
            summary: format!("EtherType 0x{:04x}", ethernet.ethertype),
        };
        match ethernet.ethertype {
            ETHERTYPE_ARP => describe_arp(&ethernet.payload, &mut frame),
            ETHERTYPE_IPV4 => describe_ipv4(&ethernet.payload, &mut connection, &mut frame),
            _ => {}
        }
        frames.push(frame);
    }
    Ok(frames)
}

fn describe_arp(payload: &[u8], frame: &mut WalkFrame) {
    let Ok(arp) = ArpPacket::parse(payload) else {
        frame.summary = "ARP (not Ethernet/IPv4)".into();
        return;
    };
    frame.event = match arp.operation {
        Operation::Request => Event::ArpRequest,
        Operation::Reply => Event::ArpReply,
        Operation::Unknown(_) => Event::Other,
    };
    frame.summary = format!("ARP  {}", arp.summary());
}

fn describe_ipv4(payload: &[u8], connection: &mut Connection, frame: &mut WalkFrame) {
    let packet = match Ipv4Packet::parse(payload) {
        Ok(packet) => packet,
        Err(error) => {
            frame.summary = format!("IPv4 ({error})");
            return;
        }
    };
    let addresses = |source_port: u16, destination_port: u16| {
        format!(
            "{}:{source_port} > {}:{destination_port} ttl {}",
            packet.source, packet.destination, packet.ttl
        )
    };
    match packet.protocol {
        PROTOCOL_UDP => {
            let Ok(datagram) = UdpDatagram::parse(&packet.payload) else {
                frame.summary = "UDP (cut off)".into();
                return;
            };
            let ends = addresses(datagram.source_port, datagram.destination_port);
            if datagram.source_port != 53 && datagram.destination_port != 53 {
                frame.summary = format!("UDP  {ends}");
                return;
            }
            match Message::parse(&datagram.payload) {
                Ok(message) => {
                    let (event, text) = describe_dns(&message);
                    frame.event = event;
                    frame.summary = format!("DNS  {ends}  {text}");
                }
                Err(error) => frame.summary = format!("DNS  {ends}  ({error})"),
            }
        }
        PROTOCOL_TCP => {
            let Ok(segment) = TcpSegment::parse(&packet.payload) else {
                frame.summary = "TCP (cut off)".into();
                return;
            };
            let ends = addresses(segment.source_port, segment.destination_port);
            let text = describe_tcp(
                &segment,
                (packet.source, segment.source_port),
                connection,
                frame,
            );
            frame.summary = format!("TCP  {ends}  {text}");
        }
        other => frame.summary = format!("IPv4 protocol {other}"),
    }
}

fn describe_dns(message: &Message) -> (Event, String) {
    let question = message
        .questions
        .first()
        .map(|q| format!("{} {}", q.record_type, q.name))
        .unwrap_or_default();
    if !message.header.response {
        return (Event::DnsQuery, format!("query {question}"));
    }
    let answers: Vec<String> = message
        .answers
        .iter()
        .map(|record| match &record.data {
            RecordData::A(ip) => format!("{ip} (ttl {} s)", record.ttl),
            other => format!("{} {other}", record.record_type),
        })
        .collect();
    let text = if answers.is_empty() {
        format!("answer {question}: {} (no records)", message.header.rcode)
    } else {
        format!("answer {question} is {}", answers.join(", "))
    };
    (Event::DnsAnswer, text)
}

/// Labels one TCP segment of the walk and returns its text: flags, sequence and
/// acknowledgment numbers counted from each side's first (as Wireshark shows them),
/// and the first line of any HTTP it carries.
fn describe_tcp(
    segment: &TcpSegment,
    source: (Ipv4Addr, u16),
    connection: &mut Connection,
    frame: &mut WalkFrame,
) -> String {
    let flags = segment.flags;
    frame.tcp_flags = Some(flags);
    let syn = flags & tcp::SYN != 0;
    let ack = flags & tcp::ACK != 0;
    if syn && !ack && connection.client.is_none() {
        connection.client = Some(source);
        connection.client_isn = Some(segment.sequence);
    }
    let from_client = match (connection.client, connection.server) {
        (Some(client), _) if client == source => Some(true),
        (Some(_), None) if syn && ack => {
            connection.server = Some(source);
            Some(false)
        }
        (Some(_), Some(server)) if server == source => Some(false),
        _ => None,
    };
    frame.from_client = from_client;
    let (own_isn, peer_isn) = match from_client {
        Some(true) => (connection.client_isn, connection.server_isn),
        Some(false) => {
            if syn {
                connection.server_isn = Some(segment.sequence);
            }
            (connection.server_isn, connection.client_isn)
        }
        None => (None, None),
    };
    let mut text = format!(
        "{} seq {}",
        tcp::flag_names(flags),
        relative(segment.sequence, own_isn)
    );
    if ack {
        text.push_str(&format!(
            " ack {}",
            relative(segment.acknowledgment, peer_isn)
        ));
    }
    if !segment.payload.is_empty() {
        text.push_str(&format!(" len {}", segment.payload.len()));
        let first_line = segment
            .payload
            .split(|&byte| byte == b'\r' || byte == b'\n')
            .next()
            .unwrap_or_default();
        let first_line = String::from_utf8_lossy(first_line);
        let looks_like_http = first_line.starts_with("HTTP/")
            || ["GET ", "HEAD ", "POST "]
                .iter()
                .any(|method| first_line.starts_with(method));
        if looks_like_http {
            text.push_str(&format!(" \"{first_line}\""));
        }
    }
    let Some(from_client) = from_client else {
        frame.event = Event::Other;
        return text;
    };
    let fin = flags & tcp::FIN != 0;
    frame.event = if syn {
        if ack { Event::SynAck } else { Event::Syn }
    } else if !segment.payload.is_empty() {
        let starts = |prefix: &[u8]| segment.payload.starts_with(prefix);
        if from_client && (starts(b"GET ") || starts(b"HEAD ") || starts(b"POST ")) {
            Event::HttpRequest
        } else if !from_client && starts(b"HTTP/") {
            Event::HttpResponse
        } else if !from_client {
            Event::ResponseData
        } else {
            Event::Other
        }
    } else if fin {
        Event::Fin
    } else if connection.fin_seen {
        Event::CloseAck
    } else if !connection.handshake_done && from_client {
        connection.handshake_done = true;
        Event::HandshakeAck
    } else {
        Event::DataAck
    };
    if fin {
        connection.fin_seen = true;
    }
    text
}

/// `number` counted from `first` (the side's initial sequence number), or as it is
/// when the SYN was not captured.
fn relative(number: u32, first: Option<u32>) -> u32 {
    match first {
        Some(first) => number.wrapping_sub(first),
        None => number,
    }
}

/// Tells whether a frame is one step of the walk.
pub type IsStep = fn(&WalkFrame) -> bool;

/// The walk's steps a capture must show, in this order (other frames may come between
/// them).
pub const WALK: [(&str, IsStep); 11] = [
    ("ARP request for the gateway", |f| {
        f.event == Event::ArpRequest
    }),
    ("ARP reply from the gateway", |f| f.event == Event::ArpReply),
    ("DNS query", |f| f.event == Event::DnsQuery),
    ("DNS answer", |f| f.event == Event::DnsAnswer),
    ("SYN", |f| f.event == Event::Syn),
    ("SYN+ACK", |f| f.event == Event::SynAck),
    ("ACK of the handshake", |f| f.event == Event::HandshakeAck),
    ("HTTP GET", |f| f.event == Event::HttpRequest),
    ("HTTP 200 response", |f| {
        f.event == Event::HttpResponse && f.summary.contains(" 200 ")
    }),
    ("the server's FIN", |f| {
        f.has_fin() && f.from_client == Some(false)
    }),
    ("the client's FIN", |f| {
        f.has_fin() && f.from_client == Some(true)
    }),
];

/// Checks that every step of [`WALK`] is in `frames`, in order; the error names the
/// first step missing.
pub fn check_walk(frames: &[WalkFrame]) -> Result<(), String> {
    let mut rest = frames.iter();
    for (name, is_step) in WALK {
        if !rest.any(is_step) {
            return Err(format!(
                "the capture has no {name} where the notes' walk needs one"
            ));
        }
    }
    Ok(())
}

/// Has the close ended: a FIN from each side, and after the later one, the other
/// side's ACK of it? (`visit --netns` waits for this before it stops tcpdump.)
pub fn close_complete(frames: &[WalkFrame]) -> bool {
    let fin_from = |client: bool| {
        frames
            .iter()
            .position(|f| f.has_fin() && f.from_client == Some(client))
    };
    let (Some(server_fin), Some(client_fin)) = (fin_from(false), fin_from(true)) else {
        return false;
    };
    let last = server_fin.max(client_fin);
    let last_sender = frames[last].from_client;
    frames[last + 1..].iter().any(|f| {
        f.from_client.is_some()
            && f.from_client != last_sender
            && f.tcp_flags.is_some_and(|flags| flags & tcp::ACK != 0)
    })
}

/// How the close looked: the segments of the web connection from the first FIN on.
pub fn close_segments(frames: &[WalkFrame]) -> Vec<&WalkFrame> {
    let Some(first_fin) = frames
        .iter()
        .position(|f| f.has_fin() && f.from_client.is_some())
    else {
        return Vec::new();
    };
    frames[first_fin..]
        .iter()
        .filter(|f| f.from_client.is_some())
        .collect()
}

/// One sentence on the close: the notes say 四次挥手 (four segments); a capture often
/// shows three, when one side's ACK of the FIN rides on its own FIN.
pub fn close_sentence(frames: &[WalkFrame]) -> String {
    let segments = close_segments(frames);
    let names: Vec<String> = segments
        .iter()
        .map(|f| {
            let side = if f.from_client == Some(true) {
                "host"
            } else {
                "server"
            };
            let flags = f.tcp_flags.map(tcp::flag_names).unwrap_or_default();
            format!("{flags} from the {side}")
        })
        .collect();
    let count = match segments.len() {
        3 => "three segments".to_string(),
        4 => "four segments".to_string(),
        n => format!("{n} segments"),
    };
    let why = if segments.len() == 3 {
        ": the host's ACK of the server's FIN rode on the host's own FIN"
    } else {
        ""
    };
    format!(
        "the close (四次挥手) took {count}: {}{why}",
        names.join(", ")
    )
}

/// The lines `visit --netns` prints: the frames grouped under the notes' steps.
pub fn report_lines(frames: &[WalkFrame]) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current: Option<NotesStep> = None;
    for frame in frames {
        // An ACK of data, or a stray frame, stays under the step before it.
        if let Some(step) = frame.event.notes_step() {
            if current != Some(step) {
                lines.push(format!(
                    "step {}  {} ({})",
                    step.number, step.notes, step.meaning
                ));
                current = Some(step);
            }
        }
        let remark = match frame.event {
            Event::DataAck => "  (ACK of data: 收到了对方的数据，一定会发送ack)",
            Event::Other => "  (not a step of the notes)",
            _ => "",
        };
        lines.push(format!(
            "  {:>3}  {:>9.6}  {} > {}  {}{remark}",
            frame.number,
            frame.at.as_secs_f64(),
            frame.source_mac,
            frame.destination_mac,
            frame.summary
        ));
    }
    lines
}

/// The columns of the walk's ladder: who talks in the notes' story. Short names, so the
/// labels keep their room within 80 columns; [`WalkLadder::legend`] says which
/// addresses stand behind each.
pub const HOST: &str = "host";
pub const GATEWAY: &str = "gateway";
pub const DNS_COLUMN: &str = "DNS:53";
pub const WEB_COLUMN: &str = "web:80";

/// The walk as a ladder diagram, with the addresses behind each of its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkLadder {
    /// One arrow per frame, labelled by [`ladder::decode`] and prefixed with the notes'
    /// step number (`1.2 query A www.netlab.test id=0x5c09`); ACKs of data carry none.
    pub ladder: Ladder,
    /// Per column, in the ladder's order: its name and the addresses seen behind it
    /// (the host's MAC for ARP, then one `IP:port` per socket it used).
    pub columns: Vec<(String, Vec<String>)>,
    /// The column a broadcast (the ARP request) is drawn to, when there was one.
    pub broadcast_to: Option<String>,
}

impl WalkLadder {
    /// One line per column: `host = 02:00:00:00:01:0a, 192.168.1.10:39654, ...`.
    pub fn legend(&self) -> Vec<String> {
        let width = self
            .columns
            .iter()
            .map(|(name, _)| name.len())
            .max()
            .unwrap_or(0);
        self.columns
            .iter()
            .map(|(name, addresses)| {
                let mut line = format!("{name:<width$} = {}", addresses.join(", "));
                if self.broadcast_to.as_ref() == Some(name) {
                    line.push_str(", ff:ff:ff:ff:ff:ff (the ARP request, to all)");
                }
                line
            })
            .collect()
    }
}

/// The column of one endpoint as [`ladder::decode`] names it (a MAC for ARP, `IP:port`
/// otherwise), or `None` for one outside the lesson's network.
fn column_of(endpoint: &str) -> Option<&'static str> {
    if let Ok(address) = endpoint.parse::<SocketAddr>() {
        return match address.ip() {
            ip if ip == HOST_IP => Some(HOST),
            ip if ip == GATEWAY_IP => Some(GATEWAY),
            ip if ip == DNS_SERVER => Some(DNS_COLUMN),
            ip if ip == WEB_SERVER => Some(WEB_COLUMN),
            _ => None,
        };
    }
    if endpoint == HOST_MAC.to_string() {
        Some(HOST)
    } else if endpoint == GATEWAY_MAC.to_string() {
        Some(GATEWAY)
    } else {
        None
    }
}

/// The walk as a ladder: the capture's frames decoded by [`ladder::decode`] (the same
/// labels `cargo run -p ladder -- FILE.pcap` shows), each arrow between the columns
/// [`HOST`], [`GATEWAY`], [`DNS_COLUMN`] and [`WEB_COLUMN`], prefixed with the notes'
/// step of its frame in `walk` (from [`read_walk`]). The ARP request goes to every
/// machine on the LAN (ff:ff:ff:ff:ff:ff): it is drawn to the gateway, the one that
/// answers, and the legend says so (a word more in its label would cut it short).
pub fn walk_ladder(captured: &[Frame<'_>], walk: &[WalkFrame]) -> WalkLadder {
    let mut decoder = ladder::decode::Decoder::new();
    let mut drawn = Ladder::new();
    let mut columns: Vec<(String, Vec<String>)> = Vec::new();
    let mut note = |column: &str, address: &str| {
        let index = match columns.iter().position(|(name, _)| name == column) {
            Some(index) => index,
            None => {
                columns.push((column.to_string(), Vec::new()));
                columns.len() - 1
            }
        };
        if !address.is_empty() && !columns[index].1.iter().any(|known| known == address) {
            columns[index].1.push(address.to_string());
        }
    };
    let mut broadcast_to = None;
    let start = captured.first().map_or(Duration::ZERO, |first| first.at);
    let broadcast = MacAddr::BROADCAST.to_string();
    for frame in captured {
        let Ok(packet) = decoder.packet(frame) else {
            continue; // not a frame the decoder knows: the step list above shows it
        };
        let from = column_of(&packet.source).unwrap_or(packet.source.as_str());
        let mut label = packet.label.clone();
        let to = if packet.destination == broadcast {
            if from == HOST { GATEWAY } else { HOST }
        } else {
            column_of(&packet.destination).unwrap_or(packet.destination.as_str())
        };
        note(from, &packet.source);
        if packet.destination == broadcast {
            note(to, "");
            broadcast_to.get_or_insert_with(|| to.to_string());
        } else {
            note(to, &packet.destination);
        }
        let step = walk
            .iter()
            .find(|walked| walked.number == frame.number)
            .and_then(|walked| walked.event.notes_step());
        if let Some(step) = step {
            label = format!("{} {label}", step.number);
        }
        let at = frame.at.checked_sub(start).unwrap_or_default();
        drawn.arrow(at, from, to, label, Mark::Plain);
    }
    // The ladder's columns come in order of first appearance, and so do these.
    let order = drawn.endpoints().to_vec();
    columns.sort_by_key(|(name, _)| order.iter().position(|known| known == name));
    WalkLadder {
        ladder: drawn,
        columns,
        broadcast_to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ladder::capture::{self, CaptureError, Unit};

    /// The simulated visit (`visit --pcap-dir`), which follows the same story, written
    /// as a pcap file by [`crate::pcap`] and read back by the course's reader.
    fn simulated() -> Vec<WalkFrame> {
        let records = crate::simulate::Topology::home()
            .capture()
            .into_iter()
            .next()
            .map(|(_, records)| records)
            .unwrap_or_default();
        let bytes = crate::pcap::encode(&records).unwrap();
        read_walk(&capture::read_all(&bytes).unwrap()).unwrap()
    }

    /// A capture `visit --netns` took with tcpdump on the host's eth0 (made by
    /// tests/visit_netns.rs with NETLAB_SAVE_VISIT_CAPTURE set).
    const VISIT_NETNS: &[u8] = include_bytes!("../tests/fixtures/visit-netns.pcap");

    fn fixture() -> Vec<WalkFrame> {
        read_walk(&capture::read_all(VISIT_NETNS).unwrap()).unwrap()
    }

    #[test]
    fn tcpdump_capture_is_read_record_by_record() {
        // tcpdump 4.99 -w on a veth: classic pcap, little-endian, microseconds,
        // snaplen 262144 (bytes 16..20 of the file header), Ethernet.
        assert_eq!(&VISIT_NETNS[16..20], &262_144u32.to_le_bytes());
        let reader = capture::Reader::new(VISIT_NETNS).unwrap();
        assert_eq!(
            reader.format(),
            capture::Format::Pcap {
                big_endian: false,
                nanoseconds: false
            }
        );
        let frames = capture::read_all(VISIT_NETNS).unwrap();
        assert_eq!(frames.len(), 14);
        assert!(frames.iter().all(|f| f.link == LinkType::Ethernet));
        // Frame 1 at 1795649141.496048 s (2026-11-25 23:25:41 UTC): the ARP request,
        // 42 bytes (not padded: captured as it was sent), to ff:ff:ff:ff:ff:ff.
        assert_eq!(frames[0].data.len(), 42);
        assert_eq!(frames[0].original_length, 42);
        assert_eq!(frames[0].at, Duration::from_micros(1_795_649_141_496_048));
        assert_eq!(&frames[0].data[..6], &[0xff; 6]);
        // Cut anywhere inside the last frame: an error naming record 14, or (while
        // tcpdump is still writing) the 13 frames before it.
        let cut = &VISIT_NETNS[..VISIT_NETNS.len() - 10];
        assert!(matches!(
            capture::read_all(cut),
            Err(CaptureError::CutShort {
                unit: Unit::Record,
                number: 14,
                ..
            })
        ));
        assert_eq!(frames_written_so_far(cut).len(), 13);
        assert_eq!(frames_written_so_far(&VISIT_NETNS[..10]), vec![]);
    }

    #[test]
    fn real_capture_holds_the_whole_walk_in_order() {
        let frames = fixture();
        let events: Vec<Event> = frames.iter().map(|f| f.event).collect();
        assert_eq!(
            events,
            [
                Event::ArpRequest,   // 1  who has the gateway?
                Event::ArpReply,     // 2  the gateway's MAC
                Event::DnsQuery,     // 3
                Event::DnsAnswer,    // 4
                Event::Syn,          // 5
                Event::SynAck,       // 6
                Event::HandshakeAck, // 7
                Event::HttpRequest,  // 8  GET / HTTP/1.0
                Event::DataAck,      // 9  the server ACKs the request
                Event::HttpResponse, // 10 HTTP/1.0 200 OK and the page
                Event::DataAck,      // 11 the host ACKs the page
                Event::Fin,          // 12 the server closes first (HTTP/1.0)
                Event::Fin,          // 13 the host's FIN carries its ACK of 12
                Event::CloseAck,     // 14
            ]
        );
        assert_eq!(check_walk(&frames), Ok(()));
        assert!(close_complete(&frames));
        assert!(!close_complete(&frames[..13]));
    }

    #[test]
    fn real_capture_frames_are_decoded_field_by_field() {
        let frames = fixture();
        let arp = &frames[0];
        assert_eq!(arp.number, 1);
        assert_eq!(arp.at, Duration::ZERO);
        assert_eq!(arp.source_mac.to_string(), "02:00:00:00:01:0a");
        assert!(arp.destination_mac.is_broadcast());
        assert_eq!(arp.summary, "ARP  Who has 192.168.1.1? Tell 192.168.1.10");
        // The DNS query: the DNS server's IP, but the gateway's MAC (notes step 1.2).
        let query = &frames[2];
        assert_eq!(query.destination_mac.to_string(), "02:00:00:00:01:01");
        assert!(
            query.summary.starts_with("DNS  192.168.1.10:")
                && query
                    .summary
                    .ends_with(" > 192.0.2.53:53 ttl 64  query A www.netlab.test"),
            "{}",
            query.summary
        );
        // The answer crossed the router: TTL 63.
        assert!(
            frames[3]
                .summary
                .ends_with("ttl 63  answer A www.netlab.test is 198.51.100.10 (ttl 300 s)"),
            "{}",
            frames[3].summary
        );
        assert!(frames[4].summary.ends_with("[SYN] seq 0"));
        assert!(frames[5].summary.ends_with("[SYN, ACK] seq 0 ack 1"));
        assert!(frames[6].summary.ends_with("[ACK] seq 1 ack 1"));
        assert!(
            frames[7]
                .summary
                .ends_with("[PSH, ACK] seq 1 ack 1 len 61 \"GET / HTTP/1.0\""),
            "{}",
            frames[7].summary
        );
        assert!(
            frames[9]
                .summary
                .ends_with("[PSH, ACK] seq 1 ack 62 len 179 \"HTTP/1.0 200 OK\""),
            "{}",
            frames[9].summary
        );
        assert_eq!(frames[11].from_client, Some(false));
        assert_eq!(frames[11].tcp_flags, Some(tcp::FIN | tcp::ACK));
        assert!(frames[13].summary.ends_with("[ACK] seq 181 ack 63"));
    }

    #[test]
    fn real_capture_draws_as_a_ladder_with_the_notes_steps() {
        let captured = capture::read_all(VISIT_NETNS).unwrap();
        let walk = walk_ladder(&captured, &read_walk(&captured).unwrap());
        assert_eq!(
            walk.ladder.endpoints(),
            [HOST, GATEWAY, DNS_COLUMN, WEB_COLUMN]
        );
        assert_eq!(
            walk.legend(),
            [
                "host    = 02:00:00:00:01:0a, 192.168.1.10:39654, 192.168.1.10:47850",
                "gateway = 02:00:00:00:01:01, ff:ff:ff:ff:ff:ff (the ARP request, to all)",
                "DNS:53  = 192.0.2.53:53",
                "web:80  = 198.51.100.10:80",
            ]
        );
        let arrows: Vec<(&str, &str, &str)> = walk
            .ladder
            .arrows()
            .map(|arrow| {
                let names = walk.ladder.endpoints();
                (
                    names[arrow.from].as_str(),
                    names[arrow.to].as_str(),
                    arrow.label.as_str(),
                )
            })
            .collect();
        assert_eq!(
            arrows,
            [
                (HOST, GATEWAY, "1.1 who has 192.168.1.1? tell 192.168.1.10"),
                (GATEWAY, HOST, "1.1 192.168.1.1 is at 02:00:00:00:01:01"),
                (HOST, DNS_COLUMN, "1.2 query A www.netlab.test id=0x5c09"),
                (
                    DNS_COLUMN,
                    HOST,
                    "1.6 answer A www.netlab.test 198.51.100.10"
                ),
                (HOST, WEB_COLUMN, "2 SYN seq=0"),
                (WEB_COLUMN, HOST, "2 SYN+ACK seq=0 ack=1"),
                (HOST, WEB_COLUMN, "2 ACK seq=1 ack=1"),
                (
                    HOST,
                    WEB_COLUMN,
                    "3 GET / HTTP/1.0 (PSH+ACK seq=1 ack=1 len=61)"
                ),
                (WEB_COLUMN, HOST, "ACK seq=1 ack=62"),
                (
                    WEB_COLUMN,
                    HOST,
                    "4 HTTP/1.0 200 OK (PSH+ACK seq=1 ack=62 len=179)"
                ),
                (HOST, WEB_COLUMN, "ACK seq=62 ack=180"),
                (WEB_COLUMN, HOST, "6 FIN+ACK seq=180 ack=62"),
                (HOST, WEB_COLUMN, "6 FIN+ACK seq=62 ack=181"),
                (WEB_COLUMN, HOST, "6 ACK seq=181 ack=63"),
            ]
        );
        // Drawn for the terminal, every label is whole within 80 columns; and as mermaid.
        let drawing = ladder::draw::terminal(&walk.ladder, ladder::draw::Style::Ascii);
        assert!(drawing.lines().all(|line| line.len() <= 80), "{drawing}");
        for arrow in walk.ladder.arrows() {
            assert!(drawing.contains(&arrow.label), "{}\n{drawing}", arrow.label);
        }
        let mermaid = ladder::draw::mermaid(&walk.ladder);
        assert!(mermaid.starts_with("sequenceDiagram\n    participant A as host\n"));
        assert!(mermaid.contains("    A->>B: 1.1 who has 192.168.1.1? tell 192.168.1.10\n"));
        assert!(
            mermaid.contains("    D->>A: 6 ACK seq=181 ack=63\n"),
            "{mermaid}"
        );
    }

    #[test]
    fn real_capture_shows_the_close_in_three_segments() {
        assert_eq!(
            close_sentence(&fixture()),
            "the close (四次挥手) took three segments: [FIN, ACK] from the server, \
             [FIN, ACK] from the host, [ACK] from the server: the host's ACK of the \
             server's FIN rode on the host's own FIN"
        );
    }

    #[test]
    fn report_groups_frames_under_the_notes_steps() {
        let lines = report_lines(&fixture());
        let headers: Vec<&str> = lines
            .iter()
            .filter(|line| line.starts_with("step "))
            .map(|line| line.split("  ").next().unwrap_or_default())
            .collect();
        assert_eq!(
            headers,
            [
                "step 1.1", "step 1.2", "step 1.6", "step 2", "step 3", "step 4", "step 6"
            ]
        );
        assert_eq!(lines.len(), 14 + 7);
    }

    #[test]
    fn cut_or_corrupted_captures_never_panic() {
        // Every cut of the real capture, and every byte of it set to 0x00 and to 0xff:
        // an error or fewer frames, never a panic.
        for end in 0..VISIT_NETNS.len() {
            let captured = frames_written_so_far(&VISIT_NETNS[..end]);
            let frames = read_walk(&captured).unwrap();
            let _ = (check_walk(&frames), close_sentence(&frames));
            let _ = (report_lines(&frames), walk_ladder(&captured, &frames));
        }
        for at in 0..VISIT_NETNS.len() {
            for value in [0x00, 0xff] {
                let mut bytes = VISIT_NETNS.to_vec();
                bytes[at] = value;
                if let Ok(captured) = capture::read_all(&bytes) {
                    if let Ok(frames) = read_walk(&captured) {
                        let _ = (check_walk(&frames), close_sentence(&frames));
                        let _ = (report_lines(&frames), walk_ladder(&captured, &frames));
                    }
                }
            }
        }
    }

    #[test]
    fn cooked_captures_are_refused_with_the_reason() {
        let cooked = capture::Frame {
            number: 1,
            offset: 24,
            at: Duration::ZERO,
            link: LinkType::LinuxSll2,
            data: &[0; 20],
            original_length: 20,
        };
        let error = read_walk(&[cooked]).unwrap_err();
        assert_eq!(error, WalkError::NotEthernet { link_type: 276 });
        assert!(error.to_string().contains("-i any"), "{error}");
    }

    #[test]
    fn empty_capture_misses_the_first_step() {
        assert_eq!(
            check_walk(&[]).unwrap_err(),
            "the capture has no ARP request for the gateway where the notes' walk needs one"
        );
    }

    #[test]
    fn simulated_home_link_starts_with_arp_for_the_gateway() {
        let frames = simulated();
        assert_eq!(frames[0].event, Event::ArpRequest);
        assert_eq!(frames[1].event, Event::ArpReply);
        assert!(
            frames[0]
                .summary
                .contains("Who has 192.168.1.1? Tell 192.168.1.10"),
            "{:?}",
            frames[0]
        );
    }
}
