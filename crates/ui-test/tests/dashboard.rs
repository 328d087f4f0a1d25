//! The dashboard of the real `hoplab up`, in Debian's Chromium driven through WebDriver:
//! the page loads with the topology, a request sent from outside appears in the feed with its
//! status and validated hop, selecting it shows its certificates, stopping a target from
//! the page makes the next request fail with API Gateway's message, and marking it unhealthy
//! from the page shows in the health view. A screenshot is written to
//! `target/ui/dashboard.png`.
//!
//! Needs `chromedriver` and `chromium` (Debian's `chromium-driver`; `make ui-test` installs
//! it) and the `hoplab` binary (`HOPLAB_BIN`, else the workspace's debug build). Without
//! them the test says it skipped; under `CI=true` that is a failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};

/// A bound on every wait of this test.
const PATIENCE: Duration = Duration::from_secs(30);

/// The bundled scenario: five targets behind NLB TCP listeners, each validated by the gateway.
const SCENARIO: &str = "scenarios/nlb/tcp-listener-validates-target.toml";

/// API Gateway's failure line when the NLB's target does not answer the connection.
const STOPPED_TARGET_FAILURE: &str = "Execution failed due to configuration error: There was an internal error while executing your request";

/// A child process killed (and reaped) when the test ends, however it ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `what` is missing: skip, or under `CI=true` fail.
fn missing(what: &str) {
    if std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("{what} is missing, and CI=true requires the browser test to run");
    }
    eprintln!(
        "skipped: {what} is missing (install Debian's chromium-driver, or run `make ui-test`)"
    );
}

/// The program `env` names, else `name` found on `PATH`.
fn program(env: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        return Some(PathBuf::from(path));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

fn hoplab_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("HOPLAB_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    target.join("debug/hoplab")
}

/// Starts `hoplab up` and returns it with its gateway's address and dashboard URL.
fn start_up(bin: &Path) -> (Process, SocketAddr, String) {
    let mut child = Command::new(bin)
        .arg("up")
        .arg(workspace().join(SCENARIO))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hoplab up starts");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let process = Process(child);
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let (mut gateway, mut dashboard) = (None, None);
    let deadline = Instant::now() + PATIENCE;
    // Bounded: one line per hop, the dashboard line, then the ready line.
    for _ in 0..64 {
        let line = received
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("hoplab up prints its ready line in time");
        if let Some(addr) = line.strip_prefix("listening for gateway on ") {
            gateway = Some(addr.parse().expect("gateway address"));
        }
        if let Some(url) = line.strip_prefix("dashboard: ") {
            dashboard = Some(url.to_owned());
        }
        if line.starts_with("ready: ") {
            break;
        }
    }
    (
        process,
        gateway.expect("a gateway line"),
        dashboard.expect("hoplab up prints the dashboard's URL"),
    )
}

/// A plain HTTP/1.1 GET, as curl would send it: status and `x-amzn-RequestId`.
fn get(gateway: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(gateway).expect("connect to the gateway");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    let status = answer[9..12].parse().expect("a status");
    let id = answer
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("x-amzn-requestid: ")
                .map(str::to_owned)
        })
        .expect("a request id");
    (status, id)
}

/// A free loopback port for chromedriver (it takes a port number, not a socket).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Polls `check` every 100 ms until it returns `Some`, within [`PATIENCE`].
async fn within<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_each_request_and_stops_a_target() {
    let Some(chromedriver) = program("CHROMEDRIVER", "chromedriver") else {
        return missing("chromedriver");
    };
    let Some(chromium) = program("CHROMIUM", "chromium") else {
        return missing("chromium");
    };
    let bin = hoplab_bin();
    if !bin.is_file() {
        return missing(&format!("the hoplab binary ({})", bin.display()));
    }
    let (_up, gateway, url) = start_up(&bin);
    let port = free_port();
    let _driver = Process(
        Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    within("chromedriver listening", || async {
        TcpStream::connect(("127.0.0.1", port)).ok().map(|_| ())
    })
    .await;

    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--window-size=1400,1100"],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let browser = ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a WebDriver session");

    browser.goto(&url).await.expect("the dashboard loads");
    browser
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("#topology svg"))
        .await
        .expect("the topology is drawn");
    within("the feed connected", || async {
        let live = browser
            .find(Locator::Id("live"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        (live == "live").then_some(())
    })
    .await;

    // A request from outside the browser appears in the feed.
    let (status, id) = get(gateway, "/valid");
    assert_eq!(status, 200);
    let row_css = format!("#feed tr[data-id='{id}']");
    let row = within("the request in the feed", || async {
        browser.find(Locator::Css(&row_css)).await.ok()
    })
    .await;
    let text = row.text().await.expect("row text");
    assert!(
        text.contains("/valid") && text.contains("200") && text.contains("target:valid"),
        "{text}"
    );

    // Selecting it shows its certificates: the target's, validated.
    row.click().await.expect("select the request");
    let certificates = within("the certificate section", || async {
        let section = browser
            .find(Locator::Css("#certificates .cert.validated"))
            .await
            .ok()?;
        section.text().await.ok()
    })
    .await;
    assert!(
        certificates.contains("target:valid") && certificates.contains("validated"),
        "{certificates}"
    );

    let shots = workspace().join("target/ui");
    std::fs::create_dir_all(&shots).expect("target/ui");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(shots.join("dashboard.png"), png).expect("write the screenshot");

    // Stop the target from the page: the next request fails with API Gateway's message.
    browser
        .find(Locator::Id("target"))
        .await
        .expect("target list")
        .select_by_value("valid")
        .await
        .expect("choose the target");
    browser
        .find(Locator::Id("stop"))
        .await
        .expect("stop button")
        .click()
        .await
        .expect("stop");
    within("the stop confirmed", || async {
        let message = browser
            .find(Locator::Id("message"))
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        message.contains("stopped").then_some(())
    })
    .await;
    let (status, id) = get(gateway, "/valid");
    assert_eq!(status, 500);
    let row_css = format!("#feed tr[data-id='{id}']");
    let failed = within("the failed request in the feed", || async {
        browser
            .find(Locator::Css(&row_css))
            .await
            .ok()?
            .text()
            .await
            .ok()
    })
    .await;
    assert!(
        failed.contains("500") && failed.contains(STOPPED_TARGET_FAILURE),
        "{failed}"
    );
    let change = browser
        .find(Locator::Css("#feed tr.change"))
        .await
        .expect("the change in the feed")
        .text()
        .await
        .expect("change text");
    assert!(change.contains("valid: stopped"), "{change}");
    let png = browser.screenshot().await.expect("a screenshot");
    std::fs::write(shots.join("dashboard-stopped.png"), png).expect("write the screenshot");

    // Mark it unhealthy from the page: the health view shows the override.
    browser
        .find(Locator::Id("mark-unhealthy"))
        .await
        .expect("mark-unhealthy button")
        .click()
        .await
        .expect("mark unhealthy");
    within(
        "the health view shows the target marked unhealthy",
        || async {
            let row = browser
                .find(Locator::Css("#health tr[data-target='valid']"))
                .await
                .ok()?
                .text()
                .await
                .ok()?;
            row.contains("marked unhealthy").then_some(())
        },
    )
    .await;
    browser.close().await.expect("the session ends");
}
