//! The dashboard on a real lab: its JSON API, the event stream and the control API, over
//! real sockets on loopback.

use std::net::SocketAddr;
use std::time::Duration;

use hoplab_dashboard::{ControlAccess, Dashboard};
use hoplab_runner::{Lab, LabOptions};
use hoplab_scenario::Scenario;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One HTTPS target behind an NLB TCP listener: the gateway validates the target's
/// certificate. The scenario also has an expired certificate to swap in.
const SCENARIO: &str = r#"
[authorities.root]
trusted = true

[certificates.valid]
issuer = "root"
dns_names = ["api.example.com"]

[certificates.expired]
issuer = "root"
dns_names = ["api.example.com"]
not_before = "-400d"
not_after = "-35d"

[targets.app]
protocol = "HTTPS"
certificate = "valid"

[target_groups.app]
protocol = "TCP"
targets = ["app"]

[[nlbs.internal.listeners]]
port = 443
protocol = "TCP"
target_group = "app"

[[gateway.routes]]
path = "/pets"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#;

/// A bound on every wait of these tests.
const PATIENCE: Duration = Duration::from_secs(20);

struct Running {
    lab: Lab,
    dashboard: std::sync::Arc<Dashboard>,
}

impl Running {
    async fn start(access: ControlAccess) -> Running {
        let scenario = Scenario::from_toml_str(SCENARIO).expect("valid scenario");
        let options = LabOptions {
            keep_requests: Some(100),
            ..LabOptions::default()
        };
        let lab = Lab::start(&scenario, options).await.expect("lab starts");
        let dashboard = Dashboard::new(&scenario, lab.control(), access);
        lab.console()
            .mount(dashboard.clone())
            .expect("no console mounted yet");
        Running { lab, dashboard }
    }

    fn addr(&self) -> SocketAddr {
        self.lab.gateway_addr()
    }

    async fn stop(self) {
        self.dashboard.close();
        assert!(self.lab.stop().await, "every hop stopped by itself");
    }
}

/// A response: status, headers (lower-case names) and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// Sends one request with `Connection: close` and reads the whole answer.
async fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut raw))
        .await
        .expect("answered in time")
        .expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a head and a body");
    let status = head[9..12].parse().expect("status");
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        head: head.to_ascii_lowercase(),
        body,
    }
}

/// A chunked body, joined.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    // Bounded by the body's length: each chunk consumes at least its size line.
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

const JSON: (&str, &str) = ("content-type", "application/json");

async fn control(addr: SocketAddr, path: &str, body: &str) -> Answer {
    send(
        addr,
        "POST",
        &format!("/_hoplab/api/targets/{path}"),
        &[JSON],
        body,
    )
    .await
}

#[tokio::test]
async fn the_api_lists_requests_with_the_validated_hop_and_shows_one_in_full() {
    let running = Running::start(ControlAccess::Loopback).await;
    let addr = running.addr();
    let first = send(addr, "GET", "/pets", &[], "").await;
    assert_eq!(first.status, 200, "{first:?}");
    let missing = send(addr, "GET", "/%3Cscript%3E", &[], "").await;
    assert_eq!(missing.status, 403);

    let list = send(addr, "GET", "/_hoplab/api/invocations", &[], "")
        .await
        .json();
    let rows = list["invocations"].as_array().expect("a list");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["path"], "/%3Cscript%3E", "newest first");
    assert_eq!(rows[1]["path"], "/pets");
    assert_eq!(rows[1]["status"], 200);
    assert_eq!(rows[1]["validated"], "target:app");

    let id = rows[1]["id"].as_str().expect("an id");
    let one = send(
        addr,
        "GET",
        &format!("/_hoplab/api/invocations/{id}"),
        &[],
        "",
    )
    .await
    .json();
    let certificates = one["report"]["trace"]["certificates"]
        .as_array()
        .expect("certificates");
    assert!(
        certificates
            .iter()
            .any(|c| c["role"] == "validated" && c["presented_by"] == "target:app"),
        "{certificates:#?}"
    );
    assert!(one["picture"].as_str().expect("svg").starts_with("<svg"));
    assert!(!one["log"].as_array().expect("log").is_empty());

    let unknown = send(addr, "GET", "/_hoplab/api/invocations/nope", &[], "").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["error"].as_str().unwrap().contains("nope"));

    let topology = send(addr, "GET", "/_hoplab/api/topology", &[], "")
        .await
        .json();
    assert_eq!(topology["targets"][0]["name"], "app");
    assert_eq!(
        topology["certificates"],
        serde_json::json!(["valid", "expired"])
    );

    let health = send(addr, "GET", "/_hoplab/api/health", &[], "")
        .await
        .json();
    assert_eq!(health["groups"][0]["group"], "app");
    assert_eq!(health["targets"][0]["running"], true);

    let page = send(addr, "GET", "/_hoplab/", &[], "").await;
    assert_eq!(page.status, 200);
    assert!(page.head.contains("content-security-policy"));
    assert!(page.body.contains("<svg"), "the topology is drawn in");
    running.stop().await;
}

