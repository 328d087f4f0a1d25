//! `hoplab import`: a scenario from AWS CLI exports.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hoplab::import::{
    CertificateMapping, ImportInputs, Imported, IntegrationInput, ListenerCertificatesInput,
    PemFiles, TargetCertificateMapping, TargetHealthInput,
};
use hoplab::{read_export, write_scenario_file};

use super::EXIT_PASSED;
use crate::args::ImportArgs;
use crate::error::{Context, Failure};

/// How every error of `hoplab import` begins.
const IMPORT: &str = "hoplab import";

/// Reads the exports, writes the scenario, and lists what is left to fill in.
pub(super) fn import(args: &ImportArgs) -> Result<ExitCode, Failure> {
    let imported = hoplab::import::import(inputs(args)?).context(IMPORT)?;
    if !args.force && args.output.exists() {
        return Err(Failure::message(
            IMPORT,
            format!(
                "{} exists; pass --force to replace it",
                args.output.display()
            ),
        ));
    }
    write_scenario_file(&args.output, &imported.toml).context(IMPORT)?;
    print_summary(&args.output, &imported);
    Ok(ExitCode::from(EXIT_PASSED))
}

fn print_summary(output: &Path, imported: &Imported) {
    println!("wrote {}", output.display());
    for note in &imported.notes {
        println!("note: {note}");
    }
    if imported.placeholders.is_empty() {
        println!(
            "no placeholders: run `hoplab validate {}`",
            output.display()
        );
    } else {
        println!(
            "{} placeholders to fill in (each marked `# TODO(import)`):",
            imported.placeholders.len()
        );
        for placeholder in &imported.placeholders {
            println!("  {placeholder}");
        }
    }
}

/// The exports the arguments name, read.
fn inputs(args: &ImportArgs) -> Result<ImportInputs, Failure> {
    let mut inputs = ImportInputs {
        name: args.name.clone().or_else(|| {
            args.output
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        }),
        ..ImportInputs::default()
    };
    for spec in &args.integrations {
        let (route, file) = split_pair(spec, "--integration", "'GET /pets=FILE'")?;
        let (method, path) = route.split_once(' ').ok_or_else(|| {
            Failure::message(
                IMPORT,
                format!("--integration {spec:?}: expected 'METHOD /path=FILE'"),
            )
        })?;
        inputs.integrations.push(IntegrationInput {
            method: method.to_owned(),
            path: path.trim().to_owned(),
            json: read(Path::new(file))?,
        });
    }
    inputs.vpc_links = read_all(&args.vpc_links)?;
    inputs.listeners = read_all(&args.listeners)?;
    inputs.target_groups = read_all(&args.target_groups)?;
    for spec in &args.listener_certificates {
        let (arn, file) = split_pair(spec, "--listener-certificates", "'LISTENER_ARN=FILE'")?;
        inputs
            .listener_certificates
            .push(ListenerCertificatesInput {
                listener_arn: arn.to_owned(),
                json: read(Path::new(file))?,
            });
    }
    for spec in &args.target_health {
        let (arn, file) = split_pair(spec, "--target-health", "'TARGET_GROUP_ARN=FILE'")?;
        inputs.target_health.push(TargetHealthInput {
            target_group_arn: arn.to_owned(),
            json: read(Path::new(file))?,
        });
    }
    for spec in &args.certificates {
        let (arn, files) = split_pair(spec, "--certificate", "'ACM_ARN=CHAIN.pem,KEY.pem'")?;
        inputs.certificates.push(CertificateMapping {
            arn: arn.to_owned(),
            files: pem_files(spec, files)?,
        });
    }
    for spec in &args.target_certificates {
        let (id, files) = split_pair(
            spec,
            "--target-certificate",
            "'TARGET_ID=CHAIN.pem,KEY.pem'",
        )?;
        inputs.target_certificates.push(TargetCertificateMapping {
            target_id: id.to_owned(),
            files: pem_files(spec, files)?,
        });
    }
    Ok(inputs)
}

/// Splits `KEY=VALUE` at the first `=` (ARNs contain none, but paths might).
fn split_pair<'a>(spec: &'a str, flag: &str, form: &str) -> Result<(&'a str, &'a str), Failure> {
    spec.split_once('=')
        .filter(|(key, value)| !key.is_empty() && !value.is_empty())
        .ok_or_else(|| Failure::message(IMPORT, format!("{flag} {spec:?}: expected {form}")))
}

/// `CHAIN,KEY` as absolute paths, so the scenario finds them wherever it is written.
fn pem_files(spec: &str, files: &str) -> Result<PemFiles, Failure> {
    let (chain, key) = files.split_once(',').ok_or_else(|| {
        Failure::message(
            IMPORT,
            format!("{spec:?}: expected CHAIN.pem,KEY.pem after '='"),
        )
    })?;
    let absolute = |path: &str| std::path::absolute(path).context(format_args!("{IMPORT}: {path}"));
    Ok(PemFiles {
        chain: absolute(chain)?,
        key: absolute(key)?,
    })
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<String>, Failure> {
    paths.iter().map(|p| read(p)).collect()
}

fn read(path: &Path) -> Result<String, Failure> {
    read_export(path).context(IMPORT)
}
