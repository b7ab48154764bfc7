//! Test-only helpers shared by every netlab crate's tests (a dev-dependency, never
//! shipped in a binary).
//!
//! * [`Running`]: start one of our binaries, wait (with a deadline) for its readiness line
//!   `listening on udp 127.0.0.1:40123`, read the real address from it, and kill the
//!   process when the test is done, even when it fails.
//! * [`require_tool`] / [`require_root`]: a test that needs a peer tool (`nc`, `socat`,
//!   `tshark`, ...) or root prints `SKIP: ...` with the Debian package to install and
//!   returns early on a student's laptop, but fails under `CI=true`, where `.ci/run`
//!   installs everything.
//! * [`relay::LossyRelay`]: a deterministic, seeded UDP relay that drops, duplicates and
//!   reorders datagrams, so loss is tested on purpose, not by luck.
//! * [`lesson`]: runs every `console` block of a lesson as written and compares the output.
//!
//! Every wait here has a deadline; nothing sleeps to synchronise.

pub mod lesson;
pub mod relay;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a test waits for a readiness line or an exit before it gives up. Generous,
/// because a loaded 2-core CI machine can be slow; a passing test never waits this long.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// The environment variables that choose a program's language, in the order POSIX reads
/// them (the course runner speaks Chinese when the first one set starts with `zh`).
pub const LOCALE_VARIABLES: [&str; 3] = ["LC_ALL", "LC_MESSAGES", "LANG"];

/// Runs `command` in English whatever the tester's own locale: the tests compare English
/// text, and a student on a Chinese machine must still see them pass. `C.UTF-8` keeps
/// UTF-8 for the programs that print Chinese text on purpose.
pub fn in_english(command: &mut Command) -> &mut Command {
    for variable in LOCALE_VARIABLES {
        command.env_remove(variable);
    }
    command.env("LANG", "C.UTF-8")
}

/// True when running under CI (`CI=true`), where a missing tool is a failure, not a skip.
pub fn in_ci() -> bool {
    matches!(
        std::env::var("CI").as_deref(),
        Ok("true") | Ok("1") | Ok("TRUE")
    )
}

/// Writes straight to the terminal: the test harness captures `println!`/`eprintln!` of
/// passing tests, but a SKIP line must be seen.
pub fn announce(line: &str) {
    let mut stderr = std::io::stderr();
    let _ = writeln!(stderr, "{line}");
}

/// Finds an executable on `PATH` (or an absolute path), like `command -v`.
pub fn find_tool(tool: &str) -> Option<PathBuf> {
    let candidate = PathBuf::from(tool);
    if candidate.is_absolute() {
        return is_executable(&candidate).then_some(candidate);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|path| is_executable(path))
}

fn is_executable(path: &std::path::Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        path.is_file() || path.with_extension("exe").is_file()
    }
}

/// Returns true when `tool` is installed. Otherwise prints
/// `SKIP: <test> needs <tool> (apt-get install <package>)` and returns false so the
/// test can return early, or panics under CI, where the tool must be there.
pub fn require_tool(test: &str, tool: &str, package: &str) -> bool {
    if find_tool(tool).is_some() {
        return true;
    }
    if in_ci() {
        panic!("{test} needs {tool}, which CI must install: add {package} to .ci/run");
    }
    announce(&format!(
        "SKIP: {test} needs {tool} (apt-get install {package})"
    ));
    false
}

