//! Scenarios from where users keep their configuration, and API Gateway patch operations
//! applied to scenario routes.
//!
//! [`import`] reads infrastructure code (OpenAPI exports with API Gateway extensions,
//! CloudFormation/SAM/CDK templates, Terraform `show -json` plans and state) and the JSON the
//! AWS CLI prints, merges what they describe into one topology, and writes a scenario TOML.
//! What no source contains (target certificates, the content of ACM certificates,
//! stage-variable values, values known only after deployment) comes from a small
//! [`Sidecar`] file; each value it does not give is an [`OpenPlaceholder`], listed, written
//! into a sidecar skeleton ([`sidecar_skeleton`]), and written into the scenario as a
//! `TODO(import)` value that fails validation where it stands, so the scenario refuses to run
//! until the placeholder is filled. Nothing is guessed silently.
//!
//! [`compare_runs`] sets the runs of two imported scenarios (the `main` branch's plan and a
//! pull request's) side by side, route by route, with a verdict each.
//!
//! [`parse_patch_operations`] reads `aws apigateway update-integration --patch-operations`
//! text, and [`apply_to_scenario`] changes routes the way those operations change an
//! integration, then validates the scenario again, so a fix can be tried before it is made in
//! AWS and meets the same rules as a scenario file.
//!
//! # Layout
//! - `inputs`: [`ImportInputs`] and [`Imported`].
//! - `source`: [`SourceInput`], [`SourceFormat`] and format detection.
//! - `document`: JSON and YAML read into one located tree ([`SourceLocation`], [`Warning`]).
//! - `openapi`: OpenAPI exports (REST and HTTP API) → routes.
//! - `cloudformation`: templates → the topology, with `intrinsics` resolving `Ref`,
//!   `Fn::GetAtt`, `Fn::Sub` and the rest offline.
//! - `terraform`: `terraform show -json` plans and state → the topology.
//! - `topology`: what the sources describe, in AWS's shapes; also the AWS CLI JSON reader.
//! - `aws`: the AWS CLI's JSON shapes (serde, AWS field names, unknown fields ignored).
//! - `placeholders`: `${name}` placeholders and [`OpenPlaceholder`].
//! - `sidecar`: [`Sidecar`], and [`sidecar_skeleton`].
//! - `build`: topology → TOML: `routes`, `balancers` (which load balancers are written, NLB
//!   listeners, and what NLB and ALB listeners share: certificates, policies, target group
//!   names), `albs` (ALBs, their listeners and rules), `groups` (target groups and targets),
//!   `certificates` (PEM or generated).
//! - `doc`: a TOML writer that keeps comments and records placeholders.
//! - `names`: scenario names from ARNs and ids.
//! - `diff`: [`compare_runs`], the before/after table as text, JSON and JUnit XML.
//! - `output`: [`write_atomically`].
//! - `patch`: `parse` (shorthand and JSON), `apply` (routes changed in the scenario's written
//!   form, then validated again).
//! - `error`: [`ImportError`] and [`PatchError`].

#![warn(missing_docs)]

mod aws;
mod build;
mod cloudformation;
mod diff;
mod doc;
mod document;
mod error;
mod inputs;
mod names;
mod openapi;
mod output;
mod patch;
mod placeholders;
mod sidecar;
mod source;
mod terraform;
mod topology;

pub use diff::{Comparison, RouteComparison, RouteOutcome, Verdict, compare_runs};
pub use document::{MAX_SOURCE_SIZE, SourceLocation, Warning, read_source_text};
pub use error::{ImportError, PatchError};
pub use inputs::{
    CertificateMapping, ImportInputs, Imported, IntegrationInput, ListenerCertificatesInput,
    PemFiles, TargetCertificateMapping, TargetHealthInput,
};
pub use output::write_atomically;
pub use patch::{Op, PatchOp, RouteSelector, SUPPORTED, apply_to_scenario, parse_patch_operations};
pub use placeholders::{CertificateSuggestion, OpenPlaceholder, PlaceholderKind};
pub use sidecar::{Issuer, Sidecar, sidecar_skeleton};
pub use source::{SourceFormat, SourceInput};

/// Builds a scenario from the sources, the AWS CLI exports and the sidecar. Fails on input
/// that is malformed or says something the import cannot go on past (each error names the
/// file and where in it); anything merely missing becomes a placeholder.
pub fn import(inputs: ImportInputs) -> Result<Imported, ImportError> {
    let mut topology = topology::Topology::from_cli_exports(&inputs)?;
    let mut warnings = Vec::new();
    let values = inputs
        .sidecar
        .as_ref()
        .map(|s| s.values.clone())
        .unwrap_or_default();
    for input in &inputs.sources {
        let (read, found) = source::read(input, &values)?;
        topology.merge(read);
        warnings.extend(found);
    }
    if let Some(sidecar) = &inputs.sidecar {
        topology.apply_sidecar(sidecar);
    }
    if topology.routes.is_empty() {
        if inputs.sources.is_empty() {
            return Err(ImportError::NoIntegrations);
        }
        return Err(ImportError::NoRoutes {
            sources: inputs
                .sources
                .iter()
                .map(|s| s.file.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let target = build::Target {
        name: inputs.name.clone(),
        dir: inputs.scenario_dir.clone(),
    };
    let mut imported = build::write(&topology, &target)?;
    warnings.append(&mut imported.warnings);
    imported.warnings = warnings;
    Ok(imported)
}
