//! Two drawings of a [`Ladder`]: plain text for the terminal ([`terminal`]) and a mermaid
//! `sequenceDiagram` for the lessons and GitHub ([`mermaid`]).
//!
//! The terminal drawing fits a given width: [`WIDTH`] (80 columns, so it survives copy and
//! paste into a chat or a report) unless the caller knows the terminal is narrower or
//! wider (see [`crate::width`]; half a screen is 55-70 columns). One line per arrow, the
//! time since the start on the left, one lifeline per endpoint, the label inside the arrow
//! (cut with `…` when it must be):
//!
//! ```text
//!   time  127.0.0.1:46380                      127.0.0.1:48738
//!                │                                    │
//! 0.000s         │─── RRQ "hello.txt" octet ─────────►│
//! ```

use std::time::Duration;

use crate::diagram::{Arrow, Ladder, Mark, Note, Step};

/// The width of the terminal drawing when nothing says otherwise (the classic terminal),
/// and always when the output is a file or a pipe.
pub const WIDTH: usize = 80;

/// The narrowest drawing: two lifelines with a short label between them still fit. A
/// narrower terminal gets this width and wraps the lines.
pub const MIN_WIDTH: usize = 40;

/// The widest drawing: past this the arrows only get longer, not more readable.
pub const MAX_WIDTH: usize = 160;

/// `columns` brought within [`MIN_WIDTH`]..=[`MAX_WIDTH`].
pub fn clamp_width(columns: usize) -> usize {
    columns.clamp(MIN_WIDTH, MAX_WIDTH)
}

/// Which characters the terminal drawing uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Box-drawing lines and arrowheads (`│`, `─`, `►`, `…`).
    Unicode,
    /// Only ASCII (`|`, `-`, `>`, `...`), for a terminal that is not UTF-8; any non-ASCII
    /// character in a label is shown as `\u{…}`.
    Ascii,
}

impl Style {
    /// Unicode when the locale says UTF-8 (`LC_ALL`, else `LC_CTYPE`, else `LANG`, the
    /// order POSIX gives them), ASCII otherwise (and on a system without these variables).
    pub fn from_env() -> Style {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .filter_map(|name| std::env::var(name).ok())
            .find(|value| !value.is_empty());
        Style::from_locale(locale.as_deref())
    }

    /// The style for a locale name such as `zh_CN.UTF-8` (`None`: no locale set).
    pub fn from_locale(locale: Option<&str>) -> Style {
        let utf8 = locale.is_some_and(|locale| {
            let lower = locale.to_ascii_lowercase();
            lower.contains("utf-8") || lower.contains("utf8")
        });
        if utf8 { Style::Unicode } else { Style::Ascii }
    }
}

/// The characters of one style.
struct Pen {
    lifeline: char,
    line: char,
    right_head: char,
    left_head: char,
    lost_head: char,
    ellipsis: &'static str,
    self_loop: &'static str,
}

impl Pen {
    fn for_style(style: Style) -> Pen {
        match style {
            Style::Unicode => Pen {
                lifeline: '│',
                line: '─',
                right_head: '►',
                left_head: '◄',
                lost_head: 'x',
                ellipsis: "…",
                self_loop: "─╮ ",
            },
            Style::Ascii => Pen {
                lifeline: '|',
                line: '-',
                right_head: '>',
                left_head: '<',
                lost_head: 'x',
                ellipsis: "...",
                self_loop: "-. ",
            },
        }
    }
}

/// What a mark adds after the label (a lost arrow shows `x` at its head instead).
fn mark_suffix(mark: Mark) -> &'static str {
    match mark {
        Mark::Plain | Mark::Lost => "",
        Mark::Repeated => " (again)",
        Mark::Retransmitted => " (retry after timeout)",
    }
}

/// The words a mark stands for, in a mermaid note.
fn mark_words(mark: Mark) -> Option<&'static str> {
    match mark {
        Mark::Plain | Mark::Lost => None,
        Mark::Repeated => Some("again"),
        Mark::Retransmitted => Some("retry after timeout"),
    }
}

/// Columns a character takes in a terminal: 2 for East Asian wide characters (汉字,
/// fullwidth forms), 0 for combining marks, 1 for the rest. A small table, enough for
/// labels; it keeps the lifelines straight under a Chinese file name.
fn char_width(c: char) -> usize {
    let code = c as u32;
    let combining = (0x300..=0x36f).contains(&code) || (0x200b..=0x200f).contains(&code);
    let wide = (0x1100..=0x115f).contains(&code)
        || (0x2e80..=0xa4cf).contains(&code)
        || (0xac00..=0xd7a3).contains(&code)
        || (0xf900..=0xfaff).contains(&code)
        || (0xfe30..=0xfe4f).contains(&code)
        || (0xff00..=0xff60).contains(&code)
        || (0xffe0..=0xffe6).contains(&code)
        || (0x1f300..=0x1f64f).contains(&code)
        || (0x20000..=0x3fffd).contains(&code);
    if combining {
        0
    } else if wide {
        2
    } else {
        1
    }
}

