//! Black-box tests of the `udp-basic` binary: real datagrams on loopback.

use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use predicates::prelude::*;
use testkit::Running;

fn udp_basic() -> Command {
    Command::new(cargo_bin("udp-basic"))
}

/// A receiver on 127.0.0.1 port 0, ready to receive.
fn receiver(extra: &[&str]) -> Running {
    let mut command = udp_basic();
    command.args(["recv", "--bind", "127.0.0.1:0"]).args(extra);
    if !extra.contains(&"--timeout") {
        command.args(["--timeout", "10"]);
    }
    Running::server(command)
}

fn send(address: &str, message: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    assert_cmd::Command::new(cargo_bin("udp-basic"))
        .args(["send", address, message])
        .args(extra)
        .assert()
}

fn round_trip(encoding: &str, text: &str) {
    let server = receiver(&["--encoding", encoding]);
    let address = server.addr().to_string();
    send(&address, text, &["--encoding", encoding])
        .success()
        .stdout(predicate::str::contains(format!(
            "to {address} from 0.0.0.0:"
        )));
    let finished = server.finish();
    assert!(finished.status.success(), "{finished:?}");
    assert!(
        finished.stdout_text().contains(&format!(": {text}")),
        "{finished:?}"
    );
}

#[test]
fn utf8_round_trip() {
    round_trip("utf-8", "你好, UDP");
}

#[test]
fn gbk_round_trip() {
    round_trip("gbk", "你好");
}

#[test]
fn gb18030_round_trip_covers_emoji() {
    round_trip("gb18030", "你好 😀");
}

#[test]
fn text_gbk_cannot_encode_exits_2_naming_the_character() {
    send("127.0.0.1:9", "hi 😀", &["--encoding", "gbk"])
        .code(2)
        .stderr(predicate::str::starts_with("error: GBK cannot encode '😀'"));
}

#[test]
fn gb2312_sends_the_same_bytes_as_gbk() {
    send("127.0.0.1:9", "你好", &["--encoding", "gb2312", "--hex"])
        .success()
        .stdout(predicate::str::contains("  hex: c4 e3 ba c3"));
}

#[test]
fn hex_shows_utf8_bytes_on_both_sides() {
    let server = receiver(&["--hex"]);
    send(&server.addr().to_string(), "你好", &["--hex"])
        .success()
        .stdout(predicate::str::contains("  hex: e4 bd a0 e5 a5 bd"));
    let finished = server.finish();
    assert!(finished.stdout_text().contains("  hex: e4 bd a0 e5 a5 bd"));
}

#[test]
fn undecodable_bytes_show_replacement_and_warn() {
    let server = receiver(&[]);
    send(&server.addr().to_string(), "你好", &["--encoding", "gbk"]).success();
    let finished = server.finish();
    assert!(finished.stdout_text().contains('\u{FFFD}'), "{finished:?}");
    assert!(
        finished.stderr_text().starts_with("warning:"),
        "{finished:?}"
    );
}

#[test]
fn truncated_datagram_reports_both_sizes() {
    let server = receiver(&["--buffer", "16"]);
    let long = "x".repeat(40);
    send(&server.addr().to_string(), &long, &[]).success();
    let finished = server.finish();
    assert!(
        finished
            .stdout_text()
            .contains("40 bytes, truncated to 16 by the buffer (24 lost)"),
        "{finished:?}"
    );
}

#[test]
fn receiver_waits_for_its_first_datagram_longer_than_the_timeout() {
    // A person starts the receiver, then types the sender in another terminal: the wait
    // for the first datagram has no deadline. Time must pass here (five times the
    // --timeout) before sending; nothing is synchronised by it.
    let mut server = receiver(&["--timeout", "0.2"]);
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert!(
        server.is_running(),
        "the receiver gave up before the first datagram"
    );
    send(&server.addr().to_string(), "late", &[]).success();
    let finished = server.finish();
    assert!(finished.status.success(), "{finished:?}");
    assert!(
        finished.stdout_text().contains(": 4 bytes: late"),
        "{finished:?}"
    );
}

