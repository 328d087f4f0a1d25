//! Whole-file tests: a complete scenario, unknown keys in every table, syntax and type errors,
//! robustness against mangled input, and a large file.

mod common;

use std::net::IpAddr;

use common::{BASE, FULL, errors, line_of, valid, with};
use hoplab_scenario::*;
use time::Duration;
use time::macros::datetime;

#[test]
fn full_scenario_parses_into_the_model() {
    let s = valid(FULL);
    assert_eq!(s.name(), "full");
    assert!(s.description().is_some_and(|d| d.contains("TLS listener")));
    assert_eq!(s.now(), Some(datetime!(2026-01-01 00:00:00 UTC)));

    // Authorities: issuer before subject, file order otherwise.
    let names: Vec<&str> = s.pki().authorities().map(|a| a.name()).collect();
    assert_eq!(names, ["public-root", "public-int", "private-root"]);
    let authorities: Vec<&Authority> = s.pki().authorities().collect();
    let root = authorities[0];
    assert_eq!(root.issuer(), None);
    assert_eq!(root.common_name(), "Hoplab Public Root CA");
    assert_eq!(root.key(), KeyType::Rsa2048);
    assert!(root.trusted() && root.basic_constraints_ca() && root.key_cert_sign());
    assert_eq!(
        root.validity().not_before(),
        TimeSpec::Relative(Duration::days(-365))
    );
    assert_eq!(
        root.validity().not_after(),
        TimeSpec::Relative(Duration::days(3650))
    );
    let int = authorities[1];
    assert_eq!(
        int.issuer().map(|a| s.authority(a).name()),
        Some("public-root")
    );
    assert_eq!(int.key(), KeyType::EcdsaP384);
    assert!(!int.trusted());
    let private = authorities[2];
    assert_eq!(private.common_name(), "private-root", "defaults to the key");
    assert_eq!(private.key(), KeyType::EcdsaP256);
    assert_eq!(
        private.validity().not_before(),
        TimeSpec::Relative(Duration::days(-1))
    );
    assert_eq!(
        private.validity().not_after(),
        TimeSpec::Relative(Duration::days(3650))
    );

    // Certificates, in file order.
    let names: Vec<&str> = s.pki().certificates().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["nlb-cert", "app-cert", "public-app"]);
    let nlb = &s.pki().certificates()[0];
    assert_eq!(
        nlb.issuer(),
        LeafIssuer::Authority(s.find_authority("public-int").expect("public-int"))
    );
    assert_eq!(nlb.common_name(), Some("api.example.com"));
    assert_eq!(nlb.dns_names(), ["api.example.com", "*.api.example.com"]);
    assert_eq!(
        nlb.ip_addresses(),
        [
            "127.0.0.1".parse::<IpAddr>().unwrap(),
            "::1".parse().unwrap()
        ]
    );
    assert_eq!(
        nlb.validity().not_before(),
        TimeSpec::Absolute(datetime!(2025-12-01 00:00:00 UTC))
    );
    assert_eq!(
        *nlb.chain(),
        ChainSent::Preset(ChainPreset::LeafIntermediatesAndRoot)
    );
    assert!(!nlb.basic_constraints_ca() && !nlb.key_cert_sign());
    let app = &s.pki().certificates()[1];
    assert_eq!(app.common_name(), None);
    let entries: Vec<&str> = match app.chain() {
        ChainSent::Explicit(entries) => entries.iter().map(|e| s.pki().cert_name(*e)).collect(),
        other => panic!("expected an explicit chain, got {other:?}"),
    };
    assert_eq!(entries, ["app-cert", "private-root"]);
    assert_eq!(
        app.validity().not_after(),
        TimeSpec::Relative(Duration::days(-1))
    );
    let public = &s.pki().certificates()[2];
    assert_eq!(public.issuer(), LeafIssuer::SelfSigned);
    assert_eq!(public.key(), KeyType::Ed25519);
    assert_eq!(*public.chain(), ChainSent::Preset(ChainPreset::Leaf));
    assert_eq!(
        public.validity().not_after(),
        TimeSpec::Relative(Duration::days(90))
    );

    // Gateway.
    assert_eq!(s.gateway().stage(), "prod");
    let pets = &s.gateway().routes()[0];
    assert_eq!(pets.method(), "GET");
    assert_eq!(pets.path(), "/pets");
    assert_eq!(pets.integration(), IntegrationType::HttpProxy);
    assert_eq!(pets.uri().scheme(), Scheme::Https);
    assert_eq!(pets.uri().host(), "api.example.com");
    assert_eq!(pets.uri().port(), 443);
    assert_eq!(pets.uri().path_and_query(), "/pets");
    assert_eq!(pets.uri().raw(), "https://API.example.com/pets");
    assert_eq!(pets.backend().connection_type(), ConnectionType::VpcLink);
    assert_eq!(s.backend_name(pets.backend()), "nlb:internal:443");
    assert!(!pets.insecure_skip_verification());
    assert_eq!(pets.timeout_ms(), 29_000);
    let public = &s.gateway().routes()[1];
    assert_eq!(public.method(), "ANY");
    assert_eq!(public.integration(), IntegrationType::Http);
    assert_eq!(public.uri().port(), 8080);
    assert_eq!(public.uri().path_and_query(), "/");
    assert_eq!(
        public.backend(),
        Backend::Internet(s.find_target("web").expect("web"))
    );
    assert_eq!(public.timeout_ms(), 60_000);

    // NLBs, target groups, targets.
    assert_eq!(s.nlbs().len(), 1);
    let listeners: Vec<&Listener> = s.nlbs()[0]
        .listeners()
        .iter()
        .map(|id| s.listener(*id))
        .collect();
    assert_eq!(listeners[0].port(), 443);
    let ListenerProtocol::Tls(tls) = listeners[0].protocol() else {
        panic!("expected a TLS listener");
    };
    let cert = |name: &str| s.find_certificate(name).expect("a certificate");
    assert_eq!(tls.default_certificate(), cert("nlb-cert"));
    assert_eq!(tls.certificates(), [cert("app-cert")]);
    assert_eq!(tls.security_policy(), SecurityPolicy::Tls13_1_3_2021_06);
    assert_eq!(tls.alpn_policy(), hoplab_scenario::AlpnPolicy::None);
    assert_eq!(s.target_group(listeners[0].target_group()).name(), "app");
    assert_eq!(*listeners[1].protocol(), ListenerProtocol::Tcp);
    let groups: Vec<(&str, TargetGroupProtocol)> = s
        .target_groups()
        .iter()
        .map(|g| (g.name(), g.protocol()))
        .collect();
    assert_eq!(
        groups,
        [
            ("app", TargetGroupProtocol::Tls),
            ("plain", TargetGroupProtocol::Tcp)
        ]
    );
    let members: Vec<&str> = s.target_groups()[1]
        .targets()
        .iter()
        .map(|t| s.target(*t).name())
        .collect();
    assert_eq!(members, ["app", "web"]);
    assert_eq!(
        s.targets()[0].protocol(),
        TargetProtocol::Https {
            certificate: cert("app-cert")
        }
    );
    assert_eq!(s.targets()[0].body(), "hello");
    assert_eq!(s.targets()[1].protocol(), TargetProtocol::Http);
    assert_eq!(s.targets()[1].body(), "hello from target web");
    assert_eq!(s.targets()[1].dns_names(), ["www.example.com"]);

    // Requests.
    assert_eq!(s.requests().len(), 3);
    let first = &s.requests()[0];
    assert_eq!(first.name(), "tls listener, expired target");
    assert_eq!(first.method(), "GET");
    assert_eq!(first.expect().status(), Some(200));
    assert_eq!(
        first.expect().validated(),
        Some(ExpectedHop::NlbListener(
            s.find_listener("internal", 443).expect("the listener")
        ))
    );
    assert_eq!(first.expect().body_contains(), Some("hello"));
    assert_eq!(first.location().line, line_of(FULL, "[[requests]]"));
    assert_eq!(first.location().column, 1);
    assert_eq!(first.location().file, "test.toml");
    let second = &s.requests()[1];
    assert_eq!(second.name(), "POST /public?x=1");
    assert_eq!(second.expect().validated(), Some(ExpectedHop::None));
    assert_eq!(
        second.expect().error(),
        Some(&TextMatch::Contains("PKIX path building failed".into()))
    );
    let third = &s.requests()[2];
    assert_eq!(third.name(), "GET /public");
    assert_eq!(
        third.expect().validated(),
        Some(ExpectedHop::Target(s.find_target("web").expect("web")))
    );
    assert_eq!(
        third.expect().error(),
        Some(&TextMatch::Exact(
            "Execution failed due to a timeout error".into()
        ))
    );
}

