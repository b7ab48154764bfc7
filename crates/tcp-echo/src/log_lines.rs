//! The server's log lines on stdout (`accepted ...`, `closed ...`), from many threads.
//!
//! Every `write` to stdout wakes whoever reads it (a terminal, or a program reading a
//! pipe). A client that connects, sends 16 bytes and closes makes two lines; written one
//! `write` each, under the lock of `println!`, they made such a connection cost about 30%
//! more processor time than with stdout going nowhere (two wake-ups of the reader, and
//! the accept loop asleep on the lock while a client thread wrote).
//!
//! So a line that comes after a quiet moment (more than [`BATCH`] since the last write)
//! is written at once by the thread that logs it, exactly as `println!` would: a person
//! typing, and most tests, see no difference. Lines that come faster than that wait at
//! most [`BATCH`] and go out together in one `write`, from a thread of their own. Either
//! way they keep the order in which they were logged, and no thread waits for another
//! one's `write`. What is given up, on a busy server only: a client may get its echo up
//! to [`BATCH`] before its `accepted` line reaches stdout, and a server stopped by a
//! signal (Ctrl-C) in such a moment loses the lines of its last [`BATCH`]; `--once`,
//! `--count` and `--exit-after` write every line before the program ends. `--trace`
//! uses [`LogLines::unbatched`], since its lines on stderr must stay in step with these.
//!
//! When stdout's reader goes away (`tcp-echo serve | head -2`), there is nobody left to
//! read the log: the first write that fails with a closed pipe (`BrokenPipe`) asks the
//! server to stop, as any Unix filter stops, and keeps the error for `main`, which ends
//! quietly with success. Other write errors are ignored: the server goes on serving.
//!
//! This is plumbing of the binary, not part of the lesson: `server::serve` only sees a
//! function that takes a line.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use tcp_echo::server::Stop;

/// The longest a line waits when lines come fast: a person cannot see it, and a busy
/// server makes one `write` per `BATCH` instead of one per line.
const BATCH: Duration = Duration::from_millis(10);

/// How many bytes of lines may wait. When stdout is stuck (a full pipe nobody reads),
/// loggers then wait, as they would have waited in `println!`, instead of filling the
/// memory.
const MOST_WAITING: usize = 64 * 1024;

/// Lines to one output, from any thread. [`LogLines::flush`] before the program ends.
pub struct LogLines {
    shared: Arc<Shared>,
    /// False when unbatched, or when the thread that writes late lines could not be
    /// started: every line is then written by the thread that logs it.
    batching: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Tells the batching thread that lines wait.
    lines_waiting: Condvar,
    /// Tells stopped loggers (and [`LogLines::flush`]) that a write has ended.
    written: Condvar,
    /// Used only by the thread whose `State::writing` is set.
    out: Mutex<Box<dyn Write + Send>>,
    /// [`BATCH`], or another time in tests.
    batch: Duration,
    /// Requested when `out`'s reader has gone (a closed pipe).
    stop: Stop,
    /// The first closed-pipe write error, for `main` to report (quietly).
    closed_pipe: Mutex<Option<io::Error>>,
}

struct State {
    /// Logged lines not written yet, each ending with `\n`.
    text: String,
    /// True while some thread writes: it alone touches `out`.
    writing: bool,
    /// When the last write ended; a line logged sooner after it than [`BATCH`] waits.
    last_write: Option<Instant>,
    /// Threads waiting in `Shared::written` (a notification is a system call: only
    /// made when someone waits).
    waiting_for_write: usize,
    /// True while the batching thread waits to be woken. Otherwise it looks at the
    /// lines by itself within `batch` (it goes on doing that while lines keep coming),
    /// and loggers neither write nor make the system call that wakes it.
    batcher_idle: bool,
    /// Set when the [`LogLines`] is dropped: the batching thread ends.
    closed: bool,
}

impl LogLines {
    /// Lines to `out` (the process's stdout in the binary), batched when they come fast.
    /// `stop` is requested when `out`'s reader goes away.
    pub fn new(out: Box<dyn Write + Send>, stop: Stop) -> LogLines {
        LogLines::with_batch(out, Some(BATCH), stop)
    }

    /// Lines to `out`, each written when it is logged, never later: for `--trace`,
    /// whose lines on stderr must stay in step with these.
    pub fn unbatched(out: Box<dyn Write + Send>, stop: Stop) -> LogLines {
        LogLines::with_batch(out, None, stop)
    }

