//! [`ScenarioBuilder`]: a scenario written in Rust instead of TOML.
//!
//! The builder writes the same form a scenario file is read into and validates it with the
//! same code, so what it builds is exactly what the equivalent file would give (and a mistake
//! gets the same error, located at `<builder>` and named by its field path). It also edits:
//! [`Scenario::to_builder`] gives back the form a scenario was validated from, so a change to
//! a route, a listener, a target group or a target goes through every rule again, with its
//! errors located in the original file.
//!
//! ```
//! use hoplab_scenario::{
//!     AuthorityBuilder, CertificateBuilder, ExpectBuilder, ListenerBuilder, NlbBuilder,
//!     RequestBuilder, RouteBuilder, ScenarioBuilder, TargetBuilder, TargetGroupBuilder,
//!     TargetGroupProtocol,
//! };
//!
//! let scenario = ScenarioBuilder::new()
//!     .name("tls-listener")
//!     .authority("root", AuthorityBuilder::root().trusted(true))
//!     .certificate("nlb-cert", CertificateBuilder::issued_by("root").dns_name("api.example.com"))
//!     .certificate("app-cert", CertificateBuilder::self_signed())
//!     .target("app", TargetBuilder::https("app-cert"))
//!     .target_group("app", TargetGroupBuilder::new(TargetGroupProtocol::Tls, ["app"]))
//!     .nlb("internal", NlbBuilder::new().listener(ListenerBuilder::tls(443, "nlb-cert", "app")))
//!     .route(RouteBuilder::new("/", "https://api.example.com/").vpc_link("internal"))
//!     .request(
//!         RequestBuilder::new("/")
//!             .expect(ExpectBuilder::new().status(200).validated_listener("internal", 443)),
//!     )
//!     .build()
//!     .expect("a valid scenario");
//! let route = &scenario.routes()[0];
//! assert_eq!(scenario.backend_name(route.backend()), "nlb:internal:443");
//! ```
//!
//! # Layout
//! - this module: [`ScenarioBuilder`], the whole scenario, and editing one validated.
//! - `parts`: one builder per table (`AuthorityBuilder`, …, `MatrixBuilder`).
//! - `albs`: [`AlbBuilder`] and [`AlbListenerBuilder`], with rules written from
//!   `hoplab-alb-rules`' types.

mod albs;
mod parts;

use std::ops::Range;
use std::sync::Arc;

use time::OffsetDateTime;
use toml::Spanned;

use crate::alb::TargetType;
use crate::ids::{AlbListenerId, ListenerId, RequestId, RouteId, TargetGroupId, TargetId};
use crate::model::{ApiType, Scenario};
use crate::raw::{RawGateway, RawMeta, RawScenario};
use crate::source::Source;
use crate::{LoadError, validate};

pub use albs::{AlbBuilder, AlbListenerBuilder};
pub(crate) use parts::Part;
pub use parts::{
    AuthorityBuilder, CertificateBuilder, ExpectBuilder, HealthCheckBuilder, ListenerBuilder,
    MatrixBuilder, NlbBuilder, RequestBuilder, RouteBuilder, TargetBuilder, TargetGroupBuilder,
};

/// The file name a builder's own errors are located in.
pub const BUILDER_FILE: &str = "<builder>";

/// A scenario under construction; [`ScenarioBuilder::build`] validates it.
///
/// Names refer to other parts exactly as in a file (`"root"`, `"nlb-cert"`); every rule of
/// the scenario reference (docs/scenario-reference.md) applies when it is built. Adding a part with a name
/// already in use is an error then.
#[derive(Debug, Clone)]
pub struct ScenarioBuilder {
    source: Source,
}

impl Default for ScenarioBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl Scenario {
    /// This scenario in the form it was validated from, ready to change and validate again
    /// (errors then point into the original file). Ids of this scenario name the same parts
    /// in the builder's `edit_*` methods.
    pub fn to_builder(&self) -> ScenarioBuilder {
        ScenarioBuilder {
            source: (*self.source).clone(),
        }
    }
}

