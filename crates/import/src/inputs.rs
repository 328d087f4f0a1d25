//! What an import reads (infrastructure-code sources, the JSON text of AWS CLI commands,
//! and what neither carries: the sidecar and PEM mappings) and what it produces.

use std::path::PathBuf;

use crate::document::Warning;
use crate::placeholders::OpenPlaceholder;
use crate::sidecar::Sidecar;
use crate::source::SourceInput;

/// Everything an import reads. Each JSON field holds the text the AWS CLI printed.
#[derive(Debug, Clone, Default)]
pub struct ImportInputs {
    /// The scenario name; `"imported"` when `None`.
    pub name: Option<String>,
    /// Infrastructure-code sources: OpenAPI exports, CloudFormation templates, Terraform
    /// `show -json` documents, merged into one topology.
    pub sources: Vec<SourceInput>,
    /// What the sources do not say: stage variables, deployment-time values, certificates.
    pub sidecar: Option<Sidecar>,
    /// The directory the scenario will be written to: PEM paths from the sidecar are written
    /// relative to it (absolute when `None`).
    pub scenario_dir: Option<PathBuf>,
    /// `aws apigateway get-integration` outputs, one per route.
    pub integrations: Vec<IntegrationInput>,
    /// `aws apigateway get-vpc-link` outputs.
    pub vpc_links: Vec<String>,
    /// `aws elbv2 describe-load-balancers` outputs: names, DNS names and types (ALB or NLB).
    pub load_balancers: Vec<String>,
    /// `aws elbv2 describe-listeners` outputs (one per load balancer, or one for several).
    pub listeners: Vec<String>,
    /// `aws elbv2 describe-listener-certificates` outputs: the SNI certificate lists, which
    /// describe-listeners does not show.
    pub listener_certificates: Vec<ListenerCertificatesInput>,
    /// `aws elbv2 describe-rules` outputs, one per ALB listener (each rule's ARN names its
    /// listener).
    pub rules: Vec<String>,
    /// `aws elbv2 describe-target-groups` outputs.
    pub target_groups: Vec<String>,
    /// `aws elbv2 describe-target-health` outputs, one per target group.
    pub target_health: Vec<TargetHealthInput>,
    /// PEM files for listener certificates, by ACM (or IAM) certificate ARN.
    pub certificates: Vec<CertificateMapping>,
    /// PEM files for HTTPS targets, by target id (instance id or IP address; for an
    /// `INTERNET` integration, the URI host).
    pub target_certificates: Vec<TargetCertificateMapping>,
}

/// One `get-integration` output and the route it belongs to, which the output does not name.
#[derive(Debug, Clone)]
pub struct IntegrationInput {
    /// The method of the route (`--http-method`), such as `GET` or `ANY`.
    pub method: String,
    /// The resource path, such as `/pets`.
    pub path: String,
    /// The JSON text.
    pub json: String,
}

/// One `describe-listener-certificates` output and the listener it describes.
#[derive(Debug, Clone)]
pub struct ListenerCertificatesInput {
    /// `--listener-arn`.
    pub listener_arn: String,
    /// The JSON text.
    pub json: String,
}

/// One `describe-target-health` output and the target group it describes.
#[derive(Debug, Clone)]
pub struct TargetHealthInput {
    /// `--target-group-arn`.
    pub target_group_arn: String,
    /// The JSON text.
    pub json: String,
}

/// A certificate chain and its private key, as PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemFiles {
    /// The chain a server sends, leaf first.
    pub chain: PathBuf,
    /// The leaf's unencrypted PKCS#8 private key.
    pub key: PathBuf,
}

/// The PEM files standing in for a listener certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateMapping {
    /// The certificate ARN the listener names.
    pub arn: String,
    /// The files.
    pub files: PemFiles,
}

/// The PEM files an HTTPS target serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetCertificateMapping {
    /// The target id as describe-target-health shows it, or an `INTERNET` URI's host.
    pub target_id: String,
    /// The files.
    pub files: PemFiles,
}

/// The result of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// The scenario TOML. Each placeholder is a `# TODO(import): …` comment above a value that
    /// fails validation, so `hoplab validate` points at every one left.
    pub toml: String,
    /// One line per placeholder: `line N: field: what is missing`.
    pub placeholders: Vec<String>,
    /// What was imported but is not modelled (written as comments), and what was skipped.
    pub notes: Vec<String>,
    /// The placeholders the sidecar could fill but did not, each once.
    pub open: Vec<OpenPlaceholder>,
    /// What the sources said that the import went on past, located in them.
    pub warnings: Vec<Warning>,
    /// Set when an https integration validates a certificate but API Gateway trusts no
    /// authority in the scenario: why every such route will fail, and the keys that fix it.
    pub trust_gap: Option<String>,
}
