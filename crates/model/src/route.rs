//! One route through the topology: who terminates API Gateway's TLS, what that hop serves,
//! the verdict on it, what happens beyond it, and the sentences that say so.
//!
//! The strings API Gateway logs are restated here (not imported from the gateway), so a change
//! on either side shows up as a disagreement.

use hoplab_scenario::{
    Backend, CertId, CertRef, ListenerProtocol, Route, Scenario, Scheme, Target, TargetGroup,
    TargetGroupProtocol, TargetProtocol, TargetType, TlsListener,
};
use time::OffsetDateTime;

mod alb;
mod faults;
mod health;

use crate::cert::Catalog;
use crate::names;
use crate::narrative;
use crate::verdict::{self, Refusal};
use crate::{Alternative, NotValidated, PredictedSession, RoutePrediction};

/// Prefix of every configuration-error line in the execution log.
const CONFIGURATION_ERROR: &str = "Execution failed due to configuration error: ";
/// What a connection-level failure over a VPC link (or the internet) says.
const INTERNAL_ERROR: &str = "There was an internal error while executing your request";
/// What the JDK says for a handshake failure that is not a certificate verdict.
const SSL_ENGINE_PROBLEM: &str = "General SSLEngine problem";
/// Why a TLS target group's target certificate is not validated.
const NLB_DOES_NOT_VALIDATE: &str =
    "an NLB does not validate the certificates of a TLS target group's targets";

/// Everything one prediction reads.
struct Cx<'a, 's> {
    catalog: &'a Catalog<'s>,
    route: &'s Route,
    /// The request's method (an `ANY` route's prediction uses `GET`): an ALB's rules may
    /// read it.
    method: &'a str,
    now: OffsetDateTime,
}

/// What reaches the gateway's connection first.
enum Front<'s> {
    /// The target itself: over the internet, or through a TCP listener that passes bytes.
    Direct {
        target: &'s Target,
        /// The TCP listener crossed: `(nlb, port)`.
        listener: Option<(&'s str, u16)>,
    },
    /// A TLS listener that terminates TLS and opens its own connection to the target.
    Terminated {
        nlb: &'s str,
        port: u16,
        tls: &'s TlsListener,
        group: &'s TargetGroup,
        target: &'s Target,
    },
}

/// One possible path of a request: through one target of the group.
#[derive(Clone)]
struct Flow {
    target: String,
    hops: Vec<String>,
    sessions: Vec<PredictedSession>,
    validated: Option<String>,
    host_checked: Option<String>,
    certificate: Option<String>,
    not_validated: Vec<NotValidated>,
    status: u16,
    error: Option<String>,
    narrative: Vec<String>,
    unpredictable: Option<String>,
}

impl Flow {
    fn new(target: &str, hops: Vec<String>) -> Self {
        Flow {
            target: target.to_owned(),
            hops,
            sessions: Vec::new(),
            validated: None,
            host_checked: None,
            certificate: None,
            not_validated: Vec::new(),
            status: 200,
            error: None,
            narrative: Vec::new(),
            unpredictable: None,
        }
    }

    fn say(&mut self, sentence: impl Into<String>) {
        self.narrative.push(sentence.into());
    }

    fn fail(&mut self, detail: &str) {
        self.status = 500;
        self.error = Some(format!("{CONFIGURATION_ERROR}{detail}"));
    }

    fn answered_by(&mut self, target: &Target) {
        self.status = 200;
        self.error = None;
        self.say(format!(
            "Target {:?} answers 200 ({:?}).",
            target.name(),
            target.body()
        ));
    }

    /// This flow, concluded (see [`Flow::conclude`]).
    fn concluded(mut self) -> Self {
        self.conclude();
        self
    }

    fn conclude(&mut self) {
        if let Some(error) = &self.error {
            let body = if self.status == 504 {
                "{\"message\": \"Endpoint request timed out\"}"
            } else {
                "{\"message\": \"Internal server error\"}"
            };
            let line = format!(
                "So API Gateway logs `{error}` and answers {} with {body}.",
                self.status
            );
            self.say(line);
        }
    }
}

