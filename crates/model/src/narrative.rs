//! Sentences that say why a chain passes or fails, in a teaching tone.

use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::cert::{Catalog, Facts, Kind, ParseFailure};
use crate::names::{Compared, HostCheck};
use crate::verdict::{AnchorSource, Check, CheckFailed, DeadEndReason, Dispatch, Judged, Refusal};

/// What the verdict did with a chain, step by step.
///
/// `sender` names the server in a sentence (`Target "app"`, `The listener`).
pub(crate) fn verdict(
    catalog: &Catalog<'_>,
    judged: &Judged<'_, '_>,
    sender: &str,
    host: &str,
    skip: bool,
    now: OffsetDateTime,
) -> Vec<String> {
    let mut out = vec![sent_sentence(sender, &judged.sent)];
    if let Err(Refusal::Unparseable { cert, failure }) = &judged.outcome {
        out.push(format!(
            "{}, so the JDK refuses to parse it and fails the handshake before any path check.",
            parse_flaw(cert, *failure)
        ));
        return out;
    }
    if skip {
        out.push(
            "insecureSkipVerification is on: a self-signed CA certificate (CA:TRUE with \
             keyCertSign) that the server sends counts as trusted, but validity and the host \
             name are still checked."
                .to_owned(),
        );
    }
    match judged.dispatch {
        Dispatch::TrustedLeaf => {
            if let Some((anchor, source)) = judged.anchor {
                out.push(format!(
                    "Its first certificate is itself {}, so it is accepted without path checks.",
                    anchor_phrase(anchor, source)
                ));
            }
        }
        Dispatch::Validated => {
            if let Some((anchor, source)) = judged.anchor {
                out.push(format!(
                    "The chain is in order and reaches {}, so the JDK validates it as sent.",
                    anchor_phrase(anchor, source)
                ));
            }
        }
        Dispatch::Built {
            out_of_order_at: Some(i),
        } => {
            if let (Some(cert), Some(below)) =
                (judged.sent.get(i), judged.sent.get(i.wrapping_sub(1)))
            {
                out.push(format!(
                    "The chain is out of order ({} is not the issuer of {}), so the JDK builds a \
                     path from the sent certificates and its trust anchors instead of \
                     validating it as sent.",
                    cert.label(),
                    below.label()
                ));
            }
        }
        Dispatch::Built {
            out_of_order_at: None,
        } => out.push(
            "As sent, the chain does not reach a trust anchor, so the JDK searches the sent \
             certificates and its trust anchors for a path."
                .to_owned(),
        ),
    }
    match &judged.outcome {
        Ok(()) => {
            out.extend(path_sentence(judged));
            if let (Some(check), Some(leaf)) = (&judged.host, judged.sent.first()) {
                out.push(host_sentence(host, leaf, check));
            }
        }
        Err(Refusal::Hostname(check)) => {
            out.extend(path_sentence(judged));
            if let Some(leaf) = judged.sent.first() {
                out.push(host_sentence(host, leaf, check));
            }
        }
        Err(Refusal::Check(failed)) => out.push(check_sentence(failed, now)),
        // Said before the dispatch, which never ran.
        Err(Refusal::Unparseable { .. }) => {}
        Err(Refusal::Building { dead_end, rejected }) => {
            if let Some((path, anchor, failed)) = rejected.first() {
                let chain: Vec<String> = path.iter().map(|c| format!("{:?}", c.name)).collect();
                let which = if rejected.len() == 1 {
                    "The only path it finds"
                } else {
                    "Every path it finds is refused; the first"
                };
                let mut sentence = format!(
                    "{which}, {} < {:?}, fails because {}, so path building fails",
                    chain.join(" < "),
                    anchor.name,
                    check_flaw(failed, now)
                );
                // Only the builder refuses this way: say why the message is not the check's.
                sentence.push_str(
                    ": when the JDK builds a path, a path refused by a check is reported as a \
                     building failure, not as that check.",
                );
                out.push(sentence);
            } else if let Some(dead) = dead_end {
                out.push(dead_end_sentence(catalog, dead.cert, dead.reason, skip));
            } else {
                out.push("No path to a trust anchor exists.".to_owned());
            }
        }
    }
    out
}

/// A short clause for a certificate nobody validates: what would be wrong with it.
pub(crate) fn flaw(judged: &Judged<'_, '_>, host: &str, now: OffsetDateTime) -> Option<String> {
    match &judged.outcome {
        Ok(()) => None,
        Err(Refusal::Check(failed)) => Some(check_flaw(failed, now)),
        Err(Refusal::Building { rejected, dead_end }) => Some(match (rejected.first(), dead_end) {
            (Some((_, _, failed)), _) => check_flaw(failed, now),
            (None, Some(dead)) if dead.reason == DeadEndReason::SelfSigned => {
                if judged
                    .sent
                    .first()
                    .is_some_and(|leaf| leaf.id == dead.cert.id)
                {
                    "it is self-signed".to_owned()
                } else {
                    format!(
                        "its chain ends at {}, a self-signed root that is not trusted",
                        dead.cert.label()
                    )
                }
            }
            (None, _) => "its chain does not reach a trusted CA".to_owned(),
        }),
        Err(Refusal::Hostname(_)) => Some(format!("it does not name `{host}`")),
        Err(Refusal::Unparseable { cert, failure }) => Some(format!(
            "the JDK cannot parse it: {}",
            parse_flaw(cert, *failure)
        )),
    }
}

