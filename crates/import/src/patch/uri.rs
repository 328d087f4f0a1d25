//! Integration URIs, parsed by exactly the rules a scenario file applies to `uri`, so an
//! import or a patch lets nothing through that a scenario would refuse.

#[cfg(test)]
use hoplab_scenario::Scheme;

/// Parses an integration URI; the error says what is wrong.
pub(crate) use hoplab_scenario::parse_integration_uri as parse_uri;

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
            "https://api.example.com:22/",
            "https://app.internal/",
        ] {
            assert!(parse_uri(bad).is_err(), "{bad}");
        }
    }
}
