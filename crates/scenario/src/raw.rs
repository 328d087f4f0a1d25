//! The scenario file as written: serde structs that mirror the TOML.
//!
//! Every struct denies unknown keys, so a typo is an error rather than a silently ignored
//! setting. Values that later checks must point at (names, references, strings parsed later)
//! are wrapped in [`Spanned`] so the validator can report their line and column. Defaults that
//! need no checking are applied here with `#[serde(default)]`; every other default is applied
//! by `validate`, which also checks every rule. the scenario reference (docs/scenario-reference.md) documents the same
//! fields for people writing scenarios.

use std::fmt;
use std::marker::PhantomData;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::Spanned;

mod alb;
mod matrix;
pub(crate) use alb::{
    RawAction, RawAlb, RawAlbListener, RawCondition, RawConditionValue, RawNumberOrText,
    RawQueryPair, RawRule, RawWeightedGroup,
};
pub(crate) use matrix::{RawMatrix, RawSwitch};

/// A whole scenario file.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a scenario table")]
pub(crate) struct RawScenario {
    /// `[scenario]`: name, description and clock.
    #[schemars(with = "Option<RawMeta>")]
    pub(crate) scenario: Option<Spanned<RawMeta>>,
    /// `[authorities.<name>]`: certificate authorities, keyed by name.
    #[serde(default)]
    pub(crate) authorities: Named<RawAuthority>,
    /// `[certificates.<name>]`: leaf certificates, keyed by name.
    #[serde(default)]
    pub(crate) certificates: Named<RawCertificate>,
    /// `[gateway]`: the API Gateway stand-in and its routes.
    #[schemars(with = "Option<RawGateway>")]
    pub(crate) gateway: Option<Spanned<RawGateway>>,
    /// `[nlbs.<name>]`: Network Load Balancers, keyed by name.
    #[serde(default)]
    pub(crate) nlbs: Named<RawNlb>,
    /// `[albs.<name>]`: Application Load Balancers, keyed by name.
    #[serde(default)]
    pub(crate) albs: Named<RawAlb>,
    /// `[target_groups.<name>]`: target groups, keyed by name.
    #[serde(default)]
    pub(crate) target_groups: Named<RawTargetGroup>,
    /// `[targets.<name>]`: backend servers, keyed by name.
    #[serde(default)]
    pub(crate) targets: Named<RawTarget>,
    /// `[[requests]]`: requests to send through the gateway, in order.
    #[serde(default)]
    #[schemars(with = "Vec<RawRequest>")]
    pub(crate) requests: Vec<Spanned<RawRequest>>,
    /// `[matrix]`: the setups `hoplab compare` runs.
    #[schemars(with = "Option<RawMatrix>")]
    pub(crate) matrix: Option<Spanned<RawMatrix>>,
}

/// `[scenario]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a [scenario] table")]
pub(crate) struct RawMeta {
    /// Name shown in reports; default `""`, which `load` replaces with the file stem.
    #[serde(default)]
    pub(crate) name: String,
    /// Free text shown in reports.
    pub(crate) description: Option<String>,
    /// Pins the gateway clock and the base of relative times (an absolute RFC 3339 time).
    #[schemars(with = "Option<RawTime>")]
    pub(crate) now: Option<Spanned<RawTime>>,
}

/// `[authorities.<name>]`: a certificate authority.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an authority table")]
pub(crate) struct RawAuthority {
    /// The signing authority's name; absent for a self-signed root.
    #[schemars(with = "Option<String>")]
    pub(crate) issuer: Option<Spanned<String>>,
    /// Subject common name; default: the table key.
    pub(crate) common_name: Option<String>,
    /// Key algorithm: `ecdsa-p256` (default), `ecdsa-p384`, `rsa-1024`, `rsa-2048`,
    /// `rsa-3072`, `rsa-4096` or `ed25519`.
    #[schemars(with = "Option<String>")]
    pub(crate) key: Option<Spanned<String>>,
    /// notBefore: RFC 3339 time, `[+-]N{s,m,h,d,w,y}` offset from the clock, or `now`;
    /// default `-1d`.
    #[schemars(with = "Option<RawTime>")]
    pub(crate) not_before: Option<Spanned<RawTime>>,
    /// notAfter, written like `not_before`; default `+3650d`.
    #[schemars(with = "Option<RawTime>")]
    pub(crate) not_after: Option<Spanned<RawTime>>,
    /// basicConstraints CA:TRUE; default true.
    #[serde(default = "yes")]
    pub(crate) basic_constraints_ca: bool,
    /// keyUsage keyCertSign (and cRLSign); default true.
    #[serde(default = "yes")]
    pub(crate) key_cert_sign: bool,
    /// In API Gateway's trust store; default false.
    #[serde(default)]
    pub(crate) trusted: bool,
    /// The hash its issuer signs it with: `sha1` (an RSA issuer only) or `sha256`; default
    /// the issuer key's usual hash (SHA-384 for P-384).
    #[schemars(with = "Option<String>")]
    pub(crate) signature_hash: Option<Spanned<String>>,
    /// nameConstraints: the DNS subtrees certificates below it may name; default none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) permitted_dns_names: Vec<Spanned<String>>,
    /// nameConstraints: the DNS subtrees certificates below it must not name; default none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) excluded_dns_names: Vec<Spanned<String>>,
}

