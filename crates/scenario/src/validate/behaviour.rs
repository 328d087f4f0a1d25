//! A target's `behaviour` (with `delay_ms` or `status`) and `tls_versions` →
//! [`TargetBehaviour`] and [`TlsVersions`].

use toml::Spanned;

use super::Cx;
use super::values::one_of_spellings;
use crate::behaviour::{TargetBehaviour, TlsVersions};
use crate::raw::RawTarget;

/// Longest `delay_ms` of a slow target: ten minutes, above any integration timeout.
const MAX_DELAY_MS: i64 = 600_000;

/// Converts the behaviour of the target whose field path is `f`. `https` is whether it serves
/// HTTPS (`None` when its protocol is misspelt).
pub(super) fn convert(
    cx: &mut Cx<'_>,
    f: &str,
    t: &RawTarget,
    https: Option<bool>,
) -> (TargetBehaviour, TlsVersions) {
    let name = t.behaviour.as_ref().map(|b| b.get_ref().as_str());
    let spelled = match (name, &t.behaviour) {
        (None, _) => Some(TargetBehaviour::Normal),
        (Some(text), Some(spanned)) => {
            let found = TargetBehaviour::from_spelling(text);
            if found.is_none() {
                let spellings: Vec<&str> = TargetBehaviour::ALL.iter().map(|(s, _)| *s).collect();
                cx.error(
                    spanned.span(),
                    format!("{f}.behaviour"),
                    format!("unknown behaviour {text:?}"),
                    Some(one_of_spellings(&spellings)),
                );
            }
            found
        }
        (Some(_), None) => None,
    };
    let behaviour = match spelled {
        Some(TargetBehaviour::Slow { .. }) => match &t.delay_ms {
            Some(delay) => match u32::try_from(*delay.get_ref()) {
                Ok(ms) if (1..=MAX_DELAY_MS).contains(delay.get_ref()) => {
                    TargetBehaviour::Slow { delay_ms: ms }
                }
                _ => {
                    cx.error(
                        delay.span(),
                        format!("{f}.delay_ms"),
                        format!("delay_ms {} is out of range", delay.get_ref()),
                        Some(format!("expected 1..={MAX_DELAY_MS}")),
                    );
                    TargetBehaviour::Normal
                }
            },
            None => {
                missing(
                    cx,
                    f,
                    t,
                    "delay_ms",
                    "how many milliseconds each response waits",
                );
                TargetBehaviour::Normal
            }
        },
        Some(TargetBehaviour::Status(_)) => match &t.status {
            Some(status) => match u16::try_from(*status.get_ref()) {
                Ok(code) if (200..=599).contains(&code) => TargetBehaviour::Status(code),
                _ => {
                    cx.error(
                        status.span(),
                        format!("{f}.status"),
                        format!("status {} is out of range", status.get_ref()),
                        Some("expected 200..=599".into()),
                    );
                    TargetBehaviour::Normal
                }
            },
            None => {
                missing(cx, f, t, "status", "the status every response carries");
                TargetBehaviour::Normal
            }
        },
        Some(plain) => plain,
        None => TargetBehaviour::Normal,
    };
    for (key, value, owner) in [
        ("delay_ms", t.delay_ms.as_ref(), "slow"),
        ("status", t.status.as_ref(), "status"),
    ] {
        if let (Some(value), false) = (value, name == Some(owner)) {
            cx.error(
                value.span(),
                format!("{f}.{key}"),
                format!("`{key}` only applies to behaviour = \"{owner}\""),
                Some(format!("remove `{key}`, or set behaviour = \"{owner}\"")),
            );
        }
    }
    let tls_versions = match &t.tls_versions {
        None => TlsVersions::default(),
        Some(text) if https == Some(false) => {
            cx.error(
                text.span(),
                format!("{f}.tls_versions"),
                "an HTTP target speaks no TLS, so it takes no `tls_versions`",
                Some("remove `tls_versions`, or set protocol = \"HTTPS\"".into()),
            );
            TlsVersions::default()
        }
        Some(text) => cx.enum_or(
            Some(text),
            format!("{f}.tls_versions"),
            "TLS versions",
            TlsVersions::ALL,
            TlsVersions::default(),
        ),
    };
    (behaviour, tls_versions)
}

fn missing(cx: &mut Cx<'_>, f: &str, t: &RawTarget, key: &str, what: &str) {
    let span = t.behaviour.as_ref().map(Spanned::span).unwrap_or(0..0);
    cx.error(
        span,
        format!("{f}.{key}"),
        format!("this behaviour needs `{key}`"),
        Some(format!("set `{key}`: {what}")),
    );
}
