//! Helpers shared by the scenario tests.

#![allow(dead_code)]

use hoplab_scenario::{LoadError, Scenario, ScenarioError, ScenarioWarning, from_toml};

/// The complete scenario under `tests/data/full.toml`.
pub(crate) const FULL: &str = include_str!("../data/full.toml");

/// A small valid scenario: VPC link → TLS listener → TLS target group → HTTPS target.
pub(crate) const BASE: &str = r#"[authorities.root]
trusted = true

[certificates.nlb-cert]
issuer = "root"
dns_names = ["api.example.com"]

[certificates.app-cert]
issuer = "root"

[gateway]

[[gateway.routes]]
path = "/pets"
uri = "https://api.example.com/pets"
connection_type = "VPC_LINK"
vpc_link = "internal"

[nlbs.internal]
[[nlbs.internal.listeners]]
port = 443
protocol = "TLS"
certificate = "nlb-cert"
target_group = "app"

[target_groups.app]
protocol = "TLS"
targets = ["app"]

[targets.app]
protocol = "HTTPS"
certificate = "app-cert"
dns_names = ["app.example.com"]

[[requests]]
path = "/pets"
"#;

/// Parses text that must be valid.
#[track_caller]
pub(crate) fn valid(text: &str) -> Scenario {
    match from_toml(text, "test.toml") {
        Ok(scenario) => scenario,
        Err(e) => panic!("expected a valid scenario, got:\n{e}\n--- text ---\n{text}"),
    }
}

/// Parses text that must be invalid, returning every error.
#[track_caller]
pub(crate) fn errors(text: &str) -> Vec<ScenarioError> {
    match from_toml(text, "test.toml") {
        Ok(_) => panic!("expected errors, the scenario is valid:\n{text}"),
        Err(LoadError::Invalid(errors)) => {
            assert!(!errors.is_empty(), "Invalid with no errors");
            errors
        }
        Err(other) => panic!("expected LoadError::Invalid, got {other:?}"),
    }
}

/// `text` with `old` (which must occur) replaced by `new`, once.
#[track_caller]
pub(crate) fn with(text: &str, old: &str, new: &str) -> String {
    assert!(text.contains(old), "{old:?} not in the text");
    text.replacen(old, new, 1)
}

/// The 1-based line on which `needle` first occurs.
#[track_caller]
pub(crate) fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in the text"));
    text[..at].matches('\n').count() + 1
}

/// Asserts that `text` is invalid with an error on `field`, on the line where `at` is written,
/// whose message or help contains `fragment`. Returns that error.
#[track_caller]
pub(crate) fn assert_error(text: &str, field: &str, at: &str, fragment: &str) -> ScenarioError {
    let errors = errors(text);
    let line = line_of(text, at);
    let found = errors
        .iter()
        .find(|e| e.field == field)
        .unwrap_or_else(|| panic!("no error on field {field:?}; errors:\n{}", render(&errors)));
    assert_eq!(
        found.location.line,
        line,
        "error on {field} at the wrong line: {found}\nall errors:\n{}",
        render(&errors)
    );
    assert_eq!(found.location.file, "test.toml");
    assert!(found.location.column >= 1);
    let help = found.help.as_deref().unwrap_or("");
    assert!(
        found.message.contains(fragment) || help.contains(fragment),
        "{fragment:?} not in message or help of: {found}"
    );
    found.clone()
}

/// Asserts that `text` is valid with exactly one warning, on `field`, on the line where `at` is
/// written, whose message contains `fragment`. Returns that warning.
#[track_caller]
pub(crate) fn assert_warning(text: &str, field: &str, at: &str, fragment: &str) -> ScenarioWarning {
    let scenario = valid(text);
    let [warning] = scenario.warnings() else {
        panic!("expected one warning, got {:#?}", scenario.warnings());
    };
    assert_eq!(warning.field, field, "{warning}");
    assert_eq!(warning.location.line, line_of(text, at), "{warning}");
    assert_eq!(warning.location.file, "test.toml");
    assert!(warning.location.column >= 1);
    assert!(
        warning.message.contains(fragment),
        "{fragment:?} not in: {warning}"
    );
    warning.clone()
}

pub(crate) fn render(errors: &[ScenarioError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
