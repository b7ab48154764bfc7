//! Text on the wire (`--encoding LABEL`): any label is looked up or refused, any bytes
//! decode (with U+FFFD and a flag for what is invalid), and text that encodes decodes
//! back to the same text without errors.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wire_text::TextEncoding;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    label: &'a str,
    text: &'a str,
    bytes: &'a [u8],
}

/// A few labels the lessons use, so most inputs exercise a real encoding.
const LABELS: &[&str] = &[
    "utf-8",
    "gbk",
    "gb18030",
    "big5",
    "shift_jis",
    "euc-kr",
    "utf-16le",
    "utf-16be",
];

fuzz_target!(|input: Input<'_>| {
    let label = match input.label.bytes().next() {
        Some(pick) if usize::from(pick) < LABELS.len() => LABELS[usize::from(pick)],
        _ => input.label,
    };
    let encoding = match TextEncoding::for_label(label) {
        Ok(encoding) => encoding,
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };
    let decoded = encoding.decode(input.bytes);
    if decoded.had_errors {
        assert!(
            decoded.text.contains('\u{fffd}'),
            "an error shows as U+FFFD"
        );
    }
    match encoding.encode(input.text) {
        Ok(bytes) => {
            let back = encoding.decode(&bytes);
            assert!(
                !back.had_errors,
                "{}: our own bytes do not decode",
                encoding.name()
            );
            assert_eq!(back.text, input.text, "{}", encoding.name());
        }
        Err(error) => {
            let _ = error.to_string();
        }
    }
});
