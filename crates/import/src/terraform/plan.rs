//! A `terraform show -json` document as resources whose attributes are known, known after
//! apply, or absent, with the `configuration` references that say where an unknown value
//! comes from.
//!
//! A plan's `planned_values` omits or nulls unknown values and marks them `true` in
//! `resource_changes[].change.after_unknown`; the plan's `configuration` gives each
//! attribute's expression as `references` (module-relative, such as
//! `aws_api_gateway_vpc_link.orders.id`). A reference through a module variable, a module
//! output or a root variable is followed to what it names; a circle of them is an error.
//! State (`values`) is always known.

use std::collections::HashMap;

use crate::document::{Document, Node, child, index};
use crate::error::ImportError;

/// The `format_version` major this reader knows; minor versions only add.
const FORMAT_MAJOR: &str = "1";

/// The values of a resource that has none.
static EMPTY: Node = Node {
    value: crate::document::Value::Null,
    line: None,
};

/// Most references followed through module variables and outputs.
const MAX_HOPS: usize = 32;

/// One step into an attribute: a key, or a block's index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'p> {
    Key(&'p str),
    Index(usize),
}

/// A key step.
pub(crate) const fn k(key: &str) -> Seg<'_> {
    Seg::Key(key)
}

/// What a plan says about an attribute.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Attr {
    /// Known: its value.
    Known(Node),
    /// Known only after apply: what the configuration says it comes from, resolved (an
    /// absolute resource address with attribute, or a value reached through variables).
    Unknown(Option<Resolved>),
    /// Not set.
    Absent,
}

/// Where a configuration reference leads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Resolved {
    /// A resource attribute: the absolute address (`module.a.aws_lb.orders`) and the
    /// attribute (`arn`), which may be empty.
    Resource { address: String, attribute: String },
    /// A value a variable gives.
    Value(String),
    /// Something the plan does not tell (a local value), by its name.
    Opaque(String),
}

/// One resource instance.
#[derive(Debug, Clone)]
pub(crate) struct TfResource<'a> {
    /// Its address, such as `module.orders.aws_lb.this[0]`.
    pub(crate) address: String,
    /// `aws_lb`, …
    pub(crate) kind: String,
    /// Its `values`.
    pub(crate) values: &'a Node,
    /// `after_unknown` from the plan's resource changes.
    pub(crate) unknown: Option<&'a Node>,
    /// Its pointer in the document.
    pub(crate) pointer: String,
    /// The module path (`["orders"]` for `module.orders.…`).
    pub(crate) modules: Vec<String>,
}

/// A plan or state, indexed.
pub(crate) struct Plan<'a> {
    pub(crate) doc: &'a Document,
    pub(crate) resources: Vec<TfResource<'a>>,
    /// Whether this is a plan (else state).
    pub(crate) is_plan: bool,
    configuration: Option<&'a Node>,
    variables: Option<&'a Node>,
}

