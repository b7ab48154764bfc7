//! `--ladder`: the client's own drawing of a transfer, checked row by row.
//!
//! A lossy upload goes through the testkit's relay with a script (the relay is
//! deterministic: the same script drops the same datagrams), so the ladder is the same on
//! every run once times and ports are masked. The server runs in this process, with a
//! timeout much longer than the client's, so only the client (the sender) ever times out
//! and the order of the rows never depends on which timer fires first.

mod common;

use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use common::{Scratch, TestServer, content};
use testkit::relay::{Direction, Fate, LossyRelay, Schedule};
use tftp::server::ServerConfig;

/// The longest any command here may take before the test fails.
const LIMIT: Duration = Duration::from_secs(20);

fn tftp() -> assert_cmd::Command {
    let mut command = std::process::Command::cargo_bin("tftp").unwrap();
    // ASCII arrows, whatever the terminal of the person running the tests.
    command
        .env("LC_ALL", "C")
        .env_remove("LC_CTYPE")
        .env_remove("LANG");
    let mut command = assert_cmd::Command::from_std(command);
    command.timeout(LIMIT);
    command
}

/// The text with every time of the left-hand column turned into `?.???s`, the transfer
/// time of the last line into `...`, and every loopback port into `P1`, `P2`, ... in order
/// of first appearance, padded to the port's width so that the columns stay where they
/// were drawn.
fn mask(text: &str) -> String {
    let mut ports: Vec<String> = Vec::new();
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.to_string();
        if let Some(end) = line.find("s ") {
            let head = line[..end].trim_start();
            if !head.is_empty() && head.chars().all(|c| c.is_ascii_digit() || c == '.') {
                let width = end + 1;
                line = format!("{:>width$}{}", "?.???s", &line[end + 1..]);
            }
        }
        if let Some(start) = line.find(" in ") {
            if let Some(end) = line[start..].find(" s (") {
                line.replace_range(start + 4..start + end, "...");
            }
        }
        let mut masked = String::new();
        let mut rest = line.as_str();
        while let Some(at) = rest.find("127.0.0.1:") {
            let after = at + "127.0.0.1:".len();
            masked.push_str(&rest[..after]);
            let digits = rest[after..]
                .chars()
                .take_while(char::is_ascii_digit)
                .count();
            let port = &rest[after..after + digits];
            let index = match ports.iter().position(|known| known == port) {
                Some(index) => index,
                None => {
                    ports.push(port.to_string());
                    ports.len() - 1
                }
            };
            masked.push_str(&format!("{:<digits$}", format!("P{}", index + 1)));
            rest = &rest[after + digits..];
        }
        masked.push_str(rest);
        out.push_str(masked.trim_end());
        out.push('\n');
    }
    out
}

