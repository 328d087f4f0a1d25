//! The JSON the AWS CLI prints, as serde structs with AWS's own field names.
//!
//! API Gateway spells fields in camelCase, Elastic Load Balancing v2 in PascalCase. AWS adds
//! fields over time, so unknown fields are ignored (unlike scenario files). Every field below
//! the top level is optional because AWS documents them as optional; the importer turns a
//! missing one into a placeholder. The top-level key of each command's output is required, so
//! passing one command's output where another's is expected is an error, not an empty import.

use serde::Deserialize;
use serde::de::{self, Deserializer};

use crate::document::SourceLocation;

/// Listener and target group protocols Elastic Load Balancing defines (CloudFormation's
/// schema lags: QUIC and TCP_QUIC are newer).
pub(crate) const PROTOCOLS: [&str; 9] = [
    "HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP", "GENEVE", "QUIC", "TCP_QUIC",
];

/// The warning for a listener or target group protocol Elastic Load Balancing does not
/// define (`what`: `listener`, `target group`), if it is one.
pub(crate) fn unknown_protocol(what: &str, protocol: Option<&str>) -> Option<String> {
    let protocol = protocol?;
    (!PROTOCOLS.contains(&protocol)).then(|| {
        format!(
            "unknown {what} protocol {protocol} (known: {})",
            PROTOCOLS.join(", ")
        )
    })
}

/// `aws apigateway get-integration`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Integration {
    /// `HTTP`, `HTTP_PROXY`, `AWS`, `AWS_PROXY` or `MOCK`.
    #[serde(rename = "type")]
    pub(crate) kind: Option<String>,
    /// The backend method (not the method of the resource the integration belongs to).
    pub(crate) http_method: Option<String>,
    /// The integration endpoint.
    pub(crate) uri: Option<String>,
    /// `INTERNET` (the default when absent) or `VPC_LINK`.
    pub(crate) connection_type: Option<String>,
    /// The VPC link id when `connectionType` is `VPC_LINK`.
    pub(crate) connection_id: Option<String>,
    /// A load balancer ARN, for REST private integrations through a VPC link V2.
    pub(crate) integration_target: Option<String>,
    /// `timeoutInMillis`.
    pub(crate) timeout_in_millis: Option<i64>,
    /// `tlsConfig`.
    pub(crate) tls_config: Option<TlsConfig>,
}

/// An integration's `tlsConfig`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TlsConfig {
    /// `insecureSkipVerification` (REST).
    pub(crate) insecure_skip_verification: Option<bool>,
    /// `serverNameToVerify` (HTTP API): the SNI sent and the name checked.
    pub(crate) server_name_to_verify: Option<String>,
}

/// `aws apigateway get-vpc-link`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VpcLink {
    /// The id integrations name in `connectionId`.
    pub(crate) id: String,
    /// Display name.
    pub(crate) name: Option<String>,
    /// The NLB ARNs (a REST VPC link has exactly one).
    #[serde(default)]
    pub(crate) target_arns: Vec<String>,
    /// `AVAILABLE`, `PENDING`, `DELETING` or `FAILED`.
    pub(crate) status: Option<String>,
}

/// `aws elbv2 describe-listeners`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeListeners {
    /// The listeners.
    pub(crate) listeners: Vec<Listener>,
}

/// One load balancer listener.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Listener {
    /// The listener's ARN.
    pub(crate) listener_arn: Option<String>,
    /// The load balancer it belongs to.
    pub(crate) load_balancer_arn: Option<String>,
    /// The port.
    pub(crate) port: Option<i64>,
    /// `TCP`, `TLS`, `UDP`, `TCP_UDP`, … (`HTTP`/`HTTPS` on an ALB).
    pub(crate) protocol: Option<String>,
    /// The default certificate (describe-listeners shows only the default one).
    #[serde(default)]
    pub(crate) certificates: Vec<Certificate>,
    /// The security policy name.
    pub(crate) ssl_policy: Option<String>,
    /// ALPN policy names.
    #[serde(default)]
    pub(crate) alpn_policy: Vec<String>,
    /// What the listener does with a connection (or, on an ALB, a request no rule takes).
    #[serde(default)]
    pub(crate) default_actions: Vec<Action>,
    /// Where the source describes it, for warnings (set by the reader).
    #[serde(skip)]
    pub(crate) origin: Option<SourceLocation>,
}

/// A listener certificate.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Certificate {
    /// ACM or IAM certificate ARN.
    pub(crate) certificate_arn: Option<String>,
    /// Present in describe-listener-certificates output; absent in describe-listeners.
    pub(crate) is_default: Option<bool>,
}

/// A listener or listener rule action. CloudFormation's `Actions` and `DefaultActions` have
/// the same shape, so templates are read through these structs too.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Action {
    /// `forward`, `fixed-response`, `redirect`, `authenticate-oidc`, `authenticate-cognito`.
    #[serde(rename = "Type")]
    pub(crate) kind: Option<String>,
    /// Where the action stands among a rule's actions (lowest first).
    #[serde(default, deserialize_with = "int_or_text")]
    pub(crate) order: Option<i64>,
    /// The target group of a simple forward.
    pub(crate) target_group_arn: Option<String>,
    /// The target groups of a forward written with a forward config.
    pub(crate) forward_config: Option<ForwardConfig>,
    /// What a `fixed-response` answers.
    pub(crate) fixed_response_config: Option<FixedResponseConfig>,
    /// Where a `redirect` sends.
    pub(crate) redirect_config: Option<RedirectConfig>,
}

