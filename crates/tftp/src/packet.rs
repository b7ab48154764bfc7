//! The six TFTP packet formats, parsed from bytes and encoded back.
//!
//! Every TFTP packet starts with a 2-byte opcode in network byte order (big-endian).
//! RFC 1350 defines five packets; RFC 2347 adds a sixth, OACK, the server's answer to
//! options. Text fields (file name, mode, option names and values) end with a zero byte,
//! like C strings.
//!
//! ```text
//!  RRQ/WRQ  | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | ...
//!  DATA     | 03 | block # | data (0 .. blksize bytes)
//!  ACK      | 04 | block # |
//!  ERROR    | 05 | error code | message | 0 |
//!  OACK     | 06 | opt1 | 0 | value1 | 0 | ...
//! ```
//!
//! [`Packet::parse`] never panics: every way a datagram can be malformed is a named
//! [`ParseError`], so the server can answer it with the right ERROR packet.

use std::fmt;

/// Opcodes, RFC 1350 §5 and RFC 2347 (OACK).
pub mod opcode {
    pub const RRQ: u16 = 1;
    pub const WRQ: u16 = 2;
    pub const DATA: u16 = 3;
    pub const ACK: u16 = 4;
    pub const ERROR: u16 = 5;
    pub const OACK: u16 = 6;

    /// The packet's name as the RFCs write it, or `None` for a number that is no TFTP
    /// opcode.
    pub fn name(code: u16) -> Option<&'static str> {
        match code {
            RRQ => Some("RRQ"),
            WRQ => Some("WRQ"),
            DATA => Some("DATA"),
            ACK => Some("ACK"),
            ERROR => Some("ERROR"),
            OACK => Some("OACK"),
            _ => None,
        }
    }
}

/// Byte offsets shared by the formats.
pub mod field {
    use std::ops::Range;
    /// Every packet: the opcode.
    pub const OPCODE: Range<usize> = 0..2;
    /// DATA and ACK: the block number.
    pub const BLOCK: Range<usize> = 2..4;
    /// ERROR: the error code.
    pub const ERROR_CODE: Range<usize> = 2..4;
    /// DATA: where the payload starts.
    pub const DATA_PAYLOAD: usize = 4;
    /// ERROR: where the message starts.
    pub const ERROR_MESSAGE: usize = 4;
    /// RRQ, WRQ, OACK: where the first text field starts.
    pub const TEXT: usize = 2;
    /// The size of a DATA header, an ACK, and the smallest ERROR.
    pub const HEADER_LEN: usize = 4;
}

/// The largest block size RFC 2348 allows (a 65535-byte UDP payload minus IP and UDP
/// headers and the 4-byte DATA header).
pub const MAX_BLKSIZE: u16 = 65464;
/// The smallest block size RFC 2348 allows.
pub const MIN_BLKSIZE: u16 = 8;
/// RFC 1350's block size, used when no `blksize` option was agreed.
pub const DEFAULT_BLKSIZE: u16 = 512;

