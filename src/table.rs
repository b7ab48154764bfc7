//! Text in aligned columns: the lesson table that `lessons` and `status` print.

use std::io::{self, Write};

/// Prints rows in aligned columns; the last column is not padded.
pub fn print_table<const N: usize>(
    out: &mut dyn Write,
    headings: &[String; N],
    rows: &[[String; N]],
) -> io::Result<()> {
    let mut widths = [0; N];
    for row in std::iter::once(headings).chain(rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(headings).chain(rows) {
        let mut text = String::new();
        for (index, cell) in row.iter().enumerate() {
            text.push_str(cell);
            if index + 1 < N {
                let pad = widths[index] - cell.chars().count();
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    Ok(())
}
