//! Reading capture files: what `tcpdump -w` writes (classic pcap) and what `tshark -w` and
//! `dumpcap` write (pcapng), in either byte order.
//!
//! The reader only unwraps the file: it hands out each captured frame (its bytes, its
//! time, its link type) and leaves the frame itself to [`crate::decode`]. Every length in
//! the file is checked before it is used: a record longer than the file's snapshot length
//! or than [`MAX_FRAME`] is an error, and so is one that runs past the end of the file; the
//! error names the record and its byte offset, so `xxd -s OFFSET` shows the spot.
//!
//! Classic pcap (the pcap-savefile man page, draft-ietf-opsawg-pcap):
//!
//! ```text
//! file header, 24 bytes, in the writer's byte order:
//! | magic (4) a1b2c3d4 µs / a1b23c4d ns | major (2) = 2 | minor (2) = 4 |
//! | thiszone (4) | sigfigs (4) | snaplen (4) | link type (4) |
//! each record, 16 bytes then the frame:
//! | seconds (4) | µs or ns (4) | captured length (4) | original length (4) | frame ... |
//! ```
//!
//! pcapng (draft-ietf-opsawg-pcapng): a list of blocks, each
//!
//! ```text
//! | block type (4) | total length (4) | body ... | total length again (4) |
//! ```
//!
//! starting with a Section Header Block (type `0a0d0d0a`, whose byte-order magic
//! `1a2b3c4d` tells the byte order), Interface Description Blocks (type 1: link type,
//! snaplen, and the `if_tsresol` option saying what a timestamp counts), and Enhanced
//! (type 6) or Simple (type 3) Packet Blocks holding the frames. Other blocks (name
//! resolution, statistics, ...) are skipped by their length.

use std::fmt;
use std::ops::Range;
use std::time::Duration;

/// The largest frame the reader accepts: 256 KiB, the snapshot length tcpdump uses today.
pub const MAX_FRAME: usize = 256 * 1024;

/// What a frame starts with (the pcap "link type", LINKTYPE_* in pcap-linktype(7)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkType {
    /// 1: an Ethernet header (what `tcpdump -i lo` writes here, with zero MACs).
    Ethernet,
    /// 113: the Linux "cooked" header, version 1 (16 bytes).
    LinuxSll,
    /// 276: the Linux "cooked" header, version 2 (20 bytes; `tcpdump -i any`).
    LinuxSll2,
    /// Anything else, kept by number.
    Other(u32),
}

impl LinkType {
    pub fn from_number(number: u32) -> LinkType {
        match number {
            1 => LinkType::Ethernet,
            113 => LinkType::LinuxSll,
            276 => LinkType::LinuxSll2,
            other => LinkType::Other(other),
        }
    }

    pub fn number(self) -> u32 {
        match self {
            LinkType::Ethernet => 1,
            LinkType::LinuxSll => 113,
            LinkType::LinuxSll2 => 276,
            LinkType::Other(number) => number,
        }
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkType::Ethernet => write!(f, "Ethernet (1)"),
            LinkType::LinuxSll => write!(f, "LINUX_SLL (113)"),
            LinkType::LinuxSll2 => write!(f, "LINUX_SLL2 (276)"),
            LinkType::Other(number) => write!(f, "link type {number}"),
        }
    }
}

/// Which kind of file it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Classic pcap; `nanoseconds` for the `a1b23c4d` magic.
    Pcap { big_endian: bool, nanoseconds: bool },
    /// pcapng (its byte order may change from section to section).
    Pcapng,
}

/// One captured frame, borrowed from the file's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// 1 for the first frame of the file.
    pub number: u64,
    /// Byte offset of its record (pcap) or block (pcapng) in the file.
    pub offset: usize,
    /// When it was captured, since 1970 (as the file says; only differences matter here).
    pub at: Duration,
    /// What the bytes start with.
    pub link: LinkType,
    /// The bytes captured (at most the snapshot length).
    pub data: &'a [u8],
    /// How long the frame was on the wire (more than `data` when the capture cut it).
    pub original_length: u32,
}

/// A pcap record or a pcapng block, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Record,
    Block,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Record => "record",
            Unit::Block => "block",
        })
    }
}

