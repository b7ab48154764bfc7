//! Runs the commands of a lesson exactly as the student reads them.
//!
//! The format is documented for lesson writers in `lessons/README.md` ("How lessons are
//! tested"). In short: a fenced block whose info string starts with `console` holds
//! `$ command` lines, each followed by the output it prints (stdout and stderr as a
//! terminal shows them). `...` alone on a line matches any number of lines, and `...`
//! inside a line matches any text. Words after `console` change how a block runs:
//!
//! * `background`: its one command is started and left running (a server, a receiver,
//!   tcpdump); the next blocks run once its first expected line has appeared. At the end
//!   of the section (the next heading) it gets a few seconds to exit by itself (`--count`,
//!   `--once`), is then stopped like Ctrl-C, and everything it printed is compared.
//! * `root`: needs root on Linux (network namespaces, raw sockets, tcpdump); skipped with
//!   a SKIP line otherwise. CI runs as root, so it always runs there.
//! * `norun`: shown, never run. Only for `cargo test`/`cargo bench`/`cargo build`, which
//!   CI runs itself; anything else is rejected, so lessons cannot hide untested commands.
//!
//! Commands run through `sh -c` from the workspace root. `cargo run -q -p NAME --` is
//! replaced by the already built binary `target/debug/NAME` (and `cargo run -q --` by the
//! course runner), so no cargo runs inside the tests. Fixed ports the lesson names (7788,
//! 8899, ...) are each replaced by a free port, in commands and in expected output alike,
//! so lessons can run in parallel with each other and with anything else on the machine.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::{Running, announce, find_tool, in_ci, is_root};

/// How long one foreground command may run before the test fails.
const COMMAND_DEADLINE: Duration = Duration::from_secs(30);
/// How long a background command gets, at the end of its section, to exit by itself.
const BACKGROUND_GRACE: Duration = Duration::from_secs(5);

/// Peer tools a lesson may call, with the Debian package that provides each.
pub const TOOLS: &[(&str, &str)] = &[
    ("nc", "netcat-openbsd"),
    ("socat", "socat"),
    ("python3", "python3"),
    ("tcpdump", "tcpdump"),
    ("tshark", "tshark"),
    ("capinfos", "tshark"),
    ("dig", "bind9-dnsutils"),
    ("dnsmasq", "dnsmasq"),
    ("curl", "curl"),
    ("tftp", "tftp-hpa"),
    ("in.tftpd", "tftpd-hpa"),
    ("atftp", "atftp"),
    ("arping", "iputils-arping"),
    ("ip", "iproute2"),
    ("ss", "iproute2"),
    ("xxd", "xxd"),
];

/// One fenced `console` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// 1-based line number of the opening fence, for error messages.
    pub line: usize,
    pub tags: Vec<String>,
    pub commands: Vec<Step>,
    /// Index of the section (counted by headings) the block sits in.
    pub section: usize,
}

/// One `$ command` with the output the lesson says it prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub command: String,
    pub expected: Vec<String>,
}

impl Block {
    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| t == tag)
    }
}

/// Reads the console blocks of a lesson's Markdown.
pub fn parse(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut section = 0;
    let mut lines = markdown.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            section += 1;
            continue;
        }
        let Some(fence_rest) = trimmed.strip_prefix("```") else {
            continue;
        };
        let mut words = fence_rest.split_whitespace();
        let is_console = words.next() == Some("console");
        let tags: Vec<String> = words.map(str::to_string).collect();
        let mut body = Vec::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                break;
            }
            body.push(inner.to_string());
        }
        if !is_console {
            continue;
        }
        let mut commands: Vec<Step> = Vec::new();
        let mut continuing = false;
        for text in body {
            if continuing {
                let step = commands.last_mut().expect("continuation follows a command");
                continuing = text.ends_with('\\');
                step.command.push('\n');
                step.command.push_str(&text);
            } else if let Some(command) = text.strip_prefix("$ ") {
                continuing = command.ends_with('\\');
                commands.push(Step {
                    command: command.to_string(),
                    expected: Vec::new(),
                });
            } else if let Some(step) = commands.last_mut() {
                step.expected.push(text);
            }
        }
        blocks.push(Block {
            line: number + 1,
            tags,
            commands,
            section,
        });
    }
    blocks
}