    /// Lines to `out`; with `batch`, a line logged sooner than that after a write waits
    /// for the batching thread.
    fn with_batch(out: Box<dyn Write + Send>, batch: Option<Duration>, stop: Stop) -> LogLines {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                text: String::new(),
                writing: false,
                last_write: None,
                waiting_for_write: 0,
                // Until it has started, the batching thread is as good as idle.
                batcher_idle: true,
                closed: false,
            }),
            lines_waiting: Condvar::new(),
            written: Condvar::new(),
            out: Mutex::new(out),
            batch: batch.unwrap_or_default(),
            stop,
            closed_pipe: Mutex::new(None),
        });
        let batcher = Arc::clone(&shared);
        let batching = batch.is_some()
            && thread::Builder::new()
                .name("log lines".to_string())
                .spawn(move || batcher.write_late_lines())
                .is_ok();
        LogLines { shared, batching }
    }

    /// Logs `line` (a newline is added). A closed pipe stops the server (see the module
    /// documentation); other write errors are ignored.
    pub fn say(&self, line: &str) {
        let mut state = self.shared.lock();
        while state.text.len() >= MOST_WAITING {
            state = if state.writing {
                self.shared.wait_for_write(state)
            } else {
                self.shared.write_waiting(state)
            };
        }
        state.text.push_str(line);
        state.text.push('\n');
        if state.writing {
            // The thread writing now, or the batching thread after it, takes the line.
            return;
        }
        if self.batching {
            if !state.batcher_idle {
                // The batching thread looks at the lines within BATCH anyway.
                return;
            }
            let recent = state
                .last_write
                .is_some_and(|at| at.elapsed() < self.shared.batch);
            if recent {
                self.shared.wake_batcher(state);
                return;
            }
        }
        // A quiet moment: the line goes out now.
        let mut state = self.shared.write_waiting(state);
        if self.batching {
            // Lines logged during the write go out after BATCH, from the batching thread.
            if !state.text.is_empty() {
                self.shared.wake_batcher(state);
            }
        } else {
            while !state.text.is_empty() {
                state = self.shared.write_waiting(state);
            }
        }
    }

    /// The write error that found `out`'s reader gone, if one did: the server was asked
    /// to stop because of it.
    pub fn take_closed_pipe(&self) -> Option<io::Error> {
        self.shared
            .closed_pipe
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Writes every line logged so far, now (waiting for a write under way).
    pub fn flush(&self) {
        let mut state = self.shared.lock();
        loop {
            if state.writing {
                state = self.shared.wait_for_write(state);
            } else if !state.text.is_empty() {
                state = self.shared.write_waiting(state);
            } else {
                return;
            }
        }
    }
}

impl Drop for LogLines {
    fn drop(&mut self) {
        self.flush();
        self.shared.lock().closed = true;
        self.shared.lines_waiting.notify_one();
    }
}

impl Shared {
    /// The state; a thread that panicked while holding it left whole lines in it.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the waiting lines and writes them in one `write`, without holding the lock
    /// while writing. Returns with the lock held again.
    fn write_waiting<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        state.writing = true;
        let text = std::mem::take(&mut state.text);
        drop(state);
        {
            let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
            let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            if let Err(error) = written {
                self.note_write_error(error);
            }
        }
        let mut state = self.lock();
        state.writing = false;
        state.last_write = Some(Instant::now());
        if state.text.is_empty() {
            // Keep the allocation for the next lines.
            let mut text = text;
            text.clear();
            state.text = text;
        }
        if state.waiting_for_write > 0 {
            self.written.notify_all();
        }
        state
    }

    /// A closed pipe (our reader left) stops the server, and the first such error is kept
    /// for `main`; any other write error is ignored, and the server goes on serving.
    fn note_write_error(&self, error: io::Error) {
        if !say::is_closed_pipe(&error) {
            return;
        }
        self.stop.request();
        let mut kept = self
            .closed_pipe
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if kept.is_none() {
            *kept = Some(error);
        }
    }

    /// Waits until the write under way has ended.
    fn wait_for_write<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        state.waiting_for_write += 1;
        let mut state = wait(&self.written, state);
        state.waiting_for_write -= 1;
        state
    }

    /// Wakes the batching thread if it waits for lines.
    fn wake_batcher(&self, mut state: MutexGuard<'_, State>) {
        if state.batcher_idle {
            state.batcher_idle = false;
            self.lines_waiting.notify_one();
        }
    }

    /// The batching thread: writes lines that were logged too soon after a write, once
    /// [`BATCH`] has passed since it.
    fn write_late_lines(&self) {
        let mut state = self.lock();
        // After writing, it looks again one `batch` later before it waits to be woken:
        // when lines keep coming, that is the only wake-up per batch.
        let mut look_again = false;
        loop {
            if state.closed {
                return;
            }
            if state.text.is_empty() || state.writing {
                if look_again {
                    look_again = false;
                    state = wait_at_most(&self.lines_waiting, state, self.batch);
                } else {
                    state.batcher_idle = true;
                    state = wait(&self.lines_waiting, state);
                    state.batcher_idle = false;
                }
                continue;
            }
            let due = state.last_write.and_then(|at| at.checked_add(self.batch));
            let now = Instant::now();
            if let Some(due) = due.filter(|&due| due > now) {
                state = wait_at_most(&self.lines_waiting, state, due - now);
                continue;
            }
            state = self.write_waiting(state);
            look_again = true;
        }
    }
}

