//! Where `hoplab probe` connects, and the TLS server name it sends.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use rustls::pki_types::ServerName;
use serde::Serialize;

use crate::InspectError;

/// Default time allowed to connect and finish the TLS handshake.
pub const DEFAULT_PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The server to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    /// The integration URI host: resolved and connected to (unless `connect` is set), sent as
    /// SNI (unless `sni` is set), and checked against the leaf.
    pub host: String,
    /// The port.
    pub port: u16,
    /// A different server name to send as SNI (a DNS name; an IP address sends none).
    pub sni: Option<String>,
    /// Connect here instead of to `host:port`; the check still uses `host`.
    pub connect: Option<ConnectTo>,
    /// Time allowed to resolve, connect and finish the handshake.
    pub timeout: Duration,
}

/// An address to connect to: a socket address, or a name to resolve and a port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ConnectTo {
    /// An IP address and port.
    Addr(SocketAddr),
    /// A host name and port.
    HostPort {
        /// The name to resolve.
        host: String,
        /// The port.
        port: u16,
    },
}

impl FromStr for ConnectTo {
    type Err = InspectError;

    /// Reads `192.0.2.1:443`, `[2001:db8::1]:443` or `backend.internal:8443`.
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if let Ok(addr) = value.parse::<SocketAddr>() {
            return Ok(ConnectTo::Addr(addr));
        }
        let bad = || InspectError::ConnectAddress {
            value: value.to_owned(),
        };
        let (host, port) = value.rsplit_once(':').ok_or_else(bad)?;
        let port = port.parse::<u16>().map_err(|_| bad())?;
        if host.is_empty() || host.contains(':') || host.contains('[') {
            return Err(bad());
        }
        Ok(ConnectTo::HostPort {
            host: host.to_owned(),
            port,
        })
    }
}

impl fmt::Display for ConnectTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectTo::Addr(addr) => write!(f, "{addr}"),
            ConnectTo::HostPort { host, port } => write!(f, "{host}:{port}"),
        }
    }
}

impl ProbeTarget {
    /// A target at `host:port` with the default timeout and nothing overridden.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        ProbeTarget {
            host: host.into(),
            port,
            sni: None,
            connect: None,
            timeout: DEFAULT_PROBE_TIMEOUT,
        }
    }

    /// Where the connection goes.
    pub(crate) fn connect_to(&self) -> ConnectTo {
        if let Some(connect) = &self.connect {
            return connect.clone();
        }
        let host = unbracket(&self.host);
        match host.parse::<IpAddr>() {
            Ok(ip) => ConnectTo::Addr(SocketAddr::new(ip, self.port)),
            Err(_) => ConnectTo::HostPort {
                host: host.to_owned(),
                port: self.port,
            },
        }
    }

    /// The server name for the handshake and the SNI it sends.
    ///
    /// Without `sni`, as the gateway does: the host as SNI when it is a DNS name, none for an
    /// IP address or a name rustls cannot send.
    pub(crate) fn server_name(
        &self,
    ) -> Result<(ServerName<'static>, Option<String>), InspectError> {
        let Some(sni) = &self.sni else {
            return Ok(hoplab_gateway::server_name_for(unbracket(&self.host)));
        };
        let sni = unbracket(sni);
        match ServerName::try_from(sni.to_owned()) {
            Ok(name @ ServerName::DnsName(_)) => Ok((name, Some(sni.to_owned()))),
            Ok(name) => Ok((name, None)),
            Err(_) => Err(InspectError::ServerName {
                name: sni.to_owned(),
            }),
        }
    }
}

/// An IPv6 literal may come in brackets, as in a URI.
fn unbracket(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_addresses_parse() {
        assert_eq!(
            "127.0.0.1:8443".parse::<ConnectTo>().unwrap(),
            ConnectTo::Addr("127.0.0.1:8443".parse().unwrap())
        );
        assert_eq!(
            "[::1]:443".parse::<ConnectTo>().unwrap(),
            ConnectTo::Addr("[::1]:443".parse().unwrap())
        );
        assert_eq!(
            "backend.internal:8443".parse::<ConnectTo>().unwrap(),
            ConnectTo::HostPort {
                host: "backend.internal".into(),
                port: 8443
            }
        );
        for bad in ["backend", ":443", "host:99999", "::1:443", "host:"] {
            assert!(bad.parse::<ConnectTo>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sni_follows_the_gateway_unless_overridden() {
        let mut target = ProbeTarget::new("api.example.com", 443);
        assert_eq!(
            target.server_name().unwrap().1.as_deref(),
            Some("api.example.com")
        );
        target.host = "[::1]".into();
        assert_eq!(target.server_name().unwrap().1, None);
        assert_eq!(
            target.connect_to(),
            ConnectTo::Addr("[::1]:443".parse().unwrap())
        );
        target.sni = Some("other.example.com".into());
        assert_eq!(
            target.server_name().unwrap().1.as_deref(),
            Some("other.example.com")
        );
        target.sni = Some("not a name".into());
        assert!(matches!(
            target.server_name(),
            Err(InspectError::ServerName { .. })
        ));
    }
}
