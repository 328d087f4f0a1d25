//! `scenarios/vpc-link-v2/which-load-balancer.toml` under [`hoplab::compare`]: every cell of the five
//! load balancer kinds × three target certificates, run live, agreeing with the model, and
//! giving the status, validated hop and execution-log line stated here.

use std::path::PathBuf;

use hoplab::{Outcome, RowResult, Scenario};

const EXPIRED: &str = "Execution failed due to configuration error: PKIX path validation failed: \
     java.security.cert.CertPathValidatorException: validity check failed";
const SELF_SIGNED: &str = "Execution failed due to configuration error: PKIX path building \
     failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid \
     certification path to requested target";

/// One cell: load balancer, target certificate → status, validated hop, failure line.
type Cell = (
    &'static str,
    &'static str,
    u16,
    Option<&'static str>,
    Option<&'static str>,
);

/// What each cell must give, in the matrix's order (the last axis varies fastest).
const CELLS: [Cell; 15] = [
    // A TLS listener terminates TLS: its certificate is checked, the target's never is.
    ("nlb-tls", "valid", 200, Some("nlb:front:443"), None),
    ("nlb-tls", "expired", 200, Some("nlb:front:443"), None),
    ("nlb-tls", "self-signed", 200, Some("nlb:front:443"), None),
    // A TCP listener passes the gateway's TLS session through: the target's certificate is
    // checked, and only the valid one passes.
    ("nlb-tcp", "valid", 200, Some("target:app"), None),
    ("nlb-tcp", "expired", 500, Some("target:app"), Some(EXPIRED)),
    (
        "nlb-tcp",
        "self-signed",
        500,
        Some("target:app"),
        Some(SELF_SIGNED),
    ),
    // An ALB HTTPS listener terminates TLS like an NLB TLS listener.
    ("alb-https", "valid", 200, Some("alb:front:443"), None),
    ("alb-https", "expired", 200, Some("alb:front:443"), None),
    ("alb-https", "self-signed", 200, Some("alb:front:443"), None),
    // An ALB HTTP listener: plain HTTP from API Gateway, no certificate is checked.
    ("alb-http", "valid", 200, None, None),
    ("alb-http", "expired", 200, None, None),
    ("alb-http", "self-signed", 200, None, None),
    // Bytes pass through the NLB, so the ALB's HTTPS listener is the hop checked.
    (
        "nlb-tcp-to-alb",
        "valid",
        200,
        Some("alb:front-alb:443"),
        None,
    ),
    (
        "nlb-tcp-to-alb",
        "expired",
        200,
        Some("alb:front-alb:443"),
        None,
    ),
    (
        "nlb-tcp-to-alb",
        "self-signed",
        200,
        Some("alb:front-alb:443"),
        None,
    ),
];

fn scenario() -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/vpc-link-v2/which-load-balancer.toml");
    Scenario::from_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_cell_runs_live_agrees_with_the_model_and_gives_what_aws_would() {
    let comparison = hoplab::compare(&scenario(), 2)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(comparison.rows().len(), CELLS.len());
    let mut failures = Vec::new();
    for (row, (kind, certificate, status, validated, error)) in comparison.rows().iter().zip(CELLS)
    {
        let settings = [
            ("load_balancer".to_owned(), kind.to_owned()),
            ("target_certificate".to_owned(), certificate.to_owned()),
        ];
        assert_eq!(row.settings(), settings, "rows come in the matrix's order");
        let got = match row.result() {
            RowResult::Ran {
                status,
                validated,
                error,
                disagreements,
            } => {
                if !disagreements.is_empty() {
                    failures.push(format!(
                        "{}: the model disagrees: {disagreements:?}",
                        row.label()
                    ));
                }
                (*status, validated.as_deref(), error.as_deref())
            }
            other => {
                failures.push(format!("{}: did not run: {other:?}", row.label()));
                continue;
            }
        };
        if got != (Some(status), validated, error) {
            failures.push(format!(
                "{}: expected {:?}, got {got:?}",
                row.label(),
                (Some(status), validated, error)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    assert_eq!(comparison.outcome(), Outcome::Passed);
}
