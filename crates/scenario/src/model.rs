//! The validated scenario: every name resolved to a typed id, every combination possible.
//!
//! Values of these types only come out of validation ([`crate::from_toml`], [`crate::load`],
//! [`ScenarioBuilder::build`](crate::ScenarioBuilder::build)), which checks every rule the
//! scenario reference (docs/scenario-reference.md) states. Their fields are private: code that consumes them
//! reads through accessors and follows references with the navigation methods of
//! [`Scenario`] (`scenario.listener(id)`, `scenario.target_group(id)`, …), so it neither
//! re-checks anything nor searches by name. Names stay available for display.
//!
//! To change a scenario, turn it back into the file's form with [`Scenario::to_builder`],
//! change that, and validate again: one set of rules, applied once.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use hoplab_alb_rules::LoadBalancingAlgorithm;

use crate::alb::{Alb, AlbListener, BalancerKind, TargetType};
use crate::behaviour::{AlpnPolicy, HealthCheck, TargetBehaviour, TlsVersions};
use crate::ids::{
    AlbId, AlbListenerId, AuthorityId, CertId, CertRef, ListenerId, NlbId, RequestId, RouteId,
    TargetGroupId, TargetId,
};
use crate::matrix::Matrix;
use crate::source::Source;
use crate::spelling::spelled;
use crate::warning::ScenarioWarning;

/// One scenario: a PKI, a gateway, zero or more NLBs and ALBs, the targets and the requests to
/// send.
///
/// Equality compares what the scenario says, not how it was written: a scenario built with
/// [`ScenarioBuilder`](crate::ScenarioBuilder) equals the one read from the same TOML (its
/// source, and its warnings, which are located in that source, are not compared).
#[derive(Debug, Clone)]
pub struct Scenario {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) now: Option<OffsetDateTime>,
    pub(crate) pki: Pki,
    pub(crate) gateway: Gateway,
    pub(crate) nlbs: Vec<Nlb>,
    pub(crate) listeners: Vec<Listener>,
    pub(crate) albs: Vec<Alb>,
    pub(crate) alb_listeners: Vec<AlbListener>,
    pub(crate) target_groups: Vec<TargetGroup>,
    pub(crate) targets: Vec<Target>,
    pub(crate) requests: Vec<Request>,
    pub(crate) matrix: Option<Matrix>,
    /// The file's form this was validated from, for [`Scenario::to_builder`].
    pub(crate) source: Arc<Source>,
    /// What validation accepted but will fail once traffic flows, located in `source`.
    pub(crate) warnings: Vec<ScenarioWarning>,
}

impl PartialEq for Scenario {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.description == other.description
            && self.now == other.now
            && self.pki == other.pki
            && self.gateway == other.gateway
            && self.nlbs == other.nlbs
            && self.listeners == other.listeners
            && self.albs == other.albs
            && self.alb_listeners == other.alb_listeners
            && self.target_groups == other.target_groups
            && self.targets == other.targets
            && self.requests == other.requests
            && self.matrix == other.matrix
    }
}

impl Scenario {
    /// Name shown in reports (`[scenario] name`, else the file stem).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Free text shown in reports.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The gateway's clock, if pinned; `None` means the wall clock at run time.
    pub fn now(&self) -> Option<OffsetDateTime> {
        self.now
    }

    /// Certificate authorities and leaf certificates.
    pub fn pki(&self) -> &Pki {
        &self.pki
    }

    /// The API Gateway stand-in.
    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// The gateway's routes, in file order (a route's [`RouteId`] is its position).
    pub fn routes(&self) -> &[Route] {
        &self.gateway.routes
    }

    /// The route `id` names.
    pub fn route(&self, id: RouteId) -> &Route {
        &self.gateway.routes[id.index()]
    }

    /// Network Load Balancers, in file order.
    pub fn nlbs(&self) -> &[Nlb] {
        &self.nlbs
    }

    /// The NLB `id` names.
    pub fn nlb(&self, id: NlbId) -> &Nlb {
        &self.nlbs[id.index()]
    }

    /// Every NLB listener: NLB by NLB in file order, each NLB's listeners in file order.
    pub fn listeners(&self) -> &[Listener] {
        &self.listeners
    }

    /// The listener `id` names.
    pub fn listener(&self, id: ListenerId) -> &Listener {
        &self.listeners[id.index()]
    }

    /// Application Load Balancers, in file order.
    pub fn albs(&self) -> &[Alb] {
        &self.albs
    }

    /// The ALB `id` names.
    pub fn alb(&self, id: AlbId) -> &Alb {
        &self.albs[id.index()]
    }

    /// Every ALB listener: ALB by ALB in file order, each ALB's listeners in file order.
    pub fn alb_listeners(&self) -> &[AlbListener] {
        &self.alb_listeners
    }

    /// The ALB listener `id` names.
    pub fn alb_listener(&self, id: AlbListenerId) -> &AlbListener {
        &self.alb_listeners[id.index()]
    }

    /// The name of a load balancer (an NLB's or an ALB's).
    pub fn balancer_name(&self, balancer: LoadBalancer) -> &str {
        match balancer {
            LoadBalancer::Nlb(id) => self.nlb(id).name(),
            LoadBalancer::Alb(id) => self.alb(id).name(),
        }
    }

    /// Target groups, in file order.
    pub fn target_groups(&self) -> &[TargetGroup] {
        &self.target_groups
    }

    /// The target group `id` names.
    pub fn target_group(&self, id: TargetGroupId) -> &TargetGroup {
        &self.target_groups[id.index()]
    }

    /// Backend targets, in file order.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The target `id` names.
    pub fn target(&self, id: TargetId) -> &Target {
        &self.targets[id.index()]
    }

    /// The leaf certificate `id` names.
    pub fn certificate(&self, id: CertId) -> &Leaf {
        self.pki.certificate(id)
    }

    /// The authority `id` names.
    pub fn authority(&self, id: AuthorityId) -> &Authority {
        self.pki.authority(id)
    }

