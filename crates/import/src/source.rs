//! The infrastructure-code sources an import reads, and telling their formats apart.

use std::fmt;
use std::path::Path;

use crate::document::{self, Document, Warning, read_source_text};
use crate::error::ImportError;
use crate::placeholders::Values;
use crate::topology::Topology;
use crate::{cloudformation, openapi, terraform};

/// The kinds of source an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceFormat {
    /// An OpenAPI 3 or Swagger 2 export with API Gateway extensions (`aws apigateway
    /// get-export`, `aws apigatewayv2 export-api`), JSON or YAML.
    OpenApi,
    /// A CloudFormation template (also SAM, and CDK's `cdk synth` output), JSON or YAML.
    CloudFormation,
    /// `terraform show -json` of a plan or of the state.
    Terraform,
}

impl SourceFormat {
    /// Every format with its spelling (`--from`): the one table of spellings.
    pub const ALL: [(&'static str, SourceFormat); 3] = [
        ("openapi", SourceFormat::OpenApi),
        ("cloudformation", SourceFormat::CloudFormation),
        ("terraform", SourceFormat::Terraform),
    ];

    /// The format spelt `text`.
    pub fn from_spelling(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == text)
            .map(|(_, format)| *format)
    }

    /// The spelling.
    pub fn spelling(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, format)| *format == self)
            .map_or("openapi", |(name, _)| name)
    }

    /// The format a document's top-level keys show.
    fn detect(doc: &Document) -> Result<SourceFormat, ImportError> {
        let unknown = |reason: &str| ImportError::UnknownFormat {
            file: doc.file.clone(),
            reason: reason.to_owned(),
        };
        let Some(root) = doc.root.as_map() else {
            return Err(unknown(&format!(
                "the document is {}, not a map",
                doc.root.kind()
            )));
        };
        let has = |key: &str| root.iter().any(|(k, _)| k == key);
        if has("openapi") || has("swagger") {
            Ok(SourceFormat::OpenApi)
        } else if has("Resources") || has("AWSTemplateFormatVersion") {
            Ok(SourceFormat::CloudFormation)
        } else if has("format_version") {
            Ok(SourceFormat::Terraform)
        } else {
            Err(unknown(
                "no top-level openapi or swagger key (OpenAPI), Resources (CloudFormation) or format_version (Terraform)",
            ))
        }
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spelling())
    }
}

/// One source: its text, its name for messages, and its format when the user names it.
#[derive(Debug, Clone)]
pub struct SourceInput {
    /// The file as the user named it.
    pub file: String,
    /// Its text.
    pub text: String,
    /// The format, or `None` to tell it from the document.
    pub format: Option<SourceFormat>,
}

impl SourceInput {
    /// Reads a source file (at most [`crate::MAX_SOURCE_SIZE`] bytes).
    pub fn read(path: &Path, format: Option<SourceFormat>) -> Result<SourceInput, ImportError> {
        Ok(SourceInput {
            file: path.display().to_string(),
            text: read_source_text(path)?,
            format,
        })
    }
}

/// Parses a source and reads the topology it describes.
/// `values` are the sidecar's: a template's parameters and a plan's unknowns take them.
pub(crate) fn read(
    input: &SourceInput,
    values: &Values,
) -> Result<(Topology, Vec<Warning>), ImportError> {
    let doc = document::parse(&input.file, &input.text)?;
    let format = match input.format {
        Some(format) => format,
        None => SourceFormat::detect(&doc)?,
    };
    match format {
        SourceFormat::OpenApi => openapi::read(&doc),
        SourceFormat::CloudFormation => cloudformation::read(&doc, values),
        SourceFormat::Terraform => terraform::read(&doc, values),
    }
}
