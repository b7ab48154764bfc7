//! ARP: "who has 10.0.1.1? tell 10.0.1.2" — how a host finds the MAC for an IP on its
//! own link (the gateway's, for anything off-link).
//!
//! RFC 826, for Ethernet and IPv4 (28 bytes after the 14-byte Ethernet header, so a
//! request frame is 42 bytes; a real card pads it to 60):
//!
//! ```text
//!  0        2        4    5    6        8                14       18               24       28
//! +--------+--------+----+----+--------+----------------+--------+----------------+--------+
//! | htype  | ptype  |hlen|plen| oper   | sender MAC     | sender | target MAC     | target |
//! | 1=Eth  | 0x0800 | 6  | 4  | 1 / 2  |                | IP     | (0 in requests)| IP     |
//! +--------+--------+----+----+--------+----------------+--------+----------------+--------+
//! ```
//!
//! [`ArpHost`] steps a host's ARP behaviour through time the way Stanford CS144's
//! network interface does: queue datagrams while a request is out, one request per
//! 5 s per address, mappings forgotten after 30 s, answer only for our own IP.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use crate::Annotation;
use crate::ethernet::{self, ETHERTYPE_ARP, EthernetFrame, MacAddr};
use crate::wire::read_u16;

/// Byte ranges inside the ARP packet (offsets after the Ethernet header).
pub mod field {
    use std::ops::Range;
    pub const HARDWARE_TYPE: Range<usize> = 0..2;
    pub const PROTOCOL_TYPE: Range<usize> = 2..4;
    pub const HARDWARE_LEN: usize = 4;
    pub const PROTOCOL_LEN: usize = 5;
    pub const OPERATION: Range<usize> = 6..8;
    pub const SENDER_MAC: Range<usize> = 8..14;
    pub const SENDER_IP: Range<usize> = 14..18;
    pub const TARGET_MAC: Range<usize> = 18..24;
    pub const TARGET_IP: Range<usize> = 24..28;
    pub const PACKET_LEN: usize = TARGET_IP.end;
}

/// 14 + 28: an unpadded ARP frame, as veth and loopback send it.
pub const FRAME_LEN: usize = ethernet::field::HEADER_LEN + field::PACKET_LEN;

/// The ARP opcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Request,
    Reply,
    Unknown(u16),
}

impl Operation {
    pub fn code(self) -> u16 {
        match self {
            Operation::Request => 1,
            Operation::Reply => 2,
            Operation::Unknown(code) => code,
        }
    }
    pub fn from_code(code: u16) -> Operation {
        match code {
            1 => Operation::Request,
            2 => Operation::Reply,
            other => Operation::Unknown(other),
        }
    }
}

/// Why bytes are not an Ethernet/IPv4 ARP frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArpError {
    /// Shorter than the 42 bytes of Ethernet header + ARP packet.
    TooShort { length: usize },
    /// The EtherType is not 0x0806.
    NotArp { ethertype: u16 },
    /// Hardware type, protocol type or their sizes are not Ethernet (1, 6) / IPv4 (0x0800, 4).
    NotEthernetIpv4 {
        hardware_type: u16,
        protocol_type: u16,
    },
}

impl fmt::Display for ArpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArpError::TooShort { length } => write!(
                f,
                "{length} bytes is too short for an ARP frame: it needs 42 (14 Ethernet + 28 ARP)"
            ),
            ArpError::NotArp { ethertype } => {
                write!(f, "EtherType 0x{ethertype:04x} is not ARP (0x0806)")
            }
            ArpError::NotEthernetIpv4 {
                hardware_type,
                protocol_type,
            } => write!(
                f,
                "hardware type {hardware_type} / protocol type 0x{protocol_type:04x} is not Ethernet (1) / IPv4 (0x0800) with sizes 6 and 4"
            ),
        }
    }
}

impl std::error::Error for ArpError {}

/// The 28-byte ARP packet for Ethernet and IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArpPacket {
    pub operation: Operation,
    pub sender_mac: MacAddr,
    pub sender_ip: Ipv4Addr,
    pub target_mac: MacAddr,
    pub target_ip: Ipv4Addr,
}

