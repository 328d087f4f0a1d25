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

/// Two plain HTTP targets behind an NLB TLS listener (the gateway validates the listener's
/// certificate) and one behind an ALB HTTPS listener whose SNI list serves `api.example.com`;
/// an expired certificate to swap into either listener.
const LISTENERS: &str = r#"
[authorities.root]
trusted = true

[certificates.valid]
issuer = "root"
dns_names = ["api.example.com"]

[certificates.other]
issuer = "root"
dns_names = ["other.example.com"]

[certificates.expired]
issuer = "root"
dns_names = ["api.example.com"]
not_before = "-400d"
not_after = "-35d"

[targets.a]
protocol = "HTTP"

[targets.b]
protocol = "HTTP"

[target_groups.pool]
protocol = "TCP"
targets = ["a", "b"]

[target_groups.web]
protocol = "HTTP"
targets = ["a"]

[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "valid"
target_group = "pool"

[[albs.web.listeners]]
port = 443
protocol = "HTTPS"
certificate = "other"
certificates = ["valid"]
default_action = { type = "forward", target_group = "web" }

[[gateway.routes]]
path = "/pets"
uri = "https://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"

[[gateway.routes]]
path = "/web"
uri = "https://api.example.com/web"
connection_type = "VPC_LINK"
vpc_link_version = "V2"
integration_target = "web"
"#;

/// A bound on every wait of these tests.
const PATIENCE: Duration = Duration::from_secs(20);

struct Running {
    lab: Lab,
    dashboard: std::sync::Arc<Dashboard>,
}

impl Running {
    async fn start(access: ControlAccess) -> Running {
        Running::start_with(SCENARIO, access).await
    }

    async fn start_with(scenario: &str, access: ControlAccess) -> Running {
        let scenario = Scenario::from_toml_str(scenario).expect("valid scenario");
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
    // The target's server reads its chain per connection, so the very next handshake uses
    // the swapped-in certificate.
    let answer = send(addr, "GET", "/pets", &[], "").await;
    assert_eq!(answer.status, 500, "{answer:?}");
    let id = answer
        .head
        .lines()
        .find_map(|l| l.strip_prefix("x-amzn-requestid: "))
        .expect("a request id");
    let one = send(
        addr,
        "GET",
        &format!("/_hoplab/api/invocations/{id}"),
        &[],
        "",
    )
    .await
    .json();
    let failure = one["invocation"]["failure"].as_str().unwrap_or_default();
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

/// Sends `count` requests to `path` and returns the body of each (a target's body names it).
async fn bodies(addr: SocketAddr, path: &str, count: usize) -> Vec<String> {
    let mut bodies = Vec::with_capacity(count);
    for _ in 0..count {
        let answer = send(addr, "GET", path, &[], "").await;
        assert_eq!(answer.status, 200, "{answer:?}");
        bodies.push(answer.body);
    }
    bodies
}

/// Whether `bodies` came from target `name`, some of them or all.
fn from(bodies: &[String], name: &str) -> usize {
    let said = format!("hello from target {name}");
    bodies.iter().filter(|b| b.contains(&said)).count()
}

/// The failure line of the next request to `path`, once it fails with 500 (bounded).
async fn next_failure(addr: SocketAddr, path: &str) -> String {
    let answer = send(addr, "GET", path, &[], "").await;
    assert_eq!(answer.status, 500, "{answer:?}");
    let id = answer
        .head
        .lines()
        .find_map(|l| l.strip_prefix("x-amzn-requestid: "))
        .expect("a request id")
        .to_owned();
    let one = send(
        addr,
        "GET",
        &format!("/_hoplab/api/invocations/{id}"),
        &[],
        "",
    )
    .await
    .json();
    one["invocation"]["failure"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn listener_control(addr: SocketAddr, listener: &str, body: &str) -> Answer {
    let path = format!("/_hoplab/api/listeners/{listener}/certificate");
    send(addr, "POST", &path, &[JSON], body).await
}

#[tokio::test]
async fn a_target_marked_unhealthy_gets_no_flows_until_cleared_and_fail_open_still_holds() {
    let running = Running::start_with(LISTENERS, ControlAccess::Loopback).await;
    let addr = running.addr();
    // 20 flows hashed over two targets: each gets some (all on one: 2 in a million).
    let both = bodies(addr, "/pets", 20).await;
    assert!(from(&both, "a") > 0 && from(&both, "b") > 0, "{both:?}");

    let marked = control(addr, "a/health", r#"{"health":"unhealthy"}"#).await;
    assert_eq!(marked.status, 200, "{marked:?}");
    assert_eq!(marked.json()["change"]["target"], "a");
    let only_b = bodies(addr, "/pets", 10).await;
    assert_eq!(from(&only_b, "b"), 10, "{only_b:?}");
    let health = send(addr, "GET", "/_hoplab/api/health", &[], "")
        .await
        .json();
    let a = &health["targets"][0];
    assert_eq!(
        (&a["name"], &a["health_override"]),
        (&"a".into(), &"unhealthy".into())
    );
    let pool = health["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "pool")
        .expect("the pool group");
    assert_eq!(pool["targets"][0]["state"], "unhealthy", "{pool}");
    assert!(
        pool["targets"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("by hand")
    );

    // Both unhealthy: the group fails open and flows reach both again.
    assert_eq!(
        control(addr, "b/health", r#"{"health":"unhealthy"}"#)
            .await
            .status,
        200
    );
    let open = bodies(addr, "/pets", 20).await;
    assert!(
        from(&open, "a") > 0 && from(&open, "b") > 0,
        "fail open: {open:?}"
    );

    // Forced healthy wins over the other's forced unhealthy; cleared, the checks decide.
    assert_eq!(
        control(addr, "a/health", r#"{"health":"healthy"}"#)
            .await
            .status,
        200
    );
    let only_a = bodies(addr, "/pets", 10).await;
    assert_eq!(from(&only_a, "a"), 10, "{only_a:?}");
    for name in ["a", "b"] {
        let cleared = control(addr, &format!("{name}/health"), r#"{"health":"checks"}"#).await;
        assert_eq!(cleared.status, 200, "{cleared:?}");
    }
    let again = bodies(addr, "/pets", 20).await;
    assert!(from(&again, "a") > 0 && from(&again, "b") > 0, "{again:?}");
    let health = send(addr, "GET", "/_hoplab/api/health", &[], "")
        .await
        .json();
    assert_eq!(
        health["targets"][0]["health_override"],
        serde_json::Value::Null
    );

    let changes = send(addr, "GET", "/_hoplab/api/changes", &[], "")
        .await
        .json();
    let changes = changes["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 5);
    assert!(
        changes
            .iter()
            .all(|c| c["action"] == "health" && c["time"].is_string())
    );
    running.stop().await;
}

#[tokio::test]
async fn a_listener_certificate_swapped_to_an_expired_one_fails_the_next_request_until_swapped_back()
 {
    let running = Running::start_with(LISTENERS, ControlAccess::Loopback).await;
    let addr = running.addr();
    let health = send(addr, "GET", "/_hoplab/api/health", &[], "")
        .await
        .json();
    assert_eq!(
        health["listeners"],
        serde_json::json!([
            {"listener": "alb:web:443", "default_certificate": "other", "certificates": ["valid"]},
            {"listener": "nlb:internal:443", "default_certificate": "valid", "certificates": []},
        ])
    );
    for (listener, path, body) in [
        ("nlb:internal:443", "/pets", r#"{"certificate":"expired"}"#),
        // The ALB's SNI list entry for api.example.com; its default stays as it was.
        (
            "alb%3Aweb%3A443",
            "/web",
            r#"{"certificate":"expired","list_index":0}"#,
        ),
    ] {
        assert_eq!(send(addr, "GET", path, &[], "").await.status, 200);
        let swapped = listener_control(addr, listener, body).await;
        assert_eq!(swapped.status, 200, "{swapped:?}");
        let change = &swapped.json()["change"];
        assert_eq!(change["action"], "certificate");
        assert!(
            change["listener"].as_str().unwrap().ends_with(":443"),
            "{change}"
        );
        let failure = next_failure(addr, path).await;
        assert!(
            failure.contains("validity check failed"),
            "{listener}: {failure:?}"
        );
        let back = body.replace("expired", "valid");
        assert_eq!(listener_control(addr, listener, &back).await.status, 200);
        assert_eq!(
            send(addr, "GET", path, &[], "").await.status,
            200,
            "{listener}"
        );
    }
    let changes = send(addr, "GET", "/_hoplab/api/changes", &[], "")
        .await
        .json();
    assert_eq!(changes["changes"][0]["listener"], "alb:web:443");
    assert_eq!(
        changes["changes"][0]["detail"],
        "serves certificate valid as list[0]"
    );
    running.stop().await;
}

#[tokio::test]
async fn bad_listener_and_health_requests_get_a_4xx_json_error_and_change_nothing() {
    let running = Running::start_with(LISTENERS, ControlAccess::Loopback).await;
    let addr = running.addr();
    let nlb = "nlb:internal:443";
    let cases = [
        (
            "nlb:nowhere:443",
            r#"{"certificate":"expired"}"#,
            404,
            "no TLS or HTTPS listener",
        ),
        (
            nlb,
            r#"{"certificate":"nope"}"#,
            404,
            "no certificate \"nope\"",
        ),
        (
            nlb,
            r#"{"certificate":"expired","list_index":0}"#,
            404,
            "no list_index 0",
        ),
        (nlb, r#"{"certificate":"#, 400, "malformed JSON"),
        (
            nlb,
            r#"{"certificate":"expired","sni":"x"}"#,
            400,
            "unknown field",
        ),
    ];
    for (listener, body, status, says) in cases {
        let answer = listener_control(addr, listener, body).await;
        assert_eq!(answer.status, status, "{listener} {body}: {answer:?}");
        let error = answer.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.contains(says), "{listener} {body}: {error}");
    }
    let unknown_action = send(
        addr,
        "POST",
        "/_hoplab/api/listeners/nlb:internal:443/stop",
        &[JSON],
        "{}",
    )
    .await;
    assert_eq!(unknown_action.status, 404, "{unknown_action:?}");
    for (path, body, status, says) in [
        (
            "nobody/health",
            r#"{"health":"unhealthy"}"#,
            404,
            "no target",
        ),
        ("a/health", r#"{"health":"maybe"}"#, 400, "unknown health"),
        ("a/health", r#"{"healthy":true}"#, 400, "unknown field"),
        ("a/health", "[", 400, "malformed JSON"),
    ] {
        let answer = control(addr, path, body).await;
        assert_eq!(answer.status, status, "{path} {body}: {answer:?}");
        let error = answer.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.contains(says), "{path} {body}: {error}");
    }
    let health = send(addr, "GET", "/_hoplab/api/health", &[], "")
        .await
        .json();
    assert_eq!(health["listeners"][1]["default_certificate"], "valid");
    assert_eq!(
        health["targets"][0]["health_override"],
        serde_json::Value::Null
    );
    let changes = send(addr, "GET", "/_hoplab/api/changes", &[], "")
        .await
        .json();
    assert_eq!(changes["changes"], serde_json::json!([]));
    running.stop().await;

    let running = Running::start_with(LISTENERS, ControlAccess::Token("s3cret".into())).await;
    let addr = running.addr();
    let wrong = [JSON, ("authorization", "Bearer nope")];
    let body = r#"{"certificate":"expired"}"#;
    let path = "/_hoplab/api/listeners/nlb:internal:443/certificate";
    assert_eq!(send(addr, "POST", path, &wrong, body).await.status, 401);
    let path = "/_hoplab/api/targets/a/health";
    let health = r#"{"health":"unhealthy"}"#;
    assert_eq!(send(addr, "POST", path, &wrong, health).await.status, 401);
    assert_eq!(
        send(addr, "GET", "/pets", &[], "").await.status,
        200,
        "nothing changed"
    );
    running.stop().await;
}

#[tokio::test]
async fn switching_behaviour_refuses_no_connection() {
    let running = Running::start(ControlAccess::Loopback).await;
    let addr = running.addr();
    let topology = send(addr, "GET", "/_hoplab/api/topology", &[], "")
        .await
        .json();
    let target: SocketAddr = topology["targets"][0]["address"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let switching = tokio::spawn(async move {
        let behaviours = [
            r#"{"behaviour":"status","status":503}"#,
            r#"{"behaviour":"slow","delay_ms":1}"#,
            r#"{"behaviour":"reset"}"#,
            r#"{"behaviour":"answer"}"#,
        ];
        for body in behaviours.iter().cycle().take(40) {
            assert_eq!(control(addr, "app/behaviour", body).await.status, 200);
        }
    });
    // Connect to the target itself while its behaviour switches; none may be refused (a
    // `reset` target may reset one it has accepted: that is its behaviour, not a refusal).
    let mut connected = 0;
    while !switching.is_finished() && connected < 5000 {
        match TcpStream::connect(target).await {
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
                panic!("connection {connected} refused during a switch: {error}")
            }
            _ => connected += 1,
        }
    }
    switching.await.expect("every switch answered 200");
    assert!(connected > 0);
    assert_eq!(
        control(
            addr,
            "app/behaviour",
            r#"{"behaviour":"status","status":503}"#
        )
        .await
        .status,
        200
    );
    assert_eq!(
        send(addr, "GET", "/pets", &[], "").await.status,
        503,
        "switched at once"
    );
    running.stop().await;
}

#[tokio::test]
async fn the_invocation_limit_is_bounded_and_a_bad_one_is_refused() {
    let running = Running::start(ControlAccess::Loopback).await;
    let addr = running.addr();
    assert_eq!(send(addr, "GET", "/pets", &[], "").await.status, 200);
    let huge = send(addr, "GET", "/_hoplab/api/invocations?limit=99999", &[], "").await;
    assert_eq!(huge.status, 200);
    assert_eq!(huge.json()["limit"], 100, "capped at what the lab keeps");
    for bad in ["abc", "0", "-1", ""] {
        let path = format!("/_hoplab/api/invocations?limit={bad}");
        let answer = send(addr, "GET", &path, &[], "").await;
        assert_eq!(answer.status, 400, "{bad}: {answer:?}");
        let error = answer.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(error.contains("from 1 to 100"), "{error}");
    }
    running.stop().await;
}
