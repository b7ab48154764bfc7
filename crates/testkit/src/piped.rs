//! [`Piped`]: one of our binaries with every stream piped, for tests that hold or close
//! its pipes themselves (a closed stdout, as `... | head` leaves it).

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

use crate::{DEADLINE, parse_readiness, poll_until};

/// A child process with stdin, stdout and stderr piped. It is killed when dropped, so a
/// failed assertion leaves nothing running.
pub struct Piped {
    /// The process; take its pipes (`child.stdin.take()`) to write to or close them.
    pub child: Child,
    name: String,
}

impl Piped {
    /// Starts `program args`, every stream piped.
    pub fn start(program: &str, args: &[&str]) -> Piped {
        let name = Path::new(program)
            .file_name()
            .map_or_else(|| program.to_string(), |n| n.to_string_lossy().into_owned());
        let child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("start {name}: {error}"));
        Piped { child, name }
    }

    /// Takes charge of a process the test started itself (with its own choice of pipes):
    /// it is killed when dropped, and [`Piped::wait_for_exit`] waits for it. `name` is
    /// what a timeout message calls it.
    pub fn adopt(child: Child, name: &str) -> Piped {
        Piped {
            child,
            name: name.to_string(),
        }
    }

    /// Reads the readiness line (`listening on ... ADDRESS`) from stdout, then closes the
    /// reading end of stdout, as `head -1` does once it has its line. Returns the address.
    pub fn read_readiness_then_close_stdout(&mut self) -> SocketAddr {
        let stdout = self.child.stdout.take().expect("stdout is piped");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        // The readiness line comes at once; if the binary died first, read_line sees
        // the end of the file and the parse below fails with the line it got.
        reader
            .read_line(&mut line)
            .expect("read the readiness line");
        parse_readiness(line.trim_end())
            .unwrap_or_else(|| panic!("{}: no readiness line, got {line:?}", self.name))
    }

    /// Waits (at most [`DEADLINE`]) for the process to exit, calling `write_again` before
    /// each look; returns its status and everything it wrote on stderr.
    ///
    /// Why again: while another test in the same test binary starts a process, the
    /// forked copy holds our pipe's read end for a moment, and a write in that moment
    /// still succeeds. Each call should make the process write once more, until a write
    /// finds the pipe closed.
    pub fn wait_for_exit(&mut self, mut write_again: impl FnMut()) -> (ExitStatus, String) {
        let what = format!("{} to exit", self.name);
        let status = poll_until(&what, DEADLINE, || {
            let exited = self.child.try_wait().expect("try_wait");
            if exited.is_none() {
                write_again();
            }
            exited
        });
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        (status, stderr)
    }
}

impl Drop for Piped {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
