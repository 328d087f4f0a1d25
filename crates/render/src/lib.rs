//! Pictures and machine-readable reports of hoplab runs.
//!
//! A [`Picture`] is built from one request's report (and, when the scenario is at hand, the
//! route it matched): the hops left to right, each TLS session as a span over the hops it
//! covers, the certificate each session presented and what became of it, who wrote the
//! response, and the request's outcome. An ALB is a hop of its own: its listener with the
//! certificate it served, the rule that decided the request with its conditions and action,
//! then the target group and target a `forward` led to. Pictures render as self-contained
//! SVG, as a Mermaid flowchart for GitHub, and as Graphviz DOT. Whole runs, as [`ScenarioResult`]s, render as JUnit XML for CI and as one
//! self-contained HTML report.
//!
//! Nothing here runs a scenario or reads a file: every function takes reports and returns
//! text. Every string from a scenario or a hop is escaped for the format it lands in.
//!
//! # Layout
//! - `route`: [`RouteInfo`], the route a request matched and the topology behind it;
//!   `route::alb`, an ALB listener's certificates, rules and target groups ([`AlbInfo`]).
//! - `picture`: [`Picture`], what to draw for one request, built from its report;
//!   `picture::alb`, the nodes of an ALB on the path.
//! - `svg`: [`render_svg`] and [`render_svg_stack`].
//! - `mermaid`: [`render_mermaid`].
//! - `dot`: [`render_dot`].
//! - `result`: [`ScenarioResult`], one scenario's outcome as the reports take it.
//! - `junit`: [`junit()`], JUnit XML.
//! - `html`: [`html()`], the HTML report.
//! - `escape`: escaping and wrapping text for each format.
//! - `error`: [`RenderError`].

#![warn(missing_docs)]

mod dot;
mod error;
mod escape;
mod html;
mod junit;
mod mermaid;
mod picture;
mod result;
mod route;
mod svg;

pub use dot::render_dot;
pub use error::RenderError;
pub use escape::xml as escape_markup;
pub use html::html;
pub use junit::{NOT_RUN_TESTCASE, junit};
pub use mermaid::render_mermaid;
pub use picture::{
    CertificateMark, CertificateState, Node, NodeKind, Outcome, Picture, Session, pictures,
};
pub use result::{NotRun, ScenarioResult};
pub use route::{
    ActionInfo, AlbInfo, Backend, CertificateInfo, GroupInfo, RouteInfo, RuleInfo, TargetInfo,
};
pub use svg::{render_svg, render_svg_stack};
