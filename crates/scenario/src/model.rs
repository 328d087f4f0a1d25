//! The validated scenario: every name resolved, every combination possible.
//!
//! Values of these types only come out of [`crate::from_toml`] / [`crate::load`], which
//! check every rule the README's scenario reference states; code that consumes them does not
//! need to re-check anything.

use std::net::IpAddr;

use time::{Duration, OffsetDateTime};

/// One scenario: a PKI, a gateway, zero or more NLBs, the targets and the requests to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Name shown in reports (`[scenario] name`, else the file stem).
    pub name: String,
    /// Free text shown in reports.
    pub description: Option<String>,
    /// The gateway's clock, if pinned; `None` means the wall clock at run time.
    pub now: Option<OffsetDateTime>,
    /// Certificate authorities and leaf certificates.
    pub pki: Pki,
    /// The API Gateway stand-in.
    pub gateway: Gateway,
    /// Network Load Balancers, in file order.
    pub nlbs: Vec<Nlb>,
    /// Target groups, in file order.
    pub target_groups: Vec<TargetGroup>,
    /// Backend targets, in file order.
    pub targets: Vec<Target>,
    /// Requests to send through the gateway and what each must produce.
    pub requests: Vec<Request>,
    /// `[matrix]`: the setups `hoplab compare` runs, if the file has one.
    pub matrix: Option<crate::matrix::Matrix>,
}

/// The scenario's public key infrastructure.
#[derive(Debug, Clone, PartialEq)]
pub struct Pki {
    /// Certificate authorities, ordered so that every issuer comes before what it signs.
    pub authorities: Vec<Authority>,
    /// Leaf certificates, in file order.
    pub certificates: Vec<Leaf>,
}

/// A certificate authority: a root when `issuer` is `None`, else an intermediate.
#[derive(Debug, Clone, PartialEq)]
pub struct Authority {
    /// Name used to refer to it from elsewhere in the scenario.
    pub name: String,
    /// The authority that signs it; `None` for a self-signed root.
    pub issuer: Option<String>,
    /// Subject common name.
    pub common_name: String,
    /// Key algorithm and size.
    pub key: KeyType,
    /// Validity window.
    pub validity: Validity,
    /// Whether basicConstraints carries CA:TRUE.
    pub basic_constraints_ca: bool,
    /// Whether keyUsage carries keyCertSign (and cRLSign).
    pub key_cert_sign: bool,
    /// Whether API Gateway trusts it (the stand-in for its supported-CA list).
    pub trusted: bool,
}

/// A leaf (end-entity) certificate that a server presents.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    /// Name used to refer to it from listeners and targets.
    pub name: String,
    /// Who signs it.
    pub issuer: LeafIssuer,
    /// Subject common name, if any.
    pub common_name: Option<String>,
    /// DNS subjectAltNames.
    pub dns_names: Vec<String>,
    /// IP subjectAltNames.
    pub ip_addresses: Vec<IpAddr>,
    /// Key algorithm and size.
    pub key: KeyType,
    /// Validity window.
    pub validity: Validity,
    /// Whether basicConstraints carries CA:TRUE.
    pub basic_constraints_ca: bool,
    /// Whether keyUsage carries keyCertSign.
    pub key_cert_sign: bool,
    /// Which certificates a server sends when it serves this one.
    pub chain: ChainSent,
    /// The user's own certificate, read from PEM files; when set, it is served as read and
    /// every generation field above is unused.
    pub pem: Option<PemCertificate>,
}

/// A certificate chain and key read from the user's PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemCertificate {
    /// The chain file, resolved against the scenario file's directory.
    pub chain_file: std::path::PathBuf,
    /// The key file, resolved the same way.
    pub key_file: std::path::PathBuf,
    /// The certificates in the chain file, DER, in file order (what the server sends).
    pub chain: Vec<Vec<u8>>,
    /// The leaf's private key, PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
}

/// Who signs a leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafIssuer {
    /// Signed by the named authority.
    Authority(String),
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
    /// RSA 2048 with SHA-256 (`rsa-2048`).
    Rsa2048,
    /// RSA 3072 with SHA-256 (`rsa-3072`).
    Rsa3072,
    /// RSA 4096 with SHA-256 (`rsa-4096`).
    Rsa4096,
    /// Ed25519 (`ed25519`).
    Ed25519,
}

impl KeyType {
    /// Every key type with its scenario spelling.
    pub const ALL: [(&'static str, KeyType); 6] = [
        ("ecdsa-p256", KeyType::EcdsaP256),
        ("ecdsa-p384", KeyType::EcdsaP384),
        ("rsa-2048", KeyType::Rsa2048),
        ("rsa-3072", KeyType::Rsa3072),
        ("rsa-4096", KeyType::Rsa4096),
        ("ed25519", KeyType::Ed25519),
    ];

    /// The scenario spelling.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(s, _)| *s)
            .unwrap_or("ecdsa-p256")
    }
}

