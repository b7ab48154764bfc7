//! Interoperability with the tools network engineers use, each started by the test on
//! loopback: curl, the tftp-hpa client (`tftp`) and atftp against our server; our client
//! against tftpd-hpa (`in.tftpd`) and atftpd. A missing tool is a SKIP locally and a
//! failure in CI (CI=true).
//!
//! atftpd conflicts with tftpd-hpa as a Debian package, so CI unpacks its binary instead;
//! the tests look for it in `$ATFTPD`, then `/opt/atftpd/usr/sbin/atftpd`, then `PATH`.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{Scratch, TestServer, content, quick_config};
use testkit::Running;
use tftp::client::{self, ClientConfig, Destination};
use tftp::packet::{Mode, Packet};

const SIZE: usize = 200_000;

fn our_server(root: &Path) -> TestServer {
    let mut config = quick_config(root);
    config.allow_write = true;
    TestServer::start(config)
}

fn run(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("running {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn assert_same(path: &Path, expected: &[u8]) {
    let got = std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    assert!(
        got == expected,
        "{} differs ({} bytes, expected {})",
        path.display(),
        got.len(),
        expected.len()
    );
}

#[test]
fn curl_downloads_from_our_server_at_three_block_sizes() {
    if !testkit::require_tool(
        "curl_downloads_from_our_server_at_three_block_sizes",
        "curl",
        "curl",
    ) {
        return;
    }
    let root = Scratch::new("curl-get");
    let bytes = content(SIZE, 1);
    root.write("f.bin", &bytes);
    let server = our_server(&root.path);
    for blksize in [512, 1468, 65464] {
        let out = root.join(&format!("out-{blksize}"));
        run(Command::new("curl")
            .args(["-sS", "--tftp-blksize", &blksize.to_string()])
            .arg(format!("tftp://{}/f.bin", server.addr))
            .arg("-o")
            .arg(&out));
        assert_same(&out, &bytes);
    }
}

#[test]
fn curl_uploads_to_our_server() {
    if !testkit::require_tool("curl_uploads_to_our_server", "curl", "curl") {
        return;
    }
    let root = Scratch::new("curl-put");
    let local = Scratch::new("curl-put-local");
    let bytes = content(SIZE, 2);
    let file = local.write("up.bin", &bytes);
    let server = our_server(&root.path);
    run(Command::new("curl")
        .args(["-sS", "-T"])
        .arg(&file)
        .arg(format!("tftp://{}/up.bin", server.addr)));
    server.stop();
    assert_same(&root.join("up.bin"), &bytes);
}

#[test]
fn tftp_hpa_client_gets_and_puts() {
    if !testkit::require_tool("tftp_hpa_client_gets_and_puts", "tftp", "tftp-hpa") {
        return;
    }
    let root = Scratch::new("hpa");
    let local = Scratch::new("hpa-local");
    let bytes = content(SIZE, 3);
    root.write("f.bin", &bytes);
    let up = local.write("up.bin", &bytes);
    let server = our_server(&root.path);
    let port = server.addr.port().to_string();
    let copy = local.join("copy.bin");
    run(Command::new("tftp")
        .args(["-m", "binary", "127.0.0.1", &port, "-c", "get", "f.bin"])
        .arg(&copy));
    assert_same(&copy, &bytes);
    run(Command::new("tftp")
        .args(["-m", "binary", "127.0.0.1", &port, "-c", "put"])
        .arg(&up)
        .arg("stored.bin"));
    server.stop();
    assert_same(&root.join("stored.bin"), &bytes);
}

#[test]
fn atftp_client_gets_and_puts_also_with_windowsize_8() {
    if !testkit::require_tool(
        "atftp_client_gets_and_puts_also_with_windowsize_8",
        "atftp",
        "atftp",
    ) {
        return;
    }
    let root = Scratch::new("atftp");
    let local = Scratch::new("atftp-local");
    let bytes = content(SIZE, 4);
    root.write("f.bin", &bytes);
    let up = local.write("up.bin", &bytes);
    let server = our_server(&root.path);
    let port = server.addr.port().to_string();
    for (index, options) in [vec![], vec!["blksize 1468", "windowsize 8"]]
        .iter()
        .enumerate()
    {
        let mut extra = Vec::new();
        for option in options {
            extra.push("--option".to_string());
            extra.push(option.to_string());
        }
        let copy = local.join(&format!("copy-{index}"));
        run(Command::new("atftp")
            .args(&extra)
            .args(["-g", "-r", "f.bin", "-l"])
            .arg(&copy)
            .args(["127.0.0.1", &port]));
        assert_same(&copy, &bytes);
        let stored = format!("stored-{index}.bin");
        run(Command::new("atftp")
            .args(&extra)
            .args(["-p", "-r", &stored, "-l"])
            .arg(&up)
            .args(["127.0.0.1", &port]));
    }
    server.stop();
    assert_same(&root.join("stored-0.bin"), &bytes);
    assert_same(&root.join("stored-1.bin"), &bytes);
}

/// Waits until a TFTP server answers on `port` (any answer to an RRQ for a missing file).
fn wait_for_tftp_server(port: u16) {
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut request = Vec::new();
    Packet::Request(common::rrq("netlab-probe-missing", Mode::Octet, &[])).encode(&mut request);
    let mut buffer = [0u8; 1024];
    testkit::poll_until("the TFTP server to answer", testkit::DEADLINE, || {
        probe.send_to(&request, ("127.0.0.1", port)).ok()?;
        probe.recv_from(&mut buffer).ok().map(|_| ())
    });
}

fn atftpd_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ATFTPD") {
        return Some(PathBuf::from(path));
    }
    let unpacked = PathBuf::from("/opt/atftpd/usr/sbin/atftpd");
    if unpacked.exists() {
        return Some(unpacked);
    }
    testkit::find_tool("atftpd")
}

