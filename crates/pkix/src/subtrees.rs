//! General names as the JDK compares them for name constraints (`GeneralNameInterface
//! .constrains` of `DNSName`, `IPAddressName` and `X500Name`), and the JDK's operations on
//! lists of subtrees (`GeneralSubtrees.minimize`, `intersect`, `union`, `reduce`).
//!
//! These are copied rule for rule, quirks included, because the JDK's answers depend on them:
//! an IPv4 host "inside" an IPv6 subnet, two IP subnets of different families compared as a
//! host and a subnet, and comparisons that throw (an index past the end of an array or a
//! string) instead of answering. A throw is a [`JavaException`]: it escapes the trust manager,
//! and the handshake reports its `toString()`.

/// What the JDK throws when it compares an empty dNSName with a DNS subtree, the commonest
/// of its exceptions here.
pub(crate) const EMPTY_DNS_NAME: &str =
    "java.lang.StringIndexOutOfBoundsException: String index out of range: 0";

/// A name form, as a constraint subtree or as a name of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GeneralName {
    /// A dNSName, as written.
    Dns(String),
    /// An iPAddress: 4 or 16 bytes for a host, 8 or 32 (address then mask) for a subnet.
    Ip(Vec<u8>),
    /// A directoryName, as its RDNs of (OID, lower-cased value) pairs.
    Directory(Vec<Vec<(String, String)>>),
    /// A form this crate does not compare (email, URI, ...): it constrains nothing here.
    Other,
}

/// `GeneralNameInterface.constrains`: how an input name relates to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relation {
    /// The input is of another form.
    DiffType,
    /// The input is this name.
    Match,
    /// The input lies inside this name's subtree.
    Narrows,
    /// This name lies inside the input's subtree.
    Widens,
    /// Same form, neither inside the other.
    SameType,
}

/// A runtime exception the JDK throws instead of answering, as `Throwable.toString()` prints
/// it: JSSE ends the handshake with an `SSLException` whose message is that text (measured
/// with the oracle's handshake mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JavaException(pub(crate) String);

impl JavaException {
    /// `String.charAt` past the end.
    fn string_index(index: usize) -> Self {
        JavaException(format!(
            "java.lang.StringIndexOutOfBoundsException: String index out of range: {index}"
        ))
    }

    /// An array read past the end.
    fn array_index(index: usize, length: usize) -> Self {
        JavaException(format!(
            "java.lang.ArrayIndexOutOfBoundsException: Index {index} out of bounds for length {length}"
        ))
    }
}

impl GeneralName {
    /// `constrains(input)`: `Err` when the JDK's comparison throws.
    pub(crate) fn constrains(&self, input: &GeneralName) -> Result<Relation, JavaException> {
        match (self, input) {
            (GeneralName::Dns(this), GeneralName::Dns(other)) => dns_constrains(this, other),
            (GeneralName::Ip(this), GeneralName::Ip(other)) => ip_constrains(this, other),
            (GeneralName::Directory(this), GeneralName::Directory(other)) => {
                Ok(directory_constrains(this, other))
            }
            _ => Ok(Relation::DiffType),
        }
    }

