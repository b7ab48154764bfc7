//! The tests of exercises 2.1, 2.2 and 2.3, which grade the solutions in `echo.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `echo.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;
use crate::bind::{BindOptions, bind_udp};
use std::net::Ipv4Addr;

fn loopback() -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, 0))
}

#[test]
fn exercise_2_1_shout_upper_cases_ascii_only() {
    assert_eq!(shout(b"hello, udp"), b"HELLO, UDP");
    // 你好 in UTF-8 (e4 bd a0 e5 a5 bd) passes through unchanged.
    assert_eq!(
        shout(&[0x68, 0x69, 0xe4, 0xbd, 0xa0, 0xe5, 0xa5, 0xbd]),
        [0x48, 0x49, 0xe4, 0xbd, 0xa0, 0xe5, 0xa5, 0xbd]
    );
    assert_eq!(shout(b""), b"");
}

#[test]
fn exercise_2_2_clients_are_numbered_by_address_and_port() {
    let a: SocketAddr = "127.0.0.1:40001".parse().unwrap();
    let b: SocketAddr = "127.0.0.1:40002".parse().unwrap();
    let mut clients = Clients::default();
    assert!(clients.is_empty());
    assert_eq!(clients.record(a), 1);
    assert_eq!(clients.record(b), 2);
    assert_eq!(clients.record(a), 1);
    assert_eq!(clients.len(), 2);
}

#[test]
fn exercise_2_3_echo_answers_each_client_at_its_own_address() {
    let server = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
    let server_address = server.local_addr().unwrap();
    let options = EchoOptions {
        count: Some(3),
        upper: false,
        timeout: Some(Duration::from_secs(10)),
    };
    let running = std::thread::spawn(move || {
        let mut log = Vec::new();
        let summary = serve_echo(&server, &options, &mut log, Trace::OFF).unwrap();
        (summary, String::from_utf8(log).unwrap())
    });
    let first = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
    let second = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
    let mut buffer = [0u8; 64];
    for (client, message) in [(&first, "one"), (&second, "two"), (&first, "three")] {
        send_to(client, message.as_bytes(), server_address, Trace::OFF).unwrap();
        let (length, from) = receive_from(
            client,
            &mut buffer,
            Some(Duration::from_secs(10)),
            Trace::OFF,
        )
        .unwrap();
        assert_eq!(&buffer[..length], message.as_bytes());
        assert_eq!(from, server_address);
    }
    let (summary, log) = running.join().unwrap();
    assert_eq!(
        summary,
        EchoSummary {
            datagrams: 3,
            clients: 2
        }
    );
    let first_port = first.local_addr().unwrap().port();
    assert_eq!(
        log.lines().next().unwrap(),
        format!("echoed 3 bytes to 127.0.0.1:{first_port} (client #1)")
    );
    assert!(
        log.lines().nth(2).unwrap().ends_with("(client #1)"),
        "{log}"
    );
}

#[test]
fn exercise_2_3_echo_with_upper_shouts_back() {
    let server = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
    let server_address = server.local_addr().unwrap();
    let options = EchoOptions {
        count: Some(1),
        upper: true,
        timeout: Some(Duration::from_secs(10)),
    };
    let running = std::thread::spawn(move || {
        serve_echo(&server, &options, &mut Vec::new(), Trace::OFF).unwrap()
    });
    let client = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
    send_to(&client, b"ping", server_address, Trace::OFF).unwrap();
    let mut buffer = [0u8; 64];
    let (length, _) = receive_from(
        &client,
        &mut buffer,
        Some(Duration::from_secs(10)),
        Trace::OFF,
    )
    .unwrap();
    assert_eq!(&buffer[..length], b"PING");
    assert_eq!(running.join().unwrap().datagrams, 1);
}

#[test]
fn exercise_2_3_echo_times_out_when_nobody_writes() {
    let server = bind_udp(loopback(), BindOptions::default(), Trace::OFF).unwrap();
    let options = EchoOptions {
        count: Some(1),
        upper: false,
        timeout: Some(Duration::from_millis(20)),
    };
    let error = serve_echo(&server, &options, &mut Vec::new(), Trace::OFF).unwrap_err();
    assert!(matches!(error, Error::Silence { .. }), "{error:?}");
}
