//! What a target's deliberate fault, the route's timeout and the listener's security policy do
//! to a request that got as far as the target.
//!
//! The rules restate the lab's (gateway `aws.rs`, the NLB's backend TLS versions):
//! - a target that refuses, closes or resets the connection is a connectivity failure:
//!   `There was an internal error while executing your request`, 500. Reached directly (over
//!   the internet or through a TCP listener) it fails before any TLS, so no certificate is
//!   validated; behind a TLS listener the listener's certificate already was.
//! - a target that hangs, or answers no sooner than `timeoutInMillis`, is a timeout:
//!   `Execution failed due to a timeout error`, 504.
//! - a target that answers with another status passes it through.
//! - a TLS listener offers its targets the versions its policy implies (TLS 1.2 and 1.3 for a
//!   `ELBSecurityPolicy-TLS13-*` policy, TLS 1.2 only otherwise, as rustls can serve them); a
//!   target that accepts none of them fails the NLB's handshake: an internal error.

use hoplab_scenario::{SecurityPolicy, Target, TargetBehaviour, TlsVersions};

use super::{Flow, INTERNAL_ERROR};

/// Log line of an integration timeout.
pub(super) const TIMEOUT_ERROR: &str = "Execution failed due to a timeout error";

/// If `target` drops connections before any byte, fails the flow and returns `true`.
/// `direct` says whether the gateway's own connection is the one dropped.
pub(super) fn dropped(flow: &mut Flow, target: &Target, direct: bool) -> bool {
    let what = match target.behaviour() {
        TargetBehaviour::Refuse => "refuses connections (nothing listens)",
        TargetBehaviour::AcceptThenClose => "accepts the connection and closes it at once",
        TargetBehaviour::Reset => "accepts the connection and resets it",
        _ => return false,
    };
    let who = if direct { "API Gateway's" } else { "the NLB's" };
    flow.say(format!(
        "Target {:?} {what}, so {who} connection to it ends before any TLS or HTTP: \
         a connectivity failure, which API Gateway reports as an internal error.",
        target.name()
    ));
    flow.fail(INTERNAL_ERROR);
    true
}

/// If the NLB's backend TLS versions under `policy` and the target's `versions` do not meet,
/// fails the flow and returns `true`.
pub(super) fn backend_versions_refused(
    flow: &mut Flow,
    target: &Target,
    policy: SecurityPolicy,
) -> bool {
    let tls13_policy = policy.as_str().starts_with("ELBSecurityPolicy-TLS13-");
    let meets = target.tls_versions().tls12() || (tls13_policy && target.tls_versions().tls13());
    if meets {
        return false;
    }
    let backend = if tls13_policy {
        "ELBSecurityPolicy-TLS13-1-0-2021-06"
    } else {
        "ELBSecurityPolicy-2016-08"
    };
    let accepts = match target.tls_versions() {
        TlsVersions::Tls13Only => "TLS 1.3 only",
        TlsVersions::Tls12Only => "TLS 1.2 only",
        TlsVersions::Tls12AndTls13 => "TLS 1.2 and 1.3",
    };
    flow.say(format!(
        "The listener's security policy {} makes the NLB connect to targets with {backend}, \
         which offers TLS 1.2 at most, but target {:?} accepts {accepts}: the NLB's handshake \
         with it fails and API Gateway reports an internal error.",
        policy.as_str(),
        target.name()
    ));
    flow.fail(INTERNAL_ERROR);
    true
}

/// The target receives the request: what it answers, within the route's timeout.
pub(super) fn answer(flow: &mut Flow, target: &Target, timeout_ms: u32) {
    match target.behaviour() {
        TargetBehaviour::Hang => {
            flow.say(format!(
                "Target {:?} reads the request and never answers, so after timeoutInMillis \
                 ({timeout_ms} ms) API Gateway gives up.",
                target.name()
            ));
            timed_out(flow);
        }
        TargetBehaviour::Slow { delay_ms } if delay_ms >= timeout_ms => {
            flow.say(format!(
                "Target {:?} answers after {delay_ms} ms, no sooner than timeoutInMillis \
                 ({timeout_ms} ms), so API Gateway gives up first.",
                target.name()
            ));
            timed_out(flow);
        }
        TargetBehaviour::Slow { delay_ms } => {
            flow.say(format!(
                "Target {:?} answers after {delay_ms} ms, within timeoutInMillis \
                 ({timeout_ms} ms).",
                target.name()
            ));
            flow.answered_by(target);
        }
        TargetBehaviour::Status(code) => {
            flow.status = code;
            flow.error = None;
            flow.say(format!(
                "Target {:?} answers {code}, which API Gateway passes on.",
                target.name()
            ));
        }
        // Connection-level faults were handled before the request was sent.
        _ => flow.answered_by(target),
    }
}

fn timed_out(flow: &mut Flow) {
    flow.status = 504;
    flow.error = Some(TIMEOUT_ERROR.to_owned());
}
