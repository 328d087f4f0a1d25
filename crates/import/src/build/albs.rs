//! `[albs.<name>]` with its `[[albs.<name>.listeners]]` and their
//! `[[albs.<name>.listeners.rules]]`, for the ALBs routes (or NLB target groups of type
//! `alb`) reach.
//!
//! Listener certificates, security policies and target group names are written by the code
//! NLB listeners use (`balancers`). What the scenario cannot express is a warning located
//! where the source says it, naming the resource and the field: a rule with a condition or a
//! final action hoplab does not model is left out (a rule that matched more, or did
//! something else, would change which requests the others see), and the parts of a rule
//! hoplab ignores (authentication before a forward, stickiness) are dropped from it.

use hoplab_scenario::AlbSecurityPolicy;

use super::balancers::{
    GroupUse, add_use, group_name, write_certificates, write_policy, write_port,
};
use super::{Builder, Missing};
use crate::aws::{Action, Listener, RuleCondition};
use crate::doc::{Doc, Value};
use crate::document::SourceLocation;
use crate::topology::ListenerRule;

/// Writes one ALB and its listeners; the target groups they forward to are added to `uses`.
pub(super) fn write(b: &mut Builder<'_>, doc: &mut Doc, key: &str, uses: &mut Vec<GroupUse>) {
    let ex = b.ex;
    let name = b.lb_names.name(key, ex.load_balancer_name(key));
    doc.blank();
    doc.comment(&format!("ALB {key}"));
    doc.table(&["albs", &name]);
    if let Some(seconds) = ex.load_balancers.get(key).and_then(|lb| lb.idle_timeout) {
        doc.entry("idle_timeout_seconds", Value::Int(seconds));
    }
    let listeners: Vec<&Listener> = ex.listeners_of(key).collect();
    if listeners.is_empty() {
        // Reached through an NLB target group: no route checked its listeners.
        Missing::new(
            format!("no source describes the listeners of ALB {key}"),
            Some(format!(
                "import the template or plan that defines them, or aws elbv2 describe-listeners --load-balancer-arn {key}"
            )),
            format!("listeners of {name}"),
        )
        .write(doc, "listeners", &format!("albs.{name}.listeners"));
        return;
    }
    for (j, listener) in listeners.into_iter().enumerate() {
        let f = format!("albs.{name}.listeners[{j}]");
        doc.blank();
        doc.array_table(&["albs", &name, "listeners"]);
        if let Some(arn) = &listener.listener_arn {
            doc.comment(&format!("listener {arn}"));
        }
        write_listener(b, doc, &f, listener);
        let origin = listener.origin.as_ref();
        let what = format!(
            "ALB listener {}",
            listener.listener_arn.as_deref().unwrap_or(&f)
        );
        match action(
            b,
            &listener.default_actions,
            &what,
            "DefaultActions",
            origin,
        ) {
            Ok((value, groups)) => {
                doc.entry("default_action", value);
                for group in groups {
                    add_use(uses, group, false);
                }
            }
            Err(reason) => Missing::new(
                reason.to_string(),
                Some("write the default action as forward, fixed-response or redirect".into()),
                "default action",
            )
            .write(doc, "default_action", &format!("{f}.default_action")),
        }
        if let Some(arn) = &listener.listener_arn {
            write_rules(b, doc, &name, &f, arn, uses);
        }
    }
}

/// Port, protocol, and an HTTPS listener's certificates and security policy.
fn write_listener(b: &mut Builder<'_>, doc: &mut Doc, f: &str, listener: &Listener) {
    write_port(doc, f, listener);
    match listener.protocol.as_deref() {
        Some("HTTP") => doc.entry("protocol", Value::str("HTTP")),
        Some("HTTPS") => {
            doc.entry("protocol", Value::str("HTTPS"));
            write_certificates(b, doc, f, listener);
            let known: Vec<&str> = AlbSecurityPolicy::all()
                .map(AlbSecurityPolicy::name)
                .collect();
            write_policy(doc, f, listener.ssl_policy.as_deref(), &known);
        }
        Some(other) => Missing::new(
            format!("{other} is no ALB listener protocol: an ALB listens on HTTP or HTTPS"),
            Some("set \"HTTP\" or \"HTTPS\"".into()),
            format!("{other} listener"),
        )
        .write(doc, "protocol", &format!("{f}.protocol")),
        None => Missing::new(
            "the source gives no protocol for this listener",
            Some("set \"HTTP\" or \"HTTPS\"".into()),
            "listener protocol",
        )
        .write(doc, "protocol", &format!("{f}.protocol")),
    }
}