/// Why a capture cannot be read. Each names where in the file it went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaptureError {
    /// The file is shorter than the smallest capture header.
    TooShort { length: usize },
    /// The first four bytes are neither a pcap nor a pcapng magic number.
    NotACapture { magic: [u8; 4] },
    /// A pcap version other than 2.x, or a pcapng section version other than 1.x.
    UnsupportedVersion { major: u16, minor: u16 },
    /// A record or block needs more bytes than the file has left.
    CutShort {
        unit: Unit,
        number: u64,
        offset: usize,
        wanted: usize,
        left: usize,
    },
    /// A record or block says its frame is longer than the snapshot length or
    /// [`MAX_FRAME`].
    TooLarge {
        unit: Unit,
        number: u64,
        offset: usize,
        length: usize,
        limit: usize,
    },
    /// A pcapng block length below 12 bytes or not a multiple of 4.
    BadBlockLength {
        number: u64,
        offset: usize,
        length: u32,
    },
    /// A pcapng block's closing length differs from its opening one.
    LengthMismatch {
        number: u64,
        offset: usize,
        first: u32,
        last: u32,
    },
    /// A pcapng section header whose byte-order magic is neither way round `1a2b3c4d`.
    BadByteOrder {
        number: u64,
        offset: usize,
        magic: [u8; 4],
    },
    /// A pcapng block too short for the fields its type must have.
    ShortBody {
        number: u64,
        offset: usize,
        kind: &'static str,
        needs: usize,
        has: usize,
    },
    /// A pcapng option runs past the end of its block.
    BadOption { number: u64, offset: usize },
    /// A pcapng packet names an interface no Interface Description Block described.
    UnknownInterface {
        number: u64,
        offset: usize,
        interface: u32,
    },
    /// An `if_tsresol` finer than this reader can count.
    UnsupportedTimeResolution {
        number: u64,
        offset: usize,
        value: u8,
    },
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::TooShort { length } => write!(
                f,
                "the file is {length} bytes long, too short for a capture's header (24 bytes)"
            ),
            CaptureError::NotACapture { magic } => write!(
                f,
                "not a pcap or pcapng capture (it starts with {:02x} {:02x} {:02x} {:02x})",
                magic[0], magic[1], magic[2], magic[3]
            ),
            CaptureError::UnsupportedVersion { major, minor } => {
                write!(f, "capture format version {major}.{minor} is not supported")
            }
            CaptureError::CutShort {
                unit,
                number,
                offset,
                wanted,
                left,
            } => write!(
                f,
                "{unit} {number} at byte {offset} is cut short (wants {wanted} bytes, {left} left)"
            ),
            CaptureError::TooLarge {
                unit,
                number,
                offset,
                length,
                limit,
            } => write!(
                f,
                "{unit} {number} at byte {offset} holds a {length}-byte frame, more than the \
                 limit of {limit} bytes"
            ),
            CaptureError::BadBlockLength {
                number,
                offset,
                length,
            } => write!(
                f,
                "block {number} at byte {offset} has length {length}, which is not a multiple \
                 of 4 of at least 12"
            ),
            CaptureError::LengthMismatch {
                number,
                offset,
                first,
                last,
            } => write!(
                f,
                "block {number} at byte {offset} says its length is {first} at its start \
                 and {last} at its end"
            ),
            CaptureError::BadByteOrder {
                number,
                offset,
                magic,
            } => write!(
                f,
                "block {number} at byte {offset} is a section header with byte-order magic \
                 {:02x}{:02x}{:02x}{:02x}, not 1a2b3c4d",
                magic[0], magic[1], magic[2], magic[3]
            ),
            CaptureError::ShortBody {
                number,
                offset,
                kind,
                needs,
                has,
            } => write!(
                f,
                "block {number} at byte {offset} ({kind}) has {has} bytes of body, fewer than \
                 the {needs} it needs"
            ),
            CaptureError::BadOption { number, offset } => write!(
                f,
                "block {number} at byte {offset} has an option that runs past its end"
            ),
            CaptureError::UnknownInterface {
                number,
                offset,
                interface,
            } => write!(
                f,
                "block {number} at byte {offset} is a packet on interface {interface}, which \
                 no interface description block described"
            ),
            CaptureError::UnsupportedTimeResolution {
                number,
                offset,
                value,
            } => write!(
                f,
                "block {number} at byte {offset} gives a time resolution (if_tsresol \
                 {value:#04x}) finer than this reader counts"
            ),
        }
    }
}

