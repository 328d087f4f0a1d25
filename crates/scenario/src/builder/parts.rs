//! One builder per table of a scenario file. Each writes the keys of its table, spelt as a
//! file spells them; a value it replaces keeps its place in the file, so an error about it
//! is located where the old value was written.

use std::net::IpAddr;
use std::ops::Range;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use toml::Spanned;

use crate::behaviour::{AlpnPolicy, HealthCheckProtocol, TargetBehaviour, TlsVersions};
use crate::matrix::{LISTENER_KINDS, LoadBalancerKind};
use hoplab_alb_rules::LoadBalancingAlgorithm;

use crate::model::{
    ChainPreset, ConnectionType, IntegrationType, KeyType, SecurityPolicy, SignatureHash,
    TargetGroupProtocol, TimeSpec, VpcLinkVersion, target_protocol_spelling,
};
use crate::raw::{
    Named, RawAuthority, RawCertificate, RawChain, RawExpect, RawHealthCheck, RawListener,
    RawMatrix, RawNlb, RawRequest, RawRoute, RawSwitch, RawTarget, RawTargetGroup, RawTime,
};

/// `value` placed where `existing` is written, or at `anchor` (the table) when it is new.
pub(super) fn at<T, U>(
    anchor: &Range<usize>,
    existing: Option<&Spanned<U>>,
    value: T,
) -> Spanned<T> {
    let span = existing.map_or_else(|| anchor.clone(), Spanned::span);
    Spanned::new(span, value)
}

/// An absolute time as a file writes it (RFC 3339). A time RFC 3339 cannot write is passed
/// on as Rust prints it, for validation to refuse.
pub(super) fn absolute_time(t: OffsetDateTime) -> RawTime {
    RawTime::Text(t.format(&Rfc3339).unwrap_or_else(|_| t.to_string()))
}

/// A time as a file writes it: RFC 3339, or an offset in seconds from the clock.
fn time(t: TimeSpec) -> RawTime {
    match t {
        TimeSpec::Absolute(t) => absolute_time(t),
        TimeSpec::Relative(d) => {
            let seconds = d.whole_seconds();
            let sign = if seconds < 0 { '-' } else { '+' };
            RawTime::Text(format!("{sign}{}s", seconds.unsigned_abs()))
        }
    }
}

pub(super) fn names<'a>(
    span: &Range<usize>,
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<Spanned<String>> {
    names
        .into_iter()
        .map(|n| Spanned::new(span.clone(), n.to_owned()))
        .collect()
}

/// A builder of one table: the table as written, and where it is written.
pub(crate) trait Part: Sized {
    /// The table's raw form.
    type Raw: Clone;

    /// A builder for a table as written at `span`.
    fn from_parts(raw: Self::Raw, span: Range<usize>) -> Self;

    /// The table and where it is written.
    fn into_parts(self) -> (Self::Raw, Range<usize>);
}

/// The common shape of every part builder.
macro_rules! part {
    ($(#[$doc:meta])* $name:ident($raw:ty)) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name {
            raw: $raw,
            span: Range<usize>,
        }

        impl Part for $name {
            type Raw = $raw;

            fn from_parts(raw: $raw, span: Range<usize>) -> Self {
                Self { raw, span }
            }

            fn into_parts(self) -> ($raw, Range<usize>) {
                (self.raw, self.span)
            }
        }
    };
}

pub(super) use part;

/// The settings authorities and leaves share: key, validity window and the CA flags.
macro_rules! certificate_settings {
    ($name:ident, after: $after:literal, ca: $ca:literal, sign: $sign:literal) => {
        impl $name {
            /// Key algorithm and size (default `ecdsa-p256`).
            pub fn key(mut self, key: KeyType) -> Self {
                let value = key.as_str().to_owned();
                self.raw.key = Some(at(&self.span, self.raw.key.as_ref(), value));
                self
            }

            /// notBefore (default one day before the clock).
            pub fn not_before(mut self, t: TimeSpec) -> Self {
                self.raw.not_before = Some(at(&self.span, self.raw.not_before.as_ref(), time(t)));
                self
            }

            #[doc = concat!("notAfter (default ", $after, " after the clock).")]
            pub fn not_after(mut self, t: TimeSpec) -> Self {
                self.raw.not_after = Some(at(&self.span, self.raw.not_after.as_ref(), time(t)));
                self
            }

            #[doc = concat!("basicConstraints CA:TRUE (default ", $ca, ").")]
            pub fn basic_constraints_ca(mut self, on: bool) -> Self {
                self.raw.basic_constraints_ca = on;
                self
            }

            #[doc = concat!("keyUsage keyCertSign (default ", $sign, ").")]
            pub fn key_cert_sign(mut self, on: bool) -> Self {
                self.raw.key_cert_sign = on;
                self
            }

            /// The hash its issuer signs it with (default: the issuer key's usual hash).
            pub fn signature_hash(mut self, hash: SignatureHash) -> Self {
                let value = hash.as_str().to_owned();
                self.raw.signature_hash =
                    Some(at(&self.span, self.raw.signature_hash.as_ref(), value));
                self
            }
        }
    };
}

