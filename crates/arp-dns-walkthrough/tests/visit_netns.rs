//! Root-only: `visit --netns`, the notes' whole walk on real wires between network
//! namespaces it builds and removes (host, switch, router, DNS server, web server),
//! captured with tcpdump on the host's interface. Without root the command must say
//! so in one line.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use arp_dns_walkthrough::capture_walk::{self, Event};

const BINARY: &str = env!("CARGO_BIN_EXE_arp-dns-walkthrough");

fn lab_tools_present(test: &str) -> bool {
    testkit::require_root(test)
        && testkit::require_tool(test, "ip", "iproute2")
        && testkit::require_tool(test, "tcpdump", "tcpdump")
        && testkit::require_tool(test, "dnsmasq", "dnsmasq")
}

/// The namespaces `ip netns list` shows whose name starts with `prefix`.
fn namespaces_named(prefix: &str) -> Vec<String> {
    let output = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns list");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

/// `nl5-1234` from the first line, `building ... (nl5-1234-*):`.
fn prefix_in(first_line: &str) -> String {
    let start = first_line.find("(nl5-").expect("the namespace prefix") + 1;
    let end = first_line[start..]
        .find("-*)")
        .expect("the end of the prefix")
        + start;
    first_line[start..end].to_string()
}

#[test]
fn netns_visit_capture_holds_every_step_of_the_walk_in_order() {
    let test = "netns_visit_capture_holds_every_step_of_the_walk_in_order";
    if !lab_tools_present(test) {
        return;
    }
    let dir = testkit::Scratch::new("visit-netns");
    let capture = dir.join("visit.pcap");
    let mut command = Command::new(BINARY);
    command.args(["visit", "--netns", "--pcap"]).arg(&capture);
    // An ASCII ladder, whatever the locale of the run: `>|` and `|<` are its arrowheads.
    command.env("LC_ALL", "C");
    let finished = testkit::Running::start(command).finish_within(Duration::from_secs(60));
    let stdout = finished.stdout_text();
    let stderr = finished.stderr_text();

    // Whatever happened, nothing named for this run may be left.
    let prefix = prefix_in(&finished.stdout[0]);
    assert_eq!(
        namespaces_named(&format!("{prefix}-")),
        Vec::<String>::new()
    );
    assert!(finished.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("removed the 5 namespaces {prefix}-")),
        "{stdout}"
    );

    let bytes = std::fs::read(&capture).unwrap();
    let frames = capture_walk::read_walk(&ladder::capture::read_all(&bytes).unwrap()).unwrap();
    if let Some(keep) = std::env::var_os("NETLAB_SAVE_VISIT_CAPTURE") {
        // How tests/fixtures/visit-netns.pcap was made.
        std::fs::copy(&capture, keep).unwrap();
    }

    // Every step of the walk, in order; other frames (ACKs of data) may come between.
    let walk: [(&str, capture_walk::IsStep); 11] = [
        ("ARP request for the gateway", |f| {
            f.event == Event::ArpRequest
                && f.summary.contains("Who has 192.168.1.1? Tell 192.168.1.10")
        }),
        ("ARP reply from the gateway", |f| {
            f.event == Event::ArpReply && f.summary.contains("192.168.1.1 is at 02:00:00:00:01:01")
        }),
        ("DNS query", |f| {
            f.event == Event::DnsQuery
                && f.summary.contains("> 192.0.2.53:53")
                && f.summary.contains("query A www.netlab.test")
                // to the DNS server's IP, but the gateway's MAC
                && f.destination_mac.to_string() == "02:00:00:00:01:01"
        }),
        ("DNS answer", |f| {
            f.event == Event::DnsAnswer && f.summary.contains("is 198.51.100.10")
        }),
        ("SYN", |f| {
            f.event == Event::Syn && f.summary.contains("[SYN] seq 0")
        }),
        ("SYN+ACK", |f| {
            f.event == Event::SynAck && f.summary.contains("[SYN, ACK] seq 0 ack 1")
        }),
        ("ACK", |f| {
            f.event == Event::HandshakeAck && f.summary.contains("[ACK] seq 1 ack 1")
        }),
        ("HTTP GET", |f| {
            f.event == Event::HttpRequest && f.summary.contains("\"GET / HTTP/1.0\"")
        }),
        ("HTTP 200", |f| {
            f.event == Event::HttpResponse && f.summary.contains("\"HTTP/1.0 200 OK\"")
        }),
        ("the server's FIN", |f| {
            f.has_fin() && f.from_client == Some(false)
        }),
        ("the host's FIN", |f| {
            f.has_fin() && f.from_client == Some(true)
        }),
    ];
    let mut rest = frames.iter();
    for (step, is_step) in walk {
        assert!(
            rest.any(is_step),
            "no {step} in order in the capture:\n{stdout}"
        );
    }
    assert!(capture_walk::close_complete(&frames), "{stdout}");
    for label in [
        "step 1.1", "step 1.2", "step 1.6", "step 2 ", "step 3 ", "step 4 ", "step 6 ",
    ] {
        assert!(stdout.contains(label), "no '{label}' in\n{stdout}");
    }

    // After the step list, the ladder of the capture: every step of the walk, in order,
    // each arrow the right way (`>|` from the host, `|<` to it).
    let ladder_start = finished
        .stdout
        .iter()
        .position(|line| line.starts_with("the ladder of the capture"))
        .unwrap_or_else(|| panic!("no ladder after the step list:\n{stdout}"));
    let step_list_end = finished
        .stdout
        .iter()
        .position(|line| line.starts_with("every step of the notes' walk"))
        .expect("the step list's last line");
    assert!(step_list_end < ladder_start, "{stdout}");
    let ladder_lines = &finished.stdout[ladder_start..];
    let from_host = true;
    let steps = [
        ("1.1 who has 192.168.1.1? tell 192.168.1.10", from_host),
        ("1.1 192.168.1.1 is at 02:00:00:00:01:01", !from_host),
        ("1.2 query A www.netlab.test id=0x", from_host),
        ("1.6 answer A www.netlab.test 198.51.100.10", !from_host),
        ("2 SYN seq=0", from_host),
        ("2 SYN+ACK seq=0 ack=1", !from_host),
        ("2 ACK seq=1 ack=1", from_host),
        ("3 GET / HTTP/1.0 (PSH+ACK seq=1 ack=1 len=61)", from_host),
        (
            "4 HTTP/1.0 200 OK (PSH+ACK seq=1 ack=62 len=179)",
            !from_host,
        ),
        ("6 FIN+ACK seq=180 ack=62", !from_host),
        ("6 FIN+ACK seq=62 ack=181", from_host),
    ];
    let mut rest = ladder_lines.iter();
    for (label, rightward) in steps {
        let head = if rightward { ">|" } else { "|<" };
        assert!(
            rest.any(|line| line.contains(label) && line.contains(head)),
            "no arrow '{label}' ({head}) in order in the ladder:\n{}",
            ladder_lines.join("\n")
        );
    }
    assert!(
        ladder_lines[1..5]
            .iter()
            .any(|line| line.contains("host    = 02:00:00:00:01:0a, 192.168.1.10:")),
        "{stdout}"
    );
}

