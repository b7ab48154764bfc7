//! Serves the built books on loopback, both languages under one address (`/en/`,
//! `/zh-CN/`), so the language switch works as it does from the files. `mdbook serve`
//! would serve one book only. A tiny HTTP/1.0 server: GET (and HEAD) of a file, nothing else.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

pub fn serve(root: &Path, port: u16) -> Result<(), String> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("binding 127.0.0.1:{port}: {e} (try --port 0)"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("reading the bound address: {e}"))?;
    println!("listening on tcp {address}");
    println!("open http://{address}/en/ (English) or http://{address}/zh-CN/ (中文); Ctrl-C stops");
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.to_path_buf();
        std::thread::spawn(move || {
            // A browser that stops talking must not keep a thread forever.
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
            let _ = answer(stream, &root);
        });
    }
    Ok(())
}

fn answer(mut stream: TcpStream, root: &Path) -> std::io::Result<()> {
    let mut request_line = String::new();
    // At most 8 KiB of request line: a path longer than that is not one of ours.
    BufReader::new((&stream).take(8192)).read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return respond(
            &mut stream,
            "400 Bad Request",
            "text/plain",
            b"bad request\n",
        );
    };
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"GET and HEAD only\n",
        );
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if path == "/" {
        let head = "HTTP/1.0 302 Found\r\nLocation: /en/\r\nContent-Length: 0\r\n\r\n";
        return stream.write_all(head.as_bytes());
    }
    let Some(file) = file_for(root, &crate::percent::decode(path)) else {
        return respond(&mut stream, "404 Not Found", "text/plain", b"not found\n");
    };
    match std::fs::read(&file) {
        Ok(body) if method == "HEAD" => {
            let kind = content_type(&file);
            let head = format!(
                "HTTP/1.0 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes())
        }
        Ok(body) => respond(&mut stream, "200 OK", content_type(&file), &body),
        Err(_) => respond(&mut stream, "404 Not Found", "text/plain", b"not found\n"),
    }
}

/// The file under `root` for a URL path; `None` for a path that tries to leave it.
fn file_for(root: &Path, path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    Some(file)
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        _ => "text/plain; charset=utf-8",
    }
}

fn respond(stream: &mut TcpStream, status: &str, kind: &str, body: &[u8]) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.0 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_root_are_refused() {
        let root = Path::new("/srv/book");
        assert_eq!(file_for(root, "/../etc/passwd"), None);
        assert_eq!(
            file_for(root, "/en/04-tftp.html"),
            Some(PathBuf::from("/srv/book/en/04-tftp.html"))
        );
    }
}