part!(
    /// `[authorities.<name>]`: a certificate authority.
    AuthorityBuilder(RawAuthority)
);

impl AuthorityBuilder {
    fn with_issuer(issuer: Option<&str>) -> Self {
        Self::from_parts(
            RawAuthority {
                issuer: issuer.map(|i| Spanned::new(0..0, i.to_owned())),
                common_name: None,
                key: None,
                not_before: None,
                not_after: None,
                basic_constraints_ca: true,
                key_cert_sign: true,
                trusted: false,
                signature_hash: None,
                permitted_dns_names: Vec::new(),
                excluded_dns_names: Vec::new(),
            },
            0..0,
        )
    }

    /// A self-signed root.
    pub fn root() -> Self {
        Self::with_issuer(None)
    }

    /// An intermediate signed by the authority `issuer`.
    pub fn issued_by(issuer: &str) -> Self {
        Self::with_issuer(Some(issuer))
    }

    /// Subject common name (default: the authority's name).
    pub fn common_name(mut self, common_name: &str) -> Self {
        self.raw.common_name = Some(common_name.to_owned());
        self
    }

    /// In API Gateway's trust store (default false).
    pub fn trusted(mut self, on: bool) -> Self {
        self.raw.trusted = on;
        self
    }

    /// Adds a permitted DNS subtree to its name constraints.
    pub fn permitted_dns_name(mut self, name: &str) -> Self {
        self.raw
            .permitted_dns_names
            .push(Spanned::new(self.span.clone(), name.to_owned()));
        self
    }

    /// Adds an excluded DNS subtree to its name constraints.
    pub fn excluded_dns_name(mut self, name: &str) -> Self {
        self.raw
            .excluded_dns_names
            .push(Spanned::new(self.span.clone(), name.to_owned()));
        self
    }
}

certificate_settings!(AuthorityBuilder, after: "3650 days", ca: "true", sign: "true");

part!(
    /// `[certificates.<name>]`: a leaf certificate.
    CertificateBuilder(RawCertificate)
);

certificate_settings!(CertificateBuilder, after: "90 days", ca: "false", sign: "false");

impl CertificateBuilder {
    fn empty() -> Self {
        Self::from_parts(
            RawCertificate {
                issuer: None,
                self_signed: None,
                common_name: None,
                dns_names: Vec::new(),
                ip_addresses: Vec::new(),
                key: None,
                not_before: None,
                not_after: None,
                basic_constraints_ca: false,
                key_cert_sign: false,
                chain: None,
                pem_chain: None,
                pem_key: None,
                signature_hash: None,
            },
            0..0,
        )
    }

    /// A certificate signed by the authority `issuer`.
    pub fn issued_by(issuer: &str) -> Self {
        let mut b = Self::empty();
        b.raw.issuer = Some(Spanned::new(0..0, issuer.to_owned()));
        b
    }

    /// A certificate signed with its own key.
    pub fn self_signed() -> Self {
        let mut b = Self::empty();
        b.raw.self_signed = Some(Spanned::new(0..0, true));
        b
    }

    /// The user's own certificate: the chain a server sends (leaf first) and the leaf's
    /// unencrypted PKCS#8 key, both PEM files.
    pub fn from_pem(chain_file: &str, key_file: &str) -> Self {
        let mut b = Self::empty();
        b.raw.pem_chain = Some(Spanned::new(0..0, chain_file.to_owned()));
        b.raw.pem_key = Some(Spanned::new(0..0, key_file.to_owned()));
        b
    }

