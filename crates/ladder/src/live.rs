//! The ladder of a program's own exchange, drawn row by row as it happens (`--ladder`),
//! or collected and drawn as a mermaid `sequenceDiagram` at the end (`--ladder
//! --mermaid`).
//!
//! [`Live`] only turns events into text; the program decides where the text goes.
//! netlab's binaries do not use it directly: they reach it through `say::Trace`, which
//! keeps one `Live` per process and writes its text on **stderr**, so a program's stdout
//! (its readiness line, its results) is the same with or without `--ladder`. The mermaid
//! diagram goes to stderr as well, once, when the program ends.
//!
//! # Adding `--ladder` to a binary
//!
//! 1. The flags, beside `--trace` in the clap struct:
//!
//!    ```text
//!    /// Draw the exchange as a ladder on stderr, one arrow per packet, as wide as the
//!    /// terminal (80 columns when stderr is not a terminal).
//!    #[arg(long, global = true)]
//!    ladder: bool,
//!    /// With --ladder: print a mermaid sequenceDiagram at the end instead.
//!    #[arg(long, global = true, requires = "ladder")]
//!    mermaid: bool,
//!    ```
//!
//! 2. One line in `main`, where the `Trace` is made:
//!
//!    ```text
//!    let trace = say::Trace::new(cli.trace)
//!        .with_ladder(say::LadderMode::from_flags(cli.ladder, cli.mermaid));
//!    ```
//!
//!    and end `main` with `say::finish(result)` (it prints the mermaid diagram, also on an
//!    error exit); a `main` that does not use it calls `say::finish_ladder()`. A server
//!    that a signal ends without returning from `main` prints no diagram: give it
//!    `--count`/`--once` for `--mermaid`, or turn the signal into an error as `tftp
//!    serve` does.
//!
//! 3. Where the program sends or receives a packet, one call with both ends and the
//!    packet's summary, next to its `trace.call(..)` line:
//!
//!    ```text
//!    trace.packet(local, peer, format_args!("{}", summary), say::Mark::Plain);
//!    ```
//!
//!    `Mark::Retransmitted` for a packet sent again after a timeout, `Mark::Repeated` for
//!    a duplicate received, `Mark::Lost` where the program knows a packet went missing;
//!    `trace.note(local, format_args!("timeout"))` for a note on a column. Endpoints that
//!    are not socket addresses (a MAC address, `host`) use `packet_between`/`note_on`.
//!
//! # The live drawing
//!
//! ```text
//!     time  127.0.0.1:40000                                        127.0.0.1:7788
//!                  │                                                      │
//!   0.000s         │───────────────── "hello" (5 bytes) ─────────────────►│
//! ```
//!
//! The drawing is as wide as the terminal stderr is (`say::Trace` asks
//! [`crate::width::of_stderr`] and passes it to [`Live::with_width`]), between
//! [`draw::MIN_WIDTH`] and [`draw::MAX_WIDTH`] columns, so that it fits one of two
//! terminals side by side; when stderr is a file or a pipe it is 80 columns wide.
//!
//! Columns come in order of first appearance. Rows already printed cannot move, so when
//! a new endpoint appears mid-exchange (a TFTP server's transfer port), the drawing says
//! `new endpoint: 127.0.0.1:6000` and prints a fresh header with every column so far; the
//! rows below it follow the new header, the rows above their own.

use std::time::Duration;

use crate::diagram::{Ladder, Mark, Step};
use crate::draw::{self, LiveLayout, Style};

/// What a live ladder prints: rows as they happen, or a mermaid diagram at the end.
enum Output {
    Terminal(Style),
    Mermaid,
}

/// A ladder filled in as an exchange happens; every method returns the text to print now.
pub struct Live {
    output: Output,
    /// How many columns the terminal drawing may use.
    width: usize,
    ladder: Ladder,
    /// The column plan of the last header printed (terminal only).
    layout: Option<LiveLayout>,
    /// True once [`Live::finish`] has given out its text.
    finished: bool,
}

impl Live {
    /// Draws each row as it comes, in `style`, [`draw::WIDTH`] (80) columns wide; see
    /// [`Live::with_width`] for a terminal of another width.
    pub fn terminal(style: Style) -> Live {
        Live {
            output: Output::Terminal(style),
            width: draw::WIDTH,
            ladder: Ladder::new(),
            layout: None,
            finished: false,
        }
    }

    /// Collects the exchange and draws it as a mermaid `sequenceDiagram` at [`Live::finish`].
    pub fn mermaid() -> Live {
        Live {
            output: Output::Mermaid,
            width: draw::WIDTH,
            ladder: Ladder::new(),
            layout: None,
            finished: false,
        }
    }

