//! `hoplab-bench`: runs every benchmark and prints the figures with their ratios
//! (`make bench`), or serves a hoplab hop under test (`serve-nlb`, `serve-backend`, `serve-gateway`,
//! `serve-alb`, started by the benchmark itself).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hoplab_bench::plan::Plan;
use hoplab_bench::run::{Options, run};
use hoplab_bench::{alb, gateway, haproxy, sut};

/// Benchmarks of hoplab on loopback, with ratios against direct paths and HAProxy.
#[derive(Debug, Parser)]
#[command(name = "hoplab-bench", version)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// Every figure, smaller and shorter (about a minute).
    #[arg(long, conflicts_with = "smoke")]
    quick: bool,
    /// The smallest run that exercises every measurement (for tests; figures meaningless).
    #[arg(long)]
    smoke: bool,
    /// The scenario library to time.
    #[arg(long, default_value = "scenarios")]
    scenarios: PathBuf,
    /// The `hoplab` binary, to time `hoplab test` as its own process.
    #[arg(long)]
    hoplab: Option<PathBuf>,
    /// The HAProxy binary (default: `haproxy` on PATH or in /usr/sbin).
    #[arg(long)]
    haproxy: Option<PathBuf>,
    /// Skip the HAProxy rows even if HAProxy is installed.
    #[arg(long)]
    no_haproxy: bool,
    /// Run only these measurements (1 scenario cost, 2 TCP passthrough, 3 TLS termination,
    /// 4 idle connections, 5 gateway and its HAProxy anchor, 6 ALB against HAProxy, 7 gateway
    /// with ten dashboard event-stream subscribers against none), e.g. `--only 2,3`; for
    /// profiling one of them.
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u8).range(1..=7))]
    only: Vec<u8>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve a hoplab TCP listener and TLS listener forwarding to BACKEND (used by the
    /// benchmark itself); prints `tcp=ADDR tls=ADDR`, stops when stdin closes.
    #[command(name = "serve-nlb", hide = true)]
    Nlb {
        #[arg(long)]
        backend: SocketAddr,
        #[arg(long)]
        cert: PathBuf,
        #[arg(long)]
        key: PathBuf,
    },
    /// Serve a hoplab target, HTTPS with the certificate in CERT and KEY or else plain HTTP
    /// (used by the benchmark itself); prints `backend=ADDR`, stops when stdin closes.
    #[command(name = "serve-backend", hide = true)]
    Backend {
        #[arg(long, requires = "key")]
        cert: Option<PathBuf>,
        #[arg(long, requires = "cert")]
        key: Option<PathBuf>,
    },
    /// Serve a hoplab ALB HTTPS listener with the certificate in CERT and KEY, forwarding to
    /// the HTTP target BACKEND (used by the benchmark itself); prints `alb=ADDR`, stops when
    /// stdin closes.
    #[command(name = "serve-alb", hide = true)]
    Alb {
        #[arg(long)]
        backend: SocketAddr,
        #[arg(long)]
        cert: PathBuf,
        #[arg(long)]
        key: PathBuf,
    },
    /// Serve the hoplab gateway with one HTTPS route to BACKEND, trusting the CAs in CA (used
    /// by the benchmark itself); prints `gateway=ADDR`, stops when stdin closes.
    #[command(name = "serve-gateway", hide = true)]
    Gateway {
        #[arg(long)]
        backend: SocketAddr,
        #[arg(long)]
        ca: PathBuf,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let served = match &args.command {
        Some(Command::Nlb { backend, cert, key }) => {
            Some(("serve-nlb", sut::serve_nlb(*backend, cert, key)))
        }
        Some(Command::Backend { cert, key }) => Some((
            "serve-backend",
            gateway::serve_backend(cert.as_deref().zip(key.as_deref())),
        )),
        Some(Command::Alb { backend, cert, key }) => {
            Some(("serve-alb", alb::serve_alb(*backend, cert, key)))
        }
        Some(Command::Gateway { backend, ca }) => {
            Some(("serve-gateway", gateway::serve_gateway(*backend, ca)))
        }
        None => None,
    };
    if let Some((command, result)) = served {
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("hoplab-bench {command}: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let plan = if args.smoke {
        Plan::SMOKE
    } else if args.quick {
        Plan::QUICK
    } else {
        Plan::FULL
    };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(error) => {
            eprintln!("hoplab-bench: cannot find its own binary: {error}");
            return ExitCode::FAILURE;
        }
    };
    let haproxy = if args.no_haproxy {
        None
    } else {
        haproxy::find(args.haproxy.as_deref())
    };
    if let Some(path) = &args.haproxy
        && haproxy.is_none()
        && !args.no_haproxy
    {
        eprintln!("hoplab-bench: --haproxy {}: no such file", path.display());
        return ExitCode::FAILURE;
    }
    let options = Options {
        plan,
        scenarios: args.scenarios,
        hoplab: args.hoplab,
        haproxy,
        exe,
        only: args.only,
    };
    match run(&options) {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("hoplab-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