/// Uploads four blocks through a scripted relay with `--no-options --timeout 1` and the
/// `extra` flags, checks that the file arrived whole, and returns the client's stderr.
fn lossy_upload(extra: &[&str]) -> String {
    let root = Scratch::new("ladder-lossy");
    let home = Scratch::new("ladder-lossy-home");
    // Four blocks: 3 × 512 bytes and a last one of 100.
    let bytes = content(3 * 512 + 100, 17);
    let local = home.write("four.bin", &bytes);
    let mut config = ServerConfig::new(&root.path);
    config.allow_write = true;
    // Far longer than the client's 1 s: the server never retransmits here.
    config.timeout = Duration::from_secs(10);
    let server = TestServer::start(config);
    // To the server: 0 WRQ, 1 DATA #1, 2 DATA #2 (dropped), 3 DATA #2 again, 4 DATA #3,
    // 5 DATA #3 again, 6 DATA #4. To the client: 0 ACK 0, 1 ACK 1 (twice), 2 ACK 2,
    // 3 ACK 3 (dropped), 4 ACK 3 again, 5 ACK 4.
    let relay = LossyRelay::start(
        server.addr,
        Schedule::Script(vec![
            (Direction::ToServer, 2, Fate::Drop),
            (Direction::ToClient, 1, Fate::Duplicate),
            (Direction::ToClient, 3, Fate::Drop),
        ]),
    );
    let output = tftp()
        .args(["put", &relay.addr().to_string()])
        .arg(&local)
        .args(["four.bin", "--no-options", "--timeout", "1"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    assert_eq!(std::fs::read(root.join("four.bin")).unwrap(), bytes);
    assert_eq!(relay.stats().dropped, 2);
    assert_eq!(relay.stats().duplicated, 1);
    drop(relay);
    server.stop();
    stderr
}

#[test]
fn lossy_upload_ladder_marks_timeouts_retries_and_a_duplicate_ack() {
    let stderr = lossy_upload(&["--ladder"]);
    let expected = r#"    time  127.0.0.1:P1                                          127.0.0.1:P2
                 |                                                     |
  ?.???s         |--------------- WRQ "four.bin" octet --------------->|
new endpoint: 127.0.0.1:P3
    time  127.0.0.1:P1               127.0.0.1:P2               127.0.0.1:P3
                 |                          |                          |
  ?.???s         |<---------------------- ACK 0 -----------------------|
  ?.???s         |--------------- DATA #1 (512 bytes) ---------------->|
  ?.???s         |<---------------------- ACK 1 -----------------------|
  ?.???s         |--------------- DATA #2 (512 bytes) ---------------->|
  ?.???s         |<------------------ ACK 1 (again) -------------------|
  ?.???s         | [timeout, no answer to DATA #2 (512 bytes)]         |
  ?.???s         |---- DATA #2 (512 bytes) (retry after timeout) ----->|
  ?.???s         |<---------------------- ACK 2 -----------------------|
  ?.???s         |--------------- DATA #3 (512 bytes) ---------------->|
  ?.???s         | [timeout, no answer to DATA #3 (512 bytes)]         |
  ?.???s         |---- DATA #3 (512 bytes) (retry after timeout) ----->|
  ?.???s         |<---------------------- ACK 3 -----------------------|
  ?.???s         |--------------- DATA #4 (100 bytes) ---------------->|
  ?.???s         |<---------------------- ACK 4 -----------------------|
sent 1636 bytes as "four.bin" in ... s (blksize 512, windowsize 1, no options)
"#;
    assert_eq!(mask(&stderr), expected, "{stderr}");
}

#[test]
fn lossy_upload_mermaid_is_the_diagram_in_lesson_4() {
    let stderr = lossy_upload(&["--ladder", "--mermaid"]);
    let drawn = &stderr[stderr.find("sequenceDiagram").expect(&stderr)..];
    for lesson in ["lessons/04-tftp.md", "lessons/zh-CN/04-tftp.md"] {
        let shown = generated_diagram(lesson, "lossy_upload_mermaid_is_the_diagram_in_lesson_4");
        assert_eq!(
            mask(&shown),
            mask(drawn),
            "the lossy upload's diagram in {lesson} differs from what the client draws:\n{drawn}"
        );
    }
}

/// The mermaid diagram that follows the `<!-- generated: ... -->` line naming `marker`
/// in `lesson` (a path from the top of the repository).
fn generated_diagram(lesson: &str, marker: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(lesson);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text
        .lines()
        .skip_while(|line| !(line.starts_with("<!-- generated by ") && line.contains(marker)));
    assert!(
        lines.next().is_some(),
        "{lesson} has no diagram marked {marker}"
    );
    assert_eq!(lines.next(), Some("```mermaid"), "{lesson}: {marker}");
    let mut diagram = String::new();
    for line in lines.take_while(|line| *line != "```") {
        diagram.push_str(line);
        diagram.push('\n');
    }
    diagram
}

#[test]
fn clean_download_as_mermaid_names_the_servers_new_port() {
    let root = Scratch::new("ladder-mermaid");
    // Two blocks of blksize 1468: a full one and 232 bytes.
    root.write("two.bin", &content(1700, 5));
    let server = TestServer::start(ServerConfig::new(&root.path));
    let output = tftp()
        .args(["get", &server.addr.to_string(), "two.bin", "-o", "-"])
        .args(["--blksize", "1468", "--tsize", "--ladder", "--mermaid"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(output.stdout, content(1700, 5));
    let expected = r#"received 1700 bytes into standard output in ... s (blksize 1468, windowsize 1, options accepted)
sequenceDiagram
    participant A as 127.0.0.1:P1
    participant B as 127.0.0.1:P2
    participant C as 127.0.0.1:P3
    A->>B: RRQ "two.bin" octet blksize=1468 tsize=0
    C->>A: OACK blksize=1468 tsize=1700
    A->>C: ACK 0
    C->>A: DATA #35;1 (1468 bytes)
    A->>C: ACK 1
    C->>A: DATA #35;2 (232 bytes)
    A->>C: ACK 2
"#;
    assert_eq!(mask(&stderr), expected, "{stderr}");
    server.stop();
}

#[test]
fn server_ladder_gives_the_transfer_port_its_own_column() {
    let root = Scratch::new("ladder-serve");
    root.write("hello.txt", b"hello, tftp\n");
    let mut command = std::process::Command::cargo_bin("tftp").unwrap();
    command
        .env("LC_ALL", "C")
        .args(["serve", "--bind", "127.0.0.1:0", "--count", "1", "--ladder"])
        .arg("--root")
        .arg(&root.path);
    let running = testkit::Running::server(command);
    let mut received = Vec::new();
    tftp::client::get_into(
        running.addr(),
        "hello.txt",
        &mut received,
        &tftp::client::ClientConfig::default(),
    )
    .unwrap();
    assert_eq!(received, b"hello, tftp\n");
    let finished = running.finish_within(LIMIT);
    assert!(finished.status.success(), "{finished:?}");
    let stderr = finished.stderr_text();
    let expected = r#"    time  127.0.0.1:P1                                          127.0.0.1:P2
                 |                                                     |
  ?.???s         |-------------- RRQ "hello.txt" octet --------------->|
new endpoint: 127.0.0.1:P3
    time  127.0.0.1:P1               127.0.0.1:P2               127.0.0.1:P3
                 |                          |                          |
  ?.???s         |<---------------- DATA #1 (12 bytes) ----------------|
  ?.???s         |---------------------- ACK 1 ----------------------->|
"#;
    assert_eq!(mask(&stderr), expected, "{stderr}");
}

#[test]
fn mermaid_without_ladder_is_a_usage_error() {
    let output = tftp()
        .args(["get", "127.0.0.1:9", "x.txt", "--mermaid"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("--ladder"),
        "{output:?}"
    );
}
