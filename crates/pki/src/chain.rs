//! The certificates a server sends when it serves a leaf, per the leaf's `chain` setting.

use hoplab_scenario::{AuthorityId, CertRef, ChainPreset, ChainSent, Leaf, LeafIssuer};
use rustls::pki_types::CertificateDer;

/// A generated authority, as chain building needs it.
#[derive(Debug, Clone)]
pub(crate) struct IssuedAuthority {
    pub(crate) issuer: Option<AuthorityId>,
    pub(crate) name: String,
    pub(crate) der: CertificateDer<'static>,
    pub(crate) trusted: bool,
}

/// Every certificate generated so far.
pub(crate) struct Catalog<'a> {
    /// In issuer order.
    pub(crate) authorities: &'a [IssuedAuthority],
    /// Where each authority is in `authorities`, by id.
    pub(crate) authority_at: &'a [usize],
    /// By leaf id.
    pub(crate) leaves: &'a [CertificateDer<'static>],
}

impl Catalog<'_> {
    fn authority(&self, id: AuthorityId) -> &IssuedAuthority {
        &self.authorities[self.authority_at[id.index()]]
    }

    fn der(&self, cert: CertRef) -> CertificateDer<'static> {
        match cert {
            CertRef::Authority(id) => self.authority(id).der.clone(),
            CertRef::Leaf(id) => self.leaves[id.index()].clone(),
        }
    }

    /// The leaf's issuers up to the root: `(intermediates leaf-side first, root)`. A
    /// self-signed leaf has neither; validation rules out issuer cycles, so the climb ends.
    fn issuers(&self, leaf: &Leaf) -> (Vec<&IssuedAuthority>, Option<&IssuedAuthority>) {
        let LeafIssuer::Authority(first) = leaf.issuer() else {
            return (Vec::new(), None);
        };
        let mut intermediates = Vec::new();
        let mut current = self.authority(first);
        while let Some(next) = current.issuer {
            intermediates.push(current);
            current = self.authority(next);
        }
        (intermediates, Some(current))
    }

    /// What a server serving `leaf` sends, in send order.
    pub(crate) fn chain_sent(
        &self,
        leaf: &Leaf,
        leaf_der: &CertificateDer<'static>,
    ) -> Vec<CertificateDer<'static>> {
        let ders = |authorities: &[&IssuedAuthority]| {
            authorities
                .iter()
                .map(|a| a.der.clone())
                .collect::<Vec<_>>()
        };
        let mut chain = vec![leaf_der.clone()];
        match leaf.chain() {
            ChainSent::Preset(ChainPreset::Leaf) => {}
            ChainSent::Preset(ChainPreset::LeafAndIntermediates) => {
                let (intermediates, _) = self.issuers(leaf);
                chain.extend(ders(&intermediates));
            }
            ChainSent::Preset(ChainPreset::LeafIntermediatesAndRoot) => {
                let (mut path, root) = self.issuers(leaf);
                path.extend(root);
                chain.extend(ders(&path));
            }
            ChainSent::Preset(ChainPreset::LeafAndReversedIntermediates) => {
                let (mut intermediates, _) = self.issuers(leaf);
                intermediates.reverse();
                chain.extend(ders(&intermediates));
            }
            ChainSent::Explicit(entries) => {
                chain = entries.iter().map(|entry| self.der(*entry)).collect();
            }
        }
        chain
    }
}
