//! Target selection: a flow hash over the connection's 4-tuple.
//!
//! AWS hashes "protocol, source IP address, source port, destination IP address, destination
//! port, and TCP sequence number" and keeps each connection on the target it picked. The
//! sequence number is not visible to a user-space proxy, so it is left out: the same 4-tuple
//! always picks the same target.

use std::net::{IpAddr, SocketAddr};

use hoplab_trace::Connection;

/// The index, in `0..n`, of the target that the connection `conn` (as accepted by the
/// listener: `peer` is the client, `local` the listener) is forwarded to. Returns 0 when `n`
/// is 0.
pub fn select_target(conn: &Connection, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    // `usize` is at most 64 bits on every platform Rust supports, so the remainder fits.
    (flow_hash(conn) % n as u64) as usize
}

/// FNV-1a over the protocol and both endpoints, with a final avalanche step so that
/// neighbouring source ports land on unrelated buckets.
fn flow_hash(conn: &Connection) -> u64 {
    const TCP: u8 = 6;
    let mut hash = Fnv::new();
    hash.write(&[TCP]);
    hash.write_addr(conn.peer);
    hash.write_addr(conn.local);
    avalanche(hash.0)
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn write_addr(&mut self, addr: SocketAddr) {
        match addr.ip() {
            IpAddr::V4(ip) => self.write(&ip.octets()),
            IpAddr::V6(ip) => self.write(&ip.octets()),
        }
        self.write(&addr.port().to_be_bytes());
    }
}

/// The splitmix64 finalizer.
fn avalanche(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so the properties below see varied but reproducible
    /// connections.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn connection(&mut self) -> Connection {
            let a = self.next();
            let b = self.next();
            let peer_ip = [10, (a >> 8) as u8, (a >> 16) as u8, (a >> 24) as u8];
            let local_ip = [10, 0, (b >> 8) as u8, (b >> 16) as u8];
            Connection {
                peer: SocketAddr::from((peer_ip, (a >> 32) as u16)),
                local: SocketAddr::from((local_ip, (b >> 32) as u16)),
            }
        }
    }

    fn conn(peer_port: u16) -> Connection {
        Connection {
            peer: SocketAddr::from(([127, 0, 0, 1], peer_port)),
            local: SocketAddr::from(([127, 0, 0, 1], 443)),
        }
    }

    #[test]
    fn the_choice_is_in_range_and_deterministic() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2_000 {
            let c = rng.connection();
            let n = (rng.next() % 16) as usize + 1;
            let first = select_target(&c, n);
            assert!(first < n);
            assert_eq!(select_target(&c, n), first, "{c:?} with {n} targets");
            assert_eq!(select_target(&c.clone(), n), first);
        }
    }

    #[test]
    fn no_targets_and_one_target_pick_index_zero() {
        let c = conn(50_000);
        assert_eq!(select_target(&c, 0), 0);
        assert_eq!(select_target(&c, 1), 0);
    }

    #[test]
    fn random_flows_spread_over_every_target() {
        let mut rng = XorShift(42);
        for n in 2..=8 {
            let samples = 1_000 * n;
            let mut counts = vec![0usize; n];
            for _ in 0..samples {
                counts[select_target(&rng.connection(), n)] += 1;
            }
            // Each bucket expects 1000; a fair hash stays far inside ±20 %.
            for (i, count) in counts.iter().enumerate() {
                assert!(
                    (800..=1_200).contains(count),
                    "n={n} bucket {i}: {counts:?}"
                );
            }
        }
    }

    #[test]
    fn consecutive_source_ports_spread_over_every_target() {
        // Loopback clients get neighbouring ephemeral ports: the realistic worst case.
        for n in 2..=5 {
            let mut counts = vec![0usize; n];
            for port in 40_000..40_000 + 600 * n as u16 {
                counts[select_target(&conn(port), n)] += 1;
            }
            for (i, count) in counts.iter().enumerate() {
                assert!((450..=750).contains(count), "n={n} bucket {i}: {counts:?}");
            }
        }
    }

    #[test]
    fn the_destination_matters_too() {
        let mut differs = 0;
        for port in 1..=200 {
            let mut other = conn(50_000);
            other.local.set_port(port);
            if select_target(&other, 4) != select_target(&conn(50_000), 4) {
                differs += 1;
            }
        }
        assert!(differs > 100, "{differs}");
    }
}