/// Predicts one route for a request with `method`.
pub(crate) fn predict(
    scenario: &Scenario,
    catalog: &Catalog<'_>,
    route: &Route,
    method: &str,
    now: OffsetDateTime,
) -> RoutePrediction {
    let cx = Cx {
        catalog,
        route,
        method,
        now,
    };
    let (via, flows, chooser) = match route.backend() {
        Backend::Internet(target) => (
            "INTERNET".to_owned(),
            vec![cx.flow(Front::Direct {
                target: scenario.target(target),
                listener: None,
            })],
            None,
        ),
        Backend::VpcLink(id)
            if matches!(
                scenario
                    .target_group(scenario.listener(id).target_group())
                    .target_type(),
                TargetType::Alb(_)
            ) =>
        {
            let listener = scenario.listener(id);
            let group = scenario.target_group(listener.target_group());
            let TargetType::Alb(alb) = group.target_type() else {
                unreachable!("the guard matched an alb target group");
            };
            let nlb = scenario.nlb(listener.nlb()).name();
            let alb = scenario.alb_listener(alb);
            let flows = alb::flows(&cx, scenario, alb, Some((nlb, listener.port())));
            let via = format!(
                "VPC_LINK to {} (TCP) → {}",
                listener.hop_name(),
                alb.hop_name()
            );
            (
                via,
                flows.into_iter().map(Flow::concluded).collect(),
                Some(Chooser::Alb),
            )
        }
        Backend::VpcLink(id) => {
            let listener = scenario.listener(id);
            let nlb = scenario.nlb(listener.nlb()).name();
            let port = listener.port();
            let group = scenario.target_group(listener.target_group());
            let (targets, health) = health::routable(
                group.health_check(),
                group.name(),
                "NLB",
                group
                    .targets()
                    .iter()
                    .map(|id| scenario.target(*id))
                    .collect(),
            );
            let flows = targets
                .into_iter()
                .map(|t| {
                    let mut flow = cx.flow(match listener.protocol() {
                        ListenerProtocol::Tcp => Front::Direct {
                            target: t,
                            listener: Some((nlb, port)),
                        },
                        ListenerProtocol::Tls(tls) => Front::Terminated {
                            nlb,
                            port,
                            tls,
                            group,
                            target: t,
                        },
                    });
                    if let Some(sentence) = &health {
                        flow.narrative.insert(0, sentence.clone());
                    }
                    flow
                })
                .collect();
            let protocol = match listener.protocol() {
                ListenerProtocol::Tcp => TargetGroupProtocol::Tcp,
                ListenerProtocol::Tls(_) => TargetGroupProtocol::Tls,
            };
            (
                format!(
                    "VPC_LINK to {} ({})",
                    listener.hop_name(),
                    protocol.as_str()
                ),
                flows,
                Some(Chooser::Nlb(group)),
            )
        }
        Backend::VpcLinkAlb(id) => {
            let listener = scenario.alb_listener(id);
            let flows = alb::flows(&cx, scenario, listener, None);
            let via = format!(
                "VPC_LINK (V2) to {} ({})",
                listener.hop_name(),
                listener.protocol().as_str()
            );
            (
                via,
                flows.into_iter().map(Flow::concluded).collect(),
                Some(Chooser::Alb),
            )
        }
        Backend::NoListener { .. } => {
            let hop = scenario.backend_name(route.backend());
            let mut flow = Flow::new("", vec!["gateway".to_owned()]);
            flow.say(format!(
                "Nothing listens on {hop}: the load balancer has no listener on the URI's \
                 port, so the VPC link's connection is refused, a connectivity failure API \
                 Gateway reports as an internal error."
            ));
            flow.fail(INTERNAL_ERROR);
            (
                format!("VPC_LINK to {hop} (no listener)"),
                vec![flow.concluded()],
                None,
            )
        }
    };
    combine(route, via, flows, chooser)
}

/// Who picks among a route's targets, when it has several.
enum Chooser<'s> {
    /// An NLB, by flow hash, among this group's targets.
    Nlb(&'s TargetGroup),
    /// An ALB, per request, by its rules' weights and its groups' algorithms.
    Alb,
}

