//! IP address + netmask → network number, broadcast, hosts; and the routing decision
//! every host makes before it sends: "is the destination on my own network (ARP for it)
//! or not (ARP for the default gateway)?".
//!
//! RFC 4632 §3.1 (prefix notation `a.b.c.d/len`), RFC 950 (subnet masks, contiguous
//! ones), RFC 3021 (/31 point-to-point links: two hosts, no broadcast address).
//!
//! All the maths is on a `u32`: `network = ip & mask`, `broadcast = network | !mask`.
//! The only trap is the mask for /0: `u32::MAX << 32` overflows (a panic in debug
//! builds), so [`netmask_from_prefix`] treats it on its own.

use std::fmt;
use std::net::Ipv4Addr;

/// Why a subnet or route input was refused (all of them are bad input: exit status 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubnetError {
    /// Not four dot-separated decimal numbers.
    BadAddress { text: String },
    /// One of the four numbers is over 255.
    OctetTooLarge { text: String, octet: String },
    /// The `/len` part is not a number from 0 to 32.
    BadPrefix { text: String },
    /// A netmask whose one-bits are not all on the left (`255.0.255.0`).
    NonContiguousMask { mask: Ipv4Addr },
    /// `subnet` got neither `IP/LEN` nor `IP MASK`.
    MissingPrefix { text: String },
    /// The default gateway must sit on the host's own network, or the host could not
    /// reach it with ARP.
    GatewayOffLink {
        gateway: Ipv4Addr,
        network: Ipv4Network,
    },
}

impl fmt::Display for SubnetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubnetError::BadAddress { text } => write!(
                f,
                "'{text}' is not an IPv4 address: write four numbers 0-255 with dots, like 192.168.1.10"
            ),
            SubnetError::OctetTooLarge { text, octet } => {
                write!(
                    f,
                    "'{text}': {octet} is over 255, and one octet holds 0 to 255"
                )
            }
            SubnetError::BadPrefix { text } => write!(
                f,
                "'{text}': the prefix length after '/' must be a number from 0 to 32"
            ),
            SubnetError::NonContiguousMask { mask } => write!(
                f,
                "netmask {mask} is not contiguous: its one-bits must all come first ({})",
                bits(u32::from(*mask))
            ),
            SubnetError::MissingPrefix { text } => write!(
                f,
                "'{text}' has no prefix: write IP/LEN (192.168.1.10/24) or IP MASK (192.168.1.10 255.255.255.0)"
            ),
            SubnetError::GatewayOffLink { gateway, network } => write!(
                f,
                "gateway {gateway} is not on the host's network {network}: a host can only reach its gateway directly (by ARP)"
            ),
        }
    }
}

impl std::error::Error for SubnetError {}

