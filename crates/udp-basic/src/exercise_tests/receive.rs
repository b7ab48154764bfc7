//! The tests of exercises 1.1 and 1.3, which grade the solutions in `receive.rs`.
//!
//! You never need to open or change this file: `cargo run -- check N.M` runs these tests
//! and shows their first failure. It is declared from `receive.rs` (`mod exercise_tests`), so
//! the tests can call its private functions too. A starter copy records this file's
//! SHA-256, and `cargo run -- grade` names it when it was changed.

use super::*;
use crate::{Trace, UdpError, bind, send};

fn loopback_pair() -> (UdpSocket, SocketAddr) {
    let receiver = bind("127.0.0.1:0".parse().unwrap(), None, Trace::default()).unwrap();
    receiver
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let address = receiver.local_addr().unwrap();
    (receiver, address)
}

#[test]
fn exercise_1_1_line_names_sender_size_and_text() {
    let datagram = Datagram {
        from: "127.0.0.1:53211".parse().unwrap(),
        bytes: "你好".as_bytes().to_vec(),
        length: 6,
    };
    let (line, had_errors) = describe_datagram(&datagram, TextEncoding::UTF_8);
    assert_eq!(line, "from 127.0.0.1:53211: 6 bytes: 你好");
    assert!(!had_errors);
}

#[test]
fn exercise_1_1_truncated_line_gives_both_sizes() {
    let datagram = Datagram {
        from: "127.0.0.1:53211".parse().unwrap(),
        bytes: b"abcd".to_vec(),
        length: 10,
    };
    let (line, _) = describe_datagram(&datagram, TextEncoding::UTF_8);
    assert_eq!(
        line,
        "from 127.0.0.1:53211: 10 bytes, truncated to 4 by the buffer (6 lost): abcd"
    );
}

#[test]
fn exercise_1_1_wrong_encoding_is_flagged() {
    let datagram = Datagram {
        from: "127.0.0.1:1".parse().unwrap(),
        bytes: vec![0xc4, 0xe3, 0xba, 0xc3],
        length: 4,
    };
    let (line, had_errors) = describe_datagram(&datagram, TextEncoding::UTF_8);
    assert!(had_errors);
    assert!(line.contains('\u{FFFD}'));
}

/// Runs `receive_loop` and returns what it printed and warned.
fn run_loop(receiver: &UdpSocket, options: &ReceiveOptions) -> (Vec<Datagram>, String, String) {
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    let got = receive_loop(receiver, options, Trace::default(), &mut out, &mut warnings).unwrap();
    (
        got,
        String::from_utf8(out).unwrap(),
        String::from_utf8(warnings).unwrap(),
    )
}

#[test]
fn exercise_1_3_loop_prints_one_line_per_datagram_then_stops() {
    let (receiver, address) = loopback_pair();
    send(address, b"one", Trace::default()).unwrap();
    send(address, b"two", Trace::default()).unwrap();
    let options = ReceiveOptions {
        count: 2,
        ..ReceiveOptions::default()
    };
    let (got, text, warnings) = run_loop(&receiver, &options);
    assert_eq!(got.len(), 2);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].ends_with(": 3 bytes: one"), "{text}");
    assert!(lines[1].ends_with(": 3 bytes: two"), "{text}");
    assert!(warnings.is_empty());
}

#[test]
fn exercise_1_3_truncated_datagram_reports_both_sizes() {
    let (receiver, address) = loopback_pair();
    send(address, &[b'a'; 1500], Trace::default()).unwrap();
    let (_, text, _) = run_loop(&receiver, &ReceiveOptions::default());
    assert!(
        text.contains("1500 bytes, truncated to 1024 by the buffer (476 lost)"),
        "{text}"
    );
}

#[test]
fn exercise_1_3_hex_and_warning_for_undecodable_bytes() {
    let (receiver, address) = loopback_pair();
    send(address, &[0xc4, 0xe3, 0xba, 0xc3], Trace::default()).unwrap();
    let options = ReceiveOptions {
        hex: true,
        ..ReceiveOptions::default()
    };
    let (_, text, warnings) = run_loop(&receiver, &options);
    assert!(text.contains("  hex: c4 e3 ba c3"), "{text}");
    assert!(warnings.starts_with("warning:"));
}

#[test]
fn exercise_1_3_timeout_is_an_error() {
    let (receiver, _address) = loopback_pair();
    let options = ReceiveOptions {
        timeout: Duration::from_millis(50),
        ..ReceiveOptions::default()
    };
    let error = receive_loop(
        &receiver,
        &options,
        Trace::default(),
        &mut Vec::new(),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(matches!(error, UdpError::Timeout { .. }), "{error}");
}
