//! The endpoints that change the lab: `POST /_hoplab/api/targets/<name>/<action>` and
//! `POST /_hoplab/api/listeners/<hop id>/certificate`.
//!
//! Every request is checked in full before anything changes: access (token), content type,
//! the target's or listener's name, the body's fields, the certificate's name. A refused
//! request gets an [`ApiError`] and the lab stays as it was.

use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use serde::Deserialize;

use hoplab_gateway::ConsoleBody;
use hoplab_runner::{ListenerCertificate, RunError, TargetBehaviour};

use crate::Dashboard;
use crate::access::Refusal;
use crate::feed::Change;
use crate::reply::{ApiError, json};

/// Largest control request body.
const MAX_BODY: usize = 16 * 1024;

/// How long a control request's body may take to arrive.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// What `…/behaviour` takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BehaviourBody {
    behaviour: String,
    delay_ms: Option<u64>,
    status: Option<u16>,
}

/// What `…/certificate` takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateBody {
    certificate: String,
}

/// What `…/health` takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HealthBody {
    health: String,
}

/// What `listeners/<hop id>/certificate` takes: the certificate, and the SNI list entry it
/// replaces (none: the default certificate).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListenerCertificateBody {
    certificate: String,
    list_index: Option<usize>,
}

/// The behaviours a target can be switched to, as the API spells them.
const BEHAVIOURS: &str =
    "answer, refuse, accept-then-close, reset, hang, slow (with delay_ms), status (with status)";

/// `POST /_hoplab/api/targets/<name>/<action>`.
pub(crate) async fn target(
    dashboard: &Dashboard,
    request: Request<Incoming>,
    name: &str,
    action: &str,
) -> Result<Response<ConsoleBody>, ApiError> {
    check_access(dashboard, &request)?;
    check_json(&request)?;
    let known = dashboard.scenario.find_target(name).is_some();
    if !known {
        let names: Vec<&str> = dashboard
            .scenario
            .targets()
            .iter()
            .map(|t| t.name())
            .collect();
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no target {name:?} in this scenario; the targets are: {}",
                names.join(", ")
            ),
        ));
    }
    let body = read_body(request).await?;
    let control = &dashboard.control;
    let detail = match action {
        "stop" => {
            expect_empty(&body)?;
            control.stop_target(name).await.map_err(refused)?;
            "stopped: its port refuses connections".to_owned()
        }
        "start" => {
            expect_empty(&body)?;
            control.start_target(name).await.map_err(refused)?;
            "started again on its address".to_owned()
        }
        "behaviour" => {
            let wanted: BehaviourBody = parse(&body)?;
            let behaviour = behaviour(&wanted)?;
            control
                .set_target_behaviour(name, behaviour)
                .await
                .map_err(refused)?;
            format!("behaviour {}", describe(behaviour))
        }
        "certificate" => {
            let wanted: CertificateBody = parse(&body)?;
            known_certificate(dashboard, &wanted.certificate)?;
            control
                .set_target_certificate(name, &wanted.certificate)
                .await
                .map_err(refused)?;
            format!("serves certificate {}", wanted.certificate)
        }
        "health" => {
            let wanted: HealthBody = parse(&body)?;
            let (forced, detail) = match wanted.health.as_str() {
                "healthy" => (
                    Some(true),
                    "marked healthy in every target group: health checks overridden",
                ),
                "unhealthy" => (
                    Some(false),
                    "marked unhealthy in every target group: health checks overridden",
                ),
                "checks" => (None, "health override cleared: its health checks decide"),
                other => {
                    return Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        format!(
                            "unknown health {other:?}; it is one of: healthy, unhealthy, checks (clears the override)"
                        ),
                    ));
                }
            };
            control
                .set_target_health(name, forced)
                .await
                .map_err(refused)?;
            detail.to_owned()
        }
        other => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "no action {other:?} on a target; the actions are: stop, start, behaviour, certificate, health"
                ),
            ));
        }
    };
    Ok(recorded(dashboard, Some(name), None, action, detail))
}

/// `POST /_hoplab/api/listeners/<hop id>/<action>`: the one action is `certificate`.
pub(crate) async fn listener(
    dashboard: &Dashboard,
    request: Request<Incoming>,
    name: &str,
    action: &str,
) -> Result<Response<ConsoleBody>, ApiError> {
    check_access(dashboard, &request)?;
    check_json(&request)?;
    let control = &dashboard.control;
    let listeners = control.listeners();
    let Some(listener) = listeners.iter().find(|l| l.hop == name) else {
        let names: Vec<&str> = listeners.iter().map(|l| l.hop.as_str()).collect();
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "no TLS or HTTPS listener {name:?} in this lab; they are: {}",
                if names.is_empty() {
                    "none".to_owned()
                } else {
                    names.join(", ")
                }
            ),
        ));
    };
    if action != "certificate" {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no action {action:?} on a listener; the one action is: certificate"),
        ));
    }
    let body = read_body(request).await?;
    let wanted: ListenerCertificateBody = parse(&body)?;
    known_certificate(dashboard, &wanted.certificate)?;
    let which = match wanted.list_index {
        None => ListenerCertificate::Default,
        Some(index) if index < listener.certificates.len() => ListenerCertificate::List(index),
        Some(index) => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "no list_index {index}: listener {name} lists {} certificate(s) for SNI (leave list_index out for its default certificate)",
                    listener.certificates.len()
                ),
            ));
        }
    };
    control
        .set_listener_certificate(name, which, &wanted.certificate)
        .map_err(refused)?;
    let detail = format!("serves certificate {} as {which}", wanted.certificate);
    Ok(recorded(dashboard, None, Some(name), action, detail))
}

