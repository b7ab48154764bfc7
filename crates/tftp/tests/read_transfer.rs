//! Exercise 4.5: the read transfer (the server sending a file) with timeouts and
//! retransmission, `tftp::transfer::send_blocks`. Each test drives the server by hand.

mod common;

use std::time::{Duration, Instant};

use common::{RawClient, Scratch, TestServer, content, describe, quick_config, rrq};
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
    let (first, tid) = raw.expect_block(1);
    let sent = Instant::now();
    // We send no ACK: once its timeout passes, the server must send DATA 1 again.
    let (again, from) = raw.expect_block(1);
    assert_eq!(
        from, tid,
        "DATA 1 again must come from the same transfer ID"
    );
    assert!(
        first == again,
        "DATA 1 sent again must carry the same bytes"
    );
    assert!(
        sent.elapsed() >= Duration::from_millis(100),
        "DATA 1 was sent again before its timeout (200 ms)"
    );
    raw.send_ack(1, tid);
    raw.expect_block(2);
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
        match Packet::parse(&bytes) {
            Ok(Packet::Data(data)) if data.block == 1 => data_packets += 1,
            Ok(Packet::Error(error)) => {
                assert_eq!(
                    error.code,
                    ErrorCode::NotDefined,
                    "giving up must send ERROR 0, not {}",
                    describe(&bytes)
                );
                assert!(
                    error.message.contains("timed out"),
                    "the ERROR 0 sent on giving up must say \"timed out\": {:?}",
                    error.message
                );
                break;
            }
            _ => panic!(
                "expected DATA 1 again or ERROR 0 while no ACK comes, got {}",
                describe(&bytes)
            ),
        }
    }
    assert_eq!(
        data_packets, 3,
        "DATA 1 must go out 3 times before the ERROR: the first send and 2 retries"
    );
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
    assert!(
        matches!(Packet::parse(&bytes), Ok(Packet::Oack(_))),
        "expected OACK after an RRQ with options, got {}",
        describe(&bytes)
    );
    raw.send_ack(0, tid);
    let window: Vec<u16> = (0..4).map(|_| raw.expect_data().0).collect();
    assert_eq!(window, [1, 2, 3, 4]);
    // We "missed" block 3: ACK 2 asks for everything from 3 again.
    raw.send_ack(2, tid);
    let window: Vec<u16> = (0..4).map(|_| raw.expect_data().0).collect();
    assert_eq!(window, [3, 4, 5, 6]);
    // The same ACK again is a duplicate: nothing more is sent.
    raw.send_ack(2, tid);
    if let Some((bytes, _)) = raw.receive_within(Duration::from_millis(300)) {
        panic!(
            "a repeated ACK 2 must be ignored, but the server answered {}",
            describe(&bytes)
        );
    }
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
    let (_, tid) = raw.expect_block(1);
    for _ in 0..3 {
        raw.send_ack(1, tid);
    }
    raw.expect_block(2);
    if let Some((bytes, _)) = raw.receive_within(Duration::from_millis(300)) {
        panic!(
            "the Sorcerer's Apprentice: a duplicate ACK 1 made the server send {} again",
            describe(&bytes)
        );
    }
}
