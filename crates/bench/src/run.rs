//! The whole benchmark, in order: scenario cost, TCP passthrough, TLS termination, idle
//! connections, gateway (and its HAProxy anchor), ALB (against HAProxy). Prints the machine, then every figure with
//! its reference and ratio.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;
use tokio_rustls::TlsConnector;

use crate::alb::start_alb;
use crate::certs::{BackendCert, BenchCert, SERVER_NAME};
use crate::gateway::{start_backend, start_gateway};
use crate::haproxy::{Haproxy, Mode};
use crate::load::{self, Sink};
use crate::machine::Machine;
use crate::plan::Plan;
use crate::report::{Row, ScenarioRow, ms, render_rows, render_scenarios};
use crate::scenario_cost::{self, RsaKeys};
use crate::stats::{median, median_secs, percentile, ratio};
use crate::sut::NlbProcess;
use crate::{BenchError, procfs, whole_library};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// How much work.
    pub plan: Plan,
    /// The scenario library.
    pub scenarios: PathBuf,
    /// The `hoplab` binary, to time `hoplab test` as a process; skipped when `None`.
    pub hoplab: Option<PathBuf>,
    /// The HAProxy binary; HAProxy rows are skipped when `None`.
    pub haproxy: Option<PathBuf>,
    /// This benchmark's own binary, started as `serve-nlb`.
    pub exe: PathBuf,
    /// Only these measurements (1 to 7); all when empty. For profiling one of them.
    pub only: Vec<u8>,
}

impl Options {
    fn wants(&self, section: u8) -> bool {
        self.only.is_empty() || self.only.contains(&section)
    }
}

/// Runs everything and returns the report text (machine, figures, per-scenario table).
pub fn run(options: &Options) -> Result<String, BenchError> {
    let plan = options.plan;
    let machine = Machine::detect(options.haproxy.as_deref().and_then(Path::to_str));
    let (soft, hard) = procfs::raise_nofile(2 * plan.idle_connections as u64 + 1024);
    let load = runtime("load")?;
    let sut = runtime("hoplab")?;
    let mut rows = Vec::new();
    let mut notes = Vec::new();

    let (mut unit, mut scenario_rows) = (Duration::ZERO, Vec::new());
    if options.wants(1) {
        eprintln!("[1/6] scenario cost");
        (unit, scenario_rows) = scenario_section(options, &load, &mut rows)?;
    }

    if options.wants(2) || options.wants(3) || options.wants(4) {
        let cert = BenchCert::generate()?;
        let connector = TlsConnector::from(cert.client_config()?);
        let sink = load.block_on(Sink::start())?;
        let nlb = NlbProcess::start(
            &options.exe,
            sink.addr(),
            &cert.cert_path(),
            &cert.key_path(),
        )?;
        let (ha_tcp, ha_tls) = match &options.haproxy {
            Some(bin) => (
                Some(Haproxy::start(bin, &Mode::Tcp, sink.addr(), cert.dir())?),
                Some(Haproxy::start(
                    bin,
                    &Mode::Tls(cert.combined_path()),
                    sink.addr(),
                    cert.dir(),
                )?),
            ),
            None => {
                notes.push(
                    "HAProxy is not installed: its rows are empty (`make bench` installs it)."
                        .to_owned(),
                );
                (None, None)
            }
        };
        if options.wants(2) {
            eprintln!("[2/6] TCP passthrough");
            tcp_section(&load, plan, &sink, &nlb, ha_tcp.as_ref(), &mut rows)?;
        }
        if options.wants(3) {
            eprintln!("[3/6] TLS termination");
            tls_section(&load, plan, &connector, &nlb, ha_tls.as_ref(), &mut rows)?;
        }
        drop((ha_tcp, ha_tls));
        if options.wants(4) {
            eprintln!("[4/6] idle connections");
            let fits = usize::try_from(soft.saturating_sub(256) / 2).unwrap_or(usize::MAX);
            let idle = plan.idle_connections.min(fits);
            if idle < plan.idle_connections {
                notes.push(format!(
                    "Idle connections limited to {idle} (of {}) by RLIMIT_NOFILE {soft} (hard {hard}): each connection needs two descriptors in the proxy and two in this process.",
                    plan.idle_connections
                ));
            }
            idle_section(&load, idle, &sink, &nlb, &connector, &mut rows)?;
        }
    }

    if options.wants(5) {
        eprintln!("[5/6] gateway");
        gateway_section(&load, &sut, plan, &mut rows)?;
        match &options.haproxy {
            Some(haproxy) => anchor_section(&load, options, haproxy, &mut rows)?,
            None => notes.push(
                "HAProxy is not installed: the gateway's anchor rows are missing (`make bench` installs it)."
                    .to_owned(),
            ),
        }
    }

    if options.wants(6) {
        eprintln!("[6/6] ALB");
        if options.haproxy.is_none() {
            notes.push(
                "HAProxy is not installed: the ALB's reference rows are empty (`make bench` installs it)."
                    .to_owned(),
            );
        }
        alb_section(&load, options, &mut rows)?;
    }

    if options.wants(crate::dashboard::SECTION) {
        eprintln!("[7] gateway with the dashboard's event-stream subscribers");
        crate::dashboard::section(&load, &sut, plan, &mut rows)?;
    }

    let mut out = String::new();
    out.push_str(&format!(
        "# hoplab benchmark ({} mode, {})\n\n",
        plan.name,
        time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    ));
    out.push_str("```\n");
    out.push_str(&machine.to_string());
    out.push_str(&format!(
        "\nnofile:  soft {soft}, hard {hard}\nplan:    {} repetitions (medians), bulk {} MiB, windows {:?}, {} at once\n```\n\n",
        plan.reps,
        plan.bulk_bytes >> 20,
        plan.window,
        plan.concurrency
    ));
    out.push_str(&render_rows(&rows));
    if !scenario_rows.is_empty() {
        out.push_str("\nPer scenario (medians, warm key pool):\n\n");
        out.push_str(&render_scenarios(&scenario_rows, unit));
    }
    for note in notes {
        out.push_str(&format!("\nNote: {note}\n"));
    }
    Ok(out)
}

