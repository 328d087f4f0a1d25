//! The JSON Schema of a scenario file, generated from the serde types the parser reads
//! (`raw`), so that editors (Taplo, Even Better TOML) complete and check the keys the parser
//! accepts. Values the validator reads from a spelling table are listed as the schema's
//! `enum`, taken from the same tables.
//!
//! The schema states the file's shape only: references between parts, ranges and every
//! other rule stay the validator's, whose errors are located.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use crate::alb::ALB_LISTENER_PROTOCOLS;
use crate::alb_rules::{AlbAction, ConditionField};
use crate::matrix::LoadBalancerKind;
use crate::model::{
    ApiType, ConnectionType, IntegrationType, KeyType, SecurityPolicy, SignatureHash,
    TARGET_PROTOCOLS, TargetGroupProtocol, VpcLinkVersion,
};
use crate::raw::{
    Named, RawChain, RawConditionValue, RawNumberOrText, RawScenario, RawSwitch, RawTime,
};
use crate::{AlpnPolicy, HealthCheckProtocol, TlsVersions};

/// The schema's `$id`: where the repository keeps the generated file.
const SCHEMA_FILE: &str = "scenario.schema.json";

/// The JSON Schema (draft 7) of a scenario file, pretty-printed with a final newline.
pub fn json_schema() -> String {
    // Draft 7: the newest draft every editor's TOML language server reads.
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema = serde_json::to_value(generator.into_root_schema_for::<RawScenario>())
        .expect("a schema is plain JSON");
    schema["$id"] = Value::from(SCHEMA_FILE);
    schema["title"] = Value::from("hoplab scenario");
    for (definition, property, values) in enumerated() {
        let slot = &mut schema["definitions"][definition]["properties"][property];
        assert!(
            slot.is_object(),
            "the schema has no property {definition}.{property}"
        );
        restrict(slot, &values);
    }
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

/// Every property whose value is one spelling of a table, with the spellings.
fn enumerated() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    fn names<T>(table: &[(&'static str, T)]) -> Vec<&'static str> {
        table.iter().map(|(spelling, _)| *spelling).collect()
    }
    vec![
        ("RawAuthority", "key", names(KeyType::ALL)),
        ("RawCertificate", "key", names(KeyType::ALL)),
        ("RawAuthority", "signature_hash", names(SignatureHash::ALL)),
        (
            "RawCertificate",
            "signature_hash",
            names(SignatureHash::ALL),
        ),
        ("RawGateway", "api", names(ApiType::ALL)),
        ("RawRoute", "integration", names(IntegrationType::ALL)),
        ("RawRoute", "connection_type", names(ConnectionType::ALL)),
        ("RawRoute", "vpc_link_version", names(VpcLinkVersion::ALL)),
        ("RawListener", "security_policy", names(SecurityPolicy::ALL)),
        ("RawListener", "alpn_policy", names(AlpnPolicy::ALL)),
        (
            "RawTargetGroup",
            "protocol",
            names(TargetGroupProtocol::ALL),
        ),
        (
            "RawHealthCheck",
            "protocol",
            names(HealthCheckProtocol::ALL),
        ),
        ("RawTarget", "protocol", names(&TARGET_PROTOCOLS)),
        ("RawTarget", "tls_versions", names(TlsVersions::ALL)),
        ("RawAlbListener", "protocol", names(&ALB_LISTENER_PROTOCOLS)),
        ("RawCondition", "field", names(&ConditionField::ALL)),
        ("RawAction", "type", names(&AlbAction::ALL)),
        ("RawMatrix", "load_balancer", names(LoadBalancerKind::ALL)),
    ]
}

/// Lists `values` as the only strings `slot` (a string, an optional string, or an array of
/// strings) may hold.
fn restrict(slot: &mut Value, values: &[&str]) {
    let holds = |kind: &str| {
        slot["type"] == kind
            || slot["type"]
                .as_array()
                .is_some_and(|types| types.iter().any(|t| t == kind))
    };
    if holds("array") {
        slot["items"]["enum"] = Value::from(values.to_vec());
        return;
    }
    let mut allowed: Vec<Value> = values.iter().map(|v| Value::from(*v)).collect();
    if holds("null") {
        allowed.push(Value::Null);
    } else if slot.get("type").is_none() {
        // `Option<Vec<_>>` and friends are written as anyOf; leave those alone.
        return;
    }
    slot["enum"] = Value::Array(allowed);
}

impl<T: JsonSchema> JsonSchema for Named<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Named_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "description": "Tables keyed by name; other parts refer to each by its name.",
            "additionalProperties": generator.subschema_for::<T>(),
        })
    }
}

impl JsonSchema for RawTime {
    fn schema_name() -> Cow<'static, str> {
        "Time".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "An RFC 3339 time or TOML datetime, an offset from the run's clock such as \"-1d\" or \"+90d\", or \"now\".",
        })
    }
}

impl JsonSchema for RawChain {
    fn schema_name() -> Cow<'static, str> {
        "Chain".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A chain preset such as \"leaf+intermediates\", or the names of the certificates sent, leaf first.",
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } },
            ],
        })
    }
}

impl JsonSchema for RawConditionValue {
    fn schema_name() -> Cow<'static, str> {
        "ConditionValue".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "anyOf": [
                { "type": "string" },
                generator.subschema_for::<crate::raw::RawQueryPair>(),
            ],
        })
    }
}

impl JsonSchema for RawNumberOrText {
    fn schema_name() -> Cow<'static, str> {
        "NumberOrText".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["integer", "string"] })
    }
}

impl JsonSchema for RawSwitch {
    fn schema_name() -> Cow<'static, str> {
        "Switch".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [{ "type": "boolean" }, { "enum": ["on", "off"] }] })
    }
}
