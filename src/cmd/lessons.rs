//! `cargo run -- lessons`: the lessons in order, with the command that tests each. It runs
//! nothing; `status` prints the same table before the exercises' status.

use std::io::{self, Write};

use crate::course::Course;
use crate::table;

/// The lesson table, without running anything: `cargo run -- lessons`, and the top of
/// the status table.
pub fn run(course: &Course, out: &mut dyn Write) -> io::Result<()> {
    let lang = course.lang;
    writeln!(out, "{}\n", lang.course_banner())?;
    let rows: Vec<[String; 4]> = course
        .lessons
        .iter()
        .map(|lesson| {
            [
                format!("{:>2}  {}", lesson.number, lesson.title),
                lesson.crate_name.clone().unwrap_or_else(|| "-".to_string()),
                lesson.file.clone(),
                lesson.test_command(lang),
            ]
        })
        .collect();
    let headings = lang.table_headings().map(String::from);
    table::print_table(out, &headings, &rows)
}