fn runtime(name: &str) -> Result<Runtime, BenchError> {
    tokio::runtime::Builder::new_multi_thread()
        .thread_name(name)
        .enable_all()
        .build()
        .map_err(BenchError::io("starting a runtime"))
}

fn scenario_section(
    options: &Options,
    load: &Runtime,
    rows: &mut Vec<Row>,
) -> Result<(Duration, Vec<ScenarioRow>), BenchError> {
    let plan = options.plan;
    let library = scenario_cost::load_library(&options.scenarios)?;
    let jobs = std::thread::available_parallelism().map_or(1, usize::from);
    let scenarios: Vec<_> = library.iter().map(|e| Arc::clone(&e.scenario)).collect();
    let two_seconds = 2.0;

    if let Some(hoplab) = &options.hoplab {
        let wall = whole_library::measure(hoplab, &options.scenarios, plan.reps)?;
        rows.push(wall.row(&options.scenarios, library.len()));
    }

    // In this process: the first run pays for the RSA key pool, later ones reuse it.
    let cold = load.block_on(scenario_cost::run_library(&scenarios, jobs))?;
    rows.push(Row {
        section: 1,
        figure: format!(
            "library in process, cold key pool ({}/{} passed)",
            cold.passed, cold.scenarios
        ),
        hoplab: secs(Some(cold.elapsed.as_secs_f64())),
        reference: "2 s".into(),
        ratio: Some(cold.elapsed.as_secs_f64() / two_seconds),
        target: "< 2 s".into(),
        met: Some(cold.elapsed.as_secs_f64() < two_seconds),
    });
    if plan.library_size > 0 && !scenarios.is_empty() {
        let scaled: Vec<_> = scenarios
            .iter()
            .cycle()
            .take(plan.library_size)
            .cloned()
            .collect();
        let mut walls = Vec::new();
        let mut passed = 0;
        for _ in 0..plan.reps {
            let run = load.block_on(scenario_cost::run_library(&scaled, jobs))?;
            passed = run.passed;
            walls.push(run.elapsed);
        }
        let wall = median_secs(&walls);
        rows.push(Row {
            section: 1,
            figure: format!(
                "{} scenarios (the library repeated) in process, warm key pool ({passed} passed)",
                scaled.len()
            ),
            hoplab: secs(wall),
            reference: "2 s".into(),
            ratio: ratio(wall, Some(two_seconds)),
            target: "< 2 s".into(),
            met: wall.map(|w| w < two_seconds),
        });
    }

    let mut units = Vec::new();
    for _ in 0..plan.handshake_samples.max(1) {
        units.push(load.block_on(scenario_cost::one_handshake_with_keygen())?);
    }
    let unit = Duration::from_secs_f64(median_secs(&units).unwrap_or(0.0));
    rows.push(Row {
        section: 1,
        figure: "reference unit: ECDSA P-256 keygen + self-signed cert + one full rustls handshake"
            .into(),
        hoplab: ms(unit),
        ..Row::default()
    });

    let mut keys = RsaKeys::default();
    let mut scenario_rows = Vec::new();
    let mut worst: Option<(f64, String)> = None;
    for entry in &library {
        let mut runs = Vec::new();
        for _ in 0..plan.scenario_reps.max(1) {
            runs.push(load.block_on(scenario_cost::breakdown(entry, &mut keys))?);
        }
        let med = |f: fn(&scenario_cost::Breakdown) -> Duration| {
            Duration::from_secs_f64(
                median_secs(&runs.iter().map(f).collect::<Vec<_>>()).unwrap_or(0.0),
            )
        };
        let total = med(|b| b.total());
        let row_ratio = total.as_secs_f64() / (5.0 * unit.as_secs_f64()).max(1e-9);
        let name = entry
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if worst.as_ref().is_none_or(|(r, _)| row_ratio > *r) {
            worst = Some((row_ratio, name.clone()));
        }
        scenario_rows.push(ScenarioRow {
            name,
            keygen: med(|b| b.keygen),
            signing: med(|b| b.signing),
            startup: med(|b| b.startup),
            requests: med(|b| b.requests),
            teardown: med(|b| b.teardown),
            total,
            ratio: row_ratio,
        });
    }
    let within = scenario_rows.iter().filter(|r| r.ratio <= 1.0).count();
    let totals: Vec<f64> = scenario_rows
        .iter()
        .map(|r| r.total.as_secs_f64())
        .collect();
    let median_total = median(&totals);
    rows.push(Row {
        section: 1,
        figure: format!(
            "per scenario, median of the library ({within}/{} within 5 × unit; worst {})",
            scenario_rows.len(),
            worst
                .as_ref()
                .map_or_else(String::new, |(r, n)| format!("{n} at {r:.2}"))
        ),
        hoplab: median_total.map_or_else(|| "–".into(), |t| ms(Duration::from_secs_f64(t))),
        reference: format!("5 × {}", ms(unit)),
        ratio: ratio(median_total, Some(5.0 * unit.as_secs_f64())),
        target: "≤ 1.0 each".into(),
        met: Some(within == scenario_rows.len()),
    });
    Ok((unit, scenario_rows))
}

