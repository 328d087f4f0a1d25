//! A bundled scenario, stood up by a project's own test.

use hoplab_downstream_example::scenario;

/// Behind an NLB TCP listener the TLS session passes through to the target, so API Gateway
/// validates the target's own certificate, and refuses an expired one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_target_certificate_is_validated_behind_a_tcp_listener() -> hoplab::Result<()> {
    let scenario = hoplab::Scenario::from_file(scenario("nlb/tcp-listener-validates-target.toml"))?;

    let report = hoplab::run(&scenario).await?;

    assert!(report.passed(), "{report}");
    let expired = report
        .request("expired target behind a TCP listener")
        .expect("the scenario sends this request");
    assert_eq!(expired.validated(), Some("target:expired"));
    assert_eq!(expired.status(), Some(500));
    Ok(())
}
