//! `hoplab import`: a scenario from AWS CLI exports.

use std::io::Write;
use std::path::{Path, PathBuf};

use hoplab_import::{
    CertificateMapping, ImportInputs, IntegrationInput, ListenerCertificatesInput, PemFiles,
    TargetCertificateMapping, TargetHealthInput,
};

use super::{EXIT_PASSED, EXIT_UNUSABLE};
use crate::args::ImportArgs;

/// Reads the exports, writes the scenario, and lists what is left to fill in.
pub(crate) fn import(args: ImportArgs) -> u8 {
    match build(&args).and_then(|imported| {
        write_new(&args.output, imported.toml.as_bytes(), args.force)?;
        Ok(imported)
    }) {
        Ok(imported) => {
            println!("wrote {}", args.output.display());
            for note in &imported.notes {
                println!("note: {note}");
            }
            if imported.placeholders.is_empty() {
                println!(
                    "no placeholders: run `hoplab validate {}`",
                    args.output.display()
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
            EXIT_PASSED
        }
        Err(message) => {
            eprintln!("hoplab import: {message}");
            EXIT_UNUSABLE
        }
    }
}

fn build(args: &ImportArgs) -> Result<hoplab_import::Imported, String> {
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
        let (method, path) = route
            .split_once(' ')
            .ok_or_else(|| format!("--integration {spec:?}: expected 'METHOD /path=FILE'"))?;
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
    hoplab_import::import(inputs).map_err(|e| e.to_string())
}

/// Splits `KEY=VALUE` at the last `=` (ARNs contain none, but paths might).
fn split_pair<'a>(spec: &'a str, flag: &str, form: &str) -> Result<(&'a str, &'a str), String> {
    spec.split_once('=')
        .filter(|(key, value)| !key.is_empty() && !value.is_empty())
        .ok_or_else(|| format!("{flag} {spec:?}: expected {form}"))
}

/// `CHAIN,KEY` as absolute paths, so the scenario finds them wherever it is written.
fn pem_files(spec: &str, files: &str) -> Result<PemFiles, String> {
    let (chain, key) = files
        .split_once(',')
        .ok_or_else(|| format!("{spec:?}: expected CHAIN.pem,KEY.pem after '='"))?;
    let absolute = |path: &str| std::path::absolute(path).map_err(|e| format!("{path}: {e}"));
    Ok(PemFiles {
        chain: absolute(chain)?,
        key: absolute(key)?,
    })
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<String>, String> {
    paths.iter().map(|p| read(p)).collect()
}

/// Largest export read.
const MAX_EXPORT: u64 = 16 * 1024 * 1024;

fn read(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if size > MAX_EXPORT {
        return Err(format!(
            "{}: {size} bytes is too large for an AWS CLI export",
            path.display()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `bytes` to `path` through a temporary file in the same directory, so a failure
/// never leaves a half-written scenario behind.
pub(crate) fn write_new(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), String> {
    if !overwrite && path.exists() {
        return Err(format!(
            "{} exists; pass --force to replace it",
            path.display()
        ));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .ok_or_else(|| format!("{}: not a file name", path.display()))?;
    let temp = dir.join(format!(
        ".{}.tmp-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("{}: {e}", path.display())
    })
}
