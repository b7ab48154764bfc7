//! A thread a demonstration starts (its server), which never outlives the demonstration.
//!
//! `cargo run -- tour` runs each lesson's demonstration and tells an exercise still
//! `todo!()` by name when the demonstration panics on it. It can only do that while the
//! demonstration runs. A server thread the demonstration started may meet the same
//! `todo!()` later: if the demonstration ended early (an error, or its own panic on an
//! earlier exercise), the server's panic would come in the middle of the next lesson's
//! demonstration, as a raw backtrace. So a demonstration keeps its server in a
//! [`DemoThread`]: however the demonstration ends, the thread is asked to stop and
//! waited for before it does, and every panic of the server happens inside it.

use std::thread::JoinHandle;

/// A thread that is asked to stop and joined when this is dropped.
pub struct DemoThread<T> {
    stop: Box<dyn Fn()>,
    handle: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> DemoThread<T> {
    /// Runs `run` in a new thread; `stop` asks it to end (it sets the flag the server
    /// looks at), and is called when the thread is stopped or dropped.
    pub fn spawn(
        stop: impl Fn() + 'static,
        run: impl FnOnce() -> T + Send + 'static,
    ) -> DemoThread<T> {
        DemoThread {
            stop: Box::new(stop),
            handle: Some(std::thread::spawn(run)),
        }
    }

    /// Waits for the thread to end by itself (a server asked to serve a number of
    /// clients). `None` when it panicked.
    pub fn join(mut self) -> Option<T> {
        self.handle.take()?.join().ok()
    }

    /// Asks the thread to stop, then waits for it. `None` when it panicked.
    pub fn stop(self) -> Option<T> {
        (self.stop)();
        self.join()
    }
}

impl<T> Drop for DemoThread<T> {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            (self.stop)();
            let _ = handle.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DemoThread;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    /// A thread that runs until its flag is set, and says when it has ended.
    fn until_stopped() -> (DemoThread<u32>, Arc<AtomicBool>) {
        let stop = Arc::new(AtomicBool::new(false));
        let ended = Arc::new(AtomicBool::new(false));
        let (asked, seen, done) = (Arc::clone(&stop), stop, Arc::clone(&ended));
        let thread = DemoThread::spawn(
            move || asked.store(true, Ordering::SeqCst),
            move || {
                while !seen.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(1));
                }
                done.store(true, Ordering::SeqCst);
                7
            },
        );
        (thread, ended)
    }

    #[test]
    fn dropping_it_stops_the_thread_and_waits_for_it() {
        let (thread, ended) = until_stopped();
        drop(thread);
        assert!(
            ended.load(Ordering::SeqCst),
            "the thread still runs after the drop"
        );
    }

    #[test]
    fn an_early_return_stops_the_thread_too() {
        let (thread, ended) = until_stopped();
        let demo = || -> Result<(), String> {
            let _server = thread;
            Err("the demo failed".into())
        };
        assert!(demo().is_err());
        assert!(ended.load(Ordering::SeqCst), "the thread outlived the demo");
    }

    #[test]
    fn stop_asks_and_returns_what_the_thread_returned() {
        let (thread, ended) = until_stopped();
        assert_eq!(thread.stop(), Some(7));
        assert!(ended.load(Ordering::SeqCst));
    }

    #[test]
    fn join_waits_for_a_thread_that_ends_by_itself() {
        let thread = DemoThread::spawn(|| {}, || "done");
        assert_eq!(thread.join(), Some("done"));
    }

    #[test]
    fn a_panicking_thread_is_none_and_its_panic_stays_inside() {
        let thread = DemoThread::spawn(|| {}, || -> u32 { panic!("Exercise 9.9") });
        assert_eq!(thread.join(), None);
    }
}