/// Why a datagram is not a valid TFTP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Fewer bytes than the smallest packet of this kind (`needed`).
    TooShort { len: usize, needed: usize },
    /// A number that is no TFTP opcode (not 1 to 6).
    UnknownOpcode(u16),
    /// A known opcode, but not the one this parser reads: `Ack::parse` given a DATA.
    /// ([`Packet::parse`] picks the parser from the opcode, so it never returns this.)
    WrongOpcode { expected: u16, found: u16 },
    /// A known opcode that is no request (3 to 6), given to [`Request::parse`], which
    /// reads two opcodes (RRQ and WRQ), so no single `expected` would be true.
    NotARequest { found: u16 },
    /// A text field (`field`) runs to the end of the datagram without its zero byte.
    MissingNul { field: &'static str },
    /// A text field that is not UTF-8 (names and options must be text).
    NotUtf8 { field: &'static str },
    /// A request with an empty file name.
    EmptyFilename,
    /// A mode other than `netascii`, `octet` or `mail`.
    UnknownMode(String),
    /// An option name with no value after it.
    OddOptionList { name: String },
    /// An ACK longer than 4 bytes.
    AckTooLong { len: usize },
    /// Bytes after the zero byte that ends an ERROR message.
    TrailingBytes { len: usize },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::TooShort { len, needed } => {
                write!(f, "packet too short: {len} bytes, needs at least {needed}")
            }
            ParseError::UnknownOpcode(code) => write!(f, "unknown opcode {code}"),
            ParseError::WrongOpcode { expected, found } => write!(
                f,
                "expected {}, found {}",
                described(*expected),
                described(*found)
            ),
            ParseError::NotARequest { found } => write!(
                f,
                "expected a request (an RRQ, opcode 1, or a WRQ, opcode 2), found {}",
                described(*found)
            ),
            ParseError::MissingNul { field } => {
                write!(f, "the {field} field has no terminating zero byte")
            }
            ParseError::NotUtf8 { field } => write!(f, "the {field} field is not UTF-8 text"),
            ParseError::EmptyFilename => write!(f, "the request names no file"),
            ParseError::UnknownMode(mode) => write!(f, "unknown transfer mode {mode:?}"),
            ParseError::OddOptionList { name } => {
                write!(f, "option {name:?} has no value")
            }
            ParseError::AckTooLong { len } => write!(f, "ACK of {len} bytes, must be 4"),
            ParseError::TrailingBytes { len } => {
                write!(f, "{len} unexpected bytes after the end of the packet")
            }
        }
    }
}

impl std::error::Error for ParseError {}

/// "an ACK (opcode 4)", with the article a reader says aloud ("an RRQ", "a WRQ", "a
/// DATA"); just "opcode 9" for a number that is no TFTP opcode.
fn described(code: u16) -> String {
    let Some(name) = opcode::name(code) else {
        return format!("opcode {code}");
    };
    let article = match code {
        opcode::WRQ | opcode::DATA => "a",
        _ => "an",
    };
    format!("{article} {name} (opcode {code})")
}

/// RFC 1350 §5 transfer modes. `mail` is obsolete: we parse it so we can refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Text: lines end with CR LF on the wire (see [`crate::netascii`]).
    Netascii,
    /// Raw bytes, unchanged.
    Octet,
    /// Deliver to a user's mailbox; no modern server does this.
    Mail,
}

impl Mode {
    /// The mode's name as it travels on the wire (lower case).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Netascii => "netascii",
            Mode::Octet => "octet",
            Mode::Mail => "mail",
        }
    }

    /// Mode names are case-insensitive (RFC 1350 §5: "NETASCII" and "netascii" are equal).
    pub fn from_name(name: &str) -> Option<Mode> {
        match name.to_ascii_lowercase().as_str() {
            "netascii" => Some(Mode::Netascii),
            "octet" => Some(Mode::Octet),
            "mail" => Some(Mode::Mail),
            _ => None,
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// RFC 1350 §5 and RFC 2347 error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// 0: see the message.
    NotDefined,
    /// 1
    FileNotFound,
    /// 2
    AccessViolation,
    /// 3
    DiskFull,
    /// 4
    IllegalOperation,
    /// 5: a packet from an address and port that is not part of this transfer.
    UnknownTransferId,
    /// 6
    FileExists,
    /// 7
    NoSuchUser,
    /// 8 (RFC 2347): the options offered are not acceptable; the transfer ends.
    OptionRejected,
    /// A code no RFC defines, kept so it can be shown.
    Unknown(u16),
}

impl ErrorCode {
    pub fn from_u16(code: u16) -> ErrorCode {
        match code {
            0 => ErrorCode::NotDefined,
            1 => ErrorCode::FileNotFound,
            2 => ErrorCode::AccessViolation,
            3 => ErrorCode::DiskFull,
            4 => ErrorCode::IllegalOperation,
            5 => ErrorCode::UnknownTransferId,
            6 => ErrorCode::FileExists,
            7 => ErrorCode::NoSuchUser,
            8 => ErrorCode::OptionRejected,
            other => ErrorCode::Unknown(other),
        }
    }

    pub fn to_u16(self) -> u16 {
        match self {
            ErrorCode::NotDefined => 0,
            ErrorCode::FileNotFound => 1,
            ErrorCode::AccessViolation => 2,
            ErrorCode::DiskFull => 3,
            ErrorCode::IllegalOperation => 4,
            ErrorCode::UnknownTransferId => 5,
            ErrorCode::FileExists => 6,
            ErrorCode::NoSuchUser => 7,
            ErrorCode::OptionRejected => 8,
            ErrorCode::Unknown(code) => code,
        }
    }

    /// RFC 1350's wording for the code.
    pub fn meaning(self) -> &'static str {
        match self {
            ErrorCode::NotDefined => "not defined",
            ErrorCode::FileNotFound => "file not found",
            ErrorCode::AccessViolation => "access violation",
            ErrorCode::DiskFull => "disk full or allocation exceeded",
            ErrorCode::IllegalOperation => "illegal TFTP operation",
            ErrorCode::UnknownTransferId => "unknown transfer ID",
            ErrorCode::FileExists => "file already exists",
            ErrorCode::NoSuchUser => "no such user",
            ErrorCode::OptionRejected => "option negotiation failed",
            ErrorCode::Unknown(_) => "unknown error code",
        }
    }
}

