//! Classic libpcap capture files, so every frame we build opens in Wireshark/tshark,
//! and what `tcpdump -w` writes reads back here (the netns `visit` reads its capture).
//!
//! The pcap-savefile format (draft-ietf-opsawg-pcap §4, §5), written in our byte order
//! (little-endian here; readers tell the order from the magic number):
//!
//! ```text
//! global header, 24 bytes:
//! | magic a1b2c3d4 (4) | major 2 (2) | minor 4 (2) | thiszone 0 (4) | sigfigs 0 (4) |
//! | snaplen 65535 (4)  | link type 1 = Ethernet (4) |
//! then per frame, 16 bytes + the frame:
//! | ts_sec (4) | ts_usec (4) | captured length (4) | original length (4) | frame ... |
//! ```

use std::fmt;
use std::io::{self, Read, Write};
use std::path::Path;

/// Byte ranges of the global header, then of each record's header (counted from the
/// start of the record).
pub mod field {
    use std::ops::Range;
    pub const MAGIC: Range<usize> = 0..4;
    pub const VERSION_MAJOR: Range<usize> = 4..6;
    pub const VERSION_MINOR: Range<usize> = 6..8;
    pub const SNAPLEN: Range<usize> = 16..20;
    pub const LINK_TYPE: Range<usize> = 20..24;
    pub const GLOBAL_HEADER_LEN: usize = LINK_TYPE.end;
    pub const RECORD_SECONDS: Range<usize> = 0..4;
    pub const RECORD_MICROSECONDS: Range<usize> = 4..8;
    pub const RECORD_CAPTURED_LEN: Range<usize> = 8..12;
    pub const RECORD_ORIGINAL_LEN: Range<usize> = 12..16;
    pub const RECORD_HEADER_LEN: usize = RECORD_ORIGINAL_LEN.end;
}

pub const MAGIC_MICROSECONDS: u32 = 0xa1b2_c3d4;
/// The same format with nanosecond time stamps (`tcpdump --time-stamp-precision=nano`).
pub const MAGIC_NANOSECONDS: u32 = 0xa1b2_3c4d;
/// The first four bytes of a pcapng file (its Section Header Block type), which
/// `tshark -w` and Wireshark write by default.
pub const PCAPNG_BLOCK_TYPE: u32 = 0x0a0d_0d0a;
pub const LINKTYPE_ETHERNET: u32 = 1;
pub const SNAPLEN: u32 = 65_535;

/// One captured frame with its time stamp in microseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub micros: u64,
    pub frame: Vec<u8>,
}

/// Why records cannot be written into a capture file: the encoder refuses rather than
/// cut a length or a time down to its 32-bit field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A frame longer than the snapshot length the global header announces: readers
    /// refuse a record whose captured length is over it.
    FrameTooLong { length: usize, max: u32 },
    /// A time stamp past the last second the 32-bit `ts_sec` field holds
    /// (2106-02-07 06:28:15 UTC).
    TimeTooLate { micros: u64 },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::FrameTooLong { length, max } => write!(
                f,
                "a frame of {length} bytes does not fit a capture whose snapshot length is {max}"
            ),
            EncodeError::TimeTooLate { micros } => write!(
                f,
                "the time stamp {micros} µs after 1970 is past 2106, the last second a pcap file can hold"
            ),
        }
    }
}

impl std::error::Error for EncodeError {}

/// The bytes of a whole capture file holding `records`, or the first reason one of
/// them cannot be written.
pub fn encode(records: &[Record]) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC_MICROSECONDS.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // thiszone: times are UTC
    out.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
    out.extend_from_slice(&SNAPLEN.to_le_bytes());
    out.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
    for record in records {
        let length = u32::try_from(record.frame.len())
            .ok()
            .filter(|&length| length <= SNAPLEN)
            .ok_or(EncodeError::FrameTooLong {
                length: record.frame.len(),
                max: SNAPLEN,
            })?;
        let seconds =
            u32::try_from(record.micros / 1_000_000).map_err(|_| EncodeError::TimeTooLate {
                micros: record.micros,
            })?;
        // The remainder of a division by 1 000 000 is below 1 000 000: it fits.
        let micros = (record.micros % 1_000_000) as u32;
        out.extend_from_slice(&seconds.to_le_bytes());
        out.extend_from_slice(&micros.to_le_bytes());
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(&record.frame);
    }
    Ok(out)
}

