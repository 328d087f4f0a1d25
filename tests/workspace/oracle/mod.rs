//! The JDK oracle (`oracle/jdk/`) from Rust: build it, run it in batch or handshake mode, and
//! compare its answers with hoplab's.
//!
//! The Java program is compiled with `javac` into the cargo target directory, in a folder
//! named by a hash of its sources and the jars it uses, so it is built once per change and
//! never into the source tree. Each run starts one JVM for a whole set of cases.
//!
//! The JVM runs from an overlay of the installed JDK (see [`jdk`]) whose `lib/security/cacerts`
//! holds the set's trusted certificates under `[jdk]` aliases: the JDK then counts them as its
//! own root CAs ("jdkCA" in `jdk.certpath.disabledAlgorithms`), as API Gateway's public roots
//! are in its JVM.
//!
//! Without Java (or the HttpClient jars) a test prints `skipped: …` and passes; under
//! `CI=true` it fails instead.

mod build;
mod compare;
mod jdk;

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

pub(crate) use compare::{Exceptions, Hoplab, Outcome, Tally, compare, hoplab_verdict};

/// One chain for the oracle to judge.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Case {
    /// Echoed back with the answer.
    pub(crate) id: String,
    /// What the server sends, leaf first (DER, base64 in JSON).
    #[serde(serialize_with = "ders")]
    pub(crate) chain: Vec<Vec<u8>>,
    /// What API Gateway trusts (DER).
    #[serde(serialize_with = "ders")]
    pub(crate) trusted: Vec<Vec<u8>>,
    /// The integration URI host.
    pub(crate) host: String,
    /// The validator's date (Unix seconds); `None` is the JVM's clock.
    pub(crate) at: Option<i64>,
    /// `insecureSkipVerification`.
    pub(crate) skip: bool,
    /// Handshake mode: the loopback port serving the chain.
    pub(crate) port: Option<u16>,
}

fn ders<S: serde::Serializer>(ders: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ders.iter().map(|d| BASE64.encode(d)))
}

/// The oracle's conclusion about one case.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Answer {
    /// The case's id.
    pub(crate) id: Option<String>,
    /// What the JVM client concluded.
    pub(crate) verdict: JdkVerdict,
    /// The client's message, without a TLS alert prefix.
    pub(crate) message: Option<String>,
    /// The step that decided (`parse`, `trust`, `hostname`, `aws`, `trust_store`).
    pub(crate) stage: Option<String>,
    /// The exception chain.
    pub(crate) detail: Option<String>,
    /// When the JVM's own answer varies between runs (it tries same-named trust anchors in
    /// hash order), every trust-step answer it gave: a message, or `""` for trusted.
    #[serde(default)]
    pub(crate) alternatives: Vec<String>,
    /// Handshake mode: the authType JSSE passed to the trust manager.
    pub(crate) auth_type: Option<String>,
    /// Handshake mode: the message as the exception had it.
    pub(crate) raw_message: Option<String>,
}

/// What the JVM client concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum JdkVerdict {
    /// Trusted, and the host matched.
    Accepted,
    /// Refused, with a message.
    Rejected,
    /// A trusted certificate does not parse: no JVM trust store can hold it.
    UnusableTrust,
    /// The oracle failed on this case (never a verdict).
    Error,
}

/// How to start the oracle's JVM, when not as the differential tests do.
#[derive(Debug, Default)]
pub(crate) struct Run {
    /// The installed JDK as it is (its own `cacerts`), not the overlay.
    pub(crate) plain_jdk: bool,
    /// Extra environment variables (for instance libfaketime's).
    pub(crate) env: Vec<(String, String)>,
}

/// The built oracle and the JDK it runs on.
pub(crate) struct Oracle {
    classpath: String,
    jdk: jdk::Jdk,
    /// The JDK's version and HttpClient's, as the oracle reports them.
    pub(crate) versions: serde_json::Value,
}

/// Whether a missing prerequisite fails the test (CI) or skips it.
fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Says why a test cannot run: a failure under `CI=true`, else a `skipped:` line.
pub(crate) fn skip(test: &str, why: &str) {
    if ci() {
        panic!("{test}: {why} (CI=true: a missing prerequisite is a failure)");
    }
    eprintln!("skipped: {test}: {why}");
}

