//! `hoplab import`: a scenario from infrastructure code and AWS CLI exports, or two of them
//! (`--before`, `--after`) run and compared route by route. Reading, resolving and
//! comparing are the library's ([`hoplab::import`]); this module turns flags into its inputs
//! and prints what comes back.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use hoplab::Scenario;
use hoplab::import::{
    CertificateMapping, ImportInputs, Imported, IntegrationInput, ListenerCertificatesInput,
    PemFiles, Sidecar, SourceInput, TargetCertificateMapping, TargetHealthInput, compare_runs,
    sidecar_skeleton, write_atomically,
};

use super::{EXIT_FAILED, EXIT_PASSED, about, print_json, write_file};
use crate::args::{Format, ImportArgs};
use crate::error::{Context, Failure};

/// How every error of `hoplab import` begins.
const IMPORT: &str = "hoplab import";

/// Imports one scenario, or with `--before` and `--after` two, run and compared.
pub(super) async fn import(args: &ImportArgs) -> Result<ExitCode, Failure> {
    match (&args.before, &args.after) {
        (Some(before), Some(after)) => before_after(args, before, after).await,
        _ => single(args),
    }
}

/// Imports the sources into one scenario and lists what is left to fill in.
fn single(args: &ImportArgs) -> Result<ExitCode, Failure> {
    let output = args.output.as_deref().ok_or_else(|| {
        Failure::message(IMPORT, "--output is required: where to write the scenario")
    })?;
    if args.sources.is_empty() && args.integrations.is_empty() {
        return Err(Failure::message(
            IMPORT,
            "nothing to import: name a source (OpenAPI export, template, terraform show -json) or pass --integration",
        ));
    }
    let imported = import_to(args, &args.sources, output, args.name.clone())?;
    println!("wrote {}", output.display());
    print_summary(&imported, output);
    if let Some(path) = &args.write_sidecar {
        write_atomically(
            path,
            sidecar_skeleton(&imported.open).as_bytes(),
            args.force,
        )
        .context(IMPORT)?;
        println!("wrote the sidecar skeleton {}", path.display());
    }
    Ok(ExitCode::from(EXIT_PASSED))
}

/// Imports `sources` (with the flags' AWS CLI exports and sidecar) into `output`.
fn import_to(
    args: &ImportArgs,
    sources: &[PathBuf],
    output: &Path,
    name: Option<String>,
) -> Result<Imported, Failure> {
    let mut inputs = cli_exports(args)?;
    inputs.name = name.or_else(|| output.file_stem().map(|s| s.to_string_lossy().into_owned()));
    let format = args.from.map(|f| f.format());
    for source in sources {
        inputs
            .sources
            .push(SourceInput::read(source, format).context(IMPORT)?);
    }
    if let Some(path) = &args.sidecar {
        inputs.sidecar = Some(Sidecar::load(path).context(IMPORT)?);
    }
    inputs.scenario_dir = Some(
        output
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned(),
    );
    let imported = hoplab::import::import(inputs).context(IMPORT)?;
    write_atomically(output, imported.toml.as_bytes(), args.force).context(IMPORT)?;
    Ok(imported)
}

/// Prints the warnings (stderr), the notes, and every placeholder left.
fn print_summary(imported: &Imported, output: &Path) {
    print_warnings(imported);
    for note in &imported.notes {
        println!("note: {note}");
    }
    if imported.placeholders.is_empty() {
        println!("no placeholders: run `hoplab run {}`", output.display());
        return;
    }
    println!(
        "{} placeholders to fill in (each marked `# TODO(import)`; the scenario will not run until they are):",
        imported.placeholders.len()
    );
    for placeholder in &imported.placeholders {
        println!("  {placeholder}");
    }
    if !imported.open.is_empty() {
        println!("the sidecar fills these (--write-sidecar FILE writes a skeleton):");
        for open in &imported.open {
            println!(
                "  {}  ({})",
                open.sidecar_entry(),
                open.needed_by.join("; ")
            );
        }
    }
}

/// Warnings go to stderr: the import went on past each. So does a scenario in which API
/// Gateway trusts nothing, with the keys that fix it.
fn print_warnings(imported: &Imported) {
    for warning in &imported.warnings {
        eprintln!("warning: {warning}");
    }
    if let Some(gap) = &imported.trust_gap {
        eprintln!("warning: {gap}");
    }
}

/// Imports both versions, runs both, and prints the comparison; exit code 1 when a route
/// now fails.
async fn before_after(args: &ImportArgs, before: &Path, after: &Path) -> Result<ExitCode, Failure> {
    let temporary;
    let dir = match &args.output {
        Some(dir) => {
            std::fs::create_dir_all(dir).context(format_args!("{IMPORT}: {}", dir.display()))?;
            dir.clone()
        }
        None => {
            temporary = tempfile::tempdir()
                .context(format_args!("{IMPORT}: cannot make a temporary directory"))?;
            temporary.path().to_owned()
        }
    };
    let mut reports = Vec::new();
    for (label, source) in [("before", before), ("after", after)] {
        let file = dir.join(format!("{label}.toml"));
        let name = source
            .file_stem()
            .map_or_else(|| label.to_owned(), |s| s.to_string_lossy().into_owned());
        let imported = import_to(args, &[source.to_owned()], &file, Some(name))?;
        print_warnings(&imported);
        let scenario = Scenario::from_file(&file).context(format_args!(
            "{IMPORT}: the {label} scenario ({}) cannot run until its placeholders are filled in the sidecar",
            file.display()
        ))?;
        reports.push(hoplab::run(&scenario).await.context(about(&file))?);
    }
    let comparison = compare_runs(reports[0].full(), reports[1].full());
    match args.format {
        Format::Text => print!("{}", comparison.text()),
        Format::Json => print_json(IMPORT, "the comparison", &comparison)?,
    }
    if let Some(path) = &args.junit {
        write_file(path, &comparison.junit().context(IMPORT)?)?;
    }
    Ok(ExitCode::from(if comparison.regressed() {
        EXIT_FAILED
    } else {
        EXIT_PASSED
    }))
}

/// The AWS CLI exports the flags name, read.
fn cli_exports(args: &ImportArgs) -> Result<ImportInputs, Failure> {
    let mut inputs = ImportInputs::default();
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
    inputs.load_balancers = read_all(&args.load_balancers)?;
    inputs.listeners = read_all(&args.listeners)?;
    inputs.rules = read_all(&args.rules)?;
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

/// `CHAIN,KEY` as absolute paths (the library writes them relative to the scenario).
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
    hoplab::import::read_source_text(path).context(IMPORT)
}
