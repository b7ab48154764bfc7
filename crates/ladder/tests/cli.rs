//! The `ladder` binary: drawing the fixtures, its errors, and a capture no one here
//! wrote: tcpdump on loopback while curl downloads from our TFTP server.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use ladder::filter::Filter;
use predicates::prelude::*;
use testkit::{DEADLINE, Running, Scratch};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn ladder() -> Command {
    Command::cargo_bin("ladder").expect("the ladder binary is built")
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

#[test]
fn tcp_fixture_draws_the_handshake_in_ascii() {
    ladder()
        .args([&fixture("tcp-echo-any.pcap"), "--ascii"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "|----------------- SYN seq=0 ----------------->|",
        ))
        .stdout(predicate::str::contains("SYN+ACK seq=0 ack=1"))
        .stdout(predicate::str::contains("FIN+ACK seq=12 ack=13"));
}

/// In a terminal the drawing takes the terminal's width: `script` gives `ladder` a
/// pseudo-terminal for its stdout, set to 60 columns by `stty` first, as in one of two
/// terminals side by side. (Through a pipe, as in every other test here, it is 80.)
#[cfg(target_os = "linux")]
#[test]
fn in_a_60_column_terminal_the_drawing_is_60_columns_wide() {
    let test = "in_a_60_column_terminal_the_drawing_is_60_columns_wide";
    if !testkit::require_tool(test, "script", "bsdutils") {
        return;
    }
    let inside = format!(
        "stty cols 60 rows 40 && exec '{}' --ascii '{}'",
        env!("CARGO_BIN_EXE_ladder"),
        fixture("tftp-curl-lo.pcap")
    );
    let output = Command::new("script")
        .args([
            "--quiet",
            "--return",
            "--command",
            inside.as_str(),
            "/dev/null",
        ])
        .timeout(DEADLINE)
        .output()
        .expect("script runs");
    assert!(output.status.success(), "{output:?}");
    // A terminal ends its lines with CR LF.
    let drawn = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
    assert!(drawn.contains("ACK 3"), "{drawn}");
    for line in drawn.lines() {
        assert!(
            line.len() <= 60,
            "{} columns: {line:?}\n{drawn}",
            line.len()
        );
    }
    let piped = ladder()
        .args(["--ascii", fixture("tftp-curl-lo.pcap").as_str()])
        .output()
        .expect("ladder runs");
    let widest = String::from_utf8_lossy(&piped.stdout)
        .lines()
        .map(str::len)
        .max();
    assert!(
        widest > Some(60),
        "through a pipe the drawing is 80 columns wide"
    );
}

#[test]
fn filter_and_mermaid_show_only_the_request() {
    ladder()
        .args([
            &fixture("tftp-curl-lo.pcap"),
            "--filter",
            "udp and port 48738",
            "--mermaid",
        ])
        .assert()
        .success()
        .stdout(
            "sequenceDiagram\n    participant A as 127.0.0.1:46380\n    participant B as \
             127.0.0.1:48738\n    A->>B: RRQ \"hello.txt\" octet tsize=0 blksize=512 timeout=6\n",
        );
}

#[test]
fn missing_file_is_named_with_exit_1() {
    ladder()
        .arg("no-such-capture.pcap")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: cannot read no-such-capture.pcap: no such file\nhint: ",
        ));
}

#[test]
fn unknown_filter_term_is_a_usage_error_listing_the_terms() {
    ladder()
        .args([&fixture("tcp-echo-any.pcap"), "--filter", "udp or tcp"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "udp, tcp, arp, port N, host A.B.C.D",
        ));
}

#[test]
fn cut_capture_names_the_record_and_its_offset() {
    let scratch = Scratch::new("ladder-cut");
    let bytes = fs::read(fixture("tftp-curl-lo.pcap")).unwrap();
    let cut = scratch.join("capture.pcap");
    fs::write(&cut, &bytes[..bytes.len() - 26]).unwrap();
    let name = cut.display().to_string();
    ladder().arg(&cut).assert().code(2).stderr(format!(
        "error: {name}: record 9 at byte 1900 is cut short (wants 62 bytes, 36 left)\n\
         hint: the file ends inside a packet: was it copied while the capture was still being written?\n"
    ));
}

#[test]
fn a_file_that_is_not_a_capture_gets_a_hint() {
    ladder()
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a pcap or pcapng capture"))
        .stderr(predicate::str::contains("hint: ladder reads"));
}

