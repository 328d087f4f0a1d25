//! The responses the ALB writes itself: its error pages, fixed responses and redirects, all
//! with `Server: awselb/2.0`.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::ext::ReasonPhrase;
use hyper::header::{CONTENT_TYPE, HeaderValue, LOCATION, SERVER};
use hyper::{Response, StatusCode};

use crate::FixedResponse;
use crate::aws::{ErrorPage, REDIRECT_BODY, SERVER as AWSELB};

/// A response body as the listener sends it.
pub(crate) type Body = Full<Bytes>;

/// A response with `status` and `body`, carrying `Server: awselb/2.0`.
fn generated(status: u16, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    response
        .headers_mut()
        .insert(SERVER, HeaderValue::from_static(AWSELB));
    response
}

/// One of the ALB's error pages, with its own reason phrase where it is not the standard one
/// (`503 Service Temporarily Unavailable`, `504 Gateway Time-out`).
pub(crate) fn error(page: &ErrorPage) -> Response<Body> {
    let mut response = generated(page.status, Bytes::from_static(page.body.as_bytes()));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    if response.status().canonical_reason() != Some(page.reason) {
        response
            .extensions_mut()
            .insert(ReasonPhrase::from_static(page.reason.as_bytes()));
    }
    response
}

/// A `fixed-response` action's answer.
pub(crate) fn fixed(fixed: &FixedResponse) -> Response<Body> {
    let mut response = generated(fixed.status, Bytes::from(fixed.body.clone()));
    if let Some(value) = fixed
        .content_type
        .as_deref()
        .and_then(|ct| HeaderValue::from_str(ct).ok())
    {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

/// A `redirect` action's answer to `location`, or a 502 page when the location cannot be a
/// header value (a request whose host or path holds bytes a header may not).
pub(crate) fn redirect(status: u16, location: &str) -> Response<Body> {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = generated(status, Bytes::from_static(REDIRECT_BODY.as_bytes()));
            response.headers_mut().insert(LOCATION, value);
            response
        }
        Err(_) => error(&crate::aws::BAD_GATEWAY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::{BAD_GATEWAY, GATEWAY_TIMEOUT, SERVICE_UNAVAILABLE};

    #[test]
    fn error_pages_carry_their_reason_only_when_it_is_not_the_standard_one() {
        let response = error(&SERVICE_UNAVAILABLE);
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[SERVER], "awselb/2.0");
        assert_eq!(response.headers()[CONTENT_TYPE], "text/html");
        assert_eq!(
            response
                .extensions()
                .get::<ReasonPhrase>()
                .map(|r| r.as_bytes()),
            Some(&b"Service Temporarily Unavailable"[..])
        );
        assert!(
            error(&BAD_GATEWAY)
                .extensions()
                .get::<ReasonPhrase>()
                .is_none()
        );
        assert!(
            error(&GATEWAY_TIMEOUT)
                .extensions()
                .get::<ReasonPhrase>()
                .is_some()
        );
    }

    #[test]
    fn fixed_responses_and_redirects_are_written_by_the_alb() {
        let response = fixed(&FixedResponse {
            status: 418,
            content_type: Some("text/plain".to_owned()),
            body: "Hello world".to_owned(),
        });
        assert_eq!(response.status(), 418);
        assert_eq!(response.headers()[SERVER], "awselb/2.0");
        assert_eq!(response.headers()[CONTENT_TYPE], "text/plain");
        let response = redirect(302, "https://a.example.com:443/x");
        assert_eq!(response.status(), 302);
        assert_eq!(response.headers()[LOCATION], "https://a.example.com:443/x");
        assert_eq!(redirect(301, "https://a\n").status(), 502);
    }
}
