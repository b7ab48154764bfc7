//! `ladder`: see an exchange as a ladder (a sequence diagram), one column per endpoint and
//! one arrow per packet, drawn in the terminal or as a mermaid `sequenceDiagram`.
//!
//! Try it on a capture of your own:
//!
//! ```text
//! $ sudo tcpdump -i lo -U -w tftp.pcap udp
//! $ cargo run -q -p ladder -- tftp.pcap --filter "udp"
//! ```
//!
//! Read in this order:
//! * [`diagram`]: the ladder itself ([`Ladder`], [`Arrow`], [`Mark`], [`Note`]), which
//!   every program that wants to draw its exchange fills in;
//! * [`draw`]: the two drawings, [`draw::terminal`] (80 columns, or as wide as the
//!   terminal with [`draw::terminal_within`]; Unicode or ASCII) and [`draw::mermaid`];
//! * [`width`]: how wide the terminal is (80 columns when the output is not one);
//! * [`capture`]: the reader for what `tcpdump -w` and `tshark -w` write (classic pcap and
//!   pcapng), handing out each frame with its link type and time;
//! * [`decode`]: from a frame to an arrow: Ethernet or the Linux cooked header, ARP, IPv4,
//!   UDP, TCP, and the one-line summaries of DNS, TFTP and HTTP;
//! * [`filter`]: `--filter "udp and port 69"`;
//! * [`live`]: a program's own exchange drawn as it happens (`--ladder`), and how a
//!   binary adds that flag.

pub mod capture;
pub mod decode;
pub mod diagram;
pub mod draw;
pub mod filter;
pub mod live;
pub mod width;

pub use diagram::{Arrow, Ladder, Mark, Note, Step};
pub use live::Live;
