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
//! Commands run through `sh -c` from the workspace root. `cargo run -q -p NAME --` and
//! `./target/debug/NAME` are replaced by the already built binary (and `cargo run -q --`
//! by the course runner); `cargo build -q -p NAME` does nothing, since the test built it:
//! no cargo runs inside the tests. Fixed ports the lesson names (7788, 8899, ...) are each
//! replaced by a free port with as many digits, fixed paths (`/tmp/netlab-04`) by a
//! directory of this run, namespace names (`nl2-h1`) by names unique to the run, in
//! commands and in expected output alike, so lessons run in parallel with each other and
//! never touch a student's files. The run's directory and namespaces are deleted at the end.
//!
//! The text is checked for the student's form before anything runs: root blocks use
//! `sudo ./target/debug/NAME`, never `cargo run`; no command changes the shell's directory
//! (`(cd DIR && ...)` instead). With `NETLAB_LESSON_PACE=SECS` the run waits SECS seconds
//! before every command that follows a background command, as a person switching
//! terminals would: a step that only works when typed fast fails there.

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

/// The packages a command line runs: `cargo run -q [-p NAME] --`, `cargo build -q -p
/// NAME` and `./target/debug/NAME`. The test builds them before the lesson runs.
pub fn packages_in(command: &str) -> BTreeSet<String> {
    let mut packages = packages_built_by(command);
    packages.extend(target_debug_binaries(command));
    packages
}

/// The packages a command line runs through `cargo run -q [-p NAME] --`.
fn packages_run_by(command: &str) -> BTreeSet<String> {
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
    paths: Vec<String>,
    names: Vec<String>,
}

impl LessonRun {
    /// `workspace` is the repository root (`env!("CARGO_MANIFEST_DIR")` of the root
    /// package); `lesson` a path relative to it, such as `lessons/01-udp-basic.md`.
    pub fn new(workspace: &str, lesson: &str) -> LessonRun {
        LessonRun {
            workspace: PathBuf::from(workspace),
            lesson: PathBuf::from(lesson),
            ports: Vec::new(),
            paths: Vec::new(),
            names: Vec::new(),
        }
    }

    /// Fixed ports the lesson names; each is swapped for a free port while testing.
    pub fn ports(mut self, ports: &[u16]) -> LessonRun {
        self.ports = ports.to_vec();
        self
    }

    /// Fixed paths the lesson names (`/tmp/netlab-04`); each is swapped for a directory
    /// inside a fresh temporary directory of this run, deleted when the run ends, so a
    /// student's own `/tmp/netlab-04` is never touched and two runs never collide.
    pub fn paths(mut self, paths: &[&str]) -> LessonRun {
        self.paths = paths.iter().map(|p| p.to_string()).collect();
        self
    }