impl ScenarioBuilder {
    /// An empty scenario.
    pub fn new() -> Self {
        ScenarioBuilder {
            source: Source {
                raw: RawScenario::default(),
                text: Arc::from(""),
                file: BUILDER_FILE.to_owned(),
                default_name: String::new(),
            },
        }
    }

    /// Validates the scenario: every rule of a scenario file, reported the same way.
    pub fn build(self) -> Result<Scenario, LoadError> {
        validate::validate(self.source)
    }

    fn raw(&mut self) -> &mut RawScenario {
        &mut self.source.raw
    }

    fn meta(&mut self) -> &mut RawMeta {
        self.raw()
            .scenario
            .get_or_insert_with(|| {
                Spanned::new(
                    0..0,
                    RawMeta {
                        name: String::new(),
                        description: None,
                        now: None,
                    },
                )
            })
            .get_mut()
    }

    fn gateway(&mut self) -> &mut RawGateway {
        self.raw()
            .gateway
            .get_or_insert_with(|| {
                Spanned::new(
                    0..0,
                    RawGateway {
                        api: None,
                        stage: None,
                        routes: Vec::new(),
                        trusted_ca_files: Vec::new(),
                        public_roots: false,
                    },
                )
            })
            .get_mut()
    }

    /// `[scenario] name`.
    pub fn name(mut self, name: &str) -> Self {
        self.meta().name = name.to_owned();
        self
    }

    /// `[scenario] description`.
    pub fn description(mut self, text: &str) -> Self {
        self.meta().description = Some(text.to_owned());
        self
    }

    /// `[scenario] now`: pins the gateway clock and the base of relative times.
    pub fn now(mut self, at: OffsetDateTime) -> Self {
        let meta = self.meta();
        let value = parts::absolute_time(at);
        meta.now = Some(parts::at(&(0..0), meta.now.as_ref(), value));
        self
    }

    /// `[gateway] api`.
    pub fn api(mut self, api: ApiType) -> Self {
        let gateway = self.gateway();
        gateway.api = Some(parts::at(
            &(0..0),
            gateway.api.as_ref(),
            api.as_str().to_owned(),
        ));
        self
    }

    /// `[gateway] stage`.
    pub fn stage(mut self, stage: &str) -> Self {
        let gateway = self.gateway();
        gateway.stage = Some(parts::at(&(0..0), gateway.stage.as_ref(), stage.to_owned()));
        self
    }

    /// Adds a PEM file to `[gateway] trusted_ca_files` (relative paths: to the current
    /// directory, or to the scenario file's for a scenario read from one).
    pub fn trusted_ca_file(mut self, path: &str) -> Self {
        self.gateway()
            .trusted_ca_files
            .push(Spanned::new(0..0, path.to_owned()));
        self
    }

    /// `[gateway] public_roots`.
    pub fn public_roots(mut self, trusted: bool) -> Self {
        self.gateway().public_roots = trusted;
        self
    }

    /// Adds `[authorities.<name>]`.
    pub fn authority(mut self, name: &str, authority: AuthorityBuilder) -> Self {
        let (raw, span) = authority.into_parts();
        push(&mut self.raw().authorities.0, name, raw, span);
        self
    }

    /// Adds `[certificates.<name>]`.
    pub fn certificate(mut self, name: &str, certificate: CertificateBuilder) -> Self {
        let (raw, span) = certificate.into_parts();
        push(&mut self.raw().certificates.0, name, raw, span);
        self
    }

    /// Adds `[nlbs.<name>]`.
    pub fn nlb(mut self, name: &str, nlb: NlbBuilder) -> Self {
        let (raw, span) = nlb.into_parts();
        push(&mut self.raw().nlbs.0, name, raw, span);
        self
    }

