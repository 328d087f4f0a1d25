//! Logs of the hops under test, shown with a failing test's output when `RUST_LOG` asks.

/// Installs a test-writer subscriber filtered by `RUST_LOG` (nothing is logged without it).
/// Safe to call from every test: only the first call in a process installs it.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}