/// Columns a string takes in a terminal.
fn text_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// The text as the style can show it: unchanged in Unicode, non-ASCII escaped in ASCII,
/// control characters escaped in both (they would move the cursor).
fn printable(text: &str, style: Style) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || (style == Style::Ascii && !c.is_ascii()) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` cut to at most `width` columns, ending in the ellipsis when it was cut.
fn fit(text: &str, width: usize, ellipsis: &str) -> String {
    if text_width(text) <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(text_width(ellipsis));
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = char_width(c);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if width >= text_width(ellipsis) {
        out.push_str(ellipsis);
    }
    out
}

/// A label with its mark's words, cut to `width` columns so that the words stay whole:
/// `DATA #3 (512 b… (again)`.
fn fit_label(label: &str, suffix: &str, width: usize, ellipsis: &str) -> String {
    let whole = format!("{label}{suffix}");
    if text_width(&whole) <= width {
        return whole;
    }
    let suffix_width = text_width(suffix);
    if suffix_width + text_width(ellipsis) < width {
        format!("{}{suffix}", fit(label, width - suffix_width, ellipsis))
    } else {
        fit(&whole, width, ellipsis)
    }
}

/// One line of the drawing, one cell per terminal column. A wide character sits in its
/// first cell; the cell after it is `None`.
struct Row {
    cells: Vec<Option<char>>,
}

impl Row {
    fn new(width: usize) -> Row {
        Row {
            cells: vec![Some(' '); width],
        }
    }

    fn put_char(&mut self, at: usize, c: char) {
        let w = char_width(c).max(1);
        if at + w > self.cells.len() {
            return;
        }
        // Writing over half of a wide character blanks its other half.
        if self.cells[at].is_none() && at > 0 {
            self.cells[at - 1] = Some(' ');
        }
        let end = at + w;
        if end < self.cells.len() && self.cells[end].is_none() {
            self.cells[end] = Some(' ');
        }
        self.cells[at] = Some(c);
        if w == 2 {
            self.cells[at + 1] = None;
        }
    }

    fn put_str(&mut self, at: usize, text: &str) {
        let mut column = at;
        for c in text.chars() {
            self.put_char(column, c);
            column += char_width(c).max(1);
        }
    }

    fn render(&self) -> String {
        let line: String = self.cells.iter().flatten().collect();
        line.trim_end().to_string()
    }
}

/// `1.234s`: seconds with milliseconds, the precision a capture's ladder needs.
fn format_time(at: Duration) -> String {
    format!("{}.{:03}s", at.as_secs(), at.subsec_millis())
}

/// Where each column's lifeline stands, and the names printed over them.
struct Layout {
    /// Width of the time column (the widest time), before the two-space gap.
    time_width: usize,
    /// The column of each lifeline.
    positions: Vec<usize>,
    /// The header names (the endpoints, or letters when the names do not fit).
    names: Vec<String>,
    /// `A = 127.0.0.1:46380` lines printed above the header when letters are used.
    legend: Vec<String>,
}

/// The column name as a letter (`A`..`Z`, then `A1`, `B1`, ...): for the legend when the
/// names do not fit, and as mermaid's participant ids.
fn letter(index: usize) -> String {
    let letter = char::from(b'A' + (index % 26) as u8);
    if index < 26 {
        letter.to_string()
    } else {
        format!("{letter}{}", index / 26)
    }
}

/// Smallest gap between two lifelines whose names are `left` and `right` columns wide,
/// centred over them, with two spaces between the names.
fn header_gap(left: usize, right: usize) -> usize {
    ((left - left / 2) + right / 2 + 2).max(4)
}

