//! Named placeholders: values the sources cannot give, and how they are written and filled.
//!
//! A source reader writes a value that exists only after deployment, or only in a stage, as
//! `${name}` inside the string that needs it, the way CloudFormation's `Fn::Sub` and API
//! Gateway's stage variables already do: `${OrdersNlb.DNSName}`,
//! `${aws_lb.orders.dns_name}`, `${stageVariables.vpcLinkId}`, `${import:net-VpcId}`.
//! [`substitute`] fills them from the sidecar; each one left becomes an
//! [`OpenPlaceholder`], listed by the import, written into the sidecar skeleton, and written
//! into the scenario as a `TODO(import)` value that fails validation where it stands, so the
//! scenario refuses to run until the sidecar fills it.

use std::collections::BTreeMap;

use crate::sidecar::Issuer;

/// The prefix of a stage variable's placeholder name.
pub(crate) const STAGE_VARIABLES: &str = "stageVariables.";

/// Which sidecar table fills a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PlaceholderKind {
    /// `[stage_variables]`: the value a stage gives a stage variable.
    StageVariable,
    /// `[values]`: a value known only after deployment, a template parameter without a
    /// default, or an export another stack makes.
    Value,
    /// `[certificates."<ARN or name>"]`: the certificate a listener serves.
    Certificate,
    /// `[targets."<id or target group>"]`: the certificate a target serves.
    TargetCertificate,
}

/// How a certificate resource in the source suggests generating a look-alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateSuggestion {
    /// Who issues it.
    pub issuer: Issuer,
    /// The names it carries.
    pub dns_names: Vec<String>,
}

impl CertificateSuggestion {
    /// What an ACM certificate resource says: its domain name and subject alternative names
    /// (each once, those known only after deployment left out), and whether a private CA
    /// (`CertificateAuthorityArn`) issues it.
    pub(crate) fn acm(
        domain: Option<String>,
        alternative: impl IntoIterator<Item = String>,
        private_ca: bool,
    ) -> Self {
        let mut dns_names: Vec<String> = Vec::new();
        for name in domain.into_iter().chain(alternative) {
            if !name.contains("${") && !dns_names.contains(&name) {
                dns_names.push(name);
            }
        }
        CertificateSuggestion {
            issuer: if private_ca {
                Issuer::PrivateCa
            } else {
                Issuer::PublicCa
            },
            dns_names,
        }
    }
}

/// A placeholder the sidecar did not fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPlaceholder {
    /// Which sidecar table fills it.
    pub kind: PlaceholderKind,
    /// Its key in that table.
    pub key: String,
    /// What needs it, such as `uri of GET /orders/{id}`.
    pub needed_by: Vec<String>,
    /// A look-alike certificate the source suggests (an ACM certificate resource's names).
    pub suggestion: Option<CertificateSuggestion>,
}

impl OpenPlaceholder {
    /// `[table] key`, as the sidecar writes it.
    pub fn sidecar_entry(&self) -> String {
        let table = match self.kind {
            PlaceholderKind::StageVariable => "stage_variables",
            PlaceholderKind::Value => "values",
            PlaceholderKind::Certificate => "certificates",
            PlaceholderKind::TargetCertificate => "targets",
        };
        format!("[{table}] {:?}", self.key)
    }
}

/// The open placeholders of one import, each once, in the order first met.
#[derive(Debug, Default)]
pub(crate) struct OpenList {
    list: Vec<OpenPlaceholder>,
}

impl OpenList {
    /// Records that `needed_by` needs the placeholder.
    pub(crate) fn add(&mut self, kind: PlaceholderKind, key: &str, needed_by: &str) {
        match self
            .list
            .iter_mut()
            .find(|p| p.kind == kind && p.key == key)
        {
            Some(open) => {
                if !open.needed_by.iter().any(|n| n == needed_by) {
                    open.needed_by.push(needed_by.to_owned());
                }
            }
            None => self.list.push(OpenPlaceholder {
                kind,
                key: key.to_owned(),
                needed_by: vec![needed_by.to_owned()],
                suggestion: None,
            }),
        }
    }