    /// Subject common name (default: none).
    pub fn common_name(mut self, common_name: &str) -> Self {
        self.raw.common_name = Some(common_name.to_owned());
        self
    }

    /// Adds a DNS subjectAltName.
    pub fn dns_name(mut self, name: &str) -> Self {
        self.raw
            .dns_names
            .push(Spanned::new(self.span.clone(), name.to_owned()));
        self
    }

    /// Adds an IP subjectAltName.
    pub fn ip_address(mut self, ip: IpAddr) -> Self {
        self.raw
            .ip_addresses
            .push(Spanned::new(self.span.clone(), ip.to_string()));
        self
    }

    /// What a server serving it sends: a preset.
    pub fn chain(mut self, preset: ChainPreset) -> Self {
        let value = RawChain::Preset(preset.as_str().to_owned());
        self.raw.chain = Some(at(&self.span, self.raw.chain.as_ref(), value));
        self
    }

    /// What a server serving it sends: exactly these certificates and authorities, in order.
    pub fn chain_of<'a>(mut self, entries: impl IntoIterator<Item = &'a str>) -> Self {
        let value = RawChain::Explicit(names(&self.span, entries));
        self.raw.chain = Some(at(&self.span, self.raw.chain.as_ref(), value));
        self
    }
}

part!(
    /// `[nlbs.<name>]`: a Network Load Balancer.
    NlbBuilder(RawNlb)
);

impl Default for NlbBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl NlbBuilder {
    /// An NLB without listeners (it needs at least one).
    pub fn new() -> Self {
        Self::from_parts(
            RawNlb {
                listeners: Vec::new(),
            },
            0..0,
        )
    }

    /// Adds a listener.
    pub fn listener(mut self, listener: ListenerBuilder) -> Self {
        let (raw, span) = listener.into_parts();
        self.raw.listeners.push(Spanned::new(span, raw));
        self
    }
}

part!(
    /// `[[nlbs.<name>.listeners]]`: one NLB listener.
    ListenerBuilder(RawListener)
);

impl ListenerBuilder {
    fn new(port: u16, protocol: TargetGroupProtocol, target_group: &str) -> Self {
        Self::from_parts(
            RawListener {
                port: Spanned::new(0..0, i64::from(port)),
                protocol: Spanned::new(0..0, protocol.as_str().to_owned()),
                certificate: None,
                certificates: None,
                security_policy: None,
                alpn_policy: None,
                target_group: Spanned::new(0..0, target_group.to_owned()),
            },
            0..0,
        )
    }

    /// A TCP listener: bytes pass through to `target_group`.
    pub fn tcp(port: u16, target_group: &str) -> Self {
        Self::new(port, TargetGroupProtocol::Tcp, target_group)
    }

    /// A TLS listener serving `certificate` by default, forwarding to `target_group`.
    pub fn tls(port: u16, certificate: &str, target_group: &str) -> Self {
        Self::new(port, TargetGroupProtocol::Tls, target_group).certificate(certificate)
    }

    /// `protocol` alone; [`ListenerBuilder::without_tls_settings`] drops what only TLS takes.
    pub fn protocol(mut self, protocol: TargetGroupProtocol) -> Self {
        self.raw.protocol = Spanned::new(self.raw.protocol.span(), protocol.as_str().to_owned());
        self
    }

    /// The default certificate (TLS).
    pub fn certificate(mut self, certificate: &str) -> Self {
        let value = certificate.to_owned();
        self.raw.certificate = Some(at(&self.span, self.raw.certificate.as_ref(), value));
        self
    }