/// `[certificates.<name>]`: a leaf certificate.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a certificate table")]
pub(crate) struct RawCertificate {
    /// The signing authority's name; exactly one of `issuer` and `self_signed = true`.
    #[schemars(with = "Option<String>")]
    pub(crate) issuer: Option<Spanned<String>>,
    /// Signed with its own key; default false.
    #[schemars(with = "Option<bool>")]
    pub(crate) self_signed: Option<Spanned<bool>>,
    /// Subject common name; absent means no CN.
    pub(crate) common_name: Option<String>,
    /// DNS subjectAltNames; default none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) dns_names: Vec<Spanned<String>>,
    /// IP subjectAltNames; default none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) ip_addresses: Vec<Spanned<String>>,
    /// Key algorithm, as for authorities but not `rsa-1024`; default `ecdsa-p256`.
    #[schemars(with = "Option<String>")]
    pub(crate) key: Option<Spanned<String>>,
    /// notBefore, as for authorities; default `-1d`.
    #[schemars(with = "Option<RawTime>")]
    pub(crate) not_before: Option<Spanned<RawTime>>,
    /// notAfter, as for authorities; default `+90d`.
    #[schemars(with = "Option<RawTime>")]
    pub(crate) not_after: Option<Spanned<RawTime>>,
    /// basicConstraints CA:TRUE; default false.
    #[serde(default)]
    pub(crate) basic_constraints_ca: bool,
    /// keyUsage keyCertSign; default false.
    #[serde(default)]
    pub(crate) key_cert_sign: bool,
    /// The hash its issuer (or its own key, when self-signed) signs it with, as for
    /// authorities.
    #[schemars(with = "Option<String>")]
    pub(crate) signature_hash: Option<Spanned<String>>,
    /// What a server serving this certificate sends: a preset or an explicit list of names.
    #[schemars(with = "Option<RawChain>")]
    pub(crate) chain: Option<Spanned<RawChain>>,
    /// A PEM file (relative to the scenario file) holding the chain a server sends, leaf
    /// first; replaces generation, so no other field but `pem_key` may be set.
    #[schemars(with = "Option<String>")]
    pub(crate) pem_chain: Option<Spanned<String>>,
    /// The PEM file holding the leaf's unencrypted PKCS#8 private key; required with `pem_chain`.
    #[schemars(with = "Option<String>")]
    pub(crate) pem_key: Option<Spanned<String>>,
}

/// `[gateway]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a [gateway] table")]
pub(crate) struct RawGateway {
    /// `REST` (default) or `HTTP` (an HTTP API).
    #[schemars(with = "Option<String>")]
    pub(crate) api: Option<Spanned<String>>,
    /// The stage name; default `test`.
    #[schemars(with = "Option<String>")]
    pub(crate) stage: Option<Spanned<String>>,
    /// `[[gateway.routes]]`, in file order.
    #[serde(default)]
    #[schemars(with = "Vec<RawRoute>")]
    pub(crate) routes: Vec<Spanned<RawRoute>>,
    /// PEM files (relative to the scenario file) whose certificates API Gateway also trusts,
    /// for running a user's own chain; default none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) trusted_ca_files: Vec<Spanned<String>>,
    /// Also trust Mozilla's public roots (the stand-in for API Gateway's supported CAs), for
    /// a user's own publicly issued certificate; default false.
    #[serde(default)]
    pub(crate) public_roots: bool,
}