fn mac_at(bytes: &[u8], range: std::ops::Range<usize>) -> MacAddr {
    let mut mac = [0u8; 6];
    mac.copy_from_slice(&bytes[range]);
    MacAddr(mac)
}

fn ip_at(bytes: &[u8], range: std::ops::Range<usize>) -> Ipv4Addr {
    let mut ip = [0u8; 4];
    ip.copy_from_slice(&bytes[range]);
    Ipv4Addr::from(ip)
}

impl ArpPacket {
    /// A request: "who has `target_ip`? tell `sender_ip`". The target MAC is all zeros
    /// (unknown: it is the question), as the Linux kernel sends it.
    pub fn request(sender_mac: MacAddr, sender_ip: Ipv4Addr, target_ip: Ipv4Addr) -> ArpPacket {
        ArpPacket {
            operation: Operation::Request,
            sender_mac,
            sender_ip,
            target_mac: MacAddr::ZERO,
            target_ip,
        }
    }

    /// Parses the 28 ARP bytes (anything after them, such as padding, is ignored).
    pub fn parse(bytes: &[u8]) -> Result<ArpPacket, ArpError> {
        if bytes.len() < field::PACKET_LEN {
            return Err(ArpError::TooShort {
                length: bytes.len() + ethernet::field::HEADER_LEN,
            });
        }
        let hardware_type = read_u16(bytes, field::HARDWARE_TYPE);
        let protocol_type = read_u16(bytes, field::PROTOCOL_TYPE);
        if hardware_type != 1
            || protocol_type != ethernet::ETHERTYPE_IPV4
            || bytes[field::HARDWARE_LEN] != 6
            || bytes[field::PROTOCOL_LEN] != 4
        {
            return Err(ArpError::NotEthernetIpv4 {
                hardware_type,
                protocol_type,
            });
        }
        Ok(ArpPacket {
            operation: Operation::from_code(read_u16(bytes, field::OPERATION)),
            sender_mac: mac_at(bytes, field::SENDER_MAC),
            sender_ip: ip_at(bytes, field::SENDER_IP),
            target_mac: mac_at(bytes, field::TARGET_MAC),
            target_ip: ip_at(bytes, field::TARGET_IP),
        })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&ethernet::ETHERTYPE_IPV4.to_be_bytes());
        out.push(6);
        out.push(4);
        out.extend_from_slice(&self.operation.code().to_be_bytes());
        out.extend_from_slice(&self.sender_mac.0);
        out.extend_from_slice(&self.sender_ip.octets());
        out.extend_from_slice(&self.target_mac.0);
        out.extend_from_slice(&self.target_ip.octets());
    }

    /// The whole Ethernet frame: a request goes to the broadcast MAC, a reply straight
    /// to the asker.
    pub fn to_frame(&self) -> Vec<u8> {
        let destination = match self.operation {
            Operation::Request => MacAddr::BROADCAST,
            _ => self.target_mac,
        };
        let mut payload = Vec::with_capacity(field::PACKET_LEN);
        self.encode(&mut payload);
        EthernetFrame {
            destination,
            source: self.sender_mac,
            ethertype: ETHERTYPE_ARP,
            payload,
        }
        .to_bytes()
    }

    /// The line Wireshark shows for it.
    pub fn summary(&self) -> String {
        match self.operation {
            Operation::Request => format!("Who has {}? Tell {}", self.target_ip, self.sender_ip),
            Operation::Reply => format!("{} is at {}", self.sender_ip, self.sender_mac),
            Operation::Unknown(code) => format!("ARP opcode {code}"),
        }
    }
}

/// Parses a whole Ethernet frame holding ARP: 42 bytes, or more (60 when padded).
pub fn parse_frame(bytes: &[u8]) -> Result<(EthernetFrame, ArpPacket), ArpError> {
    if bytes.len() < FRAME_LEN {
        return Err(ArpError::TooShort {
            length: bytes.len(),
        });
    }
    let frame = EthernetFrame::parse(bytes).map_err(|_| ArpError::TooShort {
        length: bytes.len(),
    })?;
    if frame.ethertype != ETHERTYPE_ARP {
        return Err(ArpError::NotArp {
            ethertype: frame.ethertype,
        });
    }
    let packet = ArpPacket::parse(&frame.payload)?;
    Ok((frame, packet))
}

