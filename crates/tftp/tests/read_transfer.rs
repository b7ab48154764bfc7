//! Exercise 4.5: the read transfer (the server sending a file) with timeouts and
//! retransmission, `tftp::transfer::send_blocks`. Each test drives the server by hand.

mod common;

use std::time::{Duration, Instant};

use common::{RawClient, Scratch, TestServer, content, quick_config, rrq};
use tftp::packet::{ErrorCode, Mode, Packet};

fn server_with(file_len: usize, timeout_ms: u64, retries: u32) -> (Scratch, TestServer) {
    let root = Scratch::new("exercise45");
    root.write("f.bin", &content(file_len, 45));
    let mut config = quick_config(&root.path);
    config.timeout = Duration::from_millis(timeout_ms);
    config.retries = retries;
    let server = TestServer::start(config);
    (root, server)
}

#[test]
fn exercise_4_5_unacknowledged_data_is_sent_again_after_the_timeout() {
    let (_root, server) = server_with(1000, 200, 5);
    let mut raw = RawClient::new();
    raw.request(rrq("f.bin", Mode::Octet, &[]), server.addr);
    let (first, tid) = raw.receive();
    let sent = Instant::now();
    let (again, from) = raw.receive();
    assert_eq!(from, tid);
    assert_eq!(first, again, "the same DATA 1, sent again");
    assert!(
        sent.elapsed() >= Duration::from_millis(100),
        "not before the timeout"
    );
    raw.send_ack(1, tid);
    assert_eq!(raw.expect_data().0, 2);
    raw.send_ack(2, tid);
}

#[test]
fn exercise_4_5_gives_up_after_the_retries_with_an_error() {
    let (_root, server) = server_with(1000, 50, 2);
    let mut raw = RawClient::new();
    raw.request(rrq("f.bin", Mode::Octet, &[]), server.addr);
    let mut data_packets = 0;
    loop {
        let (bytes, _) = raw.receive();
        match Packet::parse(&bytes).unwrap() {
            Packet::Data(_) => data_packets += 1,
            Packet::Error(error) => {
                assert_eq!(error.code, ErrorCode::NotDefined);
                assert!(error.message.contains("timed out"), "{}", error.message);
                break;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(data_packets, 3, "the first send and two retries");
    assert_eq!(server.stop().failed, 1);
}

#[test]
fn exercise_4_5_a_window_is_sent_whole_and_resent_from_the_first_missing_block() {
    let (_root, server) = server_with(10 * 64 + 5, 5000, 5);
    let mut raw = RawClient::new();
    raw.request(
        rrq(
            "f.bin",
            Mode::Octet,
            &[("blksize", "64"), ("windowsize", "4")],
        ),
        server.addr,
    );
    let (bytes, tid) = raw.receive();
    assert!(matches!(Packet::parse(&bytes).unwrap(), Packet::Oack(_)));
    raw.send_ack(0, tid);
    let window: Vec<u16> = (0..4).map(|_| raw.expect_data().0).collect();
    assert_eq!(window, [1, 2, 3, 4]);
    // We "missed" block 3: ACK 2 asks for everything from 3 again.
    raw.send_ack(2, tid);
    let window: Vec<u16> = (0..4).map(|_| raw.expect_data().0).collect();
    assert_eq!(window, [3, 4, 5, 6]);
    // The same ACK again is a duplicate: nothing more is sent.
    raw.send_ack(2, tid);
    assert!(raw.receive_within(Duration::from_millis(300)).is_none());
    raw.send_ack(6, tid);
    let window: Vec<u16> = (0..4).map(|_| raw.expect_data().0).collect();
    assert_eq!(window, [7, 8, 9, 10]);
    raw.send_ack(10, tid);
    assert_eq!(raw.expect_data().0, 11, "the short last block");
    raw.send_ack(11, tid);
}

#[test]
fn exercise_4_5_duplicate_acks_cause_no_extra_data() {
    let (_root, server) = server_with(1500, 5000, 5);
    let mut raw = RawClient::new();
    raw.request(rrq("f.bin", Mode::Octet, &[]), server.addr);
    let (block, _, tid) = raw.expect_data();
    assert_eq!(block, 1);
    for _ in 0..3 {
        raw.send_ack(1, tid);
    }
    assert_eq!(raw.expect_data().0, 2);
    assert!(
        raw.receive_within(Duration::from_millis(300)).is_none(),
        "the Sorcerer's Apprentice: a duplicate ACK made the server send again"
    );
}