/// True when this process runs as root (uid 0). Only Linux can tell; elsewhere false.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("Uid:"))
                .and_then(|line| line.split_whitespace().nth(1).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

/// Returns true as root on Linux. Otherwise prints a SKIP line and returns false, or
/// panics under CI (which runs as root, so a namespace lab there must really run).
pub fn require_root(test: &str) -> bool {
    if is_root() {
        return true;
    }
    if in_ci() {
        panic!("{test} needs root (network namespaces or raw sockets), and CI runs as root");
    }
    announce(&format!(
        "SKIP: {test} needs root (run it with sudo -E cargo test, on Linux)"
    ));
    false
}

/// Polls `check` until it returns `Some`, or panics with `what` after `timeout`.
/// For conditions nothing tells us about (a file appears, a counter moves).
pub fn poll_until<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(value) = check() {
            return value;
        }
        if Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Lines read from one output stream of a child, shared with the thread that reads them.
#[derive(Default)]
struct Lines {
    state: Mutex<LinesState>,
    changed: Condvar,
}

#[derive(Default)]
struct LinesState {
    lines: Vec<String>,
    closed: bool,
}

impl Lines {
    fn collect(stream: impl Read + Send + 'static) -> Arc<Lines> {
        let lines = Arc::new(Lines::default());
        let writer = Arc::clone(&lines);
        thread::spawn(move || {
            let mut reader = BufReader::new(stream);
            let mut buffer = Vec::new();
            loop {
                buffer.clear();
                match reader.read_until(b'\n', &mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let text = String::from_utf8_lossy(&buffer);
                        let line = text.trim_end_matches(['\n', '\r']).to_string();
                        let mut state = writer.state.lock().unwrap_or_else(|e| e.into_inner());
                        state.lines.push(line);
                        writer.changed.notify_all();
                    }
                }
            }
            let mut state = writer.state.lock().unwrap_or_else(|e| e.into_inner());
            state.closed = true;
            writer.changed.notify_all();
        });
        lines
    }

    fn snapshot(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .lines
            .clone()
    }

    /// Waits for a line (at index `from` or later) that `wanted` accepts.
    fn wait_for(
        &self,
        from: usize,
        timeout: Duration,
        wanted: &dyn Fn(&str) -> bool,
    ) -> Result<(usize, String), bool> {
        let deadline = Instant::now() + timeout;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = from;
        loop {
            while next < state.lines.len() {
                if wanted(&state.lines[next]) {
                    return Ok((next, state.lines[next].clone()));
                }
                next += 1;
            }
            if state.closed {
                return Err(true);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(false);
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    fn wait_closed(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while !state.closed {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }
}

/// A child process whose stdout and stderr are read line by line as they arrive.
/// Dropping it kills the process, so a failing test leaves nothing running.
pub struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Arc<Lines>,
    stderr: Arc<Lines>,
    description: String,
    address: Option<SocketAddr>,
    stdout_seen: usize,
}

/// What a finished process printed, and how it ended.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
}

impl Finished {
    /// All stdout lines joined with newlines (handy for `contains`).
    pub fn stdout_text(&self) -> String {
        self.stdout.join("\n")
    }
    /// All stderr lines joined with newlines.
    pub fn stderr_text(&self) -> String {
        self.stderr.join("\n")
    }
}

/// Parses a readiness line `listening on udp 127.0.0.1:40123` (or `tcp`).
pub fn parse_readiness(line: &str) -> Option<SocketAddr> {
    let rest = line
        .strip_prefix("listening on udp ")
        .or_else(|| line.strip_prefix("listening on tcp "))?;
    rest.split_whitespace().next()?.parse().ok()
}

impl Running {
    /// Starts `command` with piped stdin, stdout and stderr, without waiting for anything.
    pub fn start(mut command: Command) -> Running {
        let description = format!("{command:?}");
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Its own process group, so that stopping it also stops what it started: a lesson
        // command runs as `sh -c ...`, and killing only the shell would leave the server
        // under it running (and holding its port) after the test.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {description}: {error}"));
        let stdout = Lines::collect(child.stdout.take().expect("stdout was piped above"));
        let stderr = Lines::collect(child.stderr.take().expect("stderr was piped above"));
        let stdin = child.stdin.take();
        Running {
            child,
            stdin,
            stdout,
            stderr,
            description,
            address: None,
            stdout_seen: 0,
        }
    }

    /// Starts a server and waits for its readiness line; [`Running::addr`] then gives the
    /// address it printed (the real port, so `--bind 127.0.0.1:0` works).
    pub fn server(command: Command) -> Running {
        let mut running = Running::start(command);
        let line = running.wait_for_stdout("a readiness line 'listening on ...'", |line| {
            parse_readiness(line).is_some()
        });
        running.address = parse_readiness(&line);
        running
    }

    /// The address from the readiness line.
    pub fn addr(&self) -> SocketAddr {
        self.address
            .unwrap_or_else(|| panic!("{} printed no readiness line", self.description))
    }

    /// Standard input of the child, to write to it; drop it to send end-of-file.
    pub fn stdin(&mut self) -> &mut ChildStdin {
        self.stdin.as_mut().expect("stdin was already closed")
    }

    /// Closes the child's standard input (end of file).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the next stdout line that `wanted` accepts and returns it. Lines before
    /// it are passed over; the next call starts after it. Panics (showing everything the
    /// process printed) on the deadline or when the process closes stdout first.
    pub fn wait_for_stdout(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        match self.stdout.wait_for(self.stdout_seen, DEADLINE, &wanted) {
            Ok((index, line)) => {
                self.stdout_seen = index + 1;
                line
            }
            Err(closed) => {
                let why = if closed {
                    "it closed stdout (exited?)"
                } else {
                    "the deadline passed"
                };
                panic!(
                    "waiting for {what} from {}: {why}\n{}",
                    self.description,
                    self.transcript()
                )
            }
        }
    }

    /// Waits for a stdout line containing `text`.
    pub fn wait_for_stdout_containing(&mut self, text: &str) -> String {
        self.wait_for_stdout(&format!("a line containing {text:?}"), |line| {
            line.contains(text)
        })
    }

    /// Waits for a stderr line containing `text` (from the start of stderr).
    pub fn wait_for_stderr_containing(&self, text: &str) -> String {
        match self
            .stderr
            .wait_for(0, DEADLINE, &|line: &str| line.contains(text))
        {
            Ok((_, line)) => line,
            Err(_) => panic!(
                "waiting for stderr line containing {text:?} from {}\n{}",
                self.description,
                self.transcript()
            ),
        }
    }

    /// The stdout lines so far.
    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout.snapshot()
    }

    /// The stderr lines so far.
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr.snapshot()
    }

    /// True while the process has not exited.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits (with the deadline) for the process to exit on its own and returns what it
    /// printed. Panics if it is still running at the deadline.
    pub fn finish(self) -> Finished {
        self.finish_within(DEADLINE)
    }

    /// Like [`Running::finish`] with a chosen deadline.
    pub fn finish_within(mut self, timeout: Duration) -> Finished {
        self.stdin = None;
        let deadline = Instant::now() + timeout;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(5));
                }
                _ => {
                    self.stop_group();
                    let _ = self.child.wait();
                    panic!(
                        "{} did not exit within {timeout:?}\n{}",
                        self.description,
                        self.transcript()
                    );
                }
            }
        };
        self.collect(status)
    }

    /// Kills the process (like Ctrl-C would stop it) and returns what it printed.
    pub fn kill(mut self) -> Finished {
        self.stop_group();
        let status = self.child.wait().expect("wait after kill");
        self.collect(status)
    }

    /// Kills the process and every process it started (its process group), as Ctrl-C in
    /// a terminal would. Where process groups do not exist, just the process.
    fn stop_group(&mut self) {
        #[cfg(unix)]
        {
            // The group's id is the child's pid (`process_group(0)` in `start`); std has
            // no killpg, so ask kill(1), which every Unix has.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
    }

    /// Everything printed by an exited process. The pipes close right after exit; wait
    /// (bounded) so no line is lost.
    fn collect(&self, status: ExitStatus) -> Finished {
        self.stdout.wait_closed(DEADLINE);
        self.stderr.wait_closed(DEADLINE);
        Finished {
            status,
            stdout: self.stdout.snapshot(),
            stderr: self.stderr.snapshot(),
        }
    }

    /// Both output streams so far, for a failure message.
    fn transcript(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout.snapshot().join("\n"),
            self.stderr.snapshot().join("\n")
        )
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop_group();
            let _ = self.child.wait();
        }
    }
}