/// The 32 bits of an address in four groups, `11111111.11111111.11111111.00000000`.
pub fn bits(value: u32) -> String {
    value
        .to_be_bytes()
        .iter()
        .map(|octet| format!("{octet:08b}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Parses dotted-quad text strictly, naming an octet over 255.
pub fn parse_ipv4(text: &str) -> Result<Ipv4Addr, SubnetError> {
    let text = text.trim();
    let parts: Vec<&str> = text.split('.').collect();
    let bad = || SubnetError::BadAddress {
        text: text.to_string(),
    };
    if parts.len() != 4 {
        return Err(bad());
    }
    let mut octets = [0u8; 4];
    for (slot, part) in octets.iter_mut().zip(&parts) {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let value: u16 = part.parse().map_err(|_| bad())?;
        *slot = u8::try_from(value).map_err(|_| SubnetError::OctetTooLarge {
            text: text.to_string(),
            octet: part.to_string(),
        })?;
    }
    Ok(Ipv4Addr::from(octets))
}

/// The netmask with `prefix` one-bits on the left: 24 → 255.255.255.0, 0 → 0.0.0.0.
/// Prefixes over 32 are clamped by the caller's validation; here they count as 32.
pub fn netmask_from_prefix(prefix: u8) -> u32 {
    // exercise 5.1: begin
    if prefix == 0 {
        // `u32::MAX << 32` would overflow: shifting by the full width is not allowed.
        0
    } else {
        u32::MAX << (32 - u32::from(prefix.min(32)))
    }
    // exercise 5.1: end
}

/// The prefix length of a netmask, or `None` when its one-bits are not contiguous.
pub fn prefix_from_netmask(mask: u32) -> Option<u8> {
    let ones = mask.leading_ones();
    // A contiguous mask is exactly `ones` ones followed by zeros; a u32 has at most
    // 32 of them, so the count fits a byte.
    (mask.count_ones() == ones).then_some(ones as u8)
}

/// An address with its prefix length: `192.168.1.10/24`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Network {
    pub address: Ipv4Addr,
    pub prefix: u8,
}

impl fmt::Display for Ipv4Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

impl Ipv4Network {
    /// Parses `IP/LEN`.
    pub fn parse_cidr(text: &str) -> Result<Ipv4Network, SubnetError> {
        let text = text.trim();
        let Some((ip, prefix)) = text.split_once('/') else {
            return Err(SubnetError::MissingPrefix {
                text: text.to_string(),
            });
        };
        let address = parse_ipv4(ip)?;
        let prefix = prefix
            .parse::<u8>()
            .ok()
            .filter(|p| *p <= 32 && !prefix.starts_with('+'))
            .ok_or_else(|| SubnetError::BadPrefix {
                text: text.to_string(),
            })?;
        Ok(Ipv4Network { address, prefix })
    }

    /// Parses `IP` and `MASK` given separately (`192.168.1.10 255.255.255.0`).
    pub fn parse_with_mask(ip: &str, mask: &str) -> Result<Ipv4Network, SubnetError> {
        let address = parse_ipv4(ip)?;
        let mask = parse_ipv4(mask)?;
        let prefix =
            prefix_from_netmask(u32::from(mask)).ok_or(SubnetError::NonContiguousMask { mask })?;
        Ok(Ipv4Network { address, prefix })
    }

    pub fn netmask(&self) -> Ipv4Addr {
        Ipv4Addr::from(netmask_from_prefix(self.prefix))
    }

    /// The network number: `ip & mask`.
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.address) & netmask_from_prefix(self.prefix))
    }

    /// True when `other` is on this network (same network number under our mask).
    pub fn contains(&self, other: Ipv4Addr) -> bool {
        let mask = netmask_from_prefix(self.prefix);
        u32::from(other) & mask == u32::from(self.address) & mask
    }

    /// Everything `subnet` prints.
    pub fn summary(&self) -> SubnetSummary {
        let mask = netmask_from_prefix(self.prefix);
        let network = u32::from(self.address) & mask;
        let last = network | !mask;
        // 2^(32 - prefix) addresses: a u64, because /0 holds 4294967296 of them.
        let total = 1u64 << (32 - u32::from(self.prefix));
        let (broadcast, first_host, last_host, usable) = match self.prefix {
            // One address: the host route.
            32 => (None, network, network, 1),
            // RFC 3021: a point-to-point link, both addresses are hosts.
            31 => (None, network, last, 2),
            _ => (Some(last), network + 1, last - 1, total - 2),
        };
        SubnetSummary {
            address: self.address,
            network: Ipv4Addr::from(network),
            netmask: Ipv4Addr::from(mask),
            prefix: self.prefix,
            broadcast: broadcast.map(Ipv4Addr::from),
            first_host: Ipv4Addr::from(first_host),
            last_host: Ipv4Addr::from(last_host),
            total,
            usable,
            is_network_address: self.prefix < 31 && u32::from(self.address) == network,
            is_broadcast_address: self.prefix < 31 && u32::from(self.address) == last,
        }
    }
}

/// The facts about one subnet, as `subnet` prints them (text or `--json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetSummary {
    pub address: Ipv4Addr,
    pub network: Ipv4Addr,
    pub netmask: Ipv4Addr,
    pub prefix: u8,
    /// `None` for /31 and /32, which have no broadcast address.
    pub broadcast: Option<Ipv4Addr>,
    pub first_host: Ipv4Addr,
    pub last_host: Ipv4Addr,
    pub total: u64,
    pub usable: u64,
    pub is_network_address: bool,
    pub is_broadcast_address: bool,
}

