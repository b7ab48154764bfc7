//! Black-box tests of the `tcp-echo` binary: a real server process on a free loopback
//! port (port 0 and its readiness line), real clients.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::Command;
use std::thread;
use std::time::Duration;

use predicates::prelude::*;
use testkit::Running;

/// The binary as a plain `std` command (for [`Running`]).
fn tcp_echo_process() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

/// The binary as an `assert_cmd` command (stdin, assertions).
fn tcp_echo() -> assert_cmd::Command {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_tcp-echo"))
}

/// `tcp-echo serve --bind 127.0.0.1:0 ARGS...`, started and ready.
fn server(args: &[&str]) -> Running {
    let mut command = tcp_echo_process();
    command.args(["serve", "--bind", "127.0.0.1:0"]).args(args);
    Running::server(command)
}

/// A plain client with every wait bounded.
fn client(address: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&address, testkit::DEADLINE).expect("connect");
    stream.set_read_timeout(Some(testkit::DEADLINE)).unwrap();
    stream.set_write_timeout(Some(testkit::DEADLINE)).unwrap();
    stream
}

/// Sends `data` in chunks small enough to fit the socket buffers and reads each echo
/// back before the next, so one thread can drive one connection without deadlock.
fn echo_in_chunks(stream: &mut TcpStream, data: &[u8]) -> Vec<u8> {
    let mut back = Vec::with_capacity(data.len());
    for chunk in data.chunks(32 * 1024) {
        stream.write_all(chunk).unwrap();
        let mut piece = vec![0u8; chunk.len()];
        stream.read_exact(&mut piece).unwrap();
        back.extend_from_slice(&piece);
    }
    back
}

#[test]
fn round_trip_echoes_the_message() {
    let server = server(&["--once"]);
    let address = server.addr().to_string();
    tcp_echo()
        .args(["send", &address, "hello"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "sent 5 bytes to {address} from 127.0.0.1:"
        )))
        .stdout(predicate::str::contains(
            "received 5 bytes in 1 recv call: hello",
        ));
    let finished = server.finish();
    assert!(finished.status.success());
    let log = finished.stdout_text();
    assert!(log.contains("accepted 127.0.0.1:"), "{log}");
    assert!(log.contains("(5 bytes echoed)"), "{log}");
}

#[test]
fn once_serves_one_client_then_exits() {
    let server = server(&["--once"]);
    let address = server.addr();
    let mut first = client(address);
    first.write_all(b"abc").unwrap();
    first.shutdown(Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    first.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, b"abc");
    let finished = server.finish();
    assert!(finished.status.success());
    assert_eq!(finished.stdout.len(), 3, "{:?}", finished.stdout);
    assert!(TcpStream::connect_timeout(&address, Duration::from_secs(2)).is_err());
}

#[test]
fn ten_mib_binary_payload_comes_back_byte_for_byte() {
    let server = server(&["--once"]);
    let data = testkit::reproducible_bytes(10 * 1024 * 1024, 7);
    let output = tcp_echo()
        .args(["send", &server.addr().to_string(), "--stdin", "--raw"])
        .write_stdin(data.clone())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.stdout == data, "the echo differs from what was sent");
    let finished = server.finish();
    assert!(finished.stdout_text().contains("(10485760 bytes echoed)"));
}

#[test]
fn two_hundred_concurrent_clients_each_get_their_own_bytes_back() {
    const CLIENTS: usize = 200;
    const SIZE: usize = 256 * 1024;
    // A backlog big enough for 200 simultaneous connects: with 5, SYNs beyond the queue
    // would be dropped and retried a second later (slow, though still correct).
    let server = server(&["--backlog", "256", "--count", "200", "--max-clients", "200"]);
    let address = server.addr();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let data = testkit::reproducible_bytes(SIZE, id as u64);
                    let mut stream = client(address);
                    let back = echo_in_chunks(&mut stream, &data);
                    stream.shutdown(Shutdown::Write).unwrap();
                    let mut rest = Vec::new();
                    stream.read_to_end(&mut rest).unwrap();
                    assert!(rest.is_empty());
                    back == data
                })
                .unwrap()
        })
        .collect();
    let correct = clients
        .into_iter()
        .map(|c| c.join().unwrap())
        .filter(|ok| *ok)
        .count();
    assert_eq!(correct, CLIENTS);
    let finished = server.finish();
    let closed = finished
        .stdout
        .iter()
        .filter(|line| line.starts_with("closed") && line.ends_with("(262144 bytes echoed)"))
        .count();
    assert_eq!(closed, CLIENTS);
}

#[test]
fn a_client_reset_mid_stream_does_not_stop_the_server() {
    let mut server = server(&[]);
    let address = server.addr();
    {
        let mut socket = socket2::Socket::from(client(address));
        socket.write_all(&vec![1u8; 100_000]).unwrap();
        // SO_LINGER 0: close() sends RST instead of FIN, like a crashed client.
        socket.set_linger(Some(Duration::ZERO)).unwrap();
    }
    server.wait_for_stdout_containing("reset 127.0.0.1:");
    let mut next = client(address);
    let back = echo_in_chunks(&mut next, b"still here");
    assert_eq!(back, b"still here");
    assert!(server.is_running());
}