/// One bulk measurement: GB/s and the proxy's CPU seconds per GB (when it has a PID).
fn bulk_once(
    load: &Runtime,
    addr: SocketAddr,
    tls: Option<&TlsConnector>,
    plan: Plan,
    pid: Option<u32>,
) -> Result<(f64, Option<f64>), BenchError> {
    let cpu_before = pid.and_then(procfs::cpu_time);
    let elapsed = load.block_on(load::transfer(
        addr,
        tls,
        plan.bulk_bytes,
        plan.bulk_timeout,
    ))?;
    let cpu = match (cpu_before, pid.and_then(procfs::cpu_time)) {
        (Some(a), Some(b)) => Some((b - a).as_secs_f64()),
        _ => None,
    };
    let gb = plan.bulk_bytes as f64 / 1e9;
    Ok((gb / elapsed.as_secs_f64(), cpu.map(|c| c / gb)))
}

fn tcp_section(
    load: &Runtime,
    plan: Plan,
    sink: &Sink,
    nlb: &NlbProcess,
    haproxy: Option<&Haproxy>,
    rows: &mut Vec<Row>,
) -> Result<(), BenchError> {
    let (mut direct, mut ours, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    let (mut our_cpu, mut their_cpu) = (Vec::new(), Vec::new());
    // Interleaved, so that drift on a shared machine hits every path alike.
    for _ in 0..plan.reps {
        direct.push(bulk_once(load, sink.addr(), None, plan, None)?.0);
        let (rate, cpu) = bulk_once(load, nlb.tcp, None, plan, Some(nlb.pid()))?;
        ours.push(rate);
        our_cpu.extend(cpu);
        if let Some(h) = haproxy {
            let (rate, cpu) = bulk_once(load, h.addr(), None, plan, Some(h.pid()))?;
            theirs.push(rate);
            their_cpu.extend(cpu);
        }
    }
    let (d, o, t) = (median(&direct), median(&ours), median(&theirs));
    rows.push(Row {
        section: 2,
        figure: "TCP passthrough, one connection, GB/s (hoplab TCP listener vs HAProxy `mode tcp`)"
            .into(),
        hoplab: gbps(o),
        reference: format!("{} HAProxy", gbps(t)),
        ratio: ratio(o, t),
        target: "≥ 1.0 × HAProxy".into(),
        met: ratio(o, t).map(|r| r >= 1.0),
    });
    rows.push(Row {
        section: 2,
        figure: "TCP passthrough vs the same transfer direct".into(),
        hoplab: gbps(o),
        reference: format!("{} direct", gbps(d)),
        ratio: ratio(o, d),
        ..Row::default()
    });
    rows.push(Row {
        section: 2,
        figure: "TCP passthrough, proxy CPU per GB (lower is better; ratio hoplab / HAProxy)"
            .into(),
        hoplab: cpu_per_gb(median(&our_cpu)),
        reference: format!("{} HAProxy", cpu_per_gb(median(&their_cpu))),
        ratio: ratio(median(&our_cpu), median(&their_cpu)),
        ..Row::default()
    });
    Ok(())
}

fn tls_section(
    load: &Runtime,
    plan: Plan,
    connector: &TlsConnector,
    nlb: &NlbProcess,
    haproxy: Option<&Haproxy>,
    rows: &mut Vec<Row>,
) -> Result<(), BenchError> {
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let (mut our_cpu, mut their_cpu) = (Vec::new(), Vec::new());
    let (mut our_failed, mut their_failed) = (0, 0);
    let handshake_run = |addr: SocketAddr, pid: u32| {
        let before = procfs::cpu_time(pid);
        let run = load.block_on(load::handshakes(
            addr,
            connector.clone(),
            plan.concurrency,
            plan.window,
            plan.max_ops,
        ));
        let cpu = match (before, procfs::cpu_time(pid)) {
            (Some(a), Some(b)) if run.completed > 0 => {
                Some((b - a).as_secs_f64() / run.completed as f64)
            }
            _ => None,
        };
        (run, cpu)
    };
    // Warm-up, not measured: the first handshakes of a process pay for lazy initialisation.
    for addr in std::iter::once(nlb.tls).chain(haproxy.map(Haproxy::addr)) {
        load.block_on(load::handshakes(
            addr,
            connector.clone(),
            plan.concurrency,
            WARM_UP,
            WARM_UP_OPS,
        ));
    }
    for _ in 0..plan.reps {
        let (run, cpu) = handshake_run(nlb.tls, nlb.pid());
        ours.push(run.rate());
        our_failed += run.failed;
        our_cpu.extend(cpu);
        if let Some(h) = haproxy {
            let (run, cpu) = handshake_run(h.addr(), h.pid());
            theirs.push(run.rate());
            their_failed += run.failed;
            their_cpu.extend(cpu);
        }
    }
    let (o, t) = (median(&ours), median(&theirs));
    rows.push(Row {
        section: 3,
        figure: format!(
            "TLS full handshakes/s, ECDSA P-256, {} at once (failed: hoplab {our_failed}, HAProxy {their_failed})",
            plan.concurrency
        ),
        hoplab: per_sec(o, "handshakes/s"),
        reference: format!("{} HAProxy", per_sec(t, "handshakes/s")),
        ratio: ratio(o, t),
        target: "≥ 1.0 × HAProxy".into(),
        met: ratio(o, t).map(|r| r >= 1.0),
    });
    let (oc, tc) = (median(&our_cpu), median(&their_cpu));
    rows.push(Row {
        section: 3,
        figure: "TLS listener CPU per full handshake (lower is better; ratio hoplab / HAProxy)"
            .into(),
        hoplab: micros(oc),
        reference: format!("{} HAProxy", micros(tc)),
        ratio: ratio(oc, tc),
        ..Row::default()
    });

    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    let (mut our_cpu, mut their_cpu) = (Vec::new(), Vec::new());
    for _ in 0..plan.reps {
        let (rate, cpu) = bulk_once(load, nlb.tls, Some(connector), plan, Some(nlb.pid()))?;
        ours.push(rate);
        our_cpu.extend(cpu);
        if let Some(h) = haproxy {
            let (rate, cpu) = bulk_once(load, h.addr(), Some(connector), plan, Some(h.pid()))?;
            theirs.push(rate);
            their_cpu.extend(cpu);
        }
    }
    let (o, t) = (median(&ours), median(&theirs));
    rows.push(Row {
        section: 3,
        figure: "TLS bulk over one connection, GB/s (terminated, plaintext to the backend)".into(),
        hoplab: gbps(o),
        reference: format!("{} HAProxy", gbps(t)),
        ratio: ratio(o, t),
        target: "≥ 1.0 × HAProxy".into(),
        met: ratio(o, t).map(|r| r >= 1.0),
    });
    rows.push(Row {
        section: 3,
        figure: "TLS bulk, proxy CPU per GB (lower is better; ratio hoplab / HAProxy)".into(),
        hoplab: cpu_per_gb(median(&our_cpu)),
        reference: format!("{} HAProxy", cpu_per_gb(median(&their_cpu))),
        ratio: ratio(median(&our_cpu), median(&their_cpu)),
        ..Row::default()
    });
    Ok(())
}

/// Longest pause after closing the idle connections.
const IDLE_DRAIN: Duration = Duration::from_secs(2);

/// Longest warm-up of a handshake or request loop.
const WARM_UP: Duration = Duration::from_millis(500);

/// Most handshakes or requests of a warm-up.
const WARM_UP_OPS: u64 = 50;

/// Longest to wait for the backend to see every idle connection.
const IDLE_SETTLE: Duration = Duration::from_secs(30);

fn idle_section(
    load: &Runtime,
    count: usize,
    sink: &Sink,
    nlb: &NlbProcess,
    connector: &TlsConnector,
    rows: &mut Vec<Row>,
) -> Result<(), BenchError> {
    for (name, addr, tls) in [
        ("TCP", nlb.tcp, None),
        ("TLS", nlb.tls, Some(connector.clone())),
    ] {
        let before_rss = procfs::vm_rss(nlb.pid());
        let before_accepted = sink.accepted();
        let set = load.block_on(load::open_idle(addr, tls, count))?;
        // The proxy connects to the backend after accepting (and, for TLS, after the
        // handshake): wait until the backend has seen every connection.
        let started = Instant::now();
        while sink.accepted() < before_accepted + count as u64 && started.elapsed() < IDLE_SETTLE {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        let reached = sink.accepted() - before_accepted;
        let after_rss = procfs::vm_rss(nlb.pid());
        // A connection the proxy could not forward was closed again: count only those that
        // reached the backend, which is the larger (more cautious) figure per connection.
        let held = usize::try_from(reached)
            .unwrap_or(usize::MAX)
            .min(set.len());
        let per_conn = match (before_rss, after_rss) {
            (Some(b), Some(a)) if held > 0 => {
                Some(a.saturating_sub(b) as f64 / held as f64 / 1024.0)
            }
            _ => None,
        };
        let tcp = name == "TCP";
        rows.push(Row {
            section: 4,
            figure: format!(
                "{} idle connections through a {name} listener ({reached} reached the backend), RSS growth per connection",
                set.len()
            ),
            hoplab: per_conn.map_or_else(|| "–".into(), |k| format!("{k:.1} KiB")),
            reference: if tcp { "16 KiB".into() } else { String::new() },
            ratio: if tcp { ratio(per_conn, Some(16.0)) } else { None },
            target: if tcp { "≤ 16 KiB".into() } else { String::new() },
            met: if tcp { per_conn.map(|k| k <= 16.0) } else { None },
        });
        drop(set);
        // Let the proxy close both sides before the next measurement.
        std::thread::sleep(Duration::from_millis(200 + count as u64 / 5).min(IDLE_DRAIN));
    }
    Ok(())
}

fn gateway_section(
    load: &Runtime,
    sut: &Runtime,
    plan: Plan,
    rows: &mut Vec<Row>,
) -> Result<(), BenchError> {
    let (lab, gateway, target) = sut.block_on(crate::gateway::start())?;
    for addr in [gateway, target] {
        requests(load, addr, None, plan, Window::WarmUp);
    }
    let (mut via, mut direct) = (Vec::new(), Vec::new());
    let (mut via_errors, mut direct_errors) = (0, 0);
    for _ in 0..plan.reps {
        let run = requests(load, gateway, None, plan, Window::Measured);
        via_errors += run.errors;
        via.push(run);
        let run = requests(load, target, None, plan, Window::Measured);
        direct_errors += run.errors;
        direct.push(run);
    }
    sut.block_on(lab.stop());
    let rate = |runs: &[load::HttpRun]| median(&runs.iter().map(|r| r.rate()).collect::<Vec<_>>());
    let pct = |runs: &[load::HttpRun], p: f64| {
        median(
            &runs
                .iter()
                .filter_map(|r| percentile(&r.latencies, p))
                .map(|d| d.as_secs_f64())
                .collect::<Vec<_>>(),
        )
    };
    let (vr, dr) = (rate(&via), rate(&direct));
    rows.push(Row {
        section: 5,
        figure: format!(
            "requests/s, {} keep-alive clients: gateway → NLB TLS listener → target vs direct (errors: {via_errors} / {direct_errors})",
            plan.concurrency
        ),
        hoplab: per_sec(vr, "req/s"),
        reference: format!("{} direct", per_sec(dr, "req/s")),
        ratio: ratio(vr, dr),
        ..Row::default()
    });
    for p in [50.0, 99.0] {
        let (v, d) = (pct(&via, p), pct(&direct, p));
        let added = match (v, d) {
            (Some(v), Some(d)) => Some(v - d),
            _ => None,
        };
        rows.push(Row {
            section: 5,
            figure: format!(
                "p{p:.0} latency through the gateway (added: {})",
                added.map_or_else(|| "–".into(), |a| format!("{:.2} ms", a * 1e3))
            ),
            hoplab: msf(v),
            reference: format!("{} direct", msf(d)),
            ratio: ratio(v, d),
            ..Row::default()
        });
    }
    Ok(())
}

/// The gateway's fair anchor: the hoplab gateway (its own process) and HAProxy in `mode http`
/// in front of the same HTTPS target, each opening a new connection with a full handshake and
/// verifying the target's certificate against the same CA for every request, driven by the
/// same keep-alive clients, interleaved in one run. Reports requests per second and the
/// proxy's CPU per request of each, and their ratios.
fn anchor_section(
    load: &Runtime,
    options: &Options,
    haproxy: &Path,
    rows: &mut Vec<Row>,
) -> Result<(), BenchError> {
    let plan = options.plan;
    let cert = BackendCert::generate()?;
    let backend = start_backend(&options.exe, Some((&cert.cert_path(), &cert.key_path())))?;
    let gateway = start_gateway(&options.exe, backend.addr, &cert.ca_path())?;
    let mode = Mode::HttpReencrypt {
        ca: cert.ca_path(),
        name: SERVER_NAME.to_owned(),
    };
    let haproxy = Haproxy::start(haproxy, &mode, backend.addr, cert.dir())?;
    let proxies = [
        Contender::new("gateway", gateway.addr, gateway.pid()),
        Contender::new("HAProxy", haproxy.addr(), haproxy.pid()),
    ];
    let measured = head_to_head(load, plan, &proxies, backend.pid(), None)?;
    drop((haproxy, gateway, backend));
    rows.extend(measured.rows(
        5,
        "gateway",
        "keep-alive clients, a new connection, full TLS handshake and certificate verification per request: gateway → HTTPS target vs HAProxy `mode http` (verify required, http-reuse never, no session reuse)",
    ));
    Ok(())
}

/// The ALB figure: the hoplab ALB HTTPS listener (its own process) and HAProxy in `mode http`
/// terminating TLS (`bind … ssl crt`), each in front of the same plain HTTP target over
/// connections it keeps alive, serving the same certificate to the same keep-alive HTTPS
/// clients, interleaved in one run. Reports requests per second and the proxy's CPU per
/// request of each, and their ratios; without HAProxy, the ALB's figures alone.
fn alb_section(load: &Runtime, options: &Options, rows: &mut Vec<Row>) -> Result<(), BenchError> {
    let plan = options.plan;
    let cert = BenchCert::generate()?;
    let connector = TlsConnector::from(cert.client_config()?);
    let backend = start_backend(&options.exe, None)?;
    let alb = start_alb(
        &options.exe,
        backend.addr,
        &cert.cert_path(),
        &cert.key_path(),
    )?;
    let haproxy = match &options.haproxy {
        Some(bin) => Some(Haproxy::start(
            bin,
            &Mode::HttpTerminate(cert.combined_path()),
            backend.addr,
            cert.dir(),
        )?),
        None => None,
    };
    let mut proxies = vec![Contender::new("ALB", alb.addr, alb.pid())];
    proxies.extend(
        haproxy
            .as_ref()
            .map(|h| Contender::new("HAProxy", h.addr(), h.pid())),
    );
    let measured = head_to_head(load, plan, &proxies, backend.pid(), Some(&connector))?;
    drop((haproxy, alb, backend));
    rows.extend(measured.rows(
        6,
        "ALB",
        "keep-alive HTTPS clients: ALB HTTPS listener → HTTP target vs HAProxy `mode http` terminating TLS (`bind … ssl crt`), both keeping the target connections alive",
    ));
    Ok(())
}

/// One proxy of a head-to-head comparison.
#[derive(Debug, Clone, Copy)]
struct Contender {
    name: &'static str,
    addr: SocketAddr,
    pid: u32,
}

impl Contender {
    fn new(name: &'static str, addr: SocketAddr, pid: u32) -> Self {
        Contender { name, addr, pid }
    }
}

/// What [`head_to_head`] measured: per contender (hoplab's first, HAProxy second), each run's
/// rate, proxy and backend CPU seconds per answered request, and p50 latency, and the errors.
#[derive(Debug, Default)]
struct HeadToHead {
    /// Keep-alive clients of every run.
    concurrency: usize,
    rates: [Vec<f64>; 2],
    cpus: [Vec<f64>; 2],
    backend_cpus: [Vec<f64>; 2],
    p50s: [Vec<f64>; 2],
    errors: [u64; 2],
}

/// Drives up to two proxies in front of one backend (`backend_pid`) with the same keep-alive
/// clients (over TLS with `tls`), interleaved run by run so that drift on a shared machine
/// hits both alike, after a warm-up that proves each of them answers 200.
fn head_to_head(
    load: &Runtime,
    plan: Plan,
    proxies: &[Contender],
    backend_pid: u32,
    tls: Option<&TlsConnector>,
) -> Result<HeadToHead, BenchError> {
    // Warm-up, not measured; it also proves that each gets the backend's answer.
    for proxy in proxies {
        let warm = requests(load, proxy.addr, tls, plan, Window::WarmUp);
        if warm.ok == 0 {
            return Err(BenchError::Load(format!(
                "{} answered no request with 200 from the backend ({} errors)",
                proxy.name, warm.errors
            )));
        }
    }
    // CPU seconds per answered request of each process in `pids` over one load run.
    let measure = |addr: SocketAddr, pids: [u32; 2]| {
        let before = pids.map(procfs::cpu_time);
        let run = requests(load, addr, tls, plan, Window::Measured);
        let cpu =
            std::array::from_fn::<_, 2, _>(|i| match (before[i], procfs::cpu_time(pids[i])) {
                (Some(a), Some(b)) if run.ok > 0 => Some((b - a).as_secs_f64() / run.ok as f64),
                _ => None,
            });
        (run, cpu)
    };
    let mut measured = HeadToHead {
        concurrency: plan.concurrency,
        ..HeadToHead::default()
    };
    for _ in 0..plan.reps {
        for (i, proxy) in proxies.iter().take(2).enumerate() {
            let (run, [cpu, backend_cpu]) = measure(proxy.addr, [proxy.pid, backend_pid]);
            measured.rates[i].push(run.rate());
            measured.cpus[i].extend(cpu);
            measured.backend_cpus[i].extend(backend_cpu);
            measured.p50s[i].extend(percentile(&run.latencies, 50.0).map(|d| d.as_secs_f64()));
            measured.errors[i] += run.errors;
        }
    }
    Ok(measured)
}

impl HeadToHead {
    /// The rows of one comparison of the hoplab proxy `hoplab` with HAProxy: requests per
    /// second by `concurrency` clients described by `setup` (target ≥ 1.0 × HAProxy), then
    /// the proxy's CPU per request (target ≤ 1.0 × HAProxy), the backend's CPU per request and
    /// the p50 latency, each with its ratio `hoplab` / HAProxy.
    fn rows(&self, section: u8, hoplab: &str, setup: &str) -> Vec<Row> {
        let [(o, t), (oc, tc), (ob, tb), (ol, tl)] =
            [&self.rates, &self.cpus, &self.backend_cpus, &self.p50s]
                .map(|[ours, theirs]| (median(ours), median(theirs)));
        vec![
            Row {
                section,
                figure: format!(
                    "requests/s, {} {setup} (errors: {} / {})",
                    self.concurrency, self.errors[0], self.errors[1]
                ),
                hoplab: per_sec(o, "req/s"),
                reference: format!("{} HAProxy", per_sec(t, "req/s")),
                ratio: ratio(o, t),
                target: "≥ 1.0 × HAProxy".into(),
                met: ratio(o, t).map(|r| r >= 1.0),
            },
            Row {
                section,
                figure: format!(
                    "{hoplab} CPU per request, same runs (lower is better; ratio {hoplab} / HAProxy)"
                ),
                hoplab: micros(oc),
                reference: format!("{} HAProxy", micros(tc)),
                ratio: ratio(oc, tc),
                target: "≤ 1.0 × HAProxy".into(),
                met: ratio(oc, tc).map(|r| r <= 1.0),
            },
            Row {
                section,
                figure: format!(
                    "the backend's CPU per request, same runs (behind the {hoplab} / behind HAProxy)"
                ),
                hoplab: micros(ob),
                reference: format!("{} behind HAProxy", micros(tb)),
                ratio: ratio(ob, tb),
                ..Row::default()
            },
            Row {
                section,
                figure: format!("p50 latency, same runs (ratio {hoplab} / HAProxy)"),
                hoplab: msf(ol),
                reference: format!("{} HAProxy", msf(tl)),
                ratio: ratio(ol, tl),
                ..Row::default()
            },
        ]
    }
}

/// Which window a request-rate run takes.
#[derive(Clone, Copy)]
enum Window {
    /// Not measured: [`WARM_UP`], at most [`WARM_UP_OPS`] requests.
    WarmUp,
    /// The plan's window and operation count.
    Measured,
}

/// `plan.concurrency` keep-alive clients (over TLS with `tls`) sending `GET` on the gateway
/// path to `addr`.
fn requests(
    load: &Runtime,
    addr: SocketAddr,
    tls: Option<&TlsConnector>,
    plan: Plan,
    window: Window,
) -> load::HttpRun {
    let (duration, ops) = match window {
        Window::WarmUp => (WARM_UP, WARM_UP_OPS),
        Window::Measured => (plan.window, plan.max_ops),
    };
    load.block_on(load::http_load(
        addr,
        tls,
        crate::gateway::PATH,
        plan.concurrency,
        duration,
        ops,
    ))
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |s| format!("{s:.3} s"))
}

fn gbps(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |g| format!("{g:.2} GB/s"))
}