/// The answer a host with (`our_mac`, `our_ip`) gives to `request`: a reply when it is
/// a request for our IP, otherwise nothing (RFC 826: only the owner answers).
pub fn answer(our_mac: MacAddr, our_ip: Ipv4Addr, request: &ArpPacket) -> Option<ArpPacket> {
    // exercise 5.2: begin
    if request.operation != Operation::Request || request.target_ip != our_ip {
        return None;
    }
    Some(ArpPacket {
        operation: Operation::Reply,
        sender_mac: our_mac,
        sender_ip: our_ip,
        target_mac: request.sender_mac,
        target_ip: request.sender_ip,
    })
    // exercise 5.2: end
}

/// Field-by-field description of an ARP frame (42 bytes or padded).
pub fn annotate_frame(bytes: &[u8]) -> Result<Vec<Annotation>, ArpError> {
    let (frame, packet) = parse_frame(bytes)?;
    let e = ethernet::field::HEADER_LEN;
    let at = |range: std::ops::Range<usize>| bytes[range].to_vec();
    let shift = |range: std::ops::Range<usize>| range.start + e..range.end + e;
    let destination_note = if frame.destination.is_broadcast() {
        " (broadcast: every host on the link reads it)"
    } else {
        ""
    };
    let target_mac_note = match packet.operation {
        Operation::Request => " (ignored in a request: it is the question)",
        _ => "",
    };
    let operation = match packet.operation {
        Operation::Request => "1 (request)".to_string(),
        Operation::Reply => "2 (reply)".to_string(),
        Operation::Unknown(code) => format!("{code} (unknown)"),
    };
    let mut out = vec![
        Annotation::new(
            0,
            at(ethernet::field::DESTINATION),
            format!(
                "Ethernet destination {}{destination_note}",
                frame.destination
            ),
        ),
        Annotation::new(
            6,
            at(ethernet::field::SOURCE),
            format!("Ethernet source {}", frame.source),
        ),
        Annotation::new(12, at(ethernet::field::ETHERTYPE), "EtherType 0x0806 (ARP)"),
        Annotation::new(
            14,
            at(shift(field::HARDWARE_TYPE)),
            "hardware type 1 (Ethernet)",
        ),
        Annotation::new(
            16,
            at(shift(field::PROTOCOL_TYPE)),
            "protocol type 0x0800 (IPv4)",
        ),
        Annotation::new(18, vec![6], "hardware size 6"),
        Annotation::new(19, vec![4], "protocol size 4"),
        Annotation::new(
            20,
            at(shift(field::OPERATION)),
            format!("opcode {operation}"),
        ),
        Annotation::new(
            22,
            at(shift(field::SENDER_MAC)),
            format!("sender MAC {}", packet.sender_mac),
        ),
        Annotation::new(
            28,
            at(shift(field::SENDER_IP)),
            format!("sender IP {}", packet.sender_ip),
        ),
        Annotation::new(
            32,
            at(shift(field::TARGET_MAC)),
            format!("target MAC {}{target_mac_note}", packet.target_mac),
        ),
        Annotation::new(
            38,
            at(shift(field::TARGET_IP)),
            format!("target IP {}", packet.target_ip),
        ),
    ];
    if bytes.len() > FRAME_LEN {
        out.push(Annotation::new(
            FRAME_LEN,
            bytes[FRAME_LEN..].to_vec(),
            format!(
                "padding, {} bytes (a real card pads to 60)",
                bytes.len() - FRAME_LEN
            ),
        ));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------
// A host's ARP behaviour through time (`arp simulate`).
// ---------------------------------------------------------------------------------

/// A request for an address is not repeated within this time (CS144: 5 s).
pub const REQUEST_INTERVAL_MS: u64 = 5_000;
/// A learned mapping is forgotten after this time (CS144: 30 s).
pub const MAPPING_LIFETIME_MS: u64 = 30_000;

/// What the host did in reaction to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArpEvent {
    /// The MAC of the next hop is unknown: the datagram waits.
    Queued { datagram: u32, next_hop: Ipv4Addr },
    /// An ARP request went out to the broadcast MAC.
    SentRequest { request: ArpPacket },
    /// A request for this address went out less than 5 s ago: not repeated.
    RequestHeldBack { target: Ipv4Addr, sent_ms_ago: u64 },
    /// A datagram went out in a frame to the next hop's MAC.
    SentDatagram {
        datagram: u32,
        next_hop: Ipv4Addr,
        mac: MacAddr,
    },
    /// A mapping was learned (or refreshed) from an ARP request or reply.
    Learned { ip: Ipv4Addr, mac: MacAddr },
    /// We answered a request for our own IP.
    SentReply { reply: ArpPacket },
    /// A request for someone else's IP: learned from, but not answered.
    NotForUs { target: Ipv4Addr },
    /// A mapping reached its 30 s lifetime.
    Expired { ip: Ipv4Addr, mac: MacAddr },
}

impl fmt::Display for ArpEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArpEvent::Queued { datagram, next_hop } => write!(
                f,
                "datagram #{datagram} for next hop {next_hop}: MAC unknown, queued"
            ),
            ArpEvent::SentRequest { request } => write!(
                f,
                "-> ARP request to ff:ff:ff:ff:ff:ff: {}",
                request.summary()
            ),
            ArpEvent::RequestHeldBack {
                target,
                sent_ms_ago,
            } => write!(
                f,
                "no new request for {target}: one went out {sent_ms_ago} ms ago (< 5 s)"
            ),
            ArpEvent::SentDatagram {
                datagram,
                next_hop,
                mac,
            } => write!(
                f,
                "-> datagram #{datagram} in a frame to {mac} (next hop {next_hop})"
            ),
            ArpEvent::Learned { ip, mac } => write!(f, "learned {ip} is at {mac}"),
            ArpEvent::SentReply { reply } => write!(
                f,
                "-> ARP reply to {}: {}",
                reply.target_mac,
                reply.summary()
            ),
            ArpEvent::NotForUs { target } => {
                write!(f, "request is for {target}, not us: no reply")
            }
            ArpEvent::Expired { ip, mac } => {
                write!(f, "forgot {ip} is at {mac} (30 s old)")
            }
        }
    }
}

