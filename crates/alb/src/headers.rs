//! What the ALB changes in the headers it relays: hop-by-hop headers stay on their hop, and
//! requests to targets gain `X-Forwarded-For`, `X-Forwarded-Proto`, `X-Forwarded-Port` and
//! `X-Amzn-Trace-Id`.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use hyper::HeaderMap;
use hyper::header::{CONNECTION, HeaderName, HeaderValue, TE, TRAILER, TRANSFER_ENCODING, UPGRADE};

use crate::aws::{X_AMZN_TRACE_ID, X_FORWARDED_FOR, X_FORWARDED_PORT, X_FORWARDED_PROTO, trace_id};

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1).
const HOP_BY_HOP: [&str; 3] = ["keep-alive", "proxy-connection", "proxy-authenticate"];

/// Removes the hop-by-hop headers from `headers`, and those the `Connection` header names.
pub(crate) fn strip_hop_by_hop(headers: &mut HeaderMap) {
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
    for name in [CONNECTION, TE, TRAILER, TRANSFER_ENCODING, UPGRADE] {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// What the ALB tells a target about the client's connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientSide {
    /// The client's address.
    pub(crate) ip: IpAddr,
    /// `http` or `https`.
    pub(crate) proto: &'static str,
    /// The listener's port.
    pub(crate) port: u16,
}

/// Adds the `X-Forwarded-*` headers and `trace_id` to a request going to a target.
/// `X-Forwarded-For` is appended to (AWS's default `append` mode); the others are replaced.
pub(crate) fn add_forwarded(headers: &mut HeaderMap, client: ClientSide, trace_id: &HeaderValue) {
    let ip = client.ip.to_canonical().to_string();
    let forwarded_for = match headers.get(X_FORWARDED_FOR).and_then(|v| v.to_str().ok()) {
        Some(existing) if !existing.trim().is_empty() => format!("{existing}, {ip}"),
        _ => ip,
    };
    if let Ok(value) = HeaderValue::from_str(&forwarded_for) {
        headers.insert(X_FORWARDED_FOR, value);
    }
    headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static(client.proto));
    headers.insert(X_FORWARDED_PORT, HeaderValue::from(client.port));
    headers.insert(X_AMZN_TRACE_ID, trace_id.clone());
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

impl TraceIds {
    /// The trace id of the next forwarded request, given what the client sent (if anything).
    pub(crate) fn next(&self, incoming: Option<&HeaderValue>) -> HeaderValue {
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        // 96 bits: the prefix shifted up by 32, plus the count; distinct for 2^64 requests.
        let unique = (u128::from(self.prefix) << 32) + u128::from(count);
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let incoming = incoming.and_then(|v| v.to_str().ok());
        HeaderValue::from_str(&trace_id(seconds, unique, incoming)).unwrap_or_else(|_| {
            HeaderValue::from_str(&trace_id(seconds, unique, None)).expect("hex is a header value")
        })
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
    }

    #[test]
    fn forwarded_headers_append_and_replace() {
        let client = ClientSide {
            ip: "10.0.0.7".parse().unwrap(),
            proto: "https",
            port: 443,
        };
        let id = HeaderValue::from_static("Root=1-00000001-000000000000000000000001");
        let mut headers = HeaderMap::new();
        headers.insert(X_FORWARDED_FOR, HeaderValue::from_static("203.0.113.9"));
        headers.insert(X_FORWARDED_PROTO, HeaderValue::from_static("http"));
        add_forwarded(&mut headers, client, &id);
        assert_eq!(headers[X_FORWARDED_FOR], "203.0.113.9, 10.0.0.7");
        assert_eq!(headers[X_FORWARDED_PROTO], "https");
        assert_eq!(headers[X_FORWARDED_PORT], "443");
        assert_eq!(headers[X_AMZN_TRACE_ID], id);

        let mut headers = HeaderMap::new();
        let mapped = ClientSide {
            ip: "::ffff:127.0.0.1".parse().unwrap(),
            ..client
        };
        add_forwarded(&mut headers, mapped, &id);
        assert_eq!(headers[X_FORWARDED_FOR], "127.0.0.1");
    }

    #[test]
    fn trace_ids_are_distinct_and_well_formed() {
        let ids = TraceIds::default();
        let mut seen = HashSet::new();
        for _ in 0..1000 {
            let id = ids.next(None);
            let text = id.to_str().unwrap();
            assert!(text.starts_with("Root=1-"), "{text}");
            assert_eq!(text.len(), "Root=1-".len() + 8 + 1 + 24, "{text}");
            assert!(seen.insert(text.to_owned()));
        }
        let incoming = HeaderValue::from_static("Root=1-5759e988-bd862e3fe1be46a994272793");
        let id = ids.next(Some(&incoming));
        let text = id.to_str().unwrap();
        assert!(text.starts_with("Self=1-"));
        assert!(text.ends_with(";Root=1-5759e988-bd862e3fe1be46a994272793"));
    }
}
