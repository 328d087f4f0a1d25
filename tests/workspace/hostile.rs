//! Hostile scenario input: unknown keys everywhere, absurd sizes, deep hierarchies.
//!
//! Each case must end in a clear, located error (or a clean TLS-level failure), never a panic
//! or a hang.

use hoplab_scenario::{LoadError, MAX_FILE_SIZE, ScenarioError, from_toml};
use hoplab_tests::{bundled_scenario_files, scenarios_dir};
use toml_edit::{DocumentMut, Item, Table, Value};

/// The key injected; no scenario table knows it.
const INJECTED: &str = "hoplab_injected_key";

/// Inserts [`INJECTED`] into the `target`-th table (depth first, counting tables, arrays of
/// tables and inline tables); returns whether there was one.
fn inject(item: &mut Item, target: usize, seen: &mut usize) -> bool {
    match item {
        Item::Table(table) => inject_table(table, target, seen),
        Item::ArrayOfTables(array) => array
            .iter_mut()
            .any(|table| inject_table(table, target, seen)),
        Item::Value(value) => inject_value(value, target, seen),
        Item::None => false,
    }
}

/// A table, standing alone or in an array of tables: counts as one, then its children.
fn inject_table(table: &mut Table, target: usize, seen: &mut usize) -> bool {
    if *seen == target {
        table.insert(INJECTED, toml_edit::value(7));
        return true;
    }
    *seen += 1;
    table
        .iter_mut()
        .any(|(_, child)| inject(child, target, seen))
}

fn inject_value(value: &mut Value, target: usize, seen: &mut usize) -> bool {
    match value {
        Value::InlineTable(table) => {
            if *seen == target {
                table.insert(INJECTED, Value::from(7));
                return true;
            }
            *seen += 1;
            table
                .iter_mut()
                .any(|(_, child)| inject_value(child, target, seen))
        }
        Value::Array(array) => array.iter_mut().any(|v| inject_value(v, target, seen)),
        _ => false,
    }
}

/// The 1-based line of the first line mentioning the injected key.
fn injected_line(text: &str) -> usize {
    text.lines()
        .position(|l| l.contains(INJECTED))
        .expect("the key was written")
        + 1
}

#[test]
fn an_unknown_key_in_any_table_of_any_bundled_scenario_is_a_located_error() {
    let mut checked = 0;
    // Tables of an ALB (its listeners, rules, conditions, actions, weighted groups and
    // query-string pairs, many of them inline) are among those tried.
    let mut alb_tables = 0;
    for file in bundled_scenario_files() {
        let path = scenarios_dir().join(&file);
        let original = std::fs::read_to_string(&path).expect("readable scenario");
        let doc: DocumentMut = original.parse().expect("bundled scenarios are valid TOML");
        // Bounded: a bundled scenario has far fewer tables than this.
        for target in 0..10_000 {
            let mut doc = doc.clone();
            let mut seen = 0;
            if !inject(doc.as_item_mut(), target, &mut seen) {
                break;
            }
            let text = doc.to_string();
            let line = injected_line(&text);
            let errors: Vec<ScenarioError> = match from_toml(&text, &path.display().to_string()) {
                Err(LoadError::Invalid(errors)) => errors,
                Err(other) => panic!("{file} table {target}: unexpected error {other}"),
                Ok(_) => panic!("{file} table {target}: accepted an unknown key:\n{text}"),
            };
            let named = errors
                .iter()
                .find(|e| e.field.contains(INJECTED) || e.message.contains(INJECTED));
            let Some(error) = named else {
                panic!("{file} table {target}: no error names {INJECTED}: {errors:?}\n{text}");
            };
            assert_eq!(
                error.location.line, line,
                "{file} table {target}: error is not located at the key: {error}\n{text}"
            );
            checked += 1;
            if error.field.starts_with("albs.") {
                alb_tables += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} tables were tried");
    assert!(alb_tables > 50, "only {alb_tables} ALB tables were tried");
}

/// A bundled scenario with `extra` appended (new top-level tables).
fn bundled_with(extra: &str) -> String {
    let base =
        std::fs::read_to_string(scenarios_dir().join("nlb/tcp-listener-validates-target.toml"))
            .expect("readable scenario");
    format!("{base}\n{extra}")
}

/// The errors of invalid scenario text.
fn errors_of(text: &str) -> Vec<ScenarioError> {
    match from_toml(text, "hostile.toml") {
        Err(LoadError::Invalid(errors)) => errors,
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("hostile scenario accepted"),
    }
}

/// The error for `field`, with its line.
fn error_for<'e>(errors: &'e [ScenarioError], field: &str) -> &'e ScenarioError {
    errors
        .iter()
        .find(|e| e.field == field)
        .unwrap_or_else(|| panic!("no error for {field}: {errors:?}"))
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle")
        + 1
}