    /// Records a value placeholder by its `${name}`: a stage variable or a value.
    pub(crate) fn add_name(&mut self, name: &str, needed_by: &str) {
        match name.strip_prefix(STAGE_VARIABLES) {
            Some(variable) => self.add(PlaceholderKind::StageVariable, variable, needed_by),
            None => self.add(PlaceholderKind::Value, name, needed_by),
        }
    }

    /// Attaches a suggestion to a certificate placeholder.
    pub(crate) fn suggest(&mut self, kind: PlaceholderKind, key: &str, s: CertificateSuggestion) {
        if let Some(open) = self
            .list
            .iter_mut()
            .find(|p| p.kind == kind && p.key == key)
        {
            open.suggestion = Some(s);
        }
    }

    /// The list.
    pub(crate) fn finish(self) -> Vec<OpenPlaceholder> {
        self.list
    }
}

/// The values a sidecar gives for `${name}` placeholders.
#[derive(Debug, Clone, Default)]
pub(crate) struct Values {
    /// `[stage_variables]`.
    pub(crate) stage_variables: BTreeMap<String, String>,
    /// `[values]`.
    pub(crate) values: BTreeMap<String, String>,
}

impl Values {
    /// The value of the placeholder `name`, if the sidecar gives one.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        match name.strip_prefix(STAGE_VARIABLES) {
            Some(variable) => self.stage_variables.get(variable),
            None => self.values.get(name),
        }
        .map(String::as_str)
    }
}

/// `text` with every `${name}` the values give replaced, and the names left open.
///
/// A value is not searched for placeholders again, so a value cannot loop.
pub(crate) fn substitute(text: &str, values: &Values) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut open = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return (out, open);
        };
        let name = &after[..end];
        match values.get(name) {
            Some(value) => out.push_str(value),
            None => {
                out.push_str(&rest[start..start + 3 + end]);
                if !open.iter().any(|n| n == name) {
                    open.push(name.to_owned());
                }
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    (out, open)
}

/// `name` as a placeholder: `${name}`.
pub(crate) fn placeholder(name: &str) -> String {
    format!("${{{name}}}")
}

/// The name when `text` is exactly one placeholder.
pub(crate) fn whole(text: &str) -> Option<&str> {
    let name = text.strip_prefix("${")?.strip_suffix('}')?;
    (!name.contains("${") && !name.contains('}')).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_what_the_sidecar_gives_and_names_the_rest() {
        let mut values = Values::default();
        values
            .stage_variables
            .insert("host".into(), "orders.example.com".into());
        let (text, open) = substitute(
            "https://${stageVariables.host}:${port}/${stageVariables.host}/${port}",
            &values,
        );
        assert_eq!(
            text,
            "https://orders.example.com:${port}/orders.example.com/${port}"
        );
        assert_eq!(open, ["port"]);
        assert_eq!(substitute("a ${unclosed", &values).0, "a ${unclosed");
        values.values.insert("loop".into(), "${loop}".into());
        assert_eq!(substitute("${loop}", &values), ("${loop}".into(), vec![]));
        assert_eq!(whole("${OrdersLink}"), Some("OrdersLink"));
        assert_eq!(whole("x${OrdersLink}"), None);
        assert_eq!(placeholder("a.b"), "${a.b}");
    }

    #[test]
    fn each_placeholder_is_listed_once_with_everything_that_needs_it() {
        let mut open = OpenList::default();
        open.add_name("stageVariables.vpcLinkId", "connectionId of GET /a");
        open.add_name("stageVariables.vpcLinkId", "connectionId of GET /b");
        open.add_name("Nlb.DNSName", "uri of GET /a");
        let list = open.finish();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].kind, PlaceholderKind::StageVariable);
        assert_eq!(list[0].key, "vpcLinkId");
        assert_eq!(list[0].needed_by.len(), 2);
        assert_eq!(list[1].sidecar_entry(), "[values] \"Nlb.DNSName\"");
    }
}