/// A validity window; each end is absolute or relative to the scenario clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// notBefore.
    pub not_before: TimeSpec,
    /// notAfter.
    pub not_after: TimeSpec,
}

/// A point in time as a scenario states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// An absolute RFC 3339 time.
    Absolute(OffsetDateTime),
    /// An offset from the scenario clock (`-30d`, `+1y`, `now`).
    Relative(Duration),
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ChainSent {
    /// The leaf alone (`"leaf"`).
    Leaf,
    /// The leaf, then its intermediates from the leaf's issuer upwards (`"leaf+intermediates"`, the default).
    #[default]
    LeafAndIntermediates,
    /// As above, then the root (`"leaf+intermediates+root"`).
    LeafIntermediatesAndRoot,
    /// The leaf, then its intermediates in reverse order, root-side first (`"leaf+reversed-intermediates"`).
    LeafAndReversedIntermediates,
    /// Exactly these certificates (authority or leaf names), in this order.
    Explicit(Vec<String>),
}

/// The API Gateway stand-in: a REST API with its routes.
#[derive(Debug, Clone, PartialEq)]
pub struct Gateway {
    /// REST API (v1) or HTTP API (v2).
    pub api: ApiType,
    /// The stage name (used in the invoke URL).
    pub stage: String,
    /// Routes, in file order.
    pub routes: Vec<Route>,
    /// Extra trusted CA certificates (DER) read from `trusted_ca_files`.
    pub trusted_ca: Vec<Vec<u8>>,
    /// Whether Mozilla's public roots are trusted too (`public_roots`).
    pub public_roots: bool,
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

/// One method on one resource, with its integration.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// HTTP method, upper case (`GET`, `POST`, …, or `ANY`).
    pub method: String,
    /// Resource path, starting with `/`.
    pub path: String,
    /// `HTTP` or `HTTP_PROXY`.
    pub integration: IntegrationType,
    /// The integration URI.
    pub uri: IntegrationUri,
    /// How the gateway reaches the backend.
    pub connection: ConnectionType,
    /// `tlsConfig.insecureSkipVerification` (REST APIs).
    pub insecure_skip_verification: bool,
    /// `tlsConfig.serverNameToVerify` (HTTP APIs): sent as SNI and checked against the
    /// certificate instead of the URI host.
    pub server_name_to_verify: Option<String>,
    /// `timeoutInMillis`.
    pub timeout_ms: u32,
}

/// Integration type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationType {
    /// `HTTP`.
    Http,
    /// `HTTP_PROXY`.
    HttpProxy,
}

impl IntegrationType {
    /// The AWS spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationType::Http => "HTTP",
            IntegrationType::HttpProxy => "HTTP_PROXY",
        }
    }
}

/// A parsed integration URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationUri {
    /// The URI as written.
    pub raw: String,
    /// `http` or `https`.
    pub scheme: Scheme,
    /// The host, without brackets for IPv6 (what the certificate is checked against).
    pub host: String,
    /// The port, explicit or the scheme's default.
    pub port: u16,
    /// Path and query, at least `/`.
    pub path_and_query: String,
}

/// URI scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP: no TLS, no certificate check.
    Http,
    /// HTTPS: the first hop that terminates TLS is validated.
    Https,
}

/// How the gateway reaches the integration endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionType {
    /// Over the internet: the URI host resolves (through targets' `dns_names`) to this target.
    Internet {
        /// The target the URI host resolves to.
        target: String,
    },
    /// Through a VPC link to an NLB; the URI port picks the listener.
    VpcLink {
        /// The NLB behind the VPC link.
        nlb: String,
        /// The listener port (equal to the URI port).
        listener_port: u16,
    },
}

/// A Network Load Balancer.
#[derive(Debug, Clone, PartialEq)]
pub struct Nlb {
    /// Name used by routes' `vpc_link`.
    pub name: String,
    /// Listeners, in file order; ports are unique.
    pub listeners: Vec<Listener>,
}

/// One NLB listener.
#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    /// The listener port as AWS would show it (on loopback it is bound to a free port).
    pub port: u16,
    /// TCP (passthrough) or TLS (termination).
    pub protocol: ListenerProtocol,
    /// The target group it forwards to.
    pub target_group: String,
}

/// A listener's protocol.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenerProtocol {
    /// Bytes pass through untouched.
    Tcp,
    /// TLS is terminated here.
    Tls(TlsListener),
}

