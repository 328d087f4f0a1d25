//! What a scenario costs: the bundled library run whole (as `hoplab test scenarios/` does, and
//! as that command itself), and each scenario broken down into key generation, certificate
//! signing, listener start-up, requests (the handshakes) and teardown, against the cost of one
//! rustls handshake with its key generation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hoplab_pki::Pki;
use hoplab_runner::{Lab, LabOptions};
use hoplab_scenario::{KeyType, Scenario};
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use rcgen::{
    CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_ED25519,
    PKCS_RSA_SHA256, RsaKeySize,
};
use rustls::ServerConfig;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use time::OffsetDateTime;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::BenchError;
use crate::certs::server_name;

/// Longest one whole-library run may take.
const LIBRARY_TIMEOUT: Duration = Duration::from_secs(120);

/// Longest one scenario request may take in the breakdown.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A loaded scenario and its file.
#[derive(Debug, Clone)]
pub struct LibraryEntry {
    /// The file it came from.
    pub path: PathBuf,
    /// The scenario.
    pub scenario: Arc<Scenario>,
}

/// Loads every `*.toml` under `dir` (recursively), in path order.
pub fn load_library(dir: &Path) -> Result<Vec<LibraryEntry>, BenchError> {
    let files = hoplab_scenario::scenario_files(&[dir.to_owned()]).map_err(|detail| {
        BenchError::Scenario {
            file: dir.display().to_string(),
            detail: detail.to_string(),
        }
    })?;
    files
        .into_iter()
        .map(|path| {
            let scenario = hoplab_scenario::load(&path).map_err(|e| BenchError::Scenario {
                file: path.display().to_string(),
                detail: e.to_string(),
            })?;
            Ok(LibraryEntry {
                path,
                scenario: Arc::new(scenario),
            })
        })
        .collect()
}

/// One run of a whole library.
#[derive(Debug, Clone, Copy)]
pub struct LibraryRun {
    /// Wall time.
    pub elapsed: Duration,
    /// Scenarios run.
    pub scenarios: usize,
    /// Scenarios whose every expectation held.
    pub passed: usize,
}

/// Runs `scenarios` in this process as `hoplab test` does: `jobs` at a time, each on a fresh
/// topology.
pub async fn run_library(
    scenarios: &[Arc<Scenario>],
    jobs: usize,
) -> Result<LibraryRun, BenchError> {
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(jobs.max(1)));
    let mut running = JoinSet::new();
    for scenario in scenarios {
        let (permits, scenario) = (Arc::clone(&permits), Arc::clone(scenario));
        running.spawn(async move {
            let _permit = permits.acquire_owned().await.ok();
            hoplab_runner::run(&scenario)
                .await
                .is_ok_and(|report| report.passed())
        });
    }
    let mut passed = 0;
    let all = async {
        while let Some(joined) = running.join_next().await {
            if joined.unwrap_or(false) {
                passed += 1;
            }
        }
    };
    tokio::time::timeout(LIBRARY_TIMEOUT, all)
        .await
        .map_err(|_| BenchError::Load(format!("library not done after {LIBRARY_TIMEOUT:?}")))?;
    Ok(LibraryRun {
        elapsed: started.elapsed(),
        scenarios: scenarios.len(),
        passed,
    })
}

