//! A user's own PEM chain run through both listener types.

use std::path::Path;

use hoplab_tests::run_and_assert_passed;

/// Writes a private root, an intermediate and a leaf for `api.corp.example.com` as a user would
/// have them: `root.pem`, `chain.pem` (leaf + intermediate) and `key.pem` (PKCS#8).
fn write_user_pki(dir: &Path) {
    let root_key = rcgen::KeyPair::generate().unwrap();
    let mut root_params = rcgen::CertificateParams::new(Vec::new()).unwrap();
    root_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    root_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Corp Root");
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = rcgen::Issuer::new(root_params, root_key);

    let int_key = rcgen::KeyPair::generate().unwrap();
    let mut int_params = rcgen::CertificateParams::new(Vec::new()).unwrap();
    int_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    int_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Corp Issuing CA");
    let int = int_params.signed_by(&int_key, &root_issuer).unwrap();
    let int_issuer = rcgen::Issuer::new(int_params, int_key);

    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let mut leaf_params =
        rcgen::CertificateParams::new(vec!["api.corp.example.com".to_owned()]).unwrap();
    leaf_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "api.corp.example.com");
    let leaf = leaf_params.signed_by(&leaf_key, &int_issuer).unwrap();

    std::fs::write(dir.join("root.pem"), root.pem()).unwrap();
    std::fs::write(
        dir.join("chain.pem"),
        format!("{}{}", leaf.pem(), int.pem()),
    )
    .unwrap();
    std::fs::write(dir.join("leaf-only.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), leaf_key.serialize_pem()).unwrap();
}

const SCENARIO: &str = r#"
[gateway]
trusted_ca_files = ["root.pem"]

[[gateway.routes]]
path = "/tls-listener"
uri = "https://api.corp.example.com/"
connection_type = "VPC_LINK"
vpc_link = "nlb"

[[gateway.routes]]
path = "/tcp-listener"
uri = "https://api.corp.example.com:8443/"
connection_type = "VPC_LINK"
vpc_link = "nlb"

[[gateway.routes]]
path = "/leaf-only"
uri = "https://api.corp.example.com:9443/"
connection_type = "VPC_LINK"
vpc_link = "nlb"

[certificates.mine]
pem_chain = "chain.pem"
pem_key = "key.pem"

[certificates.mine-leaf-only]
pem_chain = "leaf-only.pem"
pem_key = "key.pem"

[targets.plain]
protocol = "HTTP"

[targets.tls]
protocol = "HTTPS"
certificate = "mine"

[target_groups.plain]
protocol = "TCP"
targets = ["plain"]

[target_groups.tls]
protocol = "TCP"
targets = ["tls"]

[[nlbs.nlb.listeners]]
port = 443
protocol = "TLS"
certificate = "mine"
target_group = "plain"

[[nlbs.nlb.listeners]]
port = 8443
protocol = "TCP"
target_group = "tls"

[[nlbs.nlb.listeners]]
port = 9443
protocol = "TLS"
certificate = "mine-leaf-only"
target_group = "plain"

[[requests]]
path = "/tls-listener"
[requests.expect]
status = 200
validated = "nlb:nlb:443"

[[requests]]
path = "/tcp-listener"
[requests.expect]
status = 200
validated = "target:tls"

[[requests]]
path = "/leaf-only"
[requests.expect]
status = 500
validated = "nlb:nlb:9443"
error_contains = "PKIX path building failed"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_own_chain_runs_behind_both_listener_types() {
    let dir = tempfile::tempdir().unwrap();
    write_user_pki(dir.path());
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    let scenario = hoplab_scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let report = run_and_assert_passed(&scenario).await;
    let validated = &report.requests[0].trace.certificates[0];
    assert_eq!(validated.chain[0].subject, "CN=api.corp.example.com");
    assert_eq!(
        validated.chain.len(),
        2,
        "served exactly as the file holds it"
    );
}