/// `[[gateway.routes]]`: one method on one resource, with its integration.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a route table")]
pub(crate) struct RawRoute {
    /// HTTP method or `ANY`, case-insensitive; default `GET`.
    #[schemars(with = "Option<String>")]
    pub(crate) method: Option<Spanned<String>>,
    /// Resource path, starting with `/`.
    #[schemars(with = "String")]
    pub(crate) path: Spanned<String>,
    /// `HTTP` or `HTTP_PROXY` (default).
    #[schemars(with = "Option<String>")]
    pub(crate) integration: Option<Spanned<String>>,
    /// The integration endpoint URI (`http` or `https`).
    #[schemars(with = "String")]
    pub(crate) uri: Spanned<String>,
    /// `INTERNET` (default) or `VPC_LINK`.
    #[schemars(with = "Option<String>")]
    pub(crate) connection_type: Option<Spanned<String>>,
    /// `V1` (a REST API's default) or `V2` (an HTTP API's only version).
    #[schemars(with = "Option<String>")]
    pub(crate) vpc_link_version: Option<Spanned<String>>,
    /// VPC link V1 (REST): the NLB behind the link; HTTP API: the load balancer whose
    /// listener the URI port picks.
    #[schemars(with = "Option<String>")]
    pub(crate) vpc_link: Option<Spanned<String>>,
    /// VPC link V2 (REST): `integrationTarget`, the ALB or NLB the integration reaches.
    #[schemars(with = "Option<String>")]
    pub(crate) integration_target: Option<Spanned<String>>,
    /// VPC link V2 only: whether the stage name goes in front of the backend path; default
    /// true (AWS's documented behaviour).
    #[schemars(with = "Option<bool>")]
    pub(crate) stage_prefix: Option<Spanned<bool>>,
    /// `tlsConfig.insecureSkipVerification` (REST APIs only); default false.
    #[schemars(with = "Option<bool>")]
    pub(crate) insecure_skip_verification: Option<Spanned<bool>>,
    /// `tlsConfig.serverNameToVerify` (HTTP API VPC link routes only): sent as SNI and checked
    /// against the certificate instead of the URI host.
    #[schemars(with = "Option<String>")]
    pub(crate) server_name_to_verify: Option<Spanned<String>>,
    /// `timeoutInMillis`, 50..=300000; default 29000.
    #[schemars(with = "Option<i64>")]
    pub(crate) timeout_ms: Option<Spanned<i64>>,
}

/// `[nlbs.<name>]`: a Network Load Balancer.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an nlb table")]
pub(crate) struct RawNlb {
    /// `[[nlbs.<name>.listeners]]`, in file order.
    #[serde(default)]
    #[schemars(with = "Vec<RawListener>")]
    pub(crate) listeners: Vec<Spanned<RawListener>>,
}

/// `[[nlbs.<name>.listeners]]`: one listener.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a listener table")]
pub(crate) struct RawListener {
    /// The listener port, 1..=65535, unique per NLB.
    #[schemars(with = "i64")]
    pub(crate) port: Spanned<i64>,
    /// `TCP` or `TLS`.
    #[schemars(with = "String")]
    pub(crate) protocol: Spanned<String>,
    /// TLS only (required): the default certificate, a `[certificates]` name.
    #[schemars(with = "Option<String>")]
    pub(crate) certificate: Option<Spanned<String>>,
    /// TLS only: the certificate list chosen among by SNI.
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) certificates: Option<Spanned<Vec<Spanned<String>>>>,
    /// TLS only: the AWS security policy name.
    #[schemars(with = "Option<String>")]
    pub(crate) security_policy: Option<Spanned<String>>,
    /// TLS only: the AWS ALPN policy name; default `None`. Any other needs a TLS target group.
    #[schemars(with = "Option<String>")]
    pub(crate) alpn_policy: Option<Spanned<String>>,
    /// The target group it forwards to.
    #[schemars(with = "String")]
    pub(crate) target_group: Spanned<String>,
}

/// `[target_groups.<name>]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a target group table")]
pub(crate) struct RawTargetGroup {
    /// `TCP` or `TLS` (an NLB's), `HTTP` or `HTTPS` (an ALB's).
    #[schemars(with = "String")]
    pub(crate) protocol: Spanned<String>,
    /// `ip` (default) or `alb` (an NLB target group whose target is an ALB).
    #[schemars(with = "Option<String>")]
    pub(crate) target_type: Option<Spanned<String>>,
    /// `alb` target type only (required): the ALB listener port it forwards to.
    #[schemars(with = "Option<i64>")]
    pub(crate) port: Option<Spanned<i64>>,
    /// ALB target groups only: `round_robin` (default) or `least_outstanding_requests`.
    #[schemars(with = "Option<String>")]
    pub(crate) algorithm: Option<Spanned<String>>,
    /// Target names (at least one for an NLB's group), or the one ALB of an `alb` group.
    #[schemars(with = "Vec<String>")]
    pub(crate) targets: Spanned<Vec<Spanned<String>>>,
    /// `[target_groups.<name>.health_check]`: how the NLB checks its targets; default none.
    #[schemars(with = "Option<RawHealthCheck>")]
    pub(crate) health_check: Option<Spanned<RawHealthCheck>>,
}

