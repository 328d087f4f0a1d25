//! [`InspectError`]: why a question could not be answered at all.
//!
//! A refused chain is not an error: it is a [`crate::CheckReport`] with `accepted: false`.
//! An error means the input was unusable or the server could not be reached, so there is no
//! verdict (exit code [`crate::EXIT_UNUSABLE`]).

use std::path::PathBuf;
use std::time::Duration;

use hoplab_pkix::PkixError;

/// The input could not be used, or the server could not be asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InspectError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file is larger than any PEM bundle has a reason to be.
    #[error("{}: larger than the {limit} bytes a PEM file may have", path.display())]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// The limit ([`crate::MAX_PEM_FILE_SIZE`]).
        limit: u64,
    },
    /// The certificate chain to check is not usable PEM or holds no certificate.
    #[error("certificate chain: {source}")]
    Chain {
        /// What the PEM reader said.
        source: PkixError,
    },
    /// A trust-store input is not usable PEM, holds no certificate, or holds a certificate
    /// that does not parse.
    #[error("trust store {which}: {source}")]
    Trust {
        /// Which input: a file path, or `PEM input N`.
        which: String,
        /// What the PEM reader or the trust store said.
        source: PkixError,
    },
    /// A `host:port` to connect to could not be read.
    #[error("connect address {value:?}: expected host:port, e.g. 127.0.0.1:8443 or [::1]:443")]
    ConnectAddress {
        /// What was given.
        value: String,
    },
    /// The TLS server name to send is not a DNS name or an IP address.
    #[error("server name {name:?} is not a valid DNS name or IP address")]
    ServerName {
        /// The name.
        name: String,
    },
    /// The address to connect to could not be resolved.
    #[error("cannot resolve {target}: {source}")]
    Resolve {
        /// The `host:port` that was resolved.
        target: String,
        /// What the resolver said.
        source: std::io::Error,
    },
    /// Resolving gave no address.
    #[error("{target} resolves to no address")]
    NoAddress {
        /// The `host:port` that was resolved.
        target: String,
    },
    /// No TCP connection could be opened.
    #[error("cannot connect to {target}: {source}")]
    Connect {
        /// The address (or `host:port`) tried last.
        target: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The connection and handshake did not finish in time.
    #[error("{target}: timed out after {} ms while {phase}", after.as_millis())]
    Timeout {
        /// The `host:port` probed.
        target: String,
        /// The time allowed.
        after: Duration,
        /// What was going on when time ran out.
        phase: String,
    },
    /// The TLS handshake failed (not a TLS server, no common protocol or cipher, a bad
    /// handshake signature, ...).
    #[error("tls handshake with {target}: {source}")]
    Handshake {
        /// The address connected to.
        target: String,
        /// What rustls said.
        source: std::io::Error,
    },
    /// The TLS client could not be configured.
    #[error("tls client configuration: {source}")]
    TlsConfig {
        /// What rustls said.
        source: rustls::Error,
    },
    /// The handshake completed but no certificate chain was seen.
    #[error("tls handshake with {target}: the server sent no certificate")]
    NoServerCertificate {
        /// The address connected to.
        target: String,
    },
    /// An output directory could not be created.
    #[error("cannot create directory {}: {source}", path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// An output file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    WriteFile {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file name would place the file outside the output directory.
    #[error("refusing to write {name:?}: it is not a plain file name inside the output directory")]
    UnsafeFileName {
        /// The name.
        name: String,
    },
}

impl InspectError {
    /// The process exit code for this error: always [`crate::EXIT_UNUSABLE`].
    pub fn exit_code(&self) -> u8 {
        crate::EXIT_UNUSABLE
    }
}
