//! Black-box tests of subnet, route, arp and dns (no network).

mod support;

use std::time::{Duration, Instant};

use support::run;

#[test]
fn subnet_slash_24_prints_every_field() {
    let (code, out, _) = run(&["subnet", "192.168.1.10/24"]);
    assert_eq!(code, 0);
    for expected in [
        "network    192.168.1.0/24",
        "broadcast  192.168.1.255",
        "first host 192.168.1.1",
        "last host  192.168.1.254",
        "addresses  256",
        "usable     254",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn subnet_ip_and_mask_form_matches_the_cidr_form() {
    let (_, cidr, _) = run(&["subnet", "172.16.5.4/20", "--json"]);
    let (code, mask, _) = run(&["subnet", "172.16.5.4", "255.255.240.0", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(cidr, mask);
}

#[test]
fn subnet_json_for_slash_0_31_32() {
    let (_, zero, _) = run(&["subnet", "0.0.0.0/0", "--json"]);
    assert!(
        zero.contains("\"total\":4294967296,\"usable\":4294967294"),
        "{zero}"
    );
    assert!(zero.contains("\"is_network_address\":true"), "{zero}");
    let (_, p2p, _) = run(&["subnet", "10.0.0.0/31", "--json"]);
    assert!(p2p.contains("\"broadcast\":null"), "{p2p}");
    assert!(p2p.contains("\"total\":2,\"usable\":2"), "{p2p}");
    assert!(p2p.contains("\"is_network_address\":false"), "{p2p}");
    let (_, one, _) = run(&["subnet", "10.9.8.7/32", "--json"]);
    assert!(
        one.contains("\"first_host\":\"10.9.8.7\",\"last_host\":\"10.9.8.7\""),
        "{one}"
    );
}

#[test]
fn subnet_notices_network_and_broadcast_inputs() {
    let (_, out, _) = run(&["subnet", "192.168.1.255/24"]);
    assert!(out.contains("is the broadcast address"), "{out}");
    let (_, out, _) = run(&["subnet", "192.168.1.0/24"]);
    assert!(out.contains("is the network address itself"), "{out}");
}

#[test]
fn subnet_bad_inputs_exit_2_with_one_error_line() {
    for args in [
        &["subnet", "10.0.0.1/33"][..],
        &["subnet", "10.0.0.256/8"],
        &["subnet", "10.0.0.1", "255.0.255.0"],
        &["subnet", "10.0.0.1"],
        &["subnet", "ten.0.0.1/8"],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert!(
            err.starts_with("error: ") && err.lines().count() == 1,
            "{err}"
        );
    }
}

#[test]
fn route_on_link_and_off_link() {
    let (code, out, _) = run(&[
        "route",
        "--ip",
        "192.168.1.10/24",
        "--gateway",
        "192.168.1.1",
        "8.8.8.8",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("off-link: ARP for the gateway 192.168.1.1"),
        "{out}"
    );
    let (_, out, _) = run(&[
        "route",
        "--ip",
        "192.168.1.10/24",
        "--gateway",
        "192.168.1.1",
        "192.168.1.77",
    ]);
    assert!(
        out.contains("on-link: ARP for 192.168.1.77 itself"),
        "{out}"
    );
}

#[test]
fn route_gateway_outside_the_network_exits_2() {
    let (code, _, err) = run(&[
        "route",
        "--ip",
        "192.168.1.10/24",
        "--gateway",
        "10.0.0.1",
        "8.8.8.8",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not on the host's network 192.168.1.0/24"),
        "{err}"
    );
}

#[test]
fn arp_request_raw_is_the_42_byte_frame() {
    let (code, out, _) = run(&[
        "arp",
        "request",
        "--sender-mac",
        "02:00:00:00:0a:01",
        "--sender-ip",
        "10.0.1.2",
        "--target-ip",
        "10.0.1.1",
        "--raw",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        concat!(
            "ffffffffffff",
            "020000000a01",
            "0806", // to broadcast, from us, ARP
            "0001",
            "0800",
            "06",
            "04",
            "0001", // Ethernet, IPv4, 6, 4, request
            "020000000a01",
            "0a000102", // sender MAC, sender IP 10.0.1.2
            "000000000000",
            "0a000101", // target MAC unknown, target IP 10.0.1.1
        )
    );
}

#[test]
fn arp_reply_raw_goes_to_the_asker() {
    let (code, out, _) = run(&[
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
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out.trim(),
        "020000000a01020000000afe08060001080006040002020000000afe0a000101020000000a010a000102"
    );
}

#[test]
fn arp_parse_reads_the_kernel_reply_and_a_padded_frame() {
    // The kernel's reply captured with AF_PACKET on veth (lab-tools.md §1.4).
    let kernel =
        "020000000001020000000002080600010800060400020200000000020a0000020200000000010a000001";
    let (code, out, _) = run(&["arp", "parse", kernel]);
    assert_eq!(code, 0);
    assert!(
        out.contains("42-byte Ethernet frame, ARP: 10.0.0.2 is at 02:00:00:00:00:02"),
        "{out}"
    );
    let padded = format!("{kernel}{}", "00".repeat(18));
    let (code, out, _) = run(&["arp", "parse", &padded]);
    assert_eq!(code, 0);
    assert!(out.contains("padding, 18 bytes"), "{out}");
}

#[test]
fn arp_parse_accepts_arpings_broadcast_target_mac() {
    // iputils arping puts ff:ff:ff:ff:ff:ff in the target MAC of its first request.
    let frame = concat!(
        "ffffffffffff",
        "020000000001",
        "0806", // broadcast, from .01, ARP
        "0001",
        "0800",
        "06",
        "04",
        "0001", // Ethernet/IPv4, request
        "020000000001",
        "0a000001", // sender 10.0.0.1
        "ffffffffffff",
        "0a000002", // target MAC all ones (arping), target 10.0.0.2
    );
    let (code, out, _) = run(&["arp", "parse", frame]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Who has 10.0.0.2? Tell 10.0.0.1"), "{out}");
}

#[test]
fn arp_short_frames_and_bad_text_exit_2() {
    let (code, _, err) = run(&["arp", "parse", "ffffffffffff0200000000010806"]);
    assert_eq!(code, 2);
    assert!(err.contains("too short for an ARP frame"), "{err}");
    let (code, _, _) = run(&["arp", "parse", "abc"]);
    assert_eq!(code, 2);
    let (code, _, err) = run(&[
        "arp",
        "request",
        "--sender-mac",
        "02:00:00:00:0a",
        "--sender-ip",
        "10.0.1.2",
        "--target-ip",
        "10.0.1.1",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a MAC address"), "{err}");
    let (code, _, _) = run(&[
        "arp",
        "request",
        "--sender-mac",
        "02:00:00:00:0a:01",
        "--sender-ip",
        "10.0.1.300",
        "--target-ip",
        "10.0.1.1",
    ]);
    assert_eq!(code, 2);
}

#[test]
fn arp_simulate_runs_the_cs144_workflow() {
    let dir = support::scratch("arp-script");
    let script = dir.join("typical.arp");
    std::fs::write(
        &script,
        "host 10.0.0.1 02:00:00:00:00:01\nsend 10.0.0.9\ntick 800\nsend 10.0.0.9\n\
         reply 10.0.0.9 02:00:00:00:00:09\nrequest 10.0.0.5 02:00:00:00:00:05 10.0.0.1\n\
         request 10.0.0.5 02:00:00:00:00:05 7.7.7.7\ntick 30000\nsend 10.0.0.9\n",
    )
    .unwrap();
    let (code, out, err) = run(&["arp", "simulate", script.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("-> ARP request").count(), 2, "{out}");
    assert!(
        out.contains("no new request for 10.0.0.9: one went out 800 ms ago"),
        "{out}"
    );
    assert!(
        out.contains("-> datagram #1 in a frame to 02:00:00:00:00:09"),
        "{out}"
    );
    assert!(
        out.contains("-> ARP reply to 02:00:00:00:00:05: 10.0.0.1 is at 02:00:00:00:00:01"),
        "{out}"
    );
    assert!(
        out.contains("request is for 7.7.7.7, not us: no reply"),
        "{out}"
    );
    assert!(
        out.contains("forgot 10.0.0.9 is at 02:00:00:00:00:09"),
        "{out}"
    );
}

#[test]
fn dns_query_raw_is_byte_exact() {
    let (code, out, _) = run(&["dns", "query", "baidu.com", "--id", "0x44cb", "--raw"]);
    assert_eq!(code, 0);
    // The query lab-tools.md §1.7 sent to dnsmasq: ID, RD, 1 question, baidu.com A IN.
    assert_eq!(
        out.trim(),
        "44cb0100000100000000000005626169647503636f6d0000010001"
    );
    let (_, out, _) = run(&[
        "dns",
        "query",
        "baidu.com.",
        "--id",
        "1",
        "--type",
        "AAAA",
        "--no-rd",
        "--raw",
    ]);
    assert_eq!(
        out.trim(),
        "00010000000100000000000005626169647503636f6d00001c0001"
    );
}

#[test]
fn dns_query_rejects_bad_names_and_types() {
    let long_label = "x".repeat(64);
    let long_name = vec!["y".repeat(60); 5].join(".");
    for name in ["a..b", ".a", long_label.as_str(), long_name.as_str()] {
        let (code, _, err) = run(&["dns", "query", name]);
        assert_eq!(code, 2, "{name}: {err}");
    }
    let (code, _, _) = run(&["dns", "query", "baidu.com", "--type", "SRVX"]);
    assert_eq!(code, 2);
}

#[test]
fn dns_parse_shows_the_pointer_into_the_cname_rdata() {
    // dnsmasq's answer to www.baidu.com A (lab-tools.md §1.7).
    let answer = "beef858000010002000000000377777705626169647503636f6d0000010001c00c000500010000012c000b05626169647503636f6d00c02b000100010000012c00040a000202";
    let (code, out, _) = run(&["dns", "parse", answer]);
    assert_eq!(code, 0);
    assert!(
        out.contains("name baidu.com (compressed: pointer to offset 43)"),
        "{out}"
    );
    assert!(
        out.contains("answer:     baidu.com 300 IN A 10.0.2.2"),
        "{out}"
    );
}

#[test]
fn dns_parse_reads_a_file() {
    let dir = support::scratch("dns-file");
    let path = dir.join("nx.bin");
    // dnsmasq's NXDOMAIN for foo.nx.test.
    std::fs::write(
        &path,
        arp_dns_walkthrough::parse_hex(
            "00018183000100000000000003666f6f026e7804746573740000010001",
        )
        .unwrap(),
    )
    .unwrap();
    let (code, out, _) = run(&["dns", "parse", "--file", path.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("rcode NXDOMAIN"), "{out}");
}

/// Malformed messages: each exits 2 with its reason, well within a second.
#[test]
fn dns_parse_rejects_malformed_messages_fast() {
    let header = "000081800001000000000000"; // id 0, response, 1 question
    let cases = [
        // qname at offset 12 is a pointer to itself
        (format!("{header}c00c00010001"), "pointer loop"),
        // qname at 12 points to 14, and 14 points back to 12
        (format!("{header}c00ec00c00010001"), "pointer loop"),
        // a label, then a pointer back to the label: a loop through a label
        (format!("{header}0161c00c00010001"), "pointer loop"),
        // pointer past the end
        (format!("{header}c0ff00010001"), "past the end"),
        // header cut at 11 bytes
        ("0000818000010000000000".to_string(), "truncated header"),
        // question name cut in the middle of a label
        (format!("{header}05626169"), "truncated"),
        // ANCOUNT 1 but no answer
        (
            "000081800001000100000000".to_string() + "05626169647503636f6d00" + "00010001",
            "count overrun",
        ),
        // an A answer whose RDLENGTH (16) runs past the end
        (
            format!(
                "{}c00c000100010000012c00100a000202",
                "44cb8580000100010000000005626169647503636f6d0000010001"
            ),
            "RDLENGTH overruns",
        ),
        // an A answer with RDLENGTH 3
        (
            format!(
                "{}c00c000100010000012c00030a0002",
                "44cb8580000100010000000005626169647503636f6d0000010001"
            ),
            "does not fit its type",
        ),
    ];
    for (hex, reason) in cases {
        let started = Instant::now();
        let (code, out, err) = run(&["dns", "parse", &hex]);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{hex} took too long"
        );
        assert_eq!(code, 2, "{hex}: {out}{err}");
        assert!(err.contains(reason), "{hex}: wanted {reason:?} in {err}");
    }
}

#[test]
fn dns_parse_needs_hex_or_file() {
    let (code, _, _) = run(&["dns", "parse"]);
    assert_eq!(code, 2);
}

#[test]
fn simulate_json_keeps_ips_and_changes_macs() {
    let (code, out, _) = run(&["simulate", "--json"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("{\"dns_query\":[{\"hop\":1,\"link\":\"lan-1\""),
        "{out}"
    );
    assert_eq!(
        out.matches("\"source_ip\":\"192.168.1.10\"").count(),
        10,
        "{out}"
    );
    assert!(out.contains("\"ttl\":61"));
}

#[test]
fn a_closed_output_pipe_is_not_a_panic() {
    use std::process::Stdio;
    // Like `simulate | head -1`: the reader goes away after the first line.
    let mut child = support::bin()
        .arg("simulate")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

#[test]
fn tour_prints_a_short_offline_demo() {
    let mut out = Vec::new();
    arp_dns_walkthrough::tour(&mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("ARP request, 42 bytes: Who has 192.168.1.1? Tell 192.168.1.10"),
        "{text}"
    );
    assert!(
        text.contains("www.baidu.com is an alias (CNAME) of baidu.com"),
        "{text}"
    );
}

#[test]
fn resolve_trace_names_the_socket_calls() {
    use arp_dns_walkthrough::dns::server::{Zone, serve};
    // The built-in responder, in this process, on a port the OS picks.
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let server = socket.local_addr().unwrap();
    let responder = std::thread::spawn(move || {
        serve(
            &socket,
            &Zone::walkthrough("198.51.100.10".parse().unwrap()),
            Some(1),
        )
    });
    let (code, out, err) = run(&[
        "dns",
        "resolve",
        "baidu.com",
        "--server",
        &server.to_string(),
        "--id",
        "7",
        "--trace",
    ]);
    responder.join().unwrap().unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("baidu.com has address 198.51.100.10 (A IN, ttl 300)"),
        "{out}"
    );
    assert!(err.starts_with("bind(0.0.0.0:0) -> 0.0.0.0:"), "{err}");
    assert!(
        err.contains(&format!("sendto({server}, 27 bytes)")),
        "{err}"
    );
    assert!(
        err.contains(&format!("recvfrom -> 43 bytes from {server}")),
        "{err}"
    );
}