/// The columns of a whole ladder drawn within `width` columns.
fn layout(ladder: &Ladder, style: Style, pen: &Pen, width: usize) -> Layout {
    let time_width = ladder
        .steps()
        .iter()
        .map(|step| match step {
            Step::Arrow(arrow) => format_time(arrow.at).len(),
            Step::Note(note) => format_time(note.at).len(),
        })
        .chain(std::iter::once("time".len()))
        .max()
        .unwrap_or(4);
    let left = time_width + 2;
    let count = ladder.endpoints().len();
    let full: Vec<String> = ladder
        .endpoints()
        .iter()
        .map(|name| printable(name, style))
        .collect();
    let mut names = full.clone();
    let mut legend = Vec::new();
    let line_width = |names: &[String], gaps: &[usize]| -> usize {
        let first = names.first().map_or(0, |name| text_width(name));
        let last = names.last().map_or(0, |name| text_width(name));
        left + first / 2 + gaps.iter().sum::<usize>() + (last - last / 2)
    };
    let minimum_gaps = |names: &[String]| -> Vec<usize> {
        names
            .windows(2)
            .map(|pair| header_gap(text_width(&pair[0]), text_width(&pair[1])))
            .collect()
    };
    let mut minimum = minimum_gaps(&names);
    if line_width(&names, &minimum) > width {
        names = (0..count).map(letter).collect();
        legend = full
            .iter()
            .enumerate()
            .map(|(index, name)| fit(&format!("{} = {name}", letter(index)), width, pen.ellipsis))
            .collect();
        minimum = minimum_gaps(&names);
    }
    // What each gap would like: room for the labels of the arrows that cross it,
    // shortest arrows first, so a short hop gets its room before a long one shares it.
    let mut wanted = minimum.clone();
    let mut spans: Vec<(usize, usize, usize)> = ladder
        .arrows()
        .filter(|arrow| arrow.from != arrow.to && arrow.from < count && arrow.to < count)
        .map(|arrow| {
            let label = printable(&arrow.label, style);
            let need = text_width(&label) + text_width(mark_suffix(arrow.mark)) + 6;
            let (low, high) = (arrow.from.min(arrow.to), arrow.from.max(arrow.to));
            (low, high, need.min(width))
        })
        .collect();
    spans.sort_by_key(|&(low, high, _)| high - low);
    for (low, high, need) in spans {
        let have: usize = wanted[low..high].iter().sum();
        if have < need {
            let missing = need - have;
            let share = high - low;
            for (offset, gap) in wanted[low..high].iter_mut().enumerate() {
                *gap += missing / share + usize::from(offset < missing % share);
            }
        }
    }
    // Within the width: every gap keeps its minimum and gets its share of the rest.
    let room = width.saturating_sub(line_width(&names, &minimum));
    let extra: Vec<usize> = wanted.iter().zip(&minimum).map(|(w, m)| w - m).collect();
    let total_extra: usize = extra.iter().sum();
    let gaps: Vec<usize> = if total_extra <= room {
        wanted
    } else {
        minimum
            .iter()
            .zip(&extra)
            .map(|(m, e)| m + e * room / total_extra)
            .collect()
    };
    let mut positions = Vec::with_capacity(count);
    if let Some(first) = names.first() {
        positions.push(left + text_width(first) / 2);
    }
    for gap in gaps {
        let last = positions.last().copied().unwrap_or(left);
        positions.push(last + gap);
    }
    Layout {
        time_width,
        positions,
        names,
        legend,
    }
}

/// Draws the ladder for a terminal, within [`WIDTH`] (80) columns: the endpoints as a
/// header, then one line per arrow or note, its time since the start on the left.
pub fn terminal(ladder: &Ladder, style: Style) -> String {
    terminal_within(ladder, style, WIDTH)
}

/// [`terminal`] within `width` columns (brought within [`MIN_WIDTH`]..=[`MAX_WIDTH`]):
/// labels are cut shorter or left whole, the columns spread over the room there is. Only
/// when even one-letter names do not fit (a dozen endpoints at 40 columns) is a line wider.
pub fn terminal_within(ladder: &Ladder, style: Style, width: usize) -> String {
    let width = clamp_width(width);
    let pen = Pen::for_style(style);
    let layout = layout(ladder, style, &pen, width);
    let right_edge = layout
        .positions
        .iter()
        .zip(&layout.names)
        .map(|(position, name)| {
            let width = text_width(name);
            position + (width - width / 2)
        })
        .max()
        .unwrap_or(0);
    let width = width.max(right_edge);
    let mut out = String::new();
    for line in &layout.legend {
        out.push_str(line);
        out.push('\n');
    }
    let lifelines = || {
        let mut row = Row::new(width);
        for &position in &layout.positions {
            row.put_char(position, pen.lifeline);
        }
        row
    };
    let mut header = Row::new(width);
    header.put_str(layout.time_width.saturating_sub(4), "time");
    for (position, name) in layout.positions.iter().zip(&layout.names) {
        header.put_str(position - text_width(name) / 2, name);
    }
    out.push_str(&header.render());
    out.push('\n');
    out.push_str(&lifelines().render());
    out.push('\n');
    for step in ladder.steps() {
        let mut row = lifelines();
        let at = match step {
            Step::Arrow(arrow) => {
                draw_arrow(&mut row, arrow, &layout, &pen, style, width);
                arrow.at
            }
            Step::Note(note) => {
                draw_note(&mut row, note, &layout, style, &pen, width);
                note.at
            }
        };
        let time = format_time(at);
        row.put_str(layout.time_width - time.len(), &time);
        out.push_str(&row.render());
        out.push('\n');
    }
    out
}