impl std::error::Error for CaptureError {}

/// The byte order of the file (or of the pcapng section).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

/// The field's `N` bytes as an array, or `None` past the end.
fn read_array<const N: usize>(bytes: &[u8], range: Range<usize>) -> Option<[u8; N]> {
    bytes.get(range)?.try_into().ok()
}

/// Reads the `u16` in `bytes[range]`, or `None` past the end.
fn read_u16(bytes: &[u8], range: Range<usize>, order: Order) -> Option<u16> {
    let field = read_array(bytes, range)?;
    Some(match order {
        Order::Little => u16::from_le_bytes(field),
        Order::Big => u16::from_be_bytes(field),
    })
}

/// Reads the `u32` in `bytes[range]`, or `None` past the end.
fn read_u32(bytes: &[u8], range: Range<usize>, order: Order) -> Option<u32> {
    let field = read_array(bytes, range)?;
    Some(match order {
        Order::Little => u32::from_le_bytes(field),
        Order::Big => u32::from_be_bytes(field),
    })
}

/// Byte ranges of the capture formats' headers, each counted from the start of its own
/// header (a pcapng block's body for the block kinds).
#[allow(dead_code)] // Whole headers, as the specifications draw them, with unread fields.
mod field {
    /// Classic pcap's file header.
    pub mod pcap_file {
        use std::ops::Range;
        /// Also where a pcapng file's first block type sits.
        pub const MAGIC: Range<usize> = 0..4;
        pub const MAJOR: Range<usize> = 4..6;
        pub const MINOR: Range<usize> = 6..8;
        pub const THISZONE: Range<usize> = 8..12;
        pub const SIGFIGS: Range<usize> = 12..16;
        pub const SNAPLEN: Range<usize> = 16..20;
        /// The link type in the low 16 bits; the high ones may say an FCS follows.
        pub const LINK_TYPE: Range<usize> = 20..24;
        pub const HEADER_LEN: usize = LINK_TYPE.end;
    }

    /// Classic pcap's record header, in front of each frame.
    pub mod pcap_record {
        use std::ops::Range;
        pub const SECONDS: Range<usize> = 0..4;
        /// Microseconds, or nanoseconds for the `a1b23c4d` magic.
        pub const FRACTION: Range<usize> = 4..8;
        pub const CAPTURED: Range<usize> = 8..12;
        pub const ORIGINAL: Range<usize> = 12..16;
        pub const HEADER_LEN: usize = ORIGINAL.end;
    }

    /// Every pcapng block: type, total length, body, total length again.
    pub mod block {
        use std::ops::Range;
        pub const TYPE: Range<usize> = 0..4;
        pub const LENGTH: Range<usize> = 4..8;
        pub const BODY: usize = LENGTH.end;
        /// The closing copy of the length, after the body.
        pub const TRAILER_LEN: usize = 4;
        /// Type, length, and the length again.
        pub const OVERHEAD: usize = BODY + TRAILER_LEN;
    }

    /// A section header block's body; options follow.
    pub mod section_header {
        use std::ops::Range;
        pub const BYTE_ORDER_MAGIC: Range<usize> = 0..4;
        pub const MAJOR: Range<usize> = 4..6;
        pub const MINOR: Range<usize> = 6..8;
        pub const SECTION_LENGTH: Range<usize> = 8..16;
        pub const BODY_LEN: usize = SECTION_LENGTH.end;
    }

    /// An interface description block's body; options follow.
    pub mod interface {
        use std::ops::Range;
        pub const LINK_TYPE: Range<usize> = 0..2;
        pub const RESERVED: Range<usize> = 2..4;
        pub const SNAPLEN: Range<usize> = 4..8;
        pub const BODY_LEN: usize = SNAPLEN.end;
    }

    /// An enhanced packet block's body; the frame follows.
    pub mod enhanced_packet {
        use std::ops::Range;
        pub const INTERFACE: Range<usize> = 0..4;
        pub const TIME_HIGH: Range<usize> = 4..8;
        pub const TIME_LOW: Range<usize> = 8..12;
        pub const CAPTURED: Range<usize> = 12..16;
        pub const ORIGINAL: Range<usize> = 16..20;
        pub const BODY_LEN: usize = ORIGINAL.end;
    }

