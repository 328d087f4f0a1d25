//! Rule actions: forward to target groups, answer with a fixed response, or redirect.
//!
//! AWS: each rule ends with exactly one of `forward`, `redirect` or `fixed-response`.
//! `forward` names one or several target groups with weights 0–999; `fixed-response` sends a
//! 2XX, 4XX or 5XX status with an optional body; `redirect` answers `HTTP_301` or `HTTP_302`
//! with a URL whose parts may use the keywords `#{protocol}`, `#{host}`, `#{port}`, `#{path}`
//! and `#{query}`, and may not go from HTTPS to HTTP.

use crate::AlbAction;

/// What a rule does with the requests it matches.
///
/// `G` is how a `forward` names its target groups: by name (`String`, as AWS's API and the
/// ALB listener take them) or by any other reference a caller resolved names to (the
/// scenario's typed ids); [`Action::map_groups`] turns one into the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<G = String> {
    /// `forward`: to one target group, or to several by weight.
    Forward(Forward<G>),
    /// `fixed-response`: the ALB answers itself.
    FixedResponse(FixedResponse),
    /// `redirect`: the ALB answers with a `Location` built from the request.
    Redirect(Redirect),
}

impl<G> Action<G> {
    /// The action's kind, as the trace records it.
    pub fn kind(&self) -> AlbAction {
        match self {
            Action::Forward(_) => AlbAction::Forward,
            Action::FixedResponse(_) => AlbAction::FixedResponse,
            Action::Redirect(_) => AlbAction::Redirect,
        }
    }

    /// The same action with every target group reference passed through `f`.
    pub fn map_groups<H>(&self, f: &mut impl FnMut(&G) -> H) -> Action<H> {
        match self {
            Action::Forward(forward) => Action::Forward(Forward {
                groups: forward
                    .groups
                    .iter()
                    .map(|g| WeightedGroup {
                        group: f(&g.group),
                        weight: g.weight,
                    })
                    .collect(),
            }),
            Action::FixedResponse(fixed) => Action::FixedResponse(fixed.clone()),
            Action::Redirect(redirect) => Action::Redirect(redirect.clone()),
        }
    }
}

/// A `forward` action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forward<G = String> {
    /// The target groups and their weights; with one group the weight does not matter.
    pub groups: Vec<WeightedGroup<G>>,
}

impl Forward {
    /// Forward everything to the target group named `group`.
    pub fn to(group: impl Into<String>) -> Self {
        Forward {
            groups: vec![WeightedGroup {
                group: group.into(),
                weight: 1,
            }],
        }
    }
}

/// One target group of a `forward` action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightedGroup<G = String> {
    /// The target group (its name, unless the caller chose another reference).
    pub group: G,
    /// Its share of the requests, 0–999 (0: none).
    pub weight: u16,
}

/// A `fixed-response` action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedResponse {
    /// The status, a 2XX, 4XX or 5XX code.
    pub status: u16,
    /// The `Content-Type` sent; `None` sends none.
    pub content_type: Option<String>,
    /// The body; empty for none.
    pub body: String,
}

/// A `redirect` action. Every part may hold the keywords; [`Default`] keeps every part of the
/// request (AWS's defaults) with `HTTP_301`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// `HTTP_301` or `HTTP_302`.
    pub status: RedirectStatus,
    /// `HTTP`, `HTTPS` or `#{protocol}`.
    pub protocol: String,
    /// The host, e.g. `#{host}` or `www.#{host}`.
    pub host: String,
    /// A port number or `#{port}`.
    pub port: String,
    /// The path, starting with `/`, e.g. `/#{path}`.
    pub path: String,
    /// The query, without `?`, e.g. `#{query}`.
    pub query: String,
}

impl Default for Redirect {
    fn default() -> Self {
        Redirect {
            status: RedirectStatus::Http301,
            protocol: "#{protocol}".to_owned(),
            host: "#{host}".to_owned(),
            port: "#{port}".to_owned(),
            path: "/#{path}".to_owned(),
            query: "#{query}".to_owned(),
        }
    }
}

