//! Starting one of our binaries, waiting for its readiness line, and stopping it (and
//! everything it started) when the test is done.

use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::DEADLINE;
use crate::lines::Lines;

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

    /// Sends `signal` (`INT` as Ctrl-C would, `TERM`) to the process alone, for a program
    /// that must end cleanly (tcpdump finishing its capture file); [`Running::finish`]
    /// then waits for it. See [`send_signal`].
    pub fn signal(&self, signal: &str) {
        send_signal(self.child.id(), signal);
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

/// Sends `signal` (`INT` as Ctrl-C would, `TERM`) to process `pid` alone, through
/// kill(1), which every Unix has (a test that needs it is a Unix test); fails the test
/// when kill does.
pub fn send_signal(pid: u32, signal: &str) {
    let sent = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap_or_else(|error| panic!("cannot run kill: {error}"));
    assert!(sent.success(), "kill -{signal} {pid} failed");
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop_group();
            let _ = self.child.wait();
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::poll_until;

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
