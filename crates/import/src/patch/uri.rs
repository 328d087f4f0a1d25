//! Integration URIs parsed into [`IntegrationUri`], by the rules the scenario reference
//! states: `http` or `https`, ASCII only, no user info or fragment, a host of letters, digits,
//! `.`, `-` and `_` (or a bracketed IPv6 address), a port 1..=65535 defaulting to the
//! scheme's. Nothing looser than a scenario file accepts gets through.

use std::net::Ipv6Addr;

use hoplab_scenario::{IntegrationUri, Scheme};

/// Parses an integration URI; the error says what is wrong.
pub(crate) fn parse_uri(raw: &str) -> Result<IntegrationUri, String> {
    let (scheme, rest) = raw
        .split_once("://")
        .ok_or_else(|| format!("uri {raw:?} has no scheme"))?;
    let scheme = match scheme.to_ascii_lowercase().as_str() {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        _ => return Err(format!("uri scheme {scheme:?} is not http or https")),
    };
    if let Some(c) = raw.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(format!("uri {raw:?} contains {c:?}"));
    }
    if raw.contains('#') {
        return Err(format!("uri {raw:?} has a fragment"));
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(end);
    if authority.contains('@') {
        return Err(format!("uri {raw:?} has user info"));
    }
    let (host, port) =
        split_host_port(authority).map_err(|what| format!("{what} in uri {raw:?}"))?;
    let port = port.unwrap_or(match scheme {
        Scheme::Http => 80,
        Scheme::Https => 443,
    });
    let path_and_query = if path_and_query.starts_with('/') {
        path_and_query.to_owned()
    } else {
        format!("/{path_and_query}")
    };
    Ok(IntegrationUri {
        raw: raw.to_owned(),
        scheme,
        host,
        port,
        path_and_query,
    })
}

/// Splits `host[:port]` (IPv6 in brackets) into a lower-case host and an optional port.
fn split_host_port(authority: &str) -> Result<(String, Option<u16>), String> {
    let (host, port, bracketed) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or_else(|| "unclosed '[' in the host".to_owned())?;
        v6.parse::<Ipv6Addr>()
            .map_err(|_| format!("invalid ipv6 host {v6:?}"))?;
        let port = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| format!("unexpected {after:?} after the host"))?,
            ),
        };
        (v6, port, true)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port), false),
            None => (authority, None, false),
        }
    };
    if host.is_empty() {
        return Err("no host".to_owned());
    }
    if let Some(c) = host.chars().find(|c| {
        !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') || (bracketed && *c == ':'))
    }) {
        return Err(format!("host {host:?} contains {c:?}"));
    }
    let port = match port {
        None => None,
        Some(text) => match text.parse::<u16>() {
            Ok(port) if port > 0 && text.bytes().all(|b| b.is_ascii_digit()) => Some(port),
            _ => return Err(format!("invalid port {text:?}")),
        },
    };
    Ok((host.to_ascii_lowercase(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_parts_with_default_ports() {
        let uri = parse_uri("HTTPS://API.Example.com/pets?x=1").unwrap();
        assert_eq!(uri.scheme, Scheme::Https);
        assert_eq!(uri.host, "api.example.com");
        assert_eq!(uri.port, 443);
        assert_eq!(uri.path_and_query, "/pets?x=1");
        assert_eq!(uri.raw, "HTTPS://API.Example.com/pets?x=1");

        let uri = parse_uri("http://10.0.0.1:8080").unwrap();
        assert_eq!((uri.port, uri.path_and_query.as_str()), (8080, "/"));

        let uri = parse_uri("https://[::1]:8443/x").unwrap();
        assert_eq!((uri.host.as_str(), uri.port), ("::1", 8443));
    }

    #[test]
    fn rejects_what_a_scenario_rejects() {
        for bad in [
            "api.example.com/pets",
            "ftp://api.example.com/",
            "https://user@api.example.com/",
            "https://api.example.com/#frag",
            "https://api.example.com:0/",
            "https://api.example.com:+1/",
            "https://api.example.com:99999/",
            "https://exa mple.com/",
            "https:///pets",
            "https://[::1/",
            "https://${stageVariables.host}/",
        ] {
            assert!(parse_uri(bad).is_err(), "{bad}");
        }
    }
}
