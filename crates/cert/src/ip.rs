//! iPAddress general names.

use std::net::IpAddr;

/// Decodes an iPAddress general name: 4 bytes (IPv4) or 16 (IPv6); anything else is `None`.
pub fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => {
            let octets: [u8; 4] = bytes.try_into().ok()?;
            Some(IpAddr::from(octets))
        }
        16 => {
            let octets: [u8; 16] = bytes.try_into().ok()?;
            Some(IpAddr::from(octets))
        }
        _ => None,
    }
}
