//! Scenario settings for faults, TLS versions, listener policies and health checks → the hop
//! libraries' types.

use std::time::Duration;

use hoplab_hop::StatusMatcher;
use hoplab_scenario as scenario;
use hoplab_target::{TargetBehaviour, TargetTlsVersions};

use crate::RunError;

/// The target library's behaviour for a scenario target's `behaviour`.
pub(crate) fn target_behaviour(behaviour: scenario::TargetBehaviour) -> TargetBehaviour {
    match behaviour {
        scenario::TargetBehaviour::Normal => TargetBehaviour::Normal,
        scenario::TargetBehaviour::Refuse => TargetBehaviour::Refuse,
        scenario::TargetBehaviour::AcceptThenClose => TargetBehaviour::AcceptThenClose,
        scenario::TargetBehaviour::Reset => TargetBehaviour::Reset,
        scenario::TargetBehaviour::Hang => TargetBehaviour::Hang,
        scenario::TargetBehaviour::Slow { delay_ms } => TargetBehaviour::Slow {
            delay: Duration::from_millis(u64::from(delay_ms)),
        },
        scenario::TargetBehaviour::Status(code) => TargetBehaviour::Status(code),
    }
}

/// The target library's TLS versions for a scenario target's `tls_versions`.
pub(crate) fn target_tls_versions(versions: scenario::TlsVersions) -> TargetTlsVersions {
    match versions {
        scenario::TlsVersions::Tls12AndTls13 => TargetTlsVersions::Tls12AndTls13,
        scenario::TlsVersions::Tls13Only => TargetTlsVersions::Tls13Only,
        scenario::TlsVersions::Tls12Only => TargetTlsVersions::Tls12Only,
    }
}

/// The NLB library's security policy for a scenario TLS listener's `security_policy`.
pub(crate) fn security_policy(policy: scenario::SecurityPolicy) -> hoplab_nlb::SecurityPolicy {
    use hoplab_nlb::SecurityPolicy as Nlb;
    match policy {
        scenario::SecurityPolicy::Tls13_1_2_2021_06 => Nlb::Tls13_1_2_2021_06,
        scenario::SecurityPolicy::Tls13_1_3_2021_06 => Nlb::Tls13_1_3_2021_06,
        scenario::SecurityPolicy::Tls13_1_0_2021_06 => Nlb::Tls13_1_0_2021_06,
        scenario::SecurityPolicy::Policy2016_08 => Nlb::Policy2016_08,
        scenario::SecurityPolicy::Fs1_2Res2020_10 => Nlb::Fs1_2Res2020_10,
    }
}

/// The NLB library's ALPN policy for a scenario TLS listener's `alpn_policy`.
pub(crate) fn alpn_policy(policy: scenario::AlpnPolicy) -> hoplab_nlb::AlpnPolicy {
    use hoplab_nlb::AlpnPolicy as Nlb;
    match policy {
        scenario::AlpnPolicy::None => Nlb::None,
        scenario::AlpnPolicy::Http1Only => Nlb::Http1Only,
        scenario::AlpnPolicy::Http2Only => Nlb::Http2Only,
        scenario::AlpnPolicy::Http2Optional => Nlb::Http2Optional,
        scenario::AlpnPolicy::Http2Preferred => Nlb::Http2Preferred,
    }
}

/// The hop kit's health check (both load balancers run it) for a scenario target group's
/// `health_check`. The lab always settles health before a listener serves, so a scenario's
/// requests see settled health without waiting for intervals.
pub(crate) fn health_check(
    check: &scenario::HealthCheck,
) -> Result<hoplab_hop::HealthCheck, RunError> {
    let path = check.path().to_owned();
    let mut built = match check.protocol() {
        scenario::HealthCheckProtocol::Tcp => hoplab_hop::HealthCheck::tcp(),
        scenario::HealthCheckProtocol::Http => hoplab_hop::HealthCheck::http(path),
        scenario::HealthCheckProtocol::Https => hoplab_hop::HealthCheck::https(path),
    };
    built.interval = Duration::from_secs(u64::from(check.interval_seconds()));
    built.timeout = Duration::from_secs(u64::from(check.timeout_seconds()));
    built.healthy_threshold = check.healthy_threshold();
    built.unhealthy_threshold = check.unhealthy_threshold();
    built.matcher = StatusMatcher::parse(&check.matcher_text())?;
    built.settle_before_serving = true;
    Ok(built)
}
