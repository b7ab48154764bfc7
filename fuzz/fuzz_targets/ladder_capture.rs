//! Any bytes as a capture file (`ladder FILE`): the pcap/pcapng reader, the decoders and
//! both drawings never panic; every read error prints; a drawing with few enough
//! columns to fit stays within 80 columns.
#![no_main]

use ladder::capture::{self, Reader};
use ladder::decode;
use ladder::draw::{self, Style};
use ladder::filter::Filter;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    // The frames before the first error, as a lenient reader would draw them.
    let frames: Vec<_> = match Reader::new(bytes) {
        Ok(reader) => reader
            .filter_map(|frame| frame.map_err(|error| error.to_string()).ok())
            .collect(),
        Err(error) => {
            let _ = error.to_string();
            return;
        }
    };
    if let Err(error) = capture::read_all(bytes) {
        let _ = error.to_string();
    }
    for filter in ["", "udp and port 69", "tcp and host 127.0.0.1", "arp"] {
        let filter = Filter::parse(filter).expect("a filter from the list above");
        let summary = decode::ladder(&frames, &filter);
        assert!(summary.shown + summary.skipped <= summary.frames);
        let ascii = draw::terminal(&summary.ladder, Style::Ascii);
        assert!(ascii.is_ascii());
        if summary.ladder.endpoints().len() <= 12 {
            for line in ascii.lines() {
                assert!(line.len() <= draw::WIDTH, "{line:?} is wider than 80 columns");
            }
        }
        let _ = draw::terminal(&summary.ladder, Style::Unicode);
        let _ = draw::mermaid(&summary.ladder);
    }
});
