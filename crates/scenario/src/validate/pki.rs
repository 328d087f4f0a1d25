//! `[authorities]` and `[certificates]` → [`Pki`].

use std::ops::Range;

use time::{Duration, OffsetDateTime};
use toml::Spanned;

use super::values::{Problem, check_dns_name, one_of_names, parse_ip};
use super::{Cx, Index, dangling, field};
use crate::ids::{AuthorityId, CertId, CertRef};
use crate::model::{
    Authority, ChainPreset, ChainSent, DnsNameConstraints, KeyType, Leaf, LeafIssuer, Pki,
    SignatureHash, TimeSpec, Validity, ValidityDefaults,
};
use crate::raw::{RawAuthority, RawCertificate, RawChain, RawScenario, RawTime};

pub(super) fn convert(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    index: &Index<'_>,
    now: Option<OffsetDateTime>,
) -> Pki {
    let authorities: Vec<Authority> = raw
        .authorities
        .0
        .iter()
        .enumerate()
        .map(|(i, (name, authority))| {
            convert_authority(cx, index, now, AuthorityId::new(i), name, authority)
        })
        .collect();
    let issuer_order = order_authorities(cx, raw, &authorities);
    let certificates = raw
        .certificates
        .0
        .iter()
        .enumerate()
        .map(|(i, (name, certificate))| {
            convert_certificate(cx, index, now, CertId::new(i), name, certificate)
        })
        .collect::<Vec<Leaf>>();
    check_signing_keys(cx, raw, &authorities, &certificates);
    Pki {
        authorities,
        issuer_order,
        certificates,
    }
}

/// Keys the generator cannot use as written: a leaf with a 1024-bit RSA key (rustls cannot sign
/// a handshake with one), and a `signature_hash` the signing key does not sign with.
fn check_signing_keys(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    authorities: &[Authority],
    certificates: &[Leaf],
) {
    let authority_key = |id: Option<AuthorityId>| id.map(|id| authorities[id.index()].key);
    for ((name, raw_authority), authority) in raw.authorities.0.iter().zip(authorities) {
        let signer = authority_key(authority.issuer).unwrap_or(authority.key);
        let written = raw_authority.get_ref().signature_hash.as_ref();
        check_hash(
            cx,
            &field("authorities", name.get_ref()),
            written,
            authority.signature_hash,
            signer,
        );
    }
    for ((name, raw_leaf), leaf) in raw.certificates.0.iter().zip(certificates) {
        let f = field("certificates", name.get_ref());
        let c = raw_leaf.get_ref();
        if let (KeyType::Rsa1024, Some(key)) = (leaf.key, &c.key) {
            cx.error(
                key.span(),
                format!("{f}.key"),
                "a server cannot present a certificate with a 1024-bit RSA key here: rustls, \
                 which serves every hop's TLS, refuses to sign a handshake with it",
                Some(
                    "use rsa-2048 or larger here; give rsa-1024 to an authority to see how API \
                     Gateway treats a small key in the chain"
                        .into(),
                ),
            );
        }
        let signer = match leaf.issuer {
            LeafIssuer::Authority(id) => authority_key(Some(id)).unwrap_or(leaf.key),
            LeafIssuer::SelfSigned => leaf.key,
        };
        check_hash(
            cx,
            &f,
            c.signature_hash.as_ref(),
            leaf.signature_hash,
            signer,
        );
    }
}

/// Reports a `signature_hash` that the signing key `signer` cannot sign with.
fn check_hash(
    cx: &mut Cx<'_>,
    f: &str,
    written: Option<&Spanned<String>>,
    hash: Option<SignatureHash>,
    signer: KeyType,
) {
    let (Some(written), Some(hash)) = (written, hash) else {
        return;
    };
    let rsa = signer.rsa_bits().is_some();
    let fits = match hash {
        SignatureHash::Sha1 => rsa,
        SignatureHash::Sha256 => rsa || signer == KeyType::EcdsaP256,
    };
    if !fits {
        cx.error(
            written.span(),
            format!("{f}.signature_hash"),
            format!(
                "the signing key is {}, which cannot sign with {}",
                signer.as_str(),
                hash.as_str()
            ),
            Some(
                "sha1 needs an RSA signing key (the issuer's, or its own when self-signed); \
                 sha256 an RSA or ecdsa-p256 one"
                    .into(),
            ),
        );
    }
}