    /// The certificate list chosen among by SNI (TLS).
    pub fn certificates<'a>(mut self, certificates: impl IntoIterator<Item = &'a str>) -> Self {
        let value = names(&self.span, certificates);
        self.raw.certificates = Some(at(&self.span, self.raw.certificates.as_ref(), value));
        self
    }

    /// The security policy (TLS).
    pub fn security_policy(mut self, policy: SecurityPolicy) -> Self {
        let value = policy.as_str().to_owned();
        self.raw.security_policy = Some(at(&self.span, self.raw.security_policy.as_ref(), value));
        self
    }

    /// The ALPN policy (TLS).
    pub fn alpn_policy(mut self, policy: AlpnPolicy) -> Self {
        let value = policy.as_str().to_owned();
        self.raw.alpn_policy = Some(at(&self.span, self.raw.alpn_policy.as_ref(), value));
        self
    }

    /// Drops the certificates and policies, which a TCP listener does not take.
    pub fn without_tls_settings(mut self) -> Self {
        self.raw.certificate = None;
        self.raw.certificates = None;
        self.raw.security_policy = None;
        self.raw.alpn_policy = None;
        self
    }

    /// The target group it forwards to.
    pub fn target_group(mut self, target_group: &str) -> Self {
        self.raw.target_group = Spanned::new(self.raw.target_group.span(), target_group.to_owned());
        self
    }
}

part!(
    /// `[target_groups.<name>]`.
    TargetGroupBuilder(RawTargetGroup)
);

impl TargetGroupBuilder {
    /// A target group of these targets (at least one), spoken to with `protocol`.
    pub fn new<'a>(
        protocol: TargetGroupProtocol,
        targets: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        Self::from_parts(
            RawTargetGroup {
                protocol: Spanned::new(0..0, protocol.as_str().to_owned()),
                target_type: None,
                port: None,
                algorithm: None,
                targets: Spanned::new(0..0, names(&(0..0), targets)),
                health_check: None,
            },
            0..0,
        )
    }

    /// An NLB target group of target type `alb`: TCP to the listener on `port` of the ALB
    /// `alb`.
    pub fn alb_target(alb: &str, port: u16) -> Self {
        let mut b = Self::new(TargetGroupProtocol::Tcp, [alb]);
        b.raw.target_type = Some(Spanned::new(0..0, "alb".to_owned()));
        b.raw.port = Some(Spanned::new(0..0, i64::from(port)));
        b
    }

    /// How an ALB picks a target for each request (ALB target groups).
    pub fn algorithm(mut self, algorithm: LoadBalancingAlgorithm) -> Self {
        let value = algorithm.aws_name().to_owned();
        self.raw.algorithm = Some(at(&self.span, self.raw.algorithm.as_ref(), value));
        self
    }

    /// The protocol the NLB speaks to the targets.
    pub fn protocol(mut self, protocol: TargetGroupProtocol) -> Self {
        self.raw.protocol = Spanned::new(self.raw.protocol.span(), protocol.as_str().to_owned());
        self
    }

    /// Registers another target.
    pub fn target(mut self, target: &str) -> Self {
        let span = self.raw.targets.span();
        self.raw
            .targets
            .get_mut()
            .push(Spanned::new(span, target.to_owned()));
        self
    }

    /// How the NLB checks the targets' health.
    pub fn health_check(mut self, check: HealthCheckBuilder) -> Self {
        let (raw, span) = check.into_parts();
        self.raw.health_check = Some(Spanned::new(span, raw));
        self
    }
}

part!(
    /// `[target_groups.<name>.health_check]`.
    HealthCheckBuilder(RawHealthCheck)
);

impl HealthCheckBuilder {
    /// A health check of `protocol`, every other setting AWS's default.
    pub fn new(protocol: HealthCheckProtocol) -> Self {
        Self::from_parts(
            RawHealthCheck {
                protocol: Some(Spanned::new(0..0, protocol.as_str().to_owned())),
                path: None,
                interval_seconds: None,
                timeout_seconds: None,
                healthy_threshold: None,
                unhealthy_threshold: None,
                matcher: None,
            },
            0..0,
        )
    }

    /// The request path (HTTP, HTTPS).
    pub fn path(mut self, path: &str) -> Self {
        self.raw.path = Some(at(&self.span, self.raw.path.as_ref(), path.to_owned()));
        self
    }

    /// Seconds between checks.
    pub fn interval_seconds(mut self, seconds: u32) -> Self {
        let value = i64::from(seconds);
        self.raw.interval_seconds = Some(at(&self.span, self.raw.interval_seconds.as_ref(), value));
        self
    }

    /// Seconds one check may take.
    pub fn timeout_seconds(mut self, seconds: u32) -> Self {
        let value = i64::from(seconds);
        self.raw.timeout_seconds = Some(at(&self.span, self.raw.timeout_seconds.as_ref(), value));
        self
    }