#[test]
fn silence_after_the_first_datagram_exits_1_with_hint() {
    let server = receiver(&["--count", "2", "--timeout", "0.2"]);
    send(&server.addr().to_string(), "only one", &[]).success();
    let finished = server.finish();
    assert_eq!(finished.status.code(), Some(1), "{finished:?}");
    let stderr = finished.stderr_text();
    assert!(
        stderr.starts_with("error: no datagram arrived within 0.2 s"),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
}

#[test]
fn loss_report_waits_for_the_first_datagram_longer_than_the_timeout() {
    let mut server = receiver(&["--report", "--count", "20", "--timeout", "0.2"]);
    // As above: a person takes longer than --timeout to type the sender.
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert!(
        server.is_running(),
        "the report ended before any datagram came"
    );
    assert_cmd::Command::new(cargo_bin("udp-basic"))
        .args(["blast", &server.addr().to_string(), "--count", "20"])
        .args(["--rate", "1000"])
        .assert()
        .success();
    let finished = server.finish();
    assert!(
        finished
            .stdout_text()
            .contains("received 20/20 datagrams (0 lost, 0.0%)"),
        "{finished:?}"
    );
}

#[test]
fn buffer_larger_than_any_udp_datagram_is_refused_with_exit_2() {
    for huge in ["18446744073709551615", "100000000000", "65536"] {
        let mut command = udp_basic();
        command.args(["recv", "--bind", "127.0.0.1:0", "--buffer", huge]);
        // finish() has a deadline: a receiver that accepted the value would wait.
        let finished = Running::start(command).finish();
        let stderr = finished.stderr_text();
        assert_eq!(finished.status.code(), Some(2), "--buffer {huge}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains("65535"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_port_without_a_host_says_the_host_is_missing() {
    send("7788", "hi", &[])
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: '7788' is a port without a host",
        ));
}

#[test]
fn bad_address_exits_2() {
    send("127.0.0.1", "x", &[])
        .code(2)
        .stderr(predicate::str::contains("has no port"));
    send("127.0.0.1:99999", "x", &[])
        .code(2)
        .stderr(predicate::str::contains("not a number from 0 to 65535"));
}

#[test]
fn unknown_encoding_exits_2() {
    send("127.0.0.1:9", "x", &["--encoding", "klingon"])
        .code(2)
        .stderr(predicate::str::contains("unknown encoding 'klingon'"));
}

#[test]
fn address_in_use_exits_1_with_hint() {
    let server = receiver(&[]);
    assert_cmd::Command::new(cargo_bin("udp-basic"))
        .args([
            "recv",
            "--bind",
            &server.addr().to_string(),
            "--timeout",
            "1",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("address already in use"))
        .stderr(predicate::str::contains("hint: another process"));
}

#[test]
fn sending_to_nobody_is_not_an_error() {
    // Bind a port, note it, close it: now nothing listens there.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("bind")
        .port();
    send(&format!("127.0.0.1:{port}"), "anyone?", &[]).success();
}

#[test]
fn ipv6_loopback_round_trip() {
    let mut command = udp_basic();
    command.args(["recv", "--bind", "[::1]:0", "--timeout", "10"]);
    let server = Running::server(command);
    send(&server.addr().to_string(), "hello v6", &[]).success();
    let finished = server.finish();
    assert!(
        finished.stdout_text().contains("from [::1]:"),
        "{finished:?}"
    );
}

#[test]
fn loss_report_counts_exactly_when_nothing_is_lost_at_a_low_rate() {
    let server = receiver(&["--report", "--count", "200", "--timeout", "5"]);
    assert_cmd::Command::new(cargo_bin("udp-basic"))
        .args([
            "blast",
            &server.addr().to_string(),
            "--count",
            "200",
            "--size",
            "200",
        ])
        .args(["--rate", "4000"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "sent 200 datagrams of 200 bytes",
        ));
    let finished = server.finish();
    assert!(
        finished
            .stdout_text()
            .contains("received 200/200 datagrams (0 lost, 0.0%)"),
        "{finished:?}"
    );
}

#[test]
fn a_full_receive_buffer_drops_datagrams_silently() {
    // The receiver is busy while the sender blasts: its tiny buffer overflows.
    let server = receiver(&[
        "--report",
        "--count",
        "500",
        "--timeout",
        "1",
        "--rcvbuf",
        "2048",
        "--busy-ms",
        "300",
    ]);
    assert_cmd::Command::new(cargo_bin("udp-basic"))
        .args([
            "blast",
            &server.addr().to_string(),
            "--count",
            "500",
            "--size",
            "1000",
        ])
        .assert()
        .success();
    let finished = server.finish();
    let text = finished.stdout_text();
    assert!(text.contains("/500 datagrams ("), "{text}");
    assert!(!text.contains("(0 lost"), "expected loss: {text}");
}

#[test]
fn python_sender_from_the_notes_is_received() {
    if !testkit::require_tool(
        "python_sender_from_the_notes_is_received",
        "python3",
        "python3",
    ) {
        return;
    }
    let server = receiver(&["--encoding", "gb2312"]);
    let port = server.addr().port().to_string();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lessons/python/01_udp_send.py"
    );
    let output = Command::new("python3")
        .args([script, "127.0.0.1", &port, "你好", "gb2312"])
        .output()
        .expect("run python3");
    assert!(output.status.success(), "{output:?}");
    let finished = server.finish();
    assert!(
        finished.stdout_text().contains(": 4 bytes: 你好"),
        "{finished:?}"
    );
}

#[test]
fn our_sender_is_received_by_nc() {
    if !testkit::require_tool("our_sender_is_received_by_nc", "nc", "netcat-openbsd") {
        return;
    }
    // nc cannot bind port 0 and print it, so take a free port and poll with a deadline
    // until nc has bound it (a datagram sent earlier is simply lost: this is UDP).
    let port = testkit::free_port();
    let mut command = Command::new("nc");
    command.args(["-u", "-l", "-W", "1", "127.0.0.1", &port.to_string()]);
    let mut nc = Running::start(command);
    let address = format!("127.0.0.1:{port}");
    testkit::poll_until("nc to receive our datagram", testkit::DEADLINE, || {
        send(&address, "hello nc", &[]).success();
        let received = nc.stdout_lines().iter().any(|l| l.contains("hello nc"));
        (received || !nc.is_running()).then_some(())
    });
    let finished = nc.finish();
    assert!(finished.stdout_text().contains("hello nc"), "{finished:?}");
}