/// Does `actual` match `expected`, where `...` alone matches any lines and `...` inside a
/// line matches any text? Trailing spaces are ignored; blank lines at the end too.
pub fn output_matches(expected: &[String], actual: &[String]) -> bool {
    fn trim(lines: &[String]) -> Vec<&str> {
        let mut out: Vec<&str> = lines.iter().map(|l| l.trim_end()).collect();
        while out.last() == Some(&"") {
            out.pop();
        }
        out
    }
    let expected = trim(expected);
    let actual = trim(actual);
    matches_from(&expected, &actual)
}

fn matches_from(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"...", rest)) => (0..=actual.len()).any(|skip| matches_from(rest, &actual[skip..])),
        Some((pattern, rest)) => match actual.split_first() {
            Some((line, actual_rest)) => {
                line_matches(pattern, line) && matches_from(rest, actual_rest)
            }
            None => false,
        },
    }
}

/// One line against a pattern where `...` matches any text (possibly empty). In a run of
/// more than three dots the last three are the wildcard, so `127.0.0.1....` reads as
/// "127.0.0.1." followed by anything.
pub fn line_matches(pattern: &str, line: &str) -> bool {
    let pieces = literal_pieces(pattern);
    if pieces.len() == 1 {
        return pattern == line;
    }
    let (first, rest) = pieces.split_first().expect("at least one piece");
    let Some(mut remaining) = line.strip_prefix(first.as_str()) else {
        return false;
    };
    let (last, middle) = rest.split_last().expect("two or more pieces here");
    for piece in middle {
        match remaining.find(piece.as_str()) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last.as_str())
}

/// The literal text between wildcards: `a...b....c` gives `["a", "b.", "c"]`.
fn literal_pieces(pattern: &str) -> Vec<String> {
    let mut pieces = vec![String::new()];
    let characters: Vec<char> = pattern.chars().collect();
    let mut index = 0;
    while index < characters.len() {
        if characters[index] == '.' {
            let run = characters[index..]
                .iter()
                .take_while(|c| **c == '.')
                .count();
            if run >= 3 {
                let current = pieces.last_mut().expect("never empty");
                current.extend(std::iter::repeat_n('.', run - 3));
                pieces.push(String::new());
                index += run;
                continue;
            }
        }
        pieces
            .last_mut()
            .expect("never empty")
            .push(characters[index]);
        index += 1;
    }
    pieces
}

/// The workspace's `target/<profile>` directory, found from the running test binary
/// (`target/debug/deps/lesson-...`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps")
        .to_path_buf()
}

/// Builds the binaries a lesson runs (once per test process), so its commands can run
/// them directly. Under `cargo test --workspace` they are already built and this is a
/// quick no-op. Only the lesson's own packages are built, never the whole workspace.
fn build_binaries(workspace: &Path, packages: &BTreeSet<String>) {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let mut command = Command::new(cargo);
        command.args(["build", "--quiet", "--bins"]);
        for package in packages {
            command.args(["-p", package]);
        }
        let status = command
            .current_dir(workspace)
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build of {packages:?} failed");
    });
}