    /// Passes in a row that make a target healthy.
    pub fn healthy_threshold(mut self, count: u32) -> Self {
        let value = i64::from(count);
        self.raw.healthy_threshold =
            Some(at(&self.span, self.raw.healthy_threshold.as_ref(), value));
        self
    }

    /// Failures in a row that make a target unhealthy.
    pub fn unhealthy_threshold(mut self, count: u32) -> Self {
        let value = i64::from(count);
        self.raw.unhealthy_threshold =
            Some(at(&self.span, self.raw.unhealthy_threshold.as_ref(), value));
        self
    }

    /// Accepted statuses as AWS writes them: `200`, `200,202` or `200-299` (HTTP, HTTPS).
    pub fn matcher(mut self, matcher: &str) -> Self {
        self.raw.matcher = Some(at(
            &self.span,
            self.raw.matcher.as_ref(),
            matcher.to_owned(),
        ));
        self
    }
}

part!(
    /// `[targets.<name>]`: a backend server.
    TargetBuilder(RawTarget)
);

impl TargetBuilder {
    /// A plain HTTP target.
    pub fn http() -> Self {
        Self::from_parts(
            RawTarget {
                protocol: Spanned::new(0..0, target_protocol_spelling(false).to_owned()),
                certificate: None,
                body: None,
                dns_names: Vec::new(),
                behaviour: None,
                delay_ms: None,
                status: None,
                tls_versions: None,
            },
            0..0,
        )
    }

    /// An HTTPS target serving `certificate`.
    pub fn https(certificate: &str) -> Self {
        Self::http().serving(certificate)
    }

    /// Makes it an HTTPS target serving `certificate`.
    pub fn serving(mut self, certificate: &str) -> Self {
        let https = target_protocol_spelling(true).to_owned();
        self.raw.protocol = Spanned::new(self.raw.protocol.span(), https);
        let value = certificate.to_owned();
        self.raw.certificate = Some(at(&self.span, self.raw.certificate.as_ref(), value));
        self
    }

    /// The response body (default `hello from target <name>`).
    pub fn body(mut self, body: &str) -> Self {
        self.raw.body = Some(body.to_owned());
        self
    }

    /// Adds a public DNS name that resolves to it (for `INTERNET` routes).
    pub fn dns_name(mut self, name: &str) -> Self {
        self.raw
            .dns_names
            .push(Spanned::new(self.span.clone(), name.to_owned()));
        self
    }

    /// How it treats connections and requests.
    pub fn behaviour(mut self, behaviour: TargetBehaviour) -> Self {
        let spelling = behaviour.as_str().to_owned();
        self.raw.behaviour = Some(at(&self.span, self.raw.behaviour.as_ref(), spelling));
        let (delay_ms, status) = match behaviour {
            TargetBehaviour::Slow { delay_ms } => (Some(i64::from(delay_ms)), None),
            TargetBehaviour::Status(code) => (None, Some(i64::from(code))),
            _ => (None, None),
        };
        self.raw.delay_ms = delay_ms.map(|v| at(&self.span, self.raw.delay_ms.as_ref(), v));
        self.raw.status = status.map(|v| at(&self.span, self.raw.status.as_ref(), v));
        self
    }

    /// The TLS versions it accepts (HTTPS).
    pub fn tls_versions(mut self, versions: TlsVersions) -> Self {
        let value = versions.as_str().to_owned();
        self.raw.tls_versions = Some(at(&self.span, self.raw.tls_versions.as_ref(), value));
        self
    }
}

part!(
    /// `[[gateway.routes]]`: one method on one resource, with its integration.
    RouteBuilder(RawRoute)
);

impl RouteBuilder {
    /// A `GET` route on `path` with an `HTTP_PROXY` integration to `uri` over the internet.
    pub fn new(path: &str, uri: &str) -> Self {
        Self::from_parts(
            RawRoute {
                method: None,
                path: Spanned::new(0..0, path.to_owned()),
                integration: None,
                uri: Spanned::new(0..0, uri.to_owned()),
                connection_type: None,
                vpc_link_version: None,
                vpc_link: None,
                integration_target: None,
                stage_prefix: None,
                insecure_skip_verification: None,
                server_name_to_verify: None,
                timeout_ms: None,
            },
            0..0,
        )
    }

