//! A lab that serves indefinitely, as `hoplab up` runs it: its records stay bounded, and
//! stopping it under load answers the requests in flight, refuses new ones and releases
//! every port. Also the small client and waits that `faults.rs` shares.

use std::net::SocketAddr;
use std::time::Duration;

use hoplab_runner::{Lab, LabOptions, OBSERVATIONS_PER_REQUEST};
use hoplab_tests::load_bundled;
use hoplab_trace::Observation;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Bound on every single wait in these tests.
pub(crate) const BOUND: Duration = Duration::from_secs(60);

/// One answer from the gateway.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) request_id: String,
    pub(crate) body: String,
}

/// `GET path` on a new connection; `None` when the gateway closed without answering.
pub(crate) async fn get(gateway: SocketAddr, path: &str) -> Option<Answer> {
    let exchange = async {
        let mut stream = TcpStream::connect(gateway).await.ok()?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        read_answer(&mut stream).await
    };
    tokio::time::timeout(BOUND, exchange)
        .await
        .expect("the gateway answers or closes within the bound")
}

async fn read_answer(stream: &mut TcpStream) -> Option<Answer> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.ok()?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let request_id = head
        .lines()
        .filter_map(|l| l.split_once(": "))
        .find(|(name, _)| name.eq_ignore_ascii_case("x-amzn-requestid"))
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default();
    Some(Answer {
        status,
        request_id,
        body: body.to_owned(),
    })
}

/// The body [`start_upload`] announces and [`finish_upload`] sends.
const UPLOAD: &[u8] = b"body";

/// Starts `GET path` with a body and `Expect: 100-continue`, and returns once the gateway has
/// asked for the body: the request is then in flight in the gateway, before it has called
/// its backend.
async fn start_upload(gateway: SocketAddr, path: &str) -> TcpStream {
    let start = async {
        let mut stream = TcpStream::connect(gateway).await.expect("connect");
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: gw\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\
             Connection: close\r\n\r\n",
            UPLOAD.len()
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        let mut interim = Vec::new();
        let mut byte = [0u8; 1];
        while !interim.ends_with(b"\r\n\r\n") {
            let n = stream.read(&mut byte).await.expect("read");
            assert_eq!(n, 1, "the gateway closed before asking for the body");
            interim.push(byte[0]);
        }
        assert!(
            interim.starts_with(b"HTTP/1.1 100 Continue"),
            "{}",
            String::from_utf8_lossy(&interim)
        );
        stream
    };
    tokio::time::timeout(BOUND, start)
        .await
        .expect("the gateway asks for the body")
}

/// Sends the body of an upload and reads the answer.
async fn finish_upload(mut stream: TcpStream) -> Option<Answer> {
    let finish = async {
        stream.write_all(UPLOAD).await.ok()?;
        read_answer(&mut stream).await
    };
    tokio::time::timeout(BOUND, finish)
        .await
        .expect("the gateway answers or closes within the bound")
}