/// The packages a command line runs through `cargo run -q [-p NAME] --`.
pub fn packages_in(command: &str) -> BTreeSet<String> {
    let mut packages = BTreeSet::new();
    for (at, _) in command.match_indices("cargo run -q ") {
        let after = &command[at + "cargo run -q ".len()..];
        match after.strip_prefix("-p ") {
            Some(rest) => {
                packages.insert(
                    rest.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            None => {
                packages.insert("netlab".to_string());
            }
        }
    }
    packages
}

/// Replaces `cargo run -q -p NAME --` (and `cargo run -q --`) by the built binaries.
pub fn substitute_cargo_run(command: &str, bin_dir: &Path) -> String {
    let mut out = String::new();
    let mut rest = command;
    while let Some(at) = rest.find("cargo run -q ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "cargo run -q ".len()..];
        if let Some(package_and_rest) = after.strip_prefix("-p ") {
            let (package, tail) = package_and_rest
                .split_once(' ')
                .unwrap_or((package_and_rest, ""));
            out.push_str(&bin_dir.join(package).display().to_string());
            rest = tail.strip_prefix("--").unwrap_or(tail);
            if !rest.is_empty() && !rest.starts_with(' ') {
                out.push(' ');
            }
        } else if let Some(tail) = after.strip_prefix("--") {
            out.push_str(&bin_dir.join("netlab").display().to_string());
            rest = tail;
        } else {
            panic!("write `cargo run -q -p NAME -- ...` or `cargo run -q -- ...`: {command}");
        }
    }
    out.push_str(rest);
    out
}

/// Replaces each whole-number occurrence of `from` by `to` (not inside longer numbers).
pub fn substitute_port(text: &str, from: u16, to: u16) -> String {
    let from = from.to_string();
    let to = to.to_string();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut index = 0;
    while index < text.len() {
        if text[index..].starts_with(&from) {
            let before_is_digit = index > 0 && bytes[index - 1].is_ascii_digit();
            let end = index + from.len();
            let after_is_digit = end < bytes.len() && bytes[end].is_ascii_digit();
            if !before_is_digit && !after_is_digit {
                out.push_str(&to);
                index = end;
                continue;
            }
        }
        let character = text[index..]
            .chars()
            .next()
            .expect("index is on a char boundary");
        out.push(character);
        index += character.len_utf8();
    }
    out
}

/// The programs a shell command line starts (first word of each pipeline part).
pub fn programs_in(command: &str) -> BTreeSet<String> {
    let mut programs = BTreeSet::new();
    for part in command.split(['|', ';', '&', '(', ')', '\n']) {
        let mut words = part
            .split_whitespace()
            .filter(|w| *w != "\\")
            .skip_while(|w| w.contains('=') && !w.starts_with('-'));
        let mut word = words.next();
        while let Some(w) = word {
            match w {
                "sudo" | "exec" | "env" | "!" => word = words.next(),
                "timeout" => {
                    words.next();
                    word = words.next();
                }
                _ => break,
            }
        }
        if let Some(w) = word {
            programs.insert(w.to_string());
        }
    }
    programs
}

/// The settings of one lesson run.
pub struct LessonRun {
    workspace: PathBuf,
    lesson: PathBuf,
    ports: Vec<u16>,
}

impl LessonRun {
    /// `workspace` is the repository root (`env!("CARGO_MANIFEST_DIR")` of the root
    /// package); `lesson` a path relative to it, such as `lessons/01-udp-basic.md`.
    pub fn new(workspace: &str, lesson: &str) -> LessonRun {
        LessonRun {
            workspace: PathBuf::from(workspace),
            lesson: PathBuf::from(lesson),
            ports: Vec::new(),
        }
    }

    /// Fixed ports the lesson names; each is swapped for a free port while testing.
    pub fn ports(mut self, ports: &[u16]) -> LessonRun {
        self.ports = ports.to_vec();
        self
    }

    /// Runs every console block and panics with a readable report on the first mismatch.
    pub fn run(self) {
        let path = self.workspace.join(&self.lesson);
        let name = self.lesson.display().to_string();
        let markdown = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let blocks = parse(&markdown);
        assert!(!blocks.is_empty(), "{name} has no console blocks");

        let missing: Vec<String> = blocks
            .iter()
            .filter(|b| !b.has_tag("norun") && (!b.has_tag("root") || is_root()))
            .flat_map(|b| b.commands.iter().flat_map(|s| programs_in(&s.command)))
            .filter_map(|program| {
                TOOLS
                    .iter()
                    .find(|(tool, _)| *tool == program)
                    .filter(|(tool, _)| find_tool(tool).is_none())
                    .map(|(tool, package)| format!("{tool} (apt-get install {package})"))
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            if in_ci() {
                panic!(
                    "{name} needs {}, which .ci/run must install",
                    missing.join(", ")
                );
            }
            announce(&format!("SKIP: {name} needs {}", missing.join(", ")));
            return;
        }

        let packages: BTreeSet<String> = blocks
            .iter()
            .flat_map(|b| b.commands.iter().flat_map(|s| packages_in(&s.command)))
            .collect();
        if !packages.is_empty() {
            build_binaries(&self.workspace, &packages);
        }
        let bin_dir = target_dir();
        let port_map: Vec<(u16, u16)> = self
            .ports
            .iter()
            .map(|p| (*p, crate::free_port()))
            .collect();
        let localise = |text: &str| -> String {
            port_map.iter().fold(text.to_string(), |t, (from, to)| {
                substitute_port(&t, *from, *to)
            })
        };

        let mut background: Vec<Started> = Vec::new();
        let mut section = 0;
        let mut ran = 0;
        for block in &blocks {
            if block.section != section {
                finish_background(&name, &mut background);
                section = block.section;
            }
            if block.has_tag("norun") {
                for step in &block.commands {
                    let allowed = [
                        "cargo test",
                        "cargo bench",
                        "cargo build",
                        "cargo clippy",
                        "cargo fmt",
                    ];
                    assert!(
                        allowed.iter().any(|a| step.command.starts_with(a)),
                        "{name}:{}: a norun block may only hold cargo test/bench/build commands, \
                         which CI runs itself; found: {}",
                        block.line,
                        step.command
                    );
                }
                continue;
            }
            if block.has_tag("root") && !is_root() {
                announce(&format!("SKIP: {name}:{} needs root", block.line));
                continue;
            }
            if block.has_tag("background") {
                assert_eq!(
                    block.commands.len(),
                    1,
                    "{name}:{}: a background block holds exactly one command",
                    block.line
                );
                let step = &block.commands[0];
                let command = substitute_cargo_run(&localise(&step.command), &bin_dir);
                let mut running = Running::start(shell(&command, &self.workspace));
                let expected: Vec<String> = step.expected.iter().map(|l| localise(l)).collect();
                if let Some(first) = expected.iter().find(|l| l.trim() != "...") {
                    let first = first.trim_end().to_string();
                    running
                        .wait_for_stdout(&format!("{first:?} ({name}:{})", block.line), |line| {
                            line_matches(&first, line.trim_end())
                        });
                }
                background.push(Started {
                    line: block.line,
                    command: step.command.clone(),
                    expected,
                    running,
                });
                ran += 1;
                continue;
            }
            for step in &block.commands {
                let command = substitute_cargo_run(&localise(&step.command), &bin_dir);
                let running = Running::start(shell(&command, &self.workspace));
                let finished = running.finish_within(COMMAND_DEADLINE);
                let expected: Vec<String> = step.expected.iter().map(|l| localise(l)).collect();
                assert_printed(
                    &format!("{name}:{}: the output of", block.line),
                    &step.command,
                    "differs from the lesson.",
                    &expected,
                    &finished.stdout,
                );
                ran += 1;
            }
        }
        finish_background(&name, &mut background);
        assert!(ran > 0, "{name}: no command ran");
    }
}

/// `sh -c 'COMMAND' 2>&1`: the terminal's view, stdout and stderr in one stream.
fn shell(command: &str, workspace: &Path) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("exec 2>&1\n{command}"))
        .current_dir(workspace)
        .env("NO_COLOR", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONIOENCODING", "utf-8");
    sh
}

/// A background command, started with the lesson's expected output already localised.
struct Started {
    line: usize,
    command: String,
    expected: Vec<String>,
    running: Running,
}

fn finish_background(name: &str, background: &mut Vec<Started>) {
    for mut started in background.drain(..) {
        let deadline = std::time::Instant::now() + BACKGROUND_GRACE;
        while started.running.is_running() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let finished = started.running.kill();
        assert_printed(
            &format!("{name}:{}: the background command", started.line),
            &started.command,
            "printed something other than the lesson says.",
            &started.expected,
            &finished.stdout,
        );
    }
}

/// Fails the test, showing both sides, unless `actual` matches the lesson's `expected`.
fn assert_printed(
    place: &str,
    command: &str,
    verdict: &str,
    expected: &[String],
    actual: &[String],
) {
    assert!(
        output_matches(expected, actual),
        "{place}\n    $ {command}\n{verdict}\n--- lesson says ---\n{}\n--- it printed ---\n{}\n",
        expected.join("\n"),
        actual.join("\n")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn ellipsis_line_matches_any_number_of_lines() {
        assert!(output_matches(&lines("a\n...\nd"), &lines("a\nb\nc\nd")));
        assert!(output_matches(&lines("a\n...\nd"), &lines("a\nd")));
        assert!(!output_matches(&lines("a\n...\nd"), &lines("a\nb")));
    }

    #[test]
    fn ellipsis_inside_a_line_matches_any_text() {
        assert!(line_matches(
            "from 127.0.0.1:...: 6 bytes",
            "from 127.0.0.1:40123: 6 bytes"
        ));
        assert!(!line_matches(
            "from 127.0.0.1:...: 6 bytes",
            "from 10.0.0.1:40123: 6 bytes"
        ));
        assert!(line_matches("...", ""));
        assert!(line_matches(
            "IP 127.0.0.1.... > x",
            "IP 127.0.0.1.5823 > x"
        ));
        assert!(!line_matches(
            "IP 127.0.0.1.... > x",
            "IP 127.0.0.15823 > x"
        ));
    }

    #[test]
    fn parse_reads_commands_outputs_and_tags() {
        let markdown = "# T\n```console background\n$ recv\nlistening\n```\n## S\n```console\n$ a \\\n  b\nout\n$ c\n```\n```text\n$ no\n```\n";
        let blocks = parse(markdown);
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0].has_tag("background"));
        assert_eq!(blocks[0].commands[0].expected, ["listening"]);
        assert_eq!(blocks[1].commands[0].command, "a \\\n  b");
        assert_eq!(blocks[1].commands[0].expected, ["out"]);
        assert_eq!(blocks[1].commands[1].command, "c");
        assert_ne!(blocks[0].section, blocks[1].section);
    }

    #[test]
    fn cargo_run_becomes_the_binary() {
        let dir = Path::new("/t/debug");
        assert_eq!(
            substitute_cargo_run("cargo run -q -p udp-basic -- send x", dir),
            "/t/debug/udp-basic send x"
        );
        assert_eq!(
            substitute_cargo_run("cargo run -q -- tour", dir),
            "/t/debug/netlab tour"
        );
        assert_eq!(
            substitute_cargo_run("echo hi | cargo run -q -p tcp-echo -- chat x", dir),
            "echo hi | /t/debug/tcp-echo chat x"
        );
    }

    #[test]
    fn ports_are_swapped_only_as_whole_numbers() {
        assert_eq!(
            substitute_port("127.0.0.1:7788 and 77880 and --port 7788", 7788, 40000),
            "127.0.0.1:40000 and 77880 and --port 40000"
        );
    }

    #[test]
    fn programs_are_found_in_pipelines() {
        let found = programs_in("echo hi | nc -u -w1 127.0.0.1 7788 && sudo tcpdump -i lo");
        assert!(found.contains("nc") && found.contains("tcpdump") && found.contains("echo"));
        assert!(programs_in("timeout 5 socat - UDP:x").contains("socat"));
    }
}