    /// Adds `[albs.<name>]`.
    pub fn alb(mut self, name: &str, alb: AlbBuilder) -> Self {
        let (raw, span) = alb.into_parts();
        push(&mut self.raw().albs.0, name, raw, span);
        self
    }

    /// Adds `[target_groups.<name>]`.
    pub fn target_group(mut self, name: &str, group: TargetGroupBuilder) -> Self {
        let (raw, span) = group.into_parts();
        push(&mut self.raw().target_groups.0, name, raw, span);
        self
    }

    /// Adds `[targets.<name>]`.
    pub fn target(mut self, name: &str, target: TargetBuilder) -> Self {
        let (raw, span) = target.into_parts();
        push(&mut self.raw().targets.0, name, raw, span);
        self
    }

    /// Adds a `[[gateway.routes]]` entry.
    pub fn route(mut self, route: RouteBuilder) -> Self {
        let (raw, span) = route.into_parts();
        self.gateway().routes.push(Spanned::new(span, raw));
        self
    }

    /// Adds a `[[requests]]` entry.
    pub fn request(mut self, request: RequestBuilder) -> Self {
        let (raw, span) = request.into_parts();
        self.raw().requests.push(Spanned::new(span, raw));
        self
    }

    /// Sets `[matrix]`.
    pub fn matrix(mut self, matrix: MatrixBuilder) -> Self {
        let (raw, span) = matrix.into_parts();
        self.raw().matrix = Some(Spanned::new(span, raw));
        self
    }

    /// Removes every request.
    pub fn clear_requests(mut self) -> Self {
        self.raw().requests.clear();
        self
    }

    /// Removes `[matrix]`.
    pub fn clear_matrix(mut self) -> Self {
        self.raw().matrix = None;
        self
    }

    /// Changes the route `id` names (an id of the scenario this builder came from).
    ///
    /// # Panics
    /// If no route has that id.
    pub fn edit_route(
        mut self,
        id: RouteId,
        edit: impl FnOnce(RouteBuilder) -> RouteBuilder,
    ) -> Self {
        edit_part(self.gateway().routes.get_mut(id.index()), id, edit);
        self
    }

    /// Changes the listener `id` names.
    ///
    /// # Panics
    /// If no listener has that id.
    pub fn edit_listener(
        mut self,
        id: ListenerId,
        edit: impl FnOnce(ListenerBuilder) -> ListenerBuilder,
    ) -> Self {
        let slot = self
            .raw()
            .nlbs
            .0
            .iter_mut()
            .flat_map(|(_, nlb)| nlb.get_mut().listeners.iter_mut())
            .nth(id.index());
        edit_part(slot, id, edit);
        self
    }

    /// Changes the ALB listener `id` names.
    ///
    /// # Panics
    /// If no ALB listener has that id.
    pub fn edit_alb_listener(
        mut self,
        id: AlbListenerId,
        edit: impl FnOnce(AlbListenerBuilder) -> AlbListenerBuilder,
    ) -> Self {
        let slot = self
            .raw()
            .albs
            .0
            .iter_mut()
            .flat_map(|(_, alb)| alb.get_mut().listeners.iter_mut())
            .nth(id.index());
        edit_part(slot, id, edit);
        self
    }

    /// Changes the target group `id` names.
    ///
    /// # Panics
    /// If no target group has that id.
    pub fn edit_target_group(
        mut self,
        id: TargetGroupId,
        edit: impl FnOnce(TargetGroupBuilder) -> TargetGroupBuilder,
    ) -> Self {
        let slot = self.raw().target_groups.0.get_mut(id.index());
        edit_part(slot.map(|(_, group)| group), id, edit);
        self
    }

    /// Changes the target `id` names.
    ///
    /// # Panics
    /// If no target has that id.
    pub fn edit_target(
        mut self,
        id: TargetId,
        edit: impl FnOnce(TargetBuilder) -> TargetBuilder,
    ) -> Self {
        let slot = self.raw().targets.0.get_mut(id.index());
        edit_part(slot.map(|(_, target)| target), id, edit);
        self
    }

