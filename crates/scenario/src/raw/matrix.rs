//! `[matrix]` as written: every key optional, every list an array, unknown keys rejected.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

/// `[matrix]`: the dimensions `hoplab compare` varies, each a list of values.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a [matrix] table")]
pub(crate) struct RawMatrix {
    /// The varied route, `"METHOD /path"` or `"/path"`; default: the scenario's only route.
    #[schemars(with = "Option<String>")]
    pub(crate) route: Option<Spanned<String>>,
    /// `["nlb-tls", "alb-https", …]`: the kind of load balancer in front of the targets.
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) load_balancer: Option<Spanned<Vec<Spanned<String>>>>,
    /// `["TLS", "TCP"]`: the route's NLB listener protocol.
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) listener_protocol: Option<Spanned<Vec<Spanned<String>>>>,
    /// `["TLS", "TCP"]`: the protocol of that listener's target group.
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) target_group_protocol: Option<Spanned<Vec<Spanned<String>>>>,
    /// `[false, true]` or `["off", "on"]`: the route's `tlsConfig.insecureSkipVerification`.
    #[schemars(with = "Option<Vec<RawSwitch>>")]
    pub(crate) insecure_skip_verification: Option<Spanned<Vec<Spanned<RawSwitch>>>>,
    /// Certificate names the listener serves when it is TLS.
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) listener_certificate: Option<Spanned<Vec<Spanned<String>>>>,
    /// Certificate names every target behind the route serves (each becomes HTTPS).
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) target_certificate: Option<Spanned<Vec<Spanned<String>>>>,
}

/// An on/off value as written: a boolean, or a string checked by `validate` (`"on"`, `"off"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawSwitch {
    /// `true` or `false`.
    Bool(bool),
    /// Any string.
    Text(String),
}

impl<'de> Deserialize<'de> for RawSwitch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SwitchVisitor;

        impl Visitor<'_> for SwitchVisitor {
            type Value = RawSwitch;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false, \"on\" or \"off\"")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(RawSwitch::Bool(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawSwitch::Text(v.to_owned()))
            }
        }

        deserializer.deserialize_any(SwitchVisitor)
    }
}