    /// A simple packet block's body; the frame follows.
    pub mod simple_packet {
        use std::ops::Range;
        pub const ORIGINAL: Range<usize> = 0..4;
        pub const BODY_LEN: usize = ORIGINAL.end;
    }

    /// An option in a block's options list; the value is padded to 4 bytes.
    pub mod option {
        use std::ops::Range;
        pub const CODE: Range<usize> = 0..2;
        pub const LENGTH: Range<usize> = 2..4;
        pub const VALUE: usize = LENGTH.end;
        /// `if_tsresol`'s one byte of value.
        pub const TSRESOL: usize = 0;
    }
}

/// pcapng block types and numbers.
mod pcapng {
    pub const SECTION_HEADER: u32 = 0x0a0d_0d0a;
    pub const INTERFACE: u32 = 1;
    pub const SIMPLE_PACKET: u32 = 3;
    pub const ENHANCED_PACKET: u32 = 6;
    /// The section header's byte-order magic as the writer wrote it ...
    pub const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
    /// ... and as it reads in the other byte order.
    pub const BYTE_ORDER_MAGIC_SWAPPED: u32 = BYTE_ORDER_MAGIC.swap_bytes();

    pub const OPTION_END: u16 = 0;
    pub const OPTION_TSRESOL: u16 = 9;
}

/// What the reader knows about one pcapng interface.
#[derive(Clone, Copy, Debug)]
struct Interface {
    link: LinkType,
    /// The largest frame it may hold (its snaplen, within [`MAX_FRAME`]).
    limit: usize,
    /// How many timestamp units make a second.
    units_per_second: u128,
}

/// A pcapng timestamp (a count of `units_per_second`) as a duration.
fn duration_from_units(count: u64, units_per_second: u128) -> Duration {
    let nanos = u128::from(count) * 1_000_000_000 / units_per_second.max(1);
    // count < 2^64 and units_per_second >= 1, so the seconds fit in a u64.
    let seconds = u64::try_from(nanos / 1_000_000_000).unwrap_or(u64::MAX);
    Duration::new(seconds, (nanos % 1_000_000_000) as u32)
}

/// Where the reader is in which kind of file.
#[derive(Clone, Debug)]
enum State {
    Pcap {
        order: Order,
        nanoseconds: bool,
        link: LinkType,
        limit: usize,
    },
    Pcapng {
        order: Order,
        interfaces: Vec<Interface>,
        /// Blocks read so far (for error messages and numbering).
        blocks: u64,
        /// The last timestamp seen, given to simple packets, which carry none.
        last_at: Duration,
    },
}

/// Reads the frames of a capture held in memory, one at a time. After an error it
/// returns `None`.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    offset: usize,
    frames: u64,
    state: State,
    failed: bool,
}

