//! `hoplab up` as a real process: readiness lines, requests with a plain HTTP client (on the
//! stage, as the invoke URL has it), the invocation record, graceful shutdown on SIGINT, and
//! SIGTERM during start-up.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use support::bundled;

/// How long `hoplab up` may take to print its ready line, and to stop after SIGINT.
const PATIENCE: Duration = Duration::from_secs(20);

/// A running `hoplab up`, killed on drop if the test did not stop it.
struct Up {
    child: Option<Child>,
    gateway: SocketAddr,
    lines: Vec<String>,
    /// The lines of stdout after the ready line, as a reader thread reads them.
    stdout: Receiver<String>,
    stderr: Option<ChildStderr>,
}

impl Up {
    fn start(scenario: &str) -> Up {
        Up::start_with(scenario, &[])
    }

    /// Starts `hoplab up` on a bundled scenario with extra arguments.
    fn start_with(scenario: &str, args: &[&str]) -> Up {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hoplab"))
            .arg("up")
            .arg(bundled(scenario))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("hoplab starts");
        let stdout = forward_lines(BufReader::new(child.stdout.take().expect("stdout")));
        let stderr = child.stderr.take();
        let mut lines = Vec::new();
        let mut gateway = None;
        let deadline = Instant::now() + PATIENCE;
        // Bounded: a scenario has a handful of hops, then the ready line.
        for _ in 0..64 {
            let line = match stdout.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => line.trim_end().to_owned(),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("hoplab up was not ready within {PATIENCE:?}: {lines:#?}");
                }
            };
            if let Some(addr) = line.strip_prefix("listening for gateway on ") {
                gateway = Some(addr.parse().expect("gateway address"));
            }
            let ready = line.starts_with("ready: ");
            lines.push(line);
            if ready {
                break;
            }
        }
        let gateway = gateway.unwrap_or_else(|| panic!("no gateway line in {lines:#?}"));
        Up {
            child: Some(child),
            gateway,
            lines,
            stdout,
            stderr,
        }
    }

    /// Sends SIGINT and waits (bounded) for a clean exit; returns the rest of stdout.
    fn interrupt(&mut self) -> String {
        let child = self.child.take().expect("still running");
        let status = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let exit = wait_within(child, PATIENCE)
            .unwrap_or_else(|| panic!("hoplab up did not stop within {PATIENCE:?} of SIGINT"));
        assert_eq!(exit.status.code(), Some(0));
        // The process has exited, so its stdout ends; the deadline only guards the test.
        let deadline = Instant::now() + PATIENCE;
        let mut rest = String::new();
        while let Ok(line) = self
            .stdout
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            rest.push_str(&line);
        }
        rest
    }

    fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut stderr) = self.stderr.take() {
            let _ = stderr.read_to_string(&mut text);
        }
        text
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Reads `reader` line by line on a thread of its own, so that the test can wait for a line
/// with a deadline; the channel closes at the end of the stream.
fn forward_lines(mut reader: impl BufRead + Send + 'static) -> Receiver<String> {
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) if send.send(line).is_err() => break,
                Ok(_) => {}
            }
        }
    });
    lines
}

/// Waits for `child` to exit and collects what it left in its pipes, or kills it (by its PID)
/// and returns `None` when it is still running after `within`.
fn wait_within(child: Child, within: Duration) -> Option<Output> {
    let pid = child.id();
    let (done, exited) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match exited.recv_timeout(within) {
        Ok(output) => Some(output.expect("wait for hoplab")),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            None
        }
    }
}

/// A response: status, headers (lower-case names) and body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn get(gateway: SocketAddr, path: &str) -> Response {
    let mut stream = TcpStream::connect(gateway).expect("connect to the gateway");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {gateway}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read response");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
}

