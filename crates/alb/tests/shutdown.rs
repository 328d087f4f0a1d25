//! Graceful shutdown: a request in flight is still answered, the listener returns within the
//! grace period, and its port is free again.

mod support;

use std::time::Duration;

use hoplab_alb::{Action, Forward, ListenerConfig, ListenerProtocol, TargetProtocol};
use hoplab_target::TargetBehaviour;
use hoplab_trace::{EventLog, Observation};
use support::*;
use tokio::net::{TcpListener, TcpStream};

#[tokio::test]
async fn an_in_flight_request_is_answered_and_the_port_is_released() {
    let events = EventLog::new();
    let mut config = target_config("slow", None);
    config.behaviour = TargetBehaviour::Slow {
        delay: Duration::from_millis(300),
    };
    let slow = target_with(config, &events).await;
    let mut config = ListenerConfig::new(
        "web",
        80,
        ListenerProtocol::Http,
        Action::Forward(Forward::to("app")),
    );
    config
        .target_groups
        .push(group("app", TargetProtocol::Http, &[("slow", slow.addr)]));
    let alb = alb(config, &events).await;
    // An idle keep-alive client, which the drain closes at once.
    let mut idle = TcpStream::connect(alb.addr).await.unwrap();

    let addr = alb.addr;
    let in_flight = tokio::spawn(async move { get(addr, "app.example.com", "/").await });
    eventually(
        &events,
        "the request reaching the slow target",
        |o| matches!(o, Observation::TargetFault { fault, .. } if fault == "slow"),
    )
    .await;

    let started = tokio::time::Instant::now();
    let port = alb.stop().await;
    assert!(
        started.elapsed() < hoplab_alb::SHUTDOWN_GRACE,
        "no need to wait for the grace"
    );
    let answer = tokio::time::timeout(STEP, in_flight)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((answer.status(), answer.target()), (200, Some("slow")));
    TcpListener::bind(port)
        .await
        .expect("the port is free once the listener returns");
    let mut buf = [0u8; 1];
    let read = tokio::time::timeout(STEP, tokio::io::AsyncReadExt::read(&mut idle, &mut buf))
        .await
        .expect("the idle client is closed");
    assert!(matches!(read, Ok(0) | Err(_)));
    assert!(
        TcpStream::connect(port).await.is_err(),
        "nothing accepts any more"
    );
    slow.stop().await;
}
