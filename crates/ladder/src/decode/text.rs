//! Bytes from the wire shown as short, safe text in a label: a quoted preview of a
//! payload, a TFTP file name, HTTP's first line.

/// `"hello"`: the bytes as text between quotes, at most `max` characters of it (then
/// `...` after the closing quote). UTF-8 is shown as text; other bytes, control
/// characters, `"` and `\` are escaped, so the label stays one line.
pub fn quote(bytes: &[u8], max: usize) -> String {
    let mut out = String::from("\"");
    let mut shown = 0;
    let mut rest = bytes;
    let mut cut = false;
    while !rest.is_empty() {
        if shown >= max {
            cut = true;
            break;
        }
        let (text, bad) = match std::str::from_utf8(rest) {
            Ok(text) => (text, None),
            Err(error) => {
                let good = error.valid_up_to();
                // valid_up_to is a char boundary: the prefix is valid UTF-8.
                let text = std::str::from_utf8(&rest[..good]).unwrap_or("");
                (text, Some(good))
            }
        };
        for c in text.chars() {
            if shown >= max {
                cut = true;
                break;
            }
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
            shown += 1;
        }
        if cut {
            break;
        }
        match bad {
            Some(good) => {
                if shown >= max {
                    cut = true;
                    break;
                }
                out.push_str(&format!("\\x{:02x}", rest[good]));
                shown += 1;
                rest = &rest[good + 1..];
            }
            None => rest = &[],
        }
    }
    out.push('"');
    if cut {
        out.push_str("...");
    }
    out
}

/// The request or status line when `payload` starts an HTTP message
/// (`GET / HTTP/1.1`, `HTTP/1.0 200 OK`), else `None`.
pub fn http_first_line(payload: &[u8]) -> Option<String> {
    /// The most bytes looked at for the line's end.
    const MAX_LINE: usize = 200;
    /// The most characters of the line shown (then `...`).
    const SHOWN: usize = 60;
    const STARTS: [&[u8]; 10] = [
        b"GET ",
        b"POST ",
        b"HEAD ",
        b"PUT ",
        b"DELETE ",
        b"OPTIONS ",
        b"PATCH ",
        b"CONNECT ",
        b"TRACE ",
        b"HTTP/",
    ];
    if !STARTS.iter().any(|start| payload.starts_with(start)) {
        return None;
    }
    let end = payload
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(payload.len());
    let line = &payload[..end.min(MAX_LINE)];
    if !line.iter().all(|b| (0x20..0x7f).contains(b)) {
        return None;
    }
    let text: String = line.iter().take(SHOWN).map(|&b| char::from(b)).collect();
    if line.len() > SHOWN {
        Some(format!("{text}..."))
    } else {
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_controls_and_bad_utf8_and_cuts_long_text() {
        assert_eq!(quote(b"hi\n", 10), "\"hi\\n\"");
        assert_eq!(quote("你好".as_bytes(), 10), "\"你好\"");
        assert_eq!(quote(b"a\xffb", 10), "\"a\\xffb\"");
        assert_eq!(quote(b"abcdef", 3), "\"abc\"...");
    }

    #[test]
    fn http_first_line_of_request_and_response() {
        assert_eq!(
            http_first_line(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n").as_deref(),
            Some("GET /index.html HTTP/1.1")
        );
        assert_eq!(
            http_first_line(b"HTTP/1.0 200 OK\r\n").as_deref(),
            Some("HTTP/1.0 200 OK")
        );
        assert_eq!(http_first_line(b"hello"), None);
    }
}
