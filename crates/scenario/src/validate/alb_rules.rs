//! An ALB listener's `default_action` and `[[…rules]]` → a checked [`RuleSet`].
//!
//! What each key says is read here (names, AWS spellings, address blocks); what AWS refuses
//! in a rule set (duplicate priorities, a rule without an action or conditions, too many
//! values or wildcards, weights, fixed-response statuses, redirect parts) is decided by
//! `hoplab-alb-rules`' [`RuleSet::new`], the check the listener itself runs, and its error is
//! located at the rule it names.

use std::ops::Range;

use hoplab_alb_rules::limits::RULE_PRIORITIES;
use hoplab_alb_rules::{
    Action, AlbAction, Condition, ConditionField, FixedResponse, Forward, IpCidr, MatchedRule,
    QueryPair, Redirect, RedirectStatus, Rule, RuleError, RuleSet, WeightedGroup,
};
use toml::Spanned;

use super::values::{one_of_names, one_of_spellings};
use super::{Cx, Index, dangling};
use crate::ids::TargetGroupId;
use crate::model::TargetGroupProtocol;
use crate::raw::{
    RawAction, RawAlbListener, RawCondition, RawConditionValue, RawNumberOrText, RawRule,
};

/// The listener's rules, checked; a placeholder after an error (validation then fails).
pub(super) fn convert(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    lf: &str,
    listener: &Spanned<RawAlbListener>,
    https: bool,
) -> RuleSet<TargetGroupId> {
    let l = listener.get_ref();
    let before = cx.errors.len();
    let mut rules = Vec::with_capacity(l.rules.len());
    for (j, rule) in l.rules.iter().enumerate() {
        rules.push(convert_rule(cx, index, &format!("{lf}.rules[{j}]"), rule));
    }
    let default_actions: Vec<Action> = l
        .default_action
        .as_ref()
        .and_then(|a| convert_action(cx, index, &format!("{lf}.default_action"), a))
        .into_iter()
        .collect();
    if cx.errors.len() > before {
        return placeholder();
    }
    let names: Vec<&str> = index.target_groups.iter().map(|(n, _)| *n).collect();
    match RuleSet::new(rules, default_actions, https, &names) {
        Ok(set) => set.map_groups(|name| {
            index
                .target_group(name)
                .map_or_else(TargetGroupId::unresolved, |(id, _)| id)
        }),
        Err(error) => {
            locate(cx, lf, listener, &error);
            placeholder()
        }
    }
}

/// What a listener that failed validation holds; never seen, since validation fails.
fn placeholder() -> RuleSet<TargetGroupId> {
    let answer = Action::FixedResponse(FixedResponse {
        status: 404,
        content_type: None,
        body: String::new(),
    });
    RuleSet::new(Vec::new(), vec![answer], false, &[])
        .expect("a lone fixed 404 default rule is a valid rule set")
        .map_groups(|_: &String| TargetGroupId::unresolved())
}

/// Reports a rule set error at the rule it names.
fn locate(cx: &mut Cx<'_>, lf: &str, listener: &Spanned<RawAlbListener>, error: &RuleError) {
    let l = listener.get_ref();
    let priority_of = |rule: &Spanned<RawRule>| u32::try_from(*rule.get_ref().priority.get_ref());
    let (span, field, help): (Range<usize>, String, Option<String>) = match error {
        RuleError::DuplicatePriority { priority } => {
            let mut same = l
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| priority_of(r) == Ok(*priority));
            let first = same.next().map_or(0, |(j, _)| j);
            match same.next() {
                Some((j, second)) => (
                    second.get_ref().priority.span(),
                    format!("{lf}.rules[{j}].priority"),
                    Some(format!(
                        "already used by {lf}.rules[{first}]; priorities are unique per listener"
                    )),
                ),
                // The rules checked are the ones written, so the second is always found.
                None => (listener.span(), format!("{lf}.rules"), None),
            }
        }
        other => {
            let part = match other {
                RuleError::NoAction { .. }
                | RuleError::SeveralActions { .. }
                | RuleError::ForwardWithoutGroup { .. }
                | RuleError::UnknownTargetGroup { .. }
                | RuleError::RepeatedTargetGroup { .. }
                | RuleError::WeightOutOfRange { .. }
                | RuleError::AllWeightsZero { .. }
                | RuleError::FixedResponseStatus { .. }
                | RuleError::InvalidRedirect { .. } => "action",
                _ => "conditions",
            };
            match other.rule() {
                Some(MatchedRule::Priority(p)) => {
                    let found = l
                        .rules
                        .iter()
                        .enumerate()
                        .find(|(_, r)| priority_of(r) == Ok(p));
                    match found {
                        Some((j, rule)) => {
                            let r = rule.get_ref();
                            let span = match part {
                                "action" => r.action.as_ref().map_or(rule.span(), Spanned::span),
                                _ => r.conditions.first().map_or(rule.span(), Spanned::span),
                            };
                            (span, format!("{lf}.rules[{j}].{part}"), None)
                        }
                        // The rules checked are the ones written, so the rule is always found.
                        None => (listener.span(), format!("{lf}.rules"), None),
                    }
                }
                _ => (
                    l.default_action
                        .as_ref()
                        .map_or(listener.span(), Spanned::span),
                    format!("{lf}.default_action"),
                    None,
                ),
            }
        }
    };
    let help = help.or_else(|| match error {
        RuleError::NoAction { .. } => Some(
            "add `action = { type = \"forward\", target_group = \"…\" }` (or fixed-response, redirect)"
                .into(),
        ),
        RuleError::NoConditions { .. } => Some(
            "add a condition, e.g. `conditions = [{ field = \"path-pattern\", values = [\"/api/*\"] }]`; only the default rule has none"
                .into(),
        ),
        _ => None,
    });
    cx.error(span, field, error.to_string(), help);
}