/// Records a change made to `target` or `listener` in the feed, stamped now, and answers
/// with it.
fn recorded(
    dashboard: &Dashboard,
    target: Option<&str>,
    listener: Option<&str>,
    action: &str,
    detail: String,
) -> Response<ConsoleBody> {
    let change = Change {
        time: now(),
        target: target.map(str::to_owned),
        listener: listener.map(str::to_owned),
        action: action.to_owned(),
        detail,
    };
    dashboard.feed.change(change.clone());
    json(&serde_json::json!({ "change": change }))
}

/// Refuses a certificate name that is not the scenario's, naming those that are.
fn known_certificate(dashboard: &Dashboard, certificate: &str) -> Result<(), ApiError> {
    let names = dashboard.control.certificate_names();
    if names.iter().any(|known| known == certificate) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::NOT_FOUND,
        format!(
            "no certificate {certificate:?} in this scenario; the certificates are: {}",
            names.join(", ")
        ),
    ))
}

/// Refuses a request the access rule does not allow.
fn check_access(dashboard: &Dashboard, request: &Request<Incoming>) -> Result<(), ApiError> {
    let authorization = request.headers().get(AUTHORIZATION).map(|v| v.as_bytes());
    dashboard.access.allows(authorization).map_err(|refusal| match refusal {
        Refusal::Off => ApiError::new(
            StatusCode::FORBIDDEN,
            "the control API is off: the gateway listens beyond loopback and `hoplab up` was started without --control-token",
        ),
        Refusal::MissingToken => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "this control API needs the header `Authorization: Bearer <token>` with the token given to `hoplab up --control-token`",
        ),
        Refusal::WrongToken => ApiError::new(StatusCode::UNAUTHORIZED, "wrong control token"),
    })
}

/// Control requests are JSON. Requiring the content type also keeps a web page of another
/// origin from sending one without the browser asking this server first (which it refuses).
fn check_json(request: &Request<Incoming>) -> Result<(), ApiError> {
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "control requests must be sent with `Content-Type: application/json`, not {content_type:?}"
            ),
        ))
    }
}

async fn read_body(request: Request<Incoming>) -> Result<bytes::Bytes, ApiError> {
    let collect = Limited::new(request.into_body(), MAX_BODY).collect();
    match tokio::time::timeout(BODY_TIMEOUT, collect).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(_)) => Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a control request's body is at most {MAX_BODY} bytes"),
        )),
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "the request's body did not arrive in time",
        )),
    }
}

/// `stop` and `start` take no fields: an empty body or `{}`.
fn expect_empty(body: &[u8]) -> Result<(), ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    parse::<EmptyBody>(body).map(|_| ())
}

/// `{}`: no field allowed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyBody {}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("malformed JSON body: {error}"),
        )
    })
}

/// The target behaviour a `…/behaviour` body asks for.
fn behaviour(body: &BehaviourBody) -> Result<TargetBehaviour, ApiError> {
    let bad = |message: String| ApiError::new(StatusCode::BAD_REQUEST, message);
    let field_for = |field: &str, kind: &str| {
        bad(format!(
            "\"{field}\" goes only with \"behaviour\": \"{kind}\""
        ))
    };
    if body.delay_ms.is_some() && body.behaviour != "slow" {
        return Err(field_for("delay_ms", "slow"));
    }
    if body.status.is_some() && body.behaviour != "status" {
        return Err(field_for("status", "status"));
    }
    Ok(match body.behaviour.as_str() {
        "answer" | "normal" => TargetBehaviour::Normal,
        "refuse" => TargetBehaviour::Refuse,
        "accept-then-close" => TargetBehaviour::AcceptThenClose,
        "reset" => TargetBehaviour::Reset,
        "hang" => TargetBehaviour::Hang,
        "slow" => {
            let delay = body
                .delay_ms
                .ok_or_else(|| bad("\"behaviour\": \"slow\" needs \"delay_ms\"".to_owned()))?;
            TargetBehaviour::Slow {
                delay: Duration::from_millis(delay),
            }
        }
        "status" => {
            let status = body
                .status
                .ok_or_else(|| bad("\"behaviour\": \"status\" needs \"status\"".to_owned()))?;
            if !(200..=599).contains(&status) {
                return Err(bad(format!(
                    "status {status} is not one a target can answer with (200 to 599)"
                )));
            }
            TargetBehaviour::Status(status)
        }
        other => {
            return Err(bad(format!(
                "unknown behaviour {other:?}; the behaviours are: {BEHAVIOURS}"
            )));
        }
    })
}

/// A behaviour in the API's words, e.g. `slow 500 ms`.
pub(crate) fn describe(behaviour: TargetBehaviour) -> String {
    match behaviour {
        TargetBehaviour::Normal => "answer".to_owned(),
        TargetBehaviour::Slow { delay } => format!("slow {} ms", delay.as_millis()),
        TargetBehaviour::Status(status) => format!("status {status}"),
        other => other.name().to_owned(),
    }
}

/// A change the lab refused (a target already running, a stop that timed out, a certificate
/// the listener would not serve): a conflict with the lab's state, not a malformed request.
fn refused(error: RunError) -> ApiError {
    let status = match &error {
        RunError::TargetControl { .. } | RunError::ListenerControl { .. } => StatusCode::CONFLICT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    ApiError::new(status, error.to_string())
}

/// Now, RFC 3339, to the second.
fn now() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
