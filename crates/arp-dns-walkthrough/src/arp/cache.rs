//! A host's ARP cache through time (`arp simulate`), the way Stanford CS144's network
//! interface behaves: datagrams wait while a request is out, one request per 5 s per
//! address, mappings forgotten after 30 s, answers only for our own IP. Time is a
//! number the caller advances (`tick`), so every run is the same.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use super::{ArpPacket, Operation, answer};
use crate::ethernet::MacAddr;

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

#[cfg(test)]
mod tests {
    use super::*;

    const A: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 2);
    const GW: Ipv4Addr = Ipv4Addr::new(10, 0, 1, 1);
    const MAC_A: MacAddr = MacAddr([2, 0, 0, 0, 0x0a, 0x01]);
    const MAC_GW: MacAddr = MacAddr([2, 0, 0, 0, 0x0a, 0xfe]);

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
}