/// One option of a request or OACK (RFC 2347), as sent: names are case-insensitive, so
/// compare them with [`TftpOption::is`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TftpOption {
    pub name: String,
    pub value: String,
}

impl TftpOption {
    pub fn new(name: &str, value: impl ToString) -> TftpOption {
        TftpOption {
            name: name.to_string(),
            value: value.to_string(),
        }
    }

    /// True when this option is called `name` (ignoring case).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// Read or write: which way the file goes, seen from the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// RRQ: the client reads (downloads) a file from the server.
    Read,
    /// WRQ: the client writes (uploads) a file to the server.
    Write,
}

/// RRQ or WRQ, RFC 1350 §5 with RFC 2347 options:
///
/// ```text
///  2 bytes    string    1 byte   string   1 byte   string  1 byte  string  1 byte
/// +--------+----------+--------+--------+--------+--------+------+--------+------+
/// | 01/02  | filename |   0    |  mode  |   0    |  opt1  |  0   | value1 |  0   | ...
/// +--------+----------+--------+--------+--------+--------+------+--------+------+
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub direction: Direction,
    pub filename: String,
    pub mode: Mode,
    pub options: Vec<TftpOption>,
}

impl Request {
    pub fn parse(bytes: &[u8]) -> Result<Request, ParseError> {
        let direction = match read_opcode(bytes)? {
            opcode::RRQ => Direction::Read,
            opcode::WRQ => Direction::Write,
            other => return Err(not_a_request(other)),
        };
        let mut rest = &bytes[field::TEXT..];
        let filename = take_text(&mut rest, "filename")?;
        if filename.is_empty() {
            return Err(ParseError::EmptyFilename);
        }
        let mode_name = take_text(&mut rest, "mode")?;
        let mode = Mode::from_name(&mode_name).ok_or(ParseError::UnknownMode(mode_name))?;
        let options = take_options(rest)?;
        Ok(Request {
            direction,
            filename,
            mode,
            options,
        })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        let code = match self.direction {
            Direction::Read => opcode::RRQ,
            Direction::Write => opcode::WRQ,
        };
        out.extend_from_slice(&code.to_be_bytes());
        put_text(out, &self.filename);
        put_text(out, self.mode.as_str());
        put_options(out, &self.options);
    }

    /// The value of option `name` (case-insensitive); the first wins if sent twice.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|option| option.is(name))
            .map(|option| option.value.as_str())
    }
}

/// DATA, RFC 1350 §5: the payload borrows from the datagram, so receiving copies nothing.
///
/// ```text
///  2 bytes    2 bytes    n bytes (n < blksize only in the last block)
/// +--------+----------+-----------+
/// |   03   |  block # |   data    |
/// +--------+----------+-----------+
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Data<'a> {
    pub block: u16,
    pub payload: &'a [u8],
}

