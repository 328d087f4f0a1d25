//! The oracle's two set-up choices, checked against the real JVM.
//!
//! 1. **The validator's date.** The oracle judges a case at its time by giving the PKIX trust
//!    manager `PKIXBuilderParameters.setDate` through `CertPathTrustManagerParameters`. Random
//!    chains judged that way must get exactly the answers a default trust manager gives when
//!    the JVM's clock itself stands at that time (libfaketime, clock stopped), and some must
//!    change with the clock.
//! 2. **The JDK's own roots.** `SHA1 jdkCA & usage TLSServer` refuses SHA-1 only under the JDK's
//!    own roots, which the JDK reads from `lib/security/cacerts` under its `java.home`, by
//!    alias. Every chain the oracle refuses with that constraint must be judged otherwise by
//!    the same JVM from the installed JDK, whose Debian `cacerts` names no root `[jdk]`.

use std::path::Path;

use crate::chains;
use crate::oracle::{self, Case, JdkVerdict, Run};

/// libfaketime, from Debian's `faketime` package.
const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// Random chains, some of which straddle the judging time.
fn cases(count: u64) -> Vec<Case> {
    (1..=count).map(chains::generate).collect()
}

fn said(answer: &oracle::Answer) -> String {
    format!(
        "{:?} {}",
        answer.verdict,
        answer.message.as_deref().unwrap_or("")
    )
}

#[test]
fn the_validators_date_changes_what_a_real_clock_change_does() {
    const TEST: &str = "oracle date";
    let Some(oracle) = oracle::oracle_for(TEST) else {
        return;
    };
    if !Path::new(LIBFAKETIME).exists() {
        oracle::skip(
            TEST,
            "libfaketime is not installed (apt-get install faketime)",
        );
        return;
    }
    let at = time::OffsetDateTime::from_unix_timestamp(chains::JUDGED_AT).expect("a time");
    let dated = cases(300);
    let undated: Vec<Case> = dated
        .iter()
        .cloned()
        .map(|mut c| {
            c.at = None;
            c
        })
        .collect();
    let by_date = oracle.batch(&dated);
    let faked = oracle.batch_with(
        &undated,
        &Run {
            env: vec![
                ("LD_PRELOAD".into(), LIBFAKETIME.into()),
                (
                    "FAKETIME".into(),
                    // Without "@" the faked clock stands still, so a certificate whose window
                    // ends exactly then is judged at that very second, as with setDate.
                    format!(
                        "{}-{:02}-{:02} 00:00:00",
                        at.year(),
                        u8::from(at.month()),
                        at.day()
                    ),
                ),
                ("FAKETIME_DONT_FAKE_MONOTONIC".into(), "1".into()),
                ("TZ".into(), "UTC".into()),
            ],
            ..Run::default()
        },
    );
    let today = oracle.batch(&undated);
    let mut differ = Vec::new();
    for ((case, a), b) in dated.iter().zip(&by_date).zip(&faked) {
        // Hash-order answers may legitimately differ between two runs.
        if a.alternatives.is_empty() && said(a) != said(b) {
            differ.push(format!("{}: date {} / clock {}", case.id, said(a), said(b)));
        }
    }
    assert!(
        differ.is_empty(),
        "setDate and a real clock change disagree:\n{}",
        differ.join("\n")
    );
    let moved = by_date
        .iter()
        .zip(&today)
        .filter(|(a, b)| said(a) != said(b))
        .count();
    assert!(moved > 0, "judging at another time changes some answers");
    eprintln!(
        "oracle date: {} chains, the same answers by setDate and by a faked clock; {moved} \
         change at today's date",
        dated.len()
    );
}

#[test]
fn only_the_overlays_roots_count_as_the_jdks_own() {
    const TEST: &str = "oracle roots";
    let Some(oracle) = oracle::oracle_for(TEST) else {
        return;
    };
    let sha1 = "Usage constraint TLSServer check failed: SHA1 used with certificate";
    let all = cases(600);
    let overlay = oracle.batch(&all);
    let refused: Vec<Case> = all
        .iter()
        .zip(&overlay)
        .filter(|(_, a)| a.message.as_deref().is_some_and(|m| m.contains(sha1)))
        .map(|(c, _)| c.clone())
        .collect();
    assert!(
        !refused.is_empty(),
        "some random chains are SHA-1 signed under a trusted root"
    );
    let plain = oracle.batch_with(
        &refused,
        &Run {
            plain_jdk: true,
            ..Run::default()
        },
    );
    for (case, answer) in refused.iter().zip(&plain) {
        assert!(
            answer.verdict == JdkVerdict::Accepted
                || !answer.message.as_deref().unwrap_or("").contains(sha1),
            "{}: the installed JDK's cacerts made a test root one of the JDK's own: {}",
            case.id,
            said(answer)
        );
    }
    eprintln!(
        "oracle roots: {} SHA-1 chains refused under [jdk] roots are not refused for SHA-1 by \
         the installed JDK",
        refused.len()
    );
}
