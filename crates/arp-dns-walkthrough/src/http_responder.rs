//! A tiny HTTP/1.0 web server: the "web server" of the notes' visit on real wires
//! (`visit --netns`), where it runs in the web server's network namespace.
//!
//! HTTP/1.0 (RFC 1945) keeps the exchange short enough to read in a capture: one
//! request per connection, and the server closes the connection after the response,
//! so the end of the page is the server's FIN (RFC 1945 §7.2.2) and the close starts
//! from the server's side.
//!
//! ```text
//! client: GET / HTTP/1.0\r\nHost: www.netlab.test\r\n\r\n
//! server: HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: 95\r\n\r\n<html>...
//! server: (close: FIN)
//! ```

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// The page every `GET /` gets.
pub const PAGE: &str = "<html><head><title>www.netlab.test</title></head>\
<body><h1>hello from the web server namespace</h1></body></html>\n";

/// The longest request head we read: far more than any `GET /` needs.
pub const MAX_REQUEST_HEAD: usize = 8 * 1024;

/// Why one exchange failed.
#[derive(Debug)]
pub enum HttpError {
    /// A socket call failed; `doing` says which.
    Io { doing: String, source: io::Error },
    /// The request head did not end with an empty line within [`MAX_REQUEST_HEAD`].
    RequestTooLong,
    /// The connection closed before the request head ended.
    RequestCutOff { received: usize },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Io { doing, source } => {
                write!(f, "{doing}: {}", hostport::describe(source))
            }
            HttpError::RequestTooLong => write!(
                f,
                "the request head is longer than {MAX_REQUEST_HEAD} bytes"
            ),
            HttpError::RequestCutOff { received } => write!(
                f,
                "the client closed after {received} bytes, before the request's empty line"
            ),
        }
    }
}

impl std::error::Error for HttpError {}

fn io_error(doing: &str) -> impl FnOnce(io::Error) -> HttpError + '_ {
    move |source| HttpError::Io {
        doing: doing.to_string(),
        source,
    }
}

/// What the server answered: the request line it got and the status it sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub client: SocketAddr,
    pub request_line: String,
    pub status: u16,
}

/// The response to a request line: `GET /` gets [`PAGE`]; any other path 404, any
/// other method 501 (RFC 1945 §9.5: the server does not support it).
pub fn response_to(request_line: &str) -> (u16, Vec<u8>) {
    let mut words = request_line.split(' ');
    let (status, reason, body) = match (words.next(), words.next()) {
        (Some("GET"), Some("/")) => (200, "OK", PAGE),
        (Some("GET"), Some(_)) => (404, "Not Found", "<html><body>not found</body></html>\n"),
        _ => (
            501,
            "Not Implemented",
            "<html><body>only GET</body></html>\n",
        ),
    };
    let response = format!(
        "HTTP/1.0 {status} {reason}\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    (status, response.into_bytes())
}

/// The request a browser-like client sends for `path` on `host` (HTTP/1.0, with the
/// `Host` header so one address can serve several names).
pub fn request(host: &str, path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.0\r\nHost: {host}\r\nUser-Agent: netlab\r\n\r\n").into_bytes()
}

/// Accepts one connection on `listener`, reads its request head (each read waits at
/// most `timeout`), answers, and closes: the server's FIN goes out first.
///
/// `accept` itself waits as long as the listener lets it: give the listener a receive
/// timeout (`socket2::Socket::set_read_timeout`, which Linux applies to `accept`) to
/// bound it.
pub fn serve_one(listener: &TcpListener, timeout: Duration) -> Result<Served, HttpError> {
    let (mut stream, client) = listener
        .accept()
        .map_err(io_error("waiting for a connection (accept)"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(io_error("setting the receive timeout"))?;
    let head = read_request_head(&mut stream)?;
    let request_line = head.lines().next().unwrap_or_default().to_string();
    let (status, response) = response_to(&request_line);
    stream
        .write_all(&response)
        .map_err(io_error("sending the response"))?;
    // HTTP/1.0: closing the connection marks the end of the page. Dropping the stream
    // closes it, and the kernel sends our FIN.
    drop(stream);
    Ok(Served {
        client,
        request_line,
        status,
    })
}

/// Reads up to the empty line that ends a request head (a GET has no body).
fn read_request_head(stream: &mut TcpStream) -> Result<String, HttpError> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        if head.len() > MAX_REQUEST_HEAD {
            return Err(HttpError::RequestTooLong);
        }
        let received = stream
            .read(&mut buffer)
            .map_err(io_error("reading the request"))?;
        if received == 0 {
            return Err(HttpError::RequestCutOff {
                received: head.len(),
            });
        }
        head.extend_from_slice(&buffer[..received]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_slash_gets_the_page_over_http_1_0() {
        let (status, response) = response_to("GET / HTTP/1.0");
        assert_eq!(status, 200);
        let text = String::from_utf8(response).unwrap();
        assert!(text.starts_with("HTTP/1.0 200 OK\r\n"), "{text}");
        assert!(text.ends_with(PAGE));
        assert!(text.contains(&format!("Content-Length: {}\r\n", PAGE.len())));
    }

    #[test]
    fn other_paths_get_404_and_other_methods_501() {
        assert_eq!(response_to("GET /missing HTTP/1.0").0, 404);
        assert_eq!(response_to("POST / HTTP/1.0").0, 501);
        assert_eq!(response_to("").0, 501);
    }

    #[test]
    fn one_exchange_on_loopback_ends_with_the_servers_close() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let server =
            std::thread::spawn(move || serve_one(&listener, Duration::from_secs(5)).unwrap());
        let mut client = TcpStream::connect(address).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        client.write_all(&request("www.netlab.test", "/")).unwrap();
        let mut response = Vec::new();
        // read_to_end returns when the server's FIN arrives.
        client.read_to_end(&mut response).unwrap();
        assert!(response.starts_with(b"HTTP/1.0 200 OK\r\n"));
        let served = server.join().unwrap();
        assert_eq!(served.request_line, "GET / HTTP/1.0");
        assert_eq!(served.status, 200);
    }
}