fn draw_arrow(
    row: &mut Row,
    arrow: &Arrow,
    layout: &Layout,
    pen: &Pen,
    style: Style,
    width: usize,
) {
    let (Some(&from), Some(&to)) = (
        layout.positions.get(arrow.from),
        layout.positions.get(arrow.to),
    ) else {
        return;
    };
    let label = printable(&arrow.label, style);
    let suffix = mark_suffix(arrow.mark);
    if from == to {
        // An arrow to itself: a little hook and the label to the right of the lifeline.
        row.put_str(from + 1, pen.self_loop);
        let start = from + 1 + text_width(pen.self_loop);
        let text = fit_label(&label, suffix, width.saturating_sub(start), pen.ellipsis);
        row.put_str(start, &text);
        return;
    }
    let (low, high) = (from.min(to), from.max(to));
    for column in low + 1..high {
        row.put_char(column, pen.line);
    }
    let rightward = to > from;
    let head = if arrow.mark == Mark::Lost {
        pen.lost_head
    } else if rightward {
        pen.right_head
    } else {
        pen.left_head
    };
    let head_at = if rightward { high - 1 } else { low + 1 };
    row.put_char(head_at, head);
    // The label sits centred between a line end and the head, a space on either side.
    let inside = high - low - 1;
    let room = inside.saturating_sub(5);
    if room == 0 {
        return;
    }
    let text = fit_label(&label, suffix, room, pen.ellipsis);
    let text_columns = text_width(&text);
    let first_free = if rightward { low + 3 } else { low + 4 };
    let start = first_free + (room - text_columns) / 2;
    row.put_char(start - 1, ' ');
    row.put_str(start, &text);
    row.put_char(start + text_columns, ' ');
}

fn draw_note(row: &mut Row, note: &Note, layout: &Layout, style: Style, pen: &Pen, width: usize) {
    let Some(&position) = layout.positions.get(note.on) else {
        return;
    };
    let text = format!("[{}]", printable(&note.text, style));
    let right_room = width.saturating_sub(position + 2);
    let left_room = position.saturating_sub(layout.time_width + 3);
    if text_width(&text) <= right_room || right_room >= left_room {
        row.put_str(position + 2, &fit(&text, right_room, pen.ellipsis));
    } else {
        let text = fit(&text, left_room, pen.ellipsis);
        row.put_str(position - 1 - text_width(&text), &text);
    }
}

/// Width of the time column of the live drawing: `999.999s` fits; a longer run pushes
/// the time to the left edge and the row stays readable.
const LIVE_TIME_WIDTH: usize = 8;

/// Where the live drawing ([`crate::live::Live`]) puts its lifelines for `endpoints`,
/// spread evenly across `width` columns (a live drawing cannot know the labels still to
/// come, so it gives every hop the same room). When the names do not fit over their
/// lifelines, the columns are lettered and a legend (`A = 127.0.0.1:46380`) goes above.
pub(crate) fn live_layout(endpoints: &[String], style: Style, width: usize) -> LiveLayout {
    let width = clamp_width(width);
    let pen = Pen::for_style(style);
    let left = LIVE_TIME_WIDTH + 2;
    let full: Vec<String> = endpoints
        .iter()
        .map(|name| printable(name, style))
        .collect();
    let spread = |names: &[String]| -> Option<Vec<usize>> {
        let (first, last) = match (names.first(), names.last()) {
            (Some(first), Some(last)) => (text_width(first), text_width(last)),
            _ => return Some(Vec::new()),
        };
        let start = left + first / 2;
        if names.len() == 1 {
            return Some(vec![start]);
        }
        let end = width.checked_sub(1 + (last - last / 2))?;
        if end <= start {
            return None;
        }
        let steps = names.len() - 1;
        let positions: Vec<usize> = (0..names.len())
            .map(|index| start + (end - start) * index / steps)
            .collect();
        let fits = positions
            .windows(2)
            .zip(names.windows(2))
            .all(|(at, pair)| {
                at[1] - at[0] >= header_gap(text_width(&pair[0]), text_width(&pair[1]))
            });
        fits.then_some(positions)
    };
    if let Some(positions) = spread(&full) {
        return LiveLayout {
            layout: Layout {
                time_width: LIVE_TIME_WIDTH,
                positions,
                names: full,
                legend: Vec::new(),
            },
            width,
        };
    }
    let letters: Vec<String> = (0..full.len()).map(letter).collect();
    let legend = full
        .iter()
        .enumerate()
        .map(|(index, name)| fit(&format!("{} = {name}", letter(index)), width, pen.ellipsis))
        .collect();
    // Letters are one column wide: they fit for any number of endpoints a program makes;
    // past that the lifelines simply stand four columns apart.
    let positions = spread(&letters)
        .unwrap_or_else(|| (0..letters.len()).map(|index| left + 4 * index).collect());
    LiveLayout {
        layout: Layout {
            time_width: LIVE_TIME_WIDTH,
            positions,
            names: letters,
            legend,
        },
        width,
    }
}

