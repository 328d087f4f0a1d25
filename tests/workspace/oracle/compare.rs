//! hoplab's verdict next to the JDK's: agreement counts, disagreements, and the one file of
//! accepted message differences (`tests/workspace/fidelity-exceptions.toml`).

use std::fmt;
use std::path::PathBuf;

use hoplab_inspect::{CheckInput, InspectError, Trust, check};
use serde::Deserialize;
use time::OffsetDateTime;

use super::{Answer, Case, JdkVerdict};

/// hoplab's conclusion about one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hoplab {
    /// API Gateway would accept the chain.
    Accepted,
    /// API Gateway would refuse it with this JDK/Apache message.
    Rejected(String),
    /// A trusted certificate cannot be used: no verdict.
    UnusableTrust(String),
}

impl fmt::Display for Hoplab {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hoplab::Accepted => write!(f, "accepted"),
            Hoplab::Rejected(m) => write!(f, "rejected: {m}"),
            Hoplab::UnusableTrust(m) => write!(f, "unusable trust store: {m}"),
        }
    }
}

/// hoplab's verdict on a case, through `hoplab check`'s code path (`hoplab_inspect::check`,
/// which calls the gateway's `hoplab_pkix::validate`).
pub(crate) fn hoplab_verdict(case: &Case) -> Hoplab {
    let pem = |der: &Vec<u8>| pem::encode(&pem::Pem::new("CERTIFICATE", der.clone())).into_bytes();
    let input = CheckInput {
        chain_pem: case.chain.iter().flat_map(pem).collect(),
        host: case.host.clone(),
        trust: Trust::Pem(case.trusted.iter().map(pem).collect()),
        at: case.at.map(|s| {
            OffsetDateTime::from_unix_timestamp(s).expect("a case's time is representable")
        }),
        insecure_skip_verification: case.skip,
    };
    match check(input) {
        Ok(report) => match report.rejection {
            None => Hoplab::Accepted,
            Some(rejection) => Hoplab::Rejected(rejection.java_message()),
        },
        Err(error @ InspectError::Trust { .. }) => Hoplab::UnusableTrust(error.to_string()),
        Err(error) => panic!("{}: hoplab check gave no verdict: {error}", case.id),
    }
}

/// How one case compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Same verdict, same message.
    Agree,
    /// Same verdict; the messages differ as an exception allows.
    Excepted,
    /// Same verdict, different messages, no exception.
    MessageDiffers,
    /// Different verdicts.
    VerdictDiffers,
}

/// Compares hoplab's verdict with the oracle's answer.
pub(crate) fn compare(
    set: &str,
    id: &str,
    hoplab: &Hoplab,
    jdk: &Answer,
    ex: &Exceptions,
) -> Outcome {
    let message = jdk.message.clone().unwrap_or_default();
    // The JVM itself answers differently from run to run here: any of its answers counts.
    if !jdk.alternatives.is_empty() {
        let ours = match hoplab {
            Hoplab::Rejected(m) => m.as_str(),
            _ => "",
        };
        if jdk.alternatives.iter().any(|a| a == ours) {
            return Outcome::Agree;
        }
    }
    match (hoplab, jdk.verdict) {
        (Hoplab::Accepted, JdkVerdict::Accepted) => Outcome::Agree,
        (Hoplab::UnusableTrust(_), JdkVerdict::UnusableTrust) => Outcome::Agree,
        (Hoplab::Rejected(ours), JdkVerdict::Rejected) if *ours == message => Outcome::Agree,
        (Hoplab::Rejected(ours), JdkVerdict::Rejected) => {
            if ex.allows(set, id, ours, &message) {
                Outcome::Excepted
            } else {
                Outcome::MessageDiffers
            }
        }
        _ => Outcome::VerdictDiffers,
    }
}

/// Counts for the Fidelity table in docs/fidelity.md.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// Cases compared.
    pub(crate) cases: usize,
    /// Same verdict.
    pub(crate) verdicts: usize,
    /// Same message (or both accepted).
    pub(crate) messages: usize,
    /// Message differences an exception allows.
    pub(crate) exceptions: usize,
}

impl Tally {
    /// Adds one outcome.
    pub(crate) fn add(&mut self, outcome: Outcome) {
        self.cases += 1;
        match outcome {
            Outcome::Agree => {
                self.verdicts += 1;
                self.messages += 1;
            }
            Outcome::Excepted => {
                self.verdicts += 1;
                self.exceptions += 1;
            }
            Outcome::MessageDiffers => self.verdicts += 1,
            Outcome::VerdictDiffers => {}
        }
    }

    /// The line docs/fidelity.md's table is filled from.
    pub(crate) fn line(&self, set: &str) -> String {
        let pct = |n: usize| {
            if self.cases == 0 {
                0.0
            } else {
                100.0 * n as f64 / self.cases as f64
            }
        };
        format!(
            "fidelity {set}: {} cases, verdict agreement {}/{} ({:.1} %), message agreement \
             {}/{} ({:.1} %), exceptions {}",
            self.cases,
            self.verdicts,
            self.cases,
            pct(self.verdicts),
            self.messages,
            self.cases,
            pct(self.messages),
            self.exceptions
        )
    }
}

/// `fidelity-exceptions.toml`: message differences accepted because AWS shows API Gateway's
/// JVM saying something else than the oracle's JDK.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct Exceptions {
    #[serde(default)]
    exception: Vec<Exception>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Exception {
    /// The set it applies to (`scenarios`, `limbo`, `random`), or every set when absent.
    set: Option<String>,
    /// The case it applies to, or every case when absent.
    case: Option<String>,
    /// The oracle's message.
    jdk: String,
    /// hoplab's message.
    hoplab: String,
    /// Why hoplab keeps its text.
    reason: String,
    /// The AWS evidence.
    source: String,
}

impl Exceptions {
    /// Reads and checks the file.
    pub(crate) fn load() -> Exceptions {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("workspace")
            .join("fidelity-exceptions.toml");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let exceptions: Exceptions =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (i, e) in exceptions.exception.iter().enumerate() {
            assert!(
                !e.reason.trim().is_empty() && !e.source.trim().is_empty(),
                "{}: exception {} needs a reason and a source",
                path.display(),
                i + 1
            );
            assert!(
                e.source.contains("aws") || e.source.contains("amazon"),
                "{}: exception {}: the only acceptable source is AWS evidence",
                path.display(),
                i + 1
            );
        }
        exceptions
    }

    fn allows(&self, set: &str, id: &str, hoplab: &str, jdk: &str) -> bool {
        self.exception.iter().any(|e| {
            e.set.as_deref().is_none_or(|s| s == set)
                && e.case.as_deref().is_none_or(|c| c == id)
                && e.hoplab == hoplab
                && e.jdk == jdk
        })
    }

    /// Entries that name one case of `set` and did not apply to it: stale.
    pub(crate) fn stale(&self, set: &str, used: &[(String, String, String)]) -> Vec<String> {
        self.exception
            .iter()
            .filter(|e| e.set.as_deref() == Some(set))
            .filter_map(|e| e.case.as_ref().map(|c| (c, e)))
            .filter(|(c, e)| {
                !used
                    .iter()
                    .any(|(id, ours, theirs)| id == *c && *ours == e.hoplab && *theirs == e.jdk)
            })
            .map(|(c, _)| c.clone())
            .collect()
    }
}