    /// The same drawing, `columns` wide (brought within [`draw::MIN_WIDTH`] and
    /// [`draw::MAX_WIDTH`]): the width of the terminal it is printed on
    /// ([`crate::width::of_stderr`]). A mermaid diagram has no width and ignores it.
    pub fn with_width(self, columns: usize) -> Live {
        Live {
            width: draw::clamp_width(columns),
            ..self
        }
    }

    /// One packet from `from` to `to`, `at` the time since the start. Returns the rows to
    /// print now (a header first when an endpoint is new; nothing in mermaid mode).
    pub fn arrow(&mut self, at: Duration, from: &str, to: &str, label: &str, mark: Mark) -> String {
        let known = self.ladder.endpoints().len();
        self.ladder.arrow(at, from, to, label, mark);
        self.draw_last(known)
    }

    /// A note on the column of `on` (`timeout`). Returns the rows to print now.
    pub fn note(&mut self, at: Duration, on: &str, text: &str) -> String {
        let known = self.ladder.endpoints().len();
        self.ladder.note(at, on, text);
        self.draw_last(known)
    }

    /// Ends the drawing: the whole mermaid diagram in mermaid mode (once; empty after
    /// that), nothing for the terminal, whose rows are already out.
    pub fn finish(&mut self) -> String {
        if self.finished {
            return String::new();
        }
        self.finished = true;
        match self.output {
            Output::Terminal(_) => String::new(),
            Output::Mermaid => draw::mermaid(&self.ladder),
        }
    }

    /// Everything seen so far.
    pub fn ladder(&self) -> &Ladder {
        &self.ladder
    }

    /// The text for the step just added; `known` is how many endpoints there were before.
    fn draw_last(&mut self, known: usize) -> String {
        let Output::Terminal(style) = self.output else {
            return String::new();
        };
        let mut out = String::new();
        let endpoints = self.ladder.endpoints();
        if self.layout.is_none() || endpoints.len() > known {
            if self.layout.is_some() {
                for name in &endpoints[known..] {
                    out.push_str(&format!("new endpoint: {name}\n"));
                }
            }
            let layout = draw::live_layout(endpoints, style, self.width);
            out.push_str(&draw::live_header(&layout, style));
            self.layout = Some(layout);
        }
        if let (Some(layout), Some(step)) = (&self.layout, self.ladder.steps().last()) {
            out.push_str(&draw::live_step(layout, step, style));
        }
        out
    }
}

/// The same arrow on the same two columns is the same packet again: a caller that does
/// not know better can ask this to choose between [`Mark::Plain`] and [`Mark::Repeated`].
pub fn seen_before(ladder: &Ladder, from: &str, to: &str, label: &str) -> bool {
    let endpoints = ladder.endpoints();
    let column = |name: &str| endpoints.iter().position(|known| known == name);
    let (Some(from), Some(to)) = (column(from), column(to)) else {
        return false;
    };
    ladder.steps().iter().any(|step| {
        matches!(step, Step::Arrow(arrow) if arrow.from == from && arrow.to == to && arrow.label == label)
    })
}

/// The longest text a datagram's label quotes before cutting it with `...`.
const LABEL_TEXT: usize = 24;

