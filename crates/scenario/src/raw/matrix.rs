//! `[matrix]` as written: every key optional, every list an array, unknown keys rejected.

use serde::Deserialize;
use toml::Spanned;

/// `[matrix]`: the dimensions `hoplab compare` varies, each a list of values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [matrix] table")]
pub(crate) struct RawMatrix {
    /// The varied route, `"METHOD /path"` or `"/path"`; default: the scenario's only route.
    pub(crate) route: Option<Spanned<String>>,
    /// `["TLS", "TCP"]`: the route's NLB listener protocol.
    pub(crate) listener_protocol: Option<Spanned<Vec<Spanned<String>>>>,
    /// `["TLS", "TCP"]`: the protocol of that listener's target group.
    pub(crate) target_group_protocol: Option<Spanned<Vec<Spanned<String>>>>,
    /// `[false, true]`: the route's `tlsConfig.insecureSkipVerification`.
    pub(crate) insecure_skip_verification: Option<Spanned<Vec<Spanned<bool>>>>,
    /// Certificate names the listener serves when it is TLS.
    pub(crate) listener_certificate: Option<Spanned<Vec<Spanned<String>>>>,
    /// Certificate names every target behind the route serves (each becomes HTTPS).
    pub(crate) target_certificate: Option<Spanned<Vec<Spanned<String>>>>,
}
