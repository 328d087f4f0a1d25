//! Host names and the names a leaf carries: exact, upper case, wildcards (public suffixes
//! too), IDN, IP addresses, trailing dots, the common name alone.

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

/// Integration hosts: DNS names under ICANN and private public suffixes, names the public
/// suffix list does not know, IDN, and IP literals.
const HOSTS: [&str; 16] = [
    "api.example.com",
    "www.api.example.com",
    "example.com",
    "foo.co.uk",
    "a.foo.co.uk",
    "shop.github.io",
    "svc.internal",
    "db.local",
    "xn--bcher-kva.example",
    "api.xn--p1ai",
    "localhost",
    "API.Example.COM",
    "api.example.com.",
    "10.0.0.7",
    "::1",
    "2001:db8::7",
];

/// The names on a leaf.
#[derive(Debug, Clone, Default)]
pub(crate) struct LeafNames {
    /// Common names, in encoding order (the last is the most specific).
    pub(crate) common_names: Vec<String>,
    pub(crate) dns: Vec<String>,
    pub(crate) ips: Vec<std::net::IpAddr>,
}

/// A host to check, and the names the leaf carries for it (right, wrong or borderline).
pub(crate) fn pick(rng: &mut ChaCha8Rng) -> (String, LeafNames) {
    let host = (*HOSTS.choose(rng).expect("hosts")).to_owned();
    let mut names = LeafNames::default();
    let candidates = candidates(&host);
    let how_many = [0, 1, 1, 1, 2, 3].choose(rng).copied().unwrap_or(1);
    let mut sans: Vec<String> = (0..how_many)
        .map(|_| candidates.choose(rng).expect("candidates").clone())
        .collect();
    sans.dedup();
    for san in sans {
        match san.parse::<std::net::IpAddr>() {
            Ok(ip) => names.ips.push(ip),
            Err(_) => names.dns.push(san),
        }
    }
    let cn_count = [0, 1, 1, 1, 2].choose(rng).copied().unwrap_or(1);
    for _ in 0..cn_count {
        names
            .common_names
            .push(candidates.choose(rng).expect("candidates").clone());
    }
    if rng.random_bool(0.03) {
        names.dns.push(String::new());
    }
    (host, names)
}

/// Names that may or may not match `host`.
fn candidates(host: &str) -> Vec<String> {
    let lower = host.to_ascii_lowercase();
    let trimmed = lower.trim_end_matches('.');
    let mut out = vec![
        host.to_owned(),
        lower.clone(),
        host.to_ascii_uppercase(),
        format!("{trimmed}."),
        trimmed.to_owned(),
        "other.example.com".to_owned(),
        "*.example.com".to_owned(),
        "*.co.uk".to_owned(),
        "*.com".to_owned(),
        "*.github.io".to_owned(),
        "*.internal".to_owned(),
        "*".to_owned(),
        "10.0.0.7".to_owned(),
        "10.0.0.8".to_owned(),
        "::1".to_owned(),
        "0:0:0:0:0:0:0:1".to_owned(),
        "2001:db8::7".to_owned(),
        "::ffff:10.0.0.7".to_owned(),
    ];
    if let Some((first, rest)) = trimmed.split_once('.') {
        out.push(format!("*.{rest}"));
        out.push(format!("*.{rest}."));
        out.push(format!("{}*.{rest}", &first[..first.len().min(2)]));
        out.push(format!("*{}.{rest}", &first[first.len().min(1)..]));
        out.push(format!("{first}.*.{rest}"));
        if let Some((_, parent)) = rest.split_once('.') {
            out.push(format!("*.*.{parent}"));
            out.push(format!("{first}.*.{parent}"));
            out.push(format!("*.{parent}"));
        }
    }
    out
}
