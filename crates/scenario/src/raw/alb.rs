//! `[albs.<name>]` as written: the ALB, its listeners, their rules, conditions and actions.
//!
//! Keys follow AWS's field names (`Type`, `StatusCode`, `MessageBody`, …) in the scenario's
//! snake case; every table denies unknown keys.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use toml::Spanned;

/// `[albs.<name>]`: an Application Load Balancer.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an alb table")]
pub(crate) struct RawAlb {
    /// `idle_timeout.timeout_seconds`, 1..=4000; default 60.
    #[schemars(with = "Option<i64>")]
    pub(crate) idle_timeout_seconds: Option<Spanned<i64>>,
    /// `[[albs.<name>.listeners]]`, in file order.
    #[serde(default)]
    #[schemars(with = "Vec<RawAlbListener>")]
    pub(crate) listeners: Vec<Spanned<RawAlbListener>>,
}

/// `[[albs.<name>.listeners]]`: one ALB listener.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an alb listener table")]
pub(crate) struct RawAlbListener {
    /// The listener port, 1..=65535, unique per ALB.
    #[schemars(with = "i64")]
    pub(crate) port: Spanned<i64>,
    /// `HTTP` or `HTTPS`.
    #[schemars(with = "String")]
    pub(crate) protocol: Spanned<String>,
    /// HTTPS only (required): the default certificate, a `[certificates]` name.
    #[schemars(with = "Option<String>")]
    pub(crate) certificate: Option<Spanned<String>>,
    /// HTTPS only: the certificate list chosen among by SNI.
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) certificates: Option<Spanned<Vec<Spanned<String>>>>,
    /// HTTPS only: the ALB security policy's AWS name.
    #[schemars(with = "Option<String>")]
    pub(crate) security_policy: Option<Spanned<String>>,
    /// The default rule's action (required).
    #[schemars(with = "Option<RawAction>")]
    pub(crate) default_action: Option<Spanned<RawAction>>,
    /// `[[albs.<name>.listeners.rules]]`: the rules other than the default one.
    #[serde(default)]
    #[schemars(with = "Vec<RawRule>")]
    pub(crate) rules: Vec<Spanned<RawRule>>,
}

/// `[[albs.<name>.listeners.rules]]`: one listener rule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a listener rule table")]
pub(crate) struct RawRule {
    /// The priority, 1..=50000, unique per listener; lower is evaluated first.
    #[schemars(with = "i64")]
    pub(crate) priority: Spanned<i64>,
    /// What a request must meet, all of them (at least one).
    #[serde(default)]
    #[schemars(with = "Vec<RawCondition>")]
    pub(crate) conditions: Vec<Spanned<RawCondition>>,
    /// What the rule does (required).
    #[schemars(with = "Option<RawAction>")]
    pub(crate) action: Option<Spanned<RawAction>>,
}

/// One rule condition: AWS's `Field` and its values.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a condition table")]
pub(crate) struct RawCondition {
    /// `host-header`, `path-pattern`, `http-header`, `http-request-method`, `query-string` or
    /// `source-ip`.
    #[schemars(with = "String")]
    pub(crate) field: Spanned<String>,
    /// `http-header` only (required): the header's name.
    #[schemars(with = "Option<String>")]
    pub(crate) http_header_name: Option<Spanned<String>>,
    /// The values, any one of which may match: strings, or for `query-string` tables
    /// `{ key, value }`.
    #[schemars(with = "Vec<RawConditionValue>")]
    pub(crate) values: Spanned<Vec<Spanned<RawConditionValue>>>,
}

/// A condition value: a string, or a `query-string` pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawConditionValue {
    /// A pattern, a method or an address block.
    Text(String),
    /// `{ key = "…", value = "…" }` (the key optional).
    Pair(RawQueryPair),
}

/// `{ key, value }` of a `query-string` condition.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a query-string pair { key, value }")]
pub(crate) struct RawQueryPair {
    /// The key pattern; absent matches any key.
    pub(crate) key: Option<String>,
    /// The value pattern.
    pub(crate) value: String,
}

impl<'de> Deserialize<'de> for RawConditionValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;

        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = RawConditionValue;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, or for query-string a table { key, value }")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawConditionValue::Text(v.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                RawQueryPair::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(RawConditionValue::Pair)
            }
        }

        deserializer.deserialize_any(ValueVisitor)
    }
}

/// A rule's action: AWS's `Type` and the keys of its config.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an action table")]
pub(crate) struct RawAction {
    /// `forward`, `fixed-response` or `redirect`.
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    pub(crate) kind: Spanned<String>,
    /// `forward`: the one target group.
    #[schemars(with = "Option<String>")]
    pub(crate) target_group: Option<Spanned<String>>,
    /// `forward`: several target groups with weights.
    #[schemars(with = "Option<Vec<RawWeightedGroup>>")]
    pub(crate) target_groups: Option<Spanned<Vec<Spanned<RawWeightedGroup>>>>,
    /// `fixed-response`: a 2XX, 4XX or 5XX code; `redirect`: `HTTP_301` or `HTTP_302`.
    #[schemars(with = "Option<RawNumberOrText>")]
    pub(crate) status_code: Option<Spanned<RawNumberOrText>>,
    /// `fixed-response`: the `Content-Type`.
    #[schemars(with = "Option<String>")]
    pub(crate) content_type: Option<Spanned<String>>,
    /// `fixed-response`: the body.
    #[schemars(with = "Option<String>")]
    pub(crate) message_body: Option<Spanned<String>>,
    /// `redirect`: `HTTP`, `HTTPS` or `#{protocol}`.
    #[schemars(with = "Option<String>")]
    pub(crate) protocol: Option<Spanned<String>>,
    /// `redirect`: the host.
    #[schemars(with = "Option<String>")]
    pub(crate) host: Option<Spanned<String>>,
    /// `redirect`: a port number or `#{port}`.
    #[schemars(with = "Option<RawNumberOrText>")]
    pub(crate) port: Option<Spanned<RawNumberOrText>>,
    /// `redirect`: the path.
    #[schemars(with = "Option<String>")]
    pub(crate) path: Option<Spanned<String>>,
    /// `redirect`: the query, without `?`.
    #[schemars(with = "Option<String>")]
    pub(crate) query: Option<Spanned<String>>,
}

/// One target group of a weighted `forward`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a table { target_group, weight }")]
pub(crate) struct RawWeightedGroup {
    /// The target group's name.
    #[schemars(with = "String")]
    pub(crate) target_group: Spanned<String>,
    /// 0..=999; default 1.
    #[schemars(with = "Option<i64>")]
    pub(crate) weight: Option<Spanned<i64>>,
}

/// A value AWS writes as a string that may hold a number (`StatusCode = "404"`, `Port = "443"`
/// or `"#{port}"`): an integer or a string here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawNumberOrText {
    /// An integer.
    Number(i64),
    /// A string.
    Text(String),
}

impl<'de> Deserialize<'de> for RawNumberOrText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CodeVisitor;

        impl Visitor<'_> for CodeVisitor {
            type Value = RawNumberOrText;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a string")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(RawNumberOrText::Number(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                i64::try_from(v)
                    .map(RawNumberOrText::Number)
                    .map_err(|_| E::custom("number too large"))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawNumberOrText::Text(v.to_owned()))
            }
        }

        deserializer.deserialize_any(CodeVisitor)
    }
}
