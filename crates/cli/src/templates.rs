//! The starter scenarios `hoplab init` writes, embedded in the binary.
//!
//! Each is a commented TOML file in `crates/cli/templates/` that runs and passes as written;
//! the CLI's tests run every one of them live.

/// One starter scenario.
pub(crate) struct Template {
    /// What `hoplab init` calls it.
    pub(crate) name: &'static str,
    /// The topology, in one line, for `hoplab init --list`.
    pub(crate) summary: &'static str,
    /// The scenario file.
    pub(crate) text: &'static str,
}

/// Every template, the default first.
pub(crate) const TEMPLATES: &[Template] = &[
    Template {
        name: "rest-nlb-tls",
        summary: "REST API -> VPC link -> NLB TLS listener -> target",
        text: include_str!("../templates/rest-nlb-tls.toml"),
    },
    Template {
        name: "rest-nlb-tcp",
        summary: "REST API -> VPC link -> NLB TCP listener -> target",
        text: include_str!("../templates/rest-nlb-tcp.toml"),
    },
    Template {
        name: "http-api",
        summary: "HTTP API -> VPC link -> ALB HTTPS listener (serverNameToVerify)",
        text: include_str!("../templates/http-api.toml"),
    },
    Template {
        name: "internet-backend",
        summary: "REST API HTTP_PROXY integration -> backend on the internet",
        text: include_str!("../templates/internet-backend.toml"),
    },
    Template {
        name: "rest-v2-alb-https",
        summary: "REST API -> VPC link V2 -> ALB HTTPS listener -> target",
        text: include_str!("../templates/rest-v2-alb-https.toml"),
    },
    Template {
        name: "nlb-tcp-to-alb",
        summary: "REST API -> VPC link -> NLB TCP listener -> ALB HTTPS listener -> target",
        text: include_str!("../templates/nlb-tcp-to-alb.toml"),
    },
];

/// The template with this name.
pub(crate) fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// The names, for `--help` and errors.
pub(crate) fn names() -> Vec<&'static str> {
    TEMPLATES.iter().map(|t| t.name).collect()
}
