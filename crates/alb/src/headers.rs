//! What the ALB changes in the headers it relays: hop-by-hop headers stay on their hop, and
//! requests to targets gain `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Port` and
//! `X-Amzn-Trace-Id`.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{Cursor, Write as _};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use hyper::HeaderMap;
use hyper::body::Bytes;
use hyper::header::{CONNECTION, HeaderName, HeaderValue, TE, TRAILER, TRANSFER_ENCODING, UPGRADE};

use crate::aws::{X_AMZN_TRACE_ID, X_FORWARDED_FOR, X_FORWARDED_PORT, X_FORWARDED_PROTO, trace_id};

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
const HOP_BY_HOP: [HeaderName; 8] = [
    CONNECTION,
    TE,
    TRAILER,
    TRANSFER_ENCODING,
    UPGRADE,
    HeaderName::from_static("keep-alive"),
    HeaderName::from_static("proxy-connection"),
    HeaderName::from_static("proxy-authenticate"),
];

/// Removes the hop-by-hop headers from `headers`, and those the `Connection` header names.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // One look at each name clears the usual message, which has none: a message without
    // `Connection` names no others.
    if !headers.keys().any(|name| HOP_BY_HOP.contains(name)) {
        return;
    }
    let named: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
}

/// The names of the headers the ALB adds, built once: a name given as `&str` is built anew,
/// with an allocation, every time a map is asked to insert it.
const FORWARDED_FOR: HeaderName = HeaderName::from_static(X_FORWARDED_FOR);
const FORWARDED_PROTO: HeaderName = HeaderName::from_static(X_FORWARDED_PROTO);
const FORWARDED_PORT: HeaderName = HeaderName::from_static(X_FORWARDED_PORT);
/// `X-Amzn-Trace-Id`, as a name.
pub(crate) const AMZN_TRACE_ID: HeaderName = HeaderName::from_static(X_AMZN_TRACE_ID);

/// The longest text of an IP address (an IPv6 address ending in an IPv4 one).
const MAX_IP_TEXT: usize = 45;

/// What the ALB tells a target about the client's connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientSide<'a> {
    /// The client's address.
    pub(crate) ip: IpAddr,
    /// `http` or `https`.
    pub(crate) proto: &'static str,
    /// The listener's port, as a header value made once per listener.
    pub(crate) port: &'a HeaderValue,
}

/// Adds the `X-Forwarded-*` headers and `trace_id` to a request going to a target.
/// `X-Forwarded-For` is appended to (AWS's default `append` mode); the others are replaced.
pub(crate) fn add_forwarded(
    headers: &mut HeaderMap,
    client: ClientSide<'_>,
    trace_id: HeaderValue,
) {
    let mut ip = Cursor::new([0u8; MAX_IP_TEXT]);
    // Every address fits; a failed write would only shorten the text, never overflow.
    let _ = write!(ip, "{}", client.ip.to_canonical());
    let ip = &ip.get_ref()[..ip.position() as usize];
    // Room for the four headers below, so that the map grows at most once.
    headers.reserve(4);
    // A value that is not visible ASCII is replaced, not appended to.
    let existing = headers
        .get(&FORWARDED_FOR)
        .and_then(|value| value.to_str().ok())
        .filter(|existing| !existing.trim().is_empty())
        .map(str::as_bytes);
    let forwarded_for = match existing {
        Some(existing) => {
            let mut joined = Vec::with_capacity(existing.len() + 2 + ip.len());
            joined.extend_from_slice(existing);
            joined.extend_from_slice(b", ");
            joined.extend_from_slice(ip);
            Bytes::from(joined)
        }
        None => Bytes::copy_from_slice(ip),
    };
    if let Ok(value) = HeaderValue::from_maybe_shared(forwarded_for) {
        headers.insert(FORWARDED_FOR, value);
    }
    headers.insert(FORWARDED_PROTO, HeaderValue::from_static(client.proto));
    headers.insert(FORWARDED_PORT, client.port.clone());
    headers.insert(AMZN_TRACE_ID, trace_id);
}

/// Makes a distinct `X-Amzn-Trace-Id` for every request of one listener: a random 64-bit
/// prefix per listener, then a request counter.
#[derive(Debug)]
pub(crate) struct TraceIds {
    prefix: u64,
    counter: AtomicU64,
}

