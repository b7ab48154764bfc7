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

/// Reads a `u16` at `at`, or `None` past the end.
fn read_u16(bytes: &[u8], at: usize, order: Order) -> Option<u16> {
    let field: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(match order {
        Order::Little => u16::from_le_bytes(field),
        Order::Big => u16::from_be_bytes(field),
    })
}

/// Reads a `u32` at `at`, or `None` past the end.
fn read_u32(bytes: &[u8], at: usize, order: Order) -> Option<u32> {
    let field: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(match order {
        Order::Little => u32::from_le_bytes(field),
        Order::Big => u32::from_be_bytes(field),
    })
}

/// Named offsets of the classic pcap headers.
mod pcap_field {
    pub const MAJOR: usize = 4;
    pub const MINOR: usize = 6;
    pub const SNAPLEN: usize = 16;
    pub const LINK_TYPE: usize = 20;
    pub const FILE_HEADER_LEN: usize = 24;

    pub const SECONDS: usize = 0;
    pub const FRACTION: usize = 4;
    pub const CAPTURED: usize = 8;
    pub const ORIGINAL: usize = 12;
    pub const RECORD_HEADER_LEN: usize = 16;
}

/// Named offsets and numbers of pcapng blocks (offsets from the start of the block).
mod pcapng_field {
    pub const TYPE: usize = 0;
    pub const LENGTH: usize = 4;
    pub const BODY: usize = 8;
    /// Type, length, and the length again.
    pub const OVERHEAD: usize = 12;

    pub const SECTION_HEADER: u32 = 0x0a0d_0d0a;
    pub const INTERFACE: u32 = 1;
    pub const SIMPLE_PACKET: u32 = 3;
    pub const ENHANCED_PACKET: u32 = 6;
    pub const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;

