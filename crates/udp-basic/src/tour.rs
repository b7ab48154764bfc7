//! The course runner's demo of lesson 1 (`cargo run -- tour`).

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use wire_text::TextEncoding;

use crate::{DEFAULT_BUFFER, Trace, bind, recv_datagram, send};

/// The course runner's demo of this lesson: "你好" in GBK, sent to a receiver on
/// 127.0.0.1 port 0, seen as bytes, decoded right and decoded wrong.
pub fn tour(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let gbk = TextEncoding::for_label("gbk")?;
    let receiver = bind(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        None,
        Trace::default(),
    )?;
    receiver.set_read_timeout(Some(Duration::from_secs(2)))?;
    let address = receiver.local_addr()?;
    writeln!(
        out,
        "receiver: bind(127.0.0.1:0) -> the OS gave port {}",
        address.port()
    )?;

    let payload = gbk.encode("你好")?;
    let report = send(address, &payload, Trace::default())?;
    writeln!(
        out,
        "sender:   sendto(\"你好\".encode(\"gbk\"), {address}) -> {} bytes from {}",
        report.bytes, report.local
    )?;

    let datagram = recv_datagram(&receiver, DEFAULT_BUFFER)?;
    writeln!(
        out,
        "receiver: recvfrom(1024) -> {} bytes from {}",
        datagram.bytes.len(),
        datagram.from
    )?;
    writeln!(
        out,
        "  the bytes:          {}",
        wire_text::hex(&datagram.bytes)
    )?;
    writeln!(
        out,
        "  decoded as GBK:     {}",
        gbk.decode(&datagram.bytes).text
    )?;
    writeln!(
        out,
        "  decoded as UTF-8:   {}   <- the wrong encoding: invalid bytes become \u{FFFD}",
        TextEncoding::UTF_8.decode(&datagram.bytes).text
    )?;
    writeln!(
        out,
        "  \"你好\" in UTF-8 is  {}: six bytes, not four",
        wire_text::hex(&TextEncoding::UTF_8.encode("你好")?)
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tour_shows_gbk_bytes_and_mojibake() {
        let mut out = Vec::new();
        tour(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("c4 e3 ba c3"), "{text}");
        assert!(text.contains("decoded as GBK:     你好"), "{text}");
        assert!(text.contains('\u{FFFD}'), "{text}");
    }
}