/// A port that is free for both UDP and TCP on 127.0.0.1 right now. Only for the rare
/// place that cannot use port 0 (a lesson command that names a fixed port); a race with
/// another process is possible, but unlikely on loopback.
pub fn free_port() -> u16 {
    for _ in 0..100 {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind tcp 127.0.0.1:0");
        let port = tcp.local_addr().expect("local_addr").port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok()
            && std::net::UdpSocket::bind(("0.0.0.0", port)).is_ok()
        {
            return port;
        }
    }
    panic!("no port free for both UDP and TCP after 100 tries");
}

/// `len` bytes that look random and are the same for the same `seed` (xorshift64):
/// payloads for transfers and echoes, varied enough that a lost, doubled or shifted
/// block shows when the copy is compared with them.
pub fn reproducible_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// True while a process with this pid exists (`kill -0` asks without signalling).
    fn alive(pid: &str) -> bool {
        Command::new("kill")
            .args(["-0", pid])
            .stderr(Stdio::null())
            .status()
            .map(|status| status.success())
            .unwrap_or(false)
    }

    #[test]
    fn stopping_a_shell_also_stops_what_it_started() {
        let mut shell = Command::new("sh");
        shell.args(["-c", "sleep 30 & echo $!; wait"]);
        let mut running = Running::start(shell);
        let pid = running.wait_for_stdout("the child's pid", |line| !line.is_empty());
        assert!(alive(&pid), "the child should be running");
        running.kill();
        poll_until("the shell's child to be gone", DEADLINE, || {
            (!alive(&pid)).then_some(())
        });
    }

    #[test]
    fn dropping_a_running_shell_stops_its_child_too() {
        let mut shell = Command::new("sh");
        shell.args(["-c", "sleep 30 & echo $!; wait"]);
        let mut running = Running::start(shell);
        let pid = running.wait_for_stdout("the child's pid", |line| !line.is_empty());
        drop(running);
        poll_until("the shell's child to be gone", DEADLINE, || {
            (!alive(&pid)).then_some(())
        });
    }
}
