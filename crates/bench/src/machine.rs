//! The machine the figures were measured on: cores, kernel and tool versions.

use std::fmt;
use std::process::Command;

/// What the figures depend on, printed above them.
#[derive(Debug, Clone)]
pub struct Machine {
    /// CPUs this process may run on.
    pub cores: usize,
    /// The CPU model from `/proc/cpuinfo`.
    pub cpu: String,
    /// `uname -r`.
    pub kernel: String,
    /// `rustc -V` (the compiler on PATH, which built this binary under `make bench`).
    pub rustc: String,
    /// `haproxy -v`, first line, or why it is missing.
    pub haproxy: String,
}

impl Machine {
    /// Reads the machine's description; `haproxy` is the HAProxy binary to ask.
    pub fn detect(haproxy: Option<&str>) -> Machine {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|s| s.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".into());
        Machine {
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            cpu,
            kernel: first_line("uname", &["-r"]).unwrap_or_else(|| "unknown".into()),
            rustc: first_line("rustc", &["-V"]).unwrap_or_else(|| "unknown".into()),
            haproxy: haproxy
                .and_then(|bin| first_line(bin, &["-v"]))
                .unwrap_or_else(|| "not installed".into()),
        }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "cores:   {} ({})", self.cores, self.cpu)?;
        writeln!(f, "kernel:  {}", self.kernel)?;
        writeln!(f, "rustc:   {}", self.rustc)?;
        write!(f, "haproxy: {}", self.haproxy)
    }
}

fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_owned())
}