impl<'a> Data<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Data<'a>, ParseError> {
        expect_opcode(bytes, opcode::DATA)?;
        let block = read_block(bytes)?;
        Ok(Data {
            block,
            payload: &bytes[field::DATA_PAYLOAD..],
        })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        encode_data_header(out, self.block);
        out.extend_from_slice(self.payload);
    }
}

/// Writes just the 4-byte DATA header; the sender then reads the file straight into the
/// buffer after it, which saves a copy per block.
pub fn encode_data_header(out: &mut Vec<u8>, block: u16) {
    out.extend_from_slice(&opcode::DATA.to_be_bytes());
    out.extend_from_slice(&block.to_be_bytes());
}

/// ACK, RFC 1350 §5:
///
/// ```text
///  2 bytes    2 bytes
/// +--------+----------+
/// |   04   |  block # |
/// +--------+----------+
/// ```
/// Block 0 acknowledges a WRQ (or an OACK, RFC 2347).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    pub block: u16,
}

impl Ack {
    pub fn parse(bytes: &[u8]) -> Result<Ack, ParseError> {
        // exercise 4.1: begin
        expect_opcode(bytes, opcode::ACK)?;
        let block = read_block(bytes)?;
        if bytes.len() > field::HEADER_LEN {
            return Err(ParseError::AckTooLong { len: bytes.len() });
        }
        Ok(Ack { block })
        // exercise 4.1: end
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&opcode::ACK.to_be_bytes());
        out.extend_from_slice(&self.block.to_be_bytes());
    }
}

/// ERROR, RFC 1350 §5:
///
/// ```text
///  2 bytes    2 bytes      string     1 byte
/// +--------+------------+----------+--------+
/// |   05   | error code |  errmsg  |   0    |
/// +--------+------------+----------+--------+
/// ```
/// The message is for people; we accept a missing final zero byte (some senders forget
/// it) and decode non-UTF-8 bytes as U+FFFD rather than lose the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPacket {
    pub code: ErrorCode,
    pub message: String,
}

impl ErrorPacket {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorPacket {
        ErrorPacket {
            code,
            message: message.into(),
        }
    }

    pub fn parse(bytes: &[u8]) -> Result<ErrorPacket, ParseError> {
        expect_opcode(bytes, opcode::ERROR)?;
        let code = read_u16(bytes, field::ERROR_CODE)?;
        let text = &bytes[field::ERROR_MESSAGE..];
        let message = match text.iter().position(|&b| b == 0) {
            Some(end) if end + 1 != text.len() => {
                return Err(ParseError::TrailingBytes {
                    len: text.len() - end - 1,
                });
            }
            Some(end) => &text[..end],
            None => text,
        };
        Ok(ErrorPacket {
            code: ErrorCode::from_u16(code),
            message: String::from_utf8_lossy(message).into_owned(),
        })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&opcode::ERROR.to_be_bytes());
        out.extend_from_slice(&self.code.to_u16().to_be_bytes());
        put_text(out, &self.message);
    }
}

impl fmt::Display for ErrorPacket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error {} ({})", self.code.to_u16(), self.code.meaning())?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// OACK, RFC 2347: the options the server accepted, with the values it will use.
///
/// ```text
///  2 bytes   string   1 byte  string  1 byte
/// +-------+---------+-------+--------+------+
/// |  06   |  opt1   |   0   | value1 |  0   | ...
/// +-------+---------+-------+--------+------+
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oack {
    pub options: Vec<TftpOption>,
}

impl Oack {
    pub fn parse(bytes: &[u8]) -> Result<Oack, ParseError> {
        expect_opcode(bytes, opcode::OACK)?;
        let options = take_options(&bytes[field::TEXT..])?;
        Ok(Oack { options })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&opcode::OACK.to_be_bytes());
        put_options(out, &self.options);
    }
}

/// Any TFTP packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet<'a> {
    Request(Request),
    Data(Data<'a>),
    Ack(Ack),
    Error(ErrorPacket),
    Oack(Oack),
}

