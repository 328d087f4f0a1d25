//! Every bundled scenario is a test: its expectations must hold on a live run.

use hoplab_tests::{bundled_scenario_files, load_bundled, run_and_assert_passed};

macro_rules! bundled_scenarios {
    ($($test:ident => $file:literal),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                let scenario = load_bundled($file);
                assert!(
                    scenario.requests().iter().all(|r| {
                        let states = |e: &hoplab_scenario::Expectation| {
                            e.status().is_some() && e.validated().is_some()
                        };
                        states(&r.expect())
                            || (!r.expect().per_target().is_empty()
                                && r.expect().per_target().iter().all(|(_, e)| states(e)))
                    }),
                    "{}: every bundled request states its status and validated hop (directly, \
                     or for each target it may reach)",
                    $file
                );
                run_and_assert_passed(&scenario).await;
            }
        )*

        #[test]
        fn every_bundled_scenario_has_a_test() {
            let mut listed = vec![$($file.to_owned()),*];
            listed.sort();
            assert_eq!(listed, bundled_scenario_files(), "add the new scenario to bundled.rs");
        }
    };
}

bundled_scenarios! {
    certificates_common_name_without_names => "certificates/common-name-without-names.toml",
    certificates_expired_intermediate => "certificates/expired-intermediate.toml",
    certificates_intermediate_not_a_ca => "certificates/intermediate-not-a-ca.toml",
    certificates_key_types => "certificates/key-types.toml",
    certificates_many_names => "certificates/many-names.toml",
    certificates_name_constraints => "certificates/name-constraints.toml",
    certificates_names_without_common_name => "certificates/names-without-common-name.toml",
    certificates_root_sent_too => "certificates/root-sent-too.toml",
    certificates_self_signed => "certificates/self-signed.toml",
    certificates_sha1_intermediate => "certificates/sha1-intermediate.toml",
    certificates_small_rsa_key => "certificates/small-rsa-key.toml",
    certificates_untrusted_root => "certificates/untrusted-root.toml",
    certificates_wildcard_names => "certificates/wildcard-names.toml",
    alb_backend_tls13_target => "alb/alb-backend-tls13-target.toml",
    alb_empty_target_group => "alb/alb-empty-target-group.toml",
    alb_expired_listener_certificate => "alb/alb-expired-listener-certificate.toml",
    alb_hanging_target_timeouts => "alb/alb-hanging-target-timeouts.toml",
    alb_host_and_path_rules => "alb/alb-host-and-path-rules.toml",
    alb_https_listener_ignores_target_certificates => "alb/alb-https-listener-ignores-target-certificates.toml",
    alb_sni_certificate_list => "alb/alb-sni-certificate-list.toml",
    alb_wrong_uri_host => "alb/alb-wrong-uri-host.toml",
    http_api_alb_server_name => "alb/http-api-alb-server-name.toml",
    nlb_tcp_to_alb_https => "alb/nlb-tcp-to-alb-https.toml",
    rest_v2_nlb => "vpc-link-v2/rest-v2-nlb.toml",
    same_certificates_tls_and_tcp_listener => "nlb/same-certificates-tls-and-tcp-listener.toml",
    vpc_link_v2_listener_choice => "vpc-link-v2/vpc-link-v2-listener-choice.toml",
    http_api_default_stage => "vpc-link-v2/http-api-default-stage.toml",
    vpc_link_v2_stage_prefix => "vpc-link-v2/vpc-link-v2-stage-prefix.toml",
    which_load_balancer => "vpc-link-v2/which-load-balancer.toml",
    alpn_policy_mismatch => "nlb/alpn-policy-mismatch.toml",
    chain_out_of_order => "certificates/chain-out-of-order.toml",
    health_checks => "outages/health-checks.toml",
    integration_timeout => "integration/integration-timeout.toml",
    one_bad_target_of_three => "outages/one-bad-target-of-three.toml",
    plain_target_in_tls_group => "outages/plain-target-in-tls-group.toml",
    security_policy_tls_versions => "nlb/security-policy-tls-versions.toml",
    target_faults => "outages/target-faults.toml",
    http_api_server_name_to_verify => "integration/http-api-server-name-to-verify.toml",
    nlb_incomplete_chain => "nlb/nlb-incomplete-chain.toml",
    not_yet_valid => "certificates/not-yet-valid.toml",
    private_ca_listener => "nlb/private-ca-listener.toml",
    public_backend_valid => "integration/public-backend-valid.toml",
    seed_article_http_proxy => "seed-article/seed-article-http-proxy.toml",
    seed_article_matrix => "seed-article/seed-article-matrix.toml",
    skip_verification_keeps_expiry => "integration/skip-verification-keeps-expiry.toml",
    sni_listener_certificates => "nlb/sni-listener-certificates.toml",
    tcp_listener_validates_target => "nlb/tcp-listener-validates-target.toml",
    tls_listener_ignores_target_certificates => "nlb/tls-listener-ignores-target-certificates.toml",
    tls_listener_plaintext_targets => "nlb/tls-listener-plaintext-targets.toml",
    wrong_uri_host => "integration/wrong-uri-host.toml",
}