/// The column plan of a live drawing, fixed between two headers.
pub(crate) struct LiveLayout {
    layout: Layout,
    /// The width it was planned for.
    width: usize,
}

/// The header of a live drawing: the legend (when lettered), the endpoint names over
/// their lifelines, and one line of bare lifelines.
pub(crate) fn live_header(layout: &LiveLayout, style: Style) -> String {
    let pen = Pen::for_style(style);
    let width = live_width(layout);
    let layout = &layout.layout;
    let mut out = String::new();
    for line in &layout.legend {
        out.push_str(line);
        out.push('\n');
    }
    let mut header = Row::new(width);
    header.put_str(layout.time_width.saturating_sub(4), "time");
    for (position, name) in layout.positions.iter().zip(&layout.names) {
        header.put_str(position - text_width(name) / 2, name);
    }
    out.push_str(&header.render());
    out.push('\n');
    let mut row = Row::new(width);
    for &position in &layout.positions {
        row.put_char(position, pen.lifeline);
    }
    out.push_str(&row.render());
    out.push('\n');
    out
}

/// One line of a live drawing: an arrow or a note, its time on the left.
pub(crate) fn live_step(layout: &LiveLayout, step: &Step, style: Style) -> String {
    let pen = Pen::for_style(style);
    let width = live_width(layout);
    let layout = &layout.layout;
    let mut row = Row::new(width);
    for &position in &layout.positions {
        row.put_char(position, pen.lifeline);
    }
    let at = match step {
        Step::Arrow(arrow) => {
            draw_arrow(&mut row, arrow, layout, &pen, style, width);
            arrow.at
        }
        Step::Note(note) => {
            draw_note(&mut row, note, layout, style, &pen, width);
            note.at
        }
    };
    let time = format_time(at);
    row.put_str(layout.time_width.saturating_sub(time.len()), &time);
    let mut line = row.render();
    line.push('\n');
    line
}

/// The width of a live drawing's rows: the width it was planned for, more only when even
/// the lettered names do not fit.
fn live_width(live: &LiveLayout) -> usize {
    live.layout
        .positions
        .iter()
        .zip(&live.layout.names)
        .map(|(position, name)| {
            let width = text_width(name);
            position + (width - width / 2)
        })
        .chain(std::iter::once(live.width))
        .max()
        .unwrap_or(live.width)
}

