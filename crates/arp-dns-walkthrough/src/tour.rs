//! The short demo of lesson 5 that `cargo run -- tour` prints.

use crate::{arp, dns, simulate, subnet};

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
        trace: say::Trace::OFF,
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
}
