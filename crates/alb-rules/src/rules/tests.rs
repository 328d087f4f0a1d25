//! The rules engine against AWS's examples: evaluation order, and what a listener refuses.

use http::HeaderMap;
use http::header::HeaderValue;

use super::*;

const GROUPS: &[&str] = &["api", "web", "canary"];

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

fn fixed(status: u16) -> Action {
    Action::FixedResponse(FixedResponse {
        status,
        content_type: Some("text/plain".to_owned()),
        body: "Hello world".to_owned(),
    })
}

fn forward(group: &str) -> Action {
    Action::Forward(Forward::to(group))
}

fn rule(priority: u32, conditions: Vec<Condition>, action: Action) -> Rule {
    Rule {
        priority,
        conditions,
        actions: vec![action],
    }
}

fn host(values: &[&str]) -> Condition {
    Condition::HostHeader(strings(values))
}

fn path(values: &[&str]) -> Condition {
    Condition::PathPattern(strings(values))
}

fn method(values: &[&str]) -> Condition {
    Condition::HttpRequestMethod(strings(values))
}

/// A listener like AWS's examples: API host, image paths, a canary header, a POST-only
/// rule, an office source block, and a fixed 404 default.
fn example_rules() -> RuleSet {
    RuleSet::new(
        vec![
            // Given out of order: evaluation goes by priority, not by position.
            rule(30, vec![path(&["/img/*", "*.png"])], forward("web")),
            rule(10, vec![host(&["api.example.com"])], forward("api")),
            rule(
                20,
                vec![
                    host(&["*.example.com"]),
                    Condition::HttpHeader {
                        name: "X-Canary".to_owned(),
                        values: strings(&["yes"]),
                    },
                ],
                forward("canary"),
            ),
            rule(40, vec![method(&["POST"]), path(&["/submit"])], fixed(201)),
            rule(
                50,
                vec![Condition::SourceIp(vec!["192.0.2.0/24".parse().unwrap()])],
                fixed(403),
            ),
            rule(
                60,
                vec![Condition::QueryString(vec![QueryPair {
                    key: Some("version".to_owned()),
                    value: "v2".to_owned(),
                }])],
                Action::Redirect(Redirect::default()),
            ),
        ],
        vec![fixed(404)],
        true,
        GROUPS,
    )
    .expect("the example rules are valid")
}

