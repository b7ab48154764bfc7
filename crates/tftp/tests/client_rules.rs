//! The client against hand-driven fake servers: OACK handling, servers that ignore
//! options, ERROR 8, strangers, and files left behind (never).

mod common;

use std::net::SocketAddr;
use std::thread;
use std::time::Duration;

use common::{RawClient, Scratch, quick_client};
use tftp::client::{self, ClientConfig, Destination};
use tftp::packet::{ErrorCode, ErrorPacket, Packet, TftpOption};
use tftp::transfer::TransferError;

/// A fake server: receives one request on its port, then runs `script` on a new socket
/// (a new transfer ID), as a real server would.
fn fake_server(
    script: impl FnOnce(&mut RawClient, SocketAddr, Vec<u8>) + Send + 'static,
) -> (SocketAddr, thread::JoinHandle<()>) {
    let mut listener = RawClient::new();
    let addr = listener.socket.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (request, client) = listener.receive();
        let mut transfer = RawClient::new();
        script(&mut transfer, client, request);
    });
    (addr, handle)
}

#[test]
fn oack_is_answered_with_ack_0() {
    let (addr, server) = fake_server(|raw, client, _| {
        raw.send_oack(vec![TftpOption::new("blksize", 16)], client);
        raw.expect_ack(0);
        raw.send_data(1, b"short", client);
        raw.expect_ack(1);
    });
    let config = ClientConfig {
        blksize: Some(1024),
        ..quick_client()
    };
    let mut out = Vec::new();
    let outcome = client::get_into(addr, "f", &mut out, &config).unwrap();
    server.join().unwrap();
    assert_eq!(out, b"short");
    assert_eq!(outcome.settings.blksize, 16);
}

#[test]
fn a_server_that_ignores_options_gets_a_lock_step_512_transfer() {
    let (addr, server) = fake_server(|raw, client, _| {
        let block = vec![1u8; 512];
        raw.send_data(1, &block, client);
        raw.expect_ack(1);
        raw.send_data(2, b"", client);
        raw.expect_ack(2);
    });
    let config = ClientConfig {
        blksize: Some(1468),
        windowsize: Some(8),
        ..quick_client()
    };
    let mut out = Vec::new();
    let outcome = client::get_into(addr, "f", &mut out, &config).unwrap();
    server.join().unwrap();
    assert_eq!(out, vec![1u8; 512]);
    assert!(!outcome.options_accepted);
    assert_eq!(
        (outcome.settings.blksize, outcome.settings.windowsize),
        (512, 1)
    );
}

/// A fake server answers a read with an OACK granting `granted`; the client, asking as
/// `config` says, must answer ERROR 8 and fail with `OptionRejected`.
fn oack_is_rejected_with_error_8(granted: TftpOption, config: ClientConfig) {
    let (addr, server) = fake_server(|raw, client, _| {
        raw.send_oack(vec![granted], client);
        raw.expect_error(ErrorCode::OptionRejected);
    });
    let error = client::get_into(addr, "f", &mut Vec::new(), &config).unwrap_err();
    server.join().unwrap();
    assert!(matches!(error, TransferError::OptionRejected(_)), "{error}");
}

#[test]
fn an_oack_granting_more_than_asked_is_rejected_with_error_8() {
    let config = ClientConfig {
        blksize: Some(1024),
        ..quick_client()
    };
    oack_is_rejected_with_error_8(TftpOption::new("blksize", 9000), config);
}

#[test]
fn an_oack_with_an_option_never_asked_is_rejected_with_error_8() {
    let config = ClientConfig {
        tsize: true,
        ..quick_client()
    };
    oack_is_rejected_with_error_8(TftpOption::new("windowsize", 4), config);
}

#[test]
fn a_write_answered_with_ack_0_runs_without_options() {
    let (addr, server) = fake_server(|raw, client, _| {
        raw.send_ack(0, client);
        let (block, payload, _) = raw.expect_data();
        assert_eq!((block, payload), (1, b"hello".to_vec()));
        raw.send_ack(1, client);
    });
    let config = ClientConfig {
        blksize: Some(1024),
        windowsize: Some(4),
        ..quick_client()
    };
    let outcome = client::put_from(addr, &mut &b"hello"[..], None, "f", &config).unwrap();
    server.join().unwrap();
    assert!(!outcome.options_accepted);
}

#[test]
fn the_client_answers_a_stranger_with_error_5_and_goes_on() {
    let (addr, server) = fake_server(|raw, client, _| {
        let block = vec![2u8; 512];
        raw.send_data(1, &block, client);
        raw.expect_ack(1);
        let mut stranger = RawClient::new();
        stranger.send_data(2, b"evil", client);
        stranger.expect_error(ErrorCode::UnknownTransferId);
        raw.send_data(2, b"good", client);
        raw.expect_ack(2);
    });
    let mut out = Vec::new();
    client::get_into(addr, "f", &mut out, &quick_client()).unwrap();
    server.join().unwrap();
    assert_eq!(&out[512..], b"good");
}

#[test]
fn a_server_error_leaves_no_file_under_the_final_name() {
    let dir = Scratch::new("clientfail");
    let (addr, server) = fake_server(|raw, client, _| {
        let block = vec![3u8; 512];
        raw.send_data(1, &block, client);
        let _ = raw.receive();
        raw.send(
            &Packet::Error(ErrorPacket::new(ErrorCode::DiskFull, "server broke")),
            client,
        );
    });
    let target = dir.join("out.bin");
    let error = client::get(
        addr,
        "f",
        &Destination::File(target.clone()),
        &quick_client(),
    )
    .unwrap_err();
    server.join().unwrap();
    assert!(matches!(error, TransferError::Peer(_)), "{error}");
    assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
}

#[test]
fn a_silent_server_times_out_after_the_retries() {
    let silent = RawClient::new();
    let addr = silent.socket.local_addr().unwrap();
    let config = ClientConfig {
        timeout: Duration::from_millis(50),
        retries: 2,
        ..quick_client()
    };
    let error = client::get_into(addr, "f", &mut Vec::new(), &config).unwrap_err();
    assert!(
        matches!(error, TransferError::TimedOut { tries: 3, .. }),
        "{error}"
    );
}

#[test]
fn a_retransmitted_last_block_is_acknowledged_again_while_lingering() {
    let (addr, server) = fake_server(|raw, client, _| {
        raw.send_data(1, b"end", client);
        raw.expect_ack(1);
        // Pretend that ACK was lost: send the last block again.
        raw.send_data(1, b"end", client);
        raw.expect_ack(1);
    });
    let config = ClientConfig {
        linger: Duration::from_secs(1),
        ..quick_client()
    };
    client::get_into(addr, "f", &mut Vec::new(), &config).unwrap();
    server.join().unwrap();
}