impl<'a> Reader<'a> {
    /// Checks the file header and gets ready to read frames.
    pub fn new(bytes: &'a [u8]) -> Result<Reader<'a>, CaptureError> {
        let magic: [u8; 4] = match read_array(bytes, field::pcap_file::MAGIC) {
            Some(magic) => magic,
            None => {
                return Err(CaptureError::TooShort {
                    length: bytes.len(),
                });
            }
        };
        if u32::from_le_bytes(magic) == pcapng::SECTION_HEADER {
            // The section header block is the same bytes both ways round; it is read as
            // the first block, which sets the byte order.
            return Ok(Reader {
                bytes,
                offset: 0,
                frames: 0,
                state: State::Pcapng {
                    order: Order::Little,
                    interfaces: Vec::new(),
                    blocks: 0,
                    last_at: Duration::ZERO,
                },
                failed: false,
            });
        }
        let (order, nanoseconds) = match magic {
            [0xd4, 0xc3, 0xb2, 0xa1] => (Order::Little, false),
            [0xa1, 0xb2, 0xc3, 0xd4] => (Order::Big, false),
            [0x4d, 0x3c, 0xb2, 0xa1] => (Order::Little, true),
            [0xa1, 0xb2, 0x3c, 0x4d] => (Order::Big, true),
            _ => return Err(CaptureError::NotACapture { magic }),
        };
        if bytes.len() < field::pcap_file::HEADER_LEN {
            return Err(CaptureError::TooShort {
                length: bytes.len(),
            });
        }
        // The length is checked: every field of the header is there.
        let major = read_u16(bytes, field::pcap_file::MAJOR, order).unwrap_or(0);
        let minor = read_u16(bytes, field::pcap_file::MINOR, order).unwrap_or(0);
        if major != 2 {
            return Err(CaptureError::UnsupportedVersion { major, minor });
        }
        let snaplen = read_u32(bytes, field::pcap_file::SNAPLEN, order).unwrap_or(0) as usize;
        // The link type is the low 16 bits; the high ones may say an FCS follows frames.
        let link_type = read_u32(bytes, field::pcap_file::LINK_TYPE, order).unwrap_or(0);
        let link = LinkType::from_number(link_type & 0xffff);
        Ok(Reader {
            bytes,
            offset: field::pcap_file::HEADER_LEN,
            frames: 0,
            state: State::Pcap {
                order,
                nanoseconds,
                link,
                limit: frame_limit(snaplen),
            },
            failed: false,
        })
    }

    /// The kind of file (for pcapng, the byte order may differ between sections).
    pub fn format(&self) -> Format {
        match &self.state {
            State::Pcap {
                order, nanoseconds, ..
            } => Format::Pcap {
                big_endian: *order == Order::Big,
                nanoseconds: *nanoseconds,
            },
            State::Pcapng { .. } => Format::Pcapng,
        }
    }

    fn next_pcap_frame(&mut self) -> Option<Result<Frame<'a>, CaptureError>> {
        let State::Pcap {
            order,
            nanoseconds,
            link,
            limit,
        } = self.state
        else {
            return None;
        };
        let offset = self.offset;
        let left = self.bytes.len() - offset;
        if left == 0 {
            return None;
        }
        let number = self.frames + 1;
        let cut_short = |wanted| CaptureError::CutShort {
            unit: Unit::Record,
            number,
            offset,
            wanted,
            left,
        };
        if left < field::pcap_record::HEADER_LEN {
            return Some(Err(cut_short(field::pcap_record::HEADER_LEN)));
        }
        let record = &self.bytes[offset..];
        // The length is checked: every field of the record header is there.
        let read = |range| read_u32(record, range, order).unwrap_or(0);
        let seconds = read(field::pcap_record::SECONDS);
        let fraction = read(field::pcap_record::FRACTION);
        let captured = read(field::pcap_record::CAPTURED) as usize;
        let original_length = read(field::pcap_record::ORIGINAL);
        if captured > limit {
            return Some(Err(CaptureError::TooLarge {
                unit: Unit::Record,
                number,
                offset,
                length: captured,
                limit,
            }));
        }
        let wanted = field::pcap_record::HEADER_LEN + captured;
        if wanted > left {
            return Some(Err(cut_short(wanted)));
        }
        let data = &record[field::pcap_record::HEADER_LEN..wanted];
        let fraction = if nanoseconds {
            Duration::from_nanos(u64::from(fraction))
        } else {
            Duration::from_micros(u64::from(fraction))
        };
        // At most 2^32 seconds plus 2^32 µs: far from overflowing a Duration.
        let at = Duration::from_secs(u64::from(seconds)).saturating_add(fraction);
        self.offset += wanted;
        self.frames = number;
        Some(Ok(Frame {
            number,
            offset,
            at,
            link,
            data,
            original_length,
        }))
    }