#[test]
fn up_serves_until_interrupted_and_releases_its_ports() {
    let mut up = Up::start("integration/public-backend-valid.toml");
    assert!(
        up.lines[0].starts_with("listening for target:api on 127.0.0.1:"),
        "{:#?}",
        up.lines
    );
    assert!(
        up.lines
            .last()
            .unwrap()
            .contains(&format!("http://{}/", up.gateway))
    );

    let response = get(up.gateway, "/pets");
    assert_eq!(response.status, 200);
    assert_eq!(response.body, "pets: cat, dog");
    let id = response
        .header("x-amzn-requestid")
        .expect("request id")
        .to_owned();

    let record = get(up.gateway, &format!("/_hoplab/invocations/{id}"));
    assert_eq!(record.status, 200);
    assert!(
        record
            .body
            .contains("Sending request to https://api.example.com/pets"),
        "{}",
        record.body
    );
    assert!(record.body.contains("\"accepted\":true"), "{}", record.body);

    let unknown = get(up.gateway, "/test/nowhere");
    assert_eq!(unknown.status, 403);
    assert_eq!(
        unknown.body,
        r#"{"message":"Missing Authentication Token"}"#
    );

    let rest = up.interrupt();
    assert!(rest.contains("stopped"), "{rest}");
    let stderr = up.stderr();
    assert!(
        stderr.contains(&format!("(x-amzn-RequestId: {id})")),
        "{stderr}"
    );
    assert!(
        stderr.contains(" : Method completed with status: 200"),
        "{stderr}"
    );
    std::net::TcpListener::bind(up.gateway).expect("the gateway's port is free again");
}

#[test]
fn up_answers_a_failing_route_as_api_gateway_does() {
    let up = Up::start("nlb/nlb-incomplete-chain.toml");
    let response = get(up.gateway, "/pets");
    assert_eq!(response.status, 500);
    assert_eq!(response.body, r#"{"message": "Internal server error"}"#);
    assert_eq!(response.header("content-type"), Some("application/json"));
}

#[test]
fn up_prints_the_dashboard_url_and_serves_it() {
    let up = Up::start("nlb/nlb-incomplete-chain.toml");
    let url = format!("dashboard: http://{}/_hoplab/", up.gateway);
    assert!(up.lines.contains(&url), "{:#?}", up.lines);
    let page = get(up.gateway, "/_hoplab/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<svg"),
        "the topology is drawn in the page"
    );
    let invocations = get(up.gateway, "/_hoplab/api/invocations");
    assert_eq!(invocations.status, 200);
    assert_eq!(invocations.header("content-type"), Some("application/json"));
}