impl<'a> Packet<'a> {
    /// Reads the opcode and parses the packet it announces.
    pub fn parse(bytes: &'a [u8]) -> Result<Packet<'a>, ParseError> {
        match read_opcode(bytes)? {
            opcode::RRQ | opcode::WRQ => Request::parse(bytes).map(Packet::Request),
            opcode::DATA => Data::parse(bytes).map(Packet::Data),
            opcode::ACK => Ack::parse(bytes).map(Packet::Ack),
            opcode::ERROR => ErrorPacket::parse(bytes).map(Packet::Error),
            opcode::OACK => Oack::parse(bytes).map(Packet::Oack),
            other => Err(ParseError::UnknownOpcode(other)),
        }
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Packet::Request(request) => request.encode(out),
            Packet::Data(data) => data.encode(out),
            Packet::Ack(ack) => ack.encode(out),
            Packet::Error(error) => error.encode(out),
            Packet::Oack(oack) => oack.encode(out),
        }
    }
}

/// One line per packet for `--trace`, as DESIGN.md shows them:
/// `RRQ "hello.txt" octet blksize=1468`, `DATA #1 512 bytes`, `ACK #1`.
impl fmt::Display for Packet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Packet::Request(request) => {
                let kind = match request.direction {
                    Direction::Read => "RRQ",
                    Direction::Write => "WRQ",
                };
                write!(f, "{kind} {:?} {}", request.filename, request.mode)?;
                write_options(f, &request.options)
            }
            Packet::Data(data) => write!(f, "DATA #{} {} bytes", data.block, data.payload.len()),
            Packet::Ack(ack) => write!(f, "ACK #{}", ack.block),
            Packet::Error(error) => write!(
                f,
                "ERROR {} {:?}",
                error.code.to_u16(),
                error.message.as_str()
            ),
            Packet::Oack(oack) => {
                f.write_str("OACK")?;
                write_options(f, &oack.options)
            }
        }
    }
}

fn write_options(f: &mut fmt::Formatter<'_>, options: &[TftpOption]) -> fmt::Result {
    for option in options {
        write!(f, " {}={}", option.name, option.value)?;
    }
    Ok(())
}

fn read_u16(bytes: &[u8], range: std::ops::Range<usize>) -> Result<u16, ParseError> {
    match bytes.get(range.clone()) {
        Some(&[high, low]) => Ok(u16::from_be_bytes([high, low])),
        _ => Err(ParseError::TooShort {
            len: bytes.len(),
            needed: range.end,
        }),
    }
}

fn read_opcode(bytes: &[u8]) -> Result<u16, ParseError> {
    read_u16(bytes, field::OPCODE)
}

fn read_block(bytes: &[u8]) -> Result<u16, ParseError> {
    read_u16(bytes, field::BLOCK)
}

/// Reads the opcode and checks it is `wanted`. A known opcode in the wrong place
/// (`WrongOpcode`) and a number that is no opcode at all (`UnknownOpcode`) are different
/// mistakes: the first is a packet sent at the wrong moment, the second is not TFTP.
fn expect_opcode(bytes: &[u8], wanted: u16) -> Result<(), ParseError> {
    let found = read_opcode(bytes)?;
    if found == wanted {
        Ok(())
    } else if opcode::name(found).is_some() {
        Err(ParseError::WrongOpcode {
            expected: wanted,
            found,
        })
    } else {
        Err(ParseError::UnknownOpcode(found))
    }
}

/// The error for an opcode other than RRQ and WRQ at the start of a request.
fn not_a_request(found: u16) -> ParseError {
    if opcode::name(found).is_some() {
        ParseError::NotARequest { found }
    } else {
        ParseError::UnknownOpcode(found)
    }
}

/// Takes one zero-terminated text field off the front of `rest`.
fn take_text(rest: &mut &[u8], field: &'static str) -> Result<String, ParseError> {
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or(ParseError::MissingNul { field })?;
    let text = std::str::from_utf8(&rest[..end]).map_err(|_| ParseError::NotUtf8 { field })?;
    *rest = &rest[end + 1..];
    Ok(text.to_string())
}

