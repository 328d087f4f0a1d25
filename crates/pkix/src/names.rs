//! Distinguished names compared as the JDK compares them: `X500Principal.equals`, which
//! compares the RFC 2253 canonical forms, not the encodings.
//!
//! For each attribute: the type, then a PrintableString or UTF8String value with runs of spaces
//! folded to one, trimmed, and case-folded; any other value type, or a type the JDK has no
//! keyword for, as the hexadecimal of its encoding. The attributes of a multi-valued RDN are
//! compared as a set (the JDK sorts them). So `CN=Hoplab Root` in a UTF8String and
//! `cn=hoplab  root` in a PrintableString are the same name.

use x509_parser::prelude::*;

/// A name in the JDK's canonical form; equal names compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct CanonicalName(Vec<Vec<String>>);

impl CanonicalName {
    /// The canonical form of `name`.
    pub(crate) fn of(name: &X509Name<'_>) -> CanonicalName {
        CanonicalName(
            name.iter()
                .map(|rdn| {
                    let mut avas: Vec<String> = rdn.iter().map(canonical_ava).collect();
                    avas.sort();
                    avas
                })
                .collect(),
        )
    }

    /// Whether the name has no RDN.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// OIDs the JDK prints with a keyword in RFC 2253 form; other types print as dotted OIDs and
/// their values always as hex.
const KEYWORDS: [&str; 10] = [
    "2.5.4.3",
    "2.5.4.6",
    "2.5.4.7",
    "2.5.4.8",
    "2.5.4.10",
    "2.5.4.11",
    "2.5.4.12",
    "2.5.4.9",
    "0.9.2342.19200300.100.1.25",
    "0.9.2342.19200300.100.1.1",
];

fn canonical_ava(ava: &AttributeTypeAndValue<'_>) -> String {
    let oid = ava.attr_type().to_id_string();
    let value = ava.attr_value();
    let stringy = matches!(value.header.tag().0, 0x13 | 0x0c);
    if !KEYWORDS.contains(&oid.as_str()) || !stringy {
        let hex: String = value
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        return format!("{oid}=#{:02x}{hex}", value.header.tag().0);
    }
    let text = String::from_utf8_lossy(value.as_bytes());
    let mut folded = String::with_capacity(text.len());
    let mut previous_space = false;
    for c in text.chars() {
        if c == ' ' {
            if !previous_space {
                folded.push(c);
            }
            previous_space = true;
        } else {
            folded.push(c);
            previous_space = false;
        }
    }
    let trimmed = folded.trim_matches(|c: char| c <= ' ');
    format!("{oid}={}", trimmed.to_uppercase().to_lowercase())
}
