//! `--ladder` and `--ladder --mermaid` on the echo server, its client (`send
//! --wait-reply`) and chat: each datagram one arrow on stderr.

use std::io::Write;
use std::net::UdpSocket;
use std::process::Command;
use std::time::Duration;

use testkit::Running;

/// The binary in the ASCII style: `LC_ALL=C` says the terminal is not UTF-8.
fn udp_bind(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_udp-bind"));
    command.env("LC_ALL", "C").args(args);
    command
}

/// What changes from run to run, masked: the times on the left and the ports the OS
/// picks (every digit after a `:` becomes `#`, so the columns stay where they were).
fn masked(lines: &[String]) -> String {
    let mut out = String::new();
    for line in lines {
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

fn echo_server(extra: &[&str]) -> Running {
    let mut args = vec![
        "echo",
        "--bind",
        "127.0.0.1:0",
        "--count",
        "1",
        "--timeout",
        "10",
    ];
    args.extend_from_slice(extra);
    Running::server(udp_bind(&args))
}

#[test]
fn echo_server_ladder_draws_the_request_and_the_reply() {
    let server = echo_server(&["--ladder"]);
    let to = server.addr().to_string();
    let client = Running::start(udp_bind(&[
        "send",
        &to,
        "hello",
        "--bind",
        "127.0.0.1:0",
        "--wait-reply",
    ]))
    .finish();
    assert!(client.status.success(), "{client:?}");
    let served = server.finish();
    assert!(served.status.success(), "{served:?}");
    let expected = concat!(
        "    time  127.0.0.1:#####                                       127.0.0.1:#####\n",
        "                 |                                                     |\n",
        "  #.###s         |---------------- \"hello\" (5 bytes) ----------------->|\n",
        "  #.###s         |<---------------- \"hello\" (5 bytes) -----------------|\n",
    );
    assert_eq!(masked(&served.stderr), expected);
    // The ladder goes to stderr: stdout is the server's usual report.
    assert_eq!(served.stdout.len(), 3, "{served:?}");
}

#[test]
fn echo_client_ladder_draws_its_request_and_the_reply() {
    let server = echo_server(&[]);
    let to = server.addr().to_string();
    let client = Running::start(udp_bind(&[
        "send",
        &to,
        "hello",
        "--bind",
        "127.0.0.1:0",
        "--wait-reply",
        "--ladder",
    ]))
    .finish();
    assert!(client.status.success(), "{client:?}");
    let expected = concat!(
        "    time  127.0.0.1:#####                                       127.0.0.1:#####\n",
        "                 |                                                     |\n",
        "  #.###s         |---------------- \"hello\" (5 bytes) ----------------->|\n",
        "  #.###s         |<---------------- \"hello\" (5 bytes) -----------------|\n",
    );
    assert_eq!(masked(&client.stderr), expected);
    server.finish();
}

#[test]
fn echo_client_mermaid_lists_both_datagrams() {
    let server = echo_server(&[]);
    let to = server.addr().to_string();
    let client = Running::start(udp_bind(&[
        "send",
        &to,
        "hello",
        "--bind",
        "127.0.0.1:0",
        "--wait-reply",
        "--ladder",
        "--mermaid",
    ]))
    .finish();
    assert!(client.status.success(), "{client:?}");
    let expected = concat!(
        "sequenceDiagram\n",
        "    participant A as 127.0.0.1:#####\n",
        "    participant B as 127.0.0.1:#####\n",
        "    A->>B: \"hello\" (5 bytes)\n",
        "    B->>A: \"hello\" (5 bytes)\n",
    );
    assert_eq!(masked(&client.stderr), expected);
    server.finish();
}

#[test]
fn mermaid_comes_out_before_the_error_of_a_failed_run() {
    // Bound and silent: nothing answers there.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = silent.local_addr().unwrap().to_string();
    let client = Running::start(udp_bind(&[
        "send",
        &to,
        "anyone?",
        "--wait-reply",
        "--timeout",
        "0.3",
        "--ladder",
        "--mermaid",
    ]))
    .finish();
    assert_eq!(client.status.code(), Some(1), "{client:?}");
    assert_eq!(client.stderr[0], "sequenceDiagram", "{client:?}");
    assert_eq!(
        client.stderr[3], "    A->>B: \"anyone?\" (7 bytes)",
        "{client:?}"
    );
    assert!(client.stderr[4].starts_with("error: "), "{client:?}");
}

#[test]
fn chat_ladder_draws_each_line_and_the_empty_end_of_chat() {
    let peer = UdpSocket::bind("127.0.0.1:0").unwrap();
    peer.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let peer_address = peer.local_addr().unwrap().to_string();
    let mut chat = Running::server(udp_bind(&[
        "chat",
        "--bind",
        "127.0.0.1:0",
        "--peer",
        &peer_address,
        "--mode",
        "simplex",
        "--ladder",
    ]));
    chat.stdin().write_all(b"hi\n").unwrap();
    chat.close_stdin();
    let finished = chat.finish();
    assert!(finished.status.success(), "{finished:?}");
    let expected = concat!(
        "    time  127.0.0.1:#####                                       127.0.0.1:#####\n",
        "                 |                                                     |\n",
        "  #.###s         |------------------ \"hi\" (2 bytes) ------------------>|\n",
        "  #.###s         |------------------- \"\" (0 bytes) ------------------->|\n",
    );
    assert_eq!(masked(&finished.stderr), expected);
}
