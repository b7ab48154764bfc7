//! Helpers shared by this crate's integration tests: the binary, a dnsmasq on a
//! loopback port, and the tshark "nothing malformed" check.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use testkit::Running;

/// The binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_arp-dns-walkthrough"))
}

/// Runs the binary to the end and returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let output = bin().args(args).output().expect("run arp-dns-walkthrough");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).to_string(),
        String::from_utf8_lossy(&output.stderr).to_string(),
    )
}

/// A dnsmasq answering on 127.0.0.1:PORT for a test zone (lab-tools.md §1.7), stopped
/// when dropped.
pub struct Dnsmasq {
    pub running: Running,
    pub port: u16,
}

impl Dnsmasq {
    pub fn start() -> Dnsmasq {
        let port = testkit::free_port();
        let big = "a".repeat(250);
        let mut command = Command::new("dnsmasq");
        command.args([
            "-C",
            "/dev/null",
            "-k",
            "-p",
            &port.to_string(),
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--no-resolv",
            "--no-hosts",
            "--local-ttl=300",
            "--pid-file=",
            "--log-facility=-",
            "--host-record=baidu.com,10.0.2.2",
            "--cname=www.baidu.com,baidu.com",
            "--cname=img.baidu.com,www.baidu.com",
            "--local=/baidu.com/",
            "--address=/nx.test/",
            &format!("--txt-record=big.test,{big},{big},{big}"),
        ]);
        let running = Running::start(command);
        running.wait_for_stderr_containing("started");
        // "started" is logged once the sockets are bound; make sure with a real query.
        let dnsmasq = Dnsmasq { running, port };
        testkit::poll_until("dnsmasq to answer", Duration::from_secs(10), || {
            let socket = std::net::UdpSocket::bind("127.0.0.1:0").ok()?;
            socket
                .set_read_timeout(Some(Duration::from_millis(200)))
                .ok()?;
            let query = arp_dns_walkthrough::dns::Message::query(
                1,
                "baidu.com",
                arp_dns_walkthrough::dns::RecordType::A,
                true,
            )
            .ok()?;
            socket
                .send_to(&query.to_bytes().ok()?, dnsmasq.addr())
                .ok()?;
            let mut buffer = [0u8; 512];
            socket.recv(&mut buffer).ok().map(|_| ())
        });
        dnsmasq
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// The filter of lab-tools.md §1.8: prints nothing for a clean capture.
pub fn assert_tshark_clean(file: &Path) {
    let output = Command::new("tshark")
        .args([
            "-o",
            "ip.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "dns.retransmission_timer:0",
            "-r",
        ])
        .arg(file)
        .args([
            "-Y",
            "_ws.malformed || _ws.expert.severity >= warning || dns.qry.name contains \"loops\" || dns.resp.name contains \"loops\"",
        ])
        .output()
        .expect("run tshark");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.trim().is_empty(),
        "tshark flags {}:\n{stdout}\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// tshark's one-line summaries of a capture (`-T fields -e _ws.col.Info`).
pub fn tshark_fields(file: &Path, fields: &[&str]) -> Vec<String> {
    let mut command = Command::new("tshark");
    command.arg("-r").arg(file).args(["-T", "fields"]);
    for field in fields {
        command.args(["-e", field]);
    }
    let output = command.output().expect("run tshark");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// A fresh directory for this test's files, removed when the test ends.
pub fn scratch(name: &str) -> testkit::Scratch {
    testkit::Scratch::new(&format!("arp-dns-{name}"))
}