impl SubnetSummary {
    /// The aligned text table.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut line = |name: &str, value: String| {
            out.push_str(&format!("{name:<11}{value}\n"));
        };
        line("address", self.address.to_string());
        line(
            "netmask",
            format!("{} = {}", self.netmask, bits(u32::from(self.netmask))),
        );
        line("prefix", format!("/{}", self.prefix));
        line(
            "network",
            format!("{}/{} (address AND netmask)", self.network, self.prefix),
        );
        line(
            "broadcast",
            match (self.broadcast, self.prefix) {
                (Some(b), _) => b.to_string(),
                (None, 31) => "none (RFC 3021: a /31 is a point-to-point link)".to_string(),
                (None, _) => "none (a /32 is a single address)".to_string(),
            },
        );
        line("first host", self.first_host.to_string());
        line("last host", self.last_host.to_string());
        line("addresses", self.total.to_string());
        line("usable", self.usable.to_string());
        if self.is_network_address {
            out.push_str(&format!(
                "note: {} is the network address itself, not a host\n",
                self.address
            ));
        }
        if self.is_broadcast_address {
            out.push_str(&format!(
                "note: {} is the broadcast address of this network, not a host\n",
                self.address
            ));
        }
        out
    }

    /// The same fields as one JSON object (hand-written: no serde needed for this).
    pub fn to_json(&self) -> String {
        let quoted = |ip: Ipv4Addr| format!("\"{ip}\"");
        format!(
            "{{\"address\":{},\"network\":{},\"netmask\":{},\"prefix\":{},\"broadcast\":{},\
             \"first_host\":{},\"last_host\":{},\"total\":{},\"usable\":{},\
             \"is_network_address\":{},\"is_broadcast_address\":{}}}",
            quoted(self.address),
            quoted(self.network),
            quoted(self.netmask),
            self.prefix,
            self.broadcast.map_or("null".to_string(), quoted),
            quoted(self.first_host),
            quoted(self.last_host),
            self.total,
            self.usable,
            self.is_network_address,
            self.is_broadcast_address
        )
    }
}

/// Where a host sends a packet for `destination`: straight to it, or to the gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDecision {
    pub host: Ipv4Network,
    pub gateway: Ipv4Addr,
    pub destination: Ipv4Addr,
    pub on_link: bool,
}

impl RouteDecision {
    /// The address whose MAC the host asks for with ARP.
    pub fn next_hop(&self) -> Ipv4Addr {
        if self.on_link {
            self.destination
        } else {
            self.gateway
        }
    }

    pub fn to_text(&self) -> String {
        let mask = self.host.netmask();
        let dest_network = Ipv4Addr::from(u32::from(self.destination) & u32::from(mask));
        let our = format!("{}/{}", self.host.network(), self.host.prefix);
        if self.on_link {
            format!(
                "{d} AND {mask} = {dest_network}, our network is {our}: same network\n\
                 {d} is on-link: ARP for {d} itself and send the frame straight to its MAC\n",
                d = self.destination
            )
        } else {
            format!(
                "{d} AND {mask} = {dest_network}, our network is {our}: another network\n\
                 {d} is off-link: ARP for the gateway {g} and send the frame to the gateway's MAC\n\
                 (the IP destination stays {d}; only the MAC destination is the gateway's)\n",
                d = self.destination,
                g = self.gateway
            )
        }
    }
}

/// The routing decision of a host with one address and one default gateway.
pub fn route(
    host: Ipv4Network,
    gateway: Ipv4Addr,
    destination: Ipv4Addr,
) -> Result<RouteDecision, SubnetError> {
    if !host.contains(gateway) {
        return Err(SubnetError::GatewayOffLink {
            gateway,
            network: Ipv4Network {
                address: host.network(),
                prefix: host.prefix,
            },
        });
    }
    Ok(RouteDecision {
        host,
        gateway,
        destination,
        on_link: is_on_link(host, destination),
    })
}

/// True when `destination` is on the same network as `host`.
pub fn is_on_link(host: Ipv4Network, destination: Ipv4Addr) -> bool {
    host.contains(destination)
}

