//! `--ladder` and `--ladder --mermaid` on `dns resolve` and on the loopback `visit`: each
//! query and answer (and, in the visit, each TCP socket call) drawn as an arrow on stderr,
//! against DNS servers this test runs on loopback.

use std::io::{Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::thread::JoinHandle;
use std::time::Duration;

use arp_dns_walkthrough::dns::Message;
use arp_dns_walkthrough::dns::server::{Zone, serve};
use assert_cmd::cargo::cargo_bin;

/// The binary in the ASCII style: `LC_ALL=C` says the terminal is not UTF-8.
fn walkthrough(args: &[&str]) -> std::process::Output {
    assert_cmd::Command::new(cargo_bin("arp-dns-walkthrough"))
        .env("LC_ALL", "C")
        .args(args)
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap()
}

/// What changes from run to run, masked: the times on the left and the ports the OS
/// picks (every digit after a `:` becomes `#`, so the columns stay where they were).
fn masked(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut after_colon = false;
        for (index, c) in line.chars().enumerate() {
            let in_time_column = index < 8;
            if c.is_ascii_digit() && (in_time_column || after_colon) {
                out.push('#');
                continue;
            }
            after_colon = c == ':' || (after_colon && c.is_ascii_digit());
            out.push(c);
        }
        out.push('\n');
    }
    out
}