#[test]
fn up_pins_the_gateway_port() {
    // A port the system just handed out and that is free again.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let up = Up::start_with("outages/target-faults.toml", &["--port", &port.to_string()]);
    assert_eq!(up.gateway, SocketAddr::from(([127, 0, 0, 1], port)));
    let response = get(up.gateway, "/hang");
    assert_eq!(response.status, 504);
    assert_eq!(
        response.body,
        r#"{"message": "Endpoint request timed out"}"#
    );
    let refused = get(up.gateway, "/refused");
    assert_eq!(refused.status, 500);
    assert_eq!(refused.body, r#"{"message": "Internal server error"}"#);
}

#[test]
fn up_warns_before_listening_beyond_loopback() {
    // 192.0.2.1 (TEST-NET-1) is not this machine's, so the bind fails: the warning is checked
    // without ever listening beyond loopback.
    let child = Command::new(env!("CARGO_BIN_EXE_hoplab"))
        .arg("up")
        .arg(bundled("integration/public-backend-valid.toml"))
        .args(["--listen", "192.0.2.1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hoplab starts");
    let output = wait_within(child, Duration::from_secs(30))
        .unwrap_or_else(|| panic!("hoplab up kept running on a foreign address"));
    let status = output.status;
    let stderr = support::stderr(&output);
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("warning: the gateway listens on 192.0.2.1, reachable from other machines"),
        "{stderr}"
    );
    assert!(
        stderr.contains("binding gateway on 192.0.2.1:0"),
        "{stderr}"
    );
}

#[test]
fn up_keeps_the_records_of_the_latest_n_requests_and_says_when_one_was_evicted() {
    let mut up = Up::start_with("integration/public-backend-valid.toml", &["--keep", "2"]);
    assert!(
        up.lines
            .last()
            .unwrap()
            .contains("records of the latest 2 requests"),
        "{:#?}",
        up.lines
    );
    let never = get(up.gateway, "/_hoplab/invocations/not-an-id");
    assert_eq!(never.status, 404);
    assert_eq!(
        never.body,
        r#"{"message":"no invocation with request id not-an-id was served here"}"#
    );
    let ids: Vec<String> = (0..3)
        .map(|_| {
            let response = get(up.gateway, "/pets");
            assert_eq!(response.status, 200);
            response
                .header("x-amzn-requestid")
                .expect("request id")
                .to_owned()
        })
        .collect();
    let evicted = get(up.gateway, &format!("/_hoplab/invocations/{}", ids[0]));
    assert_eq!(evicted.status, 404);
    assert!(
        evicted.body.contains(&format!(
            "no invocation with request id {} is kept: it was evicted or never served here \
             (this gateway keeps the records of the latest 2 requests and has evicted 1)",
            ids[0]
        )),
        "{}",
        evicted.body
    );
    for id in &ids[1..] {
        let kept = get(up.gateway, &format!("/_hoplab/invocations/{id}"));
        assert_eq!(kept.status, 200, "{}", kept.body);
    }
    let rest = up.interrupt();
    assert!(rest.contains("stopped"), "{rest}");
}

#[test]
fn up_routes_the_stage_of_the_invoke_url_as_api_gateway_does() {
    let up = Up::start("integration/public-backend-valid.toml");
    let ready = up.lines.last().expect("a ready line");
    assert!(
        ready.starts_with(&format!("ready: invoke URL http://{}/test/ ", up.gateway)),
        "{ready}"
    );
    assert!(
        ready.contains("https://{api-id}.execute-api.{region}.amazonaws.com/test/"),
        "{ready}"
    );

    let on_stage = get(up.gateway, "/test/pets");
    assert_eq!(on_stage.status, 200);
    assert_eq!(on_stage.body, "pets: cat, dog");
    let id = on_stage.header("x-amzn-requestid").expect("request id");
    let record = get(up.gateway, &format!("/_hoplab/invocations/{id}"));
    assert!(
        record
            .body
            .contains("HTTP Method: GET, Resource Path: /pets"),
        "the resource path is logged without the stage: {}",
        record.body
    );
    assert!(
        record.body.contains("\"path\":\"/test/pets\""),
        "the record keeps the path the client sent: {}",
        record.body
    );

    for other in ["/prod/pets", "/testing/pets", "/nowhere"] {
        let missing = get(up.gateway, other);
        assert_eq!(missing.status, 403, "{other}");
        assert_eq!(missing.body, r#"{"message":"Forbidden"}"#, "{other}");
        assert!(missing.header("x-amzn-requestid").is_some(), "{other}");
    }
    // The resource path alone, as the scenario's requests write it, is served too.
    assert_eq!(get(up.gateway, "/pets").status, 200);
}

#[test]
fn up_logs_the_stage_a_private_integration_puts_in_front_of_the_backend_path() {
    let up = Up::start("vpc-link-v2/vpc-link-v2-stage-prefix.toml");
    let record = |path: &str| {
        let response = get(up.gateway, path);
        let id = response.header("x-amzn-requestid").expect("request id");
        (
            response.status,
            get(up.gateway, &format!("/_hoplab/invocations/{id}")).body,
        )
    };
    let (status, with_stage) = record("/test/with-stage");
    assert_eq!(status, 404, "the ALB's rule does not match /test/orders/1");
    for line in [
        "Endpoint request URI: https://api.example.com/test/orders/1",
        "Sending request to https://api.example.com/test/orders/1",
    ] {
        assert!(with_stage.contains(line), "{line}: {with_stage}");
    }
    let (status, without_stage) = record("/test/without-stage");
    assert_eq!(status, 200);
    assert!(
        without_stage.contains("Sending request to https://api.example.com/orders/1"),
        "{without_stage}"
    );
}

#[test]
fn up_serves_an_http_apis_default_stage_at_the_root_of_the_invoke_url() {
    let up = Up::start("vpc-link-v2/http-api-default-stage.toml");
    let ready = up.lines.last().expect("a ready line");
    assert!(
        ready.starts_with(&format!("ready: invoke URL http://{}/ ", up.gateway)),
        "{ready}"
    );
    assert!(
        ready.contains("https://{api-id}.execute-api.{region}.amazonaws.com/;"),
        "{ready}"
    );
    let response = get(up.gateway, "/orders");
    assert_eq!(response.status, 200, "{}", response.body);
    let id = response.header("x-amzn-requestid").expect("request id");
    let record = get(up.gateway, &format!("/_hoplab/invocations/{id}")).body;
    assert!(
        record.contains(
            "Sending request to https://internal-web-1234567890.us-east-1.elb.amazonaws.com/orders/1"
        ),
        "no stage goes in front of the backend path: {record}"
    );
    // No first segment is read as a stage (that would be 403 Forbidden, or the /orders
    // route): /test/orders is a resource no route serves.
    let unknown = get(up.gateway, "/test/orders");
    assert_eq!(unknown.status, 403);
    assert_eq!(
        unknown.body,
        r#"{"message":"Missing Authentication Token"}"#
    );
}

#[test]
fn up_says_a_refusing_target_refuses_connections_instead_of_listening() {
    let up = Up::start("outages/target-faults.toml");
    for name in ["refusing", "public-refusing"] {
        assert!(
            !up.lines
                .iter()
                .any(|l| l.starts_with(&format!("listening for target:{name} "))),
            "{:#?}",
            up.lines
        );
        let prefix = format!(
            "target:{name} refuses connections (behaviour \"refuse\"): nothing listens on "
        );
        let line = up
            .lines
            .iter()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} line in {:#?}", up.lines));
        let addr: SocketAddr = line.parse().expect("an address");
        assert_eq!(
            TcpStream::connect(addr).map_err(|e| e.kind()).err(),
            Some(std::io::ErrorKind::ConnectionRefused),
            "{addr}"
        );
    }
    assert!(
        up.lines
            .iter()
            .any(|l| l.starts_with("listening for target:closing on ")),
        "a target that accepts is listed as listening: {:#?}",
        up.lines
    );
}

/// A scenario whose start-up takes a minute: the NLB runs its first health checks before it
/// accepts, and the HTTP check of a target that never answers waits out its 60 s timeout.
const SLOW_START: &str = r#"
[targets.stuck]
protocol = "HTTP"
behaviour = "hang"

[target_groups.app]
protocol = "TCP"
targets = ["stuck"]

[target_groups.app.health_check]
protocol = "HTTP"
interval_seconds = 300
timeout_seconds = 60

[[nlbs.internal.listeners]]
port = 80
protocol = "TCP"
target_group = "app"

[[gateway.routes]]
path = "/slow"
uri = "http://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#;

/// Whether process `pid` catches `signal` (its bit in `SigCgt` of `/proc/<pid>/status`).
#[cfg(target_os = "linux")]
fn catches(pid: u32, signal: u32) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return false;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (signal - 1)) != 0)
}

