//! Bytes shown as hex text, the way `tcpdump -X` and `xxd -p` show them.

/// Lower-case hex, one space between bytes: `e4 bd a0`. The form `tcpdump -X` uses.
pub fn hex(bytes: &[u8]) -> String {
    hex_joined(bytes, " ")
}

/// Lower-case hex with nothing between bytes: `e4bda0`. The one-line form that
/// `xxd -r -p` and `arp parse` / `dns parse` read back.
pub fn hex_compact(bytes: &[u8]) -> String {
    hex_joined(bytes, "")
}

fn hex_joined(bytes: &[u8], separator: &str) -> String {
    let mut out = String::with_capacity(bytes.len() * (2 + separator.len()));
    for (index, byte) in bytes.iter().enumerate() {
        if index > 0 {
            out.push_str(separator);
        }
        out.push_str(&format!("{byte:02x}"));
    }
    out
}