/// The TLS settings of a TLS listener.
#[derive(Debug, Clone, PartialEq)]
pub struct TlsListener {
    /// The default certificate (a leaf name).
    pub default_certificate: String,
    /// The certificate list, chosen among by SNI (leaf names).
    pub certificates: Vec<String>,
    /// The security policy.
    pub security_policy: SecurityPolicy,
    /// The ALPN policy.
    pub alpn_policy: crate::AlpnPolicy,
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

impl SecurityPolicy {
    /// Every policy with its AWS name.
    pub const ALL: [(&'static str, SecurityPolicy); 5] = [
        (
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            SecurityPolicy::Tls13_1_2_2021_06,
        ),
        (
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            SecurityPolicy::Tls13_1_3_2021_06,
        ),
        (
            "ELBSecurityPolicy-TLS13-1-0-2021-06",
            SecurityPolicy::Tls13_1_0_2021_06,
        ),
        ("ELBSecurityPolicy-2016-08", SecurityPolicy::Policy2016_08),
        (
            "ELBSecurityPolicy-FS-1-2-Res-2020-10",
            SecurityPolicy::Fs1_2Res2020_10,
        ),
    ];

    /// The AWS name.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, p)| *p == self)
            .map(|(s, _)| *s)
            .unwrap_or("ELBSecurityPolicy-TLS13-1-2-2021-06")
    }
}

/// A target group.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetGroup {
    /// Name used by listeners.
    pub name: String,
    /// The protocol the NLB speaks to the targets.
    pub protocol: TargetGroupProtocol,
    /// Registered targets (target names), at least one.
    pub targets: Vec<String>,
    /// How the NLB checks the targets' health; `None`: not checked, all are routable.
    pub health_check: Option<crate::HealthCheck>,
}

/// The protocol an NLB speaks to a target group's targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetGroupProtocol {
    /// Plain TCP (for a TLS listener: the NLB sends decrypted bytes).
    Tcp,
    /// TLS: the NLB opens a new TLS session and does not validate the target's certificate.
    Tls,
}

/// A backend server.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Name used by target groups and in reports.
    pub name: String,
    /// Plain HTTP or HTTPS with a certificate.
    pub protocol: TargetProtocol,
    /// The response body (default: `hello from target <name>`).
    pub body: String,
    /// Public DNS names that resolve to this target (for INTERNET integrations).
    pub dns_names: Vec<String>,
    /// How it treats connections and requests (normally, or with a fault).
    pub behaviour: crate::TargetBehaviour,
    /// The TLS versions an HTTPS target accepts.
    pub tls_versions: crate::TlsVersions,
}

/// What a target speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetProtocol {
    /// Plain HTTP/1.1.
    Http,
    /// HTTP/1.1 over TLS, serving this leaf certificate.
    Https {
        /// The leaf certificate name.
        certificate: String,
    },
}

/// A request sent through the gateway, with what it must produce.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Name shown in reports (default: `METHOD path`).
    pub name: String,
    /// HTTP method.
    pub method: String,
    /// Path, which a route matches.
    pub path: String,
    /// What must be observed.
    pub expect: Expectation,
    /// Where the request is written in the scenario file, for failure reports.
    pub location: Location,
}

/// What a request must produce; an absent field is not checked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expectation {
    /// The status code the client receives.
    pub status: Option<u16>,
    /// Whose certificate the gateway validated.
    pub validated: Option<ExpectedHop>,
    /// The execution log's failure line (text after `<date> : `).
    pub error: Option<TextMatch>,
    /// A substring of the body the client receives.
    pub body_contains: Option<String>,
    /// The target the request must reach (`target:<name>` in the trace).
    pub target: Option<String>,
    /// Expectations that apply only when the request reaches the named target, for target
    /// groups whose flow hash picks one target per connection.
    pub per_target: Vec<(String, Expectation)>,
}

/// Whose certificate the gateway validated, as an expectation names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedHop {
    /// No certificate was validated (plain HTTP, or no TLS session started).
    None,
    /// An NLB listener's (`nlb:<name>:<port>`).
    NlbListener {
        /// NLB name.
        nlb: String,
        /// Listener port.
        port: u16,
    },
    /// A target's (`target:<name>`).
    Target {
        /// Target name.
        name: String,
    },
}

impl std::fmt::Display for ExpectedHop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExpectedHop::None => f.write_str("none"),
            ExpectedHop::NlbListener { nlb, port } => write!(f, "nlb:{nlb}:{port}"),
            ExpectedHop::Target { name } => write!(f, "target:{name}"),
        }
    }
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
    /// The file, as given to [`crate::load`] (`<string>` for [`crate::from_toml`] without a name).
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
