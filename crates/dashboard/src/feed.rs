//! The event stream: the requests the gateway finishes and the changes made to the lab, as
//! server-sent events.
//!
//! One broadcast channel carries every event, serialized once and shared by every
//! subscriber. Its one task follows the gateway's invocation log only while someone
//! subscribes: with nobody watching it holds no receiver on that log and does nothing.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hoplab_gateway::{ConsoleBody, Invocation};
use hoplab_report::RequestReport;
use hoplab_runner::LabControl;
use http_body_util::{BodyExt, StreamBody};
use hyper::Response;
use hyper::body::Frame;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use serde::Serialize;
use tokio::sync::{Notify, broadcast};
use tokio_util::sync::CancellationToken;

/// How many events a slow subscriber may fall behind before it misses some (it is told).
const BACKLOG: usize = 256;

/// How many changes the feed keeps for a page that opens later.
const CHANGES_KEPT: usize = 256;

/// How often an idle stream sends a comment, so proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// How often the task, while following, checks whether anyone still subscribes.
const SUBSCRIBERS_CHECK: Duration = Duration::from_secs(1);

/// One request as the feed and the invocation list show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Row {
    /// The request id (`x-amzn-RequestId`).
    pub(crate) id: String,
    pub(crate) method: String,
    pub(crate) path: String,
    /// The route that served it, if one matched.
    pub(crate) route: Option<String>,
    pub(crate) status: u16,
    /// The hop whose certificate the gateway validated.
    pub(crate) validated: Option<String>,
    /// The execution log's failure line.
    pub(crate) failure: Option<String>,
    /// The target that answered, if one did.
    pub(crate) target: Option<String>,
    /// When the gateway started it (the execution log's first date).
    pub(crate) started: Option<String>,
}

impl Row {
    /// The row of `invocation`, whose `report` says which hop was validated.
    pub(crate) fn new(invocation: &Invocation, report: RequestReport) -> Row {
        Row {
            id: invocation.request_id.clone(),
            method: invocation.method.clone(),
            path: invocation.path.clone(),
            route: invocation.route.clone(),
            status: invocation.status,
            validated: report.validated,
            failure: invocation.error.clone(),
            target: report.target,
            started: invocation.log.first().map(|line| line.date.clone()),
        }
    }
}

/// One change made to the lab through the control API.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Change {
    /// When, RFC 3339.
    pub(crate) time: String,
    /// The target changed, for a change to a target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) target: Option<String>,
    /// The listener changed (its hop id), for a change to a listener.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) listener: Option<String>,
    /// What was done: `stop`, `start`, `behaviour`, `certificate`, `health`.
    pub(crate) action: String,
    /// The change in words, e.g. `behaviour hang`.
    pub(crate) detail: String,
}

/// An event of the stream.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Event<'a> {
    /// A request finished.
    Invocation { invocation: &'a Row },
    /// The lab was changed.
    Change { change: &'a Change },
    /// The subscriber fell behind and missed `skipped` events.
    Lagged { skipped: u64 },
}

/// The stream's channel, its task, and the changes kept.
#[derive(Debug)]
pub(crate) struct Feed {
    sender: broadcast::Sender<Arc<str>>,
    /// Wakes the task when the first subscriber arrives.
    subscribed: Arc<Notify>,
    changes: Mutex<VecDeque<Change>>,
    shutdown: CancellationToken,
}

impl Feed {
    /// The feed of the lab `control` changes; its task ends with `shutdown`.
    pub(crate) fn start(control: LabControl, shutdown: CancellationToken) -> Feed {
        let sender = broadcast::channel(BACKLOG).0;
        let subscribed = Arc::new(Notify::new());
        tokio::spawn(follow(
            control,
            sender.clone(),
            Arc::clone(&subscribed),
            shutdown.clone(),
        ));
        Feed {
            sender,
            subscribed,
            changes: Mutex::default(),
            shutdown,
        }
    }

    /// Records a change and tells every subscriber.
    pub(crate) fn change(&self, change: Change) {
        publish(&self.sender, &Event::Change { change: &change });
        let mut changes = self.lock_changes();
        if changes.len() >= CHANGES_KEPT {
            changes.pop_front();
        }
        changes.push_back(change);
    }

    /// The changes kept, newest first.
    pub(crate) fn changes(&self) -> Vec<Change> {
        self.lock_changes().iter().rev().cloned().collect()
    }

    /// A new subscriber's response: a `text/event-stream` that ends when the lab stops.
    pub(crate) fn subscribe(&self) -> Response<ConsoleBody> {
        let receiver = self.sender.subscribe();
        self.subscribed.notify_one();
        let mut ping = tokio::time::interval(KEEP_ALIVE);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let state = (receiver, self.shutdown.clone(), ping);
        let frames = futures_util::stream::unfold(
            state,
            |(mut receiver, shutdown, mut ping)| async move {
                let frame = tokio::select! {
                    () = shutdown.cancelled() => return None,
                    _ = ping.tick() => Bytes::from_static(b": keep-alive\n\n"),
                    next = receiver.recv() => match next {
                        Ok(text) => Bytes::from(format!("data: {text}\n\n")),
                        Err(broadcast::error::RecvError::Lagged(skipped)) => {
                            let lagged = serde_json::to_string(&Event::Lagged { skipped }).unwrap_or_default();
                            Bytes::from(format!("data: {lagged}\n\n"))
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                };
                Some((Ok(Frame::data(frame)), (receiver, shutdown, ping)))
            },
        );
        let mut response = Response::new(StreamBody::new(frames).boxed_unsync());
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }

    fn lock_changes(&self) -> std::sync::MutexGuard<'_, VecDeque<Change>> {
        self.changes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Sends `event` to every subscriber; with none, does nothing.
fn publish(sender: &broadcast::Sender<Arc<str>>, event: &Event<'_>) {
    if sender.receiver_count() == 0 {
        return;
    }
    if let Ok(text) = serde_json::to_string(event) {
        let _ = sender.send(text.into());
    }
}

/// The feed's task: sleeps while nobody subscribes; otherwise follows the gateway's
/// finished requests and publishes each one's row, until the last subscriber leaves.
async fn follow(
    control: LabControl,
    sender: broadcast::Sender<Arc<str>>,
    subscribed: Arc<Notify>,
    shutdown: CancellationToken,
) {
    loop {
        while sender.receiver_count() == 0 {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = subscribed.notified() => {}
            }
        }
        let mut finished = control.invocations().follow();
        while sender.receiver_count() > 0 {
            tokio::select! {
                () = shutdown.cancelled() => return,
                next = finished.recv() => match next {
                    Ok(invocation) => {
                        let row = Row::new(&invocation, control.recent_report(&invocation));
                        publish(&sender, &Event::Invocation { invocation: &row });
                    }
                    Err(broadcast::error::RecvError::Lagged(skipped)) => {
                        publish(&sender, &Event::Lagged { skipped });
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                // Notices that the last subscriber left even when no request comes.
                () = tokio::time::sleep(SUBSCRIBERS_CHECK) => {}
            }
        }
    }
}