    /// Requests to send through the gateway, in file order.
    pub fn requests(&self) -> &[Request] {
        &self.requests
    }

    /// The request `id` names.
    pub fn request(&self, id: RequestId) -> &Request {
        &self.requests[id.index()]
    }

    /// `[matrix]`: the setups `hoplab compare` runs, if the file has one.
    pub fn matrix(&self) -> Option<&Matrix> {
        self.matrix.as_ref()
    }

    /// What validation accepted because AWS does, but will fail once traffic flows (a plain
    /// HTTP target in a TLS or HTTPS target group), in file order.
    pub fn warnings(&self) -> &[ScenarioWarning] {
        &self.warnings
    }

    /// How a report names the hop an expectation names: `none`, `nlb:<nlb>:<port>`,
    /// `alb:<alb>:<port>` or `target:<name>` (the spelling of `expect.validated`).
    pub fn hop_name(&self, hop: ExpectedHop) -> String {
        match hop {
            ExpectedHop::None => "none".to_owned(),
            ExpectedHop::NlbListener(id) => self.listener(id).hop_name().to_owned(),
            ExpectedHop::AlbListener(id) => self.alb_listener(id).hop_name().to_owned(),
            ExpectedHop::Target(id) => self.target(id).hop_name(),
        }
    }

    /// The hop a route's backend is: the target of an `INTERNET` route
    /// (`target:<name>`), the listener of a `VPC_LINK` route (`nlb:<nlb>:<port>` or
    /// `alb:<alb>:<port>`; for a load balancer without a listener on the URI's port, the
    /// port nothing listens on).
    pub fn backend_name(&self, backend: Backend) -> String {
        match backend {
            Backend::Internet(id) => self.target(id).hop_name(),
            Backend::VpcLink(id) => self.listener(id).hop_name().to_owned(),
            Backend::VpcLinkAlb(id) => self.alb_listener(id).hop_name().to_owned(),
            Backend::NoListener { balancer, port } => {
                let kind = match balancer {
                    LoadBalancer::Nlb(_) => "nlb",
                    LoadBalancer::Alb(_) => "alb",
                };
                format!("{kind}:{}:{port}", self.balancer_name(balancer))
            }
        }
    }

    /// The target named `name`, for input that names one (a command-line flag).
    pub fn find_target(&self, name: &str) -> Option<TargetId> {
        self.targets.iter().find(|t| t.name == name).map(Target::id)
    }

    /// The leaf certificate named `name`, for input that names one.
    pub fn find_certificate(&self, name: &str) -> Option<CertId> {
        self.pki
            .certificates
            .iter()
            .find(|c| c.name == name)
            .map(Leaf::id)
    }

    /// The authority named `name`, for input that names one.
    pub fn find_authority(&self, name: &str) -> Option<AuthorityId> {
        self.pki
            .authorities
            .iter()
            .find(|a| a.name == name)
            .map(Authority::id)
    }

    /// The NLB named `name`, for input that names one.
    pub fn find_nlb(&self, name: &str) -> Option<NlbId> {
        self.nlbs.iter().find(|n| n.name == name).map(Nlb::id)
    }

    /// The listener on `port` of the NLB named `nlb`, for input that names one.
    pub fn find_listener(&self, nlb: &str, port: u16) -> Option<ListenerId> {
        let nlb = self.find_nlb(nlb)?;
        self.nlb(nlb)
            .listeners()
            .iter()
            .copied()
            .find(|id| self.listener(*id).port == port)
    }

    /// The ALB named `name`, for input that names one.
    pub fn find_alb(&self, name: &str) -> Option<AlbId> {
        self.albs.iter().find(|a| a.name == name).map(Alb::id)
    }

    /// The listener on `port` of the ALB named `alb`, for input that names one.
    pub fn find_alb_listener(&self, alb: &str, port: u16) -> Option<AlbListenerId> {
        let alb = self.find_alb(alb)?;
        self.alb(alb)
            .listeners()
            .iter()
            .copied()
            .find(|id| self.alb_listener(*id).port == port)
    }

    /// The target group named `name`, for input that names one.
    pub fn find_target_group(&self, name: &str) -> Option<TargetGroupId> {
        self.target_groups
            .iter()
            .find(|g| g.name == name)
            .map(TargetGroup::id)
    }

    /// The first request named `name`, for input that names one.
    pub fn find_request(&self, name: &str) -> Option<RequestId> {
        self.requests
            .iter()
            .find(|r| r.name == name)
            .map(Request::id)
    }
}

/// The scenario's public key infrastructure.
#[derive(Debug, Clone, PartialEq)]
pub struct Pki {
    /// In file order (an [`AuthorityId`] is the position).
    pub(crate) authorities: Vec<Authority>,
    /// Every authority, issuers before what they sign (file order otherwise).
    pub(crate) issuer_order: Vec<AuthorityId>,
    pub(crate) certificates: Vec<Leaf>,
}

impl Pki {
    /// Certificate authorities, ordered so that every issuer comes before what it signs (file
    /// order otherwise): the order in which they can be generated.
    pub fn authorities(&self) -> impl ExactSizeIterator<Item = &Authority> + '_ {
        self.issuer_order.iter().map(|id| self.authority(*id))
    }

    /// The authority `id` names.
    pub fn authority(&self, id: AuthorityId) -> &Authority {
        &self.authorities[id.index()]
    }

    /// Leaf certificates, in file order (a [`CertId`] is the position).
    pub fn certificates(&self) -> &[Leaf] {
        &self.certificates
    }

    /// The leaf certificate `id` names.
    pub fn certificate(&self, id: CertId) -> &Leaf {
        &self.certificates[id.index()]
    }

    /// The name of any certificate of the PKI.
    pub fn cert_name(&self, cert: CertRef) -> &str {
        match cert {
            CertRef::Authority(id) => self.authority(id).name(),
            CertRef::Leaf(id) => self.certificate(id).name(),
        }
    }
}

