//! The echo server as a binary: replies reach each sender's own address.

use std::path::PathBuf;
use std::process::Command;

use testkit::Running;

fn udp_bind(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_udp-bind"));
    command.args(args);
    command
}

fn echo_server(count: u64, extra: &[&str]) -> Running {
    let count = count.to_string();
    let mut args = vec![
        "echo",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--count",
        &count,
        "--timeout",
        "10",
    ];
    args.extend_from_slice(extra);
    Running::server(udp_bind(&args))
}

#[test]
fn send_wait_reply_prints_the_echo() {
    let server = echo_server(1, &[]);
    let to = server.addr().to_string();
    let sent = Running::start(udp_bind(&["send", &to, "hello", "--wait-reply"])).finish();
    assert!(sent.status.success(), "{sent:?}");
    assert_eq!(sent.stdout[1], format!("reply from {to}: hello"));
    let served = server.finish();
    assert!(
        served.stdout[1].starts_with("echoed 5 bytes to 127.0.0.1:"),
        "{served:?}"
    );
    assert!(served.stdout[1].ends_with("(client #1)"), "{served:?}");
    assert_eq!(served.stdout[2], "served 1 datagram from 1 client");
}

#[test]
fn wait_reply_without_a_server_times_out_with_exit_1() {
    // Bound and silent: nothing answers there.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = silent.local_addr().unwrap().to_string();
    let sent = Running::start(udp_bind(&[
        "send",
        &to,
        "anyone?",
        "--wait-reply",
        "--timeout",
        "0.3",
    ]))
    .finish();
    assert_eq!(sent.status.code(), Some(1));
    let stderr = sent.stderr_text();
    assert!(
        stderr.contains(&format!("error: no reply from {to} within 0.3 s")),
        "{stderr}"
    );
    assert!(stderr.contains("hint: UDP reports nothing"), "{stderr}");
}

#[test]
fn exercise_2_1_echo_upper_shouts_back() {
    let server = echo_server(1, &["--upper"]);
    let to = server.addr().to_string();
    let sent = Running::start(udp_bind(&["send", &to, "hello 你好", "--wait-reply"])).finish();
    assert_eq!(sent.stdout[1], format!("reply from {to}: HELLO 你好"));
    server.finish();
}

#[test]
fn exercise_2_2_echo_counts_clients_by_source_port() {
    let server = echo_server(3, &[]);
    let to = server.addr().to_string();
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    for args in [
        vec!["--from-port", &port],
        vec![],
        vec!["--from-port", &port],
    ] {
        let mut command = vec!["send", &to, "x", "--wait-reply"];
        command.extend(args);
        assert!(Running::start(udp_bind(&command)).finish().status.success());
    }
    let served = server.finish();
    let lines = &served.stdout;
    assert!(lines[1].ends_with("(client #1)"), "{lines:?}");
    assert!(lines[2].ends_with("(client #2)"), "{lines:?}");
    assert!(
        lines[3].ends_with(&format!("127.0.0.1:{port} (client #1)")),
        "{lines:?}"
    );
    assert_eq!(lines[4], "served 3 datagrams from 2 clients");
}

#[test]
fn echo_answers_the_notes_python_client() {
    if !testkit::require_tool("echo_answers_the_notes_python_client", "python3", "python3") {
        return;
    }
    let server = echo_server(1, &[]);
    let port = server.addr().port().to_string();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lessons/python/02_echo_client.py");
    let mut python = Command::new("python3");
    python
        .arg(script)
        .args(["127.0.0.1", &port, "你好 gb2312", "gb2312"]);
    let client = Running::start(python).finish();
    assert!(client.status.success(), "{client:?}");
    assert!(
        client.stdout[0].starts_with("sent from 0.0.0.0:"),
        "{client:?}"
    );
    assert_eq!(
        client.stdout[1],
        format!("reply from 127.0.0.1:{port}: 你好 gb2312")
    );
    let served = server.finish();
    // 你好 is 4 bytes in GB2312 (c4 e3 ba c3), plus " gb2312": 11 bytes.
    assert!(
        served.stdout[1].starts_with("echoed 11 bytes to 127.0.0.1:"),
        "{served:?}"
    );
}
