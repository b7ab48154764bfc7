//! Root-only: real ARP and DNS through a router built from network namespaces
//! (`lab/router-lab.sh`, the same script lesson 5 runs). The script removes every
//! namespace and process it made, even when it fails; this test also checks that.

use std::process::Command;

fn lab_tools_present(test: &str) -> bool {
    testkit::require_root(test)
        && testkit::require_tool(test, "ip", "iproute2")
        && testkit::require_tool(test, "tcpdump", "tcpdump")
        && testkit::require_tool(test, "tshark", "tshark")
        && testkit::require_tool(test, "dnsmasq", "dnsmasq")
        && testkit::require_tool(test, "arping", "iputils-arping")
}

#[test]
fn router_lab_shows_macs_change_ttl_drop_and_arping_gets_our_reply() {
    if !lab_tools_present("router_lab_shows_macs_change_ttl_drop") {
        return;
    }
    let prefix = format!("nlt{}", std::process::id() % 100_000);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/lab/router-lab.sh");
    let output = Command::new("sh")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_arp-dns-walkthrough"))
        .env("NETLAB_NS_PREFIX", &prefix)
        .output()
        .expect("run the router lab");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Nothing may be left behind, whatever happened.
    let namespaces = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns list");
    let left = String::from_utf8_lossy(&namespaces.stdout);
    assert!(!left.contains(&prefix), "namespaces left behind: {left}");

    assert!(output.status.success(), "lab failed:\n{stdout}\n{stderr}");
    // Our AF_PACKET request got the router's reply.
    assert!(
        stdout.contains("<- 10.0.1.1 is at 02:00:00:00:0a:fe"),
        "{stdout}"
    );
    // Client side: MACs of link a, TTL 64 out; server side: MACs of link b, TTL 63.
    assert!(
        stdout.contains("02:00:00:00:0a:01 02:00:00:00:0a:fe 10.0.1.2 10.0.2.53 ttl=64 query"),
        "{stdout}"
    );
    assert!(
        stdout.contains("02:00:00:00:0b:fe 02:00:00:00:0b:01 10.0.1.2 10.0.2.53 ttl=63 query"),
        "{stdout}"
    );
    assert!(
        stdout.contains("02:00:00:00:0a:fe 02:00:00:00:0a:01 10.0.2.53 10.0.1.2 ttl=63 answer"),
        "{stdout}"
    );
    assert!(
        stdout.contains("baidu.com has address 10.0.2.2"),
        "{stdout}"
    );
    // arping (iputils) saw the reply our user-space responder sent.
    assert!(
        stdout
            .to_ascii_lowercase()
            .contains("unicast reply from 10.0.2.99 [02:00:00:00:0b:01]"),
        "{stdout}"
    );
    assert!(stdout.contains("answered 1 request(s)"), "{stdout}");
}

#[test]
fn arp_send_without_permission_or_interface_fails_cleanly() {
    // Not root: a permission error with a hint; root: the interface does not exist.
    let output = Command::new(env!("CARGO_BIN_EXE_arp-dns-walkthrough"))
        .args([
            "arp",
            "send",
            "--interface",
            "nl-missing0",
            "--target-ip",
            "10.0.0.1",
        ])
        .output()
        .expect("run arp send");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
