//! From captured frames to a ladder: each frame is decoded layer by layer (link, ARP or
//! IP, UDP or TCP, then DNS, TFTP or HTTP's first line) into a [`Packet`]: who sent it to
//! whom and a one-line label.
//!
//! Two things need memory across packets, so a [`Decoder`] keeps them:
//! * TCP sequence and ack numbers are shown relative to each direction's first sequence
//!   number (its ISN, from the SYN), as Wireshark does: `SYN seq=0`, `SYN+ACK seq=0
//!   ack=1`, `ACK seq=1 ack=1`. A connection whose SYN is not in the capture counts from
//!   its first segment as if the SYN had been just before it.
//! * TFTP has no fixed port after the request: the server answers from a new port (its
//!   transfer ID). A request to port 69, or any well-formed RRQ/WRQ, marks the client's
//!   address and port; every later packet to or from that address and port is TFTP.
//!
//! Endpoints are `IP:port` for UDP and TCP (`[::1]:69` for IPv6), the IP for ICMP, and
//! the MAC address for ARP.

mod dns;
mod layers;
mod text;
pub mod tftp;

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::capture::Frame;
use crate::diagram::{Ladder, Mark};
use crate::filter::Filter;

pub use layers::{LayerError, format_mac, tcp_flag_names};

/// The most characters of a payload shown in a label.
const PREVIEW: usize = 24;
/// The most skipped frames listed by number in a [`Summary`].
const MAX_LISTED_SKIPS: usize = 5;

/// The transport a packet used, for `--filter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Arp,
    Udp,
    Tcp,
    Icmp,
    /// Another IP protocol.
    OtherIp(u8),
}

/// One decoded frame: an arrow waiting to be drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// The frame's number in the capture (1 for the first).
    pub number: u64,
    /// The capture's timestamp.
    pub at: Duration,
    pub protocol: Protocol,
    /// The sender's endpoint label (`127.0.0.1:40000`, `02:00:00:00:00:01`).
    pub source: String,
    /// The receiver's endpoint label.
    pub destination: String,
    /// The IP addresses in it (ARP: sender's and target's), for `--filter host`.
    pub hosts: Vec<IpAddr>,
    /// Its UDP or TCP ports, for `--filter port`.
    pub ports: Vec<u16>,
    /// The one-line summary.
    pub label: String,
}