fn convert_authority(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    now: Option<OffsetDateTime>,
    id: AuthorityId,
    name: &Spanned<String>,
    authority: &Spanned<RawAuthority>,
) -> Authority {
    let f = field("authorities", name.get_ref());
    let a = authority.get_ref();
    let issuer = a
        .issuer
        .as_ref()
        .and_then(|issuer| check_authority_ref(cx, index, issuer, format!("{f}.issuer")));
    let key = cx.enum_or(
        a.key.as_ref(),
        format!("{f}.key"),
        "key type",
        KeyType::ALL,
        KeyType::default(),
    );
    let validity = validity(
        cx,
        now,
        &f,
        name.span(),
        a.not_before.as_ref(),
        a.not_after.as_ref(),
        Duration::days(3650),
    );
    let name_constraints = DnsNameConstraints {
        permitted: subtrees(cx, &f, "permitted_dns_names", &a.permitted_dns_names),
        excluded: subtrees(cx, &f, "excluded_dns_names", &a.excluded_dns_names),
    };
    Authority {
        id,
        name: name.get_ref().clone(),
        issuer,
        common_name: a
            .common_name
            .clone()
            .unwrap_or_else(|| name.get_ref().clone()),
        key,
        validity,
        defaulted: ValidityDefaults {
            not_before: a.not_before.is_none(),
            not_after: a.not_after.is_none(),
        },
        basic_constraints_ca: a.basic_constraints_ca,
        key_cert_sign: a.key_cert_sign,
        trusted: a.trusted,
        signature_hash: signature_hash(cx, &f, a.signature_hash.as_ref()),
        name_constraints,
    }
}

/// The `signature_hash` written, if any; whether the signing key can use it is checked once
/// every key is known ([`check_signature_hashes`]).
fn signature_hash(
    cx: &mut Cx<'_>,
    f: &str,
    value: Option<&Spanned<String>>,
) -> Option<SignatureHash> {
    let text = value?;
    cx.enum_required(
        text,
        format!("{f}.signature_hash"),
        "signature hash",
        SignatureHash::ALL,
    )
}

/// DNS subtrees of a nameConstraints list: DNS names without wildcards or a leading dot
/// (the JDK reads a subtree `example.com` as that name and every name below it).
fn subtrees(cx: &mut Cx<'_>, f: &str, key: &str, names: &[Spanned<String>]) -> Vec<String> {
    let mut kept = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let text = name.get_ref();
        let problem = check_dns_name(text).err().or_else(|| {
            (text.starts_with('.') || text.contains('*')).then(|| {
                Problem::new(
                    format!("{text:?} is not a DNS subtree"),
                    "write the domain itself, such as \"example.internal\": it covers that name \
                     and every name below it",
                )
            })
        });
        match problem {
            Some(problem) => cx.problem(name.span(), format!("{f}.{key}[{i}]"), problem),
            None => kept.push(text.to_ascii_lowercase()),
        }
    }
    kept
}

/// The authority `issuer` names; reports it when it names none.
fn check_authority_ref(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    issuer: &Spanned<String>,
    field: String,
) -> Option<AuthorityId> {
    let name = issuer.get_ref();
    if let Some(id) = index.authority(name) {
        return Some(id);
    }
    if index.is_certificate(name) {
        cx.error(
            issuer.span(),
            field,
            format!("{name:?} is a leaf certificate, not an authority"),
            Some(one_of_names(
                "authorities",
                index.authorities.iter().copied(),
            )),
        );
    } else {
        dangling(cx, issuer, field, "authorities", &index.authorities);
    }
    None
}

