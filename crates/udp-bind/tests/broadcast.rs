//! Broadcast on loopback (127.255.255.255) and, as root, between two network namespaces.
//! Never the limited broadcast address (all ones), nor any broadcast address outside a namespace made here.

use std::process::Command;

use testkit::Running;

fn udp_bind(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_udp-bind"));
    command.args(args);
    command
}

#[cfg(target_os = "linux")]
#[test]
fn loopback_broadcast_reaches_two_receivers() {
    let first = Running::server(udp_bind(&[
        "recv",
        "--port",
        "0",
        "--reuse-port",
        "--count",
        "1",
        "--timeout",
        "10",
    ]));
    let port = first.addr().port().to_string();
    let second = Running::server(udp_bind(&[
        "recv",
        "--port",
        &port,
        "--reuse-port",
        "--count",
        "1",
        "--timeout",
        "10",
    ]));
    let sent = Running::start(udp_bind(&["broadcast", &port, "hello all"])).finish();
    assert!(sent.status.success(), "{sent:?}");
    assert!(
        sent.stdout[0].starts_with(&format!(
            "broadcast 9 bytes to 127.255.255.255:{port} from 0.0.0.0:"
        )),
        "{sent:?}"
    );
    for receiver in [first, second] {
        let received = receiver.finish();
        assert!(received.status.success(), "{received:?}");
        assert!(received.stdout[1].ends_with(": hello all"), "{received:?}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn without_so_broadcast_the_os_refuses_with_eacces() {
    let sent =
        Running::start(udp_bind(&["broadcast", "9", "x", "--without-so-broadcast"])).finish();
    assert_eq!(sent.status.code(), Some(1));
    let stderr = sent.stderr_text();
    assert!(
        stderr.starts_with("error: sendto(127.255.255.255:9) was refused with EACCES"),
        "{stderr}"
    );
    assert!(
        stderr.contains("must ask for broadcast (SO_BROADCAST)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: set SO_BROADCAST before sending"),
        "{stderr}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn broadcast_to_a_unicast_address_says_it_was_not_a_broadcast() {
    let receiver = Running::server(udp_bind(&["recv", "--bind", "127.0.0.1:0", "--count", "1"]));
    let port = receiver.addr().port().to_string();
    let sent = Running::start(udp_bind(&["broadcast", &port, "hi", "--to", "127.0.0.1"])).finish();
    assert!(sent.status.success(), "{sent:?}");
    let line = sent.stdout_text();
    assert!(line.starts_with("sent 2 bytes to 127.0.0.1:"), "{line}");
    assert!(
        line.contains("(not a broadcast: 127.0.0.1 is one host's address"),
        "{line}"
    );
    assert!(!line.contains("SO_BROADCAST on"), "{line}");
    assert!(receiver.finish().stdout_text().ends_with(": hi"));
}

#[test]
fn ipv6_broadcast_is_bad_input() {
    let sent = Running::start(udp_bind(&["broadcast", "9", "x", "--to", "ff02::1"])).finish();
    assert_eq!(sent.status.code(), Some(2));
    assert!(
        sent.stderr_text().contains("IPv6 has no broadcast"),
        "{sent:?}"
    );
}

/// Two namespaces joined by a veth pair, deleted again when dropped (even on a panic).
#[cfg(target_os = "linux")]
struct Namespaces {
    names: [String; 2],
}

#[cfg(target_os = "linux")]
impl Namespaces {
    fn ip(args: &[&str]) {
        let finished = Running::start({
            let mut command = Command::new("ip");
            command.args(args);
            command
        })
        .finish();
        assert!(finished.status.success(), "ip {args:?}: {finished:?}");
    }

    /// `NAME-a` 10.77.0.1/24 on `veth` `vNNa`, `NAME-b` 10.77.0.2/24 on `vNNb`.
    fn create() -> Namespaces {
        let id = std::process::id();
        let namespaces = Namespaces {
            names: [format!("nl2-{id}-a"), format!("nl2-{id}-b")],
        };
        let [a, b] = &namespaces.names;
        let (veth_a, veth_b) = (format!("nl2v{id}a"), format!("nl2v{id}b"));
        Self::ip(&["netns", "add", a]);
        Self::ip(&["netns", "add", b]);
        Self::ip(&[
            "link", "add", &veth_a, "type", "veth", "peer", "name", &veth_b,
        ]);
        Self::ip(&["link", "set", &veth_a, "netns", a]);
        Self::ip(&["link", "set", &veth_b, "netns", b]);
        Self::ip(&["-n", a, "addr", "add", "10.77.0.1/24", "dev", &veth_a]);
        Self::ip(&["-n", b, "addr", "add", "10.77.0.2/24", "dev", &veth_b]);
        Self::ip(&["-n", a, "link", "set", &veth_a, "up"]);
        Self::ip(&["-n", b, "link", "set", &veth_b, "up"]);
        namespaces
    }

    fn exec(&self, which: usize, args: &[&str]) -> Command {
        let mut command = Command::new("ip");
        command
            .args([
                "netns",
                "exec",
                &self.names[which],
                env!("CARGO_BIN_EXE_udp-bind"),
            ])
            .args(args);
        command
    }
}

#[cfg(target_os = "linux")]
impl Drop for Namespaces {
    fn drop(&mut self) {
        // Deleting a namespace deletes the veth end inside it, and so the pair.
        for name in &self.names {
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn subnet_broadcast_crosses_a_veth_pair_between_namespaces() {
    let test = "subnet_broadcast_crosses_a_veth_pair_between_namespaces";
    if !testkit::require_root(test) || !testkit::require_tool(test, "ip", "iproute2") {
        return;
    }
    let lab = Namespaces::create();
    let receiver = Running::server(lab.exec(
        1,
        &["recv", "--port", "7788", "--count", "1", "--timeout", "10"],
    ));
    assert_eq!(receiver.addr().to_string(), "0.0.0.0:7788");
    let sent = Running::start(lab.exec(
        0,
        &["broadcast", "7788", "hello lan", "--to", "10.77.0.255"],
    ))
    .finish();
    assert!(sent.status.success(), "{sent:?}");
    let received = receiver.finish();
    assert!(received.status.success(), "{received:?}");
    assert!(
        received.stdout[1].starts_with("from 10.77.0.1:"),
        "{received:?}"
    );
    assert!(received.stdout[1].ends_with(": hello lan"), "{received:?}");
    drop(lab);
}
