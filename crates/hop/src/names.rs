//! Whether a certificate's DNS name covers a host name, as load balancers match a client's
//! SNI against their certificate lists.

/// Whether the certificate DNS name `pattern` covers the host `name`, case-insensitively,
/// ignoring one trailing dot on either.
///
/// A pattern `*.example.com` stands for exactly one left-most label: it matches
/// `api.example.com` but neither `example.com` nor `a.b.example.com`. Other uses of `*` match
/// nothing but themselves.
pub fn certificate_name_matches(pattern: &str, name: &str) -> bool {
    let pattern = pattern.strip_suffix('.').unwrap_or(pattern);
    let name = name.strip_suffix('.').unwrap_or(name);
    if pattern.is_empty() || name.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(parent) => match name.split_once('.') {
            Some((label, rest)) => {
                !label.is_empty() && !parent.is_empty() && rest.eq_ignore_ascii_case(parent)
            }
            None => false,
        },
        None => pattern.eq_ignore_ascii_case(name),
    }
}

#[cfg(test)]
mod tests {
    use super::certificate_name_matches as matches;

    #[test]
    fn exact_names_match_case_insensitively() {
        assert!(matches("api.example.com", "api.example.com"));
        assert!(matches("API.Example.com", "api.example.COM"));
        assert!(matches("api.example.com.", "api.example.com"));
        assert!(!matches("api.example.com", "www.example.com"));
        assert!(!matches("example.com", "api.example.com"));
        assert!(!matches("", ""));
    }

    #[test]
    fn wildcards_cover_exactly_one_left_most_label() {
        assert!(matches("*.example.com", "api.example.com"));
        assert!(matches("*.Example.com", "API.example.com"));
        assert!(!matches("*.example.com", "example.com"));
        assert!(!matches("*.example.com", "a.b.example.com"));
        assert!(!matches("*.example.com", ".example.com"));
        assert!(!matches("*", "localhost"));
        assert!(!matches("*.", "localhost"));
        assert!(!matches("api*.example.com", "api1.example.com"));
        assert!(!matches("*.*.example.com", "a.b.example.com"));
    }
}
