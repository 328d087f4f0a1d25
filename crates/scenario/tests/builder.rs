//! [`ScenarioBuilder`]: a scenario written in Rust is the scenario its file gives, goes
//! through the same rules, and edits of a loaded scenario are validated again.

mod common;

use std::path::PathBuf;

use common::{BASE, valid};
use hoplab_scenario::{
    AuthorityBuilder, BUILDER_FILE, CertificateBuilder, ChainPreset, ExpectBuilder,
    ListenerBuilder, LoadError, MatrixBuilder, NlbBuilder, RequestBuilder, RouteBuilder, Rule,
    Scenario, ScenarioBuilder, ScenarioError, TargetBuilder, TargetGroupBuilder,
    TargetGroupProtocol, TimeSpec, load,
};
use time::Duration;
use time::macros::datetime;

fn bundled(name: &str) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn invalid(result: Result<Scenario, LoadError>) -> Vec<ScenarioError> {
    match result {
        Err(LoadError::Invalid(errors)) => errors,
        other => panic!("expected validation errors, got {other:?}"),
    }
}

/// `scenarios/seed-article/seed-article-matrix.toml`, written with the builder.
fn seed_article_matrix() -> ScenarioBuilder {
    let api = |issuer: &str| {
        CertificateBuilder::issued_by(issuer)
            .common_name("api.example.com")
            .dns_name("api.example.com")
    };
    ScenarioBuilder::new()
        .name("seed-article-matrix")
        .description(
            "One VPC-link route to an NLB listener in front of one target. Behind a TLS listener API\n\
             Gateway validates only the listener's certificate, so the target's expired, self-signed or\n\
             private-CA certificate does not matter; behind a TCP listener the handshake is end to end and\n\
             the target's own certificate must pass. insecureSkipVerification accepts a private root the\n\
             server sends, but still refuses an expired certificate and a self-signed leaf.",
        )
        .now(datetime!(2026-01-01 00:00:00 UTC))
        .authority(
            "public-root",
            AuthorityBuilder::root()
                .common_name("Hoplab Public Root CA")
                .trusted(true),
        )
        .authority(
            "public-intermediate",
            AuthorityBuilder::issued_by("public-root").common_name("Hoplab Public Issuing CA"),
        )
        .authority(
            "private-root",
            AuthorityBuilder::root().common_name("Hoplab Private Root CA"),
        )
        .certificate("listener", api("public-intermediate"))
        .certificate("valid", api("public-intermediate"))
        .certificate(
            "expired",
            api("public-intermediate")
                .not_before(TimeSpec::Relative(Duration::days(-400)))
                .not_after(TimeSpec::Relative(Duration::days(-35))),
        )
        .certificate(
            "self-signed",
            CertificateBuilder::self_signed()
                .common_name("api.example.com")
                .dns_name("api.example.com"),
        )
        .certificate(
            "private-ca",
            api("private-root").chain(ChainPreset::LeafIntermediatesAndRoot),
        )
        .target("app", TargetBuilder::https("expired"))
        .target_group(
            "app",
            TargetGroupBuilder::new(TargetGroupProtocol::Tls, ["app"]),
        )
        .nlb(
            "internal",
            NlbBuilder::new().listener(ListenerBuilder::tls(443, "listener", "app")),
        )
        .route(RouteBuilder::new("/", "https://api.example.com/").vpc_link("internal"))
        .request(
            RequestBuilder::new("/")
                .name("expired target behind a TLS listener")
                .expect(
                    ExpectBuilder::new()
                        .status(200)
                        .validated_listener("internal", 443)
                        .body_contains("hello from target app"),
                ),
        )
        .matrix(
            MatrixBuilder::new()
                .listener_protocol([TargetGroupProtocol::Tls, TargetGroupProtocol::Tcp])
                .target_group_protocol([TargetGroupProtocol::Tls, TargetGroupProtocol::Tcp])
                .target_certificate(["valid", "expired", "self-signed", "private-ca"])
                .insecure_skip_verification([false, true]),
        )
}

#[test]
fn a_bundled_scenario_built_in_rust_equals_the_file() {
    let built = seed_article_matrix()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(built, bundled("seed-article/seed-article-matrix.toml"));
}

#[test]
fn every_bundled_scenario_survives_a_round_trip_through_its_builder() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    for path in hoplab_scenario::scenario_files(&[dir]).expect("the bundled scenarios") {
        let scenario = load(&path).unwrap_or_else(|e| panic!("{e}"));
        let again = scenario
            .to_builder()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, scenario, "{}", path.display());
        assert_eq!(
            again.name(),
            scenario.name(),
            "the file stem stays the name"
        );
    }
}

#[test]
fn a_builder_mistake_gets_the_error_a_file_gets() {
    let errors = invalid(
        ScenarioBuilder::new()
            .certificate("api", CertificateBuilder::self_signed())
            .target(
                "app",
                TargetBuilder::https("api").dns_name("app.example.com"),
            )
            .nlb(
                "internal",
                NlbBuilder::new().listener(ListenerBuilder::tcp(443, "missing")),
            )
            .route(RouteBuilder::new("/", "https://app.example.com/"))
            .build(),
    );
    let [error] = errors.as_slice() else {
        panic!("one error: {errors:?}");
    };
    assert_eq!(error.field, "nlbs.internal.listeners[0].target_group");
    assert_eq!(error.message, "no target group named \"missing\"");
    assert_eq!(error.location.file, BUILDER_FILE);
}

#[test]
fn a_name_given_twice_is_an_error() {
    let errors = invalid(
        ScenarioBuilder::new()
            .target("app", TargetBuilder::http().dns_name("app.example.com"))
            .target("app", TargetBuilder::http())
            .route(RouteBuilder::new("/", "http://app.example.com/"))
            .build(),
    );
    assert!(
        errors
            .iter()
            .any(|e| e.field == "targets.app" && e.message.contains("defined twice")),
        "{errors:?}"
    );
}

#[test]
fn an_edit_is_validated_again_and_located_in_the_file() {
    let scenario = valid(BASE);
    let listener = scenario.listeners()[0].id();
    let errors = invalid(
        scenario
            .to_builder()
            .edit_listener(listener, |l| {
                l.protocol(TargetGroupProtocol::Tcp).without_tls_settings()
            })
            .build(),
    );
    let [error] = errors.as_slice() else {
        panic!("one error: {errors:?}");
    };
    assert_eq!(error.rule, Some(Rule::TcpListenerToTlsGroup));
    assert_eq!(error.field, "nlbs.internal.listeners[0].target_group");
    assert_eq!(error.location.file, "test.toml");
    assert_eq!(
        error.location.line,
        common::line_of(BASE, "target_group = \"app\"")
    );
}

#[test]
fn ids_of_a_scenario_name_the_same_parts_in_its_builder() {
    let scenario = valid(BASE);
    let route = scenario.routes()[0].id();
    let edited = scenario
        .to_builder()
        .edit_route(route, |r| {
            r.timeout_ms(5000).insecure_skip_verification(true)
        })
        .build()
        .expect("valid");
    assert_eq!(edited.route(route).timeout_ms(), 5000);
    assert!(edited.route(route).insecure_skip_verification());
    assert_eq!(edited.route(route).path(), scenario.route(route).path());
}
