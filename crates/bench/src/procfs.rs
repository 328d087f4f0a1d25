//! What procfs says about a process: resident memory and CPU time; and the open-file limit.

use std::time::Duration;

/// Resident memory of process `pid` (`VmRSS` in `/proc/<pid>/status`), in bytes.
pub fn vm_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// User plus system CPU time of process `pid`, all threads, from `/proc/<pid>/stat`.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; fields after it are space-separated.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // After the name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_secs_f64(
        (utime + stime) as f64 / ticks_per_second(),
    ))
}

/// Clock ticks per second of procfs CPU times. Linux reports them in USER_HZ, 100 on every
/// architecture Linux supports today.
fn ticks_per_second() -> f64 {
    100.0
}

/// The open-file limit after trying to raise the soft limit to `wanted` (never above the hard
/// limit): `(soft, hard)`.
pub fn raise_nofile(wanted: u64) -> (u64, u64) {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let current = getrlimit(Resource::Nofile);
    let hard = current.maximum;
    let soft = current.current.unwrap_or(u64::MAX);
    let target = hard.map_or(wanted, |h| wanted.min(h));
    if target > soft {
        let raised = Rlimit {
            current: Some(target),
            maximum: hard,
        };
        let _ = setrlimit(Resource::Nofile, raised);
    }
    let now = getrlimit(Resource::Nofile);
    (
        now.current.unwrap_or(u64::MAX),
        now.maximum.unwrap_or(u64::MAX),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_has_memory_and_cpu() {
        let pid = std::process::id();
        assert!(vm_rss(pid).is_some_and(|rss| rss > 0));
        // Burn a little CPU so the counter is surely readable (it may still be 0 ticks).
        let mut x = 0u64;
        for i in 0..1_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        assert!(x > 0);
        assert!(cpu_time(pid).is_some());
    }

    #[test]
    fn nofile_limit_stays_within_the_hard_limit() {
        let (soft, hard) = raise_nofile(1 << 20);
        assert!(soft <= hard);
    }
}