/// Our client gets and puts against a peer server on `addr`; returns the window agreed
/// when we asked for `window`.
fn our_client_round_trip(
    addr: SocketAddr,
    root: &Path,
    local: &Scratch,
    window: Option<u16>,
    blksize: Option<u16>,
) -> u16 {
    let bytes = content(SIZE, u64::from(window.unwrap_or(1)));
    std::fs::write(root.join("peer.bin"), &bytes).unwrap();
    let config = ClientConfig {
        blksize,
        windowsize: window,
        timeout: Duration::from_secs(1),
        linger: Duration::ZERO,
        ..ClientConfig::default()
    };
    let copy = local.join("copy.bin");
    let outcome = client::get(addr, "peer.bin", &Destination::File(copy.clone()), &config)
        .unwrap_or_else(|error| panic!("get from peer: {error}"));
    assert_same(&copy, &bytes);
    let name = format!("from-us-{}.bin", window.unwrap_or(1));
    client::put_from(addr, &mut &bytes[..], Some(SIZE as u64), &name, &config)
        .unwrap_or_else(|error| panic!("put to peer: {error}"));
    testkit::poll_until("the upload to appear complete", testkit::DEADLINE, || {
        (std::fs::read(root.join(&name)).ok()? == bytes).then_some(())
    });
    outcome.settings.windowsize
}

#[test]
fn our_client_against_in_tftpd_carries_on_lock_step() {
    let test = "our_client_against_in_tftpd_carries_on_lock_step";
    if !testkit::require_tool(test, "in.tftpd", "tftpd-hpa") || !testkit::require_root(test) {
        return;
    }
    let root = Scratch::new("in-tftpd");
    let local = Scratch::new("in-tftpd-local");
    let port = testkit::free_port();
    let mut command = Command::new("in.tftpd");
    command
        .args(["-L", "-s", "-c", "-u", "root", "-a"])
        .arg(format!("127.0.0.1:{port}"))
        .arg(&root.path);
    let _peer = Running::start(command);
    wait_for_tftp_server(port);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    // tftpd-hpa ignores windowsize: our client must go on lock-step.
    let window = our_client_round_trip(addr, &root.path, &local, Some(8), Some(1468));
    assert_eq!(window, 1);
}

#[test]
fn our_client_against_atftpd_with_windowsize_8_and_16() {
    let test = "our_client_against_atftpd_with_windowsize_8_and_16";
    let Some(atftpd) = atftpd_path() else {
        if testkit::in_ci() {
            panic!("{test} needs atftpd: .ci/run must unpack it to /opt/atftpd or set ATFTPD");
        }
        testkit::announce(&format!(
            "SKIP: {test} needs atftpd (apt-get download atftpd && dpkg-deb -x atftpd_*.deb /opt/atftpd)"
        ));
        return;
    };
    if !testkit::require_root(test) {
        return;
    }
    let root = Scratch::new("atftpd");
    let local = Scratch::new("atftpd-local");
    let port = testkit::free_port();
    let mut command = Command::new(&atftpd);
    command
        .args(["--daemon", "--no-fork", "--port", &port.to_string()])
        .args(["--bind-address", "127.0.0.1", "--user", "root.root"])
        .args(["--logfile", "/dev/null"])
        .arg(&root.path);
    let _peer = Running::start(command);
    wait_for_tftp_server(port);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    for window in [8, 16] {
        let agreed = our_client_round_trip(addr, &root.path, &local, Some(window), Some(1468));
        assert_eq!(agreed, window);
    }
}
