//! The capture reader and the decoders against real captures made on a Debian 12 machine
//! (kept in `tests/fixtures/`), checked field by field, and against truncated and
//! corrupted copies of them made here.
//!
//! * `tftp-curl-lo.pcap`: `tcpdump -i lo -U --immediate-mode -w` while `curl
//!   tftp://127.0.0.1:48738/hello.txt` downloaded a 1305-byte file from `tftp serve`
//!   (classic pcap, little-endian, microseconds, Ethernet with zero MACs).
//! * `tcp-echo-any.pcap`: `tcpdump -i any` around `tcp-echo send` to `tcp-echo serve
//!   --once` (LINUX_SLL2): handshake, data both ways, the close.
//! * `udp-lo.pcapng`: `tshark -i lo -w` around two `udp-basic send`s (pcapng, written by
//!   dumpcap 4.0.17, `if_tsresol` 9: nanoseconds).

use std::time::Duration;

use ladder::Mark;
use ladder::capture::{self, CaptureError, Format, Frame, LinkType, Reader, Unit};
use ladder::decode::{self, Decoder, Protocol};
use ladder::draw::{self, Style};
use ladder::filter::Filter;

const TFTP_LO: &[u8] = include_bytes!("fixtures/tftp-curl-lo.pcap");
const TCP_ANY: &[u8] = include_bytes!("fixtures/tcp-echo-any.pcap");
const UDP_PCAPNG: &[u8] = include_bytes!("fixtures/udp-lo.pcapng");

fn read(bytes: &[u8]) -> Vec<Frame<'_>> {
    capture::read_all(bytes).unwrap_or_else(|error| panic!("reading the fixture: {error}"))
}

fn at(seconds: u64, nanos: u32) -> Duration {
    Duration::new(seconds, nanos)
}

/// (source, destination, label) of every packet.
fn arrows(bytes: &[u8]) -> Vec<(String, String, String)> {
    let mut decoder = Decoder::new();
    read(bytes)
        .iter()
        .map(|frame| {
            let packet = decoder.packet(frame).expect("every fixture frame decodes");
            (packet.source, packet.destination, packet.label)
        })
        .collect()
}

fn triple(source: &str, destination: &str, label: &str) -> (String, String, String) {
    (source.into(), destination.into(), label.into())
}

#[test]
fn tcpdump_loopback_pcap_is_little_endian_microseconds_ethernet() {
    let reader = Reader::new(TFTP_LO).unwrap();
    assert_eq!(
        reader.format(),
        Format::Pcap {
            big_endian: false,
            nanoseconds: false
        }
    );
    let frames = read(TFTP_LO);
    assert_eq!(frames.len(), 9);
    let first = &frames[0];
    assert_eq!(first.number, 1);
    assert_eq!(first.offset, 24, "right after the 24-byte file header");
    assert_eq!(first.link, LinkType::Ethernet);
    assert_eq!(first.at, at(1795648864, 853_184_000));
    assert_eq!(first.data.len(), 90);
    assert_eq!(first.original_length, 90);
    // Loopback: both MACs zero, EtherType IPv4.
    assert_eq!(
        &first.data[..14],
        &[0u8; 12].iter().chain(&[8, 0]).copied().collect::<Vec<_>>()[..]
    );
    let sizes: Vec<usize> = frames.iter().map(|frame| frame.data.len()).collect();
    assert_eq!(sizes, [90, 77, 46, 558, 46, 558, 46, 327, 46]);
    assert_eq!(frames[8].at, at(1795648864, 857_960_000));
    assert_eq!(frames[1].offset, 24 + 16 + 90);
}

