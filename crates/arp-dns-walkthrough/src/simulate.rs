//! A packet's trip, hop by hop: a home network (host, switch, home router), two ISP
//! routers, and the networks of the DNS server and the web server.
//!
//! ```text
//! host ──lan-1── switch ──lan-2── home-router ──access── isp-1 ──core── isp-2 ──dns-lan── dns-server
//! 192.168.1.10                    192.168.1.1 | 100.64.0.2   100.64.0.1 | 10.255.0.1     10.255.0.2 | 192.0.2.1   192.0.2.53
//!                                                                                     └──web-lan── web-server
//!                                                                       198.51.100.1 | 198.51.100.10
//! ```
//!
//! On every link a frame carries the MACs of the two ends *of that link*; the switch
//! passes the frame on unchanged; each router takes the IP packet out of the frame,
//! lowers the TTL by one (and so recomputes the header checksum), and puts it in a new
//! frame for the next link. The IP source and destination stay the same end to end.
//! (Real home routers also rewrite the source address, NAT; the notes leave that out,
//! and so do we.)
//!
//! Every frame is built from the real encoders ([`crate::ipv4`], [`crate::udp`],
//! [`crate::tcp`], [`crate::dns`], [`crate::arp`]), and [`Topology::capture`] gives
//! one capture per link, which `simulate --pcap-dir` writes as pcap files.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use crate::arp::ArpPacket;
use crate::dns::{self, Message, RecordType};
use crate::ethernet::{ETHERTYPE_IPV4, EthernetFrame, MacAddr};
use crate::ipv4::{self, Ipv4Packet, PROTOCOL_TCP, PROTOCOL_UDP};
use crate::pcap::Record;
use crate::tcp::{self, TcpSegment};
use crate::udp::{self, UdpDatagram};
use crate::wire::{MAX_U16_LENGTH, PayloadTooLong};

pub const HOST_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 10);
pub const HOST_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x01, 0x0a]);
pub const GATEWAY_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 1);
pub const GATEWAY_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0x01, 0x01]);
pub const DNS_SERVER: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 53);
/// The simulated public address of baidu.com (a documentation address, RFC 5737).
pub const WEB_SERVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 10);

/// The first IP of the walkthrough's story: a host's TTL before any router.
pub const INITIAL_TTL: u8 = 64;
/// Port numbers used in the simulated story.
pub const CLIENT_DNS_PORT: u16 = 53_211;
pub const CLIENT_TCP_PORT: u16 = 49_152;

/// One network interface: which box, its IP and its MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interface {
    pub node: &'static str,
    pub ip: Ipv4Addr,
    pub mac: MacAddr,
}

/// One cable (or switch port). `left` and `right` are the IP interfaces whose frames
/// cross it; on a switch port one of the two boxes at its ends is the switch, which
/// has no interface of its own in the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub name: &'static str,
    pub left_node: &'static str,
    pub right_node: &'static str,
    pub left: Interface,
    pub right: Interface,
}

const fn mac(last_two: [u8; 2]) -> MacAddr {
    MacAddr([0x02, 0, 0, 0, last_two[0], last_two[1]])
}

/// One frame seen on one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub number: usize,
    pub link: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub source_mac: MacAddr,
    pub destination_mac: MacAddr,
    pub source_ip: Ipv4Addr,
    pub destination_ip: Ipv4Addr,
    pub ttl: u8,
}

impl Hop {
    /// One aligned line for the terminal.
    pub fn short_line(&self) -> String {
        format!(
            "{:<8}{:<24}{} -> {}  {} -> {}  ttl {}",
            self.link,
            format!("{} -> {}", self.from, self.to),
            self.source_mac,
            self.destination_mac,
            self.source_ip,
            self.destination_ip,
            self.ttl
        )
    }

