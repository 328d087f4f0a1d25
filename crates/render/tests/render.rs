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
    let (scenario, report) = run_named("tcp-listener-validates-target").await;
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
    let (scenario, report) = run_named("tls-listener-ignores-target-certificates").await;
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
    let (scenario, report) = run_named("public-backend-valid").await;
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
    let (scenario, report) = run_named("tcp-listener-validates-target").await;
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
            detail: Some(nasty.into()),
            note: Some(nasty.into()),
            reached: true,
            validated: None,
        }],
        sessions: Vec::new(),
        outcome: hoplab_render::Outcome {
            status: None,
            passed: false,
            validated: None,
            error: Some(nasty.into()),
            caller_error: Some("\u{1}]]>".into()),
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
    let scenario = load("tls-listener-ignores-target-certificates");
    let first = scenario.requests()[0].id();
    let scenario = scenario
        .to_builder()
        .edit_request(first, |r| r.edit_expect(|e| e.status(299)))
        .build()
        .expect("still a valid scenario");
    let tls = run(&scenario).await;
    let (public_scenario, public) = run_named("public-backend-valid").await;

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
    let (scenario, mut report) = run_named("tcp-listener-validates-target").await;
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