/// A certificate authority: a root when it has no issuer, else an intermediate.
#[derive(Debug, Clone, PartialEq)]
pub struct Authority {
    pub(crate) id: AuthorityId,
    pub(crate) name: String,
    pub(crate) issuer: Option<AuthorityId>,
    pub(crate) common_name: String,
    pub(crate) key: KeyType,
    pub(crate) validity: Validity,
    /// Which ends of `validity` the scenario left to their defaults.
    pub(crate) defaulted: ValidityDefaults,
    pub(crate) basic_constraints_ca: bool,
    pub(crate) key_cert_sign: bool,
    pub(crate) trusted: bool,
    /// The hash its issuer signs it with, when not the issuer key's usual one.
    pub(crate) signature_hash: Option<SignatureHash>,
    /// DNS name constraints it places on what it issues.
    pub(crate) name_constraints: DnsNameConstraints,
}

/// Which ends of a validity window the scenario did not write. A certificate generator
/// widens a defaulted end of an authority's window to cover what the authority issues, as a
/// real CA's window does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ValidityDefaults {
    /// `not_before` was not written.
    pub not_before: bool,
    /// `not_after` was not written.
    pub not_after: bool,
}

impl Authority {
    /// This authority's id.
    pub fn id(&self) -> AuthorityId {
        self.id
    }

    /// Its name in the scenario.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The authority that signs it; `None` for a self-signed root.
    pub fn issuer(&self) -> Option<AuthorityId> {
        self.issuer
    }

    /// Subject common name.
    pub fn common_name(&self) -> &str {
        &self.common_name
    }

    /// Key algorithm and size.
    pub fn key(&self) -> KeyType {
        self.key
    }

    /// Validity window.
    pub fn validity(&self) -> Validity {
        self.validity
    }

    /// Which ends of the validity window are defaults rather than written.
    pub fn validity_defaults(&self) -> ValidityDefaults {
        self.defaulted
    }

    /// Whether basicConstraints carries CA:TRUE.
    pub fn basic_constraints_ca(&self) -> bool {
        self.basic_constraints_ca
    }

    /// Whether keyUsage carries keyCertSign (and cRLSign).
    pub fn key_cert_sign(&self) -> bool {
        self.key_cert_sign
    }

    /// Whether API Gateway trusts it (the stand-in for its supported-CA list).
    pub fn trusted(&self) -> bool {
        self.trusted
    }

    /// The hash its issuer signs it with; `None` is the issuer key's usual hash.
    pub fn signature_hash(&self) -> Option<SignatureHash> {
        self.signature_hash
    }

    /// The DNS name constraints it places on the certificates below it.
    pub fn name_constraints(&self) -> &DnsNameConstraints {
        &self.name_constraints
    }
}

/// DNS name constraints (RFC 5280 §4.2.1.10) an authority writes into its certificate: a
/// name is inside a subtree when it equals it or ends with `.` and the subtree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DnsNameConstraints {
    pub(crate) permitted: Vec<String>,
    pub(crate) excluded: Vec<String>,
}

impl DnsNameConstraints {
    /// The permitted DNS subtrees; empty permits every name.
    pub fn permitted(&self) -> &[String] {
        &self.permitted
    }

    /// The excluded DNS subtrees.
    pub fn excluded(&self) -> &[String] {
        &self.excluded
    }

    /// Whether the certificate carries no nameConstraints extension.
    pub fn is_empty(&self) -> bool {
        self.permitted.is_empty() && self.excluded.is_empty()
    }
}

/// A leaf (end-entity) certificate that a server presents.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    pub(crate) id: CertId,
    pub(crate) name: String,
    pub(crate) issuer: LeafIssuer,
    pub(crate) common_name: Option<String>,
    pub(crate) dns_names: Vec<String>,
    pub(crate) ip_addresses: Vec<IpAddr>,
    pub(crate) key: KeyType,
    pub(crate) validity: Validity,
    pub(crate) basic_constraints_ca: bool,
    pub(crate) key_cert_sign: bool,
    pub(crate) chain: ChainSent,
    pub(crate) pem: Option<PemCertificate>,
    /// The hash its issuer signs it with, when not the issuer key's usual one.
    pub(crate) signature_hash: Option<SignatureHash>,
}

impl Leaf {
    /// This certificate's id.
    pub fn id(&self) -> CertId {
        self.id
    }

    /// Its name in the scenario.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Who signs it.
    pub fn issuer(&self) -> LeafIssuer {
        self.issuer
    }

    /// Subject common name, if any.
    pub fn common_name(&self) -> Option<&str> {
        self.common_name.as_deref()
    }

    /// DNS subjectAltNames.
    pub fn dns_names(&self) -> &[String] {
        &self.dns_names
    }

    /// IP subjectAltNames.
    pub fn ip_addresses(&self) -> &[IpAddr] {
        &self.ip_addresses
    }

    /// Key algorithm and size.
    pub fn key(&self) -> KeyType {
        self.key
    }

    /// Validity window.
    pub fn validity(&self) -> Validity {
        self.validity
    }

    /// Whether basicConstraints carries CA:TRUE.
    pub fn basic_constraints_ca(&self) -> bool {
        self.basic_constraints_ca
    }

    /// Whether keyUsage carries keyCertSign.
    pub fn key_cert_sign(&self) -> bool {
        self.key_cert_sign
    }

    /// Which certificates a server sends when it serves this one.
    pub fn chain(&self) -> &ChainSent {
        &self.chain
    }

    /// The user's own certificate, read from PEM files; when set, it is served as read and
    /// every generation setting above is unused.
    pub fn pem(&self) -> Option<&PemCertificate> {
        self.pem.as_ref()
    }

    /// The hash its issuer (or its own key, when self-signed) signs it with; `None` is that
    /// key's usual hash.
    pub fn signature_hash(&self) -> Option<SignatureHash> {
        self.signature_hash
    }
}

/// A certificate chain and key read from the user's PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemCertificate {
    pub(crate) chain_file: PathBuf,
    pub(crate) key_file: PathBuf,
    pub(crate) chain: Vec<Vec<u8>>,
    pub(crate) key_pkcs8: Vec<u8>,
}

