//! # arp-dns-walkthrough: from netmask to web page, on real bytes
//!
//! Lesson 5 of netlab (`lessons/05-arp-dns-walkthrough.md`). The Python notes end with
//! the network under the sockets: a switch links the computers of one network, a router
//! links networks; the IP and the netmask give the network number; anything for
//! another network goes to the default gateway, whose MAC is found with ARP; DNS turns a
//! name into an IP; and visiting baidu.com is ARP, DNS, a TCP handshake, an HTTP
//! request and response, and a close. This crate makes each step real bytes that
//! independent tools (tshark, dig, dnsmasq, arping) agree with, one module per layer:
//!
//! * [`subnet`]: network number, broadcast, hosts; the on-link/off-link decision;
//! * [`ethernet`], [`arp`]: frames, the ARP request and reply, a host's ARP cache in time;
//! * [`ipv4`], [`udp`], [`tcp`]: headers with correct checksums;
//! * [`dns`]: messages with name compression, a resolver (UDP, TCP on truncation), a
//!   tiny responder;
//! * [`pcap`]: writing capture files Wireshark opens (reading one back is the course's
//!   one capture reader, `ladder::capture`);
//! * [`simulate`]: a packet's trip hop by hop through switch and routers;
//! * [`visit`]: the whole visit of a web page, with real loopback sockets;
//! * `packet_socket` (Linux, root): real ARP on an `AF_PACKET` socket;
//! * `netns_visit` (Linux, root): the visit on real wires, in network namespaces, with
//!   [`http_responder`] as the web server and [`capture_walk`] reading the capture and
//!   drawing it as a ladder;
//! * [`annotation`]: the offset / bytes / meaning lines `arp parse` and `dns parse` print;
//! * [`report`]: the text the `arp` and `dns` commands print (`main.rs` only writes it);
//! * [`wire`]: big-endian numbers read through each parser's `mod field` table;
//! * [`tour`]: the short demo `cargo run -- tour` shows.
//!
//! Start reading at [`subnet`], then follow a packet outwards: [`ethernet`] and [`arp`],
//! [`ipv4`], [`udp`], [`dns`].
//!
//! Try it in two terminals:
//!
//! ```text
//! terminal 1: dnsmasq -C /dev/null -k -p 5300 --listen-address=127.0.0.1 --bind-interfaces \
//!               --no-resolv --no-hosts --host-record=baidu.com,10.0.2.2 --log-queries --log-facility=-
//! terminal 2: cargo run -p arp-dns-walkthrough -- dns resolve baidu.com --server 127.0.0.1:5300
//! ```
//!
//! or, with nothing installed: `cargo run -p arp-dns-walkthrough -- visit http://baidu.com/`.

pub mod annotation;
pub mod arp;
pub mod capture_walk;
pub mod dns;
pub mod ethernet;
pub mod http_responder;
pub mod ipv4;
#[cfg(target_os = "linux")]
pub mod netns_visit;
#[cfg(target_os = "linux")]
pub mod packet_socket;
pub mod pcap;
pub mod report;
pub mod simulate;
pub mod subnet;
pub mod tcp;
pub mod tour;
pub mod udp;
pub mod visit;
pub mod wire;

pub use annotation::Annotation;
pub use tour::tour;
/// The hex helpers are wire-text's; `hex` here is its one-line form (what `--raw` prints).
pub use wire_text::{BadHex, hex_compact as hex, parse_hex};