#[test]
fn a_100_mb_file_is_refused_by_size_before_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.toml");
    let file = std::fs::File::create(&path).expect("create");
    // Sparse: no 100 MB are written to disk.
    file.set_len(100 * 1024 * 1024).expect("set_len");
    match hoplab_scenario::load(&path) {
        Err(LoadError::TooLarge { size, limit, .. }) => {
            assert_eq!(size, 100 * 1024 * 1024);
            assert_eq!(limit, MAX_FILE_SIZE);
        }
        other => panic!("expected a size error, got {other:?}"),
    }
}

#[test]
fn oversized_text_is_refused_before_parsing() {
    let text = "#".repeat(MAX_FILE_SIZE as usize + 1);
    let error = from_toml(&text, "big.toml").expect_err("too large");
    assert!(
        error.to_string().contains("the limit is 4194304 bytes"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_with_ten_thousand_sans_fails_cleanly_at_the_tls_level() {
    // The scenario accepts it (each name is valid); the certificate is larger than a TLS
    // handshake message may be, so the handshake fails and the gateway reports it.
    let path = scenarios_dir().join("nlb/tcp-listener-validates-target.toml");
    let mut doc: DocumentMut = std::fs::read_to_string(&path)
        .expect("readable")
        .parse()
        .expect("valid TOML");
    let mut names = toml_edit::Array::new();
    names.push("api.example.com");
    for i in 0..10_000 {
        names.push(format!("h{i}.example.com"));
    }
    doc["certificates"]["valid"]["dns_names"] = toml_edit::value(names);
    let scenario = from_toml(&doc.to_string(), "crowded.toml").expect("10,000 SANs are valid");
    let report = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        hoplab_runner::run(&scenario),
    )
    .await
    .expect("the run ends")
    .expect("the run completes");
    let crowded = report
        .requests
        .iter()
        .find(|r| r.name == "valid target behind a TCP listener")
        .expect("the request to the crowded target");
    assert_eq!(crowded.status, Some(500));
    assert_eq!(
        crowded.error.as_deref(),
        Some("Execution failed due to configuration error: General SSLEngine problem")
    );
    // The other targets' requests are judged as usual.
    let expired = report
        .requests
        .iter()
        .find(|r| r.name == "expired target behind a TCP listener")
        .expect("the expired request");
    assert!(
        expired
            .error
            .as_deref()
            .unwrap_or("")
            .ends_with("validity check failed"),
        "{:?}",
        expired.error
    );
}

#[test]
fn a_65536_deep_authority_hierarchy_is_a_located_error() {
    let mut extra = String::from("[authorities.deep0]\n");
    for i in 1..65_536 {
        extra.push_str(&format!(
            "[authorities.deep{i}]\nissuer = \"deep{}\"\n",
            i - 1
        ));
    }
    let text = bundled_with(&extra);
    let errors = errors_of(&text);
    let field = format!(
        "authorities.deep{}.issuer",
        hoplab_scenario::MAX_AUTHORITY_DEPTH + 1
    );
    let error = error_for(&errors, &field);
    assert_eq!(
        error.location.line,
        line_of(
            &text,
            &format!("issuer = \"deep{}\"", hoplab_scenario::MAX_AUTHORITY_DEPTH)
        )
    );
    assert_eq!(
        errors.len(),
        1,
        "one error, not one per authority: {errors:?}"
    );
}

#[test]
fn a_65536_long_explicit_chain_is_a_located_error() {
    let authority = first_authority();
    let chain: Vec<String> = (0..65_536).map(|_| format!("\"{authority}\"")).collect();
    let text = bundled_with(&format!(
        "[certificates.long]\nissuer = \"{authority}\"\ndns_names = [\"long.example.com\"]\nchain = [{}]\n",
        chain.join(", ")
    ));
    let errors = errors_of(&text);
    let error = error_for(&errors, "certificates.long.chain");
    assert_eq!(error.location.line, line_of(&text, "chain = ["));
    assert!(error.message.contains("65536 certificates"), "{error}");
}

#[test]
fn a_name_defined_twice_is_a_located_syntax_error() {
    let text = bundled_with("[authorities.twice]\n[authorities.twice]\n");
    let errors = errors_of(&text);
    let lines: Vec<&str> = text.lines().collect();
    let second = lines
        .iter()
        .rposition(|l| *l == "[authorities.twice]")
        .expect("written")
        + 1;
    assert!(
        errors.iter().any(|e| e.location.line == second),
        "no error at line {second}: {errors:?}"
    );
}

#[test]
fn a_dangling_issuer_names_the_valid_authorities() {
    let text = bundled_with("[authorities.orphan]\nissuer = \"nobody\"\n");
    let errors = errors_of(&text);
    let error = error_for(&errors, "authorities.orphan.issuer");
    assert_eq!(error.location.line, line_of(&text, "issuer = \"nobody\""));
    assert!(error.help.is_some(), "{error}");
}

/// The first authority of the base scenario.
fn first_authority() -> String {
    let text = bundled_with("");
    let doc: DocumentMut = text.parse().expect("valid");
    doc["authorities"]
        .as_table()
        .and_then(|t| t.iter().next())
        .map(|(name, _)| name.to_owned())
        .expect("the base scenario has an authority")
}