/// Escapes what mermaid would read as syntax in a label: `;` ends a statement and `#`
/// starts an entity code, so both become entity codes (`#59;`, `#35;`), and `<`/`>`
/// could be taken for HTML.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Draws the ladder as a mermaid `sequenceDiagram` (as GitHub and mdbook-mermaid render
/// it): one participant per endpoint (ids `A`, `B`, ... with the endpoint as alias), `->>`
/// for an arrow, `-x` for a lost one, and a `Note over` the two ends for a repeated or
/// retransmitted one.
pub fn mermaid(ladder: &Ladder) -> String {
    let mut out = String::from("sequenceDiagram\n");
    for (index, name) in ladder.endpoints().iter().enumerate() {
        out.push_str(&format!(
            "    participant {} as {}\n",
            letter(index),
            mermaid_text(name)
        ));
    }
    for step in ladder.steps() {
        match step {
            Step::Arrow(arrow) => {
                let (from, to) = (letter(arrow.from), letter(arrow.to));
                let line = if arrow.mark == Mark::Lost {
                    "-x"
                } else {
                    "->>"
                };
                out.push_str(&format!(
                    "    {from}{line}{to}: {}\n",
                    mermaid_text(&arrow.label)
                ));
                if let Some(words) = mark_words(arrow.mark) {
                    let over = if from == to {
                        from
                    } else {
                        format!("{from},{to}")
                    };
                    out.push_str(&format!("    Note over {over}: {words}\n"));
                }
            }
            Step::Note(note) => {
                out.push_str(&format!(
                    "    Note over {}: {}\n",
                    letter(note.on),
                    mermaid_text(&note.text)
                ));
            }
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    /// The widths a drawing is checked at: the minimum, half a screen, the classic
    /// terminal, a wide one.
    pub(crate) const WIDTHS: [usize; 4] = [40, 60, 80, 120];

    /// What one row of a drawing should show.
    #[derive(Clone, Copy, Debug)]
    pub(crate) enum Expected {
        /// An arrow from lifeline `.0` to lifeline `.1`, ending in the head `.2`.
        Arrow(usize, usize, char),
        /// A note (anywhere on the row).
        Note,
    }

    /// Each character of a drawn line with the terminal column it starts at.
    fn cells(line: &str) -> Vec<(usize, char)> {
        let mut column = 0;
        line.chars()
            .map(|c| {
                let at = column;
                column += char_width(c);
                (at, c)
            })
            .collect()
    }

    /// The character that starts at terminal column `column`, if one does.
    fn char_at(line: &str, column: usize) -> Option<char> {
        cells(line)
            .into_iter()
            .find(|&(at, _)| at == column)
            .map(|(_, c)| c)
    }

    /// The lifeline columns when `line` is a row of bare lifelines (`│` and spaces only).
    pub(crate) fn bare_lifelines(line: &str) -> Option<Vec<usize>> {
        let cells = cells(line);
        let bare = !cells.is_empty() && cells.iter().all(|&(_, c)| c == ' ' || c == '│');
        bare.then(|| {
            cells
                .iter()
                .filter(|&&(_, c)| c == '│')
                .map(|&(at, _)| at)
                .collect()
        })
    }

    /// Asserts that no line of `drawn` is wider than `width` terminal columns.
    pub(crate) fn assert_within(drawn: &str, width: usize) {
        for line in drawn.lines() {
            assert!(
                text_width(line) <= width,
                "{line:?} is {} columns, wider than {width}:\n{drawn}",
                text_width(line)
            );
        }
    }

    /// Asserts that `row` shows `expected` over the lifelines at `lifelines`: every
    /// lifeline outside the arrow still standing, the arrow's head right beside the
    /// lifeline it goes to, the line running all the way back to the one it comes from.
    pub(crate) fn assert_row(row: &str, lifelines: &[usize], expected: Expected) {
        let Expected::Arrow(from, to, head) = expected else {
            assert!(row.contains('['), "no note in {row:?}");
            return;
        };
        let (from, to) = (lifelines[from], lifelines[to]);
        let (low, high) = (from.min(to), from.max(to));
        for &lifeline in lifelines {
            if lifeline <= low || lifeline >= high {
                assert_eq!(
                    char_at(row, lifeline),
                    Some('│'),
                    "lifeline at {lifeline} in {row:?}"
                );
            }
        }
        let head_at = if to > from { to - 1 } else { to + 1 };
        assert_eq!(
            char_at(row, head_at),
            Some(head),
            "head at {head_at} in {row:?}"
        );
        let tail_at = if to > from { from + 1 } else { from - 1 };
        assert_eq!(
            char_at(row, tail_at),
            Some('─'),
            "line at {tail_at} in {row:?}"
        );
    }

    /// Lesson 1: the sender's one datagram, its text in Chinese.
    pub(crate) fn lesson_1() -> (Ladder, Vec<Expected>) {
        let mut ladder = Ladder::new();
        ladder.arrow(
            ms(0),
            "127.0.0.1:43428",
            "127.0.0.1:7788",
            "\"你好\" (6 bytes)",
            Mark::Plain,
        );
        (ladder, vec![Expected::Arrow(0, 1, '►')])
    }

    /// A TFTP read of a file with a Chinese name: the client, the server's port 69 and the
    /// transfer's own port, with a lost ACK, a timeout and a retransmission.
    pub(crate) fn tftp_read() -> (Ladder, Vec<Expected>) {
        let (client, server, transfer) = ("127.0.0.1:51234", "127.0.0.1:6969", "127.0.0.1:40000");
        let mut ladder = Ladder::new();
        ladder
            .arrow(
                ms(0),
                client,
                server,
                "RRQ \"你好.txt\" octet blksize=1468",
                Mark::Plain,
            )
            .arrow(ms(2), transfer, client, "OACK blksize=1468", Mark::Plain)
            .arrow(ms(3), client, transfer, "ACK #0", Mark::Plain)
            .arrow(ms(4), transfer, client, "DATA #1 (12 bytes)", Mark::Plain)
            .arrow(ms(5), client, transfer, "ACK #1", Mark::Lost)
            .note(ms(1005), transfer, "timeout")
            .arrow(
                ms(1005),
                transfer,
                client,
                "DATA #1 (12 bytes)",
                Mark::Retransmitted,
            )
            .arrow(ms(1006), client, transfer, "ACK #1", Mark::Plain);
        let expected = vec![
            Expected::Arrow(0, 1, '►'),
            Expected::Arrow(2, 0, '◄'),
            Expected::Arrow(0, 2, '►'),
            Expected::Arrow(2, 0, '◄'),
            Expected::Arrow(0, 2, 'x'),
            Expected::Note,
            Expected::Arrow(2, 0, '◄'),
            Expected::Arrow(0, 2, '►'),
        ];
        (ladder, expected)
    }

    /// Draws `ladder` at `width` and checks it fits, with every arrow where it belongs.
    fn assert_drawn_within(ladder: &Ladder, expected: &[Expected], width: usize) {
        let drawn = terminal_within(ladder, Style::Unicode, width);
        assert_within(&drawn, width);
        let lines: Vec<&str> = drawn.lines().collect();
        let Some(lifeline_row) = lines.iter().position(|line| bare_lifelines(line).is_some())
        else {
            panic!("no row of bare lifelines in\n{drawn}");
        };
        let lifelines = bare_lifelines(lines[lifeline_row]).unwrap_or_default();
        assert_eq!(lifelines.len(), ladder.endpoints().len(), "{drawn}");
        let rows = &lines[lifeline_row + 1..];
        assert_eq!(rows.len(), expected.len(), "{drawn}");
        for (row, &expected) in rows.iter().zip(expected) {
            assert_row(row, &lifelines, expected);
        }
    }

    #[test]
    fn lesson_1_fits_every_width_with_its_head_on_the_receiver() {
        let (ladder, expected) = lesson_1();
        for width in WIDTHS {
            assert_drawn_within(&ladder, &expected, width);
        }
    }

    #[test]
    fn three_column_tftp_read_fits_every_width_with_heads_on_their_columns() {
        let (ladder, expected) = tftp_read();
        for width in WIDTHS {
            assert_drawn_within(&ladder, &expected, width);
        }
    }

    #[test]
    fn a_narrow_drawing_cuts_labels_with_an_ellipsis() {
        let (ladder, _) = tftp_read();
        let narrow = terminal_within(&ladder, Style::Unicode, 40);
        assert!(narrow.contains('…'), "{narrow}");
        let wide = terminal_within(&ladder, Style::Unicode, 120);
        assert!(
            wide.contains("RRQ \"你好.txt\" octet blksize=1468"),
            "{wide}"
        );
    }

    #[test]
    fn drawn_at_80_columns_the_ladder_is_the_default_drawing() {
        for (ladder, _) in [lesson_1(), tftp_read(), (small_ladder(), Vec::new())] {
            for style in [Style::Unicode, Style::Ascii] {
                assert_eq!(
                    terminal_within(&ladder, style, WIDTH),
                    terminal(&ladder, style)
                );
            }
        }
        // As drawn before the width could change.
        let expected = "  time  127.0.0.1:43428       127.0.0.1:7788
               │                     │
0.000s         │─ \"你好\" (6 bytes) ─►│
";
        assert_eq!(terminal(&lesson_1().0, Style::Unicode), expected);
    }

    #[test]
    fn widths_outside_the_bounds_are_brought_within_them() {
        let (ladder, _) = tftp_read();
        assert_eq!(
            terminal_within(&ladder, Style::Unicode, 10),
            terminal_within(&ladder, Style::Unicode, MIN_WIDTH)
        );
        assert_eq!(
            terminal_within(&ladder, Style::Unicode, 1000),
            terminal_within(&ladder, Style::Unicode, MAX_WIDTH)
        );
        assert_within(&terminal_within(&ladder, Style::Unicode, 1000), MAX_WIDTH);
    }

    /// A TFTP read with one lost ACK, a retransmission after the timeout and a duplicate.
    fn small_ladder() -> Ladder {
        let (client, server, transfer) = ("127.0.0.1:5000", "127.0.0.1:69", "127.0.0.1:6000");
        let mut ladder = Ladder::new();
        ladder
            .arrow(ms(0), client, server, "RRQ \"a.txt\" octet", Mark::Plain)
            .arrow(ms(3), transfer, client, "DATA #1 (512 bytes)", Mark::Plain)
            .arrow(ms(5), client, transfer, "ACK 1", Mark::Lost)
            .note(ms(1005), transfer, "timeout")
            .arrow(
                ms(1005),
                transfer,
                client,
                "DATA #1 (512 bytes)",
                Mark::Retransmitted,
            )
            .arrow(
                ms(1006),
                transfer,
                client,
                "DATA #1 (512 bytes)",
                Mark::Repeated,
            );
        ladder
    }

    #[test]
    fn terminal_unicode_draws_marks_notes_and_times() {
        let expected = "  time  127.0.0.1:5000               127.0.0.1:69      127.0.0.1:6000
               │                           │                  │
0.000s         │─── RRQ \"a.txt\" octet ────►│                  │
0.003s         │◄──────────── DATA #1 (512 bytes) ────────────│
0.005s         │─────────────────── ACK 1 ───────────────────x│
1.005s         │                           │                  │ [timeout]
1.005s         │◄─ DATA #1 (512 bytes) (retry after timeout) ─│
1.006s         │◄──────── DATA #1 (512 bytes) (again) ────────│
";
        assert_eq!(terminal(&small_ladder(), Style::Unicode), expected);
    }

    #[test]
    fn terminal_ascii_draws_the_same_with_ascii_only() {
        let expected = "  time  127.0.0.1:5000               127.0.0.1:69      127.0.0.1:6000
               |                           |                  |
0.000s         |--- RRQ \"a.txt\" octet ---->|                  |
0.003s         |<------------ DATA #1 (512 bytes) ------------|
0.005s         |------------------- ACK 1 -------------------x|
1.005s         |                           |                  | [timeout]
1.005s         |<- DATA #1 (512 bytes) (retry after timeout) -|
1.006s         |<-------- DATA #1 (512 bytes) (again) --------|
";
        let drawn = terminal(&small_ladder(), Style::Ascii);
        assert_eq!(drawn, expected);
        assert!(drawn.is_ascii());
    }

    #[test]
    fn mermaid_has_participants_arrows_lost_and_mark_notes() {
        let expected = "sequenceDiagram
    participant A as 127.0.0.1:5000
    participant B as 127.0.0.1:69
    participant C as 127.0.0.1:6000
    A->>B: RRQ \"a.txt\" octet
    C->>A: DATA #35;1 (512 bytes)
    A-xC: ACK 1
    Note over C: timeout
    C->>A: DATA #35;1 (512 bytes)
    Note over C,A: retry after timeout
    C->>A: DATA #35;1 (512 bytes)
    Note over C,A: again
";
        assert_eq!(mermaid(&small_ladder()), expected);
    }

    #[test]
    fn mermaid_escapes_semicolons_and_angle_brackets() {
        let mut ladder = Ladder::new();
        ladder.arrow(ms(0), "a;b", "c", "x; y <z>", Mark::Plain);
        let drawn = mermaid(&ladder);
        assert!(drawn.contains("participant A as a#59;b\n"), "{drawn}");
        assert!(drawn.contains("A->>B: x#59; y #lt;z#gt;\n"), "{drawn}");
    }

    #[test]
    fn long_labels_are_cut_with_an_ellipsis_and_keep_their_mark() {
        let mut ladder = Ladder::new();
        let long = format!("RRQ \"{}\" octet", "x".repeat(100));
        ladder.arrow(
            ms(0),
            "127.0.0.1:5000",
            "127.0.0.1:69",
            long.as_str(),
            Mark::Repeated,
        );
        for (style, ellipsis) in [(Style::Unicode, "…"), (Style::Ascii, "...")] {
            let drawn = terminal(&ladder, style);
            for line in drawn.lines() {
                assert!(text_width(line) <= WIDTH, "{line:?} is wider than {WIDTH}");
            }
            let arrow = drawn.lines().nth(2).unwrap_or_default();
            assert!(arrow.contains(&format!("{ellipsis} (again)")), "{arrow}");
        }
    }

    #[test]
    fn many_endpoints_get_letters_and_a_legend() {
        let mut ladder = Ladder::new();
        for port in 0..6 {
            let from = format!("192.168.100.100:{}", 40000 + port);
            ladder.arrow(ms(port), &from, "192.168.100.200:69", "RRQ", Mark::Plain);
        }
        let drawn = terminal(&ladder, Style::Ascii);
        assert!(drawn.starts_with("A = 192.168.100.100:40000\nB = 192.168.100.200:69\n"));
        for line in drawn.lines() {
            assert!(line.len() <= WIDTH, "{line:?}");
        }
    }

    #[test]
    fn wide_characters_keep_the_lifelines_straight() {
        let mut ladder = Ladder::new();
        ladder
            .arrow(ms(0), "a", "b", "RRQ \"你好.txt\" octet", Mark::Plain)
            .arrow(ms(1), "b", "a", "ACK 0", Mark::Plain);
        let drawn = terminal(&ladder, Style::Unicode);
        let ends: Vec<usize> = drawn
            .lines()
            .skip(1)
            .map(|line| text_width(line.trim_end()))
            .collect();
        assert!(ends.iter().all(|&end| end == ends[0]), "{drawn}");
        let ascii = terminal(&ladder, Style::Ascii);
        assert!(ascii.contains(r"\u{4f60}\u{597d}.txt"), "{ascii}");
    }

    #[test]
    fn style_follows_the_locale() {
        assert_eq!(Style::from_locale(Some("zh_CN.UTF-8")), Style::Unicode);
        assert_eq!(Style::from_locale(Some("en_US.utf8")), Style::Unicode);
        assert_eq!(Style::from_locale(Some("C")), Style::Ascii);
        assert_eq!(Style::from_locale(None), Style::Ascii);
    }

    #[test]
    fn an_empty_ladder_is_just_the_header() {
        assert_eq!(terminal(&Ladder::new(), Style::Ascii), "time\n\n");
        assert_eq!(mermaid(&Ladder::new()), "sequenceDiagram\n");
    }
}