/// Folds the flows (one per target) into one prediction, led by the first target's.
fn combine(
    route: &Route,
    via: String,
    flows: Vec<Flow>,
    chooser: Option<Chooser<'_>>,
) -> RoutePrediction {
    let mut flows = flows.into_iter();
    let Some(first) = flows.next() else {
        // Validation rules this out; the live gateway then has no route, and answers 403.
        return RoutePrediction {
            method: route.method().to_owned(),
            path: route.path().to_owned(),
            uri: route.uri().raw().to_owned(),
            via,
            hops: vec!["gateway".to_owned()],
            tls_sessions: Vec::new(),
            validated: None,
            host_checked: None,
            certificate: None,
            not_validated: Vec::new(),
            status: 403,
            error: None,
            narrative: vec![
                "The route names a target, listener or target group that does not exist, so \
                 API Gateway has no integration for it and answers 403."
                    .to_owned(),
            ],
            alternatives: Vec::new(),
            targets: Vec::new(),
            unpredictable: None,
        };
    };
    let others: Vec<Flow> = flows.collect();
    // A flow the ALB answers itself reaches no target.
    let targets: Vec<String> = std::iter::once(first.target.clone())
        .chain(others.iter().map(|f| f.target.clone()))
        .filter(|t| !t.is_empty())
        .collect();
    let mut narrative = first.narrative;
    let mut unpredictable = first.unpredictable;
    let mut alternatives = Vec::new();
    if let (Some(chooser), false) = (chooser, others.is_empty()) {
        narrative.push(match chooser {
            Chooser::Nlb(group) => format!(
                "Target group {:?} has {} targets and the NLB picks one per connection by \
                 flow hash; this follows the first, {:?}.",
                group.name(),
                others.len() + 1,
                first.target
            ),
            Chooser::Alb => format!(
                "The ALB picks among {} outcomes per request (weighted target groups, and \
                 each group's algorithm); this follows the first{}.",
                others.len() + 1,
                if first.target.is_empty() {
                    String::new()
                } else {
                    format!(", through {:?}", first.target)
                }
            ),
        });
        for other in others {
            unpredictable = unpredictable.or(other.unpredictable);
            if (other.status, &other.validated, &other.error)
                != (first.status, &first.validated, &first.error)
            {
                narrative.push(format!(
                    "With target {:?} the outcome would differ: {}{}{}.",
                    other.target,
                    other.status,
                    other
                        .validated
                        .as_ref()
                        .map(|v| format!(", validated {v}"))
                        .unwrap_or_default(),
                    other
                        .error
                        .as_ref()
                        .map(|e| format!(", `{e}`"))
                        .unwrap_or_default(),
                ));
                alternatives.push(Alternative {
                    target: other.target,
                    status: other.status,
                    validated: other.validated,
                    error: other.error,
                });
            }
        }
        if alternatives.is_empty() {
            narrative.push("Every other target gives the same outcome.".to_owned());
        }
    }
    RoutePrediction {
        method: route.method().to_owned(),
        path: route.path().to_owned(),
        uri: route.uri().raw().to_owned(),
        via,
        hops: first.hops,
        tls_sessions: first.sessions,
        validated: first.validated,
        host_checked: first.host_checked,
        certificate: first.certificate,
        not_validated: first.not_validated,
        status: first.status,
        error: first.error,
        narrative,
        alternatives,
        targets,
        unpredictable,
    }
}

/// How API Gateway's own TLS session ends.
struct GatewayTls {
    /// The handshake completes (the verdict passed, or only the host name failed).
    completed: bool,
    /// The verdict passed and the handshake completed: the request is sent.
    passed: bool,
}

