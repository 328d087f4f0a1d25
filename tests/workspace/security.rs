//! Security properties: private keys are never logged, and the files that hold them are
//! written 0600 (the mode itself is asserted in `crates/inspect/tests/certs.rs`; the probe's
//! single connection to the named address in `crates/inspect/tests/probe.rs`).

use std::io::Write;
use std::sync::{Arc, Mutex};

use hoplab_tests::{load_bundled, run_and_assert_passed};

/// Every log line of the process, at every level.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_keys_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // Process-wide, so the runner's spawned tasks log here too; other tests of this binary
    // may log into it as well, which only widens the check.
    tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");

    let scenario = load_bundled("nlb/private-ca-listener.toml");
    run_and_assert_passed(&scenario).await;

    // Write the same scenario's keys, then look for their material in everything logged.
    let now = scenario.now().unwrap_or_else(time::OffsetDateTime::now_utc);
    let pki = hoplab_pki::Pki::generate(scenario.pki(), now).expect("pki");
    let dir = tempfile::tempdir().expect("tempdir");
    let written = hoplab_inspect::write_certs(&pki, dir.path()).expect("write certs");
    let logs = String::from_utf8_lossy(&captured.0.lock().expect("log buffer")).into_owned();
    assert!(
        !logs.is_empty(),
        "nothing was logged: the check would prove nothing"
    );
    assert!(
        !logs.contains("PRIVATE KEY"),
        "a PEM private key was logged"
    );
    let mut key_lines = 0;
    for path in written
        .iter()
        .filter(|p| p.to_string_lossy().contains("key"))
    {
        let pem = std::fs::read_to_string(path).expect("key file");
        for line in pem
            .lines()
            .filter(|l| !l.starts_with("-----") && l.len() >= 32)
        {
            key_lines += 1;
            assert!(
                !logs.contains(line),
                "key material of {} was logged",
                path.display()
            );
        }
    }
    assert!(key_lines > 0, "no key file was written: {written:?}");
}