/// Wall time of `hoplab test DIR` run as its own process (a fresh process: cold key pool).
pub fn run_cli(hoplab: &Path, dir: &Path) -> Result<Duration, BenchError> {
    let started = Instant::now();
    let mut child = Command::new(hoplab)
        .arg("test")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(BenchError::io(format!("starting {}", hoplab.display())))?;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(started.elapsed()),
            Ok(Some(status)) => {
                return Err(BenchError::Process(format!(
                    "{} test {} exited with {status}",
                    hoplab.display(),
                    dir.display()
                )));
            }
            Ok(None) if started.elapsed() > LIBRARY_TIMEOUT => {
                // Stops exactly the process started above.
                let _ = child.kill();
                let _ = child.wait();
                return Err(BenchError::Process(format!(
                    "{} test did not finish within {LIBRARY_TIMEOUT:?}",
                    hoplab.display()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(error) => return Err(BenchError::io("waiting for hoplab test")(error)),
        }
    }
}

/// Where one scenario's time goes (one run).
#[derive(Debug, Clone, Copy, Default)]
pub struct Breakdown {
    /// Generating (or, for pooled RSA keys, loading) every key of the PKI.
    pub keygen: Duration,
    /// The rest of PKI generation: building and signing certificates, chains, rustls keys.
    pub signing: Duration,
    /// Binding and starting every hop (lab start-up without the PKI).
    pub startup: Duration,
    /// Sending every request through the gateway: connections, handshakes, exchanges.
    pub requests: Duration,
    /// Stopping the lab and waiting for every connection to end.
    pub teardown: Duration,
}

impl Breakdown {
    /// The whole run.
    pub fn total(&self) -> Duration {
        self.keygen + self.signing + self.startup + self.requests + self.teardown
    }
}

/// Keys the breakdown loads instead of generating, as hoplab's pool does.
#[derive(Debug, Default)]
pub struct RsaKeys {
    pkcs8: HashMap<KeyType, Vec<u8>>,
}

impl RsaKeys {
    /// How long obtaining a key of `kind` takes the way hoplab obtains it: fresh for ECDSA and
    /// Ed25519, loaded from PKCS#8 for RSA (pooled after its first use in a process).
    fn time_key(&mut self, kind: KeyType) -> Result<Duration, BenchError> {
        let cert_err = |e: rcgen::Error| BenchError::Certificate(e.to_string());
        let size = match kind {
            KeyType::Rsa2048 => Some(RsaKeySize::_2048),
            KeyType::Rsa3072 => Some(RsaKeySize::_3072),
            KeyType::Rsa4096 => Some(RsaKeySize::_4096),
            _ => None,
        };
        let started = Instant::now();
        match size {
            None => {
                let algorithm = match kind {
                    KeyType::EcdsaP384 => &PKCS_ECDSA_P384_SHA384,
                    KeyType::Ed25519 => &PKCS_ED25519,
                    _ => &PKCS_ECDSA_P256_SHA256,
                };
                KeyPair::generate_for(algorithm).map_err(cert_err)?;
                Ok(started.elapsed())
            }
            Some(size) => {
                let der = match self.pkcs8.entry(kind) {
                    std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
                    std::collections::hash_map::Entry::Vacant(entry) => entry.insert(
                        KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, size)
                            .map_err(cert_err)?
                            .serialize_der(),
                    ),
                };
                let started = Instant::now();
                KeyPair::from_pkcs8_der_and_sign_algo(
                    &PrivatePkcs8KeyDer::from(der.as_slice()),
                    &PKCS_RSA_SHA256,
                )
                .map_err(cert_err)?;
                Ok(started.elapsed())
            }
        }
    }
}

/// Runs `entry` once, timing each phase. The process's RSA key pool should already be warm
/// (run the library once first), as it is for every scenario but the first of a run.
pub async fn breakdown(entry: &LibraryEntry, keys: &mut RsaKeys) -> Result<Breakdown, BenchError> {
    let scenario = &entry.scenario;
    let fail = |detail: String| BenchError::Scenario {
        file: entry.path.display().to_string(),
        detail,
    };
    let mut keygen = Duration::ZERO;
    for kind in scenario.pki().authorities().map(|a| a.key()).chain(
        scenario
            .pki()
            .certificates()
            .iter()
            .filter(|leaf| leaf.pem().is_none())
            .map(|leaf| leaf.key()),
    ) {
        keygen += keys.time_key(kind)?;
    }
    // The PKI alone, then the lab (which generates its own PKI again): start-up is the
    // difference.
    let now = scenario.now().unwrap_or_else(OffsetDateTime::now_utc);
    let started = Instant::now();
    Pki::generate(scenario.pki(), now).map_err(|e| fail(e.to_string()))?;
    let pki = started.elapsed();
    let started = Instant::now();
    let lab = Lab::start(scenario, LabOptions::default())
        .await
        .map_err(|e| fail(e.to_string()))?;
    let lab_start = started.elapsed();
    let started = Instant::now();
    for request in scenario.requests() {
        send(lab.gateway_addr(), request.method(), request.path())
            .await
            .map_err(|e| fail(e.to_string()))?;
    }
    let requests = started.elapsed();
    let started = Instant::now();
    lab.stop().await;
    let teardown = started.elapsed();
    Ok(Breakdown {
        keygen: keygen.min(pki),
        signing: pki.saturating_sub(keygen),
        startup: lab_start.saturating_sub(pki),
        requests,
        teardown,
    })
}

/// One request to the gateway on a new connection, as the runner's caller sends it.
async fn send(gateway: std::net::SocketAddr, method: &str, path: &str) -> Result<(), BenchError> {
    let exchange = async {
        let tcp = TcpStream::connect(gateway).await.map_err(load)?;
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
            .await
            .map_err(load)?;
        let driver = tokio::spawn(connection);
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, gateway.to_string())
            .body(Empty::<Bytes>::new())
            .map_err(load)?;
        let response = sender.send_request(request).await.map_err(load)?;
        response.into_body().collect().await.map_err(load)?;
        driver.abort();
        Ok(())
    };
    tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .map_err(|_| {
            BenchError::Load(format!(
                "request {method} {path} not answered within {REQUEST_TIMEOUT:?}"
            ))
        })?
}

/// A failed request, in the words of the library that failed it.
fn load(error: impl std::fmt::Display) -> BenchError {
    BenchError::Load(error.to_string())
}

/// The unit a scenario is measured against: generate an ECDSA P-256 key and a self-signed
/// certificate for it, build a rustls server around it, and complete one full handshake with
/// a client that verifies it, over loopback TCP.
pub async fn one_handshake_with_keygen() -> Result<Duration, BenchError> {
    let cert_err = |e: rcgen::Error| BenchError::Certificate(e.to_string());
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(BenchError::io("binding 127.0.0.1:0"))?;
    let addr = listener
        .local_addr()
        .map_err(BenchError::io("reading the listener address"))?;
    let started = Instant::now();
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map_err(cert_err)?;
    let cert = CertificateParams::new(vec![crate::certs::SERVER_NAME.to_owned()])
        .map_err(cert_err)?
        .self_signed(&key)
        .map_err(cert_err)?;
    let provider = hoplab_trace::crypto_provider();
    let mut server = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )?;
    server.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    server.send_tls13_tickets = 0;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.der().clone())?;
    let mut client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    client.resumption = rustls::client::Resumption::disabled();
    let acceptor = TlsAcceptor::from(Arc::new(server));
    let accept = async {
        let (tcp, _) = listener.accept().await?;
        acceptor.accept(tcp).await.map(drop)
    };
    let connect = async {
        let tcp = TcpStream::connect(addr).await?;
        TlsConnector::from(Arc::new(client))
            .connect(server_name(), tcp)
            .await
            .map(drop)
    };
    let (accepted, connected) =
        tokio::time::timeout(REQUEST_TIMEOUT, async { tokio::join!(accept, connect) })
            .await
            .map_err(|_| BenchError::Load("reference handshake timed out".into()))?;
    accepted.map_err(BenchError::io("reference handshake (server)"))?;
    connected.map_err(BenchError::io("reference handshake (client)"))?;
    Ok(started.elapsed())
}