impl<'a> Plan<'a> {
    /// Checks the format version and indexes every resource of every module.
    pub(crate) fn new(doc: &'a Document) -> Result<Self, ImportError> {
        let root = &doc.root;
        let version = root.get("format_version");
        let Some(text) = version.and_then(Node::as_str) else {
            return Err(ImportError::Source {
                location: doc.at("/format_version", version.or(Some(root))),
                message: "no format_version string: not terraform show -json output".into(),
            });
        };
        if text.split('.').next() != Some(FORMAT_MAJOR) {
            return Err(ImportError::Source {
                location: doc.at("/format_version", version),
                message: format!(
                    "format_version {text:?} has major version {}; hoplab reads version {FORMAT_MAJOR}.x (Terraform 1.x writes it)",
                    text.split('.').next().unwrap_or(text)
                ),
            });
        }
        let (is_plan, values_key) = if root.get("planned_values").is_some() {
            (true, "planned_values")
        } else if root.get("values").is_some() {
            (false, "values")
        } else {
            return Err(ImportError::Source {
                location: doc.at("", Some(root)),
                message: "neither planned_values (a plan) nor values (state): nothing to import"
                    .into(),
            });
        };
        let mut unknown: HashMap<&str, &Node> = HashMap::new();
        for change in root
            .get("resource_changes")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            if let (Some(address), Some(after)) = (
                change.get("address").and_then(Node::as_str),
                change.get("change").and_then(|c| c.get("after_unknown")),
            ) {
                unknown.insert(address, after);
            }
        }
        let mut plan = Plan {
            doc,
            resources: Vec::new(),
            is_plan,
            configuration: root.get("configuration"),
            variables: root.get("variables"),
        };
        let start = child(&child("", values_key), "root_module");
        if let Some(module) = root.get(values_key).and_then(|v| v.get("root_module")) {
            plan.collect(module, &start, &unknown)?;
        }
        Ok(plan)
    }

    /// Adds the resources of a module and its children (depth is bounded by the parser).
    fn collect(
        &mut self,
        module: &'a Node,
        pointer: &str,
        unknown: &HashMap<&str, &'a Node>,
    ) -> Result<(), ImportError> {
        let resources_pointer = child(pointer, "resources");
        for (i, resource) in module
            .get("resources")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            let at = index(&resources_pointer, i);
            let text = |key: &str| resource.get(key).and_then(Node::as_str);
            let (Some(address), Some(kind)) = (text("address"), text("type")) else {
                return Err(ImportError::Source {
                    location: self.doc.at(&at, Some(resource)),
                    message: "a resource without address or type".into(),
                });
            };
            let values = resource.get("values").unwrap_or(&EMPTY);
            self.resources.push(TfResource {
                address: address.to_owned(),
                kind: kind.to_owned(),
                values,
                unknown: unknown.get(address).copied(),
                pointer: at,
                modules: module_path(address),
            });
        }
        let children_pointer = child(pointer, "child_modules");
        for (i, module) in module
            .get("child_modules")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            self.collect(module, &index(&children_pointer, i), unknown)?;
        }
        Ok(())
    }

    /// What the plan says about an attribute of a resource.
    pub(crate) fn attr(&self, r: &TfResource<'_>, path: &[Seg<'_>]) -> Result<Attr, ImportError> {
        if let Some(value) = walk(r.values, path).filter(|v| !v.is_null()) {
            return Ok(Attr::Known(value.clone()));
        }
        let marked = r
            .unknown
            .and_then(|u| walk(u, path))
            .and_then(Node::as_bool)
            == Some(true);
        if !marked {
            return Ok(Attr::Absent);
        }
        let reference = match self.expression(r, path) {
            Some(expression) => {
                self.resolve_expression(expression, &r.modules, r, &mut Vec::new())?
            }
            None => None,
        };
        Ok(Attr::Unknown(reference))
    }

    /// The configuration expression of an attribute.
    fn expression(&self, r: &TfResource<'_>, path: &[Seg<'_>]) -> Option<&'a Node> {
        let resource = self.config_resource(&r.modules, &config_address(&r.address))?;
        walk(resource.get("expressions")?, path)
    }

    /// The configuration of module `modules`.
    fn config_module(&self, modules: &[String]) -> Option<&'a Node> {
        let mut module = self.configuration?.get("root_module")?;
        for name in modules {
            module = module.get("module_calls")?.get(name)?.get("module")?;
        }
        Some(module)
    }

    fn config_resource(&self, modules: &[String], address: &str) -> Option<&'a Node> {
        self.config_module(modules)?
            .get("resources")?
            .as_seq()?
            .iter()
            .find(|c| c.get("address").and_then(Node::as_str) == Some(address))
    }

    /// Where an expression's first reference leads (its constant value when it has one).
    fn resolve_expression(
        &self,
        expression: &Node,
        modules: &[String],
        r: &TfResource<'_>,
        seen: &mut Vec<String>,
    ) -> Result<Option<Resolved>, ImportError> {
        if let Some(value) = expression.get("constant_value").and_then(Node::scalar_text) {
            return Ok(Some(Resolved::Value(value)));
        }
        let Some(first) = expression
            .get("references")
            .and_then(Node::as_seq)
            .and_then(|refs| refs.first())
            .and_then(Node::as_str)
        else {
            return Ok(None);
        };
        self.resolve_reference(first, modules, r, seen).map(Some)
    }

    /// Follows a module-relative reference to what it names.
    fn resolve_reference(
        &self,
        reference: &str,
        modules: &[String],
        r: &TfResource<'_>,
        seen: &mut Vec<String>,
    ) -> Result<Resolved, ImportError> {
        let key = format!("{}{reference}", prefix(modules));
        if seen.contains(&key) || seen.len() >= MAX_HOPS {
            seen.push(key);
            return Err(ImportError::Source {
                location: self.doc.at(&r.pointer, Some(r.values)),
                message: format!(
                    "cyclic reference in the configuration: {}",
                    seen.join(" -> ")
                ),
            });
        }
        seen.push(key);
        let parts: Vec<&str> = reference.split('.').collect();
        match parts.as_slice() {
            ["var", name, ..] => {
                let name = strip_index(name);
                if modules.is_empty() {
                    let value = self
                        .variables
                        .and_then(|v| v.get(name))
                        .and_then(|v| v.get("value"))
                        .and_then(Node::scalar_text);
                    return Ok(value
                        .map_or_else(|| Resolved::Opaque(format!("var.{name}")), Resolved::Value));
                }
                let (parent, call) = modules.split_at(modules.len() - 1);
                let expression = self
                    .config_module(parent)
                    .and_then(|m| m.get("module_calls"))
                    .and_then(|c| c.get(&call[0]))
                    .and_then(|c| c.get("expressions"))
                    .and_then(|e| e.get(name));
                match expression {
                    Some(e) => Ok(self
                        .resolve_expression(e, parent, r, seen)?
                        .unwrap_or_else(|| Resolved::Opaque(key_of(modules, reference)))),
                    None => Ok(Resolved::Opaque(key_of(modules, reference))),
                }
            }
            ["module", call, output, ..] => {
                let call = strip_index(call);
                let mut inner = modules.to_vec();
                inner.push(call.to_owned());
                let expression = self
                    .config_module(&inner)
                    .and_then(|m| m.get("outputs"))
                    .and_then(|o| o.get(output))
                    .and_then(|o| o.get("expression"));
                match expression {
                    Some(e) => Ok(self
                        .resolve_expression(e, &inner, r, seen)?
                        .unwrap_or_else(|| Resolved::Opaque(key_of(modules, reference)))),
                    None => Ok(Resolved::Opaque(key_of(modules, reference))),
                }
            }
            ["local", ..] | ["each", ..] | ["count", ..] | ["path", ..] | ["terraform", ..] => {
                Ok(Resolved::Opaque(key_of(modules, reference)))
            }
            ["data", kind, name, rest @ ..] => Ok(Resolved::Resource {
                address: format!("{}data.{kind}.{}", prefix(modules), strip_index(name)),
                attribute: rest.join("."),
            }),
            [kind, name, rest @ ..] => Ok(Resolved::Resource {
                address: format!("{}{kind}.{}", prefix(modules), strip_index(name)),
                attribute: rest.join("."),
            }),
            _ => Ok(Resolved::Opaque(key_of(modules, reference))),
        }
    }
}