/// The oracle, built once per test process; `Err` says what is missing.
pub(crate) fn oracle() -> Result<&'static Oracle, String> {
    static ORACLE: OnceLock<Result<Oracle, String>> = OnceLock::new();
    ORACLE
        .get_or_init(Oracle::build)
        .as_ref()
        .map_err(Clone::clone)
}

/// The oracle for `test`, or `None` after saying it skipped (a panic under CI).
pub(crate) fn oracle_for(test: &str) -> Option<&'static Oracle> {
    match oracle() {
        Ok(oracle) => Some(oracle),
        Err(why) => {
            skip(test, &why);
            None
        }
    }
}

/// The repository root.
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

impl Oracle {
    fn build() -> Result<Oracle, String> {
        let jdk = jdk::Jdk::find()?;
        let classpath = build::compile(&jdk)?;
        let output = Command::new(jdk.java())
            .args(["-cp", &classpath, "hoplab.oracle.Oracle", "version"])
            .output()
            .map_err(|e| format!("cannot run java: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "the oracle does not start: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let versions = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("oracle version output: {e}"))?;
        Ok(Oracle {
            classpath,
            jdk,
            versions,
        })
    }

    /// Judges every case in one JVM by calling the trust manager and the host name verifier
    /// directly; the trusted certificates of every case count as the JDK's own roots.
    pub(crate) fn batch(&self, cases: &[Case]) -> Vec<Answer> {
        self.run("batch", cases, &Run::default())
    }

    /// Judges every case by a real handshake with HttpAsyncClient to `127.0.0.1:port`.
    pub(crate) fn handshake(&self, cases: &[Case]) -> Vec<Answer> {
        self.run("handshake", cases, &Run::default())
    }

    /// Batch mode with another JVM set-up, to check the oracle's own choices.
    pub(crate) fn batch_with(&self, cases: &[Case], run: &Run) -> Vec<Answer> {
        self.run("batch", cases, run)
    }

    fn run(&self, mode: &str, cases: &[Case], run: &Run) -> Vec<Answer> {
        let roots: BTreeSet<&[u8]> = if run.plain_jdk {
            BTreeSet::new()
        } else {
            cases
                .iter()
                .flat_map(|c| c.trusted.iter().map(Vec::as_slice))
                .collect()
        };
        let overlay = self
            .jdk
            .overlay(&self.classpath, roots)
            .unwrap_or_else(|e| panic!("JDK overlay: {e}"));
        let mut input = tempfile::NamedTempFile::new().expect("a temporary file");
        for case in cases {
            serde_json::to_writer(&mut input, case).expect("a case serializes");
            input.write_all(b"\n").expect("the case file is writable");
        }
        input.flush().expect("the case file is writable");
        let stdin = std::fs::File::open(input.path()).expect("the case file reopens");
        let java = if run.plain_jdk {
            self.jdk.java()
        } else {
            overlay.java()
        };
        let output = Command::new(java)
            .args(["-cp", &self.classpath, "hoplab.oracle.Oracle", mode])
            .envs(run.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::from(stdin))
            .output()
            .expect("the oracle's JVM starts");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "oracle {mode} failed:\n{stderr}");
        if !run.plain_jdk {
            let expected_home = format!("java.home={}", overlay.home().display());
            assert!(
                stderr.contains(&expected_home),
                "the oracle did not run from its JDK overlay ({expected_home}):\n{stderr}"
            );
        }
        let answers: Vec<Answer> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|e| panic!("oracle answer {line}: {e}"))
            })
            .collect();
        assert_eq!(answers.len(), cases.len(), "one answer per case");
        for (case, answer) in cases.iter().zip(&answers) {
            assert_eq!(
                answer.id.as_deref(),
                Some(case.id.as_str()),
                "answers in order"
            );
            assert_ne!(
                answer.verdict,
                JdkVerdict::Error,
                "the oracle failed on {}: {:?}",
                case.id,
                answer.detail
            );
        }
        answers
    }
}
