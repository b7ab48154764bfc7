//! Text in aligned columns: the lesson table that `lessons` and `status` print.
//!
//! Columns are measured in the cells a terminal gives each character: a Chinese
//! character takes two, so counting characters would misalign the Chinese table.

use std::io::{self, Write};

/// How many terminal cells `text` takes: two for East Asian wide characters (CJK
/// ideographs, kana, Hangul, full-width forms and punctuation), one for the others.
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

/// The main East Asian Wide and Fullwidth ranges of Unicode's EastAsianWidth.txt.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// `text` followed by spaces up to `width` terminal cells (at least none).
pub fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(display_width(text));
    format!("{text}{}", " ".repeat(fill))
}

/// Prints rows in aligned columns; the last column is not padded.
pub fn print_table<const N: usize>(
    out: &mut dyn Write,
    headings: &[String; N],
    rows: &[[String; N]],
) -> io::Result<()> {
    let mut widths = [0; N];
    for row in std::iter::once(headings).chain(rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(display_width(cell));
        }
    }
    for row in std::iter::once(headings).chain(rows) {
        let mut text = String::new();
        for (index, cell) in row.iter().enumerate() {
            text.push_str(cell);
            if index + 1 < N {
                let fill = widths[index].saturating_sub(display_width(cell));
                text.push_str(&" ".repeat(fill + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_characters_take_two_cells() {
        assert_eq!(display_width("passing"), 7);
        assert_eq!(display_width("未通过"), 6);
        assert_eq!(display_width("第 1 课（udp-basic）："), 22);
        assert_eq!(pad("通过", 6), "通过  ");
    }
}