impl Default for TraceIds {
    fn default() -> Self {
        TraceIds {
            prefix: RandomState::new().hash_one(0u8),
            counter: AtomicU64::new(0),
        }
    }
}

/// One request's `X-Amzn-Trace-Id`: the text its record keeps and the header value sent.
#[derive(Debug)]
pub(crate) struct TraceId {
    pub(crate) text: String,
    pub(crate) value: HeaderValue,
}

impl TraceIds {
    /// The trace id of the next forwarded request, given what the client sent (if anything).
    pub(crate) fn next(&self, incoming: Option<&HeaderValue>) -> TraceId {
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        // 96 bits: the prefix shifted up by 32, plus the count; distinct for 2^64 requests.
        let unique = (u128::from(self.prefix) << 32) + u128::from(count);
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let incoming = incoming.and_then(|v| v.to_str().ok());
        let text = trace_id(seconds, unique, incoming);
        match HeaderValue::from_str(&text) {
            Ok(value) => TraceId { text, value },
            Err(_) => {
                let text = trace_id(seconds, unique, None);
                let value = HeaderValue::from_str(&text).expect("hex is a header value");
                TraceId { text, value }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn hop_by_hop_headers_stay_behind() {
        let mut headers = HeaderMap::new();
        headers.insert(CONNECTION, HeaderValue::from_static("close, x-private"));
        headers.insert("x-private", HeaderValue::from_static("1"));
        headers.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        headers.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
        headers.insert("x-kept", HeaderValue::from_static("yes"));
        strip_hop_by_hop(&mut headers);
        let names: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["x-kept"]);

        for name in ["te", "upgrade", "proxy-connection", "trailer"] {
            let mut headers = HeaderMap::new();
            headers.insert(name, HeaderValue::from_static("x"));
            headers.insert("x-kept", HeaderValue::from_static("yes"));
            strip_hop_by_hop(&mut headers);
            assert_eq!(headers.len(), 1, "{name} stays behind");
        }
    }

    #[test]
    fn forwarded_headers_append_and_replace() {
        let port = HeaderValue::from(443u16);
        let client = ClientSide {
            ip: "10.0.0.7".parse().unwrap(),
            proto: "https",
            port: &port,
        };
        let id = HeaderValue::from_static("Root=1-00000001-000000000000000000000001");
        let mut headers = HeaderMap::new();
        headers.insert(X_FORWARDED_FOR, HeaderValue::from_static("203.0.113.9"));
        headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static("http"));
        add_forwarded(&mut headers, client, id.clone());
        assert_eq!(headers[X_FORWARDED_FOR], "203.0.113.9, 10.0.0.7");
        assert_eq!(headers[X_FORWARDED_PROTO], "https");
        assert_eq!(headers[X_FORWARDED_PORT], "443");
        assert_eq!(headers[X_AMZN_TRACE_ID], id);

        let mut headers = HeaderMap::new();
        let mapped = ClientSide {
            ip: "::ffff:127.0.0.1".parse().unwrap(),
            ..client
        };
        add_forwarded(&mut headers, mapped, id.clone());
        assert_eq!(headers[X_FORWARDED_FOR], "127.0.0.1");

        let mut headers = HeaderMap::new();
        headers.insert(X_FORWARDED_FOR, HeaderValue::from_static(" "));
        let widest = ClientSide {
            ip: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe".parse().unwrap(),
            ..client
        };
        add_forwarded(&mut headers, widest, id.clone());
        assert_eq!(
            headers[X_FORWARDED_FOR],
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"
        );
    }

    #[test]
    fn trace_ids_are_distinct_and_well_formed() {
        let ids = TraceIds::default();
        let mut seen = HashSet::new();
        for _ in 0..1000 {
            let id = ids.next(None);
            let text = id.value.to_str().unwrap();
            assert_eq!(text, id.text);
            assert!(text.starts_with("Root=1-"), "{text}");
            assert_eq!(text.len(), "Root=1-".len() + 8 + 1 + 24, "{text}");
            assert!(seen.insert(text.to_owned()));
        }
        let incoming = HeaderValue::from_static("Root=1-5759e988-bd862e3fe1be46a994272793");
        let id = ids.next(Some(&incoming));
        let text = id.value.to_str().unwrap();
        assert_eq!(text, id.text);
        assert!(text.starts_with("Self=1-"));
        assert!(text.ends_with(";Root=1-5759e988-bd862e3fe1be46a994272793"));
    }
}