    /// The HTTP method or `ANY`.
    pub fn method(mut self, method: &str) -> Self {
        self.raw.method = Some(at(&self.span, self.raw.method.as_ref(), method.to_owned()));
        self
    }

    /// `HTTP` or `HTTP_PROXY`.
    pub fn integration(mut self, integration: IntegrationType) -> Self {
        let value = integration.as_str().to_owned();
        self.raw.integration = Some(at(&self.span, self.raw.integration.as_ref(), value));
        self
    }

    /// The integration URI.
    pub fn uri(mut self, uri: &str) -> Self {
        self.raw.uri = Spanned::new(self.raw.uri.span(), uri.to_owned());
        self
    }

    /// `connection_type` (AWS's `connectionType`). `INTERNET` also drops `vpc_link`,
    /// `vpc_link_version`, `integration_target` and `stage_prefix`, which only a VPC link
    /// takes.
    pub fn connection_type(mut self, connection: ConnectionType) -> Self {
        let value = connection.as_str().to_owned();
        self.raw.connection_type = Some(at(&self.span, self.raw.connection_type.as_ref(), value));
        if connection == ConnectionType::Internet {
            self.raw.vpc_link = None;
            self.raw.vpc_link_version = None;
            self.raw.integration_target = None;
            self.raw.stage_prefix = None;
        }
        self
    }

    /// `vpc_link_version` alone.
    pub fn vpc_link_version(mut self, version: VpcLinkVersion) -> Self {
        let value = version.as_str().to_owned();
        let existing = self.raw.vpc_link_version.as_ref();
        self.raw.vpc_link_version = Some(at(&self.span, existing, value));
        self
    }

    /// `integration_target` alone (AWS's `integrationTarget`: the ALB or NLB of a VPC link
    /// V2 integration).
    pub fn integration_target(mut self, balancer: &str) -> Self {
        let existing = self.raw.integration_target.as_ref();
        self.raw.integration_target = Some(at(&self.span, existing, balancer.to_owned()));
        self
    }

    /// Through a VPC link V2 to the ALB or NLB `balancer` (the URI port picks the listener).
    pub fn vpc_link_v2(mut self, balancer: &str) -> Self {
        self.raw.vpc_link = None;
        self.connection_type(ConnectionType::VpcLink)
            .vpc_link_version(VpcLinkVersion::V2)
            .integration_target(balancer)
    }

    /// `stage_prefix` (VPC link V2): whether the stage name goes in front of the backend path.
    pub fn stage_prefix(mut self, on: bool) -> Self {
        self.raw.stage_prefix = Some(at(&self.span, self.raw.stage_prefix.as_ref(), on));
        self
    }

    /// `vpc_link` alone (AWS's `connectionId`; in hoplab the NLB behind the link).
    pub fn connection_id(mut self, nlb: &str) -> Self {
        self.raw.vpc_link = Some(at(&self.span, self.raw.vpc_link.as_ref(), nlb.to_owned()));
        self
    }

    /// Through a VPC link to the NLB `nlb` (the URI port picks the listener); on an HTTP
    /// API, `nlb` may name an ALB too.
    pub fn vpc_link(self, nlb: &str) -> Self {
        self.connection_type(ConnectionType::VpcLink)
            .connection_id(nlb)
    }

    /// `tlsConfig.insecureSkipVerification` (REST APIs).
    pub fn insecure_skip_verification(mut self, skip: bool) -> Self {
        let existing = self.raw.insecure_skip_verification.as_ref();
        self.raw.insecure_skip_verification = Some(at(&self.span, existing, skip));
        self
    }

    /// `tlsConfig.serverNameToVerify` (HTTP API VPC link routes).
    pub fn server_name_to_verify(mut self, name: &str) -> Self {
        let existing = self.raw.server_name_to_verify.as_ref();
        self.raw.server_name_to_verify = Some(at(&self.span, existing, name.to_owned()));
        self
    }

    /// `timeoutInMillis`.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        let value = i64::from(ms);
        self.raw.timeout_ms = Some(at(&self.span, self.raw.timeout_ms.as_ref(), value));
        self
    }
}

part!(
    /// `[[requests]]`: a request and what it must produce.
    RequestBuilder(RawRequest)
);