#[test]
fn curl_tftp_download_decodes_to_rrq_oack_data_ack() {
    let (client, server, transfer) = ("127.0.0.1:46380", "127.0.0.1:48738", "127.0.0.1:40613");
    assert_eq!(
        arrows(TFTP_LO),
        [
            triple(
                client,
                server,
                "RRQ \"hello.txt\" octet tsize=0 blksize=512 timeout=6"
            ),
            triple(transfer, client, "OACK tsize=1305 blksize=512 timeout=6"),
            triple(client, transfer, "ACK 0"),
            triple(transfer, client, "DATA #1 (512 bytes)"),
            triple(client, transfer, "ACK 1"),
            triple(transfer, client, "DATA #2 (512 bytes)"),
            triple(client, transfer, "ACK 2"),
            triple(transfer, client, "DATA #3 (281 bytes)"),
            triple(client, transfer, "ACK 3"),
        ]
    );
}

#[test]
fn tcpdump_any_pcap_is_linux_sll2() {
    let frames = read(TCP_ANY);
    assert_eq!(frames.len(), 10);
    assert!(frames.iter().all(|frame| frame.link == LinkType::LinuxSll2));
    assert_eq!(frames[0].at, at(1795648873, 827_302_000));
    let sizes: Vec<usize> = frames.iter().map(|frame| frame.data.len()).collect();
    assert_eq!(sizes, [80, 80, 72, 83, 72, 72, 83, 72, 72, 72]);
    // The cooked header's protocol field: IPv4.
    assert_eq!(&frames[0].data[..2], &[0x08, 0x00]);
}

#[test]
fn tcp_exchange_has_flags_and_numbers_relative_to_each_isn() {
    let (client, server) = ("127.0.0.1:44150", "127.0.0.1:41735");
    assert_eq!(
        arrows(TCP_ANY),
        [
            triple(client, server, "SYN seq=0"),
            triple(server, client, "SYN+ACK seq=0 ack=1"),
            triple(client, server, "ACK seq=1 ack=1"),
            triple(client, server, "PSH+ACK seq=1 ack=1 len=11 \"hello, echo\""),
            triple(server, client, "ACK seq=1 ack=12"),
            triple(client, server, "FIN+ACK seq=12 ack=1"),
            triple(
                server,
                client,
                "PSH+ACK seq=1 ack=13 len=11 \"hello, echo\""
            ),
            triple(client, server, "ACK seq=13 ack=12"),
            triple(server, client, "FIN+ACK seq=12 ack=13"),
            triple(client, server, "ACK seq=13 ack=13"),
        ]
    );
}

#[test]
fn tshark_pcapng_with_nanosecond_resolution() {
    assert_eq!(Reader::new(UDP_PCAPNG).unwrap().format(), Format::Pcapng);
    let frames = read(UDP_PCAPNG);
    assert_eq!(frames.len(), 2);
    // Section header (164 bytes), interface description (88), then the first packet.
    assert_eq!(frames[0].offset, 164 + 88);
    assert_eq!(frames[0].link, LinkType::Ethernet);
    assert_eq!(frames[0].at, at(1795648879, 200_020_617));
    assert_eq!(frames[1].at, at(1795648879, 202_040_948));
    assert_eq!(frames[0].data.len(), 47);
    assert_eq!(frames[1].data.len(), 53);
    assert_eq!(
        arrows(UDP_PCAPNG),
        [
            triple(
                "127.0.0.1:59161",
                "127.0.0.1:49948",
                "UDP 5 bytes \"hello\""
            ),
            triple(
                "127.0.0.1:35618",
                "127.0.0.1:49948",
                "UDP 11 bytes \"你好, UDP\""
            ),
        ]
    );
}

#[test]
fn ladder_counts_time_from_the_first_arrow_and_marks_repeats() {
    let frames = read(TFTP_LO);
    // The same capture twice over: the second copy is all repeats.
    let twice: Vec<Frame<'_>> = frames.iter().chain(&frames).cloned().collect();
    let summary = decode::ladder(&twice, &Filter::default());
    assert_eq!(
        (summary.frames, summary.shown, summary.skipped),
        (18, 18, 0)
    );
    let arrows: Vec<_> = summary.ladder.arrows().collect();
    assert_eq!(arrows[0].at, Duration::ZERO);
    assert_eq!(arrows[1].at, Duration::from_micros(3783));
    assert!(arrows[..9].iter().all(|arrow| arrow.mark == Mark::Plain));
    assert!(arrows[9..].iter().all(|arrow| arrow.mark == Mark::Repeated));
    assert_eq!(summary.ladder.endpoints().len(), 3);
}