/// Reports issuer cycles, then orders authorities so that every issuer precedes what it
/// signs (file order otherwise).
fn order_authorities(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    authorities: &[Authority],
) -> Vec<AuthorityId> {
    let parent: Vec<Option<usize>> = authorities
        .iter()
        .map(|a| a.issuer.map(AuthorityId::index))
        .collect();

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum State {
        New,
        OnWalk,
        Done,
    }
    let mut state = vec![State::New; authorities.len()];
    let mut cyclic = false;
    for start in 0..authorities.len() {
        let mut walk = Vec::new();
        let mut current = Some(start);
        while let Some(i) = current {
            if state[i] != State::New {
                break;
            }
            state[i] = State::OnWalk;
            walk.push(i);
            current = parent[i];
        }
        if let Some(i) = current.filter(|&i| state[i] == State::OnWalk) {
            cyclic = true;
            let from = walk.iter().position(|&w| w == i).unwrap_or(0);
            report_cycle(cx, raw, authorities, &walk[from..]);
        }
        for w in walk {
            state[w] = State::Done;
        }
    }
    if cyclic {
        return authorities.iter().map(|a| a.id).collect();
    }

    let mut emitted = vec![false; authorities.len()];
    let mut order = Vec::with_capacity(authorities.len());
    for start in 0..authorities.len() {
        let mut chain = Vec::new();
        let mut current = Some(start);
        while let Some(i) = current {
            if emitted[i] {
                break;
            }
            emitted[i] = true;
            chain.push(i);
            current = parent[i];
        }
        order.extend(chain.into_iter().rev());
    }
    check_depth(cx, raw, authorities, &parent, &order);
    order.into_iter().map(AuthorityId::new).collect()
}

/// Reports the first authority (in issuer order) with more than [`crate::MAX_AUTHORITY_DEPTH`]
/// authorities above it, at its `issuer`.
fn check_depth(
    cx: &mut Cx<'_>,
    raw: &RawScenario,
    authorities: &[Authority],
    parent: &[Option<usize>],
    order: &[usize],
) {
    let mut depth = vec![0usize; authorities.len()];
    for &i in order {
        depth[i] = parent[i].map_or(0, |p| depth[p] + 1);
        if depth[i] > crate::MAX_AUTHORITY_DEPTH {
            let (span, issuer_field) = issuer_at(raw, i);
            cx.error(
                span,
                issuer_field,
                format!(
                    "authority has more than {} authorities above it",
                    crate::MAX_AUTHORITY_DEPTH
                ),
                Some(format!(
                    "a hierarchy may be at most {} authorities deep below its root",
                    crate::MAX_AUTHORITY_DEPTH
                )),
            );
            return;
        }
    }
}

/// Where an error about authority `i`'s issuer is reported: its `issuer` value (its name
/// when it has none), and the field path of `issuer`.
fn issuer_at(raw: &RawScenario, i: usize) -> (Range<usize>, String) {
    let (name, authority) = &raw.authorities.0[i];
    let span = authority
        .get_ref()
        .issuer
        .as_ref()
        .map_or_else(|| name.span(), Spanned::span);
    (
        span,
        format!("{}.issuer", field("authorities", name.get_ref())),
    )
}

/// Reports one issuer cycle at the issuer of its first member in file order.
fn report_cycle(cx: &mut Cx<'_>, raw: &RawScenario, authorities: &[Authority], cycle: &[usize]) {
    let Some(first_at) = cycle
        .iter()
        .enumerate()
        .min_by_key(|(_, i)| **i)
        .map(|(at, _)| at)
    else {
        return;
    };
    let first = cycle[first_at];
    let mut names: Vec<&str> = cycle[first_at..]
        .iter()
        .chain(&cycle[..first_at])
        .map(|&i| authorities[i].name.as_str())
        .collect();
    names.push(authorities[first].name.as_str());
    let (span, issuer_field) = issuer_at(raw, first);
    cx.error(
        span,
        issuer_field,
        format!("authority issuer cycle: {}", names.join(" -> ")),
        Some("a chain must end at a root: remove `issuer` from one of these authorities".into()),
    );
}

