//! `--ladder` and `--ladder --mermaid`: each datagram drawn as an arrow on stderr, while
//! stdout stays what it is without the flag.

use std::net::UdpSocket;
use std::process::Command;
use std::time::Duration;

use assert_cmd::cargo::cargo_bin;
use testkit::Running;

/// The binary in the ASCII style: `LC_ALL=C` says the terminal is not UTF-8.
fn udp_basic(args: &[&str]) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(cargo_bin("udp-basic"));
    command.env("LC_ALL", "C").args(args);
    command
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

/// A socket of the test's own that takes the datagrams.
fn silent_receiver() -> (UdpSocket, String) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let address = socket.local_addr().unwrap().to_string();
    (socket, address)
}

#[test]
fn send_ladder_draws_one_arrow_from_the_port_the_os_picked() {
    let (_socket, address) = silent_receiver();
    let output = udp_basic(&["send", &address, "hello", "--ladder"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let expected = concat!(
        "    time  0.0.0.0:#####                                         127.0.0.1:#####\n",
        "                |                                                      |\n",
        "  #.###s        |----------------- \"hello\" (5 bytes) ----------------->|\n",
    );
    assert_eq!(masked(&String::from_utf8_lossy(&output.stderr)), expected);
}

#[test]
fn stdout_is_the_same_with_and_without_the_ladder() {
    let (_socket, address) = silent_receiver();
    for flags in [&[][..], &["--ladder"][..], &["--ladder", "--mermaid"][..]] {
        let mut args = vec!["send", address.as_str(), "hello"];
        args.extend_from_slice(flags);
        let output = udp_basic(&args).output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            masked(&stdout),
            "sent # bytes to 127.0.0.1:##### from 0.0.0.0:#####\n",
            "{flags:?}"
        );
    }
}

#[test]
fn send_mermaid_prints_a_sequence_diagram_on_stderr_at_the_end() {
    let (_socket, address) = silent_receiver();
    let output = udp_basic(&["send", &address, "a;b#c", "--ladder", "--mermaid"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let expected = "\
sequenceDiagram
    participant A as 0.0.0.0:#####
    participant B as 127.0.0.1:#####
    A->>B: \"a#59;b#35;c\" (5 bytes)
";
    assert_eq!(masked(&String::from_utf8_lossy(&output.stderr)), expected);
}

#[test]
fn mermaid_without_ladder_is_a_usage_error() {
    let output = udp_basic(&["send", "127.0.0.1:9", "x", "--mermaid"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn recv_ladder_marks_a_datagram_the_buffer_cut() {
    let mut command = Command::new(cargo_bin("udp-basic"));
    command.env("LC_ALL", "C").args([
        "recv",
        "--bind",
        "127.0.0.1:0",
        "--buffer",
        "4",
        "--timeout",
        "10",
        "--ladder",
    ]);
    let receiver = Running::server(command);
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    sender.send_to(b"hello world", receiver.addr()).unwrap();
    let finished = receiver.finish();
    assert!(finished.status.success(), "{finished:?}");
    let expected = concat!(
        "    time  127.0.0.1:#####                                       127.0.0.1:#####\n",
        "                 |                                                     |\n",
        "  #.###s         |---------- \"hell...\" (11 bytes, cut to 4) ---------->|\n",
    );
    assert_eq!(masked(&finished.stderr_text()), expected);
}

#[test]
fn blast_ladder_numbers_every_datagram() {
    let (_socket, address) = silent_receiver();
    let output = udp_basic(&["blast", &address, "--count", "3", "--size", "8", "--ladder"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let rows: Vec<&str> = stderr.lines().skip(2).collect();
    assert_eq!(rows.len(), 3, "{stderr}");
    for (sequence, row) in rows.iter().enumerate() {
        assert!(
            row.contains(&format!(" #{sequence} (8 bytes) ")),
            "{stderr}"
        );
    }
}

#[test]
fn trace_and_ladder_together_draw_the_ladder_only() {
    let (_socket, address) = silent_receiver();
    let output = udp_basic(&["send", &address, "hello", "--trace", "--ladder"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("sendto("), "{stderr}");
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
}