fn cpu_per_gb(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |c| format!("{c:.2} CPU-s/GB"))
}

fn per_sec(v: Option<f64>, unit: &str) -> String {
    v.map_or_else(|| "–".into(), |r| format!("{r:.0} {unit}"))
}

fn micros(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |s| format!("{:.0} µs", s * 1e6))
}

fn msf(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |s| format!("{:.2} ms", s * 1e3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_to_head_ratios_are_hoplab_over_haproxy_with_their_targets() {
        let measured = HeadToHead {
            concurrency: 16,
            rates: [vec![900.0, 1000.0, 1100.0], vec![800.0]],
            cpus: [vec![30e-6], vec![40e-6]],
            backend_cpus: [vec![10e-6], vec![10e-6]],
            p50s: [vec![1e-3], vec![2e-3]],
            errors: [1, 2],
        };
        let rows = measured.rows(6, "ALB", "keep-alive HTTPS clients: ALB vs HAProxy");
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|row| row.section == 6));
        let rate = &rows[0];
        assert_eq!(
            rate.figure,
            "requests/s, 16 keep-alive HTTPS clients: ALB vs HAProxy (errors: 1 / 2)"
        );
        assert_eq!(rate.hoplab, "1000 req/s");
        assert_eq!(rate.reference, "800 req/s HAProxy");
        assert_eq!(rate.ratio, Some(1.25));
        assert_eq!(rate.met, Some(true));
        // CPU: lower is better, so the target is a ceiling.
        let cpu = &rows[1];
        assert!(cpu.figure.starts_with("ALB CPU per request"));
        assert!(
            cpu.ratio.is_some_and(|r| (r - 0.75).abs() < 1e-9),
            "{cpu:?}"
        );
        assert_eq!(cpu.target, "≤ 1.0 × HAProxy");
        assert_eq!(cpu.met, Some(true));
        assert_eq!(rows[3].ratio, Some(0.5));
        assert_eq!(rows[3].met, None);
    }

    #[test]
    fn without_haproxy_there_is_no_ratio_and_no_verdict() {
        let measured = HeadToHead {
            concurrency: 4,
            rates: [vec![500.0], Vec::new()],
            cpus: [vec![50e-6], Vec::new()],
            ..HeadToHead::default()
        };
        let rows = measured.rows(6, "ALB", "clients");
        assert_eq!(rows[0].hoplab, "500 req/s");
        assert_eq!(rows[0].reference, "– HAProxy");
        assert_eq!(rows[0].ratio, None);
        assert_eq!(rows[0].met, None);
        assert_eq!(rows[1].met, None);
    }
}