#[test]
fn the_first_matching_rule_by_priority_decides_and_the_default_comes_last() {
    let rules = example_rules();
    // (method, path?query, Host, extra header, source, expected rule)
    /// Method, path and query, Host, one extra header, source address, and the rule expected.
    type Case<'a> = (
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<(&'a str, &'a str)>,
        &'a str,
        MatchedRule,
    );
    let cases: &[Case<'_>] = &[
        (
            "GET",
            "/",
            Some("api.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Priority(10),
        ),
        // Priority 10 beats 30 even though 30 also matches.
        (
            "GET",
            "/img/a.png",
            Some("api.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Priority(10),
        ),
        (
            "GET",
            "/img/a.png",
            Some("www.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Priority(30),
        ),
        (
            "GET",
            "/x/b.png",
            Some("www.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Priority(30),
        ),
        // Host case does not matter; header name case does not matter.
        (
            "GET",
            "/",
            Some("WWW.Example.com"),
            Some(("x-canary", "YES")),
            "10.0.0.1",
            MatchedRule::Priority(20),
        ),
        // Both conditions of rule 20 must match.
        (
            "GET",
            "/",
            Some("www.example.org"),
            Some(("x-canary", "yes")),
            "10.0.0.1",
            MatchedRule::Default,
        ),
        // `*.example.com` does not cover `example.com`.
        (
            "GET",
            "/",
            Some("example.com"),
            Some(("x-canary", "yes")),
            "10.0.0.1",
            MatchedRule::Default,
        ),
        (
            "POST",
            "/submit",
            Some("www.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Priority(40),
        ),
        // Method is case-sensitive, and path too.
        (
            "post",
            "/submit",
            Some("www.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Default,
        ),
        (
            "POST",
            "/Submit",
            Some("www.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Default,
        ),
        // The path pattern does not see the query.
        (
            "POST",
            "/submit?x=/img/",
            Some("www.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Priority(40),
        ),
        (
            "GET",
            "/",
            Some("www.example.com"),
            None,
            "192.0.2.77",
            MatchedRule::Priority(50),
        ),
        (
            "GET",
            "/",
            Some("www.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Default,
        ),
        (
            "GET",
            "/a?version=v2",
            Some("www.example.com"),
            None,
            "10.0.0.1",
            MatchedRule::Priority(60),
        ),
        (
            "GET",
            "/a?version=v3",
            None,
            None,
            "10.0.0.1",
            MatchedRule::Default,
        ),
    ];
    for (method, target, host, header, source, expected) in cases {
        let mut headers = HeaderMap::new();
        if let Some((name, value)) = header {
            headers.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        let (path, query) = match target.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (*target, None),
        };
        let view = RequestView {
            method,
            host: *host,
            path,
            query,
            headers: &headers,
            source: source.parse().unwrap(),
        };
        let matched = rules.evaluate(&view);
        assert_eq!(
            matched.rule, *expected,
            "{method} {target} Host {host:?} {header:?} from {source}"
        );
        let position = rules
            .actions()
            .position(|a| std::ptr::eq(a, matched.action));
        assert_eq!(position, Some(matched.index));
    }
}

#[test]
fn actions_are_in_evaluation_order_with_the_default_last() {
    let rules = example_rules();
    let kinds: Vec<String> = rules.actions().map(|a| a.kind().to_string()).collect();
    assert_eq!(
        kinds,
        [
            "forward",
            "forward",
            "forward",
            "fixed-response",
            "fixed-response",
            "redirect",
            "fixed-response"
        ]
    );
}

/// A rule set of one rule (priority 1) with `conditions` and `actions`, on an HTTPS
/// listener, with the default rule forwarding to `api`.
fn one(conditions: Vec<Condition>, actions: Vec<Action>) -> Result<RuleSet, RuleError> {
    RuleSet::new(
        vec![Rule {
            priority: 1,
            conditions,
            actions,
        }],
        vec![forward("api")],
        true,
        GROUPS,
    )
}

#[test]
fn what_aws_refuses_is_refused_with_a_message_naming_the_rule() {
    let p1 = MatchedRule::Priority(1);
    let weighted = |groups: &[(&str, u16)]| {
        Action::Forward(Forward {
            groups: groups
                .iter()
                .map(|(group, weight)| WeightedGroup {
                    group: (*group).to_owned(),
                    weight: *weight,
                })
                .collect(),
        })
    };
    let query = |n: usize| {
        Condition::QueryString(
            (0..n)
                .map(|i| QueryPair {
                    key: Some(format!("k{i}")),
                    value: "*".to_owned(),
                })
                .collect(),
        )
    };
    let cases: Vec<(Result<RuleSet, RuleError>, RuleError, &str)> = vec![
        (
            one(vec![path(&["/"])], vec![]),
            RuleError::NoAction { rule: p1 },
            "rule 1: no action; a rule ends with exactly one forward, fixed-response or redirect",
        ),
        (
            one(vec![path(&["/"])], vec![forward("api"), fixed(200)]),
            RuleError::SeveralActions { rule: p1, count: 2 },
            "rule 1: 2 actions; a rule ends with exactly one forward, fixed-response or redirect",
        ),
        (
            one(vec![], vec![forward("api")]),
            RuleError::NoConditions { rule: p1 },
            "rule 1: no conditions; only the default rule has none",
        ),
        (
            one(
                vec![host(&["a.example.com"]), host(&["b.example.com"])],
                vec![forward("api")],
            ),
            RuleError::RepeatedCondition {
                rule: p1,
                condition: "host-header",
            },
            "rule 1: more than one host-header condition; a rule has at most one each of host-header, http-request-method, path-pattern and source-ip",
        ),
        (
            one(vec![path(&[])], vec![forward("api")]),
            RuleError::NoValues {
                rule: p1,
                condition: "path-pattern",
            },
            "rule 1: path-pattern condition has no values",
        ),
        (
            one(vec![path(&["/a", "/b", "/c", "/d"])], vec![forward("api")]),
            RuleError::TooManyValues {
                rule: p1,
                condition: "path-pattern",
                count: 4,
            },
            "rule 1: path-pattern condition has 4 values; at most 3 are allowed",
        ),
        (
            one(
                vec![path(&["/a", "/b", "/c"]), method(&["GET", "PUT", "POST"])],
                vec![forward("api")],
            ),
            RuleError::TooManyEvaluations { rule: p1, count: 6 },
            "rule 1: 6 match evaluations; at most 5 are allowed per rule",
        ),
        (
            one(vec![query(3), query(3)], vec![forward("api")]),
            RuleError::TooManyEvaluations { rule: p1, count: 6 },
            "rule 1: 6 match evaluations; at most 5 are allowed per rule",
        ),
        (
            one(vec![host(&["localhost"])], vec![forward("api")]),
            RuleError::InvalidValue {
                rule: p1,
                condition: "host-header",
                value: "localhost".to_owned(),
                reason: "needs at least one '.'".to_owned(),
            },
            "rule 1: host-header value \"localhost\" needs at least one '.'",
        ),
        (
            one(vec![path(&["/"])], vec![weighted(&[("nope", 1)])]),
            RuleError::UnknownTargetGroup {
                rule: p1,
                group: "nope".to_owned(),
            },
            "rule 1: forward to unknown target group \"nope\"",
        ),
        (
            one(vec![path(&["/"])], vec![weighted(&[])]),
            RuleError::ForwardWithoutGroup { rule: p1 },
            "rule 1: forward names no target group",
        ),
        (
            one(
                vec![path(&["/"])],
                vec![weighted(&[("api", 1), ("api", 2)])],
            ),
            RuleError::RepeatedTargetGroup {
                rule: p1,
                group: "api".to_owned(),
            },
            "rule 1: forward names target group \"api\" twice",
        ),
        (
            one(
                vec![path(&["/"])],
                vec![weighted(&[("api", 1000), ("web", 1)])],
            ),
            RuleError::WeightOutOfRange {
                rule: p1,
                group: "api".to_owned(),
                weight: 1000,
            },
            "rule 1: weight 1000 of target group \"api\" is outside 0-999",
        ),
        (
            one(
                vec![path(&["/"])],
                vec![weighted(&[("api", 0), ("web", 0)])],
            ),
            RuleError::AllWeightsZero { rule: p1 },
            "rule 1: every target group of the forward has weight 0",
        ),
        (
            one(vec![path(&["/"])], vec![fixed(302)]),
            RuleError::FixedResponseStatus {
                rule: p1,
                status: 302,
            },
            "rule 1: fixed-response status 302 is not a 2XX, 4XX or 5XX code",
        ),
        (
            one(
                vec![path(&["/"])],
                vec![Action::Redirect(Redirect {
                    protocol: "HTTP".to_owned(),
                    ..Redirect::default()
                })],
            ),
            RuleError::InvalidRedirect {
                rule: p1,
                part: "protocol",
                value: "HTTP".to_owned(),
                reason: "an HTTPS listener may not redirect to HTTP",
            },
            "rule 1: redirect protocol \"HTTP\" an HTTPS listener may not redirect to HTTP",
        ),
        (
            RuleSet::new(vec![], vec![], true, GROUPS),
            RuleError::NoAction {
                rule: MatchedRule::Default,
            },
            "the default rule: no action; a rule ends with exactly one forward, fixed-response or redirect",
        ),
        (
            RuleSet::new(
                vec![
                    rule(5, vec![path(&["/a"])], forward("api")),
                    rule(5, vec![path(&["/b"])], forward("web")),
                ],
                vec![forward("api")],
                true,
                GROUPS,
            ),
            RuleError::DuplicatePriority { priority: 5 },
            "two rules have priority 5",
        ),
    ];
    for (result, expected, message) in cases {
        let error = result.expect_err("refused");
        assert_eq!(error, expected);
        assert_eq!(error.to_string(), message);
        assert_eq!(error.rule(), expected.rule());
    }
}

#[test]
fn five_wildcards_are_allowed_and_six_are_not() {
    assert!(
        one(
            vec![path(&["/*/*/*"]), host(&["*.*.example.com"])],
            vec![forward("api")]
        )
        .is_ok()
    );
    let error = one(
        vec![
            path(&["/*/*/*"]),
            host(&["*.??.example.com"]),
            method(&["G*"]),
        ],
        vec![forward("api")],
    )
    .map(|_| ())
    .unwrap_err();
    assert_eq!(
        error,
        RuleError::TooManyWildcards {
            rule: MatchedRule::Priority(1),
            count: 6
        },
        "a method's `*` is not a wildcard, so it is not counted"
    );
    assert_eq!(
        error.to_string(),
        "rule 1: 6 wildcards; at most 5 are allowed per rule"
    );
}
