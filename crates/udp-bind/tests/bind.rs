//! The binary's binding behaviour: fixed and OS-chosen source ports, address in use,
//! sharing a port with --reuse-port, and TCP beside UDP on one port number.

use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::Command;
use testkit::Running;

fn udp_bind(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_udp-bind"));
    command.args(args);
    command
}

/// A receiver on 127.0.0.1 with an OS-chosen port that stops after `count` datagrams.
fn receiver(count: u64) -> Running {
    Running::server(udp_bind(&[
        "recv",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--count",
        &count.to_string(),
        "--timeout",
        "10",
    ]))
}

#[test]
fn from_port_gives_the_same_source_port_every_time() {
    let receiver = receiver(2);
    let to = receiver.addr().to_string();
    // A port that was free a moment ago; both sends bind it again.
    let port = UdpSocket::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for _ in 0..2 {
        let sent = Running::start(udp_bind(&[
            "send",
            &to,
            "hello",
            "--from-port",
            &port.to_string(),
        ]))
        .finish();
        assert!(sent.status.success(), "{sent:?}");
        assert_eq!(
            sent.stdout_text(),
            format!("sent 5 bytes to {to} from 0.0.0.0:{port}")
        );
    }
    let received = receiver.finish();
    assert!(received.status.success(), "{received:?}");
    let expected = format!("from 127.0.0.1:{port}: hello");
    assert_eq!(received.stdout[1..], [expected.clone(), expected]);
}

#[test]
fn without_from_port_the_os_picks_a_source_port() {
    let receiver = receiver(1);
    let to = receiver.addr().to_string();
    let sent = Running::start(udp_bind(&["send", &to, "hi"])).finish();
    assert!(sent.status.success(), "{sent:?}");
    let line = sent.stdout_text();
    let port = line.rsplit(':').next().unwrap();
    assert_ne!(port, "0", "{line}");
    let received = receiver.finish();
    assert_eq!(received.stdout[1], format!("from 127.0.0.1:{port}: hi"));
}