#[test]
fn filter_keeps_only_matching_packets() {
    let frames = read(TFTP_LO);
    let by_port = decode::ladder(&frames, &Filter::parse("udp and port 48738").unwrap());
    assert_eq!(by_port.shown, 1, "only the RRQ goes to the server's port");
    let tcp = decode::ladder(&frames, &Filter::parse("tcp").unwrap());
    assert_eq!(tcp.shown, 0);
    let host = decode::ladder(
        &read(TCP_ANY),
        &Filter::parse("tcp and host 127.0.0.1").unwrap(),
    );
    assert_eq!(host.shown, 10);
    let mut decoder = Decoder::new();
    let packet = decoder.packet(&read(TCP_ANY)[0]).unwrap();
    assert_eq!(packet.protocol, Protocol::Tcp);
}

/// Where a complete file could end: after its header and after each record or block.
fn boundaries(bytes: &[u8]) -> Vec<usize> {
    if bytes.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]) {
        let mut ends = vec![0];
        let mut offset = 0;
        while offset + 8 <= bytes.len() {
            let length = u32::from_le_bytes(bytes[offset + 4..offset + 8].try_into().unwrap());
            offset += length as usize;
            ends.push(offset);
        }
        ends
    } else {
        let mut ends = vec![24];
        ends.extend(
            read(bytes)
                .iter()
                .map(|frame| frame.offset + 16 + frame.data.len()),
        );
        ends
    }
}

/// Reads, decodes and draws whatever it is given: must never panic.
fn read_decode_draw(bytes: &[u8]) -> Result<String, CaptureError> {
    let frames = capture::read_all(bytes)?;
    let summary = decode::ladder(&frames, &Filter::default());
    Ok(draw::terminal(&summary.ladder, Style::Unicode) + &draw::mermaid(&summary.ladder))
}

#[test]
fn every_truncation_is_an_error_unless_it_ends_between_records() {
    for fixture in [TFTP_LO, TCP_ANY, UDP_PCAPNG] {
        let ends = boundaries(fixture);
        for length in 0..fixture.len() {
            let result = read_decode_draw(&fixture[..length]);
            if length < 200 && !ends.contains(&length) {
                let error = result.expect_err(&format!("cut at {length} bytes"));
                assert!(!error.to_string().is_empty());
            }
        }
    }
}

#[test]
fn cut_short_record_names_its_number_offset_and_sizes() {
    let frames = read(TFTP_LO);
    let last = &frames[8];
    let cut = &TFTP_LO[..TFTP_LO.len() - 26];
    let error = capture::read_all(cut).unwrap_err();
    assert_eq!(
        error,
        CaptureError::CutShort {
            unit: Unit::Record,
            number: 9,
            offset: last.offset,
            wanted: 16 + 46,
            left: 16 + 46 - 26,
        }
    );
    assert_eq!(
        error.to_string(),
        format!(
            "record 9 at byte {} is cut short (wants 62 bytes, 36 left)",
            last.offset
        )
    );
}

#[test]
fn record_longer_than_the_snapshot_length_is_refused() {
    let mut corrupt = TFTP_LO.to_vec();
    corrupt[24 + 8..24 + 12].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    assert_eq!(
        capture::read_all(&corrupt),
        Err(CaptureError::TooLarge {
            unit: Unit::Record,
            number: 1,
            offset: 24,
            length: 0x7fff_ffff,
            limit: 262_144,
        })
    );
    // A file whose snaplen is 100 refuses the 558-byte DATA frames.
    let mut small = TFTP_LO.to_vec();
    small[16..20].copy_from_slice(&100u32.to_le_bytes());
    assert!(matches!(
        capture::read_all(&small),
        Err(CaptureError::TooLarge {
            number: 4,
            limit: 100,
            ..
        })
    ));
}