    /// Whether two names are of the same form (`getType()`).
    fn same_type(&self, other: &GeneralName) -> bool {
        !matches!(self, GeneralName::Other)
            && std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// `createWidestSubtree`: a name of the same form that contains every other one. For a
    /// dNSName or an iPAddress the JDK's own constructors refuse what it builds and it throws.
    fn widest(&self) -> Result<GeneralName, JavaException> {
        match self {
            GeneralName::Dns(_) => Err(JavaException(
                "java.lang.RuntimeException: Unexpected error: java.io.IOException: \
                 DNSName must not be null or empty"
                    .to_owned(),
            )),
            GeneralName::Ip(_) => Err(JavaException(
                "java.lang.NullPointerException: Cannot read the array length because \
                 \"address\" is null"
                    .to_owned(),
            )),
            GeneralName::Directory(_) => Ok(GeneralName::Directory(Vec::new())),
            GeneralName::Other => Ok(GeneralName::Other),
        }
    }
}

/// `DNSName.constrains`, case-insensitive; an empty name on either side of a suffix test
/// makes it read the first character of an empty string.
fn dns_constrains(this: &str, input: &str) -> Result<Relation, JavaException> {
    let this = this.to_lowercase();
    let input = input.to_lowercase();
    Ok(if input == this {
        Relation::Match
    } else if this.ends_with(&input) {
        label_suffix(&this, &input, Relation::Widens)?
    } else if input.ends_with(&this) {
        label_suffix(&input, &this, Relation::Narrows)?
    } else {
        Relation::SameType
    })
}

/// `longer` ends with `shorter`: `inside` when the suffix starts after a dot, or `shorter`
/// starts with one, but not both; reading the first character of an empty `shorter` throws.
fn label_suffix(longer: &str, shorter: &str, inside: Relation) -> Result<Relation, JavaException> {
    let dot_before = longer.as_bytes()[longer.len() - shorter.len() - 1] == b'.';
    let starts_with_dot = shorter
        .chars()
        .next()
        .map(|c| c == '.')
        .ok_or_else(|| JavaException::string_index(0))?;
    Ok(if dot_before ^ starts_with_dot {
        inside
    } else {
        Relation::SameType
    })
}

/// `IPAddressName.equals`: subnets compare their masked addresses and masks, hosts their
/// bytes.
fn ip_equals(this: &[u8], other: &[u8]) -> bool {
    if this.len() != other.len() {
        return false;
    }
    if this.len() == 8 || this.len() == 32 {
        let half = this.len() / 2;
        (0..half).all(|i| this[i] & this[i + half] == other[i] & other[i + half])
            && this[half..] == other[half..]
    } else {
        this == other
    }
}

/// `IPAddressName.constrains`. Lengths are not checked against each other: an IPv6 host is
/// compared with an IPv4 subnet on its first four bytes, and an IPv4 host with an IPv6
/// subnet (or an IPv4 subnet with an IPv6 one) reads past its end when its bytes all match.
fn ip_constrains(this: &[u8], other: &[u8]) -> Result<Relation, JavaException> {
    let subnet = |len: usize| len == 8 || len == 32;
    if ip_equals(other, this) {
        return Ok(Relation::Match);
    }
    if other.len() == 4 && this.len() == 4 {
        return Ok(Relation::SameType);
    }
    if (other.len() == 8 && this.len() == 8) || (other.len() == 32 && this.len() == 32) {
        return Ok(subnets_constrain(this, other));
    }
    if subnet(other.len()) {
        // `other` is read as a subnet and `this` as a host, whatever `this` is.
        return Ok(if host_in_subnet(this, other)? {
            Relation::Widens
        } else {
            Relation::SameType
        });
    }
    if subnet(this.len()) {
        return Ok(if host_in_subnet(other, this)? {
            Relation::Narrows
        } else {
            Relation::SameType
        });
    }
    Ok(Relation::SameType)
}

/// Whether `host` is inside `subnet` (address then mask), byte by byte over the subnet's
/// length: a host shorter than that is read past its end unless a byte differs first.
fn host_in_subnet(host: &[u8], subnet: &[u8]) -> Result<bool, JavaException> {
    let half = subnet.len() / 2;
    for i in 0..half {
        let byte = *host
            .get(i)
            .ok_or_else(|| JavaException::array_index(i, host.len()))?;
        if byte & subnet[i + half] != subnet[i] {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Two subnets of the same length: whether one encloses the other; a subnet whose address has
/// bits outside its mask is "empty".
fn subnets_constrain(this: &[u8], other: &[u8]) -> Relation {
    let half = this.len() / 2;
    let (mut other_in_this, mut this_in_other) = (true, true);
    let (mut this_empty, mut other_empty) = (false, false);
    for i in 0..half {
        let (a, am) = (this[i], this[i + half]);
        let (b, bm) = (other[i], other[i + half]);
        this_empty |= a & am != a;
        other_empty |= b & bm != b;
        if !(am & bm == am && a & am == b & am) {
            other_in_this = false;
        }
        if !(bm & am == bm && b & bm == a & bm) {
            this_in_other = false;
        }
    }
    match (this_empty, other_empty) {
        (true, true) => Relation::Match,
        (true, false) => Relation::Widens,
        (false, true) => Relation::Narrows,
        _ if other_in_this => Relation::Narrows,
        _ if this_in_other => Relation::Widens,
        _ => Relation::SameType,
    }
}

/// `X500Name.constrains`: by RDN prefix; the empty name contains every name.
fn directory_constrains(
    this: &[Vec<(String, String)>],
    input: &[Vec<(String, String)>],
) -> Relation {
    let within = |inner: &[Vec<(String, String)>], outer: &[Vec<(String, String)>]| {
        outer.len() <= inner.len() && inner[..outer.len()] == *outer
    };
    if input == this {
        Relation::Match
    } else if input.is_empty() {
        Relation::Widens
    } else if this.is_empty() || within(input, this) {
        Relation::Narrows
    } else if within(this, input) {
        Relation::Widens
    } else {
        Relation::SameType
    }
}

/// `GeneralSubtrees.minimize`: drops every subtree that a later one matches or contains, and
/// every later one that a subtree contains.
pub(crate) fn minimize(trees: &mut Vec<GeneralName>) -> Result<(), JavaException> {
    let mut i = 0;
    while i + 1 < trees.len() {
        let mut remove_current = false;
        let mut j = i + 1;
        while j < trees.len() {
            match trees[i].constrains(&trees[j])? {
                Relation::DiffType | Relation::SameType => j += 1,
                Relation::Narrows => {
                    trees.remove(j);
                }
                Relation::Match | Relation::Widens => {
                    remove_current = true;
                    break;
                }
            }
        }
        if remove_current {
            trees.remove(i);
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// `GeneralSubtrees.union`: appends and minimizes.
pub(crate) fn union(
    trees: &mut Vec<GeneralName>,
    other: &[GeneralName],
) -> Result<(), JavaException> {
    trees.extend(other.iter().cloned());
    minimize(trees)
}

/// `GeneralSubtrees.reduce`: drops every permitted subtree an excluded one matches or
/// contains.
pub(crate) fn reduce(
    permitted: &mut Vec<GeneralName>,
    excluded: &[GeneralName],
) -> Result<(), JavaException> {
    for name in excluded {
        let mut j = 0;
        while j < permitted.len() {
            match name.constrains(&permitted[j])? {
                Relation::Match | Relation::Narrows => {
                    permitted.remove(j);
                }
                _ => j += 1,
            }
        }
    }
    Ok(())
}

/// `GeneralSubtrees.intersect`: narrows `trees` (the permitted subtrees so far) by `other` (a
/// CA's own permitted subtrees) and returns the subtrees to add to the excluded ones: the
/// widest of a form when the two lists share no subtree of it.
pub(crate) fn intersect(
    trees: &mut Vec<GeneralName>,
    other: &mut Vec<GeneralName>,
) -> Result<Vec<GeneralName>, JavaException> {
    let mut new_excluded = Vec::new();
    if trees.is_empty() {
        union(trees, other)?;
        return Ok(new_excluded);
    }
    minimize(trees)?;
    minimize(other)?;
    let mut narrowed = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        let this = trees[i].clone();
        let mut removed = false;
        let mut same_type = false;
        for candidate in other.iter() {
            match this.constrains(candidate)? {
                Relation::Narrows => {
                    trees.remove(i);
                    removed = true;
                    narrowed.push(candidate.clone());
                    same_type = false;
                    break;
                }
                Relation::SameType => same_type = true,
                Relation::Match | Relation::Widens => {
                    same_type = false;
                    break;
                }
                Relation::DiffType => {}
            }
        }
        if same_type {
            let mut intersection = false;
            'this: for kept in trees.iter().filter(|t| t.same_type(&this)) {
                for candidate in other.iter() {
                    if matches!(
                        kept.constrains(candidate)?,
                        Relation::Match | Relation::Widens | Relation::Narrows
                    ) {
                        intersection = true;
                        break 'this;
                    }
                }
            }
            if !intersection {
                let widest = this.widest()?;
                if !new_excluded.contains(&widest) {
                    new_excluded.push(widest);
                }
            }
            trees.remove(i);
            removed = true;
        }
        if !removed {
            i += 1;
        }
    }
    if !narrowed.is_empty() {
        union(trees, &narrowed)?;
    }
    for candidate in other.iter() {
        let mut diff_type = false;
        for this in trees.iter() {
            match this.constrains(candidate)? {
                Relation::DiffType => diff_type = true,
                _ => {
                    diff_type = false;
                    break;
                }
            }
        }
        if diff_type {
            trees.push(candidate.clone());
        }
    }
    Ok(new_excluded)
}