fn convert_certificate(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    now: Option<OffsetDateTime>,
    id: CertId,
    name: &Spanned<String>,
    certificate: &Spanned<RawCertificate>,
) -> Leaf {
    let f = field("certificates", name.get_ref());
    let c = certificate.get_ref();
    if let Some(chain_file) = &c.pem_chain {
        return super::pem::convert_pem_certificate(cx, &f, id, name, certificate, chain_file);
    }
    if let Some(key_file) = &c.pem_key {
        cx.error(
            key_file.span(),
            format!("{f}.pem_key"),
            "`pem_key` needs `pem_chain`",
            Some(
                "set `pem_chain` to the PEM file with the certificate chain, or remove `pem_key`"
                    .into(),
            ),
        );
    }
    if index.is_authority(name.get_ref()) {
        cx.error(
            name.span(),
            f.clone(),
            format!("{:?} is already the name of an authority", name.get_ref()),
            Some(
                "authorities and certificates share one namespace (a chain names either): rename one"
                    .into(),
            ),
        );
    }

    let self_signed = c.self_signed.as_ref().filter(|s| *s.get_ref());
    let issuer = match (&c.issuer, self_signed) {
        (Some(_), Some(flag)) => {
            cx.error(
                flag.span(),
                format!("{f}.self_signed"),
                "a certificate cannot have both an issuer and self_signed = true",
                Some(
                    "remove `issuer` for a self-signed certificate, or remove `self_signed`".into(),
                ),
            );
            LeafIssuer::SelfSigned
        }
        (Some(issuer), None) => {
            match check_authority_ref(cx, index, issuer, format!("{f}.issuer")) {
                Some(authority) => LeafIssuer::Authority(authority),
                // Reported; the placeholder is never seen.
                None => LeafIssuer::SelfSigned,
            }
        }
        (None, Some(_)) => LeafIssuer::SelfSigned,
        (None, None) => {
            let authorities = one_of_names("authorities", index.authorities.iter().copied());
            cx.error(
                name.span(),
                format!("{f}.issuer"),
                "certificate has no issuer",
                Some(format!(
                    "set `issuer` to an authority ({authorities}) or set `self_signed = true`"
                )),
            );
            LeafIssuer::SelfSigned
        }
    };

    for (i, dns_name) in c.dns_names.iter().enumerate() {
        if let Err(problem) = check_dns_name(dns_name.get_ref()) {
            cx.problem(dns_name.span(), format!("{f}.dns_names[{i}]"), problem);
        }
    }
    let ip_addresses = c
        .ip_addresses
        .iter()
        .enumerate()
        .filter_map(|(i, ip)| match parse_ip(ip.get_ref()) {
            Ok(ip) => Some(ip),
            Err(problem) => {
                cx.problem(ip.span(), format!("{f}.ip_addresses[{i}]"), problem);
                None
            }
        })
        .collect();

    let key = cx.enum_or(
        c.key.as_ref(),
        format!("{f}.key"),
        "key type",
        KeyType::ALL,
        KeyType::default(),
    );
    let validity = validity(
        cx,
        now,
        &f,
        name.span(),
        c.not_before.as_ref(),
        c.not_after.as_ref(),
        Duration::days(90),
    );
    let chain = match &c.chain {
        None => ChainSent::default(),
        Some(chain) => convert_chain(cx, index, &f, chain),
    };

    Leaf {
        id,
        name: name.get_ref().clone(),
        issuer,
        common_name: c.common_name.clone(),
        dns_names: c.dns_names.iter().map(|d| d.get_ref().clone()).collect(),
        ip_addresses,
        key,
        validity,
        basic_constraints_ca: c.basic_constraints_ca,
        key_cert_sign: c.key_cert_sign,
        chain,
        pem: None,
        signature_hash: signature_hash(cx, &f, c.signature_hash.as_ref()),
    }
}