#[test]
fn other_files_and_versions_are_refused() {
    assert_eq!(
        capture::read_all(b"<!DOCTYPE html>"),
        Err(CaptureError::NotACapture { magic: *b"<!DO" })
    );
    assert_eq!(
        capture::read_all(b""),
        Err(CaptureError::TooShort { length: 0 })
    );
    let mut version = TFTP_LO.to_vec();
    version[4] = 3;
    assert_eq!(
        capture::read_all(&version),
        Err(CaptureError::UnsupportedVersion { major: 3, minor: 4 })
    );
}

/// The classic fixture rewritten big-endian, and with the nanosecond magic.
fn rewrite_pcap(bytes: &[u8], big_endian: bool, nanoseconds: bool) -> Vec<u8> {
    let word = |value: u32| {
        if big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        }
    };
    let half = |value: u16| {
        if big_endian {
            value.to_be_bytes()
        } else {
            value.to_le_bytes()
        }
    };
    let le32 = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let mut out = Vec::new();
    out.extend(word(if nanoseconds {
        0xa1b2_3c4d
    } else {
        0xa1b2_c3d4
    }));
    out.extend(half(2));
    out.extend(half(4));
    for at in [8, 12, 16, 20] {
        out.extend(word(le32(at)));
    }
    let mut offset = 24;
    while offset < bytes.len() {
        let captured = le32(offset + 8) as usize;
        let fraction = le32(offset + 4) * if nanoseconds { 1000 } else { 1 };
        for value in [le32(offset), fraction, le32(offset + 8), le32(offset + 12)] {
            out.extend(word(value));
        }
        out.extend_from_slice(&bytes[offset + 16..offset + 16 + captured]);
        offset += 16 + captured;
    }
    out
}

#[test]
fn big_endian_and_nanosecond_pcaps_read_the_same() {
    let expected = read(TFTP_LO);
    for (big_endian, nanoseconds) in [(true, false), (false, true), (true, true)] {
        let rewritten = rewrite_pcap(TFTP_LO, big_endian, nanoseconds);
        assert_eq!(
            Reader::new(&rewritten).unwrap().format(),
            Format::Pcap {
                big_endian,
                nanoseconds
            }
        );
        assert_eq!(
            read(&rewritten),
            expected,
            "big-endian {big_endian}, ns {nanoseconds}"
        );
    }
}

/// A pcapng block in big-endian order: type, length, body (padded), length.
fn block_be(kind: u32, body: &[u8]) -> Vec<u8> {
    let padded = body.len().div_ceil(4) * 4;
    let length = (12 + padded) as u32;
    let mut out = Vec::new();
    out.extend(kind.to_be_bytes());
    out.extend(length.to_be_bytes());
    out.extend_from_slice(body);
    out.resize(8 + padded, 0);
    out.extend(length.to_be_bytes());
    out
}

/// A big-endian pcapng (as a big-endian machine's dumpcap writes it): section header,
/// an unknown block to skip, an interface with `if_tsresol` 3 (milliseconds), one
/// enhanced and one simple packet holding the fixture's RRQ frame.
fn big_endian_pcapng(tsresol: u8) -> Vec<u8> {
    let frame = read(TFTP_LO)[0].data.to_vec();
    let mut section = Vec::new();
    section.extend(0x1a2b_3c4du32.to_be_bytes());
    section.extend(1u16.to_be_bytes());
    section.extend(0u16.to_be_bytes());
    section.extend((-1i64).to_be_bytes());
    let mut interface = Vec::new();
    interface.extend(1u16.to_be_bytes()); // Ethernet
    interface.extend(0u16.to_be_bytes());
    interface.extend(0u32.to_be_bytes()); // snaplen 0: no limit
    interface.extend(9u16.to_be_bytes()); // if_tsresol
    interface.extend(1u16.to_be_bytes());
    interface.extend([tsresol, 0, 0, 0]);
    interface.extend([0, 0, 0, 0]); // end of options
    let mut enhanced = Vec::new();
    enhanced.extend(0u32.to_be_bytes()); // interface 0
    enhanced.extend(0u32.to_be_bytes()); // time, high
    enhanced.extend(1_500u32.to_be_bytes()); // time, low: 1500 ms
    enhanced.extend((frame.len() as u32).to_be_bytes());
    enhanced.extend((frame.len() as u32).to_be_bytes());
    enhanced.extend_from_slice(&frame);
    let mut simple = Vec::new();
    simple.extend((frame.len() as u32).to_be_bytes());
    simple.extend_from_slice(&frame);
    let mut file = block_be(0x0a0d_0d0a, &section);
    file.extend(block_be(0x0000_0bad, b"a block this reader does not know"));
    file.extend(block_be(1, &interface));
    file.extend(block_be(6, &enhanced));
    file.extend(block_be(3, &simple));
    file
}