fn convert_rule(cx: &mut Cx<'_>, index: &Index<'_>, rf: &str, rule: &Spanned<RawRule>) -> Rule {
    let r = rule.get_ref();
    let priority = match u32::try_from(*r.priority.get_ref()) {
        Ok(p) if RULE_PRIORITIES.contains(&p) => p,
        _ => {
            cx.error(
                r.priority.span(),
                format!("{rf}.priority"),
                format!("priority {} is out of range", r.priority.get_ref()),
                Some(format!(
                    "AWS allows {}..={}",
                    RULE_PRIORITIES.start(),
                    RULE_PRIORITIES.end()
                )),
            );
            0
        }
    };
    let conditions = r
        .conditions
        .iter()
        .enumerate()
        .filter_map(|(k, c)| convert_condition(cx, &format!("{rf}.conditions[{k}]"), c))
        .collect();
    let actions = r
        .action
        .as_ref()
        .and_then(|a| convert_action(cx, index, &format!("{rf}.action"), a))
        .into_iter()
        .collect();
    Rule {
        priority,
        conditions,
        actions,
    }
}

fn convert_condition(
    cx: &mut Cx<'_>,
    cf: &str,
    condition: &Spanned<RawCondition>,
) -> Option<Condition> {
    let c = condition.get_ref();
    let spellings: Vec<(&str, ConditionField)> = ConditionField::ALL.to_vec();
    let field = cx.enum_required(
        &c.field,
        format!("{cf}.field"),
        "condition field",
        &spellings,
    )?;
    if let (Some(name), false) = (&c.http_header_name, field == ConditionField::HttpHeader) {
        cx.error(
            name.span(),
            format!("{cf}.http_header_name"),
            format!(
                "a {} condition takes no `http_header_name`",
                field.aws_name()
            ),
            Some("remove it, or set field = \"http-header\"".into()),
        );
    }
    let values = c.values.get_ref();
    let mut texts = Vec::new();
    let mut pairs = Vec::new();
    for (k, value) in values.iter().enumerate() {
        let vf = format!("{cf}.values[{k}]");
        match (value.get_ref(), field == ConditionField::QueryString) {
            (RawConditionValue::Text(text), false) => texts.push((text.clone(), value.span(), vf)),
            (RawConditionValue::Pair(pair), true) => pairs.push(QueryPair {
                key: pair.key.clone(),
                value: pair.value.clone(),
            }),
            (RawConditionValue::Pair(_), false) => cx.error(
                value.span(),
                vf,
                format!("a {} value is a string", field.aws_name()),
                Some("only query-string values are tables { key, value }".into()),
            ),
            (RawConditionValue::Text(text), true) => cx.error(
                value.span(),
                vf,
                format!("query-string value {text:?} is not a table"),
                Some(
                    "write each query-string value as { key = \"version\", value = \"v1\" } (key optional)"
                        .into(),
                ),
            ),
        }
    }
    let strings = || texts.iter().map(|(t, _, _)| t.clone()).collect::<Vec<_>>();
    Some(match field {
        ConditionField::HostHeader => Condition::HostHeader(strings()),
        ConditionField::PathPattern => Condition::PathPattern(strings()),
        ConditionField::HttpRequestMethod => Condition::HttpRequestMethod(strings()),
        ConditionField::QueryString => Condition::QueryString(pairs),
        ConditionField::HttpHeader => {
            let Some(name) = &c.http_header_name else {
                cx.error(
                    condition.span(),
                    format!("{cf}.http_header_name"),
                    "an http-header condition needs `http_header_name`",
                    Some("name the header, e.g. http_header_name = \"User-Agent\"".into()),
                );
                return None;
            };
            Condition::HttpHeader {
                name: name.get_ref().clone(),
                values: strings(),
            }
        }
        ConditionField::SourceIp => {
            let mut blocks = Vec::new();
            for (text, span, vf) in &texts {
                match text.parse::<IpCidr>() {
                    Ok(block) => blocks.push(block),
                    Err(error) => cx.error(span.clone(), vf.clone(), error.to_string(), None),
                }
            }
            Condition::SourceIp(blocks)
        }
    })
}