#[test]
fn netns_visit_interrupted_removes_its_namespaces() {
    let test = "netns_visit_interrupted_removes_its_namespaces";
    if !lab_tools_present(test) {
        return;
    }
    let scratch = testkit::Scratch::new("visit-int");
    let capture = scratch.join("visit.pcap");
    let mut child = Command::new(BINARY)
        .args(["visit", "--netns", "--pcap"])
        .arg(&capture)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start visit --netns");
    // The first line comes once the Ctrl-C handler is in place, as the lab starts.
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let prefix = prefix_in(&first_line);
    // Ctrl-C in a terminal: SIGINT.
    testkit::send_signal(child.id(), "INT");
    let status = testkit::poll_until(
        "visit --netns to exit after SIGINT",
        Duration::from_secs(30),
        || child.try_wait().unwrap(),
    );
    let mut stderr = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr);
    // Stopped early (or, on a fast machine, already done): either way nothing is left.
    assert_eq!(
        namespaces_named(&format!("{prefix}-")),
        Vec::<String>::new()
    );
    if !status.success() {
        assert!(stderr.starts_with("error: interrupted"), "{stderr}");
    }
}

#[test]
fn netns_visit_without_root_says_so_in_one_line_and_exits_1() {
    let test = "netns_visit_without_root_says_so_in_one_line_and_exits_1";
    let mut command = if testkit::is_root() {
        // As root, drop to nobody for this one run.
        if !testkit::require_tool(test, "setpriv", "util-linux") {
            return;
        }
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", BINARY]);
        command
    } else {
        Command::new(BINARY)
    };
    let output = command.args(["visit", "--netns"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.starts_with("setpriv:") {
        // nobody may not reach the binary (a build under /root, say).
        testkit::announce(&format!(
            "SKIP: {test}: nobody cannot run {BINARY}: {stderr}"
        ));
        return;
    }
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains("needs root"),
        "{stderr}"
    );
    assert!(lines[1].starts_with("hint: needs root: sudo "), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn netns_visit_names_a_missing_tool_and_its_package() {
    let test = "netns_visit_names_a_missing_tool_and_its_package";
    if !testkit::require_root(test) {
        return;
    }
    // An empty PATH: not even `ip` can be found, and nothing is built.
    let output = Command::new(BINARY)
        .args(["visit", "--netns"])
        .env("PATH", "")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "error: visit --netns runs ip, which is not installed (iproute2)\n\
         hint: install it: sudo apt-get install iproute2\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn ascii_without_netns_is_a_usage_error() {
    // --ascii belongs to --netns; --mermaid to --netns or --ladder (tests/ladder.rs).
    let output = Command::new(BINARY)
        .args(["visit", "http://baidu.com/", "--ascii"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--netns"), "{stderr}");
    assert!(output.stdout.is_empty());
}
