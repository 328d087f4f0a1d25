//! The dashboard's responses: JSON documents, HTML, and [`ApiError`], the JSON error every
//! refused request gets.

use std::convert::Infallible;

use bytes::Bytes;
use hoplab_gateway::ConsoleBody;
use http_body_util::{BodyExt, Full};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};

/// A request the dashboard refused or could not carry out, answered as
/// `{"error": "<message>"}` with a 4xx (or, when the lab failed, 5xx) status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What was wrong, and what would be valid.
    pub message: String,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// Nothing is served at `path`.
    pub(crate) fn not_found(path: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "nothing is served at {path}; see {} for the API's endpoints",
                crate::API_PATH
            ),
        )
    }

    /// The error as a response.
    pub(crate) fn response(&self) -> Response<ConsoleBody> {
        let body = serde_json::json!({ "error": self.message });
        let mut response = json(&body);
        *response.status_mut() = self.status;
        response
    }
}

/// `value` as a JSON response.
pub(crate) fn json(value: &impl serde::Serialize) -> Response<ConsoleBody> {
    match serde_json::to_vec(value) {
        Ok(bytes) => bytes_response(bytes, "application/json"),
        Err(error) => {
            let message = format!("the answer could not be written as JSON: {error}");
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message).response()
        }
    }
}

/// `bytes` with this content type, never cached (everything here changes as the lab runs).
pub(crate) fn bytes_response(
    bytes: impl Into<Bytes>,
    content_type: &'static str,
) -> Response<ConsoleBody> {
    let mut response = Response::new(full(bytes.into()));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// One buffer as a console body.
fn full(bytes: Bytes) -> ConsoleBody {
    Full::new(bytes)
        .map_err(|never: Infallible| match never {})
        .boxed_unsync()
}