#[test]
fn second_receiver_on_a_taken_port_fails_with_a_hint() {
    let first = receiver(1);
    let port = first.addr().port().to_string();
    let second =
        Running::start(udp_bind(&["recv", "--host", "127.0.0.1", "--port", &port])).finish();
    assert_eq!(second.status.code(), Some(1), "{second:?}");
    let stderr = second.stderr_text();
    assert!(
        stderr.starts_with(&format!(
            "error: binding udp 127.0.0.1:{port}: address already in use"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: another process already holds udp port"),
        "{stderr}"
    );
    assert!(stderr.contains("--reuse-port"), "{stderr}");
    assert!(
        second.stdout.is_empty(),
        "no readiness line after a failed bind"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn two_reuse_port_receivers_both_receive() {
    let first = Running::server(udp_bind(&[
        "recv",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--reuse-port",
    ]));
    let address = first.addr();
    let port = address.port().to_string();
    let second = Running::server(udp_bind(&[
        "recv",
        "--host",
        "127.0.0.1",
        "--port",
        &port,
        "--reuse-port",
    ]));
    // The kernel picks a receiver by a hash of the sender's address and port, so 64
    // senders (64 OS-chosen ports) all landing on one receiver has odds of 2^-63.
    const SENDERS: usize = 64;
    for index in 0..SENDERS {
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender
            .send_to(format!("n{index}").as_bytes(), address)
            .unwrap();
    }
    let received = |running: &Running| {
        running
            .stdout_lines()
            .iter()
            .filter(|l| l.starts_with("from "))
            .count()
    };
    testkit::poll_until(
        "all datagrams to arrive",
        std::time::Duration::from_secs(15),
        || (received(&first) + received(&second) == SENDERS).then_some(()),
    );
    assert!(received(&first) > 0 && received(&second) > 0);
}

#[test]
fn udp_and_tcp_share_one_port_number() {
    // TCP first, on a port the OS picks, so no other program holds that TCP port; then
    // look for a number whose UDP side is free too (usually the first one is).
    let (tcp, port) = (0..100)
        .find_map(|_| {
            let tcp = TcpListener::bind("127.0.0.1:0").ok()?;
            let port = tcp.local_addr().ok()?.port();
            UdpSocket::bind(("127.0.0.1", port)).ok()?;
            Some((tcp, port))
        })
        .expect("a port number free for both TCP and UDP");
    // The same number, the other protocol: a separate table in the OS, so no conflict.
    let receiver = Running::server(udp_bind(&[
        "recv",
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--count",
        "1",
        "--timeout",
        "10",
    ]));
    let address = receiver.addr();
    assert_eq!(address.port(), port);
    let client = TcpStream::connect(address).unwrap();
    let (_accepted, _) = tcp.accept().unwrap();
    drop(client);
    let sent = Running::start(udp_bind(&["send", &address.to_string(), "both"])).finish();
    assert!(sent.status.success(), "{sent:?}");
    let received = receiver.finish();
    assert!(received.stdout[1].ends_with(": both"), "{received:?}");
}

#[test]
fn silence_past_the_timeout_after_the_first_datagram_is_exit_1() {
    let receiver = Running::server(udp_bind(&[
        "recv",
        "--bind",
        "127.0.0.1:0",
        "--count",
        "2",
        "--timeout",
        "0.2",
    ]));
    let sent = Running::start(udp_bind(&["send", &receiver.addr().to_string(), "one"])).finish();
    assert!(sent.status.success(), "{sent:?}");
    let finished = receiver.finish();
    assert_eq!(finished.status.code(), Some(1), "{finished:?}");
    assert!(
        finished
            .stderr_text()
            .contains("error: no datagram arrived within 0.2 s"),
        "{finished:?}"
    );
}

#[test]
fn without_a_count_silence_after_traffic_ends_the_receiver_normally() {
    let receiver = Running::server(udp_bind(&[
        "recv",
        "--bind",
        "127.0.0.1:0",
        "--timeout",
        "0.2",
    ]));
    let to = receiver.addr().to_string();
    assert!(
        Running::start(udp_bind(&["send", &to, "one"]))
            .finish()
            .status
            .success()
    );
    let finished = receiver.finish();
    assert!(finished.status.success(), "{finished:?}");
    assert_eq!(
        finished.stdout.last().map(String::as_str),
        Some("(no datagram for 0.2 s: stopping after 1 datagram)")
    );
}

#[test]
fn receiver_waits_for_its_first_datagram_longer_than_the_timeout() {
    let mut receiver = Running::server(udp_bind(&[
        "recv",
        "--bind",
        "127.0.0.1:0",
        "--count",
        "1",
        "--timeout",
        "0.2",
    ]));
    // A person takes longer than --timeout to start the sender. Time must pass here (five
    // times the timeout); nothing is synchronised by it.
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert!(receiver.is_running(), "gave up before the first datagram");
    let to = receiver.addr().to_string();
    assert!(
        Running::start(udp_bind(&["send", &to, "late"]))
            .finish()
            .status
            .success()
    );
    let finished = receiver.finish();
    assert!(finished.status.success(), "{finished:?}");
    assert!(finished.stdout_text().ends_with(": late"), "{finished:?}");
}

#[test]
fn echo_with_a_timeout_waits_for_its_first_client() {
    let mut server = Running::server(udp_bind(&[
        "echo",
        "--bind",
        "127.0.0.1:0",
        "--count",
        "1",
        "--timeout",
        "0.2",
    ]));
    // As above: the first client comes later than --timeout.
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert!(server.is_running(), "gave up before the first client");
    let to = server.addr().to_string();
    let reply = Running::start(udp_bind(&["send", &to, "hi", "--wait-reply"])).finish();
    assert!(reply.stdout_text().ends_with(": hi"), "{reply:?}");
    assert!(server.finish().status.success());
}

#[test]
fn bind_takes_host_and_port_in_every_subcommand() {
    let receiver = Running::server(udp_bind(&["recv", "--bind", "127.0.0.1:0", "--count", "1"]));
    let to = receiver.addr().to_string();
    assert!(to.starts_with("127.0.0.1:"), "{to}");
    let sent = Running::start(udp_bind(&["send", &to, "hi", "--bind", "127.0.0.1:0"])).finish();
    assert!(sent.status.success(), "{sent:?}");
    assert!(sent.stdout_text().contains(" from 127.0.0.1:"), "{sent:?}");
    let finished = receiver.finish();
    assert!(
        finished.stdout_text().contains("from 127.0.0.1:"),
        "{finished:?}"
    );
    let echo = Running::server(udp_bind(&["echo", "--bind", "127.0.0.1:0", "--count", "1"]));
    assert!(echo.addr().ip().is_loopback());
    let chat = Running::server(udp_bind(&["chat", "--bind", "127.0.0.1:0", "--peer", &to]));
    assert!(chat.addr().ip().is_loopback());
}

#[test]
fn bind_and_port_together_are_bad_usage() {
    let finished = Running::start(udp_bind(&[
        "recv",
        "--bind",
        "127.0.0.1:0",
        "--port",
        "7788",
    ]))
    .finish();
    assert_eq!(finished.status.code(), Some(2), "{finished:?}");
}

#[test]
fn a_port_without_a_host_says_the_host_is_missing() {
    let finished = Running::start(udp_bind(&["send", "7788", "hi"])).finish();
    assert_eq!(finished.status.code(), Some(2), "{finished:?}");
    assert!(
        finished
            .stderr_text()
            .starts_with("error: '7788' is a port without a host"),
        "{finished:?}"
    );
}

#[test]
fn bad_address_is_exit_2() {
    let finished = Running::start(udp_bind(&["send", "127.0.0.1", "x"])).finish();
    assert_eq!(finished.status.code(), Some(2));
    assert!(
        finished
            .stderr_text()
            .starts_with("error: address '127.0.0.1' has no port"),
        "{finished:?}"
    );
}

#[test]
fn unencodable_text_is_exit_2() {
    let finished = Running::start(udp_bind(&[
        "send",
        "127.0.0.1:9",
        "😀",
        "--encoding",
        "gbk",
    ]))
    .finish();
    assert_eq!(finished.status.code(), Some(2), "{finished:?}");
    assert!(
        finished.stderr_text().contains("GBK cannot encode"),
        "{finished:?}"
    );
}

#[test]
fn trace_shows_the_socket_calls() {
    let receiver = receiver(1);
    let to = receiver.addr().to_string();
    let sent = Running::start(udp_bind(&["--trace", "send", &to, "hey"])).finish();
    assert_eq!(sent.stderr, [format!("sendto({to}, 3 bytes)")]);
    receiver.finish();
}