/// One network interface's ARP state: the cache, requests in flight, waiting datagrams.
#[derive(Debug, Clone)]
pub struct ArpHost {
    pub mac: MacAddr,
    pub ip: Ipv4Addr,
    now_ms: u64,
    /// ip → (mac, learned at ms)
    cache: BTreeMap<Ipv4Addr, (MacAddr, u64)>,
    /// ip → when the last request for it went out
    requested: BTreeMap<Ipv4Addr, u64>,
    /// datagrams waiting for a MAC, in order: (datagram number, next hop)
    queue: Vec<(u32, Ipv4Addr)>,
}

impl ArpHost {
    pub fn new(mac: MacAddr, ip: Ipv4Addr) -> ArpHost {
        ArpHost {
            mac,
            ip,
            now_ms: 0,
            cache: BTreeMap::new(),
            requested: BTreeMap::new(),
            queue: Vec::new(),
        }
    }

    /// Milliseconds since the start.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// The MAC we know for `ip`, if any.
    pub fn lookup(&self, ip: Ipv4Addr) -> Option<MacAddr> {
        self.cache.get(&ip).map(|(mac, _)| *mac)
    }

    /// Sends datagram number `datagram` towards `next_hop`.
    pub fn send_datagram(&mut self, datagram: u32, next_hop: Ipv4Addr) -> Vec<ArpEvent> {
        if let Some(mac) = self.lookup(next_hop) {
            return vec![ArpEvent::SentDatagram {
                datagram,
                next_hop,
                mac,
            }];
        }
        self.queue.push((datagram, next_hop));
        let mut events = vec![ArpEvent::Queued { datagram, next_hop }];
        match self.requested.get(&next_hop) {
            Some(sent) if self.now_ms - sent < REQUEST_INTERVAL_MS => {
                events.push(ArpEvent::RequestHeldBack {
                    target: next_hop,
                    sent_ms_ago: self.now_ms - sent,
                });
            }
            _ => {
                self.requested.insert(next_hop, self.now_ms);
                events.push(ArpEvent::SentRequest {
                    request: ArpPacket::request(self.mac, self.ip, next_hop),
                });
            }
        }
        events
    }

