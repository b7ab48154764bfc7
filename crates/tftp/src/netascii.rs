//! netascii, the text mode of RFC 1350 (defined by the Telnet spec, RFC 854).
//!
//! On the wire every line ends with CR LF, whatever the machines use locally, and a
//! bare carriage return is sent as CR NUL so it cannot be mistaken for a line end. Our
//! machines end lines with LF alone, so:
//!
//! | local byte | on the wire |
//! |---|---|
//! | LF `0a` | CR LF `0d 0a` |
//! | CR `0d` | CR NUL `0d 00` |
//! | anything else | unchanged |
//!
//! Two traps, both handled here: the wire form is longer than the file (so the size of
//! the transfer is not the size of the file), and a CR LF pair may be split across two
//! DATA blocks, so the decoder must remember a CR at the end of one block.

use std::io::{self, Read, Write};

/// Turns a local text file into netascii as it is read. A byte whose wire form is two
/// bytes may be split across two reads: the second waits in `pending`.
pub struct EncodeReader<R> {
    inner: R,
    pending: Option<u8>,
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
}

impl<R: Read> EncodeReader<R> {
    pub fn new(inner: R) -> EncodeReader<R> {
        EncodeReader {
            inner,
            pending: None,
            raw: vec![0; 16 * 1024],
            raw_start: 0,
            raw_end: 0,
        }
    }
}

impl<R: Read> Read for EncodeReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut written = 0;
        if out.is_empty() {
            return Ok(0);
        }
        if let Some(byte) = self.pending.take() {
            out[0] = byte;
            written = 1;
        }
        while written < out.len() {
            if self.raw_start == self.raw_end {
                self.raw_end = self.inner.read(&mut self.raw)?;
                self.raw_start = 0;
                if self.raw_end == 0 {
                    break;
                }
            }
            let byte = self.raw[self.raw_start];
            self.raw_start += 1;
            let (first, second) = match byte {
                b'\n' => (b'\r', Some(b'\n')),
                b'\r' => (b'\r', Some(0)),
                other => (other, None),
            };
            out[written] = first;
            written += 1;
            if let Some(second) = second {
                if written < out.len() {
                    out[written] = second;
                    written += 1;
                } else {
                    self.pending = Some(second);
                }
            }
        }
        Ok(written)
    }
}

/// Turns netascii from the wire back into local text, block by block.
#[derive(Debug, Default, Clone)]
pub struct Decoder {
    /// The previous block ended with a CR: its meaning depends on the next byte.
    after_cr: bool,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Appends the local form of `wire` to `out`: CR LF becomes LF, CR NUL becomes CR, and
    /// a CR at the very end is kept back until the next call (or [`Decoder::finish`]).
    /// A CR followed by anything else is kept as it is (lenient, like most servers).
    pub fn decode(&mut self, wire: &[u8], out: &mut Vec<u8>) {
        // exercise 4.2: begin
        for &byte in wire {
            if self.after_cr {
                self.after_cr = false;
                match byte {
                    b'\n' => out.push(b'\n'),
                    0 => out.push(b'\r'),
                    b'\r' => {
                        out.push(b'\r');
                        self.after_cr = true;
                    }
                    other => out.extend_from_slice(&[b'\r', other]),
                }
            } else if byte == b'\r' {
                self.after_cr = true;
            } else {
                out.push(byte);
            }
        }
        // exercise 4.2: end
    }

    /// The end of the transfer: a CR still waiting is written as it is.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if std::mem::take(&mut self.after_cr) {
            out.push(b'\r');
        }
    }
}

/// A writer that decodes netascii into `inner`.
pub struct DecodeWriter<W: Write> {
    inner: W,
    decoder: Decoder,
    scratch: Vec<u8>,
}

impl<W: Write> DecodeWriter<W> {
    pub fn new(inner: W) -> DecodeWriter<W> {
        DecodeWriter {
            inner,
            decoder: Decoder::new(),
            scratch: Vec::new(),
        }
    }
}

impl<W: Write> Write for DecodeWriter<W> {
    fn write(&mut self, wire: &[u8]) -> io::Result<usize> {
        self.scratch.clear();
        self.decoder.decode(wire, &mut self.scratch);
        self.inner.write_all(&self.scratch)?;
        Ok(wire.len())
    }

    /// Flushing is the end of the transfer for us: a trailing CR is written out.
    fn flush(&mut self) -> io::Result<()> {
        self.scratch.clear();
        self.decoder.finish(&mut self.scratch);
        self.inner.write_all(&self.scratch)?;
        self.inner.flush()
    }
}

/// The whole of `text` in netascii (for tests and small texts).
pub fn encode(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    // Reading from a slice cannot fail.
    let _ = EncodeReader::new(text).read_to_end(&mut out);
    out
}

/// The whole of `wire` decoded (for tests and small texts).
pub fn decode(wire: &[u8]) -> Vec<u8> {
    let mut decoder = Decoder::new();
    let mut out = Vec::new();
    decoder.decode(wire, &mut out);
    decoder.finish(&mut out);
    out
}

#[cfg(test)]
#[path = "exercise_tests/netascii.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_becomes_cr_lf_and_cr_becomes_cr_nul() {
        assert_eq!(encode(b"a\nb\rc\r\n"), b"a\r\nb\r\0c\r\0\r\n");
    }

    #[test]
    fn decode_reverses_encode() {
        let text = b"line one\nbare\rcr\r\nmixed\n\n\r\r\0end\r";
        assert_eq!(decode(&encode(text)), text);
    }

    #[test]
    fn encoder_splits_a_pair_across_small_reads() {
        let mut reader = EncodeReader::new(&b"\n\r\n"[..]);
        let mut out = Vec::new();
        let mut one = [0u8; 1];
        while reader.read(&mut one).unwrap() == 1 {
            out.push(one[0]);
        }
        assert_eq!(out, b"\r\n\r\0\r\n");
    }
}
