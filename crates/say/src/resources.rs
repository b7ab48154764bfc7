//! Errors that say the *machine* is short of something for now (file descriptors,
//! kernel buffers, memory), not that our socket is broken. A server that meets one
//! waits a little and goes on: once a client leaves, a descriptor is free again.

use std::io;

/// True for EMFILE ("too many open files": this process's limit, `ulimit -n`), ENFILE
/// (the whole system's limit), ENOBUFS and ENOMEM (no kernel memory for a new socket or
/// buffer), and their Windows names WSAEMFILE and WSAENOBUFS; also for any error whose
/// kind is [`io::ErrorKind::OutOfMemory`].
///
/// The standard library has no kind for "too many open files" in Rust 1.85, so the
/// operating system's own number (`raw_os_error`) is compared with the table for this
/// platform ([`OUT_OF_RESOURCES`]).
pub fn is_out_of_resources(error: &io::Error) -> bool {
    if error.kind() == io::ErrorKind::OutOfMemory {
        return true;
    }
    error
        .raw_os_error()
        .is_some_and(|code| OUT_OF_RESOURCES.contains(&code))
}

/// EMFILE 24, ENFILE 23, ENOBUFS 105, ENOMEM 12, from Linux's `<asm-generic/errno.h>`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub const OUT_OF_RESOURCES: &[i32] = &[24, 23, 105, 12];

/// EMFILE 24, ENFILE 23, ENOBUFS 55, ENOMEM 12, from the BSDs' `<sys/errno.h>` (macOS
/// shares them).
#[cfg(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
pub const OUT_OF_RESOURCES: &[i32] = &[24, 23, 55, 12];

/// EMFILE 24, ENFILE 23, ENOBUFS 132, ENOMEM 12, from illumos' and Solaris'
/// `<sys/errno.h>`.
#[cfg(any(target_os = "illumos", target_os = "solaris"))]
pub const OUT_OF_RESOURCES: &[i32] = &[24, 23, 132, 12];

/// WSAEMFILE 10024 and WSAENOBUFS 10055, from `<winsock2.h>`: what Windows sockets
/// report under the same pressure (its ENOMEM arrives as `ErrorKind::OutOfMemory`).
#[cfg(windows)]
pub const OUT_OF_RESOURCES: &[i32] = &[10024, 10055];

/// Other systems number their errors differently: there only
/// [`io::ErrorKind::OutOfMemory`] is recognised.
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    target_os = "illumos",
    target_os = "solaris",
    windows
)))]
pub const OUT_OF_RESOURCES: &[i32] = &[];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_memory_is_out_of_resources() {
        assert!(is_out_of_resources(&io::Error::from(
            io::ErrorKind::OutOfMemory
        )));
    }

    #[test]
    fn a_refused_connection_is_not() {
        assert!(!is_out_of_resources(&io::Error::from(
            io::ErrorKind::ConnectionRefused
        )));
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn too_many_open_files_is_out_of_resources() {
        // EMFILE, as `accept` returns it at the `ulimit -n` limit.
        assert!(is_out_of_resources(&io::Error::from_raw_os_error(24)));
        // EAGAIN ("try again") is not a shortage.
        assert!(!is_out_of_resources(&io::Error::from_raw_os_error(11)));
    }
}