    /// An ARP packet arrived for us (broadcast or our MAC).
    pub fn receive(&mut self, packet: &ArpPacket) -> Vec<ArpEvent> {
        let mut events = Vec::new();
        // Learn the sender from requests and replies alike (RFC 826's "merge" step).
        self.cache
            .insert(packet.sender_ip, (packet.sender_mac, self.now_ms));
        self.requested.remove(&packet.sender_ip);
        events.push(ArpEvent::Learned {
            ip: packet.sender_ip,
            mac: packet.sender_mac,
        });
        if packet.operation == Operation::Request {
            match answer(self.mac, self.ip, packet) {
                Some(reply) => events.push(ArpEvent::SentReply { reply }),
                None => events.push(ArpEvent::NotForUs {
                    target: packet.target_ip,
                }),
            }
        }
        // Release the datagrams that were waiting for this MAC, in order.
        let waiting = std::mem::take(&mut self.queue);
        for (datagram, next_hop) in waiting {
            if next_hop == packet.sender_ip {
                events.push(ArpEvent::SentDatagram {
                    datagram,
                    next_hop,
                    mac: packet.sender_mac,
                });
            } else {
                self.queue.push((datagram, next_hop));
            }
        }
        events
    }

    /// Lets `ms` milliseconds pass; mappings older than 30 s expire. A clock that would
    /// pass `u64::MAX` ms (585 million years) stops there; [`ArpHost::try_tick`] reports it.
    pub fn tick(&mut self, ms: u64) -> Vec<ArpEvent> {
        let ms = ms.min(u64::MAX - self.now_ms);
        self.try_tick(ms).unwrap_or_default()
    }

    /// Like [`ArpHost::tick`], but a clock that would overflow is an error and the clock
    /// does not move.
    pub fn try_tick(&mut self, ms: u64) -> Result<Vec<ArpEvent>, ClockOverflow> {
        self.now_ms = self.now_ms.checked_add(ms).ok_or(ClockOverflow {
            now_ms: self.now_ms,
            added_ms: ms,
        })?;
        Ok(self.expire())
    }

    /// Forgets the mappings learned 30 s or more ago.
    fn expire(&mut self) -> Vec<ArpEvent> {
        let now = self.now_ms;
        let expired: Vec<(Ipv4Addr, MacAddr)> = self
            .cache
            .iter()
            .filter(|(_, (_, learned))| now - learned >= MAPPING_LIFETIME_MS)
            .map(|(ip, (mac, _))| (*ip, *mac))
            .collect();
        expired
            .into_iter()
            .map(|(ip, mac)| {
                self.cache.remove(&ip);
                ArpEvent::Expired { ip, mac }
            })
            .collect()
    }
}

/// The simulated clock cannot count that far (`tick` past `u64::MAX` milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockOverflow {
    pub now_ms: u64,
    pub added_ms: u64,
}

impl fmt::Display for ClockOverflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the clock is at {} ms and cannot go {} ms further",
            self.now_ms, self.added_ms
        )
    }
}

impl std::error::Error for ClockOverflow {}

/// The longest single `tick` a script may ask for: one hour, far beyond the 30 s a
/// mapping lives and the 5 s between requests.
pub const MAX_TICK_MS: u64 = 3_600_000;

/// A bad line in an `arp simulate` script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "script line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for ScriptError {}

