//! The benchmark's one error type.

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A socket, file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Generating or loading the benchmark certificate failed.
    #[error("certificate: {0}")]
    Certificate(String),
    /// A TLS configuration could not be built.
    #[error("tls: {0}")]
    Tls(#[from] rustls::Error),
    /// A process under test did not start or misbehaved.
    #[error("{0}")]
    Process(String),
    /// A load loop did not finish as expected (a transfer cut short, a bad response).
    #[error("{0}")]
    Load(String),
    /// A scenario could not be loaded or run.
    #[error("scenario {file}: {detail}")]
    Scenario {
        /// The scenario file.
        file: String,
        /// What went wrong.
        detail: String,
    },
}

impl BenchError {
    /// Wraps an I/O error with what was being done.
    pub fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
        let what = what.into();
        move |source| BenchError::Io { what, source }
    }
}
