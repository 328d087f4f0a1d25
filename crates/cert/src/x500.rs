//! Distinguished names as Java prints them.

use x509_parser::prelude::*;

/// Formats a name as `javax.security.auth.x500.X500Principal.toString()` does: relative
/// distinguished names from the most specific (last encoded) to the least, joined by `", "`,
/// e.g. `CN=api.example.com, O=Example, C=US`.
pub fn java_principal(name: &X509Name<'_>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for rdn in name.iter() {
        let attrs: Vec<String> = rdn
            .iter()
            .map(|attr| {
                let key = keyword(attr.attr_type());
                let value = attr.as_str().map(quote).unwrap_or_else(|_| "#".to_owned());
                format!("{key}={value}")
            })
            .collect();
        parts.push(attrs.join(" + "));
    }
    parts.reverse();
    parts.join(", ")
}

fn keyword(oid: &x509_parser::der_parser::Oid<'_>) -> String {
    match oid.to_id_string().as_str() {
        "2.5.4.3" => "CN".into(),
        "2.5.4.6" => "C".into(),
        "2.5.4.7" => "L".into(),
        "2.5.4.8" => "ST".into(),
        "2.5.4.10" => "O".into(),
        "2.5.4.11" => "OU".into(),
        "2.5.4.9" => "STREET".into(),
        "0.9.2342.19200300.100.1.25" => "DC".into(),
        "0.9.2342.19200300.100.1.1" => "UID".into(),
        "1.2.840.113549.1.9.1" => "EMAILADDRESS".into(),
        "2.5.4.5" => "SERIALNUMBER".into(),
        other => format!("OID.{other}"),
    }
}

/// Quotes a value the way RFC 1779 output does when it holds special characters.
fn quote(value: &str) -> String {
    let special = |c: char| matches!(c, ',' | '+' | '=' | '"' | '<' | '>' | '#' | ';' | '\n');
    if value.chars().any(special) || value.starts_with(' ') || value.ends_with(' ') {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        value.to_owned()
    }
}
