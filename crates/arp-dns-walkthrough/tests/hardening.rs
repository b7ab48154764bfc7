//! Hostile peers and hostile input: DNS servers that trickle, lie or loop, and numbers
//! too big for a clock. Every server here is a small one written in the test, on
//! 127.0.0.1 port 0.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use arp_dns_walkthrough::arp::ArpHost;
use arp_dns_walkthrough::dns::{Message, Record, RecordData, RecordType};
use arp_dns_walkthrough::ethernet::MacAddr;
use predicates::prelude::*;

/// The binary, with a bound on how long it may run: a hang fails the test.
fn walkthrough() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_arp-dns-walkthrough"));
    command.timeout(testkit::DEADLINE);
    command
}

/// `dns resolve NAME --server ADDR --timeout 2 EXTRA...`
fn resolve(name: &str, server: SocketAddr, extra: &[&str]) -> assert_cmd::assert::Assert {
    walkthrough()
        .args(["dns", "resolve", name, "--server", &server.to_string()])
        .args(["--timeout", "2"])
        .args(extra)
        .assert()
}

/// The response to `query` carrying `answers`, with its ID and question.
fn response(query: &Message, answers: Vec<Record>) -> Message {
    let mut reply = query.clone();
    reply.header.response = true;
    reply.answers = answers;
    reply
}

fn a_record(name: &str, ip: Ipv4Addr) -> Record {
    Record {
        name: name.to_string(),
        record_type: RecordType::A,
        class: 1,
        ttl: 60,
        data: RecordData::A(ip),
    }
}

fn cname(name: &str, target: &str) -> Record {
    Record {
        name: name.to_string(),
        record_type: RecordType::Cname,
        class: 1,
        ttl: 60,
        data: RecordData::Cname(target.to_string()),
    }
}

/// A UDP DNS server: for each query, `answer` gives the datagrams to send back, in
/// order. It ends after 30 queries or when none comes for the deadline; the thread
/// returns the IDs of the queries it saw.
fn udp_server(
    answer: impl FnMut(&Message) -> Vec<Vec<u8>> + Send + 'static,
) -> (SocketAddr, JoinHandle<Vec<u16>>) {
    udp_server_for(30, answer)
}

/// [`udp_server`] that ends after `queries` queries.
fn udp_server_for(
    queries: usize,
    mut answer: impl FnMut(&Message) -> Vec<Vec<u8>> + Send + 'static,
) -> (SocketAddr, JoinHandle<Vec<u16>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(testkit::DEADLINE)).unwrap();
    let address = socket.local_addr().unwrap();
    let thread = thread::spawn(move || {
        let mut ids = Vec::new();
        let mut buffer = [0u8; 1500];
        for _ in 0..queries {
            let Ok((length, client)) = socket.recv_from(&mut buffer) else {
                break;
            };
            let query = Message::parse(&buffer[..length]).unwrap();
            ids.push(query.header.id);
            for datagram in answer(&query) {
                let _ = socket.send_to(&datagram, client);
            }
        }
        ids
    });
    (address, thread)
}

/// A TCP DNS server for one connection: reads the query, then lets `answer` write to
/// the connection.
fn tcp_server(
    answer: impl FnOnce(&Message, &mut std::net::TcpStream) + Send + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(testkit::DEADLINE)).unwrap();
        stream.set_write_timeout(Some(testkit::DEADLINE)).unwrap();
        let mut length = [0u8; 2];
        stream.read_exact(&mut length).unwrap();
        let mut query = vec![0u8; usize::from(u16::from_be_bytes(length))];
        stream.read_exact(&mut query).unwrap();
        answer(&Message::parse(&query).unwrap(), &mut stream);
    });
    address
}