/// The `tftp` binary, built (quickly, when it already is) from the workspace.
fn tftp_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let status = StdCommand::new(cargo)
        .args(["build", "--quiet", "-p", "tftp", "--bin", "tftp"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build -p tftp failed");
    // Test binaries live in target/<profile>/deps; the tftp binary one level up.
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps");
    profile_dir.join(format!("tftp{}", std::env::consts::EXE_SUFFIX))
}

/// tcpdump writing to `file`, started and known to be capturing.
struct Tcpdump {
    running: Running,
}

impl Tcpdump {
    /// Starts tcpdump on loopback and waits (bounded) for its "listening on" line.
    /// `-U --immediate-mode`: each packet is written as it comes, so stopping it with
    /// SIGINT loses none (see lab-tools.md §3).
    fn start(file: &Path, filter: &str) -> Tcpdump {
        let mut command = StdCommand::new("tcpdump");
        command
            .args([
                "-i",
                "lo",
                "-n",
                "-U",
                "--immediate-mode",
                "-B",
                "4096",
                "-w",
            ])
            .arg(file)
            .arg(filter);
        let running = Running::start(command);
        running.wait_for_stderr_containing("listening on");
        Tcpdump { running }
    }

    /// Stops it as Ctrl-C would (SIGINT, so it finishes the file) and waits for it.
    fn stop(self) {
        self.running.signal("INT");
        self.running.finish();
    }
}

#[test]
fn ladder_draws_curl_downloading_from_our_tftp_server_captured_by_tcpdump() {
    let test = "ladder_draws_curl_downloading_from_our_tftp_server_captured_by_tcpdump";
    if !testkit::require_tool(test, "tcpdump", "tcpdump")
        || !testkit::require_tool(test, "curl", "curl")
        || !testkit::require_root(test)
    {
        return;
    }
    let scratch = Scratch::new("ladder-curl");
    let root = scratch.join("root");
    fs::create_dir_all(&root).unwrap();
    // Two full blocks of 512 and a short one: the download ends on DATA #3.
    fs::write(
        root.join("hello.txt"),
        testkit::reproducible_bytes(1300, 17),
    )
    .unwrap();
    let mut server_command = StdCommand::new(tftp_binary());
    server_command
        .args(["serve", "--bind", "127.0.0.1:0", "--root"])
        .arg(&root);
    let server = Running::server(server_command);
    let port = server.addr().port();

    let capture = scratch.join("curl.pcap");
    let tcpdump = Tcpdump::start(&capture, "udp and host 127.0.0.1");
    let downloaded = scratch.join("downloaded.txt");
    let status = StdCommand::new("curl")
        .args(["--silent", "--show-error", "--max-time", "10", "-o"])
        .arg(&downloaded)
        .arg(format!("tftp://127.0.0.1:{port}/hello.txt"))
        .status()
        .expect("run curl");
    assert!(status.success(), "curl failed: {status}");
    // tcpdump may still be behind (a loaded machine): stopping it now would lose the
    // packets it has not written yet. Wait until the file holds the last ACK.
    testkit::poll_until("tcpdump to write the final ACK 3", DEADLINE, || {
        let bytes = fs::read(&capture).ok()?;
        // The last record may be half written: read the frames before it.
        let frames: Vec<_> = ladder::capture::Reader::new(&bytes)
            .ok()?
            .map_while(Result::ok)
            .collect();
        let summary = ladder::decode::ladder(&frames, &Filter::default());
        let ends = summary.ladder.arrows().any(|arrow| arrow.label == "ACK 3");
        ends.then_some(())
    });
    tcpdump.stop();
    drop(server);
    assert_eq!(fs::read(&downloaded).unwrap().len(), 1300);

    let output = ladder()
        .arg(&capture)
        .args(["--filter", "udp", "--mermaid"])
        .output()
        .expect("run ladder");
    assert!(output.status.success(), "{output:?}");
    let drawing = String::from_utf8(output.stdout).unwrap();
    // Other tests may send UDP on loopback meanwhile: follow our client's column only.
    let alias = |name: &str| {
        drawing
            .lines()
            .find_map(|line| {
                let rest = line.trim().strip_prefix("participant ")?;
                let (id, label) = rest.split_once(" as ")?;
                (label == name).then(|| id.to_string())
            })
            .unwrap_or_else(|| panic!("no participant {name}:\n{drawing}"))
    };
    let server_id = alias(&format!("127.0.0.1:{port}"));
    let request = drawing
        .lines()
        .find(|line| line.contains(&format!("->>{server_id}: RRQ \"hello.txt\" octet")))
        .unwrap_or_else(|| panic!("no RRQ to the server:\n{drawing}"));
    let client_id = request.trim().split("->>").next().unwrap().to_string();
    let exchange: Vec<String> = drawing
        .lines()
        .map(str::trim)
        .filter(|line| {
            line.starts_with(&format!("{client_id}->>"))
                || line.contains(&format!("->>{client_id}:"))
        })
        .map(|line| {
            line.split_once(": ")
                .map_or("", |(_, label)| label)
                .to_string()
        })
        .collect();
    let wanted_in_order = [
        "RRQ \"hello.txt\" octet",
        "OACK",
        "ACK 0",
        "DATA #35;1 (512 bytes)",
        "ACK 1",
        "DATA #35;2 (512 bytes)",
        "ACK 2",
        "DATA #35;3 (276 bytes)",
        "ACK 3",
    ];
    let mut position = 0;
    for wanted in wanted_in_order {
        match exchange[position..]
            .iter()
            .position(|label| label.starts_with(wanted))
        {
            Some(found) => position += found + 1,
            None => panic!("no {wanted:?} after the earlier arrows in {exchange:#?}"),
        }
    }
}
