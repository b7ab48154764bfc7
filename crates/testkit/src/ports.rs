//! A fixed port, for the rare place that cannot use port 0.

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
