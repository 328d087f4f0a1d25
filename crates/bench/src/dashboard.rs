//! What watching the dashboard costs the gateway: requests per second through a lab run as
//! `hoplab up` runs it (bounded records, the dashboard mounted on the gateway's port), with no
//! subscriber to the event stream and with [`SUBSCRIBERS`] of them, real HTTP connections on
//! loopback reading `/_hoplab/api/events` for the whole window. The two windows alternate in
//! one run, so the ratio compares figures taken under the same machine load.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hoplab_dashboard::{ControlAccess, Dashboard};
use hoplab_gateway::DEFAULT_KEPT_INVOCATIONS;
use hoplab_runner::{Lab, LabOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::BenchError;
use crate::load::{self, HttpRun};
use crate::plan::Plan;
use crate::report::Row;
use crate::stats::{median, ratio};

/// Subscribers to the event stream in the measured window.
pub const SUBSCRIBERS: usize = 10;

/// The lowest requests-per-second ratio, with subscribers over without, that meets the
/// target (within 10 %).
pub const TARGET_RATIO: f64 = 0.9;

/// The benchmark's measurement number (`--only 7`).
pub const SECTION: u8 = 7;

/// Longest a subscriber may wait for the stream's head.
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The warm-up window before the measured ones.
const WARM_UP: Duration = Duration::from_millis(300);

/// Starts the gateway benchmark's topology as `hoplab up` runs it, with the dashboard
/// mounted; returns the lab, its dashboard and the gateway's address. Call inside the runtime
/// the hops should run on.
pub async fn start() -> Result<(Lab, Arc<Dashboard>, SocketAddr), BenchError> {
    let fail = |detail: String| BenchError::Scenario {
        file: "bench-gateway (built in)".into(),
        detail,
    };
    let scenario = hoplab_scenario::from_toml(crate::gateway::SCENARIO, "bench-gateway.toml")
        .map_err(|e| fail(e.to_string()))?;
    let options = LabOptions {
        keep_requests: Some(DEFAULT_KEPT_INVOCATIONS),
        ..LabOptions::default()
    };
    let lab = Lab::start(&scenario, options)
        .await
        .map_err(|e| fail(e.to_string()))?;
    let dashboard = Dashboard::new(&scenario, lab.control(), ControlAccess::Loopback);
    lab.console()
        .mount(dashboard.clone())
        .map_err(|_| fail("a console was already mounted".into()))?;
    let gateway = lab.gateway_addr();
    Ok((lab, dashboard, gateway))
}

/// Connections reading the event stream until they are stopped.
#[derive(Debug)]
pub struct Subscribers {
    stop: CancellationToken,
    readers: JoinSet<u64>,
}

impl Subscribers {
    /// Opens `count` event streams on the gateway at `addr`; returns once every one has
    /// received the stream's head, so each is subscribed.
    pub async fn connect(addr: SocketAddr, count: usize) -> Result<Subscribers, BenchError> {
        let stop = CancellationToken::new();
        let mut readers = JoinSet::new();
        for _ in 0..count {
            let stream = subscribe(addr).await?;
            readers.spawn(read_events(stream, stop.clone()));
        }
        Ok(Subscribers { stop, readers })
    }

    /// Closes every stream; returns how many events they received in all.
    pub async fn close(mut self) -> u64 {
        self.stop.cancel();
        let mut events = 0;
        while let Some(read) = self.readers.join_next().await {
            events += read.unwrap_or(0);
        }
        events
    }
}

/// Opens one event stream and reads until its head has arrived.
async fn subscribe(addr: SocketAddr) -> Result<TcpStream, BenchError> {
    let opening = async {
        let mut stream = TcpStream::connect(addr)
            .await
            .map_err(BenchError::io("connecting an event-stream subscriber"))?;
        let request = format!(
            "GET /_hoplab/api/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(BenchError::io("subscribing to the event stream"))?;
        let mut head = Vec::new();
        let mut buffer = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream
                .read(&mut buffer)
                .await
                .map_err(BenchError::io("reading the event stream's head"))?;
            if n == 0 {
                return Err(BenchError::Load("the event stream closed at once".into()));
            }
            head.extend_from_slice(&buffer[..n]);
        }
        if !head.starts_with(b"HTTP/1.1 200") {
            let line = String::from_utf8_lossy(&head);
            let line = line.lines().next().unwrap_or_default();
            return Err(BenchError::Load(format!(
                "the event stream answered {line}"
            )));
        }
        Ok(stream)
    };
    tokio::time::timeout(SUBSCRIBE_TIMEOUT, opening)
        .await
        .map_err(|_| BenchError::Load("the event stream's head did not arrive".into()))?
}

/// Reads the stream until `stop`, counting `data:` lines (events).
async fn read_events(mut stream: TcpStream, stop: CancellationToken) -> u64 {
    const MARK: &[u8] = b"\ndata:";
    let mut events = 0u64;
    let mut buffer = vec![0u8; 16 * 1024];
    // The last bytes of the previous read, so a mark split between two reads is counted.
    let mut carried = 0;
    loop {
        let read = tokio::select! {
            () = stop.cancelled() => return events,
            read = stream.read(&mut buffer[carried..]) => read,
        };
        let n = match read {
            Ok(0) | Err(_) => return events,
            Ok(n) => n,
        };
        let filled = carried + n;
        events += buffer[..filled]
            .windows(MARK.len())
            .filter(|w| *w == MARK)
            .count() as u64;
        carried = (MARK.len() - 1).min(filled);
        buffer.copy_within(filled - carried..filled, 0);
    }
}

/// `plan.concurrency` keep-alive clients sending the gateway route's request for `window`.
async fn requests(gateway: SocketAddr, plan: Plan, window: Duration) -> HttpRun {
    let ops = plan.max_ops;
    load::http_load(
        gateway,
        None,
        crate::gateway::PATH,
        plan.concurrency,
        window,
        ops,
    )
    .await
}

/// Measures the gateway's requests per second with no subscriber and with [`SUBSCRIBERS`],
/// alternating `plan.reps` times, and adds the rows.
pub fn section(
    load: &Runtime,
    sut: &Runtime,
    plan: Plan,
    rows: &mut Vec<Row>,
) -> Result<(), BenchError> {
    let (lab, dashboard, gateway) = sut.block_on(start())?;
    let measured = load.block_on(async {
        requests(gateway, plan, WARM_UP).await;
        let (mut none, mut watched, mut events) = (Vec::new(), Vec::new(), 0);
        for _ in 0..plan.reps {
            none.push(requests(gateway, plan, plan.window).await);
            let subscribers = Subscribers::connect(gateway, SUBSCRIBERS).await?;
            watched.push(requests(gateway, plan, plan.window).await);
            events += subscribers.close().await;
        }
        Ok::<_, BenchError>((none, watched, events))
    });
    dashboard.close();
    sut.block_on(lab.stop());
    let (none, watched, events) = measured?;
    if events == 0 {
        return Err(BenchError::Load(
            "the event-stream subscribers received no event".into(),
        ));
    }
    let rate = |runs: &[HttpRun]| median(&runs.iter().map(HttpRun::rate).collect::<Vec<_>>());
    let errors = |runs: &[HttpRun]| runs.iter().map(|r| r.errors).sum::<u64>();
    let (quiet, busy) = (rate(&none), rate(&watched));
    let per_sec = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.0} req/s"));
    let kept = ratio(busy, quiet);
    rows.push(Row {
        section: SECTION,
        figure: format!(
            "requests/s, {} keep-alive clients, `hoplab up`'s lab with its dashboard (gateway → NLB TLS listener → target): {SUBSCRIBERS} SSE subscribers reading /_hoplab/api/events ({events} events read) vs none (errors: {} / {})",
            plan.concurrency,
            errors(&watched),
            errors(&none)
        ),
        hoplab: per_sec(busy),
        reference: format!("{} with none", per_sec(quiet)),
        ratio: kept,
        target: format!("≥ {TARGET_RATIO} × none"),
        met: kept.map(|r| r >= TARGET_RATIO),
    });
    Ok(())
}