#[cfg(target_os = "linux")]
#[test]
fn up_stops_cleanly_on_sigterm_during_start_up_and_releases_its_port() {
    const SIGINT: u32 = 2;
    const SIGTERM: u32 = 15;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = support::write_scenario(&dir, "slow-start.toml", SLOW_START);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_hoplab"))
        .arg("up")
        .arg(&file)
        .args(["--port", &port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hoplab starts");
    let pid = child.id();
    // Nothing is printed before the hops are up: the child's own signal mask says when its
    // handlers are in place. Bounded: every 10 ms for at most PATIENCE.
    let deadline = Instant::now() + PATIENCE;
    while !(catches(pid, SIGTERM) && catches(pid, SIGINT)) {
        if Instant::now() > deadline {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("hoplab up did not catch SIGINT and SIGTERM within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = wait_within(child, PATIENCE)
        .unwrap_or_else(|| panic!("hoplab up did not stop within {PATIENCE:?} of SIGTERM"));
    let stdout = String::from_utf8_lossy(&exit.stdout);
    assert_eq!(
        exit.status.code(),
        Some(0),
        "{stdout}{}",
        support::stderr(&exit)
    );
    assert!(
        stdout.contains("stopped: SIGTERM during start-up, before anything was served"),
        "{stdout}"
    );
    assert!(!stdout.contains("ready:"), "it never served: {stdout}");
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the gateway's port is free again");
}
