//! `hoplab probe --save-chain` and `--scenario` against a real TLS server on loopback: a
//! target of a lab, serving a chain hoplab generated.

mod support;

use support::stderr;

/// A target serving an expired leaf and its intermediate.
const SERVER: &str = r#"
[authorities.root]
common_name = "Probe Test Root"

[authorities.issuing]
issuer = "root"
common_name = "Probe Test Issuing CA"

[certificates.api]
issuer = "issuing"
common_name = "api.example.com"
dns_names = ["api.example.com"]
not_before = "-400d"
not_after = "-35d"

[targets.api]
protocol = "HTTPS"
certificate = "api"
dns_names = ["api.example.com"]

[[gateway.routes]]
path = "/"
uri = "https://api.example.com/"
"#;

async fn hoplab(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_hoplab"))
        .args(args)
        .output()
        .await
        .expect("the hoplab binary runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_saves_the_served_chain_and_a_scenario_compare_runs() {
    let scenario = hoplab::Scenario::from_toml_str(SERVER).expect("valid scenario");
    let lab = hoplab::lab::start(&scenario, hoplab::lab::LabOptions::default())
        .await
        .expect("lab starts");
    let addr = lab
        .hops()
        .iter()
        .find(|(hop, _)| hop.to_string() == "target:api")
        .map(|(_, addr)| *addr)
        .expect("the target listens");

    let dir = tempfile::tempdir().expect("temp dir");
    let chain = dir.path().join("chain.pem");
    let probed = dir.path().join("probed.toml");
    let output = hoplab(&[
        "probe",
        "api.example.com",
        "--connect",
        &addr.to_string(),
        "--timeout",
        "5s",
        "--save-chain",
        &chain.display().to_string(),
        "--scenario",
        &probed.display().to_string(),
    ])
    .await;
    assert!(lab.stop().await, "the lab stops");
    // Hoplab's generated root is no public root: no path to a trusted CA.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    // The chain as served: the leaf, then the intermediate, as PEM that `check` reads back.
    let pem = std::fs::read_to_string(&chain).expect("chain written");
    assert_eq!(
        pem.matches("-----BEGIN CERTIFICATE-----").count(),
        2,
        "{pem}"
    );
    let check = hoplab(&[
        "check",
        &chain.display().to_string(),
        "--host",
        "api.example.com",
        "--format",
        "json",
    ])
    .await;
    let json: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON");
    assert_eq!(json["chain"][0]["subject"], "CN=api.example.com");
    assert_eq!(json["chain"][1]["subject"], "CN=Probe Test Issuing CA");

    // The scenario: look-alikes behind each kind of load balancer, ready for compare.
    let text = std::fs::read_to_string(&probed).expect("scenario written");
    assert!(text.contains("[matrix]"), "{text}");
    let compare = hoplab(&["compare", &probed.display().to_string(), "--format", "json"]).await;
    assert_eq!(
        compare.status.code(),
        Some(0),
        "{text}\n{}",
        stderr(&compare)
    );
    let json: serde_json::Value = serde_json::from_slice(&compare.stdout).expect("JSON");
    let rows = json["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 5, "{json}");
    let run = hoplab(&["run", &probed.display().to_string()]).await;
    assert_eq!(
        run.status.code(),
        Some(0),
        "the probe's verdict behind a TCP listener: {}\n{text}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert!(
        String::from_utf8_lossy(&run.stdout).contains("PKIX path building failed"),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
}
