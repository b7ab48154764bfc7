//! The bytes we build, checked by independent tools: tshark decodes our frames and
//! captures without a single warning, dnsmasq answers our queries, dig agrees with
//! `dns resolve`. Each test SKIPs (fails under CI=true) when its tool is missing.

mod support;

use std::net::UdpSocket;
use std::time::Duration;

use arp_dns_walkthrough::dns::{Message, RecordData};
use support::{Dnsmasq, assert_tshark_clean, run, scratch, tshark_fields};

#[test]
fn arp_frames_decode_in_tshark_as_who_has_and_is_at() {
    if !testkit::require_tool("arp_frames_decode_in_tshark", "tshark", "tshark") {
        return;
    }
    let dir = scratch("arp-pcap");
    let request = dir.join("request.pcap");
    let reply = dir.join("reply.pcap");
    let (code, _, err) = run(&[
        "arp",
        "request",
        "--sender-mac",
        "02:00:00:00:0a:01",
        "--sender-ip",
        "10.0.1.2",
        "--target-ip",
        "10.0.1.1",
        "--raw",
        "--pcap",
        request.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&[
        "arp",
        "reply",
        "--sender-mac",
        "02:00:00:00:0a:fe",
        "--sender-ip",
        "10.0.1.1",
        "--target-mac",
        "02:00:00:00:0a:01",
        "--target-ip",
        "10.0.1.2",
        "--raw",
        "--pcap",
        reply.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        tshark_fields(&request, &["_ws.col.Info"]),
        vec!["Who has 10.0.1.1? Tell 10.0.1.2"]
    );
    assert_eq!(
        tshark_fields(&reply, &["_ws.col.Info"]),
        vec!["10.0.1.1 is at 02:00:00:00:0a:fe"]
    );
    assert_tshark_clean(&request);
    assert_tshark_clean(&reply);
}

#[test]
fn every_simulated_link_capture_is_clean_and_shows_the_hops() {
    if !testkit::require_tool("every_simulated_link_capture_is_clean", "tshark", "tshark") {
        return;
    }
    let dir = scratch("simulate");
    let (code, out, err) = run(&["simulate", "--pcap-dir", dir.path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote "), "{out}");
    let links = ["lan-1", "lan-2", "access", "core", "dns-lan", "web-lan"];
    for link in links {
        assert_tshark_clean(&dir.join(&format!("{link}.pcap")));
    }
    // The DNS query on each link of its way: same IPs, MACs of that link, TTL per router.
    let mut seen = Vec::new();
    for link in ["lan-1", "lan-2", "access", "core", "dns-lan"] {
        let rows = tshark_fields(
            &dir.join(&format!("{link}.pcap")),
            &[
                "eth.src",
                "eth.dst",
                "ip.src",
                "ip.dst",
                "ip.ttl",
                "dns.flags.response",
            ],
        );
        let query = rows
            .iter()
            .find(|row| row.ends_with("\t0"))
            .unwrap_or_else(|| panic!("no DNS query on {link}: {rows:?}"))
            .clone();
        seen.push(query);
    }
    let ttls: Vec<&str> = seen.iter().map(|r| r.split('\t').nth(4).unwrap()).collect();
    assert_eq!(ttls, vec!["64", "64", "63", "62", "61"]);
    assert!(seen.iter().all(|r| r.contains("192.168.1.10\t192.0.2.53")));
    // The switch passes the frame unchanged; each router puts it in a new frame.
    assert_eq!(seen[0], seen[1]);
    let macs: Vec<String> = seen
        .iter()
        .map(|r| r.split('\t').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_ne!(macs[1], macs[2]);
    assert_ne!(macs[2], macs[3]);
    assert_ne!(macs[3], macs[4]);
}

#[test]
fn visit_capture_is_clean_with_the_handshake_first_and_the_close_last() {
    if !testkit::require_tool("visit_capture_is_clean", "tshark", "tshark") {
        return;
    }
    let dir = scratch("visit");
    let (code, out, err) = run(&[
        "visit",
        "http://baidu.com/",
        "--pcap-dir",
        dir.path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("6 page  title \"baidu.com (offline copy)\""),
        "{out}"
    );
    let file = dir.join("visit.pcap");
    assert_tshark_clean(&file);
    let flags: Vec<String> = tshark_fields(&file, &["tcp.flags"])
        .into_iter()
        .filter(|f| !f.is_empty())
        .collect();
    assert_eq!(&flags[..3], &["0x0002", "0x0012", "0x0010"], "{flags:?}");
    let n = flags.len();
    assert_eq!(
        &flags[n - 3..],
        &["0x0011", "0x0011", "0x0010"],
        "{flags:?}"
    );
    let first = tshark_fields(&file, &["_ws.col.Info"]);
    assert_eq!(first[0], "Who has 192.168.1.1? Tell 192.168.1.10");
}

#[test]
fn our_query_bytes_are_answered_by_dnsmasq() {
    if !testkit::require_tool(
        "our_query_bytes_are_answered_by_dnsmasq",
        "dnsmasq",
        "dnsmasq",
    ) {
        return;
    }
    let dnsmasq = Dnsmasq::start();
    let (_, hex, _) = run(&["dns", "query", "baidu.com", "--id", "0x44cb", "--raw"]);
    let query = arp_dns_walkthrough::parse_hex(hex.trim()).unwrap();
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    socket.send_to(&query, dnsmasq.addr()).unwrap();
    let mut buffer = [0u8; 512];
    let length = socket.recv(&mut buffer).unwrap();
    // The answer lab-tools.md recorded for exactly this query.
    assert_eq!(
        arp_dns_walkthrough::hex(&buffer[..length]),
        "44cb8580000100010000000005626169647503636f6d0000010001c00c000100010000012c00040a000202"
    );
    let answer = Message::parse(&buffer[..length]).unwrap();
    assert_eq!(
        answer.answers[0].data,
        RecordData::A("10.0.2.2".parse().unwrap())
    );
}

#[test]
fn resolve_follows_a_cname_chain_from_dnsmasq() {
    if !testkit::require_tool("resolve_follows_a_cname_chain", "dnsmasq", "dnsmasq") {
        return;
    }
    let dnsmasq = Dnsmasq::start();
    let (code, out, err) = run(&[
        "dns",
        "resolve",
        "img.baidu.com",
        "--server",
        &dnsmasq.addr(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("img.baidu.com is an alias (CNAME) of www.baidu.com (ttl 300)"),
        "{out}"
    );
    assert!(
        out.contains("www.baidu.com is an alias (CNAME) of baidu.com (ttl 300)"),
        "{out}"
    );
    assert!(
        out.contains("baidu.com has address 10.0.2.2 (A IN, ttl 300)"),
        "{out}"
    );
}

#[test]
fn resolve_nxdomain_exits_1() {
    if !testkit::require_tool("resolve_nxdomain_exits_1", "dnsmasq", "dnsmasq") {
        return;
    }
    let dnsmasq = Dnsmasq::start();
    let (code, _, err) = run(&["dns", "resolve", "foo.nx.test", "--server", &dnsmasq.addr()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("foo.nx.test does not exist (NXDOMAIN"),
        "{err}"
    );
}

#[test]
fn resolve_retries_over_tcp_when_the_answer_is_truncated() {
    if !testkit::require_tool("resolve_retries_over_tcp", "dnsmasq", "dnsmasq") {
        return;
    }
    let dnsmasq = Dnsmasq::start();
    let (code, out, err) = run(&[
        "dns",
        "resolve",
        "big.test",
        "--type",
        "TXT",
        "--server",
        &dnsmasq.addr(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(";; answer: 26 bytes, NOERROR, flags: qr aa tc rd ra"),
        "{out}"
    );
    assert!(
        out.contains(";; truncated (TC=1): asking again over TCP"),
        "{out}"
    );
    assert!(out.contains(";; answer: 791 bytes"), "{out}");
    assert_eq!(out.matches(&"a".repeat(250)).count(), 3, "{out}");
}

#[test]
fn resolve_agrees_with_dig() {
    if !testkit::require_tool("resolve_agrees_with_dig", "dnsmasq", "dnsmasq")
        || !testkit::require_tool("resolve_agrees_with_dig", "dig", "bind9-dnsutils")
    {
        return;
    }
    let dnsmasq = Dnsmasq::start();
    for name in ["baidu.com", "www.baidu.com"] {
        let dig = std::process::Command::new("dig")
            .args([
                "+short",
                "+tries=1",
                "+time=3",
                "-p",
                &dnsmasq.port.to_string(),
                "@127.0.0.1",
                name,
                "A",
            ])
            .output()
            .unwrap();
        let dig_addresses: Vec<String> = String::from_utf8_lossy(&dig.stdout)
            .lines()
            .filter(|l| l.parse::<std::net::Ipv4Addr>().is_ok())
            .map(str::to_string)
            .collect();
        let (code, out, _) = run(&["dns", "resolve", name, "--server", &dnsmasq.addr()]);
        assert_eq!(code, 0);
        let ours: Vec<String> = out
            .lines()
            .filter_map(|l| l.split(" has address ").nth(1))
            .map(|rest| rest.split(' ').next().unwrap_or_default().to_string())
            .collect();
        assert_eq!(ours, dig_addresses, "{name}");
    }
}

#[test]
fn visit_uses_a_real_dns_server_when_asked() {
    if !testkit::require_tool("visit_uses_a_real_dns_server", "dnsmasq", "dnsmasq") {
        return;
    }
    let dnsmasq = Dnsmasq::start();
    let (code, out, err) = run(&["visit", "http://www.baidu.com/", "--dns", &dnsmasq.addr()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("<- baidu.com has address 10.0.2.2"), "{out}");
    assert!(out.contains("standing in for 10.0.2.2:80"), "{out}");
    let (code, _, err) = run(&["visit", "http://foo.nx.test/", "--dns", &dnsmasq.addr()]);
    assert_eq!(code, 1);
    assert!(err.contains("NXDOMAIN"), "{err}");
}

#[test]
fn resolve_times_out_when_the_server_stays_silent() {
    // A socket that receives and never answers (dnsmasq does this for garbage).
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = silent.local_addr().unwrap().to_string();
    let (code, _, err) = run(&[
        "dns",
        "resolve",
        "baidu.com",
        "--server",
        &address,
        "--timeout",
        "0.3",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("no answer from"), "{err}");
}

#[test]
fn resolve_to_a_closed_port_is_refused_with_a_hint() {
    let closed = UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap().to_string();
    drop(closed);
    let (code, _, err) = run(&["dns", "resolve", "baidu.com", "--server", &address]);
    assert_eq!(code, 1);
    assert!(err.contains("hint: nothing listens on that port"), "{err}");
}

#[test]
fn visit_to_a_refused_port_exits_1_with_a_hint() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap().to_string();
    drop(closed);
    let (code, _, err) = run(&["visit", "http://baidu.com/", "--connect", &address]);
    assert_eq!(code, 1);
    assert!(
        err.contains("connection refused") && err.contains("hint:"),
        "{err}"
    );
}

#[test]
fn visit_refuses_non_loopback_addresses() {
    let (code, _, err) = run(&["visit", "http://baidu.com/", "--connect", "10.0.0.1:80"]);
    assert_eq!(code, 2);
    assert!(err.contains("only talks to loopback"), "{err}");
    let (code, _, _) = run(&["visit", "http://baidu.com/", "--dns", "8.8.8.8:53"]);
    assert_eq!(code, 2);
}

#[test]
fn visit_of_a_missing_name_stops_after_dns() {
    let (code, out, err) = run(&["visit", "http://nx.test/"]);
    assert_eq!(code, 1);
    assert!(out.contains("2 DNS") && !out.contains("3 TCP"), "{out}");
    assert!(err.contains("NXDOMAIN"), "{err}");
}

#[test]
fn dns_query_pcap_decodes_in_tshark() {
    if !testkit::require_tool("dns_query_pcap_decodes_in_tshark", "tshark", "tshark") {
        return;
    }
    let dir = scratch("dns-pcap");
    let file = dir.join("query.pcap");
    let (code, _, err) = run(&[
        "dns",
        "query",
        "www.baidu.com",
        "--id",
        "0xbeef",
        "--raw",
        "--pcap",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        tshark_fields(&file, &["_ws.col.Info"]),
        vec!["Standard query 0xbeef A www.baidu.com"]
    );
    assert_tshark_clean(&file);
}
