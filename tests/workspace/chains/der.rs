//! Just enough DER to edit what rcgen wrote: tag-length-value encoding, and a
//! TBSCertificate split into its fields so fields and extensions can be replaced.

/// A universal or context tag and its content.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already encoded parts.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// An OBJECT IDENTIFIER.
pub(crate) fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut content = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut bytes = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            bytes.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        bytes.reverse();
        content.extend(bytes);
    }
    tlv(0x06, &content)
}

/// NULL.
pub(crate) fn null() -> Vec<u8> {
    vec![0x05, 0x00]
}

/// A BIT STRING with no unused bits.
pub(crate) fn bit_string(bytes: &[u8]) -> Vec<u8> {
    let mut content = vec![0];
    content.extend_from_slice(bytes);
    tlv(0x03, &content)
}

/// An OCTET STRING.
pub(crate) fn octet_string(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

/// A small non-negative INTEGER.
pub(crate) fn integer(n: u64) -> Vec<u8> {
    let mut bytes: Vec<u8> = n
        .to_be_bytes()
        .iter()
        .copied()
        .skip_while(|b| *b == 0)
        .collect();
    if bytes.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.insert(0, 0);
    }
    tlv(0x02, &bytes)
}

/// BOOLEAN TRUE.
pub(crate) fn true_() -> Vec<u8> {
    vec![0x01, 0x01, 0xff]
}

/// Reads one element: (tag, content, whole encoding, rest).
pub(crate) fn read(input: &[u8]) -> (u8, &[u8], &[u8], &[u8]) {
    let tag = input[0];
    let (len, header) = match input[1] {
        n if n < 0x80 => (n as usize, 2),
        n => {
            let count = (n & 0x7f) as usize;
            let len = input[2..2 + count]
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | *b as usize);
            (len, 2 + count)
        }
    };
    let end = header + len;
    (tag, &input[header..end], &input[..end], &input[end..])
}

/// The elements of a constructed content, whole.
pub(crate) fn elements(mut content: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (_, _, whole, rest) = read(content);
        out.push(whole.to_vec());
        content = rest;
    }
    out
}

/// A certificate's three parts.
pub(crate) fn split_certificate(der: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (_, content, _, _) = read(der);
    let parts = elements(content);
    (parts[0].clone(), parts[1].clone(), parts[2].clone())
}

/// A TBSCertificate, field by field (each field is its whole encoding).
#[derive(Debug, Clone)]
pub(crate) struct Tbs {
    pub(crate) version: Option<Vec<u8>>,
    pub(crate) serial: Vec<u8>,
    pub(crate) signature: Vec<u8>,
    pub(crate) issuer: Vec<u8>,
    pub(crate) validity: Vec<u8>,
    pub(crate) subject: Vec<u8>,
    pub(crate) spki: Vec<u8>,
    /// Each Extension, whole.
    pub(crate) extensions: Vec<Vec<u8>>,
}

impl Tbs {
    /// Splits a TBSCertificate rcgen wrote.
    pub(crate) fn parse(tbs: &[u8]) -> Tbs {
        let (_, content, _, _) = read(tbs);
        let mut fields = elements(content).into_iter().peekable();
        let version = fields.next_if(|f| f[0] == 0xa0);
        let serial = fields.next().expect("serial");
        let signature = fields.next().expect("signature");
        let issuer = fields.next().expect("issuer");
        let validity = fields.next().expect("validity");
        let subject = fields.next().expect("subject");
        let spki = fields.next().expect("spki");
        let extensions = match fields.next() {
            Some(exts) if exts[0] == 0xa3 => {
                let (_, wrapped, _, _) = read(&exts);
                let (_, list, _, _) = read(wrapped);
                elements(list)
            }
            _ => Vec::new(),
        };
        Tbs {
            version,
            serial,
            signature,
            issuer,
            validity,
            subject,
            spki,
            extensions,
        }
    }

    /// Encodes it again; a version 1 certificate (no version field) has no extensions.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut parts: Vec<&[u8]> = Vec::new();
        if let Some(v) = &self.version {
            parts.push(v);
        }
        parts.extend([
            self.serial.as_slice(),
            &self.signature,
            &self.issuer,
            &self.validity,
            &self.subject,
            &self.spki,
        ]);
        let exts;
        if self.version.is_some() && !self.extensions.is_empty() {
            exts = tlv(
                0xa3,
                &seq(&self
                    .extensions
                    .iter()
                    .map(Vec::as_slice)
                    .collect::<Vec<_>>()),
            );
            parts.push(&exts);
        }
        seq(&parts)
    }

    /// Marks the extension whose OID is `arcs` critical.
    pub(crate) fn set_critical(&mut self, arcs: &[u64]) {
        let id = oid(arcs);
        for ext in &mut self.extensions {
            if extension_has_oid(ext, &id) {
                let (_, content, _, _) = read(ext);
                let parts = elements(content);
                let value = parts.last().expect("extnValue").clone();
                *ext = seq(&[&id, &true_(), &value]);
            }
        }
    }

    /// Drops the extensions whose OID is `arcs`.
    pub(crate) fn remove_extension(&mut self, arcs: &[u64]) {
        let id = oid(arcs);
        self.extensions.retain(|e| !extension_has_oid(e, &id));
    }
}

/// An Extension.
pub(crate) fn extension(arcs: &[u64], critical: bool, value: &[u8]) -> Vec<u8> {
    let id = oid(arcs);
    let crit = true_();
    let wrapped = octet_string(value);
    let mut parts: Vec<&[u8]> = vec![&id];
    if critical {
        parts.push(&crit);
    }
    parts.push(&wrapped);
    seq(&parts)
}

fn extension_has_oid(ext: &[u8], id: &[u8]) -> bool {
    let (_, content, _, _) = read(ext);
    content.starts_with(id)
}