#[test]
fn max_clients_refuses_connections_beyond_the_limit() {
    let mut server = server(&["--max-clients", "1"]);
    let address = server.addr();
    let mut first = client(address);
    assert_eq!(echo_in_chunks(&mut first, b"one"), b"one");

    let mut second = client(address);
    let mut buffer = [0u8; 16];
    // The server closes the extra connection at once: we read end of file (or a reset).
    let read = second.read(&mut buffer);
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    server.wait_for_stdout_containing("refused 127.0.0.1:");
    assert!(
        server
            .stdout_lines()
            .iter()
            .any(|line| line.contains("already serving 1 clients (--max-clients 1)"))
    );

    first.shutdown(Shutdown::Write).unwrap();
    server.wait_for_stdout_containing("closed 127.0.0.1:");
    let mut third = client(address);
    assert_eq!(echo_in_chunks(&mut third, b"three"), b"three");
}

#[test]
fn idle_timeout_drops_a_silent_client() {
    let mut server = server(&["--idle-timeout", "0.3"]);
    let mut silent = client(server.addr());
    let mut buffer = [0u8; 16];
    let read = silent.read(&mut buffer);
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    let line = server.wait_for_stdout_containing("dropped 127.0.0.1:");
    assert!(line.ends_with("silent for 0.3s (0 bytes echoed)"), "{line}");
}

/// Runs `probe` against `serve --no-accept --backlog BACKLOG`; returns the summary line.
fn probe_no_accept(backlog: usize, connections: usize) -> usize {
    let server = server(&["--no-accept", "--backlog", &backlog.to_string()]);
    let output = tcp_echo()
        .args(["probe", &server.addr().to_string()])
        .args([
            "--connections",
            &connections.to_string(),
            "--timeout",
            "0.3",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let last = text.lines().last().unwrap_or_default().to_string();
    let completed = last
        .strip_prefix("completed ")
        .and_then(|rest| rest.split('/').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no summary line in {text}"));
    assert_eq!(
        last,
        format!("completed {completed}/{connections} handshakes")
    );
    if completed < connections {
        assert!(text.contains("no SYN-ACK within 0.3s"), "{text}");
    }
    completed
}

#[test]
fn backlog_probe_completes_backlog_plus_one_handshakes() {
    // Measured on Linux 6.x (tcp_abort_on_overflow = 0): min(backlog, somaxconn) + 1.
    // One more is allowed as slack for a kernel that lets a connection in while an ACK
    // is still on its way.
    let completed = probe_no_accept(2, 6);
    assert!((3..=4).contains(&completed), "backlog 2 let {completed} in");
}

#[test]
fn backlog_zero_still_lets_one_connection_wait() {
    let completed = probe_no_accept(0, 3);
    assert!((1..=2).contains(&completed), "backlog 0 let {completed} in");
}

#[test]
fn exercise_3_1_refused_connection_exits_1_with_a_hint_to_start_serve() {
    // A port nobody listens on: bind one, learn its number, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    tcp_echo()
        .args(["send", &format!("127.0.0.1:{port}"), "hi"])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: connection refused"))
        .stderr(predicate::str::contains("hint: start a server first"))
        .stderr(predicate::str::contains("tcp-echo serve"));
}

#[test]
fn exercise_3_1_a_silent_server_times_out_with_exit_1() {
    // It never accepts, so our data sits in its queue and nothing comes back.
    let server = server(&["--no-accept"]);
    tcp_echo()
        .args([
            "send",
            &server.addr().to_string(),
            "hello?",
            "--timeout",
            "0.3",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error: timed out: nothing from"))
        .stderr(predicate::str::contains("hint:"));
}

#[test]
fn bad_address_exits_2() {
    tcp_echo()
        .args(["send", "127.0.0.1", "hi"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "error: address '127.0.0.1' has no port",
        ));
}

#[test]
fn port_in_use_exits_1_with_a_hint() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = held.local_addr().unwrap().to_string();
    tcp_echo()
        .args(["serve", "--bind", &address])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error: binding tcp"))
        .stderr(predicate::str::contains("hint: another process"));
}

#[test]
fn chat_prints_replies_and_exits_when_the_server_closes() {
    let server = server(&["--once"]);
    tcp_echo()
        .args(["chat", &server.addr().to_string()])
        .write_stdin("one\ntwo\n你好\n")
        .assert()
        .success()
        .stdout("one\ntwo\n你好\n")
        .stderr(predicate::str::contains("the server closed the connection"));
    assert!(server.finish().stdout_text().contains("(15 bytes echoed)"));
}

#[test]
fn encoding_and_hex_show_the_bytes_on_the_wire() {
    let server = server(&["--once"]);
    tcp_echo()
        .args([
            "send",
            &server.addr().to_string(),
            "你好",
            "--encoding",
            "gbk",
            "--hex",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "received 4 bytes in 1 recv call: c4 e3 ba c3",
        ));
}

#[test]
fn send_talks_to_a_socat_echo_server() {
    if !testkit::require_tool("send_talks_to_a_socat_echo_server", "socat", "socat") {
        return;
    }
    let port = testkit::free_port();
    let mut socat = Command::new("socat");
    socat.args([
        "-d",
        "-d",
        &format!("TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr"),
        "EXEC:cat",
    ]);
    let socat = Running::start(socat);
    socat.wait_for_stderr_containing("listening on");
    tcp_echo()
        .args(["send", &format!("127.0.0.1:{port}"), "hello socat"])
        .assert()
        .success()
        .stdout(predicate::str::contains("received 11 bytes in "))
        .stdout(predicate::str::contains(": hello socat"));
}

#[test]
fn exit_after_stops_a_server_that_never_accepts() {
    let server = server(&["--no-accept", "--exit-after", "0.3"]);
    let finished = server.finish();
    assert!(finished.status.success());
    assert!(
        finished
            .stdout_text()
            .contains("not calling accept(): finished handshakes wait in the backlog queue")
    );
}