fn convert_chain(
    cx: &mut Cx<'_>,
    index: &Index<'_>,
    f: &str,
    chain: &Spanned<RawChain>,
) -> ChainSent {
    match chain.get_ref() {
        RawChain::Preset(preset) => match ChainPreset::from_spelling(preset) {
            Some(preset) => ChainSent::Preset(preset),
            None => {
                let spellings: Vec<&str> = ChainPreset::ALL.iter().map(|(s, _)| *s).collect();
                cx.error(
                    chain.span(),
                    format!("{f}.chain"),
                    format!("unknown chain {preset:?}"),
                    Some(format!(
                        "{}, or an array of certificate and authority names",
                        super::values::one_of_spellings(&spellings)
                    )),
                );
                ChainSent::default()
            }
        },
        RawChain::Explicit(names) => {
            if names.is_empty() {
                cx.error(
                    chain.span(),
                    format!("{f}.chain"),
                    "chain is empty: a server must send at least one certificate",
                    Some("list certificate and authority names in send order, leaf first".into()),
                );
            }
            if names.len() > crate::MAX_CHAIN_LENGTH {
                cx.error(
                    chain.span(),
                    format!("{f}.chain"),
                    format!("chain lists {} certificates", names.len()),
                    Some(format!(
                        "a chain may list at most {} certificates",
                        crate::MAX_CHAIN_LENGTH
                    )),
                );
                return ChainSent::default();
            }
            let mut entries = Vec::with_capacity(names.len());
            for (i, name) in names.iter().enumerate() {
                let n = name.get_ref();
                // A name that is both is an error reported with the certificate.
                match (index.authority(n), index.certificate(n)) {
                    (Some(authority), _) => entries.push(CertRef::Authority(authority)),
                    (None, Some(leaf)) => entries.push(CertRef::Leaf(leaf)),
                    (None, None) => {
                        let all: Vec<&str> = index
                            .certificates
                            .iter()
                            .chain(&index.authorities)
                            .copied()
                            .collect();
                        super::dangling(
                            cx,
                            name,
                            format!("{f}.chain[{i}]"),
                            "certificates or authorities",
                            &all,
                        );
                    }
                }
            }
            ChainSent::Explicit(entries)
        }
    }
}

/// Parses a validity window (defaults `-1d` and `default_after`) and checks that it is not
/// inverted and that it resolves against a pinned clock.
fn validity(
    cx: &mut Cx<'_>,
    now: Option<OffsetDateTime>,
    f: &str,
    name_span: Range<usize>,
    not_before: Option<&Spanned<RawTime>>,
    not_after: Option<&Spanned<RawTime>>,
    default_after: Duration,
) -> Validity {
    let before = cx.time_or(
        not_before,
        format!("{f}.not_before"),
        TimeSpec::Relative(Duration::days(-1)),
    );
    let after = cx.time_or(
        not_after,
        format!("{f}.not_after"),
        TimeSpec::Relative(default_after),
    );
    let span_of = |t: Option<&Spanned<RawTime>>| t.map_or(name_span.clone(), |t| t.span());

    let resolve = |t: TimeSpec| match (t, now) {
        (TimeSpec::Absolute(t), _) => Some(t),
        (TimeSpec::Relative(d), Some(now)) => now.checked_add(d),
        (TimeSpec::Relative(_), None) => None,
    };
    for (t, which, raw) in [
        (before, "not_before", not_before),
        (after, "not_after", not_after),
    ] {
        let unrepresentable =
            matches!(t, TimeSpec::Relative(_)) && now.is_some() && resolve(t).is_none();
        if let (true, Some(now)) = (unrepresentable, now) {
            cx.error(
                span_of(raw),
                format!("{f}.{which}"),
                format!("{which} is outside the representable range from the clock {now}"),
                Some("expected an offset that stays within the years 0000 to 9999".into()),
            );
        }
    }
    let inverted = match (before, after) {
        (TimeSpec::Relative(b), TimeSpec::Relative(a)) => a < b,
        _ => matches!((resolve(before), resolve(after)), (Some(b), Some(a)) if a < b),
    };
    if inverted {
        // Point at what is written: not_after, else not_before, else the name.
        let which = if not_after.is_some() || not_before.is_none() {
            "not_after"
        } else {
            "not_before"
        };
        cx.error(
            span_of(not_after.or(not_before)),
            format!("{f}.{which}"),
            "not_after is earlier than not_before",
            Some("expected a not_after later than not_before".into()),
        );
    }
    Validity {
        not_before: before,
        not_after: after,
    }
}
