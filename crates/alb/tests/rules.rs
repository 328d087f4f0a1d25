//! Listener rules on a live listener: hosts and paths to two target groups, a fixed-response
//! default, redirects with AWS's keywords, and the rule each request's record names.

mod support;

use hoplab_alb::{
    Action, Condition, FixedResponse, Forward, ListenerConfig, ListenerProtocol, Redirect,
    RedirectStatus, Rule, TargetProtocol,
};
use hoplab_trace::{AlbAction, EventLog, HopId, MatchedRule, Observation, ResponseOrigin};
use support::*;

fn rule(priority: u32, condition: Condition, group: &str) -> Rule {
    Rule {
        priority,
        conditions: vec![condition],
        actions: vec![Action::Forward(Forward::to(group))],
    }
}

#[tokio::test]
async fn hosts_and_paths_go_to_their_groups_and_the_rest_gets_the_fixed_default() {
    let events = EventLog::new();
    let api = target("api", None, &events).await;
    let web = target("web", None, &events).await;
    let mut config = ListenerConfig::new(
        "front",
        80,
        ListenerProtocol::Http,
        Action::FixedResponse(FixedResponse {
            status: 404,
            content_type: Some("text/plain".to_owned()),
            body: "no route".to_owned(),
        }),
    );
    config.rules = vec![
        rule(
            20,
            Condition::PathPattern(vec!["/static/*".to_owned()]),
            "web",
        ),
        rule(
            10,
            Condition::HostHeader(vec!["api.example.com".to_owned()]),
            "api",
        ),
    ];
    config
        .target_groups
        .push(group("api", TargetProtocol::Http, &[("api", api.addr)]));
    config
        .target_groups
        .push(group("web", TargetProtocol::Http, &[("web", web.addr)]));
    let alb = alb(config, &events).await;

    // (Host, path, answering target or fixed body, rule)
    let cases = [
        (
            "api.example.com",
            "/static/x.css",
            "api",
            MatchedRule::Priority(10),
        ),
        (
            "API.EXAMPLE.COM:80",
            "/pets",
            "api",
            MatchedRule::Priority(10),
        ),
        (
            "www.example.com",
            "/static/x.css",
            "web",
            MatchedRule::Priority(20),
        ),
        (
            "www.example.com",
            "/Static/x.css",
            "no route",
            MatchedRule::Default,
        ),
        ("www.example.com", "/", "no route", MatchedRule::Default),
    ];
    for (host, path, expected, expected_rule) in cases {
        let answer = get(alb.addr, host, path).await;
        match answer.target() {
            Some(target) => {
                assert_eq!(answer.status(), 200);
                assert_eq!(target, expected, "{host} {path}");
            }
            None => {
                assert_eq!(answer.status(), 404, "{host} {path}");
                assert_eq!(answer.text(), expected);
                assert_eq!(answer.header("server"), Some("awselb/2.0"));
                assert_eq!(answer.header("content-type"), Some("text/plain"));
            }
        }
        let records = alb_requests(&events);
        let Some(Observation::AlbRequest {
            rule,
            action,
            origin,
            target,
            ..
        }) = records.last()
        else {
            unreachable!()
        };
        assert_eq!(*rule, Some(expected_rule), "{host} {path}");
        if expected_rule == MatchedRule::Default {
            assert_eq!(*action, Some(AlbAction::FixedResponse));
            assert_eq!(*origin, ResponseOrigin::Action);
            assert_eq!(*target, None);
        } else {
            assert_eq!(*action, Some(AlbAction::Forward));
            assert_eq!(*origin, ResponseOrigin::Target);
            assert_eq!(*target, Some(HopId::target(expected)));
        }
    }
    alb.stop().await;
    api.stop().await;
    web.stop().await;
}

#[tokio::test]
async fn redirects_fill_in_the_keywords_from_the_request() {
    let events = EventLog::new();
    let mut config = ListenerConfig::new(
        "front",
        80,
        ListenerProtocol::Http,
        Action::Redirect(Redirect {
            protocol: "HTTPS".to_owned(),
            port: "443".to_owned(),
            ..Redirect::default()
        }),
    );
    config.rules = vec![Rule {
        priority: 1,
        conditions: vec![Condition::PathPattern(vec!["/old/*".to_owned()])],
        actions: vec![Action::Redirect(Redirect {
            status: RedirectStatus::Http302,
            host: "new.#{host}".to_owned(),
            path: "/moved/#{path}".to_owned(),
            query: "from=#{protocol}-#{port}&#{query}".to_owned(),
            ..Redirect::default()
        })],
    }];
    let alb = alb(config, &events).await;

    let answer = get(alb.addr, "example.com:8080", "/pets?kind=cat").await;
    assert_eq!(answer.status_line, "HTTP/1.1 301 Moved Permanently");
    assert_eq!(
        answer.header("location"),
        Some("https://example.com:443/pets?kind=cat")
    );
    assert_eq!(answer.header("server"), Some("awselb/2.0"));
    assert!(answer.body.is_empty());

    let answer = get(alb.addr, "example.com", "/old/a/b?x=1").await;
    assert_eq!(answer.status_line, "HTTP/1.1 302 Found");
    assert_eq!(
        answer.header("location"),
        Some("http://new.example.com:80/moved/old/a/b?from=HTTP-80&x=1")
    );
    let records = alb_requests(&events);
    let actions: Vec<_> = records
        .iter()
        .map(|o| match o {
            Observation::AlbRequest {
                rule,
                action,
                status,
                ..
            } => (*rule, *action, *status),
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(
        actions,
        [
            (Some(MatchedRule::Default), Some(AlbAction::Redirect), 301),
            (
                Some(MatchedRule::Priority(1)),
                Some(AlbAction::Redirect),
                302
            ),
        ]
    );
    alb.stop().await;
}