impl RequestBuilder {
    /// A `GET` of `path`, named `GET <path>`, without expectations.
    pub fn new(path: &str) -> Self {
        Self::from_parts(
            RawRequest {
                name: None,
                method: None,
                path: Spanned::new(0..0, path.to_owned()),
                expect: None,
                repeat: None,
                expect_repeats: None,
            },
            0..0,
        )
    }

    /// The name shown in reports.
    pub fn name(mut self, name: &str) -> Self {
        self.raw.name = Some(name.to_owned());
        self
    }

    /// The HTTP method.
    pub fn method(mut self, method: &str) -> Self {
        self.raw.method = Some(at(&self.span, self.raw.method.as_ref(), method.to_owned()));
        self
    }

    /// What it must produce (replacing any expectation).
    pub fn expect(mut self, expect: ExpectBuilder) -> Self {
        let (raw, _) = expect.into_parts();
        self.raw.expect = Some(raw);
        self
    }

    /// Changes what it must produce.
    pub fn edit_expect(mut self, edit: impl FnOnce(ExpectBuilder) -> ExpectBuilder) -> Self {
        let current = self.raw.expect.take().unwrap_or_default();
        let (raw, _) = edit(ExpectBuilder::from_parts(current, self.span.clone())).into_parts();
        self.raw.expect = Some(raw);
        self
    }

    /// Sends it `times` times (`expect` applies to each send).
    pub fn repeat(mut self, times: u32) -> Self {
        let value = i64::from(times);
        self.raw.repeat = Some(at(&self.span, self.raw.repeat.as_ref(), value));
        self
    }
}

part!(
    /// `[requests.expect]` (or one `per_target` entry): what a request must produce.
    ExpectBuilder(RawExpect)
);

impl Default for ExpectBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ExpectBuilder {
    /// Nothing expected yet.
    pub fn new() -> Self {
        Self::from_parts(RawExpect::default(), 0..0)
    }

    fn validated(mut self, hop: String) -> Self {
        self.raw.validated = Some(at(&self.span, self.raw.validated.as_ref(), hop));
        self
    }

    /// The status the client receives.
    pub fn status(mut self, status: u16) -> Self {
        let value = i64::from(status);
        self.raw.status = Some(at(&self.span, self.raw.status.as_ref(), value));
        self
    }

    /// No certificate is validated (`validated = "none"`).
    pub fn validated_none(self) -> Self {
        self.validated("none".to_owned())
    }

    /// The listener on `port` of NLB `nlb` is the hop whose certificate is validated.
    pub fn validated_listener(self, nlb: &str, port: u16) -> Self {
        self.validated(format!("nlb:{nlb}:{port}"))
    }

    /// The listener on `port` of ALB `alb` is the hop whose certificate is validated.
    pub fn validated_alb_listener(self, alb: &str, port: u16) -> Self {
        self.validated(format!("alb:{alb}:{port}"))
    }

    /// The target `name` is the hop whose certificate is validated.
    pub fn validated_target(self, name: &str) -> Self {
        self.validated(format!("target:{name}"))
    }

    /// The exact execution-log failure line.
    pub fn error(mut self, line: &str) -> Self {
        self.raw.error = Some(at(&self.span, self.raw.error.as_ref(), line.to_owned()));
        self
    }

    /// A part of the execution-log failure line.
    pub fn error_contains(mut self, part: &str) -> Self {
        let value = part.to_owned();
        self.raw.error_contains = Some(at(&self.span, self.raw.error_contains.as_ref(), value));
        self
    }

    /// A part of the response body.
    pub fn body_contains(mut self, part: &str) -> Self {
        self.raw.body_contains = Some(part.to_owned());
        self
    }

    /// No failure line in the execution log.
    pub fn no_error(mut self) -> Self {
        self.raw.no_error = Some(at(&self.span, self.raw.no_error.as_ref(), true));
        self
    }

    /// A text the failure line must not contain.
    pub fn error_not_contains(mut self, part: &str) -> Self {
        let value = part.to_owned();
        let existing = self.raw.error_not_contains.as_ref();
        self.raw.error_not_contains = Some(at(&self.span, existing, value));
        self
    }

    /// A text the response body must not contain.
    pub fn body_not_contains(mut self, part: &str) -> Self {
        self.raw.body_not_contains = Some(part.to_owned());
        self
    }