/// Decodes frames one after another, remembering TCP ISNs and TFTP transfers.
#[derive(Debug, Default)]
pub struct Decoder {
    /// Per direction (sender, receiver): the sequence number counted as 0.
    tcp_bases: HashMap<(SocketAddr, SocketAddr), u32>,
    /// Client addresses of the TFTP transfers seen so far.
    tftp_clients: HashSet<SocketAddr>,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Decodes one frame, or says why it cannot (a link type not decoded, a header cut
    /// short, an EtherType that is neither IPv4, IPv6 nor ARP).
    pub fn packet(&mut self, frame: &Frame<'_>) -> Result<Packet, LayerError> {
        let link = layers::link(frame.link, frame.data)?;
        let packet = |protocol, source, destination, hosts, ports, label| Packet {
            number: frame.number,
            at: frame.at,
            protocol,
            source,
            destination,
            hosts,
            ports,
            label,
        };
        let ip = match link.ethertype {
            layers::ETHERTYPE_ARP => {
                let arp = layers::arp(link.payload)?;
                let source = format_mac(link.source.unwrap_or(arp.sender_mac));
                let destination = match link.destination {
                    Some(mac) => format_mac(mac),
                    // A cooked capture has no destination MAC: a request goes to all,
                    // a reply to the target.
                    None if arp.operation == 1 => format_mac([0xff; 6]),
                    None => format_mac(arp.target_mac),
                };
                let hosts = vec![IpAddr::V4(arp.sender_ip), IpAddr::V4(arp.target_ip)];
                return Ok(packet(
                    Protocol::Arp,
                    source,
                    destination,
                    hosts,
                    Vec::new(),
                    arp.label(),
                ));
            }
            layers::ETHERTYPE_IPV4 => layers::ipv4(link.payload)?,
            layers::ETHERTYPE_IPV6 => layers::ipv6(link.payload)?,
            other => {
                return Err(LayerError::Bad {
                    what: "EtherType",
                    why: format!("{other:#06x} is not IPv4, IPv6 or ARP"),
                });
            }
        };
        let hosts = vec![ip.source, ip.destination];
        if ip.fragment_offset != 0 {
            return Ok(packet(
                Protocol::OtherIp(ip.protocol),
                ip.source.to_string(),
                ip.destination.to_string(),
                hosts,
                Vec::new(),
                format!("IP fragment at offset {}", ip.fragment_offset),
            ));
        }
        match ip.protocol {
            layers::PROTOCOL_UDP => {
                let udp = layers::udp(ip.payload)?;
                let source = SocketAddr::new(ip.source, udp.source_port);
                let destination = SocketAddr::new(ip.destination, udp.destination_port);
                let label = self.udp_label(source, destination, udp.payload);
                Ok(packet(
                    Protocol::Udp,
                    source.to_string(),
                    destination.to_string(),
                    hosts,
                    vec![udp.source_port, udp.destination_port],
                    label,
                ))
            }
            layers::PROTOCOL_TCP => {
                let tcp = layers::tcp(ip.payload)?;
                let source = SocketAddr::new(ip.source, tcp.source_port);
                let destination = SocketAddr::new(ip.destination, tcp.destination_port);
                let label = self.tcp_label(source, destination, &tcp);
                Ok(packet(
                    Protocol::Tcp,
                    source.to_string(),
                    destination.to_string(),
                    hosts,
                    vec![tcp.source_port, tcp.destination_port],
                    label,
                ))
            }
            layers::PROTOCOL_ICMP | layers::PROTOCOL_ICMPV6 => Ok(packet(
                Protocol::Icmp,
                ip.source.to_string(),
                ip.destination.to_string(),
                hosts,
                Vec::new(),
                layers::icmp_label(ip.payload),
            )),
            other => Ok(packet(
                Protocol::OtherIp(other),
                ip.source.to_string(),
                ip.destination.to_string(),
                hosts,
                Vec::new(),
                format!("IP protocol {other} ({} bytes)", ip.payload.len()),
            )),
        }
    }

    /// TFTP (by port 69, a well-formed request, or a transfer already seen), DNS (port
    /// 53, or anything that is exactly a DNS message), else the size and a preview.
    fn udp_label(&mut self, source: SocketAddr, destination: SocketAddr, payload: &[u8]) -> String {
        let request = destination.port() == 69 || tftp::is_request(payload);
        if request {
            self.tftp_clients.insert(source);
        }
        if request
            || source.port() == 69
            || self.tftp_clients.contains(&source)
            || self.tftp_clients.contains(&destination)
        {
            return tftp::label(payload);
        }
        let dns_port =
            [53, 5353].contains(&source.port()) || [53, 5353].contains(&destination.port());
        match dns::summary(payload, !dns_port) {
            Ok(label) => return label,
            Err(error) if dns_port => return format!("DNS ({error})"),
            Err(_) => {}
        }
        format!(
            "UDP {} bytes {}",
            payload.len(),
            text::quote(payload, PREVIEW)
        )
    }

    /// `PSH+ACK seq=1 ack=1 len=11 "hello, echo"`, with numbers relative to each
    /// direction's ISN; HTTP's first line leads when the payload starts one.
    fn tcp_label(
        &mut self,
        source: SocketAddr,
        destination: SocketAddr,
        tcp: &layers::Tcp<'_>,
    ) -> String {
        let forward = (source, destination);
        let backward = (destination, source);
        if tcp.flags & layers::TCP_SYN != 0 {
            // A new connection (or the answer to one): this direction counts from here.
            self.tcp_bases.insert(forward, tcp.sequence);
            if tcp.flags & layers::TCP_ACK == 0 {
                self.tcp_bases.remove(&backward);
            }
        }
        // Without its SYN in the capture, a direction counts as if the SYN came just
        // before its first segment (so that segment is seq=1, as after a handshake).
        let base = *self
            .tcp_bases
            .entry(forward)
            .or_insert(tcp.sequence.wrapping_sub(1));
        let mut label = tcp_flag_names(tcp.flags);
        label.push_str(&format!(" seq={}", tcp.sequence.wrapping_sub(base)));
        if tcp.flags & layers::TCP_ACK != 0 {
            let other = *self
                .tcp_bases
                .entry(backward)
                .or_insert(tcp.acknowledgment.wrapping_sub(1));
            label.push_str(&format!(" ack={}", tcp.acknowledgment.wrapping_sub(other)));
        }
        if !tcp.payload.is_empty() {
            label.push_str(&format!(" len={}", tcp.payload.len()));
            match text::http_first_line(tcp.payload) {
                Some(line) => return format!("{line} ({label})"),
                None => {
                    label.push(' ');
                    label.push_str(&text::quote(tcp.payload, PREVIEW));
                }
            }
        }
        label
    }
}

/// A ladder from a capture, and what did not make it into the ladder.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub ladder: Ladder,
    /// Frames in the capture.
    pub frames: u64,
    /// Frames drawn as arrows.
    pub shown: u64,
    /// Frames that could not be decoded.
    pub skipped: u64,
    /// The first few of them: frame number and why.
    pub skipped_examples: Vec<(u64, String)>,
}