/// `[target_groups.<name>.health_check]`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a health check table")]
pub(crate) struct RawHealthCheck {
    /// `TCP` (default), `HTTP` or `HTTPS`.
    #[schemars(with = "Option<String>")]
    pub(crate) protocol: Option<Spanned<String>>,
    /// HTTP and HTTPS only: the request path; default `/`.
    #[schemars(with = "Option<String>")]
    pub(crate) path: Option<Spanned<String>>,
    /// Seconds between checks, 5..=300; default 30.
    #[schemars(with = "Option<i64>")]
    pub(crate) interval_seconds: Option<Spanned<i64>>,
    /// Seconds one check may take, 2..=120; default 6 (HTTP) or 10 (TCP, HTTPS).
    #[schemars(with = "Option<i64>")]
    pub(crate) timeout_seconds: Option<Spanned<i64>>,
    /// Passes in a row that make a target healthy, 2..=10; default 5.
    #[schemars(with = "Option<i64>")]
    pub(crate) healthy_threshold: Option<Spanned<i64>>,
    /// Failures in a row that make a target unhealthy, 2..=10; default 2.
    #[schemars(with = "Option<i64>")]
    pub(crate) unhealthy_threshold: Option<Spanned<i64>>,
    /// HTTP and HTTPS only: accepted statuses, `200`, `200,202` or `200-299`; default `200-399`.
    #[schemars(with = "Option<String>")]
    pub(crate) matcher: Option<Spanned<String>>,
}

/// `[targets.<name>]`: a backend server.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a target table")]
pub(crate) struct RawTarget {
    /// `HTTP` or `HTTPS`.
    #[schemars(with = "String")]
    pub(crate) protocol: Spanned<String>,
    /// HTTPS only (required): the certificate it serves, a `[certificates]` name.
    #[schemars(with = "Option<String>")]
    pub(crate) certificate: Option<Spanned<String>>,
    /// The response body; default `hello from target <name>`.
    pub(crate) body: Option<String>,
    /// Public DNS names that resolve to this target, for `INTERNET` integrations.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) dns_names: Vec<Spanned<String>>,
    /// `normal` (default), `refuse`, `accept-then-close`, `reset`, `hang`, `slow` or `status`.
    #[schemars(with = "Option<String>")]
    pub(crate) behaviour: Option<Spanned<String>>,
    /// `slow` only (required): milliseconds before each response, 1..=600000.
    #[schemars(with = "Option<i64>")]
    pub(crate) delay_ms: Option<Spanned<i64>>,
    /// `status` only (required): the status of every response, 200..=599.
    #[schemars(with = "Option<i64>")]
    pub(crate) status: Option<Spanned<i64>>,
    /// HTTPS only: `TLSv1.2+TLSv1.3` (default), `TLSv1.3` or `TLSv1.2`.
    #[schemars(with = "Option<String>")]
    pub(crate) tls_versions: Option<Spanned<String>>,
}

/// `[[requests]]`: a request and what it must produce.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "a request table")]
pub(crate) struct RawRequest {
    /// Name shown in reports; default `<METHOD> <path>`.
    pub(crate) name: Option<String>,
    /// HTTP method, case-insensitive; default `GET`.
    #[schemars(with = "Option<String>")]
    pub(crate) method: Option<Spanned<String>>,
    /// Request path (optionally with a query); a route must serve it.
    #[schemars(with = "String")]
    pub(crate) path: Spanned<String>,
    /// `[requests.expect]`: what must be observed.
    pub(crate) expect: Option<RawExpect>,
    /// How many times the request is sent, 1..=1000; default 1. `expect` applies to each.
    #[schemars(with = "Option<i64>")]
    pub(crate) repeat: Option<Spanned<i64>>,
    /// `[requests.expect_repeats]`: what must hold over all the repeats together.
    #[schemars(with = "Option<RawRepeatExpect>")]
    pub(crate) expect_repeats: Option<Spanned<RawRepeatExpect>>,
}

/// `[requests.expect_repeats]`: every field optional; an absent field is not checked.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an expect_repeats table")]
pub(crate) struct RawRepeatExpect {
    /// Targets each reached by at least one repeat.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) reached: Vec<Spanned<String>>,
    /// Targets no repeat reached.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub(crate) not_reached: Vec<Spanned<String>>,
    /// At least this many repeats failed (no response, or a status of 500 or more).
    #[schemars(with = "Option<i64>")]
    pub(crate) min_failed: Option<Spanned<i64>>,
    /// At most this many repeats failed.
    #[schemars(with = "Option<i64>")]
    pub(crate) max_failed: Option<Spanned<i64>>,
}

