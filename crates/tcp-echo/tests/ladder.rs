//! `--ladder` and `--ladder --mermaid` on `send` and `serve`: the socket calls drawn as a
//! ladder on stderr. A TCP program sees only its calls (`connect`, `send`, `recv`,
//! `shutdown`, `close`), never the segments, so those are what the ladder shows.
//!
//! Each exchange is fixed: where our client is tested, the peer is a scripted listener in
//! this file that answers only after our FIN, so the order of the rows never depends on
//! which thread runs first. Times and the ports the OS picks are masked; `LC_ALL=C` asks
//! for the ASCII style.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::thread;

use testkit::Running;

/// The binary as a plain `std` command, in the C locale (the ASCII ladder).
fn tcp_echo_process() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tcp-echo"));
    command
        .env_remove("LANG")
        .env_remove("LC_CTYPE")
        .env("LC_ALL", "C");
    command
}

/// The binary as an `assert_cmd` command, in the C locale.
fn tcp_echo() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_tcp-echo"));
    command
        .env_remove("LANG")
        .env_remove("LC_CTYPE")
        .env("LC_ALL", "C")
        .timeout(testkit::DEADLINE);
    command
}

/// A scripted echo peer: accepts one connection, reads until our FIN, then sends back
/// what it got and closes. Returns its address and the thread to join.
fn echo_after_fin() -> (SocketAddr, thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let peer = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(testkit::DEADLINE)).unwrap();
        let mut message = Vec::new();
        stream.read_to_end(&mut message).unwrap();
        stream.write_all(&message).unwrap();
    });
    (address, peer)
}

/// One client exchange with our server: connect, send, half-close, read to the end.
/// Returns our end's address.
fn exchange(server: SocketAddr, message: &[u8]) -> SocketAddr {
    let mut stream = TcpStream::connect_timeout(&server, testkit::DEADLINE).unwrap();
    stream.set_read_timeout(Some(testkit::DEADLINE)).unwrap();
    let local = stream.local_addr().unwrap();
    stream.write_all(message).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    stream.read_to_end(&mut back).unwrap();
    assert_eq!(back, message);
    local
}

/// The port of `from 127.0.0.1:PORT` in `send`'s report.
fn reported_local(stdout: &str) -> SocketAddr {
    let (_, after) = stdout.split_once(" from ").expect("a 'from' address");
    after.split_whitespace().next().unwrap().parse().unwrap()
}