/// Writes a capture file: first under a temporary name, renamed when complete, so a
/// half-written file never sits under the final name. Records [`encode`] refuses are an
/// `InvalidInput` error holding the [`EncodeError`], and nothing is written.
pub fn write_file(path: &Path, records: &[Record]) -> io::Result<()> {
    let bytes =
        encode(records).map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".part");
    let temporary = std::path::PathBuf::from(temporary);
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, path)
}

/// The longest frame record we read: tcpdump's default snapshot length (262 144
/// bytes). A longer length field means a corrupt file, not a real frame.
pub const MAX_RECORD_LEN: usize = 262_144;

/// The largest capture file [`read_file`] reads (a visit is a few kilobytes).
pub const MAX_FILE_LEN: u64 = 64 * 1024 * 1024;

/// Why bytes are not a capture we can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Fewer than the 24 bytes of the global header.
    HeaderTooShort { length: usize },
    /// A pcapng file: say how to get classic pcap instead.
    Pcapng,
    /// The first four bytes are no pcap magic number in either byte order.
    BadMagic { magic: u32 },
    /// A record's header or frame goes past the end of the file.
    TruncatedRecord { index: usize, offset: usize },
    /// A record claims more bytes than any snapshot length allows.
    RecordTooLong { index: usize, length: u32 },
    /// The file is bigger than [`MAX_FILE_LEN`].
    FileTooLong { length: u64 },
    /// The file could not be read.
    Io { path: String, error: String },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::HeaderTooShort { length } => write!(
                f,
                "{length} bytes is too short for a pcap file (the global header alone is 24)"
            ),
            ReadError::Pcapng => write!(
                f,
                "this is a pcapng file; write classic pcap with `tcpdump -w` or `tshark -F pcap -w`"
            ),
            ReadError::BadMagic { magic } => {
                write!(f, "magic number 0x{magic:08x} is not a pcap file's")
            }
            ReadError::TruncatedRecord { index, offset } => write!(
                f,
                "frame {} (at byte {offset}) is cut off: the file ends inside it",
                index + 1
            ),
            ReadError::RecordTooLong { index, length } => write!(
                f,
                "frame {} claims {length} bytes, more than {MAX_RECORD_LEN}: the file is corrupt",
                index + 1
            ),
            ReadError::FileTooLong { length } => write!(
                f,
                "the capture is {length} bytes, more than the {MAX_FILE_LEN} this reader takes"
            ),
            ReadError::Io { path, error } => write!(f, "reading {path}: {error}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// A capture file read back: its link type (1 is Ethernet) and its frames.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub link_type: u32,
    pub records: Vec<Record>,
}

/// Reads a whole capture file; a cut-off last frame is an error.
pub fn parse(bytes: &[u8]) -> Result<Capture, ReadError> {
    parse_records(bytes, false)
}

/// Reads the frames of a capture that is still being written (tcpdump `-U` writes
/// each frame as it comes): a cut-off last frame is left out rather than an error.
pub fn parse_written_so_far(bytes: &[u8]) -> Result<Capture, ReadError> {
    parse_records(bytes, true)
}