/// `[requests.expect]`: every field optional; an absent field is not checked.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, expecting = "an expect table")]
pub(crate) struct RawExpect {
    /// The status code the client receives, 100..=599.
    #[schemars(with = "Option<i64>")]
    pub(crate) status: Option<Spanned<i64>>,
    /// Whose certificate the gateway validated: `none`, `nlb:<nlb>:<port>`,
    /// `alb:<alb>:<port>` or `target:<name>`.
    #[schemars(with = "Option<String>")]
    pub(crate) validated: Option<Spanned<String>>,
    /// The exact execution-log failure line.
    #[schemars(with = "Option<String>")]
    pub(crate) error: Option<Spanned<String>>,
    /// A substring of the execution-log failure line.
    #[schemars(with = "Option<String>")]
    pub(crate) error_contains: Option<Spanned<String>>,
    /// `true`: the execution log has no failure line (`false`: it has one).
    #[schemars(with = "Option<bool>")]
    pub(crate) no_error: Option<Spanned<bool>>,
    /// A text the execution log's failure line must not contain (none at all passes).
    #[schemars(with = "Option<String>")]
    pub(crate) error_not_contains: Option<Spanned<String>>,
    /// A substring of the response body.
    pub(crate) body_contains: Option<String>,
    /// A text the response body must not contain.
    pub(crate) body_not_contains: Option<String>,
    /// The `[certificates]` name of the leaf the gateway validated.
    #[schemars(with = "Option<String>")]
    pub(crate) validated_certificate: Option<Spanned<String>>,
    /// `[certificates]` names presented during the request but not validated (a target's
    /// certificate behind a TLS-terminating load balancer).
    #[schemars(with = "Option<Vec<String>>")]
    pub(crate) not_validated: Option<Spanned<Vec<Spanned<String>>>>,
    /// The target the request must reach, a `[targets]` name.
    #[schemars(with = "Option<String>")]
    pub(crate) target: Option<Spanned<String>>,
    /// `[requests.expect.per_target.<target>]`: checked only when the request reaches that
    /// target; same fields but `target` and `per_target`.
    #[serde(default)]
    pub(crate) per_target: Named<RawExpect>,
}

const fn yes() -> bool {
    true
}

/// A table of tables keyed by name (`[nlbs.internal]`), in file order.
///
/// toml's tables are sorted by key, so the entries are re-sorted by where their keys are
/// written.
#[derive(Debug, Clone)]
pub(crate) struct Named<T>(pub(crate) Vec<(Spanned<String>, Spanned<T>)>);

impl<T> Default for Named<T> {
    fn default() -> Self {
        Named(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamedVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for NamedVisitor<T> {
            type Value = Named<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a table of tables keyed by name")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(Spanned<String>, Spanned<T>)> = Vec::new();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let value = map.next_value::<Spanned<T>>()?;
                    entries.push((key, value));
                }
                entries.sort_by_key(|(key, _)| key.span().start);
                Ok(Named(entries))
            }
        }

        deserializer.deserialize_map(NamedVisitor(PhantomData))
    }
}

/// A time as written: a string (RFC 3339, offset or `now`) or a native TOML datetime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawTime {
    /// A string, parsed by `validate`.
    Text(String),
    /// A TOML datetime literal (`not_before = 2026-01-01T00:00:00Z`).
    Native(toml::value::Datetime),
}

impl<'de> Deserialize<'de> for RawTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TimeVisitor;

        impl<'de> Visitor<'de> for TimeVisitor {
            type Value = RawTime;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 time, an offset such as \"-1d\" or \"+90d\", or \"now\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawTime::Text(v.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let datetime =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawTime::Native(datetime))
            }
        }

        deserializer.deserialize_any(TimeVisitor)
    }
}

/// `chain`: a preset name or an explicit list of certificate/authority names.
#[derive(Debug, Clone)]
pub(crate) enum RawChain {
    /// `"leaf"`, `"leaf+intermediates"`, …
    Preset(String),
    /// `["api", "public-int"]`.
    Explicit(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for RawChain {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChainVisitor;

        impl<'de> Visitor<'de> for ChainVisitor {
            type Value = RawChain;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a chain preset such as \"leaf+intermediates\" or an array of names")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawChain::Preset(v.to_owned()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<Spanned<String>>()? {
                    names.push(name);
                }
                Ok(RawChain::Explicit(names))
            }
        }

        deserializer.deserialize_any(ChainVisitor)
    }
}