/// A forward action's target groups.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ForwardConfig {
    /// Target groups with weights.
    #[serde(default)]
    pub(crate) target_groups: Vec<TargetGroupTuple>,
    /// Group stickiness (not modelled).
    pub(crate) target_group_stickiness_config: Option<StickinessConfig>,
}

/// One target group of a forward config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TargetGroupTuple {
    /// The target group.
    pub(crate) target_group_arn: Option<String>,
    /// Its weight, 0 to 999 (AWS's default 1).
    #[serde(default, deserialize_with = "int_or_text")]
    pub(crate) weight: Option<i64>,
}

/// A forward config's target group stickiness.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StickinessConfig {
    /// Whether it is on.
    #[serde(default, deserialize_with = "bool_or_text")]
    pub(crate) enabled: Option<bool>,
}

/// A `fixed-response` action's answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FixedResponseConfig {
    /// The status, a 2XX, 4XX or 5XX code (AWS writes it as a string).
    #[serde(default, deserialize_with = "text_or_int")]
    pub(crate) status_code: Option<String>,
    /// `text/plain`, `text/css`, `text/html`, `application/javascript`, `application/json`.
    pub(crate) content_type: Option<String>,
    /// The body.
    pub(crate) message_body: Option<String>,
}

/// A `redirect` action's target; each part may hold `#{protocol}`, `#{host}`, ….
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RedirectConfig {
    /// `HTTP_301` or `HTTP_302`.
    pub(crate) status_code: Option<String>,
    /// `HTTP`, `HTTPS` or `#{protocol}`.
    pub(crate) protocol: Option<String>,
    /// The host.
    pub(crate) host: Option<String>,
    /// The port (a string: it may be `#{port}`).
    #[serde(default, deserialize_with = "text_or_int")]
    pub(crate) port: Option<String>,
    /// The path.
    pub(crate) path: Option<String>,
    /// The query, without `?`.
    pub(crate) query: Option<String>,
}

/// `aws elbv2 describe-rules`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeRules {
    /// The listener's rules, the default rule among them.
    pub(crate) rules: Vec<Rule>,
}

/// One listener rule of an ALB.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Rule {
    /// Its ARN (the listener's ARN is inside it).
    pub(crate) rule_arn: Option<String>,
    /// `1`..`50000` (AWS writes it as a string), or `default`.
    #[serde(default, deserialize_with = "text_or_int")]
    pub(crate) priority: Option<String>,
    /// All must match.
    #[serde(default)]
    pub(crate) conditions: Vec<RuleCondition>,
    /// What the rule does: optional authentication, then one final action.
    #[serde(default)]
    pub(crate) actions: Vec<Action>,
    /// Whether it is the listener's default rule.
    #[serde(default, deserialize_with = "bool_or_text")]
    pub(crate) is_default: Option<bool>,
}

/// A listener rule condition: `Field` with its config, or the older `Values` alone.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RuleCondition {
    /// `host-header`, `path-pattern`, `http-header`, `http-request-method`, `query-string`,
    /// `source-ip`.
    pub(crate) field: Option<String>,
    /// The older form of host-header and path-pattern values.
    #[serde(default)]
    pub(crate) values: Vec<String>,
    /// `host-header` values.
    pub(crate) host_header_config: Option<ValuesConfig>,
    /// `path-pattern` values.
    pub(crate) path_pattern_config: Option<ValuesConfig>,
    /// `http-header` name and values.
    pub(crate) http_header_config: Option<HttpHeaderConfig>,
    /// `http-request-method` values.
    pub(crate) http_request_method_config: Option<ValuesConfig>,
    /// `query-string` pairs.
    pub(crate) query_string_config: Option<QueryStringConfig>,
    /// `source-ip` CIDR blocks.
    pub(crate) source_ip_config: Option<ValuesConfig>,
    /// Regular-expression values, which hoplab's rules do not evaluate.
    #[serde(default)]
    pub(crate) regex_values: Vec<String>,
}

/// A condition config that is a list of values.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ValuesConfig {
    /// The values.
    #[serde(default)]
    pub(crate) values: Vec<String>,
    /// Regular-expression values, which hoplab's rules do not evaluate.
    #[serde(default)]
    pub(crate) regex_values: Vec<String>,
}

/// An `http-header` condition's config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct HttpHeaderConfig {
    /// The header.
    pub(crate) http_header_name: Option<String>,
    /// Value patterns.
    #[serde(default)]
    pub(crate) values: Vec<String>,
    /// Regular-expression values, which hoplab's rules do not evaluate.
    #[serde(default)]
    pub(crate) regex_values: Vec<String>,
}