impl<'s> Cx<'_, 's> {
    /// The name API Gateway sends as SNI and checks the certificate against:
    /// `tlsConfig.serverNameToVerify` when the route sets it, else the URI host.
    fn host(&self) -> &'s str {
        self.route
            .server_name_to_verify()
            .unwrap_or(self.route.uri().host())
    }

    fn flow(&self, front: Front<'s>) -> Flow {
        let mut flow = match front {
            Front::Direct { target, listener } => self.direct(target, listener),
            Front::Terminated {
                nlb,
                port,
                tls,
                group,
                target,
            } => self.terminated(nlb, port, tls, group, target),
        };
        flow.conclude();
        flow
    }

    /// The gateway's connection reaches the target itself.
    fn direct(&self, target: &Target, listener: Option<(&str, u16)>) -> Flow {
        let target_hop = format!("target:{}", target.name());
        let nlb_hop = listener.map(|(nlb, port)| format!("nlb:{nlb}:{port}"));
        let mut hops = vec!["gateway".to_owned()];
        hops.extend(nlb_hop.clone());
        hops.push(target_hop.clone());
        let mut flow = Flow::new(target.name(), hops);
        if faults::dropped(&mut flow, target, true) {
            return flow;
        }
        let host = self.host();
        let end_to_end = self.route.uri().scheme() == Scheme::Https
            && matches!(target.protocol(), TargetProtocol::Https { .. });
        flow.say(match (listener, end_to_end) {
            (None, false) => format!(
                "API Gateway connects over the internet to target {:?}, which the URI host \
                 `{host}` resolves to.",
                target.name()
            ),
            (None, true) => format!(
                "API Gateway connects over the internet to target {:?} (the URI host `{host}` \
                 resolves to it) and runs TLS with it directly, so it checks the target's own \
                 certificate against `{host}`.",
                target.name()
            ),
            (Some((nlb, port)), false) => format!(
                "The NLB {nlb:?} listener on :{port} is TCP, so it passes API Gateway's \
                 connection through to target {:?} untouched.",
                target.name()
            ),
            (Some((nlb, port)), true) => format!(
                "The NLB {nlb:?} listener on :{port} is TCP, so it passes the TLS session \
                 through: API Gateway checks target {:?}'s own certificate against `{host}`.",
                target.name()
            ),
        });
        match (self.route.uri().scheme(), target.protocol()) {
            (Scheme::Http, TargetProtocol::Http) => {
                flow.say("The URI is http: no TLS, so no certificate is validated.");
                faults::answer(&mut flow, target, self.route.timeout_ms());
            }
            (Scheme::Http, TargetProtocol::Https { .. }) => {
                flow.say(format!(
                    "The URI is http, so API Gateway sends plain HTTP, but target {:?} speaks \
                     HTTPS and expects a TLS ClientHello; it drops the connection, so no \
                     certificate is validated and API Gateway reports an internal error.",
                    target.name()
                ));
                flow.fail(INTERNAL_ERROR);
            }
            (Scheme::Https, TargetProtocol::Http) => {
                flow.sessions.push(PredictedSession {
                    client: "gateway".to_owned(),
                    server: target_hop,
                    through: nlb_hop.into_iter().collect(),
                    sni: names::sni_for(host),
                    outcome: format!("fails: target {:?} speaks plain HTTP", target.name()),
                });
                flow.say(format!(
                    "The URI is https, so API Gateway starts TLS, but target {:?} speaks plain \
                     HTTP and cannot answer the ClientHello; the handshake fails before any \
                     certificate is sent, so nothing is validated and the JDK reports its \
                     generic `{SSL_ENGINE_PROBLEM}`.",
                    target.name()
                ));
                flow.fail(SSL_ENGINE_PROBLEM);
            }
            (Scheme::Https, TargetProtocol::Https { certificate }) => {
                let tls = self.gateway_tls(
                    &mut flow,
                    &format!("Target {:?}", target.name()),
                    certificate,
                    &target_hop,
                    nlb_hop.into_iter().collect(),
                );
                if tls.passed {
                    faults::answer(&mut flow, target, self.route.timeout_ms());
                }
            }
        }
        flow
    }

    /// The gateway's TLS ends at an NLB listener, which opens its own connection to the target.
    fn terminated(
        &self,
        nlb: &str,
        port: u16,
        tls: &TlsListener,
        group: &TargetGroup,
        target: &Target,
    ) -> Flow {
        let nlb_hop = format!("nlb:{nlb}:{port}");
        let target_hop = format!("target:{}", target.name());
        let mut flow = Flow::new(target.name(), vec!["gateway".to_owned(), nlb_hop.clone()]);
        let host = self.host();
        if self.route.uri().scheme() == Scheme::Http {
            flow.say(format!(
                "The URI is http, so API Gateway sends plain HTTP to the NLB {nlb:?} listener on \
                 :{port}, which is TLS and expects a ClientHello; it drops the connection, so no \
                 certificate is validated and API Gateway reports an internal error."
            ));
            flow.fail(INTERNAL_ERROR);
            return flow;
        }

        let sni = names::sni_for(host);
        let listed = sni.as_deref().and_then(|sni| {
            tls.certificates().iter().copied().find(|id| {
                self.catalog
                    .leaf(*id)
                    .dns_names
                    .iter()
                    .any(|p| names::sni_matches(p, sni))
            })
        });
        let served = listed.unwrap_or(tls.default_certificate());
        let served_name = self.catalog.leaf(served).name;
        flow.say(format!(
            "TLS from API Gateway ends at the NLB {nlb:?} listener on :{port}, so API Gateway \
             checks the NLB's certificate {served_name:?} against `{host}`."
        ));
        match (&sni, listed) {
            (Some(sni), Some(_)) => flow.say(format!(
                "API Gateway sends SNI `{sni}`; the listener serves {served_name:?}, the first \
                 certificate in its list with a DNS name that matches it."
            )),
            (Some(sni), None) if !tls.certificates().is_empty() => flow.say(format!(
                "API Gateway sends SNI `{sni}`, which no certificate in the listener's list \
                 matches, so the listener serves its default certificate {served_name:?}."
            )),
            (None, _) => flow.say(format!(
                "The URI host `{host}` cannot be sent as SNI (it is an IP address or not a valid \
                 DNS name), so the listener serves its default certificate {served_name:?}."
            )),
            _ => {}
        }
        let gateway = self.gateway_tls(&mut flow, "The listener", served, &nlb_hop, Vec::new());
        if !gateway.completed {
            return flow;
        }
        // The listener forwards as soon as its handshake completes, even if the gateway then
        // closes because of the host name.
        flow.hops.push(target_hop.clone());
        if gateway.passed && faults::dropped(&mut flow, target, false) {
            return flow;
        }

        // Behind a TLS listener the group is TCP or TLS (validation refuses the others).
        match (group.protocol().encrypted(), target.protocol()) {
            (false, TargetProtocol::Http) => {
                if gateway.passed {
                    flow.say(format!(
                        "The NLB decrypts and forwards plaintext to target {:?} (target group \
                         {:?} is TCP).",
                        target.name(),
                        group.name()
                    ));
                    faults::answer(&mut flow, target, self.route.timeout_ms());
                }
            }
            (false, TargetProtocol::Https { .. }) => {
                if gateway.passed {
                    flow.say(format!(
                        "Target group {:?} is TCP, so the NLB forwards the decrypted bytes as \
                         plaintext; target {:?} speaks HTTPS and expects a TLS ClientHello, so \
                         it drops the connection and API Gateway reports an internal error even \
                         though the listener's certificate passed.",
                        group.name(),
                        target.name()
                    ));
                    flow.fail(INTERNAL_ERROR);
                }
            }
            (true, TargetProtocol::Https { certificate: id }) => {
                let certificate = self.catalog.leaf(id).name;
                let sent = self.catalog.chain_sent(id);
                let key_matches = sent.first().is_some_and(|c| c.id == CertRef::Leaf(id));
                flow.sessions.push(PredictedSession {
                    client: nlb_hop.clone(),
                    server: target_hop.clone(),
                    through: Vec::new(),
                    sni: None,
                    outcome: if key_matches {
                        "established".to_owned()
                    } else {
                        "fails: the handshake signature does not verify".to_owned()
                    },
                });
                flow.not_validated.push(NotValidated {
                    hop: target_hop,
                    certificate: certificate.to_owned(),
                    why: NLB_DOES_NOT_VALIDATE.to_owned(),
                });
                let judged = verdict::judge(
                    self.catalog,
                    sent,
                    host,
                    self.route.insecure_skip_verification(),
                    self.now,
                );
                let consequence = match narrative::flaw(&judged, host, self.now) {
                    Some(flaw) => format!(
                        "so it does not matter that {flaw} (API Gateway would refuse that \
                         certificate if it were the one it checked)"
                    ),
                    None => "so its certificate is never checked".to_owned(),
                };
                flow.say(format!(
                    "The NLB re-encrypts to target {:?} (target group {:?} is TLS), sending no \
                     SNI, and does not check the certificate {certificate:?} it presents, \
                     {consequence}.",
                    target.name(),
                    group.name()
                ));
                if gateway.passed {
                    if !key_matches {
                        flow.say(format!(
                            "But target {:?} sends a chain that does not start with \
                             {certificate:?}, whose key it holds, so the NLB's handshake with it \
                             fails and API Gateway reports an internal error.",
                            target.name()
                        ));
                        flow.fail(INTERNAL_ERROR);
                    } else if !faults::backend_versions_refused(
                        &mut flow,
                        target,
                        tls.security_policy(),
                    ) {
                        faults::answer(&mut flow, target, self.route.timeout_ms());
                    }
                }
            }
            (true, TargetProtocol::Http) => {
                flow.sessions.push(PredictedSession {
                    client: nlb_hop.clone(),
                    server: target_hop,
                    through: Vec::new(),
                    sni: None,
                    outcome: format!("fails: target {:?} speaks plain HTTP", target.name()),
                });
                if gateway.passed {
                    flow.say(format!(
                        "Target group {:?} is TLS but target {:?} speaks plain HTTP: it reads \
                         the NLB's ClientHello as a malformed request and answers 400 in plain \
                         HTTP, so the NLB's handshake with it fails, the NLB closes API \
                         Gateway's connection, and API Gateway reports an internal error even \
                         though the listener's certificate passed.",
                        group.name(),
                        target.name()
                    ));
                    flow.fail(INTERNAL_ERROR);
                }
            }
        }
        flow
    }

    /// API Gateway's handshake with the hop serving the leaf `served`.
    fn gateway_tls(
        &self,
        flow: &mut Flow,
        sender: &str,
        served: CertId,
        server: &str,
        through: Vec<String>,
    ) -> GatewayTls {
        let host = self.host();
        let served_facts = self.catalog.leaf(served);
        let served_name = served_facts.name;
        flow.validated = Some(server.to_owned());
        flow.host_checked = Some(host.to_owned());
        flow.certificate = Some(served_name.to_owned());
        if served_facts.imported {
            flow.unpredictable = Some(format!(
                "certificate {served_name:?} is imported from PEM files, whose contents this \
                 model does not read"
            ));
        }
        let sent = self.catalog.chain_sent(served);
        let key_matches = sent.first().is_some_and(|c| c.id == CertRef::Leaf(served));
        let leaf = sent.first().copied();
        let judged = verdict::judge(
            self.catalog,
            sent,
            host,
            self.route.insecure_skip_verification(),
            self.now,
        );
        flow.narrative.extend(narrative::verdict(
            self.catalog,
            &judged,
            sender,
            host,
            self.route.insecure_skip_verification(),
            self.now,
        ));
        let mut session = PredictedSession {
            client: "gateway".to_owned(),
            server: server.to_owned(),
            through,
            sni: names::sni_for(host),
            outcome: "established".to_owned(),
        };
        let result = match (&judged.outcome, leaf) {
            (Ok(()), _) if key_matches => GatewayTls {
                completed: true,
                passed: true,
            },
            (Ok(()), _) => {
                session.outcome = "fails: the handshake signature does not verify".to_owned();
                flow.say(format!(
                    "But the chain does not start with {served:?}, whose key the server holds, \
                     so the handshake signature does not verify and the JDK reports its generic \
                     `{SSL_ENGINE_PROBLEM}`."
                ));
                flow.fail(SSL_ENGINE_PROBLEM);
                GatewayTls {
                    completed: false,
                    passed: false,
                }
            }
            (Err(refusal @ Refusal::Hostname(_)), Some(leaf)) => {
                session.outcome = if key_matches {
                    "established, then closed by the gateway: the host name check failed"
                } else {
                    "fails: the handshake signature does not verify"
                }
                .to_owned();
                flow.fail(&refusal.message(host, leaf));
                GatewayTls {
                    completed: key_matches,
                    passed: false,
                }
            }
            (Err(refusal), leaf) => {
                session.outcome = "aborted by the gateway: certificate rejected".to_owned();
                let message = match leaf {
                    Some(leaf) => refusal.message(host, leaf),
                    None => verdict::PATH_BUILDING_FAILED.to_owned(),
                };
                flow.fail(&message);
                GatewayTls {
                    completed: false,
                    passed: false,
                }
            }
        };
        flow.sessions.insert(0, session);
        result
    }
}