#[test]
fn base_scenario_uses_defaults() {
    let s = valid(BASE);
    assert_eq!(s.name(), "");
    assert_eq!(s.description(), None);
    assert_eq!(s.now(), None);
    assert_eq!(s.gateway().stage(), "test");
    let route = &s.gateway().routes()[0];
    assert_eq!(route.method(), "GET");
    assert_eq!(route.integration(), IntegrationType::HttpProxy);
    assert_eq!(route.timeout_ms(), 29_000);
    let leaf = &s.pki().certificates()[0];
    assert_eq!(
        *leaf.chain(),
        ChainSent::Preset(ChainPreset::LeafAndIntermediates)
    );
    assert_eq!(leaf.key(), KeyType::EcdsaP256);
    assert_eq!(
        leaf.validity().not_before(),
        TimeSpec::Relative(Duration::days(-1))
    );
    let ListenerProtocol::Tls(tls) = s.listener(s.nlbs()[0].listeners()[0]).protocol() else {
        panic!("expected a TLS listener");
    };
    assert_eq!(tls.security_policy(), SecurityPolicy::Tls13_1_2_2021_06);
    assert!(tls.certificates().is_empty());
    assert_eq!(s.requests()[0].name(), "GET /pets");
    assert_eq!(*s.requests()[0].expect(), Expectation::default());
}

