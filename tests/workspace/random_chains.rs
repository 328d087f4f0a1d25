//! Random chains against the real JDK: every chain the seeded generator (`chains/`) makes is
//! judged by hoplab and by the JDK oracle, and the verdicts and messages must be equal.
//!
//! `make test` judges 2,000 chains; `HOPLAB_RANDOM_CHAINS` (100,000 under `make test-long`)
//! changes the count and `HOPLAB_CHAIN_SEED` runs a single seed. A disagreement prints the seeds
//! and the smallest failing chain as PEM, with its trust store, host and time.

use std::fmt::Write as _;

use crate::chains;
use crate::oracle::{self, Case, Exceptions, Outcome, Tally, compare, hoplab_verdict};

/// Chains in the normal suite.
const DEFAULT_CHAINS: u64 = 2_000;
/// Chains per JVM run, to bound the memory one batch holds.
const BATCH: usize = 10_000;

fn seeds() -> Vec<u64> {
    if let Ok(list) = std::env::var("HOPLAB_CHAIN_SEED") {
        return list
            .split(',')
            .map(|s| {
                s.trim()
                    .parse()
                    .expect("HOPLAB_CHAIN_SEED: seeds, comma-separated")
            })
            .collect();
    }
    let count = std::env::var("HOPLAB_RANDOM_CHAINS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_CHAINS);
    (1..=count).collect()
}

/// Runs `f` over `items` on every core, keeping the order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = items.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker finishes"))
            .collect()
    })
}

fn pem(der: &[u8]) -> String {
    pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec()))
}

#[test]
fn random_chains_get_the_jdks_verdict_and_message() {
    let Some(oracle) = oracle::oracle_for("random chains") else {
        return;
    };
    let exceptions = Exceptions::load();
    let seeds = seeds();
    let mut tally = Tally::default();
    let mut failures: Vec<(Case, String)> = Vec::new();
    for batch in seeds.chunks(BATCH) {
        let started = std::time::Instant::now();
        let cases = parallel(batch, |&seed| chains::generate(seed));
        let generated = started.elapsed();
        let answers = oracle.batch(&cases);
        let judged = started.elapsed();
        let ours = parallel(&cases, hoplab_verdict);
        eprintln!(
            "random chains: {} generated in {generated:.1?}, JDK {:.1?}, hoplab {:.1?}",
            cases.len(),
            judged - generated,
            started.elapsed() - judged
        );
        for ((case, jdk), ours) in cases.into_iter().zip(&answers).zip(ours) {
            let outcome = compare("random", &case.id, &ours, jdk, &exceptions);
            tally.add(outcome);
            if !matches!(outcome, Outcome::Agree | Outcome::Excepted) {
                let why = format!(
                    "{outcome:?}\n  jdk:    {:?} {}\n  hoplab: {ours}\n  detail: {}",
                    jdk.verdict,
                    jdk.message.as_deref().unwrap_or(""),
                    jdk.detail.as_deref().unwrap_or("")
                );
                failures.push((case, why));
            }
        }
    }
    eprintln!("{}", tally.line("random chains"));
    if failures.is_empty() {
        return;
    }
    let listing = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("random-chains-disagreements.txt");
    let all: String = failures
        .iter()
        .map(|(case, why)| format!("seed {} (host {:?}): {why}\n", case.id, case.host))
        .collect();
    let _ = std::fs::write(&listing, all);
    let mut report = format!(
        "{} of {} random chains disagree with the JDK (all listed in {}).\n",
        failures.len(),
        tally.cases,
        listing.display()
    );
    for (case, why) in failures.iter().take(25) {
        let _ = writeln!(report, "seed {} (host {:?}): {why}", case.id, case.host);
    }
    let (smallest, why) = failures
        .iter()
        .min_by_key(|(c, _)| c.chain.iter().map(Vec::len).sum::<usize>())
        .expect("a failure");
    let _ = writeln!(
        report,
        "\nSmallest failing chain: seed {} (rerun with HOPLAB_CHAIN_SEED={}), host {:?}, at {}:\n{why}\n-- chain as sent --",
        smallest.id,
        smallest.id,
        smallest.host,
        chains::JUDGED_AT
    );
    for der in &smallest.chain {
        report.push_str(&pem(der));
    }
    report.push_str("-- trusted --\n");
    for der in &smallest.trusted {
        report.push_str(&pem(der));
    }
    panic!("{report}");
}

/// The seed `HOPLAB_CHAIN_SEED` names.
fn one_seed() -> u64 {
    std::env::var("HOPLAB_CHAIN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("set HOPLAB_CHAIN_SEED to the seed to show")
}

/// A debugging aid, not a check: prints the case of `HOPLAB_CHAIN_SEED` as the oracle's input
/// line (`cargo test -p hoplab-tests --test workspace -- --ignored oracle_input --nocapture`).
#[test]
#[ignore]
fn oracle_input() {
    let case = chains::generate(one_seed());
    println!(
        "{}",
        serde_json::to_string(&case).expect("a case serializes")
    );
}

/// A debugging aid, not a check: prints hoplab's report on the case of `HOPLAB_CHAIN_SEED`.
#[test]
#[ignore]
fn hoplab_report() {
    let seed = one_seed();
    let case = chains::generate(seed);
    let pem = |der: &Vec<u8>| pem(der).into_bytes();
    let report = hoplab_inspect::check(hoplab_inspect::CheckInput {
        chain_pem: case.chain.iter().flat_map(pem).collect(),
        host: case.host.clone(),
        trust: hoplab_inspect::Trust::Pem(case.trusted.iter().map(pem).collect()),
        at: Some(time::OffsetDateTime::from_unix_timestamp(chains::JUDGED_AT).expect("a time")),
        insecure_skip_verification: false,
    })
    .expect("a verdict");
    println!("{}", report.render_verdict_text());
}
