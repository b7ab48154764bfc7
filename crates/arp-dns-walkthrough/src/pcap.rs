//! Classic libpcap capture files, so every frame we build opens in Wireshark/tshark
//! (`--pcap FILE`, `simulate --pcap-dir`, `visit --pcap-dir`). This module only writes
//! them; reading one back (what `tcpdump -w` writes, as `visit --netns` does) is the
//! course's one capture reader, [`ladder::capture`].
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
use std::io::{self, Write};
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
        let dir = testkit::Scratch::new("pcap-refused");
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
    }

    #[test]
    fn encoded_capture_reads_back_frame_by_frame() {
        // Read back by the course's capture reader, as Wireshark would read it.
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
        let bytes = encode(&records).unwrap();
        let frames = ladder::capture::read_all(&bytes).unwrap();
        assert_eq!(frames.len(), records.len());
        for (frame, record) in frames.iter().zip(&records) {
            assert_eq!(frame.link, ladder::capture::LinkType::Ethernet);
            assert_eq!(frame.at, std::time::Duration::from_micros(record.micros));
            assert_eq!(frame.data, record.frame.as_slice());
            assert_eq!(frame.original_length as usize, record.frame.len());
        }
    }
}