    /// The `[certificates]` name of the leaf the gateway validates.
    pub fn validated_certificate(mut self, name: &str) -> Self {
        let existing = self.raw.validated_certificate.as_ref();
        self.raw.validated_certificate = Some(at(&self.span, existing, name.to_owned()));
        self
    }

    /// `[certificates]` names presented during the request and not validated.
    pub fn not_validated<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        let items = names
            .into_iter()
            .map(|name| Spanned::new(self.span.clone(), name.to_owned()))
            .collect();
        let existing = self.raw.not_validated.as_ref();
        self.raw.not_validated = Some(at(&self.span, existing, items));
        self
    }

    /// The target the request must reach.
    pub fn target(mut self, name: &str) -> Self {
        self.raw.target = Some(at(&self.span, self.raw.target.as_ref(), name.to_owned()));
        self
    }

    /// Expectations that apply only when the request reaches `target`.
    pub fn per_target(mut self, target: &str, expect: ExpectBuilder) -> Self {
        let (raw, span) = expect.into_parts();
        let Named(entries) = &mut self.raw.per_target;
        entries.push((
            Spanned::new(span.clone(), target.to_owned()),
            Spanned::new(span, raw),
        ));
        self
    }
}

part!(
    /// `[matrix]`: the setups `hoplab compare` runs.
    MatrixBuilder(RawMatrix)
);

impl Default for MatrixBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl MatrixBuilder {
    /// A matrix varying nothing yet (it must vary something).
    pub fn new() -> Self {
        Self::from_parts(
            RawMatrix {
                route: None,
                load_balancer: None,
                listener_protocol: None,
                target_group_protocol: None,
                insecure_skip_verification: None,
                listener_certificate: None,
                target_certificate: None,
            },
            0..0,
        )
    }

    fn list<T>(&self, values: impl IntoIterator<Item = T>) -> Spanned<Vec<Spanned<T>>> {
        let items = values
            .into_iter()
            .map(|v| Spanned::new(self.span.clone(), v))
            .collect();
        Spanned::new(self.span.clone(), items)
    }

    /// The varied route, `"METHOD /path"` or `"/path"` (default: the only route).
    pub fn route(mut self, route: &str) -> Self {
        self.raw.route = Some(at(&self.span, self.raw.route.as_ref(), route.to_owned()));
        self
    }

    /// The kinds of load balancer to put in front of the route's targets.
    pub fn load_balancer(mut self, kinds: impl IntoIterator<Item = LoadBalancerKind>) -> Self {
        let spelt = kinds.into_iter().map(|k| k.as_str().to_owned());
        self.raw.load_balancer = Some(self.list(spelt));
        self
    }

    /// The route's listener protocols to run.
    pub fn listener_protocol(
        mut self,
        values: impl IntoIterator<Item = TargetGroupProtocol>,
    ) -> Self {
        let tls = |p: TargetGroupProtocol| p == TargetGroupProtocol::Tls;
        let spelt = values.into_iter().map(|p| {
            LISTENER_KINDS
                .iter()
                .find(|(_, kind)| *kind == tls(p))
                .map_or_else(String::new, |(s, _)| (*s).to_owned())
        });
        self.raw.listener_protocol = Some(self.list(spelt));
        self
    }

    /// The listener's target group protocols to run.
    pub fn target_group_protocol(
        mut self,
        values: impl IntoIterator<Item = TargetGroupProtocol>,
    ) -> Self {
        let spelt = values.into_iter().map(|p| p.as_str().to_owned());
        self.raw.target_group_protocol = Some(self.list(spelt));
        self
    }

    /// The `insecureSkipVerification` values to run.
    pub fn insecure_skip_verification(mut self, values: impl IntoIterator<Item = bool>) -> Self {
        self.raw.insecure_skip_verification =
            Some(self.list(values.into_iter().map(RawSwitch::Bool)));
        self
    }

    /// The certificates the listener serves when it is TLS.
    pub fn listener_certificate<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.raw.listener_certificate = Some(self.list(names.into_iter().map(str::to_owned)));
        self
    }

    /// The certificates every target behind the route serves.
    pub fn target_certificate<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.raw.target_certificate = Some(self.list(names.into_iter().map(str::to_owned)));
        self
    }
}