#[tokio::test]
async fn stopping_a_target_fails_the_next_request_and_is_recorded_as_a_change() {
    let running = Running::start(ControlAccess::Loopback).await;
    let addr = running.addr();
    let stopped = control(addr, "app/stop", "").await;
    assert_eq!(stopped.status, 200, "{stopped:?}");
    let failed = send(addr, "GET", "/pets", &[], "").await;
    assert_eq!(failed.status, 500, "{failed:?}");

    let again = control(addr, "app/stop", "{}").await;
    assert_eq!(
        again.status, 409,
        "a stopped target cannot be stopped: {again:?}"
    );
    let started = control(addr, "app/start", "{}").await;
    assert_eq!(started.status, 200, "{started:?}");
    // The NLB marks the target healthy again after its checks; the request is bounded by it.
    let mut status = 0;
    for _ in 0..100 {
        status = send(addr, "GET", "/pets", &[], "").await.status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "the target answers again once started");

    let changes = send(addr, "GET", "/_hoplab/api/changes", &[], "")
        .await
        .json();
    let actions: Vec<&str> = changes["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["start", "stop"],
        "newest first, refused ones not recorded"
    );
    running.stop().await;
}

#[tokio::test]
async fn an_expired_certificate_swapped_in_fails_the_next_handshake() {
    let running = Running::start(ControlAccess::Loopback).await;
    let addr = running.addr();
    let swapped = control(addr, "app/certificate", r#"{"certificate":"expired"}"#).await;
    assert_eq!(swapped.status, 200, "{swapped:?}");
    let mut failure = String::new();
    for _ in 0..100 {
        let answer = send(addr, "GET", "/pets", &[], "").await;
        let id = answer
            .head
            .lines()
            .find_map(|l| l.strip_prefix("x-amzn-requestid: "))
            .map(str::to_owned);
        if answer.status == 500
            && let Some(id) = id
        {
            let one = send(
                addr,
                "GET",
                &format!("/_hoplab/api/invocations/{id}"),
                &[],
                "",
            )
            .await
            .json();
            failure = one["invocation"]["failure"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(failure.contains("validity check failed"), "{failure:?}");
    let health = send(addr, "GET", "/_hoplab/api/health", &[], "")
        .await
        .json();
    assert_eq!(health["targets"][0]["certificate"], "expired");
    running.stop().await;
}

#[tokio::test]
async fn bad_control_requests_get_a_4xx_json_error_and_change_nothing() {
    let running = Running::start(ControlAccess::Loopback).await;
    let addr = running.addr();
    let cases = [
        ("nobody/stop", "", 404, "no target \"nobody\""),
        (
            "app/certificate",
            r#"{"certificate":"nope"}"#,
            404,
            "no certificate \"nope\"",
        ),
        ("app/behaviour", r#"{"behaviour":"#, 400, "malformed JSON"),
        (
            "app/behaviour",
            r#"{"behaviour":"dance"}"#,
            400,
            "unknown behaviour",
        ),
        (
            "app/behaviour",
            r#"{"behaviour":"hang","color":1}"#,
            400,
            "unknown field",
        ),
        (
            "app/behaviour",
            r#"{"behaviour":"status","status":99}"#,
            400,
            "200 to 599",
        ),
        (
            "app/behaviour",
            r#"{"behaviour":"slow"}"#,
            400,
            "needs \"delay_ms\"",
        ),
        ("app/explode", "{}", 404, "no action"),
    ];
    for (path, body, status, says) in cases {
        let answer = control(addr, path, body).await;
        assert_eq!(answer.status, status, "{path} {body}: {answer:?}");
        let error = answer.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.contains(says), "{path} {body}: {error}");
    }
    let no_json = send(
        addr,
        "POST",
        "/_hoplab/api/targets/app/stop",
        &[("content-type", "text/plain")],
        "",
    )
    .await;
    assert_eq!(no_json.status, 415);

    let health = send(addr, "GET", "/_hoplab/api/health", &[], "")
        .await
        .json();
    assert_eq!(health["targets"][0]["running"], true);
    assert_eq!(health["targets"][0]["behaviour"], "answer");
    assert_eq!(health["targets"][0]["certificate"], "valid");
    let changes = send(addr, "GET", "/_hoplab/api/changes", &[], "")
        .await
        .json();
    assert_eq!(changes["changes"], serde_json::json!([]));
    assert_eq!(send(addr, "GET", "/pets", &[], "").await.status, 200);
    running.stop().await;
}

#[tokio::test]
async fn a_token_guards_control_and_off_means_off() {
    let running = Running::start(ControlAccess::Token("s3cret".into())).await;
    let addr = running.addr();
    let path = "/_hoplab/api/targets/app/behaviour";
    let body = r#"{"behaviour":"status","status":503}"#;
    let none = send(addr, "POST", path, &[JSON], body).await;
    assert_eq!(none.status, 401, "{none:?}");
    let wrong = send(
        addr,
        "POST",
        path,
        &[JSON, ("authorization", "Bearer nope")],
        body,
    )
    .await;
    assert_eq!(wrong.status, 401, "{wrong:?}");
    assert_eq!(
        send(addr, "GET", "/pets", &[], "").await.status,
        200,
        "nothing changed"
    );
    let right = send(
        addr,
        "POST",
        path,
        &[JSON, ("authorization", "Bearer s3cret")],
        body,
    )
    .await;
    assert_eq!(right.status, 200, "{right:?}");
    assert_eq!(send(addr, "GET", "/pets", &[], "").await.status, 503);
    running.stop().await;

    let running = Running::start(ControlAccess::Off).await;
    let off = control(running.addr(), "app/stop", "").await;
    assert_eq!(off.status, 403, "{off:?}");
    assert!(
        off.json()["error"]
            .as_str()
            .unwrap()
            .contains("--control-token")
    );
    running.stop().await;
}

#[tokio::test]
async fn the_event_stream_carries_each_request_and_each_change() {
    let running = Running::start(ControlAccess::Loopback).await;
    let addr = running.addr();
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"GET /_hoplab/api/events HTTP/1.1\r\nHost: lab\r\n\r\n")
        .await
        .expect("subscribe");
    let mut seen = String::new();
    let mut buffer = [0u8; 4096];
    // Wait for the stream's head, so the subscription exists before the request is sent.
    while !seen.contains("text/event-stream") {
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut buffer))
            .await
            .expect("head in time")
            .expect("read");
        assert!(n > 0, "the stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    assert_eq!(send(addr, "GET", "/pets", &[], "").await.status, 200);
    assert_eq!(
        control(
            addr,
            "app/behaviour",
            r#"{"behaviour":"slow","delay_ms":10}"#
        )
        .await
        .status,
        200
    );
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !(seen.contains(r#""kind":"invocation""#) && seen.contains(r#""kind":"change""#)) {
        let n = tokio::time::timeout_at(deadline, stream.read(&mut buffer))
            .await
            .expect("events in time")
            .expect("read");
        assert!(n > 0, "the stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
    }
    assert!(seen.contains(r#""validated":"target:app""#), "{seen}");
    assert!(seen.contains("behaviour slow 10 ms"), "{seen}");
    running.stop().await;
}