impl PemCertificate {
    /// The chain file, resolved against the scenario file's directory.
    pub fn chain_file(&self) -> &Path {
        &self.chain_file
    }

    /// The key file, resolved the same way.
    pub fn key_file(&self) -> &Path {
        &self.key_file
    }

    /// The certificates in the chain file, DER, in file order (what the server sends); at
    /// least one.
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The first certificate of the chain: the leaf.
    pub fn leaf(&self) -> &[u8] {
        // Validation refuses a chain file without a certificate.
        &self.chain[0]
    }

    /// The leaf's private key, PKCS#8 DER; it matches the first certificate.
    pub fn key_pkcs8(&self) -> &[u8] {
        &self.key_pkcs8
    }
}

/// Who signs a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafIssuer {
    /// Signed by this authority.
    Authority(AuthorityId),
    /// Signed with its own key.
    SelfSigned,
}

/// Key algorithm and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyType {
    /// ECDSA on P-256 with SHA-256 (`ecdsa-p256`, the default).
    #[default]
    EcdsaP256,
    /// ECDSA on P-384 with SHA-384 (`ecdsa-p384`).
    EcdsaP384,
    /// RSA 1024 with SHA-256 (`rsa-1024`): authorities only, since rustls cannot sign a TLS
    /// handshake with it.
    Rsa1024,
    /// RSA 2048 with SHA-256 (`rsa-2048`).
    Rsa2048,
    /// RSA 3072 with SHA-256 (`rsa-3072`).
    Rsa3072,
    /// RSA 4096 with SHA-256 (`rsa-4096`).
    Rsa4096,
    /// Ed25519 (`ed25519`).
    Ed25519,
}

spelled!(KeyType {
    EcdsaP256 => "ecdsa-p256",
    EcdsaP384 => "ecdsa-p384",
    Rsa1024 => "rsa-1024",
    Rsa2048 => "rsa-2048",
    Rsa3072 => "rsa-3072",
    Rsa4096 => "rsa-4096",
    Ed25519 => "ed25519",
});

impl KeyType {
    /// The RSA modulus size in bits; `None` for ECDSA and Ed25519 keys.
    pub fn rsa_bits(self) -> Option<u32> {
        match self {
            KeyType::Rsa1024 => Some(1024),
            KeyType::Rsa2048 => Some(2048),
            KeyType::Rsa3072 => Some(3072),
            KeyType::Rsa4096 => Some(4096),
            KeyType::EcdsaP256 | KeyType::EcdsaP384 | KeyType::Ed25519 => None,
        }
    }
}

/// A hash an issuer signs a certificate with, other than the one its key usually signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureHash {
    /// SHA-1 (`sha1`): `SHA1withRSA`, with an RSA issuer key.
    Sha1,
    /// SHA-256 (`sha256`): what RSA and P-256 keys sign with anyway.
    Sha256,
}

spelled!(SignatureHash {
    Sha1 => "sha1",
    Sha256 => "sha256",
});

/// A validity window; each end is absolute or relative to the scenario clock, and the window
/// is not inverted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub(crate) not_before: TimeSpec,
    pub(crate) not_after: TimeSpec,
}

impl Validity {
    /// notBefore.
    pub fn not_before(self) -> TimeSpec {
        self.not_before
    }

    /// notAfter.
    pub fn not_after(self) -> TimeSpec {
        self.not_after
    }
}

/// A point in time as a scenario states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// An absolute RFC 3339 time.
    Absolute(OffsetDateTime),
    /// An offset from the scenario clock (`-30d`, `+1y`, `now`).
    Relative(Duration),
}

/// Parses a time as a scenario writes it: an RFC 3339 time, an offset from the clock such as
/// `-1d` or `+90d` (units s, m, h, d, w, y), or `now`.
impl std::str::FromStr for TimeSpec {
    type Err = crate::TimeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        crate::validate::values::parse_time(&crate::raw::RawTime::Text(text.to_owned())).map_err(
            |problem| crate::TimeError {
                message: problem.message,
                help: problem.help.unwrap_or_default(),
            },
        )
    }
}

impl TimeSpec {
    /// The absolute time this spec names, given the scenario clock.
    pub fn resolve(self, now: OffsetDateTime) -> OffsetDateTime {
        match self {
            TimeSpec::Absolute(t) => t,
            TimeSpec::Relative(d) => now + d,
        }
    }
}

/// Which certificates a server sends when it serves a leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainSent {
    /// One of the presets, which follow the leaf's issuers.
    Preset(ChainPreset),
    /// Exactly these certificates, in this order.
    Explicit(Vec<CertRef>),
}

impl Default for ChainSent {
    fn default() -> Self {
        ChainSent::Preset(ChainPreset::default())
    }
}

/// A `chain` preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChainPreset {
    /// The leaf alone (`"leaf"`).
    Leaf,
    /// The leaf, then its intermediates from the leaf's issuer upwards (`"leaf+intermediates"`, the default).
    #[default]
    LeafAndIntermediates,
    /// As above, then the root (`"leaf+intermediates+root"`).
    LeafIntermediatesAndRoot,
    /// The leaf, then its intermediates in reverse order, root-side first (`"leaf+reversed-intermediates"`).
    LeafAndReversedIntermediates,
}

spelled!(ChainPreset {
    Leaf => "leaf",
    LeafAndIntermediates => "leaf+intermediates",
    LeafIntermediatesAndRoot => "leaf+intermediates+root",
    LeafAndReversedIntermediates => "leaf+reversed-intermediates",
});

/// The stage an HTTP API serves at the root of its invoke URL, with no stage segment.
pub const DEFAULT_STAGE: &str = "$default";

/// The API Gateway stand-in: a REST or HTTP API with its routes.
#[derive(Debug, Clone, PartialEq)]
pub struct Gateway {
    pub(crate) api: ApiType,
    pub(crate) stage: String,
    pub(crate) routes: Vec<Route>,
    pub(crate) trusted_ca: Vec<Vec<u8>>,
    pub(crate) public_roots: bool,
}