/// The node at a path.
pub(crate) fn walk<'n>(node: &'n Node, path: &[Seg<'_>]) -> Option<&'n Node> {
    let mut node = node;
    for seg in path {
        node = match seg {
            Seg::Key(k) => node.get(k)?,
            Seg::Index(i) => node.as_seq()?.get(*i)?,
        };
    }
    Some(node)
}

/// `module.a.module.b.` for `["a", "b"]`.
fn prefix(modules: &[String]) -> String {
    modules.iter().map(|m| format!("module.{m}.")).collect()
}

fn key_of(modules: &[String], reference: &str) -> String {
    format!("{}{reference}", prefix(modules))
}

/// `name` without a `[index]`.
fn strip_index(name: &str) -> &str {
    name.split('[').next().unwrap_or(name)
}

/// The module path of an address: `module.a["x"].module.b.aws_lb.c` → `[a, b]`.
fn module_path(address: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find('.').unwrap_or(after.len());
        out.push(strip_index(&after[..end]).to_owned());
        rest = after.get(end + 1..).unwrap_or("");
    }
    out
}

/// An address as the configuration writes it: module-relative, without instance keys.
fn config_address(address: &str) -> String {
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find('.').unwrap_or(after.len());
        rest = after.get(end + 1..).unwrap_or("");
    }
    rest.split('.')
        .map(strip_index)
        .collect::<Vec<_>>()
        .join(".")
}