/// The status of a redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RedirectStatus {
    /// `HTTP_301`, permanent.
    Http301,
    /// `HTTP_302`, temporary.
    Http302,
}

impl RedirectStatus {
    /// The status code.
    pub fn code(self) -> u16 {
        match self {
            RedirectStatus::Http301 => 301,
            RedirectStatus::Http302 => 302,
        }
    }

    /// AWS's name, `HTTP_301` or `HTTP_302`.
    pub fn aws_name(self) -> &'static str {
        match self {
            RedirectStatus::Http301 => "HTTP_301",
            RedirectStatus::Http302 => "HTTP_302",
        }
    }

    /// The status AWS calls `name`.
    pub fn from_aws_name(name: &str) -> Option<Self> {
        [RedirectStatus::Http301, RedirectStatus::Http302]
            .into_iter()
            .find(|status| status.aws_name() == name)
    }
}

/// What the redirect keywords stand for in one request.
#[derive(Debug, Clone, Copy)]
pub struct RedirectSource<'a> {
    /// The listener's protocol, `HTTP` or `HTTPS`.
    pub protocol: &'a str,
    /// The request's host, without a port.
    pub host: &'a str,
    /// The listener's port.
    pub port: u16,
    /// The request's path, starting with `/`.
    pub path: &'a str,
    /// The request's query, without `?`.
    pub query: Option<&'a str>,
}

/// The keywords a redirect may use.
const KEYWORDS: [&str; 5] = ["protocol", "host", "port", "path", "query"];

impl Redirect {
    /// The `Location` of a request described by `from`:
    /// `<protocol>://<host>:<port><path>[?<query>]`, with the protocol in lower case and the
    /// `?` only when the query is not empty. `#{path}` is the path without its leading `/`.
    pub fn location(&self, from: &RedirectSource<'_>) -> String {
        let port = from.port.to_string();
        let path = from.path.strip_prefix('/').unwrap_or(from.path);
        let query = from.query.unwrap_or("");
        let expand = |part: &str| {
            part.replace("#{protocol}", from.protocol)
                .replace("#{host}", from.host)
                .replace("#{port}", &port)
                .replace("#{path}", path)
                .replace("#{query}", query)
        };
        let mut location = format!(
            "{}://{}:{}{}",
            expand(&self.protocol).to_ascii_lowercase(),
            expand(&self.host),
            expand(&self.port),
            expand(&self.path)
        );
        let query = expand(&self.query);
        if !query.is_empty() {
            location.push('?');
            location.push_str(&query);
        }
        location
    }

    /// The first part AWS would refuse: its field name, value and why. `https_listener` says
    /// whether the redirect belongs to an HTTPS listener, which may not redirect to HTTP.
    pub(crate) fn bad_part(
        &self,
        https_listener: bool,
    ) -> Option<(&'static str, String, &'static str)> {
        let parts = [
            ("protocol", &self.protocol),
            ("host", &self.host),
            ("port", &self.port),
            ("path", &self.path),
            ("query", &self.query),
        ];
        for (field, value) in parts {
            if let Some(why) = unknown_keyword(value) {
                return Some((field, value.clone(), why));
            }
        }
        let bad = |field, value: &String, why| Some((field, value.clone(), why));
        if !matches!(self.protocol.as_str(), "HTTP" | "HTTPS" | "#{protocol}") {
            return bad(
                "protocol",
                &self.protocol,
                "must be HTTP, HTTPS or #{protocol}",
            );
        }
        if https_listener && self.protocol == "HTTP" {
            return bad(
                "protocol",
                &self.protocol,
                "an HTTPS listener may not redirect to HTTP",
            );
        }
        if self.host.is_empty() {
            return bad("host", &self.host, "is empty");
        }
        let port_ok =
            self.port == "#{port}" || self.port.parse::<u16>().is_ok_and(|port| port != 0);
        if !port_ok {
            return bad(
                "port",
                &self.port,
                "must be a port number 1-65535 or #{port}",
            );
        }
        if !self.path.starts_with('/') {
            return bad("path", &self.path, "must start with '/'");
        }
        None
    }
}