    /// Fixed network namespace and interface names the lesson names (`nl2-h1`,
    /// `nl2-veth1`); each gets a suffix unique to this run (the result stays within the
    /// 15 bytes Linux allows for an interface name), and whatever exists under those
    /// names when the run ends is deleted.
    pub fn names(mut self, names: &[&str]) -> LessonRun {
        for name in names {
            assert!(
                name.len() + NAME_SUFFIX_LEN <= MAX_INTERFACE_NAME,
                "{name:?} is too long: with the {NAME_SUFFIX_LEN}-letter suffix of a run it \
                 must fit in {MAX_INTERFACE_NAME} bytes (Linux's limit for an interface name)"
            );
        }
        self.names = names.iter().map(|n| n.to_string()).collect();
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
        check_student_form(&name, &blocks);

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
        let pace = pace_from_env();
        let port_map = choose_ports(&self.ports);
        // Dropped at the end of `run`, even when a step fails: deletes the run's directory
        // and whatever namespaces and interfaces exist under the run's names.
        let scratch = Localised::new(&self.paths, &self.names);
        let localise = |text: &str| -> String {
            let text = port_map.iter().fold(text.to_string(), |t, (from, to)| {
                substitute_port(&t, *from, *to)
            });
            scratch.localise(&text)
        };
        // A student who is not root types `sudo`; as root without sudo installed (a CI
        // container), the same line runs with `sudo ` left out.
        let without_sudo = is_root() && find_tool("sudo").is_none();
        let prepare = |command: &str| -> String {
            let command = substitute_cargo_build(&localise(command));
            let command = substitute_cargo_run(&command, &bin_dir);
            let command = substitute_target_debug(&command, &bin_dir);
            if without_sudo {
                strip_sudo(&command)
            } else {
                command
            }
        };

        let mut background: Vec<Started> = Vec::new();
        let mut section = 0;
        let mut ran = 0;
        // True right after a background command started: a person now switches to
        // another terminal before typing the next command (paced mode waits here).
        let mut switching_terminal = false;
        let before_command = |switching: &mut bool| {
            if std::mem::take(switching) {
                if let Some(pace) = pace {
                    std::thread::sleep(pace);
                }
            }
        };
        for block in &blocks {
            if block.section != section {
                finish_background(&name, &mut background);
                section = block.section;
            }
            if block.has_tag("norun") {
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
                before_command(&mut switching_terminal);
                let command = prepare(&step.command);
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
                switching_terminal = true;
                ran += 1;
                continue;
            }
            for step in &block.commands {
                before_command(&mut switching_terminal);
                let command = prepare(&step.command);
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
        drop(scratch);
        assert!(ran > 0, "{name}: no command ran");
    }
}

/// The paced mode's pause from `NETLAB_LESSON_PACE=SECS` (whole seconds, at most 600):
/// how long a person takes to switch terminals and type the next command. None when
/// the variable is unset or empty: the fast run.
fn pace_from_env() -> Option<Duration> {
    parse_pace(std::env::var("NETLAB_LESSON_PACE").ok().as_deref())
        .unwrap_or_else(|message| panic!("{message}"))
}

/// The value of `NETLAB_LESSON_PACE`: unset or empty is the fast run.
pub fn parse_pace(value: Option<&str>) -> Result<Option<Duration>, String> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match value.parse::<u64>() {
        Ok(seconds) if seconds <= MAX_PACE_SECS => Ok(Some(Duration::from_secs(seconds))),
        _ => Err(format!(
            "NETLAB_LESSON_PACE={value:?}: give whole seconds from 0 to {MAX_PACE_SECS}, \
             for example NETLAB_LESSON_PACE=5"
        )),
    }
}

/// Checks, before anything runs, that every command works as printed for a student
/// typing into one shell who is not root. Panics naming the lesson and the block.
fn check_student_form(name: &str, blocks: &[Block]) {
    const NORUN_ALLOWED: [&str; 5] = [
        "cargo test",
        "cargo bench",
        "cargo build",
        "cargo clippy",
        "cargo fmt",
    ];
    // Binaries the student has built so far (by `cargo run` or `cargo build`), so that
    // `./target/debug/NAME` exists when a root step uses it.
    let mut built: BTreeSet<String> = BTreeSet::new();
    for block in blocks {
        for step in &block.commands {
            let command = &step.command;
            let place = format!("{name}:{}", block.line);
            if block.has_tag("norun") {
                assert!(
                    NORUN_ALLOWED.iter().any(|a| command.starts_with(a)),
                    "{place}: a norun block may only hold cargo test/bench/build commands, \
                     which CI runs itself; found: {command}"
                );
            } else {
                assert!(
                    !changes_directory(command),
                    "{place}: `{command}` changes the directory of the student's shell, so the \
                     next `cargo run` fails outside the repository; write a subshell: \
                     `(cd DIR && ...)`"
                );
                if block.has_tag("root") {
                    assert!(
                        !command.contains("cargo run") && !command.contains("cargo build"),
                        "{place}: a root block runs `{command}`; under sudo cargo is not found \
                         (sudo's PATH lacks ~/.cargo/bin) and building as root leaves root-owned \
                         files in target/. Build as yourself in a normal block \
                         (`cargo build -q -p NAME`) and write `sudo ./target/debug/NAME ...` here"
                    );
                } else {
                    assert!(
                        !programs_in(command).contains("sudo"),
                        "{place}: `{command}` uses sudo outside a root block; tag the block \
                         `console root` (it is skipped when the tests do not run as root)"
                    );
                }
            }
            for binary in target_debug_binaries(command) {
                assert!(
                    built.contains(&binary),
                    "{place}: `{command}` runs ./target/debug/{binary} before the lesson builds \
                     it; add `$ cargo build -q -p {binary}` to a normal block before it"
                );
            }
            built.extend(packages_built_by(command));
        }
    }
}

/// Does this command line change the directory of the shell it is typed into (a `cd`
/// or `pushd` outside parentheses)? Inside `( ... )` it only changes a subshell's.
pub fn changes_directory(command: &str) -> bool {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut segment = String::new();
    let mut segments = Vec::new();
    for character in command.chars() {
        match (quote, character) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'') | (None, '"') => quote = Some(character),
            (None, '(') => {
                depth += 1;
                segments.push(std::mem::take(&mut segment));
            }
            (None, ')') => {
                depth = depth.saturating_sub(1);
                segment.clear();
            }
            (None, ';' | '&' | '|' | '\n') => {
                if depth == 0 {
                    segments.push(std::mem::take(&mut segment));
                } else {
                    segment.clear();
                }
            }
            (None, c) if depth == 0 => segment.push(c),
            (None, _) => {}
        }
    }
    segments.push(segment);
    segments.iter().any(|part| {
        let first = part
            .split_whitespace()
            .find(|w| !w.contains('=') || w.starts_with('-'));
        matches!(first, Some("cd") | Some("pushd") | Some("popd"))
    })
}