/// Replaces each port by a same-width mark (`S` for the server, `A`, `B` for clients)
/// and each row's time by `*.***s`, so the text is the same on every run.
fn masked(text: &str, ports: &[(u16, char)]) -> String {
    let mut text = text.to_string();
    for &(port, mark) in ports {
        let digits = port.to_string();
        text = text.replace(
            &format!(":{digits}"),
            &format!(":{}", mark.to_string().repeat(digits.len())),
        );
    }
    let mut out = String::new();
    for line in text.lines() {
        match line.get(..8) {
            Some(time) if is_time(time.trim_start()) => {
                out.push_str(&format!("{:>8}", "*.***s"));
                out.push_str(&line[8..]);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// `0.004s`, `12.345s`: a row's time.
fn is_time(text: &str) -> bool {
    let Some(number) = text.strip_suffix('s') else {
        return false;
    };
    let Some((whole, fraction)) = number.split_once('.') else {
        return false;
    };
    !whole.is_empty()
        && fraction.len() == 3
        && whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
}

#[test]
fn send_ladder_draws_connect_send_shutdown_recv_fin_and_close() {
    let (address, peer) = echo_after_fin();
    let output = tcp_echo()
        .args(["send", &address.to_string(), "hello", "--ladder"])
        .output()
        .unwrap();
    peer.join().unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let local = reported_local(&stdout);
    let ladder = masked(
        &String::from_utf8(output.stderr).unwrap(),
        &[(address.port(), 'S'), (local.port(), 'C')],
    );
    let expected = r#"    time  127.0.0.1:CCCCC                                       127.0.0.1:SSSSS
                 |                                                     |
  *.***s         |-------------------- connect() --------------------->|
  *.***s         | [three-way handshake (by the kernel)]               |
  *.***s         |--------------- send 5 bytes "hello" --------------->|
  *.***s         |--------------- shutdown(Write): FIN --------------->|
  *.***s         |<--------------- recv 5 bytes "hello" ---------------|
  *.***s         |<-------------- FIN (recv returned 0) ---------------|
  *.***s         | [close()]                                           |
"#;
    assert_eq!(ladder, expected, "the ladder as printed:\n{ladder}");
    // The ladder goes to stderr: stdout is the same as without it.
    assert!(stdout.starts_with("sent 5 bytes to "), "{stdout}");
}

#[test]
fn send_ladder_mermaid_prints_one_sequence_diagram_at_the_end() {
    let (address, peer) = echo_after_fin();
    let output = tcp_echo()
        .args([
            "send",
            &address.to_string(),
            "a; b\n",
            "--ladder",
            "--mermaid",
        ])
        .output()
        .unwrap();
    peer.join().unwrap();
    assert!(output.status.success(), "{output:?}");
    let local = reported_local(&String::from_utf8(output.stdout).unwrap());
    let diagram = masked(
        &String::from_utf8(output.stderr).unwrap(),
        &[(address.port(), 'S'), (local.port(), 'C')],
    );
    // `;` would end a mermaid statement: it is written as an entity code.
    let expected = r#"sequenceDiagram
    participant A as 127.0.0.1:CCCCC
    participant B as 127.0.0.1:SSSSS
    A->>B: connect()
    Note over A: three-way handshake (by the kernel)
    A->>B: send 5 bytes "a#59; b\n"
    A->>B: shutdown(Write): FIN
    B->>A: recv 5 bytes "a#59; b\n"
    B->>A: FIN (recv returned 0)
    Note over A: close()
"#;
    assert_eq!(diagram, expected, "the diagram as printed:\n{diagram}");
}

#[test]
fn send_ladder_notes_a_refused_connect_on_the_server_column() {
    let closed = testkit::free_port();
    let address = format!("127.0.0.1:{closed}");
    let output = tcp_echo()
        .args(["send", &address, "hello", "--ladder", "--mermaid"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = masked(&String::from_utf8(output.stderr).unwrap(), &[(closed, 'S')]);
    assert!(
        stderr.starts_with(
            "sequenceDiagram\n    participant A as 127.0.0.1:SSSSS\n    \
             Note over A: connect() failed: connection refused\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("error: connection refused by"), "{stderr}");
}

#[test]
fn serve_ladder_gives_each_client_its_own_column() {
    let mut command = tcp_echo_process();
    command.args(["serve", "--bind", "127.0.0.1:0", "--count", "2", "--ladder"]);
    let server = Running::server(command);
    let address = server.addr();
    let first = exchange(address, b"hello");
    let second = exchange(address, b"bonjour tout le monde");
    let finished = server.finish();
    assert!(finished.status.success(), "{finished:?}");
    let ladder = masked(
        &(finished.stderr_text() + "\n"),
        &[
            (address.port(), 'S'),
            (first.port(), 'A'),
            (second.port(), 'B'),
        ],
    );
    let expected = r#"    time  127.0.0.1:AAAAA                                       127.0.0.1:SSSSS
                 |                                                     |
  *.***s         |--------------------- accept() --------------------->|
  *.***s         |               [three-way handshake (by the kernel)] |
  *.***s         |--------------- recv 5 bytes "hello" --------------->|
  *.***s         |<--------------- send 5 bytes "hello" ---------------|
  *.***s         |-------------- FIN (recv returned 0) --------------->|
  *.***s         |<------------------- close(): FIN -------------------|
new endpoint: 127.0.0.1:BBBBB
    time  127.0.0.1:AAAAA            127.0.0.1:SSSSS            127.0.0.1:BBBBB
                 |                          |                          |
  *.***s         |                          |<------- accept() --------|
  *.***s         |                          | [three-way handshake (by the ke...
  *.***s         |                          |<- recv 21 bytes "bon... -|
  *.***s         |                          |- send 21 bytes "bon... ->|
  *.***s         |                          |<- FIN (recv returned 0) -|
  *.***s         |                          |----- close(): FIN ------>|
"#;
    assert_eq!(ladder, expected, "the ladder as printed:\n{ladder}");
}

#[test]
fn mermaid_without_ladder_is_a_usage_error() {
    tcp_echo()
        .args(["send", "127.0.0.1:8899", "hello", "--mermaid"])
        .assert()
        .code(2);
}