impl Gateway {
    /// REST API (v1) or HTTP API (v2).
    pub fn api(&self) -> ApiType {
        self.api
    }

    /// The stage name (used in the invoke URL); [`DEFAULT_STAGE`] for an HTTP API's
    /// `$default` stage.
    pub fn stage(&self) -> &str {
        &self.stage
    }

    /// The stage's segment in request paths (`/{stage}/{resource}`) and in front of a
    /// private integration's backend path; `None` for an HTTP API's `$default` stage, which
    /// is served at the root of the invoke URL and adds nothing to the backend path.
    pub fn stage_segment(&self) -> Option<&str> {
        (self.stage != DEFAULT_STAGE).then_some(self.stage.as_str())
    }

    /// Routes, in file order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// Extra trusted CA certificates (DER) read from `trusted_ca_files`.
    pub fn trusted_ca(&self) -> &[Vec<u8>] {
        &self.trusted_ca
    }

    /// Whether Mozilla's public roots are trusted too (`public_roots`).
    pub fn public_roots(&self) -> bool {
        self.public_roots
    }
}

/// Which API Gateway API a scenario models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiType {
    /// A REST API (v1): HTTP and HTTP_PROXY integrations, `insecureSkipVerification`.
    #[default]
    Rest,
    /// An HTTP API (v2): private integrations with `serverNameToVerify`.
    Http,
}

spelled!(ApiType {
    Rest => "REST",
    Http => "HTTP",
});

/// One method on one resource, with its integration.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub(crate) id: RouteId,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) integration: IntegrationType,
    pub(crate) uri: IntegrationUri,
    pub(crate) backend: Backend,
    pub(crate) vpc_link_version: Option<VpcLinkVersion>,
    pub(crate) stage_prefix: bool,
    pub(crate) insecure_skip_verification: bool,
    pub(crate) server_name_to_verify: Option<String>,
    pub(crate) timeout_ms: u32,
}

impl Route {
    /// This route's id.
    pub fn id(&self) -> RouteId {
        self.id
    }

    /// HTTP method, upper case (`GET`, `POST`, …, or `ANY`).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Resource path, starting with `/`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// `HTTP` or `HTTP_PROXY`.
    pub fn integration(&self) -> IntegrationType {
        self.integration
    }

    /// The integration URI.
    pub fn uri(&self) -> &IntegrationUri {
        &self.uri
    }

    /// What the gateway connects to: the target an `INTERNET` URI host resolves to, or the
    /// load balancer listener a `VPC_LINK` URI port picks.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The VPC link's version, for a `VPC_LINK` route: `V1` (a REST API's default, NLBs only)
    /// or `V2` (`integration_target` on a REST API; every HTTP API private integration).
    pub fn vpc_link_version(&self) -> Option<VpcLinkVersion> {
        self.vpc_link_version
    }

    /// Whether API Gateway puts the stage name in front of the backend path
    /// (`stage_prefix`): true by default for VPC link V2 private integrations, as AWS
    /// documents; always false for V1 links and internet integrations.
    pub fn stage_prefix(&self) -> bool {
        self.stage_prefix
    }

    /// The request target the backend receives for a request on the stage whose path segment
    /// is `stage` ([`Gateway::stage_segment`]): the URI's path and query, after `/<stage>`
    /// when [`Route::stage_prefix`] holds (AWS: "API Gateway includes the stage portion of
    /// the API endpoint in the request to your backend resources"); a `$default` stage has no
    /// portion to include. The one statement of that rule: the lab sends this, the model
    /// predicts with it.
    pub fn backend_target(&self, stage: Option<&str>) -> String {
        match stage {
            Some(stage) if self.stage_prefix => format!("/{stage}{}", self.uri.path_and_query),
            _ => self.uri.path_and_query.clone(),
        }
    }

    /// `tlsConfig.insecureSkipVerification` (REST APIs).
    pub fn insecure_skip_verification(&self) -> bool {
        self.insecure_skip_verification
    }

    /// `tlsConfig.serverNameToVerify` (HTTP APIs), lower case: sent as SNI and checked
    /// against the certificate instead of the URI host.
    pub fn server_name_to_verify(&self) -> Option<&str> {
        self.server_name_to_verify.as_deref()
    }

    /// `timeoutInMillis`.
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }

    /// Whether a request with `method` (any case) is this route's: the same method, or the
    /// route is `ANY`.
    pub fn serves_method(&self, method: &str) -> bool {
        self.method == "ANY" || self.method.eq_ignore_ascii_case(method)
    }
}

/// `stage_prefix` when a VPC link V2 route does not say: true, AWS's documented behaviour
/// ("API Gateway includes the stage portion of the API endpoint in the request to your
/// backend resources", facts §1.5, §2). Whether it also holds for a REST URI with an explicit
/// path is UNCONFIRMED (facts §7.4): the key lets a scenario say otherwise. See
/// [`Route::backend_target`].
pub(crate) const STAGE_PREFIX_DEFAULT: bool = true;

/// Integration type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationType {
    /// `HTTP`.
    Http,
    /// `HTTP_PROXY`.
    HttpProxy,
}

spelled!(IntegrationType {
    Http => "HTTP",
    HttpProxy => "HTTP_PROXY",
});

/// A parsed integration URI (made by validation or [`crate::parse_integration_uri`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationUri {
    pub(crate) raw: String,
    pub(crate) scheme: Scheme,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) path_and_query: String,
}

impl IntegrationUri {
    /// The URI as written.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host, lower case, without brackets for IPv6 (what the certificate is checked
    /// against).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, explicit or the scheme's default.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Path and query, at least `/`.
    pub fn path_and_query(&self) -> &str {
        &self.path_and_query
    }
}

/// URI scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP: no TLS, no certificate check.
    Http,
    /// HTTPS: the first hop that terminates TLS is validated.
    Https,
}