    /// In a section header's body: byte-order magic (4), major (2), minor (2), section
    /// length (8), then options.
    pub const SECTION_BODY_LEN: usize = 16;
    /// In an interface description's body: link type (2), reserved (2), snaplen (4).
    pub const INTERFACE_BODY_LEN: usize = 8;
    /// In an enhanced packet's body: interface (4), time high (4), time low (4),
    /// captured length (4), original length (4), then the frame.
    pub const ENHANCED_BODY_LEN: usize = 20;
    /// In a simple packet's body: original length (4), then the frame.
    pub const SIMPLE_BODY_LEN: usize = 4;

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
        let magic: [u8; 4] = match bytes.get(..4) {
            Some(magic) => [magic[0], magic[1], magic[2], magic[3]],
            None => {
                return Err(CaptureError::TooShort {
                    length: bytes.len(),
                });
            }
        };
        if u32::from_le_bytes(magic) == pcapng_field::SECTION_HEADER {
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
        if bytes.len() < pcap_field::FILE_HEADER_LEN {
            return Err(CaptureError::TooShort {
                length: bytes.len(),
            });
        }
        let field = |at| read_u32(bytes, at, order).unwrap_or(0);
        let major = read_u16(bytes, pcap_field::MAJOR, order).unwrap_or(0);
        let minor = read_u16(bytes, pcap_field::MINOR, order).unwrap_or(0);
        if major != 2 {
            return Err(CaptureError::UnsupportedVersion { major, minor });
        }
        let snaplen = field(pcap_field::SNAPLEN) as usize;
        // The link type is the low 16 bits; the high ones may say an FCS follows frames.
        let link = LinkType::from_number(field(pcap_field::LINK_TYPE) & 0xffff);
        Ok(Reader {
            bytes,
            offset: pcap_field::FILE_HEADER_LEN,
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
        if left < pcap_field::RECORD_HEADER_LEN {
            return Some(Err(cut_short(pcap_field::RECORD_HEADER_LEN)));
        }
        let field = |at: usize| read_u32(self.bytes, offset + at, order).unwrap_or(0);
        let seconds = field(pcap_field::SECONDS);
        let fraction = field(pcap_field::FRACTION);
        let captured = field(pcap_field::CAPTURED) as usize;
        let original_length = field(pcap_field::ORIGINAL);
        if captured > limit {
            return Some(Err(CaptureError::TooLarge {
                unit: Unit::Record,
                number,
                offset,
                length: captured,
                limit,
            }));
        }
        let wanted = pcap_field::RECORD_HEADER_LEN + captured;
        if wanted > left {
            return Some(Err(cut_short(wanted)));
        }
        let start = offset + pcap_field::RECORD_HEADER_LEN;
        let data = &self.bytes[start..start + captured];
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
            if block.len() < pcapng_field::OVERHEAD {
                return Some(Err(cut_short(pcapng_field::OVERHEAD)));
            }
            let block_type = read_u32(block, pcapng_field::TYPE, Order::Little).unwrap_or(0);
            if block_type == pcapng_field::SECTION_HEADER {
                let magic = &block[pcapng_field::BODY..pcapng_field::BODY + 4];
                *order = match u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]) {
                    pcapng_field::BYTE_ORDER_MAGIC => Order::Little,
                    0x4d3c_2b1a => Order::Big,
                    _ => {
                        return Some(Err(CaptureError::BadByteOrder {
                            number,
                            offset,
                            magic: [magic[0], magic[1], magic[2], magic[3]],
                        }));
                    }
                };
                interfaces.clear();
            }
            let order = *order;
            let block_type = read_u32(block, pcapng_field::TYPE, order).unwrap_or(0);
            let length = read_u32(block, pcapng_field::LENGTH, order).unwrap_or(0);
            if length < pcapng_field::OVERHEAD as u32 || length % 4 != 0 {
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
            let last = read_u32(block, length_usize - 4, order).unwrap_or(0);
            if last != length {
                return Some(Err(CaptureError::LengthMismatch {
                    number,
                    offset,
                    first: length,
                    last,
                }));
            }
            let body = &block[pcapng_field::BODY..length_usize - 4];
            self.offset += length_usize;
            let short = |kind, needs: usize| CaptureError::ShortBody {
                number,
                offset,
                kind,
                needs,
                has: body.len(),
            };
            match block_type {
                pcapng_field::SECTION_HEADER => {
                    if body.len() < pcapng_field::SECTION_BODY_LEN {
                        return Some(Err(short("section header", pcapng_field::SECTION_BODY_LEN)));
                    }
                    let major = read_u16(body, 4, order).unwrap_or(0);
                    let minor = read_u16(body, 6, order).unwrap_or(0);
                    if major != 1 {
                        return Some(Err(CaptureError::UnsupportedVersion { major, minor }));
                    }
                }
                pcapng_field::INTERFACE => {
                    if body.len() < pcapng_field::INTERFACE_BODY_LEN {
                        return Some(Err(short(
                            "interface description",
                            pcapng_field::INTERFACE_BODY_LEN,
                        )));
                    }
                    let link =
                        LinkType::from_number(u32::from(read_u16(body, 0, order).unwrap_or(0)));
                    let snaplen = read_u32(body, 4, order).unwrap_or(0) as usize;
                    let options = &body[pcapng_field::INTERFACE_BODY_LEN..];
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
                pcapng_field::ENHANCED_PACKET | pcapng_field::SIMPLE_PACKET => {
                    let enhanced = block_type == pcapng_field::ENHANCED_PACKET;
                    let (kind, fixed) = if enhanced {
                        ("enhanced packet", pcapng_field::ENHANCED_BODY_LEN)
                    } else {
                        ("simple packet", pcapng_field::SIMPLE_BODY_LEN)
                    };
                    if body.len() < fixed {
                        return Some(Err(short(kind, fixed)));
                    }
                    let field = |at| read_u32(body, at, order).unwrap_or(0);
                    let interface_id = if enhanced { field(0) } else { 0 };
                    let Some(interface) = interfaces.get(interface_id as usize).copied() else {
                        return Some(Err(CaptureError::UnknownInterface {
                            number,
                            offset,
                            interface: interface_id,
                        }));
                    };
                    let room = body.len() - fixed;
                    let (at, captured, original_length) = if enhanced {
                        let count = (u64::from(field(4)) << 32) | u64::from(field(8));
                        let at = duration_from_units(count, interface.units_per_second);
                        (at, field(12) as usize, field(16))
                    } else {
                        // A simple packet has no captured length: it is the original
                        // length cut to the snaplen (and to what the block holds).
                        let original = field(0);
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
    while options.len() >= 4 {
        let code = read_u16(options, 0, order).unwrap_or(0);
        let length = usize::from(read_u16(options, 2, order).unwrap_or(0));
        if code == pcapng_field::OPTION_END {
            break;
        }
        let padded = length.div_ceil(4) * 4;
        let Some(value) = options.get(4..4 + length) else {
            return Err(CaptureError::BadOption { number, offset });
        };
        if code == pcapng_field::OPTION_TSRESOL && length == 1 {
            let resolution = value[0];
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
        options = options.get(4 + padded..).unwrap_or(&[]);
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