/// Runs an `arp simulate` script and returns the printed lines.
///
/// ```text
/// host 10.0.0.1 02:00:00:00:00:01     # our interface (must come first)
/// send 10.0.0.9                       # an IP datagram whose next hop is 10.0.0.9
/// tick 800                            # 800 ms pass
/// reply 10.0.0.9 02:00:00:00:00:09    # an ARP reply arrives from 10.0.0.9
/// request 10.0.0.5 02:00:00:00:00:05 10.0.0.1   # 10.0.0.5 asks "who has 10.0.0.1?"
/// ```
pub fn run_script(script: &str) -> Result<Vec<String>, ScriptError> {
    let mut host: Option<ArpHost> = None;
    let mut lines = Vec::new();
    let mut next_datagram: u32 = 1;
    for (index, raw) in script.lines().enumerate() {
        let line_number = index + 1;
        let text = raw.split('#').next().unwrap_or("").trim();
        if text.is_empty() {
            continue;
        }
        let error = |reason: String| ScriptError {
            line: line_number,
            reason,
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        let ip = |word: Option<&&str>| -> Result<Ipv4Addr, ScriptError> {
            let word = word.ok_or_else(|| error(format!("'{text}' misses an IP address")))?;
            crate::subnet::parse_ipv4(word).map_err(|e| error(e.to_string()))
        };
        let mac = |word: Option<&&str>| -> Result<MacAddr, ScriptError> {
            let word = word.ok_or_else(|| error(format!("'{text}' misses a MAC address")))?;
            word.parse::<MacAddr>().map_err(|e| error(e.to_string()))
        };
        if words[0] == "host" {
            let new = ArpHost::new(mac(words.get(2))?, ip(words.get(1))?);
            lines.push(format!("[{:>7}] host {} {}", "0.000s", new.ip, new.mac));
            host = Some(new);
            continue;
        }
        let Some(host) = host.as_mut() else {
            return Err(error(
                "the script must start with 'host IP MAC'".to_string(),
            ));
        };
        let stamp = |host: &ArpHost| format!("[{:>6.3}s]", host.now_ms() as f64 / 1000.0);
        let events = match words[0] {
            "send" => {
                let next_hop = ip(words.get(1))?;
                let number = next_datagram;
                next_datagram = next_datagram
                    .checked_add(1)
                    .ok_or_else(|| error("too many datagrams in one script".to_string()))?;
                host.send_datagram(number, next_hop)
            }
            "tick" => {
                let ms: u64 = words
                    .get(1)
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| error("tick needs milliseconds, like 'tick 800'".to_string()))?;
                if ms > MAX_TICK_MS {
                    return Err(error(format!(
                        "tick {ms}: at most {MAX_TICK_MS} ms (one hour) per tick"
                    )));
                }
                let events = host
                    .try_tick(ms)
                    .map_err(|overflow| error(overflow.to_string()))?;
                lines.push(format!("{} {ms} ms pass", stamp(host)));
                events
            }
            "reply" => {
                let packet = ArpPacket {
                    operation: Operation::Reply,
                    sender_ip: ip(words.get(1))?,
                    sender_mac: mac(words.get(2))?,
                    target_mac: host.mac,
                    target_ip: host.ip,
                };
                lines.push(format!(
                    "{} <- ARP reply: {}",
                    stamp(host),
                    packet.summary()
                ));
                host.receive(&packet)
            }
            "request" => {
                let packet =
                    ArpPacket::request(mac(words.get(2))?, ip(words.get(1))?, ip(words.get(3))?);
                lines.push(format!(
                    "{} <- ARP request from {}: {}",
                    stamp(host),
                    packet.sender_mac,
                    packet.summary()
                ));
                host.receive(&packet)
            }
            other => {
                return Err(error(format!(
                    "unknown command '{other}': use host, send, tick, reply or request"
                )));
            }
        };
        for event in events {
            lines.push(format!("{}   {event}", stamp(host)));
        }
    }
    Ok(lines)
}

