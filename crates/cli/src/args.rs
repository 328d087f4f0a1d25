//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// `hoplab --version`: the version, the commit it was built from and the build profile.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("HOPLAB_COMMIT"),
    ", ",
    env!("HOPLAB_PROFILE"),
    " build)"
);

/// Simulate API Gateway → VPC link → NLB → target over real TLS on loopback, and see whose
/// certificate API Gateway validates.
#[derive(Debug, Parser)]
#[command(name = "hoplab", version = VERSION, about, long_about = None)]
pub(crate) struct Cli {
    /// More detail: -v the full report of `run` (execution log, every hop, every certificate);
    /// -vv adds info logs on stderr, -vvv debug logs (RUST_LOG overrides).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Each variant's doc comment is its `--help` text, which names scenario tables such as
/// `[matrix]` as a scenario file writes them; they are not links to Rust items.
#[derive(Debug, Subcommand)]
#[allow(
    rustdoc::broken_intra_doc_links,
    reason = "help text names TOML tables in brackets"
)]
pub(crate) enum Command {
    /// Run a scenario: stand its topology up on loopback, send its requests, check their
    /// expectations and print each request's verdict, status, validated hop, failure and the
    /// decisive trace lines (-v: the execution log, every hop and every certificate).
    Run {
        /// The scenario file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Apply these `aws apigateway update-integration --patch-operations` to the routes
        /// before running, e.g. "op='replace',path='/tlsConfig/insecureSkipVerification',value=true".
        #[arg(long)]
        patch_operations: Option<String>,
        /// Only patch this route ("GET /pets"); default: every route.
        #[arg(long, requires = "patch_operations")]
        route: Option<String>,
    },
    /// Start a scenario's topology and serve it until Ctrl-C: prints one "listening" line per
    /// hop, then a ready line with the invoke URL and the dashboard's URL (a live view of the
    /// topology and its requests, and runtime control); each request's execution log goes to
    /// stderr.
    Up {
        /// The scenario file.
        file: PathBuf,
        /// The gateway's port (default: a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The gateway's address. Anything but a loopback address exposes the gateway beyond
        /// this machine: hoplab warns when it is not loopback.
        #[arg(long, default_value = "127.0.0.1")]
        listen: std::net::IpAddr,
        /// Keep the records of the latest N requests (invocation records and hop
        /// observations); older ones are evicted, so memory stays bounded while serving.
        #[arg(long, value_name = "N", default_value_t = hoplab::lab::DEFAULT_KEPT_INVOCATIONS,
              value_parser = clap::value_parser!(usize))]
        keep: usize,
        /// Require this token (`Authorization: Bearer TOKEN`) on every control request of
        /// the dashboard's API. Without it, the control API is on only when the gateway
        /// listens on loopback.
        #[arg(long, value_name = "TOKEN")]
        control_token: Option<String>,
    },
    /// Run a library of scenarios as regression tests: one line per scenario, details of
    /// every failure, and a summary. Exit code 0: all held; 1: an expectation failed;
    /// 2: a scenario is invalid or could not run.
    Test {
        /// Scenario files and directories (searched recursively for *.toml).
        #[arg(default_value = "scenarios")]
        paths: Vec<PathBuf>,
        /// Scenarios run at once (default: the number of cores).
        #[arg(long, short)]
        jobs: Option<usize>,
        /// Only run scenario files whose path contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also write JUnit XML here: one testcase per request, the failure text is the diff.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Also write one self-contained HTML report here: a picture, the results and the
        /// logs of every request.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Predict, without opening a socket, what every route and request of a scenario does:
    /// the hops, where each TLS session ends, whose certificate API Gateway validates against
    /// which host, the outcome with its exact message, and why.
    Explain {
        /// The scenario file.
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Predict at this time: RFC 3339, or an offset from now such as +30d or -1y (default:
        /// the scenario's `now`, else the current time).
        #[arg(long, value_parser = parse_time, allow_hyphen_values = true)]
        at: Option<time::OffsetDateTime>,
    },
    /// Run every combination of a scenario's [matrix] live and print one row per combination:
    /// status, validated hop and message, each checked against the model. Exit code 0: every
    /// row agrees with the model; 1: one does not; 2: invalid scenario or no [matrix].
    Compare {
        /// The scenario file (with a [matrix] section).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Combinations run at once (default: the number of cores).
        #[arg(long, short)]
        jobs: Option<usize>,
    },
    /// Run a scenario and draw each request: the hops left to right, TLS sessions as spans,
    /// the validated certificate highlighted, unvalidated ones marked, a failing check in red.
    Diagram {
        /// The scenario file.
        file: PathBuf,
        /// Picture format.
        #[arg(long, value_enum, default_value_t = DiagramFormat::Svg)]
        format: DiagramFormat,
        /// Only this request (its name, or its 1-based number); default: every request.
        #[arg(long)]
        request: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Judge a PEM chain as API Gateway would, offline. Exit code 0: accepted; 1: refused;
    /// 2: unusable input.
    Check {
        /// The chain as the server sends it, leaf first (PEM).
        chain: PathBuf,
        /// The integration URI host the certificate must name (given a URL, its host).
        #[arg(long)]
        host: String,
        #[command(flatten)]
        judge: JudgeArgs,
    },
    /// Connect to a TLS endpoint, show the chain it serves, and judge it as API Gateway
    /// would. The only command that leaves loopback, and only to the address given.
    Probe {
        /// HOST or HOST:PORT (port 443 by default); HOST is also what the certificate must name.
        target: String,
        /// Send this server name as SNI instead of HOST.
        #[arg(long)]
        sni: Option<String>,
        /// Connect to this ADDR:PORT instead of resolving HOST.
        #[arg(long)]
        connect: Option<String>,
        /// Time allowed to connect and finish the handshake, e.g. 5s or 500ms.
        #[arg(long, default_value = "10s", value_parser = parse_duration)]
        timeout: std::time::Duration,
        /// Also write the served chain here as PEM, as sent (like `openssl s_client -showcerts`).
        #[arg(long, value_name = "FILE")]
        save_chain: Option<PathBuf>,
        /// Also write a scenario here that serves look-alikes of the chain (same names,
        /// validity and issuers) behind each kind of load balancer, for `hoplab compare`.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        #[command(flatten)]
        judge: JudgeArgs,
    },
    /// Write a scenario's generated certificates and keys as PEM files (keys mode 0600).
    Certs {
        /// The scenario file.
        file: PathBuf,
        /// The directory to write to (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
    /// Build a scenario from infrastructure code (OpenAPI exports, CloudFormation/SAM/CDK
    /// templates, Terraform plans or state) and AWS CLI JSON exports; what no source says
    /// comes from a sidecar file, and each gap left is a named placeholder. With --before and
    /// --after, import both, run both, and compare them route by route.
    Import(Box<ImportArgs>),
    /// Write a commented starter scenario that runs and passes as written (templates:
    /// `hoplab init --list`). An existing file is never overwritten.
    Init {
        /// The topology to start from (default: rest-nlb-tls).
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(crate::templates::names()))]
        template: Option<String>,
        /// The file to write (default: TEMPLATE.toml in the current directory).
        file: Option<PathBuf>,
        /// List the templates and what each sets up.
        #[arg(long, conflicts_with_all = ["template", "file"])]
        list: bool,
    },
    /// Print a completion script for SHELL, e.g. `hoplab completions bash >
    /// ~/.local/share/bash-completion/completions/hoplab`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `hoplab man > hoplab.1 && man ./hoplab.1`.
    Man,
    /// Check scenario files without running them; prints every problem with its location.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// What `hoplab import` reads and writes.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportArgs {
    /// Infrastructure code: OpenAPI exports (JSON/YAML), CloudFormation, SAM or CDK templates
    /// (JSON/YAML), `terraform show -json` plans or state. The format is detected; several
    /// files are merged into one topology.
    #[arg(value_name = "SOURCE", conflicts_with_all = ["before", "after"])]
    pub(crate) sources: Vec<PathBuf>,
    /// The format of every source, instead of detecting it.
    #[arg(long, value_enum)]
    pub(crate) from: Option<SourceFormatArg>,
    /// The sidecar file: stage-variable values, values known only after deployment, and the
    /// certificates no source contains (see docs/import.md). Relative PEM paths in it are read
    /// from its directory.
    #[arg(long, value_name = "FILE")]
    pub(crate) sidecar: Option<PathBuf>,
    /// Also write a sidecar skeleton here: every open placeholder, ready to fill in.
    #[arg(long, value_name = "FILE")]
    pub(crate) write_sidecar: Option<PathBuf>,
    /// The source before a change (e.g. the plan of main): import it and --after, run both,
    /// and print a route-by-route comparison. Exit code 1 when a route now fails.
    #[arg(long, value_name = "SOURCE", requires = "after")]
    pub(crate) before: Option<PathBuf>,
    /// The source after the change (e.g. the plan of the pull request).
    #[arg(long, value_name = "SOURCE", requires = "before")]
    pub(crate) after: Option<PathBuf>,
    /// The comparison's output format (with --before/--after).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Also write the comparison as JUnit XML here (with --before/--after).
    #[arg(long, value_name = "FILE", requires = "before")]
    pub(crate) junit: Option<PathBuf>,
    /// Where to write the scenario; with --before/--after, a directory for before.toml and
    /// after.toml (default: a temporary one).
    #[arg(short, long)]
    pub(crate) output: Option<PathBuf>,
    /// Overwrite output files that exist.
    #[arg(long)]
    pub(crate) force: bool,
    /// The scenario's name (default: the output file's stem).
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// 'METHOD /path=FILE': `aws apigateway get-integration` output for that method (repeatable).
    #[arg(long = "integration")]
    pub(crate) integrations: Vec<String>,
    /// `aws apigateway get-vpc-link` output (repeatable).
    #[arg(long = "vpc-link")]
    pub(crate) vpc_links: Vec<PathBuf>,
    /// `aws elbv2 describe-load-balancers` output: names, DNS names, ALB or NLB (repeatable).
    #[arg(long = "load-balancers")]
    pub(crate) load_balancers: Vec<PathBuf>,
    /// `aws elbv2 describe-listeners` output (repeatable).
    #[arg(long = "listeners")]
    pub(crate) listeners: Vec<PathBuf>,
    /// `aws elbv2 describe-rules` output of one ALB listener (repeatable).
    #[arg(long = "rules")]
    pub(crate) rules: Vec<PathBuf>,
    /// 'LISTENER_ARN=FILE': `aws elbv2 describe-listener-certificates` output (repeatable).
    #[arg(long = "listener-certificates")]
    pub(crate) listener_certificates: Vec<String>,
    /// `aws elbv2 describe-target-groups` output (repeatable).
    #[arg(long = "target-groups")]
    pub(crate) target_groups: Vec<PathBuf>,
    /// 'TARGET_GROUP_ARN=FILE': `aws elbv2 describe-target-health` output (repeatable).
    #[arg(long = "target-health")]
    pub(crate) target_health: Vec<String>,
    /// 'ACM_ARN=CHAIN.pem,KEY.pem': the PEM files for an ACM certificate (repeatable).
    #[arg(long = "certificate")]
    pub(crate) certificates: Vec<String>,
    /// 'TARGET_ID=CHAIN.pem,KEY.pem': the PEM files a target serves (repeatable).
    #[arg(long = "target-certificate")]
    pub(crate) target_certificates: Vec<String>,
}

/// `--from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SourceFormatArg {
    /// OpenAPI export with API Gateway extensions.
    Openapi,
    /// CloudFormation, SAM or CDK template.
    Cloudformation,
    /// `terraform show -json` of a plan or state.
    Terraform,
}