/// The address without its instance key: what references name.
pub(crate) fn base_address(address: &str) -> String {
    let modules = prefix(&module_path(address));
    format!("{modules}{}", config_address(address))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse;

    #[test]
    fn addresses_split_into_modules_and_configuration_addresses() {
        assert_eq!(
            module_path("module.a[\"x\"].module.b.aws_lb.c[0]"),
            ["a", "b"]
        );
        assert_eq!(config_address("module.a.module.b.aws_lb.c[0]"), "aws_lb.c");
        assert_eq!(base_address("module.a[1].aws_lb.c[0]"), "module.a.aws_lb.c");
        assert_eq!(
            config_address("data.aws_acm_certificate.x"),
            "data.aws_acm_certificate.x"
        );
    }

    #[test]
    fn unknown_values_follow_references_through_modules() {
        let doc = parse(
            "plan.json",
            r#"{"format_version":"1.2","variables":{"domain":{"value":"orders.example.com"}},
               "planned_values":{"root_module":{"child_modules":[{"address":"module.api","resources":[
                 {"address":"module.api.aws_api_gateway_integration.get","type":"aws_api_gateway_integration","name":"get","values":{"uri":null,"connection_id":null}}]}]}},
               "resource_changes":[{"address":"module.api.aws_api_gateway_integration.get","change":{"after_unknown":{"connection_id":true,"uri":true}}}],
               "configuration":{"root_module":{"module_calls":{"api":{
                  "expressions":{"link":{"references":["aws_api_gateway_vpc_link.orders.id","aws_api_gateway_vpc_link.orders"]},"domain":{"references":["var.domain"]}},
                  "module":{"resources":[{"address":"aws_api_gateway_integration.get","expressions":{
                     "connection_id":{"references":["var.link"]},"uri":{"references":["var.domain"]}}}]}}}}}}"#,
        )
        .expect("parses");
        let plan = Plan::new(&doc).expect("indexes");
        let r = &plan.resources[0];
        assert_eq!(r.modules, ["api"]);
        assert_eq!(
            plan.attr(r, &[Seg::Key("connection_id")]).expect("ok"),
            Attr::Unknown(Some(Resolved::Resource {
                address: "aws_api_gateway_vpc_link.orders".into(),
                attribute: "id".into()
            }))
        );
        assert_eq!(
            plan.attr(r, &[Seg::Key("uri")]).expect("ok"),
            Attr::Unknown(Some(Resolved::Value("orders.example.com".into())))
        );
        assert_eq!(
            plan.attr(r, &[Seg::Key("integration_target")]).expect("ok"),
            Attr::Absent
        );
    }

    #[test]
    fn format_versions_and_cycles_are_checked() {
        let doc =
            parse("p.json", r#"{"format_version":"2.0","planned_values":{}}"#).expect("parses");
        let error = Plan::new(&doc).err().expect("major 2");
        assert_eq!(
            error.to_string(),
            "p.json: /format_version: format_version \"2.0\" has major version 2; hoplab reads version 1.x (Terraform 1.x writes it)"
        );
        let doc = parse(
            "c.json",
            r#"{"format_version":"1.0","planned_values":{"root_module":{"child_modules":[{"resources":[
                 {"address":"module.m.aws_lb.x","type":"aws_lb","values":{"arn":null}}]}]}},
               "resource_changes":[{"address":"module.m.aws_lb.x","change":{"after_unknown":{"arn":true}}}],
               "configuration":{"root_module":{"module_calls":{"m":{"expressions":{"a":{"references":["module.m.out"]}},
                 "module":{"outputs":{"out":{"expression":{"references":["var.a"]}}},
                   "resources":[{"address":"aws_lb.x","expressions":{"arn":{"references":["var.a"]}}}]}}}}}}"#,
        )
        .expect("parses");
        let plan = Plan::new(&doc).expect("indexes");
        let error = plan
            .attr(&plan.resources[0], &[Seg::Key("arn")])
            .expect_err("cycle");
        assert!(
            error
                .to_string()
                .contains("cyclic reference in the configuration"),
            "{error}"
        );
    }
}