/// Every hop's port can be bound again.
pub(crate) fn assert_ports_released(hops: &[(hoplab_trace::HopId, SocketAddr)]) {
    for (hop, addr) in hops {
        std::net::TcpListener::bind(addr).unwrap_or_else(|e| {
            panic!("{hop}'s port {addr} still held after the lab stopped: {e}")
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_lab_keeps_the_records_of_the_latest_requests_only() {
    let scenario = load_bundled("integration/public-backend-valid.toml");
    let options = LabOptions {
        keep_requests: Some(2),
        ..LabOptions::default()
    };
    let lab = Lab::start(&scenario, options)
        .await
        .expect("the lab starts");
    let mut ids = Vec::new();
    for _ in 0..10 {
        let answer = get(lab.gateway_addr(), "/pets").await.expect("answered");
        assert_eq!(answer.status, 200, "{}", answer.body);
        ids.push(answer.request_id);
    }
    let invocations = lab.invocations();
    assert_eq!(invocations.len(), 2);
    assert_eq!(invocations.evicted(), 8);
    assert!(invocations.get(&ids[7]).is_none());
    assert!(invocations.get(&ids[8]).is_some() && invocations.get(&ids[9]).is_some());
    // Each request leaves three target observations (accepted, TLS, responded): thirty in
    // all, of which the log keeps the latest 2 × OBSERVATIONS_PER_REQUEST.
    assert_eq!(lab.events().len(), 2 * OBSERVATIONS_PER_REQUEST);
    assert_eq!(
        lab.events().evicted(),
        30 - 2 * OBSERVATIONS_PER_REQUEST as u64
    );
    let latest = lab.events().snapshot();
    assert!(
        matches!(latest.last(), Some(Observation::Responded { .. })),
        "{latest:#?}"
    );
    assert!(lab.stop().await);
}

/// A TCP listener in front of a target that answers after `delay_ms`.
const SLOW_BEHIND_NLB: &str = r#"
[targets.slow]
protocol = "HTTP"
behaviour = "slow"
delay_ms = 2000

[target_groups.slow]
protocol = "TCP"
targets = ["slow"]

[[nlbs.internal.listeners]]
port = 80
protocol = "TCP"
target_group = "slow"

[[gateway.routes]]
path = "/slow"
uri = "http://api.example.com/"
connection_type = "VPC_LINK"
vpc_link = "internal"
"#;

/// Requests the test keeps in flight in the target when it stops the lab.
const IN_FLIGHT: usize = 8;

/// Requests the test keeps in flight in the gateway, still sending their bodies, when it
/// stops the lab.
const UPLOADING: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_under_load_answers_the_requests_in_flight_and_refuses_new_ones() {
    let scenario = hoplab_scenario::from_toml(SLOW_BEHIND_NLB, "slow-behind-nlb.toml")
        .expect("a valid scenario");
    let lab = Lab::start(&scenario, LabOptions::default())
        .await
        .expect("the lab starts");
    let (gateway, hops, events) = (
        lab.gateway_addr(),
        lab.hops().to_vec(),
        lab.events().clone(),
    );
    let in_flight: Vec<_> = (0..IN_FLIGHT)
        .map(|_| tokio::spawn(async move { get(gateway, "/slow").await }))
        .collect();
    // Every request has crossed the gateway and the NLB and waits in the target.
    let reached = async {
        while events
            .matching(|o| matches!(o, Observation::TargetFault { fault, .. } if fault == "slow"))
            .len()
            < IN_FLIGHT
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(BOUND, reached)
        .await
        .expect("every request reaches the slow target");
    let mut uploads = Vec::new();
    for _ in 0..UPLOADING {
        uploads.push(start_upload(gateway, "/slow").await);
    }

    let stopping = tokio::spawn(lab.stop());
    // The gateway stops accepting at once: a new connection is refused while the requests in
    // flight are still waiting for the target.
    let refused = async {
        loop {
            match TcpStream::connect(gateway).await {
                Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => return,
                _ => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    };
    tokio::time::timeout(BOUND, refused)
        .await
        .expect("new connections are refused once the lab is stopping");
    assert!(
        in_flight.iter().all(|request| !request.is_finished()),
        "the gateway refused new connections before the slow target answered"
    );
    // The uploads finish now: the gateway calls the NLB only after the lab began to stop, so
    // the NLB and the target must still be serving.
    let uploaded: Vec<_> = uploads
        .into_iter()
        .map(|upload| tokio::spawn(finish_upload(upload)))
        .collect();
    for upload in uploaded {
        let answer = upload
            .await
            .expect("no panic")
            .expect("a request whose body was still coming when the lab began to stop is answered");
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body, "hello from target slow");
    }

    for request in in_flight {
        let answer = request
            .await
            .expect("no panic")
            .expect("a request in flight when the lab began to stop is answered");
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body, "hello from target slow");
    }
    let clean = tokio::time::timeout(BOUND, stopping)
        .await
        .expect("the lab stops within the bound")
        .expect("no panic");
    assert!(clean, "every hop stopped within its grace period");
    assert_ports_released(&hops);
}
