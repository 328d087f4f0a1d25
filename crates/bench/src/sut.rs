//! The hoplab NLB under test, in its own process so that its CPU time and resident memory are
//! its own: this binary's `serve-nlb` command runs a TCP listener and a TLS listener (ECDSA
//! P-256, a TCP target group) built with `hoplab-nlb`, both forwarding to one backend.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use hoplab_nlb::{ListenerConfig, SecurityPolicy, TargetEndpoint, TargetGroup, TlsTermination};
use hoplab_trace::{EventLog, HopId};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::BenchError;
use crate::certs::load_certified_key;

/// The security policy of the TLS listener (TLS 1.3 and 1.2, as AWS's default).
pub const SECURITY_POLICY: SecurityPolicy = SecurityPolicy::Tls13_1_2_2021_06;

/// A running `serve-nlb` child.
#[derive(Debug)]
pub struct NlbProcess {
    child: Child,
    /// The TCP (passthrough) listener.
    pub tcp: SocketAddr,
    /// The TLS (terminating) listener.
    pub tls: SocketAddr,
}

impl NlbProcess {
    /// Starts `exe serve-nlb` forwarding to `backend`, serving the certificate in `cert`/`key`,
    /// and waits for it to print its listeners.
    pub fn start(
        exe: &Path,
        backend: SocketAddr,
        cert: &Path,
        key: &Path,
    ) -> Result<NlbProcess, BenchError> {
        let mut child = Command::new(exe)
            .arg("serve-nlb")
            .arg("--backend")
            .arg(backend.to_string())
            .arg("--cert")
            .arg(cert)
            .arg("--key")
            .arg(key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(BenchError::io(format!(
                "starting {} serve-nlb",
                exe.display()
            )))?;
        let mut line = String::new();
        let read = child.stdout.take().map(|out| {
            // One line, at most 200 bytes: the child prints it as soon as it is bound.
            BufReader::new(out.take(200)).read_line(&mut line)
        });
        let parsed = match read {
            Some(Ok(_)) => parse_ready(&line),
            _ => None,
        };
        match parsed {
            Some((tcp, tls)) => Ok(NlbProcess { child, tcp, tls }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(BenchError::Process(format!(
                    "serve-nlb did not report its listeners (got {line:?})"
                )))
            }
        }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for NlbProcess {
    fn drop(&mut self) {
        // Child::kill signals exactly this PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse_ready(line: &str) -> Option<(SocketAddr, SocketAddr)> {
    let mut tcp = None;
    let mut tls = None;
    for word in line.split_whitespace() {
        match word.split_once('=') {
            Some(("tcp", addr)) => tcp = addr.parse().ok(),
            Some(("tls", addr)) => tls = addr.parse().ok(),
            _ => {}
        }
    }
    Some((tcp?, tls?))
}

/// The body of `serve-nlb`: binds both listeners on loopback, prints
/// `tcp=ADDR tls=ADDR`, and serves until its standard input closes.
pub fn serve_nlb(backend: SocketAddr, cert: &Path, key: &Path) -> Result<(), BenchError> {
    let certified = load_certified_key(cert, key)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(BenchError::io("starting the runtime"))?;
    runtime.block_on(async move {
        let events = EventLog::new();
        let shutdown = CancellationToken::new();
        let target = TargetEndpoint {
            hop: HopId::target("sink"),
            addr: backend,
        };
        let group = TargetGroup::new("sink", false, vec![target]);
        let tcp_listener = bind().await?;
        let tls_listener = bind().await?;
        let tcp_addr = tcp_listener
            .local_addr()
            .map_err(BenchError::io("reading the listener address"))?;
        let tls_addr = tls_listener
            .local_addr()
            .map_err(BenchError::io("reading the listener address"))?;
        let tcp = ListenerConfig {
            hop: HopId::nlb("bench", tcp_addr.port()),
            tls: None,
            target_group: group.clone(),
        };
        let tls = ListenerConfig {
            hop: HopId::nlb("bench", tls_addr.port()),
            tls: Some(TlsTermination::new(certified, SECURITY_POLICY)),
            target_group: group,
        };
        let serving = [
            tokio::spawn(hoplab_nlb::serve_listener(
                tcp_listener,
                tcp,
                events.clone(),
                shutdown.clone(),
            )),
            tokio::spawn(hoplab_nlb::serve_listener(
                tls_listener,
                tls,
                events.clone(),
                shutdown.clone(),
            )),
        ];
        println!("tcp={tcp_addr} tls={tls_addr}");
        // Standard input closing (the parent exiting) stops the listeners.
        let stdin_closed = tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        });
        let _ = stdin_closed.await;
        shutdown.cancel();
        for task in serving {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => return Err(BenchError::Process(error.to_string())),
                Err(error) => return Err(BenchError::Process(error.to_string())),
            }
        }
        Ok(())
    })
}

async fn bind() -> Result<TcpListener, BenchError> {
    TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(BenchError::io("binding 127.0.0.1:0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_line_names_both_listeners() {
        let (tcp, tls) = parse_ready("tcp=127.0.0.1:4000 tls=127.0.0.1:4001\n").unwrap();
        assert_eq!(tcp.port(), 4000);
        assert_eq!(tls.port(), 4001);
        assert!(parse_ready("tcp=127.0.0.1:4000").is_none());
    }
}
