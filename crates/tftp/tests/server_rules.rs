//! The server's rules, checked packet by packet with a hand-driven UDP socket, and whole
//! transfers with the library client. Everything runs in-process on 127.0.0.1, port 0.

mod common;

use std::time::Duration;

use common::{RawClient, Scratch, TestServer, content, quick_client, quick_config, rrq, wrq};
use tftp::client::{self, ClientConfig};
use tftp::packet::{ErrorCode, Mode, Packet, TftpOption};
use tftp::transfer::TransferError;

/// Downloads by hand in lock-step and returns the payload sizes of every DATA.
fn raw_download(server: std::net::SocketAddr, name: &str, options: &[(&str, &str)]) -> Vec<usize> {
    let mut raw = RawClient::new();
    raw.request(rrq(name, Mode::Octet, options), server);
    let mut sizes = Vec::new();
    let mut blksize = 512;
    loop {
        let (bytes, from) = raw.receive();
        match Packet::parse(&bytes).unwrap() {
            Packet::Oack(oack) => {
                for option in &oack.options {
                    if option.is("blksize") {
                        blksize = option.value.parse().unwrap();
                    }
                }
                raw.send_ack(0, from);
            }
            Packet::Data(data) => {
                sizes.push(data.payload.len());
                raw.send_ack(data.block, from);
                if data.payload.len() < blksize {
                    return sizes;
                }
            }
            other => panic!("unexpected {other}"),
        }
    }
}

#[test]
fn rrq_for_missing_file_gets_error_1() {
    let root = Scratch::new("missing");
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(rrq("nope.txt", Mode::Octet, &[]), server.addr);
    raw.expect_error(ErrorCode::FileNotFound);
}

#[test]
fn traversal_attempts_are_refused_with_error_2() {
    let outer = Scratch::new("traversal");
    let root = outer.join("root");
    std::fs::create_dir(&root).unwrap();
    outer.write("secret.txt", b"secret");
    let server = TestServer::start(quick_config(&root));
    for name in ["../secret.txt", "a/../../secret.txt", "..", "sub/../x"] {
        let mut raw = RawClient::new();
        raw.request(rrq(name, Mode::Octet, &[]), server.addr);
        raw.expect_error(ErrorCode::AccessViolation);
    }
}

#[test]
fn leading_slash_is_relative_to_the_root() {
    let root = Scratch::new("slash");
    root.write("etc/passwd", b"not the real one");
    let server = TestServer::start(quick_config(&root.path));
    let mut out = Vec::new();
    client::get_into(server.addr, "/etc/passwd", &mut out, &quick_client()).unwrap();
    assert_eq!(out, b"not the real one");
}

