//! # arp-dns-walkthrough: from netmask to web page, on real bytes
//!
//! Lesson 5 of netlab (`lessons/05-arp-dns-walkthrough.md`). The Python notes end with
//! the network under the sockets: a switch links the computers of one network, a router
//! links networks; the IP and the netmask give the network number; anything for
//! another network goes to the default gateway, whose MAC is found with ARP; DNS turns a
//! name into an IP; and visiting baidu.com is ARP, DNS, a TCP handshake, an HTTP
//! request and response, and a close. This crate makes each step real bytes that
//! independent tools (tshark, dig, dnsmasq, arping) agree with, one module per layer:
//!
//! * [`subnet`]: network number, broadcast, hosts; the on-link/off-link decision;
//! * [`ethernet`], [`arp`]: frames, the ARP request and reply, a host's ARP cache in time;
//! * [`ipv4`], [`udp`], [`tcp`]: headers with correct checksums;
//! * [`dns`]: messages with name compression, a resolver (UDP, TCP on truncation), a
//!   tiny responder;
//! * [`pcap`]: capture files Wireshark opens;
//! * [`simulate`]: a packet's trip hop by hop through switch and routers;
//! * [`visit`]: the whole visit of a web page, with real loopback sockets;
//! * `packet_socket` (Linux, root): real ARP on an `AF_PACKET` socket.
//!
//! Try it in two terminals:
//!
//! ```text
//! terminal 1: dnsmasq -C /dev/null -k -p 5300 --listen-address=127.0.0.1 --bind-interfaces \
//!               --no-resolv --no-hosts --host-record=baidu.com,10.0.2.2 --log-queries --log-facility=-
//! terminal 2: cargo run -p arp-dns-walkthrough -- dns resolve baidu.com --server 127.0.0.1:5300
//! ```
//!
//! or, with nothing installed: `cargo run -p arp-dns-walkthrough -- visit http://baidu.com/`.

pub mod arp;
pub mod dns;
pub mod ethernet;
pub mod ipv4;
#[cfg(target_os = "linux")]
pub mod packet_socket;
pub mod pcap;
pub mod simulate;
pub mod subnet;
pub mod tcp;
pub mod udp;
pub mod visit;

use std::fmt;

/// One field of a packet: where it starts, its bytes, and what they mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub offset: usize,
    pub bytes: Vec<u8>,
    pub meaning: String,
}

impl Annotation {
    pub fn new(offset: usize, bytes: Vec<u8>, meaning: impl Into<String>) -> Annotation {
        Annotation {
            offset,
            bytes,
            meaning: meaning.into(),
        }
    }
}

impl fmt::Display for Annotation {
    /// `  0022  02 00 00 00 0a 01   sender MAC ...`; long fields show their first 8 bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<String> = self
            .bytes
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut bytes = shown.join(" ");
        if self.bytes.len() > 8 {
            bytes.push_str(" ..");
        }
        write!(f, "{:>6}  {bytes:<26} {}", self.offset, self.meaning)
    }
}

/// Lower-case hex without spaces, one line (what `--raw` prints).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Text that is not hex (odd length or a non-hex character).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadHex {
    pub reason: String,
}

impl fmt::Display for BadHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad hex: {}", self.reason)
    }
}

impl std::error::Error for BadHex {}

/// Reads hex text; spaces, colons and newlines between the pairs are allowed.
pub fn parse_hex(text: &str) -> Result<Vec<u8>, BadHex> {
    let digits: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    if let Some(bad) = digits.iter().find(|c| !c.is_ascii_hexdigit()) {
        return Err(BadHex {
            reason: format!("'{bad}' is not a hex digit"),
        });
    }
    if digits.len() % 2 != 0 {
        return Err(BadHex {
            reason: format!(
                "{} hex digits: an odd number, so half a byte is missing",
                digits.len()
            ),
        });
    }
    Ok(digits
        .chunks(2)
        .map(|pair| {
            // Both characters were checked to be hex digits above.
            let high = pair[0].to_digit(16).unwrap_or(0) as u8;
            let low = pair[1].to_digit(16).unwrap_or(0) as u8;
            high << 4 | low
        })
        .collect())
}

/// The short demo of lesson 5 for `cargo run -- tour`: a subnet, a routing decision,
/// an ARP request, a DNS query answered by the built-in responder over loopback, and the
/// hops of that query through switch and routers. Offline, port 0, well under a second.
pub fn tour(out: &mut dyn std::io::Write) -> Result<(), Box<dyn std::error::Error>> {
    use std::net::{Ipv4Addr, UdpSocket};
    use std::time::Duration;

    writeln!(out, "lesson 5: from netmask to web page")?;
    let host = subnet::Ipv4Network::parse_cidr("192.168.1.10/24")?;
    let summary = host.summary();
    writeln!(
        out,
        "  192.168.1.10/24: network {}, broadcast {}, {} usable hosts",
        summary.network,
        summary
            .broadcast
            .map_or("none".to_string(), |b| b.to_string()),
        summary.usable
    )?;
    let gateway = Ipv4Addr::new(192, 168, 1, 1);
    let decision = subnet::route(host, gateway, simulate::DNS_SERVER)?;
    writeln!(
        out,
        "  to reach {} (another network) the host ARPs for its gateway {}",
        simulate::DNS_SERVER,
        decision.next_hop()
    )?;
    let request = arp::ArpPacket::request(simulate::HOST_MAC, host.address, gateway);
    let frame = request.to_frame();
    writeln!(
        out,
        "  ARP request, {} bytes: {}",
        frame.len(),
        request.summary()
    )?;

    // A real DNS exchange on loopback with the built-in responder.
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    let server = socket.local_addr()?;
    let zone = dns::server::Zone::walkthrough(simulate::WEB_SERVER);
    let responder = std::thread::spawn(move || dns::server::serve(&socket, &zone, Some(1)));
    let options = dns::resolve::ResolveOptions {
        server,
        record_type: dns::RecordType::A,
        tcp: false,
        timeout: Duration::from_secs(2),
        first_id: Some(0x44cb),
        trace: false,
    };
    let resolution = dns::resolve::resolve("www.baidu.com", &options)?;
    let _ = responder.join();
    writeln!(
        out,
        "  DNS over UDP to {server}: query {} bytes, answer {} bytes",
        resolution.last_query.len(),
        resolution.last_answer.len()
    )?;
    for (alias, target, _) in &resolution.aliases {
        writeln!(out, "    {alias} is an alias (CNAME) of {target}")?;
    }
    for record in &resolution.records {
        writeln!(out, "    {} has address {}", record.name, record.data)?;
    }
    writeln!(
        out,
        "  the query's trip (MACs change per router, IPs stay, TTL drops):"
    )?;
    let trip = simulate::Topology::home().dns_query_trip();
    for hop in &trip {
        writeln!(out, "    {}", hop.short_line())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tour_runs_offline() {
        let mut out = Vec::new();
        super::tour(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        println!("{text}"); // shown with --nocapture
        assert!(text.contains("www.baidu.com is an alias (CNAME) of baidu.com"));
        assert!(
            text.lines().count() >= 5 && text.lines().count() <= 20,
            "{text}"
        );
    }

    #[test]
    fn hex_round_trips_and_rejects_odd_input() {
        assert_eq!(super::parse_hex("0a ff:01").unwrap(), vec![10, 255, 1]);
        assert!(super::parse_hex("abc").is_err());
        assert!(super::parse_hex("zz").is_err());
        assert_eq!(super::hex(&[0, 171]), "00ab");
    }
}