#[test]
fn zero_requests_is_allowed() {
    let text = BASE.replace("[[requests]]\npath = \"/pets\"\n", "");
    assert!(valid(&text).requests().is_empty());
}

#[test]
fn native_toml_datetimes_are_accepted() {
    let text = with(
        BASE,
        "[certificates.app-cert]\n",
        "[certificates.app-cert]\nnot_before = 2025-01-01T00:00:00Z\nnot_after = 2027-01-01T00:00:00+02:00\n",
    );
    let s = valid(&format!("[scenario]\nnow = 2026-01-01T00:00:00Z\n{text}"));
    assert_eq!(s.now(), Some(datetime!(2026-01-01 00:00:00 UTC)));
    assert_eq!(
        s.pki().certificates()[1].validity().not_before(),
        TimeSpec::Absolute(datetime!(2025-01-01 00:00:00 UTC))
    );
}

#[test]
fn load_fills_in_the_file_stem() {
    let dir = std::env::temp_dir().join(format!("hoplab-scenario-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("vpc-link-demo.toml");
    std::fs::write(&path, BASE).expect("write");
    let loaded = load(&path);
    let _ = std::fs::remove_dir_all(&dir);
    let s = loaded.expect("valid scenario");
    assert_eq!(s.name(), "vpc-link-demo");
    assert_eq!(s.requests()[0].location().file, path.display().to_string());
}

#[test]
fn load_reports_a_missing_file() {
    let err = load(std::path::Path::new("/nonexistent/hoplab/x.toml")).expect_err("missing");
    assert!(matches!(err, LoadError::Io { .. }), "{err:?}");
}

/// Every table header (and the top level, and the inline table) of the full scenario, with an
/// unknown key injected: the error names the key and points at its line.
#[test]
fn unknown_key_in_every_table_is_located() {
    let lines: Vec<&str> = FULL.lines().collect();
    let mut cases: Vec<(String, usize, &str)> = Vec::new();

    // Top level: before the first table.
    cases.push((format!("bogus_key = 1\n{FULL}"), 1, "(top level)"));
    // After every [table] and [[array.of.tables]] header.
    for (i, line) in lines.iter().enumerate() {
        if line.starts_with('[') {
            let mut mutated: Vec<&str> = lines.clone();
            mutated.insert(i + 1, "bogus_key = 1");
            cases.push((mutated.join("\n"), i + 2, line));
        }
    }
    // The inline `expect = { ... }` table.
    let inline = with(
        FULL,
        "expect = { status",
        "expect = { bogus_key = 1, status",
    );
    cases.push((inline, line_of(FULL, "expect = { status"), "inline expect"));

    // Every kind of table is covered.
    let headers: Vec<&str> = cases.iter().map(|(_, _, h)| *h).collect();
    for kind in [
        "[scenario]",
        "[authorities.",
        "[certificates.",
        "[gateway]",
        "[[gateway.routes]]",
        "[nlbs.",
        "[[nlbs.internal.listeners]]",
        "[target_groups.",
        "[targets.",
        "[[requests]]",
        "[requests.expect]",
    ] {
        assert!(
            headers.iter().any(|h| h.starts_with(kind)),
            "full.toml has no {kind} table"
        );
    }
    assert!(cases.len() > 20, "{} cases", cases.len());

    for (text, line, header) in &cases {
        let errs = errors(text);
        assert_eq!(errs.len(), 1, "{header}: {errs:?}");
        let e = &errs[0];
        assert!(
            e.message.contains("bogus_key"),
            "{header}: message does not name the key: {e}"
        );
        assert!(
            e.help
                .as_deref()
                .is_some_and(|help| help.contains("valid keys: `")),
            "{header}: help does not list valid keys: {e}"
        );
        assert_eq!(e.location.line, *line, "{header}: {e}");
        assert!(
            e.field.ends_with("bogus_key"),
            "{header}: field {}",
            e.field
        );
    }
}

#[test]
fn unknown_key_names_the_valid_keys_and_the_path() {
    let text = with(BASE, "port = 443\n", "port = 443\nprotocl = \"TLS\"\n");
    let errs = errors(&text);
    let e = &errs[0];
    assert_eq!(e.field, "nlbs.internal.listeners[0].protocl");
    assert_eq!(e.location.line, line_of(&text, "protocl"));
    assert_eq!(e.location.column, 1);
    assert_eq!(e.message, "unknown key `protocl`");
    let help = e.help.as_deref().expect("help");
    assert!(help.starts_with("did you mean `protocol`?"), "{e}");
    for key in ["port", "protocol", "certificate", "target_group"] {
        assert!(help.contains(&format!("`{key}`")), "{e}");
    }
}

#[test]
fn the_first_shape_error_reported_is_the_first_in_the_file() {
    // `[scenario]` comes first in the file but after `[authorities]` in key order.
    let text = format!(
        "[scenario]\nbogus_first = 1\n{}",
        BASE.replacen(
            "[authorities.root]\n",
            "[authorities.root]\nbogus_second = 2\n",
            1
        )
    );
    let errs = errors(&text);
    assert_eq!(errs[0].field, "scenario.bogus_first", "{errs:?}");
    assert_eq!(errs[0].location.line, 2);
}

#[test]
fn syntax_errors_are_located() {
    let text = with(BASE, "port = 443", "port = = 443");
    let errs = errors(&text);
    let e = &errs[0];
    assert_eq!(e.location.line, line_of(&text, "port = = 443"));
    assert_eq!(e.location.column, 8);
    assert!(!e.message.is_empty());

    // A table defined twice: located at the second definition.
    let text = format!("{BASE}\n[targets.app]\nprotocol = \"HTTP\"\n");
    let errs = errors(&text);
    let second = text.rfind("[targets.app]").expect("present");
    assert_eq!(
        errs[0].location.line,
        text[..second].matches('\n').count() + 1
    );

    let text = "[gateway\n";
    let errs = errors(text);
    assert_eq!(errs[0].location.line, 1);
}

#[test]
fn several_syntax_errors_are_all_reported() {
    let text = "a = \nb = \"x\nc = 1\n";
    let errs = errors(text);
    assert!(errs.len() >= 2, "{errs:?}");
    assert!(
        errs.windows(2)
            .all(|w| w[0].location.line <= w[1].location.line)
    );
}

#[test]
fn wrong_type_is_located() {
    let text = with(BASE, "port = 443", "port = \"443\"");
    let e = common::assert_error(
        &text,
        "nlbs.internal.listeners[0].port",
        "port = \"443\"",
        "expected a number, found the string \"443\"",
    );
    assert_eq!(e.location.column, 8);

    let text = with(BASE, "targets = [\"app\"]", "targets = \"app\"");
    common::assert_error(
        &text,
        "target_groups.app.targets",
        "targets = \"app\"",
        "write it as an array: [\"app\"]",
    );

    let text = with(
        BASE,
        "[[requests]]\npath = \"/pets\"",
        "[[requests]]\npath = 7",
    );
    common::assert_error(
        &text,
        "requests[0].path",
        "path = 7",
        "expected a string in quotes, found the number 7",
    );

    // A key and a table of the same name: located at the table.
    let text = BASE.replacen("[gateway]", "[gateway]\nnlbs = 3", 1);
    let errs = errors(&text);
    assert_eq!(errs[0].field, "gateway.nlbs");
    assert_eq!(errs[0].location.line, line_of(&text, "nlbs = 3"));
}

#[test]
fn missing_required_key_is_located_at_its_table() {
    let text = with(BASE, "target_group = \"app\"\n", "");
    common::assert_error(
        &text,
        "nlbs.internal.listeners[0].target_group",
        "[[nlbs.internal.listeners]]",
        "missing field `target_group`",
    );
    let text = with(
        BASE,
        "path = \"/pets\"\nuri = \"https://api.example.com/pets\"\n",
        "uri = \"https://api.example.com/pets\"\n",
    );
    common::assert_error(
        &text,
        "gateway.routes[0].path",
        "[[gateway.routes]]",
        "missing field",
    );
    let text = with(
        BASE,
        "path = \"/pets\"\nuri = \"https://api.example.com/pets\"\n",
        "path = \"/pets\"\n",
    );
    common::assert_error(
        &text,
        "gateway.routes[0].uri",
        "[[gateway.routes]]",
        "Invalid integration URI specified",
    );
}

#[test]
fn shape_errors_in_named_tables_are_located() {
    let text = BASE.replacen("[targets.app]", "[targets]\napp = 3\n[targets.other]", 1);
    let errs = errors(&text);
    assert_eq!(errs[0].field, "targets.app");
    assert_eq!(errs[0].location.line, line_of(&text, "app = 3"));

    let text = with(
        BASE,
        "[authorities.root]\ntrusted = true\n",
        "authorities = 1\n",
    );
    let errs = errors(&text);
    assert_eq!(errs[0].field, "authorities");
    assert_eq!(errs[0].location.line, 1);

    let text = with(
        BASE,
        "dns_names = [\"api.example.com\"]",
        "dns_names = [\"api.example.com\", 7]",
    );
    common::assert_error(
        &text,
        "certificates.nlb-cert.dns_names[1]",
        "dns_names = [\"api.example.com\", 7]",
        "expected a string in quotes, found the number 7",
    );
}

#[test]
fn errors_display_with_location_field_and_help() {
    let text = with(
        BASE,
        "protocol = \"TLS\"\ncertificate",
        "protocol = \"tls\"\ncertificate",
    );
    let err = from_toml(&text, "x.toml").expect_err("invalid");
    let shown = err.to_string();
    let line = line_of(&text, "protocol = \"tls\"");
    assert!(
        shown.contains(&format!(
            "x.toml:{line}:12: nlbs.internal.listeners[0].protocol:"
        )),
        "{shown}"
    );
    assert!(shown.contains("expected \"TCP\" or \"TLS\""), "{shown}");
}

/// Cheap deterministic pseudo-random numbers (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[track_caller]
fn check_no_panic(text: &str) {
    let result = std::panic::catch_unwind(|| from_toml(text, "fuzz.toml"));
    match result {
        Err(_) => panic!("from_toml panicked on:\n{text}"),
        Ok(Ok(_)) => {}
        Ok(Err(LoadError::Invalid(errors))) => {
            assert!(!errors.is_empty());
            for e in errors {
                assert!(e.location.line >= 1 && e.location.column >= 1, "{e}");
                assert!(!e.field.is_empty() && !e.message.is_empty(), "{e:?}");
            }
        }
        Ok(Err(other)) => panic!("unexpected error kind: {other:?}"),
    }
}

#[test]
fn mangled_input_never_panics() {
    let boundaries: Vec<usize> = FULL
        .char_indices()
        .map(|(i, _)| i)
        .chain([FULL.len()])
        .collect();
    // Truncations.
    let step = (boundaries.len() / 250).max(1);
    for &end in boundaries.iter().step_by(step) {
        check_no_panic(&FULL[..end]);
    }
    // Single-character replacements, insertions and deletions.
    let replacements = [
        "\"",
        "'",
        "[",
        "]",
        "{",
        "}",
        "=",
        ",",
        "\n",
        "#",
        "9",
        "-",
        ".",
        "x",
        " ",
        "é",
        "\\",
        "[[",
        "0x",
        "1e999",
        "99999999999999999999",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..400 {
        let at = boundaries[rng.below(boundaries.len())];
        let end = boundaries
            .iter()
            .copied()
            .find(|&b| b > at)
            .unwrap_or(FULL.len());
        let piece = replacements[rng.below(replacements.len())];
        let mutated = match rng.below(3) {
            0 => format!("{}{piece}{}", &FULL[..at], &FULL[end..]),
            1 => format!("{}{piece}{}", &FULL[..at], &FULL[at..]),
            _ => format!("{}{}", &FULL[..at], &FULL[end..]),
        };
        check_no_panic(&mutated);
    }
    // Values swapped for extreme ones.
    for (old, new) in [
        ("port = 443", "port = -1"),
        ("port = 443", "port = 9223372036854775807"),
        ("timeout_ms = 29000", "timeout_ms = -9223372036854775808"),
        ("status = 200", "status = 70000"),
        ("not_after = \"+10y\"", "not_after = \"+999999999999y\""),
        ("not_after = \"+10y\"", "not_after = \"+1000y\""),
        (
            "now = \"2026-01-01T00:00:00Z\"",
            "now = \"9999-12-31T23:59:59Z\"",
        ),
        (
            "now = \"2026-01-01T00:00:00Z\"",
            "now = \"0000-01-01T00:00:00Z\"",
        ),
        (
            "uri = \"https://API.example.com/pets\"",
            "uri = \"https://[\"",
        ),
        ("uri = \"https://API.example.com/pets\"", "uri = \"://\""),
        (
            "uri = \"https://API.example.com/pets\"",
            "uri = \"https://é/\"",
        ),
        ("validated = \"nlb:internal:443\"", "validated = \"nlb::\""),
        (
            "validated = \"nlb:internal:443\"",
            "validated = \"nlb:internal:99999\"",
        ),
        ("[authorities.private-root]", "[authorities.\"\"]"),
        ("chain = \"leaf\"", "chain = []"),
        ("chain = \"leaf\"", "chain = [[]]"),
        ("chain = \"leaf\"", "chain = 1"),
        ("not_before = \"-1y\"", "not_before = 1979-05-27"),
        ("not_before = \"-1y\"", "not_before = 07:32:00"),
    ] {
        check_no_panic(&with(FULL, old, new));
    }
    check_no_panic("");
    check_no_panic("\u{feff}");
    check_no_panic(&"[".repeat(10_000));
    check_no_panic(&format!(
        "a = {}1{}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    ));
}

#[test]
fn ten_thousand_dns_names_parse() {
    let names: Vec<String> = (0..10_000)
        .map(|i| format!("\"host-{i}.example.com\""))
        .collect();
    let text = with(
        BASE,
        "dns_names = [\"api.example.com\"]",
        &format!("dns_names = [\"api.example.com\", {}]", names.join(", ")),
    );
    let s = valid(&text);
    assert_eq!(s.pki().certificates()[0].dns_names().len(), 10_001);
}

#[test]
fn ten_thousand_bad_dns_names_are_all_reported() {
    let names: Vec<&str> = (0..10_000).map(|_| "\"bad name\"").collect();
    let text = with(
        BASE,
        "dns_names = [\"api.example.com\"]",
        &format!("dns_names = [{}]", names.join(", ")),
    );
    assert_eq!(errors(&text).len(), 10_000);
}

#[test]
fn reference_example_is_valid() {
    let doc = include_str!("../../../docs/scenario-reference.md");
    let section = &doc[doc.find("## Complete example").expect("example section")..];
    let start = section.find("```toml\n").expect("toml block") + "```toml\n".len();
    let end = start + section[start..].find("```").expect("closing fence");
    let s = valid(&section[start..end]);
    assert_eq!(s.name(), "vpc-link-tls-listener");
    assert_eq!(s.requests().len(), 1);
    assert_eq!(
        s.requests()[0]
            .expect()
            .validated()
            .map(|hop| s.hop_name(hop)),
        Some("nlb:internal:443".to_owned())
    );
}
