//! A tiny authoritative DNS responder for a fixed zone, so `visit` and the tour work
//! offline with nothing installed. It answers from a list of records, follows CNAMEs
//! inside the zone, says NXDOMAIN for names it does not have, and stops after a count.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};

use super::{Header, Message, Rcode, Record, RecordData, RecordType};

/// The records the responder knows.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    pub records: Vec<Record>,
}

impl Zone {
    /// The offline zone of the walkthrough: `baidu.com` at the simulated public
    /// address, and `www.baidu.com` as an alias of it.
    pub fn walkthrough(address: Ipv4Addr) -> Zone {
        Zone {
            records: vec![
                Record {
                    name: "baidu.com".into(),
                    record_type: RecordType::A,
                    class: 1,
                    ttl: 300,
                    data: RecordData::A(address),
                },
                Record {
                    name: "www.baidu.com".into(),
                    record_type: RecordType::Cname,
                    class: 1,
                    ttl: 300,
                    data: RecordData::Cname("baidu.com".into()),
                },
            ],
        }
    }

    /// The answer to `query`: the records (following CNAMEs inside the zone), NODATA when
    /// the name exists without that type, NXDOMAIN when it does not exist.
    pub fn answer(&self, query: &Message) -> Message {
        // An authoritative response: the ID, RD and counts of the query, every other
        // flag (opcode, TC, RA, the reserved bits, the rcode) at zero.
        let header = Header {
            response: true,
            opcode: 0,
            authoritative: true,
            truncated: false,
            recursion_available: false,
            reserved: 0,
            rcode: Rcode::NoError,
            ..query.header
        };
        let mut reply = Message {
            header,
            questions: query.questions.clone(),
            answers: Vec::new(),
            authorities: Vec::new(),
            additionals: Vec::new(),
        };
        let Some(question) = query.questions.first() else {
            reply.header.rcode = Rcode::FormErr;
            return reply;
        };
        let mut name = question.name.clone();
        let mut exists = false;
        for _ in 0..super::resolve::MAX_CNAME_HOPS {
            let owned: Vec<&Record> = self
                .records
                .iter()
                .filter(|r| r.name.eq_ignore_ascii_case(&name))
                .collect();
            if owned.is_empty() {
                break;
            }
            exists = true;
            let wanted: Vec<&Record> = owned
                .iter()
                .copied()
                .filter(|r| r.record_type == question.record_type)
                .collect();
            if !wanted.is_empty() {
                reply.answers.extend(wanted.into_iter().cloned());
                break;
            }
            match owned.iter().find_map(|r| match &r.data {
                RecordData::Cname(target) => Some((*r, target.clone())),
                _ => None,
            }) {
                Some((alias, target)) => {
                    reply.answers.push(alias.clone());
                    name = target;
                }
                None => break,
            }
        }
        if !exists {
            reply.header.rcode = Rcode::NxDomain;
        }
        reply
    }
}

/// Answers `count` queries on `socket` (None: forever); unreadable datagrams are
/// dropped without a reply, as dnsmasq does.
pub fn serve(socket: &UdpSocket, zone: &Zone, count: Option<usize>) -> std::io::Result<()> {
    let mut answered = 0;
    let mut buffer = [0u8; 4096];
    while count.is_none_or(|c| answered < c) {
        let (length, peer): (usize, SocketAddr) = socket.recv_from(&mut buffer)?;
        let Ok(query) = Message::parse(&buffer[..length]) else {
            continue;
        };
        if query.header.response {
            continue;
        }
        // A reply that cannot be encoded (a zone name too long for the wire) is
        // dropped like an unreadable query: the client times out.
        let Ok(reply) = zone.answer(&query).to_bytes() else {
            continue;
        };
        socket.send_to(&reply, peer)?;
        answered += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_answer_carries_the_chain_and_unknown_names_are_nxdomain() {
        let zone = Zone::walkthrough(Ipv4Addr::new(198, 51, 100, 10));
        let query = Message::query(7, "WWW.baidu.com", RecordType::A, true).unwrap();
        let reply = zone.answer(&query);
        assert_eq!(reply.answers.len(), 2);
        assert_eq!(reply.header.rcode, Rcode::NoError);
        let missing = Message::query(8, "nx.test", RecordType::A, true).unwrap();
        assert_eq!(zone.answer(&missing).header.rcode, Rcode::NxDomain);
        let nodata = Message::query(9, "baidu.com", RecordType::Aaaa, true).unwrap();
        let reply = zone.answer(&nodata);
        assert_eq!(
            (reply.header.rcode, reply.answers.len()),
            (Rcode::NoError, 0)
        );
    }
}