    pub fn to_json(&self) -> String {
        format!(
            "{{\"hop\":{},\"link\":\"{}\",\"from\":\"{}\",\"to\":\"{}\",\"source_mac\":\"{}\",\"destination_mac\":\"{}\",\"source_ip\":\"{}\",\"destination_ip\":\"{}\",\"ttl\":{}}}",
            self.number,
            self.link,
            self.from,
            self.to,
            self.source_mac,
            self.destination_mac,
            self.source_ip,
            self.destination_ip,
            self.ttl
        )
    }
}

/// The boxes and cables of the walkthrough.
#[derive(Debug, Clone)]
pub struct Topology {
    pub links: Vec<Link>,
}

/// An IP packet to send through the topology: from one end, over these links in order.
struct Trip {
    path: Vec<(usize, bool)>,
}

impl Topology {
    /// The home network of the story (see the module docs for the picture).
    pub fn home() -> Topology {
        let host = Interface {
            node: "host",
            ip: HOST_IP,
            mac: HOST_MAC,
        };
        let home_lan = Interface {
            node: "home-router",
            ip: GATEWAY_IP,
            mac: GATEWAY_MAC,
        };
        let home_wan = Interface {
            node: "home-router",
            ip: Ipv4Addr::new(100, 64, 0, 2),
            mac: mac([0x02, 0x02]),
        };
        let isp1_access = Interface {
            node: "isp-1",
            ip: Ipv4Addr::new(100, 64, 0, 1),
            mac: mac([0x02, 0x01]),
        };
        let isp1_core = Interface {
            node: "isp-1",
            ip: Ipv4Addr::new(10, 255, 0, 1),
            mac: mac([0x05, 0x01]),
        };
        let isp2_core = Interface {
            node: "isp-2",
            ip: Ipv4Addr::new(10, 255, 0, 2),
            mac: mac([0x05, 0x02]),
        };
        let isp2_dns = Interface {
            node: "isp-2",
            ip: Ipv4Addr::new(192, 0, 2, 1),
            mac: mac([0x03, 0x01]),
        };
        let dns_server = Interface {
            node: "dns-server",
            ip: DNS_SERVER,
            mac: mac([0x03, 0x35]),
        };
        let isp2_web = Interface {
            node: "isp-2",
            ip: Ipv4Addr::new(198, 51, 100, 1),
            mac: mac([0x04, 0x01]),
        };
        let web_server = Interface {
            node: "web-server",
            ip: WEB_SERVER,
            mac: mac([0x04, 0x0a]),
        };
        let link = |name, left_node, right_node, left, right| Link {
            name,
            left_node,
            right_node,
            left,
            right,
        };
        Topology {
            links: vec![
                link("lan-1", "host", "switch", host, home_lan),
                link("lan-2", "switch", "home-router", host, home_lan),
                link("access", "home-router", "isp-1", home_wan, isp1_access),
                link("core", "isp-1", "isp-2", isp1_core, isp2_core),
                link("dns-lan", "isp-2", "dns-server", isp2_dns, dns_server),
                link("web-lan", "isp-2", "web-server", isp2_web, web_server),
            ],
        }
    }

    fn to_dns() -> Trip {
        Trip {
            path: vec![(0, true), (1, true), (2, true), (3, true), (4, true)],
        }
    }

    fn to_web() -> Trip {
        Trip {
            path: vec![(0, true), (1, true), (2, true), (3, true), (5, true)],
        }
    }

    fn back(trip: Trip) -> Trip {
        Trip {
            path: trip.path.into_iter().rev().map(|(l, f)| (l, !f)).collect(),
        }
    }

    /// The hops of one packet: MACs per link, TTL lowered at each router (not the switch).
    fn hops(&self, trip: &Trip, source_ip: Ipv4Addr, destination_ip: Ipv4Addr) -> Vec<Hop> {
        let mut ttl = INITIAL_TTL;
        let mut hops = Vec::new();
        for (index, (link_index, forward)) in trip.path.iter().enumerate() {
            let link = &self.links[*link_index];
            let (from, to, sender, receiver) = if *forward {
                (link.left_node, link.right_node, link.left, link.right)
            } else {
                (link.right_node, link.left_node, link.right, link.left)
            };
            // A router between the previous link and this one forwards: TTL - 1.
            if index > 0 && from != "switch" {
                ttl -= 1;
            }
            hops.push(Hop {
                number: index + 1,
                link: link.name,
                from,
                to,
                source_mac: sender.mac,
                destination_mac: receiver.mac,
                source_ip,
                destination_ip,
                ttl,
            });
        }
        hops
    }