/// A `query-string` condition's config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct QueryStringConfig {
    /// Key/value patterns.
    #[serde(default)]
    pub(crate) values: Vec<QueryPair>,
}

/// One `query-string` pair; no key matches any key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct QueryPair {
    /// The key pattern.
    pub(crate) key: Option<String>,
    /// The value pattern.
    pub(crate) value: Option<String>,
}

/// `aws elbv2 describe-load-balancers`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeLoadBalancers {
    /// The load balancers.
    pub(crate) load_balancers: Vec<LoadBalancerDescription>,
}

/// One load balancer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LoadBalancerDescription {
    /// Its ARN.
    pub(crate) load_balancer_arn: Option<String>,
    /// Its name.
    pub(crate) load_balancer_name: Option<String>,
    /// Its DNS name.
    #[serde(rename = "DNSName")]
    pub(crate) dns_name: Option<String>,
    /// `application`, `network` or `gateway`.
    #[serde(rename = "Type")]
    pub(crate) kind: Option<String>,
}

/// `aws elbv2 describe-listener-certificates`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeListenerCertificates {
    /// The default certificate (`IsDefault: true`) and the certificate list.
    pub(crate) certificates: Vec<Certificate>,
}

/// `aws elbv2 describe-target-groups`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeTargetGroups {
    /// The target groups.
    pub(crate) target_groups: Vec<TargetGroup>,
}

/// One target group.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TargetGroup {
    /// Its ARN.
    pub(crate) target_group_arn: Option<String>,
    /// Its name.
    pub(crate) target_group_name: Option<String>,
    /// `TCP`, `TLS`, `UDP`, `TCP_UDP`, … (`HTTP`/`HTTPS` for an ALB's groups).
    pub(crate) protocol: Option<String>,
    /// The port targets listen on unless registered with their own.
    pub(crate) port: Option<i64>,
    /// `instance`, `ip`, `lambda` or `alb`.
    pub(crate) target_type: Option<String>,
    /// Whether health checks run.
    pub(crate) health_check_enabled: Option<bool>,
    /// Health check protocol.
    pub(crate) health_check_protocol: Option<String>,
    /// Health check port (`traffic-port` or a number).
    pub(crate) health_check_port: Option<String>,
    /// Health check path (HTTP/HTTPS checks).
    pub(crate) health_check_path: Option<String>,
    /// Seconds between checks.
    pub(crate) health_check_interval_seconds: Option<i64>,
    /// Seconds before a check fails.
    pub(crate) health_check_timeout_seconds: Option<i64>,
    /// Successes before healthy.
    pub(crate) healthy_threshold_count: Option<i64>,
    /// Failures before unhealthy.
    pub(crate) unhealthy_threshold_count: Option<i64>,
    /// Expected HTTP codes.
    pub(crate) matcher: Option<Matcher>,
    /// `load_balancing.algorithm.type` (a target group attribute, which templates and plans
    /// give and describe-target-groups does not).
    #[serde(skip)]
    pub(crate) algorithm: Option<String>,
    /// Where the source describes it, for warnings (set by the reader).
    #[serde(skip)]
    pub(crate) origin: Option<SourceLocation>,
}

/// A health check's expected response codes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Matcher {
    /// HTTP codes, such as `200-399`.
    pub(crate) http_code: Option<String>,
}

/// `aws elbv2 describe-target-health`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DescribeTargetHealth {
    /// One entry per registered target.
    pub(crate) target_health_descriptions: Vec<TargetHealthDescription>,
}

/// One registered target and its health.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TargetHealthDescription {
    /// The target.
    pub(crate) target: Option<TargetDescription>,
    /// Its health.
    pub(crate) target_health: Option<TargetHealth>,
}

impl TargetHealthDescription {
    /// A registered target whose health no source tells.
    pub(crate) fn registered(id: String, port: Option<i64>) -> Self {
        TargetHealthDescription {
            target: Some(TargetDescription { id: Some(id), port }),
            target_health: None,
        }
    }
}

/// A registered target.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TargetDescription {
    /// Instance id, IP address, Lambda ARN or ALB ARN.
    pub(crate) id: Option<String>,
    /// The port, when registered with one.
    pub(crate) port: Option<i64>,
}

/// A target's health.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TargetHealth {
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`, ….
    pub(crate) state: Option<String>,
    /// A reason code such as `Target.FailedHealthChecks`.
    pub(crate) reason: Option<String>,
    /// Free text.
    pub(crate) description: Option<String>,
}

/// A string that templates may write as a number (`StatusCode: 404`, `Priority: 10`).
fn text_or_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(de::Error::custom(format!(
                "expected a string or a number, found {other}"
            )));
        }
    })
}

/// A number that templates may write as a string (`Weight: "3"`).
fn int_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match text_or_int(d)? {
        None => Ok(None),
        Some(text) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| de::Error::custom(format!("expected an integer, found {text:?}"))),
    }
}

/// A boolean that templates may write as a string (`Enabled: "true"`).
fn bool_or_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Bool(b)) => Some(b),
        Some(serde_json::Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(serde_json::Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(other) => {
            return Err(de::Error::custom(format!(
                "expected true or false, found {other}"
            )));
        }
    })
}