    fn next_pcapng_frame(&mut self) -> Option<Result<Frame<'a>, CaptureError>> {
        loop {
            let offset = self.offset;
            let left = self.bytes.len() - offset;
            if left == 0 {
                return None;
            }
            let State::Pcapng {
                order,
                interfaces,
                blocks,
                last_at,
            } = &mut self.state
            else {
                return None;
            };
            *blocks += 1;
            let number = *blocks;
            let cut_short = |wanted| CaptureError::CutShort {
                unit: Unit::Block,
                number,
                offset,
                wanted,
                left,
            };
            let block = &self.bytes[offset..];
            if block.len() < field::block::OVERHEAD {
                return Some(Err(cut_short(field::block::OVERHEAD)));
            }
            // The length is checked: type, length and the 4 bytes after them are there.
            let block_type = read_u32(block, field::block::TYPE, Order::Little).unwrap_or(0);
            if block_type == pcapng::SECTION_HEADER {
                let body = &block[field::block::BODY..];
                let magic: [u8; 4] =
                    read_array(body, field::section_header::BYTE_ORDER_MAGIC).unwrap_or([0; 4]);
                *order = match u32::from_le_bytes(magic) {
                    pcapng::BYTE_ORDER_MAGIC => Order::Little,
                    pcapng::BYTE_ORDER_MAGIC_SWAPPED => Order::Big,
                    _ => {
                        return Some(Err(CaptureError::BadByteOrder {
                            number,
                            offset,
                            magic,
                        }));
                    }
                };
                interfaces.clear();
            }
            let order = *order;
            let block_type = read_u32(block, field::block::TYPE, order).unwrap_or(0);
            let length = read_u32(block, field::block::LENGTH, order).unwrap_or(0);
            if length < field::block::OVERHEAD as u32 || length % 4 != 0 {
                return Some(Err(CaptureError::BadBlockLength {
                    number,
                    offset,
                    length,
                }));
            }
            let length_usize = length as usize;
            if length_usize > left {
                return Some(Err(cut_short(length_usize)));
            }
            // length >= OVERHEAD, so the trailer starts after the type and length.
            let trailer = length_usize - field::block::TRAILER_LEN;
            let last = read_u32(block, trailer..length_usize, order).unwrap_or(0);
            if last != length {
                return Some(Err(CaptureError::LengthMismatch {
                    number,
                    offset,
                    first: length,
                    last,
                }));
            }
            let body = &block[field::block::BODY..trailer];
            self.offset += length_usize;
            let short = |kind, needs: usize| CaptureError::ShortBody {
                number,
                offset,
                kind,
                needs,
                has: body.len(),
            };
            match block_type {
                pcapng::SECTION_HEADER => {
                    if body.len() < field::section_header::BODY_LEN {
                        return Some(Err(short(
                            "section header",
                            field::section_header::BODY_LEN,
                        )));
                    }
                    let major = read_u16(body, field::section_header::MAJOR, order).unwrap_or(0);
                    let minor = read_u16(body, field::section_header::MINOR, order).unwrap_or(0);
                    if major != 1 {
                        return Some(Err(CaptureError::UnsupportedVersion { major, minor }));
                    }
                }
                pcapng::INTERFACE => {
                    if body.len() < field::interface::BODY_LEN {
                        return Some(Err(short(
                            "interface description",
                            field::interface::BODY_LEN,
                        )));
                    }
                    let link_type = read_u16(body, field::interface::LINK_TYPE, order);
                    let link = LinkType::from_number(u32::from(link_type.unwrap_or(0)));
                    let snaplen =
                        read_u32(body, field::interface::SNAPLEN, order).unwrap_or(0) as usize;
                    let options = &body[field::interface::BODY_LEN..];
                    let units_per_second = match time_resolution(options, order, number, offset) {
                        Ok(units) => units,
                        Err(error) => return Some(Err(error)),
                    };
                    interfaces.push(Interface {
                        link,
                        limit: frame_limit(snaplen),
                        units_per_second,
                    });
                }
                pcapng::ENHANCED_PACKET | pcapng::SIMPLE_PACKET => {
                    let enhanced = block_type == pcapng::ENHANCED_PACKET;
                    let (kind, fixed) = if enhanced {
                        ("enhanced packet", field::enhanced_packet::BODY_LEN)
                    } else {
                        ("simple packet", field::simple_packet::BODY_LEN)
                    };
                    if body.len() < fixed {
                        return Some(Err(short(kind, fixed)));
                    }
                    // The length is checked: the fixed fields of the body are there.
                    let read = |range| read_u32(body, range, order).unwrap_or(0);
                    let interface_id = if enhanced {
                        read(field::enhanced_packet::INTERFACE)
                    } else {
                        0
                    };
                    let Some(interface) = interfaces.get(interface_id as usize).copied() else {
                        return Some(Err(CaptureError::UnknownInterface {
                            number,
                            offset,
                            interface: interface_id,
                        }));
                    };
                    let room = body.len() - fixed;
                    let (at, captured, original_length) = if enhanced {
                        let high = u64::from(read(field::enhanced_packet::TIME_HIGH));
                        let low = u64::from(read(field::enhanced_packet::TIME_LOW));
                        let at = duration_from_units(high << 32 | low, interface.units_per_second);
                        (
                            at,
                            read(field::enhanced_packet::CAPTURED) as usize,
                            read(field::enhanced_packet::ORIGINAL),
                        )
                    } else {
                        // A simple packet has no captured length: it is the original
                        // length cut to the snaplen (and to what the block holds).
                        let original = read(field::simple_packet::ORIGINAL);
                        let captured = (original as usize).min(interface.limit).min(room);
                        (*last_at, captured, original)
                    };
                    if captured > interface.limit {
                        return Some(Err(CaptureError::TooLarge {
                            unit: Unit::Block,
                            number,
                            offset,
                            length: captured,
                            limit: interface.limit,
                        }));
                    }
                    if captured > room {
                        return Some(Err(CaptureError::CutShort {
                            unit: Unit::Block,
                            number,
                            offset,
                            wanted: captured,
                            left: room,
                        }));
                    }
                    *last_at = at;
                    self.frames += 1;
                    return Some(Ok(Frame {
                        number: self.frames,
                        offset,
                        at,
                        link: interface.link,
                        data: &body[fixed..fixed + captured],
                        original_length,
                    }));
                }
                // Name resolution, statistics, comments, ...: not needed for a ladder.
                _ => {}
            }
        }
    }
}

