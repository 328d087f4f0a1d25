//! The committed JSON Schema (`scenario.schema.json`) is the one the parser's types generate,
//! and it accepts every bundled scenario: each key it meets is a property of its table and
//! each spelled value one of its `enum`. `HOPLAB_UPDATE_SCHEMA=1` (or `make schema`) rewrites
//! the file.

use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use toml::Value as Toml;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let path = repository().join("scenario.schema.json");
    let generated = hoplab_scenario::json_schema();
    if std::env::var_os("HOPLAB_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("the schema file is writable");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is out of date: run `make schema`",
        path.display()
    );
}

#[test]
fn every_bundled_scenario_matches_the_schema() {
    let schema: Json = serde_json::from_str(&hoplab_scenario::json_schema()).expect("json");
    let mut files = Vec::new();
    collect(&repository().join("scenarios"), &mut files);
    assert!(files.len() >= 10, "found {} scenarios", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        let value: Toml = toml::from_str(&text).expect("valid TOML");
        let mut problems = Vec::new();
        check(&schema, &schema, &value, "", &mut problems);
        assert!(problems.is_empty(), "{}: {problems:#?}", file.display());
    }
}

#[test]
fn the_schema_rejects_an_unknown_key_and_an_unknown_spelling() {
    let schema: Json = serde_json::from_str(&hoplab_scenario::json_schema()).expect("json");
    let value: Toml = toml::from_str(
        "[targets.app]\nprotocl = \"HTTP\"\n[target_groups.app]\nprotocol = \"UDP\"\ntargets = [\"app\"]\n",
    )
    .expect("valid TOML");
    let mut problems = Vec::new();
    check(&schema, &schema, &value, "", &mut problems);
    assert!(
        problems.iter().any(|p| p.contains("targets.app.protocl")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("target_groups.app.protocol")),
        "{problems:?}"
    );
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            files.push(path);
        }
    }
}

/// Checks `value` against `schema` for the keywords the generated schema uses (`$ref`,
/// `allOf`, `type`, `properties`, `additionalProperties`, `items`, `enum`, `anyOf`), pushing a
/// problem per mismatch.
fn check(root: &Json, schema: &Json, value: &Toml, at: &str, problems: &mut Vec<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/definitions/");
        return check(root, &root["definitions"][name], value, at, problems);
    }
    if let Some(parts) = schema["allOf"].as_array() {
        for part in parts {
            check(root, part, value, at, problems);
        }
        return;
    }
    if let Some(options) = schema["anyOf"].as_array() {
        let fits = options.iter().any(|option| {
            let mut inner = Vec::new();
            check(root, option, value, at, &mut inner);
            inner.is_empty()
        });
        if !fits {
            problems.push(format!("{at}: fits none of anyOf"));
        }
        return;
    }
    if let Some(allowed) = schema["enum"].as_array() {
        let Toml::String(text) = value else {
            return problems.push(format!("{at}: expected one of {allowed:?}"));
        };
        if !allowed.iter().any(|a| a == text) {
            problems.push(format!("{at}: {text:?} is not one of {allowed:?}"));
        }
        return;
    }
    if !type_fits(&schema["type"], value) {
        problems.push(format!("{at}: {value:?} is not of type {}", schema["type"]));
        return;
    }
    match value {
        Toml::Table(table) => {
            for (key, item) in table {
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                match (&schema["properties"][key], &schema["additionalProperties"]) {
                    (Json::Null, Json::Bool(false)) => {
                        problems.push(format!("{path}: unknown key"))
                    }
                    (Json::Null, Json::Null | Json::Bool(true)) => {}
                    (Json::Null, extra) => check(root, extra, item, &path, problems),
                    (property, _) => check(root, property, item, &path, problems),
                }
            }
        }
        Toml::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                check(
                    root,
                    &schema["items"],
                    item,
                    &format!("{at}[{index}]"),
                    problems,
                );
            }
        }
        _ => {}
    }
}

fn type_fits(expected: &Json, value: &Toml) -> bool {
    let name = match value {
        Toml::String(_) | Toml::Datetime(_) => "string",
        Toml::Integer(_) => "integer",
        Toml::Float(_) => "number",
        Toml::Boolean(_) => "boolean",
        Toml::Array(_) => "array",
        Toml::Table(_) => "object",
    };
    match expected {
        Json::Null => true,
        Json::String(one) => one == name || (one == "number" && name == "integer"),
        Json::Array(many) => many
            .iter()
            .any(|t| t == name || (t == "number" && name == "integer")),
        _ => false,
    }
}
