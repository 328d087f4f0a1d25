//! `hoplab check`: API Gateway's verdict on a PEM chain, through the gateway's own code path.

use hoplab_pkix::{Policy, Rejection, parse_pem_chain, validate};
use rustls::pki_types::CertificateDer;
use time::OffsetDateTime;

use crate::{CheckReport, InspectError, LoadedTrust, Trust};

/// What to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInput {
    /// The chain as the server sends it, leaf first, in PEM (other sections are ignored).
    pub chain_pem: Vec<u8>,
    /// The integration URI host the leaf must name.
    pub host: String,
    /// The CAs API Gateway trusts.
    pub trust: Trust,
    /// The time to check at; `None` is now.
    pub at: Option<OffsetDateTime>,
    /// The integration's `tlsConfig.insecureSkipVerification`.
    pub insecure_skip_verification: bool,
}

/// Judges a PEM chain as API Gateway would for an integration whose URI host is
/// `input.host`, and explains the verdict.
///
/// This is the gateway's code path: the same [`hoplab_pkix::validate`] call its TLS client
/// makes inside the handshake, and the same execution-log line
/// ([`hoplab_gateway::failure_response`]) for a refusal.
///
/// # Errors
///
/// [`InspectError::Chain`] when the text holds no complete `CERTIFICATE` section (or its PEM
/// framing is broken), [`InspectError::Trust`] when a trust input is unusable. A
/// `CERTIFICATE` section whose body is not a certificate the JDK can parse (not base64, not
/// X.509, an extension twice, ...) is not an error: it is what the server would send, and API
/// Gateway's JVM refuses it (`Failed to parse server certificates`), a verdict.
pub fn check(input: CheckInput) -> Result<CheckReport, InspectError> {
    let chain = chain_from_pem(&input.chain_pem)?;
    let trust = input.trust.load()?;
    Ok(judge(
        &chain,
        &input.host,
        &trust,
        input.at,
        input.insecure_skip_verification,
    ))
}

/// The certificates of a PEM chain, in order. A `CERTIFICATE` section whose body is not base64
/// stands as a certificate that does not parse (its raw body), so the verdict says what the JDK
/// says about it; text with no complete `CERTIFICATE` section is an error.
fn chain_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, InspectError> {
    let error = |source| InspectError::Chain { source };
    match parse_pem_chain(pem) {
        Ok(chain) => Ok(chain),
        Err(first) => {
            let sections = certificate_sections(pem);
            if sections.is_empty() {
                return Err(error(first));
            }
            Ok(sections
                .into_iter()
                .map(|section| {
                    parse_pem_chain(section)
                        .ok()
                        .and_then(|mut ders| ders.pop())
                        .unwrap_or_else(|| CertificateDer::from(body(section).to_vec()))
                })
                .collect())
        }
    }
}

const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
const END: &[u8] = b"-----END CERTIFICATE-----";

/// Every complete `CERTIFICATE` section of `pem`, BEGIN and END lines included.
fn certificate_sections(pem: &[u8]) -> Vec<&[u8]> {
    let find =
        |haystack: &[u8], needle: &[u8]| haystack.windows(needle.len()).position(|w| w == needle);
    let mut sections = Vec::new();
    let mut rest = pem;
    while let Some(start) = find(rest, BEGIN) {
        let Some(end) = find(&rest[start..], END) else {
            break;
        };
        let stop = start + end + END.len();
        sections.push(&rest[start..stop]);
        rest = &rest[stop..];
    }
    sections
}

/// A section's body: the text between its BEGIN and END lines, trimmed.
fn body(section: &[u8]) -> &[u8] {
    let inner = &section[BEGIN.len()..section.len() - END.len()];
    inner.trim_ascii()
}

/// The verdict on a chain already in DER (as [`crate::probe`] receives it).
pub(crate) fn judge(
    chain: &[CertificateDer<'_>],
    host: &str,
    trust: &LoadedTrust,
    at: Option<OffsetDateTime>,
    insecure_skip_verification: bool,
) -> CheckReport {
    let now = at.unwrap_or_else(OffsetDateTime::now_utc);
    let policy = Policy {
        insecure_skip_verification,
    };
    let verdict = validate(chain, host, &trust.store, policy, now);
    let summaries = hoplab_pkix::CertSummary::chain(chain.iter().map(|c| c.as_ref()));
    let mut explanation = verdict.explanation.lines();
    if verdict.explanation.hostname.is_none()
        && let Some(line) = hostname_not_checked(host, summaries.first(), &verdict.outcome)
    {
        explanation.push(line);
    }
    let rejection = verdict.outcome.err();
    CheckReport {
        accepted: rejection.is_none(),
        message: rejection
            .as_ref()
            .map(|r| execution_log_line(r.java_message())),
        rejection,
        host: host.to_owned(),
        checked_at: verdict.explanation.checked_at,
        insecure_skip_verification,
        chain: summaries,
        explanation,
        trust_source: trust.source.clone(),
    }
}

/// The execution-log line API Gateway writes for a refused certificate, taken from the
/// gateway's one mapping of failures to log lines.
fn execution_log_line(java_message: String) -> String {
    hoplab_gateway::failure_response(&hoplab_gateway::Failure::Certificate { java_message })
        .log_line
}

/// When the chain was refused before the host name check, says so and lists what the leaf
/// would have been compared with, so a second problem is not a surprise after the first fix.
fn hostname_not_checked(
    host: &str,
    leaf: Option<&hoplab_pkix::CertSummary>,
    outcome: &Result<(), Rejection>,
) -> Option<String> {
    outcome.as_ref().err()?;
    let leaf = leaf?;
    let names: Vec<String> = leaf
        .dns_names
        .iter()
        .map(|n| format!("DNS:{n}"))
        .chain(leaf.ip_addresses.iter().map(|ip| format!("IP:{ip}")))
        .collect();
    let names = if names.is_empty() {
        "it has no DNS or IP SANs, so its common name would be used".to_owned()
    } else {
        format!("its SANs are [{}]", names.join(", "))
    };
    Some(format!(
        "Host name '{host}' was not checked: API Gateway compares it with the leaf only once \
         the chain is trusted ({names})."
    ))
}