/// The keys each action type takes, besides `type`.
const FORWARD_KEYS: &[&str] = &["target_group", "target_groups"];
const FIXED_KEYS: &[&str] = &["status_code", "content_type", "message_body"];
const REDIRECT_KEYS: &[&str] = &["status_code", "protocol", "host", "port", "path", "query"];

fn convert_action(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    af: &str,
    action: &Spanned<RawAction>,
) -> Option<Action> {
    let a = action.get_ref();
    let kinds: Vec<(&str, AlbAction)> = AlbAction::ALL.to_vec();
    let kind = cx.enum_required(&a.kind, format!("{af}.type"), "action type", &kinds)?;
    let allowed = match kind {
        AlbAction::Forward => FORWARD_KEYS,
        AlbAction::FixedResponse => FIXED_KEYS,
        AlbAction::Redirect => REDIRECT_KEYS,
    };
    let present = [
        ("target_group", a.target_group.as_ref().map(Spanned::span)),
        ("target_groups", a.target_groups.as_ref().map(Spanned::span)),
        ("status_code", a.status_code.as_ref().map(Spanned::span)),
        ("content_type", a.content_type.as_ref().map(Spanned::span)),
        ("message_body", a.message_body.as_ref().map(Spanned::span)),
        ("protocol", a.protocol.as_ref().map(Spanned::span)),
        ("host", a.host.as_ref().map(Spanned::span)),
        ("port", a.port.as_ref().map(Spanned::span)),
        ("path", a.path.as_ref().map(Spanned::span)),
        ("query", a.query.as_ref().map(Spanned::span)),
    ];
    let mut misplaced = false;
    for (key, span) in present {
        if let (Some(span), false) = (span, allowed.contains(&key)) {
            misplaced = true;
            cx.error(
                span,
                format!("{af}.{key}"),
                format!("a {kind} action takes no `{key}`"),
                Some(format!(
                    "a {kind} action takes {}",
                    allowed
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
    if misplaced {
        return None;
    }
    match kind {
        AlbAction::Forward => forward(cx, index, af, action),
        AlbAction::FixedResponse => fixed_response(cx, af, action),
        AlbAction::Redirect => redirect(cx, af, action),
    }
}

/// One target group of a forward as written: its name, its weight and its field path.
type Forwarded<'a> = (&'a Spanned<String>, Option<&'a Spanned<i64>>, String);

fn forward(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    af: &str,
    action: &Spanned<RawAction>,
) -> Option<Action> {
    let a = action.get_ref();
    let entries: Vec<Forwarded<'_>> = match (&a.target_group, &a.target_groups) {
        (Some(one), None) => vec![(one, None, format!("{af}.target_group"))],
        (None, Some(list)) => list
            .get_ref()
            .iter()
            .enumerate()
            .map(|(k, g)| {
                let g = g.get_ref();
                (
                    &g.target_group,
                    g.weight.as_ref(),
                    format!("{af}.target_groups[{k}]"),
                )
            })
            .collect(),
        (Some(_), Some(list)) => {
            cx.error(
                list.span(),
                format!("{af}.target_groups"),
                "a forward has both target_group and target_groups",
                Some(
                    "keep `target_group` for one group, `target_groups` for several by weight"
                        .into(),
                ),
            );
            return None;
        }
        (None, None) => {
            cx.error(
                action.span(),
                format!("{af}.target_group"),
                "a forward action names no target group",
                Some(format!(
                    "set target_group to an HTTP or HTTPS target group: {}",
                    alb_groups(index)
                )),
            );
            return None;
        }
    };
    let mut groups = Vec::with_capacity(entries.len());
    let mut ok = true;
    for (name, weight, gf) in entries {
        let group_field = if gf.ends_with(']') {
            format!("{gf}.target_group")
        } else {
            gf.clone()
        };
        match index.target_group(name.get_ref()) {
            None => {
                let names: Vec<&str> = index.target_groups.iter().map(|(n, _)| *n).collect();
                dangling(cx, name, group_field, "target groups", &names);
                ok = false;
            }
            Some((_, Some(protocol @ (TargetGroupProtocol::Tcp | TargetGroupProtocol::Tls)))) => {
                cx.error(
                    name.span(),
                    group_field,
                    format!(
                        "target group {:?} is {}: an ALB forwards to HTTP or HTTPS target groups",
                        name.get_ref(),
                        protocol.as_str()
                    ),
                    Some(format!(
                        "TCP and TLS target groups belong behind an NLB; {}",
                        alb_groups(index)
                    )),
                );
                ok = false;
            }
            Some(_) => {}
        }
        let weight = match weight {
            None => 1,
            Some(w) => match u16::try_from(*w.get_ref()) {
                Ok(w) => w,
                Err(_) => {
                    cx.error(
                        w.span(),
                        format!("{gf}.weight"),
                        format!("weight {} is out of range", w.get_ref()),
                        Some("AWS allows 0..=999".into()),
                    );
                    ok = false;
                    0
                }
            },
        };
        groups.push(WeightedGroup {
            group: name.get_ref().clone(),
            weight,
        });
    }
    ok.then_some(Action::Forward(Forward { groups }))
}

/// Help naming the target groups an ALB can forward to.
fn alb_groups(index: &Index<'_>) -> String {
    one_of_names(
        "HTTP or HTTPS target groups",
        index
            .target_groups
            .iter()
            .filter(|(_, p)| {
                matches!(
                    p,
                    Some(TargetGroupProtocol::Http | TargetGroupProtocol::Https)
                )
            })
            .map(|(n, _)| *n),
    )
}

fn fixed_response(cx: &mut Cx<'_>, af: &str, action: &Spanned<RawAction>) -> Option<Action> {
    let a = action.get_ref();
    let Some(code) = &a.status_code else {
        cx.error(
            action.span(),
            format!("{af}.status_code"),
            "a fixed-response action needs `status_code`",
            Some("a 2XX, 4XX or 5XX code, e.g. status_code = 404".into()),
        );
        return None;
    };
    let status = match code.get_ref() {
        RawNumberOrText::Number(n) => u16::try_from(*n).ok(),
        RawNumberOrText::Text(t) => t.parse::<u16>().ok(),
    };
    let Some(status) = status else {
        cx.error(
            code.span(),
            format!("{af}.status_code"),
            "status_code is not a status code",
            Some("a 2XX, 4XX or 5XX code, e.g. status_code = 404".into()),
        );
        return None;
    };
    Some(Action::FixedResponse(FixedResponse {
        status,
        content_type: a.content_type.as_ref().map(|c| c.get_ref().clone()),
        body: a
            .message_body
            .as_ref()
            .map(|b| b.get_ref().clone())
            .unwrap_or_default(),
    }))
}

fn redirect(cx: &mut Cx<'_>, af: &str, action: &Spanned<RawAction>) -> Option<Action> {
    let a = action.get_ref();
    let statuses = ["HTTP_301", "HTTP_302"];
    let status = match &a.status_code {
        Some(code) => match code.get_ref() {
            RawNumberOrText::Text(t) if RedirectStatus::from_aws_name(t).is_some() => {
                RedirectStatus::from_aws_name(t)
            }
            _ => {
                cx.error(
                    code.span(),
                    format!("{af}.status_code"),
                    "a redirect's status_code is HTTP_301 or HTTP_302",
                    Some(one_of_spellings(&statuses)),
                );
                None
            }
        },
        None => {
            cx.error(
                action.span(),
                format!("{af}.status_code"),
                "a redirect action needs `status_code`",
                Some(one_of_spellings(&statuses)),
            );
            None
        }
    }?;
    let defaults = Redirect::default();
    let text = |value: &Option<Spanned<String>>, default: String| {
        value.as_ref().map_or(default, |v| v.get_ref().clone())
    };
    Some(Action::Redirect(Redirect {
        status,
        protocol: text(&a.protocol, defaults.protocol),
        host: text(&a.host, defaults.host),
        port: a
            .port
            .as_ref()
            .map_or(defaults.port, |p| match p.get_ref() {
                RawNumberOrText::Number(n) => n.to_string(),
                RawNumberOrText::Text(t) => t.clone(),
            }),
        path: text(&a.path, defaults.path),
        query: text(&a.query, defaults.query),
    }))
}