/// The listener's rules by priority (the default rule is the default action).
fn write_rules(
    b: &mut Builder<'_>,
    doc: &mut Doc,
    alb: &str,
    f: &str,
    listener: &str,
    uses: &mut Vec<GroupUse>,
) {
    let ex = b.ex;
    let mut rules: Vec<&ListenerRule> = ex
        .rules_of(listener)
        .filter(|r| r.rule.is_default != Some(true))
        .collect();
    rules.sort_by_key(|r| priority(r).unwrap_or(i64::MAX));
    for (i, rule) in rules.into_iter().enumerate() {
        let what = format!(
            "listener rule {}",
            rule.rule
                .rule_arn
                .as_deref()
                .unwrap_or(&format!("#{}", i + 1))
        );
        let origin = Some(&rule.origin);
        let conditions = conditions(&rule.rule.conditions);
        let action = action(b, &rule.rule.actions, &what, "Actions", origin);
        let (conditions, (action, groups)) = match (conditions, action) {
            (Ok(c), Ok(a)) => (c, a),
            (Err(reason), _) | (_, Err(reason)) => {
                b.warn(
                    origin,
                    format!("{what}: {reason}; the rule is left out of the scenario"),
                );
                doc.blank();
                doc.comment(&format!("{what} left out: {reason}"));
                continue;
            }
        };
        for group in groups {
            add_use(uses, group, false);
        }
        let field = format!("{f}.rules[{i}]");
        doc.blank();
        doc.array_table(&["albs", alb, "listeners", "rules"]);
        doc.comment(&what);
        match priority(rule) {
            Some(p) => doc.entry("priority", Value::Int(p)),
            None => Missing::new(
                format!(
                    "the rule's priority {} is not a number",
                    rule.rule.priority.as_deref().unwrap_or("(none)")
                ),
                Some("give it the priority the deployed rule has (1 to 50000)".into()),
                "rule priority",
            )
            .write(doc, "priority", &format!("{field}.priority")),
        }
        doc.entry("conditions", conditions);
        doc.entry("action", action);
    }
}

fn priority(rule: &ListenerRule) -> Option<i64> {
    rule.rule.priority.as_deref()?.trim().parse().ok()
}

/// The conditions as the scenario writes them, or why one cannot be.
fn conditions(conditions: &[RuleCondition]) -> Result<Value, Unwritable> {
    let mut out = Vec::new();
    for (i, c) in conditions.iter().enumerate() {
        out.push(condition(c).map_err(|reason| Unwritable::Condition {
            index: i,
            reason: Box::new(reason),
        })?);
    }
    if out.is_empty() {
        return Err(Unwritable::NoConditions);
    }
    Ok(Value::Array(out))
}