/// How a route reaches the integration endpoint (`connection_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConnectionType {
    /// Over the internet (the default).
    #[default]
    Internet,
    /// Through a VPC link.
    VpcLink,
}

spelled!(ConnectionType {
    Internet => "INTERNET",
    VpcLink => "VPC_LINK",
});

/// Which version of VPC link a private integration goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum VpcLinkVersion {
    /// `V1` (legacy): a VPC endpoint service on one NLB, named by `vpc_link`.
    #[default]
    V1,
    /// `V2`: API-Gateway-managed ENIs; each integration names its ALB or NLB
    /// (`integration_target`, or an HTTP API's `vpc_link`).
    V2,
}

spelled!(VpcLinkVersion {
    V1 => "V1",
    V2 => "V2",
});

/// A load balancer: an NLB or an ALB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoadBalancer {
    /// A Network Load Balancer.
    Nlb(NlbId),
    /// An Application Load Balancer.
    Alb(AlbId),
}

/// What a route's gateway connection reaches first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// `INTERNET`: the URI host resolves (through targets' `dns_names`) to this target.
    Internet(TargetId),
    /// `VPC_LINK` (V1, V2 or an HTTP API's): the URI port picks this NLB listener.
    VpcLink(ListenerId),
    /// `VPC_LINK` (V2 or an HTTP API's): the URI port picks this ALB listener.
    VpcLinkAlb(AlbListenerId),
    /// `VPC_LINK` V2 on a REST API to a load balancer with no listener on the URI's port:
    /// nothing answers there, so every connection is refused (facts §7.3).
    NoListener {
        /// The load balancer `integration_target` names.
        balancer: LoadBalancer,
        /// The URI's port.
        port: u16,
    },
}

impl Backend {
    /// The route's `connection_type`.
    pub fn connection_type(self) -> ConnectionType {
        match self {
            Backend::Internet(_) => ConnectionType::Internet,
            Backend::VpcLink(_) | Backend::VpcLinkAlb(_) | Backend::NoListener { .. } => {
                ConnectionType::VpcLink
            }
        }
    }
}

/// A Network Load Balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct Nlb {
    pub(crate) id: NlbId,
    pub(crate) name: String,
    pub(crate) listeners: Vec<ListenerId>,
}

impl Nlb {
    /// This NLB's id.
    pub fn id(&self) -> NlbId {
        self.id
    }

    /// Its name (what routes' `vpc_link` says).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its listeners, in file order; ports are unique.
    pub fn listeners(&self) -> &[ListenerId] {
        &self.listeners
    }
}

/// One NLB listener.
#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    pub(crate) id: ListenerId,
    pub(crate) nlb: NlbId,
    /// `nlb:<nlb>:<port>`.
    pub(crate) hop_name: String,
    pub(crate) port: u16,
    pub(crate) protocol: ListenerProtocol,
    pub(crate) target_group: TargetGroupId,
}

impl Listener {
    /// This listener's id.
    pub fn id(&self) -> ListenerId {
        self.id
    }

    /// The NLB it belongs to.
    pub fn nlb(&self) -> NlbId {
        self.nlb
    }

    /// `nlb:<nlb>:<port>`, how expectations and reports name it.
    pub fn hop_name(&self) -> &str {
        &self.hop_name
    }

    /// The listener port as AWS would show it (on loopback it is bound to a free port).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// TCP (passthrough) or TLS (termination).
    pub fn protocol(&self) -> &ListenerProtocol {
        &self.protocol
    }

    /// The target group it forwards to.
    pub fn target_group(&self) -> TargetGroupId {
        self.target_group
    }
}

/// A listener's protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenerProtocol {
    /// Bytes pass through untouched.
    Tcp,
    /// TLS is terminated here.
    Tls(TlsListener),
}

impl ListenerProtocol {
    /// The TLS settings, for a TLS listener.
    pub fn tls(&self) -> Option<&TlsListener> {
        match self {
            ListenerProtocol::Tcp => None,
            ListenerProtocol::Tls(tls) => Some(tls),
        }
    }
}

/// The TLS settings of a TLS listener.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsListener {
    pub(crate) default_certificate: CertId,
    pub(crate) certificates: Vec<CertId>,
    pub(crate) security_policy: SecurityPolicy,
    pub(crate) alpn_policy: AlpnPolicy,
}

impl TlsListener {
    /// The default certificate.
    pub fn default_certificate(&self) -> CertId {
        self.default_certificate
    }

    /// The certificate list, chosen among by SNI.
    pub fn certificates(&self) -> &[CertId] {
        &self.certificates
    }

    /// The security policy.
    pub fn security_policy(&self) -> SecurityPolicy {
        self.security_policy
    }

    /// The ALPN policy.
    pub fn alpn_policy(&self) -> AlpnPolicy {
        self.alpn_policy
    }
}

/// An NLB TLS security policy, by AWS name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecurityPolicy {
    /// `ELBSecurityPolicy-TLS13-1-2-2021-06`: TLS 1.2 and 1.3 (console default).
    #[default]
    Tls13_1_2_2021_06,
    /// `ELBSecurityPolicy-TLS13-1-3-2021-06`: TLS 1.3 only.
    Tls13_1_3_2021_06,
    /// `ELBSecurityPolicy-TLS13-1-0-2021-06`: TLS 1.0 to 1.3.
    Tls13_1_0_2021_06,
    /// `ELBSecurityPolicy-2016-08`: TLS 1.0 to 1.2 (CLI default).
    Policy2016_08,
    /// `ELBSecurityPolicy-FS-1-2-Res-2020-10`: TLS 1.2 only.
    Fs1_2Res2020_10,
}

spelled!(SecurityPolicy {
    Tls13_1_2_2021_06 => "ELBSecurityPolicy-TLS13-1-2-2021-06",
    Tls13_1_3_2021_06 => "ELBSecurityPolicy-TLS13-1-3-2021-06",
    Tls13_1_0_2021_06 => "ELBSecurityPolicy-TLS13-1-0-2021-06",
    Policy2016_08 => "ELBSecurityPolicy-2016-08",
    Fs1_2Res2020_10 => "ELBSecurityPolicy-FS-1-2-Res-2020-10",
});