/// The label of a datagram's arrow: its text quoted (`"hello" (5 bytes)`), or its first
/// bytes in hex when they are not UTF-8 text (`bytes c4 e3 ba c3 (4 bytes)`). `length` is
/// the datagram's real length: when the receiver's buffer held only `bytes.len()` of it,
/// the label says so (`"xxxx..." (2000 bytes, cut to 1024)`).
pub fn datagram_label(bytes: &[u8], length: usize) -> String {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        // A buffer can cut a character in two: the text up to there is still text.
        Err(error) if error.error_len().is_none() && length > bytes.len() => {
            std::str::from_utf8(&bytes[..error.valid_up_to()]).ok()
        }
        Err(_) => None,
    };
    let shown = match text {
        Some(text) => {
            let mut quoted: String = text.chars().take(LABEL_TEXT).collect();
            if text.chars().count() > LABEL_TEXT || length > bytes.len() {
                quoted.push_str("...");
            }
            format!("{quoted:?}")
        }
        None => {
            let hex: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
            let more = if bytes.len() > 8 { " ..." } else { "" };
            format!("bytes {}{more}", hex.join(" "))
        }
    };
    let unit = if length == 1 { "byte" } else { "bytes" };
    if length > bytes.len() {
        format!("{shown} ({length} {unit}, cut to {})", bytes.len())
    } else {
        format!("{shown} ({length} {unit})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::tests::{
        Expected, WIDTHS, assert_row, assert_within, bare_lifelines, lesson_1, tftp_read,
    };

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    /// Draws `ladder` live, step by step, `width` columns wide, checking each step's text
    /// as it comes: within the width, the lifelines evenly spread, every arrow's head
    /// beside the column it goes to. Returns the whole drawing.
    fn draw_live_within(ladder: &Ladder, expected: &[Expected], width: usize) -> String {
        let mut live = Live::terminal(Style::Unicode).with_width(width);
        let names = ladder.endpoints();
        let mut lifelines = Vec::new();
        let mut drawn = String::new();
        for (step, &expected) in ladder.steps().iter().zip(expected) {
            let text = match step {
                Step::Arrow(arrow) => live.arrow(
                    arrow.at,
                    &names[arrow.from],
                    &names[arrow.to],
                    &arrow.label,
                    arrow.mark,
                ),
                Step::Note(note) => live.note(note.at, &names[note.on], &note.text),
            };
            assert_within(&text, width);
            if let Some(header) = text.lines().rev().find_map(bare_lifelines) {
                let gaps: Vec<usize> = header.windows(2).map(|pair| pair[1] - pair[0]).collect();
                let (narrowest, widest) = (gaps.iter().min(), gaps.iter().max());
                if let (Some(narrowest), Some(widest)) = (narrowest, widest) {
                    assert!(
                        widest - narrowest <= 1,
                        "uneven columns {gaps:?} in\n{text}"
                    );
                }
                lifelines = header;
            }
            let row = text.lines().last().unwrap_or_default();
            assert_row(row, &lifelines, expected);
            drawn.push_str(&text);
        }
        drawn
    }

    #[test]
    fn live_lesson_1_fits_every_width_with_its_head_on_the_receiver() {
        let (ladder, expected) = lesson_1();
        for width in WIDTHS {
            draw_live_within(&ladder, &expected, width);
        }
    }

    #[test]
    fn live_three_column_tftp_read_fits_every_width_with_heads_on_their_columns() {
        let (ladder, expected) = tftp_read();
        for width in WIDTHS {
            draw_live_within(&ladder, &expected, width);
        }
    }

    #[test]
    fn live_drawing_at_80_columns_is_the_default_drawing() {
        // As drawn before the width could change.
        let expected =
            "    time  127.0.0.1:43428                                        127.0.0.1:7788
                 │                                                      │
  0.000s         │───────────────── \"你好\" (6 bytes) ──────────────────►│
";
        let (ladder, lesson_1_expected) = lesson_1();
        assert_eq!(draw_live_within(&ladder, &lesson_1_expected, 80), expected);
        let expected =
            "    time  127.0.0.1:51234                                        127.0.0.1:6969
                 │                                                      │
  0.000s         │───────── RRQ \"你好.txt\" octet blksize=1468 ─────────►│
new endpoint: 127.0.0.1:40000
    time  127.0.0.1:51234            127.0.0.1:6969             127.0.0.1:40000
                 │                          │                          │
  0.002s         │◄──────────────── OACK blksize=1468 ─────────────────│
";
        let (ladder, tftp_expected) = tftp_read();
        let drawn = draw_live_within(&ladder, &tftp_expected, 80);
        assert!(drawn.starts_with(expected), "{drawn}");
        let mut default = Live::terminal(Style::Unicode);
        let first = default.arrow(
            ms(0),
            "127.0.0.1:51234",
            "127.0.0.1:6969",
            "RRQ \"你好.txt\" octet blksize=1468",
            Mark::Plain,
        );
        assert!(drawn.starts_with(&first), "{first}");
    }

    #[test]
    fn live_width_outside_the_bounds_is_brought_within_them() {
        let draw = |width: usize| {
            let mut live = Live::terminal(Style::Ascii).with_width(width);
            live.arrow(
                ms(0),
                "127.0.0.1:43428",
                "127.0.0.1:7788",
                "hi",
                Mark::Plain,
            )
        };
        assert_eq!(draw(0), draw(draw::MIN_WIDTH));
        assert_eq!(draw(usize::MAX), draw(draw::MAX_WIDTH));
    }

    #[test]
    fn first_arrow_brings_the_header_then_one_row_each() {
        let mut live = Live::terminal(Style::Ascii);
        let first = live.arrow(
            ms(0),
            "127.0.0.1:40000",
            "127.0.0.1:7788",
            "\"hello\" (5 bytes)",
            Mark::Plain,
        );
        let second = live.arrow(
            ms(2),
            "127.0.0.1:7788",
            "127.0.0.1:40000",
            "\"hello\" (5 bytes)",
            Mark::Plain,
        );
        let expected_first =
            "    time  127.0.0.1:40000                                        127.0.0.1:7788
                 |                                                      |
  0.000s         |----------------- \"hello\" (5 bytes) ----------------->|
";
        assert_eq!(first, expected_first);
        let expected_second =
            "  0.002s         |<----------------- \"hello\" (5 bytes) -----------------|\n";
        assert_eq!(second, expected_second);
        for line in first.lines().chain(second.lines()) {
            assert!(line.len() <= draw::WIDTH, "{line:?}");
        }
    }

    #[test]
    fn a_new_endpoint_is_announced_with_a_fresh_header() {
        let mut live = Live::terminal(Style::Ascii);
        live.arrow(
            ms(0),
            "127.0.0.1:5000",
            "127.0.0.1:69",
            "RRQ \"a.txt\" octet",
            Mark::Plain,
        );
        let text = live.arrow(
            ms(3),
            "127.0.0.1:6000",
            "127.0.0.1:5000",
            "DATA #1 (512 bytes)",
            Mark::Plain,
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "new endpoint: 127.0.0.1:6000");
        assert!(lines[1].contains("127.0.0.1:5000"), "{text}");
        assert!(lines[1].contains("127.0.0.1:69"), "{text}");
        assert!(lines[1].contains("127.0.0.1:6000"), "{text}");
        assert!(lines[3].contains("DATA #1 (512 bytes)"), "{text}");
        assert!(lines[3].starts_with("  0.003s"), "{text}");
        // A known endpoint brings no header.
        let ack = live.arrow(
            ms(4),
            "127.0.0.1:5000",
            "127.0.0.1:6000",
            "ACK 1",
            Mark::Lost,
        );
        assert_eq!(ack.lines().count(), 1, "{ack}");
        assert!(ack.contains("x|"), "{ack}");
    }

    #[test]
    fn marks_show_their_words() {
        let mut live = Live::terminal(Style::Unicode);
        live.arrow(ms(0), "a:1", "b:2", "DATA #1", Mark::Plain);
        let again = live.arrow(ms(1), "a:1", "b:2", "DATA #1", Mark::Repeated);
        assert!(again.contains("DATA #1 (again)"), "{again}");
        let retry = live.arrow(ms(1001), "a:1", "b:2", "DATA #1", Mark::Retransmitted);
        assert!(retry.contains("DATA #1 (retry after timeout)"), "{retry}");
        let note = live.note(ms(1000), "a:1", "timeout");
        assert!(note.contains("[timeout]"), "{note}");
        assert!(seen_before(live.ladder(), "a:1", "b:2", "DATA #1"));
        assert!(!seen_before(live.ladder(), "b:2", "a:1", "DATA #1"));
    }

    #[test]
    fn mermaid_prints_nothing_until_finish_and_then_once() {
        let mut live = Live::mermaid();
        assert_eq!(
            live.arrow(ms(0), "a:1", "b:2", "hi; there", Mark::Plain),
            ""
        );
        let diagram = live.finish();
        assert_eq!(
            diagram,
            "sequenceDiagram\n    participant A as a:1\n    participant B as b:2\n    A->>B: hi#59; there\n"
        );
        assert_eq!(live.finish(), "");
    }

    #[test]
    fn datagram_labels_quote_text_count_bytes_and_say_what_was_cut() {
        assert_eq!(datagram_label(b"hello", 5), "\"hello\" (5 bytes)");
        assert_eq!(datagram_label(b"", 0), "\"\" (0 bytes)");
        assert_eq!(datagram_label(b"a", 1), "\"a\" (1 byte)");
        assert_eq!(datagram_label("你好".as_bytes(), 6), "\"你好\" (6 bytes)");
        assert_eq!(
            datagram_label(&[0xc4, 0xe3, 0xba, 0xc3], 4),
            "bytes c4 e3 ba c3 (4 bytes)"
        );
        assert_eq!(
            datagram_label(&[b'x'; 30], 2000),
            format!("\"{}...\" (2000 bytes, cut to 30)", "x".repeat(24))
        );
        // A character cut in two by the buffer leaves the text before it.
        assert_eq!(
            datagram_label(&"你好".as_bytes()[..4], 6),
            "\"你...\" (6 bytes, cut to 4)"
        );
        assert_eq!(datagram_label(b"a\nb", 3), "\"a\\nb\" (3 bytes)");
    }

    #[test]
    fn terminal_finish_prints_nothing() {
        let mut live = Live::terminal(Style::Ascii);
        live.arrow(ms(0), "a:1", "b:2", "x", Mark::Plain);
        assert_eq!(live.finish(), "");
    }

    #[test]
    fn long_ipv6_names_fall_back_to_letters() {
        let mut live = Live::terminal(Style::Ascii);
        let a = "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:1]:40000";
        let b = "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:2]:7788";
        let text = live.arrow(ms(0), a, b, "\"hello\" (5 bytes)", Mark::Plain);
        assert!(text.starts_with(&format!("A = {a}\nB = {b}\n")), "{text}");
        for line in text.lines() {
            assert!(line.len() <= draw::WIDTH, "{line:?}");
        }
    }
}