impl SourceFormatArg {
    /// The library's format.
    pub(crate) fn format(self) -> hoplab::import::SourceFormat {
        match self {
            SourceFormatArg::Openapi => hoplab::import::SourceFormat::OpenApi,
            SourceFormatArg::Cloudformation => hoplab::import::SourceFormat::CloudFormation,
            SourceFormatArg::Terraform => hoplab::import::SourceFormat::Terraform,
        }
    }
}

/// How `check` and `probe` judge a chain.
#[derive(Debug, clap::Args)]
pub(crate) struct JudgeArgs {
    /// Trust the certificates in this PEM file instead of the bundled public roots (repeatable).
    #[arg(long = "trust")]
    pub(crate) trust: Vec<PathBuf>,
    /// Judge at this time instead of now: RFC 3339, or an offset from now such as +30d or -1y.
    #[arg(long, value_parser = parse_time, allow_hyphen_values = true)]
    pub(crate) at: Option<time::OffsetDateTime>,
    /// The integration's tlsConfig.insecureSkipVerification.
    #[arg(long)]
    pub(crate) insecure_skip_verification: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
}

/// Parses `--at` as a scenario writes a time: RFC 3339, an offset from now such as `+30d` or
/// `-1y`, or `now`.
fn parse_time(value: &str) -> Result<time::OffsetDateTime, String> {
    let spec: hoplab::scenario::TimeSpec = value.parse().map_err(|e| format!("{e}"))?;
    Ok(spec.resolve(time::OffsetDateTime::now_utc()))
}

/// Parses `5s`, `500ms`, `2m` or a bare number of seconds.
fn parse_duration(value: &str) -> Result<std::time::Duration, String> {
    let value = value.trim();
    let (number, unit) = match value.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(at) => value.split_at(at),
        None => (value, "s"),
    };
    let number: f64 = number
        .parse()
        .map_err(|_| format!("expected a duration such as 5s or 500ms, got {value:?}"))?;
    let seconds = match unit {
        "ms" => number / 1000.0,
        "s" => number,
        "m" => number * 60.0,
        _ => return Err(format!("unknown unit {unit:?}: use ms, s or m")),
    };
    if !(0.001..=3600.0).contains(&seconds) {
        return Err("the duration must be between 1ms and 1 hour".into());
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// What `hoplab diagram` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DiagramFormat {
    /// A self-contained SVG image.
    Svg,
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// A Graphviz digraph.
    Dot,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Readable text.
    Text,
    /// JSON (field names documented in docs/commands.md).
    Json,
}