/// Decodes every frame and draws those the filter keeps. Times are counted from the first
/// arrow drawn; an arrow with the same direction and label as an earlier one is marked
/// [`Mark::Repeated`].
pub fn ladder(frames: &[Frame<'_>], filter: &Filter) -> Summary {
    let mut decoder = Decoder::new();
    let mut summary = Summary {
        frames: frames.len() as u64,
        ..Summary::default()
    };
    let mut start = None;
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    for frame in frames {
        let packet = match decoder.packet(frame) {
            Ok(packet) => packet,
            Err(error) => {
                summary.skipped += 1;
                if summary.skipped_examples.len() < MAX_LISTED_SKIPS {
                    summary
                        .skipped_examples
                        .push((frame.number, error.to_string()));
                }
                continue;
            }
        };
        if !filter.matches(&packet) {
            continue;
        }
        let start = *start.get_or_insert(packet.at);
        // A capture's clock can step back (several interfaces): such a packet is at 0.
        let at = packet.at.checked_sub(start).unwrap_or_default();
        let key = (
            packet.source.clone(),
            packet.destination.clone(),
            packet.label.clone(),
        );
        let mark = if seen.contains(&key) {
            Mark::Repeated
        } else {
            seen.insert(key);
            Mark::Plain
        };
        summary
            .ladder
            .arrow(at, &packet.source, &packet.destination, packet.label, mark);
        summary.shown += 1;
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::LinkType;

    fn frame(link: LinkType, data: &[u8]) -> Frame<'_> {
        Frame {
            number: 1,
            offset: 0,
            at: Duration::ZERO,
            link,
            data,
            original_length: data.len() as u32,
        }
    }

    /// An IPv4 header for `payload`, 127.0.0.1 to 127.0.0.1 (checksum left 0: unread).
    fn ipv4(protocol: u8, payload: &[u8]) -> Vec<u8> {
        let total = (20 + payload.len()) as u16;
        let mut out = vec![0x45, 0];
        out.extend(total.to_be_bytes());
        out.extend([0, 0, 0x40, 0, 64, protocol, 0, 0]); // id, DF, TTL, protocol, checksum
        out.extend([127, 0, 0, 1, 127, 0, 0, 1]);
        out.extend_from_slice(payload);
        out
    }

    fn udp(source: u16, destination: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(source.to_be_bytes());
        out.extend(destination.to_be_bytes());
        out.extend(((8 + payload.len()) as u16).to_be_bytes());
        out.extend([0, 0]);
        out.extend_from_slice(payload);
        out
    }

    fn ethernet(ethertype: u16, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0xff; 6]; // destination: broadcast
        out.extend([2, 0, 0, 0, 0, 2]); // source
        out.extend(ethertype.to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn arp_request_goes_from_the_sender_mac_to_broadcast() {
        let mut arp = vec![0, 1, 8, 0, 6, 4, 0, 1];
        arp.extend([2, 0, 0, 0, 0, 2, 10, 0, 0, 2]); // sender MAC, IP
        arp.extend([0, 0, 0, 0, 0, 0, 10, 0, 0, 1]); // target MAC (unknown), IP
        let bytes = ethernet(0x0806, &arp);
        let packet = Decoder::new()
            .packet(&frame(LinkType::Ethernet, &bytes))
            .unwrap();
        assert_eq!(packet.protocol, Protocol::Arp);
        assert_eq!(packet.source, "02:00:00:00:00:02");
        assert_eq!(packet.destination, "ff:ff:ff:ff:ff:ff");
        assert_eq!(packet.label, "who has 10.0.0.1? tell 10.0.0.2");
    }

    #[test]
    fn dns_query_on_port_53() {
        let query = [
            0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, // header: id, RD, 1 question
            7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 3, b'c', b'o', b'm', 0, // name
            0, 1, 0, 1, // A, IN
        ];
        let bytes = ethernet(0x0800, &ipv4(17, &udp(40000, 53, &query)));
        let packet = Decoder::new()
            .packet(&frame(LinkType::Ethernet, &bytes))
            .unwrap();
        assert_eq!(packet.source, "127.0.0.1:40000");
        assert_eq!(packet.destination, "127.0.0.1:53");
        assert_eq!(packet.label, "query A example.com id=0x1234");
    }

    #[test]
    fn http_request_line_leads_the_tcp_label() {
        let mut tcp = Vec::new();
        tcp.extend(40000u16.to_be_bytes());
        tcp.extend(80u16.to_be_bytes());
        tcp.extend(1001u32.to_be_bytes()); // seq: ISN 1000 + 1
        tcp.extend(5001u32.to_be_bytes()); // ack: peer's ISN 5000 + 1
        tcp.extend([0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0]); // 20 bytes, PSH+ACK
        tcp.extend_from_slice(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
        let bytes = ethernet(0x0800, &ipv4(6, &tcp));
        let packet = Decoder::new()
            .packet(&frame(LinkType::Ethernet, &bytes))
            .unwrap();
        // No SYN seen: both directions count as if it came just before.
        assert_eq!(
            packet.label,
            "GET /index.html HTTP/1.1 (PSH+ACK seq=1 ack=1 len=37)"
        );
    }

    #[test]
    fn ipv6_udp_endpoints_have_brackets() {
        let payload = udp(40000, 7788, b"hi");
        let mut ip = vec![0x60, 0, 0, 0];
        ip.extend((payload.len() as u16).to_be_bytes());
        ip.extend([17, 64]); // next header UDP, hop limit
        let loopback = std::net::Ipv6Addr::LOCALHOST.octets();
        ip.extend(loopback);
        ip.extend(loopback);
        ip.extend(payload);
        let bytes = ethernet(0x86dd, &ip);
        let packet = Decoder::new()
            .packet(&frame(LinkType::Ethernet, &bytes))
            .unwrap();
        assert_eq!(packet.source, "[::1]:40000");
        assert_eq!(packet.destination, "[::1]:7788");
        assert_eq!(packet.label, "UDP 2 bytes \"hi\"");
    }

    #[test]
    fn linux_sll_version_1_is_read_too() {
        let mut sll = vec![0, 0, 3, 4, 0, 6]; // to us, ARPHRD_LOOPBACK, address length 6
        sll.extend([2, 0, 0, 0, 0, 1, 0, 0]); // address, padded to 8
        sll.extend([8, 0]); // protocol IPv4
        sll.extend(ipv4(17, &udp(5000, 69, b"\x00\x01a.txt\x00octet\x00")));
        let packet = Decoder::new()
            .packet(&frame(LinkType::LinuxSll, &sll))
            .unwrap();
        assert_eq!(packet.label, "RRQ \"a.txt\" octet");
    }

    #[test]
    fn tftp_transfer_is_followed_to_the_servers_new_port() {
        let mut decoder = Decoder::new();
        let request = ethernet(
            0x0800,
            &ipv4(17, &udp(5000, 6969, b"\x00\x01a\x00octet\x00")),
        );
        let data = ethernet(0x0800, &ipv4(17, &udp(7000, 5000, b"\x00\x03\x00\x01abc")));
        let other = ethernet(0x0800, &ipv4(17, &udp(7000, 5001, b"\x00\x03\x00\x01abc")));
        let label = |decoder: &mut Decoder, bytes: &[u8]| {
            decoder
                .packet(&frame(LinkType::Ethernet, bytes))
                .unwrap()
                .label
        };
        assert_eq!(label(&mut decoder, &request), "RRQ \"a\" octet");
        assert_eq!(label(&mut decoder, &data), "DATA #1 (3 bytes)");
        assert_eq!(
            label(&mut decoder, &other),
            "UDP 7 bytes \"\\x00\\x03\\x00\\x01abc\""
        );
    }

    #[test]
    fn unknown_link_type_is_skipped_with_its_number() {
        let error = Decoder::new()
            .packet(&frame(LinkType::Other(105), &[0; 30]))
            .unwrap_err();
        assert_eq!(error.to_string(), "link type 105 is not decoded");
    }
}