fn condition(c: &RuleCondition) -> Result<Value, Unwritable> {
    let field = c.field.as_deref().map(str::to_ascii_lowercase);
    let regex = |values: &[String]| {
        if values.is_empty() {
            Ok(())
        } else {
            Err(Unwritable::RegexValues)
        }
    };
    regex(&c.regex_values)?;
    let plain = |config: Option<&crate::aws::ValuesConfig>| -> Result<Vec<String>, Unwritable> {
        match config {
            Some(config) => {
                regex(&config.regex_values)?;
                Ok(config.values.clone())
            }
            None => Ok(c.values.clone()),
        }
    };
    let entries = match field.as_deref() {
        Some(f @ "host-header") => vec![values(f, plain(c.host_header_config.as_ref())?)],
        Some(f @ "path-pattern") => vec![values(f, plain(c.path_pattern_config.as_ref())?)],
        Some(f @ "http-request-method") => {
            vec![values(f, plain(c.http_request_method_config.as_ref())?)]
        }
        Some(f @ "source-ip") => vec![values(f, plain(c.source_ip_config.as_ref())?)],
        Some(f @ "http-header") => {
            let config = c
                .http_header_config
                .as_ref()
                .ok_or(Unwritable::HeaderConfig("HttpHeaderConfig"))?;
            regex(&config.regex_values)?;
            let name = config
                .http_header_name
                .clone()
                .ok_or(Unwritable::HeaderConfig("HttpHeaderName"))?;
            let mut entries = values(f, config.values.clone());
            entries.insert(1, ("http_header_name".to_owned(), Value::str(name)));
            vec![entries]
        }
        Some(f @ "query-string") => {
            let pairs = c
                .query_string_config
                .as_ref()
                .map(|q| q.values.as_slice())
                .unwrap_or_default()
                .iter()
                .map(|pair| {
                    let mut entries = Vec::new();
                    if let Some(key) = &pair.key {
                        entries.push(("key".to_owned(), Value::str(key)));
                    }
                    entries.push((
                        "value".to_owned(),
                        Value::str(pair.value.clone().unwrap_or_default()),
                    ));
                    Value::Inline(entries)
                })
                .collect();
            vec![vec![
                ("field".to_owned(), Value::str(f)),
                ("values".to_owned(), Value::Array(pairs)),
            ]]
        }
        Some(other) => {
            return Err(Unwritable::Field(other.to_owned()));
        }
        None => return Err(Unwritable::NoField),
    };
    Ok(Value::Inline(entries.into_iter().flatten().collect()))
}

fn values(field: &str, values: Vec<String>) -> Vec<(String, Value)> {
    vec![
        ("field".to_owned(), Value::str(field)),
        ("values".to_owned(), Value::List(values)),
    ]
}

/// A rule's or listener's actions as the scenario's one action, with the target groups it
/// forwards to; or why it cannot be written. Authentication before the final action and
/// group stickiness are dropped with a warning.
fn action(
    b: &mut Builder<'_>,
    actions: &[Action],
    what: &str,
    field: &str,
    origin: Option<&SourceLocation>,
) -> Result<(Value, Vec<String>), Unwritable> {
    let mut ordered: Vec<(usize, &Action)> = actions.iter().enumerate().collect();
    ordered.sort_by_key(|(i, a)| (a.order.unwrap_or(i64::MAX), *i));
    let Some(((last_index, last), before)) = ordered.split_last() else {
        return Err(Unwritable::NoAction {
            field: field.to_owned(),
        });
    };
    for (i, a) in before {
        let kind = a.kind.as_deref().unwrap_or("(no type)");
        b.warn(
            origin,
            format!(
                "{what}: {field}[{i}]: the {kind} action is not modelled; the rule is written with its final action only"
            ),
        );
    }
    let field = format!("{field}[{last_index}]");
    let kind = last.kind.as_deref().map(str::to_ascii_lowercase);
    match kind.as_deref() {
        Some("forward") => forward(b, last, what, &field, origin),
        Some("fixed-response") => {
            let config = last.fixed_response_config.clone().unwrap_or_default();
            let mut entries = vec![("type".to_owned(), Value::str("fixed-response"))];
            match config.status_code {
                Some(code) => entries.push(("status_code".to_owned(), number_or_text(&code))),
                None => return Err(Unwritable::NoStatusCode(field, "fixed-response")),
            }
            if let Some(t) = config.content_type {
                entries.push(("content_type".to_owned(), Value::str(t)));
            }
            if let Some(body) = config.message_body {
                entries.push(("message_body".to_owned(), Value::str(body)));
            }
            Ok((Value::Inline(entries), Vec::new()))
        }
        Some("redirect") => {
            let config = last.redirect_config.clone().unwrap_or_default();
            let mut entries = vec![("type".to_owned(), Value::str("redirect"))];
            match config.status_code {
                Some(code) => entries.push(("status_code".to_owned(), Value::str(code))),
                None => return Err(Unwritable::NoStatusCode(field, "redirect")),
            }
            for (key, part) in [
                ("protocol", config.protocol),
                ("host", config.host),
                ("path", config.path),
                ("query", config.query),
            ] {
                if let Some(part) = part {
                    entries.push((key.to_owned(), Value::str(part)));
                }
            }
            if let Some(port) = config.port {
                entries.push(("port".to_owned(), number_or_text(&port)));
            }
            Ok((Value::Inline(entries), Vec::new()))
        }
        Some(other) => Err(Unwritable::Action(field, other.to_owned())),
        None => Err(Unwritable::NoType(field)),
    }
}

