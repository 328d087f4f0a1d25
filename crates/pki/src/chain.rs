//! The certificates a server sends when it serves a leaf, per the leaf's `chain` setting.

use hoplab_scenario::{ChainSent, Leaf, LeafIssuer};
use rustls::pki_types::CertificateDer;

use crate::PkiError;

/// A generated authority, as chain building needs it.
#[derive(Debug, Clone)]
pub(crate) struct IssuedAuthority {
    pub(crate) name: String,
    pub(crate) issuer: Option<String>,
    pub(crate) der: CertificateDer<'static>,
    pub(crate) trusted: bool,
}

/// Every certificate generated so far, by name.
pub(crate) struct Catalog<'a> {
    pub(crate) authorities: &'a [IssuedAuthority],
    pub(crate) leaves: &'a [(String, CertificateDer<'static>)],
}

impl Catalog<'_> {
    fn authority(&self, name: &str) -> Option<&IssuedAuthority> {
        self.authorities.iter().find(|a| a.name == name)
    }

    fn any(&self, name: &str) -> Option<&CertificateDer<'static>> {
        self.authority(name).map(|a| &a.der).or_else(|| {
            self.leaves
                .iter()
                .find(|(leaf, _)| leaf == name)
                .map(|(_, der)| der)
        })
    }

    /// The leaf's issuers up to the root: `(intermediates leaf-side first, root)`.
    ///
    /// A self-signed leaf has neither.
    fn issuers(
        &self,
        leaf: &Leaf,
    ) -> Result<(Vec<&IssuedAuthority>, Option<&IssuedAuthority>), PkiError> {
        let LeafIssuer::Authority(first) = &leaf.issuer else {
            return Ok((Vec::new(), None));
        };
        let mut intermediates = Vec::new();
        let mut current = first;
        // Each step climbs one authority, so a path longer than the authority list loops.
        for _ in 0..=self.authorities.len() {
            let authority = self
                .authority(current)
                .ok_or_else(|| PkiError::UnknownIssuer {
                    name: leaf.name.clone(),
                    issuer: current.clone(),
                })?;
            match &authority.issuer {
                None => return Ok((intermediates, Some(authority))),
                Some(next) => {
                    intermediates.push(authority);
                    current = next;
                }
            }
        }
        Err(PkiError::IssuerCycle {
            name: leaf.name.clone(),
        })
    }

    /// What a server serving `leaf` sends, in send order.
    pub(crate) fn chain_sent(
        &self,
        leaf: &Leaf,
        leaf_der: &CertificateDer<'static>,
    ) -> Result<Vec<CertificateDer<'static>>, PkiError> {
        let ders = |authorities: &[&IssuedAuthority]| {
            authorities
                .iter()
                .map(|a| a.der.clone())
                .collect::<Vec<_>>()
        };
        let mut chain = vec![leaf_der.clone()];
        match &leaf.chain {
            ChainSent::Leaf => {}
            ChainSent::LeafAndIntermediates => {
                let (intermediates, _) = self.issuers(leaf)?;
                chain.extend(ders(&intermediates));
            }
            ChainSent::LeafIntermediatesAndRoot => {
                let (mut path, root) = self.issuers(leaf)?;
                path.extend(root);
                chain.extend(ders(&path));
            }
            ChainSent::LeafAndReversedIntermediates => {
                let (mut intermediates, _) = self.issuers(leaf)?;
                intermediates.reverse();
                chain.extend(ders(&intermediates));
            }
            ChainSent::Explicit(names) => {
                chain = names
                    .iter()
                    .map(|entry| {
                        self.any(entry)
                            .cloned()
                            .ok_or_else(|| PkiError::UnknownChainEntry {
                                name: leaf.name.clone(),
                                entry: entry.clone(),
                            })
                    })
                    .collect::<Result<_, _>>()?;
            }
        }
        Ok(chain)
    }
}
