//! HAProxy as the reference proxy: `mode tcp` passthrough, terminating TLS in front of a
//! plaintext backend, `mode http` re-encrypting to an HTTPS backend whose certificate it
//! verifies, or `mode http` terminating TLS in front of a plain HTTP backend. The first two are the configurations of the shared `haproxy-tcp.sh` and
//! `haproxy-tls.sh` reference scripts (no session cache, no tickets, so every handshake is a
//! full one). The third is `haproxy-http.sh` with the re-encrypting server line of
//! `haproxy-tls.sh`, made to work as API Gateway does: `verify required` against a CA file and
//! the backend's name, a new server connection for every request (`option http-server-close`,
//! `http-reuse never`) and no TLS session reuse (`no-ssl-reuse`, `no-tls-tickets`), so every
//! request costs one full handshake and one verification. The fourth, the ALB's anchor, is
//! `haproxy-http.sh` behind the TLS `bind` of `haproxy-tls.sh`: it terminates TLS for
//! keep-alive clients, reuses its connections to the backend (HAProxy's default
//! `http-reuse safe`, as the ALB pools its own) and adds the headers the ALB adds. Each instance runs in the
//! foreground as a child process and is stopped by its PID on drop.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::BenchError;

/// Longest HAProxy may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// What HAProxy does with a connection.
#[derive(Debug, Clone)]
pub enum Mode {
    /// `mode tcp` passthrough.
    Tcp,
    /// TLS termination with the certificate and key in this combined PEM file, then
    /// plaintext to the backend.
    Tls(PathBuf),
    /// `mode http` terminating TLS with the certificate and key in this combined PEM file for
    /// HTTP/1.1 keep-alive clients, forwarding each request over a kept-alive plain HTTP
    /// connection to the backend and adding the headers an ALB adds (`X-Forwarded-For`,
    /// `-Proto`, `-Port` and a request id as `X-Amzn-Trace-Id`): the ALB anchor.
    HttpTerminate(PathBuf),
    /// `mode http` with plain HTTP/1.1 keep-alive clients, re-encrypting each request on a new
    /// connection to an HTTPS backend whose certificate must chain to `ca` and name `name`.
    HttpReencrypt {
        /// The CA file the backend's certificate is verified against.
        ca: PathBuf,
        /// The name sent as SNI and checked against the backend's certificate.
        name: String,
    },
}

/// A running HAProxy.
#[derive(Debug)]
pub struct Haproxy {
    child: Child,
    addr: SocketAddr,
}

/// The HAProxy binary: `explicit` if given, else `haproxy` on `PATH` or in `/usr/sbin`.
pub fn find(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return path.is_file().then(|| path.to_owned());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|dir| dir.join("haproxy"))
        .find(|candidate| candidate.is_file())
}