fn wait_at_most<'a>(
    condvar: &Condvar,
    state: MutexGuard<'a, State>,
    longest: Duration,
) -> MutexGuard<'a, State> {
    condvar
        .wait_timeout(state, longest)
        .unwrap_or_else(PoisonError::into_inner)
        .0
}

fn wait<'a>(condvar: &Condvar, state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
    condvar.wait(state).unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;
    use std::sync::mpsc::{self, Receiver, Sender};

    /// An output that keeps what is written and reports each write on a channel.
    struct Recorder {
        text: Arc<Mutex<Vec<u8>>>,
        writes: Sender<usize>,
    }

    impl Write for Recorder {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.text.lock().unwrap().extend_from_slice(bytes);
            let _ = self.writes.send(bytes.len());
            Ok(bytes.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn recorded(batch: Option<Duration>) -> (LogLines, Arc<Mutex<Vec<u8>>>, Receiver<usize>) {
        let text = Arc::new(Mutex::new(Vec::new()));
        let (writes, written) = mpsc::channel();
        let out = Recorder {
            text: Arc::clone(&text),
            writes,
        };
        (
            LogLines::with_batch(Box::new(out), batch, Stop::new()),
            text,
            written,
        )
    }

    fn text_of(text: &Arc<Mutex<Vec<u8>>>) -> String {
        String::from_utf8(text.lock().unwrap().clone()).unwrap()
    }

    const LONG: Duration = Duration::from_secs(3600);

    /// An output whose reader has gone: every write fails as on a closed pipe.
    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_asks_the_server_to_stop_and_keeps_the_error() {
        let stop = Stop::new();
        let lines = LogLines::unbatched(Box::new(ClosedPipe), stop.clone());
        lines.say("accepted 127.0.0.1:5000");
        assert!(stop.is_requested());
        let kept = lines.take_closed_pipe().expect("the closed pipe was kept");
        assert!(say::is_closed_pipe(&kept));
    }

    #[test]
    fn another_write_error_does_not_stop_the_server() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("no space left"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let stop = Stop::new();
        let lines = LogLines::unbatched(Box::new(Full), stop.clone());
        lines.say("accepted 127.0.0.1:5000");
        assert!(!stop.is_requested());
        assert!(lines.take_closed_pipe().is_none());
    }

    #[test]
    fn the_first_line_is_written_before_say_returns() {
        let (lines, text, _) = recorded(Some(LONG));
        lines.say("accepted 127.0.0.1:5000");
        assert_eq!(text_of(&text), "accepted 127.0.0.1:5000\n");
    }

    #[test]
    fn a_line_right_after_a_write_waits_and_flush_writes_it() {
        let (lines, text, written) = recorded(Some(LONG));
        lines.say("one");
        lines.say("two");
        lines.say("three");
        assert_eq!(text_of(&text), "one\n");
        lines.flush();
        assert_eq!(text_of(&text), "one\ntwo\nthree\n");
        // "two" and "three" went out together.
        assert_eq!(written.try_iter().count(), 2);
    }

    #[test]
    fn unbatched_lines_are_each_written_before_say_returns() {
        let (lines, text, written) = recorded(None);
        lines.say("one");
        lines.say("two");
        assert_eq!(text_of(&text), "one\ntwo\n");
        assert_eq!(written.try_iter().count(), 2);
    }

    #[test]
    fn waiting_lines_are_written_without_flush() {
        let (lines, text, written) = recorded(Some(Duration::from_millis(10)));
        lines.say("one");
        lines.say("two");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !text_of(&text).ends_with("two\n") {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(written.recv_timeout(left).is_ok(), "two was never written");
        }
        assert_eq!(text_of(&text), "one\ntwo\n");
    }

    #[test]
    fn lines_from_many_threads_come_out_whole_and_in_order() {
        let (lines, text, _) = recorded(Some(Duration::from_millis(1)));
        let lines = Arc::new(lines);
        let threads: Vec<_> = (0..8)
            .map(|id| {
                let lines = Arc::clone(&lines);
                thread::spawn(move || {
                    for n in 0..300 {
                        lines.say(&format!("thread {id} line {n}"));
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        lines.flush();
        let text = text_of(&text);
        let mut next = [0; 8];
        for line in text.lines() {
            let words: Vec<&str> = line.split(' ').collect();
            assert_eq!(words.len(), 4, "a broken line: {line:?}");
            let id: usize = words[1].parse().unwrap();
            let n: usize = words[3].parse().unwrap();
            assert_eq!(n, next[id], "thread {id}'s lines out of order");
            next[id] += 1;
        }
        assert_eq!(next, [300; 8]);
    }
}
