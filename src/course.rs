//! The course: its lessons in order, and the tour that runs a demo of each.

use std::io::{self, Write};

/// One lesson of the course and the crate it is built around.
pub struct Lesson {
    pub number: u8,
    pub title: &'static str,
    /// The exercise crate (`crates/<name>`), or `None` for a reading-only lesson.
    pub crate_name: Option<&'static str>,
    pub file: &'static str,
}

/// The lessons, in the order a student takes them.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        number: 0,
        title: "Layers, addresses, ports and sockets",
        crate_name: None,
        file: "lessons/00-layers.md",
    },
    Lesson {
        number: 1,
        title: "UDP: sendto, recvfrom and text encodings",
        crate_name: Some("udp-basic"),
        file: "lessons/01-udp-basic.md",
    },
    Lesson {
        number: 2,
        title: "Ports, bind, echo, broadcast and duplex",
        crate_name: Some("udp-bind"),
        file: "lessons/02-udp-bind.md",
    },
    Lesson {
        number: 5,
        title: "From netmask to web page: ARP, DNS and a visit",
        crate_name: Some("arp-dns-walkthrough"),
        file: "lessons/05-arp-dns-walkthrough.md",
    },
];

impl Lesson {
    /// The command that checks the student's work on this lesson.
    pub fn test_command(&self) -> String {
        match self.crate_name {
            Some(name) => format!("cargo test -p {name}"),
            None => "(reading; its commands run in cargo test -p netlab)".to_string(),
        }
    }
}

/// The lesson table.
pub fn print_lessons(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "netlab: network programming by running real protocols\n"
    )?;
    let rows: Vec<[String; 4]> = LESSONS
        .iter()
        .map(|lesson| {
            [
                format!("{:>2}  {}", lesson.number, lesson.title),
                lesson.crate_name.unwrap_or("-").to_string(),
                lesson.file.to_string(),
                lesson.test_command(),
            ]
        })
        .collect();
    let headings = ["lesson", "crate", "read", "test with"];
    let mut widths = headings.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: [&str; 4]| -> io::Result<()> {
        let mut text = String::new();
        for (index, cell) in cells.iter().enumerate() {
            if index < 3 {
                let pad = widths[index].saturating_sub(cell.chars().count());
                text.push_str(cell);
                text.push_str(&" ".repeat(pad + 2));
            } else {
                text.push_str(cell);
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, headings)?;
    for row in &rows {
        line(out, [&row[0], &row[1], &row[2], &row[3]])?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "Start with lessons/00-layers.md, run `cargo run -- tour` for a live demo of every \
         exercise,\nthen work through the lessons in order: each ends with exercises that \
         `cargo test -p <crate>` checks."
    )?;
    Ok(())
}

/// A demo: a title and the function that runs it.
type Demo = (
    &'static str,
    fn(&mut dyn Write) -> Result<(), Box<dyn std::error::Error>>,
);

/// The demos, one per exercise crate, in lesson order.
const DEMOS: &[Demo] = &[
    ("1  udp-basic: one datagram, two encodings", udp_basic::tour),
    ("2  udp-bind: ports, echo and broadcast", udp_bind::tour),
    (
        "5  arp-dns-walkthrough: from netmask to web page",
        arp_dns_walkthrough::tour,
    ),
];

/// Runs every demo; stops at the first that fails.
pub fn tour(out: &mut dyn Write) -> Result<(), String> {
    writeln!(out, "netlab tour: every exercise, live, on loopback\n").map_err(|e| e.to_string())?;
    for (title, demo) in DEMOS {
        writeln!(out, "== lesson {title}").map_err(|e| e.to_string())?;
        demo(out).map_err(|error| format!("the {title} demo failed: {error}"))?;
        writeln!(out).map_err(|e| e.to_string())?;
    }
    writeln!(
        out,
        "That was all of it on 127.0.0.1. Read on in lessons/, in order; `cargo run` lists them."
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}