#[cfg(test)]
#[path = "exercise_tests/subnet.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(text: &str) -> SubnetSummary {
        Ipv4Network::parse_cidr(text).unwrap().summary()
    }

    #[test]
    fn a_slash_24_home_network() {
        let s = summary("192.168.1.10/24");
        assert_eq!(s.network, Ipv4Addr::new(192, 168, 1, 0));
        assert_eq!(s.netmask, Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(s.broadcast, Some(Ipv4Addr::new(192, 168, 1, 255)));
        assert_eq!(s.first_host, Ipv4Addr::new(192, 168, 1, 1));
        assert_eq!(s.last_host, Ipv4Addr::new(192, 168, 1, 254));
        assert_eq!((s.total, s.usable), (256, 254));
    }

    #[test]
    fn slash_0_counts_every_address_without_overflow() {
        let s = summary("10.1.2.3/0");
        assert_eq!(s.network, Ipv4Addr::UNSPECIFIED);
        assert_eq!(s.broadcast, Some(Ipv4Addr::BROADCAST));
        assert_eq!((s.total, s.usable), (4_294_967_296, 4_294_967_294));
    }

    #[test]
    fn slash_31_has_two_hosts_and_no_broadcast() {
        let s = summary("10.0.0.1/31");
        assert_eq!(s.broadcast, None);
        assert_eq!(s.first_host, Ipv4Addr::new(10, 0, 0, 0));
        assert_eq!(s.last_host, Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!((s.total, s.usable), (2, 2));
        assert!(!s.is_network_address && !s.is_broadcast_address);
    }

    #[test]
    fn slash_32_is_one_address() {
        let s = summary("10.0.0.7/32");
        assert_eq!(s.broadcast, None);
        assert_eq!((s.first_host, s.last_host), (s.address, s.address));
        assert_eq!((s.total, s.usable), (1, 1));
    }

    #[test]
    fn network_and_broadcast_inputs_are_noticed() {
        assert!(summary("192.168.1.0/24").is_network_address);
        assert!(summary("192.168.1.255/24").is_broadcast_address);
    }

    #[test]
    fn bad_inputs_are_named() {
        assert!(matches!(
            Ipv4Network::parse_cidr("10.0.0.1/33"),
            Err(SubnetError::BadPrefix { .. })
        ));
        assert!(matches!(
            Ipv4Network::parse_cidr("10.0.0.256/8"),
            Err(SubnetError::OctetTooLarge { .. })
        ));
        assert!(matches!(
            Ipv4Network::parse_with_mask("10.0.0.1", "255.0.255.0"),
            Err(SubnetError::NonContiguousMask { .. })
        ));
        assert!(matches!(
            Ipv4Network::parse_cidr("10.0.0.1"),
            Err(SubnetError::MissingPrefix { .. })
        ));
        assert!(matches!(
            parse_ipv4("1.2.3"),
            Err(SubnetError::BadAddress { .. })
        ));
    }

    #[test]
    fn mask_and_prefix_agree() {
        let net = Ipv4Network::parse_with_mask("172.16.5.4", "255.255.240.0").unwrap();
        assert_eq!(net.prefix, 20);
        assert_eq!(net.network(), Ipv4Addr::new(172, 16, 0, 0));
    }

    #[test]
    fn route_picks_gateway_for_other_networks() {
        let host = Ipv4Network::parse_cidr("192.168.1.10/24").unwrap();
        let gw = Ipv4Addr::new(192, 168, 1, 1);
        let off = route(host, gw, Ipv4Addr::new(8, 8, 8, 8)).unwrap();
        assert!(!off.on_link);
        assert_eq!(off.next_hop(), gw);
        let on = route(host, gw, Ipv4Addr::new(192, 168, 1, 20)).unwrap();
        assert!(on.on_link);
        assert_eq!(on.next_hop(), Ipv4Addr::new(192, 168, 1, 20));
        assert!(matches!(
            route(host, Ipv4Addr::new(10, 0, 0, 1), gw),
            Err(SubnetError::GatewayOffLink { .. })
        ));
    }
}
