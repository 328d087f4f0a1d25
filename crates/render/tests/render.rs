//! Structural tests of every output, on reports of real runs of the bundled scenarios.

use std::path::PathBuf;

use hoplab_render::{
    CertificateState, NOT_RUN_TESTCASE, NodeKind, Picture, ScenarioResult, html, junit, pictures,
    render_dot, render_mermaid, render_svg, render_svg_stack,
};
use hoplab_runner::RunReport;
use hoplab_scenario::Scenario;

fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(format!("{name}.toml"))
}

fn load(name: &str) -> Scenario {
    hoplab_scenario::load(&scenario_path(name)).expect("bundled scenario loads")
}

async fn run(scenario: &Scenario) -> RunReport {
    hoplab_runner::run(scenario)
        .await
        .expect("bundled scenario runs")
}

async fn run_named(name: &str) -> (Scenario, RunReport) {
    let scenario = load(name);
    let report = run(&scenario).await;
    (scenario, report)
}

/// The text of every `<text>` element, joined by spaces (wrapped lines join back up).
fn svg_text(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).expect("svg is well-formed xml");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
}

fn kinds(picture: &Picture) -> Vec<NodeKind> {
    picture.nodes.iter().map(|n| n.kind).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn tcp_listener_pictures_show_the_target_validated_through_the_nlb() {
    let (scenario, report) = run_named("nlb/tcp-listener-validates-target").await;
    let pictures = pictures(&report, Some(&scenario));
    assert_eq!(pictures.len(), report.requests.len());

    let expired = pictures
        .iter()
        .find(|p| p.request == "GET /expired")
        .expect("expired request");
    assert_eq!(
        kinds(expired),
        [
            NodeKind::Client,
            NodeKind::Gateway,
            NodeKind::VpcLink,
            NodeKind::Listener,
            NodeKind::TargetGroup,
            NodeKind::Target
        ]
    );
    let session = &expired.sessions[0];
    assert_eq!(expired.nodes[session.client].id, "gateway");
    assert_eq!(expired.nodes[session.server].id, "target:expired");
    assert_eq!(
        session.through,
        [expired.node_index("nlb:internal:8443").unwrap()]
    );
    let cert = session.certificate.as_ref().expect("certificate seen");
    assert_eq!(cert.state, CertificateState::Rejected);
    assert_eq!(
        expired.nodes[expired.node_index("target:expired").unwrap()].validated,
        Some(CertificateState::Rejected)
    );

    let svg = render_svg(expired);
    let text = svg_text(&svg);
    for label in [
        "internal :8443",
        "expired",
        "caller",
        "HTTP_PROXY",
        "https://api.example.com",
    ] {
        assert!(text.contains(label), "svg names {label:?}: {text}");
    }
    assert!(
        text.contains(&cert.message),
        "svg shows the exact rejection {:?}: {text}",
        cert.message
    );
    assert!(cert.message.contains("validity check failed"));
    assert!(
        svg.contains("#cf222e"),
        "a rejected certificate is drawn red"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_listener_pictures_mark_target_certificates_not_validated() {
    let (scenario, report) = run_named("nlb/tls-listener-ignores-target-certificates").await;
    let picture = &pictures(&report, Some(&scenario))[0];
    assert!(picture.outcome.passed);
    assert_eq!(picture.sessions.len(), 2);
    let states: Vec<_> = picture
        .sessions
        .iter()
        .map(|s| s.certificate.as_ref().map(|c| c.state))
        .collect();
    assert_eq!(
        states,
        [
            Some(CertificateState::Accepted),
            Some(CertificateState::NotValidated)
        ]
    );
    let text = svg_text(&render_svg(picture));
    assert!(
        text.contains("not validated: an NLB does not validate"),
        "{text}"
    );
    assert!(text.contains("accepted"), "{text}");

    let stacked = render_svg_stack(&pictures(&report, Some(&scenario)));
    let text = svg_text(&stacked);
    for request in &report.requests {
        assert!(text.contains(&request.name), "stack shows {}", request.name);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn internet_pictures_go_straight_to_the_target() {
    let (scenario, report) = run_named("integration/public-backend-valid").await;
    let picture = &pictures(&report, Some(&scenario))[0];
    assert_eq!(
        kinds(picture),
        [NodeKind::Client, NodeKind::Gateway, NodeKind::Target]
    );
    assert!(picture.nodes.iter().all(|n| n.reached));

    // Without the scenario the picture follows the trace alone.
    let bare = &pictures(&report, None)[0];
    assert_eq!(kinds(bare), kinds(picture));
    assert!(bare.route.is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn mermaid_and_dot_have_one_node_per_hop() {
    let (scenario, report) = run_named("nlb/tcp-listener-validates-target").await;
    for picture in pictures(&report, Some(&scenario)) {
        let mermaid = render_mermaid(&picture);
        assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
        let node_lines = mermaid
            .lines()
            .filter(|l| {
                let l = l.trim_start();
                l.starts_with('n') && l.contains("[\"")
            })
            .count();
        assert_eq!(node_lines, picture.nodes.len(), "{mermaid}");
        // Labels are quoted; inside them no raw quote survives.
        for line in mermaid.lines().filter(|l| l.contains("[\"")) {
            let label = &line[line.find("[\"").unwrap() + 2..line.rfind("\"]").unwrap()];
            assert!(!label.contains('"'), "{line}");
        }

        let dot = render_dot(&picture);
        assert!(dot.starts_with("digraph "), "{dot}");
        assert!(dot.trim_end().ends_with('}'));
        for index in 0..picture.nodes.len() {
            assert!(dot.contains(&format!("    n{index} [label=")), "{dot}");
        }
    }
}

#[test]
fn labels_are_escaped_in_every_format() {
    let nasty = "a\"b<c>&d#e|f`g\\h\ni";
    let picture = Picture {
        title: nasty.into(),
        request: "GET /x".into(),
        route: None,
        nodes: vec![hoplab_render::Node {
            id: "target:x".into(),
            kind: NodeKind::Target,
            name: nasty.into(),
            details: vec![nasty.into()],
            note: Some(nasty.into()),
            reached: true,
            validated: None,
            answered: Some(502),
        }],
        sessions: Vec::new(),
        outcome: hoplab_render::Outcome {
            status: None,
            passed: false,
            validated: None,
            error: Some(nasty.into()),
            caller_error: Some("\u{1}]]>".into()),
            answered: Some(nasty.into()),
        },
    };
    let text = svg_text(&render_svg(&picture));
    assert!(text.contains("a\"b<c>&d#e|f`g\\h"), "{text}");

    let mermaid = render_mermaid(&picture);
    assert!(
        mermaid.contains("a#34;b#60;c#62;#38;d#35;e#124;f#96;g\\h i"),
        "{mermaid}"
    );

    let dot = render_dot(&picture);
    assert!(dot.contains("a\\\"b<c>&d#e|f`g\\\\h i"), "{dot}");
}

#[tokio::test(flavor = "multi_thread")]
async fn junit_has_a_suite_per_scenario_and_a_case_per_request() {
    // A real mismatch: expect a status the request does not get.
    let scenario = load("nlb/tls-listener-ignores-target-certificates");
    let first = scenario.requests()[0].id();
    let scenario = scenario
        .to_builder()
        .edit_request(first, |r| r.edit_expect(|e| e.status(299)))
        .build()
        .expect("still a valid scenario");
    let tls = run(&scenario).await;
    let (public_scenario, public) = run_named("integration/public-backend-valid").await;

    let mut first = ScenarioResult::ran("scenarios/tls.toml", tls.clone(), Some(&scenario));
    first.add_failure(1, "model predicts status 502, observed 200");
    let results = vec![
        first,
        ScenarioResult::ran("scenarios/public.toml", public, Some(&public_scenario)),
        ScenarioResult::not_run(
            "scenarios/bad.toml",
            "bad.toml:3:1: unknown field `nlbz`\nmore",
        ),
    ];
    let xml = junit(&results).expect("junit renders");
    let doc = roxmltree::Document::parse(&xml).expect("junit is well-formed xml");

    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 3);
    assert_eq!(
        suites[0].attribute("name"),
        Some("tls-listener-ignores-target-certificates")
    );
    assert_eq!(suites[2].attribute("name"), Some("scenarios/bad.toml"));

    let cases: Vec<_> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), tls.requests.len());
    assert_eq!(
        cases[0].attribute("name"),
        Some(tls.requests[0].name.as_str())
    );
    assert_eq!(suites[0].attribute("failures"), Some("2"));

    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("the mismatched request fails");
    assert_eq!(
        failure.attribute("message"),
        Some("status: expected 299, actual 200")
    );
    assert_eq!(failure.text(), Some("status: expected 299, actual 200"));
    let out = cases[0]
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .and_then(|n| n.text())
        .expect("system-out holds the log");
    assert!(out.contains("Starting execution for request"), "{out}");

    let extra = cases[1]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("an extra failure fails the request");
    assert_eq!(
        extra.attribute("message"),
        Some("model predicts status 502, observed 200")
    );
    assert!(cases[2].children().all(|n| !n.has_tag_name("failure")));

    assert_eq!(suites[1].attribute("failures"), Some("0"));
    let error = suites[2]
        .descendants()
        .find(|n| n.has_tag_name("error"))
        .expect("an invalid scenario is an error");
    assert_eq!(
        error.attribute("message"),
        Some("bad.toml:3:1: unknown field `nlbz`")
    );
    let case = error.parent().unwrap();
    assert_eq!(case.attribute("name"), Some(NOT_RUN_TESTCASE));
}

#[tokio::test(flavor = "multi_thread")]
async fn html_is_self_contained_and_escaped() {
    let (scenario, mut report) = run_named("nlb/tcp-listener-validates-target").await;
    report.requests[0]
        .log
        .push("<script>alert('x')</script> & <img src=\"https://example.com/x.png\">".into());
    report.requests[1].mismatches.push(hoplab_runner::Mismatch {
        field: "status".into(),
        expected: "<200>".into(),
        actual: "500".into(),
    });
    let results = vec![
        ScenarioResult::ran("scenarios/tcp.toml", report.clone(), Some(&scenario)),
        ScenarioResult::not_run("scenarios/<bad>.toml", "line 1: <oops>"),
    ];
    let page = html(&results, "hoplab <report>");

    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script"), "no script element");
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;img"));
    assert!(page.contains("<title>hoplab &lt;report&gt;</title>"));
    assert!(page.contains("scenarios/&lt;bad&gt;.toml"));
    assert!(page.contains("&lt;200&gt;"));
    for attribute in ["src=", "href=", "xlink:href=", "url("] {
        for (at, _) in page.match_indices(attribute) {
            let value = page[at + attribute.len()..].trim_start_matches(['"', '\'']);
            assert!(
                !value.starts_with("http:")
                    && !value.starts_with("https:")
                    && !value.starts_with("//"),
                "external reference at {}",
                &page[at..(at + 60).min(page.len())]
            );
        }
    }
    // One inline picture per request, and the summary counts the failure.
    assert_eq!(page.matches("<svg").count(), report.requests.len());
    assert!(
        page.contains("<b class=\"fail\">1 failed</b>"),
        "summary counts failures"
    );
    for request in &report.requests {
        assert!(page.contains(&request.name), "page names {}", request.name);
    }
}

/// The text a person reads in each picture format, by format name: the SVG's `<text>`
/// elements, and the Mermaid and DOT sources (whose labels are the text).
fn every_format(picture: &Picture) -> [(&'static str, String); 3] {
    [
        ("svg", svg_text(&render_svg(picture))),
        ("mermaid", render_mermaid(picture)),
        ("dot", render_dot(picture)),
    ]
}

fn assert_every_format_shows(picture: &Picture, labels: &[&str]) {
    for (format, text) in every_format(picture) {
        for label in labels {
            assert!(
                text.contains(label),
                "{format} of {:?} shows {label:?}:\n{text}",
                picture.title
            );
        }
    }
}

fn picture_named<'p>(pictures: &'p [Picture], title: &str) -> &'p Picture {
    pictures
        .iter()
        .find(|p| p.title == title)
        .unwrap_or_else(|| panic!("a picture titled {title:?}"))
}

fn node<'p>(picture: &'p Picture, id: &str) -> &'p hoplab_render::Node {
    let index = picture
        .node_index(id)
        .unwrap_or_else(|| panic!("{:?} has a node {id:?}", picture.title));
    &picture.nodes[index]
}

#[tokio::test(flavor = "multi_thread")]
async fn alb_pictures_show_the_listener_rule_and_the_certificate_validated() {
    let (scenario, report) = run_named("alb/alb-https-listener-ignores-target-certificates").await;
    let drawn = pictures(&report, Some(&scenario));
    let picture = picture_named(&drawn, "expired target behind an ALB HTTPS listener");
    assert!(picture.outcome.passed);
    assert_eq!(
        kinds(picture),
        [
            NodeKind::Client,
            NodeKind::Gateway,
            NodeKind::VpcLink,
            NodeKind::AlbListener,
            NodeKind::Rule,
            NodeKind::TargetGroup,
            NodeKind::Target
        ]
    );
    assert!(
        picture.nodes.iter().all(|n| n.reached),
        "{:?}",
        picture.nodes
    );

    let listener = node(picture, "alb:web:443");
    assert_eq!(listener.name, "web :443");
    assert_eq!(listener.details, ["HTTPS listener", "cert \"listener\""]);
    assert_eq!(listener.validated, Some(CertificateState::Accepted));
    assert_eq!(listener.answered, None, "the target answered");

    let rule = node(picture, "alb:web:443/rule:10");
    assert_eq!(rule.name, "rule 10");
    assert_eq!(
        rule.details,
        ["path-pattern /test/expired", "forward → expired"]
    );
    assert_eq!(
        node(picture, "target-group:expired").details,
        ["HTTPS to targets"]
    );
    assert_eq!(node(picture, "target:expired").details, ["HTTPS"]);
    assert_eq!(picture.node_index("vpc-link:web"), Some(2));
    assert_eq!(node(picture, "vpc-link:web").details, ["V2 to ALB web"]);

    // API Gateway's session ends at the listener and is validated; the ALB's own session
    // with the target is not.
    let ends: Vec<(&str, &str, Option<CertificateState>)> = picture
        .sessions
        .iter()
        .map(|s| {
            (
                picture.nodes[s.client].id.as_str(),
                picture.nodes[s.server].id.as_str(),
                s.certificate.as_ref().map(|c| c.state),
            )
        })
        .collect();
    assert_eq!(
        ends,
        [
            ("gateway", "alb:web:443", Some(CertificateState::Accepted)),
            (
                "alb:web:443",
                "target:expired",
                Some(CertificateState::NotValidated)
            ),
        ]
    );

    assert_every_format_shows(
        picture,
        &[
            "web :443",
            "HTTPS listener",
            "rule 10",
            "path-pattern /test/expired",
            "forward → expired",
            "HTTPS to targets",
            "an ALB does not validate the certificates of its HTTPS targets",
        ],
    );
    // Each format writes the quotes around the certificate's name its own way, and marks the
    // validated listener in its own terms.
    let [(_, svg), (_, mermaid), (_, dot)] = every_format(picture);
    assert!(
        svg.contains("ALB LISTENER") && svg.contains("LISTENER RULE"),
        "{svg}"
    );
    assert!(svg.contains("✔ validated"), "{svg}");
    assert!(svg.contains("cert \"listener\""), "{svg}");
    assert!(dot.contains("cert \\\"listener\\\""), "{dot}");
    let listener_line = |source: &str, index: usize, opener: &str| {
        source
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("n{index}{opener}")))
            .unwrap_or_else(|| panic!("n{index} in {source}"))
            .to_owned()
    };
    let index = picture.node_index("alb:web:443").unwrap();
    let line = listener_line(&mermaid, index, "[\"");
    assert!(
        line.contains("ALB listener") && line.contains("✔ validated certificate"),
        "{line}"
    );
    assert!(mermaid.contains("cert #34;listener#34;"), "{mermaid}");
    assert!(
        mermaid.contains(&format!("class n{index} accepted")),
        "{mermaid}"
    );
    let line = listener_line(&dot, index, " [label=");
    assert!(
        line.contains("ALB listener") && line.contains("✔ validated certificate"),
        "{line}"
    );
    assert!(line.contains("color=\"#1a7f37\", penwidth=3"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn alb_rules_pictures_show_which_rule_decided_and_what_it_did() {
    let (scenario, report) = run_named("alb/alb-host-and-path-rules").await;
    let drawn = pictures(&report, Some(&scenario));

    let host = picture_named(
        &drawn,
        "host-header rule: the URI host is the Host the ALB sees",
    );
    assert_eq!(
        node(host, "alb:web:443/rule:10").details[0],
        "host-header orders.example.com"
    );
    assert!(host.node_index("target:orders").is_some());
    assert_every_format_shows(host, &["rule 10", "host-header orders.example.com"]);

    let path = picture_named(
        &drawn,
        "path-pattern rule: the stage prefix is part of the path",
    );
    assert_every_format_shows(
        path,
        &[
            "rule 20",
            "path-pattern /test/inventory/*",
            "forward → inventory",
        ],
    );

    let weighted = picture_named(
        &drawn,
        "query-string rule: a weighted forward to either group",
    );
    assert_eq!(
        node(weighted, "alb:web:443/rule:5").details,
        [
            "query-string canary=true",
            "forward → orders 3 · inventory 1"
        ]
    );

    // The default rule's fixed response: the ALB answered, nothing lies behind the rule.
    let fixed = picture_named(&drawn, "no rule matches: the fixed-response default");
    assert_eq!(
        kinds(fixed),
        [
            NodeKind::Client,
            NodeKind::Gateway,
            NodeKind::VpcLink,
            NodeKind::AlbListener,
            NodeKind::Rule
        ]
    );
    let rule = node(fixed, "alb:web:443/rule:default");
    assert_eq!(rule.name, "default rule");
    assert_eq!(
        rule.details,
        ["no other rule matched", "fixed-response 404"]
    );
    assert_eq!(node(fixed, "alb:web:443").answered, Some(404));
    assert_eq!(
        node(fixed, "alb:web:443").validated,
        Some(CertificateState::Accepted)
    );
    let answered = fixed.outcome.answered.as_deref().expect("the ALB answered");
    assert_eq!(
        answered,
        "answered by ALB listener web :443 with 404: fixed-response (default rule)"
    );
    assert_every_format_shows(
        fixed,
        &[
            "default rule",
            "fixed-response 404",
            "↩ answered 404",
            answered,
        ],
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn alb_own_answers_are_told_apart_from_certificate_rejections() {
    // 503: the rule forwards to a group without targets.
    let (scenario, report) = run_named("alb/alb-empty-target-group").await;
    let drawn = pictures(&report, Some(&scenario));
    let empty = picture_named(&drawn, "no registered targets: the ALB's 503");
    assert_eq!(kinds(empty).last(), Some(&NodeKind::TargetGroup));
    let group = node(empty, "target-group:drained");
    assert!(group.reached);
    assert_eq!(group.details, ["HTTP to targets", "no registered targets"]);
    assert_eq!(node(empty, "alb:web:443").answered, Some(503));
    assert_every_format_shows(
        empty,
        &[
            "no registered targets",
            "↩ answered 503",
            "answered by ALB listener web :443 with its own 503 page: target group drained has no registered targets",
        ],
    );

    // 502: the target fails the ALB's handshake; API Gateway accepted the listener's
    // certificate, so the picture shows a green listener and the failed session behind it.
    let (scenario, report) = run_named("alb/alb-backend-tls13-target").await;
    let drawn = pictures(&report, Some(&scenario));
    let bad_gateway = picture_named(
        &drawn,
        "ELBSecurityPolicy-2016-08: the ALB's 502 passed through",
    );
    let listener = node(bad_gateway, "alb:web:443");
    assert_eq!(listener.validated, Some(CertificateState::Accepted));
    assert_eq!(listener.answered, Some(502));
    let behind = bad_gateway
        .sessions
        .iter()
        .find(|s| bad_gateway.nodes[s.client].id == "alb:web:443")
        .expect("the ALB's session with the target");
    assert!(!behind.established);
    assert!(behind.failure().is_some());
    assert_eq!(
        bad_gateway.outcome.error, None,
        "no rejection by API Gateway"
    );
    assert_every_format_shows(
        bad_gateway,
        &[
            "↩ answered 502",
            "with its own 502 page: tls handshake with target",
        ],
    );

    // 400: plain HTTP on the HTTPS listener, answered before any rule.
    let (scenario, report) = run_named("alb/http-api-alb-server-name").await;
    let drawn = pictures(&report, Some(&scenario));
    let plain = picture_named(&drawn, "plain HTTP to the HTTPS listener: the ALB's 400");
    let rules = node(plain, "alb:web:443/rules");
    assert!(!rules.reached);
    assert_eq!(rules.details, ["default rule only", "not evaluated"]);
    assert_eq!(node(plain, "alb:web:443").validated, None);
    assert_eq!(node(plain, "alb:web:443").answered, Some(400));
    assert_every_format_shows(plain, &["not evaluated", "↩ answered 400"]);

    let verified = picture_named(
        &drawn,
        "serverNameToVerify names the listener's certificate",
    );
    assert_eq!(
        node(verified, "gateway").details,
        [
            "https internal-web-1234567890.us-east-1.elb.amazonaws.com",
            "verifies api.example.com"
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn nlb_tcp_to_alb_pictures_pass_through_the_nlb_to_the_validated_alb() {
    let (scenario, report) = run_named("alb/nlb-tcp-to-alb-https").await;
    let drawn = pictures(&report, Some(&scenario));
    let through = picture_named(
        &drawn,
        "through the NLB, the ALB listener's certificate is validated",
    );
    assert_eq!(
        kinds(through),
        [
            NodeKind::Client,
            NodeKind::Gateway,
            NodeKind::VpcLink,
            NodeKind::Listener,
            NodeKind::TargetGroup,
            NodeKind::AlbListener,
            NodeKind::Rule,
            NodeKind::TargetGroup,
            NodeKind::Target
        ]
    );
    assert!(
        through.nodes.iter().all(|n| n.reached),
        "{:?}",
        through.nodes
    );
    assert_eq!(
        node(through, "target-group:to-alb").details,
        ["TCP to ALB web :443"]
    );
    let session = &through.sessions[0];
    assert_eq!(through.nodes[session.server].id, "alb:web:443");
    assert_eq!(
        session.through,
        [through.node_index("nlb:edge:443").unwrap()]
    );
    assert_eq!(
        node(through, "alb:web:443").validated,
        Some(CertificateState::Accepted)
    );
    assert_every_format_shows(
        through,
        &[
            "edge :443",
            "TCP listener",
            "TCP to ALB web :443",
            "web :443",
            "default rule",
        ],
    );

    // An expired listener certificate: refused, so no request reaches the rules.
    let expired = picture_named(
        &drawn,
        "through the NLB, an expired ALB listener certificate fails",
    );
    let listener = node(expired, "alb:web:8443");
    assert_eq!(listener.validated, Some(CertificateState::Rejected));
    assert_eq!(
        listener.details,
        ["HTTPS listener", "cert \"expired-listener\""]
    );
    let rules = node(expired, "alb:web:8443/rules");
    assert!(!rules.reached);
    assert!(
        rules.details.contains(&"not reached".to_owned()),
        "{rules:?}"
    );
    assert_eq!(node(expired, "gateway").answered, Some(500));
    assert_every_format_shows(expired, &["✘", "validity check failed", "not reached"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn alb_pictures_without_the_scenario_follow_the_decision_in_the_trace() {
    let (_, report) = run_named("alb/alb-host-and-path-rules").await;
    let bare = pictures(&report, None);
    let host = picture_named(
        &bare,
        "host-header rule: the URI host is the Host the ALB sees",
    );
    assert_eq!(
        kinds(host),
        [
            NodeKind::Client,
            NodeKind::Gateway,
            NodeKind::AlbListener,
            NodeKind::Rule,
            NodeKind::TargetGroup,
            NodeKind::Target
        ]
    );
    assert_eq!(node(host, "alb:web:443").details[0], "HTTPS listener");
    assert_eq!(node(host, "alb:web:443/rule:10").details, ["forward"]);
    assert!(node(host, "target-group:orders").reached);
    assert!(node(host, "target:orders").reached);
}

#[tokio::test(flavor = "multi_thread")]
async fn html_report_shows_the_alb_decision_and_who_answered() {
    let (scenario, report) = run_named("alb/alb-host-and-path-rules").await;
    let results = vec![ScenarioResult::ran(
        "scenarios/alb/alb-host-and-path-rules.toml",
        report.clone(),
        Some(&scenario),
    )];
    let page = html(&results, "hoplab ALB");
    assert_eq!(page.matches("<svg").count(), report.requests.len());
    for label in [
        "ALB LISTENER",
        "LISTENER RULE",
        "✔ validated",
        "<dt>ALB</dt>",
        "<code>alb:web:443</code> · rule 10: if host-header orders.example.com, then forward → orders · target group <code>orders</code> · <code>target:orders</code>",
        "rule 20: if path-pattern /test/inventory/*, then forward → inventory",
        "<dt>Answered by</dt><dd class=\"answered\" style=\"grid-column: span 3\">answered by ALB listener web :443 with 404: fixed-response (default rule)</dd>",
        "↩ answered 404",
    ] {
        assert!(page.contains(label), "the page shows {label:?}");
    }
}