    /// Changes the request `id` names.
    ///
    /// # Panics
    /// If no request has that id.
    pub fn edit_request(
        mut self,
        id: RequestId,
        edit: impl FnOnce(RequestBuilder) -> RequestBuilder,
    ) -> Self {
        edit_part(self.raw().requests.get_mut(id.index()), id, edit);
        self
    }

    /// A copy of the request `id` names, as written, to add again (changed or not).
    ///
    /// # Panics
    /// If no request has that id.
    pub fn request_builder(&self, id: RequestId) -> RequestBuilder {
        let request = self
            .source
            .raw
            .requests
            .get(id.index())
            .unwrap_or_else(|| panic!("{id:?} names nothing in this builder"));
        RequestBuilder::from_parts(request.get_ref().clone(), request.span())
    }

    /// Removes the NLBs and ALBs named `names`, the `alb` target groups that register one of
    /// them, and every route but `keep` that names one of them (`vpc_link` or
    /// `integration_target`): what a matrix combination replaces with load balancers of its
    /// own. Call it after editing `keep`, whose id it may change.
    pub(crate) fn without_balancers(mut self, names: &[&str], keep: RouteId) -> Self {
        let named = |name: &Spanned<String>| names.contains(&name.get_ref().as_str());
        let raw = self.raw();
        raw.nlbs.0.retain(|(name, _)| !named(name));
        raw.albs.0.retain(|(name, _)| !named(name));
        raw.target_groups.0.retain(|(_, group)| {
            let group = group.get_ref();
            let alb_type = group.target_type.as_ref().is_some_and(|t| {
                TargetType::SPELLINGS
                    .iter()
                    .any(|(spelling, alb)| *alb && spelling == t.get_ref())
            });
            !(alb_type && group.targets.get_ref().iter().any(named))
        });
        if let Some(gateway) = raw.gateway.as_mut() {
            let mut index = 0;
            gateway.get_mut().routes.retain(|route| {
                let route = route.get_ref();
                let reaches = route
                    .vpc_link
                    .iter()
                    .chain(&route.integration_target)
                    .any(named);
                let kept = index == keep.index() || !reaches;
                index += 1;
                kept
            });
        }
        self
    }

    /// Whether an NLB, an ALB or a target group is named `name`.
    pub(crate) fn names_a_part(&self, name: &str) -> bool {
        let raw = &self.source.raw;
        let named = |n: &Spanned<String>| n.get_ref() == name;
        raw.nlbs.0.iter().any(|(n, _)| named(n))
            || raw.albs.0.iter().any(|(n, _)| named(n))
            || raw.target_groups.0.iter().any(|(n, _)| named(n))
    }

    /// Where `[matrix]` is written, for what a combination adds.
    pub(crate) fn matrix_span(&self) -> Range<usize> {
        self.source.raw.matrix.as_ref().map_or(0..0, Spanned::span)
    }
}

/// Adds a named table.
fn push<T>(
    section: &mut Vec<(Spanned<String>, Spanned<T>)>,
    name: &str,
    raw: T,
    span: Range<usize>,
) {
    section.push((
        Spanned::new(span.clone(), name.to_owned()),
        Spanned::new(span, raw),
    ));
}

/// Replaces the table in `slot` (the one `id` names) with its edited form.
fn edit_part<P: Part>(
    slot: Option<&mut Spanned<P::Raw>>,
    id: impl std::fmt::Debug,
    edit: impl FnOnce(P) -> P,
) {
    let slot = slot.unwrap_or_else(|| panic!("{id:?} names nothing in this builder"));
    let (raw, span) = edit(P::from_parts(slot.get_ref().clone(), slot.span())).into_parts();
    *slot = Spanned::new(span, raw);
}