/// Why `value` uses a keyword AWS does not define, if it does.
fn unknown_keyword(value: &str) -> Option<&'static str> {
    let mut rest = value;
    while let Some(start) = rest.find("#{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Some("has an unclosed #{");
        };
        if !KEYWORDS.contains(&&after[..end]) {
            return Some(
                "uses a keyword other than #{protocol}, #{host}, #{port}, #{path} and #{query}",
            );
        }
        rest = &after[end + 1..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source<'a>(protocol: &'a str, path: &'a str, query: Option<&'a str>) -> RedirectSource<'a> {
        RedirectSource {
            protocol,
            host: "api.example.com",
            port: 80,
            path,
            query,
        }
    }

    fn redirect(edit: impl FnOnce(&mut Redirect)) -> Redirect {
        let mut redirect = Redirect::default();
        edit(&mut redirect);
        redirect
    }

    #[test]
    fn keywords_expand_as_aws_documents() {
        let cases: Vec<(Redirect, RedirectSource<'_>, &str)> = vec![
            (
                Redirect::default(),
                source("HTTP", "/a/b", Some("x=1")),
                "http://api.example.com:80/a/b?x=1",
            ),
            (
                Redirect::default(),
                source("HTTPS", "/", None),
                "https://api.example.com:80/",
            ),
            (
                redirect(|r| {
                    r.protocol = "HTTPS".to_owned();
                    r.port = "443".to_owned();
                }),
                source("HTTP", "/login", Some("next=%2F")),
                "https://api.example.com:443/login?next=%2F",
            ),
            (
                redirect(|r| {
                    r.host = "www.#{host}".to_owned();
                    r.path = "/new/#{path}".to_owned();
                    r.query = "from=#{port}&#{query}".to_owned();
                }),
                source("HTTP", "/old", Some("q=1")),
                "http://www.api.example.com:80/new/old?from=80&q=1",
            ),
            (
                redirect(|r| r.query = String::new()),
                source("HTTP", "/p", Some("dropped=1")),
                "http://api.example.com:80/p",
            ),
            (
                Redirect::default(),
                source("HTTP", "/p", Some("")),
                "http://api.example.com:80/p",
            ),
        ];
        for (redirect, from, expected) in cases {
            assert_eq!(redirect.location(&from), expected, "{redirect:?}");
        }
    }

    #[test]
    fn statuses_have_aws_names() {
        assert_eq!(RedirectStatus::Http301.code(), 301);
        assert_eq!(
            RedirectStatus::from_aws_name("HTTP_302"),
            Some(RedirectStatus::Http302)
        );
        assert_eq!(RedirectStatus::from_aws_name("302"), None);
    }

    #[test]
    fn refused_redirects_name_the_part() {
        assert_eq!(Redirect::default().bad_part(true), None);
        let cases: Vec<(Redirect, bool, &str)> = vec![
            (
                redirect(|r| r.protocol = "HTTP".to_owned()),
                true,
                "protocol",
            ),
            (
                redirect(|r| r.protocol = "ftp".to_owned()),
                false,
                "protocol",
            ),
            (
                redirect(|r| r.host = "#{hostname}".to_owned()),
                false,
                "host",
            ),
            (redirect(|r| r.query = "#{query".to_owned()), false, "query"),
            (redirect(|r| r.port = "0".to_owned()), false, "port"),
            (redirect(|r| r.port = "http".to_owned()), false, "port"),
            (redirect(|r| r.path = "#{path}".to_owned()), false, "path"),
            (redirect(|r| r.host = String::new()), false, "host"),
        ];
        for (redirect, https, field) in cases {
            let bad = redirect.bad_part(https);
            assert_eq!(bad.map(|(f, ..)| f), Some(field), "{redirect:?}");
        }
        assert_eq!(
            redirect(|r| r.protocol = "HTTP".to_owned()).bad_part(false),
            None,
            "an HTTP listener may redirect to HTTP"
        );
    }
}
