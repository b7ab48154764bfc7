//! The installed hook, in a real process: this test binary runs itself again with
//! `UNSOLVED_HOOK_CHILD` set, and the child installs the hook and panics the way a
//! binary would (in its own thread, in a second thread, or with an ordinary bug).

use std::process::{Command, Output};

const CHILD: &str = "UNSOLVED_HOOK_CHILD";

/// In the parent run this does nothing. In a child run it is the "binary".
#[test]
fn child_process_entry() {
    let Ok(how) = std::env::var(CHILD) else {
        return;
    };
    unsolved::install();
    match how.as_str() {
        "this-thread" => {
            todo!("Exercise 1.3 (The receive loop that reports truncation): Write `receive_loop`.")
        }
        "other-thread" => {
            let worker = std::thread::spawn(|| {
                todo!("Exercise 4.5: Write the body of `send_blocks`.");
            });
            // The hook ends the process from the worker; joining must never return.
            let _ = worker.join();
            unreachable!("the hook should have ended the process");
        }
        _ => panic!("an ordinary bug: index 7 out of range"),
    }
}

fn run_child(how: &str) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args(["child_process_entry", "--exact", "--nocapture"])
        .env(CHILD, how)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap()
}

#[test]
fn unsolved_exercise_prints_one_line_and_exits_1() {
    let output = run_child("this-thread");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: this needs Exercise 1.3 (The receive loop that reports truncation), \
         not solved yet: cargo run -- hint 1.3\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn unsolved_exercise_in_another_thread_ends_the_process_too() {
    let output = run_child("other-thread");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: this needs Exercise 4.5, not solved yet: cargo run -- hint 4.5\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn other_panics_keep_rusts_own_message() {
    let output = run_child("bug");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("panicked at"), "{stderr}");
    assert!(stderr.contains("an ordinary bug"), "{stderr}");
    assert_ne!(output.status.code(), Some(1), "{stderr}");
}