/// A target group: an NLB's (TCP or TLS, targets by address or one ALB) or an ALB's (HTTP or
/// HTTPS).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroup {
    pub(crate) id: TargetGroupId,
    pub(crate) name: String,
    pub(crate) protocol: TargetGroupProtocol,
    pub(crate) target_type: TargetType,
    pub(crate) targets: Vec<TargetId>,
    pub(crate) health_check: Option<HealthCheck>,
    pub(crate) algorithm: LoadBalancingAlgorithm,
}

impl TargetGroup {
    /// This target group's id.
    pub fn id(&self) -> TargetGroupId {
        self.id
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The protocol the load balancer speaks to the targets.
    pub fn protocol(&self) -> TargetGroupProtocol {
        self.protocol
    }

    /// Which load balancer it belongs behind: an NLB (TCP, TLS) or an ALB (HTTP, HTTPS).
    pub fn balancer(&self) -> BalancerKind {
        self.protocol.balancer()
    }

    /// What its targets are: the scenario's targets (`ip`), or one ALB listener (`alb`).
    pub fn target_type(&self) -> TargetType {
        self.target_type
    }

    /// Registered targets, in file order, none twice: at least one for an NLB's `ip` group;
    /// possibly none for an ALB's (every request forwarded there gets 503); none for an `alb`
    /// group, whose target is [`TargetGroup::target_type`]'s listener.
    pub fn targets(&self) -> &[TargetId] {
        &self.targets
    }

    /// How the load balancer checks the targets' health; `None`: not checked, all are
    /// routable.
    pub fn health_check(&self) -> Option<&HealthCheck> {
        self.health_check.as_ref()
    }

    /// How an ALB picks a target for each request (round robin for an NLB's group, which
    /// hashes flows instead).
    pub fn algorithm(&self) -> LoadBalancingAlgorithm {
        self.algorithm
    }
}

/// The protocol a load balancer speaks to a target group's targets (and, for `TCP` and
/// `TLS`, spelt the same, what an NLB listener speaks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetGroupProtocol {
    /// Plain TCP (for a TLS listener: the NLB sends decrypted bytes).
    Tcp,
    /// TLS: the NLB opens a new TLS session and does not validate the target's certificate.
    Tls,
    /// HTTP (an ALB's target group): the ALB sends each request in plain HTTP/1.1.
    Http,
    /// HTTPS (an ALB's target group): the ALB opens TLS without validating the target's
    /// certificate and without SNI.
    Https,
}

spelled!(TargetGroupProtocol {
    Tcp => "TCP",
    Tls => "TLS",
    Http => "HTTP",
    Https => "HTTPS",
});

impl TargetGroupProtocol {
    /// Which load balancer speaks it.
    pub fn balancer(self) -> BalancerKind {
        match self {
            TargetGroupProtocol::Tcp | TargetGroupProtocol::Tls => BalancerKind::Nlb,
            TargetGroupProtocol::Http | TargetGroupProtocol::Https => BalancerKind::Alb,
        }
    }

    /// Whether the load balancer speaks TLS to the targets (`TLS`, `HTTPS`).
    pub fn encrypted(self) -> bool {
        matches!(self, TargetGroupProtocol::Tls | TargetGroupProtocol::Https)
    }

    /// The spellings an NLB listener's `protocol` (and an NLB's group's) takes: `TCP`, `TLS`.
    pub fn nlb_spellings() -> Vec<(&'static str, TargetGroupProtocol)> {
        Self::ALL
            .iter()
            .copied()
            .filter(|(_, p)| p.balancer() == BalancerKind::Nlb)
            .collect()
    }
}

/// A backend server.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub(crate) id: TargetId,
    pub(crate) name: String,
    pub(crate) protocol: TargetProtocol,
    pub(crate) body: String,
    pub(crate) dns_names: Vec<String>,
    pub(crate) behaviour: TargetBehaviour,
    pub(crate) tls_versions: TlsVersions,
}

impl Target {
    /// This target's id.
    pub fn id(&self) -> TargetId {
        self.id
    }

    /// Its name, used in reports.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `target:<name>`, how expectations and reports name it.
    pub fn hop_name(&self) -> String {
        format!("target:{}", self.name)
    }

    /// Plain HTTP or HTTPS with a certificate.
    pub fn protocol(&self) -> TargetProtocol {
        self.protocol
    }

    /// The response body (default: `hello from target <name>`).
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Public DNS names that resolve to this target (for INTERNET integrations).
    pub fn dns_names(&self) -> &[String] {
        &self.dns_names
    }

    /// How it treats connections and requests (normally, or with a fault).
    pub fn behaviour(&self) -> TargetBehaviour {
        self.behaviour
    }

    /// The TLS versions an HTTPS target accepts.
    pub fn tls_versions(&self) -> TlsVersions {
        self.tls_versions
    }
}

/// A target's `protocol` spellings: whether it speaks HTTPS.
pub(crate) const TARGET_PROTOCOLS: [(&str, bool); 2] = [("HTTP", false), ("HTTPS", true)];

/// The spelling of a target's `protocol`.
pub(crate) fn target_protocol_spelling(https: bool) -> &'static str {
    TARGET_PROTOCOLS
        .iter()
        .find(|(_, h)| *h == https)
        .map_or("HTTP", |(spelling, _)| spelling)
}

/// What a target speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetProtocol {
    /// Plain HTTP/1.1.
    Http,
    /// HTTP/1.1 over TLS, serving this leaf certificate.
    Https {
        /// The leaf certificate.
        certificate: CertId,
    },
}

/// A request sent through the gateway, with what it must produce.
///
/// Equality leaves out where the request is written.
#[derive(Debug, Clone)]
pub struct Request {
    pub(crate) id: RequestId,
    pub(crate) name: String,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) route: RouteId,
    pub(crate) expect: Expectation,
    pub(crate) repeat: u32,
    pub(crate) expect_repeats: Option<RepeatExpectation>,
    pub(crate) location: Location,
}