    /// The DNS query's trip from the host to the DNS server.
    pub fn dns_query_trip(&self) -> Vec<Hop> {
        self.hops(&Topology::to_dns(), HOST_IP, DNS_SERVER)
    }

    /// The DNS answer's trip back.
    pub fn dns_answer_trip(&self) -> Vec<Hop> {
        self.hops(&Topology::back(Topology::to_dns()), DNS_SERVER, HOST_IP)
    }

    /// The TCP SYN's trip to the web server.
    pub fn syn_trip(&self) -> Vec<Hop> {
        self.hops(&Topology::to_web(), HOST_IP, WEB_SERVER)
    }

    /// Every frame of the story on every link: (link name, frames in time order).
    /// ARP comes first on each link where the sender does not know the next MAC yet.
    pub fn capture(&self) -> Vec<(&'static str, Vec<Record>)> {
        let mut captures: Vec<(&'static str, Vec<Record>)> =
            self.links.iter().map(|l| (l.name, Vec::new())).collect();
        let mut clock = Clock::default();
        let mut resolved: BTreeSet<(usize, bool)> = BTreeSet::new();

        // The conversation, as (trip, source, destination, protocol payload).
        let query = Message::query(0x44cb, "baidu.com", RecordType::A, true)
            .ok()
            .and_then(|m| m.to_bytes().ok())
            .unwrap_or_default();
        let answer = Message::parse(&query)
            .map(|q| {
                dns::server::Zone::walkthrough(WEB_SERVER)
                    .answer(&q)
                    .to_bytes()
            })
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let mut packets: Vec<(Trip, Ipv4Addr, Ipv4Addr, u8, Vec<u8>)> = vec![
            (
                Topology::to_dns(),
                HOST_IP,
                DNS_SERVER,
                PROTOCOL_UDP,
                UdpDatagram {
                    source_port: CLIENT_DNS_PORT,
                    destination_port: 53,
                    payload: query,
                }
                .to_bytes(HOST_IP, DNS_SERVER)
                .expect(STORY_FITS),
            ),
            (
                Topology::back(Topology::to_dns()),
                DNS_SERVER,
                HOST_IP,
                PROTOCOL_UDP,
                UdpDatagram {
                    source_port: 53,
                    destination_port: CLIENT_DNS_PORT,
                    payload: answer,
                }
                .to_bytes(DNS_SERVER, HOST_IP)
                .expect(STORY_FITS),
            ),
        ];
        for (from_client, segment) in http_conversation() {
            let (trip, source, destination) = if from_client {
                (Topology::to_web(), HOST_IP, WEB_SERVER)
            } else {
                (Topology::back(Topology::to_web()), WEB_SERVER, HOST_IP)
            };
            let bytes = segment.to_bytes(source, destination).expect(STORY_FITS);
            packets.push((trip, source, destination, PROTOCOL_TCP, bytes));
        }

        // Each packet gets the next IPv4 identification (a 16-bit counter that wraps).
        let mut identification: u16 = 0x1000;
        for (trip, source, destination, protocol, payload) in packets {
            let hops = self.hops(&trip, source, destination);
            for (hop, (link_index, forward)) in hops.iter().zip(&trip.path) {
                let link = &self.links[*link_index];
                let (sender, receiver) = if *forward {
                    (link.left, link.right)
                } else {
                    (link.right, link.left)
                };
                // Before the first frame on this link in this direction, and if the
                // other side has not asked us first, the sender ARPs for the next hop.
                if !resolved.contains(&(*link_index, *forward)) {
                    let is_switch_pair = link.left_node == "switch" || link.right_node == "switch";
                    let request = ArpPacket::request(sender.mac, sender.ip, receiver.ip);
                    let reply = crate::arp::answer(receiver.mac, receiver.ip, &request);
                    // The LAN request crosses both switch ports: record it on both.
                    let links: Vec<usize> = if is_switch_pair {
                        self.links
                            .iter()
                            .enumerate()
                            .filter(|(_, l)| l.left == link.left && l.right == link.right)
                            .map(|(i, _)| i)
                            .collect()
                    } else {
                        vec![*link_index]
                    };
                    let time = clock.next();
                    for &i in &links {
                        captures[i].1.push(Record {
                            micros: time,
                            frame: request.to_frame(),
                        });
                    }
                    if let Some(reply) = reply {
                        let time = clock.next();
                        for &i in &links {
                            captures[i].1.push(Record {
                                micros: time,
                                frame: reply.to_frame(),
                            });
                        }
                    }
                    for &i in &links {
                        // Both sides now know each other (the receiver learned from the request).
                        resolved.insert((i, true));
                        resolved.insert((i, false));
                    }
                }
                let packet = Ipv4Packet {
                    identification,
                    dont_fragment: true,
                    ttl: hop.ttl,
                    protocol,
                    source,
                    destination,
                    payload: payload.clone(),
                };
                let frame = EthernetFrame {
                    destination: hop.destination_mac,
                    source: hop.source_mac,
                    ethertype: ETHERTYPE_IPV4,
                    payload: packet.to_bytes().expect(STORY_FITS),
                };
                captures[*link_index].1.push(Record {
                    micros: clock.next(),
                    frame: frame.to_bytes(),
                });
            }
            identification = identification.wrapping_add(1);
        }
        captures
    }
}

/// The frame that carries a DNS `query` from the host onto its LAN: to the gateway's MAC,
/// from 192.168.1.10:53211 to the DNS server 192.0.2.53:53, TTL 64 (`dns query --pcap`);
/// or [`PayloadTooLong`] for a query over 65 507 bytes, more than one IPv4 packet holds
/// (65 535, less 20 bytes of IPv4 header and 8 of UDP).
pub fn dns_query_frame(query: &[u8]) -> Result<Vec<u8>, PayloadTooLong> {
    // Whichever length field refuses first (UDP's or IPv4's), name the limit on what
    // the caller gave us: the query.
    let too_long = |_| PayloadTooLong {
        carrier: "UDP datagram in one IPv4 packet",
        length: query.len(),
        max: MAX_U16_LENGTH - ipv4::field::HEADER_LEN - udp::field::HEADER_LEN,
    };
    let datagram = UdpDatagram {
        source_port: CLIENT_DNS_PORT,
        destination_port: 53,
        payload: query.to_vec(),
    };
    let packet = Ipv4Packet {
        identification: 0x1000,
        dont_fragment: true,
        ttl: INITIAL_TTL,
        protocol: PROTOCOL_UDP,
        source: HOST_IP,
        destination: DNS_SERVER,
        payload: datagram.to_bytes(HOST_IP, DNS_SERVER).map_err(too_long)?,
    };
    let frame = EthernetFrame {
        destination: GATEWAY_MAC,
        source: HOST_MAC,
        ethertype: ETHERTYPE_IPV4,
        payload: packet.to_bytes().map_err(too_long)?,
    };
    Ok(frame.to_bytes())
}

/// Why encoding the story's packets cannot fail: their payloads are a DNS query and
/// answer for baidu.com and the fixed HTTP request and response below, a few hundred
/// bytes each, far under the 65 515 bytes an IPv4, UDP or TCP length field announces.
const STORY_FITS: &str = "the story's payloads are a few hundred bytes";

/// Simulated time stamps: 1 ms apart, from a fixed date, so files are reproducible.
#[derive(Default)]
struct Clock {
    ticks: u64,
}

impl Clock {
    fn next(&mut self) -> u64 {
        self.ticks += 1;
        // 2026-01-01 00:00:00 UTC, then one millisecond per frame.
        1_767_225_600_000_000 + self.ticks * 1_000
    }
}

/// The page the simulated (and the built-in) web server returns.
pub const PAGE: &str = "<html><head><title>baidu.com (offline copy)</title></head>\
<body><h1>hello from baidu.com</h1><p>served by netlab, on loopback</p></body></html>\n";

/// The HTTP response for [`PAGE`].
pub fn http_response() -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
        PAGE.len()
    )
    .into_bytes()
}

