//! The sidecar file: what no source contains, kept next to the infrastructure code.
//!
//! ```toml
//! [stage_variables]            # a stage's values for ${stageVariables.NAME}
//! vpcLinkId = "OrdersLink"     # a VPC link id, or the name the template or plan gives it
//!
//! [values]                     # values known only after deployment, by placeholder name
//! "OrdersNlb.DNSName" = "internal-orders-1234.elb.eu-west-1.amazonaws.com"
//!
//! [certificates."arn:aws:acm:…"]   # a listener certificate, by ARN or by the source's name
//! generate = { issuer = "public-ca", dns_names = ["orders.example.com"] }
//!
//! [targets."10.0.1.15"]            # a target's certificate, by target id or target group
//! pem_chain = "certs/app.chain.pem"  # relative to this file
//! pem_key = "certs/app.key.pem"
//! ```
//!
//! Strict like a scenario: an unknown key is an error located in the file.
//! docs/import.md documents every key.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::document::read_source_text;
use crate::error::ImportError;
use crate::placeholders::{OpenPlaceholder, PlaceholderKind, Values};

/// Who issues a generated certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub enum Issuer {
    /// A CA API Gateway trusts (an ACM public certificate, or one from a public CA).
    PublicCa,
    /// A private CA API Gateway does not trust (ACM Private CA, a corporate CA).
    PrivateCa,
    /// The certificate signs itself.
    SelfSigned,
}

impl Issuer {
    /// Every issuer with its sidecar spelling: the one table of spellings.
    pub const ALL: [(&'static str, Issuer); 3] = [
        ("public-ca", Issuer::PublicCa),
        ("private-ca", Issuer::PrivateCa),
        ("self-signed", Issuer::SelfSigned),
    ];

    /// The sidecar spelling.
    pub fn spelling(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, issuer)| *issuer == self)
            .map_or("public-ca", |(name, _)| name)
    }
}