/// Two-byte length, then the message: DNS over TCP.
fn framed(message: &Message) -> Vec<u8> {
    let bytes = message.to_bytes().unwrap();
    let mut out = (bytes.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(&bytes);
    out
}

// ---- point 8: one deadline for the whole exchange ----

#[test]
fn tcp_answer_trickled_one_byte_at_a_time_still_times_out() {
    let stop = Arc::new(AtomicBool::new(false));
    let stop_server = Arc::clone(&stop);
    let server = tcp_server(move |_, stream| {
        // Announce 65 535 bytes, then send one byte every 0.9 s: each read gets
        // something well within 2 s, so only a deadline for the whole read ends it.
        let _ = stream.write_all(&[0xff, 0xff]);
        for _ in 0..30 {
            if stop_server.load(Ordering::SeqCst) || stream.write_all(&[0]).is_err() {
                break;
            }
            thread::sleep(Duration::from_millis(900));
        }
    });
    resolve("x.test", server, &["--tcp"])
        .code(1)
        .stderr(predicate::str::contains("no answer from"));
    stop.store(true, Ordering::SeqCst);
}

// ---- point 9: only our answer is accepted ----

#[test]
fn tcp_answer_with_the_wrong_id_is_rejected() {
    let server = tcp_server(|query, stream| {
        let mut forged = response(query, vec![a_record("x.test", Ipv4Addr::new(6, 6, 6, 6))]);
        forged.header.id = query.header.id.wrapping_add(1);
        let _ = stream.write_all(&framed(&forged));
    });
    resolve("x.test", server, &["--tcp"])
        .code(1)
        .stdout(predicate::str::contains("6.6.6.6").not())
        .stderr(predicate::str::contains("not our answer"))
        .stderr(predicate::str::contains("ID 0x"));
}

#[test]
fn tcp_answer_to_another_question_is_rejected() {
    let server = tcp_server(|query, stream| {
        let mut other = query.clone();
        other.questions[0].name = "other.test".into();
        let forged = response(
            &other,
            vec![a_record("other.test", Ipv4Addr::new(6, 6, 6, 6))],
        );
        let _ = stream.write_all(&framed(&forged));
    });
    resolve("x.test", server, &["--tcp"])
        .code(1)
        .stdout(predicate::str::contains("6.6.6.6").not())
        .stderr(predicate::str::contains("we asked"));
}

/// A UDP server that first sends `bogus` (made from the query), then the real answer
/// 1.2.3.4: the client must skip the first and take the second.
fn udp_bogus_then_real(bogus: fn(&Message) -> Message) -> SocketAddr {
    let (server, _) = udp_server(move |query| {
        let real = response(query, vec![a_record("x.test", Ipv4Addr::new(1, 2, 3, 4))]);
        vec![bogus(query).to_bytes().unwrap(), real.to_bytes().unwrap()]
    });
    server
}

#[test]
fn udp_answer_to_another_question_is_ignored() {
    let server = udp_bogus_then_real(|query| {
        let mut other = query.clone();
        other.questions[0].name = "other.test".into();
        response(
            &other,
            vec![a_record("other.test", Ipv4Addr::new(6, 6, 6, 6))],
        )
    });
    resolve("x.test", server, &[])
        .success()
        .stdout(predicate::str::contains("x.test has address 1.2.3.4"));
}

#[test]
fn udp_query_echoed_back_is_ignored() {
    // Our own query reflected (QR=0): same ID, same question, no answer.
    let server = udp_bogus_then_real(|query| query.clone());
    resolve("x.test", server, &[])
        .success()
        .stdout(predicate::str::contains("x.test has address 1.2.3.4"));
}

#[test]
fn udp_answer_with_the_wrong_id_is_ignored() {
    let server = udp_bogus_then_real(|query| {
        let mut forged = response(query, vec![a_record("x.test", Ipv4Addr::new(6, 6, 6, 6))]);
        forged.header.id = query.header.id.wrapping_add(1);
        forged
    });
    resolve("x.test", server, &[])
        .success()
        .stdout(predicate::str::contains("x.test has address 1.2.3.4"))
        .stdout(predicate::str::contains("6.6.6.6").not());
}

#[test]
fn udp_waits_until_the_deadline_when_only_wrong_answers_come() {
    let (server, _) = udp_server(|query| {
        let mut forged = response(query, vec![a_record("x.test", Ipv4Addr::new(6, 6, 6, 6))]);
        forged.header.id = query.header.id.wrapping_add(1);
        vec![query.to_bytes().unwrap(), forged.to_bytes().unwrap()]
    });
    resolve("x.test", server, &[])
        .code(1)
        .stderr(predicate::str::contains("no answer from"));
}

#[test]
fn query_ids_come_from_a_random_source_not_a_counter() {
    // a.test is an alias whose answer stops at the alias: two queries, two IDs.
    let (server, ids) = udp_server_for(2, |query| {
        let name = query.questions[0].name.clone();
        let answers = if name == "a.test" {
            vec![cname("a.test", "b.test")]
        } else {
            vec![a_record("b.test", Ipv4Addr::new(1, 2, 3, 4))]
        };
        vec![response(query, answers).to_bytes().unwrap()]
    });
    resolve("a.test", server, &[])
        .success()
        .stdout(predicate::str::contains("b.test has address 1.2.3.4"));
    let ids = ids.join().unwrap();
    assert_eq!(ids.len(), 2, "{ids:?}");
    // A counter gives the second query the first ID + 1; a random one does so once in
    // 65 536 runs.
    assert_ne!(ids[1], ids[0].wrapping_add(1), "{ids:?}");
}

// ---- point 10: CNAME loops and chains over the cap are errors ----

#[test]
fn cname_loop_is_an_error_that_names_the_loop() {
    let (server, _) = udp_server(|query| {
        let answers = vec![cname("a.test", "b.test"), cname("b.test", "a.test")];
        vec![response(query, answers).to_bytes().unwrap()]
    });
    resolve("a.test", server, &[])
        .code(1)
        .stdout(predicate::str::contains("NODATA").not())
        .stderr(predicate::str::contains(
            "CNAME loop: a.test -> b.test -> a.test",
        ));
}

#[test]
fn cname_chain_longer_than_the_cap_is_an_error() {
    // Every answer for nK.test is a chain of ten more aliases, nK -> nK+1 -> ... -> nK+10.
    let (server, _) = udp_server(|query| {
        let name = query.questions[0].name.clone();
        let first: u32 = name
            .trim_start_matches('n')
            .trim_end_matches(".test")
            .parse()
            .unwrap();
        let answers = (first..first + 10)
            .map(|k| cname(&format!("n{k}.test"), &format!("n{}.test", k + 1)))
            .collect();
        vec![response(query, answers).to_bytes().unwrap()]
    });
    resolve("n0.test", server, &[])
        .code(1)
        .stdout(predicate::str::contains("NODATA").not())
        .stderr(predicate::str::contains("more than 8 steps"));
}

// ---- point 11: durations and ticks bounded at the parser ----

#[test]
fn resolve_timeout_too_large_is_a_usage_error() {
    walkthrough()
        .args(["dns", "resolve", "x.test", "--server", "127.0.0.1:9"])
        .args(["--timeout", "1.8e19"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error:"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn visit_timeout_too_large_is_a_usage_error() {
    walkthrough()
        .args(["visit", "http://x.test/", "--timeout", "1.8e19"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("error:"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn arp_script_tick_too_large_is_an_error_not_an_overflow() {
    walkthrough()
        .args(["arp", "simulate", "-"])
        .write_stdin("host 10.0.0.1 02:00:00:00:00:01\ntick 3\ntick 18446744073709551615\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("script line 3"))
        .stderr(predicate::str::contains("at most 3600000 ms"))
        .stderr(predicate::str::contains("panicked").not());
}

#[test]
fn arp_clock_refuses_to_overflow() {
    let mut host = ArpHost::new(MacAddr([2, 0, 0, 0, 0, 1]), Ipv4Addr::new(10, 0, 0, 1));
    host.try_tick(3).unwrap();
    assert!(host.try_tick(u64::MAX).is_err());
    assert_eq!(host.now_ms(), 3, "a refused tick leaves the clock alone");
    // The plain tick stops at the end of time instead of wrapping round.
    host.tick(u64::MAX);
    assert_eq!(host.now_ms(), u64::MAX);
}

#[test]
fn arp_script_over_a_mebibyte_is_refused() {
    let mut script = String::from("host 10.0.0.1 02:00:00:00:00:01\n");
    while script.len() <= 1024 * 1024 {
        script.push_str("tick 1\n");
    }
    walkthrough()
        .args(["arp", "simulate", "-"])
        .write_stdin(script)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("longer than 1048576 bytes"));
}

#[test]
fn dns_parse_of_a_file_bigger_than_any_message_is_refused() {
    let scratch = testkit::Scratch::new("hardening-big");
    let file = scratch.write("big.bin", &[0u8; 70_000]);
    walkthrough()
        .args(["dns", "parse", "--file"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("longer than 65535 bytes"));
}

// ---- point 12: --pcap-dir creates at most its last directory ----

#[test]
fn pcap_dir_with_a_missing_parent_is_an_error_and_creates_nothing() {
    let base = testkit::Scratch::new("hardening-pcap-dir");
    let missing = base.join("missing");
    walkthrough()
        .args(["simulate", "--pcap-dir"])
        .arg(missing.join("x"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("does not exist"));
    assert!(!missing.exists(), "{} was created", missing.display());
    // The last directory alone is created.
    walkthrough()
        .args(["simulate", "--pcap-dir"])
        .arg(&missing)
        .assert()
        .success();
    assert!(missing.is_dir());
}
