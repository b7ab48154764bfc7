//! DNS names both ways. From the wire: `read_name` at any offset of any bytes never
//! panics (pointer loops, pointers past the end, reserved label types) and what it
//! reads is bounded by the 255-byte limit. From the user: a name `name_labels` accepts is
//! written by `NameWriter` (compressed or not) and read back the same.
#![no_main]

use arbitrary::Arbitrary;
use arp_dns_walkthrough::dns::{MAX_NAME_LEN, NameWriter, name_labels, read_name};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    start: u16,
    first: &'a str,
    second: &'a str,
    wire: &'a [u8],
}

/// Labels that come back from the wire exactly as typed (see `label_text` in dns.rs:
/// other bytes are shown as `\DDD` escapes).
fn reads_back_as_typed(labels: &[String]) -> bool {
    labels.iter().all(|label| {
        label
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'\\')
    })
}

fuzz_target!(|input: Input<'_>| {
    if let Ok((name, next)) = read_name(input.wire, usize::from(input.start)) {
        assert!(next <= input.wire.len());
        assert!(next > usize::from(input.start));
        // Each byte of a label is at most 4 characters of text (`\DDD`).
        assert!(name.len() <= 4 * MAX_NAME_LEN);
    }

    let (Ok(first), Ok(second)) = (name_labels(input.first), name_labels(input.second)) else {
        return;
    };
    if !reads_back_as_typed(&first) || !reads_back_as_typed(&second) {
        return;
    }
    let text = |labels: &[String]| {
        if labels.is_empty() {
            ".".to_string()
        } else {
            labels.join(".")
        }
    };
    for compress in [false, true] {
        let mut writer = NameWriter::new(compress);
        // Some bytes before the names, like a header, so offsets are not zero.
        let mut out = vec![0xa5; 12];
        writer
            .write(input.first, &mut out)
            .expect("a checked name writes");
        let second_at = out.len();
        writer
            .write(input.second, &mut out)
            .expect("a checked name writes");
        let (read_first, after_first) = read_name(&out, 12).expect("first name reads");
        assert_eq!(read_first, text(&first), "compress {compress}");
        assert_eq!(after_first, second_at);
        let (read_second, end) = read_name(&out, second_at).expect("second name reads");
        // Compression matches suffixes case-insensitively, as DNS compares names.
        assert!(
            read_second.eq_ignore_ascii_case(&text(&second)),
            "compress {compress}: {read_second:?} for {:?}",
            input.second
        );
        assert_eq!(end, out.len());
    }
});