/// A forward to one group, or to several by weight.
fn forward(
    b: &mut Builder<'_>,
    action: &Action,
    what: &str,
    field: &str,
    origin: Option<&SourceLocation>,
) -> Result<(Value, Vec<String>), Unwritable> {
    let config = action.forward_config.as_ref();
    if config
        .and_then(|c| c.target_group_stickiness_config.as_ref())
        .and_then(|s| s.enabled)
        == Some(true)
    {
        b.warn(
            origin,
            format!("{what}: {field}: target group stickiness is not modelled (requests are spread by weight)"),
        );
    }
    let mut groups: Vec<(String, Option<i64>)> = match &action.target_group_arn {
        Some(arn) => vec![(arn.clone(), None)],
        None => config
            .map(|c| c.target_groups.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|t| Some((t.target_group_arn.clone()?, t.weight)))
            .collect(),
    };
    for (arn, _) in &mut groups {
        *arn = b.ex.key(arn).to_owned();
    }
    let arns: Vec<String> = groups.iter().map(|(arn, _)| arn.clone()).collect();
    let value = match groups.as_slice() {
        [] => return Err(Unwritable::NoTargetGroup(field.to_owned())),
        [(arn, None | Some(1))] => Value::Inline(vec![
            ("type".to_owned(), Value::str("forward")),
            ("target_group".to_owned(), Value::str(group_name(b, arn))),
        ]),
        several => {
            let tables = several
                .iter()
                .map(|(arn, weight)| {
                    let mut entries =
                        vec![("target_group".to_owned(), Value::str(group_name(b, arn)))];
                    if let Some(weight) = weight {
                        entries.push(("weight".to_owned(), Value::Int(*weight)));
                    }
                    Value::Inline(entries)
                })
                .collect();
            Value::Inline(vec![
                ("type".to_owned(), Value::str("forward")),
                ("target_groups".to_owned(), Value::Array(tables)),
            ])
        }
    };
    Ok((value, arns))
}

/// Why a rule's condition or action cannot be written as the scenario writes it; the text
/// becomes the import's warning (or a placeholder's reason, for a default action).
#[derive(Debug, thiserror::Error)]
enum Unwritable {
    /// A condition (or its config) with AWS's regular-expression values.
    #[error("RegexValues are not modelled (hoplab's rules match AWS's wildcards)")]
    RegexValues,
    /// An http-header condition missing a part (`HttpHeaderConfig`, `HttpHeaderName`).
    #[error("an http-header condition without {0}")]
    HeaderConfig(&'static str),
    /// A condition field the scenario has no rule for.
    #[error(
        "field {0} is not modelled (hoplab models host-header, path-pattern, http-header, http-request-method, query-string and source-ip)"
    )]
    Field(String),
    /// A condition without `Field`.
    #[error("a condition without Field")]
    NoField,
    /// The condition at `index` cannot be written.
    #[error("Conditions[{index}]: {reason}")]
    Condition {
        /// Its position among the rule's conditions.
        index: usize,
        /// Why.
        reason: Box<Unwritable>,
    },
    /// A rule without conditions.
    #[error("Conditions: the rule has none (AWS requires at least one)")]
    NoConditions,
    /// A rule or listener without actions (`field` names the list).
    #[error("{field}: no action")]
    NoAction {
        /// `Actions` or `DefaultActions`.
        field: String,
    },
    /// A fixed-response or redirect action without `StatusCode`.
    #[error("{0}: a {1} without StatusCode")]
    NoStatusCode(String, &'static str),
    /// An action type the scenario has no rule for.
    #[error(
        "{0}: the {1} action is not modelled (hoplab models forward, fixed-response and redirect)"
    )]
    Action(String, String),
    /// An action without `Type`.
    #[error("{0}: an action without Type")]
    NoType(String),
    /// A forward that names no target group.
    #[error("{0}: a forward that names no target group")]
    NoTargetGroup(String),
}

/// An integer when the text is one (`"404"`), else the text (`"#{port}"`).
fn number_or_text(text: &str) -> Value {
    match text.trim().parse() {
        Ok(n) => Value::Int(n),
        Err(_) => Value::str(text),
    }
}