/// The HTTP request the host sends.
pub fn http_request(host: &str, path: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: netlab\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// The TCP segments of one HTTP visit, in order: (sent by the client?, segment).
/// Handshake; request; response; then the server closes (Connection: close), the
/// client's ACK of that FIN rides on its own FIN, and the server ACKs: the "four-way"
/// close in three segments.
pub fn http_conversation() -> Vec<(bool, TcpSegment)> {
    let request = http_request("baidu.com", "/");
    let response = http_response();
    let client_isn: u32 = 1_000;
    let server_isn: u32 = 5_000;
    let segment = |from_client, sequence, acknowledgment, flags, payload: &[u8]| {
        http_segment(80, from_client, sequence, acknowledgment, flags, payload)
    };
    // Sequence numbers count modulo 2^32 (see `tcp::advance`): the sums wrap by design.
    let c1 = tcp::advance(client_isn, 1);
    let s1 = tcp::advance(server_isn, 1);
    let c2 = tcp::advance(c1, request.len());
    let s2 = tcp::advance(s1, response.len());
    vec![
        segment(true, client_isn, 0, tcp::SYN, &[]),
        segment(false, server_isn, c1, tcp::SYN | tcp::ACK, &[]),
        segment(true, c1, s1, tcp::ACK, &[]),
        segment(true, c1, s1, tcp::PSH | tcp::ACK, &request),
        segment(false, s1, c2, tcp::PSH | tcp::ACK, &response),
        segment(false, s2, c2, tcp::FIN | tcp::ACK, &[]),
        segment(true, c2, tcp::advance(s2, 1), tcp::FIN | tcp::ACK, &[]),
        segment(
            false,
            tcp::advance(s2, 1),
            tcp::advance(c2, 1),
            tcp::ACK,
            &[],
        ),
    ]
}

/// One segment between the client's port and the web server's `port`, as
/// [`http_conversation`] lists them: (sent by the client?, segment).
pub fn http_segment(
    port: u16,
    from_client: bool,
    sequence: u32,
    acknowledgment: u32,
    flags: u8,
    payload: &[u8],
) -> (bool, TcpSegment) {
    let (source_port, destination_port) = if from_client {
        (CLIENT_TCP_PORT, port)
    } else {
        (port, CLIENT_TCP_PORT)
    };
    let segment = TcpSegment {
        source_port,
        destination_port,
        sequence,
        acknowledgment,
        flags,
        window: 65_535,
        payload: payload.to_vec(),
    };
    (from_client, segment)
}

/// The text `simulate` prints.
pub fn report(topology: &Topology) -> Vec<String> {
    let mut lines = vec!["topology:".to_string()];
    for link in &topology.links {
        lines.push(format!(
            "  {:<8}{:<26}{} {} <-> {} {}",
            link.name,
            format!("{} -- {}", link.left_node, link.right_node),
            link.left.ip,
            link.left.mac,
            link.right.ip,
            link.right.mac
        ));
    }
    for (title, hops) in [
        (
            "DNS query, host -> dns-server (UDP 53)",
            topology.dns_query_trip(),
        ),
        ("DNS answer, dns-server -> host", topology.dns_answer_trip()),
        ("TCP SYN, host -> web-server (TCP 80)", topology.syn_trip()),
    ] {
        lines.push(String::new());
        lines.push(format!("{title}:"));
        lines.push(format!(
            "  hop {:<8}{:<24}{:<40}{:<30}ttl",
            "link", "from -> to", "MAC source -> destination", "IP source -> destination"
        ));
        for hop in hops {
            lines.push(format!(
                "  {:<4}{:<8}{:<24}{:<40}{:<30}{}",
                hop.number,
                hop.link,
                format!("{} -> {}", hop.from, hop.to),
                format!("{} -> {}", hop.source_mac, hop.destination_mac),
                format!("{} -> {}", hop.source_ip, hop.destination_ip),
                hop.ttl
            ));
        }
    }
    lines
}

/// The same hops as JSON: `{"dns_query":[...],"dns_answer":[...],"syn":[...]}`.
pub fn report_json(topology: &Topology) -> String {
    let list = |hops: Vec<Hop>| {
        format!(
            "[{}]",
            hops.iter().map(Hop::to_json).collect::<Vec<_>>().join(",")
        )
    };
    format!(
        "{{\"dns_query\":{},\"dns_answer\":{},\"syn\":{}}}",
        list(topology.dns_query_trip()),
        list(topology.dns_answer_trip()),
        list(topology.syn_trip())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips_stay_macs_change_per_router_and_ttl_drops_per_router() {
        let hops = Topology::home().dns_query_trip();
        assert_eq!(hops.len(), 5);
        assert!(
            hops.iter()
                .all(|h| h.source_ip == HOST_IP && h.destination_ip == DNS_SERVER)
        );
        // The switch changes nothing: lan-1 and lan-2 carry the same MACs and TTL.
        assert_eq!(
            (hops[0].source_mac, hops[0].destination_mac, hops[0].ttl),
            (hops[1].source_mac, hops[1].destination_mac, hops[1].ttl)
        );
        assert_eq!(hops[0].destination_mac, GATEWAY_MAC);
        let ttls: Vec<u8> = hops.iter().map(|h| h.ttl).collect();
        assert_eq!(ttls, vec![64, 64, 63, 62, 61]);
        for pair in hops[1..].windows(2) {
            assert_ne!(pair[0].source_mac, pair[1].source_mac);
        }
    }

    #[test]
    fn every_captured_ip_frame_has_good_checksums() {
        for (_, records) in Topology::home().capture() {
            for record in records {
                let frame = EthernetFrame::parse(&record.frame).unwrap();
                if frame.ethertype == ETHERTYPE_IPV4 {
                    Ipv4Packet::parse(&frame.payload).unwrap();
                }
            }
        }
    }

    #[test]
    fn handshake_comes_first_and_close_last_on_the_web_lan() {
        let captures = Topology::home().capture();
        let (_, web) = captures
            .iter()
            .find(|(name, _)| *name == "web-lan")
            .unwrap();
        let flags: Vec<u8> = web
            .iter()
            .filter_map(|r| {
                let frame = EthernetFrame::parse(&r.frame).ok()?;
                let packet = Ipv4Packet::parse(&frame.payload).ok()?;
                Some(TcpSegment::parse(&packet.payload).ok()?.flags)
            })
            .collect();
        assert_eq!(&flags[..3], &[tcp::SYN, tcp::SYN | tcp::ACK, tcp::ACK]);
        assert_eq!(flags.last(), Some(&tcp::ACK));
        assert_eq!(flags[flags.len() - 3], tcp::FIN | tcp::ACK);
    }

    #[test]
    fn a_dns_query_too_long_for_one_ipv4_packet_is_refused() {
        assert!(dns_query_frame(&[0; 65_507]).is_ok());
        assert_eq!(
            dns_query_frame(&[0; 65_508]),
            Err(PayloadTooLong {
                carrier: "UDP datagram in one IPv4 packet",
                length: 65_508,
                max: 65_507,
            })
        );
        // Past UDP's own limit too, the limit named is still the one on the query.
        assert_eq!(dns_query_frame(&[0; 65_528]).unwrap_err().max, 65_507);
    }
}