/// Reads `name 0 value 0` pairs to the end of the datagram.
fn take_options(mut rest: &[u8]) -> Result<Vec<TftpOption>, ParseError> {
    let mut options = Vec::new();
    while !rest.is_empty() {
        let name = take_text(&mut rest, "option name")?;
        if rest.is_empty() {
            return Err(ParseError::OddOptionList { name });
        }
        let value = take_text(&mut rest, "option value")?;
        options.push(TftpOption { name, value });
    }
    Ok(options)
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
    out.push(0);
}

fn put_options(out: &mut Vec<u8>, options: &[TftpOption]) {
    for option in options {
        put_text(out, &option.name);
        put_text(out, &option.value);
    }
}

#[cfg(test)]
#[path = "exercise_tests/packet.rs"]
mod exercise_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// The request of RFC 2348's example: read "foobar" in octet mode with blksize 1428.
    const RRQ_FIXTURE: &[u8] = &[
        0x00, 0x01, // opcode 1: RRQ
        b'f', b'o', b'o', b'b', b'a', b'r', 0x00, // filename "foobar"
        b'o', b'c', b't', b'e', b't', 0x00, // mode "octet"
        b'b', b'l', b'k', b's', b'i', b'z', b'e', 0x00, // option name "blksize"
        b'1', b'4', b'2', b'8', 0x00, // value "1428"
    ];

    /// A DATA packet: block 1 with "hi\n", captured from in.tftpd (tftpd-hpa 5.2) serving
    /// a 3-byte file.
    const DATA_FIXTURE: &[u8] = &[
        0x00, 0x03, // opcode 3: DATA
        0x00, 0x01, // block 1
        b'h', b'i', b'\n', // payload
    ];

    /// The ERROR in.tftpd (tftpd-hpa 5.2) sends for a missing file, captured.
    const ERROR_FIXTURE: &[u8] = &[
        0x00, 0x05, // opcode 5: ERROR
        0x00, 0x01, // code 1: file not found
        b'F', b'i', b'l', b'e', b' ', b'n', b'o', b't', b' ', b'f', b'o', b'u', b'n', b'd',
        0x00, // message "File not found"
    ];

    /// The OACK of RFC 2348's example.
    const OACK_FIXTURE: &[u8] = &[
        0x00, 0x06, // opcode 6: OACK
        b'b', b'l', b'k', b's', b'i', b'z', b'e', 0x00, // "blksize"
        b'1', b'4', b'2', b'8', 0x00, // "1428"
    ];

    /// Encodes into a buffer pre-filled with 0xa5, so a byte never written shows up.
    fn encoded(packet: &Packet<'_>) -> Vec<u8> {
        let mut out = vec![0xa5; 3];
        packet.encode(&mut out);
        assert_eq!(&out[..3], &[0xa5; 3], "encode must append, not overwrite");
        out.split_off(3)
    }

    #[test]
    fn rrq_fixture_parses_field_by_field() {
        let Packet::Request(request) = Packet::parse(RRQ_FIXTURE).unwrap() else {
            panic!("not a request");
        };
        assert_eq!(request.direction, Direction::Read);
        assert_eq!(request.filename, "foobar");
        assert_eq!(request.mode, Mode::Octet);
        assert_eq!(request.options, vec![TftpOption::new("blksize", 1428)]);
        assert_eq!(request.option("BLKSIZE"), Some("1428"));
    }

    #[test]
    fn rrq_fixture_encodes_to_the_same_bytes() {
        let request = Request {
            direction: Direction::Read,
            filename: "foobar".into(),
            mode: Mode::Octet,
            options: vec![TftpOption::new("blksize", 1428)],
        };
        assert_eq!(encoded(&Packet::Request(request)), RRQ_FIXTURE);
    }

    #[test]
    fn data_fixture_round_trips() {
        let packet = Packet::parse(DATA_FIXTURE).unwrap();
        assert_eq!(
            packet,
            Packet::Data(Data {
                block: 1,
                payload: b"hi\n"
            })
        );
        assert_eq!(encoded(&packet), DATA_FIXTURE);
    }

    #[test]
    fn empty_data_is_the_end_of_an_exact_multiple() {
        let packet = Packet::parse(&[0, 3, 0xff, 0xff]).unwrap();
        assert_eq!(
            packet,
            Packet::Data(Data {
                block: 65535,
                payload: b""
            })
        );
    }

    #[test]
    fn ack_parses_and_encodes() {
        let packet = Packet::parse(&[0, 4, 0x01, 0x02]).unwrap();
        assert_eq!(packet, Packet::Ack(Ack { block: 258 }));
        assert_eq!(encoded(&packet), [0, 4, 1, 2]);
    }

    #[test]
    fn error_fixture_round_trips() {
        let packet = Packet::parse(ERROR_FIXTURE).unwrap();
        assert_eq!(
            packet,
            Packet::Error(ErrorPacket::new(ErrorCode::FileNotFound, "File not found"))
        );
        assert_eq!(encoded(&packet), ERROR_FIXTURE);
    }

    #[test]
    fn error_without_final_nul_is_accepted() {
        let packet = Packet::parse(&[0, 5, 0, 2, b'n', b'o']).unwrap();
        assert_eq!(
            packet,
            Packet::Error(ErrorPacket::new(ErrorCode::AccessViolation, "no"))
        );
    }

    #[test]
    fn oack_fixture_round_trips() {
        let packet = Packet::parse(OACK_FIXTURE).unwrap();
        assert_eq!(
            packet,
            Packet::Oack(Oack {
                options: vec![TftpOption::new("blksize", 1428)]
            })
        );
        assert_eq!(encoded(&packet), OACK_FIXTURE);
    }

    #[test]
    fn mode_names_are_case_insensitive() {
        let request = Request::parse(b"\x00\x02f\x00NetASCII\x00").unwrap();
        assert_eq!(request.direction, Direction::Write);
        assert_eq!(request.mode, Mode::Netascii);
        assert_eq!(
            Request::parse(b"\x00\x01f\x00MAIL\x00").unwrap().mode,
            Mode::Mail
        );
    }

    #[test]
    fn every_malformed_case_is_a_named_error() {
        let cases: &[(&[u8], ParseError)] = &[
            (b"", ParseError::TooShort { len: 0, needed: 2 }),
            (b"\x00", ParseError::TooShort { len: 1, needed: 2 }),
            (b"\x00\x03\x00", ParseError::TooShort { len: 3, needed: 4 }),
            (b"\x00\x04\x00", ParseError::TooShort { len: 3, needed: 4 }),
            (b"\x00\x05\x00", ParseError::TooShort { len: 3, needed: 4 }),
            (b"\x00\x07\x00\x01", ParseError::UnknownOpcode(7)),
            (b"\x00\x00", ParseError::UnknownOpcode(0)),
            (
                b"\x00\x01file",
                ParseError::MissingNul { field: "filename" },
            ),
            (
                b"\x00\x01file\x00octet",
                ParseError::MissingNul { field: "mode" },
            ),
            (b"\x00\x01\x00octet\x00", ParseError::EmptyFilename),
            (
                b"\x00\x01\xff\xfe\x00octet\x00",
                ParseError::NotUtf8 { field: "filename" },
            ),
            (
                b"\x00\x01f\x00binary\x00",
                ParseError::UnknownMode("binary".into()),
            ),
            (
                b"\x00\x01f\x00octet\x00blksize\x00",
                ParseError::OddOptionList {
                    name: "blksize".into(),
                },
            ),
            (
                b"\x00\x01f\x00octet\x00blksize\x001024",
                ParseError::MissingNul {
                    field: "option value",
                },
            ),
            (
                b"\x00\x06tsize",
                ParseError::MissingNul {
                    field: "option name",
                },
            ),
            (
                b"\x00\x06\xc3\x28\x00x\x00",
                ParseError::NotUtf8 {
                    field: "option name",
                },
            ),
            (b"\x00\x04\x00\x01\x00", ParseError::AckTooLong { len: 5 }),
            (
                b"\x00\x05\x00\x01oops\x00junk",
                ParseError::TrailingBytes { len: 4 },
            ),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                Packet::parse(bytes).as_ref(),
                Err(expected),
                "parsing {bytes:?}"
            );
        }
    }

    #[test]
    fn every_typed_parser_names_a_known_but_wrong_opcode() {
        let wrong = |expected, found| ParseError::WrongOpcode { expected, found };
        assert_eq!(
            Data::parse(&[0, 4, 0, 1]),
            Err(wrong(opcode::DATA, opcode::ACK))
        );
        assert_eq!(
            Ack::parse(DATA_FIXTURE),
            Err(wrong(opcode::ACK, opcode::DATA))
        );
        assert_eq!(
            ErrorPacket::parse(OACK_FIXTURE),
            Err(wrong(opcode::ERROR, opcode::OACK))
        );
        assert_eq!(
            Oack::parse(ERROR_FIXTURE),
            Err(wrong(opcode::OACK, opcode::ERROR))
        );
        assert_eq!(
            Oack::parse(RRQ_FIXTURE),
            Err(wrong(opcode::OACK, opcode::RRQ))
        );
    }

    #[test]
    fn request_parser_names_a_known_opcode_that_is_no_request() {
        assert_eq!(
            Request::parse(DATA_FIXTURE),
            Err(ParseError::NotARequest {
                found: opcode::DATA
            })
        );
        assert_eq!(
            Request::parse(OACK_FIXTURE),
            Err(ParseError::NotARequest {
                found: opcode::OACK
            })
        );
    }

    #[test]
    fn typed_parsers_keep_unknown_opcode_for_numbers_no_rfc_defines() {
        for code in [0u16, 7, 9, 65535] {
            let [high, low] = code.to_be_bytes();
            let bytes = [high, low, 0, 1, b'x', 0, b'y', 0];
            let unknown = Some(ParseError::UnknownOpcode(code));
            assert_eq!(Request::parse(&bytes).err(), unknown, "Request, {code}");
            assert_eq!(Data::parse(&bytes).err(), unknown, "Data, {code}");
            assert_eq!(Ack::parse(&bytes).err(), unknown, "Ack, {code}");
            assert_eq!(ErrorPacket::parse(&bytes).err(), unknown, "Error, {code}");
            assert_eq!(Oack::parse(&bytes).err(), unknown, "Oack, {code}");
            assert_eq!(Packet::parse(&bytes).err(), unknown, "Packet, {code}");
        }
    }

    #[test]
    fn wrong_opcode_reads_as_a_sentence() {
        let wrong = |expected, found| ParseError::WrongOpcode { expected, found }.to_string();
        assert_eq!(
            wrong(opcode::ACK, opcode::DATA),
            "expected an ACK (opcode 4), found a DATA (opcode 3)"
        );
        assert_eq!(
            wrong(opcode::DATA, opcode::OACK),
            "expected a DATA (opcode 3), found an OACK (opcode 6)"
        );
        assert_eq!(
            wrong(opcode::ERROR, opcode::WRQ),
            "expected an ERROR (opcode 5), found a WRQ (opcode 2)"
        );
        assert_eq!(
            ParseError::NotARequest { found: 5 }.to_string(),
            "expected a request (an RRQ, opcode 1, or a WRQ, opcode 2), found an ERROR (opcode 5)"
        );
        assert_eq!(ParseError::UnknownOpcode(9).to_string(), "unknown opcode 9");
    }

    #[test]
    fn parse_never_panics_on_any_short_prefix() {
        for fixture in [RRQ_FIXTURE, DATA_FIXTURE, ERROR_FIXTURE, OACK_FIXTURE] {
            for end in 0..=fixture.len() {
                let _ = Packet::parse(&fixture[..end]);
            }
        }
    }

    #[test]
    fn trace_lines_read_like_the_design() {
        let request = Request::parse(b"\x00\x01hello.txt\x00octet\x00blksize\x001468\x00").unwrap();
        assert_eq!(
            Packet::Request(request).to_string(),
            "RRQ \"hello.txt\" octet blksize=1468"
        );
        assert_eq!(
            Packet::parse(DATA_FIXTURE).unwrap().to_string(),
            "DATA #1 3 bytes"
        );
        assert_eq!(Packet::Ack(Ack { block: 1 }).to_string(), "ACK #1");
    }
}
