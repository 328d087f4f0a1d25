//! The dashboard's page: server-rendered HTML with the topology drawn in, and its script.
//! Both are built into the binary (`include_str!`): nothing is fetched from elsewhere.
//!
//! Every text the page shows that comes from the scenario or the wire is escaped here (the
//! HTML) or set as text by the script (`textContent`, never markup).

use hoplab_gateway::ConsoleBody;
use hoplab_render::escape_markup;
use hyper::Response;

use crate::Dashboard;
use crate::reply::bytes_response;

/// The page, with `{{…}}` slots filled here.
const PAGE: &str = include_str!("../assets/dashboard.html");

/// The page's script.
const SCRIPT: &str = include_str!("../assets/dashboard.js");

/// `GET /_hoplab/`.
pub(crate) async fn index(dashboard: &Dashboard) -> Response<ConsoleBody> {
    let targets = dashboard.control.targets().await;
    let target_options: String = targets.iter().map(|t| option(&t.name)).collect();
    let certificate_options: String = dashboard
        .control
        .certificate_names()
        .iter()
        .map(|name| option(name))
        .collect();
    // One option per listener certificate: "<hop id>" (its default) or "<hop id> <index>".
    let listeners = dashboard.control.listeners();
    let listener_options: String = listeners
        .iter()
        .flat_map(|l| {
            let list = (0..l.certificates.len()).map(|i| {
                let value = format!("{} {i}", l.hop);
                let label = format!("{}: SNI list[{i}]", l.hop);
                labelled_option(&value, &label)
            });
            std::iter::once(labelled_option(&l.hop, &format!("{}: default", l.hop))).chain(list)
        })
        .collect();
    let control = if dashboard.access.is_off() {
        "off"
    } else if dashboard.access.needs_token() {
        "token"
    } else {
        "open"
    };
    let page = PAGE
        .replace("{{SCENARIO}}", &escape_markup(dashboard.scenario.name()))
        .replace("{{CONTROL}}", control)
        .replace("{{TARGETS}}", &target_options)
        .replace("{{CERTIFICATES}}", &certificate_options)
        .replace("{{LISTENERS}}", &listener_options)
        .replace(
            "{{LISTENERS_HIDDEN}}",
            if listeners.is_empty() { " hidden" } else { "" },
        )
        // Last: the picture is markup already, escaped by the renderer.
        .replace(
            "{{TOPOLOGY}}",
            &crate::api::topology_svg(&dashboard.scenario),
        );
    let mut response = bytes_response(page, "text/html; charset=utf-8");
    response.headers_mut().insert(
        hyper::header::CONTENT_SECURITY_POLICY,
        hyper::header::HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    response
}

/// The page runs its own script only, fetches from this server only, and may not be framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/// A `<select>` option whose value and label are `text`.
fn option(text: &str) -> String {
    labelled_option(text, text)
}

/// A `<select>` option with `value`, showing `label`.
fn labelled_option(value: &str, label: &str) -> String {
    let (value, label) = (escape_markup(value), escape_markup(label));
    format!("<option value=\"{value}\">{label}</option>")
}

/// `GET /_hoplab/dashboard.js`.
pub(crate) fn script() -> Response<ConsoleBody> {
    bytes_response(SCRIPT, "text/javascript; charset=utf-8")
}