/// Binaries named as `./target/debug/NAME` in a command.
pub fn target_debug_binaries(command: &str) -> BTreeSet<String> {
    command
        .match_indices(TARGET_DEBUG)
        .map(|(at, _)| {
            command[at + TARGET_DEBUG.len()..]
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .filter(|binary| !binary.is_empty())
        .collect()
}

/// How a student runs a binary built by `cargo build` (in a root step, under sudo).
const TARGET_DEBUG: &str = "./target/debug/";

/// The packages a command builds: `cargo run -q -p NAME` and `cargo build -q -p NAME`.
fn packages_built_by(command: &str) -> BTreeSet<String> {
    let mut packages = packages_run_by(command);
    if let Some(rest) = command.trim().strip_prefix("cargo build") {
        let mut words = rest.split_whitespace();
        while let Some(word) = words.next() {
            if word == "-p" {
                if let Some(package) = words.next() {
                    packages.insert(package.to_string());
                }
            }
        }
    }
    packages
}

/// A command that is exactly `cargo build -q -p NAME [-p NAME]...` builds what the test
/// has built already (see `build_binaries`), so it runs as `true`; no cargo runs inside
/// the tests. Any other `cargo build` line is refused: it would run cargo.
pub fn substitute_cargo_build(command: &str) -> String {
    let Some(rest) = command.trim().strip_prefix("cargo build ") else {
        return command.to_string();
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    let simple = words.first() == Some(&"-q")
        && words.len() >= 3
        && words[1..]
            .chunks(2)
            .all(|pair| pair.len() == 2 && pair[0] == "-p");
    assert!(
        simple,
        "write `cargo build -q -p NAME` alone on its line (the test builds NAME itself): {command}"
    );
    "true".to_string()
}

/// Replaces `./target/debug/NAME` by the binary the test built.
pub fn substitute_target_debug(command: &str, bin_dir: &Path) -> String {
    let replacement = format!("{}/", bin_dir.display());
    command.replace(TARGET_DEBUG, &replacement)
}

/// Leaves out `sudo ` where it starts a program (as root, when sudo is not installed).
pub fn strip_sudo(command: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut rest = command;
    while let Some(at) = rest.find("sudo ") {
        let before = rest[..at].chars().last().or_else(|| out.chars().last());
        let starts_program =
            before.is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '|' | ';' | '&'));
        out.push_str(&rest[..at]);
        if starts_program {
            let after = &rest[at + "sudo ".len()..];
            assert!(
                !after.starts_with('-'),
                "write `sudo COMMAND` without sudo options, so it runs the same as root: {command}"
            );
            rest = after;
        } else {
            out.push_str("sudo ");
            rest = &rest[at + "sudo ".len()..];
        }
    }
    out.push_str(rest);
    out
}

/// Free ports, one per lesson port, each near the lesson's and with as many digits (so
/// the columns of `ss` and `tcpdump` line up as the student sees them), all different.
/// Near, because tcpdump and tshark decode some ports as another protocol (7000-7009 as
/// AFS `[|rx]`); [`DECODED_PORTS`] lists the ones near our lessons' ports. Five-digit
/// ports below 32768 stay below Linux's ephemeral range, where the OS picks ports.
fn choose_ports(ports: &[u16]) -> Vec<(u16, u16)> {
    let mut random = Random::new();
    let mut chosen: Vec<(u16, u16)> = Vec::new();
    for &port in ports {
        let (low, high) = same_digit_range(port);
        let low = low.max(port.saturating_sub(PORT_WINDOW));
        let high = high.min(port.saturating_add(PORT_WINDOW));
        let mut found = None;
        for _ in 0..500 {
            let span = u64::from(high - low) + 1;
            let candidate = low + (random.next() % span) as u16;
            let taken = candidate == port
                || ports.contains(&candidate)
                || chosen.iter().any(|(_, to)| *to == candidate)
                || DECODED_PORTS.iter().any(|range| range.contains(&candidate));
            if !taken && port_is_free(candidate) {
                found = Some(candidate);
                break;
            }
        }
        let to = found.unwrap_or_else(|| {
            panic!("no free port with the digits of {port} between {low} and {high}")
        });
        chosen.push((port, to));
    }
    chosen
}

/// How far from the lesson's port a swapped port may be.
const PORT_WINDOW: u16 = 100;

/// Ports that tcpdump or tshark print as some other protocol, so a lesson's capture
/// would read differently than with the lesson's own port.
const DECODED_PORTS: &[std::ops::RangeInclusive<u16>] = &[
    1701..=1701, // L2TP
    1812..=1813, // RADIUS
    1900..=1900, // SSDP
    2049..=2049, // NFS
    2055..=2055, // NetFlow
    3478..=3478, // STUN
    4500..=4500, // IKE NAT traversal
    4789..=4789, // VXLAN
    5060..=5061, // SIP
    5246..=5247, // CAPWAP
    5353..=5355, // mDNS, LLMNR
    6081..=6081, // Geneve
    6343..=6343, // sFlow
    6633..=6653, // OpenFlow
    7000..=7009, // AFS (Rx)
    8080..=8080, // HTTP
    9995..=9996, // NetFlow
];

/// The ports with as many digits as `port`, above the privileged range.
pub fn same_digit_range(port: u16) -> (u16, u16) {
    let digits = port.to_string().len() as u32;
    let low = 10u32.pow(digits - 1).max(1024);
    let mut high = (10u32.pow(digits) - 1).min(u32::from(u16::MAX));
    if port < 32768 {
        high = high.min(32767);
    }
    assert!(
        low <= high,
        "port {port}: a lesson port must be unprivileged (1024 or above)"
    );
    (low as u16, high as u16)
}

/// Free for TCP and UDP, on 127.0.0.1 and on all addresses (`0.0.0.0`), right now.
fn port_is_free(port: u16) -> bool {
    use std::net::{TcpListener, UdpSocket};
    let tcp = TcpListener::bind(("0.0.0.0", port)).is_ok()
        && TcpListener::bind(("127.0.0.1", port)).is_ok();
    tcp && UdpSocket::bind(("0.0.0.0", port)).is_ok()
        && UdpSocket::bind(("127.0.0.1", port)).is_ok()
}

/// A small xorshift generator seeded from the clock and the process id: enough to spread
/// parallel runs over different ports and names; freeness is checked, not assumed.
struct Random(u64);

impl Random {
    fn new() -> Random {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Random((nanos ^ (u64::from(std::process::id()) << 32)) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Letters added to each of a lesson's namespace and interface names for one run.
const NAME_SUFFIX_LEN: usize = 4;
/// Linux's limit for an interface name (IFNAMSIZ 16, with the final zero byte).
const MAX_INTERFACE_NAME: usize = 15;
/// The longest pause paced mode accepts.
const MAX_PACE_SECS: u64 = 600;

/// The paths and names of one run (its own directory, namespaces and interfaces), and
/// their cleanup.
struct Localised {
    /// Where the lesson's `/tmp/netlab-...` paths go; removed when dropped.
    _dir: Option<crate::Scratch>,
    paths: Vec<(String, String)>,
    names: Vec<(String, String)>,
}

impl Localised {
    fn new(paths: &[String], names: &[String]) -> Localised {
        let dir = (!paths.is_empty()).then(|| crate::Scratch::new("lesson"));
        let paths = paths
            .iter()
            .map(|path| {
                let base = Path::new(path)
                    .file_name()
                    .map(|b| b.to_string_lossy().into_owned())
                    .unwrap_or_else(|| panic!("{path:?}: name a directory, like /tmp/netlab-04"));
                let dir = dir.as_ref().expect("made above when there are paths");
                (path.clone(), dir.join(&base).display().to_string())
            })
            .collect();
        let names = unused_names(names, &mut Random::new());
        Localised {
            _dir: dir,
            paths,
            names,
        }
    }

    fn localise(&self, text: &str) -> String {
        let paths = self.paths.iter().fold(text.to_string(), |t, (from, to)| {
            substitute_word(&t, from, to)
        });
        self.names
            .iter()
            .fold(paths, |t, (from, to)| substitute_word(&t, from, to))
    }
}

impl Drop for Localised {
    fn drop(&mut self) {
        // The directory goes with `_dir`.
        for (_, name) in &self.names {
            if Path::new("/run/netns").join(name).exists() {
                let _ = Command::new("ip").args(["netns", "del", name]).status();
            }
            if Path::new("/sys/class/net").join(name).exists() {
                let _ = Command::new("ip").args(["link", "del", name]).status();
            }
        }
    }
}

/// Each name with one suffix of lower-case letters, chosen so that no namespace or
/// interface of that name exists yet.
fn unused_names(names: &[String], random: &mut Random) -> Vec<(String, String)> {
    if names.is_empty() {
        return Vec::new();
    }
    for _ in 0..100 {
        let mut value = random.next();
        let suffix: String = (0..NAME_SUFFIX_LEN)
            .map(|_| {
                let letter = (b'a' + (value % 26) as u8) as char;
                value /= 26;
                letter
            })
            .collect();
        let mapped: Vec<(String, String)> = names
            .iter()
            .map(|name| (name.clone(), format!("{name}{suffix}")))
            .collect();
        let exists = mapped.iter().any(|(_, new)| {
            Path::new("/run/netns").join(new).exists()
                || Path::new("/sys/class/net").join(new).exists()
        });
        if !exists {
            return mapped;
        }
    }
    panic!("no unused suffix for the names {names:?} after 100 tries");
}

/// Replaces `from` by `to` where it stands as a whole path or name: not inside a longer
/// word (`/tmp/netlab-04` is not replaced in `/tmp/netlab-045`, `nl2-h1` not in `nl2-h10`).
pub fn substitute_word(text: &str, from: &str, to: &str) -> String {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(from) {
        let before = rest[..at].chars().last().or_else(|| out.chars().last());
        let after = rest[at + from.len()..].chars().next();
        let whole = !before.is_some_and(|c| is_word(c) || c == '/' || c == '.')
            && !after.is_some_and(is_word);
        out.push_str(&rest[..at]);
        out.push_str(if whole { to } else { from });
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

/// `sh -c 'COMMAND' 2>&1`: the terminal's view, stdout and stderr in one stream. In
/// English whatever the tester's locale: the lessons show the English output (the course
/// runner, `cargo run`, would otherwise answer in Chinese on a Chinese machine).
fn shell(command: &str, workspace: &Path) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("exec 2>&1\n{command}"))
        .current_dir(workspace)
        .env("NO_COLOR", "1")
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONIOENCODING", "utf-8");
    crate::in_english(&mut sh);
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
    fn pace_is_whole_seconds_and_bounded() {
        assert_eq!(parse_pace(None), Ok(None));
        assert_eq!(parse_pace(Some("")), Ok(None));
        assert_eq!(parse_pace(Some("5")), Ok(Some(Duration::from_secs(5))));
        assert!(parse_pace(Some("601")).is_err());
        assert!(parse_pace(Some("1.5")).is_err());
        assert!(parse_pace(Some("18446744073709551616")).is_err());
    }

    #[test]
    fn swapped_ports_keep_the_number_of_digits() {
        for (from, to) in choose_ports(&[7788, 8899, 5300, 40000]) {
            assert_eq!(
                from.to_string().len(),
                to.to_string().len(),
                "{from} -> {to}"
            );
            assert_ne!(from, to);
        }
        assert_eq!(same_digit_range(7788), (1024, 9999));
        assert_eq!(same_digit_range(12345), (10000, 32767));
        assert_eq!(same_digit_range(40000), (10000, 65535));
    }

    #[test]
    fn paths_and_names_are_swapped_only_as_whole_words() {
        assert_eq!(
            substitute_word(
                "ls /tmp/netlab-04/home /tmp/netlab-045 x/tmp/netlab-04",
                "/tmp/netlab-04",
                "/T/n"
            ),
            "ls /T/n/home /tmp/netlab-045 x/tmp/netlab-04"
        );
        assert_eq!(
            substitute_word(
                "ip -n nl2-h1 link; nl2-h10 nl2-h1, dev",
                "nl2-h1",
                "nl2-h1abcd"
            ),
            "ip -n nl2-h1abcd link; nl2-h10 nl2-h1abcd, dev"
        );
    }

    #[test]
    fn run_names_fit_an_interface_name_and_differ_per_run() {
        let names = vec!["nl2-veth1".to_string(), "nl2-h1".to_string()];
        let first = unused_names(&names, &mut Random::new());
        let second = unused_names(&names, &mut Random::new());
        assert!(first.iter().all(|(_, n)| n.len() <= MAX_INTERFACE_NAME));
        assert_ne!(first, second);
    }

    #[test]
    fn scratch_directory_is_deleted_at_the_end_of_the_run() {
        let scratch = Localised::new(&["/tmp/netlab-04".to_string()], &[]);
        let dir = PathBuf::from(scratch.localise("/tmp/netlab-04"));
        std::fs::create_dir_all(dir.join("home")).unwrap();
        assert!(!dir.starts_with("/tmp/netlab-04"));
        drop(scratch);
        assert!(!dir.exists() && !dir.parent().unwrap().exists());
    }

    #[test]
    fn cd_outside_a_subshell_changes_the_shell_directory() {
        assert!(changes_directory("cd /tmp/x && tftp get a"));
        assert!(changes_directory("echo hi; cd /tmp"));
        assert!(!changes_directory("(cd /tmp/x && tftp get a) && cat b"));
        assert!(!changes_directory("echo 'a; cd b'"));
        assert!(!changes_directory("printf cd"));
    }

    #[test]
    fn root_steps_run_as_the_student_types_them() {
        let dir = Path::new("/t/debug");
        assert_eq!(
            strip_sudo("sudo ip netns exec h1 ./target/debug/udp-bind recv; echo pseudo done"),
            "ip netns exec h1 ./target/debug/udp-bind recv; echo pseudo done"
        );
        assert_eq!(
            substitute_target_debug("ip netns exec h1 ./target/debug/udp-bind recv", dir),
            "ip netns exec h1 /t/debug/udp-bind recv"
        );
        assert_eq!(
            substitute_cargo_build("cargo build -q -p udp-bind -p tftp"),
            "true"
        );
        assert!(packages_in("sudo ./target/debug/udp-bind x").contains("udp-bind"));
        assert!(packages_in("cargo build -q -p tftp").contains("tftp"));
    }

    #[test]
    #[should_panic(expected = "a root block runs")]
    fn root_block_with_cargo_run_is_rejected() {
        let blocks = parse("# A\n```console root\n$ sudo cargo run -q -p udp-bind -- recv\n```\n");
        check_student_form("lessons/x.md", &blocks);
    }

    #[test]
    #[should_panic(expected = "before the lesson builds it")]
    fn target_debug_binary_must_be_built_first() {
        let blocks = parse("# A\n```console root\n$ sudo ./target/debug/udp-bind recv\n```\n");
        check_student_form("lessons/x.md", &blocks);
    }

    #[test]
    fn programs_are_found_in_pipelines() {
        let found = programs_in("echo hi | nc -u -w1 127.0.0.1 7788 && sudo tcpdump -i lo");
        assert!(found.contains("nc") && found.contains("tcpdump") && found.contains("echo"));
        assert!(programs_in("timeout 5 socat - UDP:x").contains("socat"));
    }
}
