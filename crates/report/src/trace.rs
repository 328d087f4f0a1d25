//! The path one request took: its hops, TLS sessions and the certificates presented.

use serde::{Deserialize, Serialize};

use crate::CertSummary;

/// The hops a request crossed and what happened at each.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HopTrace {
    /// Hops in order from the gateway.
    pub hops: Vec<HopStep>,
    /// TLS sessions, each from the hop that started it to the hop that terminated it.
    pub tls_sessions: Vec<TlsSession>,
    /// Certificates presented along the way, validated or not.
    pub certificates: Vec<SeenCertificate>,
    /// What an ALB listener on the path decided, when the request crossed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alb: Option<AlbDecision>,
}

/// What an ALB listener did with one request: the rule that decided it, where it went, and
/// who wrote the response it sent back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbDecision {
    /// The listener (`alb:<name>:<port>`).
    pub listener: String,
    /// The rule that matched: its priority, or `default`; `None` when the listener answered
    /// before evaluating rules (plain HTTP sent to an HTTPS listener).
    pub rule: Option<String>,
    /// The rule's action: `forward`, `fixed-response` or `redirect`.
    pub action: Option<String>,
    /// The target group a `forward` chose.
    pub target_group: Option<String>,
    /// The target chosen in it (`target:<name>`).
    pub target: Option<String>,
    /// The `X-Amzn-Trace-Id` sent to the target, which the target's record carries too.
    pub trace_id: Option<String>,
    /// The status the listener sent.
    pub status: u16,
    /// Who wrote that response: `target`, `action` (a fixed response or redirect) or
    /// `load_balancer` (one of the ALB's own `awselb/2.0` pages).
    pub answered_by: String,
    /// Why the ALB wrote its own page (`load_balancer` only).
    pub reason: Option<String>,
}

/// One hop on a request's path.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HopStep {
    /// Hop id (`gateway`, `nlb:<name>:<port>`, `alb:<name>:<port>`, `target:<name>`).
    pub hop: String,
    /// What the hop did with the request.
    pub note: String,
}

/// One TLS session: who started it, who terminated it, and what it crossed untouched.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TlsSession {
    /// The client side of the session.
    pub client: String,
    /// The hop that terminated it.
    pub server: String,
    /// Hops the session's bytes crossed without being decrypted.
    pub through: Vec<String>,
    /// The SNI the client sent.
    pub sni: Option<String>,
    /// Negotiated version, if the handshake completed.
    pub version: Option<String>,
    /// `established`, or why the handshake failed.
    pub outcome: String,
}

/// Whether a presented certificate was validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateRole {
    /// The gateway validated it.
    Validated,
    /// It was presented, but its receiver does not validate certificates.
    NotValidated,
}

/// A certificate presented on one TLS session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeenCertificate {
    /// The hop that sent it.
    pub presented_by: String,
    /// The hop that received it.
    pub presented_to: String,
    /// Validated or not.
    pub role: CertificateRole,
    /// `accepted`, the rejection message, or why it was not validated.
    pub verdict: String,
    /// The chain as sent, leaf first.
    pub chain: Vec<CertSummary>,
    /// How the verdict was reached (path, validity, names compared).
    pub explanation: Vec<String>,
    /// The scenario's name of the leaf (`[certificates.<name>]`), when the leaf is one of the
    /// scenario's certificates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}