#[cfg(test)]
#[path = "exercise_tests/arp.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 2);
    const GW: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 1);
    const MAC_A: MacAddr = MacAddr([2, 0, 0, 0, 0x0a, 0x01]);
    const MAC_GW: MacAddr = MacAddr([2, 0, 0, 0, 0x0a, 0xfe]);

    /// The kernel's reply captured on veth (lab-tools.md §1.4): 10.0.0.2 answers 10.0.0.1.
    const KERNEL_REPLY: &str = concat!(
        "020000000001",
        "020000000002",
        "0806", // Ethernet: to .01, from .02, ARP
        "0001",
        "0800",
        "06",
        "04",
        "0002", // Ethernet/IPv4, sizes 6/4, reply
        "020000000002",
        "0a000002", // sender 02:..:02 10.0.0.2
        "020000000001",
        "0a000001", // target 02:..:01 10.0.0.1
    );

    #[test]
    fn request_frame_is_byte_exact() {
        let frame = ArpPacket::request(MAC_A, A, GW).to_frame();
        assert_eq!(
            crate::hex(&frame),
            concat!(
                "ffffffffffff",
                "020000000a01",
                "0806", // broadcast, from ..0a:01, ARP
                "0001",
                "0800",
                "06",
                "04",
                "0001", // Ethernet/IPv4, sizes 6/4, request
                "020000000a01",
                "0a000102", // sender 02:..:0a:01 10.0.1.2
                "000000000000",
                "0a000101", // target MAC unknown, target IP 10.0.1.1
            )
        );
        assert_eq!(frame.len(), 42);
    }

    #[test]
    fn kernel_reply_parses() {
        let bytes = crate::parse_hex(KERNEL_REPLY).unwrap();
        let (frame, packet) = parse_frame(&bytes).unwrap();
        assert_eq!(frame.destination, MacAddr([2, 0, 0, 0, 0, 1]));
        assert_eq!(packet.operation, Operation::Reply);
        assert_eq!(packet.summary(), "10.0.0.2 is at 02:00:00:00:00:02");
    }

    #[test]
    fn padded_60_byte_frame_parses_and_short_frame_does_not() {
        let mut bytes = crate::parse_hex(KERNEL_REPLY).unwrap();
        bytes.resize(60, 0);
        assert!(parse_frame(&bytes).is_ok());
        assert_eq!(
            parse_frame(&bytes[..41]),
            Err(ArpError::TooShort { length: 41 })
        );
    }

    #[test]
    fn unknown_next_hop_queues_and_requests_once_per_five_seconds() {
        let mut host = ArpHost::new(MAC_A, A);
        let first = host.send_datagram(1, GW);
        assert!(matches!(first[1], ArpEvent::SentRequest { .. }));
        host.tick(4_990);
        let second = host.send_datagram(2, GW);
        assert!(matches!(second[1], ArpEvent::RequestHeldBack { .. }));
        host.tick(20);
        let third = host.send_datagram(3, GW);
        assert!(matches!(third[1], ArpEvent::SentRequest { .. }));
        let reply = answer(MAC_GW, GW, &ArpPacket::request(MAC_A, A, GW)).unwrap();
        let released: Vec<u32> = host
            .receive(&reply)
            .iter()
            .filter_map(|e| match e {
                ArpEvent::SentDatagram { datagram, .. } => Some(*datagram),
                _ => None,
            })
            .collect();
        assert_eq!(released, vec![1, 2, 3]);
    }

    #[test]
    fn mappings_expire_after_thirty_seconds_independently() {
        let mut host = ArpHost::new(MAC_A, A);
        let b = Ipv4Addr::new(10, 0, 1, 3);
        host.receive(&ArpPacket::request(MAC_GW, GW, A));
        host.tick(15_000);
        host.receive(&ArpPacket::request(MacAddr([2, 0, 0, 0, 0, 3]), b, A));
        host.tick(10_000);
        assert!(host.lookup(GW).is_some() && host.lookup(b).is_some());
        let expired = host.tick(5_010);
        assert_eq!(expired.len(), 1);
        assert!(host.lookup(GW).is_none() && host.lookup(b).is_some());
    }

    #[test]
    fn script_errors_name_the_line() {
        let error = run_script("host 10.0.0.1 02:00:00:00:00:01\nsend 10.0.0.300\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(run_script("send 10.0.0.2").is_err());
    }

    #[test]
    fn tick_past_the_end_of_the_clock_is_a_script_error() {
        // Found by fuzzing: two huge ticks overflowed the millisecond clock. A tick is now
        // bounded at the parser, so the first of them is the error.
        let error =
            run_script("host 10.0.0.1 02:00:00:00:00:01\ntick 18446744073709551615\ntick 1\n")
                .unwrap_err();
        assert_eq!(error.line, 2);
    }
}