/// What makes a certificate unparseable for the JDK, as a clause naming it.
fn parse_flaw(cert: &Facts<'_>, failure: ParseFailure) -> String {
    match failure {
        ParseFailure::EmptyIssuer => format!(
            "{} is self-signed with an empty subject, which leaves its issuer name empty",
            cert.label()
        ),
        ParseFailure::EmptySubjectWithoutNames => format!(
            "{} has an empty subject and no subjectAltName to stand for it",
            cert.label()
        ),
    }
}

fn check_flaw(failed: &CheckFailed<'_, '_>, now: OffsetDateTime) -> String {
    let cert = failed.cert;
    match failed.check {
        Check::Validity if failed.expired => format!(
            "{} expired {} ago",
            cert.label(),
            span(now - cert.not_after)
        ),
        Check::Validity => format!(
            "{} is not valid for another {}",
            cert.label(),
            span(cert.not_before - now)
        ),
        _ => format!(
            "{} fails the JDK's check \"{}\"",
            cert.label(),
            failed.reason()
        ),
    }
}

fn sent_sentence(sender: &str, sent: &[&Facts<'_>]) -> String {
    let labels: Vec<String> = sent.iter().map(|c| c.label()).collect();
    match labels.len() {
        0 => format!("{sender} sends no certificate."),
        1 => format!("{sender} sends 1 certificate: {}.", labels[0]),
        n => format!(
            "{sender} sends {n} certificates: {}.",
            labels.join(", then ")
        ),
    }
}

fn anchor_phrase(anchor: &Facts<'_>, source: AnchorSource) -> String {
    match source {
        AnchorSource::TrustStore => format!("the trusted CA {}", anchor.label()),
        AnchorSource::SentWithSkip => format!(
            "the self-signed CA {}, which insecureSkipVerification makes a trust anchor because \
             the server sends it",
            anchor.label()
        ),
    }
}

/// The accepted path, when there is one.
fn path_sentence(judged: &Judged<'_, '_>) -> Option<String> {
    let (anchor, source) = judged.anchor?;
    if judged.path.is_empty() {
        return None;
    }
    let chain: Vec<String> = judged
        .path
        .iter()
        .map(|c| format!("{:?}", c.name))
        .collect();
    let mut sentence = format!(
        "Path {} < {:?} passes: every certificate is within its validity window, each is issued \
         and signed by the one above it, and every issuer is a CA with keyCertSign.",
        chain.join(" < "),
        anchor.name
    );
    if judged.path.iter().any(|c| c.sha1_signed) && source == AnchorSource::SentWithSkip {
        sentence.push_str(
            " Its SHA-1 signatures pass: the JDK refuses SHA-1 only on paths to its own trusted \
             CAs, and this root is trusted through insecureSkipVerification.",
        );
    }
    if anchor.sha1_signed {
        sentence.push_str(&format!(
            " {}'s own SHA-1 signature is not checked: a trust anchor's signature never is.",
            anchor.label()
        ));
    }
    if let Some(constraints) = anchor.name_constraints {
        sentence.push_str(&format!(
            " {}'s own name constraints ({}) are not applied: the JDK makes its trust anchors \
             without them.",
            anchor.label(),
            crate::constraints::describe(constraints)
        ));
    }
    Some(sentence)
}

fn check_sentence(failed: &CheckFailed<'_, '_>, now: OffsetDateTime) -> String {
    let cert = failed.cert;
    match failed.check {
        Check::Validity if failed.expired => format!(
            "{} expired {} ago (notAfter {}), so the validity check fails.",
            cert.label(),
            span(now - cert.not_after),
            rfc3339(cert.not_after)
        ),
        Check::Validity => format!(
            "{} is not valid until {} ({} from now), so the validity check fails.",
            cert.label(),
            rfc3339(cert.not_before),
            span(cert.not_before - now)
        ),
        Check::Sha1Signature => format!(
            "{} is signed with SHA-1 on a path to a CA API Gateway trusts, and the JDK's \
             jdk.certpath.disabledAlgorithms (\"SHA1 jdkCA & usage TLSServer\") refuses that \
             for TLS servers.",
            cert.label()
        ),
        Check::CaKeyUsage => format!(
            "{} issues a certificate on the path but its keyUsage lacks keyCertSign, so the CA \
             key usage check fails.",
            cert.label()
        ),
        Check::NameConstraints => format!(
            "{} names a DNS name outside the name constraints of {} ({}), so the name \
             constraints check fails.",
            cert.label(),
            failed.above.label(),
            failed
                .above
                .name_constraints
                .map(crate::constraints::describe)
                .unwrap_or_default()
        ),
        Check::NotCa => format!(
            "{} issues a certificate on the path but is not a CA (basicConstraints CA:FALSE), \
             so the basic constraints check fails.",
            cert.label()
        ),
        Check::PathLength => format!(
            "{} is deeper than a pathLenConstraint allows.",
            cert.label()
        ),
        Check::NameChaining => format!(
            "{}'s issuer is not {}, so the name chaining check fails.",
            cert.label(),
            failed.above.label()
        ),
        Check::Signature => format!(
            "{} is not signed by {}'s key, so the signature check fails.",
            cert.label(),
            failed.above.label()
        ),
    }
}

fn dead_end_sentence(
    catalog: &Catalog<'_>,
    cert: &Facts<'_>,
    reason: DeadEndReason,
    skip: bool,
) -> String {
    match reason {
        DeadEndReason::SelfSigned => {
            let mut s = format!(
                "The chain stops at {}, which is self-signed and not a trusted CA",
                cert.label()
            );
            let root_like = cert.ca && cert.key_cert_sign;
            if skip && !root_like {
                s.push_str(
                    "; insecureSkipVerification trusts a self-signed certificate only when it \
                     is a CA (CA:TRUE with keyCertSign)",
                );
            } else if !skip && root_like {
                s.push_str(
                    " (with insecureSkipVerification on, API Gateway would accept it as a root, \
                     since the server sends it)",
                );
            }
            s.push_str(", so path building fails.");
            s
        }
        DeadEndReason::SignatureMismatch => format!(
            "The chain stops at {}: certificates named {} exist, but none of them signed it, so \
             path building fails.",
            cert.label(),
            crate::cert::principal(cert.issuer)
        ),
        DeadEndReason::NotFound => {
            let issuer = crate::cert::principal(cert.issuer);
            let hint = match catalog.get(cert.signer) {
                s if s.kind == Kind::Authority && s.self_signed() => {
                    if skip {
                        format!(
                            "; with insecureSkipVerification API Gateway trusts the private \
                             root {:?} only if the server sends it",
                            s.name
                        )
                    } else {
                        format!(
                            "; {:?} is a private root, so only insecureSkipVerification with the \
                             root sent would let API Gateway trust it",
                            s.name
                        )
                    }
                }
                s if s.kind == Kind::Authority => format!(
                    "; API Gateway does not fetch missing intermediates, so the server must send \
                     {:?}",
                    s.name
                ),
                _ => String::new(),
            };
            format!(
                "The chain stops at {}: its issuer {issuer} is not a trusted CA and was not \
                 sent{hint}, so path building fails.",
                cert.label()
            )
        }
    }
}

fn host_sentence(host: &str, leaf: &Facts<'_>, check: &HostCheck) -> String {
    let cert = format!("{:?}", leaf.name);
    if let Some(name) = &check.matched {
        let what = match check.compared {
            Compared::DnsNames(_) => "DNS name",
            Compared::IpAddresses(_) => "IP address",
            Compared::CommonName(_) => "common name",
        };
        return format!("Host name `{host}` matches {cert}'s {what} `{name}`.");
    }
    match &check.compared {
        Compared::DnsNames(names) if names.is_empty() => format!(
            "Host name `{host}` does not match {cert}: it has IP SANs but no DNS names, and its \
             common name is ignored when it has SANs."
        ),
        Compared::DnsNames(names) => format!(
            "Host name `{host}` matches none of {cert}'s DNS names ({}); its common name is \
             ignored because it has SANs.",
            names.join(", ")
        ),
        Compared::IpAddresses(ips) if ips.is_empty() => format!(
            "Host `{host}` is an IP address, but {cert} has no IP SANs (an IP host is never \
             compared with DNS names)."
        ),
        Compared::IpAddresses(ips) => format!(
            "Host `{host}` matches none of {cert}'s IP SANs ({}).",
            ips.join(", ")
        ),
        Compared::CommonName(Some(cn)) => format!(
            "{cert} has no DNS or IP SANs, so its common name `{cn}` is compared with `{host}`, \
             and does not match."
        ),
        Compared::CommonName(None) => {
            format!("{cert} has no SANs and no common name, so nothing can match `{host}`.")
        }
    }
}

/// RFC 3339, for sentences.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

/// A duration in its largest whole unit: `35 days`, `1 hour`, `12 seconds`.
pub(crate) fn span(d: Duration) -> String {
    let secs = d.whole_seconds().unsigned_abs();
    let (n, unit) = if secs >= 86_400 {
        (secs / 86_400, "day")
    } else if secs >= 3_600 {
        (secs / 3_600, "hour")
    } else if secs >= 60 {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::span;
    use time::Duration;

    #[test]
    fn spans_use_the_largest_whole_unit() {
        assert_eq!(span(Duration::days(35)), "35 days");
        assert_eq!(span(Duration::hours(25)), "1 day");
        assert_eq!(span(Duration::minutes(1)), "1 minute");
        assert_eq!(span(Duration::seconds(0)), "0 seconds");
        assert_eq!(span(Duration::days(-2)), "2 days");
    }
}