#[test]
fn big_endian_pcapng_with_simple_packets_and_unknown_blocks() {
    let file = big_endian_pcapng(3);
    let frames = read(&file);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].at, Duration::from_millis(1500));
    assert_eq!(
        frames[1].at, frames[0].at,
        "a simple packet has no time of its own"
    );
    assert_eq!(frames[0].data, read(TFTP_LO)[0].data);
    assert_eq!(frames[1].data, frames[0].data);
    assert_eq!(frames[0].number, 1);
    assert_eq!(frames[1].number, 2);
}

#[test]
fn pcapng_damage_gets_a_named_error() {
    let good = big_endian_pcapng(3);
    // An absurd resolution: 10^127 units a second.
    assert!(matches!(
        capture::read_all(&big_endian_pcapng(0x7f)),
        Err(CaptureError::UnsupportedTimeResolution {
            number: 3,
            value: 0x7f,
            ..
        })
    ));
    // A block length that is not a multiple of 4.
    let mut odd = good.clone();
    odd[4..8].copy_from_slice(&13u32.to_be_bytes());
    assert!(matches!(
        capture::read_all(&odd),
        Err(CaptureError::BadBlockLength {
            number: 1,
            offset: 0,
            length: 13
        })
    ));
    // The closing length disagrees with the opening one.
    let section_length = u32::from_be_bytes(good[4..8].try_into().unwrap()) as usize;
    let mut mismatch = good.clone();
    mismatch[section_length - 1] ^= 4;
    assert!(matches!(
        capture::read_all(&mismatch),
        Err(CaptureError::LengthMismatch { number: 1, .. })
    ));
    // A byte-order magic that is neither way round.
    let mut order = good.clone();
    order[8] = 0x99;
    assert!(matches!(
        capture::read_all(&order),
        Err(CaptureError::BadByteOrder { number: 1, .. })
    ));
    // A packet on interface 7, which was never described.
    let packet_at = read(&good)[0].offset;
    let mut interface = good.clone();
    interface[packet_at + 8..packet_at + 12].copy_from_slice(&7u32.to_be_bytes());
    assert!(matches!(
        capture::read_all(&interface),
        Err(CaptureError::UnknownInterface {
            number: 4,
            interface: 7,
            ..
        })
    ));
    // A captured length beyond its block.
    let mut long = good.clone();
    long[packet_at + 20..packet_at + 24].copy_from_slice(&1000u32.to_be_bytes());
    assert!(matches!(
        capture::read_all(&long),
        Err(CaptureError::CutShort {
            unit: Unit::Block,
            number: 4,
            wanted: 1000,
            ..
        })
    ));
}

#[test]
fn flipped_bytes_never_panic() {
    for fixture in [TFTP_LO, TCP_ANY, UDP_PCAPNG] {
        for position in 0..fixture.len().min(400) {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut corrupt = fixture.to_vec();
                corrupt[position] ^= flip;
                let _ = read_decode_draw(&corrupt);
            }
        }
    }
}

#[test]
fn the_tcp_capture_draws_within_80_columns() {
    let summary = decode::ladder(&read(TCP_ANY), &Filter::default());
    let drawn = draw::terminal(&summary.ladder, Style::Unicode);
    assert!(
        drawn.lines().all(|line| line.chars().count() <= 80),
        "{drawn}"
    );
}