/// Reads a capture file from disk, at most [`MAX_FILE_LEN`] bytes.
pub fn read_file(path: &Path) -> Result<Capture, ReadError> {
    let io_error = |error: io::Error| ReadError::Io {
        path: path.display().to_string(),
        error: error.to_string(),
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_LEN + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_FILE_LEN {
        return Err(ReadError::FileTooLong {
            length: bytes.len() as u64,
        });
    }
    parse(&bytes)
}

fn parse_records(bytes: &[u8], partial_tail_ok: bool) -> Result<Capture, ReadError> {
    if bytes.len() >= 4
        && u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) == PCAPNG_BLOCK_TYPE
    {
        return Err(ReadError::Pcapng);
    }
    if bytes.len() < field::GLOBAL_HEADER_LEN {
        return Err(ReadError::HeaderTooShort {
            length: bytes.len(),
        });
    }
    // The writer's byte order shows in the magic number: read it as little-endian, and
    // if it comes out reversed the whole file is big-endian.
    let magic_bytes = [bytes[0], bytes[1], bytes[2], bytes[3]];
    let (big_endian, nanoseconds) = match u32::from_le_bytes(magic_bytes) {
        MAGIC_MICROSECONDS => (false, false),
        MAGIC_NANOSECONDS => (false, true),
        _ => match u32::from_be_bytes(magic_bytes) {
            MAGIC_MICROSECONDS => (true, false),
            MAGIC_NANOSECONDS => (true, true),
            magic => return Err(ReadError::BadMagic { magic }),
        },
    };
    let number = |at: std::ops::Range<usize>, from: &[u8]| {
        let four = [
            from[at.start],
            from[at.start + 1],
            from[at.start + 2],
            from[at.start + 3],
        ];
        if big_endian {
            u32::from_be_bytes(four)
        } else {
            u32::from_le_bytes(four)
        }
    };
    let link_type = number(field::LINK_TYPE, bytes);
    let mut records = Vec::new();
    let mut offset = field::GLOBAL_HEADER_LEN;
    while offset < bytes.len() {
        let index = records.len();
        let truncated = ReadError::TruncatedRecord { index, offset };
        let Some(header) = bytes.get(offset..offset + field::RECORD_HEADER_LEN) else {
            if partial_tail_ok {
                break;
            }
            return Err(truncated);
        };
        let captured = number(field::RECORD_CAPTURED_LEN, header);
        if captured as usize > MAX_RECORD_LEN {
            return Err(ReadError::RecordTooLong {
                index,
                length: captured,
            });
        }
        let start = offset + field::RECORD_HEADER_LEN;
        // At most MAX_RECORD_LEN past an index into the slice: no overflow.
        let end = start + captured as usize;
        let Some(frame) = bytes.get(start..end) else {
            if partial_tail_ok {
                break;
            }
            return Err(truncated);
        };
        let seconds = u64::from(number(field::RECORD_SECONDS, header));
        let fraction = u64::from(number(field::RECORD_MICROSECONDS, header));
        let fraction_micros = if nanoseconds {
            fraction / 1_000
        } else {
            fraction
        };
        // Both parts come from u32s: seconds * 10^6 + fraction stays far below u64::MAX.
        let micros = seconds * 1_000_000 + fraction_micros;
        records.push(Record {
            micros,
            frame: frame.to_vec(),
        });
        offset = end;
    }
    Ok(Capture { link_type, records })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_header_matches_the_one_tshark_read() {
        // lab-tools.md §1.8: d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000
        let bytes = encode(&[]).unwrap();
        assert_eq!(
            crate::hex(&bytes),
            concat!(
                "d4c3b2a1", "0200", "0400", // magic (little-endian), version 2.4
                "00000000", "00000000", // thiszone, sigfigs
                "ffff0000", "01000000", // snaplen 65535, link type 1 (Ethernet)
            )
        );
    }

    #[test]
    fn records_have_16_byte_headers() {
        let bytes = encode(&[Record {
            micros: 1_500_000,
            frame: vec![0xaa; 42],
        }])
        .unwrap();
        assert_eq!(bytes.len(), 24 + 16 + 42);
        let record = &bytes[field::GLOBAL_HEADER_LEN..];
        assert_eq!(&record[field::RECORD_SECONDS], &1u32.to_le_bytes());
        assert_eq!(
            &record[field::RECORD_MICROSECONDS],
            &500_000u32.to_le_bytes()
        );
    }

    #[test]
    fn a_frame_over_the_snapshot_length_is_refused_not_cut() {
        let frame = |length| Record {
            micros: 0,
            frame: vec![0; length],
        };
        assert!(encode(&[frame(65_535)]).is_ok());
        assert_eq!(
            encode(&[frame(65_536)]),
            Err(EncodeError::FrameTooLong {
                length: 65_536,
                max: 65_535,
            })
        );
    }

    #[test]
    fn a_time_past_2106_is_refused_not_cut() {
        let at = |micros| Record {
            micros,
            frame: Vec::new(),
        };
        let last_second = u64::from(u32::MAX) * 1_000_000;
        assert!(encode(&[at(last_second + 999_999)]).is_ok());
        assert_eq!(
            encode(&[at(last_second + 1_000_000)]),
            Err(EncodeError::TimeTooLate {
                micros: last_second + 1_000_000,
            })
        );
    }

    #[test]
    fn a_refused_capture_leaves_no_file() {
        let dir = std::env::temp_dir().join(format!("netlab-pcap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("refused.pcap");
        let error = write_file(
            &path,
            &[Record {
                micros: 0,
                frame: vec![0; 65_536],
            }],
        )
        .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(!path.exists());
        assert!(!dir.join("refused.pcap.part").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn encoded_capture_reads_back_frame_by_frame() {
        let records = vec![
            Record {
                micros: 1_767_225_600_000_001,
                frame: vec![1, 2, 3],
            },
            Record {
                micros: 1_767_225_600_500_000,
                frame: vec![0xff; 60],
            },
        ];
        let capture = parse(&encode(&records).unwrap()).unwrap();
        assert_eq!(capture.link_type, LINKTYPE_ETHERNET);
        assert_eq!(capture.records, records);
    }

    #[test]
    fn tcpdump_capture_is_read_record_by_record() {
        // tests/fixtures/visit-netns.pcap: tcpdump 4.99 -w on a veth, little-endian,
        // microseconds, snaplen 262144, Ethernet.
        let bytes = include_bytes!("../tests/fixtures/visit-netns.pcap");
        assert_eq!(&bytes[field::SNAPLEN], &262_144u32.to_le_bytes());
        let capture = parse(bytes).unwrap();
        assert_eq!(capture.link_type, LINKTYPE_ETHERNET);
        assert_eq!(capture.records.len(), 14);
        // Frame 1 at 1795649141.496048 s (2026-11-25 23:25:41 UTC): the ARP request, 42 bytes (not padded: captured as it was sent).
        assert_eq!(capture.records[0].frame.len(), 42);
        assert_eq!(capture.records[0].micros, 1_795_649_141_496_048);
        assert_eq!(&capture.records[0].frame[..6], &[0xff; 6]);
        // Cut anywhere inside the last frame: an error, or the frames before it.
        let cut = &bytes[..bytes.len() - 10];
        assert!(matches!(
            parse(cut),
            Err(ReadError::TruncatedRecord { index: 13, .. })
        ));
        assert_eq!(parse_written_so_far(cut).unwrap().records.len(), 13);
    }

    #[test]
    fn big_endian_nanosecond_capture_is_read() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&MAGIC_NANOSECONDS.to_be_bytes());
        bytes.extend_from_slice(&[0, 2, 0, 4]); // version 2.4
        bytes.extend_from_slice(&[0; 8]); // thiszone, sigfigs
        bytes.extend_from_slice(&262_144u32.to_be_bytes()); // snaplen
        bytes.extend_from_slice(&1u32.to_be_bytes()); // Ethernet
        bytes.extend_from_slice(&2u32.to_be_bytes()); // 2 s
        bytes.extend_from_slice(&1_500u32.to_be_bytes()); // 1500 ns
        bytes.extend_from_slice(&2u32.to_be_bytes()); // captured
        bytes.extend_from_slice(&2u32.to_be_bytes()); // original
        bytes.extend_from_slice(&[0xab, 0xcd]);
        let capture = parse(&bytes).unwrap();
        assert_eq!(capture.records[0].micros, 2_000_001);
        assert_eq!(capture.records[0].frame, vec![0xab, 0xcd]);
    }

    #[test]
    fn cut_off_frame_is_an_error_unless_the_file_is_still_being_written() {
        let mut bytes = encode(&[Record {
            micros: 0,
            frame: vec![7; 42],
        }])
        .unwrap();
        bytes.truncate(bytes.len() - 1);
        assert_eq!(
            parse(&bytes),
            Err(ReadError::TruncatedRecord {
                index: 0,
                offset: 24
            })
        );
        assert_eq!(parse_written_so_far(&bytes).unwrap().records, vec![]);
    }

    #[test]
    fn corrupt_headers_are_named() {
        assert_eq!(
            parse(&[0xd4, 0xc3]),
            Err(ReadError::HeaderTooShort { length: 2 })
        );
        assert_eq!(
            parse(&[0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]),
            Err(ReadError::Pcapng)
        );
        let mut bytes = encode(&[]).unwrap();
        bytes[0] = 0;
        assert!(matches!(parse(&bytes), Err(ReadError::BadMagic { .. })));
        let mut bytes = encode(&[Record {
            micros: 0,
            frame: vec![0; 4],
        }])
        .unwrap();
        let length = field::GLOBAL_HEADER_LEN + field::RECORD_CAPTURED_LEN.start;
        bytes[length..length + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            parse(&bytes),
            Err(ReadError::RecordTooLong {
                index: 0,
                length: u32::MAX
            })
        );
    }
}