/// The snapshot length as a limit on frames: 0 means "no limit", which is [`MAX_FRAME`].
fn frame_limit(snaplen: usize) -> usize {
    if snaplen == 0 {
        MAX_FRAME
    } else {
        snaplen.min(MAX_FRAME)
    }
}

/// Timestamp units per second from an interface's options: the `if_tsresol` option
/// (a power of ten, or of two when its top bit is set), microseconds when absent.
fn time_resolution(
    mut options: &[u8],
    order: Order,
    number: u64,
    offset: usize,
) -> Result<u128, CaptureError> {
    let mut units = 1_000_000u128;
    while options.len() >= field::option::VALUE {
        // The length is checked: code and length are there.
        let code = read_u16(options, field::option::CODE, order).unwrap_or(0);
        let length = usize::from(read_u16(options, field::option::LENGTH, order).unwrap_or(0));
        if code == pcapng::OPTION_END {
            break;
        }
        let padded = length.div_ceil(4) * 4;
        let value_range = field::option::VALUE..field::option::VALUE + length;
        let Some(value) = options.get(value_range) else {
            return Err(CaptureError::BadOption { number, offset });
        };
        if code == pcapng::OPTION_TSRESOL && length == 1 {
            // The value is that one byte.
            let resolution = value.get(field::option::TSRESOL).copied().unwrap_or(0);
            let exponent = u32::from(resolution & 0x7f);
            let per_second = if resolution & 0x80 != 0 {
                1u128.checked_shl(exponent).filter(|_| exponent <= 64)
            } else {
                10u128.checked_pow(exponent).filter(|_| exponent <= 19)
            };
            units = per_second.ok_or(CaptureError::UnsupportedTimeResolution {
                number,
                offset,
                value: resolution,
            })?;
        }
        options = options.get(field::option::VALUE + padded..).unwrap_or(&[]);
    }
    Ok(units)
}

impl<'a> Iterator for Reader<'a> {
    type Item = Result<Frame<'a>, CaptureError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = match self.state {
            State::Pcap { .. } => self.next_pcap_frame(),
            State::Pcapng { .. } => self.next_pcapng_frame(),
        };
        if matches!(next, Some(Err(_))) {
            self.failed = true;
        }
        next
    }
}

/// Reads every frame of a capture, or the first error.
pub fn read_all(bytes: &[u8]) -> Result<Vec<Frame<'_>>, CaptureError> {
    Reader::new(bytes)?.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lengths_match_the_specifications() {
        assert_eq!(field::pcap_file::HEADER_LEN, 24);
        assert_eq!(field::pcap_record::HEADER_LEN, 16);
        assert_eq!(field::block::OVERHEAD, 12);
        assert_eq!(field::section_header::BODY_LEN, 16);
        assert_eq!(field::interface::BODY_LEN, 8);
        assert_eq!(field::enhanced_packet::BODY_LEN, 20);
        assert_eq!(field::simple_packet::BODY_LEN, 4);
        assert_eq!(pcapng::BYTE_ORDER_MAGIC_SWAPPED, 0x4d3c_2b1a);
    }
}