/// The visit's query IDs are random: the four hex digits after each `id=0x` become `#`.
fn without_ids(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("id=0x") {
        let (before, after) = rest.split_at(at + "id=0x".len());
        out.push_str(before);
        let digits = after.chars().take_while(char::is_ascii_hexdigit).count();
        out.push_str(&"#".repeat(digits));
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// The offline zone on a loopback port: answers `count` queries, then its thread ends.
fn zone_server(count: usize) -> (String, JoinHandle<std::io::Result<()>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let address = socket.local_addr().unwrap().to_string();
    let thread = std::thread::spawn(move || {
        serve(
            &socket,
            &Zone::walkthrough("198.51.100.10".parse().unwrap()),
            Some(count),
        )
    });
    (address, thread)
}

#[test]
fn resolve_ladder_draws_the_query_and_the_answer() {
    let (server, responder) = zone_server(1);
    let output = walkthrough(&[
        "dns",
        "resolve",
        "baidu.com",
        "--server",
        &server,
        "--id",
        "0x1234",
        "--ladder",
    ]);
    responder.join().unwrap().unwrap();
    assert!(output.status.success(), "{output:?}");
    let expected = concat!(
        "    time  127.0.0.1:#####                                       127.0.0.1:#####\n",
        "                 |                                                     |\n",
        "  #.###s         |----------- query A baidu.com id=0x1234 ------------>|\n",
        "  #.###s         |<--------- answer A baidu.com 198.51.100.10 ---------|\n",
    );
    assert_eq!(masked(&String::from_utf8_lossy(&output.stderr)), expected);
}

#[test]
fn resolve_stdout_is_the_same_with_and_without_the_ladder() {
    for flags in [&[][..], &["--ladder"][..], &["--ladder", "--mermaid"][..]] {
        let (server, responder) = zone_server(1);
        let mut args = vec![
            "dns",
            "resolve",
            "baidu.com",
            "--server",
            &server,
            "--id",
            "7",
        ];
        args.extend_from_slice(flags);
        let output = walkthrough(&args);
        responder.join().unwrap().unwrap();
        assert_eq!(
            masked(&String::from_utf8_lossy(&output.stdout)),
            concat!(
                ";; UDP query baidu.com A to 127.0.0.1:##### (id 0x0007)\n",
                ";; answer: 43 bytes, NOERROR, flags: qr aa rd\n",
                "baidu.com has address 198.51.100.10 (A IN, ttl 300)\n",
            ),
            "{flags:?}"
        );
    }
}

#[test]
fn resolve_mermaid_prints_the_alias_answer_at_the_end() {
    let (server, responder) = zone_server(1);
    let output = walkthrough(&[
        "dns",
        "resolve",
        "www.baidu.com",
        "--server",
        &server,
        "--id",
        "0xbeef",
        "--ladder",
        "--mermaid",
    ]);
    responder.join().unwrap().unwrap();
    assert!(output.status.success(), "{output:?}");
    let expected = concat!(
        "sequenceDiagram\n",
        "    participant A as 127.0.0.1:#####\n",
        "    participant B as 127.0.0.1:#####\n",
        "    A->>B: query A www.baidu.com id=0xbeef\n",
        "    B->>A: answer CNAME www.baidu.com baidu.com, A baidu.com 198.51.100.10\n",
    );
    assert_eq!(masked(&String::from_utf8_lossy(&output.stderr)), expected);
}

#[test]
fn resolve_ladder_shows_nxdomain_as_the_answer() {
    let (server, responder) = zone_server(1);
    let output = walkthrough(&[
        "dns",
        "resolve",
        "foo.nx.test",
        "--server",
        &server,
        "--id",
        "1",
        "--ladder",
        "--mermaid",
    ]);
    responder.join().unwrap().unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        masked(&stderr).contains(concat!(
            "    A->>B: query A foo.nx.test id=0x0001\n",
            "    B->>A: answer NXDOMAIN\n",
        )),
        "{stderr}"
    );
}

/// A server that answers every UDP query truncated (TC=1, no records) and the retry over
/// TCP in full, on the same port: what a real server does for an answer over 512 bytes.
fn truncating_server() -> (String, JoinHandle<()>) {
    let zone = Zone::walkthrough("198.51.100.10".parse().unwrap());
    // The TCP port first, then UDP on the same number (free on UDP nearly always; a few
    // tries in case another test took it).
    let (listener, udp) = (0..20)
        .find_map(|_| {
            let listener = TcpListener::bind("127.0.0.1:0").ok()?;
            let udp = UdpSocket::bind(listener.local_addr().ok()?).ok()?;
            Some((listener, udp))
        })
        .expect("a port free on both TCP and UDP");
    let address = listener.local_addr().unwrap().to_string();
    let thread = std::thread::spawn(move || {
        udp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buffer = [0u8; 512];
        let (length, peer) = udp.recv_from(&mut buffer).unwrap();
        let query = Message::parse(&buffer[..length]).unwrap();
        let mut cut = zone.answer(&query);
        cut.answers.clear();
        cut.header.truncated = true;
        udp.send_to(&cut.to_bytes().unwrap(), peer).unwrap();

        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut length = [0u8; 2];
        stream.read_exact(&mut length).unwrap();
        let mut query = vec![0u8; usize::from(u16::from_be_bytes(length))];
        stream.read_exact(&mut query).unwrap();
        let answer = zone
            .answer(&Message::parse(&query).unwrap())
            .to_bytes()
            .unwrap();
        let mut framed = u16::try_from(answer.len()).unwrap().to_be_bytes().to_vec();
        framed.extend_from_slice(&answer);
        stream.write_all(&framed).unwrap();
    });
    (address, thread)
}

#[test]
fn truncated_answer_is_asked_again_over_tcp_on_the_ladder() {
    let (server, responder) = truncating_server();
    let output = walkthrough(&[
        "dns",
        "resolve",
        "baidu.com",
        "--server",
        &server,
        "--id",
        "0x7777",
        "--ladder",
        "--mermaid",
    ]);
    responder.join().unwrap();
    assert!(output.status.success(), "{output:?}");
    let expected = concat!(
        "sequenceDiagram\n",
        "    participant A as 127.0.0.1:#####\n",
        "    participant B as 127.0.0.1:#####\n",
        "    participant C as 127.0.0.1:#####\n",
        "    A->>B: query A baidu.com id=0x7777\n",
        "    B->>A: TC=1, again over TCP\n",
        "    C->>B: connect (SYN, SYN-ACK, ACK)\n",
        "    C->>B: query A baidu.com id=0x7777 (TCP)\n",
        "    B->>C: answer A baidu.com 198.51.100.10 (TCP)\n",
    );
    assert_eq!(masked(&String::from_utf8_lossy(&output.stderr)), expected);
}

#[test]
fn a_query_without_answer_is_sent_three_times_then_ends_in_a_timeout_note() {
    // A socket that takes the queries and never answers.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let server = silent.local_addr().unwrap().to_string();
    let output = walkthrough(&[
        "dns",
        "resolve",
        "baidu.com",
        "--server",
        &server,
        "--id",
        "2",
        "--timeout",
        "0.3",
        "--ladder",
        "--mermaid",
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        masked(&stderr).contains(concat!(
            "    A->>B: query A baidu.com id=0x0002\n",
            "    A->>B: query A baidu.com id=0x0002\n",
            "    Note over A,B: retry after timeout\n",
            "    A->>B: query A baidu.com id=0x0002\n",
            "    Note over A,B: retry after timeout\n",
            "    Note over A: timeout: no answer\n",
        )),
        "{stderr}"
    );
}

#[test]
fn visit_mermaid_draws_dns_then_the_tcp_calls_with_arp_as_a_note() {
    let output = walkthrough(&["visit", "http://www.baidu.com/", "--ladder", "--mermaid"]);
    assert!(output.status.success(), "{output:?}");
    let expected = concat!(
        "sequenceDiagram\n",
        "    participant A as host\n",
        "    participant B as 127.0.0.1:#####\n",
        "    participant C as 127.0.0.1:#####\n",
        "    participant D as 127.0.0.1:#####\n",
        "    participant E as 127.0.0.1:#####\n",
        "    Note over A: 1 ARP simulated: 192.168.1.1 is at 02:##:##:##:##:##\n",
        "    B->>C: query A www.baidu.com id=0x####\n",
        "    C->>B: answer CNAME www.baidu.com baidu.com, A baidu.com 198.51.100.10\n",
        "    D->>E: 3 connect (SYN, SYN-ACK, ACK)\n",
        "    D->>E: 4 send GET / (78 bytes)\n",
        "    E->>D: 5 recv HTTP/1.1 200 OK (243 bytes)\n",
        "    E->>D: 7 recv returned 0 (the server's FIN)\n",
        "    D->>E: 7 close (our FIN)\n",
    );
    assert_eq!(
        without_ids(&masked(&String::from_utf8_lossy(&output.stderr))),
        expected
    );
}

#[test]
fn visit_terminal_ladder_keeps_stdout_and_names_every_column() {
    let plain = walkthrough(&["visit", "http://baidu.com/"]);
    let drawn = walkthrough(&["visit", "http://baidu.com/", "--ladder"]);
    assert!(drawn.status.success(), "{drawn:?}");
    assert_eq!(
        masked(&String::from_utf8_lossy(&plain.stdout)),
        masked(&String::from_utf8_lossy(&drawn.stdout))
    );
    let stderr = String::from_utf8_lossy(&drawn.stderr);
    assert!(
        stderr.contains("[1 ARP simulated: 192.168.1.1 is at 02:00:00:00:01:01]"),
        "{stderr}"
    );
    // Five columns do not fit their names in 80: letters, and a legend.
    for letter in ["A = host", "B = 127.0.0.1:", "E = 127.0.0.1:"] {
        assert!(stderr.contains(letter), "{letter}: {stderr}");
    }
    assert!(stderr.lines().all(|line| line.len() <= 80), "{stderr}");
}

#[test]
fn mermaid_without_ladder_is_a_usage_error() {
    let output = walkthrough(&[
        "dns",
        "resolve",
        "baidu.com",
        "--server",
        "127.0.0.1:9",
        "--mermaid",
    ]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--ladder"));
    let output = walkthrough(&["visit", "http://baidu.com/", "--mermaid"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("--ladder"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_query_lost_once_is_sent_again_and_marked_retransmitted() {
    // A server that "loses" the first query (reads it, answers nothing) and answers the
    // copy the resolver sends after waiting a third of its timeout.
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let server = socket.local_addr().unwrap().to_string();
    let responder = std::thread::spawn(move || {
        let mut buffer = [0u8; 512];
        socket.recv_from(&mut buffer).unwrap();
        serve(
            &socket,
            &Zone::walkthrough("198.51.100.10".parse().unwrap()),
            Some(1),
        )
    });
    let output = walkthrough(&[
        "dns",
        "resolve",
        "baidu.com",
        "--server",
        &server,
        "--id",
        "3",
        "--timeout",
        "3",
        "--ladder",
    ]);
    responder.join().unwrap().unwrap();
    assert!(output.status.success(), "{output:?}");
    let expected = concat!(
        "    time  127.0.0.1:#####                                       127.0.0.1:#####\n",
        "                 |                                                     |\n",
        "  #.###s         |----------- query A baidu.com id=0x0003 ------------>|\n",
        "  #.###s         |- query A baidu.com id=0x... (retry after timeout) ->|\n",
        "  #.###s         |<--------- answer A baidu.com 198.51.100.10 ---------|\n",
    );
    assert_eq!(masked(&String::from_utf8_lossy(&output.stderr)), expected);
}