impl TryFrom<String> for Issuer {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::ALL
            .iter()
            .find(|(name, _)| *name == value)
            .map(|(_, issuer)| *issuer)
            .ok_or_else(|| {
                format!(
                    "unknown issuer {value:?} (expected one of: {})",
                    Self::ALL
                        .iter()
                        .map(|(name, _)| format!("{name:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

impl fmt::Display for Issuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.spelling())
    }
}

/// How to make a look-alike certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Generate {
    pub(crate) issuer: Issuer,
    pub(crate) dns_names: Vec<String>,
    pub(crate) common_name: Option<String>,
    /// A scenario time (`"-1d"`, RFC 3339, `"now"`).
    pub(crate) not_before: Option<String>,
    /// A scenario time.
    pub(crate) not_after: Option<String>,
}

/// Where a certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertSource {
    /// PEM files (absolute paths once the sidecar is loaded).
    Pem { chain: PathBuf, key: PathBuf },
    /// Generated for the run.
    Generate(Generate),
}

/// A loaded sidecar.
#[derive(Debug, Clone, Default)]
pub struct Sidecar {
    pub(crate) values: Values,
    pub(crate) certificates: BTreeMap<String, CertSource>,
    pub(crate) targets: BTreeMap<String, CertSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSidecar {
    #[serde(default)]
    stage_variables: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    values: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    certificates: BTreeMap<String, Spanned<RawCertificate>>,
    #[serde(default)]
    targets: BTreeMap<String, Spanned<RawCertificate>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertificate {
    generate: Option<RawGenerate>,
    pem_chain: Option<String>,
    pem_key: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGenerate {
    issuer: Issuer,
    #[serde(default)]
    dns_names: Vec<String>,
    common_name: Option<String>,
    not_before: Option<String>,
    not_after: Option<String>,
}

impl Sidecar {
    /// Reads a sidecar file; PEM paths in it are relative to its directory.
    pub fn load(path: &Path) -> Result<Sidecar, ImportError> {
        let text = read_source_text(path)?;
        let dir = path.parent().unwrap_or(Path::new(""));
        Sidecar::parse(&text, &path.display().to_string(), dir)
    }

    /// Parses sidecar text; `file` names it in errors, `dir` is where relative PEM paths
    /// start.
    pub fn parse(text: &str, file: &str, dir: &Path) -> Result<Sidecar, ImportError> {
        let located = |span: Option<std::ops::Range<usize>>, field: &str, message: String| {
            let (line, column) = line_column(text, span.map_or(0, |s| s.start));
            ImportError::Sidecar {
                file: file.to_owned(),
                line,
                column,
                field: field.to_owned(),
                message,
            }
        };
        let raw: RawSidecar = toml::from_str(text)
            .map_err(|e| located(e.span(), "(sidecar)", e.message().to_owned()))?;
        let mut sidecar = Sidecar::default();
        for (table, raw_map, out) in [
            (
                "stage_variables",
                &raw.stage_variables,
                &mut sidecar.values.stage_variables,
            ),
            ("values", &raw.values, &mut sidecar.values.values),
        ] {
            for (key, value) in raw_map {
                if value.get_ref().trim().is_empty() {
                    return Err(located(
                        Some(value.span()),
                        &format!("{table}.{key:?}"),
                        "empty value (give the value, or leave the key out while it is open)"
                            .into(),
                    ));
                }
                out.insert(key.clone(), value.get_ref().clone());
            }
        }
        let absolute_dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
        for (table, raw_map, out) in [
            ("certificates", &raw.certificates, &mut sidecar.certificates),
            ("targets", &raw.targets, &mut sidecar.targets),
        ] {
            for (key, entry) in raw_map {
                let field = format!("{table}.{key:?}");
                let source = certificate(entry.get_ref(), &absolute_dir)
                    .map_err(|message| located(Some(entry.span()), &field, message.to_owned()))?;
                out.insert(key.clone(), source);
            }
        }
        Ok(sidecar)
    }
}

/// What one sidecar entry says to do with a certificate; the error says which keys are missing
/// or clash.
fn certificate(raw: &RawCertificate, dir: &Path) -> Result<CertSource, &'static str> {
    match (&raw.generate, &raw.pem_chain, &raw.pem_key) {
        (Some(g), None, None) => {
            if g.dns_names.is_empty() && g.common_name.is_none() {
                return Err(
                    "generate needs dns_names (or a common_name): the names the certificate carries",
                );
            }
            Ok(CertSource::Generate(Generate {
                issuer: g.issuer,
                dns_names: g.dns_names.clone(),
                common_name: g.common_name.clone(),
                not_before: g.not_before.clone(),
                not_after: g.not_after.clone(),
            }))
        }
        (None, Some(chain), Some(key)) => Ok(CertSource::Pem {
            chain: dir.join(chain),
            key: dir.join(key),
        }),
        (None, Some(_), None) => Err("pem_chain needs pem_key (the leaf's PKCS#8 key)"),
        (None, None, Some(_)) => Err("pem_key needs pem_chain (the chain, leaf first)"),
        (None, None, None) => {
            Err("give either generate = { issuer = …, dns_names = […] } or pem_chain and pem_key")
        }
        (Some(_), _, _) => Err("give either generate or pem_chain/pem_key, not both"),
    }
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// `target` written relative to the directory `base`, so a scenario in `base` finds it
/// whatever the working directory; `target` itself when they share no root. Both are
/// resolved first (`..`, symbolic links) when they exist, since the system resolves a
/// relative path's `..` against the real directory; a path that does not exist yet is only
/// made absolute.
pub(crate) fn relative_to(target: &Path, base: &Path) -> PathBuf {
    let resolved = |path: &Path| std::fs::canonicalize(path).or_else(|_| std::path::absolute(path));
    let (Ok(target), Ok(base)) = (resolved(target), resolved(base)) else {
        return target.to_owned();
    };
    let target: Vec<Component<'_>> = target.components().collect();
    let base: Vec<Component<'_>> = base.components().collect();
    if target.first() != base.first() {
        return target.iter().collect();
    }
    let common = target.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for part in &target[common..] {
        out.push(part);
    }
    out
}

/// A sidecar skeleton for the open placeholders: every entry commented out, with what needs
/// it and, for a certificate the source creates, the names to generate it with. Uncomment,
/// fill in, and import again.
pub fn sidecar_skeleton(open: &[OpenPlaceholder]) -> String {
    let mut out = String::from(
        "# hoplab import sidecar: what the infrastructure code does not say.\n\
         # Uncomment each entry, fill it in, and import again with --sidecar pointing here.\n\
         # PEM paths are relative to this file. Format: docs/import.md in the hoplab repository.\n",
    );
    for (kind, table, help) in [
        (
            PlaceholderKind::StageVariable,
            "stage_variables",
            "the value the stage gives each stage variable (a VPC link id may also be the name the template or plan gives the link)",
        ),
        (
            PlaceholderKind::Value,
            "values",
            "values known only after deployment, parameters without a default, other stacks' exports",
        ),
    ] {
        let entries: Vec<&OpenPlaceholder> = open.iter().filter(|p| p.kind == kind).collect();
        if entries.is_empty() {
            continue;
        }
        out.push_str(&format!("\n# {help}\n[{table}]\n"));
        for p in entries {
            out.push_str(&format!(
                "# {} = \"\"  # {}\n",
                crate::doc::bare_or_quoted(&p.key),
                p.needed_by.join("; ")
            ));
        }
    }
    for p in open {
        let table = match p.kind {
            PlaceholderKind::Certificate => "certificates",
            PlaceholderKind::TargetCertificate => "targets",
            PlaceholderKind::StageVariable | PlaceholderKind::Value => continue,
        };
        out.push_str(&format!("\n# {}\n", p.needed_by.join("; ")));
        out.push_str(&format!(
            "# [{table}.{}]\n",
            crate::doc::bare_or_quoted(&p.key)
        ));
        let (issuer, names) = match &p.suggestion {
            Some(s) if !s.dns_names.is_empty() => (s.issuer, s.dns_names.clone()),
            Some(s) => (s.issuer, vec!["api.example.com".to_owned()]),
            None => (Issuer::PublicCa, vec!["api.example.com".to_owned()]),
        };
        let names: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
        out.push_str(&format!(
            "# generate = {{ issuer = \"{issuer}\", dns_names = [{}] }}  # issuer: public-ca, private-ca or self-signed; not_before/not_after as in scenarios\n",
            names.join(", ")
        ));
        out.push_str("# # or your own files:\n# # pem_chain = \"certs/NAME.chain.pem\"\n# # pem_key = \"certs/NAME.key.pem\"\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_table() {
        let text = r#"
[stage_variables]
vpcLinkId = "OrdersLink"

[values]
"OrdersNlb.DNSName" = "internal-orders.elb.eu-west-1.amazonaws.com"

[certificates."arn:aws:acm:eu-west-1:111122223333:certificate/abc"]
generate = { issuer = "private-ca", dns_names = ["orders.example.com"], not_after = "+30d" }

[targets.OrdersTg]
pem_chain = "certs/app.chain.pem"
pem_key = "certs/app.key.pem"
"#;
        let sidecar = Sidecar::parse(text, "s.toml", Path::new("/infra")).expect("valid");
        assert_eq!(
            sidecar.values.get("stageVariables.vpcLinkId"),
            Some("OrdersLink")
        );
        assert!(sidecar.values.get("OrdersNlb.DNSName").is_some());
        let Some(CertSource::Generate(g)) = sidecar
            .certificates
            .get("arn:aws:acm:eu-west-1:111122223333:certificate/abc")
        else {
            panic!("a generated certificate");
        };
        assert_eq!(g.issuer, Issuer::PrivateCa);
        assert_eq!(g.not_after.as_deref(), Some("+30d"));
        assert_eq!(
            sidecar.targets.get("OrdersTg"),
            Some(&CertSource::Pem {
                chain: PathBuf::from("/infra/certs/app.chain.pem"),
                key: PathBuf::from("/infra/certs/app.key.pem"),
            })
        );
    }

    #[test]
    fn mistakes_are_located() {
        let error =
            Sidecar::parse("[values]\na = 1\n", "s.toml", Path::new("")).expect_err("a number");
        assert!(error.to_string().starts_with("s.toml:2:"), "{error}");
        let error = Sidecar::parse("[certificate.x]\n", "s.toml", Path::new(""))
            .expect_err("unknown table");
        assert!(error.to_string().contains("unknown field"), "{error}");
        let error = Sidecar::parse(
            "[certificates.x]\ngenerate = { issuer = \"acm\" }\n",
            "s.toml",
            Path::new(""),
        )
        .expect_err("bad issuer");
        assert!(error.to_string().contains("\"public-ca\""), "{error}");
        let error = Sidecar::parse(
            "\n[targets.t]\npem_chain = \"a.pem\"\n",
            "s.toml",
            Path::new(""),
        )
        .expect_err("no key");
        assert!(
            error
                .to_string()
                .starts_with("s.toml:2:1: targets.\"t\": pem_chain needs pem_key"),
            "{error}"
        );
        let error =
            Sidecar::parse("[values]\nx = \" \"\n", "s.toml", Path::new("")).expect_err("empty");
        assert!(error.to_string().contains("empty value"), "{error}");
    }

    #[test]
    fn paths_become_relative_to_the_scenario() {
        assert_eq!(
            relative_to(Path::new("/infra/certs/a.pem"), Path::new("/infra/out")),
            PathBuf::from("../certs/a.pem")
        );
        assert_eq!(
            relative_to(Path::new("/infra/a.pem"), Path::new("/infra")),
            PathBuf::from("a.pem")
        );
    }

    #[test]
    fn dot_dot_in_an_existing_directory_is_resolved_before_the_path_is_made_relative() {
        let root = tempfile::tempdir().expect("tempdir");
        for dir in ["certs", "sub", "out"] {
            std::fs::create_dir(root.path().join(dir)).expect("mkdir");
        }
        let pem = root.path().join("certs/a.pem");
        std::fs::write(&pem, "").expect("write");
        // `sub/../out` is `out`: one level below the root, whatever `sub` is.
        let base = root.path().join("sub/../out");
        assert_eq!(relative_to(&pem, &base), PathBuf::from("../certs/a.pem"));
    }
}