impl PartialEq for Request {
    fn eq(&self, other: &Self) -> bool {
        (
            self.id,
            &self.name,
            &self.method,
            &self.path,
            self.route,
            &self.expect,
            self.repeat,
            &self.expect_repeats,
        ) == (
            other.id,
            &other.name,
            &other.method,
            &other.path,
            other.route,
            &other.expect,
            other.repeat,
            &other.expect_repeats,
        )
    }
}

impl Request {
    /// This request's id.
    pub fn id(&self) -> RequestId {
        self.id
    }

    /// Name shown in reports (default: `METHOD path`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// HTTP method, upper case.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// Path (and query), which a route matches.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The route that serves it: the first in file order with the same path (before any
    /// query) and the same method or `ANY`, as the gateway matches.
    pub fn route(&self) -> RouteId {
        self.route
    }

    /// What must be observed, on each repeat.
    pub fn expect(&self) -> &Expectation {
        &self.expect
    }

    /// How many times the request is sent (1 unless the file sets `repeat`).
    pub fn repeat(&self) -> u32 {
        self.repeat
    }

    /// The name each send is reported under, in order: the request's name, or with `repeat`
    /// `<name> [k/n]`.
    pub fn send_names(&self) -> Vec<String> {
        if self.repeat == 1 {
            return vec![self.name.clone()];
        }
        (1..=self.repeat)
            .map(|k| format!("{} [{k}/{}]", self.name, self.repeat))
            .collect()
    }

    /// What must hold over all the repeats together.
    pub fn expect_repeats(&self) -> Option<&RepeatExpectation> {
        self.expect_repeats.as_ref()
    }

    /// Where the request is written in the scenario file, for failure reports.
    pub fn location(&self) -> &Location {
        &self.location
    }
}

/// What a request must produce; an absent field is not checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expectation {
    pub(crate) status: Option<u16>,
    pub(crate) validated: Option<ExpectedHop>,
    pub(crate) error: Option<TextMatch>,
    pub(crate) no_error: Option<bool>,
    pub(crate) error_not_contains: Option<String>,
    pub(crate) body_contains: Option<String>,
    pub(crate) body_not_contains: Option<String>,
    pub(crate) validated_certificate: Option<CertId>,
    pub(crate) not_validated: Vec<CertId>,
    pub(crate) target: Option<TargetId>,
    pub(crate) per_target: Vec<(TargetId, Expectation)>,
}

impl Expectation {
    /// The status code the client receives.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// Whose certificate the gateway validated.
    pub fn validated(&self) -> Option<ExpectedHop> {
        self.validated
    }

    /// The execution log's failure line (text after `<date> : `).
    pub fn error(&self) -> Option<&TextMatch> {
        self.error.as_ref()
    }

    /// `Some(true)`: the execution log has no failure line; `Some(false)`: it has one.
    pub fn no_error(&self) -> Option<bool> {
        self.no_error
    }

    /// A text the failure line must not contain (a request without one passes).
    pub fn error_not_contains(&self) -> Option<&str> {
        self.error_not_contains.as_deref()
    }

    /// A substring of the body the client receives.
    pub fn body_contains(&self) -> Option<&str> {
        self.body_contains.as_deref()
    }

    /// A text the body must not contain.
    pub fn body_not_contains(&self) -> Option<&str> {
        self.body_not_contains.as_deref()
    }

    /// The leaf certificate the gateway validated.
    pub fn validated_certificate(&self) -> Option<CertId> {
        self.validated_certificate
    }

    /// Leaf certificates presented during the request and not validated by anyone.
    pub fn not_validated(&self) -> &[CertId] {
        &self.not_validated
    }

    /// The target the request must reach.
    pub fn target(&self) -> Option<TargetId> {
        self.target
    }

    /// Expectations that apply only when the request reaches that target, for target groups
    /// whose flow hash picks one target per connection.
    pub fn per_target(&self) -> &[(TargetId, Expectation)] {
        &self.per_target
    }
}

/// What a repeated request's sends must produce together; an absent field is not checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepeatExpectation {
    pub(crate) reached: Vec<TargetId>,
    pub(crate) not_reached: Vec<TargetId>,
    pub(crate) min_failed: Option<u32>,
    pub(crate) max_failed: Option<u32>,
}

impl RepeatExpectation {
    /// Targets each reached by at least one send.
    pub fn reached(&self) -> &[TargetId] {
        &self.reached
    }

    /// Targets no send reached.
    pub fn not_reached(&self) -> &[TargetId] {
        &self.not_reached
    }

    /// The fewest sends that may fail (no response, or a status of 500 or more).
    pub fn min_failed(&self) -> Option<u32> {
        self.min_failed
    }

    /// The most sends that may fail.
    pub fn max_failed(&self) -> Option<u32> {
        self.max_failed
    }
}

/// Whose certificate the gateway validated, as an expectation names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpectedHop {
    /// No certificate was validated (plain HTTP, or no TLS session started).
    None,
    /// An NLB listener's (`nlb:<name>:<port>`).
    NlbListener(ListenerId),
    /// An ALB listener's (`alb:<name>:<port>`).
    AlbListener(AlbListenerId),
    /// A target's (`target:<name>`).
    Target(TargetId),
}

/// How an expected text is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextMatch {
    /// Equal to this text.
    Exact(String),
    /// Contains this text.
    Contains(String),
}

impl TextMatch {
    /// Whether `actual` satisfies this expectation.
    pub fn matches(&self, actual: &str) -> bool {
        match self {
            TextMatch::Exact(want) => actual == want,
            TextMatch::Contains(part) => actual.contains(part.as_str()),
        }
    }
}

/// A place in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// The file, as given to [`crate::load`] (the name given to [`crate::from_toml`];
    /// `<builder>` for a scenario made by [`ScenarioBuilder`](crate::ScenarioBuilder)).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
