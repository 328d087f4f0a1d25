//! [`CheckReport`]: the verdict on one chain, as JSON (serde) or text.

use std::fmt::Write as _;

use hoplab_pkix::{CertSummary, Rejection};
use serde::Serialize;

use crate::text;

/// API Gateway's verdict on one chain, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Whether API Gateway would complete the handshake and send the request.
    pub accepted: bool,
    /// The execution-log line API Gateway writes when it refuses the chain
    /// (`Execution failed due to configuration error: …`).
    pub message: Option<String>,
    /// The refusal, structured.
    pub rejection: Option<Rejection>,
    /// The host the leaf was checked against.
    pub host: String,
    /// The time the checks used (RFC 3339).
    pub checked_at: String,
    /// Whether `insecureSkipVerification` was on.
    pub insecure_skip_verification: bool,
    /// The certificates as given (or as the server sent them), in order; ones that do not
    /// parse are left out.
    pub chain: Vec<CertSummary>,
    /// Sentences saying what was checked and what failed: the path built, the certificate
    /// that is missing, the one outside its validity window, the names compared with the host.
    pub explanation: Vec<String>,
    /// Which CAs were trusted.
    pub trust_source: String,
}

impl CheckReport {
    /// The process exit code: [`crate::EXIT_ACCEPTED`] or [`crate::EXIT_REJECTED`].
    pub fn exit_code(&self) -> u8 {
        if self.accepted {
            crate::EXIT_ACCEPTED
        } else {
            crate::EXIT_REJECTED
        }
    }

    /// The report as a person reads it: the verdict, the chain, then why.
    pub fn render_text(&self) -> String {
        let mut out = self.render_verdict_text();
        let _ = writeln!(out);
        let _ = writeln!(out, "Certificate chain");
        text::chain(&mut out, &self.chain);
        out
    }

    /// The verdict and why, without the chain (for reports that list the chain themselves).
    pub fn render_verdict_text(&self) -> String {
        let mut out = String::new();
        if self.accepted {
            let _ = writeln!(
                out,
                "ACCEPTED: API Gateway would accept this chain for host '{}'.",
                self.host
            );
        } else {
            let _ = writeln!(
                out,
                "REJECTED: API Gateway would refuse this chain for host '{}'.",
                self.host
            );
        }
        if let Some(message) = &self.message {
            let _ = writeln!(out, "Execution log: {message}");
        }
        let _ = writeln!(out, "Why:");
        for line in &self.explanation {
            let _ = writeln!(out, "  - {line}");
        }
        let _ = writeln!(out, "Trusted CAs: {}", self.trust_source);
        let skip = if self.insecure_skip_verification {
            "on"
        } else {
            "off"
        };
        let _ = writeln!(
            out,
            "Checked at {}; insecureSkipVerification {skip}.",
            self.checked_at
        );
        out
    }
}

impl AsRef<CheckReport> for CheckReport {
    fn as_ref(&self) -> &CheckReport {
        self
    }
}
