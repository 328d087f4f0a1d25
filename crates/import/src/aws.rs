//! The JSON the AWS CLI prints, as serde structs with AWS's own field names.
//!
//! API Gateway spells fields in camelCase, Elastic Load Balancing v2 in PascalCase. AWS adds
//! fields over time, so unknown fields are ignored (unlike scenario files). Every field below
//! the top level is optional because AWS documents them as optional; the importer turns a
//! missing one into a placeholder. The top-level key of each command's output is required, so
//! passing one command's output where another's is expected is an error, not an empty import.

use serde::Deserialize;

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
    /// What the listener does with a connection.
    #[serde(default)]
    pub(crate) default_actions: Vec<Action>,
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

/// A listener action.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Action {
    /// `forward` for an NLB.
    #[serde(rename = "Type")]
    pub(crate) kind: Option<String>,
    /// The target group of a simple forward.
    pub(crate) target_group_arn: Option<String>,
    /// The target groups of a forward written with a forward config.
    pub(crate) forward_config: Option<ForwardConfig>,
}

/// A forward action's target groups.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ForwardConfig {
    /// Target groups with weights.
    #[serde(default)]
    pub(crate) target_groups: Vec<TargetGroupTuple>,
}

/// One target group of a forward config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TargetGroupTuple {
    /// The target group.
    pub(crate) target_group_arn: Option<String>,
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
