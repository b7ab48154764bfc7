//! netascii (RFC 1350 text mode): decoding any bytes never panics; decoding what we
//! encoded gives the text back; and cutting the wire bytes into DATA blocks anywhere (a
//! CR LF split across two blocks) or reading the encoder through any buffer sizes gives
//! the same bytes as doing it in one go.
#![no_main]

use std::io::Read;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tftp::netascii::{self, Decoder, EncodeReader};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    /// Where the bytes are cut into blocks, and how big each read of the encoder is.
    cuts: &'a [u8],
    bytes: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let bytes = input.bytes;

    let decoded = netascii::decode(bytes);
    let encoded = netascii::encode(bytes);
    assert_eq!(netascii::decode(&encoded), bytes, "decode(encode(x)) != x");

    // The same decoding, block by block.
    let mut decoder = Decoder::new();
    let mut in_blocks = Vec::new();
    let mut rest = bytes;
    for &cut in input.cuts {
        let (block, tail) = rest.split_at(usize::from(cut).min(rest.len()));
        decoder.decode(block, &mut in_blocks);
        rest = tail;
    }
    decoder.decode(rest, &mut in_blocks);
    decoder.finish(&mut in_blocks);
    assert_eq!(in_blocks, decoded, "decoding in blocks differs");

    // The same encoding, read through buffers of the given sizes (1 and up).
    let mut reader = EncodeReader::new(bytes);
    let mut by_reads = Vec::new();
    let mut sizes = input.cuts.iter().map(|&size| usize::from(size).max(1));
    loop {
        let mut buffer = vec![0; sizes.next().unwrap_or(512)];
        let count = reader
            .read(&mut buffer)
            .expect("reading a slice cannot fail");
        if count == 0 {
            break;
        }
        by_reads.extend_from_slice(&buffer[..count]);
    }
    assert_eq!(by_reads, encoded, "encoding through small reads differs");
});
