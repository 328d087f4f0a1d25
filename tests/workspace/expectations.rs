//! The expectations that say what users mean: which certificate was validated and which
//! were presented but not, that there was no error, that a text does not appear, and target
//! names written as reports write them. Each is checked on a live run, passing and failing.

use hoplab_scenario::Scenario;

/// An NLB TLS listener in front of a target with an expired certificate; `expect` is the
/// request's expect table.
fn text(expect: &str) -> String {
    repeated(expect, "")
}

/// The same scenario, its request carrying `repeat` (the `repeat` key and an
/// `expect_repeats` table).
fn repeated(expect: &str, repeat: &str) -> String {
    format!(
        r#"
[authorities.root]
common_name = "Expectations Root CA"
trusted = true

[certificates.listener]
issuer = "root"
common_name = "api.example.com"
dns_names = ["api.example.com"]

[certificates.expired]
issuer = "root"
common_name = "app.internal"
dns_names = ["app.internal"]
not_before = "-400d"
not_after = "-35d"

[targets.app]
protocol = "HTTPS"
certificate = "expired"

[target_groups.app]
protocol = "TLS"
targets = ["app"]

[[nlbs.front.listeners]]
port = 443
protocol = "TLS"
certificate = "listener"
target_group = "app"

[[gateway.routes]]
path = "/pets"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "front"

[[requests]]
path = "/pets"
{repeat}
[requests.expect]
{expect}
"#
    )
}

fn scenario(expect: &str) -> Scenario {
    Scenario::from_toml_str(&text(expect)).unwrap_or_else(|e| panic!("{e}"))
}

async fn mismatched_fields(expect: &str) -> Vec<String> {
    let report = hoplab_runner::run(&scenario(expect)).await.expect("runs");
    let request = &report.requests[0];
    request.mismatches.iter().map(|m| m.field.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_was_and_was_not_validated_is_checked_by_certificate_name() {
    let passing = r#"
status = 200
no_error = true
error_not_contains = "PKIX"
body_not_contains = "Internal server error"
validated_certificate = "listener"
not_validated = ["expired"]
target = "target:app"
"#;
    assert_eq!(mismatched_fields(passing).await, Vec::<String>::new());

    let failing = r#"
no_error = false
body_not_contains = "hello"
validated_certificate = "expired"
not_validated = ["listener"]
"#;
    assert_eq!(
        mismatched_fields(failing).await,
        ["no_error", "body", "validated_certificate", "not_validated"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_name_each_certificate_seen() {
    let report = hoplab_runner::run(&scenario("status = 200"))
        .await
        .expect("runs");
    let named: Vec<(String, Option<String>)> = report.requests[0]
        .trace
        .certificates
        .iter()
        .map(|seen| (seen.presented_by.clone(), seen.certificate.clone()))
        .collect();
    assert_eq!(
        named,
        [
            ("nlb:front:443".to_owned(), Some("listener".to_owned())),
            ("target:app".to_owned(), Some("expired".to_owned())),
        ]
    );
}

#[test]
fn misused_expectations_are_located_errors() {
    let cases = [
        (
            "no_error = true\nerror_contains = \"PKIX\"",
            "requests[0].expect.no_error",
            "keep one",
        ),
        (
            "not_validated = [\"expired\", \"nope\"]",
            "requests[0].expect.not_validated[1]",
            "\"expired\"",
        ),
        (
            "validated_certificate = \"root\"",
            "requests[0].expect.validated_certificate",
            "\"listener\"",
        ),
    ];
    for (expect, field, help) in cases {
        let text = text(expect);
        let error = Scenario::from_toml_str(&text)
            .expect_err(expect)
            .to_string();
        assert!(error.contains(field), "{expect}: {error}");
        assert!(error.contains(help), "{expect}: {error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_request_is_sent_each_time_and_judged_over_all_sends() {
    let text = repeated(
        "status = 200",
        "repeat = 3\n[requests.expect_repeats]\nreached = [\"target:app\"]\nnot_reached = [\"app\"]\nmin_failed = 1",
    );
    let scenario = Scenario::from_toml_str(&text).unwrap_or_else(|e| panic!("{e}"));
    let report = hoplab_runner::run(&scenario).await.expect("runs");
    let names: Vec<&str> = report.requests.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["GET /pets [1/3]", "GET /pets [2/3]", "GET /pets [3/3]"]
    );
    assert!(report.requests[..2].iter().all(|r| r.mismatches.is_empty()));
    let fields: Vec<&str> = report.requests[2]
        .mismatches
        .iter()
        .map(|m| m.field.as_str())
        .collect();
    assert_eq!(
        fields,
        ["expect_repeats.not_reached", "expect_repeats.min_failed"]
    );
}

#[test]
fn expect_repeats_needs_repeat_and_counts_within_it() {
    let cases = [
        (
            "",
            "[requests.expect_repeats]\nmin_failed = 1",
            "add `repeat = N`",
        ),
        ("repeat = 0", "", "expected 1..=1000"),
        (
            "repeat = 3",
            "[requests.expect_repeats]\nmax_failed = 4",
            "expected 0..=3",
        ),
        (
            "repeat = 3",
            "[requests.expect_repeats]\nreached = [\"nope\"]",
            "\"app\"",
        ),
    ];
    for (repeat, table, help) in cases {
        let text = format!("{}\n{table}", repeated("status = 200", repeat));
        let error = Scenario::from_toml_str(&text).expect_err(table).to_string();
        assert!(error.contains(help), "{repeat} {table}: {error}");
    }
}