impl Haproxy {
    /// Starts `binary` listening on a free loopback port and forwarding to `backend`; its
    /// configuration and log go in `dir`.
    pub fn start(
        binary: &Path,
        mode: &Mode,
        backend: SocketAddr,
        dir: &Path,
    ) -> Result<Haproxy, BenchError> {
        let addr = free_port()?;
        let name = match mode {
            Mode::Tcp => "tcp",
            Mode::Tls(_) => "tls",
            Mode::HttpReencrypt { .. } => "http",
            Mode::HttpTerminate(_) => "https",
        };
        let config_path = dir.join(format!("haproxy-{name}-{}.cfg", addr.port()));
        std::fs::write(&config_path, config(mode, addr, backend))
            .map_err(BenchError::io(format!("writing {}", config_path.display())))?;
        let check = Command::new(binary)
            .args(["-c", "-q", "-f"])
            .arg(&config_path)
            .output()
            .map_err(BenchError::io(format!("running {}", binary.display())))?;
        if !check.status.success() {
            return Err(BenchError::Process(format!(
                "haproxy rejected {}: {}",
                config_path.display(),
                String::from_utf8_lossy(&check.stderr).trim()
            )));
        }
        let log_path = dir.join(format!("haproxy-{name}-{}.log", addr.port()));
        let log = std::fs::File::create(&log_path)
            .map_err(BenchError::io(format!("creating {}", log_path.display())))?;
        let log_err = log
            .try_clone()
            .map_err(BenchError::io("duplicating the log file"))?;
        let child = Command::new(binary)
            .arg("-db")
            .arg("-f")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(BenchError::io(format!("starting {}", binary.display())))?;
        let mut haproxy = Haproxy { child, addr };
        haproxy.wait_listening(&log_path)?;
        Ok(haproxy)
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its process id (HAProxy runs its threads in this one process).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_listening(&mut self, log: &Path) -> Result<(), BenchError> {
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            if let Ok(Some(status)) = self.child.try_wait() {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                return Err(BenchError::Process(format!(
                    "haproxy exited with {status}: {}",
                    text.trim()
                )));
            }
            if std::net::TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_ok()
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(BenchError::Process(format!(
            "haproxy did not listen on {} within {START_TIMEOUT:?}",
            self.addr
        )))
    }
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        // Child::kill signals exactly this PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The configuration for `mode` (see the module docs).
fn config(mode: &Mode, listen: SocketAddr, backend: SocketAddr) -> String {
    let mut text = String::from("global\n    maxconn 4000\n");
    if let Mode::Tls(_) | Mode::HttpTerminate(_) = mode {
        text.push_str("    tune.ssl.cachesize 0\n");
        text.push_str("    ssl-default-bind-options ssl-min-ver TLSv1.2\n");
    }
    match mode {
        Mode::Tcp | Mode::Tls(_) => text.push_str("defaults\n    mode tcp\n"),
        Mode::HttpReencrypt { .. } => text.push_str(
            "defaults\n    mode http\n    option http-server-close\n    http-reuse never\n    timeout http-keep-alive 60s\n",
        ),
        Mode::HttpTerminate(_) => {
            text.push_str("defaults\n    mode http\n    timeout http-keep-alive 60s\n");
        }
    }
    text.push_str("    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n");
    text.push_str("frontend fe\n");
    match mode {
        Mode::Tcp | Mode::HttpReencrypt { .. } => text.push_str(&format!("    bind {listen}\n")),
        Mode::Tls(pem) | Mode::HttpTerminate(pem) => text.push_str(&format!(
            "    bind {listen} ssl crt {} no-tls-tickets\n",
            pem.display()
        )),
    }
    if let Mode::HttpTerminate(_) = mode {
        text.push_str(concat!(
            "    option forwardfor\n",
            "    http-request set-header X-Forwarded-Proto https\n",
            "    http-request set-header X-Forwarded-Port %[dst_port]\n",
            "    unique-id-format Root=1-%[date,hex]-%[rand,hex]\n",
            "    unique-id-header X-Amzn-Trace-Id\n",
        ));
    }
    text.push_str(&format!(
        "    default_backend be\nbackend be\n    server s1 {backend}"
    ));
    if let Mode::HttpReencrypt { ca, name } = mode {
        text.push_str(&format!(
            " ssl verify required ca-file {} sni str({name}) verifyhost {name} no-ssl-reuse no-tls-tickets",
            ca.display()
        ));
    }
    text.push('\n');
    text
}

/// A loopback address with a port that was free a moment ago (HAProxy binds it itself).
fn free_port() -> Result<SocketAddr, BenchError> {
    let probe = StdListener::bind("127.0.0.1:0").map_err(BenchError::io("finding a free port"))?;
    probe
        .local_addr()
        .map_err(BenchError::io("finding a free port"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_config_matches_the_reference_script() {
        let listen: SocketAddr = "127.0.0.1:18444".parse().unwrap();
        let backend: SocketAddr = "127.0.0.1:18080".parse().unwrap();
        let text = config(&Mode::Tls("/x/combined.pem".into()), listen, backend);
        assert!(text.contains("tune.ssl.cachesize 0"));
        assert!(text.contains("bind 127.0.0.1:18444 ssl crt /x/combined.pem no-tls-tickets"));
        assert!(text.contains("server s1 127.0.0.1:18080"));
        let tcp = config(&Mode::Tcp, listen, backend);
        assert!(!tcp.contains("ssl"));
        assert!(tcp.contains("mode tcp"));
    }

    #[test]
    fn the_gateway_anchor_verifies_and_handshakes_for_every_request() {
        let listen: SocketAddr = "127.0.0.1:18081".parse().unwrap();
        let backend: SocketAddr = "127.0.0.1:18443".parse().unwrap();
        let mode = Mode::HttpReencrypt {
            ca: "/x/ca.pem".into(),
            name: "localhost".into(),
        };
        let text = config(&mode, listen, backend);
        assert!(text.contains("mode http"));
        assert!(text.contains("option http-server-close"));
        assert!(text.contains("http-reuse never"));
        assert!(text.contains(
            "server s1 127.0.0.1:18443 ssl verify required ca-file /x/ca.pem sni str(localhost) verifyhost localhost no-ssl-reuse no-tls-tickets"
        ));
    }

    #[test]
    fn the_alb_anchor_terminates_tls_and_keeps_the_backend_alive() {
        let listen: SocketAddr = "127.0.0.1:18445".parse().unwrap();
        let backend: SocketAddr = "127.0.0.1:18082".parse().unwrap();
        let text = config(
            &Mode::HttpTerminate("/x/combined.pem".into()),
            listen,
            backend,
        );
        assert!(text.contains("mode http"));
        assert!(text.contains("tune.ssl.cachesize 0"));
        assert!(text.contains("bind 127.0.0.1:18445 ssl crt /x/combined.pem no-tls-tickets"));
        // The same headers the ALB adds to every forwarded request.
        for header in [
            "option forwardfor",
            "set-header X-Forwarded-Proto https",
            "set-header X-Forwarded-Port",
            "unique-id-header X-Amzn-Trace-Id",
        ] {
            assert!(text.contains(header), "{header} missing from\n{text}");
        }
        // Plain HTTP to the backend over connections HAProxy keeps alive, as the ALB's pool.
        assert!(text.contains("server s1 127.0.0.1:18082\n"));
        assert!(!text.contains("http-reuse never"));
        assert!(!text.contains("http-server-close"));
    }
}
