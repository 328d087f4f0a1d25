//! The event stream: the requests the gateway finishes and the changes made to the lab, as
//! server-sent events.
//!
//! One broadcast channel carries every event, serialized and framed once and shared by every
//! subscriber. Its one task follows the gateway's invocation log only while someone
//! subscribes: with nobody watching it holds no receiver on that log and does nothing. While
//! following, it gathers the requests that finish within [`BATCH_WINDOW`] and traces them
//! all from one copy of the latest observations, so a busy gateway is not slowed by a copy
//! of the hops' event log for every request it answers.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hoplab_gateway::{ConsoleBody, Invocation};
use hoplab_report::RequestReport;
use hoplab_runner::{LabControl, OBSERVATIONS_PER_REQUEST, RECENT_OBSERVATIONS};
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

/// How long the task gathers finished requests before tracing them together.
const BATCH_WINDOW: Duration = Duration::from_millis(50);

/// The most requests traced together: their observations must all still be among the
/// latest [`RECENT_OBSERVATIONS`] (each request leaves up to
/// [`OBSERVATIONS_PER_REQUEST`]), with room for requests that ran alongside them.
const BATCH_MAX: usize = RECENT_OBSERVATIONS / OBSERVATIONS_PER_REQUEST / 2;

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
    sender: broadcast::Sender<Bytes>,
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
        let frames =
            futures_util::stream::unfold(state, |(mut receiver, shutdown, mut ping)| async move {
                let frame = tokio::select! {
                    () = shutdown.cancelled() => return None,
                    _ = ping.tick() => Bytes::from_static(b": keep-alive\n\n"),
                    next = receiver.recv() => match next {
                        Ok(frame) => frame,
                        Err(broadcast::error::RecvError::Lagged(skipped)) => {
                            frame(&Event::Lagged { skipped }).unwrap_or_default()
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                };
                Some((Ok(Frame::data(frame)), (receiver, shutdown, ping)))
            });
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
fn publish(sender: &broadcast::Sender<Bytes>, event: &Event<'_>) {
    if sender.receiver_count() == 0 {
        return;
    }
    if let Some(frame) = frame(event) {
        let _ = sender.send(frame);
    }
}

/// `event` as one server-sent event: `data: <JSON>` and a blank line.
fn frame(event: &Event<'_>) -> Option<Bytes> {
    let mut frame = b"data: ".to_vec();
    serde_json::to_writer(&mut frame, event).ok()?;
    frame.extend_from_slice(b"\n\n");
    Some(Bytes::from(frame))
}

/// The feed's task: sleeps while nobody subscribes; otherwise follows the gateway's
/// finished requests and publishes each one's row, until the last subscriber leaves.
async fn follow(
    control: LabControl,
    sender: broadcast::Sender<Bytes>,
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
                        let (batch, skipped) = gather(invocation, &mut finished, &shutdown).await;
                        let events = control.events().latest(RECENT_OBSERVATIONS);
                        for invocation in &batch {
                            let row = Row::new(invocation, control.report_from(invocation, &events));
                            publish(&sender, &Event::Invocation { invocation: &row });
                        }
                        if let Some(skipped) = skipped {
                            publish(&sender, &Event::Lagged { skipped });
                        }
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

/// `first` and the requests that finish within [`BATCH_WINDOW`] after it, at most
/// [`BATCH_MAX`]; a gap in the log (this task fell behind) ends the batch early and is
/// returned as the number of requests skipped.
async fn gather(
    first: Arc<Invocation>,
    finished: &mut broadcast::Receiver<Arc<Invocation>>,
    shutdown: &CancellationToken,
) -> (Vec<Arc<Invocation>>, Option<u64>) {
    let mut batch = vec![first];
    let deadline = tokio::time::Instant::now() + BATCH_WINDOW;
    while batch.len() < BATCH_MAX {
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep_until(deadline) => break,
            next = finished.recv() => match next {
                Ok(invocation) => batch.push(invocation),
                Err(broadcast::error::RecvError::Lagged(skipped)) => return (batch, Some(skipped)),
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    (batch, None)
}
