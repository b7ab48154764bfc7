//! TFTP, the trivial file transfer protocol: a real server and client (lesson 4,
//! `lessons/04-tftp.md`).
//!
//! TFTP moves files over UDP, so the program itself must do what TCP would have done:
//! number the blocks, acknowledge them, time out and send again, notice the end, and
//! ignore the strangers and duplicates UDP lets through. This crate implements RFC 1350
//! with the option extensions of RFC 2347 (negotiation), 2348 (`blksize`), 2349
//! (`timeout`, `tsize`) and 7440 (`windowsize`), and talks to the tools network
//! engineers use: curl, tftp-hpa, atftp, `in.tftpd`, atftpd.
//!
//! Start reading at [`packet`], then follow one download the way its data goes:
//! [`server`] takes the request, [`request`] opens the file, [`transfer::send_blocks`]
//! numbers and retransmits the blocks, [`channel`] puts them on the socket.
//!
//! One concept per module:
//! - [`packet`]: the six packet formats, parsed and encoded;
//! - [`netascii`]: the text mode (LF ↔ CR LF);
//! - [`transfer`]: the reliability algorithm: numbering, acknowledging, retransmitting,
//!   windows and rollover (`send_blocks`, `receive_blocks`);
//! - [`channel`]: the socket layer under it: one peer, timeouts, strangers, lingering;
//! - [`arrows`]: `--ladder`, each packet as one arrow, marked when repeated or sent
//!   again after a timeout;
//! - [`buffers`]: sizing socket and file buffers so a window fits;
//! - [`burst`]: sending a window in one system call (UDP GSO);
//! - [`connected`]: the fast path: a connected socket for the peer, strangers still heard;
//! - [`server`]: the server's loop: requests in, one thread per transfer, its limits;
//! - [`config`]: what the server allows ([`config::ServerConfig`]);
//! - [`request`]: one request served: refused, or read/written with its options;
//! - [`transfer_log`]: the log line of each transfer;
//! - [`negotiate`]: which options the server accepts, clamped to its limits;
//! - [`partial`]: writing under a hidden name, renaming when complete (both ends);
//! - [`root`]: keeping every request inside the root directory ([`root::path_parts`]);
//! - [`client`]: `get` and `put`;
//! - [`tour`](mod@tour): what `netlab tour` shows of this lesson.
//!
//! The `--trace` lines ([`Trace`]) and the `error:`/`hint:` report come from the `say`
//! crate, shared by every lesson.
//!
//! Try it in two terminals:
//!
//! ```text
//! $ mkdir -p /tmp/tftproot && echo hello > /tmp/tftproot/hello.txt
//! $ cargo run -q -p tftp -- serve --root /tmp/tftproot --bind 127.0.0.1:6969
//! listening on udp 127.0.0.1:6969
//!
//! $ cargo run -q -p tftp -- get 127.0.0.1:6969 hello.txt -o - --trace
//! ```

pub mod arrows;
pub mod buffers;
pub mod burst;
pub mod channel;
pub mod client;
pub mod config;
pub mod connected;
pub mod negotiate;
pub mod netascii;
pub mod packet;
pub mod partial;
pub mod request;
pub mod root;
pub mod server;
pub mod tour;
pub mod transfer;
pub mod transfer_log;

/// `--trace`: the one trace type of every lesson, from the `say` crate.
pub use say::Trace;
pub use tour::tour;