#[test]
fn absolute_path_outside_the_root_is_not_served() {
    let root = Scratch::new("etcpasswd");
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(rrq("/etc/passwd", Mode::Octet, &[]), server.addr);
    raw.expect_error(ErrorCode::FileNotFound);
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_root_gets_error_2_whether_or_not_its_target_exists() {
    let outer = Scratch::new("symlink");
    let root = outer.join("root");
    std::fs::create_dir(&root).unwrap();
    outer.write("secret.txt", b"secret");
    std::os::unix::fs::symlink(outer.join("secret.txt"), root.join("leak")).unwrap();
    std::os::unix::fs::symlink(outer.join("absent.txt"), root.join("dangling")).unwrap();
    std::os::unix::fs::symlink(&outer.path, root.join("updir")).unwrap();
    std::fs::write(root.join("inside.txt"), b"inside").unwrap();
    std::os::unix::fs::symlink(root.join("inside.txt"), root.join("alias")).unwrap();
    let mut config = quick_config(&root);
    config.allow_write = true;
    let server = TestServer::start(config);
    for name in ["leak", "dangling", "updir/secret.txt", "updir/absent.txt"] {
        let mut raw = RawClient::new();
        raw.request(rrq(name, Mode::Octet, &[]), server.addr);
        let message = raw.expect_error(ErrorCode::AccessViolation);
        assert!(!message.contains("secret"), "{message}");
    }
    // Nor can an upload go out through a link.
    let mut raw = RawClient::new();
    raw.request(wrq("updir/planted.txt", Mode::Octet, &[]), server.addr);
    raw.expect_error(ErrorCode::AccessViolation);
    assert!(!outer.join("planted.txt").exists());
    // A link that stays inside the root is fine.
    let mut out = Vec::new();
    client::get_into(server.addr, "alias", &mut out, &quick_client()).unwrap();
    assert_eq!(out, b"inside");
}

#[test]
fn a_directory_gets_a_clean_error_2() {
    let root = Scratch::new("dir");
    std::fs::create_dir(root.join("sub")).unwrap();
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(rrq("sub", Mode::Octet, &[]), server.addr);
    let message = raw.expect_error(ErrorCode::AccessViolation);
    assert!(message.contains("directory"), "{message}");
}

#[cfg(unix)]
#[test]
fn a_device_inside_the_root_gets_error_2() {
    if !testkit::require_root("a_device_inside_the_root_gets_error_2") {
        return;
    }
    let root = Scratch::new("device");
    // A character device (like /dev/null, 1:3) inside the root: not a regular file.
    let status = std::process::Command::new("mknod")
        .arg(root.join("null"))
        .args(["c", "1", "3"])
        .status()
        .unwrap();
    assert!(status.success());
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(rrq("null", Mode::Octet, &[]), server.addr);
    let message = raw.expect_error(ErrorCode::AccessViolation);
    assert!(message.contains("not a regular file"), "{message}");
}

#[test]
fn mail_mode_is_refused_with_error_4() {
    let root = Scratch::new("mail");
    root.write("a.txt", b"a");
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(rrq("a.txt", Mode::Mail, &[]), server.addr);
    raw.expect_error(ErrorCode::IllegalOperation);
}

#[test]
fn wrq_without_allow_write_gets_error_2() {
    let root = Scratch::new("readonly");
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(wrq("up.txt", Mode::Octet, &[]), server.addr);
    let message = raw.expect_error(ErrorCode::AccessViolation);
    assert!(message.contains("--allow-write"), "{message}");
    assert!(root.names().is_empty());
}

#[test]
fn wrq_for_an_existing_file_gets_error_6() {
    let root = Scratch::new("exists");
    root.write("there.txt", b"old");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let server = TestServer::start(config);
    let error = client::put_from(
        server.addr,
        &mut &b"new"[..],
        None,
        "there.txt",
        &quick_client(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, TransferError::Peer(packet) if packet.code == ErrorCode::FileExists),
        "{error}"
    );
    assert_eq!(std::fs::read(root.join("there.txt")).unwrap(), b"old");
}

#[test]
fn overwrite_replaces_an_existing_file() {
    let root = Scratch::new("overwrite");
    root.write("there.txt", b"old");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    config.overwrite = true;
    let server = TestServer::start(config);
    client::put_from(
        server.addr,
        &mut &b"new"[..],
        None,
        "there.txt",
        &quick_client(),
    )
    .unwrap();
    server.stop();
    assert_eq!(std::fs::read(root.join("there.txt")).unwrap(), b"new");
    assert_eq!(root.names(), ["there.txt"]);
}

#[test]
fn an_aborted_upload_leaves_neither_the_file_nor_a_temporary() {
    let root = Scratch::new("aborted");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let server = TestServer::start(config);
    let mut raw = RawClient::new();
    raw.request(wrq("half.bin", Mode::Octet, &[]), server.addr);
    let tid = raw.expect_ack(0);
    let block = vec![7u8; 512];
    raw.send_data(1, &block, tid);
    raw.expect_ack(1);
    assert_eq!(root.names().len(), 1, "a temporary file while it runs");
    raw.send(
        &Packet::Error(tftp::packet::ErrorPacket::new(
            ErrorCode::NotDefined,
            "user cancelled",
        )),
        tid,
    );
    let report = server.stop();
    assert_eq!(report.failed, 1);
    assert!(root.names().is_empty(), "left behind: {:?}", root.names());
}

#[test]
fn an_upload_appears_under_its_name_only_when_complete() {
    let root = Scratch::new("complete");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let server = TestServer::start(config);
    let bytes = content(5000, 1);
    client::put_from(
        server.addr,
        &mut &bytes[..],
        Some(5000),
        "up.bin",
        &quick_client(),
    )
    .unwrap();
    server.stop();
    assert_eq!(std::fs::read(root.join("up.bin")).unwrap(), bytes);
    assert_eq!(root.names(), ["up.bin"]);
}

#[test]
fn the_last_ack_comes_only_after_the_upload_has_its_name() {
    let root = Scratch::new("named-before-ack");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let server = TestServer::start(config);
    let mut raw = RawClient::new();
    raw.request(wrq("final.txt", Mode::Octet, &[]), server.addr);
    let tid = raw.expect_ack(0);
    raw.send_data(1, b"done", tid);
    raw.expect_ack(1);
    // No waiting for the server: holding ACK 1 means the file is already there.
    assert_eq!(std::fs::read(root.join("final.txt")).unwrap(), b"done");
    server.stop();
    assert_eq!(root.names(), ["final.txt"]);
}

#[test]
fn a_name_taken_during_the_upload_gets_error_6_and_the_other_file_survives() {
    let root = Scratch::new("name-taken");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let server = TestServer::start(config);
    let mut raw = RawClient::new();
    raw.request(wrq("race.txt", Mode::Octet, &[]), server.addr);
    let tid = raw.expect_ack(0);
    // Someone else creates the name while our upload runs (no --overwrite).
    root.write("race.txt", b"theirs");
    raw.send_data(1, b"ours", tid);
    // ERROR 6 instead of the last ACK.
    raw.expect_error(ErrorCode::FileExists);
    let report = server.stop();
    assert_eq!(report.failed, 1);
    assert_eq!(std::fs::read(root.join("race.txt")).unwrap(), b"theirs");
    assert_eq!(root.names(), ["race.txt"], "no temporary left behind");
}

#[test]
fn exact_multiple_of_blksize_ends_with_an_empty_data() {
    let root = Scratch::new("multiple");
    root.write("two.bin", &content(1024, 2));
    let server = TestServer::start(quick_config(&root.path));
    assert_eq!(raw_download(server.addr, "two.bin", &[]), [512, 512, 0]);
}

#[test]
fn an_empty_file_is_one_empty_data() {
    let root = Scratch::new("empty");
    root.write("empty", b"");
    let server = TestServer::start(quick_config(&root.path));
    assert_eq!(raw_download(server.addr, "empty", &[]), [0]);
}

#[test]
fn duplicate_acks_cause_no_extra_data() {
    let root = Scratch::new("sas");
    root.write("three.bin", &content(1500, 3));
    let mut config = quick_config(&root.path);
    config.timeout = Duration::from_secs(5); // no retransmission during the test
    let server = TestServer::start(config);
    let mut raw = RawClient::new();
    raw.request(rrq("three.bin", Mode::Octet, &[]), server.addr);
    let (block, _, tid) = raw.expect_data();
    assert_eq!(block, 1);
    // The Sorcerer's Apprentice: ACK 1 three times.
    for _ in 0..3 {
        raw.send_ack(1, tid);
    }
    assert_eq!(raw.expect_data().0, 2);
    assert!(
        raw.receive_within(Duration::from_millis(300)).is_none(),
        "a duplicate ACK made the server send again"
    );
    raw.send_ack(2, tid);
    let (block, payload, _) = raw.expect_data();
    assert_eq!((block, payload), (3, content(1500, 3)[1024..].to_vec()));
    raw.send_ack(3, tid);
}

#[test]
fn a_packet_from_a_wrong_tid_gets_error_5_and_the_transfer_completes() {
    let root = Scratch::new("tid");
    root.write("f.bin", &content(700, 4));
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(rrq("f.bin", Mode::Octet, &[]), server.addr);
    let (block, _, tid) = raw.expect_data();
    assert_eq!(block, 1);
    let mut stranger = RawClient::new();
    stranger.send_ack(1, tid);
    stranger.expect_error(ErrorCode::UnknownTransferId);
    raw.send_ack(1, tid);
    let (block, payload, from) = raw.expect_data();
    assert_eq!(from, tid);
    assert_eq!((block, payload), (2, content(700, 4)[512..].to_vec()));
    raw.send_ack(2, tid);
}

#[test]
fn malformed_requests_get_error_4_and_the_server_goes_on() {
    let root = Scratch::new("malformed");
    root.write("ok.txt", b"ok");
    let server = TestServer::start(quick_config(&root.path));
    let cases: &[&[u8]] = &[
        b"\x00",                              // too short
        b"\x00\x09\x00\x01",                  // unknown opcode
        b"\x00\x01name-without-nul",          // missing NUL
        b"\x00\x01f\x00octet\x00blksize\x00", // option without value
        b"\x00\x01\xff\xfe\x00octet\x00",     // not UTF-8
        b"\x00\x01f\x00binary\x00",           // unknown mode
    ];
    for bytes in cases {
        let mut raw = RawClient::new();
        raw.send_bytes(bytes, server.addr);
        raw.expect_error(ErrorCode::IllegalOperation);
    }
    // DATA or ACK to the request port belong to no transfer: ERROR 5.
    let mut raw = RawClient::new();
    raw.send_ack(1, server.addr);
    raw.expect_error(ErrorCode::UnknownTransferId);
    // An ERROR is never answered.
    raw.send(
        &Packet::Error(tftp::packet::ErrorPacket::new(ErrorCode::NotDefined, "x")),
        server.addr,
    );
    assert!(raw.receive_within(Duration::from_millis(200)).is_none());
    let mut out = Vec::new();
    client::get_into(server.addr, "ok.txt", &mut out, &quick_client()).unwrap();
    assert_eq!(out, b"ok");
}

#[test]
fn malformed_packet_during_a_transfer_gets_error_4() {
    let root = Scratch::new("midway");
    root.write("f.bin", &content(600, 5));
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(rrq("f.bin", Mode::Octet, &[]), server.addr);
    let (_, tid) = raw.receive();
    raw.send_bytes(b"\x00\x04\x00", tid);
    raw.expect_error(ErrorCode::IllegalOperation);
    assert_eq!(server.stop().failed, 1);
}

#[test]
fn options_are_negotiated_and_clamped_in_the_oack() {
    let root = Scratch::new("oack");
    root.write("f.bin", &content(3000, 6));
    let mut config = quick_config(&root.path);
    config.max_blksize = 1024;
    config.max_windowsize = 4;
    let server = TestServer::start(config);
    let mut raw = RawClient::new();
    raw.request(
        rrq(
            "f.bin",
            Mode::Octet,
            &[
                ("BLKSIZE", "65464"),
                ("tsize", "0"),
                ("windowsize", "16"),
                ("colour", "blue"),
            ],
        ),
        server.addr,
    );
    let (bytes, _) = raw.receive();
    let Packet::Oack(oack) = Packet::parse(&bytes).unwrap() else {
        panic!("expected OACK");
    };
    assert_eq!(
        oack.options,
        vec![
            TftpOption::new("blksize", 1024),
            TftpOption::new("tsize", 3000),
            TftpOption::new("windowsize", 4),
        ]
    );
}

#[test]
fn only_unknown_options_mean_no_oack() {
    let root = Scratch::new("nooack");
    root.write("f.txt", b"plain");
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(
        rrq("f.txt", Mode::Octet, &[("colour", "blue")]),
        server.addr,
    );
    let (block, payload, _) = raw.expect_data();
    assert_eq!((block, payload), (1, b"plain".to_vec()));
}

#[test]
fn client_negotiates_blksize_windowsize_and_tsize() {
    let root = Scratch::new("negotiate");
    let bytes = content(20_000, 7);
    root.write("f.bin", &bytes);
    let mut config = quick_config(&root.path);
    config.max_windowsize = 4;
    let server = TestServer::start(config);
    let client_config = ClientConfig {
        blksize: Some(1468),
        windowsize: Some(8),
        tsize: true,
        ..quick_client()
    };
    let mut out = Vec::new();
    let outcome = client::get_into(server.addr, "f.bin", &mut out, &client_config).unwrap();
    assert_eq!(out, bytes);
    assert!(outcome.options_accepted);
    assert_eq!(outcome.settings.blksize, 1468);
    assert_eq!(outcome.settings.windowsize, 4, "clamped by the server");
    assert_eq!(outcome.tsize, Some(20_000));
}

#[test]
fn upload_with_windowsize_and_large_blocks() {
    let root = Scratch::new("putwindow");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let server = TestServer::start(config);
    let bytes = content(300_000, 8);
    let client_config = ClientConfig {
        blksize: Some(8192),
        windowsize: Some(8),
        tsize: true,
        ..quick_client()
    };
    let outcome = client::put_from(
        server.addr,
        &mut &bytes[..],
        Some(300_000),
        "w.bin",
        &client_config,
    )
    .unwrap();
    assert_eq!(outcome.settings.windowsize, 8);
    server.stop();
    assert_eq!(std::fs::read(root.join("w.bin")).unwrap(), bytes);
}

#[test]
fn an_upload_announcing_too_many_bytes_gets_error_3() {
    let root = Scratch::new("toobig");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    config.max_upload = Some(1000);
    let server = TestServer::start(config);
    let bytes = content(1001, 9);
    let client_config = ClientConfig {
        tsize: true,
        ..quick_client()
    };
    let error = client::put_from(
        server.addr,
        &mut &bytes[..],
        Some(1001),
        "big",
        &client_config,
    )
    .unwrap_err();
    assert!(
        matches!(&error, TransferError::Peer(packet) if packet.code == ErrorCode::DiskFull),
        "{error}"
    );
    assert!(root.names().is_empty());
}

#[test]
fn block_numbers_roll_over_past_65535_both_ways() {
    let root = Scratch::new("rollover");
    // 65536 + 100 blocks of 8 bytes, plus a short one.
    let bytes = content(8 * (65536 + 100) + 3, 10);
    root.write("big.bin", &bytes);
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let server = TestServer::start(config);
    let client_config = ClientConfig {
        blksize: Some(8),
        windowsize: Some(64),
        ..quick_client()
    };
    let mut out = Vec::new();
    client::get_into(server.addr, "big.bin", &mut out, &client_config).unwrap();
    assert!(out == bytes, "download differs");
    client::put_from(
        server.addr,
        &mut &bytes[..],
        None,
        "back.bin",
        &client_config,
    )
    .unwrap();
    server.stop();
    assert!(
        std::fs::read(root.join("back.bin")).unwrap() == bytes,
        "upload differs"
    );
}

#[test]
fn netascii_round_trip_across_block_edges() {
    let root = Scratch::new("netascii");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let server = TestServer::start(config);
    // CR, LF and CR LF placed to straddle 8-byte block edges on the wire.
    let text = b"1234567\n123456\r\nab\rcdefg\r\r\n\n\nlast\r".to_vec();
    let client_config = ClientConfig {
        mode: Mode::Netascii,
        blksize: Some(8),
        ..quick_client()
    };
    client::put_from(server.addr, &mut &text[..], None, "t.txt", &client_config).unwrap();
    let mut out = Vec::new();
    client::get_into(server.addr, "t.txt", &mut out, &client_config).unwrap();
    server.stop();
    assert_eq!(std::fs::read(root.join("t.txt")).unwrap(), text);
    assert_eq!(out, text);
}

#[test]
fn netascii_on_the_wire_uses_cr_lf_and_cr_nul() {
    let root = Scratch::new("wire");
    root.write("t.txt", b"a\nb\rc");
    let server = TestServer::start(quick_config(&root.path));
    let mut raw = RawClient::new();
    raw.request(rrq("t.txt", Mode::Netascii, &[]), server.addr);
    let (block, payload, tid) = raw.expect_data();
    assert_eq!((block, payload), (1, b"a\r\nb\r\0c".to_vec()));
    raw.send_ack(1, tid);
}

#[test]
fn a_stalled_transfer_does_not_block_another() {
    let root = Scratch::new("parallel");
    root.write("f.bin", &content(2000, 11));
    let mut config = quick_config(&root.path);
    config.timeout = Duration::from_secs(5);
    let server = TestServer::start(config);
    let mut stalled = RawClient::new();
    stalled.request(rrq("f.bin", Mode::Octet, &[]), server.addr);
    let _ = stalled.receive(); // DATA 1, never acknowledged
    let mut out = Vec::new();
    client::get_into(server.addr, "f.bin", &mut out, &quick_client()).unwrap();
    assert_eq!(out, content(2000, 11));
}

#[test]
fn a_repeated_request_does_not_start_a_second_transfer() {
    let root = Scratch::new("repeat");
    root.write("f.txt", b"once");
    let mut config = quick_config(&root.path);
    config.timeout = Duration::from_secs(5);
    let server = TestServer::start(config);
    let mut raw = RawClient::new();
    raw.request(rrq("f.txt", Mode::Octet, &[]), server.addr);
    raw.request(rrq("f.txt", Mode::Octet, &[]), server.addr);
    let (block, _, tid) = raw.expect_data();
    assert_eq!(block, 1);
    raw.send_ack(1, tid);
    assert!(raw.receive_within(Duration::from_millis(300)).is_none());
}

#[test]
fn ipv6_loopback_works_both_ways() {
    let root = Scratch::new("ipv6");
    root.write("six.txt", b"over ipv6");
    let socket = match std::net::UdpSocket::bind("[::1]:0") {
        Ok(socket) => socket,
        Err(_) => {
            testkit::announce("SKIP: ipv6_loopback_works_both_ways needs ::1");
            return;
        }
    };
    let addr = socket.local_addr().unwrap();
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&stop);
    let server = std::thread::spawn(move || tftp::server::serve(socket, config, flag).unwrap());
    let mut out = Vec::new();
    client::get_into(addr, "six.txt", &mut out, &quick_client()).unwrap();
    assert_eq!(out, b"over ipv6");
    client::put_from(addr, &mut &b"back"[..], None, "back.txt", &quick_client()).unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    server.join().unwrap();
    assert_eq!(std::fs::read(root.join("back.txt")).unwrap(), b"back");
}

#[test]
fn a_client_that_vanishes_mid_upload_leaves_nothing_behind() {
    let root = Scratch::new("vanish");
    let mut config = quick_config(&root.path);
    config.allow_write = true;
    config.timeout = Duration::from_millis(50);
    config.retries = 2;
    let server = TestServer::start(config);
    let mut raw = RawClient::new();
    raw.request(wrq("gone.bin", Mode::Octet, &[]), server.addr);
    let (_, tid) = raw.receive();
    let block = vec![1u8; 512];
    raw.send_data(1, &block, tid);
    // Then silence: the server ACKs again on each timeout, gives up, and cleans up.
    loop {
        let (bytes, _) = raw.receive();
        if let Packet::Error(error) = Packet::parse(&bytes).unwrap() {
            assert!(error.message.contains("timed out"), "{}", error.message);
            break;
        }
    }
    assert_eq!(server.stop().failed, 1);
    assert!(root.names().is_empty(), "left behind: {:?}", root.names());
}
